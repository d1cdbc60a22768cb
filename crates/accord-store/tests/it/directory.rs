//! The API's accounts and contract versions in the store: users
//! and contract versions scoped by tenant, tokens revoked only by their
//! owner, amendments checked against the latest version, atomically.

use accord_store::{Error, NewUser, Role, Tenant};

use crate::harness::{TestDb, both};
use crate::{CONTRACT, client_with_contract, t0};

fn amendment(id: &str, version: u32, from: &str) -> String {
    CONTRACT.replace("CONTRACT_ID", id).replace(
        "effective_from = 2026-01-01",
        &format!("version = {version}\neffective_from = {from}"),
    )
}

both!(users_and_contract_versions_are_scoped_and_tokens_revoked_by_owner);
async fn users_and_contract_versions_are_scoped_and_tokens_revoked_by_owner(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "ACME").await;
    let globex = client_with_contract(s, "Globex", "GLOBEX").await;
    let user = |email: &'static str, client: &accord_store::ClientId| NewUser {
        email,
        name: "N",
        role: Role::Client,
        client: Some(client.clone()),
        password: None,
    };
    let ana = s
        .accounts()
        .create_user(user("ana@acme.test", &acme), t0())
        .await
        .unwrap();
    let gus = s
        .accounts()
        .create_user(user("gus@globex.test", &globex), t0())
        .await
        .unwrap();

    let as_acme = Tenant::Client(acme.clone());
    let emails =
        |users: Vec<accord_store::User>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
    assert_eq!(
        emails(s.accounts().users(&as_acme).await.unwrap()),
        ["ana@acme.test"]
    );
    assert_eq!(
        emails(s.accounts().users(&Tenant::Provider).await.unwrap()),
        ["ana@acme.test", "gus@globex.test"]
    );
    assert!(
        s.contracts()
            .version(&as_acme, "ACME", 1)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.contracts()
            .version(&as_acme, "GLOBEX", 1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.contracts()
            .version(&Tenant::Provider, "ACME", 2)
            .await
            .unwrap()
            .is_none()
    );

    let (gus_token, gus_secret) = s
        .accounts()
        .create_token(&gus.id, "ci", t0())
        .await
        .unwrap();
    // Ana cannot revoke Gus's token; Gus can, once.
    assert!(
        !s.accounts()
            .revoke_token_of(&ana.id, &gus_token.id, t0())
            .await
            .unwrap()
    );
    assert!(
        s.accounts()
            .verify_token(&gus_secret)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.accounts()
            .revoke_token_of(&gus.id, &gus_token.id, t0())
            .await
            .unwrap()
    );
    assert!(
        !s.accounts()
            .revoke_token_of(&gus.id, &gus_token.id, t0())
            .await
            .unwrap()
    );
    assert!(
        s.accounts()
            .verify_token(&gus_secret)
            .await
            .unwrap()
            .is_none()
    );
    let listed = s.accounts().tokens(Some(&gus.id)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].revoked_at, Some(t0()));
    assert!(s.accounts().tokens(Some(&ana.id)).await.unwrap().is_empty());
}

both!(an_amendment_must_follow_the_latest_version_and_nothing_else_is_written);
async fn an_amendment_must_follow_the_latest_version_and_nothing_else_is_written(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "ACME").await;
    let v2 = s
        .contracts()
        .amend("ACME", "v2.toml", &amendment("ACME", 2, "2026-06-01"), t0())
        .await
        .unwrap();
    assert_eq!((v2.version, v2.client.clone()), (2, acme.clone()));
    for (text, key) in [
        (amendment("ACME", 3, "2026-06-01"), "effective_from"),
        (amendment("ACME", 2, "2026-09-01"), "version"),
        (amendment("OTHER", 3, "2026-09-01"), "id"),
    ] {
        match s.contracts().amend("ACME", "bad.toml", &text, t0()).await {
            Err(Error::Amendment(e)) => assert_eq!(e.key(), key, "{e}"),
            other => panic!("{key}: {other:?}"),
        }
    }
    assert!(matches!(
        s.contracts()
            .amend("NOPE", "x.toml", &amendment("NOPE", 2, "2026-09-01"), t0())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        s.contracts().amend("ACME", "x.toml", "id = ", t0()).await,
        Err(Error::Contract(_))
    ));
    let versions = s
        .contracts()
        .versions(&Tenant::Provider, "ACME")
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    let parsed = s
        .contracts()
        .parsed_version(&Tenant::Client(acme), "ACME", 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parsed.effective_from().to_string(), "2026-06-01");
}
