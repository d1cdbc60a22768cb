//! SLA clocks: what each response, resolution and update clock of a ticket
//! says, as a pure function of the contract, the ticket's events and the
//! evaluation instant (SPEC §4, §5).

mod metric;

pub use metric::Metric;
