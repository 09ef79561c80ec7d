//! The figures only the server holds: its dashboard counters with the unmatched marketplace
//! cancels (`GET /api/dashboard`) and the connections with their last collection (`GET
//! /api/connections`). Each answer is kept in the store's meta, so offline the dashboard shows
//! the last one with its age.

use crate::store::{Store, StoreError};
use crate::sync::http::{self, NetError};
use jumun_protocol::connections::ConnectionList;
use jumun_protocol::dashboard::DashboardFigures;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The meta record keeping the last `GET /api/dashboard` answer.
pub const META_SERVER_FIGURES: &str = "dashboard_server";
/// The meta record keeping the last `GET /api/connections` answer.
pub const META_CONNECTIONS: &str = "dashboard_connections";

/// A server answer and when it came, epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept<T> {
    /// When the server answered.
    pub fetched_at: f64,
    /// The answer.
    pub value: T,
}

/// What the server said, as far as the dashboard knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerView {
    /// Counters and unmatched cancels.
    pub figures: Option<Kept<DashboardFigures>>,
    /// The connections and their last runs.
    pub connections: Option<Kept<ConnectionList>>,
    /// Why the last request gave nothing (the kept answers are shown meanwhile).
    pub problem: Option<String>,
}

/// The answers kept by the last visit.
pub async fn kept(store: &Store) -> Result<ServerView, StoreError> {
    Ok(ServerView {
        figures: store.meta_get(META_SERVER_FIGURES).await?,
        connections: store.meta_get(META_CONNECTIONS).await?,
        problem: None,
    })
}

/// Asks the server for `path` with `token`, keeps its answer under `meta` and returns it.
async fn fetch<T: DeserializeOwned + Serialize>(
    store: &Store,
    token: &str,
    path: &str,
    meta: &str,
    now: f64,
) -> Result<Kept<T>, String> {
    let value: T = http::call("GET", path, Some(token), http::NO_BODY)
        .await
        .map_err(|e: NetError| e.to_string())?;
    let kept = Kept {
        fetched_at: now,
        value,
    };
    store
        .meta_set(meta, &kept)
        .await
        .map_err(|e| e.to_string())?;
    Ok(kept)
}

/// Asks the server for both answers and keeps them; an answer that does not come leaves the
/// kept one in `view` and says why.
pub async fn refresh(store: &Store, token: &str, now: f64, view: &mut ServerView) {
    view.problem = None;
    match fetch(store, token, "/api/dashboard", META_SERVER_FIGURES, now).await {
        Ok(kept) => view.figures = Some(kept),
        Err(e) => view.problem = Some(e),
    }
    match fetch(store, token, "/api/connections", META_CONNECTIONS, now).await {
        Ok(kept) => view.connections = Some(kept),
        Err(e) => view.problem = Some(e),
    }
}

/// "방금 전", "3분 전", "2시간 전", "5일 전": the age of a kept answer.
pub fn age_text(fetched_at: f64, now: f64) -> String {
    let minutes = ((now - fetched_at) / 60_000.0).floor().max(0.0) as u64;
    match minutes {
        0 => "방금 전".to_owned(),
        1..=59 => format!("{minutes}분 전"),
        60..=1439 => format!("{}시간 전", minutes / 60),
        _ => format!("{}일 전", minutes / 1440),
    }
}
