//! Ingest throughput (run: `cargo bench -p jumun-server --bench ingest`).
//!
//! Prints, on this machine, how fast collected marketplace orders go into the server's database
//! (SQLite, and PostgreSQL when one is at hand) through the one real write path (decide with `jumun-core`, commit the events in one
//! transaction, then apply):
//!
//! - **ledger**: `N` (default 20,000; `JUMUN_BENCH_ORDERS`) `Command::CollectOrder` through
//!   `Ledger::execute_marketplace` one by one, as the collector does, over `Database::open` in a
//!   temporary data directory (ids from `Ledger::reserve_ids`, one block per page of 100 orders);
//!   orders/s, events/s, per-order latency, database size; then the book rebuilt from the log as
//!   after a restart;
//! - **ledger, synchronous=NORMAL**: the same with SQLite's `synchronous` lowered from the
//!   server's `FULL` to `NORMAL` on the bench's connection — a diagnostic of what the fsync per
//!   commit costs, not a setting the server uses;
//! - **HTTP**: the same orders through `POST /api/ops` in pushes of 100 keyed operations (ids
//!   from `POST /api/ids`) over loopback HTTP to a real server, as browsers push;
//! - the disk's own `fdatasync` latency, to read the above against;
//! - **PostgreSQL**: the ledger and HTTP phases again on a fresh PostgreSQL database, when
//!   `JUMUN_TEST_POSTGRES` names a server the bench may create databases on (an admin URL such
//!   as `postgres://jumun@127.0.0.1:5432/postgres`); otherwise a line says it was skipped.
//!
//! Figures are printed, never asserted: the only checks are for correctness (every order
//! accepted, the rebuilt book holds every order), and a failed check exits non-zero.

mod common;

use chrono::Utc;
use common::{Client, DEMO};
use jumun_bench::figures::{begin, cpu_time, env_number, finish, mb, ms, per_sec, Latencies};
use jumun_bench::orders::{arriving_order, Rng, IDS_PER_ORDER};
use jumun_core::ids::IdBlock;
use jumun_core::Command;
use jumun_server::accounts::{Accounts, NewStore, NewUser, Role};
use jumun_server::db::{testing, Database, DatabaseLocation};
use jumun_server::sync::Ledger;
use serde_json::{json, Value};
use std::io::{Seek, SeekFrom, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Orders per id block (ledger) and per push (HTTP).
const PAGE: u64 = 100;
/// The data's seed: every run ingests the same orders.
const SEED: u64 = 0x1a9e_5700_0001;

fn main() -> ExitCode {
    let orders = env_number("JUMUN_BENCH_ORDERS", 20_000);
    begin("jumun-server bench: ingest");
    println!("orders per phase: {orders} (JUMUN_BENCH_ORDERS)");
    println!();
    let result = run(orders);
    finish(result)
}

fn run(orders: u64) -> Result<(), String> {
    fsync_probe()?;
    println!();
    ingest_ledger(orders, Store::Sqlite("FULL"), true)?;
    println!();
    ingest_ledger(orders, Store::Sqlite("NORMAL"), false)?;
    println!();
    ingest_http(orders, None)?;
    println!();
    match testing::postgres_url() {
        None => println!(
            "PostgreSQL: skipped — set {}=postgres://user@host:port/postgres (a server the \
             bench may create databases on) to measure it",
            testing::POSTGRES_VAR
        ),
        Some(_) => {
            let url = testing::fresh_postgres_url().ok_or("no PostgreSQL URL")?;
            ingest_ledger(orders, Store::Postgres(url), true)?;
            println!();
            let url = testing::fresh_postgres_url().ok_or("no PostgreSQL URL")?;
            ingest_http(orders, Some(url))?;
        }
    }
    Ok(())
}

/// What one phase measured.
struct Phase {
    orders: usize,
    lines: usize,
    events: usize,
    wall: Duration,
    cpu: Duration,
    latencies: Latencies,
}

impl Phase {
    fn print(&self, latency_of: &str) {
        println!(
            "{} orders ({} lines, {:.2} per order) → {} events in {:.2} s",
            self.orders,
            self.lines,
            self.lines as f64 / self.orders as f64,
            self.events,
            self.wall.as_secs_f64()
        );
        println!(
            "throughput: {} orders/s | {} events/s",
            per_sec(self.orders, self.wall),
            per_sec(self.events, self.wall)
        );
        println!(
            "latency per {latency_of} ({} samples): {}",
            self.latencies.len(),
            self.latencies.summary()
        );
        println!(
            "process CPU: {:.2} s over {:.2} s wall ({:.0}% of one core)",
            self.cpu.as_secs_f64(),
            self.wall.as_secs_f64(),
            100.0 * self.cpu.as_secs_f64() / self.wall.as_secs_f64().max(1e-9)
        );
    }
}

/// The disk under the temporary directory: 4 KiB appended and `fdatasync`ed, 300 times.
fn fsync_probe() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    println!(
        "-- disk: 4 KiB written + fdatasync, 300 times, in {} --",
        std::env::temp_dir().display()
    );
    let block = [0x5au8; 4096];
    // Appending grows the file, so each sync also writes its size (as a growing WAL does);
    // overwriting a preallocated file does not (as a WAL reused after a checkpoint does).
    for (name, append) in [("appended", true), ("overwritten", false)] {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).map_err(|e| format!("probe file: {e}"))?;
        if !append {
            file.write_all(&[0u8; 300 * 4096])
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("probe file: {e}"))?;
        }
        let mut times = Vec::new();
        for i in 0..300u64 {
            let started = Instant::now();
            if !append {
                file.seek(SeekFrom::Start(i * 4096))
                    .map_err(|e| format!("probe seek: {e}"))?;
            }
            file.write_all(&block)
                .and_then(|()| file.sync_data())
                .map_err(|e| format!("probe write: {e}"))?;
            times.push(started.elapsed());
        }
        println!("{name:<11}: {}", Latencies::new(times).summary());
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

