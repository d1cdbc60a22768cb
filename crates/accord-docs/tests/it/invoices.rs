//! Invoices computed by the billing fold from generated time entries, for
//! the example contracts (SPEC §8): the input of the e-invoice and
//! document tests.

use accord_core::billing::{self, Allowance, Invoice, InvoicePeriod, InvoiceRequest};
use accord_core::contract::Contract;
use accord_core::diagnostic::SourceFile;
use accord_core::time::{TimeEntry, parse_json_lines};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

/// An example contract.
pub fn contract(name: &str) -> Contract {
    contract_text(name, &|t| t.to_string())
}

/// An example contract changed by `edit`.
pub fn contract_text(name: &str, edit: &dyn Fn(&str) -> String) -> Contract {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let file = format!("{name}.contract.toml");
    let text = edit(&std::fs::read_to_string(dir.join(&file)).unwrap());
    let src = SourceFile::new(std::path::Path::new(&file), text);
    Contract::parse(&src, &mut |p| std::fs::read_to_string(dir.join(p)))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A month of work: on each weekday of `month`, a morning of development, a
/// short call (10 minutes: not a whole number of hundredths of an hour), an
/// afternoon of `activity`, every Friday an hour at no charge and one not
/// billable at all, and on the 10th an entry at its own rate.
pub fn month_of_work(month: Date, activity: &str, offset: &str) -> Vec<TimeEntry> {
    let mut lines = Vec::new();
    let mut day = month.first_of_month();
    let mut n = 0;
    let mut entry = |lines: &mut Vec<String>, d: Date, hm: &str, minutes: u32, extra: &str| {
        n += 1;
        lines.push(format!(
            r#"{{"id": "E-{n}", "person": "{}", "start": "{d}T{hm}:00{offset}", "minutes": {minutes}, {extra}}}"#,
            if n % 3 == 0 { "sam@provider.example" } else { "kim@provider.example" }
        ));
    };
    while day <= month.last_of_month() {
        if day.weekday().to_monday_one_offset() <= 5 {
            entry(
                &mut lines,
                day,
                "09:00",
                200,
                r#""activity": "development", "ticket": "T-12""#,
            );
            entry(
                &mut lines,
                day,
                "12:50",
                10,
                r#""activity": "meeting", "note": "stand-up <daily> & sync""#,
            );
            entry(
                &mut lines,
                day,
                "14:00",
                95,
                &format!(r#""activity": "{activity}", "milestone": "m-1""#),
            );
            if day.weekday().to_monday_one_offset() == 5 {
                entry(
                    &mut lines,
                    day,
                    "16:00",
                    60,
                    r#""activity": "support", "billable": "no_charge""#,
                );
                entry(
                    &mut lines,
                    day,
                    "17:00",
                    60,
                    r#""activity": "admin", "billable": "non_billable""#,
                );
            }
            if day.day() == 10 {
                entry(
                    &mut lines,
                    day,
                    "18:00",
                    45,
                    r#""activity": "development", "rate": "99.50""#,
                );
            }
        }
        day = day.tomorrow().unwrap();
    }
    parse_json_lines(&lines.join("\n")).unwrap_or_else(|e| panic!("{e}"))
}

/// The invoice of `month` for `entries`, numbered, with `credits` offered.
pub fn invoice(
    contract: &Contract,
    entries: &[TimeEntry],
    zone: &str,
    month: Date,
    credits: &str,
) -> Invoice {
    let mut request = InvoiceRequest::new(InvoicePeriod::month_of(month));
    request.number = Some(format!("INV-{}", request.period.label()));
    let credits: Decimal = credits.parse().unwrap();
    if !credits.is_zero() {
        request.allowances.push(Allowance::new(
            format!(
                "Service credit, period {}",
                month
                    .saturating_sub(jiff::Span::new().months(1))
                    .strftime("%Y-%m")
            ),
            credits,
        ));
    }
    billing::invoice(contract, entries, &TimeZone::get(zone).unwrap(), &request)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// acme in March 2026: 40 prepaid hours run out mid-month, then overage at
/// 130.00, and a service credit of 125.00.
pub fn acme_march() -> (Contract, Invoice) {
    let acme = contract("acme");
    let entries = month_of_work(date(2026, 3, 1), "analysis", "+01:00");
    let inv = invoice(&acme, &entries, "Europe/Berlin", date(2026, 3, 1), "125.00");
    (acme, inv)
}

/// Every example contract's invoice of one month, named.
pub fn every_example() -> Vec<(String, Contract, Invoice)> {
    let mut all = Vec::new();
    let (acme, march) = acme_march();
    all.push(("acme-2026-03".to_string(), acme, march));
    // January: the block's first month, so its price is a line.
    let acme = contract("acme");
    let jan = month_of_work(date(2026, 1, 1), "analysis", "+01:00");
    let inv = invoice(&acme, &jan, "Europe/Berlin", date(2026, 1, 1), "0");
    all.push(("acme-2026-01".to_string(), acme, inv));
    let hosting = contract("hosting-24x7");
    let entries = month_of_work(date(2026, 7, 1), "emergency_change", "-04:00");
    let inv = invoice(
        &hosting,
        &entries,
        "America/New_York",
        date(2026, 7, 1),
        "250.00",
    );
    all.push(("hosting-2026-07".to_string(), hosting, inv));
    let agency = contract("agency-fixed-price");
    let entries = month_of_work(date(2026, 5, 1), "design", "+01:00");
    let inv = invoice(&agency, &entries, "Europe/London", date(2026, 5, 1), "0");
    all.push(("agency-2026-05".to_string(), agency, inv));
    all
}
