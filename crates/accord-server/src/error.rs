//! The one HTTP error type (SPEC §9: bad input gets a clear error naming
//! what and where): every failure of a request becomes an RFC 9457 problem
//! document (`application/problem+json`). Store and core errors are mapped
//! here to statuses; internal faults are logged with the request id and
//! answered with a bare 500 that names only that id.

use accord_core::diagnostic::Diagnostics;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    /// The id of the request being served, set by the request middleware.
    pub(crate) static REQUEST_ID: String;
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, in plain words.
    pub detail: String,
    /// The offending field (JSON path like `[2].at`, or a query parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line in the request body, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in the request body, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Every problem in an uploaded contract or import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<SourceError>>,
    /// The request's id, as logged by the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One problem in an uploaded file, with its place and a fix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceError {
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, in characters, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The field at fault, when one is (an imported time entry's `end`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Where in the request the fault is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Field path.
    pub field: Option<String>,
    /// Line and column in the body.
    pub line_column: Option<(usize, usize)>,
}

impl Place {
    /// A field.
    pub fn field(field: impl Into<String>) -> Self {
        Place {
            field: Some(field.into()),
            line_column: None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read: malformed JSON, a wrong type, an unknown
    /// field, a bad instant or query parameter.
    #[error("{detail}")]
    BadRequest {
        /// What is wrong.
        detail: String,
        /// Where.
        place: Place,
    },
    /// No valid bearer token.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No such resource for this caller (absent, or another client's).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with stored data.
    #[error("{0}")]
    Conflict(String),
    /// The request conflicts with stored data through one field (a ticket
    /// key already in use).
    #[error("{detail}")]
    ConflictAt {
        /// What is wrong.
        detail: String,
        /// Where.
        place: Place,
    },
    /// The path exists, but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The body is over the size limit.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The body's media type is not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request is readable but refused (events the clocks cannot apply,
    /// a ticket without a contract in force).
    #[error("{detail}")]
    Unprocessable {
        /// What is wrong.
        detail: String,
        /// Where.
        place: Place,
    },
    /// An uploaded contract is invalid: every diagnostic.
    #[error("the contract is invalid")]
    InvalidContract(Diagnostics),
    /// Time entries (an import) are invalid: every error by line and field.
    #[error("{}", lines_text(.0))]
    InvalidEntries(Vec<accord_core::time::EntryError>),
    /// The database is unreachable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault inside the server; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming a field.
    pub fn bad_field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
            place: Place::field(field),
        }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::ConflictAt { .. } => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. }
            | ApiError::InvalidContract(_)
            | ApiError::InvalidEntries(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict(_) | ApiError::ConflictAt { .. } => "conflict",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Unprocessable { .. } => "unprocessable",
            ApiError::InvalidContract(_) => "invalid-contract",
            ApiError::InvalidEntries(_) => "invalid-entries",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let request_id = REQUEST_ID.try_with(Clone::clone).ok();
        let detail = match self {
            ApiError::Unavailable(_) => "the database is unavailable; try again shortly".into(),
            ApiError::Internal(_) => match &request_id {
                Some(id) => format!("an internal error occurred; it was logged as request {id}"),
                None => "an internal error occurred".into(),
            },
            other => other.to_string(),
        };
        let (field, line_column) = match self {
            ApiError::BadRequest { place, .. }
            | ApiError::Unprocessable { place, .. }
            | ApiError::ConflictAt { place, .. } => (place.field.clone(), place.line_column),
            _ => (None, None),
        };
        let errors = match self {
            ApiError::InvalidContract(d) => Some(
                d.0.iter()
                    .map(|d| SourceError {
                        line: Some(d.line),
                        column: Some(d.column),
                        field: None,
                        message: d.message.clone(),
                        help: d.help.clone(),
                    })
                    .collect(),
            ),
            ApiError::InvalidEntries(errors) => Some(
                errors
                    .iter()
                    .map(|e| SourceError {
                        line: e.line,
                        column: None,
                        field: e.field.clone(),
                        message: e.message.clone(),
                        help: None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        Problem {
            kind: format!("https://accord-sla.github.io/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            field,
            line: line_column.map(|(l, _)| l),
            column: line_column.map(|(_, c)| c),
            errors,
            request_id,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(e) => tracing::error!(error = %e, "internal error"),
            ApiError::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            _ => {}
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<accord_store::Error> for ApiError {
    fn from(e: accord_store::Error) -> Self {
        use accord_store::Error as E;
        match e {
            E::NotFound => ApiError::NotFound("not found".into()),
            E::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            E::Invalid(detail) => ApiError::Unprocessable {
                detail,
                place: Place::default(),
            },
            E::Contract(d) => ApiError::InvalidContract(d),
            e @ E::NoContractInForce { .. } => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::field("contract_id"),
            },
            e @ E::OutsideContractDates { .. } => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::field("at"),
            },
            e @ E::ConflictingEvent { .. } => ApiError::Conflict(e.to_string()),
            e @ E::WrongTicket { .. } => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::default(),
            },
            E::Events(e) => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::default(),
            },
            E::Milestones(e) => ApiError::Unprocessable {
                place: e.field().map(Place::field).unwrap_or_default(),
                detail: e.to_string(),
            },
            E::Amendment(e) => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::field(e.key()),
            },
            e @ E::EntryState { .. } => ApiError::Conflict(e.to_string()),
            E::Entries(errors) => ApiError::InvalidEntries(errors),
            e @ E::InvoiceState { .. } => ApiError::Conflict(e.to_string()),
            E::Billing(e) => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::default(),
            },
            E::Unavailable(e) => ApiError::Unavailable(e),
            e @ (E::BadUrl(_) | E::Migration(_) | E::Internal(_)) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

/// Errors of time entries in words, for logs: `line 2: field `end`: ...`.
fn lines_text(errors: &[accord_core::time::EntryError]) -> String {
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("the time entries are invalid: {}", all.join("; "))
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
