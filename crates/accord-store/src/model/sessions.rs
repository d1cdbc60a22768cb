//! Browser sessions of the web application (SPEC §1, §9).

use std::fmt;

use jiff::Timestamp;

use super::User;

/// A browser session's secret, the value of its cookie. Only its SHA-256
/// is stored; `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    /// A new random secret (256 bits).
    pub(crate) fn generate() -> Self {
        SessionSecret(crate::auth::random_hex(32))
    }

    /// Wraps a secret presented by a browser.
    pub fn new(secret: impl Into<String>) -> Self {
        SessionSecret(secret.into())
    }

    /// The secret, to put in the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub(crate) fn hash(&self) -> Vec<u8> {
        use sha2::Digest;
        sha2::Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(<redacted>)")
    }
}

/// A signed-in browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Who is signed in.
    pub user: User,
    /// The token every state-changing form of this session must carry.
    pub csrf_token: String,
    /// The user's chosen IANA time zone, if any.
    pub time_zone: Option<String>,
    /// When the session ends.
    pub expires_at: Timestamp,
}
