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
    /// Poked when events change clocks, so the monitor re-reads the next
    /// crossing instead of sleeping through a nearer one.
    pub wake_monitor: Arc<Notify>,
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
            wake_monitor: Arc::new(Notify::new()),
            web: crate::web::WebState::new(web),
        })
    }
}
