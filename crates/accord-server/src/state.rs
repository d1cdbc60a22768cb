//! What every request handler shares: the store, the metrics and the
//! OpenAPI document.

use std::sync::Arc;

use accord_store::Store;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::metrics::Metrics;

/// The application state, cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The data-access layer (SPEC §9: tenancy enforced there).
    pub store: Store,
    /// Request and ingestion counters.
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, serialised once.
    pub openapi: Arc<String>,
    /// Where "now" comes from (the system clock outside tests).
    pub clock: Clock,
    /// Poked after writes that change what is scheduled, so the scheduler
    /// re-reads its next due job instead of sleeping through a nearer one.
    pub wake_scheduler: Arc<Notify>,
    /// Poked when a write put messages in the outbox.
    pub wake_delivery: Arc<Notify>,
    /// The web pages' options, sign-in limiter and parsed contracts.
    pub web: Arc<crate::web::WebState>,
}

impl AppState {
    /// The state over `store` with fresh metrics, reading `clock`, serving
    /// the web pages with `web`.
    pub fn new(
        store: Store,
        clock: Clock,
        web: crate::web::WebOptions,
    ) -> Result<AppState, crate::ServerError> {
        Ok(AppState {
            store,
            metrics: Arc::new(Metrics::default()),
            openapi: Arc::new(crate::openapi_json()?),
            clock,
            wake_scheduler: Arc::new(Notify::new()),
            wake_delivery: Arc::new(Notify::new()),
            web: crate::web::WebState::new(web),
        })
    }
}

impl AppState {
    /// The side work of opening a ticket: its clocks are scheduled, and one
    /// opened with time already past its thresholds has fired them.
    pub fn opened(&self) {
        self.wake_scheduler.notify_one();
        self.wake_delivery.notify_one();
    }

    /// The side work of a write to tickets, done once for every caller:
    /// the scheduler looks again at what is due, and crossings the write
    /// fired are logged, counted and handed to delivery.
    pub fn written(&self, fired: &[accord_store::FiredCrossing]) {
        self.wake_scheduler.notify_one();
        if !fired.is_empty() {
            crate::notify::log_crossings(fired);
            self.metrics.firings(fired.len());
            self.wake_delivery.notify_one();
        }
    }
}
