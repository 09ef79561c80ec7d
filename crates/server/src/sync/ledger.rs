//! The ledger: each store's book in memory, kept equal to the store's event log in the database.
//!
//! A store's [`Book`] is built at its first use by replaying the store's events in seq order,
//! then kept behind a per-store lock. Every change to a store goes through this one path:
//!
//! 1. lock the store;
//! 2. for a keyed operation, answer a key seen before with the stored answer (nothing applied);
//! 3. `Book::decide` (pure, read-only) — or `Book::due` for the automatic rules;
//! 4. refused: answer the refusal (a keyed operation's refusal is stored, so a retry gets the
//!    same answer); accepted: write its events under the next seq numbers **and** the answer in
//!    one database transaction (SQLite or PostgreSQL);
//! 5. only after the commit, apply the events to the book in memory.
//!
//! So an answered operation is on disk (a crash loses nothing acknowledged), a retry applies
//! nothing twice, and the book is always the fold of what is committed. Applying an event the
//! engine itself decided cannot fail unless the engine has a bug; if it does, the ledger logs it
//! and rebuilds the book from the database.
//!
//! Each write runs on its own task, so a client hanging up mid-request cannot leave a committed
//! event unapplied; if a task dies half-way anyway, the store's book is dropped and rebuilt from
//! the database at its next use.

use super::store::{self, EventRow, OperationRow};
use crate::accounts::StoreId;
use crate::db::{Database, DatabaseError};
use chrono::{DateTime, SecondsFormat, Utc};
use jumun_core::ids::IdBlock;
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::order::Payment;
use jumun_core::stored;
use jumun_core::{Actor, Book, Change, Command, Ctx, Event, Refusal};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex as AsyncMutex, MutexGuard};

/// The most ids one reservation hands out.
pub const MAX_ID_BLOCK: u64 = 10_000;

pub use jumun_protocol::sync::{ChangesPage, OpResult, PulledEvent};

/// The answer for a refusal: its kind as [`refusal_code`], its message and its Korean text.
pub fn refused(refusal: Refusal) -> OpResult {
    OpResult::Refused {
        code: refusal_code(&refusal),
        message: refusal.to_string(),
        korean: refusal.korean(),
        refusal,
    }
}

/// A stored answer as it is sent again: one stored before answers had `korean` gets it now (the
/// browser shows it).
fn restored_answer(result: OpResult) -> OpResult {
    match result {
        OpResult::Refused {
            refusal,
            code,
            message,
            korean,
        } if korean.is_empty() => OpResult::Refused {
            korean: refusal.korean(),
            refusal,
            code,
            message,
        },
        other => other,
    }
}

/// A refusal's kind in snake case (`Refusal::OnHold { .. }` → `on_hold`).
pub fn refusal_code(refusal: &Refusal) -> String {
    let name = match serde_json::to_value(refusal) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    if name.is_empty() {
        return "refused".to_owned();
    }
    let mut code = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                code.push('_');
            }
            code.push(c.to_ascii_lowercase());
        } else {
            code.push(c);
        }
    }
    code
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Accepted with its seq range, or refused with the reason.
    pub result: OpResult,
    /// The events written by this call (empty when refused or repeated).
    pub events: Vec<Event>,
    /// The key was seen before: `result` is the stored answer and nothing was applied.
    pub repeated: bool,
}

impl Outcome {
    /// Whether the operation was accepted (now or before).
    pub fn is_accepted(&self) -> bool {
        matches!(self.result, OpResult::Accepted { .. })
    }
}

/// Why the ledger could not do what was asked. Refusals are not errors: they are answers
/// ([`OpResult::Refused`]).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The database failed; nothing of the failed write was applied.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The store's event log does not replay into a book.
    #[error(
        "store {store}'s book cannot be rebuilt: event {seq} {reason}; the store's writes are \
         stopped until this is fixed — restore the data directory from a backup or report this \
         with the server log"
    )]
    Replay {
        /// The store.
        store: i64,
        /// The event that failed.
        seq: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// An event or an answer could not be turned into JSON (an engine bug).
    #[error("cannot encode an event or answer as JSON: {0}; report this with the server log")]
    Encode(#[source] serde_json::Error),
    /// A stored row is not readable JSON.
    #[error(
        "store {store}: the stored {what} is not readable ({reason}); the database was changed \
         outside the server — restore a backup or report this"
    )]
    Corrupt {
        /// The store.
        store: i64,
        /// Which row.
        what: String,
        /// The parse error.
        reason: String,
    },
    /// An id reservation of a size outside `1..=MAX_ID_BLOCK`.
    #[error("count: an id block holds 1 to {MAX_ID_BLOCK} ids, not {0}; ask for several blocks")]
    BadIdCount(u64),
    /// The task running the write failed.
    #[error("the ledger worker failed: {0}; the store's book is rebuilt at its next use")]
    Worker(String),
}

/// Each store's book and the only way to change it. Cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    stores: std::sync::Mutex<HashMap<i64, Arc<AsyncMutex<Slot>>>>,
}

/// A store's book, when built.
#[derive(Default)]
struct Slot {
    loaded: Option<Loaded>,
}

