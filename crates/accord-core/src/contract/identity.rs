//! Who the contract is with and when it is in force: id, title, client,
//! currency, effective dates, review cadence and version (SPEC §2).

use std::fmt;

use jiff::civil::Date;
use toml::de::DeTable;

use super::read::Reader;

/// How often the contract is reviewed (SPEC §2: "a review is due every
/// cadence period").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewCadence {
    /// Every calendar month.
    Monthly,
    /// Every calendar quarter.
    Quarterly,
    /// Every year.
    Yearly,
}

impl ReviewCadence {
    /// The name used in contracts.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewCadence::Monthly => "monthly",
            ReviewCadence::Quarterly => "quarterly",
            ReviewCadence::Yearly => "yearly",
        }
    }
}

impl fmt::Display for ReviewCadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ISO 4217 currency code: three uppercase ASCII letters, e.g. `EUR`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(String);

impl Currency {
    /// Parses a code of exactly three uppercase letters.
    ///
    /// ```
    /// use accord_core::contract::Currency;
    /// assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
    /// assert!(Currency::parse("eur").is_none());
    /// ```
    pub fn parse(code: &str) -> Option<Currency> {
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| Currency(code.to_string()))
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity and term of a contract: its top-level keys.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// Stable identifier, e.g. `acme-2026`.
    pub id: String,
    /// Human title, if given.
    pub title: Option<String>,
    /// The client organisation.
    pub client: String,
    /// Currency of every amount in the contract, if the contract has any.
    pub currency: Option<Currency>,
    /// First day the contract (this version) is in force.
    pub effective_from: Date,
    /// Last day it is in force, if it ends.
    pub effective_until: Option<Date>,
    /// Review cadence, if agreed.
    pub review_every: Option<ReviewCadence>,
    /// Version number of this text (amendments count up), 1 when absent.
    pub version: u32,
    /// Whether this version re-evaluates tickets opened under an earlier
    /// one (SPEC §2, "Versions"); false when absent.
    pub applies_to_open: bool,
}

/// The top-level keys that are not tables.
pub(super) const KEYS: [&str; 9] = [
    "id",
    "title",
    "client",
    "currency",
    "effective_from",
    "effective_until",
    "review_every",
    "version",
    "applies_to_open",
];

/// Reads the identity keys of the top-level table.
pub(super) fn read_identity(r: &mut Reader<'_>, root: &DeTable<'_>) -> Option<Identity> {
    let ctx = "the contract";
    let id = r
        .require(
            root,
            "id",
            0..0,
            ctx,
            "add id = \"client-2026\" at the top of the file",
        )
        .and_then(|v| non_empty(r, v, "`id`"));
    let client = r
        .require(
            root,
            "client",
            0..0,
            ctx,
            "add client = \"Client Ltd\" at the top of the file",
        )
        .and_then(|v| non_empty(r, v, "`client`"));
    let effective_from = r
        .require(
            root,
            "effective_from",
            0..0,
            ctx,
            "add effective_from = 2026-01-01 at the top of the file",
        )
        .and_then(|v| r.date(v, "`effective_from`"));
    let title = root.get("title").and_then(|v| non_empty(r, v, "`title`"));
    let currency = root.get("currency").and_then(|v| {
        let code = r.string(v, "`currency`")?;
        let parsed = Currency::parse(code);
        if parsed.is_none() {
            r.error(
                v.span(),
                format!("`{code}` is not a currency code"),
                Some("write the three-letter ISO 4217 code in capitals, e.g. \"EUR\"".into()),
            );
        }
        parsed
    });
    let effective_until = root.get("effective_until").and_then(|v| {
        let until = r.date(v, "`effective_until`")?;
        if let Some(from) = effective_from
            && until < from
        {
            r.error(
                v.span(),
                format!("`effective_until` ({until}) is before `effective_from` ({from})"),
                Some("the contract must end on or after the day it starts".into()),
            );
        }
        Some(until)
    });
    let review_every = root.get("review_every").and_then(|v| {
        r.one_of(v, "review cadence", &["monthly", "quarterly", "yearly"])
            .map(|c| match c {
                "monthly" => ReviewCadence::Monthly,
                "quarterly" => ReviewCadence::Quarterly,
                _ => ReviewCadence::Yearly,
            })
    });
    let version = match root.get("version") {
        Some(v) => r
            .integer(v, "`version`", 1..=i64::from(u32::MAX))
            .and_then(|n| u32::try_from(n).ok()),
        None => Some(1),
    };
    let applies_to_open = match root.get("applies_to_open") {
        Some(v) => r.boolean(v, "`applies_to_open`"),
        None => Some(false),
    };
    Some(Identity {
        id: id?,
        title,
        client: client?,
        currency,
        effective_from: effective_from?,
        effective_until,
        review_every,
        version: version?,
        applies_to_open: applies_to_open?,
    })
}

/// A string that is not blank.
pub(super) fn non_empty(
    r: &mut Reader<'_>,
    v: &super::read::Value<'_>,
    what: &str,
) -> Option<String> {
    let s = r.string(v, what)?;
    if s.trim().is_empty() {
        r.error(v.span(), format!("{what} must not be empty"), None);
        return None;
    }
    Some(s.to_string())
}
