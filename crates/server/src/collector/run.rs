//! One collection run of one connection: orders, then claims, then invoice numbers back.
//!
//! 1. **Orders.** For each order of the page the book is asked whether its 주문번호 is known and
//!    which of its lines' keys are in. A new order is collected (`CollectOrder`, ids from the
//!    store's sequence). Lines new under a known 주문번호 are collected as their own order (a
//!    marketplace that splits one order into parcels), except on a marketplace whose exchanges
//!    change the line number (Cafe24, R18): there they are the exchange's replacement lines, and
//!    collecting them would ship the replacement twice — they are skipped with a note for the
//!    operator's manual exchange. Which lines those are is `jumun-core`'s rule
//!    (`MarketplaceProfile::exchange_replacement_lines`, which `CollectOrder` also enforces with
//!    `Refusal::ExchangeLinesOfCollectedOrder`); the run only asks it, to word the note. A known
//!    order moves forward when the marketplace says so
//!    (`jumun_core::marketplace::facts::commands_toward`, R28: paid, delivered, purchase
//!    confirmed); the console never moves an order
//!    backwards and never ships on the marketplace's word (shipping needs the console's invoice).
//!    Lines the marketplace already shipped are collected as preparing, like any new order.
//!    A replacement order the marketplace created for an exchange (CASE2, [`MarketOrder::replaces`])
//!    is collected as an ordinary order (R16); its link to the original line goes into its memo
//!    ([`replacement_memo`], so it shows in the order's history) and the run's notes, for the
//!    operator who processes the original line as a cancel or return. The page's orders the
//!    console now holds are then reported prepared at the marketplace
//!    ([`MarketplaceAdapter::prepare_orders`], R2: Coupang's 상품준비중 처리, before which it
//!    takes no invoice); each shipment the marketplace refuses is a note, and later runs report
//!    it again while the marketplace still lists it unprepared.
//! 2. **Claims.** Cancels whose status word is in the marketplace's table (R25) go into one
//!    `SyncCancels` (matched by the marketplace's key, R26; applied, held or kept, R27);
//!    `jumun_core::cancel_sync::match_cancels` counts them first. Returns, exchanges and cancels
//!    with a word outside the table are collected as claims that hold their lines (R11). A
//!    claim the marketplace withdrew is withdrawn in the console (R12), found by its claim
//!    number (or, without one, by its line). A claim that matches no line is kept in the
//!    malformed payloads with its raw JSON and the reason. Each newly recorded claim is
//!    acknowledged at the marketplace (a cancel only when every line it names was cancelled,
//!    never when it became a hold for the operator, and never for a return or exchange asked after
//!    purchase confirmation, which the console keeps on the order for the operator without
//!    opening a claim, R3); a failed acknowledgement is a note and is
//!    kept, and every later run tries it again before its new claims until the marketplace
//!    takes it (or the claim is withdrawn), after the run's own claims page. The
//!    delay notices and new due date a marketplace reports for an exchange (Kakao Style) are a
//!    note ([`delay_note`]): the seller announces delays from the console (R22).
//! 3. **Invoices (R29).** Orders of this marketplace whose invoice number is pending are sent
//!    back, each with its lines' keys and the shipment number collected with them; a success is
//!    recorded (`RecordInvoiceUpload`), a failure is a note and is retried next run.
//!
//! A stage that fails (the marketplace unreachable, a body that is not the documented envelope,
//! the database) is the run's error; the other stages still run and what succeeded stays. A
//! feed's answer that is not the documented envelope is also kept whole with the malformed
//! payloads (the error quotes only its start). A feed's cursor is saved only after its page's
//! commands are committed.

use super::store::{self, Feed};
use super::{Collector, CollectorError, ConnectionRow, RunRecord, Trigger};
use crate::marketplaces::{
    AdapterError, Collected, Connection, Cursor, InvoiceUpload, MalformedPayload, MarketClaim,
    MarketOrder, MarketplaceAdapter,
};
use crate::sync::{LedgerError, OpResult, Outcome, MAX_ID_BLOCK};
use chrono::{DateTime, Utc};
use jumun_core::cancel_sync::{kept_that_now_apply, match_cancels, CancelRecord, CancelVerdict};
use jumun_core::claim::{ClaimKind, ClaimSource};
use jumun_core::ids::{ClaimId, IdBlock, LineId, OrderId};
use jumun_core::marketplace::{
    facts, CancelStatusMeaning, MarketplaceCode, MarketplaceKeys, MarketplaceProfile,
    MarketplaceTable,
};
use jumun_core::order::{InvoiceUpload as UploadState, LineStatus, MemoKind};
use jumun_core::{Change, Command, Refusal};
use std::sync::Arc;

/// The most invoice numbers one run sends (the rest go next run).
const MAX_INVOICES_PER_RUN: usize = 500;

/// The most kept acknowledgements one run tries again (the rest go next run).
const MAX_ACK_RETRIES_PER_RUN: usize = 200;

/// Names a claim at its marketplace for the kept acknowledgements: its kind and claim number,
/// or its line keys when the marketplace numbers no claims.
fn claim_ref(claim: &MarketClaim) -> String {
    match &claim.claim_no {
        Some(no) => format!("{:?}:{no}", claim.kind),
        None => format!(
            "{:?}:{}",
            claim.kind,
            serde_json::to_string(&claim.keys).unwrap_or_else(|_| claim.keys.order_no.clone())
        ),
    }
}

