//! What every request handler shares: the store, the metrics and the
//! OpenAPI document.

use std::sync::Arc;

use accord_store::Store;

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
    /// The web pages' options, sign-in limiter and parsed contracts.
    pub web: Arc<crate::web::WebState>,
}
