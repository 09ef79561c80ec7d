//! The sandbox's timeline: which orders exist at a moment and what happened to each line.
//!
//! The state is a pure function of the seed, the start time (epoch), the speed and the elapsed
//! time, plus what the console did (invoices uploaded, claims acknowledged: the [`Overlay`]).
//! A restart with the same seed and epoch therefore shows the same orders and claims.
//!
//! Two sources of orders:
//!
//! * the **stream**: a backlog of orders placed before the start (so the console has something
//!   to collect at once), then a new order every few seconds on a marketplace chosen by weight;
//!   they wait to be invoiced by the console;
//! * the **scripts**: one order per scenario per cycle, on a fixed marketplace, with claim steps
//!   at fixed offsets (cancel before and after an invoice, return with pickup, exchange CASE1 and
//!   CASE2, the Cafe24 exchange that changes the line number, a Kakao Style exchange with delay
//!   notices, a withdrawal, a Fashionplus 취소거부). Scripts that need a shipped parcel ship it
//!   "outside the console" 30 s after the order unless the console uploaded an invoice first.
//!
//! Script offsets are in script seconds; `speed` compresses them (speed 10 plays a 300 s script
//! in 30 s of sandbox time). Timestamps are the epoch plus elapsed sandbox time: the marketplace
//! clock's time since the epoch ([`crate::clock`]: the system clock, or one dilated `--clock-rate`
//! times, which the console runs on too), so they never run ahead of the clock a collector
//! compares them with.
//!
//! With a day pattern ([`TimelineConfig::day_pattern`], [`crate::days`]) the stream's volume
//! changes day by day: stream orders follow the days' weights (none on a quiet day, four times as
//! many on a day of weight 4), and a scenario cycle that starts on a quiet day plays no scripts.

use super::days::{DayPattern, DayWarp};
use super::generate::{
    self, channel, exchange_line, generate_order, Channel, Line, Order, OrderSpec, Rng,
};
use chrono::{DateTime, Duration, FixedOffset, Timelike};
use jumun_core::time::KOREA;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How the timeline unfolds.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineConfig {
    /// The seed of every generated order.
    pub seed: u64,
    /// Sandbox time zero: orders' and claims' timestamps are relative to it.
    pub epoch: DateTime<FixedOffset>,
    /// Script seconds per sandbox second (1 = in step with the marketplace clock). Must be
    /// positive.
    pub speed: f64,
    /// Script seconds between two stream orders.
    pub order_interval_secs: u32,
    /// Stream orders placed before time zero, five minutes apart.
    pub backlog: u32,
    /// Script seconds after which every scenario plays again with new orders.
    pub cycle_secs: u32,
    /// Every Nth stream order is served malformed (so collectors can test their handling of a
    /// bad record in a page); `None` for never.
    pub malformed_every: Option<u64>,
    /// Every Nth stream order carries markup in its text fields ([`generate::make_hostile`]);
    /// `None` for never.
    pub hostile_every: Option<u64>,
    /// Extra orders of one marketplace in the days before the epoch (see [`BulkOrders`]).
    pub bulk: Option<BulkOrders>,
    /// Each Korean day's order volume from the epoch's day on (quiet days, bursts); `None`:
    /// every day alike.
    pub day_pattern: Option<DayPattern>,
}

/// Many orders of one marketplace, `per_day` on each of the `days` Korean days before the
/// epoch's, evenly spread over each day: enough to meet a marketplace's paging limits (Cafe24
/// lists at most 15,000 orders a search) in collectors' tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOrders {
    /// The marketplace (a channel code, e.g. `cafe24`).
    pub channel: &'static str,
    /// Days before the epoch's day.
    pub days: u32,
    /// Orders on each of them.
    pub per_day: u32,
}

impl TimelineConfig {
    /// Defaults for `seed`, starting at `epoch`: speed 1, an order every 8 s, 12 in the
    /// backlog, scenarios every 30 minutes, nothing malformed.
    pub fn new(seed: u64, epoch: DateTime<FixedOffset>) -> Self {
        Self {
            seed,
            epoch,
            speed: 1.0,
            order_interval_secs: 8,
            backlog: 12,
            cycle_secs: 1_800,
            malformed_every: None,
            hostile_every: None,
            bulk: None,
            day_pattern: None,
        }
    }
}

/// Milliseconds since the epoch (negative before it).
pub type Millis = i64;

/// What kind of story a scenario tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// The buyer cancels before any invoice could be issued (R10, R25–R27).
    CancelBeforeInvoice,
    /// The buyer cancels late: the console may have invoiced by then (hold, R27).
    CancelAfterInvoice,
    /// A return with a pickup by the carrier (R13, R14).
    ReturnWithPickup,
    /// An exchange on the same order; the console makes the replacement order (R15).
    ExchangeCase1,
    /// An exchange for which the marketplace creates a new order (R16).
    ExchangeCase2,
    /// A Cafe24 exchange after collection: the item gets a new order_item_code (R18).
    Cafe24ExchangeLineChange,
    /// A Kakao Style (Zigzag) exchange whose replacement is announced late twice (R19–R22).
    KakaoStyleExchangeDelay,
    /// A cancel request the buyer withdraws (철회, R12).
    Withdrawal,
    /// A Fashionplus cancel the seller refuses (취소거부 withdraws the cancel).
    CancelRefused,
}

/// One step a marketplace takes on a scripted order's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// A cancel is requested (취소요청 / 출고중지요청).
    CancelRequested,
    /// The cancel is complete (취소완료).
    CancelDone,
    /// The buyer withdrew the cancel (철회).
    CancelWithdrawn,
    /// The seller refused the cancel (취소거부).
    CancelRefused,
    /// A return is requested with a pickup.
    ReturnRequested,
    /// The carrier is picking the parcel up (수거중).
    ReturnCollecting,
    /// The parcel was picked up (수거완료).
    ReturnCollected,
    /// The return is complete (반품완료).
    ReturnDone,
    /// The buyer withdrew the return before its pickup (반품철회).
    ReturnWithdrawn,
    /// An exchange (option change) is requested.
    ExchangeRequested,
    /// The old item is being picked up (교환수거중).
    ExchangeCollecting,
    /// The old item was picked up (교환수거완료).
    ExchangeCollected,
    /// The replacement is being prepared (교환배송준비중).
    ExchangePreparing,
    /// The seller announced a delay: new due date `days` after the notice (교환배송연기안내).
    ExchangeDelayNotice {
        /// Days from the notice to the new due date (at most 15, R22).
        days: u32,
    },
    /// CASE2: the marketplace created a new order for the replacement.
    ReplacementOrderCreated,
    /// Cafe24: the exchanged item was replaced by a new item with a new order_item_code.
    LineReplaced,
}

