//! Request extractors that fail with problem documents (SPEC §9): the
//! bearer-token caller and its tenant (SPEC §1), strict JSON bodies naming
//! the offending field, line and column, query strings naming the
//! offending parameter, and plain-text bodies.

use accord_store::{Role, TOKEN_PREFIX, Tenant, TokenSecret, User};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Place};
use crate::state::AppState;

/// The authenticated user of a request and whose data it may see.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user the bearer token acts as.
    pub user: User,
    /// The tenant every store call of the request runs as.
    pub tenant: Tenant,
}

impl Caller {
    /// The caller as the author of writes (what they may post is decided in
    /// the application layer).
    pub fn author(&self) -> crate::app::tickets::Author<'_> {
        crate::app::tickets::Author {
            tenant: &self.tenant,
            email: &self.user.email,
        }
    }

    /// Refuses client users: the action is for provider staff.
    pub fn require_staff(&self, what: &str) -> Result<(), ApiError> {
        match self.tenant {
            Tenant::Provider => Ok(()),
            Tenant::Client(_) => Err(ApiError::Forbidden(format!(
                "only provider staff may {what}"
            ))),
        }
    }

    /// Refuses everyone but provider admins.
    pub fn require_admin(&self, what: &str) -> Result<(), ApiError> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("only admins may {what}")))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "this endpoint needs an `Authorization: Bearer accord_...` header".into(),
                )
            })?
            .to_str()
            .map_err(|_| ApiError::Unauthorized("the Authorization header is not text".into()))?;
        let secret = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|s| s.starts_with(TOKEN_PREFIX))
            .ok_or_else(|| {
                ApiError::Unauthorized(format!(
                    "the Authorization header must be `Bearer {TOKEN_PREFIX}...`"
                ))
            })?;
        let user = state
            .store
            .accounts()
            .verify_token(&TokenSecret::new(secret))
            .await?
            .ok_or_else(|| ApiError::Unauthorized("the token is unknown or revoked".into()))?;
        Ok(Caller {
            tenant: user.tenant(),
            user,
        })
    }
}

/// Reads the body, answering 413 past the body limit.
async fn body_bytes(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(crate::BODY_LIMIT)
        } else {
            ApiError::BadRequest {
                detail: format!("cannot read the request body: {e}"),
                place: Place::default(),
            }
        }
    })
}

/// Refuses a declared content type that is not one of `accepted`.
fn check_content_type(req: &Request, accepted: &[&str]) -> Result<(), ApiError> {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = ct.to_str().unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if accepted.iter().any(|a| essence == *a) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "the body is `{ct}`; send {}",
            accepted.join(" or ")
        )))
    }
}

/// A JSON body must say it is one: without a `Content-Type` it is refused
/// (415) rather than guessed, as the API document declares. (Contract
/// TOML, raw text, is read whatever it is declared as, if anything.)
fn require_json_type(req: &Request) -> Result<(), ApiError> {
    if !req.headers().contains_key(header::CONTENT_TYPE) {
        return Err(missing_json_type());
    }
    check_content_type(req, &["application/json"])
}

fn missing_json_type() -> ApiError {
    ApiError::UnsupportedMediaType(
        "the body has no Content-Type; send it as application/json".into(),
    )
}

/// A JSON body read strictly: malformed JSON, wrong types and unknown
/// fields are 400 problems naming the field, line and column.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        require_json_type(&req)?;
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A JSON body that may be left out: an empty body is `None`, anything
/// else is read as strictly as [`JsonBody`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        check_content_type(&req, &["application/json"])?;
        let declared = req.headers().contains_key(header::CONTENT_TYPE);
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if !declared {
            return Err(missing_json_type());
        }
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// Parses JSON into `T`, naming the place of the first error. A NUL
/// character in any string is refused, naming its field: no text Accord
/// stores may hold one (PostgreSQL cannot, and SQLite must answer alike).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // JSON writes NUL only as the escape `\u0000`: look closer only then.
    if bytes.windows(6).any(|w| w == b"\\u0000")
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some(field) = nul_at(&value, String::new())
    {
        return Err(ApiError::bad_field(
            field,
            "holds a NUL character (\\u0000), which no text may contain",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        // `?` is where the parser stopped before reading a key: no field.
        json_error(e.into_inner(), (path != "." && path != "?").then_some(path))
    })?;
    de.end().map_err(|e| json_error(e, None))?;
    Ok(value)
}

/// The path (`note`, `[2].by`, `files.x`) of the first string or key
/// holding a NUL character.
fn nul_at(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "\\u0000")))
            } else {
                nul_at(v, join(k))
            }
        }),
        _ => None,
    }
}

