//! The database: the embedded SQLite file in the data directory by default, or a PostgreSQL
//! server when `DATABASE_URL` names one. Opened once at start-up; the storage modules reach it
//! through [`Database::with`] (the one writer) and [`Database::read`] (a pool of readers), with
//! the same SQL on both engines ([`Conn`]).

pub mod migrations;
mod postgres;
mod sql;
pub mod testing;

pub use sql::{
    Conn, Engine, FromValue, OptionalExtension, Param, Row, SqlError, SqlResult, ToParam,
    Transaction, Value,
};

use jumun_protocol::health::DatabaseStatus;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "jumun.sqlite3";

/// How many prepared statements each SQLite connection keeps (the storage modules have about
/// forty).
const STATEMENT_CACHE: usize = 128;

/// How many read-only connections serve [`Database::read`] beside the one writer.
pub const READ_CONNECTIONS: usize = 4;

/// A key of PostgreSQL's advisory locks, held by the server that serves a database ("jumun" in
/// ASCII): each store's book lives in that server's memory, so a second server on the same
/// database would write beside it unseen.
const SERVER_LOCK: i64 = 0x006a_756d_756e;

/// How often the lock is tried, 250 ms apart, before another server is taken to hold it.
const LOCK_TRIES: u32 = 20;

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// `jumun.sqlite3` in this data directory.
    Sqlite {
        /// The data directory (created if missing).
        data_dir: PathBuf,
    },
    /// A PostgreSQL database, e.g. `postgres://jumun:secret@127.0.0.1:5432/jumun`.
    Postgres {
        /// The connection URL.
        url: String,
    },
}

impl DatabaseLocation {
    /// Where, for logs and errors, without any password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseLocation::Sqlite { data_dir } => {
                format!("SQLite {}", data_dir.join(DATABASE_FILE).display())
            }
            DatabaseLocation::Postgres { url } => format!("PostgreSQL {}", redact(url)),
        }
    }
}

/// The URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Why the database could not be opened or used.
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
    /// The PostgreSQL server could not be reached or refused the session.
    #[error(
        "cannot connect to {location}: {source}; check DATABASE_URL (host, port, user, \
         password, database) and that the server is running"
    )]
    Connect {
        location: String,
        #[source]
        source: ::postgres::Error,
    },
    /// Another jumun-server already serves this PostgreSQL database.
    #[error(
        "another jumun-server is already serving {location}; stop it first (one server per \
         database: each store's book lives in that server's memory)"
    )]
    InUse { location: String },
    /// The schema could not be brought up to date.
    #[error(transparent)]
    Migration(#[from] migrations::MigrationError),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] SqlError),
    /// The worker thread running the query panicked or was cancelled.
    #[error("database worker failed: {0}")]
    Worker(String),
    /// Another request panicked while holding the connection.
    #[error("the database connection was poisoned by an earlier failure; restart the server")]
    Poisoned,
}

/// A handle to the database, cheap to clone.
///
/// One writer connection behind a mutex: SQLite allows one writer at a time anyway, and the
/// ledger already orders each store's writes, so a single writer is as fast as the file (or the
/// PostgreSQL round trips) allow ([`Database::with`]). Reads that need no write can go to a
/// small pool of read-only connections instead ([`Database::read`]): they see the last
/// committed state beside the writer (SQLite's WAL; PostgreSQL's repeatable-read snapshots), so
/// they do not wait for a write's fsync. Queries run on the blocking thread pool so they never
/// stall the async workers.
#[derive(Clone)]
pub struct Database {
    conn: Arc<Mutex<Conn>>,
    readers: Arc<Readers>,
    location: Arc<DatabaseLocation>,
}

/// The read-only connections, handed out round-robin, a free one first.
struct Readers {
    conns: Vec<Mutex<Conn>>,
    next: AtomicUsize,
}

impl Database {
    /// Opens (creating if needed) the SQLite database in `data_dir` and applies pending
    /// migrations.
    pub fn open(data_dir: &Path, now: &str) -> Result<Self, DatabaseError> {
        Self::connect(
            &DatabaseLocation::Sqlite {
                data_dir: data_dir.to_owned(),
            },
            now,
        )
    }

