//! Organisations, users and API tokens (SPEC §1): who may sign in and act,
//! and for which client.

use jiff::Timestamp;
use tracing::instrument;

use crate::auth::TokenSecret;
use crate::ids::{ClientId, OrgId, Tenant, TokenId, UserId};
use crate::model::{NewUser, OrgKind, Organisation, TokenInfo, TokenListing, User};
use crate::{Result, Store, on_reader, on_writer};

/// Organisations, users and API tokens. From [`Store::accounts`].
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a>(pub(crate) &'a Store);

impl Store {
    /// Organisations, users and API tokens.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts(self)
    }
}

impl Accounts<'_> {
    /// Creates the provider organisation; there is one per installation.
    #[instrument(skip_all)]
    pub async fn create_provider(&self, name: &str, now: Timestamp) -> Result<OrgId> {
        on_writer!(self.0, create_organisation(OrgKind::Provider, name, now))
    }

    /// Creates a client organisation (staff only: the caller authorises).
    #[instrument(skip_all)]
    pub async fn create_client(&self, name: &str, now: Timestamp) -> Result<ClientId> {
        let id = on_writer!(self.0, create_organisation(OrgKind::Client, name, now))?;
        Ok(ClientId::from_db(id.as_str().to_string()))
    }

    /// The organisations the tenant may see: all for the provider, its own
    /// for a client.
    #[instrument(skip_all)]
    pub async fn organisations(&self, tenant: &Tenant) -> Result<Vec<Organisation>> {
        on_reader!(self.0, organisations(tenant))
    }

    /// Creates a user; the password, if any, is stored as an Argon2id hash.
    #[instrument(skip_all, fields(role = %new.role))]
    pub async fn create_user(&self, new: NewUser<'_>, now: Timestamp) -> Result<User> {
        on_writer!(self.0, create_user(new, now))
    }

    /// The user with this e-mail (compared case-insensitively), if any
    /// (for `accord token create`; never exposed to clients).
    #[instrument(skip_all)]
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        on_reader!(self.0, user_by_email(email))
    }

    /// The user with this e-mail and password, or `None` (unknown e-mail,
    /// wrong password or no password set alike).
    #[instrument(skip_all)]
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<User>> {
        on_reader!(self.0, authenticate(email, password))
    }

    /// The users the tenant may see: all for the provider, its own
    /// organisation's for a client; by e-mail.
    #[instrument(skip_all)]
    pub async fn users(&self, tenant: &Tenant) -> Result<Vec<User>> {
        on_reader!(self.0, list_users(tenant))
    }

    /// Sets (or, with `None`, clears) the IANA zone a user reads times in.
    /// The caller checks the zone exists.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn set_time_zone(&self, user: &UserId, zone: Option<&str>) -> Result<()> {
        on_writer!(self.0, set_time_zone(user, zone))
    }

    /// Creates an API token acting as `user`. The secret is returned here
    /// once; only its SHA-256 is stored.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn create_token(
        &self,
        user: &UserId,
        name: &str,
        now: Timestamp,
    ) -> Result<(TokenInfo, TokenSecret)> {
        on_writer!(self.0, create_token(user, name, now))
    }

    /// The user a token acts as, if the token exists and is not revoked.
    #[instrument(skip_all)]
    pub async fn verify_token(&self, secret: &TokenSecret) -> Result<Option<User>> {
        on_reader!(self.0, verify_token(secret))
    }

    /// Revokes a token; `false` if it was unknown or already revoked.
    #[instrument(skip_all, fields(token = %token))]
    pub async fn revoke_token(&self, token: &TokenId, now: Timestamp) -> Result<bool> {
        on_writer!(self.0, revoke_token(token, now))
    }

    /// Revokes a token of `owner`; `false` if `owner` has no such active
    /// token (another user's token is not touched).
    #[instrument(skip_all, fields(user = %owner, token = %token))]
    pub async fn revoke_token_of(
        &self,
        owner: &UserId,
        token: &TokenId,
        now: Timestamp,
    ) -> Result<bool> {
        on_writer!(self.0, revoke_token_of(owner, token, now))
    }

    /// API tokens, newest first: of one user, or (`None`) of everyone (the
    /// caller authorises).
    #[instrument(skip_all)]
    pub async fn tokens(&self, only_user: Option<&UserId>) -> Result<Vec<TokenListing>> {
        on_reader!(self.0, token_listing(only_user))
    }

    /// The user a token acts as, if the token exists (revoked or not).
    #[instrument(skip_all, fields(token = %token))]
    pub async fn token_owner(&self, token: &TokenId) -> Result<Option<UserId>> {
        on_reader!(self.0, token_owner(token))
    }
}
