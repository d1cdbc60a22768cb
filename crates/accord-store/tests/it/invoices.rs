//! Invoices (SPEC §8): drafts computed by the core's fold from approved
//! time, issued with gap-free numbers per series and frozen documents,
//! entries marked invoiced — per tenant, on both backends.

use accord_core::time::TimeEntry;
use accord_store::{
    Actor, ClientId, EntryFilter, EntryStatus, Error, InvoiceStatus, NewDocument, Store, Tenant,
};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::harness::{TestDb, both};

fn now() -> Timestamp {
    "2026-04-02T12:00:00Z".parse().unwrap()
}

const ADMIN: &str = "admin@provider.example";

fn staff() -> Actor<'static> {
    Actor {
        tenant: &Tenant::Provider,
        email: ADMIN,
    }
}

/// A client with `CONTRACT` as `id`, billed at 100.00 an hour, 14 days to pay.
async fn client(store: &Store, name: &str, id: &str) -> ClientId {
    let client = store
        .accounts()
        .create_client(name, crate::t0())
        .await
        .unwrap();
    let text = format!(
        "{}\n[billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\npayment_terms_days = 14\n",
        crate::CONTRACT.replace("CONTRACT_ID", id).replace(
            "client = \"Test client\"",
            "client = \"Test client\"\ncurrency = \"EUR\""
        )
    );
    store
        .contracts()
        .put_version(&client, "c.toml", &text, crate::t0())
        .await
        .unwrap();
    client
}

/// Writes and approves a 90-minute entry of `contract` starting at `start`.
async fn approved(store: &Store, contract: &str, key: &str, start: &str) {
    let e = TimeEntry::from_json_line(&format!(
        r#"{{"id":"{key}","person":"sam@provider.example","start":"{start}","minutes":90,"activity":"development"}}"#
    ))
    .unwrap();
    let t = store.time_entries();
    let e = t
        .create(staff(), contract, &[e], "created", false, now())
        .await
        .unwrap()
        .remove(0);
    t.transition(
        staff(),
        &e.id,
        &[EntryStatus::Draft],
        EntryStatus::Submitted,
        None,
        now(),
    )
    .await
    .unwrap();
    t.transition(
        staff(),
        &e.id,
        &[EntryStatus::Submitted],
        EntryStatus::Approved,
        None,
        now(),
    )
    .await
    .unwrap();
}

fn render(
    _: &accord_core::contract::Contract,
    i: &accord_core::billing::Invoice,
) -> Result<Vec<NewDocument>, String> {
    Ok(vec![NewDocument {
        format: "txt".into(),
        content_type: "text/plain".into(),
        body: format!("{} {}", i.number.clone().unwrap_or_default(), i.gross).into_bytes(),
    }])
}