/// A scripted scenario.
#[derive(Debug, Clone, Copy)]
pub struct Script {
    /// Stable name, e.g. `cancel-before-invoice/smartstore`.
    pub name: &'static str,
    /// What it shows.
    pub kind: ScenarioKind,
    /// The marketplace it plays on.
    pub channel: &'static str,
    /// Lines on its order (the claim is on the first line only, so a 2-line order shows a
    /// partial claim, R9).
    pub lines: usize,
    /// Whether the parcel must be shipped before the claim (returns and exchanges).
    pub ships: bool,
    /// Steps at script seconds after the order arrives.
    pub steps: &'static [(u32, Step)],
}

/// The carrier of parcels the scripts ship outside the console and of pickups: the console's
/// carrier code for CJ대한통운 (each API renders its own code for it).
pub const SCRIPT_CARRIER: &str = "cj";

/// Script seconds after arrival when a scripted parcel ships outside the console.
pub const SCRIPT_SHIP_SECS: u32 = 30;
/// Script seconds after shipping when a parcel is delivered.
pub const DELIVERY_SECS: u32 = 30;
/// Script seconds after an invoice upload when a stream order's parcel is delivered.
pub const STREAM_DELIVERY_SECS: u32 = 600;
/// Script seconds of the first scenario's start in a cycle, and between two scenarios.
pub const SCENARIO_FIRST_SECS: u32 = 20;
/// See [`SCENARIO_FIRST_SECS`].
pub const SCENARIO_GAP_SECS: u32 = 25;

use Step::*;

/// Every scenario, in the order they start in a cycle.
pub const SCRIPTS: &[Script] = &[
    Script {
        name: "cancel-before-invoice/smartstore",
        kind: ScenarioKind::CancelBeforeInvoice,
        channel: "smartstore",
        lines: 1,
        ships: false,
        steps: &[(40, CancelRequested), (100, CancelDone)],
    },
    Script {
        name: "cancel-before-invoice/cafe24",
        kind: ScenarioKind::CancelBeforeInvoice,
        channel: "cafe24",
        lines: 2,
        ships: false,
        steps: &[(40, CancelRequested), (100, CancelDone)],
    },
    Script {
        name: "cancel-before-invoice/gmarket",
        kind: ScenarioKind::CancelBeforeInvoice,
        channel: "gmarket",
        lines: 1,
        ships: false,
        steps: &[(40, CancelRequested), (100, CancelDone)],
    },
    Script {
        name: "cancel-after-invoice/coupang",
        kind: ScenarioKind::CancelAfterInvoice,
        channel: "coupang",
        lines: 1,
        ships: false,
        steps: &[(240, CancelRequested)],
    },
    Script {
        name: "cancel-after-invoice/11st",
        kind: ScenarioKind::CancelAfterInvoice,
        channel: "11st",
        lines: 1,
        ships: false,
        steps: &[(240, CancelRequested), (300, CancelDone)],
    },
    Script {
        name: "return-with-pickup/smartstore",
        kind: ScenarioKind::ReturnWithPickup,
        channel: "smartstore",
        lines: 2,
        ships: true,
        steps: &[
            (120, ReturnRequested),
            (180, ReturnCollecting),
            (240, ReturnCollected),
            (300, ReturnDone),
        ],
    },
    Script {
        name: "return-with-pickup/coupang",
        kind: ScenarioKind::ReturnWithPickup,
        channel: "coupang",
        lines: 1,
        ships: true,
        steps: &[
            (120, ReturnRequested),
            (180, ReturnCollecting),
            (240, ReturnCollected),
            (300, ReturnDone),
        ],
    },
    Script {
        name: "exchange-case1/11st",
        kind: ScenarioKind::ExchangeCase1,
        channel: "11st",
        lines: 1,
        ships: true,
        steps: &[
            (120, ExchangeRequested),
            (180, ExchangeCollecting),
            (240, ExchangeCollected),
        ],
    },
    Script {
        name: "exchange-case1/smartstore",
        kind: ScenarioKind::ExchangeCase1,
        channel: "smartstore",
        lines: 1,
        ships: true,
        steps: &[
            (120, ExchangeRequested),
            (180, ExchangeCollecting),
            (240, ExchangeCollected),
        ],
    },
    Script {
        name: "exchange-case2/musinsa",
        kind: ScenarioKind::ExchangeCase2,
        channel: "musinsa",
        lines: 1,
        ships: true,
        steps: &[
            (120, ExchangeRequested),
            (150, ReplacementOrderCreated),
            (240, ExchangeCollected),
        ],
    },
    Script {
        name: "cafe24-exchange-line-change/cafe24",
        kind: ScenarioKind::Cafe24ExchangeLineChange,
        channel: "cafe24",
        lines: 1,
        ships: true,
        steps: &[(120, ExchangeRequested), (150, LineReplaced)],
    },
    Script {
        name: "kakao-style-exchange-delay/zigzag",
        kind: ScenarioKind::KakaoStyleExchangeDelay,
        channel: "zigzag",
        lines: 1,
        ships: true,
        steps: &[
            (120, ExchangeRequested),
            (160, ExchangeCollecting),
            (200, ExchangeCollected),
            (240, ExchangePreparing),
            (280, ExchangeDelayNotice { days: 7 }),
            (340, ExchangeDelayNotice { days: 14 }),
        ],
    },
    Script {
        name: "withdrawal/smartstore",
        kind: ScenarioKind::Withdrawal,
        channel: "smartstore",
        lines: 1,
        ships: false,
        steps: &[(40, CancelRequested), (110, CancelWithdrawn)],
    },
    Script {
        name: "cancel-refused/fashionplus",
        kind: ScenarioKind::CancelRefused,
        channel: "fashionplus",
        lines: 1,
        ships: false,
        steps: &[(40, CancelRequested), (110, CancelRefused)],
    },
    // Coupang cancels an item at once while the order is 결제완료 (before the seller's 상품준비중
    // 처리); the refund takes until the cancel is done, and the order's other item still ships.
    Script {
        name: "cancel-before-acknowledgement/coupang",
        kind: ScenarioKind::CancelBeforeInvoice,
        channel: "coupang",
        lines: 2,
        ships: false,
        steps: &[(40, CancelRequested), (100, CancelDone)],
    },
    // The buyer withdraws a Coupang return before its pickup: Coupang lists the withdrawal
    // only under `returnWithdrawRequests`.
    Script {
        name: "return-withdrawal/coupang",
        kind: ScenarioKind::Withdrawal,
        channel: "coupang",
        lines: 1,
        ships: true,
        steps: &[(120, ReturnRequested), (150, ReturnWithdrawn)],
    },
    // A Coupang exchange of the first of two items: its request names the item by the ordered
    // option (orderItemId = vendorItemId), and the other item is not part of it.
    Script {
        name: "exchange-case1/coupang",
        kind: ScenarioKind::ExchangeCase1,
        channel: "coupang",
        lines: 2,
        ships: true,
        steps: &[
            (120, ExchangeRequested),
            (180, ExchangeCollecting),
            (240, ExchangeCollected),
        ],
    },
];

