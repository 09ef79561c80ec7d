//! Marketplace collection (issue 4): each store's connected marketplace accounts, collected on a
//! schedule and on demand, with a record of every run.
//!
//! A **connection** is one marketplace account of one store: marketplace code, the API's base
//! URL, credentials, a period. A **run** ([`run`]) collects new and changed orders, then claims
//! (cancel sync R25–R27 as one `SyncCancels`, returns and exchanges as held claims R11,
//! withdrawals R12), then sends the invoice numbers of shipped orders back (R29), all through the
//! store's [`Ledger`] as that marketplace's sync. Every run is recorded (when, how many, what
//! failed); a payload the adapter could not use is kept with its raw body and the rest of the
//! page goes on; nothing already stored is touched by a bad payload.
//!
//! A feed's cursor is saved only after the commands of its page are committed, so a run that
//! stops half-way re-reads the same page next time; the engine's idempotence (an order collected
//! twice is refused `AlreadyCollected`, a repeated claim or cancel changes nothing, an unmatched
//! cancel is kept once) makes that safe.
//!
//! The [`scheduler`] runs each enabled connection every `period_seconds` (R25: 10–30 minutes;
//! seconds only for a loopback sandbox), backs off after failures (period × 2^failures, at most
//! an hour) and ticks every store's automatic rules every minute. It runs only when the server
//! is started with it ([`crate::Server::with_scheduler`]), so tests are not disturbed.
//!
//! Credentials are encrypted at rest with the server's [`SecretKey`] (see [`credentials`]); a
//! connection whose credentials do not open with it fails its runs saying why and shows the
//! problem in its [`ConnectionInfo`], while every other connection goes on.

pub mod credentials;
pub mod directory;
mod run;
pub mod scheduler;
mod store;

pub use credentials::{CredentialsError, StoredCredentials};
pub use run::{delay_note, replacement_memo};
pub use scheduler::{backoff, SchedulerConfig, SchedulerHandle};

use crate::accounts::StoreId;
use crate::db::{Database, DatabaseError};
use crate::marketplaces::{adapter_for, Connection, MarketplaceAdapter};
use crate::secret_key::SecretKey;
use crate::sync::{Ledger, LedgerError};
use chrono::{DateTime, Utc};
use credentials::{Binding, SealedCredentials};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceTable};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::{Mutex as AsyncMutex, Notify};

/// The period when a new connection names none: 15 minutes.
pub const DEFAULT_PERIOD_SECS: u32 = 900;
/// The shortest period for a real marketplace (R25: 10 minutes).
pub const MIN_PERIOD_SECS: u32 = 600;
/// The longest period (R25: 30 minutes).
pub const MAX_PERIOD_SECS: u32 = 1800;
/// How long `collect now` waits for its run before answering that it is still running.
pub const MANUAL_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub use jumun_protocol::connections::{
    ConnectionInfo, ConnectionPatch, MalformedRecord, NewConnection, RunRecord, Trigger,
};

/// A connection as stored.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionRow {
    pub id: i64,
    pub store: StoreId,
    pub marketplace: String,
    pub base_url: String,
    /// Sealed for this store, marketplace and base URL ([`ConnectionRow::binding`]).
    pub credentials: SealedCredentials,
    pub period_seconds: u32,
    pub enabled: bool,
    pub orders_cursor: String,
    pub claims_cursor: String,
    pub failures: u32,
    pub next_run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub carrier_codes: BTreeMap<String, String>,
    /// The marketplace API version pinned ('' for none).
    pub api_version: String,
}

impl ConnectionRow {
    /// What its sealed credentials are bound to.
    pub(crate) fn binding(&self) -> Binding<'_> {
        Binding {
            store: self.store,
            marketplace: &self.marketplace,
            base_url: &self.base_url,
        }
    }

    /// Its credentials, opened with the server's key.
    pub(crate) fn open_credentials(
        &self,
        key: &SecretKey,
    ) -> Result<StoredCredentials, CredentialsError> {
        self.credentials.open(key, self.binding())
    }

    /// The adapters' connection, or why its credentials cannot be used.
    pub(crate) fn adapter_connection(
        &self,
        key: &SecretKey,
    ) -> Result<Connection, CredentialsError> {
        let mut conn = Connection::new(
            self.marketplace.clone(),
            self.base_url.clone(),
            self.open_credentials(key)?.into(),
        );
        conn.carrier_codes = self.carrier_codes.clone();
        conn.api_version = Some(self.api_version.clone()).filter(|v| !v.is_empty());
        Ok(conn)
    }
}

