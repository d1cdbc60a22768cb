//! Amendments in plain words: every difference between two versions of a
//! contract, e.g. `critical first response: 4 business hours -> 2 business
//! hours` or `holiday added: Thursday 31 December 2026 (calendar support)`
//! (SPEC §2: "every version stays readable and diffable").
//!
//! Each contract is flattened into labelled terms in the order the appendix
//! presents them; the diff compares the two lists term by term.

use std::collections::BTreeMap;
use std::fmt;

use accord_core::clock::Metric;
use accord_core::contract::{ContactRef, Contract};
use jiff::civil::Date;

use crate::appendix::words::{
    date, date_with_weekday, duration, hours, money, percent, role, round_the_clock,
};

/// One difference between two contract versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed, in words (`critical first response`).
    pub what: String,
    /// The old value, absent when the term is new.
    pub old: Option<String>,
    /// The new value, absent when the term was removed.
    pub new: Option<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => write!(f, "{}: {o} -> {n}", self.what),
            (None, Some(n)) => write!(f, "{} added: {n}", self.what),
            (Some(o), None) => write!(f, "{} removed: {o}", self.what),
            (None, None) => write!(f, "{}", self.what),
        }
    }
}

/// Every difference from `old` to `new`, in the order of the appendix.
pub fn diff(old: &Contract, new: &Contract) -> Vec<Change> {
    // Holidays are compared over both versions' terms together.
    let from = old.effective_from().min(new.effective_from());
    let to = [old, new]
        .iter()
        .map(|c| {
            c.effective_until().unwrap_or_else(|| {
                c.effective_from()
                    .saturating_add(jiff::Span::new().years(1))
            })
        })
        .max()
        .unwrap_or(from);
    let (a, b) = (terms(old, from, to), terms(new, from, to));
    let b_index: BTreeMap<&(u16, String), &Term> = b.iter().map(|t| (&t.key, t)).collect();
    let a_index: BTreeMap<&(u16, String), &Term> = a.iter().map(|t| (&t.key, t)).collect();
    let mut keys: Vec<&(u16, String)> = a.iter().chain(&b).map(|t| &t.key).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (a_index.get(k), b_index.get(k));
            let what = n.or(o).map(|t| t.what.clone()).unwrap_or_default();
            let (old, new) = (o.map(|t| t.value.clone()), n.map(|t| t.value.clone()));
            (old != new).then_some(Change { what, old, new })
        })
        .collect()
}

/// A labelled term of a contract; `key` orders and matches terms.
struct Term {
    key: (u16, String),
    what: String,
    value: String,
}

struct Terms(Vec<Term>, u16);

impl Terms {
    /// Starts a new section, so terms sort in appendix order.
    fn section(&mut self) {
        self.1 += 1;
    }

    fn push(&mut self, what: impl Into<String>, value: impl Into<String>) {
        let what = what.into();
        self.0.push(Term {
            key: (self.1, what.clone()),
            what,
            value: value.into(),
        });
    }

    /// A member of a set: matched by `item`, shown as `what added: item`.
    fn member(&mut self, what: impl Into<String>, item: impl Into<String>) {
        let (what, item) = (what.into(), item.into());
        self.0.push(Term {
            key: (self.1, format!("{what}\u{0}{item}")),
            what,
            value: item,
        });
    }
}

fn who(c: &Contract, r: &ContactRef) -> String {
    c.contact(r).map_or(r.to_string(), |p| {
        format!("{} ({})", p.name, role(r.role()))
    })
}

