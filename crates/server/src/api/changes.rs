//! `GET /api/changes?since=<seq>&limit=<n>` (read permission): the caller's store's events after
//! seq `since` (default 0), in seq order, at most `limit` (default [`DEFAULT_CHANGES_LIMIT`], at most
//! [`MAX_CHANGES_LIMIT`]) per page.
//!
//! Answers `{"events": [{"seq", "event", "key"}], "next", "more", "head"}`: `event` is a
//! `jumun_core::Event`, `key` the idempotency key of the operation that caused it (`null` for
//! marketplace sync and automatic rules), `next` the cursor for the following page, `more`
//! whether it has anything, `head` the store's latest seq. A browser pulls with `since=next`
//! until `more` is false and folds the events into its book; a `head` below its cursor means its
//! cursor comes from another database (a restored backup): it must pull again from 0.

use crate::accounts::{Authenticated, Permission};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use jumun_protocol::sync::{ChangesPage, ChangesQuery, DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT};
use jumun_protocol::ApiErrorBody;

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
        (status = 400, description = "A query parameter is unknown or not a number (`invalid_query`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 422, description = "`limit` not between 1 and 5000 (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`, `book_unavailable`)", body = ApiErrorBody),
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
                "{}; use ?since=<last seq you have>&limit=<1 to {MAX_CHANGES_LIMIT}>",
                rejection.body_text()
            ),
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_CHANGES_LIMIT);
    if !(1..=MAX_CHANGES_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("limit: {limit} is not between 1 and {MAX_CHANGES_LIMIT}"),
        ));
    }
    let page = state
        .ledger
        .changes(caller.store.id, query.since, limit as usize)
        .await?;
    Ok(Json(page))
}