/// Why the collector could not do what was asked. A run's own failures are not errors: they
/// are in its [`RunRecord`].
#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// No such connection in the caller's store.
    #[error("connection {0} does not exist in this store; list them with GET /api/connections")]
    NotFound(i64),
    /// A field of a request is not usable.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and what to do.
        message: String,
    },
    /// The store has this marketplace at this URL already.
    #[error(
        "this store is already connected to {marketplace} at {base_url} (connection {id}); \
         change that one with PATCH /api/connections/{id}"
    )]
    Duplicate {
        /// The marketplace.
        marketplace: String,
        /// The URL.
        base_url: String,
        /// The existing connection.
        id: i64,
    },
    /// A manual run did not finish within [`MANUAL_WAIT`]; it goes on.
    #[error(
        "the run of connection {0} is still going after {secs} s; it goes on in the \
         background — see GET /api/connections/{0}/runs",
        secs = MANUAL_WAIT.as_secs()
    )]
    StillRunning(i64),
    /// No store has this code.
    #[error("no store has the code {0:?}")]
    NoStore(String),
    /// A background task failed.
    #[error("the collector's task failed: {0}")]
    Worker(String),
    /// Credentials could not be sealed (the OS random number generator failed).
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
}

/// How the collector finds a marketplace's adapter (the registry; tests give fakes).
pub type AdapterSource = Arc<dyn Fn(&str) -> Arc<dyn MarketplaceAdapter> + Send + Sync>;

/// The collector: connections, runs and their records. Cheap to clone.
#[derive(Clone)]
pub struct Collector {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    ledger: Ledger,
    /// Seals and opens the connections' credentials; never stored in the database.
    key: SecretKey,
    adapters: AdapterSource,
    /// One lock per connection, so two runs of one connection never overlap.
    running: std::sync::Mutex<HashMap<i64, Arc<AsyncMutex<()>>>>,
    /// Wakes the scheduler when connections change.
    wake: Notify,
}

impl Collector {
    /// A collector over the server's database and ledger, with the registry's adapters; `key`
    /// seals the connections' credentials.
    pub fn new(db: Database, ledger: Ledger, key: SecretKey) -> Self {
        Self::with_adapters(
            db,
            ledger,
            key,
            Arc::new(|code: &str| Arc::from(adapter_for(code))),
        )
    }

