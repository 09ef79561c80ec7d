//! The sandbox's HTTP server: shared state, clock, control endpoints, and start/stop.

use super::scenario::{
    ClaimKind, ClaimStatus, Delivery, Invoice, LineKey, LineView, Millis, OrderView, Overlay,
    Timeline, TimelineConfig,
};
use super::{cafe24, coupang, generic, naver, SandboxConfig, SandboxError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jumun_protocol::connections::{MarketplaceDirectory, NewConnection, DIRECTORY_PATH};
use jumun_server::marketplaces::{Connection, Credentials};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The Coupang vendor id the sandbox serves (any id in the path is accepted).
pub const COUPANG_VENDOR_ID: &str = "A00012345";
/// The sandbox's Coupang access key (requests are checked for a CEA header, not its signature).
pub const COUPANG_ACCESS_KEY: &str = "sandbox-access-key";
/// The sandbox's Coupang secret key.
pub const COUPANG_SECRET_KEY: &str = "sandbox-secret-key";
/// The bearer token the sandbox's connections use (any non-empty token is accepted).
pub const SANDBOX_TOKEN: &str = "sandbox-token";

/// How the sandbox's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// The marketplace clock's time since the epoch (plus any advance): orders keep arriving.
    Wall,
    /// Stands still until advanced with `POST /sandbox/clock` (tests).
    Manual,
}

/// Everything the handlers share.
pub struct Shared {
    pub(crate) timeline: Timeline,
    mode: ClockMode,
    /// Where "now" comes from on a wall clock.
    market_clock: super::MarketClock,
    /// The epoch in Unix milliseconds.
    epoch_ms: Millis,
    /// Manual: the moment itself. Wall: added to the marketplace clock's time since the epoch
    /// (`start_at_ms`, advances, and what keeps a future epoch from starting below zero).
    offset: Mutex<Millis>,
    overlay: Mutex<Overlay>,
    /// The last snapshot, with the moment and overlay it was taken at: the state is a function
    /// of both, so paging through a list (many calls at one moment) builds it once.
    last_snapshot: Mutex<Option<(Millis, Overlay, Vec<OrderView>)>>,
    requests: Mutex<BTreeMap<String, u64>>,
    /// Every request taken, `METHOD /path`, in order: tests prove what was never called.
    calls: Mutex<Vec<String>>,
    /// The `X-Cafe24-Api-Version` of every Cafe24 API call, in order ('' when absent: Cafe24
    /// then answers in the app's version set in its developer centre).
    cafe24_versions: Mutex<Vec<String>>,
    limits: super::limits::Limits,
    base_url: Mutex<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind; keep serving.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Why the sandbox refused an invoice upload (each API words it its own way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    /// No such order line at this marketplace.
    #[error("주문을 찾을 수 없습니다 (no such order line: {0})")]
    NotFound(String),
    /// The line is cancelled or a cancel is pending.
    #[error("취소 요청 또는 취소된 주문은 발송 처리할 수 없습니다 (cancel pending or done)")]
    Cancelled,
    /// The parcel already shipped outside the console or was delivered.
    #[error("이미 발송 처리된 주문입니다 (already shipped)")]
    AlreadyShipped,
    /// Carrier or tracking number missing.
    #[error("택배사와 송장번호는 필수입니다 (carrier and tracking number are required)")]
    Missing,
}

impl Shared {
    pub(crate) fn new(
        config: &SandboxConfig,
        epoch: chrono::DateTime<chrono::FixedOffset>,
    ) -> Self {
        let timeline = Timeline::new(TimelineConfig {
            speed: config.speed,
            order_interval_secs: config.order_interval_secs,
            backlog: config.backlog,
            malformed_every: config.malformed_every,
            hostile_every: config.hostile_every,
            bulk: config.bulk.clone(),
            day_pattern: config.day_pattern.clone(),
            ..TimelineConfig::new(config.seed, epoch)
        });
        // On a wall clock the sandbox stands where the marketplace clock puts it on the
        // timeline: a restart with the same seed and epoch resumes the same state (the epoch
        // defaults to now, so a fresh sandbox starts at zero; a future epoch also starts at
        // zero). A manual clock starts where it is told.
        let epoch_ms = epoch.timestamp_millis();
        let ahead = match config.clock {
            ClockMode::Wall => epoch_ms.saturating_sub(config.market_clock.now_ms()).max(0),
            ClockMode::Manual => 0,
        };
        Self {
            timeline,
            mode: config.clock,
            market_clock: config.market_clock,
            epoch_ms,
            offset: Mutex::new(config.start_at_ms.saturating_add(ahead)),
            overlay: Mutex::new(Overlay::default()),
            last_snapshot: Mutex::new(None),
            requests: Mutex::new(BTreeMap::new()),
            calls: Mutex::new(Vec::new()),
            cafe24_versions: Mutex::new(Vec::new()),
            limits: super::limits::Limits::new(config.rate_limits),
            base_url: Mutex::new(String::new()),
        }
    }

