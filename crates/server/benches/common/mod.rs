//! Shared by the server benches (`ingest`, `api_load`): the tests' server launcher
//! (`tests/support/server.rs`), a signed-in HTTP client, and what the database holds. The orders
//! and the printed figures come from `jumun-bench`, as for every bench.
//!
//! Nothing here asserts on time. A failed correctness check is an `Err(String)` that the bench's
//! `main` prints and turns into a non-zero exit.

#![allow(dead_code)] // each bench uses its own part of this module

#[path = "../../tests/support/server.rs"]
mod server;

use jumun_bench::figures::file_size;
use jumun_server::db::DatabaseLocation;
use serde_json::{json, Value};
pub use server::TestServer;
use std::path::Path;
use std::time::Duration as StdDuration;

/// The demo store's owner, created by `--demo`.
pub const DEMO: (&str, &str, &str) = ("demo", "demo", "demo1234");

/// Starts the server on `127.0.0.1:0` over `data_dir` and, when given, this PostgreSQL
/// database, with the demo store.
pub fn start_on(data_dir: &Path, database_url: Option<String>) -> TestServer {
    TestServer::start(server::config_with_database(data_dir, database_url))
}

/// An HTTP agent that returns 4xx/5xx as responses, with a hard timeout per request.
pub fn agent(timeout: StdDuration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A signed-in client.
pub struct Client {
    pub base: String,
    pub token: String,
    pub agent: ureq::Agent,
}

impl Client {
    pub fn login(base: &str, (store, login, password): (&str, &str, &str)) -> Result<Self, String> {
        let agent = agent(StdDuration::from_secs(60));
        let mut response = agent
            .post(format!("{base}/api/auth/login"))
            .send_json(json!({"store": store, "login": login, "password": password}))
            .map_err(|err| format!("login: {err}"))?;
        let status = response.status().as_u16();
        let body: Value = response
            .body_mut()
            .read_json()
            .map_err(|err| format!("login answer: {err}"))?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| format!("login: status {status}, {body}"))?;
        Ok(Self {
            base: base.to_owned(),
            token: token.to_owned(),
            agent,
        })
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// `POST path` with a JSON body; the answer must be 200 and JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", self.bearer())
            .send_json(body)
            .map_err(|err| format!("POST {path}: {err}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| format!("POST {path}: {err}"))?;
        if status != 200 {
            return Err(format!("POST {path}: status {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|err| format!("POST {path}: not JSON ({err})"))
    }

    /// `GET path`; the answer must be 200 and JSON.
    pub fn get(&self, path: &str) -> Result<Value, String> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", self.bearer())
            .call()
            .map_err(|err| format!("GET {path}: {err}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| format!("GET {path}: {err}"))?;
        if status != 200 {
            return Err(format!("GET {path}: status {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|err| format!("GET {path}: not JSON ({err})"))
    }
}

/// The sizes of the database's files in `data_dir`: main file, `-wal`, `-shm`.
pub fn database_sizes(data_dir: &Path) -> (u64, u64, u64) {
    let main = data_dir.join(jumun_server::db::DATABASE_FILE);
    let with = |suffix: &str| {
        let mut name = main.clone().into_os_string();
        name.push(suffix);
        file_size(Path::new(&name))
    };
    (file_size(&main), with("-wal"), with("-shm"))
}

/// What a closed database holds: its file size once the WAL is checkpointed into it, and its
/// events. Call it when no server or ledger holds the database open.
pub struct Stored {
    pub file_bytes: u64,
    pub events: u64,
    /// The average `event_json`, in bytes.
    pub event_json_bytes: f64,
}

pub fn stored(location: &DatabaseLocation) -> Result<Stored, String> {
    match location {
        DatabaseLocation::Sqlite { data_dir } => stored_sqlite(data_dir),
        DatabaseLocation::Postgres { url } => stored_postgres(url),
    }
}

fn stored_sqlite(data_dir: &Path) -> Result<Stored, String> {
    let path = data_dir.join(jumun_server::db::DATABASE_FILE);
    let conn = rusqlite::Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (events, event_json_bytes) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .and_then(|()| {
            conn.query_row(
                "SELECT COUNT(*), COALESCE(AVG(LENGTH(CAST(event_json AS BLOB))), 0) FROM events",
                [],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, f64>(1)?)),
            )
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    drop(conn);
    Ok(Stored {
        file_bytes: file_size(&path),
        events: events.max(0) as u64,
        event_json_bytes,
    })
}

fn stored_postgres(url: &str) -> Result<Stored, String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
    client.batch_execute("VACUUM").map_err(|e| e.to_string())?;
    let row = client
        .query_one(
            "SELECT pg_database_size(current_database()), COUNT(*), \
             COALESCE(AVG(octet_length(event_json)), 0)::float8 FROM events",
            &[],
        )
        .map_err(|e| e.to_string())?;
    Ok(Stored {
        file_bytes: row.get::<_, i64>(0).max(0) as u64,
        events: row.get::<_, i64>(1).max(0) as u64,
        event_json_bytes: row.get::<_, f64>(2),
    })
}