/// One operation of [`Ledger::execute_batch`]: the command, its context (who, when) and its
/// idempotency key.
pub type BatchOp = (Command, Ctx, Option<String>);

/// A batch under way: the book with the batch's events applied so far (out of its slot), the
/// writes not yet committed, and what the book holds that the database does not.
#[derive(Default)]
struct Batch {
    loaded: Option<Loaded>,
    writes: Vec<store::Write>,
    /// The book holds events that are not committed yet.
    dirty: bool,
    /// An event did not apply (an engine bug): the book must be rebuilt after the commit.
    broken: bool,
}

/// A built book and the seq of the last event folded into it.
struct Loaded {
    book: Book,
    head: u64,
}

/// An RFC 3339 UTC time with milliseconds, as the database keeps times.
fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Events as the `events` table keeps them.
fn event_rows(events: &[Event]) -> Result<Vec<EventRow>, LedgerError> {
    events
        .iter()
        .map(|event| {
            Ok(EventRow {
                at: time_text(event.at),
                actor: actor_text(&event.actor),
                json: stored::encode_event(event).map_err(LedgerError::Encode)?,
            })
        })
        .collect()
}

/// An actor as the `events.actor` column keeps it.
fn actor_text(actor: &Actor) -> String {
    match actor {
        Actor::Operator(login) => format!("operator:{login}"),
        Actor::Sync(marketplace) => format!("sync:{}", marketplace.as_str()),
        Actor::Automatic => "automatic".to_owned(),
    }
}

impl Ledger {
    /// A ledger over `db`. Books are built lazily, at each store's first use.
    pub fn new(db: Database) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                stores: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    fn db(&self) -> &Database {
        &self.inner.db
    }

    /// The store's slot (created empty on first use).
    fn slot(&self, store: i64) -> Arc<AsyncMutex<Slot>> {
        // The map only ever gains entries; a panic elsewhere cannot leave it half-changed.
        let mut stores = self
            .inner
            .stores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(stores.entry(store).or_default())
    }

    /// Applies an operator's (or anyone's) command to the store: decided by `jumun-core`,
    /// written with its answer in one transaction, then applied in memory.
    ///
    /// With `op_key`, a key seen before in this store returns the stored answer and applies
    /// nothing (`repeated`), and a refusal is stored too, so every retry answers the same.
    /// Without a key nothing is stored for a refusal.
    pub async fn execute(
        &self,
        store: StoreId,
        command: Command,
        ctx: Ctx,
        op_key: Option<String>,
    ) -> Result<Outcome, LedgerError> {
        let ledger = self.clone();
        // On its own task: a caller that goes away cannot stop it between commit and apply.
        tokio::spawn(async move { ledger.execute_now(store.0, command, ctx, op_key).await })
            .await
            .map_err(|err| LedgerError::Worker(err.to_string()))?
    }

