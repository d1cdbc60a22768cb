//! Whether a contract text may follow another as its next version (SPEC §2,
//! "Versions"): same contract, a higher version number, and in force after
//! the version it replaces.

use jiff::civil::Date;

use super::Contract;

/// Why a contract text cannot amend the current version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    /// The amendment names another contract.
    #[error("the amendment is for contract `{found}`, not `{current}`")]
    OtherContract {
        /// The id of the contract being amended.
        current: String,
        /// The id the amendment names.
        found: String,
    },
    /// The amendment names another client: a contract stays with the
    /// client it was made with (case and spacing aside).
    #[error(
        "the amendment is for client `{found}`, not `{current}`: an amendment keeps the client"
    )]
    OtherClient {
        /// The client of the current version.
        current: String,
        /// The client the amendment names.
        found: String,
    },
    /// The amendment's `version` does not count up.
    #[error(
        "version {found} is not after the current version {current}: amend with a higher `version`"
    )]
    VersionNotAfter {
        /// The current version.
        current: u32,
        /// The amendment's version.
        found: u32,
    },
    /// The amendment would not take effect after the current version.
    #[error("effective_from {found} is not after {current}, when the current version took effect")]
    NotLater {
        /// The current version's `effective_from`.
        current: Date,
        /// The amendment's `effective_from`.
        found: Date,
    },
}

impl AmendmentError {
    /// The contract key at fault.
    pub fn key(&self) -> &'static str {
        match self {
            AmendmentError::OtherContract { .. } => "id",
            AmendmentError::OtherClient { .. } => "client",
            AmendmentError::VersionNotAfter { .. } => "version",
            AmendmentError::NotLater { .. } => "effective_from",
        }
    }
}

/// Checks that `amendment` may become the version after `current`.
///
/// ```
/// use accord_core::contract::{Contract, check_amendment, AmendmentError};
/// use accord_core::diagnostic::SourceFile;
/// let parse = |text: &str| Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let base = "client = \"Acme\"\n[calendars.c]\ntimezone = \"UTC\"\nevery_day = [\"00:00-24:00\"]\n\
///             [priorities.p]\ncalendar = \"c\"\nfirst_response = \"1h\"\n";
/// let v1 = parse(&format!("id = \"a\"\nversion = 1\neffective_from = 2026-01-01\n{base}"));
/// let v2 = parse(&format!("id = \"a\"\nversion = 2\neffective_from = 2026-07-01\n{base}"));
/// let early = parse(&format!("id = \"a\"\nversion = 2\neffective_from = 2026-01-01\n{base}"));
/// assert_eq!(check_amendment(&v1, &v2), Ok(()));
/// assert_eq!(check_amendment(&v1, &early).unwrap_err().key(), "effective_from");
/// let other = parse(&format!("id = \"a\"\nversion = 2\neffective_from = 2026-07-01\n{}",
///                            base.replace("Acme", "Globex")));
/// assert_eq!(check_amendment(&v1, &other).unwrap_err().key(), "client");
/// assert!(matches!(check_amendment(&v2, &v1), Err(AmendmentError::VersionNotAfter { .. })));
/// ```
pub fn check_amendment(current: &Contract, amendment: &Contract) -> Result<(), AmendmentError> {
    if amendment.id() != current.id() {
        return Err(AmendmentError::OtherContract {
            current: current.id().to_string(),
            found: amendment.id().to_string(),
        });
    }
    let folded = |name: &str| {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    if folded(amendment.client()) != folded(current.client()) {
        return Err(AmendmentError::OtherClient {
            current: current.client().to_string(),
            found: amendment.client().to_string(),
        });
    }
    if amendment.version() <= current.version() {
        return Err(AmendmentError::VersionNotAfter {
            current: current.version(),
            found: amendment.version(),
        });
    }
    if amendment.effective_from() <= current.effective_from() {
        return Err(AmendmentError::NotLater {
            current: current.effective_from(),
            found: amendment.effective_from(),
        });
    }
    Ok(())
}
