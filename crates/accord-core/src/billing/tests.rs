//! Tests of the billing fold (SPEC §8): rounding, rates, prepaid blocks,
//! lines and totals, and the laws of the fold.

use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::contract::{Rounding, RoundingMode};
use crate::diagnostic::SourceFile;
use crate::duration::BusinessDuration;
use crate::time::parse_json_lines;

/// A contract in Berlin with `billing` as its `[billing]` tables.
fn contract(billing: &str) -> Contract {
    let text = format!(
        r#"id = "t"
client = "Client"
currency = "EUR"
effective_from = 2026-01-01
[calendars.support]
timezone = "Europe/Berlin"
mon = ["09:00-17:00"]
[priorities.normal]
calendar = "support"
first_response = "4h"
[billing]
rate = "100.00"
invoice_every = "month"
payment_terms_days = 14
tax_rate = 0.19
{billing}
"#
    );
    match Contract::parse(&SourceFile::new("t.toml", &text), &mut |_| unreachable!()) {
        Ok(c) => c,
        Err(e) => panic!("{e:?}"),
    }
}

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap()
}

/// One JSON line per entry: `(id, start, minutes, extra members)`.
fn entries(list: &[(&str, &str, i64, &str)]) -> Vec<TimeEntry> {
    let text: Vec<String> = list
        .iter()
        .map(|(id, start, minutes, extra)| {
            format!(
                r#"{{"id":"{id}","person":"ann@p.example","start":"{start}","minutes":{minutes},"activity":"dev"{extra}}}"#
            )
        })
        .collect();
    parse_json_lines(&text.join("\n")).unwrap()
}

fn march() -> InvoiceRequest {
    InvoiceRequest::new(InvoicePeriod::month_of(date(2026, 3, 1)))
}

fn invoice_of(c: &Contract, e: &[TimeEntry], request: &InvoiceRequest) -> Invoice {
    invoice(c, e, &berlin(), request).unwrap()
}

fn rounding(mode: RoundingMode, increment_m: i64, minimum_m: i64) -> Rounding {
    Rounding {
        increment: BusinessDuration::from_mins(increment_m).unwrap(),
        mode,
        minimum: BusinessDuration::from_mins(minimum_m).unwrap(),
    }
}

fn line(inv: &Invoice, kind: LineKind) -> Vec<&InvoiceLine> {
    inv.lines.iter().filter(|l| l.kind == kind).collect()
}

#[test]
fn nearest_rounds_halves_up_and_the_rest_to_the_closer_multiple() {
    let r = rounding(RoundingMode::Nearest, 15, 0);
    assert_eq!(billed_seconds(7 * 60 + 30, Some(&r)), 15 * 60);
    assert_eq!(billed_seconds(7 * 60 + 29, Some(&r)), 0);
    assert_eq!(billed_seconds(22 * 60 + 30, Some(&r)), 30 * 60);
    assert_eq!(billed_seconds(22 * 60 + 29, Some(&r)), 15 * 60);
    assert_eq!(billed_seconds(30 * 60, Some(&r)), 30 * 60);
}

#[test]
fn up_and_down_go_to_the_next_and_previous_multiple() {
    let up = rounding(RoundingMode::Up, 15, 0);
    let down = rounding(RoundingMode::Down, 15, 0);
    assert_eq!(billed_seconds(15 * 60 + 1, Some(&up)), 30 * 60);
    assert_eq!(billed_seconds(15 * 60, Some(&up)), 15 * 60);
    assert_eq!(billed_seconds(29 * 60 + 59, Some(&down)), 15 * 60);
}

#[test]
fn the_minimum_applies_after_rounding_but_not_to_zero_time() {
    let r = rounding(RoundingMode::Down, 15, 30);
    assert_eq!(billed_seconds(5 * 60, Some(&r)), 30 * 60);
    assert_eq!(billed_seconds(44 * 60, Some(&r)), 30 * 60);
    assert_eq!(billed_seconds(46 * 60, Some(&r)), 45 * 60);
    assert_eq!(billed_seconds(0, Some(&r)), 0);
}

