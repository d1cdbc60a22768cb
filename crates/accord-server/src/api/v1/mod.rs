//! API v1: the routes, and the OpenAPI 3.1 document generated
//! from the handlers' annotations.

pub mod contracts;
pub mod crossings;
pub mod dto;
pub mod invoices;
pub mod milestones;
pub mod organisations;
pub mod tickets;
pub mod time;
pub mod tokens;
pub mod users;
pub mod webhooks;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Accord API", description = "SLA contracts, tickets and their clocks (SPEC §2, §4, §10). \
        Errors are RFC 9457 problem documents."),
    modifiers(&BearerAuth),
    tags((name = "tickets", description = "Tickets, their events and clocks"),
         (name = "contracts", description = "Contract versions"),
         (name = "milestones", description = "Contract milestones, their deliverables and delay ledger"),
         (name = "time", description = "Time entries, their approval, locked periods and timers"),
         (name = "invoices", description = "Invoices per month, numbered gap-free, documents frozen"),
         (name = "webhooks", description = "Where warnings and breaches are sent"),
         (name = "accounts", description = "Organisations, users and API tokens"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("accord_...")
                    .build(),
            ),
        );
    }
}

/// The v1 routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tickets::list, tickets::open))
        .routes(routes!(tickets::at_risk))
        .routes(routes!(tickets::get))
        .routes(routes!(tickets::append))
        .routes(routes!(contracts::upload))
        .routes(routes!(contracts::versions, contracts::amend))
        // ---- accounts, pauses, contract versions ----
        .routes(routes!(organisations::list, organisations::create))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::me))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(tickets::pause))
        .routes(routes!(tickets::resume))
        .routes(routes!(contracts::version))
        .routes(routes!(contracts::diff))
        .routes(routes!(contracts::render))
        // Monitoring and notifications (SPEC §7).
        .routes(routes!(crossings::list))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::delete))
        // Milestones (SPEC §6).
        .routes(routes!(milestones::list))
        .routes(routes!(milestones::append))
        .routes(routes!(milestones::pause))
        .routes(routes!(milestones::resume))
        // Time tracking (SPEC §8).
        .routes(routes!(time::list, time::create))
        .routes(routes!(time::import))
        .routes(routes!(time::get, time::update, time::delete))
        .routes(routes!(time::submit))
        .routes(routes!(time::approve))
        .routes(routes!(time::reject))
        .routes(routes!(time::correct))
        .routes(routes!(time::period))
        .routes(routes!(time::lock))
        .routes(routes!(time::unlock))
        .routes(routes!(time::accept))
        .routes(routes!(time::timer))
        .routes(routes!(time::start_timer))
        .routes(routes!(time::stop_timer))
        // Invoices (SPEC §8).
        .routes(routes!(invoices::draft))
        .routes(routes!(invoices::get))
        .routes(routes!(invoices::issue))
        .routes(routes!(invoices::pay))
        .routes(routes!(invoices::document))
}
