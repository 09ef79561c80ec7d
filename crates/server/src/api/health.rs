//! `GET /api/health`: is the server up, and what is it running.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use jumun_protocol::health::Health;
use jumun_protocol::ApiErrorBody;

/// Is the server up: answers `ok` only when the database answers too.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "health",
    responses(
        (status = 200, description = "Up, with its version and database schema", body = Health),
        (status = 500, description = "The database does not answer (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    Ok(Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: state.db.status().await?,
    }))
}