/// An invoice (송장): carrier and tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// Carrier name as the sandbox records it (the marketplace's carrier code when uploaded).
    pub carrier: String,
    /// 송장번호.
    pub tracking_no: String,
    /// When it was issued or uploaded.
    pub at: Millis,
    /// Uploaded by the console (true) or shipped outside it by a script (false).
    pub by_console: bool,
}

/// Where a line's parcel is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Delivery {
    /// Paid, waiting for an invoice (결제완료 / 상품준비중).
    Paid,
    /// Invoiced and handed to the carrier (배송중).
    Shipped {
        /// The invoice.
        invoice: Invoice,
    },
    /// Delivered (배송완료).
    Delivered {
        /// The invoice.
        invoice: Invoice,
        /// When.
        at: Millis,
    },
}

impl Delivery {
    /// The invoice, once shipped.
    pub fn invoice(&self) -> Option<&Invoice> {
        match self {
            Delivery::Paid => None,
            Delivery::Shipped { invoice } | Delivery::Delivered { invoice, .. } => Some(invoice),
        }
    }
}

/// Cancel, return or exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// 취소.
    Cancel,
    /// 반품.
    Return,
    /// 교환.
    Exchange,
}

/// Where a claim stands, in marketplace-neutral terms; each API renders its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Requested by the buyer.
    Requested,
    /// Pickup under way.
    Collecting,
    /// Picked up.
    Collected,
    /// Replacement being prepared (Kakao Style).
    Preparing,
    /// Replacement being prepared, delay announced (Kakao Style).
    DelayNoticed,
    /// Replacement shipped (the console uploaded its invoice).
    Redelivering,
    /// Complete.
    Done,
    /// Withdrawn by the buyer (철회).
    Withdrawn,
    /// Refused by the seller (취소거부).
    Refused,
}

/// A Kakao Style delay notice (R22).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelayNotice {
    /// Notices given so far (1 or 2).
    pub count: u32,
    /// The new due date.
    pub due: DateTime<FixedOffset>,
}

/// A claim on a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The marketplace's claim id (numeric text).
    pub id: String,
    /// Cancel, return or exchange.
    pub kind: ClaimKind,
    /// Where it stands.
    pub status: ClaimStatus,
    /// When requested.
    pub requested_at: Millis,
    /// When it last changed.
    pub changed_at: Millis,
    /// When the seller took it on (접수: pickup under way, or done without one); Cafe24 lists
    /// claims by this day (`*_accept_date`).
    pub accepted_at: Option<Millis>,
    /// When it was completed; Cafe24 lists claims by this day (`*_complete_date`).
    pub completed_at: Option<Millis>,
    /// The buyer's reason, in Korean.
    pub reason: String,
    /// Quantity claimed.
    pub quantity: u32,
    /// Exchange: the line the buyer wants instead (same product, another option).
    pub exchange_to: Option<Line>,
    /// Return and exchange: the pickup's invoice, once the carrier is on its way.
    pub pickup: Option<Invoice>,
    /// Kakao Style: the latest delay notice.
    pub delay: Option<DelayNotice>,
    /// CASE2: the marketplace's new order for the replacement.
    pub replacement_order_no: Option<String>,
    /// Cafe24: the new order_item_code that replaced this item.
    pub replaced_by: Option<String>,
    /// The replacement's invoice, once the console uploaded it (Kakao Style 교환배송중).
    pub replacement_invoice: Option<Invoice>,
    /// The console acknowledged this claim (approve/confirm call).
    pub acknowledged: bool,
}

/// A line and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineView {
    /// The line as ordered.
    pub line: Line,
    /// Its parcel.
    pub delivery: Delivery,
    /// Its claim, if any.
    pub claim: Option<Claim>,
    /// When the line last changed (arrival, shipping, claim step).
    pub changed_at: Millis,
}

/// An order at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderView {
    /// The order as placed.
    pub order: Order,
    /// When it appeared at the marketplace.
    pub arrived_at: Millis,
    /// Its lines with their state (a Cafe24 line replacement adds a line).
    pub lines: Vec<LineView>,
    /// The scenario it belongs to, if scripted.
    pub scenario: Option<&'static str>,
    /// CASE2 replacement order: the original order number and line number.
    pub exchange_of: Option<(String, String)>,
    /// Served deliberately malformed (see [`TimelineConfig::malformed_every`]).
    pub malformed: bool,
    /// When the console moved the order to 상품준비중 (Coupang's acknowledgement), if it did.
    pub prepared_at: Option<Millis>,
}

impl OrderView {
    /// When anything on the order last changed.
    pub fn changed_at(&self) -> Millis {
        self.lines
            .iter()
            .map(|l| l.changed_at)
            .max()
            .unwrap_or(self.arrived_at)
            .max(self.arrived_at)
    }

    /// The marketplace's channel entry.
    pub fn channel(&self) -> Option<&'static Channel> {
        channel(self.order.channel)
    }
}

/// Identifies one line at one marketplace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineKey {
    /// Marketplace code.
    pub channel: String,
    /// 주문번호.
    pub order_no: String,
    /// 주문상세번호.
    pub line_no: String,
}

/// What the console did to the sandbox: the part of the state that is not a function of time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    /// Invoices uploaded by the console, per line.
    pub invoices: BTreeMap<LineKey, Invoice>,
    /// Claim ids the console acknowledged.
    pub acknowledged: BTreeSet<String>,
    /// Orders the console moved to 상품준비중 (Coupang's acknowledgement), by marketplace and
    /// 주문번호, with when.
    pub prepared: BTreeMap<(String, String), Millis>,
}

