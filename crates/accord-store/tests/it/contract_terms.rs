//! A ticket opens only inside its contract version's effective dates
//! (SPEC §2), and stored contracts keep the holiday files they were
//! uploaded with.

use accord_store::{ContractFiles, Error, NewTicket, Tenant, TicketFilter};
use jiff::Timestamp;

use crate::harness::{TestDb, both};
use crate::{CONTRACT, opened, t0};

const HOSTING: &str = include_str!("../../../../examples/hosting-24x7.contract.toml");
const US_FEDERAL: &str = include_str!("../../../../examples/holidays/us-federal.ics");

fn opened_on(key: &str, at: &str) -> accord_core::clock::TicketEvent {
    let mut e = opened(key, "normal", 0);
    e.at = at.parse().unwrap();
    e
}

both!(a_ticket_outside_the_contract_dates_is_refused_and_nothing_is_written);
async fn a_ticket_outside_the_contract_dates_is_refused_and_nothing_is_written(db: &TestDb) {
    let s = &db.store;
    let client = s.accounts().create_client("Acme", t0()).await.unwrap();
    let text = CONTRACT.replace("CONTRACT_ID", "acme").replace(
        "effective_from = 2026-01-01",
        "effective_from = 2026-01-01\neffective_until = 2026-09-30",
    );
    s.contracts()
        .put_version(&client, "acme.contract.toml", &text, t0())
        .await
        .unwrap();
    let now: Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
    for (key, at, words) in [
        ("T-1", "2026-10-01T00:00:00Z", "2026-10-01"),
        ("T-2", "2025-12-31T23:59:59Z", "2025-12-31"),
    ] {
        let new = NewTicket {
            client: client.clone(),
            contract_id: "acme".into(),
            opened: opened_on(key, at),
        };
        let err = s
            .tickets()
            .open(&Tenant::Provider, new, now)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::OutsideContractDates { version: 1, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "contract `acme` (version 1) is in force from 2026-01-01 to 2026-09-30; \
                 the ticket opens on {words}"
            )
        );
    }
    let none = s
        .tickets()
        .list(&Tenant::Provider, &TicketFilter::default(), None, 10)
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
    // The last day is inside.
    let new = NewTicket {
        client: client.clone(),
        contract_id: "acme".into(),
        opened: opened_on("T-3", "2026-09-30T23:00:00Z"),
    };
    let last = s.tickets().open(&Tenant::Provider, new, now).await.unwrap();
    assert_eq!(last.key, "T-3");
}

fn us_files() -> ContractFiles {
    ContractFiles::from([(
        "holidays/us-federal.ics".to_string(),
        US_FEDERAL.to_string(),
    )])
}

both!(a_stored_contract_keeps_its_holiday_files);
async fn a_stored_contract_keeps_its_holiday_files(db: &TestDb) {
    let s = &db.store;
    let client = s.accounts().create_client("Northwind", t0()).await.unwrap();
    s.contracts()
        .put_version_with_files(
            &client,
            "hosting-24x7.contract.toml",
            HOSTING,
            &us_files(),
            t0(),
        )
        .await
        .unwrap();
    let id = "northwind-hosting-2026";
    let stored = s
        .contracts()
        .files(&Tenant::Provider, id, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, us_files());
    // Thanksgiving (26 November 2026) is closed on the US business calendar.
    let c = s
        .contracts()
        .parsed_version(&Tenant::Client(client.clone()), id, 2)
        .await
        .unwrap()
        .unwrap();
    let cal = c.calendar("us_business").unwrap();
    let day = |d: &str| -> Timestamp { d.parse().unwrap() };
    let thanksgiving = cal
        .elapsed(day("2026-11-26T00:00:00Z"), day("2026-11-27T00:00:00Z"))
        .unwrap();
    assert_eq!(thanksgiving.as_secs(), 0);
    let wednesday = cal
        .elapsed(day("2026-11-25T00:00:00Z"), day("2026-11-26T00:00:00Z"))
        .unwrap();
    assert_eq!(wednesday.as_secs(), 10 * 3600);
    // Tickets are evaluated on it too.
    let new = NewTicket {
        client: client.clone(),
        contract_id: id.into(),
        opened: {
            let mut e = opened_on("N-1", "2026-11-25T23:00:00Z");
            e.kind = accord_core::clock::EventKind::Opened {
                priority: "request".into(),
            };
            e
        },
    };
    let now: Timestamp = "2026-11-27T14:00:00Z".parse().unwrap();
    let t = s.tickets().open(&Tenant::Provider, new, now).await.unwrap();
    let clocks = s
        .tickets()
        .with_clocks(&Tenant::Provider, &t.id)
        .await
        .unwrap()
        .unwrap()
        .clocks;
    // Opened at closing (18:00 New York) on the 25th; the 26th is a holiday; the 27th
    // opens at 08:00 New York (13:00 UTC): one hour by 14:00 UTC.
    let first = clocks
        .iter()
        .find(|c| c.metric.as_str() == "first_response")
        .unwrap();
    assert_eq!(first.elapsed_secs, 3600);

    // An amendment that does not send the file again keeps it.
    let amended = HOSTING
        .replace("version = 2 ", "version = 3 ")
        .replace("effective_from = 2026-02-01", "effective_from = 2026-06-01");
    s.contracts()
        .amend(id, "hosting-24x7.contract.toml", &amended, t0())
        .await
        .unwrap();
    assert_eq!(
        s.contracts()
            .files(&Tenant::Provider, id, 3)
            .await
            .unwrap()
            .unwrap(),
        us_files()
    );
}

both!(a_holiday_file_not_uploaded_is_a_diagnostic_at_its_line);
async fn a_holiday_file_not_uploaded_is_a_diagnostic_at_its_line(db: &TestDb) {
    let s = &db.store;
    let client = s.accounts().create_client("Northwind", t0()).await.unwrap();
    let wrong = ContractFiles::from([("us.ics".to_string(), US_FEDERAL.to_string())]);
    for files in [ContractFiles::new(), wrong] {
        let err = s
            .contracts()
            .put_version_with_files(&client, "hosting-24x7.contract.toml", HOSTING, &files, t0())
            .await
            .unwrap_err();
        let Error::Contract(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.0.len(), 1, "{d:?}");
        assert_eq!((d.0[0].line, d.0[0].column), (38, 18), "{d:?}");
        assert!(
            d.0[0].message.contains("holidays/us-federal.ics"),
            "{}",
            d.0[0].message
        );
    }
    assert!(
        s.contracts()
            .summaries(&Tenant::Provider)
            .await
            .unwrap()
            .is_empty()
    );
}
