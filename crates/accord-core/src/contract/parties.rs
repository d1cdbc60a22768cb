//! The contacts named in a contract and references to them such as
//! `"client.approver"` (SPEC §1: responsibilities decide who is notified,
//! who a pause waits on, who sits on each escalation level).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use super::identity::non_empty;
use super::read::{Reader, Value};

/// Which party a contact belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The organisation running Accord.
    Provider,
    /// The client organisation.
    Client,
}

impl Side {
    /// The name used in contracts.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Provider => "provider",
            Side::Client => "client",
        }
    }
}

/// A reference to a contact by responsibility, written `"side.role"`,
/// e.g. `"provider.delivery_lead"`.
///
/// ```
/// use accord_core::contract::{ContactRef, Side};
/// let r: ContactRef = "client.approver".parse().unwrap();
/// assert_eq!((r.side(), r.role()), (Side::Client, "approver"));
/// assert_eq!(r.to_string(), "client.approver");
/// assert!("approver".parse::<ContactRef>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContactRef {
    side: Side,
    role: String,
}

impl ContactRef {
    /// The party.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The responsibility, e.g. `approver`.
    pub fn role(&self) -> &str {
        &self.role
    }
}

/// Text that is not of the form `side.role`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a contact reference: write \"provider.ROLE\" or \"client.ROLE\"")]
pub struct BadContactRef(pub String);

impl FromStr for ContactRef {
    type Err = BadContactRef;

    fn from_str(s: &str) -> Result<Self, BadContactRef> {
        let bad = || BadContactRef(s.to_string());
        let (side, role) = s.split_once('.').ok_or_else(bad)?;
        let side = match side {
            "provider" => Side::Provider,
            "client" => Side::Client,
            _ => return Err(bad()),
        };
        if role.is_empty() || role.contains('.') {
            return Err(bad());
        }
        Ok(ContactRef {
            side,
            role: role.to_string(),
        })
    }
}

impl fmt::Display for ContactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.side.as_str(), self.role)
    }
}

/// A person (or shared mailbox) named in the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contact {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// The `[contacts.provider]` and `[contacts.client]` tables: role -> contact.
/// Empty when the contract names no contacts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Contacts {
    /// Provider roles, e.g. `account_manager`.
    pub provider: BTreeMap<String, Contact>,
    /// Client roles, e.g. `approver`.
    pub client: BTreeMap<String, Contact>,
}

impl Contacts {
    /// The contact a reference names.
    pub fn get(&self, r: &ContactRef) -> Option<&Contact> {
        match r.side {
            Side::Provider => self.provider.get(&r.role),
            Side::Client => self.client.get(&r.role),
        }
    }
}

/// Reads `[contacts]`, returning the contacts and the set of declared
/// references (`side.role`, including contacts with errors, so that a
/// mistake in a contact is not reported again at every use).
pub(super) fn read_contacts(r: &mut Reader<'_>, value: &Value<'_>) -> (Contacts, BTreeSet<String>) {
    let mut contacts = Contacts::default();
    let mut declared = BTreeSet::new();
    let Some(table) = r.table(value, "`contacts`") else {
        return (contacts, declared);
    };
    r.unknown_keys(table, &["provider", "client"], "`[contacts]`");
    for (side, map) in [
        ("provider", &mut contacts.provider),
        ("client", &mut contacts.client),
    ] {
        let Some(v) = table.get(side) else { continue };
        let Some(roles) = r.table(v, &format!("`contacts.{side}`")) else {
            continue;
        };
        for (role, entry) in roles {
            let role = role.get_ref().to_string();
            declared.insert(format!("{side}.{role}"));
            if let Some(c) = read_contact(r, entry, &format!("contact `{side}.{role}`")) {
                map.insert(role, c);
            }
        }
    }
    (contacts, declared)
}

fn read_contact(r: &mut Reader<'_>, value: &Value<'_>, ctx: &str) -> Option<Contact> {
    let t = r.table(value, ctx)?;
    r.unknown_keys(t, &["name", "email"], ctx);
    let help = "write { name = \"Dana Reyes\", email = \"dana@example.com\" }";
    let name = r
        .require(t, "name", value.span(), ctx, help)
        .and_then(|v| non_empty(r, v, "a contact's `name`"));
    let email = r
        .require(t, "email", value.span(), ctx, help)
        .and_then(|v| email(r, v));
    Some(Contact {
        name: name?,
        email: email?,
    })
}

/// An e-mail address: `local@domain` with a dot in the domain.
pub(super) fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

fn email(r: &mut Reader<'_>, v: &Value<'_>) -> Option<String> {
    let s = r.string(v, "a contact's `email`")?;
    if !is_email(s) {
        r.error(
            v.span(),
            format!("`{s}` is not an e-mail address"),
            Some("write an address such as \"dana@example.com\"".into()),
        );
        return None;
    }
    Some(s.to_string())
}

/// Reads a contact reference that must name a declared contact, optionally
/// only on one side.
pub(super) fn contact_ref(
    r: &mut Reader<'_>,
    v: &Value<'_>,
    declared: &BTreeSet<String>,
    only: Option<Side>,
) -> Option<ContactRef> {
    let text = r.string(v, "a contact reference")?;
    let parsed = match text.parse::<ContactRef>() {
        Ok(c) => c,
        Err(e) => {
            r.error(
                v.span(),
                e.to_string(),
                Some("e.g. \"provider.account_manager\" or \"client.approver\"".into()),
            );
            return None;
        }
    };
    if let Some(side) = only
        && parsed.side != side
    {
        r.error(
            v.span(),
            format!("`{text}` must be a {} contact", side.as_str()),
            Some(format!("name a role under [contacts.{}]", side.as_str())),
        );
        return None;
    }
    if !declared.contains(text) {
        r.unknown_name(
            v.span(),
            "contact",
            text,
            declared.iter().map(String::as_str),
        );
        return None;
    }
    Some(parsed)
}