#[test]
fn rounding_keeps_the_raw_time_beside_the_billed_time() {
    let c = contract("[billing.rounding]\nincrement = \"15m\"\nmode = \"up\"\nminimum = \"30m\"");
    let e = entries(&[
        ("E-1", "2026-03-02T09:00:00+01:00", 10, ""),
        ("E-2", "2026-03-02T11:00:00+01:00", 31, ""),
    ]);
    let inv = invoice_of(&c, &e, &march());
    let parts = &line(&inv, LineKind::Billable)[0].entries;
    assert_eq!((parts[0].raw_s, parts[0].billed_s), (600, 1800));
    assert_eq!((parts[1].raw_s, parts[1].billed_s), (1860, 2700));
    assert_eq!(inv.lines[0].billed_s, 4500);
    assert_eq!(inv.lines[0].amount.to_string(), "125.00");
}

#[test]
fn rates_take_entry_then_person_then_activity_then_contract() {
    let c = contract(
        "[billing.activity_rates]\ndev = \"140.00\"\n[billing.person_rates]\n\"sam@p.example\" = \"150.00\"",
    );
    let text = [
        r#"{"id":"a","person":"sam@p.example","start":"2026-03-02T09:00:00Z","minutes":60,"activity":"dev","rate":"90.00"}"#,
        r#"{"id":"b","person":"sam@p.example","start":"2026-03-02T10:00:00Z","minutes":60,"activity":"dev"}"#,
        r#"{"id":"c","person":"ann@p.example","start":"2026-03-02T11:00:00Z","minutes":60,"activity":"dev"}"#,
        r#"{"id":"d","person":"ann@p.example","start":"2026-03-02T12:00:00Z","minutes":60,"activity":"meeting"}"#,
    ]
    .join("\n");
    let inv = invoice_of(&c, &parse_json_lines(&text).unwrap(), &march());
    let rule_of = |id: &str| {
        inv.lines
            .iter()
            .flat_map(|l| &l.entries)
            .find(|e| e.id == id)
            .map(|e| (e.rate.to_string(), e.rule))
            .unwrap()
    };
    assert_eq!(rule_of("a"), ("90.00".into(), RateRule::Entry));
    assert_eq!(rule_of("b"), ("150.00".into(), RateRule::Person));
    assert_eq!(rule_of("c"), ("140.00".into(), RateRule::Activity));
    assert_eq!(rule_of("d"), ("100.00".into(), RateRule::Contract));
    assert_eq!(inv.lines.len(), 4, "one line per activity and rate");
    assert_eq!(inv.net.to_string(), "480.00");
    assert_eq!(inv.tax.to_string(), "91.20");
    assert_eq!(inv.gross.to_string(), "571.20");
    assert_eq!(inv.due_date, Some(date(2026, 4, 15)));
}

#[test]
fn an_entry_crossing_local_midnight_belongs_to_the_day_it_started() {
    let c = contract("");
    // 23:30 on 31 March in Berlin is 21:30 UTC; it runs into 1 April.
    let e = entries(&[("E-1", "2026-03-31T23:30:00+02:00", 90, "")]);
    let ledger = Ledger::new(&c, &e, &berlin()).unwrap();
    assert_eq!(
        ledger.months(),
        vec![InvoicePeriod::month_of(date(2026, 3, 1))]
    );
    let inv = ledger.invoice(&march()).unwrap();
    assert_eq!(inv.lines[0].entries[0].date, date(2026, 3, 31));
    assert_eq!(inv.lines[0].billed_s, 5400);
    let april = ledger
        .invoice(&InvoiceRequest::new(InvoicePeriod::month_of(date(
            2026, 4, 1,
        ))))
        .unwrap();
    assert!(april.lines.is_empty());
    // Read in UTC, the same start (22:30 the day before in UTC terms is still 31 March) —
    // but one at 00:30 local on 1 April is 22:30 UTC on 31 March: the zone decides.
    let e = entries(&[("E-2", "2026-04-01T00:30:00+02:00", 30, "")]);
    let utc = Ledger::new(&c, &e, &TimeZone::UTC).unwrap();
    assert_eq!(utc.months()[0].label(), "2026-03");
    let local = Ledger::new(&c, &e, &berlin()).unwrap();
    assert_eq!(local.months()[0].label(), "2026-04");
}

