//! `jumun-sandbox`: a fake marketplace for the demo and the tests (issue 4) — deterministic
//! Korean orders on several marketplaces at once, served over HTTP on loopback in the
//! marketplaces' real formats, with scripted claim scenarios over time.
//!
//! It is its own crate so that the server holds no fake marketplace: `jumun-server` knows
//! marketplaces only through its adapters and connection settings, and reaches this sandbox like
//! any other marketplace (`--demo-marketplaces URL` reads the settings from `GET /connections`).
//! The sandbox depends on the server's library for the adapters' `wire` structs and
//! [`Connection`](jumun_server::marketplaces::Connection); the server lists it only as a
//! dev-dependency, for its integration tests.
//!
//! - [`generate`]: people, addresses, products with options, orders — a pure function of a seed.
//! - [`scenario`]: the timeline — which orders exist at a moment and what happened to each line
//!   (a pure function of seed, epoch, speed, day pattern and elapsed time, plus the console's
//!   uploads).
//! - [`clock`]: the marketplace clock "now" is read from — the system clock, or one dilated
//!   `--clock-rate R` times from `--clock-anchor MS`, the same definition `jumun-server` runs on,
//!   so a soak run covers simulated days in real minutes.
//! - [`days`]: `--day-pattern W1,W2,…`, each Korean day's order volume (quiet days, bursts).
//! - [`server`]: the HTTP server; `cafe24`, `naver`, `coupang` and `generic` serve the paths the
//!   adapters of [`jumun_server::marketplaces`] call, rendering into their `wire` structs.
//!
//! # Paths served
//!
//! | API | paths |
//! | --- | --- |
//! | Cafe24 | `GET /api/v2/admin/orders` (`start_date`, `end_date`, `date_type`, `order_status`, `embed`, `limit`, `offset`), `POST /api/v2/admin/shipments`, `POST /api/v2/oauth/token` |
//! | Naver | `POST /external/v1/oauth2/token`, `GET /external/v1/pay-order/seller/product-orders/last-changed-statuses`, `POST …/product-orders/query`, `POST …/product-orders/dispatch`, `POST …/product-orders/{id}/claim/{cancel,return}/approve`, `POST …/{id}/claim/exchange/collect/approve` |
//! | Coupang | `GET /v2/providers/openapi/apis/api/v4/vendors/{vendorId}/ordersheets`, `…/ordersheets/{shipmentBoxId}`, `…/returnRequests`, `…/exchangeRequests`, `…/returnWithdrawRequests`, `PUT …/ordersheets/acknowledgement`, `POST …/orders/invoices`, `PATCH …/returnRequests/{receiptId}/stoppedShipment` |
//! | generic | `GET /generic/{code}/orders?since`, `GET /generic/{code}/claims?since`, `POST /generic/{code}/invoices`, `POST /generic/{code}/claims/{claim_no}/ack` |
//! | directory | `GET /connections`: every marketplace's connection settings (`{"connections": [...]}`, each in the body format of the console's `POST /api/connections`) |
//! | control | `GET /` (index), `GET /sandbox/state`, `GET /sandbox/orders[?marketplace]`, `GET /sandbox/schedule`, `POST /sandbox/clock` (`{"advance_secs": N}` or `{"at_ms": N}`) |
//!
//! Coupang's and Naver's request limits are played on their paths (`limits`: 429 with
//! `Retry-After` above 10 calls a second per Coupang vendor or 2 a second per Naver API, and
//! Coupang's 403 "Access Denied" block after a burst of failed calls), in real time;
//! [`SandboxConfig::rate_limits`] turns them off for raw API tests. [`Shared::calls`] lists every
//! request taken and [`Shared::refused_calls`] the ones the limits refused.
//!
//! Start it with `jumun-sandbox --seed N --addr 127.0.0.1:PORT --speed X` ([`cli`]), or
//! in-process with [`spawn`]; [`SandboxHandle::connection`] gives each adapter its connection.

