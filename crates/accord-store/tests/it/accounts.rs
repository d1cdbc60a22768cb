//! Organisations, users, passwords and API tokens.

use accord_store::{Error, NewUser, Role, Tenant, TokenSecret};

use crate::harness::{TestDb, both};
use crate::t0;

both!(passwords_verify_and_emails_are_unique);
async fn passwords_verify_and_emails_are_unique(db: &TestDb) {
    let s = &db.store;
    s.accounts()
        .create_provider("Provider Ltd", t0())
        .await
        .unwrap();
    let acme = s.accounts().create_client("Acme", t0()).await.unwrap();
    let ana = s
        .accounts()
        .create_user(
            NewUser {
                email: "Ana@Provider.example",
                name: "Ana",
                role: Role::Agent,
                client: None,
                password: Some("correct horse"),
            },
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(ana.email, "ana@provider.example");
    assert_eq!(ana.tenant(), Tenant::Provider);

    let found = s
        .accounts()
        .authenticate("ANA@provider.example", "correct horse")
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&ana));
    assert_eq!(
        s.accounts()
            .authenticate("ana@provider.example", "wrong")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.accounts()
            .authenticate("bob@provider.example", "correct horse")
            .await
            .unwrap(),
        None
    );

    let dup = NewUser {
        email: "ana@provider.example",
        name: "Other Ana",
        role: Role::Admin,
        client: None,
        password: None,
    };
    assert!(matches!(
        s.accounts().create_user(dup, t0()).await,
        Err(Error::Conflict(_))
    ));

    let no_client = NewUser {
        email: "carl@acme.example",
        name: "Carl",
        role: Role::Client,
        client: None,
        password: Some("pw"),
    };
    assert!(matches!(
        s.accounts().create_user(no_client, t0()).await,
        Err(Error::Invalid(_))
    ));
    let carl = s
        .accounts()
        .create_user(
            NewUser {
                email: "carl@acme.example",
                name: "Carl",
                role: Role::Client,
                client: Some(acme.clone()),
                password: None,
            },
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(carl.tenant(), Tenant::Client(acme));
    // No password set: never authenticates.
    assert_eq!(
        s.accounts()
            .authenticate("carl@acme.example", "")
            .await
            .unwrap(),
        None
    );

    assert!(matches!(
        s.accounts().create_provider("Second provider", t0()).await,
        Err(Error::Conflict(_))
    ));
}

both!(tokens_are_created_verified_and_revoked);
async fn tokens_are_created_verified_and_revoked(db: &TestDb) {
    let s = &db.store;
    let acme = s.accounts().create_client("Acme", t0()).await.unwrap();
    let user = s
        .accounts()
        .create_user(
            NewUser {
                email: "carl@acme.example",
                name: "Carl",
                role: Role::Client,
                client: Some(acme),
                password: None,
            },
            t0(),
        )
        .await
        .unwrap();
    let (info, secret) = s
        .accounts()
        .create_token(&user.id, "ci", t0())
        .await
        .unwrap();
    assert_eq!(info.user, user.id);
    assert_eq!(
        s.accounts().verify_token(&secret).await.unwrap(),
        Some(user.clone())
    );
    let (_, other) = s
        .accounts()
        .create_token(&user.id, "laptop", t0())
        .await
        .unwrap();
    assert_ne!(secret, other);

    let forged = TokenSecret::new(format!("{}x", secret.expose()));
    assert_eq!(s.accounts().verify_token(&forged).await.unwrap(), None);

    assert!(s.accounts().revoke_token(&info.id, t0()).await.unwrap());
    assert_eq!(s.accounts().verify_token(&secret).await.unwrap(), None);
    assert!(!s.accounts().revoke_token(&info.id, t0()).await.unwrap());
    assert_eq!(s.accounts().verify_token(&other).await.unwrap(), Some(user));
}

#[tokio::test]
async fn urls_choose_the_backend_and_sqlite_files_are_created() {
    for url in ["mysql://localhost/x", "accord.db", ""] {
        let err = accord_store::Store::open(url).await.unwrap_err();
        assert!(matches!(err, Error::BadUrl(_)), "{url}: {err:?}");
    }
    let dir = std::env::temp_dir().join(format!("accord-open-{}", std::process::id()));
    let url = format!("sqlite://{}", dir.join("nested/data/accord.db").display());
    let store = accord_store::Store::open(&url).await.unwrap();
    store.close().await;
    // Opening again finds the schema migrated and migrates nothing.
    let again = accord_store::Store::open(&url).await.unwrap();
    assert!(
        again
            .accounts()
            .organisations(&Tenant::Provider)
            .await
            .unwrap()
            .is_empty()
    );
    again.close().await;
    assert!(dir.join("nested/data/accord.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}
