//! Contract versions: stored after they parse, refused whole otherwise.

use accord_store::{Error, Tenant};

use crate::harness::{TestDb, both};
use crate::{CONTRACT, t0};

both!(a_broken_contract_writes_nothing_and_returns_diagnostics);
async fn a_broken_contract_writes_nothing_and_returns_diagnostics(db: &TestDb) {
    let s = &db.store;
    let client = s.accounts().create_client("Acme", t0()).await.unwrap();
    let broken = CONTRACT
        .replace("CONTRACT_ID", "acme")
        .replace("timezone = \"UTC\"", "timezone = \"Mars/Olympus\"")
        .replace("resolution = \"4h\"", "resolution = \"4 hours\"");
    let err = s
        .contracts()
        .put_version(&client, "acme.contract.toml", &broken, t0())
        .await
        .unwrap_err();
    let Error::Contract(diags) = err else {
        panic!("expected diagnostics, got {err:?}")
    };
    assert_eq!(diags.0.len(), 2, "{diags}");
    assert!(
        diags
            .0
            .iter()
            .all(|d| d.file.ends_with("acme.contract.toml") && d.line > 0)
    );
    assert!(diags.to_string().contains("Mars/Olympus"), "{diags}");
    let not_toml = s
        .contracts()
        .put_version(&client, "acme.contract.toml", "id = ", t0())
        .await;
    assert!(matches!(not_toml, Err(Error::Contract(_))));
    assert!(
        s.contracts()
            .versions(&Tenant::Provider, "acme")
            .await
            .unwrap()
            .is_empty()
    );

    // The valid text is stored once; the same version again is a conflict.
    let good = CONTRACT.replace("CONTRACT_ID", "acme");
    let v1 = s
        .contracts()
        .put_version(&client, "acme.contract.toml", &good, t0())
        .await
        .unwrap();
    assert_eq!((v1.contract_id.as_str(), v1.version), ("acme", 1));
    assert_eq!(v1.effective_from.to_string(), "2026-01-01");
    let again = s
        .contracts()
        .put_version(&client, "acme.contract.toml", &good, t0())
        .await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    let amended = good.replace(
        "effective_from = 2026-01-01",
        "version = 2\neffective_from = 2026-04-01",
    );
    s.contracts()
        .put_version(&client, "acme.contract.toml", &amended, t0())
        .await
        .unwrap();
    let versions = s
        .contracts()
        .versions(&Tenant::Provider, "acme")
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(versions[0].source, good);

    // Another client cannot take over the contract id.
    let other = s.accounts().create_client("Globex", t0()).await.unwrap();
    let stolen = s
        .contracts()
        .put_version(&other, "x.toml", &good, t0())
        .await;
    assert!(matches!(stolen, Err(Error::Conflict(_))), "{stolen:?}");
}

both!(tickets_follow_the_contract_version_in_force_when_opened);
async fn tickets_follow_the_contract_version_in_force_when_opened(db: &TestDb) {
    let s = &db.store;
    let client = crate::client_with_contract(s, "Acme", "acme").await;
    let amended = CONTRACT.replace("CONTRACT_ID", "acme").replace(
        "effective_from = 2026-01-01",
        "version = 2\neffective_from = 2026-04-01",
    );
    s.contracts()
        .put_version(&client, "acme.contract.toml", &amended, t0())
        .await
        .unwrap();
    // A ticket is governed by the version in force on its opening day.
    let march = crate::open(s, &client, "acme", "T-1", "critical", 0).await;
    assert_eq!(march.contract_version, 1);
    let april = crate::open(s, &client, "acme", "T-2", "critical", 31 * 24 * 60).await;
    assert_eq!(april.contract_version, 2);
    // Keys are unique per client.
    let dup = accord_store::NewTicket {
        client: client.clone(),
        contract_id: "acme".into(),
        opened: crate::opened("T-1", "normal", 5),
    };
    let err = s
        .tickets()
        .open(&Tenant::Provider, dup, crate::at(5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
}