    /// Opens the database at `location` and applies pending migrations.
    pub fn connect(location: &DatabaseLocation, now: &str) -> Result<Self, DatabaseError> {
        let (writer, readers) = match location {
            DatabaseLocation::Sqlite { data_dir } => open_sqlite(data_dir, now)?,
            // On a plain thread: the PostgreSQL client starts a runtime of its own, which tokio
            // forbids on an async worker (the server opens its database from `Server::bind`).
            DatabaseLocation::Postgres { url } => std::thread::scope(|scope| {
                scope
                    .spawn(|| open_postgres(url, &location.describe(), now))
                    .join()
                    .map_err(|_| DatabaseError::Worker("opening PostgreSQL panicked".into()))?
            })?,
        };
        Ok(Self {
            conn: Arc::new(Mutex::new(writer)),
            readers: Arc::new(Readers {
                conns: readers.into_iter().map(Mutex::new).collect(),
                next: AtomicUsize::new(0),
            }),
            location: Arc::new(location.clone()),
        })
    }

    /// Where the database is.
    pub fn location(&self) -> &DatabaseLocation {
        &self.location
    }

    /// Runs `work` with the writer connection on the blocking pool.
    pub async fn with<T, F>(&self, work: F) -> Result<T, DatabaseError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, DatabaseError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| DatabaseError::Poisoned)?;
            work(&mut guard)
        })
        .await
        .map_err(|e| DatabaseError::Worker(e.to_string()))?
    }

    /// Runs `work` with one of the read-only connections on the blocking pool: it sees every
    /// write committed before it starts (a transaction it opens reads one snapshot), never
    /// waits for the writer, and cannot write (the engine refuses).
    pub async fn read<T, F>(&self, work: F) -> Result<T, DatabaseError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, DatabaseError> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let count = readers.conns.len();
            let first = readers.next.fetch_add(1, Ordering::Relaxed) % count;
            // A free connection if there is one, else wait for the next in turn.
            let free = (0..count).find_map(|i| readers.conns[(first + i) % count].try_lock().ok());
            let mut guard = match free {
                Some(guard) => guard,
                None => readers.conns[first]
                    .lock()
                    .map_err(|_| DatabaseError::Poisoned)?,
            };
            work(&mut guard)
        })
        .await
        .map_err(|e| DatabaseError::Worker(e.to_string()))?
    }

    /// Engine and schema version, for the health endpoint.
    pub async fn status(&self) -> Result<DatabaseStatus, DatabaseError> {
        self.read(|conn| {
            let schema_version = conn.query_row(
                "SELECT MAX(version) FROM schema_migrations",
                crate::params![],
                |row| row.get(0),
            )?;
            Ok(DatabaseStatus {
                engine: conn.engine(),
                schema_version,
            })
        })
        .await
    }
}

/// The SQLite writer (WAL, full fsync, foreign keys) and its read-only companions.
fn open_sqlite(data_dir: &Path, now: &str) -> Result<(Conn, Vec<Conn>), DatabaseError> {
    std::fs::create_dir_all(data_dir).map_err(|source| DatabaseError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let path = data_dir.join(DATABASE_FILE);
    let open_error = |source| DatabaseError::Open {
        path: path.clone(),
        source,
    };
    let conn = Connection::open(&path).map_err(open_error)?;
    // WAL: readers never block the writer, and a crash loses nothing that was committed.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_error)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_error)?;
    // Room for every statement the storage modules prepare, so none is compiled twice.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mut conn = Conn::sqlite(conn);
    migrations::migrate(&mut conn, migrations::MIGRATIONS, now)?;
    // Opened after the writer set WAL mode and migrated, so they see the final schema.
    let readers = (0..READ_CONNECTIONS)
        .map(|_| open_sqlite_reader(&path).map(Conn::sqlite))
        .collect::<Result<Vec<_>, _>>()
        .map_err(open_error)?;
    Ok((conn, readers))
}

/// A read-only connection to the database file (which the writer has put in WAL mode).
fn open_sqlite_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "query_only", "ON")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// A plain session with the PostgreSQL database at `url`: no lock, no migrations (for tools that
/// prepare a database no server serves yet). Call it off any async runtime: the client runs
/// one of its own.
pub fn connect_postgres(url: &str) -> Result<Conn, DatabaseError> {
    postgres::PgConn::connect(url)
        .map(Conn::postgres)
        .map_err(|source| DatabaseError::Connect {
            location: DatabaseLocation::Postgres {
                url: url.to_owned(),
            }
            .describe(),
            source,
        })
}