/// A scheduled step of a scenario, for tests and the state endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledStep {
    /// Script name.
    pub scenario: &'static str,
    /// Kind.
    pub kind: ScenarioKind,
    /// Marketplace.
    pub channel: &'static str,
    /// Cycle number.
    pub cycle: u64,
    /// The scripted order's number.
    pub order_no: String,
    /// The step.
    pub step: Step,
    /// When it happens.
    pub at: Millis,
}

/// The timeline of one sandbox.
#[derive(Debug, Clone)]
pub struct Timeline {
    config: TimelineConfig,
    /// Stream orders generated so far, by sequence number (a pure function of the seed and the
    /// sequence number, kept so that a long-running sandbox does not regenerate them per call).
    stream: std::sync::Arc<std::sync::Mutex<Vec<Order>>>,
    /// The bulk orders with their arrival, generated on first use.
    bulk: std::sync::Arc<std::sync::OnceLock<Vec<(Order, Millis)>>>,
    /// The day pattern laid on the timeline, if any.
    warp: Option<DayWarp>,
}

/// Scripted orders' sequence numbers start here (stream orders stay below).
const SCRIPTED_SEQ: u64 = 500_000;
/// Bulk orders' sequence numbers start here.
const BULK_SEQ: u64 = 1_000_000_000;

