//! The contract file: TOML, one per client agreement (SPEC §2, §10).
//!
//! Parsing returns a valid [`Contract`] or every problem found, each with
//! file, line and column; a contract is never partly accepted. Each topic
//! has its own reader module; cross-references (calendars, contacts,
//! priorities, pause reasons) are checked against the names the file
//! declares, so one mistake is reported once, where it is made.

mod accountability;
mod amendment;
mod billing;
mod calendars;
mod identity;
mod legal;
mod milestones;
mod parties;
mod read;
mod reporting;
mod targets;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use toml::de::DeTable;

use crate::calendar::Calendar;
use crate::diagnostic::{Diagnostics, SourceFile};

pub use accountability::{CreditRule, CreditTier, Credits, EscalationLevel, Objective, Period};
pub use amendment::{AmendmentError, check_amendment};
pub use billing::{Billing, PrepaidBlock, Rounding, RoundingMode};
pub use identity::{Currency, Identity, ReviewCadence};
pub use legal::{BadCountry, Country, ElectronicAddress, LegalParty, MissingField, Parties};
pub use milestones::{Deliverable, Milestone};
pub use parties::{BadContactRef, Contact, ContactRef, Contacts, Side};
pub use read::did_you_mean;
pub use targets::{Pauses, Priority, Warnings};

/// The top-level tables.
const TABLES: [&str; 11] = [
    "contacts",
    "calendars",
    "priorities",
    "pauses",
    "warnings",
    "objectives",
    "credits",
    "escalation",
    "milestones",
    "billing",
    "parties",
];

/// Reads a file the contract refers to (holiday files), given its path
/// resolved against the contract's directory. Passed in so that the core
/// stays free of I/O.
pub type SourceLoader<'a> = dyn FnMut(&Path) -> std::io::Result<String> + 'a;

/// A parsed, valid contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    identity: Identity,
    contacts: Contacts,
    calendars: BTreeMap<String, Calendar>,
    /// Calendar names in the order `[calendars]` declares them (SPEC §7's
    /// tie rule for the reporting zone).
    calendar_order: Vec<String>,
    /// `report_timezone`, if set.
    report_timezone: Option<TimeZone>,
    priorities: BTreeMap<String, Priority>,
    pauses: Pauses,
    warnings: Warnings,
    objectives: Vec<Objective>,
    credits: Option<Credits>,
    escalation: Vec<EscalationLevel>,
    milestones: Vec<Milestone>,
    billing: Option<Billing>,
    parties: Parties,
}

impl Contract {
    /// Parses the contract in `src`, loading referenced files through `load`.
    ///
    /// ```
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let text = r#"id = "acme-2026"
    /// client = "Acme"
    /// effective_from = 2026-01-01
    /// [calendars.support]
    /// timezone = "Europe/Berln"
    /// mon = ["09:00-17:00"]
    /// [priorities.normal]
    /// calendar = "support"
    /// first_response = "4hrs"
    /// "#;
    /// let err = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap_err();
    /// assert_eq!((err.0[0].line, err.0[0].column), (5, 12));
    /// assert!(err.0[0].message.contains("unknown time zone `Europe/Berln`"));
    /// assert_eq!((err.0[1].line, err.0[1].column), (9, 18));
    /// assert!(err.0[1].message.starts_with("`4hrs` is not a duration"));
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
        let root = doc.get_ref();
        let mut allowed: Vec<&str> = identity::KEYS.to_vec();
        allowed.extend(TABLES);
        allowed.push(reporting::KEY);
        r.unknown_keys(root, &allowed, "the contract");

        let identity = identity::read_identity(&mut r, root);
        let (contacts, contact_names) = match root.get("contacts") {
            Some(v) => parties::read_contacts(&mut r, v),
            None => Default::default(),
        };
        let (calendars, calendar_names) = read_calendars(&mut r, root, load);
        let calendar_order = reporting::declaration_order(root);
        let report_timezone = reporting::read_report_timezone(&mut r, root);
        let (priorities, declared_priorities) = match root.get("priorities") {
            Some(v) => targets::read_priorities(&mut r, v, &calendar_names),
            None => {
                r.error(
                    0..0,
                    "the contract has no priority",
                    Some("add a [priorities.normal] table with a calendar and a target, e.g. first_response = \"8h\"".into()),
                );
                Default::default()
            }
        };
        let pauses = match root.get("pauses") {
            Some(v) => targets::read_pauses(&mut r, v),
            None => Pauses::default(),
        };
        let warnings = match root.get("warnings") {
            Some(v) => targets::read_warnings(&mut r, v, &contact_names),
            None => Warnings::default(),
        };
        let known = accountability::Known {
            calendars: &calendar_names,
            contacts: &contact_names,
            priorities: &declared_priorities,
            reasons: &pauses.reasons,
        };
        let objectives = root
            .get("objectives")
            .map(|v| accountability::read_objectives(&mut r, v, &known))
            .unwrap_or_default();
        let credits = root
            .get("credits")
            .and_then(|v| accountability::read_credits(&mut r, v, &known));
        let escalation = root
            .get("escalation")
            .map(|v| accountability::read_escalation(&mut r, v, &known))
            .unwrap_or_default();
        let milestones = root
            .get("milestones")
            .map(|v| milestones::read_milestones(&mut r, v, &known))
            .unwrap_or_default();
        let billing = root
            .get("billing")
            .and_then(|v| billing::read_billing(&mut r, v));
        let parties = root
            .get("parties")
            .map(|v| legal::read_parties(&mut r, v))
            .unwrap_or_default();
        if root.get("currency").is_none() {
            for key in ["credits", "billing"] {
                if let Some((k, _)) = root.get_key_value(key) {
                    r.error(
                        k.span(),
                        format!("`[{key}]` has amounts of money but the contract has no `currency`"),
                        Some("add currency = \"EUR\" (or another ISO 4217 code) at the top of the file".into()),
                    );
                }
            }
        }