    /// A collector with other adapters (tests).
    pub fn with_adapters(
        db: Database,
        ledger: Ledger,
        key: SecretKey,
        adapters: AdapterSource,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                ledger,
                key,
                adapters,
                running: std::sync::Mutex::new(HashMap::new()),
                wake: Notify::new(),
            }),
        }
    }

    pub(crate) fn db(&self) -> &Database {
        &self.inner.db
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.inner.ledger
    }

    pub(crate) fn secret_key(&self) -> &SecretKey {
        &self.inner.key
    }

    pub(crate) fn adapter(&self, code: &str) -> Arc<dyn MarketplaceAdapter> {
        (self.inner.adapters)(code)
    }

    pub(crate) fn wake(&self) -> &Notify {
        &self.inner.wake
    }

    fn lock_for(&self, id: i64) -> Arc<AsyncMutex<()>> {
        let mut running = self
            .inner
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(running.entry(id).or_default())
    }

    async fn info(&self, row: ConnectionRow) -> Result<ConnectionInfo, CollectorError> {
        let id = row.id;
        let (last_run, pending) = self
            .db()
            .with(move |conn| {
                Ok((
                    store::last_run(conn, id)?,
                    store::count_pending_acks(conn, id)?,
                ))
            })
            .await?;
        Ok(to_info(row, last_run, pending, self.secret_key()))
    }

    /// Seals every connection's credentials still stored in plain text (rows written before
    /// encryption), all in one transaction; answers how many. The server does this when it
    /// starts, so no plain secret stays in the database.
    pub async fn seal_plain_credentials(&self) -> Result<usize, CollectorError> {
        let key = self.secret_key().clone();
        let sealed = self
            .db()
            .with(move |conn| {
                let mut tx = conn.transaction()?;
                let rows = store::plain_credentials(&mut tx)?;
                let mut sealed = Vec::with_capacity(rows.len());
                for row in &rows {
                    match row.credentials.sealed_from_plain(&key, row.binding()) {
                        Ok(Some(value)) => sealed.push((row.id, value)),
                        Ok(None) => {}
                        // Nothing is written: the transaction rolls back when dropped.
                        Err(err) => return Ok(Err(err)),
                    }
                }
                for (id, value) in &sealed {
                    store::set_credentials(&mut tx, *id, value)?;
                }
                tx.commit()?;
                Ok(Ok(sealed.len()))
            })
            .await??;
        Ok(sealed)
    }

    /// The store's connections, oldest first, each with its latest run.
    pub async fn list(&self, store: StoreId) -> Result<Vec<ConnectionInfo>, CollectorError> {
        let rows = self
            .db()
            .with(move |conn| {
                let rows = store::list_connections(conn, store)?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let last = store::last_run(conn, row.id)?;
                    let pending = store::count_pending_acks(conn, row.id)?;
                    out.push((row, last, pending));
                }
                Ok(out)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|(row, last, pending)| to_info(row, last, pending, self.secret_key()))
            .collect())
    }

    /// Connects the store to a marketplace account; the first run is due at once.
    pub async fn create(
        &self,
        store: StoreId,
        new: NewConnection,
        now: DateTime<Utc>,
    ) -> Result<ConnectionInfo, CollectorError> {
        let marketplace = new.marketplace.trim().to_owned();
        if MarketplaceTable::builtin()
            .get(&MarketplaceCode(marketplace.clone()))
            .is_none()
        {
            return Err(CollectorError::Invalid {
                field: "marketplace",
                message: format!(
                    "{marketplace:?} is not a marketplace of the console's table; use a code \
                     such as cafe24, smartstore, coupang or zigzag (data/marketplaces.tsv)"
                ),
            });
        }
        let (base_url, loopback) = validate_base_url(&new.base_url)?;
        let period = validate_period(new.period_seconds, loopback)?;
        validate_credentials(&new.credentials)?;
        let carrier_codes = validate_carrier_codes(new.carrier_codes.unwrap_or_default())?;
        let api_version = validate_api_version(&marketplace, new.api_version)?;
        let credentials = SealedCredentials::seal(
            self.secret_key(),
            Binding {
                store,
                marketplace: &marketplace,
                base_url: &base_url,
            },
            &new.credentials,
        )?;
        let enabled = new.enabled.unwrap_or(true);
        let (mp, url) = (marketplace.clone(), base_url.clone());
        let result = self
            .db()
            .with(move |conn| {
                let row = store::NewRow {
                    store,
                    marketplace: &mp,
                    base_url: &url,
                    credentials: &credentials,
                    period_seconds: period,
                    enabled,
                    carrier_codes: &carrier_codes,
                    api_version: &api_version,
                };
                match store::insert_connection(conn, &row, now)? {
                    Some(id) => Ok(Ok(store::get_connection(conn, Some(store), id)?)),
                    None => Ok(Err(store::find_connection(conn, store, &mp, &url)?
                        .map(|r| r.id)
                        .unwrap_or_default())),
                }
            })
            .await?;
        match result {
            Ok(Some(row)) => {
                self.wake().notify_one();
                self.info(row).await
            }
            Ok(None) => Err(CollectorError::Worker(
                "the new connection vanished right after it was written".into(),
            )),
            Err(id) => Err(CollectorError::Duplicate {
                marketplace,
                base_url,
                id,
            }),
        }
    }

    /// Changes a connection's URL, credentials, period, on/off or carrier codes. A changed URL or credentials
    /// make it due at once, with its failures forgotten.
    pub async fn update(
        &self,
        store: StoreId,
        id: i64,
        patch: ConnectionPatch,
        now: DateTime<Utc>,
    ) -> Result<ConnectionInfo, CollectorError> {
        let mut row = self
            .db()
            .with(move |conn| Ok(store::get_connection(conn, Some(store), id)?))
            .await?
            .ok_or(CollectorError::NotFound(id))?;
        let mut fresh = false;
        // What the row holds now, opened before the URL they are bound to changes.
        let stored = row.open_credentials(self.secret_key());
        let mut moved = false;
        if let Some(url) = &patch.base_url {
            let (url, _) = validate_base_url(url)?;
            moved = url != row.base_url;
            fresh |= moved;
            row.base_url = url;
        }
        let credentials = match patch.credentials {
            Some(credentials) => {
                validate_credentials(&credentials)?;
                fresh = true;
                Some(credentials)
            }
            None => match stored {
                Ok(credentials) => Some(credentials),
                // Unreadable credentials stay as they are while the URL does (so a connection
                // can still be switched off); a new URL needs them entered again.
                Err(err) if moved => {
                    return Err(CollectorError::Invalid {
                        field: "credentials",
                        message: format!(
                            "{err}; a new base_url needs the credentials given again in the \
                             same request"
                        ),
                    })
                }
                Err(_) => None,
            },
        };
        if let Some(credentials) = credentials {
            // Sealed afresh on every change: bound to the URL as it is now.
            row.credentials =
                SealedCredentials::seal(self.secret_key(), row.binding(), &credentials)?;
        }
        let loopback = is_loopback_url(&row.base_url);
        if patch.period_seconds.is_some() || patch.base_url.is_some() {
            row.period_seconds =
                validate_period(patch.period_seconds.or(Some(row.period_seconds)), loopback)?;
        }
        if let Some(enabled) = patch.enabled {
            fresh |= enabled && !row.enabled;
            row.enabled = enabled;
        }
        if let Some(codes) = patch.carrier_codes {
            // Invoices that failed for want of a code go out at the next run; no need to hurry.
            row.carrier_codes = validate_carrier_codes(codes)?;
        }
        if let Some(version) = patch.api_version {
            row.api_version = validate_api_version(&row.marketplace, Some(version))?;
        }
        if fresh {
            row.failures = 0;
            row.next_run_at = now;
        }
        let saved = row.clone();
        let found = self
            .db()
            .with(move |conn| Ok(store::update_connection(conn, &saved, now)?))
            .await?;
        if !found {
            return Err(CollectorError::NotFound(id));
        }
        self.wake().notify_one();
        row.updated_at = now;
        self.info(row).await
    }

    /// A connection's runs, newest first, at most `limit`.
    pub async fn runs(
        &self,
        store: StoreId,
        id: i64,
        limit: usize,
    ) -> Result<Vec<RunRecord>, CollectorError> {
        self.db()
            .with(move |conn| {
                if store::get_connection(conn, Some(store), id)?.is_none() {
                    return Ok(None);
                }
                Ok(Some(store::list_runs(conn, store, id, limit)?))
            })
            .await?
            .ok_or(CollectorError::NotFound(id))
    }

    /// The store's malformed payloads, newest first, at most `limit`.
    pub async fn malformed(
        &self,
        store: StoreId,
        limit: usize,
    ) -> Result<Vec<MalformedRecord>, CollectorError> {
        Ok(self
            .db()
            .with(move |conn| Ok(store::list_malformed(conn, store, limit)?))
            .await?)
    }

    /// Runs the store's connection `id` now (after a run of it already going, if any) and
    /// answers its record; [`CollectorError::StillRunning`] after [`MANUAL_WAIT`] (the run goes
    /// on). Runs a disabled connection too: "collect now" is explicit.
    pub async fn collect_now(&self, store: StoreId, id: i64) -> Result<RunRecord, CollectorError> {
        self.db()
            .with(move |conn| Ok(store::get_connection(conn, Some(store), id)?))
            .await?
            .ok_or(CollectorError::NotFound(id))?;
        let collector = self.clone();
        // On its own task: a caller that hangs up does not cut the run short.
        let task = tokio::spawn(async move { collector.run_connection(id, Trigger::Manual).await });
        match tokio::time::timeout(MANUAL_WAIT, task).await {
            Ok(Ok(result)) => result?.ok_or(CollectorError::NotFound(id)),
            Ok(Err(join)) => Err(CollectorError::Worker(join.to_string())),
            Err(_) => Err(CollectorError::StillRunning(id)),
        }
    }

    /// A scheduled run: skipped (`Ok(None)`) when a run of the connection is going already.
    pub(crate) async fn run_scheduled(&self, id: i64) -> Result<Option<RunRecord>, CollectorError> {
        let lock = self.lock_for(id);
        let Ok(guard) = lock.try_lock() else {
            return Ok(None);
        };
        let record = self.run_locked(id, Trigger::Schedule).await;
        drop(guard);
        record
    }

    /// Waits for the connection's lock, then runs it.
    async fn run_connection(
        &self,
        id: i64,
        trigger: Trigger,
    ) -> Result<Option<RunRecord>, CollectorError> {
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        self.run_locked(id, trigger).await
    }

    /// One run of connection `id` (its lock held), then its next time: the period after a
    /// success, the backoff after a failure.
    async fn run_locked(
        &self,
        id: i64,
        trigger: Trigger,
    ) -> Result<Option<RunRecord>, CollectorError> {
        let Some(row) = self
            .db()
            .with(move |conn| Ok(store::get_connection(conn, None, id)?))
            .await?
        else {
            return Ok(None);
        };
        let started = Utc::now();
        let record = run::run_once(self, &row, trigger, started).await?;
        let (failures, next) = if record.error.is_some() {
            let failures = row.failures.saturating_add(1);
            (failures, Utc::now() + backoff(row.period_seconds, failures))
        } else {
            (0, started + backoff(row.period_seconds, 0))
        };
        self.db()
            .with(move |conn| Ok(store::set_schedule(conn, id, failures, next)?))
            .await?;
        if let Some(error) = &record.error {
            tracing::warn!(connection = id, marketplace = %row.marketplace, failures, %error, "collection run failed");
        } else {
            tracing::info!(
                connection = id,
                marketplace = %row.marketplace,
                new = record.orders_new,
                claims = record.claims,
                cancels = record.cancels_applied,
                invoices = record.invoices_sent,
                malformed = record.malformed,
                "collection run"
            );
        }
        Ok(Some(record))
    }
}

