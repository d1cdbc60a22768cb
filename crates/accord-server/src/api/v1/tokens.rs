//! `/api/v1/tokens` (SPEC §1, §9): bearer tokens for the API. A user
//! creates, lists and revokes their own; an admin may create one for, or
//! revoke one of, any user. The secret is answered once, on creation; a
//! revoked token is refused from the next request on.

use accord_store::{Role, TokenId, UserId};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{NewTokenDto, TokenDto, instant};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// The caller's tokens, revoked ones included, newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenDto>), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TokenDto>>> {
    let tokens = state.store.accounts().tokens(Some(&caller.user.id)).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What to call it, e.g. the integration that uses it.
    name: String,
    /// The user it acts as (admins only); the caller when absent.
    #[serde(default)]
    user: Option<String>,
}

/// Create a token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewTokenBody,
    security(("bearer" = [])),
    responses((status = 201, body = NewTokenDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<NewTokenDto>)> {
    let user = match body.user.as_deref() {
        None => caller.user.id.clone(),
        Some(u) => {
            let user = UserId::parse(u).map_err(|e| ApiError::bad_field("user", e.to_string()))?;
            if user != caller.user.id {
                caller.require_admin("create tokens for other users")?;
            }
            user
        }
    };
    if body.name.trim().is_empty() {
        return Err(ApiError::Unprocessable {
            detail: "a token needs a name, e.g. the integration that uses it".into(),
            place: crate::error::Place::field("name"),
        });
    }
    let now = state.time.now();
    let (info, secret) = state
        .store
        .accounts()
        .create_token(&user, &body.name, now)
        .await
        .map_err(|e| match e {
            accord_store::Error::NotFound => {
                ApiError::NotFound(format!("there is no user `{user}`"))
            }
            other => other.into(),
        })?;
    let token = TokenDto {
        id: info.id.to_string(),
        name: info.name,
        user: info.user.to_string(),
        created_at: instant(now),
        revoked_at: None,
    };
    Ok((
        StatusCode::CREATED,
        Json(NewTokenDto {
            token,
            secret: secret.expose().to_string(),
        }),
    ))
}

/// Revoke a token: the caller's own, or any user's for an admin.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The token's id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let missing = || ApiError::NotFound(format!("there is no active token `{id}` of yours"));
    let token = TokenId::parse(&id).map_err(|_| missing())?;
    let now = state.time.now();
    let revoked = if caller.user.role == Role::Admin {
        state.store.accounts().revoke_token(&token, now).await?
    } else {
        state
            .store
            .accounts()
            .revoke_token_of(&caller.user.id, &token, now)
            .await?
    };
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(missing())
    }
}
