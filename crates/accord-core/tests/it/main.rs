//! Integration tests of accord-core's public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod business_time_laws;
mod clocks;
mod contract_checks;
mod contract_errors;
mod contract_fuzz;
mod contract_model;
mod contract_parties;
mod milestone_laws;
mod milestones;