fn terms(c: &Contract, from: Date, to: Date) -> Vec<Term> {
    let mut t = Terms(Vec::new(), 0);
    let cur = c.currency().map(|x| x.to_string()).unwrap_or_default();
    t.push("title", c.title().unwrap_or("(none)"));
    t.push("client", c.client());
    t.push("currency", if cur.is_empty() { "(none)" } else { &cur });
    t.push("effective from", date(c.effective_from()));
    t.push(
        "effective until",
        c.effective_until().map_or("(open-ended)".into(), date),
    );
    t.push(
        "review",
        c.review_every().map_or("(none)".into(), |r| r.to_string()),
    );
    t.push(
        "applies to open tickets",
        if c.applies_to_open() { "yes" } else { "no" },
    );

    t.section();
    let contacts = c.contacts();
    for (side, people) in [
        ("provider", &contacts.provider),
        ("client", &contacts.client),
    ] {
        for (r, p) in people {
            t.push(
                format!("{side} {}", role(r)),
                format!("{} <{}>", p.name, p.email),
            );
        }
    }
    let parties = c.parties();
    for (side, party) in [("provider", &parties.provider), ("client", &parties.client)] {
        let Some(p) = party else { continue };
        let address = p
            .electronic_address
            .as_ref()
            .map(|a| format!("{}:{}", a.scheme, a.id));
        let country = p.country.as_ref().map(|c| c.to_string());
        for (what, value) in [
            ("legal name", Some(&p.legal_name)),
            ("street", p.street.as_ref()),
            ("postcode", p.postcode.as_ref()),
            ("city", p.city.as_ref()),
            ("country", country.as_ref()),
            ("VAT id", p.vat_id.as_ref()),
            ("tax number", p.tax_number.as_ref()),
            ("registration", p.registration.as_ref()),
            ("invoice e-mail", p.email.as_ref()),
            ("electronic address", address.as_ref()),
        ] {
            if let Some(v) = value {
                t.push(format!("{side} {what}"), v.clone());
            }
        }
    }

    t.section();
    for (name, cal) in c.calendars() {
        let rules = cal.rules();
        let what = |x: &str| format!("calendar {name} {x}");
        t.push(what("time zone"), rules.zone.iana_name().unwrap_or("UTC"));
        for w in [
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
            jiff::civil::Weekday::Saturday,
            jiff::civil::Weekday::Sunday,
        ] {
            let day = crate::appendix::words::weekday(w);
            t.push(what(&format!("{day} hours")), hours(rules.weekday_hours(w)));
        }
        for d in rules.holidays.dates_between(from, to) {
            t.member(format!("holiday (calendar {name})"), date_with_weekday(d));
        }
        for (d, h) in &rules.exceptions {
            t.push(what(&format!("hours on {}", date(*d))), hours(h));
        }
    }

    t.section();
    for (name, p) in c.priorities() {
        let business = c
            .calendar(&p.calendar)
            .is_none_or(|cal| !round_the_clock(cal.rules()));
        t.push(format!("{name} calendar"), p.calendar.clone());
        for m in Metric::ALL {
            if let Some(d) = p.targets.get(&m) {
                t.push(
                    format!("{name} {}", m.as_str().replace('_', " ")),
                    duration(*d, business),
                );
            }
        }
    }

    t.section();
    let pauses = c.pauses();
    for r in &pauses.reasons {
        t.member("pause reason", role(r));
    }
    t.push(
        "client reply resumes paused clocks",
        if pauses.resume_on_client_reply {
            "yes"
        } else {
            "no"
        },
    );
    t.push(
        "overdue invoices pause milestones",
        if pauses.pause_milestones_when_invoice_overdue {
            "yes"
        } else {
            "no"
        },
    );
    let w = c.warnings();
    let shares: Vec<String> = w.thresholds.iter().map(|s| percent(*s)).collect();
    t.push("warning thresholds", shares.join(", "));
    for r in &w.notify {
        t.member("warnings go to", who(c, r));
    }

    t.section();
    for o in c.objectives() {
        t.push(
            format!(
                "objective for {} {}",
                o.priority,
                o.metric.as_str().replace('_', " ")
            ),
            format!(
                "{} within target per {}",
                percent(o.within_target),
                o.period.as_str()
            ),
        );
    }
    if let Some(cr) = c.credits() {
        t.push("credit period fee", money(cr.period_fee, &cur));
        t.push("credit cap", percent(cr.cap));
        for rule in &cr.rules {
            let tiers: Vec<String> = rule
                .tiers
                .iter()
                .map(|x| format!("{} below {}", percent(x.credit), percent(x.below)))
                .collect();
            t.push(
                format!(
                    "credits for {} {}",
                    rule.priority,
                    rule.metric.as_str().replace('_', " ")
                ),
                tiers.join(", "),
            );
        }
    }
    for l in c.escalation() {
        let people: Vec<String> = l.who.iter().map(|r| who(c, r)).collect();
        let business = c
            .calendar(&l.calendar)
            .is_none_or(|cal| !round_the_clock(cal.rules()));
        t.push(
            format!("escalation level {}", l.level),
            format!(
                "{}, within {}",
                people.join(", "),
                duration(l.respond_within, business)
            ),
        );
    }

    t.section();
    for m in c.milestones() {
        t.push(format!("milestone {} due", m.name), date(m.due));
        for d in &m.deliverables {
            t.push(
                format!("deliverable \"{}\" for {}", d.what, m.name),
                format!(
                    "from {}, due {}, late counts as {}",
                    who(c, &d.owner),
                    date(d.due),
                    role(&d.reason)
                ),
            );
        }
    }

    t.section();
    if let Some(b) = c.billing() {
        t.push("default rate", format!("{} per hour", money(b.rate, &cur)));
        t.push("invoices", format!("every {}", b.invoice_every.as_str()));
        t.push(
            "payment terms",
            b.payment_terms_days
                .map_or("(none)".into(), |d| format!("{d} days")),
        );
        t.push("tax rate", percent(b.tax_rate));
        if let Some(r) = &b.rounding {
            t.push(
                "rounding",
                format!(
                    "{:?} to {}, minimum {}",
                    r.mode,
                    duration(r.increment, false),
                    duration(r.minimum, false)
                )
                .to_lowercase(),
            );
        }
        for (a, r) in &b.activity_rates {
            t.push(
                format!("rate for {}", role(a)),
                format!("{} per hour", money(*r, &cur)),
            );
        }
        for (p, r) in &b.person_rates {
            t.push(
                format!("rate for {p}"),
                format!("{} per hour", money(*r, &cur)),
            );
        }
        for p in &b.prepaid {
            let overage = p.overage_rate.map_or(String::new(), |r| {
                format!(", overage {} per hour", money(r, &cur))
            });
            t.member(
                "prepaid block",
                format!(
                    "{} hours for {} until {}{overage}",
                    p.hours,
                    money(p.price, &cur),
                    date(p.valid_until)
                ),
            );
        }
    }
    t.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::diagnostic::SourceFile;

    fn parse(text: &str) -> Contract {
        Contract::parse(&SourceFile::new("c.toml", text), &mut |_| {
            Err(std::io::ErrorKind::NotFound.into())
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const ACME: &str = include_str!("../../../examples/acme.contract.toml");

    #[test]
    fn identical_versions_have_no_changes() {
        assert!(diff(&parse(ACME), &parse(ACME)).is_empty());
    }

    #[test]
    fn changes_are_listed_in_plain_words() {
        let amended = ACME
            .replace("effective_from = 2026-01-01", "effective_from = 2026-07-01")
            .replacen("first_response = \"4h\"", "first_response = \"2h\"", 1)
            .replace(
                "\"2026-12-25\", \"2026-12-26\",",
                "\"2026-12-25\", \"2026-12-26\", \"2026-12-31\",",
            )
            .replace(
                "  \"client_communication\", \"pending_payment\", \"work_review\",",
                "  \"client_communication\", \"pending_payment\",",
            )
            .replace("period_fee = \"2500.00\"", "period_fee = \"2750.00\"")
            .replace("vat_id = \"DE987654321\"", "vat_id = \"DE111222333\"")
            .replace("# electronic_address = ", "electronic_address = ");
        let lines: Vec<String> = diff(&parse(ACME), &parse(&amended))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            vec![
                "effective from: 1 January 2026 -> 1 July 2026",
                "client VAT id: DE987654321 -> DE111222333",
                "provider electronic address added: 0088:4012345000009",
                "holiday (calendar support) added: Thursday 31 December 2026",
                "critical first response: 4 business hours -> 2 business hours",
                "pause reason removed: work review",
                "credit period fee: EUR 2,500.00 -> EUR 2,750.00",
            ]
        );
    }
}
