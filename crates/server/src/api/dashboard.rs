//! `GET /api/dashboard` (read permission): the engine's dashboard counters of the caller's store
//! and its newest marketplace cancels that matched no order (R27) — the figures the browser
//! cannot count from what it keeps.

use crate::accounts::{Authenticated, Permission};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use jumun_protocol::dashboard::{DashboardFigures, MAX_UNMATCHED_LISTED};
use jumun_protocol::ApiErrorBody;

/// The store's dashboard counters and newest unmatched cancels.
#[utoipa::path(
    get,
    path = "/dashboard",
    operation_id = "dashboard",
    tag = "dashboard",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The counters", body = DashboardFigures),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`, `book_unavailable`)", body = ApiErrorBody),
    )
)]
pub async fn figures(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<DashboardFigures>, ApiError> {
    caller.require(Permission::Read)?;
    let (counters, unmatched_cancels) = state
        .ledger
        .read(caller.store.id, |book| {
            let newest = book
                .unmatched_cancels
                .iter()
                .rev()
                .take(MAX_UNMATCHED_LISTED)
                .cloned()
                .collect::<Vec<_>>();
            (book.dashboard(), newest)
        })
        .await?;
    Ok(Json(DashboardFigures {
        counters,
        unmatched_cancels,
        counted_at: Utc::now(),
    }))
}