both!(an_issued_invoice_is_numbered_without_gaps_and_its_documents_are_frozen);
async fn an_issued_invoice_is_numbered_without_gaps_and_its_documents_are_frozen(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    approved(s, "acme", "E-1", "2026-03-02T09:00:00Z").await;
    approved(s, "acme", "E-2", "2026-04-01T09:00:00Z").await;
    let inv = s.invoices();
    let march = inv
        .draft(staff(), "acme", "2026-03", Decimal::new(2000, 2), now())
        .await
        .unwrap();
    // 1.5 h at 100.00, less a 20.00 credit.
    assert_eq!(
        (march.status, march.net.to_string()),
        (InvoiceStatus::Draft, "130.00".into())
    );
    assert!(matches!(
        inv.draft(staff(), "acme", "2026-03", Decimal::ZERO, now())
            .await,
        Err(Error::Conflict(_))
    ));
    let april = inv
        .draft(staff(), "acme", "2026-04", Decimal::ZERO, now())
        .await
        .unwrap();

    let today = date(2026, 4, 2);
    let issued = inv
        .issue(staff(), &march.id, today, &render, now())
        .await
        .unwrap();
    assert_eq!(issued.status, InvoiceStatus::Issued);
    assert_eq!(issued.number.as_deref(), Some("ACME-2026-0001"));
    assert_eq!(issued.due_date, Some(date(2026, 4, 16)));
    let second = inv
        .issue(staff(), &april.id, today, &render, now())
        .await
        .unwrap();
    assert_eq!(second.number.as_deref(), Some("ACME-2026-0002"));
    // Issued once.
    assert!(matches!(
        inv.issue(staff(), &march.id, today, &render, now()).await,
        Err(Error::InvoiceState { .. })
    ));

    let doc = inv
        .document(&Tenant::Provider, &march.id, "txt")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        String::from_utf8(doc.body.clone()).unwrap(),
        "ACME-2026-0001 130.00"
    );
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&doc.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(doc.sha256, expected);

    // Paid once.
    let paid = inv
        .pay(
            staff(),
            &march.id,
            Decimal::new(13000, 2),
            date(2026, 4, 10),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(paid.paid, Some((Decimal::new(13000, 2), date(2026, 4, 10))));
    assert!(matches!(
        inv.pay(staff(), &march.id, Decimal::ONE, date(2026, 4, 11), now())
            .await,
        Err(Error::InvoiceState { .. })
    ));

    // The invoiced entries are frozen as invoiced; April's by the second.
    let march_entries = s
        .time_entries()
        .list(
            &Tenant::Provider,
            "acme",
            &EntryFilter {
                period: Some("2026-03".into()),
                ..EntryFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(march_entries[0].status, EntryStatus::Invoiced);
}

both!(a_failed_rendering_issues_nothing_and_takes_no_number);
async fn a_failed_rendering_issues_nothing_and_takes_no_number(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    approved(s, "acme", "E-1", "2026-03-02T09:00:00Z").await;
    let inv = s.invoices();
    let draft = inv
        .draft(staff(), "acme", "2026-03", Decimal::ZERO, now())
        .await
        .unwrap();
    let fail = |_: &accord_core::contract::Contract,
                _: &accord_core::billing::Invoice|
     -> Result<Vec<NewDocument>, String> { Err("no PDF engine".into()) };
    let today = date(2026, 4, 2);
    let err = inv
        .issue(staff(), &draft.id, today, &fail, now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no PDF engine"), "{err}");
    let still = inv
        .get(&Tenant::Provider, &draft.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((still.status, still.number), (InvoiceStatus::Draft, None));
    let issued = inv
        .issue(staff(), &draft.id, today, &render, now())
        .await
        .unwrap();
    assert_eq!(
        issued.number.as_deref(),
        Some("ACME-2026-0001"),
        "no number was lost"
    );
}

both!(a_client_reads_only_its_own_invoices);
async fn a_client_reads_only_its_own_invoices(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    let beta = client(s, "Beta", "beta").await;
    approved(s, "acme", "E-1", "2026-03-02T09:00:00Z").await;
    let inv = s.invoices();
    let draft = inv
        .draft(staff(), "acme", "2026-03", Decimal::ZERO, now())
        .await
        .unwrap();
    inv.issue(staff(), &draft.id, date(2026, 4, 2), &render, now())
        .await
        .unwrap();
    let beta = Tenant::Client(beta);
    assert!(inv.get(&beta, &draft.id).await.unwrap().is_none());
    assert!(
        inv.document(&beta, &draft.id, "txt")
            .await
            .unwrap()
            .is_none()
    );
    let sneaky = Actor {
        tenant: &beta,
        email: "b@beta.example",
    };
    assert!(matches!(
        inv.draft(sneaky, "acme", "2026-04", Decimal::ZERO, now())
            .await,
        Err(Error::NotFound)
    ));
    let acme = Tenant::Client(acme);
    assert!(inv.get(&acme, &draft.id).await.unwrap().is_some());
    assert!(
        inv.document(&acme, &draft.id, "txt")
            .await
            .unwrap()
            .is_some()
    );
}
