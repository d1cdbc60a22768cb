//! What must be sent (SPEC §7): the webhooks that subscribe, and the
//! notifications written in the same transaction as what caused them,
//! delivered at least once with attempts and backoff.

use jiff::Timestamp;
use tracing::instrument;

use crate::ids::{NotificationId, WebhookId};
use crate::model::{AttemptOutcome, DeliveryAttempt, NewWebhook, Notification, Webhook};
use crate::{Result, Store, on_reader, on_writer};

/// Webhooks and notifications. From [`Store::outbox`].
#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a>(pub(crate) &'a Store);

impl Store {
    /// Webhooks and notifications.
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox(self)
    }
}

impl Outbox<'_> {
    /// Registers a webhook. Its signing secret is returned here once.
    /// [`Error::Invalid`](crate::Error::Invalid) for a URL that is not
    /// `http(s)://HOST...` or an unknown client.
    #[instrument(skip_all)]
    pub async fn create_webhook(
        &self,
        new: NewWebhook,
        now: Timestamp,
    ) -> Result<(Webhook, String)> {
        on_writer!(self.0, create_webhook(new, now))
    }

    /// The registered webhooks, oldest first.
    #[instrument(skip_all)]
    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        on_reader!(self.0, webhooks())
    }

    /// Deletes a webhook and cancels its pending notifications; `false` if
    /// it was unknown or already deleted.
    #[instrument(skip_all, fields(webhook = %id))]
    pub async fn delete_webhook(&self, id: &WebhookId, now: Timestamp) -> Result<bool> {
        on_writer!(self.0, delete_webhook(id, now))
    }

    /// Claims up to `limit` notifications due by `now` for one attempt
    /// each; none is claimed by another caller until `lease_until` (after
    /// which one whose attempt was never recorded is due again).
    #[instrument(skip_all, fields(limit))]
    pub async fn claim(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        on_writer!(self.0, claim_notifications(now, lease_until, limit))
    }

    /// Records a delivery attempt and its outcome; `false` (nothing
    /// written) if that attempt was already recorded by another worker.
    #[instrument(skip_all, fields(notification = %id, attempt = attempt.attempt))]
    pub async fn record_attempt(
        &self,
        id: &NotificationId,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        now: Timestamp,
    ) -> Result<bool> {
        on_writer!(self.0, record_attempt(id, attempt, outcome, now))
    }

    /// The earliest next attempt of a pending notification.
    pub async fn next_attempt_at(&self) -> Result<Option<Timestamp>> {
        on_reader!(self.0, next_notification_at())
    }
}
