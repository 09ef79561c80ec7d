//! `GET /api/health`: is the server up, and what is it running.

use crate::db::DatabaseStatus;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;

/// The health report.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `ok` when the server can answer and reach its database.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// The database engine and schema version.
    pub database: DatabaseStatus,
}

/// Answers `ok` only when the database answers too.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        database: state.db.status().await?,
    }))
}
