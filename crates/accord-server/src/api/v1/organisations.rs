//! `/api/v1/organisations` (SPEC §1): the provider and its clients. Staff
//! see all; a client user sees only its own organisation (the store
//! filters). Only admins create client organisations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::OrganisationDto;
use crate::error::{ApiError, ApiResult, Place, Problem};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// The organisations the caller may see: the provider first, then clients by name.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<OrganisationDto>), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<OrganisationDto>>> {
    let orgs = state.store.accounts().organisations(&caller.tenant).await?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

/// A client organisation to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Its name, unique among organisations.
    name: String,
}

/// Create a client organisation. Admins only.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "accounts", request_body = NewOrganisation,
    security(("bearer" = [])),
    responses((status = 201, body = OrganisationDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<OrganisationDto>)> {
    caller.require_admin("create organisations")?;
    let id = state
        .store
        .accounts()
        .create_client(&body.name, state.time.now())
        .await
        .map_err(|e| match e {
            accord_store::Error::Invalid(detail) => ApiError::Unprocessable {
                detail,
                place: Place::field("name"),
            },
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(OrganisationDto {
            id: id.to_string(),
            kind: "client".into(),
            name: body.name.trim().to_string(),
        }),
    ))
}
