//! The demo store's marketplaces from a directory on this machine (`--demo-marketplaces URL`).
//!
//! A **marketplace directory** is any HTTP service on loopback that answers `GET {URL}/connections`
//! with `{"connections": [...]}` ([`MarketplaceDirectory`]), each element a connection in the
//! body format of `POST /api/connections` ([`NewConnection`]). The sandbox marketplace (`jumun-sandbox`) serves
//! one; the server knows nothing else about it. [`connect_demo_store`] reads the directory and
//! connects the demo store to every marketplace it lists, collected every few seconds, so a
//! newcomer sees orders arrive.
//!
//! Starting again with the same directory keeps the connections as they are. A directory that
//! moved to another port (a fresh sandbox on a free port) moves the demo store's loopback
//! connection of each marketplace with it, cursors kept, instead of adding a second one that
//! could never be collected again. An element the collector refuses (an unknown marketplace
//! code, a malformed element) is reported with its reason and the others are connected.

use super::{Collector, CollectorError, ConnectionInfo, ConnectionPatch, NewConnection};
use crate::accounts::DEMO_STORE;
use chrono::Utc;
pub use jumun_protocol::connections::{MarketplaceDirectory, DIRECTORY_PATH};
use serde::Deserialize;
use std::time::Duration;

/// Seconds between the demo store's scheduled runs: marketplaces on loopback may be collected
/// every few seconds (real ones every 10–30 minutes, R25).
pub const DEMO_PERIOD_SECS: u32 = 5;

/// A [`MarketplaceDirectory`] as read: its elements are decoded one by one, so one bad element
/// does not hide the others.
#[derive(Deserialize)]
struct ListedConnections {
    connections: Vec<serde_json::Value>,
}

/// What [`connect_demo_store`] did.
#[derive(Debug, Clone)]
pub struct DemoConnections {
    /// The demo store's connections to the directory's marketplaces (new, kept or moved).
    pub connected: Vec<ConnectionInfo>,
    /// Elements of the directory not connected: the marketplace (or the element's position)
    /// and why.
    pub refused: Vec<(String, String)>,
}

/// Why the demo store could not be connected to a directory.
#[derive(Debug, thiserror::Error)]
pub enum DemoMarketplacesError {
    /// The URL is not on this machine.
    #[error(
        "{0:?} is not a loopback URL; --demo-marketplaces takes the http://127.0.0.1:PORT of \
         marketplaces served on this machine (cargo xtask start starts the sandbox, \
         jumun-sandbox, and passes its URL)"
    )]
    NotLoopback(String),
    /// The directory could not be reached or did not answer 200.
    #[error(
        "cannot read the marketplace directory {url}: {reason}; start the marketplaces there \
         first (for example jumun-sandbox --addr 127.0.0.1:PORT) or fix --demo-marketplaces"
    )]
    Unreachable {
        /// `{URL}/connections`.
        url: String,
        /// The transport error or the status and body.
        reason: String,
    },
    /// The answer is not a directory.
    #[error(
        "{url} did not answer a marketplace directory ({reason}); expected \
         {{\"connections\": [{{\"marketplace\": …, \"base_url\": …, \"credentials\": …}}]}}"
    )]
    NotADirectory {
        /// `{URL}/connections`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The collector failed (the database, or no demo store).
    #[error(transparent)]
    Collector(#[from] CollectorError),
}

/// Reads the directory at `url` and connects the demo store to every marketplace it lists, each
/// collected every `period_seconds`.
pub async fn connect_demo_store(
    collector: &Collector,
    url: &str,
    period_seconds: u32,
) -> Result<DemoConnections, DemoMarketplacesError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    if !super::is_loopback_url(&url) {
        return Err(DemoMarketplacesError::NotLoopback(url));
    }
    let listed = tokio::task::spawn_blocking(move || read(&url))
        .await
        .map_err(|err| CollectorError::Worker(err.to_string()))??;
    let mut report = DemoConnections {
        connected: Vec::new(),
        refused: Vec::new(),
    };
    for (position, element) in listed.into_iter().enumerate() {
        let mut new = match serde_json::from_value::<NewConnection>(element) {
            Ok(new) => new,
            Err(err) => {
                report
                    .refused
                    .push((format!("element {position}"), err.to_string()));
                continue;
            }
        };
        new.period_seconds = Some(period_seconds);
        new.enabled = Some(true);
        let marketplace = new.marketplace.clone();
        match collector.connect_demo(new).await {
            Ok(info) => report.connected.push(info),
            Err(CollectorError::Invalid { field, message }) => report
                .refused
                .push((marketplace, format!("{field}: {message}"))),
            Err(err) => return Err(err.into()),
        }
    }
    Ok(report)
}

/// `GET {url}/connections`, its elements unchecked (blocking).
fn read(url: &str) -> Result<Vec<serde_json::Value>, DemoMarketplacesError> {
    let url = format!("{url}{DIRECTORY_PATH}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let unreachable = |reason: String| DemoMarketplacesError::Unreachable {
        url: url.clone(),
        reason,
    };
    let mut response = agent
        .get(&url)
        .call()
        .map_err(|err| unreachable(err.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|err| unreachable(err.to_string()))?;
    if status != 200 {
        let start: String = body.chars().take(300).collect();
        return Err(unreachable(format!("status {status}: {start}")));
    }
    serde_json::from_str::<ListedConnections>(&body)
        .map(|listed| listed.connections)
        .map_err(|err| DemoMarketplacesError::NotADirectory {
            url: url.clone(),
            reason: err.to_string(),
        })
}

impl Collector {
    /// Connects the demo store to one marketplace of a directory: kept when the store has it at
    /// this URL already, moved here when the store has it on another loopback URL, else new.
    async fn connect_demo(&self, new: NewConnection) -> Result<ConnectionInfo, CollectorError> {
        let code = DEMO_STORE.0;
        let store = self
            .db()
            .with(move |conn| Ok(super::store::store_by_code(conn, code)?))
            .await?
            .ok_or_else(|| CollectorError::NoStore(code.to_owned()))?;
        let now = Utc::now();
        let base_url = new.base_url.trim().trim_end_matches('/').to_owned();
        let existing = self
            .list(store)
            .await?
            .into_iter()
            .filter(|c| c.marketplace == new.marketplace.trim())
            .filter(|c| super::is_loopback_url(&c.base_url))
            .min_by_key(|c| (c.base_url != base_url, c.id));
        match existing {
            Some(same) if same.base_url == base_url => Ok(same),
            Some(moved) => {
                let patch = ConnectionPatch {
                    base_url: Some(base_url),
                    credentials: Some(new.credentials),
                    period_seconds: new.period_seconds,
                    enabled: new.enabled,
                    carrier_codes: new.carrier_codes,
                    api_version: new.api_version,
                };
                self.update(store, moved.id, patch, now).await
            }
            None => self.create(store, new, now).await,
        }
    }
}
