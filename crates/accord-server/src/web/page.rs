//! Rendering: the templates compiled into the binary, the frame every page
//! shares, and the one error type of the web pages (an HTML page with the
//! right status, never a stack of internals).

use std::sync::OnceLock;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::error::REQUEST_ID;
use crate::web::session::Viewer;

/// Every template, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("portal.html", include_str!("templates/portal.html")),
    ("ticket.html", include_str!("templates/ticket.html")),
    ("ticket_new.html", include_str!("templates/ticket_new.html")),
    ("contracts.html", include_str!("templates/contracts.html")),
    ("contract.html", include_str!("templates/contract.html")),
    ("milestones.html", include_str!("templates/milestones.html")),
    ("statements.html", include_str!("templates/statements.html")),
    ("statement.html", include_str!("templates/statement.html")),
    ("amend.html", include_str!("templates/amend.html")),
    ("settings.html", include_str!("templates/settings.html")),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // A template that does not compile is caught by every page test.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

/// The frame of a signed-in page: who is signed in, the CSRF token its
/// forms carry, the zone its times are shown in, and the section it is in.
#[derive(Debug, Serialize)]
pub(crate) struct Frame {
    user_name: String,
    user_email: String,
    role: &'static str,
    is_staff: bool,
    is_admin: bool,
    csrf: String,
    zone: String,
    section: &'static str,
}

impl Frame {
    pub(crate) fn new(viewer: &Viewer, section: &'static str) -> Frame {
        Frame {
            user_name: viewer.user.name.clone(),
            user_email: viewer.user.email.clone(),
            role: viewer.user.role.as_str(),
            is_staff: viewer.is_staff(),
            is_admin: viewer.user.role == accord_store::Role::Admin,
            csrf: viewer.csrf.clone(),
            zone: viewer.zone_name.clone(),
            section,
        }
    }
}

/// Renders `template` with `ctx` (which should hold `frame` on signed-in
/// pages) as an HTML response with `status`.
pub(crate) fn render(template: &str, status: StatusCode, ctx: Value) -> Response {
    match env().get_template(template).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => PageError::Internal(format!("template {template}: {e:#}")).into_response(),
    }
}

/// Any serialisable value for a template.
pub(crate) fn v<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// A 200 page.
pub(crate) fn ok(template: &str, ctx: Value) -> Response {
    render(template, StatusCode::OK, ctx)
}

/// After a successful form: see the result at `to` (POST, redirect, GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Why a page cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not signed in (or the session ended): go to the sign-in page.
    #[error("sign in to continue")]
    SignIn {
        /// Where to come back to.
        next: String,
    },
    /// Absent, or another client's: indistinguishable on purpose.
    #[error("there is no such page")]
    NotFound,
    /// The user's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A form without the right CSRF token or from another origin.
    #[error("this form has expired or was not sent from Accord; reload the page and try again")]
    Csrf,
    /// A form that cannot be read.
    #[error("{0}")]
    BadRequest(String),
    /// Too many requests (sign-in attempts).
    #[error("{0}")]
    TooMany(String),
    /// A page that exists, asked for with a method it does not answer.
    #[error("this page does not answer {0} requests; follow a link or use its form")]
    MethodNotAllowed(String),
    /// A form larger than the server accepts.
    #[error("the form is larger than {} KiB; send less at once", crate::BODY_LIMIT / 1024)]
    TooLarge,
    /// The database is unreachable.
    #[error("the database is unavailable; try again shortly")]
    Unavailable(String),
    /// A fault; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            PageError::SignIn { next } => {
                let to = format!(
                    "/login?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return (status, [(header::LOCATION, to)]).into_response();
            }
            PageError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                match REQUEST_ID.try_with(Clone::clone) {
                    Ok(id) => {
                        format!("Something went wrong on our side; it was logged as request {id}.")
                    }
                    Err(_) => "Something went wrong on our side.".to_string(),
                }
            }
            PageError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                self.to_string()
            }
            other => other.to_string(),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        render(
            "error.html",
            status,
            context! { title, detail, status => status.as_u16() },
        )
    }
}

impl From<accord_store::Error> for PageError {
    fn from(e: accord_store::Error) -> Self {
        use accord_store::Error as E;
        match e {
            E::NotFound => PageError::NotFound,
            E::Unavailable(e) => PageError::Unavailable(e),
            e @ (E::Invalid(_)
            | E::Conflict(_)
            | E::Milestones(_)
            | E::EntryState { .. }
            | E::Entries(_)) => PageError::BadRequest(e.to_string()),
            other => PageError::Internal(other.to_string()),
        }
    }
}

/// The result of a page handler.
pub(crate) type PageResult<T = Response> = Result<T, PageError>;
