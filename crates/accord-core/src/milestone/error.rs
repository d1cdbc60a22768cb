//! Why milestone events cannot be evaluated against a contract (SPEC §6,
//! §10): each error names the event at fault (its id, else its position in
//! the input) and the field.

use jiff::civil::Date;

use crate::clock::EventRef;

/// Why milestone events cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MilestoneError {
    /// The event names a milestone the contract does not have.
    #[error("{event}: field `milestone`: unknown milestone `{milestone}`; {help}")]
    UnknownMilestone {
        /// The offending event.
        event: Box<EventRef>,
        /// The milestone named.
        milestone: String,
        /// The closest id, or the ids there are.
        help: String,
    },
    /// The event names a deliverable the milestone does not have.
    #[error(
        "{event}: field `deliverable`: milestone `{milestone}` has no deliverable `{deliverable}`; {help}"
    )]
    UnknownDeliverable {
        /// The offending event.
        event: Box<EventRef>,
        /// The milestone.
        milestone: String,
        /// The deliverable named.
        deliverable: String,
        /// The names there are (ids, else positions).
        help: String,
    },
    /// A pause with a reason the contract does not allow (SPEC §5).
    #[error(
        "{event}: field `reason`: pause reason `{reason}` is not allowed by the contract; allowed: {allowed}"
    )]
    PauseReasonNotAllowed {
        /// The offending event.
        event: Box<EventRef>,
        /// The reason given.
        reason: String,
        /// The allowed reasons, comma-separated.
        allowed: String,
    },
    /// Two different events share an idempotency key.
    #[error("{event}: field `id`: the id `{id}` was already used by a different event, {earlier}")]
    ConflictingId {
        /// The shared id.
        id: String,
        /// The later of the two in the input.
        event: Box<EventRef>,
        /// The earlier.
        earlier: Box<EventRef>,
    },
    /// The calendar has no business day where the adjusted date would fall.
    #[error(
        "milestone `{milestone}`: calendar `{calendar}` has no business day {days} business days from {baseline}"
    )]
    NoBusinessDay {
        /// The milestone.
        milestone: String,
        /// Its calendar.
        calendar: String,
        /// Its baseline due date.
        baseline: Date,
        /// The business days asked for.
        days: i64,
    },
}

impl MilestoneError {
    /// The event field at fault, as the interchange format names it, if the
    /// error is about one.
    ///
    /// ```
    /// use accord_core::milestone::{MilestoneEvent, evaluate};
    /// # use accord_core::{contract::Contract, diagnostic::SourceFile};
    /// # let text = "id = \"c\"\nclient = \"C\"\neffective_from = 2026-01-01\n[calendars.c]\ntimezone = \"UTC\"\nevery_day = [\"00:00-24:00\"]\n[priorities.p]\ncalendar = \"c\"\nresolution = \"1h\"\n";
    /// # let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
    /// let e = MilestoneEvent::from_json_line(r#"{"milestone":"m","kind":"completed","at":"2026-03-02T10:00:00Z"}"#)?;
    /// let err = evaluate(&contract, &[e], "2026-03-03T00:00:00Z".parse()?).unwrap_err();
    /// assert_eq!(err.field(), Some("milestone"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn field(&self) -> Option<&'static str> {
        match self {
            MilestoneError::UnknownMilestone { .. } => Some("milestone"),
            MilestoneError::UnknownDeliverable { .. } => Some("deliverable"),
            MilestoneError::PauseReasonNotAllowed { .. } => Some("reason"),
            MilestoneError::ConflictingId { .. } => Some("id"),
            MilestoneError::NoBusinessDay { .. } => None,
        }
    }

    /// The event the error is about, if it is about one.
    pub fn event(&self) -> Option<&EventRef> {
        match self {
            MilestoneError::UnknownMilestone { event, .. }
            | MilestoneError::UnknownDeliverable { event, .. }
            | MilestoneError::PauseReasonNotAllowed { event, .. }
            | MilestoneError::ConflictingId { event, .. } => Some(event),
            MilestoneError::NoBusinessDay { .. } => None,
        }
    }
}
