//! Signing in and out. A sign-in always makes a new session id
//! and ends the one the browser came with, so an id planted before sign-in
//! is never promoted; "sign out everywhere" ends every session of the user.

use accord_store::{SessionSecret, random_password};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use minijinja::context;
use serde::Deserialize;

use crate::state::AppState;
use crate::web::page::{self, PageError, PageResult};
use crate::web::session::{
    self, CsrfForm, SESSION_HOURS, check_origin, cookie, cookie_name, login_cookie_name,
    same_secret, set_cookie,
};

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Only a path on this server may be returned to after sign-in: one that
/// starts with a single `/` and holds no backslash and no control character
/// (browsers drop tabs and newlines, so `/\t/evil.example` would be read as
/// `//evil.example`, another origin; and a control character cannot go in a
/// `Location` header at all). Anything else returns to the dashboard.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c == '\\' || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    email: &str,
    error: Option<String>,
    notice: Option<&str>,
) -> Response {
    let secure = state.web.options.secure_cookies;
    // The form's token lives in a short cookie until there is a session.
    let token = random_password();
    let mut res = page::render(
        "login.html",
        status,
        context! { next, email, error, notice, csrf => token.clone() },
    );
    if let Ok(v) = set_cookie(login_cookie_name(secure), &token, 3600, secure).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(crate) async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let notice = match q.signed_out.as_deref() {
        Some("everywhere") => Some("You are signed out on every device."),
        Some(_) => Some("You are signed out."),
        None => None,
    };
    let next = safe_next(q.next.as_deref());
    login_page(&state, StatusCode::OK, &next, "", None, notice)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub(crate) async fn login(State(state): State<AppState>, req: Request) -> PageResult {
    let secure = state.web.options.secure_cookies;
    let headers = req.headers().clone();
    let ip = session::peer(req.extensions());
    check_origin(&headers)?;
    let pairs = session::form_pairs(req, &state).await?;
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    let expected = cookie(&headers, login_cookie_name(secure)).unwrap_or_default();
    if expected.is_empty() || !same_secret(token, &expected) {
        return Err(PageError::Csrf);
    }
    let form: LoginForm = session::decode(&pairs)?;
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim().to_string();
    if let Err(minutes) = state.web.limiter.check(&ip, &email) {
        return Ok(login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &email,
            Some(format!(
                "Too many failed sign-ins from your address. Try again in {minutes} minutes."
            )),
            None,
        ));
    }
    let Some(user) = state
        .store
        .accounts()
        .authenticate(&email, &form.password)
        .await?
    else {
        state.web.limiter.failed(&ip, &email);
        return Ok(login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            &email,
            Some("That e-mail and password do not match an account.".into()),
            None,
        ));
    };
    state.web.limiter.succeeded(&ip, &email);
    end_presented_session(&state, &headers).await?;
    let now = state.time.now();
    let expires = now + SignedDuration::from_hours(SESSION_HOURS);
    let secret = state
        .store
        .sessions()
        .create(&user.id, now, expires)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let mut res = page::see_other(&next);
    let h = res.headers_mut();
    let cookies = [
        set_cookie(
            cookie_name(secure),
            secret.expose(),
            SESSION_HOURS * 3600,
            secure,
        ),
        set_cookie(login_cookie_name(secure), "", 0, secure),
    ];
    for c in cookies {
        if let Ok(v) = c.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// Ends the session the browser presented, if any.
async fn end_presented_session(state: &AppState, headers: &HeaderMap) -> PageResult<()> {
    if let Some(old) = cookie(headers, cookie_name(state.web.options.secure_cookies)) {
        state
            .store
            .sessions()
            .delete(&SessionSecret::new(old))
            .await?;
    }
    Ok(())
}

fn signed_out(state: &AppState, to: &str) -> Response {
    let secure = state.web.options.secure_cookies;
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, to.to_string()),
            (
                header::SET_COOKIE,
                set_cookie(cookie_name(secure), "", 0, secure),
            ),
        ],
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

pub(crate) async fn logout(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> PageResult {
    state.store.sessions().delete(&viewer.secret).await?;
    Ok(signed_out(&state, "/login?signed_out=here"))
}

pub(crate) async fn logout_everywhere(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<Empty>,
) -> PageResult {
    let n = state
        .store
        .sessions()
        .delete_all_of(&viewer.user.id)
        .await?;
    tracing::info!(user = %viewer.user.id, sessions = n, "signed out everywhere");
    Ok(signed_out(&state, "/login?signed_out=everywhere"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_returns_only_to_a_path_on_this_server() {
        for ok in ["/", "/tickets/abc?x=1", "/contracts/acme%2F1"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "/a\\b",
            "https://evil.example",
            "evil",
            "/\n/x",
            "/x\r\nSet-Cookie: a=b",
            "/\u{1}",
            "/\u{7f}",
            "/\u{85}",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
