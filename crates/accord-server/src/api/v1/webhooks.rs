//! `/api/v1/webhooks...` (SPEC §7): register, list and delete the webhooks
//! that outbox messages (warnings, breaches, ...) are POSTed to. A webhook
//! subscribes to a list of topics. Admins only; the signing secret is shown
//! once, in the answer to the registration.

use accord_store::{ClientId, NewWebhook, TOPICS, Topics, Webhook, WebhookId};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::instant;
use crate::error::{ApiError, ApiResult, Place, Problem};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// A webhook to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookDto {
    /// Where to POST: an `http://` or `https://` URL.
    url: String,
    /// The topics it receives, e.g. `["clock.breach"]`; every topic when
    /// absent (see `topics` of a registered webhook for the list).
    #[serde(default)]
    topics: Option<Vec<String>>,
    /// The older shorthand for `topics`: `all`, `warning` (`clock.warning`)
    /// or `breach` (`clock.breach`). Give one of the two, not both.
    #[serde(default)]
    events: Option<String>,
    /// Only this client's tickets (client id); all clients when absent.
    #[serde(default)]
    client: Option<String>,
    /// Free text for your own reference.
    #[serde(default)]
    description: Option<String>,
}

/// A registered webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    /// Its id.
    pub id: String,
    /// Where it POSTs.
    pub url: String,
    /// The topics it receives.
    pub topics: Vec<String>,
    /// Only this client's tickets, if set.
    pub client: Option<String>,
    /// Free text.
    pub description: String,
    /// When it was registered.
    pub created_at: String,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> Self {
        WebhookDto {
            id: w.id.to_string(),
            url: w.url,
            topics: w.topics.as_slice().iter().map(|t| t.to_string()).collect(),
            client: w.client.map(|c| c.to_string()),
            description: w.description,
            created_at: instant(w.created_at),
        }
    }
}

/// A webhook just registered, with its signing secret (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// The HMAC-SHA256 key of the `Accord-Signature` header: keep it, it is
    /// not shown again.
    pub secret: String,
}

/// Register a webhook for warnings and breaches. Admins only.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    request_body = NewWebhookDto, security(("bearer" = [])),
    responses((status = 201, body = CreatedWebhook), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewWebhookDto>,
) -> ApiResult<Response> {
    caller.require_admin("manage webhooks")?;
    let url = reqwest::Url::parse(body.url.trim())
        .map_err(|e| ApiError::bad_field("url", format!("`{}` is not a URL: {e}", body.url)))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::bad_field(
            "url",
            format!("`{url}` is not an http:// or https:// URL with a host"),
        ));
    }
    let topics = match (body.topics, body.events.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ApiError::Unprocessable {
                detail: "give `topics` or its older shorthand `events`, not both".into(),
                place: Place::field("events"),
            });
        }
        (Some(list), None) => Topics::parse(&list).map_err(|e| ApiError::Unprocessable {
            detail: e.to_string(),
            place: Place::field("topics"),
        })?,
        (None, None | Some("all")) => Topics::all(),
        (None, Some("warning")) => Topics::parse(&["clock.warning"])?,
        (None, Some("breach")) => Topics::parse(&["clock.breach"])?,
        (None, Some(other)) => {
            return Err(ApiError::bad_field(
                "events",
                format!(
                    "`{other}` is not a webhook event filter: use all, warning or breach, or give `topics` from {}",
                    TOPICS.join(", ")
                ),
            ));
        }
    };
    let client = body
        .client
        .map(|c| ClientId::parse(&c).map_err(|e| ApiError::bad_field("client", e.to_string())))
        .transpose()?;
    let new = NewWebhook {
        url: url.to_string(),
        topics,
        client,
        description: body.description.unwrap_or_default(),
    };
    let (webhook, secret) = state
        .store
        .outbox()
        .create_webhook(new, state.time.now())
        .await
        .map_err(|e| match e {
            accord_store::Error::Invalid(detail) => ApiError::Unprocessable {
                detail,
                place: Place::field("client"),
            },
            other => other.into(),
        })?;
    let location = format!("/api/v1/webhooks/{}", webhook.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CreatedWebhook {
            webhook: webhook.into(),
            secret,
        }),
    )
        .into_response())
}

/// The registered webhooks, oldest first (without their secrets). Admins only.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<WebhookDto>>> {
    caller.require_admin("manage webhooks")?;
    let hooks = state.store.outbox().webhooks().await?;
    Ok(Json(hooks.into_iter().map(Into::into).collect()))
}

/// Delete a webhook; its pending notifications are cancelled. Admins only.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = String, Path, description = "The webhook's id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_admin("manage webhooks")?;
    let missing = || ApiError::NotFound(format!("there is no webhook `{id}`"));
    let parsed = WebhookId::parse(&id).map_err(|_| missing())?;
    if state
        .store
        .outbox()
        .delete_webhook(&parsed, state.time.now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(missing())
    }
}