        match identity {
            Some(identity) if r.diagnostics.is_empty() => Ok(Contract {
                identity,
                contacts,
                calendars,
                calendar_order,
                report_timezone,
                priorities,
                pauses,
                warnings,
                objectives,
                credits,
                escalation,
                milestones,
                billing,
                parties,
            }),
            _ => {
                let mut all = r.diagnostics;
                all.sort_by_key(|d| (d.file.clone(), d.line, d.column));
                Err(Diagnostics(all))
            }
        }
    }

    /// The identity and term: id, client, dates, version.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The contract's id, e.g. `acme-2026`.
    pub fn id(&self) -> &str {
        &self.identity.id
    }

    /// The contract's title, if given.
    pub fn title(&self) -> Option<&str> {
        self.identity.title.as_deref()
    }

    /// The client organisation.
    pub fn client(&self) -> &str {
        &self.identity.client
    }

    /// The currency of every amount, if given.
    pub fn currency(&self) -> Option<&Currency> {
        self.identity.currency.as_ref()
    }

    /// First day in force.
    pub fn effective_from(&self) -> Date {
        self.identity.effective_from
    }

    /// Last day in force, if the contract ends.
    pub fn effective_until(&self) -> Option<Date> {
        self.identity.effective_until
    }

    /// How often the contract is reviewed, if agreed.
    pub fn review_every(&self) -> Option<ReviewCadence> {
        self.identity.review_every
    }

    /// The version number (1 when not written).
    pub fn version(&self) -> u32 {
        self.identity.version
    }

    /// Whether open tickets are re-evaluated under this version.
    pub fn applies_to_open(&self) -> bool {
        self.identity.applies_to_open
    }

    /// The contacts by side and role (empty when none are named).
    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    /// The contact a reference names.
    pub fn contact(&self, r: &ContactRef) -> Option<&Contact> {
        self.contacts.get(r)
    }

    /// The priorities by name; each names an existing calendar and sets at
    /// least one target.
    pub fn priorities(&self) -> &BTreeMap<String, Priority> {
        &self.priorities
    }

    /// The priority named `name`.
    pub fn priority(&self, name: &str) -> Option<&Priority> {
        self.priorities.get(name)
    }

    /// The allowed pauses (defaults applied when `[pauses]` is absent).
    pub fn pauses(&self) -> &Pauses {
        &self.pauses
    }

    /// The warning thresholds (defaults applied when `[warnings]` is absent).
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }

    /// The compliance objectives (empty when none are agreed).
    pub fn objectives(&self) -> &[Objective] {
        &self.objectives
    }

    /// The service-credit terms, if agreed.
    pub fn credits(&self) -> Option<&Credits> {
        self.credits.as_ref()
    }

    /// The escalation ladder, level 1 first (empty when none is agreed).
    pub fn escalation(&self) -> &[EscalationLevel] {
        &self.escalation
    }

    /// The milestones in the order written (empty when none are agreed).
    pub fn milestones(&self) -> &[Milestone] {
        &self.milestones
    }

    /// The milestone with id `id`.
    pub fn milestone(&self, id: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }

    /// The billing terms, if agreed.
    pub fn billing(&self) -> Option<&Billing> {
        self.billing.as_ref()
    }

    /// The parties' legal details for invoices (empty when `[parties]` is
    /// absent).
    pub fn parties(&self) -> &Parties {
        &self.parties
    }

    /// Every field an EN 16931 e-invoice needs that this contract lacks,
    /// each named with its business term and where to add it; empty when an
    /// e-invoice can be produced.
    ///
    /// ```
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let text = "id = \"t\"\nclient = \"T\"\ncurrency = \"EUR\"\neffective_from = 2026-01-01\n\
    ///     [calendars.c]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n\
    ///     [priorities.p]\ncalendar = \"c\"\nfirst_response = \"1h\"\n\
    ///     [parties.provider]\nlegal_name = \"P GmbH\"\ncountry = \"DE\"\nvat_id = \"DE123456789\"\n";
    /// let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
    /// let missing: Vec<_> = contract.einvoice_missing().iter().map(|m| m.terms).collect();
    /// assert_eq!(missing, ["BT-44", "BT-55", "BT-9"]);
    /// ```
    pub fn einvoice_missing(&self) -> Vec<MissingField> {
        legal::einvoice_missing(
            self.currency(),
            &self.parties,
            self.billing.as_ref().and_then(|b| b.payment_terms_days),
        )
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

/// Reads `[calendars]`: the valid calendars and every declared name.
fn read_calendars(
    r: &mut read::Reader<'_>,
    root: &DeTable<'_>,
    load: &mut SourceLoader<'_>,
) -> (BTreeMap<String, Calendar>, BTreeSet<String>) {
    let Some(v) = root.get("calendars") else {
        r.error(
            0..0,
            "the contract has no calendar",
            Some("add a [calendars.support] table with a timezone and opening hours".into()),
        );
        return Default::default();
    };
    let Some(t) = r.table(v, "`calendars`") else {
        return Default::default();
    };
    let names = t.keys().map(|k| k.get_ref().to_string()).collect();
    (calendars::read_calendars(r, t, load), names)
}

#[cfg(test)]
mod tests;
