//! The SLA appendix: the contract in words, for the lawyer and the client
//! who sign it (SPEC §2). Every section is derived from the parsed contract,
//! so the words signed and the clocks measured cannot drift apart.

pub mod words;

use std::collections::BTreeMap;

use accord_core::clock::Metric;
use accord_core::contract::{ContactRef, Contract, CreditRule};
use rust_decimal::Decimal;

use crate::document::{Document, strong, text};
use words::*;

/// The SLA appendix of `contract`.
pub fn appendix(contract: &Contract) -> Document {
    let title = contract.title().unwrap_or(contract.id());
    let mut doc = Document::new(format!("Service Level Agreement: {title}"));
    let until = contract
        .effective_until()
        .map_or("until amended or ended".to_string(), |d| {
            format!("to {}", date(d))
        });
    doc.subtitle = Some(format!(
        "Appendix to the agreement with {} · contract {}, version {} · effective {} {until}",
        contract.client(),
        contract.id(),
        contract.version(),
        date(contract.effective_from()),
    ));
    parties(&mut doc, contract);
    support_hours(&mut doc, contract);
    targets(&mut doc, contract);
    pauses(&mut doc, contract);
    warnings(&mut doc, contract);
    objectives_and_credits(&mut doc, contract);
    escalation(&mut doc, contract);
    milestones(&mut doc, contract);
    billing(&mut doc, contract);
    review(&mut doc, contract);
    doc
}

fn currency(contract: &Contract) -> String {
    contract
        .currency()
        .map(|c| c.to_string())
        .unwrap_or_default()
}

/// `Sam Okafor (delivery lead, provider)`.
fn who(contract: &Contract, r: &ContactRef) -> String {
    match contract.contact(r) {
        Some(c) => format!("{} ({}, {})", c.name, role(r.role()), r.side().as_str()),
        None => r.to_string(),
    }
}

fn parties(doc: &mut Document, contract: &Contract) {
    doc.heading(1, "Parties and contacts");
    doc.para(format!(
        "This appendix sets out the service levels the provider commits to for {}, how they are measured, and what each party is responsible for.",
        contract.client()
    ));
    let mut duties: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add =
        |r: &ContactRef, duty: String| duties.entry(r.to_string()).or_default().push(duty);
    for r in &contract.warnings().notify {
        add(r, "receives warnings before a target is missed".into());
    }
    for level in contract.escalation() {
        for r in &level.who {
            add(
                r,
                format!("handles disputes at escalation level {}", level.level),
            );
        }
    }
    for m in contract.milestones() {
        for d in &m.deliverables {
            add(
                &d.owner,
                format!("provides \"{}\" by {}", d.what, date(d.due)),
            );
        }
    }
    let contacts = contract.contacts();
    let mut rows = Vec::new();
    for (side, people) in [
        ("provider", &contacts.provider),
        ("client", &contacts.client),
    ] {
        for (r, c) in people {
            let key = format!("{side}.{r}");
            let duty = duties.get(&key).map_or("—".to_string(), |d| d.join("; "));
            rows.push(vec![
                side.to_string(),
                role(r),
                c.name.clone(),
                c.email.clone(),
                duty,
            ]);
        }
    }
    if rows.is_empty() {
        doc.para("No contacts are named.");
    } else {
        doc.table(
            &["Side", "Role", "Name", "E-mail", "Responsibilities"],
            rows,
        );
    }
}

fn support_hours(doc: &mut Document, contract: &Contract) {
    doc.heading(1, "Support hours");
    doc.para("Business time is counted only inside these hours, in the local time of each calendar's zone, across daylight-saving changes.");
    let from = contract.effective_from();
    let to = contract
        .effective_until()
        .unwrap_or_else(|| from.saturating_add(jiff::Span::new().years(1).days(-1)));
    for (name, cal) in contract.calendars() {
        let rules = cal.rules();
        let zone = rules.zone.iana_name().unwrap_or("UTC");
        doc.heading(2, format!("Calendar \"{name}\" ({zone})"));
        if round_the_clock(rules) {
            doc.para("Open around the clock, every day of the year (24/7).");
            continue;
        }
        doc.para(weekly_hours(&rules.weekly));
        let holidays = rules.holidays.dates_between(from, to);
        if holidays.is_empty() {
            doc.para("No holidays.");
        } else {
            doc.para(format!(
                "Closed on these holidays between {} and {}:",
                date(from),
                date(to)
            ));
            doc.list(holidays.into_iter().map(date_with_weekday));
        }
        if !rules.exceptions.is_empty() {
            doc.para("Special days, whose hours replace the usual ones:");
            let rows = rules
                .exceptions
                .iter()
                .map(|(d, h)| vec![date_with_weekday(*d), hours(h)])
                .collect();
            doc.table(&["Date", "Hours"], rows);
        }
    }
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::FirstResponse => "first response",
        Metric::NextResponse => "next response",
        Metric::Resolution => "resolution",
        Metric::PeriodicUpdate => "periodic update",
    }
}