#[test]
fn an_entry_over_the_spring_forward_night_bills_the_real_time() {
    let c = contract("");
    // Berlin skips 02:00-03:00 on 29 March 2026: 01:30 to 03:30 local is one hour.
    let text = r#"{"id":"E-1","person":"ann@p.example","start":"2026-03-29T01:30:00+01:00","end":"2026-03-29T03:30:00+02:00","activity":"dev"}"#;
    let inv = invoice_of(&c, &parse_json_lines(text).unwrap(), &march());
    let part = &inv.lines[0].entries[0];
    assert_eq!(
        (part.date, part.raw_s, part.billed_s),
        (date(2026, 3, 29), 3600, 3600)
    );
    assert_eq!(inv.net.to_string(), "100.00");
}

const TWO_BLOCKS: &str = r#"
[[billing.prepaid]]
id = "spring"
hours = 1
price = "90.00"
valid_until = 2026-06-30
overage_rate = "130.00"

[[billing.prepaid]]
id = "year"
hours = 1
price = "80.00"
valid_until = 2026-12-31
overage_rate = "150.00"
"#;

#[test]
fn an_entry_exhausting_two_blocks_is_split_and_goes_on_as_overage() {
    let c = contract(TWO_BLOCKS);
    let e = entries(&[("E-1", "2026-03-02T09:00:00+01:00", 200, "")]);
    let inv = invoice_of(&c, &e, &march());
    let prepaid = line(&inv, LineKind::Prepaid);
    assert_eq!(prepaid.len(), 2);
    assert_eq!(
        (
            prepaid[0].block.as_deref(),
            prepaid[0].billed_s,
            prepaid[0].amount.to_string()
        ),
        (Some("spring"), 3600, "0.00".to_string())
    );
    assert_eq!(
        (prepaid[1].block.as_deref(), prepaid[1].billed_s),
        (Some("year"), 3600)
    );
    // The most recently exhausted valid block is `year`: its overage rate.
    let overage = line(&inv, LineKind::Overage);
    assert_eq!(
        (overage[0].billed_s, overage[0].rate.to_string()),
        (4800, "150.00".into())
    );
    assert_eq!(overage[0].amount.to_string(), "200.00");
    assert_eq!(overage[0].entries[0].part, (3, 3));
    assert_eq!(overage[0].entries[0].entry_billed_s, 12000);
    // Both prices are due in January (their first valid day), not in March.
    assert!(line(&inv, LineKind::BlockPrice).is_empty());
    assert_eq!(inv.net.to_string(), "200.00");
    let balances: Vec<_> = inv
        .prepaid
        .iter()
        .map(|b| (b.block.as_str(), b.used_s, b.balance_s))
        .collect();
    assert_eq!(balances, vec![("spring", 3600, 0), ("year", 3600, 0)]);
}

#[test]
fn blocks_are_drawn_earliest_expiry_first_then_first_declared() {
    let later_first = r#"
[[billing.prepaid]]
hours = 1
price = "10.00"
valid_until = 2026-12-31
[[billing.prepaid]]
hours = 1
price = "10.00"
valid_until = 2026-06-30
[[billing.prepaid]]
hours = 1
price = "10.00"
valid_until = 2026-06-30
"#;
    let c = contract(later_first);
    let e = entries(&[("E-1", "2026-03-02T09:00:00+01:00", 30, "")]);
    let inv = invoice_of(&c, &e, &march());
    assert_eq!(line(&inv, LineKind::Prepaid)[0].block.as_deref(), Some("2"));
}

#[test]
fn hours_drawn_in_an_earlier_period_stay_drawn() {
    let c = contract(TWO_BLOCKS);
    let e = entries(&[
        ("M-1", "2026-03-02T09:00:00+01:00", 30, ""),
        ("F-1", "2026-02-10T09:00:00+01:00", 45, ""),
    ]);
    let inv = invoice_of(&c, &e, &march());
    let spring = &inv.prepaid[0];
    assert_eq!(
        (spring.used_before_s, spring.used_s, spring.balance_s),
        (2700, 900, 0)
    );
    let year = &inv.prepaid[1];
    assert_eq!(
        (year.used_before_s, year.used_s, year.balance_s),
        (0, 900, 2700)
    );
    assert!(inv.lines.iter().all(|l| l.kind == LineKind::Prepaid));
    assert_eq!(
        inv.lines.iter().flat_map(|l| &l.entries).count(),
        2,
        "M-1 split over two blocks"
    );
}

