//! Browser sessions and their security: the session cookie, the signed-in
//! [`Viewer`] of a request, forms checked for their CSRF token and origin
//! ([`CsrfForm`]), and the in-memory limit on failed sign-ins.
//!
//! The cookie holds a random 256-bit id; the database keeps its SHA-256.
//! It is `HttpOnly`, `SameSite=Lax` (a link from a notification e-mail
//! still arrives signed in) and, unless turned off for plain-HTTP serving,
//! `Secure` with the `__Host-` prefix. Lax lets cross-site top-level GETs
//! carry the cookie, so every state change is a POST that must carry the
//! session's CSRF token and, when the browser says where it comes from, an
//! `Origin` of this server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use accord_store::{Role, SessionSecret, Tenant, User};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use jiff::tz::TimeZone;
use serde::de::DeserializeOwned;

use crate::state::AppState;
use crate::web::page::PageError;

/// How long a session lasts from sign-in.
pub(crate) const SESSION_HOURS: i64 = 12;

/// The session cookie's name: with the `__Host-` prefix when it is
/// `Secure`, which pins it to this host and path `/`.
pub(crate) fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-accord_session"
    } else {
        "accord_session"
    }
}

/// The name of the cookie holding the sign-in form's CSRF token (there is
/// no session yet to hold it).
pub(crate) fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-accord_login"
    } else {
        "accord_login"
    }
}

/// A `Set-Cookie` value; `max_age` 0 deletes the cookie.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The value of cookie `name` in the request, if sent.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses a request whose `Origin` (or, failing that, `Referer`) names
/// another host than the one it was sent to. Browsers send `Origin` on
/// every POST; its absence (old clients, tools) leaves the token check.
pub(crate) fn check_origin(headers: &HeaderMap) -> Result<(), PageError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    let Some(source) = source else { return Ok(()) };
    let after_scheme = source.split_once("://").map_or("", |(_, rest)| rest);
    let source_host = after_scheme.split('/').next().unwrap_or("");
    if !host.is_empty() && source_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(PageError::Csrf)
    }
}

/// The signed-in user of a request, with the tenant every store call of
/// the request runs as and the zone its times are shown in.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub user: User,
    pub tenant: Tenant,
    pub csrf: String,
    pub secret: SessionSecret,
    pub zone: TimeZone,
    pub zone_name: String,
}

impl Viewer {
    /// The viewer as the author of writes.
    pub(crate) fn author(&self) -> crate::app::tickets::Author<'_> {
        crate::app::tickets::Author {
            tenant: &self.tenant,
            email: &self.user.email,
        }
    }

    pub(crate) fn is_staff(&self) -> bool {
        self.user.role != Role::Client
    }

    /// Refuses client users with a 404: staff pages do not exist for them.
    pub(crate) fn require_staff(&self) -> Result<(), PageError> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(PageError::NotFound)
        }
    }

    /// Refuses users other than admins.
    pub(crate) fn require_admin(&self) -> Result<(), PageError> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(PageError::Forbidden("only an admin may do this".into()))
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string());
        let sign_in = || PageError::SignIn { next: next.clone() };
        let name = cookie_name(state.web.options.secure_cookies);
        let secret = cookie(&parts.headers, name)
            .map(SessionSecret::new)
            .ok_or_else(sign_in)?;
        let session = state
            .store
            .sessions()
            .find(&secret, state.time.now())
            .await?
            .ok_or_else(sign_in)?;
        let tenant = session.user.tenant();
        let zone_name = match session.time_zone {
            Some(z) => z,
            None => state.contracts.default_zone(state, &tenant).await,
        };
        let zone = TimeZone::get(&zone_name).unwrap_or(TimeZone::UTC);
        Ok(Viewer {
            tenant,
            user: session.user,
            csrf: session.csrf_token,
            secret,
            zone,
            zone_name,
        })
    }
}

/// Reads an `application/x-www-form-urlencoded` body into pairs.
pub(crate) async fn form_pairs(
    req: Request,
    state: &AppState,
) -> Result<Vec<(String, String)>, PageError> {
    let bytes = Bytes::from_request(req, state).await.map_err(form_unread)?;
    Ok(form_urlencoded::parse(&bytes).into_owned().collect())
}

/// Why a form's body could not be read: too large (413), or else unreadable.
pub(crate) fn form_unread(e: axum::extract::rejection::BytesRejection) -> PageError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::TooLarge
    } else {
        PageError::BadRequest(format!("cannot read the form: {e}"))
    }
}

/// A file sent with a `multipart/form-data` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormFile {
    /// The form field it came in.
    pub field: String,
    /// The file's name on the sender's machine.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A form's text fields (name, value) and its files.
pub(crate) type FormParts = (Vec<(String, String)>, Vec<FormFile>);

/// A form's fields and files: `application/x-www-form-urlencoded`, or
/// `multipart/form-data` (a form with file inputs).
pub(crate) async fn form_parts(req: Request, state: &AppState) -> Result<FormParts, PageError> {
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            v.split(';')
                .next()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
        .and_then(|v| {
            v.split(';').skip(1).find_map(|p| {
                let (k, val) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("boundary")
                    .then(|| val.trim().trim_matches('"').to_string())
            })
        });
    let Some(boundary) = boundary else {
        return Ok((form_pairs(req, state).await?, Vec::new()));
    };
    let bytes = Bytes::from_request(req, state).await.map_err(form_unread)?;
    multipart(&bytes, &boundary)
        .ok_or_else(|| PageError::BadRequest("the form cannot be read (bad multipart body)".into()))
}

