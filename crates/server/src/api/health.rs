//! `GET /api/health`: is the server up, and what is it running.

use crate::db::DatabaseStatus;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server can answer and reach its database.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// The database engine and schema version.
    pub database: DatabaseStatus,
}

/// Is the server up: answers `ok` only when the database answers too.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "health",
    responses(
        (status = 200, description = "Up, with its version and database schema", body = Health),
        (status = 500, description = "The database does not answer (`internal`)", body = ApiError),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        database: state.db.status().await?,
    }))
}
