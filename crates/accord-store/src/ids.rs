//! Identifiers and the tenant a query runs for (SPEC §1, §9).
//!
//! Ids are UUIDv7 in their canonical text form: time-ordered, so new rows
//! land at the end of the primary-key index, and opaque to clients. They are
//! built only by [`parse`](ClientId::parse) or by the store, never from an
//! arbitrary string.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// A string that is not a UUID in canonical text form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an id (a UUID like 0192f1a0-7b3c-7def-8123-456789abcdef)")]
pub struct BadId(pub String);

/// A new UUIDv7: 48 bits of Unix milliseconds, then random bits, with the
/// version and variant bits set (RFC 9562 §5.7).
fn uuid_v7() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes[6..]);
    let ms = (ms as u64).to_be_bytes();
    bytes[..6].copy_from_slice(&ms[2..]);
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    let hex = crate::auth::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// A fresh, time-ordered id.
            #[allow(dead_code, reason = "not every id type is generated")]
            pub(crate) fn generate() -> Self {
                $name(uuid_v7())
            }

            /// Parses the canonical lower-case UUID text form.
            pub fn parse(s: &str) -> Result<Self, BadId> {
                if is_uuid(s) {
                    Ok($name(s.to_string()))
                } else {
                    Err(BadId(s.to_string()))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An id read back from the database, which holds only ids the
            /// store generated.
            #[allow(dead_code, reason = "not every id type is read back")]
            pub(crate) fn from_db(s: String) -> Self {
                $name(s)
            }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// An organisation: the provider or one of its clients.
    OrgId
);
id_type!(
    /// A client organisation.
    ClientId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// An API token (its id, not its secret).
    TokenId
);
id_type!(
    /// A ticket.
    TicketId
);

id_type!(
    /// A time entry (the service's id, used in URLs; the SPEC §10 `id` is
    /// the entry's key within its contract).
    TimeEntryId
);
id_type!(
    /// An invoice or credit note.
    InvoiceId
);
id_type!(
    /// A registered webhook.
    WebhookId
);
id_type!(
    /// A notification of a fired crossing (one channel and recipient).
    NotificationId
);
id_type!(
    /// A contract's compliance statement of one period.
    StatementId
);

impl TimeEntryId {
    /// A fresh id, also the key of an entry sent without an `id`.
    pub fn fresh() -> Self {
        Self::generate()
    }
}

impl From<ClientId> for OrgId {
    fn from(c: ClientId) -> OrgId {
        OrgId(c.0)
    }
}

/// Whose data a query may see (SPEC §1, §9). Every store method that reads
/// tenant data takes one and enforces it in its SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tenant {
    /// Provider staff: every client of the provider.
    Provider,
    /// A client user: that client's rows only.
    Client(ClientId),
}

impl Tenant {
    /// The client to filter on, `None` for the provider (no filter).
    pub(crate) fn client_filter(&self) -> Option<&str> {
        match self {
            Tenant::Provider => None,
            Tenant::Client(c) => Some(c.as_str()),
        }
    }

    /// Whether this tenant may see rows of `client`.
    pub fn can_see(&self, client: &ClientId) -> bool {
        match self {
            Tenant::Provider => true,
            Tenant::Client(c) => c == client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_v7_and_parse() {
        let a = TicketId::generate();
        assert_eq!(a.as_str().as_bytes()[14], b'7');
        assert!(matches!(
            a.as_str().as_bytes()[19],
            b'8' | b'9' | b'a' | b'b'
        ));
        assert_eq!(TicketId::parse(a.as_str()), Ok(a.clone()));
        assert!(TicketId::parse("T-1").is_err());
        assert!(TicketId::parse(&a.as_str().to_uppercase()).is_err());
    }
}
