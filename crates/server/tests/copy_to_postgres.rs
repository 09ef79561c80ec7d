//! Moving to PostgreSQL: `jumun-server copy-to-postgres` (the real binary) copies a stopped
//! SQLite server's data into an empty PostgreSQL database, refuses one that is not empty, and a
//! server started on the copy with the same secret key serves the same log, the same accounts
//! and connections, and goes on writing with fresh ids. Runs only when the test run has a
//! PostgreSQL server (`JUMUN_TEST_POSTGRES`, as `cargo xtask test` sets).

mod support;

use jumun_core::Command;
use jumun_server::config::ServerConfig;
use jumun_server::db::testing;
use serde_json::json;
use std::ffi::OsStr;
use std::path::Path;
use support::commands::{invoice, memo, new_order, op, status};
use support::server::sqlite_config;
use support::Client;
use support::TestServer;

/// Runs `jumun-server copy-to-postgres`; returns its exit code, standard output and standard
/// error.
fn copy_command(data_dir: &Path, url: &str) -> (i32, String, String) {
    support::run_binary([
        OsStr::new("copy-to-postgres"),
        OsStr::new("--data-dir"),
        data_dir.as_os_str(),
        OsStr::new("--database-url"),
        OsStr::new(url),
    ])
}

fn connect(client: &Client, marketplace: &str) -> serde_json::Value {
    let (code, connection) = client.post(
        "/api/connections",
        json!({
            "marketplace": marketplace,
            "base_url": "http://127.0.0.1:9/feed",
            "credentials": {"kind": "api_key", "key": "secret-key-of-the-feed"},
            "period_seconds": 600
        }),
    );
    assert_eq!(code, 201, "{connection}");
    connection
}

#[test]
fn a_stopped_sqlite_store_moves_into_an_empty_postgres_database_whole() {
    let Some(url) = testing::fresh_postgres_url() else {
        return; // Needs a PostgreSQL server: SQLite-only runs have nothing to copy into.
    };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let sqlite = TestServer::start(sqlite_config(&data_dir));
    let owner = Client::demo(&sqlite.base);
    let first = connect(&owner, "zigzag");
    let order = owner.ids(2);
    let mut ops = vec![op(
        "collect",
        &Command::CollectOrder(new_order(order, order + 1)),
    )];
    ops.extend((0..30).map(|i| op(&format!("memo-{i}"), &memo(order, &format!("메모 {i}")))));
    assert!(owner.push(ops).iter().all(|a| status(a) == "accepted"));
    let (events, head) = owner.pull_all(0, 500);
    let next_id = owner.ids(1) + 1;
    sqlite.stop();

    let (code, out, err) = copy_command(&data_dir, &url);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(out.contains(&format!("events: {head}")), "{out}");

    // Not twice: the target now has tables, and is left as it is.
    let (code, out, err) = copy_command(&data_dir, &url);
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(err.contains("is not empty"), "{err}");

    // The server on PostgreSQL, same data directory (same secret key), no demo store made.
    let postgres = TestServer::start(ServerConfig {
        database_url: Some(url),
        demo: false,
        ..sqlite_config(&data_dir)
    });
    let client = Client::login(&postgres.base, "demo", "operator", "operator1234");
    assert_eq!(client.pull_all(0, 9), (events, head), "the same log");
    let (code, health) = client.get("/api/health");
    assert_eq!(code, 200, "{health}");
    assert_eq!(health["database"]["engine"], "postgres");
    let (code, list) = client.get("/api/connections");
    assert_eq!(code, 200, "{list}");
    assert_eq!(list["connections"][0]["id"], first["id"]);
    assert_eq!(
        list["connections"][0]["credentials_kind"], "api_key",
        "{list}"
    );

    // Writes go on: the log, the id blocks and the identity columns continue past the copy.
    let answers = client.push(vec![
        op("memo-0", &memo(order, "다시")),
        op("after", &invoice(order)),
    ]);
    assert!(
        answers[0]["seq_to"].as_u64().unwrap() <= head,
        "a key copied with the log answers as before: {answers:?}"
    );
    assert_eq!(status(&answers[1]), "accepted", "{answers:?}");
    assert_eq!(answers[1]["seq_from"], head + 1);
    assert!(client.ids(1) >= next_id);
    let owner = Client::demo(&postgres.base);
    let second = connect(&owner, "ably");
    assert!(second["id"].as_i64() > first["id"].as_i64(), "{second}");
    postgres.stop();
}