    /// The sandbox moment now.
    pub fn now(&self) -> Millis {
        let offset = *lock(&self.offset);
        match self.mode {
            ClockMode::Manual => offset,
            ClockMode::Wall => self
                .market_clock
                .now_ms()
                .saturating_sub(self.epoch_ms)
                .saturating_add(offset),
        }
    }

    /// Moves the clock forward (or back) by `ms`.
    pub fn advance(&self, ms: Millis) {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(ms);
    }

    /// The timeline.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Every order at the current moment.
    pub fn snapshot(&self) -> (Millis, Vec<OrderView>) {
        let now = self.now();
        let overlay = lock(&self.overlay).clone();
        let mut last = lock(&self.last_snapshot);
        if let Some((at, seen, orders)) = last.as_ref() {
            if *at == now && *seen == overlay {
                return (now, orders.clone());
            }
        }
        let orders = self.timeline.snapshot(now, &overlay);
        *last = Some((now, overlay, orders.clone()));
        (now, orders)
    }

    /// Every request the sandbox has taken, `METHOD /path` (no query), oldest first.
    pub fn calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    /// The `X-Cafe24-Api-Version` each Cafe24 call carried, in order ('' for none).
    pub fn cafe24_versions(&self) -> Vec<String> {
        lock(&self.cafe24_versions).clone()
    }

    pub(crate) fn note_cafe24_version(&self, version: Option<&str>) {
        lock(&self.cafe24_versions).push(version.unwrap_or_default().to_owned());
    }

    /// The calls the sandbox refused for going over a marketplace's request limits, `STATUS
    /// METHOD /path` (see the `limits` module), oldest first.
    pub fn refused_calls(&self) -> Vec<String> {
        self.limits.refused()
    }

    pub(crate) fn count(&self, api: &str) {
        *lock(&self.requests).entry(api.to_owned()).or_default() += 1;
    }

    /// Records the console's invoice for a line, checking it against the line's state.
    pub fn upload(
        &self,
        orders: &[OrderView],
        key: &LineKey,
        carrier: &str,
        tracking_no: &str,
        now: Millis,
    ) -> Result<(), UploadRefusal> {
        if carrier.trim().is_empty() || tracking_no.trim().is_empty() {
            return Err(UploadRefusal::Missing);
        }
        let line = find_line(orders, key).ok_or_else(|| {
            UploadRefusal::NotFound(format!("{} {} {}", key.channel, key.order_no, key.line_no))
        })?;
        check_shippable(line)?;
        lock(&self.overlay).invoices.insert(
            key.clone(),
            Invoice {
                carrier: carrier.trim().to_owned(),
                tracking_no: tracking_no.trim().to_owned(),
                at: now,
                by_console: true,
            },
        );
        Ok(())
    }

    /// Records that the console acknowledged a claim.
    pub fn acknowledge(&self, claim_id: &str) {
        lock(&self.overlay).acknowledged.insert(claim_id.to_owned());
    }

    /// Records that the console moved an order to 상품준비중 at `now` (the first time counts).
    pub fn prepare(&self, channel: &str, order_no: &str, now: Millis) {
        lock(&self.overlay)
            .prepared
            .entry((channel.to_owned(), order_no.to_owned()))
            .or_insert(now);
    }

