//! The sync client: pushes the outbox, pulls the server's log, keeps id blocks, and says where it
//! stands.
//!
//! One cycle: refill the id blocks (a spare block is kept so offline work can create claims and
//! orders), push the outbox in order (at most [`PUSH_BATCH`] per request, each with its
//! idempotency key), then pull from the cursor in pages of [`PULL_PAGE`] until the server has
//! nothing more. Push answers: accepted → removed from the outbox; refused or invalid → its local
//! effect undone (the pieces it touched rebuilt from the log without it) and a notice kept on its
//! orders. A network failure leaves everything as it was: the next cycle (after a backoff) sends
//! the same operations with the same keys, and the server answers a key it has seen with its
//! first answer, so an answer lost in transit is applied once. Pulled events of this browser's
//! own operations replace their local events and are not applied again.
//!
//! Online state: decided by the requests themselves, not by `navigator.onLine`. That flag is
//! wrong both ways: it says online behind a captive portal or on a Wi-Fi with no way out (the
//! warehouse's), and says offline on some systems and VPNs and in headless browsers while the
//! server answers fine. So whenever someone is signed in the loop tries a cycle on its schedule
//! whatever the browser claims, and the cycle's outcome sets the chip: a request that fails on
//! the network, times out ([`http::TIMEOUT_MS`]) or gets a gateway's 502–504 → offline; the
//! server answering → online. The browser's hints are still used where they help: an `online`
//! event starts a cycle at once (fast reconnect, the backoff forgotten), an `offline` event shows
//! the chip offline at once but keeps the schedule, and `navigator.onLine` is the chip's state
//! before the first request (and while nobody is signed in, when there is nothing to try). After
//! a failed cycle the next one waits a backoff ([`MIN_BACKOFF_MS`], doubling to at most
//! [`MAX_BACKOFF_MS`]); new local work during a backoff only updates the pending count, so a
//! browser with no network does not hammer. Nothing here ever shows an error page: failures
//! become the [`Status`] the top bar shows.

pub mod http;

use crate::session::Session;
use crate::store::{Notice, ServerEvent, Store, StoreError};
use gloo_events::EventListener;
use gloo_timers::future::TimeoutFuture;
use http::{call, NetError};
use jumun_core::ids::IdBlock;
use jumun_protocol::sync::{
    AnswerOutcome, ChangesPage, ChangesQuery, IdBlockAnswer, PushRequest, PushSummary, ReserveIds,
    MAX_OPS_PER_PUSH,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Events per pull page.
pub const PULL_PAGE: u32 = 500;
/// Operations per push (the server's limit).
pub const PUSH_BATCH: usize = MAX_OPS_PER_PUSH;
/// Ids asked for at a time.
pub const ID_BLOCK: u64 = 1000;
/// Below this many ids left, another block is reserved (the spare).
pub const ID_LOW: u64 = 500;
/// Milliseconds between cycles when nothing asks for one.
const INTERVAL_MS: f64 = 15_000.0;
/// The first wait after a failed cycle; it doubles with each failure in a row.
pub const MIN_BACKOFF_MS: f64 = 2_000.0;
/// The longest wait between tries after failures.
pub const MAX_BACKOFF_MS: f64 = 60_000.0;
/// How often the loop looks whether a cycle is due.
const TICK_MS: u32 = 250;

/// What the top bar shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The server answered the last request (a network failure → `false`). Before the first
    /// request, and while nobody is signed in, the browser's hint (`navigator.onLine` and its
    /// `online`/`offline` events); an `offline` event also sets it at once.
    pub online: bool,
    /// A cycle is running.
    pub syncing: bool,
    /// A long pull: events folded so far and in all.
    pub progress: Option<(u64, u64)>,
    /// Operations waiting to be sent.
    pub pending: u32,
    /// Someone is signed in.
    pub signed_in: bool,
    /// The server's refusals not dismissed yet.
    pub notices: Vec<Notice>,
    /// A problem the operator should know about (not a network failure).
    pub problem: Option<String>,
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Status {
    /// The status chip's text.
    pub fn chip(&self) -> String {
        if !self.online {
            let mut text = "오프라인 — 작업은 저장되어 연결되면 전송됩니다".to_owned();
            if self.pending > 0 {
                text.push_str(&format!(" (전송 대기 {}건)", self.pending));
            }
            return text;
        }
        if let Some((done, total)) = self.progress {
            return format!("동기화 중 {} / {}", thousands(done), thousands(total));
        }
        if self.syncing {
            return "동기화 중…".to_owned();
        }
        if self.pending > 0 {
            return format!("전송 대기 {}건", self.pending);
        }
        "온라인".to_owned()
    }

    /// The chip's class (`online`, `offline`, `syncing`, `pending`).
    pub fn chip_class(&self) -> &'static str {
        if !self.online {
            "offline"
        } else if self.syncing || self.progress.is_some() {
            "syncing"
        } else if self.pending > 0 {
            "pending"
        } else {
            "online"
        }
    }
}

