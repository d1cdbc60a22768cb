//! What every request handler shares: the store, the metrics and the
//! OpenAPI document.

use std::sync::Arc;

use accord_store::Store;
use tokio::sync::Notify;

use crate::metrics::Metrics;
use crate::time::TimeSource;

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
    pub time: TimeSource,
    /// Poked after writes that change what is scheduled, so the scheduler
    /// re-reads its next due job instead of sleeping through a nearer one.
    pub wake_scheduler: Arc<Notify>,
    /// Poked when a write put messages in the outbox.
    pub wake_delivery: Arc<Notify>,
    /// Contract use cases (parsed versions come from the store's cache).
    pub contracts: Arc<crate::app::contracts::Contracts>,
    /// The web pages' options and sign-in limiter.
    pub web: Arc<crate::web::WebState>,
}

impl AppState {
    /// The state over `store` with fresh metrics, reading `time`, serving
    /// the web pages with `web`.
    pub fn new(
        store: Store,
        time: TimeSource,
        web: crate::web::WebOptions,
    ) -> Result<AppState, crate::ServerError> {
        Ok(AppState {
            store,
            metrics: Arc::new(Metrics::default()),
            openapi: Arc::new(crate::openapi_json()?),
            time,
            wake_scheduler: Arc::new(Notify::new()),
            wake_delivery: Arc::new(Notify::new()),
            contracts: Arc::default(),
            web: crate::web::WebState::new(web),
        })
    }
}