/// Where a phase writes.
enum Store {
    /// SQLite in a temporary data directory, with this `synchronous` setting.
    Sqlite(&'static str),
    /// This (fresh) PostgreSQL database.
    Postgres(String),
}

/// `orders` collected orders through `Ledger::execute_marketplace`, one by one.
fn ingest_ledger(orders: u64, store: Store, rebuild: bool) -> Result<(), String> {
    let engine = match &store {
        Store::Sqlite(synchronous) => {
            println!(
                "-- ledger (Ledger::execute_marketplace, the collector's path): SQLite, synchronous={synchronous}{} --",
                if *synchronous == "FULL" {
                    " (the server's setting)"
                } else {
                    " (diagnostic only: the server uses FULL)"
                }
            );
            "SQLite"
        }
        Store::Postgres(_) => {
            println!(
                "-- ledger (Ledger::execute_marketplace, the collector's path): PostgreSQL, synchronous_commit=on --"
            );
            "PostgreSQL"
        }
    };
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let data_dir = dir.path().to_owned();
    let location = match &store {
        Store::Sqlite(_) => DatabaseLocation::Sqlite {
            data_dir: data_dir.clone(),
        },
        Store::Postgres(url) => DatabaseLocation::Postgres { url: url.clone() },
    };
    let runtime = runtime()?;
    let phase = runtime.block_on(async {
        let now = Utc::now();
        let db = Database::connect(&location, &now.to_rfc3339()).map_err(|e| e.to_string())?;
        if let Store::Sqlite(mode) = store {
            db.with(move |conn| {
                conn.execute_batch(&format!("PRAGMA synchronous = {mode}"))?;
                Ok(())
            })
            .await
            .map_err(|e| e.to_string())?;
        }
        let accounts = Accounts::new(db.clone());
        let (store, _) = accounts
            .create_store(
                NewStore {
                    code: "bench".into(),
                    name: "벤치 상점".into(),
                },
                NewUser {
                    login: "boss".into(),
                    name: "사장".into(),
                    role: Role::Owner,
                    password: "boss-password".into(),
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
        let ledger = Ledger::new(db.clone());

        let mut rng = Rng(SEED);
        let (mut lines, mut events) = (0usize, 0usize);
        let mut latencies = Vec::with_capacity(orders as usize);
        let cpu = cpu_time();
        let started = Instant::now();
        let mut n = 0u64;
        while n < orders {
            let page = PAGE.min(orders - n);
            let mut ids = ledger
                .reserve_ids(store.id, page * IDS_PER_ORDER)
                .await
                .map_err(|e| e.to_string())?;
            for _ in 0..page {
                let order =
                    arriving_order(&mut rng, n, &mut ids, Utc::now()).map_err(|e| e.to_string())?;
                lines += order.lines.len();
                let marketplace = order.marketplace.clone();
                let sent = Instant::now();
                let outcome = ledger
                    .execute_marketplace(
                        store.id,
                        &marketplace,
                        Command::CollectOrder(order),
                        Utc::now(),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                latencies.push(sent.elapsed());
                if !outcome.is_accepted() {
                    return Err(format!("order {n} not accepted: {:?}", outcome.result));
                }
                events += outcome.events.len();
                n += 1;
            }
        }
        let phase = Phase {
            orders: orders as usize,
            lines,
            events,
            wall: started.elapsed(),
            cpu: cpu_time().saturating_sub(cpu),
            latencies: Latencies::new(latencies),
        };
        phase.print("order (execute_marketplace)");

        if rebuild {
            // A restart: a fresh ledger over the same database replays the store's events.
            let fresh = Ledger::new(db.clone());
            let started = Instant::now();
            let held = fresh
                .read(store.id, |book| book.orders.len())
                .await
                .map_err(|e| e.to_string())?;
            let took = started.elapsed();
            if held != orders as usize {
                return Err(format!("rebuilt book holds {held} orders, not {orders}"));
            }
            println!(
                "rebuild after restart: {} events replayed from {engine} into a book of {held} \
                 orders in {} ({} events/s)",
                phase.events,
                ms(took),
                per_sec(phase.events, took)
            );
        }
        Ok(())
    });
    drop(runtime);
    phase?;
    print_database(&location, orders)
}

/// The database once closed: its size (SQLite: with the WAL checkpointed into it), and its
/// events.
fn print_database(location: &DatabaseLocation, orders: u64) -> Result<(), String> {
    let stored = common::stored(location)?;
    println!(
        "database, closed{}: {} ({} bytes per order; {} events of {:.0} bytes \
         of JSON on average)",
        match location {
            DatabaseLocation::Sqlite { .. } => " and checkpointed",
            DatabaseLocation::Postgres { .. } => " (pg_database_size, after VACUUM)",
        },
        mb(stored.file_bytes),
        stored.file_bytes / orders.max(1),
        stored.events,
        stored.event_json_bytes
    );
    Ok(())
}

/// The same orders through `POST /api/ops`, 100 keyed operations per push, over loopback HTTP.
fn ingest_http(orders: u64, postgres: Option<String>) -> Result<(), String> {
    println!(
        "-- HTTP: POST /api/ops, pushes of {PAGE} CollectOrder ops, loopback, {} --",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite, synchronous=FULL"
        }
    );
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let location = match &postgres {
        Some(url) => DatabaseLocation::Postgres { url: url.clone() },
        None => DatabaseLocation::Sqlite {
            data_dir: dir.path().to_owned(),
        },
    };
    let server = common::start_on(dir.path(), postgres);
    let client = Client::login(&server.base, DEMO)?;

    let mut rng = Rng(SEED);
    let (mut lines, mut events) = (0usize, 0usize);
    let mut pushes = Vec::new();
    let cpu = cpu_time();
    let started = Instant::now();
    let mut n = 0u64;
    while n < orders {
        let page = PAGE.min(orders - n);
        let block = client.post("/api/ids", &json!({ "count": page * IDS_PER_ORDER }))?;
        let start = block["start"]
            .as_u64()
            .ok_or_else(|| format!("POST /api/ids: {block}"))?;
        let mut ids = IdBlock::new(start, page * IDS_PER_ORDER);
        let now = Utc::now();
        let mut ops = Vec::with_capacity(page as usize);
        for i in 0..page {
            let order =
                arriving_order(&mut rng, n + i, &mut ids, now).map_err(|e| e.to_string())?;
            lines += order.lines.len();
            ops.push(json!({
                "key": format!("ingest-{}", n + i),
                "at": now.to_rfc3339(),
                "command": Command::CollectOrder(order),
            }));
        }
        let body = json!({ "ops": ops });
        let sent = Instant::now();
        let answer = client.post("/api/ops", &body)?;
        pushes.push(sent.elapsed());
        let results = answer["results"]
            .as_array()
            .ok_or_else(|| format!("POST /api/ops: no results: {answer}"))?;
        if results.len() != page as usize {
            return Err(format!("{} answers to {page} ops", results.len()));
        }
        for result in results {
            if result["status"] != "accepted" {
                return Err(format!("an order was not accepted: {result}"));
            }
            events += result["events"].as_u64().unwrap_or(0) as usize;
        }
        n += page;
    }
    let wall = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    let per_order: Vec<Duration> = pushes.iter().map(|d| *d / PAGE as u32).collect();
    let phase = Phase {
        orders: orders as usize,
        lines,
        events,
        wall,
        cpu,
        latencies: Latencies::new(pushes),
    };
    phase.print(&format!("push of {PAGE} ops"));
    println!(
        "per order inside a push (push time / {PAGE}): {}",
        Latencies::new(per_order).summary()
    );
    let head: Value = client.get("/api/changes?limit=1")?;
    if head["head"].as_u64() != Some(events as u64) {
        return Err(format!(
            "the log's head is {}, expected {events}",
            head["head"]
        ));
    }
    println!("(client and server share this process and its cores)");
    server.stop();
    print_database(&location, orders)
}
