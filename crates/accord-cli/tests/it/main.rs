//! Tests of the real `accord` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod calendar;
mod clocks;
mod contract;
mod invoice;
mod invoice_documents;
mod milestones;
mod openslo;
mod report;
mod server;
mod support;