fn to_info(
    row: ConnectionRow,
    last_run: Option<RunRecord>,
    pending_acks: u32,
    key: &SecretKey,
) -> ConnectionInfo {
    let marketplace_name = MarketplaceTable::builtin()
        .get(&MarketplaceCode(row.marketplace.clone()))
        .map(|p| p.korean_name.clone())
        .unwrap_or_default();
    let (credentials_kind, credentials_error) = match row.open_credentials(key) {
        Ok(credentials) => (credentials.kind().to_owned(), None),
        Err(err) => ("unreadable".to_owned(), Some(err.to_string())),
    };
    ConnectionInfo {
        id: row.id,
        marketplace_name,
        credentials_kind,
        credentials_error,
        marketplace: row.marketplace,
        base_url: row.base_url,
        period_seconds: row.period_seconds,
        enabled: row.enabled,
        orders_cursor: row.orders_cursor,
        claims_cursor: row.claims_cursor,
        failures: row.failures,
        next_run_at: row.next_run_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        carrier_codes: row.carrier_codes,
        api_version: row.api_version,
        last_run,
        unacknowledged_claims: pending_acks,
    }
}

/// The host of an `http(s)://host[:port]/…` URL.
fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next();
    }
    Some(authority.split(':').next().unwrap_or(authority))
}

