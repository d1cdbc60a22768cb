//! The invoice a client reads (SPEC §8): parties, number, period, dates,
//! the lines with their time in hours and minutes and in decimal hours,
//! the time entries behind each line (raw and billed), prepaid balances,
//! credits, tax, totals and payment terms. Built once as a [`Document`] and
//! rendered to HTML, Markdown or PDF like the SLA appendix; every figure is
//! the billing fold's, none is recomputed here.

use accord_core::billing::{EntryPart, Invoice, InvoiceLine, LineKind, PrepaidBalance};
use accord_core::contract::{Contract, LegalParty};
use jiff::civil::Date;

use crate::appendix::words::{date, money, percent};
use crate::document::{Document, strong, text};
use crate::einvoice::{hours, number};

/// The invoice document of `invoice`, for `contract`.
pub fn invoice_document(contract: &Contract, invoice: &Invoice) -> Document {
    let title = match &invoice.number {
        Some(n) => format!("Invoice {n}"),
        None => "Invoice (draft, not numbered)".to_string(),
    };
    let mut doc = Document::new(title);
    let seller = contract.parties().provider.as_ref();
    let buyer = contract.parties().client.as_ref();
    doc.subtitle = Some(format!(
        "From {} to {} · contract {} · period {} to {}",
        seller.map_or("the provider", |s| s.legal_name.as_str()),
        buyer.map_or(invoice.client.as_str(), |b| b.legal_name.as_str()),
        invoice.contract,
        date(invoice.period.first),
        date(invoice.period.last),
    ));
    parties(&mut doc, seller, buyer, &invoice.client);
    details(&mut doc, invoice);
    lines(&mut doc, invoice);
    totals(&mut doc, invoice);
    payment(&mut doc, contract, invoice);
    prepaid(&mut doc, &invoice.prepaid);
    entries(&mut doc, invoice);
    doc
}

