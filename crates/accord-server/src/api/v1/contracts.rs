//! `/api/v1/contracts...` (SPEC §2): upload a contract version as TOML
//! (every diagnostic on error, nothing written) and list a contract's
//! versions.

use accord_store::ClientId;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::ContractVersionDto;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, QueryParams, TextBody};
use crate::state::AppState;

/// Whose contract an upload is.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The client's id.
    client: String,
    /// The file name to keep with it (default `contract.toml`).
    name: Option<String>,
}

/// Upload a contract version (TOML body). Staff only.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "contracts", params(UploadQuery),
    request_body(content = String, content_type = "application/toml", description = "The contract file"),
    security(("bearer" = [])),
    responses((status = 201, body = ContractVersionDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "Invalid contract: every problem in `errors`", body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<UploadQuery>,
    TextBody(text): TextBody,
) -> ApiResult<(StatusCode, Json<ContractVersionDto>)> {
    caller.require_staff("upload contracts")?;
    let client =
        ClientId::parse(&q.client).map_err(|e| ApiError::bad_field("client", e.to_string()))?;
    let name = q.name.unwrap_or_else(|| "contract.toml".into());
    let stored = state
        .store
        .put_contract_version(&client, &name, &text, state.clock.now())
        .await
        .map_err(|e| match e {
            accord_store::Error::Invalid(detail) => ApiError::bad_field("client", detail),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Every stored version of a contract, oldest first.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/versions", tag = "contracts",
    params(("id" = String, Path, description = "The contract's `id`")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ContractVersionDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ContractVersionDto>>> {
    let versions = state.store.contract_versions(&caller.tenant, &id).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!("there is no contract `{id}`")));
    }
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}
