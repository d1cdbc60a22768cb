//! The outbox: a firing writes one notification per recipient in its claim
//! transaction; delivery claims are leased; attempts are recorded once.

use accord_store::{
    AttemptOutcome, CrossingPayload, DeliveryAttempt, DeliveryStatus, NewWebhook,
    NotificationTarget, Tenant, Topics,
};

use crate::harness::{TestDb, both};
use crate::{CONTRACT, at, open, t0};

both!(a_firing_writes_one_notification_per_recipient_and_attempts_are_recorded_once);
async fn a_firing_writes_one_notification_per_recipient_and_attempts_are_recorded_once(
    db: &TestDb,
) {
    let s = &db.store;
    let acme = s.accounts().create_client("Acme", t0()).await.unwrap();
    let text = CONTRACT.replace("CONTRACT_ID", "acme")
        + r#"
[contacts.provider]
delivery_lead = { name = "Sam Okafor", email = "sam@provider.test" }
[warnings]
notify = ["provider.delivery_lead"]
"#;
    s.contracts()
        .put_version(&acme, "acme.toml", &text, t0())
        .await
        .unwrap();
    let globex = s.accounts().create_client("Globex", t0()).await.unwrap();
    let hook = |url: &str, topics, client| NewWebhook {
        url: url.to_string(),
        topics,
        client,
        description: String::new(),
    };
    let (all, secret) = s
        .outbox()
        .create_webhook(hook("http://127.0.0.1:9/all", Topics::all(), None), t0())
        .await
        .unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    // Neither of these wants a warning of Acme's.
    s.outbox()
        .create_webhook(
            hook(
                "http://127.0.0.1:9/b",
                Topics::parse(&["clock.breach"]).unwrap(),
                None,
            ),
            t0(),
        )
        .await
        .unwrap();
    s.outbox()
        .create_webhook(
            hook("http://127.0.0.1:9/g", Topics::all(), Some(globex.clone())),
            t0(),
        )
        .await
        .unwrap();
    for bad in ["ftp://x.test/", "http://", "example.test"] {
        let e = s
            .outbox()
            .create_webhook(hook(bad, Topics::all(), None), t0())
            .await
            .unwrap_err();
        assert!(matches!(e, accord_store::Error::Invalid(_)), "{bad}: {e}");
    }
    assert_eq!(s.outbox().webhooks().await.unwrap().len(), 3);

    let t = open(s, &acme, "acme", "T-1", "critical", 0).await;
    assert_eq!(s.schedule().next_due_at().await.unwrap(), Some(at(30)));
    assert_eq!(
        s.schedule()
            .claim_due(at(30), 10)
            .await
            .unwrap()
            .crossings
            .len(),
        1
    );
    assert_eq!(s.outbox().next_attempt_at().await.unwrap(), Some(at(30)));

    let claimed = s.outbox().claim(at(30), at(31), 10).await.unwrap();
    let mut targets: Vec<_> = claimed.iter().map(|n| n.target.clone()).collect();
    targets.sort_by_key(|t| matches!(t, NotificationTarget::Email { .. }));
    assert_eq!(
        targets,
        [
            NotificationTarget::Webhook {
                id: all.id.clone(),
                url: "http://127.0.0.1:9/all".into(),
                secret,
            },
            NotificationTarget::Email {
                name: Some("Sam Okafor".into()),
                address: "sam@provider.test".into(),
            },
        ]
    );
    for n in &claimed {
        let facts: CrossingPayload = serde_json::from_str(&n.payload).unwrap();
        assert_eq!(
            (n.topic.as_str(), n.subject.as_str()),
            ("clock.warning", t.id.as_str())
        );
        assert_eq!((n.attempt, facts.ticket.key.as_str()), (1, "T-1"));
        assert_eq!(
            (facts.client.name.as_str(), facts.contract.version),
            ("Acme", 1)
        );
        let instant = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            (instant(&facts.crossed_at), instant(&facts.fired_at)),
            (at(30), at(30))
        );
    }
    // Leased until 08:31: nobody else takes them before.
    assert!(
        s.outbox()
            .claim(at(30), at(40), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let n = &claimed[0];
    let attempt = DeliveryAttempt {
        attempt: 1,
        at: at(30),
        duration_ms: 12,
        status_code: Some(500),
        error: Some("HTTP 500".into()),
    };
    let retry = AttemptOutcome::RetryAt(at(35));
    assert!(
        s.outbox()
            .record_attempt(&n.id, &attempt, retry, at(30))
            .await
            .unwrap()
    );
    // The same attempt recorded again (a worker whose lease ran out) is refused.
    assert!(
        !s.outbox()
            .record_attempt(&n.id, &attempt, retry, at(30))
            .await
            .unwrap()
    );
    // The other one's lease runs out at 08:31 and it is due again, still attempt 1.
    let again = s.outbox().claim(at(31), at(32), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id.clone(), again[0].attempt),
        (claimed[1].id.clone(), 1)
    );
    // At 08:35 the failed one is due for attempt 2 (and the other's lease has run out again).
    let retried = s.outbox().claim(at(35), at(36), 10).await.unwrap();
    assert_eq!(retried.len(), 2);
    let second = retried.iter().find(|r| r.id == n.id).unwrap();
    assert_eq!(second.attempt, 2);

    let records = s
        .tickets()
        .crossings(&Tenant::Client(acme.clone()), &t.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(records.len(), 1);
    let d = records[0].deliveries.iter().find(|d| d.id == n.id).unwrap();
    assert_eq!((d.status, d.attempts.len()), (DeliveryStatus::Pending, 1));
    assert_eq!(d.attempts[0], attempt);
    assert_eq!(
        s.tickets()
            .crossings(&Tenant::Client(globex), &t.id)
            .await
            .unwrap(),
        None
    );
}

#[test]
fn a_webhook_subscribes_to_known_topics_only() {
    let both = Topics::parse(&["clock.breach", "clock.warning", "clock.breach"]).unwrap();
    assert_eq!(both.as_slice(), &["clock.warning", "clock.breach"]);
    let all = Topics::all();
    for topic in [
        "clock.breach",
        "milestone.deliverable_overdue",
        "milestone.shifted",
        "milestone.overdue",
    ] {
        assert!(all.contains(topic), "{topic}");
    }
    let err = Topics::parse(&["clock.breach", "invoice.paid"]).unwrap_err();
    assert!(
        err.to_string().contains("`invoice.paid` is not a topic"),
        "{err}"
    );
    assert!(Topics::parse::<&str>(&[]).is_err());
}
