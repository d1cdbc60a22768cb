//! What each outbox topic's message says (SPEC §7). A message's facts are
//! written as JSON when it is caused (the payload); the webhook body is those
//! facts with `event` (the topic) and `delivery` (the message id, the same
//! on every retry) in front, and the e-mail is written per topic from the
//! same facts.

use accord_store::{CrossingPayload, Notification};
use rust_decimal::Decimal;

/// The JSON body POSTed for `n`.
pub fn webhook_body(n: &Notification) -> String {
    let facts = n.payload.trim();
    let rest = facts.strip_prefix('{').unwrap_or(facts).trim_start();
    let head = format!(
        "{{\"event\":{},\"delivery\":{}",
        json_string(&n.topic),
        json_string(n.id.as_str())
    );
    if rest.starts_with('}') || rest.is_empty() {
        format!("{head}}}")
    } else {
        format!("{head},{rest}")
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The e-mail's subject and text for `n`.
pub fn email(n: &Notification) -> (String, String) {
    match n.topic.as_str() {
        "clock.warning" | "clock.breach" => {
            match serde_json::from_str::<CrossingPayload>(&n.payload) {
                Ok(c) => crossing_email(&c, n.id.as_str()),
                Err(e) => {
                    tracing::error!(notification = %n.id, error = %e, "a crossing message without its facts");
                    plain(n)
                }
            }
        }
        "statement.issued" => statement_email(n).unwrap_or_else(|| plain(n)),
        _ => plain(n),
    }
}

/// `statement.issued`: which statement, and the hash that identifies it.
fn statement_email(n: &Notification) -> Option<(String, String)> {
    let facts: serde_json::Value = serde_json::from_str(&n.payload).ok()?;
    let (s, c) = (&facts["statement"], &facts["contract"]);
    let (period, contract) = (s["period"].as_str()?, c["id"].as_str()?);
    let subject = format!("[Accord] Compliance statement {period} of {contract} issued");
    let text = format!(
        "The compliance statement of contract {contract} for {period} has been issued\n\
         (contract version {version}). It is available in the client portal and at\n\
         /api/v1/statements/{id}/document.pdf (also .html and .json).\n\n\
         Content hash (SHA-256 of its JSON): {sha}\n\
         Notification id: {delivery}\n",
        version = c["version"],
        id = s["id"].as_str()?,
        sha = s["sha256"].as_str()?,
        delivery = n.id,
    );
    Some((subject, text))
}

/// A message of a topic without its own words: the topic and the facts.
fn plain(n: &Notification) -> (String, String) {
    (
        format!("[Accord] {}", n.topic),
        format!("{}\n\nNotification id: {}\n", n.payload, n.id),
    )
}

fn crossing_email(c: &CrossingPayload, delivery: &str) -> (String, String) {
    let percent = c
        .share
        .parse::<Decimal>()
        .map(|s| (s * Decimal::ONE_HUNDRED).normalize().to_string())
        .unwrap_or_else(|_| c.share.clone());
    let subject = match c.kind.as_str() {
        "breach" => format!(
            "[Accord] Breach: {} {} target missed ({})",
            c.ticket.key, c.metric, c.client.name
        ),
        _ => format!(
            "[Accord] Warning: {} {} at {percent}% of target ({})",
            c.ticket.key, c.metric, c.client.name
        ),
    };
    let what = match c.kind.as_str() {
        "breach" => "reached its target".to_string(),
        _ => format!("reached {percent}% of its target"),
    };
    let text = format!(
        "Ticket {key} of {client}\n\
         (contract {contract} version {version}):\n\
         the {metric} clock (cycle {cycle}) {what}\n\
         at {at}, after {elapsed} of business time.\n\n\
         Ticket id: {id}\nNotification id: {delivery}\n",
        key = c.ticket.key,
        client = c.client.name,
        contract = c.contract.id,
        version = c.contract.version,
        metric = c.metric,
        cycle = c.cycle,
        at = c.crossed_at,
        elapsed = business_time(c.threshold_s),
        id = c.ticket.id,
    );
    (subject, text)
}

/// Whole seconds as `1h 30m` (seconds shown only when there are some).
fn business_time(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, m, 0) => format!("{m}m"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h {m}m"),
        (h, m, s) => format!("{h}h {m}m {s}s"),
    }
}

#[cfg(test)]
mod tests {
    use accord_store::{NotificationId, NotificationTarget};

    use super::*;

    #[test]
    fn a_statement_email_names_the_period_the_contract_and_the_content_hash() {
        let n = Notification {
            id: NotificationId::parse("01900000-0000-7000-8000-000000000009").unwrap(),
            attempt: 1,
            target: NotificationTarget::Email {
                name: Some("Ann".into()),
                address: "ann@client.example".into(),
            },
            topic: "statement.issued".into(),
            subject: "01900000-0000-7000-8000-000000000001".into(),
            payload: r#"{"statement":{"id":"01900000-0000-7000-8000-000000000001","period":"2026-03","sha256":"abc123","issued_by":"a@p"},"contract":{"id":"acme","version":2},"client":{"id":"c"},"at":"2026-04-02T09:00:00Z"}"#.into(),
        };
        let (subject, text) = email(&n);
        assert_eq!(
            subject,
            "[Accord] Compliance statement 2026-03 of acme issued"
        );
        assert!(text.contains("version 2"), "{text}");
        assert!(text.contains("SHA-256 of its JSON): abc123"), "{text}");
        assert!(
            text.contains("/api/v1/statements/01900000-0000-7000-8000-000000000001/document.pdf")
        );
    }
}
