//! `/settings` (SPEC §1): the viewer's time zone and sessions, API tokens
//! (one's own; an admin sees everyone's), users (admins add them) and the
//! webhooks section.

use accord_store::{ClientId, NewUser, OrgKind, Role, Tenant, TokenId, random_password};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::tz::TimeZone;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageError, PageResult};
use crate::web::session::{CsrfForm, Viewer};

/// Zones offered in the time-zone field's suggestions (any IANA name is
/// accepted).
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Zurich",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
];

#[derive(Debug, Serialize)]
struct TokenRow {
    id: String,
    name: String,
    user: String,
    created: String,
    revoked: Option<String>,
}

#[derive(Debug, Serialize)]
struct UserRow {
    name: String,
    email: String,
    role: &'static str,
    client: String,
}

/// What the settings page may say after a form: a notice, an error, or a
/// secret shown once.
#[derive(Debug, Default, Serialize)]
struct Outcome {
    notice: Option<String>,
    error: Option<String>,
    secret: Option<String>,
    secret_what: Option<String>,
}

// ---- webhooks ----

/// The webhooks section: every registered endpoint (admins register and
/// delete them through `/api/v1/webhooks`, which shows the secret once).
#[derive(Debug, Serialize)]
struct WebhooksSection {
    endpoints: Vec<Value>,
}

async fn webhooks_section(state: &AppState, viewer: &Viewer) -> PageResult<WebhooksSection> {
    let orgs = state.store.accounts().organisations(&viewer.tenant).await?;
    let endpoints = state
        .store
        .outbox()
        .webhooks()
        .await?
        .into_iter()
        .map(|w| {
            let client = w.client.as_ref().map_or_else(
                || "all clients".to_string(),
                |c| {
                    orgs.iter()
                        .find(|o| o.id.as_str() == c.as_str())
                        .map_or_else(|| c.to_string(), |o| o.name.clone())
                },
            );
            context! {
                url => w.url,
                topics => w.topics.as_slice().join(", "),
                client => client,
                description => w.description,
                created => live::when(w.created_at, &viewer.zone),
            }
        })
        .collect();
    Ok(WebhooksSection { endpoints })
}

// ---- the page ----

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    outcome: Outcome,
) -> PageResult {
    let is_admin = viewer.user.role == Role::Admin;
    let only = (!is_admin).then_some(&viewer.user.id);
    let tokens: Vec<TokenRow> = state
        .store
        .accounts()
        .tokens(only)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.info.id.to_string(),
            name: t.info.name,
            user: t.user_email,
            created: live::when(t.created_at, &viewer.zone),
            revoked: t.revoked_at.map(|r| live::when(r, &viewer.zone)),
        })
        .collect();
    let orgs = state.store.accounts().organisations(&viewer.tenant).await?;
    let client_name = |id: &Option<ClientId>| {
        id.as_ref()
            .and_then(|c| orgs.iter().find(|o| o.id.as_str() == c.as_str()))
            .map_or_else(String::new, |o| o.name.clone())
    };
    let users: Vec<UserRow> = state
        .store
        .accounts()
        .users(&viewer.tenant)
        .await?
        .into_iter()
        .map(|u| UserRow {
            client: client_name(&u.client),
            name: u.name,
            email: u.email,
            role: u.role.as_str(),
        })
        .collect();
    let clients: Vec<Value> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Client)
        .map(|o| context! { id => o.id.to_string(), name => o.name.clone() })
        .collect();
    let webhooks = if is_admin {
        Some(webhooks_section(state, viewer).await?)
    } else {
        None
    };
    Ok(page::render(
        "settings.html",
        status,
        context! {
            frame => page::v(Frame::new(viewer, "settings")),
            tokens => page::v(&tokens), users => page::v(&users), clients => page::v(&clients), webhooks => page::v(&webhooks), outcome => page::v(&outcome),
            zones => page::v(ZONES),
            now => live::when(state.time.now(), &viewer.zone),
        },
    ))
}

