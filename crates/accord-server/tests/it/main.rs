//! The server's integration tests: the real router served by `launch` on
//! `127.0.0.1:0` over a fresh database (see `helpers.rs`), driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod api;
mod contracts;
mod invoices;
mod keys_and_terms;
mod milestones;
mod notify;
mod ops;
mod receivers;
mod tenancy;
mod time;
mod web;
// accounts, pauses, amendments, every route's tenancy, bad input
mod accounts;
mod amendments;
mod bad_input;
mod pauses;
mod roles;
mod routes_tenancy;
mod statements;
