//! The contract file: TOML, one per client agreement (SPEC §2, §10).
//!
//! Parsing returns a valid [`Contract`] or every problem found, each with
//! file, line and column; a contract is never partly accepted. This module
//! reads the calendars; the rest of the contract model grows here.

mod calendars;
mod read;

use std::collections::BTreeMap;
use std::path::Path;

use toml::de::DeTable;

use crate::calendar::Calendar;
use crate::diagnostic::{Diagnostics, SourceFile};

/// Reads a file the contract refers to (holiday files), given its path
/// resolved against the contract's directory. Passed in so that the core
/// stays free of I/O.
pub type SourceLoader<'a> = dyn FnMut(&Path) -> std::io::Result<String> + 'a;

/// A parsed, valid contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    calendars: BTreeMap<String, Calendar>,
}

impl Contract {
    /// Parses the contract in `src`, loading referenced files through `load`.
    ///
    /// ```
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let src = SourceFile::new("c.toml", "[calendars.support]\ntimezone = \"Europe/Berln\"\nmon = [\"09:00-17:00\"]\n");
    /// let err = Contract::parse(&src, &mut |_| unreachable!()).unwrap_err();
    /// assert_eq!((err.0[0].line, err.0[0].column), (2, 12));
    /// assert!(err.0[0].message.contains("unknown time zone `Europe/Berln`"));
    /// ```
    pub fn parse(src: &SourceFile, load: &mut SourceLoader<'_>) -> Result<Contract, Diagnostics> {
        let doc = match DeTable::parse(src.text()) {
            Ok(doc) => doc,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                return Err(Diagnostics(vec![src.diagnostic(
                    span,
                    format!("not valid TOML: {}", e.message().trim_end()),
                    None,
                )]));
            }
        };
        let mut r = read::Reader::new(src);
        let calendars = match doc.get_ref().get("calendars") {
            Some(v) => match r.table(v, "`calendars`") {
                Some(t) => calendars::read_calendars(&mut r, t, load),
                None => BTreeMap::new(),
            },
            None => {
                r.error(
                    0..0,
                    "the contract has no calendar",
                    Some(
                        "add a [calendars.support] table with a timezone and opening hours".into(),
                    ),
                );
                BTreeMap::new()
            }
        };
        if r.diagnostics.is_empty() {
            Ok(Contract { calendars })
        } else {
            let mut all = r.diagnostics;
            all.sort_by_key(|d| (d.file.clone(), d.line, d.column));
            Err(Diagnostics(all))
        }
    }

    /// The calendar named `name`.
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.calendars.get(name)
    }

    /// All calendars, by name.
    pub fn calendars(&self) -> &BTreeMap<String, Calendar> {
        &self.calendars
    }
}

#[cfg(test)]
mod tests;
