//! Ticket keys are unique across the installation (SPEC §4): a key one
//! client uses is refused for another, generated keys take the next free
//! number of all tickets, and a database from before (one key for tickets
//! of several clients) migrates and is looked up without guessing.

use accord_store::{Error, NewTicket, Tenant, TicketFilter};

use crate::harness::{TestDb, both};
use crate::{client_with_contract, open, opened};

fn new(client: &accord_store::ClientId, contract: &str, key: &str) -> NewTicket {
    NewTicket {
        client: client.clone(),
        contract_id: contract.into(),
        opened: opened(key, "normal", 5),
    }
}

both!(a_key_another_client_uses_is_refused);
async fn a_key_another_client_uses_is_refused(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    open(s, &acme, "acme", "T-1", "critical", 0).await;
    let err = s
        .tickets()
        .open(
            &Tenant::Provider,
            new(&globex, "globex", "T-1"),
            crate::at(5),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let globex_tickets = TicketFilter {
        client: Some(globex.clone()),
        ..TicketFilter::default()
    };
    let listed = s
        .tickets()
        .list(&Tenant::Provider, &globex_tickets, None, 10)
        .await
        .unwrap();
    assert!(listed.is_empty(), "nothing written: {listed:?}");
}

both!(generated_keys_take_the_next_free_number_of_all_tickets);
async fn generated_keys_take_the_next_free_number_of_all_tickets(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    open(s, &acme, "acme", "T-1", "critical", 0).await;
    open(s, &acme, "acme", "T-7", "critical", 0).await;
    open(s, &acme, "acme", "ACME-99", "critical", 0).await;
    let next = s
        .tickets()
        .open_next(
            &Tenant::Client(globex.clone()),
            new(&globex, "globex", ""),
            crate::at(5),
        )
        .await
        .unwrap();
    assert_eq!(next.key, "T-8");
    let events = s
        .tickets()
        .with_clocks(&Tenant::Provider, &next.id)
        .await
        .unwrap()
        .unwrap()
        .events;
    assert_eq!(events[0].ticket, "T-8");
    let after = s
        .tickets()
        .open_next(&Tenant::Provider, new(&acme, "acme", ""), crate::at(6))
        .await
        .unwrap();
    assert_eq!(after.key, "T-9");
}

both!(concurrent_generated_openings_take_different_keys);
async fn concurrent_generated_openings_take_different_keys(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    // A second pool on the same database, as another server would have.
    let other = accord_store::Store::open(&db.url).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = if i % 2 == 0 { s.clone() } else { other.clone() };
        let (client, contract) = if i % 3 == 0 {
            (acme.clone(), "acme")
        } else {
            (globex.clone(), "globex")
        };
        tasks.push(tokio::spawn(async move {
            store
                .tickets()
                .open_next(&Tenant::Provider, new(&client, contract, ""), crate::at(5))
                .await
                .unwrap()
                .key
        }));
    }
    let mut keys = Vec::new();
    for t in tasks {
        keys.push(t.await.unwrap());
    }
    keys.sort_by_key(|k| k[2..].parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=12).map(|n| format!("T-{n}")).collect();
    assert_eq!(keys, expected);
    other.close().await;
}

/// Undoes migration 5 and gives two clients' tickets one key, as a
/// database from before it could hold.
async fn make_legacy_duplicate(url: &str) {
    const STATEMENTS: [&str; 5] = [
        "DROP TABLE contract_files",
        "DROP TABLE ticket_keys",
        "DROP INDEX tickets_key",
        "DELETE FROM _sqlx_migrations WHERE version = 5",
        "UPDATE tickets SET key = 'T-1' WHERE key = 'T-2'",
    ];
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        for sql in STATEMENTS {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        for sql in STATEMENTS {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

both!(a_key_two_clients_share_from_before_migrates_and_is_not_guessed);
async fn a_key_two_clients_share_from_before_migrates_and_is_not_guessed(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    let a = open(s, &acme, "acme", "T-1", "critical", 0).await;
    let g = open(s, &globex, "globex", "T-2", "critical", 0).await;
    s.close().await;
    make_legacy_duplicate(&db.url).await;
    let s = accord_store::Store::open(&db.url).await.unwrap();

    let by_key = |key: &str| TicketFilter {
        key: Some(key.into()),
        ..TicketFilter::default()
    };
    let both_ids = s
        .tickets()
        .list(&Tenant::Provider, &by_key("T-1"), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect::<Vec<_>>();
    assert_eq!(both_ids, [a.id.clone(), g.id.clone()]);
    let acme_only = s
        .tickets()
        .list(&Tenant::Client(acme.clone()), &by_key("T-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(acme_only.len(), 1);
    assert_eq!(acme_only[0].id, a.id);
    // The shared key stays taken; the next generated one is past it.
    let err = s
        .tickets()
        .open(&Tenant::Provider, new(&acme, "acme", "T-1"), crate::at(5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let next = s
        .tickets()
        .open_next(&Tenant::Provider, new(&globex, "globex", ""), crate::at(5))
        .await
        .unwrap();
    assert_eq!(next.key, "T-2");
    s.close().await;
}
