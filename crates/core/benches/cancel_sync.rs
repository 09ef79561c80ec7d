//! Cancel-sync benchmark (run: `cargo bench -p jumun-core --bench cancel_sync`).
//!
//! Prints, on this machine, the time of `cancel_sync::match_cancels` for 100,000 marketplace
//! cancel records against a book of 1,000,000 lines (500,000 orders × 2 lines, 17 marketplaces of
//! the built-in table with their own keys); aim < 1 s. Also prints what building that book costs
//! (collecting the orders, invoicing some) and a full rebuild of the derived indexes, and the
//! verdict counts, so a reader sees the matching did real work.
//!
//! Figures are printed, never asserted. The only check is for correctness: every record that
//! names an existing unshipped line by its primary key must be matched by that key; a failed
//! check exits non-zero with a message.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jumun_core::cancel_sync::{match_cancels, CancelMatch, CancelRecord, CancelVerdict, KeyUsed};
use jumun_core::carrier::Carrier;
use jumun_core::ids::{IdBlock, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, NewLine, NewOrder, Payment};
use jumun_core::{Book, Command, Ctx};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration as StdDuration, Instant};

const ORDERS: u64 = 500_000;
const LINES_PER_ORDER: u64 = 2;
const RECORDS: usize = 100_000;
const PRODUCTS: u64 = 3_000;
const RUNS: usize = 5;

/// Marketplaces of the built-in table, with a weight each, a cancel word from the table and
/// whether the bench builds fallback records for it (the primary key part the record lacks).
struct Market {
    code: &'static str,
    weight: u64,
    cancel_word: &'static str,
    fallback: Option<Missing>,
}

/// The part of the primary key a fallback record lacks.
#[derive(Clone, Copy)]
enum Missing {
    LineNo,
    LineNo2,
    ProductCode,
    Code18,
}

const MARKETS: &[Market] = &[
    market("coupang", 22, "출고중지요청", None),
    market("smartstore", 18, "취소요청", None),
    market("cafe24", 9, "취소접수-관리자", None),
    market("11st", 8, "취소신청", None),
    market("zigzag", 6, "취소요청중", Some(Missing::LineNo2)),
    market("brandi", 4, "주문취소중", Some(Missing::LineNo2)),
    market("shinsegae", 3, "주문취소", None),
    market("emart", 3, "주문취소", None),
    market("auction", 4, "취소요청", None),
    market("interpark", 3, "취소요청", Some(Missing::LineNo)),
    market("29cm", 3, "취소완료", None),
    market("akmall", 2, "취소완료", None),
    market("wemakeprice2", 3, "취소승인", Some(Missing::Code18)),
    market("player", 2, "주문취소", Some(Missing::ProductCode)),
    market("godomall", 4, "고객요청취소", Some(Missing::LineNo)),
    market("tmon", 3, "출고전 취소요청", None),
    market("fashionplus", 3, "취소신청", None),
];

const fn market(
    code: &'static str,
    weight: u64,
    cancel_word: &'static str,
    fallback: Option<Missing>,
) -> Market {
    Market {
        code,
        weight,
        cancel_word,
        fallback,
    }
}

/// Status words marketplaces send that are not cancel words (R25).
const OTHER_WORDS: &[&str] = &["배송중", "결제완료", "배송준비중", "교환요청", "반품요청"];

/// How far an order of the book has come.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    AwaitingPayment,
    Preparing,
    Printed,
    Shipped,
}

struct Meta {
    id: OrderId,
    market: usize,
    stage: Stage,
}