/// The PostgreSQL writer (holding the server's advisory lock) and its read-only companions.
fn open_postgres(url: &str, location: &str, now: &str) -> Result<(Conn, Vec<Conn>), DatabaseError> {
    let connect = || connect_postgres(url);
    let mut writer = connect()?;
    // A server restarted right after a crash may find its old session still ending (PostgreSQL
    // notices the closed socket a moment later), so the lock is tried for a few seconds.
    let mut tries = 0;
    while !writer.query_row(
        "SELECT pg_try_advisory_lock(?1)",
        crate::params![SERVER_LOCK],
        |row| row.get::<bool>(0),
    )? {
        tries += 1;
        if tries >= LOCK_TRIES {
            return Err(DatabaseError::InUse {
                location: location.to_owned(),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    migrations::migrate(&mut writer, migrations::MIGRATIONS, now)?;
    let readers = (0..READ_CONNECTIONS)
        .map(|_| {
            let mut reader = connect()?;
            // One snapshot per transaction, as SQLite's readers have, and no writes.
            reader.execute_batch(
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            )?;
            Ok(reader)
        })
        .collect::<Result<Vec<_>, DatabaseError>>()?;
    Ok((writer, readers))
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
                &[],
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
                    c.query_row("SELECT value FROM server_meta WHERE key='demo'", &[], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(kept, "kept");
    }

    #[test]
    fn a_second_server_on_the_same_postgres_database_is_refused_and_the_password_is_not_shown() {
        let Some(url) = testing::fresh_postgres_url() else {
            return; // A PostgreSQL-only rule: SQLite runs have nothing to check here.
        };
        let location = DatabaseLocation::Postgres { url };
        let first = Database::connect(&location, "2026-11-24T00:00:00Z").unwrap();
        let err = Database::connect(&location, "2026-11-24T00:00:00Z")
            .err()
            .expect("a second server opened the same database");
        assert!(matches!(err, DatabaseError::InUse { .. }), "{err}");
        assert!(err.to_string().contains("another jumun-server"), "{err}");
        drop(first);
        // The lock goes with the first server's session (closed on a thread of its own).
        let reopened = (0..50).find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            Database::connect(&location, "2026-11-24T00:00:01Z").ok()
        });
        assert!(
            reopened.is_some(),
            "the database stayed locked after the first server closed"
        );
        assert_eq!(
            redact("postgres://jumun:s3cret@db.internal:5432/shop"),
            "postgres://jumun:***@db.internal:5432/shop"
        );
        let unreachable = Database::connect(
            &DatabaseLocation::Postgres {
                url: "postgres://jumun:s3cret@127.0.0.1:1/shop".into(),
            },
            "2026-11-24T00:00:00Z",
        )
        .err()
        .expect("connected to port 1");
        let message = unreachable.to_string();
        assert!(message.contains("check DATABASE_URL"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }

    #[test]
    fn an_unusable_data_dir_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = Database::open(&file.join("data"), "now").err().unwrap();
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_see_committed_writes_without_waiting_for_the_writer_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let db = testing::open(dir.path(), "2026-11-24T00:00:00Z").unwrap();
        async fn value(db: &Database) -> Result<String, DatabaseError> {
            db.read(|c| {
                Ok(c.query_row(
                    "SELECT COALESCE(MAX(value), 'none') FROM server_meta WHERE key = 'k'",
                    &[],
                    |r| r.get::<String>(0),
                )?)
            })
            .await
        }
        assert_eq!(value(&db).await.unwrap(), "none");
        db.with(|c| {
            c.execute(
                "INSERT INTO server_meta (key, value) VALUES ('k', 'one')",
                &[],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(
            value(&db).await.unwrap(),
            "one",
            "a committed write is seen"
        );

        // The writer holds its connection inside an open write transaction: reads still answer,
        // with the last committed value.
        let (written, wait_written) = std::sync::mpsc::channel();
        let (release, wait_release) = std::sync::mpsc::channel::<()>();
        let writing = db.clone();
        let writer = tokio::spawn(async move {
            writing
                .with(move |c| {
                    let mut tx = c.transaction()?;
                    tx.execute("UPDATE server_meta SET value = 'two' WHERE key = 'k'", &[])?;
                    written.send(()).unwrap();
                    wait_release.recv().unwrap();
                    tx.commit()?;
                    Ok(())
                })
                .await
        });
        tokio::task::spawn_blocking(move || wait_written.recv().unwrap())
            .await
            .unwrap();
        for _ in 0..READ_CONNECTIONS + 1 {
            assert_eq!(value(&db).await.unwrap(), "one");
        }
        release.send(()).unwrap();
        writer.await.unwrap().unwrap();
        assert_eq!(value(&db).await.unwrap(), "two");

        let refused = db
            .read(|c| {
                c.execute("DELETE FROM server_meta", &[])?;
                Ok(())
            })
            .await;
        assert!(refused.is_err(), "a read connection wrote");
        assert_eq!(value(&db).await.unwrap(), "two");
        assert_eq!(
            db.status().await.unwrap().schema_version,
            migrations::MIGRATIONS.len() as i64
        );
    }
}
