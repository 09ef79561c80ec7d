//! What an operator runs beside the server rather than through its API: a consistent backup of
//! the SQLite database taken while the server keeps serving ([`backup`]), the move of a SQLite
//! data store into PostgreSQL ([`to_postgres`]), and their command lines ([`cli`]).

pub mod backup;
pub mod cli;
pub mod to_postgres;

use crate::db::DATABASE_FILE;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// How long a tool waits for a lock the server holds for a moment (a WAL checkpoint).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Why the SQLite database of a data directory cannot be read by a tool.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The data directory does not exist.
    #[error("there is no data directory {0}; give the server's --data-dir (or JUMUN_DATA_DIR)")]
    NoDataDir(PathBuf),
    /// The data directory holds no database.
    #[error(
        "{0} does not exist: this data directory holds no SQLite database. Is it the server's \
         --data-dir? (A server on PostgreSQL keeps its data in PostgreSQL: back it up with \
         pg_dump.)"
    )]
    NoDatabase(PathBuf),
    /// The file in the data directory is not a Jumun database.
    #[error("{0} is not a Jumun database (it has no schema_migrations table)")]
    NotJumun(PathBuf),
    /// SQLite could not open or read it.
    #[error("cannot read {database}: {source}")]
    Sqlite {
        /// The database file.
        database: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
}

/// Opens the SQLite database of `data_dir` for a tool, beside a server that may be running:
/// the file must exist and be a Jumun database. Returns its path and the connection.
fn open_source(data_dir: &Path) -> Result<(PathBuf, Connection), SourceError> {
    if !data_dir.is_dir() {
        return Err(SourceError::NoDataDir(data_dir.to_owned()));
    }
    let database = data_dir.join(DATABASE_FILE);
    if !database.is_file() {
        return Err(SourceError::NoDatabase(database));
    }
    let sqlite = |source| SourceError::Sqlite {
        database: database.clone(),
        source,
    };
    // Read-write without create: a missing file is not made, and a database in WAL mode is
    // readable whether or not the server has its shared-memory file open. Tools only read.
    let conn = Connection::open_with_flags(
        &database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    let is_jumun: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |row| row.get(0),
        )
        .map_err(sqlite)?;
    if !is_jumun {
        return Err(SourceError::NotJumun(database));
    }
    Ok((database, conn))
}
