//! A real server on a loopback port for the integration tests, and the sync calls they make
//! through it.

use super::Client;
use jumun_server::accounts::token::SessionToken;
use jumun_server::accounts::{Accounts, StoreId};
use jumun_server::config::ServerConfig;
use jumun_server::db::testing;
use jumun_server::sync::Ledger;
use jumun_server::Server;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::mpsc;

/// A server on its own runtime in a background thread, so the tests can make blocking calls;
/// [`Running::stop`] shuts it down so another can start on the same data directory.
pub struct Running {
    pub base: String,
    pub accounts: Accounts,
    pub ledger: Ledger,
    pub runtime: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The configuration of a test server with the demo store on `data_dir`, on the engine the
/// test run asks for ([`testing::database_url`]).
pub fn demo_config(data_dir: &Path) -> ServerConfig {
    ServerConfig {
        database_url: testing::database_url(data_dir),
        ..sqlite_demo_config(data_dir)
    }
}

/// As [`demo_config`], on SQLite whatever the test run's engine: for what only SQLite has (its
/// file in the data directory).
pub fn sqlite_demo_config(data_dir: &Path) -> ServerConfig {
    ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_owned(),
        database_url: None,
        dist_dir: data_dir.join("no-dist"),
        demo: true,
        sandbox: None,
        secret_key: None,
    }
}

/// Starts a server with the demo store on `data_dir` ([`demo_config`]).
pub fn start(data_dir: &Path) -> Running {
    start_with(demo_config(data_dir))
}

/// Starts a server with `config`.
pub fn start_with(config: ServerConfig) -> Running {
    let (tx, rx) = mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = Server::bind(&config).await.unwrap();
            let base = format!("http://{}", server.local_addr().unwrap());
            let handle = tokio::runtime::Handle::current();
            tx.send((
                base,
                server.accounts().clone(),
                server.ledger().clone(),
                handle,
            ))
            .unwrap();
            tokio::select! {
                served = server.run() => served.unwrap(),
                _ = stopped => {}
            }
        });
        // Dropping the runtime ends every connection and task of this server.
        drop(runtime);
    });
    let (base, accounts, ledger, runtime) = rx.recv().unwrap();
    Running {
        base,
        accounts,
        ledger,
        runtime,
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Running {
    /// Shuts the server down and waits until it has let go of its database.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }

    /// The store id behind a client's session.
    pub fn store_of(&self, client: &Client) -> StoreId {
        let token = SessionToken::parse(&client.token).unwrap();
        self.runtime
            .block_on(self.accounts.authenticate(&token, chrono::Utc::now()))
            .unwrap()
            .store
            .id
    }
}

impl Client {
    /// Reserves an id block; returns its first id.
    pub fn ids(&self, count: u64) -> u64 {
        let (status, json) = self.post("/api/ids", json!({ "count": count }));
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["len"], count);
        json["start"].as_u64().unwrap()
    }

    /// Pushes operations; returns the per-operation answers.
    pub fn push(&self, ops: Vec<Value>) -> Vec<Value> {
        let count = ops.len();
        let (status, json) = self.post("/api/ops", json!({ "ops": ops }));
        assert_eq!(status, 200, "{json}");
        let results = json["results"].as_array().unwrap().clone();
        assert_eq!(results.len(), count, "one answer per operation: {json}");
        results
    }

    /// Pulls every event after `since`, `limit` per page, following `next` until `more` is
    /// false.
    pub fn pull_all(&self, since: u64, limit: usize) -> (Vec<Value>, u64) {
        let mut events = Vec::new();
        let mut cursor = since;
        loop {
            let (status, page) = self.get(&format!("/api/changes?since={cursor}&limit={limit}"));
            assert_eq!(status, 200, "{page}");
            let batch = page["events"].as_array().unwrap();
            assert!(batch.len() <= limit, "{page}");
            events.extend(batch.iter().cloned());
            cursor = page["next"].as_u64().unwrap();
            if !page["more"].as_bool().unwrap() {
                assert_eq!(cursor, page["head"].as_u64().unwrap(), "{page}");
                return (events, cursor);
            }
            assert_eq!(batch.len(), limit, "a page with more after it is full");
        }
    }

    /// The store's latest seq.
    pub fn head(&self) -> u64 {
        let (status, page) = self.get("/api/changes?limit=1");
        assert_eq!(status, 200, "{page}");
        page["head"].as_u64().unwrap()
    }
}
