//! Marketplace connections and their collection runs (issue 4).
//!
//! - `GET /api/connections` (read): the store's connections, each with its latest run; never
//!   the credentials, only their kind — `unreadable`, with `credentials_error` saying why and
//!   what to do, when the server's secret key cannot decrypt them (they are stored encrypted,
//!   see `collector::credentials`).
//! - `POST /api/connections` (owner) `{marketplace, base_url, credentials, period_seconds?,
//!   enabled?, carrier_codes?, api_version?}`: connects a marketplace account; `marketplace` is a code of the
//!   console's table (`cafe24`, `smartstore`, `coupang`, `zigzag`, …), `base_url` is `https://…`
//!   (plain `http://` only on loopback, for a sandbox), `credentials` one of `{"kind": "none"}`,
//!   `{"kind": "bearer", "access_token"}`, `{"kind": "naver_client", "client_id",
//!   "client_secret"}`, `{"kind": "coupang_hmac", "access_key", "secret_key", "vendor_id"}`,
//!   `{"kind": "api_key", "key"}`; `period_seconds` 600–1800 (default 900, R25), or from 1 for a
//!   loopback base URL; `carrier_codes` (optional) the marketplace's carrier codes by the
//!   console's carrier code for invoice uploads, `{"cj": "0006", "lotte": "…"}` — a Cafe24 mall
//!   has its own (`GET /api/v2/admin/carriers` there lists them), so a Cafe24 connection needs
//!   them; elsewhere they override the adapter's known codes; `api_version` (optional, Cafe24
//!   only) the API version the calls are pinned to, `YYYY-MM-DD` (default the adapter's, see
//!   `marketplaces::cafe24::PINNED_API_VERSION`; set it to the app's version in the Cafe24
//!   developer centre). Answers 201 with the connection; its first run is due at once.
//! - `PATCH /api/connections/{id}` (owner) `{base_url?, credentials?, period_seconds?, enabled?,
//!   carrier_codes?, api_version?}` (`carrier_codes` replaces the whole map; `{}` clears it).
//! - `POST /api/connections/{id}/collect` (operator or owner): runs it now and answers the run's
//!   record (200), or 202 `still_running` when it takes longer than 30 s (it goes on).
//! - `GET /api/connections/{id}/runs?limit=` (read): its runs, newest first (default 20, at most
//!   500).
//! - `GET /api/malformed?limit=` (read): payloads the store's runs could not use, newest first,
//!   each with its raw JSON and the error (default 50, at most 500).
//!
//! A connection of another store answers 404, like one that does not exist.

use super::json::JsonBody;
use crate::accounts::{Authenticated, Permission, Role};
use crate::collector::CollectorError;
use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use jumun_protocol::connections::{
    ConnectionInfo, ConnectionList, ConnectionPatch, LimitQuery, MalformedList, NewConnection,
    RunList, RunRecord,
};
use jumun_protocol::ApiErrorBody;

/// The largest `limit` of the lists.
pub const MAX_LIMIT: u32 = 500;

impl From<CollectorError> for ApiError {
    fn from(err: CollectorError) -> Self {
        match err {
            CollectorError::NotFound(_) => ApiError::not_found(err.to_string()),
            CollectorError::Invalid { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                err.to_string(),
            ),
            CollectorError::Duplicate { .. } => {
                ApiError::new(StatusCode::CONFLICT, "already_connected", err.to_string())
            }
            CollectorError::StillRunning(_) => {
                ApiError::new(StatusCode::ACCEPTED, "still_running", err.to_string())
            }
            CollectorError::Ledger(err) => err.into(),
            CollectorError::Database(err) => err.into(),
            CollectorError::NoStore(_)
            | CollectorError::Worker(_)
            | CollectorError::Credentials(_) => {
                tracing::error!(error = %err, "collector failure");
                ApiError::internal(err.to_string())
            }
        }
    }
}

/// Only the store's owner connects marketplaces and changes their settings.
fn require_owner(caller: &Authenticated) -> Result<(), ApiError> {
    if caller.role() == Role::Owner {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "a {} cannot change this store's marketplace connections; ask the store's owner",
                caller.role().as_str()
            ),
        ))
    }
}

fn connection_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id).map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            format!("{}; a connection id is a number", rejection.body_text()),
        )
    })
}

fn limit(
    query: Result<Query<LimitQuery>, QueryRejection>,
    default: u32,
) -> Result<usize, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("{}; use ?limit=<1 to {MAX_LIMIT}>", rejection.body_text()),
        )
    })?;
    let limit = query.limit.unwrap_or(default);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit as usize)
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("limit: {limit} is not between 1 and {MAX_LIMIT}"),
        ))
    }
}