fn main() -> ExitCode {
    println!("== jumun-core bench: cancel_sync ==");
    println!(
        "cores available: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    let result = bench();
    println!();
    println!("peak memory (VmHWM): {}", proc_status("VmHWM:"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("CHECK FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<(), String> {
    let mut rng = Rng(0x5eed_0003);
    let mut book = Book::new();
    let mut meta: Vec<Meta> = Vec::with_capacity(ORDERS as usize);

    // Collect 500,000 orders (5% unpaid bank transfers).
    let started = Instant::now();
    for n in 0..ORDERS {
        let id = OrderId(n + 1);
        let market = rng.market();
        let unpaid = rng.below(100) < 5;
        let payment = if unpaid {
            Payment::BankTransfer { deadline: at(72) }
        } else {
            Payment::Paid
        };
        let new = new_order(&mut rng, id, market, payment);
        let ctx = Ctx::sync(&new.marketplace, at(0));
        book.execute(&Command::CollectOrder(new), &ctx)
            .map_err(|refusal| format!("bench data: collecting order {id} refused: {refusal}"))?;
        let stage = if unpaid {
            Stage::AwaitingPayment
        } else {
            Stage::Preparing
        };
        meta.push(Meta { id, market, stage });
    }
    let collected = started.elapsed();
    let lines: usize = book.orders.values().map(|o| o.lines.len()).sum();
    println!(
        "book: {} orders, {lines} lines over {} marketplaces",
        book.orders.len(),
        MARKETS.len()
    );
    println!(
        "  collect (Book::execute of CollectOrder, indexes kept up to date): {} | {} orders/s",
        ms(collected),
        per_sec(ORDERS as usize, collected)
    );

    // 8% of the paid orders printed, 7% shipped, so cancels meet held as well as open lines.
    let started = Instant::now();
    let mut commands = 0usize;
    for m in meta.iter_mut().filter(|m| m.stage == Stage::Preparing) {
        let roll = rng.below(100);
        if roll >= 15 {
            continue;
        }
        let order = m.id;
        let mut steps = vec![
            Command::IssueInvoice {
                order,
                carrier: Carrier::cj(),
                tracking_no: format!("6{:011}", order.0),
            },
            Command::PrintInvoice { order },
        ];
        m.stage = Stage::Printed;
        if roll >= 8 {
            steps.push(Command::Ship { order });
            m.stage = Stage::Shipped;
        }
        for step in &steps {
            book.execute(step, &op(2))
                .map_err(|refusal| format!("bench data: {step:?} refused: {refusal}"))?;
            commands += 1;
        }
    }
    let advanced = started.elapsed();
    println!(
        "  invoice/print/ship 15% of the orders ({commands} commands): {} | {} commands/s",
        ms(advanced),
        per_sec(commands, advanced)
    );

    let started = Instant::now();
    book.rebuild_indexes();
    let rebuilt = started.elapsed();
    println!(
        "  Book::rebuild_indexes (line index, tracking, order nos, line owners; as after loading a \
         snapshot): {} | {} lines/s",
        ms(rebuilt),
        per_sec(lines, rebuilt)
    );
    println!(
        "  memory with the book built: VmRSS {}",
        proc_status("VmRSS:")
    );

    // 100,000 records: 70% by primary key on unshipped lines, 10% needing the fallback key, 10%
    // naming no line, 10% with a status word that is not a cancel word.
    let started = Instant::now();
    let (records, categories) = make_records(&mut rng, &book, &meta);
    println!(
        "records: {} built in {}",
        records.len(),
        ms(started.elapsed())
    );

    let mut times = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let found = match_cancels(&book, &records);
        times.push(started.elapsed());
        answers = found;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "match_cancels: {} records against {lines} lines: best {} median {} ({RUNS} runs) | {} \
         records/s (median)",
        records.len(),
        ms(times[0]),
        ms(median),
        per_sec(records.len(), median)
    );
    print_verdicts(&answers, &categories);
    check(&answers, &categories)?;
    println!(
        "aim: matching 100,000 cancels against 1,000,000 lines < 1 s -> {}",
        if median < StdDuration::from_secs(1) {
            format!("met ({})", ms(median))
        } else {
            format!("MISSED ({})", ms(median))
        }
    );

    // The same batch as the command a sync runs: decide (read-only) the events it would make.
    let command = Command::SyncCancels {
        records,
        ids: IdBlock::new(10_000_000_000, 2 * RECORDS as u64 + 2),
    };
    let started = Instant::now();
    let changes = book
        .decide(&command, &op(3))
        .map_err(|refusal| format!("SyncCancels refused: {refusal}"))?;
    let decided = started.elapsed();
    println!(
        "Book::decide(SyncCancels) of the same {RECORDS} records (matching + the changes): {} -> \
         {} changes",
        ms(decided),
        changes.len()
    );
    Ok(())
}

/// What a record was built to be.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Category {
    Primary,
    Fallback,
    Unmatched,
    NotACancelWord,
}

fn make_records(rng: &mut Rng, book: &Book, meta: &[Meta]) -> (Vec<CancelRecord>, Vec<Category>) {
    let mut records = Vec::with_capacity(RECORDS);
    let mut categories = Vec::with_capacity(RECORDS);
    let open: Vec<&Meta> = meta
        .iter()
        .filter(|m| matches!(m.stage, Stage::AwaitingPayment | Stage::Preparing))
        .collect();
    let with_fallback: Vec<&Meta> = meta
        .iter()
        .filter(|m| MARKETS[m.market].fallback.is_some())
        .collect();
    let primary = RECORDS * 7 / 10;
    let tenth = RECORDS / 10;
    // Distinct orders for the primary records: a strided walk over the open orders.
    let stride = 7_919; // a prime not dividing the count, so the walk visits distinct orders
    let start = rng.below(open.len() as u64) as usize;
    for k in 0..primary {
        let m = open[(start + k * stride) % open.len()];
        records.push(record_for(
            rng,
            book,
            m,
            MARKETS[m.market].cancel_word,
            None,
        ));
        categories.push(Category::Primary);
    }
    for _ in 0..tenth {
        let m = with_fallback[rng.below(with_fallback.len() as u64) as usize];
        let market = &MARKETS[m.market];
        records.push(record_for(
            rng,
            book,
            m,
            market.cancel_word,
            market.fallback,
        ));
        categories.push(Category::Fallback);
    }
    for k in 0..tenth {
        let market = &MARKETS[rng.below(MARKETS.len() as u64) as usize];
        let order_no = format!("NX{:010}", k);
        records.push(CancelRecord {
            marketplace: MarketplaceCode::from(market.code),
            status: market.cancel_word.into(),
            keys: line_keys(market.code, &order_no, 0, rng.below(PRODUCTS), 0),
            quantity: None,
            claim_no: Some(format!("CX{k}")),
            reported_at: at(3),
        });
        categories.push(Category::Unmatched);
    }
    for _ in 0..tenth {
        let m = &meta[rng.below(meta.len() as u64) as usize];
        let word = OTHER_WORDS[rng.below(OTHER_WORDS.len() as u64) as usize];
        records.push(record_for(rng, book, m, word, None));
        categories.push(Category::NotACancelWord);
    }
    // Shuffle, so the batch is not grouped by kind (Fisher–Yates).
    for i in (1..records.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        records.swap(i, j);
        categories.swap(i, j);
    }
    (records, categories)
}

/// A record naming one line of an order, with all its keys, or without one part of the primary
/// key (so only the fallback can find it).
fn record_for(
    rng: &mut Rng,
    book: &Book,
    m: &Meta,
    status: &str,
    missing: Option<Missing>,
) -> CancelRecord {
    let order = &book.orders[&m.id];
    let line = &order.lines[rng.below(order.lines.len() as u64) as usize];
    let mut keys = line.keys.clone();
    match missing {
        Some(Missing::LineNo) => keys.line_no = None,
        Some(Missing::LineNo2) => keys.line_no2 = None,
        Some(Missing::ProductCode) => keys.product_code = None,
        Some(Missing::Code18) => {
            keys.codes.remove("code18");
        }
        None => {}
    }
    CancelRecord {
        marketplace: order.marketplace.clone(),
        status: status.into(),
        keys,
        quantity: None,
        claim_no: Some(format!("C{}-{}", m.id.0, line.id.0)),
        reported_at: at(3),
    }
}

fn verdict_name(answer: &CancelMatch) -> &'static str {
    match answer.verdict {
        CancelVerdict::Applies { ref hold, .. } if hold.is_empty() => "cancels",
        CancelVerdict::Applies { ref cancel, .. } if cancel.is_empty() => "holds",
        CancelVerdict::Applies { .. } => "cancels+holds",
        CancelVerdict::Withdraws { .. } => "withdraws",
        CancelVerdict::AlreadyApplied => "already applied",
        CancelVerdict::Unmatched => "unmatched",
        CancelVerdict::NotACancel => "not a cancel",
        CancelVerdict::UnknownMarketplace => "unknown marketplace",
    }
}

fn key_name(answer: &CancelMatch) -> &'static str {
    match answer.key_used {
        Some(KeyUsed::Primary(_)) => "primary",
        Some(KeyUsed::Fallback(_)) => "fallback",
        None => "none",
    }
}