impl Timeline {
    /// A timeline; a non-positive or non-finite speed counts as 1.
    pub fn new(mut config: TimelineConfig) -> Self {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            config.speed = 1.0;
        }
        config.order_interval_secs = config.order_interval_secs.max(1);
        config.cycle_secs = config.cycle_secs.max(600);
        let warp = config.day_pattern.clone().map(|pattern| {
            // Days are Korean days, whatever offset the epoch was given in.
            let time = config.epoch.with_timezone(&KOREA).time();
            let in_day = Millis::from(time.num_seconds_from_midnight()) * 1000
                + Millis::from(time.nanosecond() / 1_000_000);
            DayWarp::new(pattern, in_day)
        });
        Self {
            config,
            stream: Default::default(),
            bulk: Default::default(),
            warp,
        }
    }

    /// The bulk orders (none unless configured), with their arrival.
    fn bulk_orders(&self) -> &[(Order, Millis)] {
        self.bulk.get_or_init(|| {
            let Some(bulk) = &self.config.bulk else {
                return Vec::new();
            };
            let Some(chan) = channel(bulk.channel) else {
                return Vec::new();
            };
            let first_day = self.config.epoch.date_naive();
            let spacing = 86_400_000 / Millis::from(bulk.per_day.max(1));
            let mut orders = Vec::new();
            for back in 1..=bulk.days {
                let day = first_day - Duration::days(i64::from(back));
                let Some(midnight) = day
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(*self.config.epoch.offset()).single())
                else {
                    continue;
                };
                for i in 0..bulk.per_day {
                    let ordered_at = midnight + Duration::milliseconds(Millis::from(i) * spacing);
                    let seq = BULK_SEQ + u64::from(back) * 1_000_000 + u64::from(i);
                    let order = generate_order(
                        self.config.seed,
                        OrderSpec {
                            seq,
                            channel: Some(chan),
                            lines: Some(1),
                            ordered_at,
                        },
                    );
                    orders.push((order, self.millis(ordered_at)));
                }
            }
            orders
        })
    }

    /// Its configuration.
    pub fn config(&self) -> &TimelineConfig {
        &self.config
    }

    /// Script seconds as sandbox milliseconds at this speed (at least 1 ms for positive input).
    pub fn scaled(&self, script_secs: u32) -> Millis {
        let ms = (f64::from(script_secs) * 1000.0 / self.config.speed).round() as Millis;
        if script_secs > 0 {
            ms.max(1)
        } else {
            0
        }
    }

    /// The wall time of a sandbox moment.
    pub fn time(&self, at: Millis) -> DateTime<FixedOffset> {
        self.config.epoch + Duration::milliseconds(at)
    }

    /// The sandbox moment of a wall time.
    pub fn millis(&self, time: DateTime<FixedOffset>) -> Millis {
        (time - self.config.epoch).num_milliseconds()
    }

    fn interval(&self) -> Millis {
        self.scaled(self.config.order_interval_secs).max(2)
    }

    /// The load at which stream order `seq` (after the backlog) is due: one interval after the
    /// previous one plus a jitter of under half an interval. Without a day pattern the load is
    /// the time since the epoch, so this is the arrival.
    fn stream_due(&self, seq: u64) -> i128 {
        let k = i128::from(seq - u64::from(self.config.backlog));
        let interval = self.interval();
        let jitter = Rng::derive(self.config.seed, 9, seq).below((interval / 2) as u64);
        k * i128::from(interval) + i128::from(jitter)
    }

    /// When stream order `seq` arrives.
    pub fn stream_arrival(&self, seq: u64) -> Millis {
        let backlog = u64::from(self.config.backlog);
        if seq < backlog {
            return -((backlog - seq) as Millis) * 300_000;
        }
        let due = self.stream_due(seq);
        match &self.warp {
            // The millisecond that takes the load past `due`.
            Some(warp) => warp.reach(due + 1) - 1,
            None => Millis::try_from(due).unwrap_or(Millis::MAX),
        }
    }

    /// How many stream orders have arrived by `at`.
    pub fn stream_count(&self, at: Millis) -> u64 {
        let backlog = u64::from(self.config.backlog);
        if at < 0 {
            return (0..backlog)
                .take_while(|seq| self.stream_arrival(*seq) <= at)
                .count() as u64;
        }
        // Order `seq` has arrived iff its due load is below the load through millisecond `at`;
        // dues are increasing and the k-th lies in [k·interval, (k + ½)·interval).
        let load = match &self.warp {
            Some(warp) => warp.load(at.saturating_add(1)),
            None => i128::from(at) + 1,
        };
        if load <= 0 {
            return backlog;
        }
        let last = backlog + u64::try_from((load - 1) / i128::from(self.interval())).unwrap_or(0);
        if self.stream_due(last) < load {
            last + 1
        } else {
            last
        }
    }

    /// The day pattern's day of moment `at` (day 0 holds the epoch) and its weight; `None`
    /// without a pattern.
    pub fn day_of(&self, at: Millis) -> Option<(i64, u32)> {
        self.warp
            .as_ref()
            .map(|warp| (warp.day(at), warp.weight_at(at)))
    }

    /// The day pattern, if any.
    pub fn day_pattern(&self) -> Option<&DayPattern> {
        self.warp.as_ref().map(DayWarp::pattern)
    }

    /// Whether `cycle`'s scenarios play: not when it starts on a quiet day.
    fn cycle_plays(&self, cycle: u64) -> bool {
        self.warp
            .as_ref()
            .is_none_or(|warp| warp.weight_at(cycle as Millis * self.cycle_ms()) > 0)
    }

    fn cycle_ms(&self) -> Millis {
        self.scaled(self.config.cycle_secs)
    }

    /// When scenario `index` of `cycle` starts (its order arrives).
    pub fn scenario_start(&self, cycle: u64, index: usize) -> Millis {
        cycle as Millis * self.cycle_ms()
            + self.scaled(SCENARIO_FIRST_SECS + SCENARIO_GAP_SECS * index as u32)
    }

    fn scripted_seq(cycle: u64, index: usize, which: u64) -> u64 {
        SCRIPTED_SEQ + cycle * 100 + index as u64 * 2 + which
    }

    /// The cycles that have started by `at`.
    fn cycles(&self, at: Millis) -> u64 {
        if at < 0 {
            0
        } else {
            (at / self.cycle_ms()) as u64 + 1
        }
    }

    /// The scripted order of scenario `index` in `cycle`; `None` if the cycle starts on a quiet
    /// day (it plays nothing).
    pub fn scripted_order(&self, cycle: u64, index: usize) -> Option<Order> {
        let script = SCRIPTS.get(index)?;
        if !self.cycle_plays(cycle) {
            return None;
        }
        let start = self.scenario_start(cycle, index);
        Some(generate_order(
            self.config.seed,
            OrderSpec {
                seq: Self::scripted_seq(cycle, index, 0),
                channel: channel(script.channel),
                lines: Some(script.lines),
                ordered_at: self.time(start),
            },
        ))
    }

    /// Every scenario step of the cycles started by `until`, in time order.
    pub fn schedule(&self, until: Millis) -> Vec<ScheduledStep> {
        let mut steps = Vec::new();
        for cycle in 0..self.cycles(until) {
            for (index, script) in SCRIPTS.iter().enumerate() {
                let start = self.scenario_start(cycle, index);
                let Some(order) = self.scripted_order(cycle, index) else {
                    continue;
                };
                for (offset, step) in script.steps {
                    steps.push(ScheduledStep {
                        scenario: script.name,
                        kind: script.kind,
                        channel: script.channel,
                        cycle,
                        order_no: order.order_no.clone(),
                        step: *step,
                        at: start + self.scaled(*offset),
                    });
                }
            }
        }
        steps.sort_by_key(|s| s.at);
        steps
    }

    /// Every order that exists at `at`, with each line's state.
    pub fn snapshot(&self, at: Millis, overlay: &Overlay) -> Vec<OrderView> {
        let mut orders = Vec::new();
        let count = self.stream_count(at);
        let generated: Vec<Order> = {
            let mut cache = self
                .stream
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for seq in cache.len() as u64..count {
                let mut order = generate_order(
                    self.config.seed,
                    OrderSpec {
                        seq,
                        channel: None,
                        lines: None,
                        ordered_at: self.time(self.stream_arrival(seq)),
                    },
                );
                if every(self.config.hostile_every, seq) {
                    generate::make_hostile(&mut order);
                }
                cache.push(order);
            }
            cache.iter().take(count as usize).cloned().collect()
        };
        for (seq, order) in (0..count).zip(generated) {
            let arrived_at = self.stream_arrival(seq);
            let malformed = every(self.config.malformed_every, seq);
            let lines = order
                .lines
                .iter()
                .map(|line| self.stream_line(&order, line, arrived_at, at, overlay))
                .collect();
            orders.push(OrderView {
                order,
                arrived_at,
                lines,
                scenario: None,
                exchange_of: None,
                malformed,
                prepared_at: None,
            });
        }
        for (order, arrived_at) in self.bulk_orders() {
            if *arrived_at > at {
                continue;
            }
            let lines = order
                .lines
                .iter()
                .map(|line| self.stream_line(order, line, *arrived_at, at, overlay))
                .collect();
            orders.push(OrderView {
                order: order.clone(),
                arrived_at: *arrived_at,
                lines,
                scenario: None,
                exchange_of: None,
                malformed: false,
                prepared_at: None,
            });
        }
        for cycle in 0..self.cycles(at) {
            for index in 0..SCRIPTS.len() {
                self.play(cycle, index, at, overlay, &mut orders);
            }
        }
        for view in &mut orders {
            view.prepared_at = overlay
                .prepared
                .get(&(view.order.channel.to_owned(), view.order.order_no.clone()))
                .copied()
                .filter(|t| *t <= at);
        }
        orders.sort_by(|a, b| {
            a.arrived_at
                .cmp(&b.arrived_at)
                .then(a.order.seq.cmp(&b.order.seq))
        });
        orders
    }

    fn key(order: &Order, line: &Line) -> LineKey {
        LineKey {
            channel: order.channel.to_owned(),
            order_no: order.order_no.clone(),
            line_no: line.line_no.clone(),
        }
    }

    /// A stream line: paid until the console uploads an invoice, delivered a while later.
    fn stream_line(
        &self,
        order: &Order,
        line: &Line,
        arrived_at: Millis,
        at: Millis,
        overlay: &Overlay,
    ) -> LineView {
        let mut view = LineView {
            line: line.clone(),
            delivery: Delivery::Paid,
            claim: None,
            changed_at: arrived_at,
        };
        if let Some(invoice) = overlay.invoices.get(&Self::key(order, line)) {
            if invoice.at <= at {
                self.ship(
                    &mut view,
                    invoice.clone(),
                    self.scaled(STREAM_DELIVERY_SECS),
                    at,
                );
            }
        }
        view
    }

    /// Marks a line shipped with `invoice`, and delivered `after` later if that is past.
    fn ship(&self, view: &mut LineView, invoice: Invoice, after: Millis, at: Millis) {
        let shipped = invoice.at;
        view.changed_at = view.changed_at.max(shipped);
        let delivered = shipped + after;
        view.delivery = if delivered <= at {
            view.changed_at = view.changed_at.max(delivered);
            Delivery::Delivered {
                invoice,
                at: delivered,
            }
        } else {
            Delivery::Shipped { invoice }
        };
    }

    /// Plays scenario `index` of `cycle` up to `at`, pushing its order(s).
    fn play(
        &self,
        cycle: u64,
        index: usize,
        at: Millis,
        overlay: &Overlay,
        orders: &mut Vec<OrderView>,
    ) {
        let Some(script) = SCRIPTS.get(index) else {
            return;
        };
        let start = self.scenario_start(cycle, index);
        if start > at {
            return;
        }
        let Some(order) = self.scripted_order(cycle, index) else {
            return;
        };
        let Some(chan) = channel(script.channel) else {
            return;
        };
        let mut lines: Vec<LineView> = order
            .lines
            .iter()
            .map(|line| LineView {
                line: line.clone(),
                delivery: Delivery::Paid,
                claim: None,
                changed_at: start,
            })
            .collect();
        // Shipping: the console's upload wins if it came first; a script that needs a shipped
        // parcel ships it outside the console otherwise.
        let script_ship = start + self.scaled(SCRIPT_SHIP_SECS);
        for view in &mut lines {
            let uploaded = overlay
                .invoices
                .get(&Self::key(&order, &view.line))
                .filter(|i| i.at <= at);
            let invoice = match uploaded {
                Some(i) if !script.ships || i.at <= script_ship => Some(i.clone()),
                _ if script.ships && script_ship <= at => Some(Invoice {
                    carrier: SCRIPT_CARRIER.to_owned(),
                    tracking_no: format!("5{:011}", order.seq * 13 % 100_000_000_000),
                    at: script_ship,
                    by_console: false,
                }),
                _ => None,
            };
            if let Some(invoice) = invoice {
                let after = if script.ships {
                    self.scaled(DELIVERY_SECS)
                } else {
                    self.scaled(STREAM_DELIVERY_SECS)
                };
                self.ship(view, invoice, after, at);
            }
        }
        let mut replacement: Option<OrderView> = None;
        let quantity = order.lines.first().map(|l| l.quantity).unwrap_or(1);
        for (offset, step) in script.steps {
            let when = start + self.scaled(*offset);
            if when > at {
                break;
            }
            let Some(first) = lines.first_mut() else {
                break;
            };
            let claim_id = format!("{}", 9_000_000_000u64 + order.seq * 10);
            let new_claim = |kind: ClaimKind, reason: &str| Claim {
                id: claim_id.clone(),
                kind,
                status: ClaimStatus::Requested,
                requested_at: when,
                changed_at: when,
                accepted_at: None,
                completed_at: None,
                reason: reason.to_owned(),
                quantity,
                exchange_to: None,
                pickup: None,
                delay: None,
                replacement_order_no: None,
                replaced_by: None,
                replacement_invoice: None,
                acknowledged: overlay.acknowledged.contains(&claim_id),
            };
            first.changed_at = first.changed_at.max(when);
            match step {
                CancelRequested => first.claim = Some(new_claim(ClaimKind::Cancel, "단순변심")),
                ReturnRequested => {
                    first.claim = Some(new_claim(ClaimKind::Return, "사이즈 불만족"))
                }
                ExchangeRequested => {
                    let mut claim = new_claim(ClaimKind::Exchange, "사이즈 교환");
                    claim.exchange_to = Some(exchange_line(chan, &first.line, &order.order_no, 0));
                    first.claim = Some(claim);
                }
                CancelDone | ReturnDone => set_status(first, ClaimStatus::Done, when),
                CancelWithdrawn | ReturnWithdrawn => {
                    set_status(first, ClaimStatus::Withdrawn, when)
                }
                CancelRefused => set_status(first, ClaimStatus::Refused, when),
                ReturnCollecting | ExchangeCollecting => {
                    set_status(first, ClaimStatus::Collecting, when);
                    if let Some(claim) = first.claim.as_mut() {
                        claim.pickup = Some(Invoice {
                            carrier: SCRIPT_CARRIER.to_owned(),
                            tracking_no: format!("6{:011}", order.seq * 17 % 100_000_000_000),
                            at: when,
                            by_console: false,
                        });
                    }
                }
                ReturnCollected | ExchangeCollected => {
                    set_status(first, ClaimStatus::Collected, when)
                }
                ExchangePreparing => set_status(first, ClaimStatus::Preparing, when),
                ExchangeDelayNotice { days } => {
                    set_status(first, ClaimStatus::DelayNoticed, when);
                    if let Some(claim) = first.claim.as_mut() {
                        let count = claim.delay.as_ref().map_or(0, |d| d.count) + 1;
                        claim.delay = Some(DelayNotice {
                            count,
                            due: self.time(when) + Duration::days(i64::from(*days)),
                        });
                    }
                }
                ReplacementOrderCreated => {
                    let new_order =
                        self.replacement_order(chan, &order, &first.line, cycle, index, when);
                    if let Some(claim) = first.claim.as_mut() {
                        claim.replacement_order_no = Some(new_order.order_no.clone());
                    }
                    let exchange_of = Some((order.order_no.clone(), first.line.line_no.clone()));
                    let new_lines = new_order
                        .lines
                        .iter()
                        .map(|line| {
                            let mut view = LineView {
                                line: line.clone(),
                                delivery: Delivery::Paid,
                                claim: None,
                                changed_at: when,
                            };
                            if let Some(i) = overlay
                                .invoices
                                .get(&Self::key(&new_order, line))
                                .filter(|i| i.at <= at)
                            {
                                self.ship(
                                    &mut view,
                                    i.clone(),
                                    self.scaled(STREAM_DELIVERY_SECS),
                                    at,
                                );
                            }
                            view
                        })
                        .collect();
                    replacement = Some(OrderView {
                        order: new_order,
                        arrived_at: when,
                        lines: new_lines,
                        scenario: Some(script.name),
                        exchange_of,
                        malformed: false,
                        prepared_at: None,
                    });
                }
                LineReplaced => {
                    let new_line =
                        exchange_line(chan, &first.line, &order.order_no, order.lines.len());
                    set_status(first, ClaimStatus::Done, when);
                    if let Some(claim) = first.claim.as_mut() {
                        claim.replaced_by = Some(new_line.line_no.clone());
                    }
                    let mut view = LineView {
                        line: new_line,
                        delivery: Delivery::Paid,
                        claim: None,
                        changed_at: when,
                    };
                    if let Some(i) = overlay
                        .invoices
                        .get(&Self::key(&order, &view.line))
                        .filter(|i| i.at <= at)
                    {
                        self.ship(&mut view, i.clone(), self.scaled(STREAM_DELIVERY_SECS), at);
                    }
                    lines.push(view);
                }
            }
        }
        // Kakao Style: the console ships the replacement by uploading an invoice on the line
        // while the replacement is being prepared.
        if let Some(first) = lines.first_mut() {
            let key = Self::key(&order, &first.line);
            if let Some(claim) = first.claim.as_mut() {
                if claim.kind == ClaimKind::Exchange
                    && matches!(
                        claim.status,
                        ClaimStatus::Preparing | ClaimStatus::DelayNoticed
                    )
                {
                    if let Some(invoice) = overlay
                        .invoices
                        .get(&key)
                        .filter(|i| i.by_console && i.at >= claim.changed_at && i.at <= at)
                    {
                        claim.status = ClaimStatus::Redelivering;
                        claim.changed_at = invoice.at;
                        claim.replacement_invoice = Some(invoice.clone());
                        first.changed_at = first.changed_at.max(invoice.at);
                    }
                }
            }
        }
        orders.push(OrderView {
            order,
            arrived_at: start,
            lines,
            scenario: Some(script.name),
            exchange_of: None,
            malformed: false,
            prepared_at: None,
        });
        orders.extend(replacement);
    }

    /// CASE2: the marketplace's new order for the replacement, same buyer and product, the
    /// new option, no charge.
    fn replacement_order(
        &self,
        chan: &Channel,
        original: &Order,
        line: &Line,
        cycle: u64,
        index: usize,
        at: Millis,
    ) -> Order {
        let seq = Self::scripted_seq(cycle, index, 1);
        let time = self.time(at);
        let order_no = generate::order_no(chan, seq, time);
        let mut new_line = exchange_line(chan, line, &order_no, 0);
        new_line.unit_price = 0;
        new_line.option_price = 0;
        Order {
            seq,
            order_no,
            ordered_at: time,
            paid_at: time,
            payment_method: "교환주문".to_owned(),
            shipping_fee: 0,
            lines: vec![new_line],
            ..original.clone()
        }
    }
}

