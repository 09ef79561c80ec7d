//! Order benchmarks (run: `cargo bench -p jumun-core --bench orders`).
//!
//! Prints, on this machine:
//! - bulk-ship: `Book::execute_bulk` of 10,000 `Command::Ship` (and of 10,000 `ScanToShip` by
//!   tracking number) over 10,000 collected, paid, invoiced and printed orders; aim < 20 ms;
//! - replay: `Book::replay` of >= 1,000,000 events produced by running a realistic mix of commands
//!   (collect, pay, bundle, hold, cancel, invoice, print, ship, deliver, confirm, return, memos,
//!   marketplace cancel sync); aim < 1 s.
//!
//! Figures are printed, never asserted: the only checks are for correctness (every ship applied,
//! the replayed book equals the original), and a failed check exits non-zero with a message.

use jumun_bench::figures::{begin, finish, ms, per_sec, proc_status, ratio, verdict};
use jumun_bench::orders::{self, at, option_name, product_name, OrderSpec, Rng};
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimPick, FeePayment, Reason};
use jumun_core::command::{ClaimRequest, ReturnRequest};
use jumun_core::fault::Fault;
use jumun_core::ids::{BundleId, ClaimId, IdBlock, LineId, OrderId, PickupId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{MemoKind, NewOrder, Payment};
use jumun_core::pickup::PickupPlan;
use jumun_core::stock::{ProductKey, Sku, StockItem};
use jumun_core::{Book, BulkOutcome, Change, Command, Ctx, Event, Refusal};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration as StdDuration, Instant};

/// Marketplaces of the built-in table the orders come from, with a weight each.
const MARKETPLACES: &[(&str, u64)] = &[
    ("coupang", 30),
    ("smartstore", 25),
    ("cafe24", 12),
    ("11st", 10),
    ("zigzag", 8),
    ("shinsegae", 5),
    ("brandi", 5),
    ("auction", 5),
];

/// Distinct products (each with `OPTIONS` options) the lines are drawn from.
const PRODUCTS: u64 = 500;
const OPTIONS: u64 = 5;
/// Products `0..LINKED_PRODUCTS` are linked to stock items (R30), so their lines allocate stock.
const LINKED_PRODUCTS: u64 = 40;

const SHIP_ORDERS: u64 = 10_000;
const REPLAY_EVENTS: usize = 1_000_000;
const RUNS: usize = 5;

fn main() -> ExitCode {
    begin("jumun-core bench: orders");
    println!();
    let result = bulk_ship().and_then(|()| replay());
    finish(result)
}

// ---------------------------------------------------------------------------------------------
// bulk-ship

