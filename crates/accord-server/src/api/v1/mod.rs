//! API v1: the routes, and the OpenAPI 3.1 document generated
//! from the handlers' annotations.

pub mod contracts;
pub mod crossings;
pub mod dto;
pub mod invoices;
pub mod milestones;
pub mod organisations;
pub mod statements;
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
         (name = "statements", description = "Compliance statements: drafts, issued snapshots and their documents"),
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

/// Describes every error response as it is served: an RFC 9457 problem
/// (`application/problem+json`), with the status's meaning where the
/// handler gave no description. The annotations say `body = Problem`;
/// utoipa files that under `application/json`.
pub fn errors_as_problems(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            // Any operation that reads a body can answer 413 (over 1 MiB)
            // and 415 (not a type it reads, or none), whatever its handler
            // lists.
            if op.request_body.is_some() {
                for status in ["413", "415"] {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(problem_response()));
                }
            }
            for (status, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let is_problem = response
                    .content
                    .get("application/json")
                    .and_then(|c| c.schema.as_ref())
                    .is_some_and(
                        |s| matches!(s, RefOr::Ref(r) if r.ref_location.ends_with("/Problem")),
                    );
                if !is_problem {
                    continue;
                }
                if let Some(content) = response.content.shift_remove("application/json") {
                    response
                        .content
                        .insert("application/problem+json".to_string(), content);
                }
                if response.description.is_empty() {
                    response.description = problem_meaning(status).to_string();
                }
            }
        }
    }
}

/// A response carrying a problem, described later by [`errors_as_problems`].
fn problem_response() -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// What an error status means in this API.
fn problem_meaning(status: &str) -> &'static str {
    match status {
        "400" => "The request cannot be read: the problem names the field, or the line and column",
        "401" => "No valid bearer token",
        "403" => "The caller's role may not do this",
        "404" => "Absent, or not the caller's to see",
        "409" => "Conflicts with what is stored",
        "413" => "The body is larger than 1 MiB",
        "415" => "The body's Content-Type is not one this operation reads",
        "422" => "Read, but refused: the problem names the field",
        "429" => "Too many requests",
        "503" => "The database is unavailable",
        _ => "An RFC 9457 problem",
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
        // Compliance statements (SPEC §7).
        .routes(routes!(statements::list, statements::compute))
        .routes(routes!(statements::get))
        .routes(routes!(statements::issue))
        .routes(routes!(statements::document_json))
        .routes(routes!(statements::document_html))
        .routes(routes!(statements::document_pdf))
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