pub(crate) async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    settings_page(&state, &viewer, StatusCode::OK, Outcome::default()).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ZoneForm {
    time_zone: String,
}

pub(crate) async fn time_zone(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<ZoneForm>,
) -> PageResult {
    let zone = form.time_zone.trim();
    if zone.is_empty() {
        state
            .store
            .accounts()
            .set_time_zone(&viewer.user.id, None)
            .await?;
        return Ok(page::see_other("/settings"));
    }
    if TimeZone::get(zone).is_err() {
        let error = format!(
            "Time zone: `{zone}` is not an IANA time zone name; use one like Europe/Berlin or UTC."
        );
        let outcome = Outcome {
            error: Some(error),
            ..Outcome::default()
        };
        return settings_page(&state, &viewer, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
    }
    state
        .store
        .accounts()
        .set_time_zone(&viewer.user.id, Some(zone))
        .await?;
    Ok(page::see_other("/settings"))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    name: String,
}

pub(crate) async fn create_token(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<TokenForm>,
) -> PageResult {
    let name = form.name.trim();
    if name.is_empty() {
        let outcome = Outcome {
            error: Some("Token name: give the token a name, e.g. the system that uses it.".into()),
            ..Outcome::default()
        };
        return settings_page(&state, &viewer, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
    }
    let (info, secret) = state
        .store
        .accounts()
        .create_token(&viewer.user.id, name, state.time.now())
        .await?;
    let outcome = Outcome {
        secret: Some(secret.expose().to_string()),
        secret_what: Some(format!("API token “{}”", info.name)),
        ..Outcome::default()
    };
    settings_page(&state, &viewer, StatusCode::CREATED, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = TokenId::parse(&id).map_err(|_| PageError::NotFound)?;
    let owner = state
        .store
        .accounts()
        .token_owner(&id)
        .await?
        .ok_or(PageError::NotFound)?;
    // Someone else's token does not exist for anyone but an admin.
    if owner != viewer.user.id && viewer.user.role != Role::Admin {
        return Err(PageError::NotFound);
    }
    state
        .store
        .accounts()
        .revoke_token(&id, state.time.now())
        .await?;
    Ok(page::see_other("/settings"))
}

#[derive(Debug, Deserialize)]
pub(crate) struct UserForm {
    email: String,
    name: String,
    role: String,
    client: Option<String>,
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<UserForm>,
) -> PageResult {
    viewer.require_admin()?;
    let fail = |error: String| Outcome {
        error: Some(error),
        ..Outcome::default()
    };
    let role: Role = match form.role.parse() {
        Ok(r) => r,
        Err(e) => {
            let outcome = fail(format!("Role: {e}"));
            return settings_page(&state, &viewer, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
        }
    };
    let client = match (role, form.client.as_deref().map(str::trim)) {
        (Role::Client, Some(c)) if !c.is_empty() => match ClientId::parse(c) {
            Ok(id) if Tenant::Provider.can_see(&id) => Some(id),
            _ => None,
        },
        _ => None,
    };
    let password = random_password();
    let created = state
        .store
        .accounts()
        .create_user(
            NewUser {
                email: &form.email,
                name: &form.name,
                role,
                client,
                password: Some(&password),
            },
            state.time.now(),
        )
        .await;
    let (status, outcome) = match created {
        Ok(u) => (
            StatusCode::CREATED,
            Outcome {
                secret: Some(password),
                secret_what: Some(format!("the password of {} ({})", u.email, u.role)),
                ..Outcome::default()
            },
        ),
        Err(e @ (accord_store::Error::Invalid(_) | accord_store::Error::Conflict(_))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fail(format!("New user: {e}")),
        ),
        Err(e) => return Err(e.into()),
    };
    settings_page(&state, &viewer, status, outcome).await
}