fn bulk_ship() -> Result<(), String> {
    println!("-- bulk-ship: {SHIP_ORDERS} collected, paid, invoiced, printed orders --");
    let mut rng = Rng(0x5eed_0001);
    let mut book = Book::new();
    let started = Instant::now();
    link_stock(&mut book);
    let mut lines = 0usize;
    let mut orders = Vec::new();
    for n in 0..SHIP_ORDERS {
        let id = OrderId(n + 1);
        let payment = if rng.below(100) < 20 {
            Payment::BankTransfer { deadline: at(72) }
        } else {
            Payment::Paid
        };
        let new = new_order(&mut rng, id, payment, None);
        lines += new.lines.len();
        let mp = new.marketplace.clone();
        let bank = matches!(new.payment, Payment::BankTransfer { .. });
        run(
            &mut book,
            &Command::CollectOrder(new),
            &Ctx::sync(&mp, at(0)),
        );
        if bank {
            run(&mut book, &Command::ConfirmPayment { order: id }, &op(1));
        }
        run(&mut book, &issue_invoice(id), &op(2));
        run(&mut book, &Command::PrintInvoice { order: id }, &op(3));
        orders.push(id);
    }
    println!(
        "set-up: {} orders, {lines} lines ({} per order), built in {}",
        orders.len(),
        ratio(lines, orders.len()),
        ms(started.elapsed())
    );

    let ship: Vec<Command> = orders
        .iter()
        .map(|order| Command::Ship { order: *order })
        .collect();
    let scan: Vec<Command> = orders
        .iter()
        .map(|order| Command::ScanToShip {
            tracking_no: tracking_no(*order),
        })
        .collect();

    let mut ship_median = StdDuration::ZERO;
    for (name, commands) in [
        ("Ship { order }", &ship),
        ("ScanToShip { tracking_no }", &scan),
    ] {
        let mut times = Vec::new();
        let mut last = BulkOutcome::default();
        for _ in 0..RUNS {
            let mut fresh = book.clone();
            let started = Instant::now();
            let outcome = fresh.execute_bulk(commands.iter(), &op(4));
            times.push(started.elapsed());
            last = outcome;
        }
        if last.applied != commands.len() || !last.failures.is_empty() {
            return Err(format!(
                "bulk {name}: {} applied, {} failed (first: {:?}); expected all {} applied",
                last.applied,
                last.failures.len(),
                last.failures.first(),
                commands.len()
            ));
        }
        times.sort();
        let median = times[times.len() / 2];
        if ship_median.is_zero() {
            ship_median = median;
        }
        println!(
            "execute_bulk {name:<26} {:>6} applied, {} failures, {} events | best {} median {} \
             ({} runs) | {} orders/s (median)",
            last.applied,
            last.failures.len(),
            last.events.len(),
            ms(times[0]),
            ms(median),
            RUNS,
            per_sec(commands.len(), median)
        );
    }

    // The same batch when 1% of the orders are held and 1% were cancelled after printing: the
    // rest ship, and each refused order is reported with its reason (R5, R28).
    let mut mixed = book.clone();
    for (i, order) in orders.iter().enumerate() {
        if i % 100 == 7 {
            run(
                &mut mixed,
                &Command::PlaceHold {
                    order: *order,
                    lines: Vec::new(),
                    reason: "주소 확인 중".into(),
                },
                &op(3),
            );
        } else if i % 100 == 57 {
            let picks = all_lines(&mixed, *order);
            run(
                &mut mixed,
                &Command::Cancel(claim_request(ClaimId(order.0), *order, picks)),
                &op(3),
            );
        }
    }
    let started = Instant::now();
    let outcome = mixed.execute_bulk(ship.iter(), &op(4));
    let took = started.elapsed();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, refusal) in &outcome.failures {
        *reasons.entry(refusal_kind(refusal)).or_default() += 1;
    }
    println!(
        "execute_bulk Ship, 1% held + 1% cancelled:  {:>6} applied, {} failures {reasons:?} | {} \
         (1 run)",
        outcome.applied,
        outcome.failures.len(),
        ms(took)
    );
    if outcome.applied + outcome.failures.len() != ship.len() {
        return Err("bulk ship with held orders lost a command".into());
    }
    println!(
        "aim: bulk-ship of 10,000 orders < 20 ms -> {} (median of the Ship runs)",
        verdict(StdDuration::from_millis(20), ship_median)
    );
    println!();
    Ok(())
}

fn refusal_kind(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::OnHold { .. } => "OnHold",
        Refusal::NoInvoice(_) => "NoInvoice",
        Refusal::AllCancelled(_) => "AllCancelled",
        Refusal::NotPrinted(_) => "NotPrinted",
        Refusal::IllegalTransition { .. } => "IllegalTransition",
        _ => "other",
    }
}

// ---------------------------------------------------------------------------------------------
// replay

/// Ids for claims and pickups the mix opens, away from order and line ids.
const CLAIM_BASE: u64 = 1_000_000_000;
/// Id blocks for marketplace cancel syncs (claims and divided lines).
const SYNC_BASE: u64 = 5_000_000_000;
const BATCH: u64 = 2_000;

