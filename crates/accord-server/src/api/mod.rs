//! The JSON API, by version; handlers mirror URLs (`v1/tickets.rs` serves
//! `/api/v1/tickets...`).

pub mod v1;