fn parties(
    doc: &mut Document,
    seller: Option<&LegalParty>,
    buyer: Option<&LegalParty>,
    client: &str,
) {
    doc.heading(1, "From and to");
    let cell = |p: Option<&LegalParty>, f: &dyn Fn(&LegalParty) -> Option<String>| {
        p.and_then(f).unwrap_or_else(|| "—".to_string())
    };
    let address = |p: &LegalParty| {
        let town = [p.postcode.as_deref(), p.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<String> = [
            p.street.clone(),
            Some(town),
            p.country.as_ref().map(|c| c.to_string()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    let rows = vec![
        vec![
            "Name".to_string(),
            cell(seller, &|p| Some(p.legal_name.clone())),
            buyer.map_or(client.to_string(), |b| b.legal_name.clone()),
        ],
        vec![
            "Address".to_string(),
            cell(seller, &address),
            cell(buyer, &address),
        ],
        vec![
            "VAT id".to_string(),
            cell(seller, &|p| {
                p.vat_id.clone().or_else(|| p.tax_number.clone())
            }),
            cell(buyer, &|p| {
                p.vat_id.clone().or_else(|| p.tax_number.clone())
            }),
        ],
        vec![
            "Registration".to_string(),
            cell(seller, &|p| p.registration.clone()),
            cell(buyer, &|p| p.registration.clone()),
        ],
        vec![
            "E-mail".to_string(),
            cell(seller, &|p| p.email.clone()),
            cell(buyer, &|p| p.email.clone()),
        ],
    ];
    doc.table(&["", "From (provider)", "To (client)"], rows);
}

fn details(doc: &mut Document, inv: &Invoice) {
    doc.heading(1, "Invoice details");
    let number = inv.number.clone().unwrap_or_else(|| "— (draft)".into());
    let mut rows = vec![
        vec!["Contract".to_string(), inv.contract.clone()],
        vec![
            "Period".to_string(),
            format!("{} to {}", date(inv.period.first), date(inv.period.last)),
        ],
        vec!["Issue date".to_string(), date(inv.issue_date)],
    ];
    if let Some(due) = inv.due_date {
        rows.push(vec!["Due date".to_string(), date(due)]);
    }
    rows.push(vec!["Currency".to_string(), inv.currency.clone()]);
    doc.table(&["Invoice number", &number], rows);
}

fn lines(doc: &mut Document, inv: &Invoice) {
    doc.heading(1, "Charges");
    if inv.lines.is_empty() {
        doc.para("No time and no prepaid block falls in this period.");
        return;
    }
    let year = inv.period.last.year();
    let rows = inv
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (time, decimal) = match l.kind {
                LineKind::BlockPrice => ("—".to_string(), "—".to_string()),
                _ => (h_mm(l.billed_s), number(hours(l.billed_s))),
            };
            let rate = match l.kind {
                LineKind::BlockPrice => format!("{} per block", money(l.rate, "")),
                LineKind::Prepaid | LineKind::NoCharge => format!("({})", money(l.rate, "")),
                LineKind::Billable | LineKind::Overage => money(l.rate, ""),
            };
            vec![
                (i + 1).to_string(),
                line_name(l),
                short_span(l.first_date, l.last_date, year),
                time,
                decimal,
                rate,
                money(l.amount, ""),
            ]
        })
        .collect();
    let rate = format!("Rate ({}/h)", inv.currency);
    let amount = format!("Amount ({})", inv.currency);
    doc.table(
        &["#", "Description", "Dates", "Time", "Hours", &rate, &amount],
        rows,
    );
    if inv
        .lines
        .iter()
        .any(|l| matches!(l.kind, LineKind::Prepaid | LineKind::NoCharge))
    {
        doc.para("Time is shown in hours and minutes and in decimal hours. Rates in brackets are for information: prepaid and no-charge time is not charged.");
    } else {
        doc.para("Time is shown in hours and minutes and in decimal hours.");
    }
}

fn totals(doc: &mut Document, inv: &Invoice) {
    doc.heading(1, "Totals");
    let c = inv.currency.as_str();
    let mut rows = vec![vec![
        "Sum of the lines".to_string(),
        money(inv.lines_total, c),
    ]];
    for a in &inv.allowances {
        rows.push(vec![
            format!("Less: {}", a.reason),
            format!("−{}", money(a.amount, c)),
        ]);
    }
    rows.push(vec!["Net amount".to_string(), money(inv.net, c)]);
    rows.push(vec![
        format!("Tax ({})", percent(inv.tax_rate)),
        money(inv.tax, c),
    ]);
    rows.push(vec!["Total due".to_string(), money(inv.gross, c)]);
    doc.table(&["", "Amount"], rows);
}

fn payment(doc: &mut Document, contract: &Contract, inv: &Invoice) {
    doc.heading(1, "Payment");
    let terms = contract.billing().and_then(|b| b.payment_terms_days);
    let mut runs = vec![text("Please pay "), strong(money(inv.gross, &inv.currency))];
    match (inv.due_date, terms) {
        (Some(due), Some(days)) => {
            runs.push(text(" by "));
            runs.push(strong(date(due)));
            runs.push(text(format!(" ({days} days from the issue date)")));
        }
        _ => runs.push(text(" on receipt")),
    }
    match &inv.number {
        Some(n) => runs.push(text(format!(", quoting invoice {n}."))),
        None => runs.push(text(".")),
    }
    doc.rich(runs);
    if !inv.allowances.is_empty() {
        doc.para("Service credits owed under the service levels are deducted above, before tax.");
    }
}

fn prepaid(doc: &mut Document, blocks: &[PrepaidBalance]) {
    if blocks.is_empty() {
        return;
    }
    doc.heading(1, "Prepaid hours");
    let rows = blocks
        .iter()
        .map(|b| {
            vec![
                b.block.clone(),
                format!("{}:00", b.hours),
                span(b.valid_from, b.valid_until),
                h_mm(b.used_before_s),
                h_mm(b.used_s),
                h_mm(b.balance_s),
                if b.lapsed_s > 0 {
                    h_mm(b.lapsed_s)
                } else {
                    "—".into()
                },
            ]
        })
        .collect();
    doc.table(
        &[
            "Block",
            "Hours",
            "Valid",
            "Used before",
            "Used this period",
            "Balance",
            "Lapsed",
        ],
        rows,
    );
}

fn entries(doc: &mut Document, inv: &Invoice) {
    if inv.lines.iter().all(|l| l.entries.is_empty()) {
        return;
    }
    doc.heading(1, "Time behind each line");
    doc.para("Raw is the time recorded; billed is after the agreed rounding and minimum. An entry split between a prepaid block and other time shows its part on each line, e.g. 1:30 of 1:45.");
    let year = inv.period.last.year();
    for (i, l) in inv.lines.iter().enumerate() {
        if l.entries.is_empty() {
            continue;
        }
        doc.heading(2, format!("{}. {}", i + 1, line_name(l)));
        let rows = l.entries.iter().map(|e| entry_row(e, year)).collect();
        doc.table(
            &[
                "Entry", "Date", "Person", "Activity", "Raw", "Billed", "For",
            ],
            rows,
        );
    }
}

fn entry_row(e: &EntryPart, year: i16) -> Vec<String> {
    let what = [
        e.ticket.as_ref().map(|t| format!("ticket {t}")),
        e.milestone.as_ref().map(|m| format!("milestone {m}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let billed = if e.part.1 > 1 {
        format!("{} of {}", h_mm(e.billed_s), h_mm(e.entry_billed_s))
    } else {
        h_mm(e.billed_s)
    };
    let mut what = if what.is_empty() {
        "contract".to_string()
    } else {
        what
    };
    if let Some(note) = &e.note {
        what = format!("{what} · {note}");
    }
    vec![
        e.id.clone(),
        short_span(e.date, e.date, year),
        e.person.clone(),
        e.activity.clone(),
        h_mm(e.raw_s),
        billed,
        what,
    ]
}

/// The line's description, capitalised.
pub(crate) fn line_name(l: &InvoiceLine) -> String {
    let mut chars = l.description.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn span(first: Date, last: Date) -> String {
    if first == last {
        date(first)
    } else {
        format!("{} to {}", date(first), date(last))
    }
}

/// `3 Mar`, `3–12 Mar`, `27 Feb – 3 Mar`; the year only when it is not
/// `year`.
fn short_span(first: Date, last: Date, year: i16) -> String {
    let day = |d: Date| format!("{} {}", d.day(), d.strftime("%b"));
    let with_year = |s: String, d: Date| {
        if d.year() == year {
            s
        } else {
            format!("{s} {}", d.year())
        }
    };
    if first == last {
        with_year(day(first), first)
    } else if (first.year(), first.month()) == (last.year(), last.month()) {
        with_year(format!("{}–{}", first.day(), day(last)), last)
    } else if first.year() == last.year() {
        with_year(format!("{} – {}", day(first), day(last)), last)
    } else {
        format!(
            "{} – {}",
            with_year(day(first), first),
            with_year(day(last), last)
        )
    }
}

/// Seconds as `h:mm`, with `:ss` when not a whole minute.
///
/// ```
/// # use accord_docs::invoice::h_mm;
/// assert_eq!(h_mm(5_400), "1:30");
/// assert_eq!(h_mm(45), "0:00:45");
/// ```
pub fn h_mm(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if s == 0 {
        format!("{h}:{m:02}")
    } else {
        format!("{h}:{m:02}:{s:02}")
    }
}