fn replay() -> Result<(), String> {
    println!("-- replay: >= {REPLAY_EVENTS} events from a realistic mix of commands --");
    let mut rng = Rng(0x5eed_0002);
    let mut book = Book::new();
    let mut events: Vec<Event> = Vec::new();
    let mut commands = 0usize;
    let started = Instant::now();
    for command in stock_commands() {
        events.extend(run(&mut book, &command, &op(0)));
        commands += 1;
    }
    let mut next_order = 1u64;
    let mut next_claim = CLAIM_BASE;
    let mut next_sync = SYNC_BASE;
    let mut day = 0i64;
    while events.len() < REPLAY_EVENTS {
        let mut batch = Batch {
            book: &mut book,
            events: &mut events,
            commands: &mut commands,
            rng: &mut rng,
            day,
        };
        batch.run_day(&mut next_order, &mut next_claim, &mut next_sync);
        day += 1;
    }
    let built = started.elapsed();
    println!(
        "set-up: {commands} commands over {day} days -> {} events, {} orders, {} claims, {} \
         pickups, {} bundles, {} unmatched cancels kept; executed in {} ({} commands/s)",
        events.len(),
        book.orders.len(),
        book.claims.len(),
        book.pickups.len(),
        book.bundles.len(),
        book.unmatched_cancels.len(),
        ms(built),
        per_sec(commands, built)
    );
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for event in &events {
        *kinds.entry(change_kind(&event.change)).or_default() += 1;
    }
    println!("events by kind: {kinds:?}");
    println!("memory after set-up: VmRSS {}", proc_status("VmRSS:"));

    let mut times = Vec::new();
    for run_no in 0..3 {
        let started = Instant::now();
        let replayed = Book::replay(events.iter()).map_err(|e| format!("replay failed: {e}"))?;
        let took = started.elapsed();
        times.push(took);
        if run_no == 0 && replayed != book {
            return Err("the replayed book differs from the original".into());
        }
        drop(replayed);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "Book::replay of {} events: best {} median {} (3 runs) | {} events/s (median); replayed \
         book == original: yes",
        events.len(),
        ms(times[0]),
        ms(median),
        per_sec(events.len(), median)
    );
    println!(
        "aim: replay of 1,000,000 events < 1 s -> {} (median, scaled to 1,000,000 events)",
        verdict(
            StdDuration::from_secs(1),
            median.mul_f64(REPLAY_EVENTS as f64 / events.len() as f64)
        )
    );
    Ok(())
}

struct Batch<'a> {
    book: &'a mut Book,
    events: &'a mut Vec<Event>,
    commands: &'a mut usize,
    rng: &'a mut Rng,
    day: i64,
}

