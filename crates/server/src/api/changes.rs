//! `GET /api/changes?since=<seq>&limit=<n>` (read permission): the caller's store's events after
//! seq `since` (default 0), in seq order, at most `limit` (default [`DEFAULT_LIMIT`], at most
//! [`MAX_LIMIT`]) per page.
//!
//! Answers `{"events": [{"seq", "event", "key"}], "next", "more", "head"}`: `event` is a
//! `jumun_core::Event`, `key` the idempotency key of the operation that caused it (`null` for
//! marketplace sync and automatic rules), `next` the cursor for the following page, `more`
//! whether it has anything, `head` the store's latest seq. A browser pulls with `since=next`
//! until `more` is false and folds the events into its book; a `head` below its cursor means its
//! cursor comes from another database (a restored backup): it must pull again from 0.

use crate::accounts::{Authenticated, Permission};
use crate::error::ApiError;
use crate::sync::ChangesPage;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 500;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 5000;

/// The query string.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// The last seq the client has (0: from the start).
    #[serde(default)]
    pub since: u64,
    /// Page size, 1 to 5000 (default 500).
    pub limit: Option<usize>,
}

/// A page of the store's events after a seq, in seq order.
#[utoipa::path(
    get,
    path = "/changes",
    operation_id = "list_changes",
    tag = "sync",
    security(("bearer" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "The page, with the next cursor and the store's head", body = ChangesPage),
        (status = 400, description = "A query parameter is unknown or not a number (`invalid_query`)", body = ApiError),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiError),
        (status = 422, description = "`limit` not between 1 and 5000 (`invalid_input`)", body = ApiError),
        (status = 500, description = "The server failed (`internal`, `book_unavailable`)", body = ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangesPage>, ApiError> {
    caller.require(Permission::Read)?;
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!(
                "{}; use ?since=<last seq you have>&limit=<1 to {MAX_LIMIT}>",
                rejection.body_text()
            ),
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("limit: {limit} is not between 1 and {MAX_LIMIT}"),
        ));
    }
    let page = state
        .ledger
        .changes(caller.store.id, query.since, limit)
        .await?;
    Ok(Json(page))
}