fn set_status(view: &mut LineView, status: ClaimStatus, at: Millis) {
    if let Some(claim) = view.claim.as_mut() {
        claim.status = status;
        claim.changed_at = at;
        let taken_on = !matches!(
            status,
            ClaimStatus::Requested | ClaimStatus::Withdrawn | ClaimStatus::Refused
        );
        if taken_on && claim.accepted_at.is_none() {
            claim.accepted_at = Some(at);
        }
        if status == ClaimStatus::Done {
            claim.completed_at = Some(at);
        }
    }
}

/// Scenario progress for the state endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioProgress {
    /// Script name.
    pub scenario: &'static str,
    /// Kind.
    pub kind: ScenarioKind,
    /// Marketplace.
    pub channel: &'static str,
    /// Cycle.
    pub cycle: u64,
    /// Order number.
    pub order_no: String,
    /// Steps played.
    pub steps_done: usize,
    /// Steps in all.
    pub steps_total: usize,
    /// The last step played, if any.
    pub last_step: Option<Step>,
}

impl Timeline {
    /// Progress of every scenario started by `at`.
    pub fn progress(&self, at: Millis) -> Vec<ScenarioProgress> {
        let mut out = Vec::new();
        for cycle in 0..self.cycles(at) {
            for (index, script) in SCRIPTS.iter().enumerate() {
                let start = self.scenario_start(cycle, index);
                if start > at {
                    continue;
                }
                let Some(order) = self.scripted_order(cycle, index) else {
                    continue;
                };
                let played: Vec<Step> = script
                    .steps
                    .iter()
                    .filter(|(offset, _)| start + self.scaled(*offset) <= at)
                    .map(|(_, step)| *step)
                    .collect();
                out.push(ScenarioProgress {
                    scenario: script.name,
                    kind: script.kind,
                    channel: script.channel,
                    cycle,
                    order_no: order.order_no,
                    steps_done: played.len(),
                    steps_total: script.steps.len(),
                    last_step: played.last().copied(),
                });
            }
        }
        out
    }
}