impl Batch<'_> {
    fn exec(&mut self, command: &Command, ctx: &Ctx) {
        let events = run(self.book, command, ctx);
        self.events.extend(events);
        *self.commands += 1;
    }

    fn ctx(&self, hour: i64) -> Ctx {
        op(self.day * 24 + hour)
    }

    /// One day: a batch of orders collected and taken through their lifecycle, with the usual
    /// share of holds, cancels, bundles, memos, returns and a marketplace cancel sync.
    fn run_day(&mut self, next_order: &mut u64, next_claim: &mut u64, next_sync: &mut u64) {
        let first = *next_order;
        let ids: Vec<OrderId> = (first..first + BATCH).map(OrderId).collect();
        *next_order += BATCH;
        // Collect: 20% bank transfers, some consecutive pairs going to the same buyer.
        let mut bank = Vec::new();
        let mut pairs = Vec::new();
        let mut previous_buyer = None;
        for id in &ids {
            let payment = if self.rng.below(100) < 20 {
                Payment::BankTransfer {
                    deadline: at(self.day * 24 + 72),
                }
            } else {
                Payment::Paid
            };
            let same_buyer = previous_buyer.is_some() && self.rng.below(100) < 3;
            let buyer = if same_buyer { previous_buyer } else { None };
            let new = new_order(self.rng, *id, payment, buyer);
            if same_buyer {
                pairs.push((OrderId(id.0 - 1), *id));
                previous_buyer = None;
            } else {
                previous_buyer = Some(id.0);
            }
            if matches!(new.payment, Payment::BankTransfer { .. }) {
                bank.push(*id);
            }
            let ctx = Ctx::sync(&new.marketplace, at(self.day * 24));
            self.exec(&Command::CollectOrder(new), &ctx);
        }
        // 95% of bank transfers arrive; the rest stay unpaid.
        let unpaid: Vec<OrderId> = bank
            .iter()
            .copied()
            .filter(|_| self.rng.below(100) < 5)
            .collect();
        for id in bank.iter().filter(|id| !unpaid.contains(id)) {
            self.exec(&Command::ConfirmPayment { order: *id }, &self.ctx(1));
        }
        // Bundles of same-buyer pairs that are both paid: the first order carries the parcel.
        let mut bundled = Vec::new();
        let mut partner = BTreeMap::new();
        for (a, b) in pairs {
            if unpaid.contains(&a) || unpaid.contains(&b) {
                continue;
            }
            self.exec(
                &Command::Bundle {
                    bundle: BundleId(a.0),
                    orders: vec![a, b],
                },
                &self.ctx(2),
            );
            bundled.push(b);
            partner.insert(a, b);
        }
        let mut ship = Vec::new();
        let mut holds = Vec::new();
        for id in &ids {
            if unpaid.contains(id) || bundled.contains(id) {
                continue;
            }
            let mut roll = self.rng.below(1000);
            if partner.contains_key(id) {
                roll = 500 + roll / 2;
            }
            if roll < 40 {
                // Cancelled by the buyer before shipping.
                let picks = all_lines(self.book, *id);
                let claim = take(next_claim);
                self.exec(
                    &Command::Cancel(claim_request(ClaimId(claim), *id, picks)),
                    &self.ctx(3),
                );
                continue;
            }
            if roll < 70 {
                // Partial cancel: one unit of the first line.
                let line = &self.book.orders[id].lines[0];
                let pick = ClaimPick {
                    line: line.id,
                    quantity: 1,
                    split_line: (line.quantity > 1).then(|| LineId(line.id.0 + 3)),
                };
                let whole = self.book.orders[id].lines.len() == 1 && line.quantity == 1;
                if !whole {
                    let claim = take(next_claim);
                    self.exec(
                        &Command::Cancel(claim_request(ClaimId(claim), *id, vec![pick])),
                        &self.ctx(3),
                    );
                }
            } else if roll < 110 {
                self.exec(
                    &Command::PlaceHold {
                        order: *id,
                        lines: Vec::new(),
                        reason: "재고 확인".into(),
                    },
                    &self.ctx(3),
                );
                holds.push(*id);
            }
            if roll.is_multiple_of(10) {
                self.exec(
                    &Command::AddMemo {
                        order: *id,
                        text: "문 앞에 놓아주세요".into(),
                        kind: MemoKind::Order,
                    },
                    &self.ctx(3),
                );
            }
            ship.push(*id);
        }
        for id in &holds {
            self.exec(
                &Command::ReleaseHold {
                    order: *id,
                    lines: Vec::new(),
                },
                &self.ctx(4),
            );
        }
        for id in &ship {
            self.exec(&issue_invoice(*id), &self.ctx(5));
            self.exec(&Command::PrintInvoice { order: *id }, &self.ctx(6));
        }
        // A marketplace cancel sync: some printed orders get cancelled at the marketplace (held
        // as cancel-after-print), plus records that match nothing.
        let mut records = Vec::new();
        for id in ship.iter().filter(|_| self.rng.below(1000) < 5) {
            let order = &self.book.orders[id];
            let status = cancel_word(order.marketplace.as_str());
            records.push(CancelRecord {
                marketplace: order.marketplace.clone(),
                status: status.into(),
                keys: order.lines[0].keys.clone(),
                quantity: None,
                claim_no: Some(format!("CL{}", id.0)),
                reported_at: at(self.day * 24 + 6),
            });
        }
        for n in 0..3 {
            records.push(CancelRecord {
                marketplace: MarketplaceCode::from("smartstore"),
                status: "취소요청".into(),
                keys: MarketplaceKeys {
                    order_no: format!("2099{:08}{n}", self.day),
                    line_no: Some("1".into()),
                    ..Default::default()
                },
                quantity: None,
                claim_no: None,
                reported_at: at(self.day * 24 + 6),
            });
        }
        let block = IdBlock::new(*next_sync, 2 * records.len() as u64 + 2);
        *next_sync += 2 * records.len() as u64 + 2;
        self.exec(
            &Command::SyncCancels {
                records,
                ids: block,
            },
            &self.ctx(7),
        );
        // Ship the rest: half by 배송처리, half by scanning the label.
        for id in &ship {
            let order = &self.book.orders[id];
            if order.lines.iter().any(|l| l.hold.is_some()) {
                continue;
            }
            let command = if id.0 % 2 == 0 {
                Command::Ship { order: *id }
            } else {
                Command::ScanToShip {
                    tracking_no: tracking_no(*id),
                }
            };
            self.exec(&command, &self.ctx(8));
            let parcel: Vec<OrderId> = std::iter::once(*id)
                .chain(partner.get(id).copied())
                .collect();
            for order in &parcel {
                self.exec(
                    &Command::RecordInvoiceUpload { order: *order },
                    &self.ctx(9),
                );
                self.exec(&Command::MarkDelivered { order: *order }, &self.ctx(20));
            }
            if parcel.len() > 1 {
                for order in &parcel {
                    self.exec(&Command::ConfirmPurchase { order: *order }, &self.ctx(23));
                }
                continue;
            }
            let roll = self.rng.below(100);
            if roll < 5 {
                // Returned: pickup requested, goods arrive, back into stock.
                let picks = all_lines(self.book, *id);
                let claim = take(next_claim);
                let pickup = PickupId(claim);
                let arrived: Vec<(LineId, u32)> =
                    picks.iter().map(|p| (p.line, p.quantity)).collect();
                self.exec(
                    &Command::Return(ReturnRequest {
                        claim: claim_request(ClaimId(claim), *id, picks),
                        pickup: Some(PickupPlan {
                            id: pickup,
                            request_carrier: true,
                            carrier: Some(Carrier::cj()),
                            fee: Won(3_000),
                            fee_payment: FeePayment::Enclosed,
                            memo: String::new(),
                        }),
                        complete_at_once: false,
                    }),
                    &self.ctx(21),
                );
                self.exec(&Command::StartPickup { pickup }, &self.ctx(22));
                self.exec(
                    &Command::RecordArrival {
                        pickup,
                        arrived: arrived.clone(),
                    },
                    &self.ctx(23),
                );
                self.exec(
                    &Command::Restock {
                        pickup,
                        lines: arrived,
                    },
                    &self.ctx(23),
                );
            } else if roll < 85 {
                self.exec(&Command::ConfirmPurchase { order: *id }, &self.ctx(23));
            }
        }
    }
}