fn print_verdicts(answers: &[CancelMatch], categories: &[Category]) {
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<Category, BTreeMap<String, usize>> = BTreeMap::new();
    let mut cancelled = 0usize;
    let mut held = 0usize;
    for answer in answers {
        *verdicts.entry(verdict_name(answer)).or_default() += 1;
        *keys.entry(key_name(answer)).or_default() += 1;
        if let CancelVerdict::Applies { cancel, hold } = &answer.verdict {
            cancelled += cancel.len();
            held += hold.len();
        }
        *by_category
            .entry(categories[answer.record])
            .or_default()
            .entry(format!("{} by {}", verdict_name(answer), key_name(answer)))
            .or_default() += 1;
    }
    println!("  verdicts: {verdicts:?}");
    println!("  key used: {keys:?}");
    println!("  lines to cancel: {cancelled}, lines to hold (printed or shipped): {held}");
    for (category, counts) in by_category {
        println!("  built as {category:?}: {counts:?}");
    }
}

/// Correctness, not time: every primary record names an open line and must cancel it by the
/// primary key; every record built to match nothing must be unmatched.
fn check(answers: &[CancelMatch], categories: &[Category]) -> Result<(), String> {
    if answers.len() != categories.len() {
        return Err(format!(
            "{} answers for {} records",
            answers.len(),
            categories.len()
        ));
    }
    for answer in answers {
        let ok = match categories[answer.record] {
            Category::Primary => {
                matches!(answer.key_used, Some(KeyUsed::Primary(_)))
                    && matches!(&answer.verdict, CancelVerdict::Applies { cancel, hold }
                        if !cancel.is_empty() && hold.is_empty())
            }
            Category::Fallback => matches!(answer.key_used, Some(KeyUsed::Fallback(_))),
            Category::Unmatched => answer.verdict == CancelVerdict::Unmatched,
            Category::NotACancelWord => answer.verdict == CancelVerdict::NotACancel,
        };
        if !ok {
            return Err(format!(
                "record {} built as {:?} got {:?}",
                answer.record, categories[answer.record], answer
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// generated data

/// A small deterministic generator (splitmix64): the benches need no randomness crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A marketplace's position in `MARKETS`, by weight.
    fn market(&mut self) -> usize {
        let total: u64 = MARKETS.iter().map(|m| m.weight).sum();
        let mut roll = self.below(total);
        for (i, m) in MARKETS.iter().enumerate() {
            if roll < m.weight {
                return i;
            }
            roll -= m.weight;
        }
        0
    }
}

/// 2026-11-02 09:00 KST plus `hours`.
fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .expect("a valid date")
        + Duration::hours(hours)
}

fn op(hours: i64) -> Ctx {
    Ctx::operator("출고담당", at(hours))
}

fn product_name(product: u64) -> String {
    format!("오버핏 니트 가디건 {product:04}")
}

fn option_name(option: u64) -> String {
    const COLOURS: [&str; 5] = ["블랙", "아이보리", "네이비", "차콜", "베이지"];
    const SIZES: [&str; 3] = ["S", "M", "L"];
    format!(
        "{}/{}",
        COLOURS[(option % 5) as usize],
        SIZES[(option / 5 % 3) as usize]
    )
}

/// The keys a marketplace sends for line `n` (0-based) of an order.
fn line_keys(
    marketplace: &str,
    order_no: &str,
    n: usize,
    product: u64,
    option: u64,
) -> MarketplaceKeys {
    let mut keys = MarketplaceKeys {
        order_no: order_no.to_owned(),
        line_no: Some(format!("{order_no}{:02}", n + 1)),
        product_code: Some(format!("P{product:05}")),
        product_name: Some(product_name(product)),
        option: Some(option_name(option)),
        option_id: Some(format!("{}", 100_000 + product * 15 + option)),
        ..Default::default()
    };
    match marketplace {
        "coupang" => {
            // Coupang sends no line number; its vendor item id (code6) names the option.
            keys.line_no = None;
            keys.codes.insert(
                "code6".into(),
                format!("{}", 80_000_000_000 + product * 15 + option),
            );
        }
        "shinsegae" | "emart" => {
            keys.codes.insert("code4".into(), format!("{:03}", n + 1));
        }
        "brandi" | "zigzag" => {
            keys.line_no2 = Some(format!("{}{:02}", &order_no[2..], n + 1));
        }
        "wemakeprice2" => {
            keys.codes
                .insert("code18".into(), format!("{order_no}-{n}"));
        }
        "player" => {
            keys.codes
                .insert("code22".into(), format!("ST{product:05}{option:02}"));
        }
        _ => {}
    }
    keys
}

fn order_no(marketplace: &str, id: OrderId) -> String {
    match marketplace {
        "coupang" => format!("3{:012}", id.0 * 7),
        "smartstore" => format!("20261102{:08}", id.0),
        "cafe24" => format!("20261102-{:07}", id.0),
        "11st" => format!("2026110{:09}", id.0),
        _ => format!("{}{:010}", &marketplace[..2].to_uppercase(), id.0),
    }
}

fn new_order(rng: &mut Rng, id: OrderId, market: usize, payment: Payment) -> NewOrder {
    let marketplace = MARKETS[market].code;
    let order_no = order_no(marketplace, id);
    let first_product = rng.below(PRODUCTS);
    let lines = (0..LINES_PER_ORDER as usize)
        .map(|n| {
            // Distinct products within an order, so every line has its own keys.
            let product = (first_product + n as u64 * 101) % PRODUCTS;
            let option = rng.below(15);
            NewLine {
                id: LineId(id.0 * LINES_PER_ORDER + n as u64),
                keys: line_keys(marketplace, &order_no, n, product, option),
                product_name: product_name(product),
                option: option_name(option),
                quantity: 1 + (rng.below(10) / 8) as u32,
                unit_price: Won(19_900 + 1_000 * (product % 30) as i64),
                option_price: Won::ZERO,
            }
        })
        .collect();
    NewOrder {
        id,
        marketplace: MarketplaceCode::from(marketplace),
        order_no,
        ordered_at: at(-2),
        payment,
        paid_at: None,
        delivery: DeliveryInfo {
            orderer_name: format!("구매자{}", id.0),
            orderer_phone: format!("010-{:04}-{:04}", id.0 % 10_000, (id.0 / 7) % 10_000),
            recipient_name: format!("구매자{}", id.0),
            recipient_phone: format!("010-{:04}-{:04}", id.0 % 10_000, (id.0 / 7) % 10_000),
            recipient_landline: String::new(),
            postcode: format!("{:05}", 1_000 + id.0 % 60_000),
            address: format!("경기도 성남시 분당구 판교역로 {}", id.0 % 300),
            memo: String::new(),
        },
        lines,
        no_bundle: false,
    }
}

// ---------------------------------------------------------------------------------------------
// printing

fn ms(d: StdDuration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn per_sec(n: usize, d: StdDuration) -> String {
    let rate = n as f64 / d.as_secs_f64().max(1e-9);
    if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else {
        format!("{:.0} k", rate / 1e3)
    }
}

fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .map(|line| line[field.len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "n/a (no /proc/self/status)".into())
}