/// Splits a `multipart/form-data` body (RFC 7578) into text fields and
/// files; `None` if it is malformed.
fn multipart(body: &[u8], boundary: &str) -> Option<FormParts> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    let mut at = find(body, d, 0)? + d.len();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some((fields, files));
        }
        let head_start = at + 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", head_start)?;
        let head = std::str::from_utf8(body.get(head_start..head_end)?).ok()?;
        let next = find(body, d, head_end + 4)?;
        // The content ends with the CRLF before the next delimiter.
        let content = body.get(head_end + 4..next.checked_sub(2)?)?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let param = |name: &str| {
            disposition.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        let field = param("name")?;
        match param("filename") {
            Some(file_name) => files.push(FormFile {
                field,
                file_name,
                bytes: content.to_vec(),
            }),
            None => fields.push((field, String::from_utf8(content.to_vec()).ok()?)),
        }
        at = next + d.len();
    }
}

/// A form with file inputs posted by the signed-in viewer, after its CSRF
/// token and origin were checked, like [`CsrfForm`].
#[derive(Debug)]
pub(crate) struct CsrfFiles<T> {
    pub viewer: Viewer,
    pub form: T,
    pub files: Vec<FormFile>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfFiles<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers)?;
        let (pairs, files) = form_parts(Request::from_parts(parts, body), state).await?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !same_secret(token, &viewer.csrf) {
            return Err(PageError::Csrf);
        }
        Ok(CsrfFiles {
            viewer,
            form: decode(&pairs)?,
            files,
        })
    }
}

/// Deserialises form fields (the `csrf` field already taken out).
pub(crate) fn decode<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, PageError> {
    // No text Accord stores may hold a NUL character, on either database.
    if let Some((name, _)) = pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(PageError::BadRequest(format!(
            "the field `{}` holds a NUL character; remove it and send the form again",
            name.replace('\0', "%00")
        )));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "csrf"))
        .finish();
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| PageError::BadRequest(format!("the form cannot be read: {e}")))
}

/// A form posted by the signed-in viewer, after its CSRF token and origin
/// were checked: nothing is done for a form that fails either.
#[derive(Debug)]
pub(crate) struct CsrfForm<T> {
    pub viewer: Viewer,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers)?;
        let pairs = form_pairs(Request::from_parts(parts, body), state).await?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !same_secret(token, &viewer.csrf) {
            return Err(PageError::Csrf);
        }
        Ok(CsrfForm {
            viewer,
            form: decode(&pairs)?,
        })
    }
}

/// The address a request came from (the peer; Accord is not told to trust
/// proxies' headers).
pub(crate) fn peer(parts_extensions: &axum::http::Extensions) -> String {
    parts_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

/// Failed sign-ins allowed per address and e-mail within [`WINDOW`].
pub(crate) const MAX_FAILURES: u32 = 5;
/// Failed sign-ins allowed per address, whatever the e-mails, within
/// [`WINDOW`]: probing many e-mails from one address stops here.
pub(crate) const MAX_ADDRESS_FAILURES: u32 = 30;
/// How long failures are remembered, and how long a limited pair waits.
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failures and when their count started.
type Counts<K> = HashMap<K, (u32, Instant)>;

/// Failed sign-ins in memory, per (address, e-mail) and per address: a
/// guesser is slowed to five tries per quarter hour per account and
/// address, and to thirty per address over all accounts. A successful
/// sign-in clears the pair, not the address. (Several servers each keep
/// their own counts.)
#[derive(Debug, Default)]
pub struct LoginLimiter(Mutex<Failures>);

/// Failures per (address, e-mail) and per address.
#[derive(Debug, Default)]
struct Failures {
    pairs: Counts<(String, String)>,
    addresses: Counts<String>,
}

/// `Err(minutes left)` when `count` has used up `max` tries.
fn limited(count: Option<&(u32, Instant)>, max: u32) -> Result<(), u64> {
    match count {
        Some((n, since)) if *n >= max && since.elapsed() < WINDOW => {
            let left = WINDOW.saturating_sub(since.elapsed());
            Err(left.as_secs().div_ceil(60).max(1))
        }
        _ => Ok(()),
    }
}

/// Adds a failure to `key`'s count, starting a new window when the last
/// one is over; forgets old entries so the map cannot grow without bound.
fn count_failure<K: std::hash::Hash + Eq>(map: &mut Counts<K>, key: K) {
    if map.len() > 10_000 {
        map.retain(|_, (_, since)| since.elapsed() < WINDOW);
    }
    let entry = map.entry(key).or_insert((0, Instant::now()));
    if entry.1.elapsed() >= WINDOW {
        *entry = (0, Instant::now());
    }
    entry.0 += 1;
}

impl LoginLimiter {
    /// `Err(minutes to wait)` when the pair or the address has used up its
    /// tries.
    pub(crate) fn check(&self, ip: &str, email: &str) -> Result<(), u64> {
        let Ok(maps) = self.0.lock() else {
            return Ok(());
        };
        limited(
            maps.pairs.get(&(ip.to_string(), email.to_lowercase())),
            MAX_FAILURES,
        )?;
        limited(maps.addresses.get(ip), MAX_ADDRESS_FAILURES)
    }

    pub(crate) fn failed(&self, ip: &str, email: &str) {
        let Ok(mut maps) = self.0.lock() else { return };
        count_failure(&mut maps.pairs, (ip.to_string(), email.to_lowercase()));
        count_failure(&mut maps.addresses, ip.to_string());
    }

    pub(crate) fn succeeded(&self, ip: &str, email: &str) {
        if let Ok(mut maps) = self.0.lock() {
            maps.pairs.remove(&(ip.to_string(), email.to_lowercase()));
        }
    }
}
