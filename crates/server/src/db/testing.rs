//! Test support: one fresh database per test, on the engine the test run asks for.
//!
//! Tests run on SQLite by default. When `JUMUN_TEST_POSTGRES` holds the URL of a PostgreSQL
//! server the test user may create databases on (`cargo xtask test` starts a throwaway cluster
//! and sets it), every test gets a new empty database there instead, so the whole suite runs
//! unchanged against PostgreSQL.

use super::{Database, DatabaseError, DatabaseLocation, Engine};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the test PostgreSQL server (an admin URL, any database).
pub const POSTGRES_VAR: &str = "JUMUN_TEST_POSTGRES";

/// The test PostgreSQL server's URL, when the run uses one.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Creates a new, empty PostgreSQL database on the test server and returns its URL; `None` when
/// the run is on SQLite.
///
/// # Panics
/// When the test server cannot be reached or refuses: a test run that asked for PostgreSQL
/// must not quietly fall back to SQLite.
pub fn fresh_postgres_url() -> Option<String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let admin = postgres_url()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!(
        "jumun_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    );
    // On a plain thread: the client runs a runtime of its own, which tokio forbids inside an
    // async test.
    let created = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls)
                    .map_err(|e| format!("cannot connect: {e}"))?;
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .map_err(|e| format!("cannot create {name}: {e}"))
            })
            .join()
    });
    match created {
        Ok(Ok(())) => Some(with_database(&admin, &name)),
        Ok(Err(why)) => panic!("{POSTGRES_VAR}={admin}: {why}"),
        Err(_) => panic!("{POSTGRES_VAR}={admin}: creating {name} panicked"),
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let server = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// The file in a test's data directory that remembers its PostgreSQL database, so a server
/// restarted on the same data directory finds the same database, as it finds the same SQLite
/// file.
const REMEMBERED_URL: &str = "test-database-url";

/// The `database_url` for a test server on `data_dir`: `None` on SQLite; on PostgreSQL, a fresh
/// database the first time and the same one for every later call with this directory.
///
/// # Panics
/// When the data directory cannot be written, or as [`fresh_postgres_url`].
pub fn database_url(data_dir: &Path) -> Option<String> {
    postgres_url()?;
    let remembered = data_dir.join(REMEMBERED_URL);
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Some(url);
    }
    let url = fresh_postgres_url()?;
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(&remembered, &url))
        .unwrap_or_else(|e| panic!("{}: {e}", remembered.display()));
    Some(url)
}

/// Where a test's database goes: SQLite in `data_dir`, or the PostgreSQL database of
/// [`database_url`] when the run uses PostgreSQL.
pub fn location(data_dir: &Path) -> DatabaseLocation {
    match database_url(data_dir) {
        Some(url) => DatabaseLocation::Postgres { url },
        None => DatabaseLocation::Sqlite {
            data_dir: data_dir.to_owned(),
        },
    }
}

/// Opens a test's database (see [`location`]).
pub fn open(data_dir: &Path, now: &str) -> Result<Database, DatabaseError> {
    Database::connect(&location(data_dir), now)
}

/// SQL that makes the engine refuse inserts into `table` for which `condition` (an SQL
/// expression over `NEW`) holds, with the error `name` — how tests make a commit fail part-way.
pub fn refuse_inserts_sql(engine: Engine, name: &str, table: &str, condition: &str) -> String {
    match engine {
        Engine::Sqlite => format!(
            "CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN {condition}
             BEGIN SELECT RAISE(ABORT, '{name}'); END;"
        ),
        Engine::Postgres => format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF {condition} THEN RAISE EXCEPTION '{name}'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();"
        ),
    }
}

/// SQL that removes what [`refuse_inserts_sql`] made.
pub fn allow_inserts_sql(engine: Engine, name: &str, table: &str) -> String {
    match engine {
        Engine::Sqlite => format!("DROP TRIGGER {name};"),
        Engine::Postgres => format!("DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();"),
    }
}

/// Fresh empty connections for engine-level tests: an in-memory SQLite one, and a new
/// PostgreSQL database's when the run has a test server.
#[cfg(test)]
pub(crate) fn fresh_conns() -> Vec<super::Conn> {
    let mut conns = vec![super::Conn::sqlite(
        rusqlite::Connection::open_in_memory().expect("an in-memory SQLite database"),
    )];
    if let Some(url) = fresh_postgres_url() {
        let conn = super::postgres::PgConn::connect(&url)
            .unwrap_or_else(|e| panic!("{url}: cannot connect: {e}"));
        conns.push(super::Conn::postgres(conn));
    }
    conns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_keeping_the_rest() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5433/postgres", "t1"),
            "postgres://u:p@127.0.0.1:5433/t1"
        );
        assert_eq!(
            with_database("postgresql://u@localhost:5433?sslmode=disable", "t2"),
            "postgresql://u@localhost:5433/t2?sslmode=disable"
        );
    }
}