/// Why a cycle stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// Nobody is signed in.
    #[error("로그인이 필요합니다.")]
    SignedOut,
    /// The network or the server.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The offline store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The server could not be reached: the network failed, or a gateway in front of the
    /// server answered for it (502, 503, 504). The chip says offline and no problem is noted.
    pub fn unreachable(&self) -> bool {
        matches!(
            self,
            SyncError::Net(NetError::Offline)
                | SyncError::Net(NetError::Status {
                    status: 502..=504,
                    ..
                })
        )
    }
}

type Listener = Rc<dyn Fn(&Status)>;

/// The sync of one console (one store, one session).
pub struct Syncer {
    store: Rc<Store>,
    session: RefCell<Option<Session>>,
    status: RefCell<Status>,
    listeners: RefCell<Vec<Listener>>,
    /// New local work asks for a cycle (not before a backoff ends).
    kicked: Cell<bool>,
    /// When the next cycle is due (`Date.now()` milliseconds).
    due: Cell<f64>,
    /// The wait after the last failed cycle (0 after a success).
    backoff: Cell<f64>,
    running: Cell<bool>,
    started: Cell<bool>,
    /// The window's `online` and `offline` listeners, removed when the `Syncer` drops.
    browser_listeners: RefCell<Vec<EventListener>>,
    on_signed_out: RefCell<Option<Rc<dyn Fn()>>>,
}

/// The browser's hint only (see the module doc): the chip's state before the first request.
fn browser_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

impl Syncer {
    /// A sync over `store`, signed out, not started.
    pub fn new(store: Rc<Store>) -> Rc<Self> {
        Rc::new(Self {
            store,
            session: RefCell::new(None),
            status: RefCell::new(Status {
                online: browser_online(),
                ..Status::default()
            }),
            listeners: RefCell::new(Vec::new()),
            kicked: Cell::new(true),
            due: Cell::new(0.0),
            backoff: Cell::new(0.0),
            running: Cell::new(false),
            started: Cell::new(false),
            browser_listeners: RefCell::new(Vec::new()),
            on_signed_out: RefCell::new(None),
        })
    }

    /// Signs in (or out, with `None`); a new session syncs at once.
    pub fn set_session(&self, session: Option<Session>) {
        let signed_in = session.is_some();
        *self.session.borrow_mut() = session;
        self.update(|s| s.signed_in = signed_in);
        self.retry_now();
    }

    /// The signed-in operator's login.
    pub fn login(&self) -> Option<String> {
        self.session.borrow().as_ref().map(|s| s.login.clone())
    }

    fn token(&self) -> Option<String> {
        self.session.borrow().as_ref().map(|s| s.token.clone())
    }

    /// Told of every status change.
    pub fn subscribe(&self, listener: impl Fn(&Status) + 'static) {
        listener(&self.status.borrow());
        self.listeners.borrow_mut().push(Rc::new(listener));
    }