/// The store's marketplace connections, each with its latest run (never the credentials).
#[utoipa::path(
    get,
    path = "/connections",
    operation_id = "list_connections",
    tag = "connections",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The connections", body = ConnectionList),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<ConnectionList>, ApiError> {
    caller.require(Permission::Read)?;
    let connections = state.collector.list(caller.store.id).await?;
    Ok(Json(ConnectionList { connections }))
}

/// Connect a marketplace account (owners); its first run is due at once.
#[utoipa::path(
    post,
    path = "/connections",
    operation_id = "create_connection",
    tag = "connections",
    security(("bearer" = [])),
    request_body = NewConnection,
    responses(
        (status = 201, description = "Connected", body = ConnectionInfo),
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "Only the owner connects marketplaces (`forbidden`)", body = ApiErrorBody),
        (status = 409, description = "This account is connected already (`already_connected`)", body = ApiErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "An unknown marketplace, a bad base URL, period or credentials (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    JsonBody(new): JsonBody<NewConnection>,
) -> Result<(StatusCode, Json<ConnectionInfo>), ApiError> {
    require_owner(&caller)?;
    let info = state
        .collector
        .create(caller.store.id, new, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// Change a connection's settings (owners); absent fields stay.
#[utoipa::path(
    patch,
    path = "/connections/{id}",
    operation_id = "update_connection",
    tag = "connections",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The connection's id")),
    request_body = ConnectionPatch,
    responses(
        (status = 200, description = "The changed connection", body = ConnectionInfo),
        (status = 400, description = "The id is not a number (`invalid_path`) or the body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "Only the owner changes connections (`forbidden`)", body = ApiErrorBody),
        (status = 404, description = "No such connection in this store (`not_found`)", body = ApiErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "A bad base URL, period or credentials (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Authenticated,
    path: Result<Path<i64>, PathRejection>,
    JsonBody(patch): JsonBody<ConnectionPatch>,
) -> Result<Json<ConnectionInfo>, ApiError> {
    require_owner(&caller)?;
    let id = connection_id(path)?;
    let info = state
        .collector
        .update(caller.store.id, id, patch, Utc::now())
        .await?;
    Ok(Json(info))
}

/// Collect a connection now (operators and owners) and answer the run's record.
///
/// The body, if any, is ignored — but read, so the client's connection stays usable for its
/// next request.
#[utoipa::path(
    post,
    path = "/connections/{id}/collect",
    operation_id = "collect_connection",
    tag = "connections",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The connection's id")),
    responses(
        (status = 200, description = "The run's record", body = RunRecord),
        (status = 202, description = "The run takes longer than 30 s and goes on (`still_running`)", body = ApiErrorBody),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "A viewer may not collect (`forbidden`)", body = ApiErrorBody),
        (status = 404, description = "No such connection in this store (`not_found`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn collect(
    State(state): State<AppState>,
    caller: Authenticated,
    path: Result<Path<i64>, PathRejection>,
    _body: Bytes,
) -> Result<Json<RunRecord>, ApiError> {
    caller.require(Permission::Write)?;
    let id = connection_id(path)?;
    let run = state.collector.collect_now(caller.store.id, id).await?;
    Ok(Json(run))
}

/// A connection's runs, newest first.
#[utoipa::path(
    get,
    path = "/connections/{id}/runs",
    operation_id = "list_runs",
    tag = "connections",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The connection's id"), LimitQuery),
    responses(
        (status = 200, description = "The runs (at most `limit`, default 20)", body = RunList),
        (status = 400, description = "The id is not a number (`invalid_path`) or a bad query (`invalid_query`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 404, description = "No such connection in this store (`not_found`)", body = ApiErrorBody),
        (status = 422, description = "`limit` not between 1 and 500 (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn runs(
    State(state): State<AppState>,
    caller: Authenticated,
    path: Result<Path<i64>, PathRejection>,
    query: Result<Query<LimitQuery>, QueryRejection>,
) -> Result<Json<RunList>, ApiError> {
    caller.require(Permission::Read)?;
    let id = connection_id(path)?;
    let limit = limit(query, 20)?;
    let runs = state.collector.runs(caller.store.id, id, limit).await?;
    Ok(Json(RunList { runs }))
}

/// Payloads the store's runs could not use, newest first, with their raw JSON.
#[utoipa::path(
    get,
    path = "/malformed",
    operation_id = "list_malformed",
    tag = "connections",
    security(("bearer" = [])),
    params(LimitQuery),
    responses(
        (status = 200, description = "The malformed payloads (at most `limit`, default 50)", body = MalformedList),
        (status = 400, description = "A bad query (`invalid_query`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 422, description = "`limit` not between 1 and 500 (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn malformed(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<LimitQuery>, QueryRejection>,
) -> Result<Json<MalformedList>, ApiError> {
    caller.require(Permission::Read)?;
    let limit = limit(query, 50)?;
    let malformed = state.collector.malformed(caller.store.id, limit).await?;
    Ok(Json(MalformedList { malformed }))
}
