//! The store's conformance suite: every test body runs against SQLite and
//! PostgreSQL (see `harness.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

mod accounts;
mod contract_terms;
mod contracts;
mod directory;
mod events;
mod ingest;
mod invoices;
mod keys;
mod migrations;
mod milestones;
mod monitor;
mod notifications;
mod statements;
mod tenancy;
mod time_entries;

use accord_core::clock::{EventKind, TicketEvent};
use accord_store::{ClientId, NewTicket, Store, Tenant, Ticket};
use jiff::{SignedDuration, Timestamp};

pub use accord_store::testing::CONTRACT;

/// The instant tickets open at in these tests.
pub fn t0() -> Timestamp {
    "2026-03-02T08:00:00Z".parse().unwrap()
}

/// `t0` plus some minutes.
pub fn at(minutes: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(minutes)
}

pub fn event(key: &str, kind: EventKind, minutes: i64, id: Option<&str>) -> TicketEvent {
    TicketEvent {
        ticket: key.to_string(),
        kind,
        at: at(minutes),
        id: id.map(str::to_string),
        by: None,
        note: None,
        seq: None,
    }
}

pub fn opened(key: &str, priority: &str, minutes: i64) -> TicketEvent {
    event(
        key,
        EventKind::Opened {
            priority: priority.to_string(),
        },
        minutes,
        Some(&format!("{key}-opened")),
    )
}

/// A client with contract `contract_id` (version 1).
pub async fn client_with_contract(store: &Store, name: &str, contract_id: &str) -> ClientId {
    let client = store.accounts().create_client(name, t0()).await.unwrap();
    let text = CONTRACT.replace("CONTRACT_ID", contract_id);
    store
        .contracts()
        .put_version(&client, "test.contract.toml", &text, t0())
        .await
        .unwrap();
    client
}

/// Opens ticket `key` for `client` at `t0 + minutes`.
pub async fn open(
    store: &Store,
    client: &ClientId,
    contract_id: &str,
    key: &str,
    priority: &str,
    minutes: i64,
) -> Ticket {
    let new = NewTicket {
        client: client.clone(),
        contract_id: contract_id.to_string(),
        opened: opened(key, priority, minutes),
    };
    store
        .tickets()
        .open(&Tenant::Provider, new, at(minutes))
        .await
        .unwrap()
}