    /// The connection the adapters use to reach this sandbox for a marketplace.
    pub fn connection(&self, code: &str) -> Option<Connection> {
        let base = lock(&self.base_url).clone();
        connection_for(&base, code)
    }
}

/// The connection to a sandbox at `base` (`http://127.0.0.1:PORT`) for marketplace `code`, with
/// credentials the sandbox accepts; `None` for a marketplace the sandbox does not serve.
pub fn connection_for(base: &str, code: &str) -> Option<Connection> {
    let channel = super::generate::channel(code)?;
    use super::generate::ApiKind;
    Some(match channel.api {
        ApiKind::Cafe24 => {
            let mut conn = Connection::new(
                code,
                base,
                Credentials::Bearer {
                    access_token: SANDBOX_TOKEN.to_owned(),
                },
            );
            // The sandbox mall's carrier codes (a real mall's come from its carrier settings).
            conn.carrier_codes = super::cafe24::CARRIER_CODES
                .iter()
                .map(|(carrier, code)| ((*carrier).to_owned(), (*code).to_owned()))
                .collect();
            conn
        }
        ApiKind::Naver => Connection::new(
            code,
            format!("{base}/external"),
            Credentials::Bearer {
                access_token: SANDBOX_TOKEN.to_owned(),
            },
        ),
        ApiKind::Coupang => Connection::new(
            code,
            base,
            Credentials::CoupangHmac {
                access_key: COUPANG_ACCESS_KEY.to_owned(),
                secret_key: COUPANG_SECRET_KEY.to_owned(),
                vendor_id: COUPANG_VENDOR_ID.to_owned(),
            },
        ),
        ApiKind::Generic => Connection::new(
            code,
            format!("{base}/generic/{code}"),
            Credentials::ApiKey(format!("{SANDBOX_TOKEN}-{code}")),
        ),
    })
}

/// The line with this key in a snapshot.
pub(crate) fn find_line<'a>(orders: &'a [OrderView], key: &LineKey) -> Option<&'a LineView> {
    orders
        .iter()
        .filter(|o| o.order.channel == key.channel && o.order.order_no == key.order_no)
        .flat_map(|o| o.lines.iter())
        .find(|l| l.line.line_no == key.line_no)
}

/// Whether the console may upload an invoice for the line now.
pub(crate) fn check_shippable(line: &LineView) -> Result<(), UploadRefusal> {
    if let Some(claim) = &line.claim {
        match (claim.kind, claim.status) {
            // A Kakao Style replacement ships on the original line.
            (ClaimKind::Exchange, ClaimStatus::Preparing | ClaimStatus::DelayNoticed) => {
                return Ok(())
            }
            (ClaimKind::Cancel, ClaimStatus::Withdrawn | ClaimStatus::Refused) => {}
            (ClaimKind::Cancel, _) => return Err(UploadRefusal::Cancelled),
            _ => return Err(UploadRefusal::AlreadyShipped),
        }
    }
    match &line.delivery {
        Delivery::Paid => Ok(()),
        // A correction of the console's own invoice while in transit is allowed.
        Delivery::Shipped { invoice } if invoice.by_console => Ok(()),
        _ => Err(UploadRefusal::AlreadyShipped),
    }
}

/// The key of a line of an order.
pub(crate) fn key_of(order: &OrderView, line_no: &str) -> LineKey {
    LineKey {
        channel: order.order.channel.to_owned(),
        order_no: order.order.order_no.clone(),
        line_no: line_no.to_owned(),
    }
}

/// Replaces the value at `pointer` with a string of the wrong type, for the malformed-order knob.
pub(crate) fn break_field(value: &mut serde_json::Value, pointer: &str) {
    if let Some(field) = value.pointer_mut(pointer) {
        *field = serde_json::Value::String("한 개".to_owned());
    }
}

/// The whole sandbox router: every marketplace API plus `/sandbox/*` control.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/sandbox/state", get(state))
        .route("/sandbox/orders", get(orders))
        .route("/sandbox/schedule", get(schedule))
        .route("/sandbox/clock", post(clock))
        .route(DIRECTORY_PATH, get(directory))
        .merge(cafe24::routes())
        .merge(naver::routes())
        .merge(coupang::routes())
        .merge(generic::routes())
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            record_call,
        ))
        .fallback(|uri: axum::http::Uri| async move {
            (
                StatusCode::NOT_FOUND,
                Json(serde_json::json!({
                    "code": "not_found",
                    "message": format!("the sandbox serves no {}; see GET / for its endpoints", uri.path()),
                })),
            )
        })
        .with_state(shared)
}