/// The memo a CASE2 replacement order gets (R16): `교환 주문: 원주문 {주문번호} 상품주문번호
/// {주문상세번호}`.
pub fn replacement_memo(original: &MarketplaceKeys) -> String {
    match original.line_no.as_deref() {
        Some(line) => format!(
            "교환 주문: 원주문 {} 상품주문번호 {line}",
            original.order_no
        ),
        None => format!("교환 주문: 원주문 {}", original.order_no),
    }
}

/// The run note for an exchange whose marketplace reports delay notices or a new due date
/// (Kakao Style 교환배송연기안내); `None` when it reports neither. Informative: the seller
/// announces delays from the console (R22), whose own record decides.
pub fn delay_note(claim: &MarketClaim) -> Option<String> {
    if claim.delay_notices == 0 && claim.exchange_due.is_none() {
        return None;
    }
    let due = claim.exchange_due.map(|due| {
        due.with_timezone(&jumun_core::time::KOREA)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    });
    Some(format!(
        "{} {} claim {} (order {}): the marketplace reports {} delay notice(s){} — \
         informative; announce delays from the console (R22)",
        claim.marketplace,
        claim.kind.korean(),
        claim.claim_no.as_deref().unwrap_or("(no number)"),
        claim.keys.order_no,
        claim.delay_notices,
        due.map(|d| format!(", new due date {d} KST"))
            .unwrap_or_default()
    ))
}

/// Fresh ids drawn from the store's sequence in blocks.
struct IdPool {
    block: IdBlock,
}

impl IdPool {
    fn new() -> Self {
        Self {
            block: IdBlock::new(0, 0),
        }
    }

    async fn take(
        &mut self,
        collector: &Collector,
        row: &ConnectionRow,
        count: u64,
    ) -> Result<Vec<u64>, LedgerError> {
        if self.block.end.saturating_sub(self.block.next) < count {
            let size = count.clamp(64, MAX_ID_BLOCK);
            self.block = collector.ledger().reserve_ids(row.store, size).await?;
        }
        Ok((0..count).filter_map(|_| self.block.take()).collect())
    }
}

/// What the book knows about one marketplace order.
struct Known {
    /// Console orders with its 주문번호.
    orders: Vec<(OrderId, LineStatus)>,
    /// Per marketplace line: the console order holding a line with the same keys.
    line_order: Vec<Option<OrderId>>,
}

fn refusal_of(outcome: &Outcome) -> Option<&Refusal> {
    match &outcome.result {
        OpResult::Refused { refusal, .. } => Some(refusal),
        OpResult::Accepted { .. } => None,
    }
}

/// Why an adapter call gave no answer.
#[derive(Debug, thiserror::Error)]
enum CallError {
    /// The adapter's own error.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    /// The blocking thread panicked or was cancelled.
    #[error("the adapter's thread failed: {0}; the next run tries again")]
    Thread(tokio::task::JoinError),
}

/// The fresh ids taken for a command, as the block it consumes.
fn id_block(fresh: &[u64]) -> IdBlock {
    match fresh.first() {
        Some(start) => IdBlock::new(*start, fresh.len() as u64),
        None => IdBlock::new(0, 0),
    }
}

impl CallError {
    /// The adapter cannot do this at all (the marketplace's API offers no such call): trying
    /// again would fail the same way.
    fn never_possible(&self) -> bool {
        matches!(self, CallError::Adapter(AdapterError::Unsupported { .. }))
    }

    /// A body that was not the documented envelope, to keep whole with the malformed payloads
    /// (the run's error only quotes its start).
    fn unreadable_body(&self) -> Option<MalformedPayload> {
        match self {
            CallError::Adapter(AdapterError::Malformed { at, problem, raw }) => {
                Some(MalformedPayload {
                    raw: raw.clone(),
                    error: format!("the whole answer is unusable: {problem}"),
                    at_path: at.clone(),
                })
            }
            _ => None,
        }
    }
}

/// Why the orders of a page could not be reported prepared (R2).
#[derive(Debug, thiserror::Error)]
enum PrepareError {
    /// The book could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The marketplace call failed; the next run tries again.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// Runs the adapter's blocking call on the blocking pool.
async fn blocking<T: Send + 'static>(
    adapter: &Arc<dyn MarketplaceAdapter>,
    conn: &Connection,
    call: impl FnOnce(&dyn MarketplaceAdapter, &Connection) -> Result<T, AdapterError> + Send + 'static,
) -> Result<T, CallError> {
    let adapter = Arc::clone(adapter);
    let conn = conn.clone();
    match tokio::task::spawn_blocking(move || call(adapter.as_ref(), &conn)).await {
        Ok(result) => Ok(result?),
        Err(join) => Err(CallError::Thread(join)),
    }
}

