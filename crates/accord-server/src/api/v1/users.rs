//! `/api/v1/users` (SPEC §1): admins list and create accounts; anyone reads
//! their own with `/users/me`. A `client` user belongs to exactly one client
//! organisation; staff (`admin`, `agent`) to none.

use accord_store::{ClientId, NewUser, Role};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::UserDto;
use crate::error::{ApiError, ApiResult, Place, Problem};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// Every user, by e-mail. Admins only.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<UserDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserDto>>> {
    caller.require_admin("list users")?;
    let users = state.store.accounts().users(&caller.tenant).await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> Json<UserDto> {
    Json(caller.user.into())
}

/// A role (SPEC §1).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    /// Provider staff who administer the installation.
    Admin,
    /// Provider staff who work tickets.
    Agent,
    /// A user of one client organisation.
    Client,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Admin => Role::Admin,
            RoleName::Agent => Role::Agent,
            RoleName::Client => Role::Client,
        }
    }
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Login e-mail, unique (compared case-insensitively).
    email: String,
    /// Display name.
    name: String,
    /// `admin`, `agent` or `client`.
    role: RoleName,
    /// The client organisation's id: required for `client`, absent for staff.
    #[serde(default)]
    client: Option<String>,
    /// A password to log in with (stored as an Argon2id hash); without one
    /// the user works through API tokens only.
    #[serde(default)]
    password: Option<String>,
}

fn unprocessable(field: &str, detail: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        detail: detail.into(),
        place: Place::field(field),
    }
}

/// Create a user. Admins only.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserBody,
    security(("bearer" = [])),
    responses((status = 201, body = UserDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    caller.require_admin("create users")?;
    let role = Role::from(body.role);
    let client = body
        .client
        .as_deref()
        .map(|c| ClientId::parse(c).map_err(|e| ApiError::bad_field("client", e.to_string())))
        .transpose()?;
    match (role, &client) {
        (Role::Client, None) => {
            return Err(unprocessable(
                "client",
                "a client user needs `client`, the id of its organisation",
            ));
        }
        (Role::Admin | Role::Agent, Some(_)) => {
            return Err(unprocessable(
                "client",
                format!(
                    "a `{role}` is provider staff and belongs to no client: leave out `client`"
                ),
            ));
        }
        _ => {}
    }
    let new = NewUser {
        email: &body.email,
        name: &body.name,
        role,
        client,
        password: body.password.as_deref(),
    };
    let user = state
        .store
        .accounts()
        .create_user(new, state.time.now())
        .await
        .map_err(|e| match e {
            // Role and binding are checked above: what is left is the
            // client's existence or the e-mail.
            accord_store::Error::Invalid(d) if d.contains("client") => unprocessable("client", d),
            accord_store::Error::Invalid(d) => unprocessable("email", d),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(user.into())))
}
