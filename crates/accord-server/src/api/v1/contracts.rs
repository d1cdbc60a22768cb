//! `/api/v1/contracts...` (SPEC §2): upload a contract version as TOML
//! (every diagnostic on error, nothing written), amend it with a new
//! version, list and read its versions, diff two of them in plain words and
//! render one as the SLA appendix.
//!
//! Contracts are the provider's data: staff upload and amend them. A client
//! user may read, diff and render its own organisation's contracts (the
//! agreement it signed) and nothing else; another client's is not found.

use accord_store::ClientId;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::{ContractDiffDto, ContractVersionDto};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, ContractBody, ContractUpload, QueryParams};
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

/// Upload a contract version: the TOML file as the body, or, for a
/// contract that names holiday files, a JSON object with its `text` and
/// its `files`. Staff only.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "contracts", params(UploadQuery),
    request_body(description = "The contract file, or the contract with its holiday files",
        content((String = "application/toml"), (ContractUpload = "application/json"))),
    security(("bearer" = [])),
    responses((status = 201, body = ContractVersionDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "Invalid contract: every problem in `errors`", body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<UploadQuery>,
    body: ContractBody,
) -> ApiResult<(StatusCode, Json<ContractVersionDto>)> {
    caller.require_staff("upload contracts")?;
    let client =
        ClientId::parse(&q.client).map_err(|e| ApiError::bad_field("client", e.to_string()))?;
    let name = q.name.unwrap_or_else(|| "contract.toml".into());
    // A text that does not parse gets every diagnostic from the store below.
    if let Ok(contract) = accord_store::parse_contract_with_files(&name, &body.text, &body.files) {
        crate::app::contracts::check_client(&state, &client, &contract).await?;
    }
    let stored = state
        .store
        .contracts()
        .put_version_with_files(&client, &name, &body.text, &body.files, state.time.now())
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
    let versions = state
        .store
        .contracts()
        .versions(&caller.tenant, &id)
        .await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!("there is no contract `{id}`")));
    }
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

/// The file name of an amendment.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AmendQuery {
    /// The file name to keep with it (default `contract.toml`).
    name: Option<String>,
}

/// Amend a contract: the TOML body (or a JSON object with its `text` and
/// holiday `files`) becomes its next version. It must keep the contract's
/// `id`, raise `version` and take effect after the current version; holiday
/// files it does not send again are those of the current version. Staff
/// only.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/versions", tag = "contracts", params(
        ("id" = String, Path, description = "The contract's `id`"), AmendQuery),
    request_body(description = "The amended contract file, or the contract with its holiday files",
        content((String = "application/toml"), (ContractUpload = "application/json"))),
    security(("bearer" = [])),
    responses((status = 201, body = ContractVersionDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem),
        (status = 422, description = "Invalid contract (every problem in `errors`), or not an amendment of this one \
            (`field` names `id`, `version` or `effective_from`)", body = Problem)))]
pub async fn amend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<AmendQuery>,
    body: ContractBody,
) -> ApiResult<(StatusCode, Json<ContractVersionDto>)> {
    caller.require_staff("amend contracts")?;
    let name = q.name.unwrap_or_else(|| "contract.toml".into());
    let stored = state
        .store
        .contracts()
        .amend_with_files(&id, &name, &body.text, &body.files, state.time.now())
        .await
        .map_err(|e| match e {
            accord_store::Error::NotFound => no_contract(&id),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

fn no_contract(id: &str) -> ApiError {
    ApiError::NotFound(format!("there is no contract `{id}`"))
}

fn no_version(id: &str, version: u32) -> ApiError {
    ApiError::NotFound(format!("there is no version {version} of contract `{id}`"))
}

/// One stored version of a contract.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/versions/{version}", tag = "contracts",
    params(("id" = String, Path, description = "The contract's `id`"),
           ("version" = u32, Path, description = "The version number", minimum = 1.0, maximum = 4294967295.0, format = Int64)),
    security(("bearer" = [])),
    responses((status = 200, body = ContractVersionDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn version(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<ContractVersionDto>> {
    let version = version_number("version", &version)?;
    let found = state
        .store
        .contracts()
        .version(&caller.tenant, &id, version)
        .await?;
    found
        .map(|v| Json(v.into()))
        .ok_or_else(|| no_version(&id, version))
}

/// A version number from the URL: a positive integer.
fn version_number(field: &str, text: &str) -> ApiResult<u32> {
    text.parse::<u32>().ok().filter(|v| *v > 0).ok_or_else(|| {
        ApiError::bad_field(
            field,
            format!("`{text}` is not a version number (1, 2, ...)"),
        )
    })
}

/// The two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version.
    #[param(format = Int64, minimum = 1.0, maximum = 4294967295.0)]
    from: u32,
    /// The newer version.
    #[param(format = Int64, minimum = 1.0, maximum = 4294967295.0)]
    to: u32,
}

/// Every difference between two versions of a contract, in plain words.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/diff", tag = "contracts",
    params(("id" = String, Path, description = "The contract's `id`"), DiffQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ContractDiffDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn diff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<DiffQuery>,
) -> ApiResult<Json<ContractDiffDto>> {
    let old = state
        .store
        .contracts()
        .parsed_version(&caller.tenant, &id, q.from)
        .await?
        .ok_or_else(|| no_version(&id, q.from))?;
    let new = state
        .store
        .contracts()
        .parsed_version(&caller.tenant, &id, q.to)
        .await?
        .ok_or_else(|| no_version(&id, q.to))?;
    let changes = accord_docs::diff::diff(&old, &new);
    Ok(Json(ContractDiffDto {
        contract_id: id,
        from: q.from,
        to: q.to,
        changes: changes.into_iter().map(Into::into).collect(),
    }))
}

/// The format of a rendered appendix.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// A standalone HTML page.
    #[default]
    Html,
    /// Markdown.
    Md,
}

/// How to render.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RenderQuery {
    /// `html` (default) or `md`.
    #[serde(default)]
    #[param(inline)]
    format: DocumentFormat,
}

/// A contract version as the human-readable SLA appendix it is signed as.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/versions/{version}/render", tag = "contracts",
    params(("id" = String, Path, description = "The contract's `id`"),
           ("version" = u32, Path, description = "The version number", minimum = 1.0, maximum = 4294967295.0, format = Int64), RenderQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The appendix",
            content((String = "text/html"), (String = "text/markdown"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn render(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
    QueryParams(q): QueryParams<RenderQuery>,
) -> ApiResult<Response> {
    let version = version_number("version", &version)?;
    let contract = state
        .store
        .contracts()
        .parsed_version(&caller.tenant, &id, version)
        .await?
        .ok_or_else(|| no_version(&id, version))?;
    let doc = accord_docs::appendix(&contract);
    let (content_type, text) = match q.format {
        DocumentFormat::Html => ("text/html; charset=utf-8", accord_docs::html::render(&doc)),
        DocumentFormat::Md => (
            "text/markdown; charset=utf-8",
            accord_docs::markdown::render(&doc),
        ),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}
