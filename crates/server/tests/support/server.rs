//! The one way the server's integration tests and benches start a server (the benches include
//! this file by path): the real [`Server`] on `127.0.0.1:0`, on its own two-worker runtime in a
//! background thread, so the caller's threads can make blocking HTTP calls to it and reach its
//! accounts, ledger and collector. Dropping it (or [`TestServer::stop`]) shuts it down, so
//! another can start on the same data directory.
#![allow(dead_code)] // each test and bench uses its own part

use jumun_server::accounts::{Accounts, NewStore, NewUser, Role};
use jumun_server::collector::{Collector, SchedulerConfig};
use jumun_server::config::ServerConfig;
use jumun_server::sync::Ledger;
use jumun_server::Server;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// What tests start from: port 0 on loopback, the data directory given with its test database
/// (SQLite there, or a fresh PostgreSQL database when `JUMUN_TEST_POSTGRES` names a server), no
/// built app, and the demo store.
pub fn config(data_dir: &Path) -> ServerConfig {
    config_with_database(data_dir, jumun_server::db::testing::database_url(data_dir))
}

/// [`config`] on SQLite whatever the test run's engine: for what only SQLite has (its file in
/// the data directory).
pub fn sqlite_config(data_dir: &Path) -> ServerConfig {
    config_with_database(data_dir, None)
}

/// [`config`] on this database (`None`: SQLite in the data directory).
pub fn config_with_database(data_dir: &Path, database_url: Option<String>) -> ServerConfig {
    ServerConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_owned(),
        database_url,
        dist_dir: data_dir.join("no-dist"),
        demo: true,
        demo_marketplaces: None,
        marketplace_clock: jumun_server::marketplaces::clock::MarketClock::SYSTEM,
        secret_key: None,
    }
}

/// Starts a server with the demo store on `data_dir` ([`config`]).
pub fn start(data_dir: &Path) -> TestServer {
    TestServer::start(config(data_dir))
}

/// A running server (see the module's doc).
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Its accounts, e.g. to create stores.
    pub accounts: Accounts,
    /// Its stores' ledger.
    pub ledger: Ledger,
    /// Its marketplace collector.
    pub collector: Collector,
    /// Its runtime, to run the library's async calls from the test's thread.
    pub runtime: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Removed after the server stops (fields drop after [`Drop::drop`]).
    _temporary: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts a server with `config`.
    pub fn start(config: ServerConfig) -> Self {
        Self::start_with(config, None)
    }

    /// Starts a server over a fresh temporary directory (`data/` and `dist/` in it), removed when
    /// the server is dropped; `adjust` changes the [`config`] first (and may write the app into
    /// its `dist_dir`).
    pub fn temporary(adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = config(&dir.path().join("data"));
        config.dist_dir = dir.path().join("dist");
        adjust(&mut config);
        let mut server = Self::start(config);
        server._temporary = Some(dir);
        server
    }

    /// Starts a server with `config`, running the collection scheduler when one is given.
    pub fn start_with(config: ServerConfig, scheduler: Option<SchedulerConfig>) -> Self {
        let data_dir = config.data_dir.clone();
        let (tx, rx) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async {
                let mut server = Server::bind(&config).await.expect("the server starts");
                if let Some(scheduler) = scheduler {
                    server = server.with_scheduler(scheduler);
                }
                let base = format!("http://{}", server.local_addr().expect("bound"));
                tx.send((
                    base,
                    server.accounts().clone(),
                    server.ledger().clone(),
                    server.collector().clone(),
                    tokio::runtime::Handle::current(),
                ))
                .expect("the caller waits for the server");
                tokio::select! {
                    served = server.run() => served.expect("the server runs"),
                    _ = stopped => {}
                }
            });
            // Dropping the runtime ends every connection and task of this server.
            drop(runtime);
        });
        let (base, accounts, ledger, collector, runtime) = rx.recv().expect("the server started");
        Self {
            base,
            data_dir,
            accounts,
            ledger,
            collector,
            runtime,
            stop: Some(stop),
            thread: Some(thread),
            _temporary: None,
        }
    }

    /// Shuts the server down and waits until it has stopped; panics if its thread panicked.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server's thread ends cleanly");
        }
    }

    /// Creates the store `code` with an owner `boss` (password `boss-password`) named
    /// `owner_name`, through the library.
    pub fn create_store(&self, code: &str, owner_name: &str) {
        self.runtime
            .block_on(self.accounts.create_store(
                NewStore {
                    code: code.to_owned(),
                    name: format!("{code} 상점"),
                },
                NewUser {
                    login: "boss".to_owned(),
                    name: owner_name.to_owned(),
                    role: Role::Owner,
                    password: "boss-password".to_owned(),
                },
                chrono::Utc::now(),
            ))
            .expect("the store is created");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves `router` on a free loopback port from the current runtime (a fake marketplace, for
/// example); answers `http://127.0.0.1:PORT`.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}