#[test]
fn a_block_price_is_invoiced_in_the_period_of_its_first_valid_day() {
    let c = contract(
        "[[billing.prepaid]]\nid = \"q2\"\nhours = 10\nprice = \"900.00\"\nvalid_from = 2026-04-01\nvalid_until = 2026-06-30",
    );
    let e = entries(&[("A-1", "2026-04-02T09:00:00+02:00", 60, "")]);
    let april = InvoiceRequest::new(InvoicePeriod::month_of(date(2026, 4, 1)));
    let inv = invoice_of(&c, &e, &april);
    assert_eq!(inv.lines[0].kind, LineKind::BlockPrice);
    assert_eq!(inv.lines[0].amount.to_string(), "900.00");
    assert_eq!(inv.net.to_string(), "900.00");
    // Before the block is valid, time is charged at its rate and is not overage.
    let e = entries(&[("M-1", "2026-03-31T09:00:00+02:00", 60, "")]);
    let inv = invoice_of(&c, &e, &march());
    assert_eq!(inv.lines.len(), 1);
    assert_eq!(
        (inv.lines[0].kind, inv.lines[0].amount.to_string()),
        (LineKind::Billable, "100.00".into())
    );
    assert!(inv.prepaid.is_empty());
}

#[test]
fn unused_hours_lapse_after_valid_until_and_later_time_is_not_overage() {
    let c = contract(
        "[[billing.prepaid]]\nhours = 10\nprice = \"900.00\"\nvalid_until = 2026-03-15\noverage_rate = \"200.00\"",
    );
    let e = entries(&[
        ("E-1", "2026-03-02T09:00:00+01:00", 120, ""),
        ("E-2", "2026-03-20T09:00:00+01:00", 60, ""),
    ]);
    let inv = invoice_of(&c, &e, &march());
    let block = &inv.prepaid[0];
    assert_eq!(
        (block.used_s, block.balance_s, block.lapsed_s),
        (7200, 0, 8 * 3600)
    );
    let billable = line(&inv, LineKind::Billable);
    assert_eq!(
        (billable[0].rate.to_string(), billable[0].amount.to_string()),
        ("100.00".into(), "100.00".into())
    );
    assert!(line(&inv, LineKind::Overage).is_empty());
    let april = invoice_of(
        &c,
        &e,
        &InvoiceRequest::new(InvoicePeriod::month_of(date(2026, 4, 1))),
    );
    assert!(
        april.prepaid.is_empty(),
        "a lapsed block is not listed after its period"
    );
    let feb = invoice_of(
        &c,
        &e,
        &InvoiceRequest::new(InvoicePeriod::month_of(date(2026, 2, 1))),
    );
    assert_eq!(
        (feb.prepaid[0].balance_s, feb.prepaid[0].lapsed_s),
        (36_000, 0)
    );
}