/// One run: see the module doc. Errors only when the run's own record cannot be written.
pub(crate) async fn run_once(
    collector: &Collector,
    row: &ConnectionRow,
    trigger: Trigger,
    started: DateTime<Utc>,
) -> Result<RunRecord, CollectorError> {
    let connection_id = row.id;
    let run_id = collector
        .db()
        .with(move |c| Ok(store::start_run(c, connection_id, trigger, started)?))
        .await?;
    let mut run = RunRecord::started(run_id, row.id, trigger, started);
    let adapter = collector.adapter(&row.marketplace);
    let conn = match row.adapter_connection(collector.secret_key()) {
        Ok(conn) => conn,
        // Nothing can be asked of the marketplace without them: the run fails saying why (the
        // server's key is another one, …), and the connection backs off like any failure.
        Err(err) => {
            run.error = Some(err.to_string());
            return finish(collector, run).await;
        }
    };
    let marketplace = MarketplaceCode(row.marketplace.clone());
    let mut errors: Vec<String> = Vec::new();
    let mut ids = IdPool::new();
    let stage = Stage {
        collector,
        row,
        marketplace: &marketplace,
        adapter: &adapter,
        conn: &conn,
        // What the run executes and compares happens in the marketplaces' time (the system
        // clock, or the sandbox's dilated one in a soak); `started` keeps the run's record and
        // its schedule on the server's.
        now: crate::marketplaces::clock::now(),
    };

    // 1. Orders.
    let cursor = Cursor(row.orders_cursor.clone());
    match blocking(&adapter, &conn, move |a, c| a.collect_orders(c, &cursor)).await {
        Ok(page) => match stage.orders(&page, &mut ids, &mut run).await {
            Ok(()) => {
                stage.save_cursor(Feed::Orders, &page.next_cursor).await?;
                if let Err(e) = stage.prepare(page.items, &mut run).await {
                    errors.push(format!("moving collected orders to 상품준비중: {e}"));
                }
            }
            Err(e) => errors.push(format!("orders: {e}; the page is read again next run")),
        },
        Err(e) => {
            errors.push(format!("collecting orders: {e}"));
            if let Err(db) = stage.keep_unreadable(&e, Feed::Orders, &mut run).await {
                errors.push(format!("keeping the unusable orders answer: {db}"));
            }
        }
    }

    // 2. Claims.
    let cursor = Cursor(row.claims_cursor.clone());
    match blocking(&adapter, &conn, move |a, c| a.collect_claims(c, &cursor)).await {
        Ok(page) => match stage.claims(&page, &mut ids, &mut run).await {
            Ok(()) => stage.save_cursor(Feed::Claims, &page.next_cursor).await?,
            Err(e) => errors.push(format!("claims: {e}; the page is read again next run")),
        },
        Err(e) => {
            errors.push(format!("collecting claims: {e}"));
            if let Err(db) = stage.keep_unreadable(&e, Feed::Claims, &mut run).await {
                errors.push(format!("keeping the unusable claims answer: {db}"));
            }
        }
    }
    // Then the acknowledgements earlier runs could not deliver (after the page, so a claim it
    // shows withdrawn is not acknowledged any more).
    if let Err(e) = stage.retry_acknowledgements(&mut run).await {
        errors.push(format!("acknowledging claims again: {e}"));
    }

    // 3. Invoice numbers back (R29).
    if let Err(e) = stage.invoices(&mut run).await {
        errors.push(format!("sending invoice numbers: {e}"));
    }

    run.error = (!errors.is_empty()).then(|| errors.join("; "));
    finish(collector, run).await
}

/// Stamps the run finished and writes its record.
async fn finish(collector: &Collector, mut run: RunRecord) -> Result<RunRecord, CollectorError> {
    run.finished_at = Some(Utc::now());
    let saved = run.clone();
    collector
        .db()
        .with(move |c| Ok(store::finish_run(c, &saved)?))
        .await?;
    Ok(run)
}

/// What every stage of a run shares.
struct Stage<'a> {
    collector: &'a Collector,
    row: &'a ConnectionRow,
    marketplace: &'a MarketplaceCode,
    adapter: &'a Arc<dyn MarketplaceAdapter>,
    conn: &'a Connection,
    now: DateTime<Utc>,
}