/// Whether durations on calendar `name` count business time only.
fn is_business(contract: &Contract, name: &str) -> bool {
    contract
        .calendar(name)
        .is_none_or(|c| !round_the_clock(c.rules()))
}

fn targets(doc: &mut Document, contract: &Contract) {
    doc.heading(1, "Service targets");
    doc.para("Each ticket has a priority. For each priority the provider commits to these targets, measured on the named calendar:");
    let mut rows = Vec::new();
    for (name, p) in contract.priorities() {
        let business = is_business(contract, &p.calendar);
        let mut row = vec![name.clone(), p.calendar.clone()];
        row.extend(Metric::ALL.into_iter().map(|m| {
            p.targets.get(&m).map_or("—".into(), |d| {
                format!("within {}", duration(*d, business))
            })
        }));
        rows.push(row);
    }
    doc.table(
        &[
            "Priority",
            "Calendar",
            "First response",
            "Next response",
            "Resolution",
            "Periodic update",
        ],
        rows,
    );
    let mut items = Vec::new();
    for (name, p) in contract.priorities() {
        let business = is_business(contract, &p.calendar);
        let parts: Vec<String> = p
            .targets
            .iter()
            .map(|(m, d)| match m {
                Metric::PeriodicUpdate => {
                    format!("an update at least every {}", duration(*d, business))
                }
                m => format!("{} within {}", metric_name(*m), duration(*d, business)),
            })
            .collect();
        items.push(vec![
            strong(format!("{}:", capitalise(name))),
            text(format!(" {}.", parts.join("; "))),
        ]);
    }
    doc.blocks.push(crate::document::Block::List(items));
    doc.para("First response runs from when a ticket is opened to the provider's first reply; next response from each unanswered client message to the provider's next reply; resolution from opening to resolution, continuing if the ticket is reopened; periodic update between provider updates while the ticket is unresolved.");
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn pauses(doc: &mut Document, contract: &Contract) {
    let p = contract.pauses();
    doc.heading(1, "When the clock stops");
    if p.reasons.is_empty() {
        doc.para("The clocks never pause: no client actions are agreed as pause reasons.");
        return;
    }
    doc.para("Delays caused by necessary client actions do not count against the provider. While the provider waits on the client for one of these reasons, every running clock of the ticket pauses, and the pause is recorded with who it waits on, why, from when to when, and a note:");
    doc.list(
        p.reasons
            .iter()
            .map(|r| format!("{} — {}", role(r), pause_reason(r))),
    );
    doc.para(if p.resume_on_client_reply {
        "A reply from the client resumes paused clocks."
    } else {
        "Paused clocks resume only when the provider resumes them; a client reply alone does not."
    });
    if p.pause_milestones_when_invoice_overdue {
        doc.para(
            "While an invoice is overdue, milestone dates pause with the reason pending payment.",
        );
    }
    doc.para("Reports show paused time by reason, separately from the provider's own time.");
}

fn warnings(doc: &mut Document, contract: &Contract) {
    let w = contract.warnings();
    doc.heading(1, "Warnings and reporting");
    let shares: Vec<String> = w.thresholds.iter().map(|t| percent(*t)).collect();
    let whom = if w.notify.is_empty() {
        "the provider's staff".to_string()
    } else {
        w.notify
            .iter()
            .map(|r| who(contract, r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    doc.para(format!(
        "The provider is warned when a clock has used {} of its target, and again when it is missed. Warnings go to {whom}.",
        join_and(&shares)
    ));
    doc.para("A compliance report is produced for each calendar month: for each metric and priority the share of tickets within target against the objective, every missed target with its cause, paused time by reason, milestones, hours worked and any service credits due.");
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn objectives_and_credits(doc: &mut Document, contract: &Contract) {
    if contract.objectives().is_empty() && contract.credits().is_none() {
        return;
    }
    doc.heading(1, "Objectives and service credits");
    if !contract.objectives().is_empty() {
        let rows = contract
            .objectives()
            .iter()
            .map(|o| {
                vec![
                    metric_name(o.metric).to_string(),
                    o.priority.clone(),
                    format!("at least {} within target", percent(o.within_target)),
                    format!("per calendar {}", o.period.as_str()),
                ]
            })
            .collect();
        doc.table(&["Metric", "Priority", "Objective", "Measured"], rows);
    }
    let Some(credits) = contract.credits() else {
        return;
    };
    let cur = currency(contract);
    doc.para(format!(
        "When an objective is missed, the client is owed a credit: a share of the period fee of {}, at most {} ({}) per period in total.",
        money(credits.period_fee, &cur),
        percent(credits.cap),
        money(credits.period_fee * credits.cap, &cur)
    ));
    let mut rows = Vec::new();
    for rule in &credits.rules {
        for tier in &rule.tiers {
            rows.push(vec![
                format!("{} {}", rule.priority, metric_name(rule.metric)),
                format!("below {}", percent(tier.below)),
                format!(
                    "{} ({})",
                    percent(tier.credit),
                    money(credits.period_fee * tier.credit, &cur)
                ),
            ]);
        }
    }
    if !rows.is_empty() {
        doc.table(
            &["Objective", "If the share within target is", "Credit"],
            rows,
        );
        doc.para("Only the highest credit reached applies to each objective.");
    }
    if let Some((rule, achieved)) = credits
        .rules
        .iter()
        .find_map(|r| example_share(r).map(|a| (r, a)))
    {
        let credit = credit_for(rule, achieved).min(credits.cap);
        doc.rich(vec![
            strong("Worked example:"),
            text(format!(
                " if {} of {} {}s in a month meet their target, that is below {}, so the credit is {} of {} = {}.",
                percent(achieved),
                rule.priority,
                metric_name(rule.metric),
                percent(rule.tiers.iter().map(|t| t.below).find(|b| achieved < *b).unwrap_or(Decimal::ONE)),
                percent(credit),
                money(credits.period_fee, &cur),
                money(credits.period_fee * credit, &cur)
            )),
        ]);
    }
}

/// A share that falls in the rule's first tier (halfway to the next tier).
fn example_share(rule: &CreditRule) -> Option<Decimal> {
    let first = rule.tiers.first()?.below;
    let next = rule
        .tiers
        .get(1)
        .map_or(first - Decimal::new(5, 2), |t| t.below);
    Some((first + next) / Decimal::TWO)
}

/// The highest credit of the tiers `achieved` falls below.
fn credit_for(rule: &CreditRule, achieved: Decimal) -> Decimal {
    rule.tiers
        .iter()
        .filter(|t| achieved < t.below)
        .map(|t| t.credit)
        .max()
        .unwrap_or(Decimal::ZERO)
}

fn escalation(doc: &mut Document, contract: &Contract) {
    if contract.escalation().is_empty() {
        return;
    }
    doc.heading(1, "Disputes and escalation");
    doc.para("A dispute about a breach, a credit, a report line or an invoice line starts at level 1. A level that does not answer within its time passes the dispute to the next level automatically; the outcome is recorded.");
    let rows = contract
        .escalation()
        .iter()
        .map(|l| {
            let people: Vec<String> = l.who.iter().map(|r| who(contract, r)).collect();
            vec![
                l.level.to_string(),
                people.join(", "),
                format!(
                    "{} ({} calendar)",
                    duration(l.respond_within, is_business(contract, &l.calendar)),
                    l.calendar
                ),
            ]
        })
        .collect();
    doc.table(&["Level", "Who", "Must answer within"], rows);
}

fn milestones(doc: &mut Document, contract: &Contract) {
    if contract.milestones().is_empty() {
        return;
    }
    doc.heading(1, "Milestones and client deliverables");
    doc.para("If a client deliverable arrives late, the milestone's due date moves by the business days of the delay, and the move is recorded with its cause. Reports show original and adjusted dates.");
    for m in contract.milestones() {
        doc.heading(2, format!("{}: due {}", m.name, date_with_weekday(m.due)));
        if m.deliverables.is_empty() {
            doc.para("No client deliverables.");
            continue;
        }
        let rows = m
            .deliverables
            .iter()
            .map(|d| {
                vec![
                    d.what.clone(),
                    who(contract, &d.owner),
                    date(d.due),
                    role(&d.reason),
                ]
            })
            .collect();
        doc.table(
            &["Deliverable", "Owed by", "Due", "A late delivery counts as"],
            rows,
        );
    }
}

fn billing(doc: &mut Document, contract: &Contract) {
    let Some(b) = contract.billing() else {
        return;
    };
    let cur = currency(contract);
    doc.heading(1, "Time and billing");
    let mut terms = vec![format!("Default rate: {} per hour.", money(b.rate, &cur))];
    terms.push(format!(
        "Invoices are issued every {}{}.",
        b.invoice_every.as_str(),
        match b.payment_terms_days {
            Some(days) => format!(" and are due within {days} days"),
            None => String::new(),
        }
    ));
    if !b.tax_rate.is_zero() {
        terms.push(format!(
            "Tax of {} is added to every invoice.",
            percent(b.tax_rate)
        ));
    }
    if let Some(r) = &b.rounding {
        terms.push(format!(
            "Each time entry is rounded {} to a multiple of {}, with a minimum of {}; the unrounded time is always kept and shown.",
            match r.mode {
                accord_core::contract::RoundingMode::Up => "up",
                accord_core::contract::RoundingMode::Down => "down",
                accord_core::contract::RoundingMode::Nearest => "to the nearest",
            },
            duration(r.increment, false),
            duration(r.minimum, false)
        ));
    }
    terms.push("A rate is chosen in this order: a rate agreed for the entry, the person's rate, the activity's rate, then the default rate. Every invoice line lists the time entries behind it.".into());
    doc.list(terms);
    if !b.activity_rates.is_empty() {
        let rows = b
            .activity_rates
            .iter()
            .map(|(a, r)| vec![role(a), money(*r, &cur)])
            .collect();
        doc.table(&["Activity", "Rate per hour"], rows);
    }
    if !b.person_rates.is_empty() {
        let contacts = contract.contacts();
        let name_of = |email: &str| {
            contacts
                .provider
                .values()
                .chain(contacts.client.values())
                .find(|c| c.email == email)
                .map_or(email.to_string(), |c| format!("{} ({email})", c.name))
        };
        let rows = b
            .person_rates
            .iter()
            .map(|(p, r)| vec![name_of(p), money(*r, &cur)])
            .collect();
        doc.table(&["Person", "Rate per hour"], rows);
    }
    if !b.prepaid.is_empty() {
        doc.para("Prepaid hour blocks are used before any hours are invoiced; hours beyond a block are billed at its overage rate.");
        let rows = b
            .prepaid
            .iter()
            .map(|p| {
                vec![
                    p.hours.to_string(),
                    money(p.price, &cur),
                    date(p.valid_until),
                    p.overage_rate.map_or("the usual rates".into(), |r| {
                        format!("{} per hour", money(r, &cur))
                    }),
                ]
            })
            .collect();
        doc.table(&["Hours", "Price", "Valid until", "Overage"], rows);
    }
}

fn review(doc: &mut Document, contract: &Contract) {
    doc.heading(1, "Review");
    match contract.review_every() {
        Some(cadence) => {
            doc.para(format!(
                "This agreement is a living document: it is reviewed {cadence}, and any change is made as a numbered amendment with its own effective date."
            ));
            let dates: Vec<String> = contract.identity().reviews().take(12).map(date).collect();
            if !dates.is_empty() {
                doc.para(format!("Reviews are due on {}.", join_and(&dates)));
            }
        }
        None => doc.para("No regular review is agreed; any change is made as a numbered amendment with its own effective date."),
    }
}