mod cafe24;
pub mod cli;
pub mod clock;
mod coupang;
pub mod days;
pub mod generate;
mod generic;
mod limits;
mod naver;
pub mod scenario;
pub mod server;

pub use clock::MarketClock;
pub use days::DayPattern;
pub use server::{connection_for, spawn, ClockMode, SandboxHandle, Shared};

use chrono::{DateTime, FixedOffset, SubsecRound};
use jumun_core::time::KOREA;
use scenario::Millis;
use std::net::SocketAddr;

/// How to run a sandbox.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// The seed of every generated order.
    pub seed: u64,
    /// Where to listen; a loopback address (port 0 picks one).
    pub addr: SocketAddr,
    /// Script seconds per sandbox second (1 = in step with the marketplace clock; 60 plays the
    /// scenarios in a few minutes' worth of it).
    pub speed: f64,
    /// Sandbox time zero; `None`: now (by [`Self::market_clock`]) at start. With a wall clock
    /// the sandbox stands at `now - epoch` on the timeline, so restarting with the same seed and
    /// epoch resumes the same state; with a manual clock, at `start_at_ms`.
    pub epoch: Option<DateTime<FixedOffset>>,
    /// The marketplace clock's time or a clock that moves only when told.
    pub clock: ClockMode,
    /// Where "now" comes from on a wall clock: the system clock or a dilated one (a manual clock
    /// ignores its rate).
    pub market_clock: MarketClock,
    /// Each Korean day's order volume (quiet days, bursts); `None`: every day alike.
    pub day_pattern: Option<DayPattern>,
    /// Added to where the clock starts, in milliseconds.
    pub start_at_ms: Millis,
    /// Script seconds between new orders.
    pub order_interval_secs: u32,
    /// Orders placed before the start (five minutes apart).
    pub backlog: u32,
    /// Serve every Nth stream order malformed (a wrong-typed quantity), for collectors' tests.
    pub malformed_every: Option<u64>,
    /// Give every Nth stream order markup in its recipient's name, delivery memo, product name
    /// and option (see [`generate::make_hostile`]), for the console's "text is never code" tests.
    pub hostile_every: Option<u64>,
    /// Extra orders of one marketplace before the epoch, for paging-limit tests
    /// ([`scenario::BulkOrders`]).
    pub bulk: Option<scenario::BulkOrders>,
    /// Allow a non-loopback listen address (off: the sandbox is a local tool).
    pub allow_non_loopback: bool,
    /// Play Coupang's and Naver's request limits (429, Coupang's 403 block; on by default).
    pub rate_limits: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            addr: SocketAddr::from(([127, 0, 0, 1], 8090)),
            speed: 1.0,
            epoch: None,
            clock: ClockMode::Wall,
            market_clock: MarketClock::SYSTEM,
            day_pattern: None,
            start_at_ms: 0,
            order_interval_secs: 8,
            backlog: 12,
            malformed_every: None,
            hostile_every: None,
            bulk: None,
            allow_non_loopback: false,
            rate_limits: true,
        }
    }
}

impl SandboxConfig {
    /// The epoch, or the marketplace clock's now (whole seconds) in Korean time.
    pub fn epoch_or_now(&self) -> DateTime<FixedOffset> {
        self.epoch
            .map(|e| e.with_timezone(&KOREA))
            .unwrap_or_else(|| {
                self.market_clock
                    .now_utc()
                    .trunc_subsecs(0)
                    .with_timezone(&KOREA)
            })
    }
}

/// Why the sandbox could not run.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The address is not a loopback address.
    #[error(
        "the sandbox listens on loopback only; {0} is not a loopback address (use 127.0.0.1:PORT)"
    )]
    NotLoopback(SocketAddr),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}; pick another with --addr 127.0.0.1:PORT (port 0 picks a free one)")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an IO error.
    #[error("sandbox server error: {0}")]
    Serve(#[source] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("sandbox server task failed: {0}")]
    Task(String),
}
