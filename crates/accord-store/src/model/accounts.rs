//! Organisations, users and API tokens (SPEC §1).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use crate::ids::{ClientId, OrgId, TokenId, UserId};
use crate::{Error, Tenant};

/// Whether an organisation is the provider or a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// The organisation running Accord.
    Provider,
    /// A client of the provider.
    Client,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: OrgId,
    /// Provider or client.
    pub kind: OrgKind,
    /// Its name, unique.
    pub name: String,
}

/// A user's role (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Provider staff who administer the installation.
    Admin,
    /// Provider staff who work tickets.
    Agent,
    /// A user of one client organisation.
    Client,
}

impl Role {
    /// The name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Client => "client",
        }
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role, Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "client" => Ok(Role::Client),
            other => Err(Error::Invalid(format!(
                "unknown role `{other}`: use admin, agent or client"
            ))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login e-mail; unique, compared case-insensitively.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// The client organisation: required for [`Role::Client`], absent otherwise.
    pub client: Option<ClientId>,
    /// The password, if the user logs in with one (hashed with Argon2id).
    pub password: Option<&'a str>,
}

/// A user account (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Login e-mail, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The client organisation of a client user.
    pub client: Option<ClientId>,
}

impl User {
    /// The tenant this user's requests run as: staff see every client, a
    /// client user only its own organisation.
    pub fn tenant(&self) -> Tenant {
        match (&self.role, &self.client) {
            (Role::Client, Some(c)) => Tenant::Client(c.clone()),
            _ => Tenant::Provider,
        }
    }
}

/// An API token's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its id, used to revoke it.
    pub id: TokenId,
    /// The user it acts as.
    pub user: UserId,
    /// What its owner called it.
    pub name: String,
}

/// An API token as listed on the settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenListing {
    /// Its public facts.
    pub info: TokenInfo,
    /// The e-mail of the user it acts as.
    pub user_email: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}
