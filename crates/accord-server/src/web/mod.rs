//! The web application (SPEC §1, §4, §5, §7): server-rendered
//! pages for provider staff (dashboard, tickets, contracts, settings) and
//! the client portal, over the same store as the JSON API.
//!
//! Templates and assets are compiled into the binary; pages work without
//! JavaScript and load nothing from elsewhere. Every page runs as the
//! signed-in user's [`Tenant`](accord_store::Tenant), so a client user's
//! requests can only ever read its own rows: another client's ticket is a
//! 404, exactly like one that does not exist.
//!
//! Layout: `session.rs` (cookies, sessions, CSRF, sign-in rate limit),
//! `auth.rs` (sign in and out), `live.rs` (clocks evaluated now, the
//! business-time bars, formatting in the viewer's zone), and one file per
//! URL tree: `home.rs` (`/`: dashboard or portal), `tickets.rs`,
//! `contracts.rs`, `milestones.rs`, `statements.rs`, `settings.rs`.

mod auth;
mod contracts;
mod home;
mod live;
mod milestones;
pub(crate) mod page;
mod session;
mod settings;
mod statements;
mod tickets;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use page::PageError;
pub use session::LoginLimiter;

use crate::state::AppState;

/// How the web application runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebOptions {
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Turn off only
    /// to serve plain HTTP on a non-loopback address.
    pub secure_cookies: bool,
}

impl Default for WebOptions {
    fn default() -> Self {
        WebOptions {
            secure_cookies: true,
        }
    }
}

/// What the web pages share beyond the store: options and the sign-in rate
/// limiter.
#[derive(Debug, Default)]
pub struct WebState {
    /// How it runs.
    pub options: WebOptions,
    /// Failed sign-ins per address and e-mail.
    pub limiter: LoginLimiter,
}

impl WebState {
    /// The state for these options.
    pub fn new(options: WebOptions) -> Arc<WebState> {
        Arc::new(WebState {
            options,
            ..WebState::default()
        })
    }
}

/// The pages and assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/logout/everywhere", post(auth::logout_everywhere))
        .route("/tickets/new", get(tickets::new_form).post(tickets::open))
        .route("/tickets/{id}", get(tickets::show))
        .route("/tickets/{id}/{action}", post(tickets::act))
        .route("/contracts", get(contracts::list))
        .route("/contracts/{id}", get(contracts::show))
        .route("/contracts/{id}/milestones", get(milestones::show))
        .route(
            "/contracts/{id}/milestones/{milestone}/{action}",
            post(milestones::act),
        )
        .route(
            "/contracts/{id}/statements",
            get(statements::list).post(statements::compute),
        )
        .route("/statements/{id}", get(statements::show))
        .route("/statements/{id}/issue", post(statements::issue))
        .route("/statements/{id}/{file}", get(statements::document))
        .route(
            "/contracts/{id}/amend",
            get(contracts::amend_form).post(contracts::amend),
        )
        .route("/settings", get(settings::show))
        .route("/settings/time-zone", post(settings::time_zone))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/users", post(settings::create_user))
        .route("/assets/app.css", get(css))
        .route("/assets/app.js", get(js))
        .route("/favicon.ico", get(favicon))
        .layer(middleware::from_fn(security_headers))
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a frozen HTML document (an issued statement): it carries
/// its own `<style>`, kept as sent, so inline style is allowed; nothing
/// may run, load or submit.
pub(crate) const DOCUMENT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Headers every page carries: no inline scripts, no framing, no sniffing,
/// no caching of pages that hold a client's data.
async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler may set a narrower policy of its own (frozen documents).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/app.css"))
}

async fn js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    )
}

async fn favicon() -> Response {
    asset("image/svg+xml", include_str!("assets/favicon.svg"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