impl Stage<'_> {
    async fn execute(&self, command: Command) -> Result<Outcome, LedgerError> {
        self.collector
            .ledger()
            .execute_marketplace(self.row.store, self.marketplace, command, self.now)
            .await
    }

    async fn save_cursor(&self, feed: Feed, cursor: &Cursor) -> Result<(), CollectorError> {
        let (id, cursor) = (self.row.id, cursor.0.clone());
        self.collector
            .db()
            .with(move |c| Ok(store::save_cursor(c, id, feed, &cursor)?))
            .await?;
        Ok(())
    }

    async fn keep_malformed(
        &self,
        run: &mut RunRecord,
        feed: Feed,
        payloads: Vec<MalformedPayload>,
        counted: bool,
    ) -> Result<(), LedgerError> {
        if payloads.is_empty() {
            return Ok(());
        }
        if counted {
            run.malformed += u32::try_from(payloads.len()).unwrap_or(u32::MAX);
        }
        let (id, run_id, now) = (self.row.id, run.id, self.now);
        self.collector
            .db()
            .with(move |c| {
                Ok(store::record_malformed(
                    c, id, run_id, feed, &payloads, now,
                )?)
            })
            .await?;
        Ok(())
    }

    /// Keeps the body of a feed's answer that was not the documented envelope, whole, with the
    /// malformed payloads (`GET /api/malformed`): the cursor stays, so the page is asked again,
    /// and the same body met again only counts another sighting.
    async fn keep_unreadable(
        &self,
        error: &CallError,
        feed: Feed,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        match error.unreadable_body() {
            Some(body) => self.keep_malformed(run, feed, vec![body], true).await,
            None => Ok(()),
        }
    }

    fn profile(&self) -> Option<&'static MarketplaceProfile> {
        MarketplaceTable::builtin().get(self.marketplace)
    }

    async fn orders(
        &self,
        page: &Collected<MarketOrder>,
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        self.keep_malformed(run, Feed::Orders, page.malformed.clone(), true)
            .await?;
        let profile = self.profile();
        let mut shipments = Vec::new();
        for order in &page.items {
            for line in &order.lines {
                if let (Some(no), Ok(keys)) = (&line.shipment_no, serde_json::to_string(&line.keys))
                {
                    shipments.push((order.order_no.clone(), keys, no.clone()));
                }
            }
            self.order(order, profile, ids, run).await?;
        }
        if !shipments.is_empty() {
            let (store, marketplace) = (self.row.store, self.row.marketplace.clone());
            self.collector
                .db()
                .with(move |c| Ok(store::save_shipments(c, store, &marketplace, &shipments)?))
                .await?;
        }
        Ok(())
    }

    async fn order(
        &self,
        order: &MarketOrder,
        profile: Option<&MarketplaceProfile>,
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        let (marketplace, order_no) = (self.marketplace.clone(), order.order_no.clone());
        let keys: Vec<MarketplaceKeys> = order.lines.iter().map(|l| l.keys.clone()).collect();
        let known = self
            .collector
            .ledger()
            .read(self.row.store, move |book| {
                let orders: Vec<(OrderId, LineStatus)> = book
                    .orders_with_order_no(&marketplace, &order_no)
                    .iter()
                    .filter_map(|id| book.orders.get(id).map(|o| (*id, o.status())))
                    .collect();
                let line_order = keys
                    .iter()
                    .map(|k| {
                        orders.iter().map(|(id, _)| *id).find(|id| {
                            book.orders
                                .get(id)
                                .is_some_and(|o| o.lines.iter().any(|l| &l.keys == k))
                        })
                    })
                    .collect();
                Known { orders, line_order }
            })
            .await?;
        let known_flags: Vec<bool> = known.line_order.iter().map(Option::is_some).collect();
        let new_lines: Vec<usize> = known_flags
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(i, _)| i)
            .collect();
        let order_known = !known.orders.is_empty();
        let skipped = profile
            .map(|p| p.exchange_replacement_lines(order_known, &known_flags))
            .unwrap_or_default();
        let mut changed = false;
        if !skipped.is_empty() {
            run.orders_skipped += 1;
            let lines: Vec<String> = skipped
                .iter()
                .filter_map(|i| order.lines.get(*i))
                .map(|l| {
                    format!(
                        "{} {} (line {})",
                        l.product_name,
                        l.option,
                        l.keys.line_no.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            run.notes.push(format!(
                "{} order {}: new line(s) {} appeared after the order was collected — an exchange \
                 whose line number changed (R18); not collected, so the replacement is not \
                 shipped twice. Run the exchange in the console (manual exchange).",
                self.marketplace,
                order.order_no,
                lines.join(", ")
            ));
        } else if !new_lines.is_empty() {
            let mut part = order.clone();
            part.lines = new_lines
                .iter()
                .filter_map(|i| order.lines.get(*i).cloned())
                .collect();
            changed |= self.collect(&part, ids, run).await?;
        }
        // Known orders: the marketplace's facts move them forward.
        for (id, status) in &known.orders {
            let fact = order
                .lines
                .iter()
                .zip(&known.line_order)
                .filter(|(_, at)| *at == &Some(*id))
                .filter_map(|(line, _)| line.fact)
                .min_by_key(|f| f.line_status());
            let Some(fact) = fact else { continue };
            let mut moved = false;
            for command in facts::commands_toward(*id, *status, fact.line_status()) {
                let outcome = self.execute(command).await?;
                if let Some(refusal) = refusal_of(&outcome) {
                    run.notes.push(format!(
                        "{} order {} (console {id}): the marketplace says {:?} but the console \
                         keeps it: {refusal}",
                        self.marketplace, order.order_no, fact
                    ));
                    break;
                }
                moved |= !outcome.events.is_empty();
            }
            if moved {
                run.orders_updated += 1;
                changed = true;
            }
        }
        if !changed && skipped.is_empty() && new_lines.is_empty() {
            run.orders_unchanged += 1;
        }
        Ok(())
    }

    /// Tells the marketplace the seller prepares the page's orders the console now holds (R2;
    /// Coupang's 상품준비중 처리): each shipment it refuses is a note, sent again by the next runs
    /// while the marketplace still lists it unprepared; a failed call is the stage's error.
    async fn prepare(
        &self,
        orders: Vec<MarketOrder>,
        run: &mut RunRecord,
    ) -> Result<(), PrepareError> {
        let marketplace = self.marketplace.clone();
        let held = self
            .collector
            .ledger()
            .read(self.row.store, move |book| {
                orders
                    .into_iter()
                    .filter(|o| {
                        !book
                            .orders_with_order_no(&marketplace, &o.order_no)
                            .is_empty()
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        if held.is_empty() {
            return Ok(());
        }
        let refused = blocking(self.adapter, self.conn, move |a, c| {
            a.prepare_orders(c, &held)
        })
        .await?;
        run.notes.extend(refused.iter().map(ToString::to_string));
        Ok(())
    }

    /// Collects `order` as a new console order; `true` when it went in.
    async fn collect(
        &self,
        order: &MarketOrder,
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<bool, LedgerError> {
        let count = 1 + order.lines.len() as u64;
        let fresh = ids.take(self.collector, self.row, count).await?;
        let Some((first, rest)) = fresh.split_first() else {
            return Ok(false);
        };
        let new = match order.to_new_order(OrderId(*first), rest.iter().map(|n| LineId(*n))) {
            Ok(new) => new,
            Err(e) => {
                run.orders_skipped += 1;
                run.notes.push(format!(
                    "{} order {}: {e}",
                    self.marketplace, order.order_no
                ));
                return Ok(false);
            }
        };
        let id = new.id;
        let outcome = self.execute(Command::CollectOrder(new)).await?;
        match refusal_of(&outcome) {
            None => {
                run.orders_new += 1;
                if let Some(original) = &order.replaces {
                    self.note_replacement(order, id, original, run).await?;
                }
                Ok(true)
            }
            Some(Refusal::AlreadyCollected { .. }) => {
                run.orders_unchanged += 1;
                Ok(false)
            }
            Some(refusal) => {
                run.orders_skipped += 1;
                run.notes.push(format!(
                    "{} order {} was not collected: {refusal}",
                    self.marketplace, order.order_no
                ));
                Ok(false)
            }
        }
    }

    /// A CASE2 replacement order (R16) was collected: its link to the original line goes into
    /// the new order's memo (so it shows in the order's history) and the run's notes.
    async fn note_replacement(
        &self,
        order: &MarketOrder,
        id: OrderId,
        original: &MarketplaceKeys,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        let line = original.line_no.as_deref().unwrap_or("(없음)");
        let text = replacement_memo(original);
        let outcome = self
            .execute(Command::AddMemo {
                order: id,
                text,
                kind: MemoKind::Order,
            })
            .await?;
        let memo = match refusal_of(&outcome) {
            None => String::new(),
            Some(refusal) => format!(" (the memo could not be added: {refusal})"),
        };
        run.notes.push(format!(
            "{} order {} is the exchange replacement of order {} line {line} (CASE2, R16): \
             collected as its own order; process the original line as a cancel or return{memo}.",
            self.marketplace, order.order_no, original.order_no
        ));
        Ok(())
    }

    async fn claims(
        &self,
        page: &Collected<MarketClaim>,
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        self.keep_malformed(run, Feed::Claims, page.malformed.clone(), true)
            .await?;
        let profile = self.profile();
        let meaning = |claim: &MarketClaim| {
            profile.map_or(CancelStatusMeaning::Unrecognised, |p| {
                p.cancel_status(&claim.status)
            })
        };
        let mut cancels: Vec<(&MarketClaim, CancelRecord)> = Vec::new();
        let mut held: Vec<&MarketClaim> = Vec::new();
        let mut withdrawn: Vec<&MarketClaim> = Vec::new();
        for claim in &page.items {
            run.notes.extend(delay_note(claim));
            let word = meaning(claim);
            match (claim.kind, claim.withdrawn, claim.to_cancel_record()) {
                // A withdrawal word of the table (Fashionplus 취소거부): cancel sync undoes it.
                (ClaimKind::Cancel, true, Some(record))
                    if word == CancelStatusMeaning::Withdraws =>
                {
                    cancels.push((claim, record))
                }
                (_, true, _) => withdrawn.push(claim),
                (ClaimKind::Cancel, false, Some(record))
                    if word == CancelStatusMeaning::Cancels =>
                {
                    cancels.push((claim, record))
                }
                // Returns, exchanges, and cancels whose word the table does not sync: held for
                // the operator (R11).
                _ => held.push(claim),
            }
        }
        self.cancels(&cancels, ids, run).await?;
        self.kept_cancels(ids, run).await?;
        for claim in held {
            self.hold(claim, ids, run).await?;
        }
        for claim in withdrawn {
            self.withdraw(claim, run).await?;
        }
        Ok(())
    }

    /// Syncs again the cancels an earlier run kept because they matched no line, when they now
    /// act on a line (a cancel made moments after the order can be collected before it, R27):
    /// the engine applies them and they leave the kept list. The others (a line the console
    /// never had) are not sent again each run.
    async fn kept_cancels(&self, ids: &mut IdPool, run: &mut RunRecord) -> Result<(), LedgerError> {
        let marketplace = self.marketplace.clone();
        let records: Vec<CancelRecord> = self
            .collector
            .ledger()
            .read(self.row.store, move |book| {
                kept_that_now_apply(book, &marketplace)
            })
            .await?;
        if records.is_empty() {
            return Ok(());
        }
        let fresh = ids
            .take(self.collector, self.row, 2 * records.len() as u64)
            .await?;
        let block = id_block(&fresh);
        let outcome = self
            .execute(Command::SyncCancels {
                records: records.clone(),
                ids: block,
            })
            .await?;
        match refusal_of(&outcome) {
            Some(refusal) => run.notes.push(format!(
                "{} kept cancels of {} whose order is now collected were not applied: {refusal}",
                records.len(),
                self.marketplace
            )),
            None => {
                run.cancels_applied += records.len() as u32;
                run.notes.push(format!(
                    "{} cancels of {} kept earlier (their order came after them) now match their \
                     order and were applied",
                    records.len(),
                    self.marketplace
                ));
            }
        }
        Ok(())
    }

    async fn cancels(
        &self,
        cancels: &[(&MarketClaim, CancelRecord)],
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        // Two ids per record are always enough; a block holds at most MAX_ID_BLOCK.
        let chunk = usize::try_from(MAX_ID_BLOCK / 2).unwrap_or(usize::MAX);
        for batch in cancels.chunks(chunk) {
            let records: Vec<CancelRecord> = batch.iter().map(|(_, r)| r.clone()).collect();
            let probe = records.clone();
            let verdicts = self
                .collector
                .ledger()
                .read(self.row.store, move |book| match_cancels(book, &probe))
                .await?;
            let fresh = ids
                .take(self.collector, self.row, 2 * records.len() as u64)
                .await?;
            let block = id_block(&fresh);
            let outcome = self
                .execute(Command::SyncCancels {
                    records: records.clone(),
                    ids: block,
                })
                .await?;
            if let Some(refusal) = refusal_of(&outcome) {
                run.notes.push(format!(
                    "{} cancels of {} were not applied: {refusal}",
                    records.len(),
                    self.marketplace
                ));
                continue;
            }
            for found in verdicts {
                let Some((claim, _)) = batch.get(found.record) else {
                    continue;
                };
                match found.verdict {
                    CancelVerdict::Applies { cancel, hold } => {
                        run.cancels_applied += 1;
                        // Approve at the marketplace only what the console cancelled; a hold
                        // (printed or shipped parcel) is the operator's call.
                        if hold.is_empty() && !cancel.is_empty() {
                            self.acknowledge(claim, run).await;
                        }
                    }
                    CancelVerdict::Withdraws { .. } => run.cancels_applied += 1,
                    CancelVerdict::Unmatched | CancelVerdict::UnknownMarketplace => {
                        run.cancels_unmatched += 1
                    }
                    CancelVerdict::Unconfirmed { hold } => run.notes.push(format!(
                        "{}: {} is not a cancel word the table gives for {} (it gives none); \
                         the record is kept and its {} line(s) held until an operator \
                         confirms or releases them",
                        claim.keys.order_no,
                        claim.status,
                        self.marketplace,
                        hold.len()
                    )),
                    CancelVerdict::AlreadyApplied | CancelVerdict::NotACancel => {}
                }
            }
        }
        Ok(())
    }

    async fn hold(
        &self,
        claim: &MarketClaim,
        ids: &mut IdPool,
        run: &mut RunRecord,
    ) -> Result<(), LedgerError> {
        let fresh = ids.take(self.collector, self.row, 2).await?;
        let (Some(claim_id), split) = (fresh.first(), fresh.get(1)) else {
            return Ok(());
        };
        let collected = claim.to_collected_claim(ClaimId(*claim_id), split.map(|n| LineId(*n)));
        let outcome = self.execute(Command::CollectClaim(collected)).await?;
        let kept_after_confirmation = outcome
            .events
            .iter()
            .any(|e| matches!(e.change, Change::ClaimAfterConfirmationKept { .. }));
        match refusal_of(&outcome) {
            // R3: a return or exchange asked after 구매확정 is the operator's call, not taken in
            // hand: it is kept on the order, and the marketplace is not told it was accepted.
            None if kept_after_confirmation => run.notes.push(format!(
                "{} {} request {} for order {} came after purchase confirmation (구매확정):                  kept on the order for the operator, no claim opened and not acknowledged",
                self.marketplace,
                claim.kind.korean(),
                claim.claim_no.as_deref().unwrap_or("(no number)"),
                claim.keys.order_no
            )),
            None if !outcome.events.is_empty() => {
                run.claims += 1;
                self.acknowledge(claim, run).await;
            }
            // A claim collected before: nothing new.
            None => {}
            Some(refusal) => {
                let what = format!(
                    "{} {} claim {} for order {}",
                    self.marketplace,
                    claim.kind.korean(),
                    claim.claim_no.as_deref().unwrap_or("(no number)"),
                    claim.keys.order_no
                );
                run.notes
                    .push(format!("{what} was not collected: {refusal}"));
                // Kept with its raw JSON, never dropped.
                let kept = MalformedPayload {
                    raw: serde_json::to_string(claim).unwrap_or_default(),
                    error: format!("{what} was not collected: {refusal}"),
                    at_path: format!("claims of {}", self.marketplace),
                };
                self.keep_malformed(run, Feed::Claims, vec![kept], false)
                    .await?;
            }
        }
        Ok(())
    }

    async fn withdraw(&self, claim: &MarketClaim, run: &mut RunRecord) -> Result<(), LedgerError> {
        // A withdrawn claim has nothing left to acknowledge.
        let (connection, reference) = (self.row.id, claim_ref(claim));
        if let Err(e) = self
            .collector
            .db()
            .with(move |conn| Ok(store::drop_pending_ack(conn, connection, &reference)?))
            .await
        {
            run.notes.push(format!(
                "claim {} was withdrawn but its kept acknowledgement could not be dropped: {e}",
                claim.claim_no.as_deref().unwrap_or("(no number)")
            ));
        }
        let (marketplace, wanted) = (self.marketplace.clone(), claim.clone());
        let found = self
            .collector
            .ledger()
            .read(self.row.store, move |book| {
                let of_marketplace = |c: &&jumun_core::claim::Claim| {
                    c.progress.is_active()
                        && c.kind == wanted.kind
                        && book
                            .orders
                            .get(&c.order)
                            .is_some_and(|o| o.marketplace == marketplace)
                };
                if let Some(no) = &wanted.claim_no {
                    return book
                        .claims
                        .values()
                        .filter(of_marketplace)
                        .find(|c| {
                            matches!(&c.source, ClaimSource::Marketplace { claim_no: Some(n), .. } if n == no)
                        })
                        .map(|c| c.id);
                }
                // No claim number: the active claim of that kind on the line.
                let (lines, _) = book.find_lines(&marketplace, &wanted.keys)?;
                lines.iter().find_map(|at| {
                    let line = book.orders.get(&at.order)?.line(at.line)?;
                    let claim = book.claims.get(&line.claim?)?;
                    of_marketplace(&claim).then_some(claim.id)
                })
            })
            .await?;
        let Some(id) = found else {
            // Withdrawn before, or never collected: nothing to undo.
            return Ok(());
        };
        let outcome = self.execute(Command::WithdrawClaim { claim: id }).await?;
        match refusal_of(&outcome) {
            None if !outcome.events.is_empty() => run.claims_withdrawn += 1,
            None => {}
            Some(refusal) => run.notes.push(format!(
                "{} withdrew claim {} but the console keeps it: {refusal}",
                self.marketplace,
                claim.claim_no.as_deref().unwrap_or("(no number)")
            )),
        }
        Ok(())
    }

    /// Tells the marketplace a claim was taken in hand. A failure is a note, not the run's
    /// error, and is kept (`pending_acknowledgements`) for the next runs to try again: the
    /// claims cursor has moved past the claim, so nothing else would ever acknowledge it.
    async fn acknowledge(&self, claim: &MarketClaim, run: &mut RunRecord) {
        let wanted = claim.clone();
        let Err(e) = blocking(self.adapter, self.conn, move |a, c| {
            a.acknowledge_claim(c, &wanted)
        })
        .await
        else {
            return;
        };
        if e.never_possible() {
            // Trying again would fail the same way every run: say it once, keep nothing.
            run.notes.push(format!(
                "{} claim {} (order {}) is in the console; {e}",
                self.marketplace,
                claim.claim_no.as_deref().unwrap_or("(no number)"),
                claim.keys.order_no
            ));
            return;
        }
        run.notes.push(format!(
            "{} claim {} (order {}) is in the console but was not acknowledged at the \
             marketplace: {e}; the next runs try again",
            self.marketplace,
            claim.claim_no.as_deref().unwrap_or("(no number)"),
            claim.keys.order_no
        ));
        let (connection, now, error) = (self.row.id, self.now, e.to_string());
        let (reference, json) = (claim_ref(claim), serde_json::to_string(claim));
        let kept = match json {
            Ok(json) => self
                .collector
                .db()
                .with(move |conn| {
                    Ok(store::save_pending_ack(
                        conn, connection, &reference, &json, &error, now,
                    )?)
                })
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(why) = kept {
            run.notes.push(format!(
                "{} claim {}: the failed acknowledgement could not be kept for retrying: {why}",
                self.marketplace,
                claim.claim_no.as_deref().unwrap_or("(no number)")
            ));
        }
    }

    /// Tries again the acknowledgements earlier runs could not deliver (not the ones this run
    /// has just kept), oldest first: each one taken is forgotten, each one refused again counts
    /// another try. Only the database failing is the stage's error.
    async fn retry_acknowledgements(&self, run: &mut RunRecord) -> Result<(), CollectorError> {
        let (connection, started) = (self.row.id, self.now);
        let pending = self
            .collector
            .db()
            .with(move |conn| {
                Ok(store::pending_acks(
                    conn,
                    connection,
                    started,
                    MAX_ACK_RETRIES_PER_RUN,
                )?)
            })
            .await?;
        let mut taken = 0usize;
        for ack in pending {
            let claim: MarketClaim = match serde_json::from_str(&ack.claim_json) {
                Ok(claim) => claim,
                Err(e) => {
                    run.notes.push(format!(
                        "a kept acknowledgement ({}) cannot be read back and is not retried: {e}",
                        ack.claim_ref
                    ));
                    continue;
                }
            };
            let wanted = claim.clone();
            let result = blocking(self.adapter, self.conn, move |a, c| {
                a.acknowledge_claim(c, &wanted)
            })
            .await;
            let (now, reference, json) = (self.now, ack.claim_ref.clone(), ack.claim_json);
            match result {
                Err(e) if e.never_possible() => {
                    // Kept by an earlier version; it can never be taken: forget it, once said.
                    run.notes.push(format!(
                        "{} claim {} (order {}) is no longer retried: {e}",
                        self.marketplace,
                        claim.claim_no.as_deref().unwrap_or("(no number)"),
                        claim.keys.order_no
                    ));
                    self.collector
                        .db()
                        .with(move |conn| {
                            Ok(store::drop_pending_ack(conn, connection, &reference)?)
                        })
                        .await?;
                }
                Ok(()) => {
                    taken += 1;
                    self.collector
                        .db()
                        .with(move |conn| {
                            Ok(store::drop_pending_ack(conn, connection, &reference)?)
                        })
                        .await?;
                }
                Err(e) => {
                    let e = e.to_string();
                    run.notes.push(format!(
                        "{} claim {} (order {}) is still not acknowledged at the marketplace \
                         after {} tries: {e}",
                        self.marketplace,
                        claim.claim_no.as_deref().unwrap_or("(no number)"),
                        claim.keys.order_no,
                        ack.attempts.saturating_add(1)
                    ));
                    self.collector
                        .db()
                        .with(move |conn| {
                            Ok(store::save_pending_ack(
                                conn, connection, &reference, &json, &e, now,
                            )?)
                        })
                        .await?;
                }
            }
        }
        if taken > 0 {
            run.notes.push(format!(
                "{taken} claim acknowledgements that earlier runs could not deliver were taken by {}",
                self.marketplace
            ));
        }
        Ok(())
    }

    async fn invoices(&self, run: &mut RunRecord) -> Result<(), LedgerError> {
        let marketplace = self.marketplace.clone();
        let now = self.now;
        let due: Vec<(OrderId, InvoiceUpload)> = self
            .collector
            .ledger()
            .read(self.row.store, move |book| {
                book.orders
                    .values()
                    .filter(|o| o.marketplace == marketplace)
                    .filter(|o| o.invoice_upload == UploadState::Pending)
                    .filter_map(|o| {
                        let invoice = o.invoice.as_ref()?;
                        Some((
                            o.id,
                            InvoiceUpload {
                                order_no: o.order_no.clone(),
                                lines: o.shipping_lines().map(|l| l.keys.clone()).collect(),
                                shipment_no: None,
                                carrier: invoice.carrier.clone(),
                                carrier_code: None,
                                tracking_no: invoice.tracking_no.clone(),
                                shipped_at: o.dates.shipped_at.unwrap_or(now),
                            },
                        ))
                    })
                    .take(MAX_INVOICES_PER_RUN)
                    .collect()
            })
            .await?;
        for (order, mut upload) in due {
            let keys: Vec<String> = upload
                .lines
                .iter()
                .filter_map(|k| serde_json::to_string(k).ok())
                .collect();
            let (store, mp, order_no) = (
                self.row.store,
                self.row.marketplace.clone(),
                upload.order_no.clone(),
            );
            upload.shipment_no = self
                .collector
                .db()
                .with(move |c| Ok(store::shipment_no(c, store, &mp, &order_no, &keys)?))
                .await?;
            let sent = upload.clone();
            match blocking(self.adapter, self.conn, move |a, c| {
                a.send_invoice(c, &sent)
            })
            .await
            {
                Ok(()) => {
                    let outcome = self.execute(Command::RecordInvoiceUpload { order }).await?;
                    match refusal_of(&outcome) {
                        None => run.invoices_sent += 1,
                        Some(refusal) => run.notes.push(format!(
                            "invoice {} of order {} was sent but not recorded: {refusal}",
                            upload.tracking_no, upload.order_no
                        )),
                    }
                }
                Err(e) => run.notes.push(format!(
                    "invoice {} of {} order {} was not sent (retried next run): {e}",
                    upload.tracking_no, self.marketplace, upload.order_no
                )),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r16_the_replacement_memo_names_the_original_line() {
        let mut original = MarketplaceKeys {
            order_no: "240301000123".into(),
            line_no: Some("2".into()),
            ..MarketplaceKeys::default()
        };
        assert_eq!(
            replacement_memo(&original),
            "교환 주문: 원주문 240301000123 상품주문번호 2"
        );
        original.line_no = None;
        assert_eq!(
            replacement_memo(&original),
            "교환 주문: 원주문 240301000123"
        );
    }

    #[test]
    fn r22_delay_notes_only_when_the_marketplace_reports_a_delay() {
        use chrono::TimeZone;
        let mut claim = MarketClaim {
            marketplace: MarketplaceCode::from("zigzag"),
            kind: ClaimKind::Exchange,
            status: "교환배송연기안내".into(),
            raw_status: "교환배송연기안내".into(),
            keys: MarketplaceKeys {
                order_no: "ZZ-1".into(),
                ..MarketplaceKeys::default()
            },
            quantity: None,
            claim_no: Some("ZC-1".into()),
            reason: jumun_core::claim::Reason::OptionChange,
            fault: None,
            requested_option: None,
            withdrawn: false,
            reported_at: Utc::now(),
            exchange_due: None,
            delay_notices: 0,
        };
        assert_eq!(delay_note(&claim), None);
        claim.delay_notices = 1;
        claim.exchange_due = Utc.with_ymd_and_hms(2024, 3, 12, 1, 0, 0).single();
        let note = delay_note(&claim).unwrap();
        assert!(note.contains("1 delay notice(s)"), "{note}");
        assert!(note.contains("2024-03-12 10:00 KST"), "{note}");
        assert!(note.contains("ZC-1") && note.contains("R22"), "{note}");
    }
}
