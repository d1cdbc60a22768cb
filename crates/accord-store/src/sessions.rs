//! Browser sessions of the web application (SPEC §1, §9): only a SHA-256 of
//! a session's id is stored, every sign-in makes a new id, and "sign out
//! everywhere" ends every session of a user.

use jiff::Timestamp;
use tracing::instrument;

use crate::ids::UserId;
use crate::model::{SessionSecret, WebSession};
use crate::{Result, Store, on_reader, on_writer};

/// Browser sessions. From [`Store::sessions`].
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a>(pub(crate) &'a Store);

impl Store {
    /// Browser sessions.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions(self)
    }
}

impl Sessions<'_> {
    /// Starts a browser session for `user` until `expires_at`: a new random
    /// id every time (so a session id fixed before sign-in is never
    /// promoted) with its own CSRF token. Only the id's SHA-256 is stored.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn create(
        &self,
        user: &UserId,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<SessionSecret> {
        on_writer!(self.0, create_session(user, now, expires_at))
    }

    /// The session with this secret, if it exists and has not expired (read
    /// on every page, so it never waits for the writer).
    #[instrument(skip_all)]
    pub async fn find(&self, secret: &SessionSecret, now: Timestamp) -> Result<Option<WebSession>> {
        on_reader!(self.0, web_session(secret, now))
    }

    /// Ends one session (sign out).
    #[instrument(skip_all)]
    pub async fn delete(&self, secret: &SessionSecret) -> Result<()> {
        on_writer!(self.0, delete_session(secret))
    }

    /// Ends every session of a user (sign out everywhere); how many ended.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn delete_all_of(&self, user: &UserId) -> Result<u64> {
        on_writer!(self.0, delete_user_sessions(user))
    }
}