/// Whether the URL's host is this machine (a sandbox).
pub fn is_loopback_url(url: &str) -> bool {
    match url_host(url) {
        Some("localhost") => true,
        Some(host) => host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Checks a base URL: `https://`, or `http://` on loopback; no spaces; trailing `/` dropped.
/// Answers the URL and whether it is loopback.
fn validate_base_url(url: &str) -> Result<(String, bool), CollectorError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    let invalid = |message: String| CollectorError::Invalid {
        field: "base_url",
        message,
    };
    if url.chars().any(char::is_whitespace) {
        return Err(invalid(format!("{url:?} has spaces in it")));
    }
    let host = url_host(&url).filter(|h| !h.is_empty()).ok_or_else(|| {
        invalid(format!(
            "{url:?} is not an http(s) URL like https://mall.cafe24api.com"
        ))
    })?;
    let loopback = is_loopback_url(&url);
    if !loopback && !url.starts_with("https://") {
        return Err(invalid(format!(
            "{url:?}: credentials go to {host} only over https; use https:// (plain http is \
             for a sandbox on this machine)"
        )));
    }
    Ok((url, loopback))
}

/// Checks a period (R25: 10–30 minutes; any from 1 s on loopback, for a sandbox).
fn validate_period(period: Option<u32>, loopback: bool) -> Result<u32, CollectorError> {
    let period = period.unwrap_or(DEFAULT_PERIOD_SECS);
    let min = if loopback { 1 } else { MIN_PERIOD_SECS };
    if (min..=MAX_PERIOD_SECS).contains(&period) {
        Ok(period)
    } else {
        Err(CollectorError::Invalid {
            field: "period_seconds",
            message: if loopback {
                format!("{period} is not between 1 and {MAX_PERIOD_SECS} seconds")
            } else {
                format!(
                    "{period} is not between {MIN_PERIOD_SECS} and {MAX_PERIOD_SECS} seconds \
                     (marketplaces are synced every 10–30 minutes; shorter periods are for a \
                     sandbox on this machine)"
                )
            },
        })
    }
}

/// The API version a connection of `marketplace` is pinned to: the one given (`YYYY-MM-DD`, a
/// real date), or the adapter's own for a marketplace that versions its API by date (Cafe24);
/// '' for the others, which refuse one.
fn validate_api_version(
    marketplace: &str,
    given: Option<String>,
) -> Result<String, CollectorError> {
    let invalid = |message: String| CollectorError::Invalid {
        field: "api_version",
        message,
    };
    let given = given.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let pinned = crate::marketplaces::pinned_api_version(marketplace);
    match (given, pinned) {
        (None, default) => Ok(default.unwrap_or_default().to_owned()),
        (Some(version), Some(_)) => match chrono::NaiveDate::parse_from_str(&version, "%Y-%m-%d") {
            Ok(_) if version.len() == 10 => Ok(version),
            _ => Err(invalid(format!(
                "{version:?} is not an API version: give the date of the version your app \
                     is set to in the marketplace's developer centre, as YYYY-MM-DD (Cafe24: Apps \
                     › 개발정보 › 인증정보 › 버전관리), e.g. 2025-06-01"
            ))),
        },
        (Some(version), None) => Err(invalid(format!(
            "{marketplace} has no API version to pin ({version:?}); leave api_version out"
        ))),
    }
}

/// The most carrier codes one connection keeps.
pub const MAX_CARRIER_CODES: usize = 100;

/// Checks a carrier-code map: console carrier codes (`cj`, `lotte`, …) to the marketplace's
/// codes, both non-empty and at most 64 characters, trimmed; at most [`MAX_CARRIER_CODES`].
fn validate_carrier_codes(
    codes: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, CollectorError> {
    let invalid = |message: String| CollectorError::Invalid {
        field: "carrier_codes",
        message,
    };
    if codes.len() > MAX_CARRIER_CODES {
        return Err(invalid(format!(
            "{} carriers; at most {MAX_CARRIER_CODES}",
            codes.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (carrier, code) in codes {
        let (carrier, code) = (carrier.trim(), code.trim());
        if carrier.is_empty() || code.is_empty() {
            return Err(invalid(format!(
                "{carrier:?} → {code:?}: give the console's carrier code (cj, lotte, hanjin, \
                 logen, epost, …) and the marketplace's code for it, e.g. {{\"cj\": \"0006\"}}"
            )));
        }
        if carrier.chars().count() > 64 || code.chars().count() > 64 {
            return Err(invalid(format!(
                "{carrier:?} → {code:?}: a code has at most 64 characters"
            )));
        }
        out.insert(carrier.to_owned(), code.to_owned());
    }
    Ok(out)
}

fn validate_credentials(credentials: &StoredCredentials) -> Result<(), CollectorError> {
    match credentials.empty_field() {
        Some(field) => Err(CollectorError::Invalid {
            field: "credentials",
            message: format!(
                "{field} is empty; give the value from the marketplace's seller center"
            ),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn plain_credentials_are_sealed_once_in_place_and_read_the_same() {
        use crate::accounts::{Accounts, NewStore, NewUser, Role};
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::testing::open(dir.path(), "2026-11-25T00:00:00Z").unwrap();
        let now = Utc::now();
        let (store, _) = Accounts::new(db.clone())
            .create_store(
                NewStore {
                    code: "shop".into(),
                    name: "상점".into(),
                },
                NewUser {
                    login: "boss".into(),
                    name: "사장".into(),
                    role: Role::Owner,
                    password: "boss-password".into(),
                },
                now,
            )
            .await
            .unwrap();
        let store = store.id;
        let collector = Collector::new(
            db.clone(),
            Ledger::new(db.clone()),
            SecretKey::generate().unwrap(),
        );
        let made = collector
            .create(
                store,
                NewConnection {
                    marketplace: "zigzag".into(),
                    base_url: "https://zigzag.example.com".into(),
                    credentials: StoredCredentials::ApiKey {
                        key: "sealed-on-create".into(),
                    },
                    period_seconds: None,
                    enabled: None,
                    carrier_codes: None,
                    api_version: None,
                },
                now,
            )
            .await
            .unwrap();
        // As a server before encryption wrote it.
        let legacy = StoredCredentials::ApiKey {
            key: "plain-legacy-key".into(),
        };
        let plain = serde_json::to_string(&legacy).unwrap();
        let id = made.id;
        db.with(move |conn| {
            store::set_credentials(conn, id, &SealedCredentials::from_stored(plain))?;
            Ok(())
        })
        .await
        .unwrap();
        let row = || {
            let db = db.clone();
            async move {
                db.with(move |conn| Ok(store::get_connection(conn, None, id)?))
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let before = row().await;
        assert!(!before.credentials.is_sealed());
        assert_eq!(
            before.open_credentials(collector.secret_key()).unwrap(),
            legacy,
            "a plain row is still read"
        );
        assert_eq!(
            collector.list(store).await.unwrap()[0].credentials_kind,
            "api_key"
        );

        assert_eq!(collector.seal_plain_credentials().await.unwrap(), 1);
        let after = row().await;
        assert!(after.credentials.is_sealed());
        assert!(!after.credentials.as_str().contains("plain-legacy-key"));
        assert_eq!(
            after.open_credentials(collector.secret_key()).unwrap(),
            legacy
        );
        assert_eq!(
            collector.seal_plain_credentials().await.unwrap(),
            0,
            "nothing left in plain text"
        );
    }

    #[test]
    fn loopback_urls_are_recognised() {
        assert!(is_loopback_url("http://127.0.0.1:8090/generic/zigzag"));
        assert!(is_loopback_url("http://localhost:1"));
        assert!(is_loopback_url("http://[::1]:80/x"));
        assert!(!is_loopback_url("https://mall.cafe24api.com"));
        assert!(!is_loopback_url("https://127.0.0.1.example.com"));
        assert!(!is_loopback_url("ftp://127.0.0.1"));
    }

    #[test]
    fn base_urls_need_https_off_loopback_and_periods_follow_r25() {
        assert!(validate_base_url("http://mall.example.com").is_err());
        assert_eq!(
            validate_base_url("https://mall.cafe24api.com/").unwrap(),
            ("https://mall.cafe24api.com".to_owned(), false)
        );
        assert!(validate_base_url("http://127.0.0.1:9/feed").unwrap().1);
        assert!(validate_base_url("not a url").is_err());
        assert_eq!(validate_period(None, false).unwrap(), DEFAULT_PERIOD_SECS);
        assert!(validate_period(Some(599), false).is_err());
        assert!(validate_period(Some(1801), false).is_err());
        assert_eq!(validate_period(Some(2), true).unwrap(), 2);
        assert!(validate_period(Some(0), true).is_err());
    }
}