    /// Told when the server no longer accepts the session (401): the outbox is kept.
    pub fn on_signed_out(&self, f: impl Fn() + 'static) {
        *self.on_signed_out.borrow_mut() = Some(Rc::new(f));
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    fn update(&self, change: impl FnOnce(&mut Status)) {
        let status = {
            let mut status = self.status.borrow_mut();
            let before = status.clone();
            change(&mut status);
            if *status == before {
                return;
            }
            status.clone()
        };
        let listeners: Vec<Listener> = self.listeners.borrow().clone();
        for listener in listeners {
            listener(&status);
        }
    }

    /// Asks for a cycle soon (new local work): at the loop's next look, or when the backoff after
    /// a failure ends; the pending count is read at once either way.
    pub fn kick(&self) {
        self.kicked.set(true);
    }

    /// Asks for a cycle at once, backoff or not (a new session, the browser back online).
    fn retry_now(&self) {
        self.backoff.set(0.0);
        self.due.set(0.0);
        self.kicked.set(true);
    }

    /// The browser's `online` (`true`) or `offline` event.
    fn browser_says(&self, online: bool) {
        if online {
            // Signed in, the cycle it starts decides; signed out, nothing else will.
            if self.token().is_none() {
                self.update(|s| s.online = true);
            }
            self.retry_now();
        } else {
            // Shown at once; the schedule stays, and the next request decides again.
            self.update(|s| s.online = false);
        }
    }

    /// Reads the outbox size and the notices into the status.
    pub async fn refresh(&self) {
        let pending = self.store.outbox_len().await.unwrap_or_default();
        let notices = self.store.notices().await.unwrap_or_default();
        self.update(|s| {
            s.pending = pending;
            s.notices = notices;
        });
    }

    /// Starts the background loop and the online/offline listeners (once). The loop ends, and
    /// the listeners are removed, when the last handle on this `Syncer` is dropped.
    pub fn start(self: &Rc<Self>) {
        if self.started.replace(true) {
            return;
        }
        if let Some(window) = web_sys::window() {
            let listeners = [("online", true), ("offline", false)].map(|(name, online)| {
                // Weak: the listeners live in the `Syncer` and must not keep it alive.
                let me = Rc::downgrade(self);
                EventListener::new(&window, name, move |_| {
                    if let Some(me) = me.upgrade() {
                        me.browser_says(online);
                    }
                })
            });
            self.browser_listeners.borrow_mut().extend(listeners);
        }
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(me) = weak.upgrade() {
                me.tick().await;
                drop(me);
                TimeoutFuture::new(TICK_MS).await;
            }
        });
    }

    /// One look of the loop: a cycle when one is due (navigator.onLine is not asked).
    async fn tick(&self) {
        let now = js_sys::Date::now();
        let kicked = self.kicked.replace(false);
        let due = now >= self.due.get();
        if !kicked && !due {
            return;
        }
        self.refresh().await;
        if !due && self.backoff.get() > 0.0 {
            // New work during a backoff: counted above, sent when the backoff ends.
            return;
        }
        self.due.set(now + INTERVAL_MS);
        if self.token().is_none() {
            return;
        }
        match self.cycle().await {
            Ok(()) => self.backoff.set(0.0),
            Err(SyncError::Net(NetError::Unauthorized)) => self.signed_out().await,
            Err(error) => {
                if !error.unreachable() {
                    let message = error.to_string();
                    self.update(|s| s.problem = Some(message));
                }
                let backoff = (self.backoff.get() * 2.0).clamp(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
                self.backoff.set(backoff);
                self.due.set(js_sys::Date::now() + backoff);
            }
        }
        self.refresh().await;
    }

    async fn signed_out(&self) {
        let _ = crate::session::forget(&self.store).await;
        self.set_session(None);
        let told = self.on_signed_out.borrow().clone();
        if let Some(tell) = told {
            tell();
        }
    }

    /// One cycle: ids, push, pull. Marks the status online or offline by how it went: the server
    /// unreachable ([`SyncError::unreachable`]) → offline, any other answer from it (even an
    /// error) → online.
    pub async fn cycle(&self) -> Result<(), SyncError> {
        if self.running.replace(true) {
            return Ok(());
        }
        self.update(|s| s.syncing = true);
        let result = self.cycle_inner().await;
        self.running.set(false);
        let online = match &result {
            Ok(()) => Some(true),
            Err(error) if error.unreachable() => Some(false),
            Err(SyncError::Net(_)) => Some(true),
            // Not about the network: the chip stays as it was.
            Err(SyncError::SignedOut | SyncError::Store(_)) => None,
        };
        self.update(|s| {
            s.syncing = false;
            s.progress = None;
            if let Some(online) = online {
                s.online = online;
            }
            if result.is_ok() {
                s.problem = None;
            }
        });
        result
    }

    async fn cycle_inner(&self) -> Result<(), SyncError> {
        let token = self.token().ok_or(SyncError::SignedOut)?;
        self.refill_ids(&token).await?;
        self.push(&token).await?;
        self.pull(&token).await?;
        Ok(())
    }

    /// Reserves another id block when fewer than [`ID_LOW`] are left.
    pub async fn refill_ids(&self, token: &str) -> Result<(), SyncError> {
        if self.store.ids_left().await? >= ID_LOW {
            return Ok(());
        }
        let answer: IdBlockAnswer = call(
            "POST",
            "/api/ids",
            Some(token),
            Some(&ReserveIds { count: ID_BLOCK }),
        )
        .await?;
        self.store
            .add_id_block(IdBlock::new(answer.start, answer.len))
            .await?;
        Ok(())
    }

    /// Sends the outbox, oldest first, and settles each answer.
    pub async fn push(&self, token: &str) -> Result<(), SyncError> {
        loop {
            let pending = self.store.outbox_pending().await?;
            if pending.is_empty() {
                return Ok(());
            }
            let batch = &pending[..pending.len().min(PUSH_BATCH)];
            let push = PushRequest {
                ops: batch.iter().map(|queued| queued.op.clone()).collect(),
            };
            // Read as summaries: the console shows a refusal's Korean text and never needs
            // the typed refusal (docs/wasm-size.md).
            let answer: PushSummary = call("POST", "/api/ops", Some(token), Some(&push)).await?;
            let answered = answer.results.len();
            let mut accepted = Vec::new();
            for (queued, result) in batch.iter().zip(answer.results) {
                let key = result.key.unwrap_or_else(|| queued.op.key.clone());
                let notice = match result.outcome {
                    AnswerOutcome::Accepted { seq_to } => {
                        accepted.push((key, seq_to));
                        continue;
                    }
                    AnswerOutcome::Refused(korean) => format!("서버가 거부: {korean}"),
                    AnswerOutcome::Invalid(message) => format!("서버가 받지 않음: {message}"),
                };
                self.store
                    .refuse(&key, &notice, crate::commands::now())
                    .await?;
            }
            self.store.accept(&accepted).await?;
            self.refresh().await;
            if answered < batch.len() || batch.len() < PUSH_BATCH {
                return Ok(());
            }
        }
    }

    /// Pulls the server's log from the cursor, page by page, folding each page.
    pub async fn pull(&self, token: &str) -> Result<(), SyncError> {
        let start = self.store.cursor().await?;
        let mut since = start;
        loop {
            let query = ChangesQuery {
                since,
                limit: Some(PULL_PAGE),
            };
            let page: ChangesPage = call("GET", &query.path(), Some(token), http::NO_BODY).await?;
            if page.head < since {
                let message = "서버의 기록이 이 브라우저보다 오래되었습니다(백업 복원 등). \
                               브라우저 데이터를 지우고 다시 로그인하세요."
                    .to_owned();
                self.update(|s| s.problem = Some(message));
                return Ok(());
            }
            if page.head.saturating_sub(start) > u64::from(PULL_PAGE) {
                let progress = (page.next.saturating_sub(start), page.head - start);
                self.update(|s| s.progress = Some(progress));
            }
            let events: Vec<ServerEvent> = page
                .events
                .into_iter()
                .map(|pulled| ServerEvent {
                    seq: pulled.seq,
                    key: pulled.key,
                    event: pulled.event,
                })
                .collect();
            self.store.fold_server_page(&events, page.next).await?;
            if !page.more || page.next <= since {
                return Ok(());
            }
            since = page.next;
        }
    }
}