#[test]
fn overage_without_an_overage_rate_is_charged_at_the_entry_rate() {
    let c = contract("[[billing.prepaid]]\nhours = 1\nprice = \"90.00\"\nvalid_until = 2026-06-30");
    let e = entries(&[("E-1", "2026-03-02T09:00:00+01:00", 90, r#","rate":"80.00""#)]);
    let inv = invoice_of(&c, &e, &march());
    let overage = line(&inv, LineKind::Overage);
    assert_eq!(
        (overage[0].billed_s, overage[0].rate.to_string()),
        (1800, "80.00".into())
    );
    assert_eq!(overage[0].amount.to_string(), "40.00");
    assert_eq!(overage[0].entries[0].rule, RateRule::Entry);
}

#[test]
fn no_charge_time_is_shown_at_zero_and_never_draws_from_a_block() {
    let c = contract("[[billing.prepaid]]\nhours = 1\nprice = \"90.00\"\nvalid_until = 2026-06-30");
    let e = entries(&[
        (
            "E-1",
            "2026-03-02T09:00:00+01:00",
            45,
            r#","billable":"no_charge""#,
        ),
        (
            "E-2",
            "2026-03-02T10:00:00+01:00",
            0,
            r#","billable":"no_charge""#,
        ),
    ]);
    let inv = invoice_of(&c, &e, &march());
    let free = line(&inv, LineKind::NoCharge);
    assert_eq!(free.len(), 1);
    assert_eq!(
        (free[0].billed_s, free[0].amount.to_string()),
        (2700, "0.00".into())
    );
    assert_eq!(free[0].entries.len(), 2);
    assert_eq!(inv.prepaid[0].used_s, 0);
    assert_eq!(inv.net.to_string(), "0.00");
}

#[test]
fn non_billable_time_is_absent_from_the_invoice() {
    let c = contract("");
    let e = entries(&[
        (
            "E-1",
            "2026-03-02T09:00:00+01:00",
            45,
            r#","billable":"non_billable""#,
        ),
        ("E-2", "2026-03-02T10:00:00+01:00", 60, ""),
    ]);
    let inv = invoice_of(&c, &e, &march());
    assert!(
        inv.lines
            .iter()
            .flat_map(|l| &l.entries)
            .all(|p| p.id != "E-1")
    );
    assert_eq!(inv.net.to_string(), "100.00");
}

#[test]
fn allowances_come_off_the_net_before_tax() {
    let c = contract("");
    let e = entries(&[("E-1", "2026-03-02T09:00:00+01:00", 61, "")]);
    let mut request = march();
    request.allowances.push(Allowance::new(
        "service credit, period 2026-02",
        Decimal::new(1250, 2),
    ));
    let inv = invoice_of(&c, &e, &request);
    assert_eq!(inv.lines_total.to_string(), "101.67");
    assert_eq!(inv.net.to_string(), "89.17");
    assert_eq!(inv.tax.to_string(), "16.94");
    assert_eq!(inv.gross.to_string(), "106.11");
}

#[test]
fn amounts_round_to_the_currency_minor_unit() {
    let text = |cur: &str| {
        format!(
            "id = \"t\"\nclient = \"C\"\ncurrency = \"{cur}\"\neffective_from = 2026-01-01\n[calendars.s]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n[priorities.normal]\ncalendar = \"s\"\nfirst_response = \"4h\"\n[billing]\nrate = \"1000\"\ninvoice_every = \"month\"\n"
        )
    };
    let e = entries(&[("E-1", "2026-03-02T09:00:00Z", 1, "")]);
    for (cur, amount) in [("JPY", "17"), ("EUR", "16.67")] {
        let c = Contract::parse(
            &SourceFile::new("t.toml", text(cur)),
            &mut |_| unreachable!(),
        )
        .unwrap();
        let inv = invoice(&c, &e, &TimeZone::UTC, &march()).unwrap();
        assert_eq!(inv.lines[0].amount.to_string(), amount, "{cur}");
    }
}

#[test]
fn duplicate_ids_across_files_are_refused() {
    let c = contract("");
    let mut e = entries(&[("E-1", "2026-03-02T09:00:00+01:00", 60, "")]);
    e.push(e[0].clone());
    assert_eq!(
        invoice(&c, &e, &berlin(), &march()).unwrap_err(),
        BillingError::DuplicateId { id: "E-1".into() }
    );
}

/// Random entries in February to April 2026 for [`TWO_BLOCKS`] with rounding.
fn arb_entries() -> impl Strategy<Value = Vec<TimeEntry>> {
    let one = (
        0i64..(89 * 24 * 60),
        0i64..300,
        0usize..3,
        0usize..4,
        proptest::option::of(0u32..30_000),
    );
    proptest::collection::vec(one, 0..40).prop_map(|list| {
        let lines: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(i, (offset, minutes, activity, billable, rate))| {
                let start = jiff::Timestamp::from_second(1_769_904_000 + offset * 60).unwrap();
                let activity = ["dev", "meeting", "review"][*activity];
                let billable = ["billable", "billable", "no_charge", "non_billable"][*billable];
                let rate = rate.map(|r| format!(r#","rate":"{}""#, Decimal::new(i64::from(r), 2))).unwrap_or_default();
                format!(
                    r#"{{"id":"E-{i}","person":"p{}@p.example","start":"{start}","minutes":{minutes},"activity":"{activity}","billable":"{billable}"{rate}}}"#,
                    i % 3
                )
            })
            .collect();
        parse_json_lines(&lines.join("\n")).unwrap()
    })
}

fn law_contract(mode: &str) -> Contract {
    contract(&format!(
        "[billing.rounding]\nincrement = \"15m\"\nmode = \"{mode}\"\nminimum = \"30m\"\n[billing.person_rates]\n\"p1@p.example\" = \"155.55\"\n{TWO_BLOCKS}"
    ))
}

proptest! {
    #[test]
    fn billed_time_is_never_less_than_raw_time_under_up(raw in 0i64..1_000_000, inc in 1i64..120, min in 0i64..120) {
        let r = rounding(RoundingMode::Up, inc, min);
        prop_assert!(billed_seconds(raw, Some(&r)) >= raw);
    }

    #[test]
    fn lines_sum_to_net_plus_allowances(e in arb_entries(), credit in 0i64..100_000, mode in prop::sample::select(vec!["up", "down", "nearest"])) {
        let c = law_contract(mode);
        let ledger = Ledger::new(&c, &e, &berlin()).unwrap();
        for month in ledger.months() {
            let mut request = InvoiceRequest::new(month);
            request.allowances.push(Allowance::new("credit", Decimal::new(credit, 2)));
            let inv = ledger.invoice(&request).unwrap();
            let lines: Decimal = inv.lines.iter().map(|l| l.amount).sum();
            prop_assert_eq!(lines, inv.net + inv.allowances_total);
            prop_assert_eq!(inv.gross, inv.net + inv.tax);
        }
    }

    #[test]
    fn splitting_at_block_boundaries_conserves_billed_time(e in arb_entries()) {
        let c = law_contract("up");
        let ledger = Ledger::new(&c, &e, &berlin()).unwrap();
        let mut billed = std::collections::BTreeMap::new();
        for month in ledger.months() {
            let inv = ledger.invoice(&InvoiceRequest::new(month)).unwrap();
            for part in inv.lines.iter().flat_map(|l| &l.entries) {
                let (sum, whole) = billed.entry(part.id.clone()).or_insert((0, part.entry_billed_s));
                *sum += part.billed_s;
                prop_assert_eq!(*whole, part.entry_billed_s);
            }
        }
        for entry in e.iter().filter(|e| e.billable != crate::time::Billable::NonBillable) {
            let expected = billed_seconds(entry.raw_s(), c.billing().unwrap().rounding.as_ref());
            prop_assert_eq!(billed.get(&entry.id).map(|b| b.0), Some(expected), "entry {}", entry.id);
        }
    }

    #[test]
    fn the_same_entries_in_any_order_give_the_same_invoice(e in arb_entries(), seed in any::<u64>()) {
        let c = law_contract("nearest");
        let mut shuffled = e.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, usize::try_from(s >> 33).unwrap() % (i + 1));
        }
        let a = Ledger::new(&c, &e, &berlin()).unwrap();
        let b = Ledger::new(&c, &shuffled, &berlin()).unwrap();
        prop_assert_eq!(a.months(), b.months());
        for month in a.months() {
            let request = InvoiceRequest::new(month);
            prop_assert_eq!(a.invoice(&request).unwrap(), b.invoice(&request).unwrap());
        }
    }
}

#[test]
fn a_quarterly_contract_is_invoiced_per_quarter() {
    let text = "id = \"q\"\nclient = \"C\"\ncurrency = \"EUR\"\neffective_from = 2026-01-01\n\
        [calendars.s]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n\
        [priorities.normal]\ncalendar = \"s\"\nfirst_response = \"4h\"\n\
        [billing]\nrate = \"100.00\"\ninvoice_every = \"quarter\"\n";
    let c = Contract::parse(&SourceFile::new("q.toml", text), &mut |_| unreachable!()).unwrap();
    let e = entries(&[
        ("E-1", "2026-02-02T09:00:00Z", 60, ""),
        ("E-2", "2026-03-31T09:00:00Z", 60, ""),
        ("E-3", "2026-04-01T09:00:00Z", 60, ""),
    ]);
    let ledger = Ledger::new(&c, &e, &TimeZone::UTC).unwrap();
    let labels: Vec<String> = ledger.months().iter().map(InvoicePeriod::label).collect();
    assert_eq!(labels, ["2026-Q1", "2026-Q2"]);
    let q1 = ledger
        .invoice(&InvoiceRequest::new(ledger.months()[0]))
        .unwrap();
    assert_eq!(q1.net.to_string(), "200.00");
    assert_eq!(q1.issue_date, date(2026, 4, 1));
}