/// Whether stream order `seq` is one of every `n`th (the `n`th, `2n`th, …; never for `None`).
fn every(n: Option<u64>, seq: u64) -> bool {
    n.is_some_and(|n| n > 0 && (seq + 1).is_multiple_of(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::DAY_MS;

    fn timeline(speed: f64) -> Timeline {
        let epoch = DateTime::parse_from_rfc3339("2024-11-15T09:00:00+09:00").expect("fixed");
        Timeline::new(TimelineConfig {
            speed,
            ..TimelineConfig::new(42, epoch)
        })
    }

    /// A timeline at speed 1 with an order due every hour, starting at `epoch`.
    fn hourly(epoch: &str, pattern: Option<&str>) -> Timeline {
        let epoch = DateTime::parse_from_rfc3339(epoch).expect("fixed");
        Timeline::new(TimelineConfig {
            order_interval_secs: 3_600,
            day_pattern: pattern.map(|p| p.parse().expect("pattern")),
            ..TimelineConfig::new(42, epoch)
        })
    }

    fn assert_arrivals_match_the_count(t: &Timeline, orders: u64) {
        let mut last = Millis::MIN;
        for seq in 0..orders {
            let at = t.stream_arrival(seq);
            assert!(at > last, "order {seq} at {at} after {last}");
            last = at;
            assert!(t.stream_count(at) > seq, "order {seq} arrived at {at}");
            assert_eq!(
                t.stream_count(at - 1),
                seq,
                "order {seq} is not there before {at}"
            );
            // The backlog keeps its place before the epoch, whatever the day.
            if let Some((day, weight)) = t.day_of(at).filter(|_| at >= 0) {
                assert_ne!(weight, 0, "order {seq} arrived on quiet day {day}");
            }
        }
    }

    #[test]
    fn stream_orders_arrive_in_order_and_the_count_matches_the_arrivals() {
        let t = timeline(1.0);
        assert_arrivals_match_the_count(&t, 200);
        assert_eq!(t.stream_count(0), 12 + u64::from(t.stream_arrival(12) <= 0));
        // Day patterns: bursts, a quiet epoch day, one busy day in four, an epoch late in its
        // Korean day; twenty days or more of hourly orders each.
        for pattern in ["1,0,4", "0,1", "0,0,3,0", "2", "5,0,0,1"] {
            for epoch in ["2024-11-15T09:00:00+09:00", "2024-11-15T23:59:59.500+09:00"] {
                assert_arrivals_match_the_count(&hourly(epoch, Some(pattern)), 12 + 500);
            }
        }
    }

    /// Stream orders (after the backlog) that arrive on days `days` of `t`, counted by day.
    fn per_day(t: &Timeline, days: std::ops::Range<i64>) -> Vec<u64> {
        // The epoch is at a Korean midnight in these tests.
        days.map(|d| t.stream_count((d + 1) * DAY_MS - 1) - t.stream_count(d * DAY_MS - 1))
            .collect()
    }

    #[test]
    fn a_quiet_day_has_no_orders_and_a_burst_day_has_weight_times_a_normal_days() {
        let midnight = "2024-11-15T00:00:00+09:00";
        let plain = per_day(&hourly(midnight, None), 0..6);
        assert!(plain.iter().all(|n| *n == 24), "{plain:?}");
        let t = hourly(midnight, Some("1,0,4"));
        assert_eq!(per_day(&t, 0..6), [24, 0, 96, 24, 0, 96]);
        let t = hourly(midnight, Some("0,0,3,0"));
        assert_eq!(per_day(&t, 0..8), [0, 0, 72, 0, 0, 0, 72, 0]);
        // The first order of a quiet-first pattern waits for day 1.
        let t = hourly(midnight, Some("0,1"));
        assert!(t.stream_arrival(12) >= DAY_MS);
        // The backlog stays as it was.
        assert_eq!(t.stream_count(-1), 12);
    }

    #[test]
    fn days_are_korean_days_whatever_the_epochs_offset() {
        // 16:00 UTC is 01:00 KST the next day: day 0 ends 23 hours after the epoch.
        let t = hourly("2024-11-15T16:00:00Z", Some("1,0"));
        let hour = 3_600_000;
        assert_eq!(t.day_of(23 * hour - 1), Some((0, 1)));
        assert_eq!(t.day_of(23 * hour), Some((1, 0)));
        assert_eq!(t.stream_count(23 * hour - 1), t.stream_count(47 * hour - 1));
        assert!(t.stream_count(48 * hour) > t.stream_count(47 * hour - 1));
    }

    #[test]
    fn a_cycle_that_starts_on_a_quiet_day_plays_no_scenario() {
        let epoch = DateTime::parse_from_rfc3339("2024-11-15T00:00:00+09:00").expect("fixed");
        let t = Timeline::new(TimelineConfig {
            day_pattern: Some("1,0".parse().expect("pattern")),
            ..TimelineConfig::new(42, epoch)
        });
        let cycles_a_day = (DAY_MS / t.cycle_ms()) as u64;
        assert!(t.scripted_order(0, 0).is_some());
        assert!(t.scripted_order(cycles_a_day - 1, 0).is_some());
        assert!(t.scripted_order(cycles_a_day, 0).is_none());
        assert!(t.scripted_order(2 * cycles_a_day, 0).is_some());
        let day1 = DAY_MS..2 * DAY_MS;
        let steps = t.schedule(3 * DAY_MS);
        assert!(steps
            .iter()
            .all(|s| s.cycle < cycles_a_day || s.cycle >= 2 * cycles_a_day));
        assert!(steps.iter().any(|s| s.cycle == 2 * cycles_a_day));
        let overlay = Overlay::default();
        let orders = t.snapshot(2 * DAY_MS - 1, &overlay);
        assert!(
            orders.iter().all(|o| !day1.contains(&o.arrived_at)),
            "nothing on day 1"
        );
        assert!(!t
            .progress(2 * DAY_MS - 1)
            .iter()
            .any(|p| p.cycle >= cycles_a_day));
    }

    #[test]
    fn every_third_stream_order_carries_markup_when_asked() {
        let epoch = DateTime::parse_from_rfc3339("2024-11-15T09:00:00+09:00").expect("fixed");
        let t = Timeline::new(TimelineConfig {
            hostile_every: Some(3),
            ..TimelineConfig::new(42, epoch)
        });
        let stream: Vec<OrderView> = t
            .snapshot(0, &Overlay::default())
            .into_iter()
            .filter(|v| v.scenario.is_none())
            .collect();
        assert!(stream.len() >= 12, "the backlog is there");
        for view in &stream {
            let hostile = (view.order.seq + 1) % 3 == 0;
            assert_eq!(
                view.order.recipient.name == generate::HOSTILE_NAME,
                hostile,
                "order {}",
                view.order.seq
            );
            assert_eq!(view.order.memo == generate::HOSTILE_MEMO, hostile);
            let line = &view.order.lines[0];
            assert_eq!(
                line.product_name.ends_with(generate::HOSTILE_PRODUCT),
                hostile
            );
            assert_eq!(
                line.option
                    .iter()
                    .any(|p| p.value == generate::HOSTILE_OPTION),
                hostile
            );
        }
    }

    #[test]
    fn the_state_is_a_function_of_time() {
        let t = timeline(5.0);
        let overlay = Overlay::default();
        let a = serde_json::to_string(&t.snapshot(200_000, &overlay)).expect("json");
        let b = serde_json::to_string(&t.snapshot(200_000, &overlay)).expect("json");
        assert_eq!(a, b);
    }

    #[test]
    fn every_kind_of_scenario_is_scripted() {
        use ScenarioKind::*;
        for kind in [
            CancelBeforeInvoice,
            CancelAfterInvoice,
            ReturnWithPickup,
            ExchangeCase1,
            ExchangeCase2,
            Cafe24ExchangeLineChange,
            KakaoStyleExchangeDelay,
            Withdrawal,
            CancelRefused,
        ] {
            assert!(SCRIPTS.iter().any(|s| s.kind == kind), "{kind:?}");
        }
        for script in SCRIPTS {
            assert!(channel(script.channel).is_some(), "{}", script.name);
            assert!(
                script.steps.windows(2).all(|w| w[0].0 < w[1].0),
                "{}",
                script.name
            );
        }
    }

    #[test]
    fn a_cafe24_exchange_adds_an_item_with_a_new_line_number() {
        let t = timeline(10.0);
        let index = SCRIPTS
            .iter()
            .position(|s| s.kind == ScenarioKind::Cafe24ExchangeLineChange)
            .expect("scripted");
        let end = t.scenario_start(0, index) + t.scaled(200);
        let orders = t.snapshot(end, &Overlay::default());
        let order = orders
            .iter()
            .find(|o| o.scenario == Some(SCRIPTS[index].name))
            .expect("played");
        assert_eq!(order.lines.len(), 2);
        let old = &order.lines[0];
        let new = &order.lines[1];
        assert_ne!(old.line.line_no, new.line.line_no);
        assert_eq!(
            old.claim.as_ref().and_then(|c| c.replaced_by.clone()),
            Some(new.line.line_no.clone())
        );
        assert_ne!(old.line.option, new.line.option);
    }
}