fn take(counter: &mut u64) -> u64 {
    *counter += 1;
    *counter - 1
}

fn cancel_word(marketplace: &str) -> &'static str {
    match marketplace {
        "coupang" => "출고중지요청",
        "cafe24" => "취소요청",
        "11st" => "취소신청",
        "zigzag" => "취소요청중",
        "shinsegae" => "주문취소",
        "brandi" => "주문취소중",
        _ => "취소요청",
    }
}

fn change_kind(change: &Change) -> &'static str {
    match change {
        Change::OrderCreated(_) => "OrderCreated",
        Change::PaymentConfirmed { .. } => "PaymentConfirmed",
        Change::InvoiceIssued { .. } => "InvoiceIssued",
        Change::InvoiceVoided { .. } => "InvoiceVoided",
        Change::InvoicePrinted { .. } => "InvoicePrinted",
        Change::Shipped { .. } => "Shipped",
        Change::Delivered { .. } => "Delivered",
        Change::PurchaseConfirmed { .. } => "PurchaseConfirmed",
        Change::InvoiceUploaded { .. } => "InvoiceUploaded",
        Change::Bundled { .. } => "Bundled",
        Change::LineDivided { .. } => "LineDivided",
        Change::HoldPlaced { .. } => "HoldPlaced",
        Change::HoldReleased { .. } => "HoldReleased",
        Change::ClaimOpened(_) => "ClaimOpened",
        Change::ClaimCompleted { .. } => "ClaimCompleted",
        Change::PickupCreated(_) => "PickupCreated",
        Change::PickupStarted { .. } => "PickupStarted",
        Change::PickupArrived { .. } => "PickupArrived",
        Change::Restocked { .. } => "Restocked",
        Change::UnmatchedCancelKept(_) => "UnmatchedCancelKept",
        Change::StockItemRegistered(_) => "StockItemRegistered",
        Change::StockAdjusted { .. } => "StockAdjusted",
        Change::ProductLinked { .. } => "ProductLinked",
        Change::MemoAdded { .. } => "MemoAdded",
        _ => "other",
    }
}