/// Refuses a request whose URL holds an encoded NUL character (`%00`) in
/// its path or a query parameter, naming which: no identifier, key or name
/// may hold one, on either database.
pub fn nul_in_url(uri: &axum::http::Uri) -> Option<ApiError> {
    let has = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"%00"))
    };
    if has(uri.path()) {
        return Some(ApiError::BadRequest {
            detail: "the URL's path holds a NUL character (%00)".into(),
            place: Place::field("path"),
        });
    }
    let query = uri.query().unwrap_or("");
    if has(query) || query.contains('\0') {
        let name = form_urlencoded::parse(query.as_bytes())
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
            .map_or_else(|| "query".to_string(), |(k, _)| k.replace('\0', "%00"));
        return Some(ApiError::BadRequest {
            detail: format!("the query parameter `{name}` holds a NUL character (%00)"),
            place: Place::field(name),
        });
    }
    None
}

fn json_error(inner: serde_json::Error, field: Option<String>) -> ApiError {
    let what = match inner.classify() {
        serde_json::error::Category::Data => "the body does not match the expected shape",
        serde_json::error::Category::Eof => "the body ends too early: it is not complete JSON",
        _ => "the body is not valid JSON",
    };
    let message = inner.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    ApiError::BadRequest {
        detail: format!("{what}: {message}"),
        place: Place {
            field,
            line_column: (inner.line() > 0).then(|| (inner.line(), inner.column())),
        },
    }
}

/// A UTF-8 text body, such as a contract's TOML.
#[derive(Debug)]
pub struct TextBody(pub String);

impl FromRequest<AppState> for TextBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        check_content_type(
            &req,
            &["application/toml", "text/plain", "application/octet-stream"],
        )?;
        let bytes = body_bytes(req, state).await?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| ApiError::BadRequest {
            detail: format!("the body is not UTF-8 text: {e}"),
            place: Place::default(),
        })?;
        if let Some(at) = text.find('\0') {
            let line = text[..at].matches('\n').count() + 1;
            return Err(ApiError::BadRequest {
                detail: format!("the text holds a NUL character on line {line}"),
                place: Place::default(),
            });
        }
        Ok(TextBody(text))
    }
}

/// An import of time entries: CSV (`text/csv`) or JSON Lines (any other
/// accepted type), as UTF-8 text without NUL characters.
#[derive(Debug)]
pub struct EntriesBody {
    /// Whether the body is CSV.
    pub csv: bool,
    /// The text.
    pub text: String,
}

impl FromRequest<AppState> for EntriesBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        check_content_type(
            &req,
            &[
                "text/csv",
                "application/jsonl",
                "application/x-ndjson",
                "application/json",
                "text/plain",
            ],
        )?;
        let csv = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
        let bytes = body_bytes(req, state).await?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| ApiError::BadRequest {
            detail: format!("the body is not UTF-8 text: {e}"),
            place: Place::default(),
        })?;
        if let Some(at) = text.find('\0') {
            let line = text[..at].matches('\n').count() + 1;
            return Err(ApiError::BadRequest {
                detail: format!("the text holds a NUL character on line {line}"),
                place: Place::default(),
            });
        }
        Ok(EntriesBody { csv, text })
    }
}

/// A contract upload: its TOML text as the body (`application/toml`,
/// `text/plain`), or a JSON object `{"text": ..., "files": {name: text}}`
/// carrying the holiday files it names (`application/json`).
#[derive(Debug)]
pub struct ContractBody {
    /// The contract's TOML text.
    pub text: String,
    /// Its holiday files by the name the contract writes.
    pub files: accord_store::ContractFiles,
}

/// A contract with the holiday files it names, as a JSON body.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractUpload {
    /// The contract's TOML text.
    pub text: String,
    /// The files the contract names in `holiday_files` (iCalendar text), by
    /// the name it writes, e.g. `{"holidays/us-federal.ics": "BEGIN:VCALENDAR..."}`.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
}

impl FromRequest<AppState> for ContractBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if json {
            let JsonBody(upload) = JsonBody::<ContractUpload>::from_request(req, state).await?;
            return Ok(ContractBody {
                text: upload.text,
                files: upload.files,
            });
        }
        check_content_type(
            &req,
            &[
                "application/toml",
                "text/plain",
                "application/octet-stream",
                "application/json",
            ],
        )?;
        let TextBody(text) = TextBody::from_request(req, state).await?;
        Ok(ContractBody {
            text,
            files: accord_store::ContractFiles::new(),
        })
    }
}

/// Query parameters read strictly: an unknown parameter or a bad value is a
/// 400 naming the parameter.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(QueryParams)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::BadRequest {
                    detail: format!("bad query string: {}", e.inner()),
                    place: Place {
                        field: (path != ".").then_some(path),
                        line_column: None,
                    },
                }
            })
    }
}
