//! `GET /api/health`.

use serde::{Deserialize, Serialize};

/// The health report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok` when the server can answer and reach its database.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The database engine and schema version.
    pub database: DatabaseStatus,
}

/// What the health report says about the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatabaseStatus {
    /// `sqlite` or `postgres`.
    pub engine: Engine,
    /// The applied schema version (the number of migrations applied).
    pub schema_version: i64,
}

/// Which database engine the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The embedded SQLite file in the data directory.
    Sqlite,
    /// A PostgreSQL server named by `DATABASE_URL`.
    Postgres,
}

impl Engine {
    /// `sqlite` or `postgres`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}