/// Logs each request's method and path in [`Shared::calls`], and plays the marketplaces'
/// request limits (the `limits` module).
async fn record_call(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (method, path) = (
        request.method().to_string(),
        request.uri().path().to_owned(),
    );
    lock(&shared.calls).push(format!("{method} {path}"));
    if let Some(refused) = shared.limits.admit(&method, &path) {
        return refused;
    }
    let response = next.run(request).await;
    shared.limits.answered(&path, response.status());
    response
}

async fn index(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let connections: Vec<serde_json::Value> = super::generate::CHANNELS
        .iter()
        .filter_map(|c| shared.connection(c.code))
        .map(|c| {
            serde_json::json!({
                "marketplace": c.marketplace,
                "adapter": jumun_server::marketplaces::registry::adapter_name(c.marketplace.as_str()),
                "base_url": c.base_url,
            })
        })
        .collect();
    Json(serde_json::json!({
        "sandbox": "jumun marketplace sandbox",
        "seed": shared.timeline.config().seed,
        "marketplaces": connections,
        "directory": format!("GET {DIRECTORY_PATH}"),
        "control": ["GET /sandbox/state", "GET /sandbox/orders", "GET /sandbox/schedule", "POST /sandbox/clock"],
    }))
}

/// `GET /connections`: every marketplace's connection settings, the directory that
/// `jumun-server --demo --demo-marketplaces URL` reads to connect the demo store.
async fn directory(State(shared): State<Arc<Shared>>) -> Json<MarketplaceDirectory> {
    let connections = super::generate::CHANNELS
        .iter()
        .filter_map(|c| shared.connection(c.code))
        .map(new_connection)
        .collect();
    Json(MarketplaceDirectory { connections })
}

/// An adapter's connection in the body format of the console's `POST /api/connections`.
pub fn new_connection(conn: Connection) -> NewConnection {
    NewConnection {
        marketplace: conn.marketplace.0,
        base_url: conn.base_url,
        credentials: conn.credentials.into(),
        period_seconds: None,
        enabled: None,
        carrier_codes: Some(conn.carrier_codes).filter(|codes| !codes.is_empty()),
        api_version: conn.api_version,
    }
}

/// Per-marketplace counts for `GET /sandbox/state`.
#[derive(Debug, Default, Serialize)]
struct MarketplaceCount {
    api: &'static str,
    orders: usize,
    lines: usize,
    paid: usize,
    shipped: usize,
    delivered: usize,
    claims: usize,
    malformed: usize,
}

async fn state(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let (now, orders) = shared.snapshot();
    let mut by: BTreeMap<&str, MarketplaceCount> = BTreeMap::new();
    for channel in super::generate::CHANNELS {
        by.insert(
            channel.code,
            MarketplaceCount {
                api: jumun_server::marketplaces::registry::adapter_name(channel.code),
                ..Default::default()
            },
        );
    }
    let mut malformed = Vec::new();
    for order in &orders {
        let entry = by.entry(order.order.channel).or_default();
        entry.orders += 1;
        if order.malformed {
            entry.malformed += 1;
            malformed.push(serde_json::json!({"marketplace": order.order.channel, "order_no": order.order.order_no}));
        }
        for line in &order.lines {
            entry.lines += 1;
            match line.delivery {
                Delivery::Paid => entry.paid += 1,
                Delivery::Shipped { .. } => entry.shipped += 1,
                Delivery::Delivered { .. } => entry.delivered += 1,
            }
            if line.claim.is_some() {
                entry.claims += 1;
            }
        }
    }
    let overlay = lock(&shared.overlay).clone();
    let config = shared.timeline.config();
    Json(serde_json::json!({
        "seed": config.seed,
        "epoch": config.epoch.to_rfc3339(),
        "speed": config.speed,
        "clock": shared.mode,
        "clock_rate": shared.market_clock.rate(),
        "clock_anchor_ms": shared.market_clock.anchor_ms(),
        "day_pattern": shared.timeline.day_pattern().map(|p| p.weights()),
        "day": shared.timeline.day_of(now).map(|(day, weight)| serde_json::json!({"day": day, "weight": weight})),
        "now_ms": now,
        "now": shared.timeline.time(now).to_rfc3339(),
        "orders": orders.len(),
        "by_marketplace": by,
        "scenarios": shared.timeline.progress(now),
        "invoices_uploaded": overlay.invoices.len(),
        "claims_acknowledged": overlay.acknowledged.iter().collect::<Vec<_>>(),
        "malformed_orders": malformed,
        "requests": *lock(&shared.requests),
    }))
}