    /// Applies several commands to the store in order, as [`execute`](Self::execute) would one
    /// by one — each decided against the book with the effects of the earlier ones, a keyed one
    /// answered from its key when seen before (also earlier in the same batch), a keyed refusal
    /// stored — but commits all their events and answers in **one** database transaction (a group
    /// commit: one fsync for the whole batch). Answers come back in order, only after that
    /// commit.
    ///
    /// All or nothing: when the batch fails (the commit, or an answer that cannot be encoded),
    /// nothing of it is answered, nothing of it is kept unless an engine bug forced an earlier
    /// part to be committed, and the store's book is rebuilt from the database at its next use.
    /// A keyed operation may be sent again: its key answers it if it was kept.
    pub async fn execute_batch(
        &self,
        store: StoreId,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Outcome>, LedgerError> {
        let ledger = self.clone();
        // On its own task: a caller that goes away cannot stop it between commit and check-in.
        tokio::spawn(async move { ledger.execute_batch_now(store.0, ops).await })
            .await
            .map_err(|err| LedgerError::Worker(err.to_string()))?
    }

    /// Applies a fact collected from a marketplace (orders, claims, cancels) as that
    /// marketplace's sync (`Actor::Sync`), at `now`. Marketplace facts win: they are applied
    /// as soon as collected, and an operator's later command that no longer fits (for example
    /// shipping a line the marketplace cancelled) is refused.
    pub async fn execute_marketplace(
        &self,
        store: StoreId,
        marketplace: &MarketplaceCode,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Outcome, LedgerError> {
        self.execute(store, command, Ctx::sync(marketplace, now), None)
            .await
    }

    /// Runs the automatic rules due at `now` (`Book::due`: purchase confirmation, payment
    /// deadlines, late Kakao Style exchanges) as `Actor::Automatic`. Reserves ids from the
    /// store's sequence only when a rule needs some. Accepted with 0 events when nothing is
    /// due (nothing is written then).
    pub async fn tick(&self, store: StoreId, now: DateTime<Utc>) -> Result<Outcome, LedgerError> {
        let ledger = self.clone();
        tokio::spawn(async move { ledger.tick_now(store.0, now).await })
            .await
            .map_err(|err| LedgerError::Worker(err.to_string()))?
    }

    /// Reserves `count` (1 to [`MAX_ID_BLOCK`]) fresh numbers from the store's id sequence —
    /// the one sequence browsers (`POST /api/ids`) and the server's own sync draw from, so ids
    /// never collide. Durable before it returns.
    pub async fn reserve_ids(&self, store: StoreId, count: u64) -> Result<IdBlock, LedgerError> {
        if !(1..=MAX_ID_BLOCK).contains(&count) {
            return Err(LedgerError::BadIdCount(count));
        }
        let store = store.0;
        let start = self
            .db()
            .with(move |conn| Ok(store::reserve_ids(conn, store, count)?))
            .await?;
        Ok(IdBlock::new(start, count))
    }

    /// Reads the store's book (built first if needed), e.g. for the collector to ask whether an
    /// order number is in already. Writes wait while `read` runs; keep it short.
    pub async fn read<T>(
        &self,
        store: StoreId,
        read: impl FnOnce(&Book) -> T,
    ) -> Result<T, LedgerError> {
        let slot = self.slot(store.0);
        let mut slot = slot.lock().await;
        let loaded = self.checkout(store.0, &mut slot).await?;
        let answer = read(&loaded.book);
        slot.loaded = Some(loaded);
        Ok(answer)
    }

    /// Up to `limit` of the store's events after seq `since`, from the database.
    pub async fn changes(
        &self,
        store: StoreId,
        since: u64,
        limit: usize,
    ) -> Result<ChangesPage, LedgerError> {
        let store = store.0;
        // From a read-only connection: a pull never waits for a write's commit.
        let (rows, more, head) = self
            .db()
            .read(move |conn| Ok(store::changes(conn, store, since, limit)?))
            .await?;
        let next = rows.last().map_or(since, |row| row.seq);
        let events = rows
            .into_iter()
            .map(|row| {
                let event =
                    stored::decode_event(&row.json).map_err(|err| LedgerError::Corrupt {
                        store,
                        what: format!("event {}", row.seq),
                        reason: err.to_string(),
                    })?;
                Ok(PulledEvent {
                    seq: row.seq,
                    event,
                    key: row.op_key,
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        Ok(ChangesPage {
            events,
            next,
            more,
            head,
        })
    }

    /// Takes the store's book out of its slot, building it first if needed. While it is out,
    /// the slot is empty: if the holder fails before putting it back, the next user rebuilds it
    /// from the database instead of trusting a book that may not match it.
    async fn checkout(
        &self,
        store: i64,
        slot: &mut MutexGuard<'_, Slot>,
    ) -> Result<Loaded, LedgerError> {
        match slot.loaded.take() {
            Some(loaded) => Ok(loaded),
            None => self.load(store).await,
        }
    }

    /// Builds the store's book by replaying its events in seq order.
    async fn load(&self, store: i64) -> Result<Loaded, LedgerError> {
        let started = std::time::Instant::now();
        let replayed = self
            .db()
            .with(move |conn| {
                let mut book = Book::new();
                let mut head = 0u64;
                let walked = store::for_each_event(conn, store, |seq, json| {
                    if seq != head + 1 {
                        return Err((seq, format!("follows event {head}: the log has a gap")));
                    }
                    let event: Event = stored::decode_event(json)
                        .map_err(|err| (seq, format!("is not a readable event ({err})")))?;
                    book.apply(&event)
                        .map_err(|err| (seq, format!("does not apply: {err}")))?;
                    head = seq;
                    Ok(())
                })?;
                Ok(walked.map(|()| Loaded { book, head }))
            })
            .await?;
        match replayed {
            Ok(loaded) => {
                tracing::info!(
                    store,
                    events = loaded.head,
                    millis = started.elapsed().as_millis() as u64,
                    "built the store's book from its events"
                );
                Ok(loaded)
            }
            Err((seq, reason)) => {
                let err = LedgerError::Replay { store, seq, reason };
                tracing::error!(error = %err, "cannot build a store's book");
                Err(err)
            }
        }
    }

    async fn execute_now(
        &self,
        store: i64,
        command: Command,
        ctx: Ctx,
        op_key: Option<String>,
    ) -> Result<Outcome, LedgerError> {
        self.execute_batch_now(store, vec![(command, ctx, op_key)])
            .await?
            .pop()
            .ok_or_else(|| LedgerError::Worker("a batch of one gave no answer".to_owned()))
    }

    async fn execute_batch_now(
        &self,
        store: i64,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Outcome>, LedgerError> {
        let slot = self.slot(store);
        let mut slot = slot.lock().await;
        let mut batch = Batch::default();
        let ran = self.run_batch(store, &mut slot, ops, &mut batch).await;
        match ran {
            Ok(outcomes) => {
                // Everything in the book is committed now.
                if let Some(loaded) = batch.loaded.take() {
                    slot.loaded = Some(loaded);
                }
                Ok(outcomes)
            }
            Err(err) => {
                if batch.dirty {
                    // The book holds events the database does not: drop it, so the next use
                    // rebuilds it from what is committed.
                    tracing::warn!(
                        store,
                        error = %err,
                        "a batch failed before its commit; nothing of it was answered and the \
                         store's book is rebuilt from the database"
                    );
                } else if let Some(loaded) = batch.loaded.take() {
                    slot.loaded = Some(loaded);
                }
                Err(err)
            }
        }
    }

    /// Decides and applies the batch's operations in order, then commits their writes in one
    /// transaction. The book lives in `batch` meanwhile (the slot is empty, so a failure that
    /// skips the check-in leaves the store to be rebuilt at its next use).
    async fn run_batch(
        &self,
        store: i64,
        slot: &mut MutexGuard<'_, Slot>,
        ops: Vec<BatchOp>,
        batch: &mut Batch,
    ) -> Result<Vec<Outcome>, LedgerError> {
        // Keys answered before, read at once: the store's lock is held, so no other write can
        // answer one of them meanwhile.
        let keys: Vec<String> = ops.iter().filter_map(|(_, _, key)| key.clone()).collect();
        let mut answered: HashMap<String, OpResult> = HashMap::new();
        if !keys.is_empty() {
            let lookup = keys.clone();
            let stored = self
                .db()
                .with(move |conn| Ok(store::operations(conn, store, &lookup)?))
                .await?;
            for (key, json) in keys.into_iter().zip(stored) {
                if let Some(json) = json {
                    let result =
                        serde_json::from_str(&json).map_err(|err| LedgerError::Corrupt {
                            store,
                            what: format!("answer to operation {key:?}"),
                            reason: err.to_string(),
                        })?;
                    answered.insert(key, restored_answer(result));
                }
            }
        }
        let received_at = time_text(Utc::now());
        let mut outcomes = Vec::with_capacity(ops.len());
        for (command, ctx, op_key) in ops {
            if let Some(result) = op_key.as_ref().and_then(|key| answered.get(key)) {
                outcomes.push(Outcome {
                    result: result.clone(),
                    events: Vec::new(),
                    repeated: true,
                });
                continue;
            }
            if batch.broken {
                // Commit what the broken book decided (as a single write would have), then go
                // on with a book rebuilt from the database.
                self.flush(store, batch).await?;
                batch.loaded = None;
                batch.broken = false;
            }
            let loaded = match &mut batch.loaded {
                Some(loaded) => loaded,
                None => batch.loaded.insert(self.checkout(store, slot).await?),
            };
            let (result, events) = match loaded.book.decide(&command, &ctx) {
                Err(refusal) => (refused(refusal), Vec::new()),
                Ok(changes) => {
                    let events: Vec<Event> = changes
                        .into_iter()
                        .map(|change| Event {
                            at: ctx.now,
                            actor: ctx.actor.clone(),
                            change,
                        })
                        .collect();
                    let count = events.len() as u64;
                    let result = OpResult::Accepted {
                        seq_from: loaded.head + 1,
                        seq_to: loaded.head + count,
                        events: count,
                    };
                    (result, events)
                }
            };
            let rows = event_rows(&events)?;
            let operation = match &op_key {
                Some(key) => Some(OperationRow {
                    key: key.clone(),
                    received_at: received_at.clone(),
                    response_json: serde_json::to_string(&result).map_err(LedgerError::Encode)?,
                }),
                None => None,
            };
            let first_seq = loaded.head + 1;
            if !rows.is_empty() || operation.is_some() {
                batch.writes.push(store::Write {
                    first_seq,
                    events: rows,
                    operation,
                });
            }
            // Applied now so the next operation of the batch sees it; answered only after the
            // commit below.
            if !events.is_empty() {
                batch.dirty = true;
                loaded.head += events.len() as u64;
            }
            for (seq, event) in (first_seq..).zip(&events) {
                if let Err(err) = loaded.book.apply(event) {
                    tracing::error!(
                        store,
                        seq,
                        error = %err,
                        "ENGINE BUG: an event jumun-core decided does not apply to the book it \
                         was decided on; it is stored, and the book is rebuilt from the database"
                    );
                    batch.broken = true;
                    break;
                }
            }
            if let Some(key) = op_key {
                answered.insert(key, result.clone());
            }
            outcomes.push(Outcome {
                result,
                events,
                repeated: false,
            });
        }
        self.flush(store, batch).await?;
        if batch.broken {
            batch.loaded = None;
            batch.broken = false;
            match self.load(store).await {
                Ok(rebuilt) => batch.loaded = Some(rebuilt),
                Err(err) => tracing::error!(
                    store,
                    error = %err,
                    "the store's book could not be rebuilt; it is retried at its next use"
                ),
            }
        }
        Ok(outcomes)
    }

    /// Commits the batch's pending writes in one transaction.
    async fn flush(&self, store: i64, batch: &mut Batch) -> Result<(), LedgerError> {
        let writes = std::mem::take(&mut batch.writes);
        if !writes.is_empty() {
            self.db()
                .with(move |conn| Ok(store::append_all(conn, store, &writes)?))
                .await?;
        }
        batch.dirty = false;
        Ok(())
    }

    async fn tick_now(&self, store: i64, now: DateTime<Utc>) -> Result<Outcome, LedgerError> {
        let slot = self.slot(store);
        let mut slot = slot.lock().await;
        let mut loaded = self.checkout(store, &mut slot).await?;
        let written = match loaded.book.due(now, IdBlock::new(0, 0)) {
            // A deadline cancel needs claim ids: at most one per bank-transfer order.
            Err(Refusal::IdBlockUsedUp) => {
                let needed = loaded
                    .book
                    .orders
                    .values()
                    .filter(|order| matches!(order.payment, Payment::BankTransfer { .. }))
                    .count()
                    .clamp(1, MAX_ID_BLOCK as usize) as u64;
                match self.reserve_ids(StoreId(store), needed).await {
                    Ok(ids) => {
                        let decided = loaded.book.due(now, ids);
                        self.commit(store, &mut loaded, &Ctx::automatic(now), decided, None)
                            .await
                    }
                    Err(err) => Err(err),
                }
            }
            decided => {
                self.commit(store, &mut loaded, &Ctx::automatic(now), decided, None)
                    .await
            }
        };
        self.checkin(store, &mut slot, loaded, written).await
    }

    /// Puts the book back after a write. After a failed write the book is put back only when
    /// the database certainly did not change; after an event that would not apply it is
    /// rebuilt from the database.
    async fn checkin(
        &self,
        store: i64,
        slot: &mut MutexGuard<'_, Slot>,
        loaded: Loaded,
        written: Result<(Outcome, bool), LedgerError>,
    ) -> Result<Outcome, LedgerError> {
        match written {
            Ok((outcome, true)) => {
                slot.loaded = Some(loaded);
                Ok(outcome)
            }
            Ok((outcome, false)) => {
                drop(loaded);
                match self.load(store).await {
                    Ok(rebuilt) => slot.loaded = Some(rebuilt),
                    Err(err) => tracing::error!(
                        store,
                        error = %err,
                        "the store's book could not be rebuilt; it is retried at its next use"
                    ),
                }
                Ok(outcome)
            }
            Err(err @ (LedgerError::Encode(_) | LedgerError::BadIdCount(_))) => {
                // Failed before touching the database.
                slot.loaded = Some(loaded);
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    /// Writes a decision: a refusal (stored for a keyed operation) or the events with the
    /// answer in one transaction, then applies the events. The flag says whether the book still
    /// matches the database.
    async fn commit(
        &self,
        store: i64,
        loaded: &mut Loaded,
        ctx: &Ctx,
        decided: Result<Vec<Change>, Refusal>,
        op_key: Option<String>,
    ) -> Result<(Outcome, bool), LedgerError> {
        let received_at = time_text(Utc::now());
        let changes = match decided {
            Ok(changes) => changes,
            Err(refusal) => {
                let result = refused(refusal);
                if let Some(key) = op_key {
                    let operation = OperationRow {
                        key,
                        received_at,
                        response_json: serde_json::to_string(&result)
                            .map_err(LedgerError::Encode)?,
                    };
                    self.db()
                        .with(move |conn| Ok(store::append(conn, store, 1, &[], Some(&operation))?))
                        .await?;
                }
                let outcome = Outcome {
                    result,
                    events: Vec::new(),
                    repeated: false,
                };
                return Ok((outcome, true));
            }
        };
        let events: Vec<Event> = changes
            .into_iter()
            .map(|change| Event {
                at: ctx.now,
                actor: ctx.actor.clone(),
                change,
            })
            .collect();
        let count = events.len() as u64;
        let seq_from = loaded.head + 1;
        let result = OpResult::Accepted {
            seq_from,
            seq_to: loaded.head + count,
            events: count,
        };
        let rows = event_rows(&events)?;
        let operation = match op_key {
            Some(key) => Some(OperationRow {
                key,
                received_at,
                response_json: serde_json::to_string(&result).map_err(LedgerError::Encode)?,
            }),
            None => None,
        };
        if !rows.is_empty() || operation.is_some() {
            self.db()
                .with(move |conn| {
                    Ok(store::append(
                        conn,
                        store,
                        seq_from,
                        &rows,
                        operation.as_ref(),
                    )?)
                })
                .await?;
        }
        // Committed: now, and only now, the book moves.
        loaded.head += count;
        for (seq, event) in (seq_from..).zip(&events) {
            if let Err(err) = loaded.book.apply(event) {
                tracing::error!(
                    store,
                    seq,
                    error = %err,
                    "ENGINE BUG: an event jumun-core decided does not apply to the book it was \
                     decided on; it is stored, and the book is rebuilt from the database"
                );
                let outcome = Outcome {
                    result,
                    events,
                    repeated: false,
                };
                return Ok((outcome, false));
            }
        }
        let outcome = Outcome {
            result,
            events,
            repeated: false,
        };
        Ok((outcome, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Param;
    use jumun_core::ids::{LineId, OrderId};
    use jumun_core::marketplace::MarketplaceKeys;
    use jumun_core::money::Won;
    use jumun_core::order::{DeliveryInfo, NewLine, NewOrder};

    const STORE: StoreId = StoreId(1);

    async fn ledger(dir: &std::path::Path) -> (Ledger, Database) {
        let db = crate::db::testing::open(dir, "2026-11-24T00:00:00Z").unwrap();
        db.with(|conn| {
            conn.execute(
                "INSERT INTO stores (id, code, name, created_at)
                 VALUES (1, 'one', '하나', '2026-11-24T00:00:00.000Z')",
                &[],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        (Ledger::new(db.clone()), db)
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::hours(hours)
    }

    fn order(id: u64, payment: Payment) -> Command {
        let order_no = format!("N{id}");
        Command::CreateSellerOrder(NewOrder {
            id: OrderId(id),
            marketplace: MarketplaceCode::from("smartstore"),
            order_no: order_no.clone(),
            ordered_at: at(0),
            payment,
            paid_at: None,
            delivery: DeliveryInfo {
                recipient_name: "홍길순".into(),
                address: "서울".into(),
                ..DeliveryInfo::default()
            },
            lines: vec![NewLine {
                id: LineId(id + 1),
                keys: MarketplaceKeys {
                    order_no,
                    line_no: Some("1".into()),
                    ..MarketplaceKeys::default()
                },
                product_name: "양말".into(),
                option: "흰색".into(),
                quantity: 1,
                unit_price: Won(3_000),
                option_price: Won::ZERO,
            }],
            no_bundle: false,
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tick_cancels_an_unpaid_transfer_with_an_id_from_the_store_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, _db) = ledger(dir.path()).await;
        let ids = ledger.reserve_ids(STORE, 2).await.unwrap();
        let payment = Payment::BankTransfer { deadline: at(72) };
        let created = ledger
            .execute(
                STORE,
                order(ids.next, payment),
                Ctx::operator("kim", at(0)),
                None,
            )
            .await
            .unwrap();
        assert!(created.is_accepted(), "{created:?}");

        let early = ledger.tick(STORE, at(24)).await.unwrap();
        assert_eq!(early.events, vec![], "nothing due yet");
        let due = ledger.tick(STORE, at(73)).await.unwrap();
        let claim = due
            .events
            .iter()
            .find_map(|e| match &e.change {
                Change::ClaimOpened(claim) => Some(claim.id.0),
                _ => None,
            })
            .expect("a deadline cancel");
        assert!(claim >= ids.end, "the claim id comes from a fresh block");
        assert!(due.events.iter().all(|e| e.actor == Actor::Automatic));
        assert_eq!(ledger.tick(STORE, at(74)).await.unwrap().events, vec![]);
        let page = ledger.changes(STORE, 0, 100).await.unwrap();
        assert_eq!(page.head, 1 + due.events.len() as u64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_log_that_does_not_replay_is_reported_with_its_event_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (ledger, _db) = ledger(dir.path()).await;
            for (id, hours) in [(10, 0), (20, 1)] {
                let done = ledger
                    .execute(
                        STORE,
                        order(id, Payment::Paid),
                        Ctx::operator("kim", at(hours)),
                        None,
                    )
                    .await
                    .unwrap();
                assert!(done.is_accepted());
            }
        }
        let db = crate::db::testing::open(dir.path(), "2026-11-24T00:00:00Z").unwrap();
        db.with(|conn| {
            conn.execute(
                "UPDATE events SET event_json = '{\"not\": \"an event\"}' WHERE seq = 2",
                &[],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let ledger = Ledger::new(db);
        let err = ledger
            .execute(
                STORE,
                order(30, Payment::Paid),
                Ctx::operator("kim", at(2)),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                LedgerError::Replay {
                    store: 1,
                    seq: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("event 2"), "{err}");
        let err = ledger
            .read(STORE, |book| book.orders.len())
            .await
            .unwrap_err();
        assert!(matches!(err, LedgerError::Replay { seq: 2, .. }), "{err:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_log_written_before_stored_versions_replays_into_the_same_book() {
        // Rows of format version 1 (the bare event JSON older builds wrote) beside rows of the
        // current version: the book and the pulled events are the same as if all were current.
        let dir = tempfile::tempdir().unwrap();
        let (before, pulled) = {
            let (ledger, _db) = ledger(dir.path()).await;
            for (id, hours) in [(10, 0), (20, 1), (30, 2)] {
                let done = ledger
                    .execute(
                        STORE,
                        order(id, Payment::Paid),
                        Ctx::operator("kim", at(hours)),
                        None,
                    )
                    .await
                    .unwrap();
                assert!(done.is_accepted());
            }
            let memo = ledger
                .execute(STORE, memo(20), Ctx::operator("kim", at(3)), None)
                .await
                .unwrap();
            assert!(memo.is_accepted());
            let book = ledger.read(STORE, |book| book.clone()).await.unwrap();
            (book, ledger.changes(STORE, 0, 100).await.unwrap().events)
        };
        let db = crate::db::testing::open(dir.path(), "2026-11-24T00:00:00Z").unwrap();
        let rewritten = db
            .with(|conn| {
                let rows = conn.query_map(
                    "SELECT seq, event_json FROM events WHERE store_id = 1 ORDER BY seq",
                    &[],
                    |row| Ok((row.get::<i64>(0)?, row.get_str(1)?.to_owned())),
                )?;
                let mut rewritten = 0;
                for (seq, json) in rows.into_iter().filter(|(seq, _)| seq % 2 == 1) {
                    assert!(
                        json.starts_with(r#"{"v":2,"event":"#),
                        "written versioned: {json}"
                    );
                    let event = stored::decode_event(&json).unwrap();
                    let bare = serde_json::to_string(&event).unwrap();
                    conn.execute(
                        "UPDATE events SET event_json = ?1 WHERE store_id = 1 AND seq = ?2",
                        &[Param::Text(&bare), Param::Int(seq)],
                    )?;
                    rewritten += 1;
                }
                Ok(rewritten)
            })
            .await
            .unwrap();
        assert!(rewritten >= 2, "some rows are in the old format");
        let ledger = Ledger::new(db);
        let after = ledger.read(STORE, |book| book.clone()).await.unwrap();
        assert_eq!(after, before);
        let pulled_again = ledger.changes(STORE, 0, 100).await.unwrap().events;
        assert_eq!(pulled_again, pulled);
    }

    fn memo(order: u64) -> Command {
        Command::AddMemo {
            order: OrderId(order),
            text: "포장 주의".into(),
            kind: jumun_core::order::MemoKind::Order,
        }
    }

    async fn count(db: &Database, table: &'static str) -> i64 {
        db.with(move |conn| {
            Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), &[], |r| r.get(0))?)
        })
        .await
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_of_hundreds_is_stored_in_chunks_and_a_retry_finds_every_answer() {
        // 300 keyed orders and 300 keyed memos: more rows than one multi-row statement holds
        // (events and answers go in chunks of at most 128), and a lookup of 600 keys.
        let dir = tempfile::tempdir().unwrap();
        let (ledger, db) = ledger(dir.path()).await;
        let kim = |hours| Ctx::operator("kim", at(hours));
        let mut ops = Vec::new();
        for n in 0..300u64 {
            let id = 10 + 2 * n;
            ops.push((
                order(id, Payment::Paid),
                kim(0),
                Some(format!("order-{id}")),
            ));
            ops.push((memo(id), kim(1), Some(format!("memo-{id}"))));
        }
        let outcomes = ledger.execute_batch(STORE, ops.clone()).await.unwrap();
        assert_eq!(outcomes.len(), 600);
        for (i, outcome) in outcomes.iter().enumerate() {
            assert!(
                matches!(outcome.result, OpResult::Accepted { seq_from, seq_to, .. }
                    if seq_from == i as u64 + 1 && seq_to == i as u64 + 1),
                "op {i}: {:?}",
                outcome.result
            );
        }
        assert_eq!(count(&db, "events").await, 600);
        assert_eq!(count(&db, "operations").await, 600);

        // The whole push again, from a fresh ledger (the book rebuilt from the log): every
        // answer is found among the stored ones, in order, and nothing is applied twice.
        let rebuilt = Ledger::new(db.clone());
        let again = rebuilt.execute_batch(STORE, ops).await.unwrap();
        assert!(
            again.iter().all(|o| o.repeated),
            "every key was answered before"
        );
        assert_eq!(
            again.iter().map(|o| o.result.clone()).collect::<Vec<_>>(),
            outcomes
                .iter()
                .map(|o| o.result.clone())
                .collect::<Vec<_>>()
        );
        assert_eq!(count(&db, "events").await, 600);
        assert_eq!(rebuilt.changes(STORE, 0, 1).await.unwrap().head, 600);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_applies_in_order_and_answers_each_key_once() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, db) = ledger(dir.path()).await;
        let kim = |hours| Ctx::operator("kim", at(hours));
        let ops = vec![
            // Refused: order 10 does not exist yet. Keyed, so the refusal is stored.
            (memo(10), kim(0), Some("memo-early".to_owned())),
            (
                order(10, Payment::Paid),
                kim(0),
                Some("order-10".to_owned()),
            ),
            // Sees the order the operation before it created.
            (memo(10), kim(1), Some("memo-late".to_owned())),
            // The same key again in the same batch: the first answer, nothing applied.
            (
                order(10, Payment::Paid),
                kim(1),
                Some("order-10".to_owned()),
            ),
            (order(20, Payment::Paid), kim(1), None),
            // Unkeyed refusal: nothing stored.
            (memo(99), kim(1), None),
        ];
        let outcomes = ledger.execute_batch(STORE, ops.clone()).await.unwrap();
        assert_eq!(outcomes.len(), 6);
        assert!(!outcomes[0].is_accepted(), "{:?}", outcomes[0]);
        let created = OpResult::Accepted {
            seq_from: 1,
            seq_to: 1,
            events: 1,
        };
        assert_eq!(outcomes[1].result, created);
        assert_eq!(outcomes[1].events.len(), 1);
        assert!(
            matches!(outcomes[2].result, OpResult::Accepted { seq_from: 2, .. }),
            "{:?}",
            outcomes[2]
        );
        assert!(outcomes[3].repeated);
        assert_eq!(outcomes[3].result, created);
        assert!(outcomes[3].events.is_empty());
        let OpResult::Accepted { seq_to, .. } = outcomes[2].result else {
            unreachable!()
        };
        assert_eq!(
            outcomes[4].result,
            OpResult::Accepted {
                seq_from: seq_to + 1,
                seq_to: seq_to + 1,
                events: 1
            }
        );
        assert!(!outcomes[5].is_accepted() && !outcomes[5].repeated);
        let head = seq_to + 1;
        assert_eq!(ledger.changes(STORE, 0, 100).await.unwrap().head, head);
        assert_eq!(count(&db, "operations").await, 3, "three distinct keys");
        assert_eq!(
            ledger.read(STORE, |book| book.orders.len()).await.unwrap(),
            2
        );

        // The same batch again: every keyed operation answers from storage, the unkeyed ones
        // are decided again (order 20 exists now, so it is refused).
        let again = ledger.execute_batch(STORE, ops).await.unwrap();
        for i in [0, 1, 2, 3] {
            assert!(again[i].repeated, "{i}: {:?}", again[i]);
            assert_eq!(again[i].result, outcomes[i].result, "{i}");
        }
        assert!(
            !again[4].is_accepted() && !again[4].repeated,
            "{:?}",
            again[4]
        );
        assert_eq!(ledger.changes(STORE, 0, 100).await.unwrap().head, head);

        // A fresh ledger (a restart) rebuilds the same book from what was committed.
        let rebuilt = Ledger::new(db.clone());
        assert_eq!(
            rebuilt.read(STORE, |book| book.orders.len()).await.unwrap(),
            2
        );
        assert!(rebuilt
            .execute_batch(STORE, Vec::new())
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_commit_fails_keeps_nothing_and_the_book_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, db) = ledger(dir.path()).await;
        let kim = |hours| Ctx::operator("kim", at(hours));
        let done = ledger
            .execute(
                STORE,
                order(10, Payment::Paid),
                kim(0),
                Some("first".into()),
            )
            .await
            .unwrap();
        assert!(done.is_accepted());
        // The last operation's answer cannot be stored, so the whole commit fails.
        db.with(|conn| {
            let sql = crate::db::testing::refuse_inserts_sql(
                conn.engine(),
                "boom",
                "operations",
                "NEW.key = 'boom'",
            );
            conn.execute_batch(&sql)?;
            Ok(())
        })
        .await
        .unwrap();
        let ops = vec![
            (
                order(20, Payment::Paid),
                kim(1),
                Some("order-20".to_owned()),
            ),
            (memo(20), kim(1), Some("memo-20".to_owned())),
            (order(30, Payment::Paid), kim(1), Some("boom".to_owned())),
        ];
        let err = ledger.execute_batch(STORE, ops.clone()).await.unwrap_err();
        assert!(matches!(err, LedgerError::Database(_)), "{err:?}");
        assert_eq!(
            count(&db, "events").await,
            1,
            "nothing of the batch was kept"
        );
        assert_eq!(count(&db, "operations").await, 1);
        // The book does not hold the batch's orders: it was rebuilt from the database.
        assert_eq!(
            ledger.read(STORE, |book| book.orders.len()).await.unwrap(),
            1
        );
        assert_eq!(ledger.changes(STORE, 0, 100).await.unwrap().head, 1);

        db.with(|conn| {
            let sql = crate::db::testing::allow_inserts_sql(conn.engine(), "boom", "operations");
            conn.execute_batch(&sql)?;
            Ok(())
        })
        .await
        .unwrap();
        let outcomes = ledger.execute_batch(STORE, ops).await.unwrap();
        assert!(
            outcomes.iter().all(|o| o.is_accepted() && !o.repeated),
            "{outcomes:?}"
        );
        assert!(matches!(
            outcomes[0].result,
            OpResult::Accepted { seq_from: 2, .. }
        ));
        assert_eq!(
            ledger.read(STORE, |book| book.orders.len()).await.unwrap(),
            3
        );
        assert_eq!(count(&db, "operations").await, 4);
    }

    #[test]
    fn refusal_codes_are_snake_case_variant_names() {
        assert_eq!(refusal_code(&Refusal::NothingSelected), "nothing_selected");
        assert_eq!(
            refusal_code(&Refusal::AllCancelled(jumun_core::ids::OrderId(3))),
            "all_cancelled"
        );
        assert_eq!(refusal_code(&Refusal::IdBlockUsedUp), "id_block_used_up");
    }

    #[test]
    fn a_refusal_stored_before_answers_had_korean_is_sent_with_it() {
        let stored = r#"{"status":"refused","refusal":"NothingSelected",
                         "code":"nothing_selected","message":"nothing selected"}"#;
        let result = restored_answer(serde_json::from_str(stored).unwrap());
        assert_eq!(
            result,
            OpResult::Refused {
                refusal: Refusal::NothingSelected,
                code: "nothing_selected".into(),
                message: "nothing selected".into(),
                korean: Refusal::NothingSelected.korean(),
            }
        );
        assert_eq!(
            restored_answer(refused(Refusal::NothingSelected)),
            refused(Refusal::NothingSelected)
        );
    }

    #[test]
    fn answers_round_trip_through_their_stored_json() {
        let refused = refused(Refusal::NothingSelected);
        let json = serde_json::to_string(&refused).unwrap();
        assert!(json.contains(r#""status":"refused""#), "{json}");
        assert_eq!(serde_json::from_str::<OpResult>(&json).unwrap(), refused);
        let accepted = OpResult::Accepted {
            seq_from: 4,
            seq_to: 6,
            events: 3,
        };
        let json = serde_json::to_string(&accepted).unwrap();
        assert_eq!(
            json,
            r#"{"status":"accepted","seq_from":4,"seq_to":6,"events":3}"#
        );
    }
}
