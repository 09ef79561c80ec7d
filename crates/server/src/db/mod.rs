//! The embedded SQLite database: one file in the data directory, opened once at start-up.

pub mod migrations;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "jumun.sqlite3";

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The data directory could not be created.
    #[error(
        "cannot create the data directory {path}: {source}; check the path and its permissions"
    )]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not open or configure the file.
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The schema could not be brought up to date.
    #[error(transparent)]
    Migration(#[from] migrations::MigrationError),
    /// A query failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The worker thread running the query panicked or was cancelled.
    #[error("database worker failed: {0}")]
    Worker(String),
    /// Another request panicked while holding the connection.
    #[error("the database connection was poisoned by an earlier failure; restart the server")]
    Poisoned,
}

/// A handle to the embedded database, cheap to clone.
///
/// SQLite allows one writer at a time, so one connection behind a mutex is both simple and as
/// fast as the file allows; queries run on the blocking thread pool so they never stall the
/// async workers.
#[derive(Clone)]
pub struct Database {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

/// What the health endpoint reports about the database.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DatabaseStatus {
    /// `sqlite`.
    pub engine: &'static str,
    /// The applied schema version.
    pub schema_version: i64,
}

impl Database {
    /// Opens (creating if needed) the database in `data_dir` and applies pending migrations.
    pub fn open(data_dir: &Path, now: &str) -> Result<Self, DatabaseError> {
        std::fs::create_dir_all(data_dir).map_err(|source| DatabaseError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let open_error = |source| DatabaseError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_error)?;
        // WAL: readers never block the writer, and a crash loses nothing that was committed.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_error)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS, now)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` with the connection on the blocking pool.
    pub async fn with<T, F>(&self, work: F) -> Result<T, DatabaseError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DatabaseError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| DatabaseError::Poisoned)?;
            work(&mut guard)
        })
        .await
        .map_err(|e| DatabaseError::Worker(e.to_string()))?
    }

    /// Engine and schema version, for the health endpoint.
    pub async fn status(&self) -> Result<DatabaseStatus, DatabaseError> {
        self.with(|conn| {
            let schema_version =
                conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
                    row.get(0)
                })?;
            Ok(DatabaseStatus {
                engine: "sqlite",
                schema_version,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_the_file_under_the_data_dir_and_reopens_it() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("nested/data");
        let db = Database::open(&data_dir, "2026-11-24T00:00:00Z").unwrap();
        assert!(data_dir.join(DATABASE_FILE).is_file());
        assert_eq!(
            db.status().await.unwrap().schema_version,
            migrations::MIGRATIONS.len() as i64
        );
        db.with(|c| {
            c.execute(
                "INSERT INTO server_meta (key, value) VALUES ('demo', 'kept')",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        drop(db);
        let reopened = Database::open(&data_dir, "2026-11-24T00:01:00Z").unwrap();
        let kept: String = reopened
            .with(|c| {
                Ok(
                    c.query_row("SELECT value FROM server_meta WHERE key='demo'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(kept, "kept");
    }

    #[test]
    fn an_unusable_data_dir_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = Database::open(&file.join("data"), "now").err().unwrap();
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
