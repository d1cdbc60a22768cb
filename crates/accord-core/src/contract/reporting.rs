//! The contract's reporting zone (SPEC §7): the optional top-level
//! `report_timezone`, and [`Contract::reporting_zone`], the zone in which
//! statement periods (months, quarters) and work dates are read.

use jiff::tz::TimeZone;
use toml::de::{DeTable, DeValue};

use super::Contract;
use super::calendars::zone;
use super::read::Reader;

/// The top-level key.
pub(super) const KEY: &str = "report_timezone";

/// Reads `report_timezone`: an IANA zone name, or a diagnostic at the value.
pub(super) fn read_report_timezone(r: &mut Reader<'_>, root: &DeTable<'_>) -> Option<TimeZone> {
    let v = root.get(KEY)?;
    let name = r.string(v, "`report_timezone`")?;
    zone(r, name, v)
}

/// The calendar names in the order the file declares them. The parsed
/// table is a sorted map, so the order is read from the keys' positions.
pub(super) fn declaration_order(root: &DeTable<'_>) -> Vec<String> {
    let Some(DeValue::Table(t)) = root.get("calendars").map(|v| v.get_ref()) else {
        return Vec::new();
    };
    let mut keys: Vec<_> = t.keys().collect();
    keys.sort_by_key(|k| k.span().start);
    keys.into_iter().map(|k| k.get_ref().to_string()).collect()
}

impl Contract {
    /// The zone statements are read in (SPEC §7): `report_timezone` if the
    /// contract sets it, else the zone of the calendar most priorities are
    /// measured on; on a tie, the calendar declared first in `[calendars]`.
    ///
    /// ```
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let text = r#"id = "c"
    /// client = "C"
    /// effective_from = 2026-01-01
    /// [calendars.tokyo]
    /// timezone = "Asia/Tokyo"
    /// mon = ["09:00-17:00"]
    /// [calendars.berlin]
    /// timezone = "Europe/Berlin"
    /// mon = ["09:00-17:00"]
    /// [priorities.high]
    /// calendar = "berlin"
    /// first_response = "1h"
    /// [priorities.low]
    /// calendar = "tokyo"
    /// first_response = "8h"
    /// "#;
    /// let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
    /// // One priority each: the calendar declared first wins the tie.
    /// assert_eq!(contract.reporting_zone().iana_name(), Some("Asia/Tokyo"));
    /// ```
    pub fn reporting_zone(&self) -> TimeZone {
        if let Some(zone) = &self.report_timezone {
            return zone.clone();
        }
        let uses = |name: &str| {
            self.priorities
                .values()
                .filter(|p| p.calendar == name)
                .count()
        };
        let mut best: Option<(&str, usize)> = None;
        for name in &self.calendar_order {
            let n = uses(name);
            if best.is_none_or(|(_, most)| n > most) {
                best = Some((name, n));
            }
        }
        best.and_then(|(name, _)| self.calendars.get(name))
            .map_or(TimeZone::UTC, |c| c.rules().zone.clone())
    }

    /// `report_timezone` as written, if set.
    pub fn report_timezone(&self) -> Option<&TimeZone> {
        self.report_timezone.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use crate::contract::Contract;
    use crate::diagnostic::{Diagnostics, SourceFile};

    fn parse(text: &str) -> Result<Contract, Diagnostics> {
        Contract::parse(&SourceFile::new("c.toml", text), &mut |_| {
            Err(std::io::Error::other("no files"))
        })
    }

    /// A contract with calendars `b_utc` (UTC) then `a_ny` (New York), in
    /// that order, and `extra` at the top.
    fn contract(extra: &str, priorities: &[(&str, &str)]) -> Result<Contract, Diagnostics> {
        let mut text = format!(
            "id = \"c\"\nclient = \"C\"\neffective_from = 2026-01-01\n{extra}\n\
             [calendars.b_utc]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n\
             [calendars.a_ny]\ntimezone = \"America/New_York\"\nmon = [\"09:00-17:00\"]\n"
        );
        for (name, calendar) in priorities {
            text.push_str(&format!(
                "[priorities.{name}]\ncalendar = \"{calendar}\"\nfirst_response = \"1h\"\n"
            ));
        }
        parse(&text)
    }

    #[test]
    fn report_timezone_wins_over_the_calendars() {
        let c = contract("report_timezone = \"Asia/Tokyo\"", &[("p", "a_ny")]).unwrap();
        assert_eq!(c.reporting_zone().iana_name(), Some("Asia/Tokyo"));
    }

    #[test]
    fn the_calendar_most_priorities_use_gives_the_zone() {
        let c = contract("", &[("x", "a_ny"), ("y", "a_ny"), ("z", "b_utc")]).unwrap();
        assert_eq!(c.reporting_zone().iana_name(), Some("America/New_York"));
    }

    #[test]
    fn a_tie_goes_to_the_calendar_declared_first_not_the_first_by_name() {
        let c = contract("", &[("x", "a_ny"), ("y", "b_utc")]).unwrap();
        assert_eq!(c.reporting_zone().iana_name(), Some("UTC"));
    }

    #[test]
    fn an_unknown_report_timezone_is_an_error_at_its_value() {
        let err = contract("report_timezone = \"Europe/Berln\"", &[("p", "a_ny")]).unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (4, 19));
        assert!(
            d.message.contains("unknown time zone `Europe/Berln`"),
            "{}",
            d.message
        );
        assert!(d.help.as_deref().unwrap_or("").contains("Europe/Berlin"));
    }

    #[test]
    fn a_report_timezone_that_is_not_a_string_is_an_error() {
        let err = contract("report_timezone = 3", &[("p", "a_ny")]).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (4, 19));
    }

    #[test]
    fn the_canonical_example_reports_in_berlin() {
        let c = parse(include_str!("../../../../examples/acme.contract.toml")).unwrap();
        assert_eq!(c.reporting_zone().iana_name(), Some("Europe/Berlin"));
        assert!(c.report_timezone().is_none());
    }
}