// ---------------------------------------------------------------------------------------------
// generated data

fn op(hours: i64) -> Ctx {
    Ctx::operator("출고담당", at(hours))
}

fn run(book: &mut Book, command: &Command, ctx: &Ctx) -> Vec<Event> {
    match book.execute(command, ctx) {
        Ok(events) => events,
        Err(refusal) => panic!("bench data: a set-up command was refused: {refusal} ({command:?})"),
    }
}

fn tracking_no(order: OrderId) -> String {
    format!("6{:011}", order.0)
}

fn issue_invoice(order: OrderId) -> Command {
    Command::IssueInvoice {
        order,
        carrier: if order.0.is_multiple_of(3) {
            Carrier::lotte()
        } else {
            Carrier::cj()
        },
        tracking_no: tracking_no(order),
    }
}

/// An order of 1–3 lines (line ids `4 × order + 0..3`; `+3` is kept for a divided line). With
/// `buyer`, it goes to that buyer (so it can be bundled with their other order).
fn new_order(rng: &mut Rng, id: OrderId, payment: Payment, buyer: Option<u64>) -> NewOrder {
    let marketplace = rng.marketplace(MARKETPLACES);
    let count = 1 + rng.below(3);
    orders::order(
        rng,
        OrderSpec {
            id,
            marketplace,
            number: id.0,
            lines: (0..count).map(|n| LineId(id.0 * 4 + n)).collect(),
            products: PRODUCTS,
            options: OPTIONS,
            ordered_at: at(-2),
            payment,
            buyer: buyer.unwrap_or(id.0),
        },
    )
}

/// Stock items for products `0..LINKED_PRODUCTS` and the links of every marketplace's listing of
/// them (R30).
fn stock_commands() -> Vec<Command> {
    let mut commands = Vec::new();
    for product in 0..LINKED_PRODUCTS {
        for option in 0..OPTIONS {
            let sku = Sku(format!("SKU-{product:03}-{option}"));
            commands.push(Command::RegisterStockItem(StockItem {
                sku: sku.clone(),
                name: format!("{} {}", product_name(product), option_name(option)),
                barcode: Some(format!("880{:09}", product * 10 + option)),
                location: Some(format!("A-{:02}-{}", product % 30, option)),
                on_hand: 0,
                allocated: 0,
            }));
            commands.push(Command::AdjustStock {
                sku: sku.clone(),
                delta: 100_000,
            });
            for (marketplace, _) in MARKETPLACES {
                commands.push(Command::LinkProduct {
                    product: ProductKey {
                        marketplace: MarketplaceCode::from(*marketplace),
                        product: format!("P{product:05}"),
                        option: option_name(option),
                    },
                    sku: sku.clone(),
                });
            }
        }
    }
    commands
}

fn link_stock(book: &mut Book) {
    for command in stock_commands() {
        run(book, &command, &op(0));
    }
}

fn all_lines(book: &Book, order: OrderId) -> Vec<ClaimPick> {
    book.orders[&order]
        .shipping_lines()
        .map(|line| ClaimPick {
            line: line.id,
            quantity: line.quantity,
            split_line: None,
        })
        .collect()
}

fn claim_request(claim: ClaimId, order: OrderId, lines: Vec<ClaimPick>) -> ClaimRequest {
    ClaimRequest {
        claim,
        order,
        lines,
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        memo: "고객 요청".into(),
    }
}