#[derive(Debug, Deserialize)]
struct OrdersQuery {
    marketplace: Option<String>,
}

async fn orders(
    State(shared): State<Arc<Shared>>,
    query: Result<axum::extract::Query<OrdersQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let filter = query.ok().and_then(|q| q.0.marketplace);
    let (now, orders) = shared.snapshot();
    let orders: Vec<&OrderView> = orders
        .iter()
        .filter(|o| filter.as_deref().is_none_or(|m| m == o.order.channel))
        .collect();
    Json(serde_json::json!({"now_ms": now, "orders": orders})).into_response()
}

async fn schedule(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let now = shared.now();
    let cycle = shared.timeline.scaled(shared.timeline.config().cycle_secs);
    Json(serde_json::json!({
        "now_ms": now,
        "steps": shared.timeline.schedule(now.max(0) + cycle),
    }))
}

/// `POST /sandbox/clock` body: move the clock by seconds (script seconds are scaled by speed in
/// the timeline, these are sandbox seconds) or to a moment.
#[derive(Debug, Deserialize)]
struct ClockBody {
    advance_secs: Option<f64>,
    at_ms: Option<Millis>,
}

async fn clock(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let body: ClockBody = match serde_json::from_str(&body) {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"code": "bad_request", "message": format!("expected {{\"advance_secs\": N}} or {{\"at_ms\": N}}: {e}")})),
            )
                .into_response()
        }
    };
    if let Some(secs) = body.advance_secs.filter(|s| s.is_finite()) {
        shared.advance((secs * 1000.0).round() as Millis);
    }
    if let Some(at) = body.at_ms {
        let now = shared.now();
        shared.advance(at - now);
    }
    Json(serde_json::json!({"now_ms": shared.now()})).into_response()
}

/// A running sandbox.
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), std::io::Error>>,
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The adapters' connection for marketplace `code` (see [`connection_for`]).
    pub fn connection(&self, code: &str) -> Option<Connection> {
        connection_for(&self.base_url(), code)
    }

    /// A connection for every marketplace the sandbox serves.
    pub fn connections(&self) -> Vec<Connection> {
        super::generate::CHANNELS
            .iter()
            .filter_map(|c| self.connection(c.code))
            .collect()
    }

    /// The shared state (clock, snapshot, overlay), e.g. to advance a manual clock in-process.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result.map_err(SandboxError::Serve),
            Err(e) => Err(SandboxError::Task(e.to_string())),
        }
    }

    /// Serves until the task ends (Ctrl-C handling is the caller's).
    pub async fn wait(mut self) -> Result<(), SandboxError> {
        match (&mut self.task).await {
            Ok(result) => result.map_err(SandboxError::Serve),
            Err(e) => Err(SandboxError::Task(e.to_string())),
        }
    }
}

/// Binds `config.addr` and serves the sandbox in a background task.
pub async fn spawn(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    if !config.addr.ip().is_loopback() && !config.allow_non_loopback {
        return Err(SandboxError::NotLoopback(config.addr));
    }
    let epoch = config.epoch_or_now();
    let shared = Arc::new(Shared::new(&config, epoch));
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| SandboxError::Listen {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(SandboxError::Serve)?;
    *lock(&shared.base_url) = format!("http://{addr}");
    let app = router(shared.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(SandboxHandle {
        addr,
        shared,
        stop: Some(stop),
        task,
    })
}
