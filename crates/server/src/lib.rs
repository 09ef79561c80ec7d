//! Jumun's server: a thin JSON API plus the host of the built browser app.
//!
//! It holds what the browser must not (marketplace credentials, the shared truth of a team) and
//! decides nothing itself: every business rule is `jumun-core`'s.

pub mod accounts;
pub mod api;
pub mod collector;
pub mod config;
pub mod db;
pub mod error;
pub mod maintenance;
pub mod marketplaces;
pub mod secret_key;
pub mod security_headers;
mod static_files;
pub mod sync;

use accounts::{Accounts, DemoLogin};
use axum::Router;
use config::ServerConfig;
use db::{Database, DatabaseLocation};
use tokio::net::TcpListener;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The embedded database.
    pub db: Database,
    /// Stores, users and sessions.
    pub accounts: Accounts,
    /// Each store's book and event log: the one write path for orders (operators' sync).
    pub ledger: sync::Ledger,
    /// Marketplace connections and their collection runs.
    pub collector: collector::Collector,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] db::DatabaseError),
    /// The secret key file could not be read or created.
    #[error(transparent)]
    SecretKey(#[from] secret_key::SecretKeyError),
    /// Credentials stored in plain text could not be encrypted.
    #[error("cannot encrypt the stored marketplace credentials: {0}")]
    SealCredentials(#[source] collector::CollectorError),
    /// The demo store could not be created.
    #[error("cannot create the demo store: {0}")]
    Demo(#[source] accounts::AccountsError),
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}; is another server running there? pick another with --addr")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an IO error.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
}

/// The whole HTTP application: `/api` and the browser app, every answer with the security
/// headers ([`security_headers`]).
pub fn app(state: AppState, config: &ServerConfig) -> Router {
    let security = security_headers::SecurityHeaders::for_dist(&config.dist_dir);
    Router::new()
        .nest("/api", api::router())
        .fallback_service(static_files::service(&config.dist_dir))
        .layer(axum::middleware::from_fn_with_state(
            security,
            security_headers::add,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// A started server, bound to its address.
pub struct Server {
    listener: TcpListener,
    router: Router,
    accounts: Accounts,
    ledger: sync::Ledger,
    collector: collector::Collector,
    scheduler: Option<collector::SchedulerConfig>,
    demo: Option<DemoLogin>,
}

impl Server {
    /// Reads (or creates) the secret key, opens the database, applies migrations, encrypts
    /// credentials still stored in plain text, creates the demo store if `config.demo` asks for
    /// it, and binds the address.
    pub async fn bind(config: &ServerConfig) -> Result<Self, StartError> {
        let now = chrono::Utc::now();
        // Before the database: a key that cannot be had stops the start with nothing touched.
        let (key, key_source) = match &config.secret_key {
            Some(key) => (key.clone(), secret_key::KeySource::Configured),
            None => secret_key::SecretKey::load_or_create(&config.data_dir)?,
        };
        tracing::info!(source = %key_source, "secret key for marketplace credentials ready");
        let location = match &config.database_url {
            Some(url) => DatabaseLocation::Postgres { url: url.clone() },
            None => DatabaseLocation::Sqlite {
                data_dir: config.data_dir.clone(),
            },
        };
        let db = Database::connect(&location, &now.to_rfc3339())?;
        tracing::info!(database = %location.describe(), "database ready");
        let accounts = Accounts::new(db.clone());
        let demo = if config.demo {
            Some(accounts.ensure_demo(now).await.map_err(StartError::Demo)?)
        } else {
            None
        };
        if !config.dist_dir.join("index.html").is_file() {
            tracing::warn!(
                dist = %config.dist_dir.display(),
                "no built app found; build it with `cargo xtask build` (the API works without it)"
            );
        }
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartError::Listen {
                    addr: config.addr,
                    source,
                })?;
        let ledger = sync::Ledger::new(db.clone());
        let collector = collector::Collector::new(db.clone(), ledger.clone(), key);
        let sealed = collector
            .seal_plain_credentials()
            .await
            .map_err(StartError::SealCredentials)?;
        if sealed > 0 {
            tracing::info!(
                connections = sealed,
                "encrypted marketplace credentials that were stored in plain text"
            );
        }
        let state = AppState {
            db,
            accounts: accounts.clone(),
            ledger: ledger.clone(),
            collector: collector.clone(),
        };
        Ok(Self {
            listener,
            router: app(state, config),
            accounts,
            ledger,
            collector,
            scheduler: None,
            demo,
        })
    }

    /// The demo store's sign-in, when the server was started with the demo store.
    pub fn demo_login(&self) -> Option<DemoLogin> {
        self.demo
    }

    /// The server's accounts, e.g. to create stores before serving (tests, set-up tools).
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The stores' ledger: the collector and the scheduler write through it
    /// ([`sync::Ledger::execute_marketplace`], [`sync::Ledger::tick`]).
    pub fn ledger(&self) -> &sync::Ledger {
        &self.ledger
    }

    /// The marketplace collector (connections, runs), e.g. to connect the demo store to the
    /// marketplaces of a directory: [`collector::directory::connect_demo_store`].
    pub fn collector(&self) -> &collector::Collector {
        &self.collector
    }

    /// Runs the marketplace collection scheduler (and the automatic rules' tick) while the
    /// server serves. Off unless asked for, so tests that start servers are not disturbed.
    pub fn with_scheduler(mut self, config: collector::SchedulerConfig) -> Self {
        self.scheduler = Some(config);
        self
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run(self) -> Result<(), StartError> {
        // Stops with the server: the handle aborts the scheduler's tasks when dropped.
        let _scheduler = self
            .scheduler
            .map(|config| collector::scheduler::spawn(self.collector.clone(), config));
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async {
                shutdown_signal().await;
                tracing::info!("shutting down");
            })
            .await
            .map_err(StartError::Serve)
    }
}

/// Resolves at Ctrl-C or, on Unix, SIGTERM: when the server (or another of the project's
/// programs, such as the sandbox marketplace) should stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
