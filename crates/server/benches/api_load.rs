//! API latency under load (run: `cargo bench -p jumun-server --bench api_load`).
//!
//! Starts the real server (bench profile) on a loopback port over a temporary data directory
//! holding a store of 10,000 collected orders (`JUMUN_BENCH_STORE_ORDERS`), most of them
//! invoiced and printed, then drives it from an open-loop load generator in the same process:
//! requests are sent on a fixed schedule (200, 500, 1,000 and 2,000 req/s by default, `JUMUN_BENCH_RATES`, for
//! 10 s each, `JUMUN_BENCH_SECS`) whether or not earlier ones were answered, and each latency is
//! measured from the moment its request was *due*, so a slow server cannot hide its slowness by
//! slowing the generator down (no coordinated omission). The mix:
//!
//! - 70% `GET /api/changes?since=<random>&limit=100` (a page of the log; `JUMUN_BENCH_PAGE`);
//! - 20% `POST /api/ops` with one operation: `Ship` of a printed order or `PlaceHold` of
//!   another, half each (one SQLite transaction with its fsync each);
//! - 10% `GET /api/me`.
//!
//! Prints the achieved rate, p50/p90/p99/p99.9/max latency overall and per kind, and errors
//! (non-200 answers, transport errors, requests the generator gave up on after 30 s). Every
//! request has a 10 s timeout, so a run is bounded. Loopback only.
//!
//! The database is SQLite in the temporary data directory; with `JUMUN_BENCH_DATABASE=postgres`
//! it is a fresh database on the PostgreSQL server `JUMUN_TEST_POSTGRES` names (an admin URL, as
//! for the tests).
//!
//! Figures are printed, never asserted: timeouts and slow answers under overload are figures
//! too. The checks are for correctness (every operation accepted, no 4xx answer), and a failed
//! check exits non-zero after printing everything.

mod common;

use chrono::Utc;
use common::{database_sizes, Client, DEMO};
use jumun_bench::figures::{begin, cpu_time, env_number, finish, mb, ms, per_sec, Latencies};
use jumun_bench::orders::{arriving_order, Rng, IDS_PER_ORDER};
use jumun_core::carrier::Carrier;
use jumun_core::ids::OrderId;
use jumun_core::order::Payment;
use jumun_core::{Command, Ctx};
use jumun_server::accounts::Accounts;
use jumun_server::db::{testing, Database, DatabaseLocation, Engine};
use jumun_server::sync::Ledger;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Blocking HTTP workers of the load generator (each with its own keep-alive connection).
const WORKERS: usize = 64;
/// A request not yet sent this long after it was due is given up (counted as an error).
const GIVE_UP: Duration = Duration::from_secs(30);
/// Per-request timeout.
const TIMEOUT: Duration = Duration::from_secs(10);
const SEED: u64 = 0xa91_10ad;

fn main() -> ExitCode {
    let orders = env_number("JUMUN_BENCH_STORE_ORDERS", 10_000);
    let secs = env_number("JUMUN_BENCH_SECS", 10);
    let page = env_number("JUMUN_BENCH_PAGE", 100);
    let rates: Vec<u64> = std::env::var("JUMUN_BENCH_RATES")
        .unwrap_or_else(|_| "200,500,1000,2000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    begin("jumun-server bench: api_load");
    println!(
        "store: {orders} orders | rates {rates:?} req/s × {secs} s | changes page {page} | \
         {WORKERS} generator threads | timeout {} s",
        TIMEOUT.as_secs()
    );
    println!();
    let result = run(orders, secs, page, &rates);
    // The server and the load generator share this process: the peak memory is theirs together.
    finish(result)
}

/// The database the bench runs on: `JUMUN_BENCH_DATABASE` (`sqlite`, the default, or
/// `postgres`).
fn location(data_dir: &Path) -> Result<DatabaseLocation, String> {
    match std::env::var("JUMUN_BENCH_DATABASE").as_deref() {
        Err(_) | Ok("" | "sqlite") => Ok(DatabaseLocation::Sqlite {
            data_dir: data_dir.to_owned(),
        }),
        Ok("postgres") => match testing::fresh_postgres_url() {
            Some(url) => Ok(DatabaseLocation::Postgres { url }),
            None => Err(format!(
                "JUMUN_BENCH_DATABASE=postgres needs {}=postgres://user@host:port/postgres \
                 (a server the bench may create a database on)",
                testing::POSTGRES_VAR
            )),
        },
        Ok(other) => Err(format!(
            "JUMUN_BENCH_DATABASE={other:?}: say sqlite or postgres"
        )),
    }
}

fn run(orders: u64, secs: u64, page: u64, rates: &[u64]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let location = location(dir.path())?;
    println!("database: {}", location.describe());
    let targets = prefill(&location, orders)?;
    let database_url = match &location {
        DatabaseLocation::Postgres { url } => Some(url.clone()),
        DatabaseLocation::Sqlite { .. } => None,
    };
    let server = common::start_on(dir.path(), database_url);
    let client = Client::login(&server.base, DEMO)?;

    // The server's first write builds the store's book from its log.
    let first = Instant::now();
    let answer = client.post(
        "/api/ops",
        &json!({"ops": [{
            "key": "warm-up",
            "at": Utc::now().to_rfc3339(),
            "command": Command::AddMemo {
                order: OrderId(targets.printed[targets.printed.len() / 2]),
                text: "벤치마크 시작".into(),
                kind: jumun_core::order::MemoKind::Order,
            },
        }]}),
    )?;
    if answer["results"][0]["status"] != "accepted" {
        return Err(format!("warm-up memo: {answer}"));
    }
    let head = client.get("/api/changes?limit=1")?["head"]
        .as_u64()
        .unwrap_or(0);
    println!(
        "first write after start (builds the book from {head} events): {}",
        ms(first.elapsed())
    );

    let shared = Arc::new(Shared {
        base: server.base.clone(),
        bearer: client.bearer(),
        printed: targets.printed,
        ship_next: AtomicUsize::new(0),
        hold_next: AtomicUsize::new(0),
        page,
        head,
    });
    // Warm-up: connections opened, caches filled; not reported.
    let warm = load(&shared, 50, Duration::from_secs(2), SEED ^ 1);
    println!(
        "warm-up: 100 requests at 50 req/s, {} errors (not reported below)",
        warm.errors()
    );

    let mut failures = Vec::new();
    for (i, rate) in rates.iter().enumerate() {
        println!();
        let cpu = cpu_time();
        let run = load(
            &shared,
            *rate,
            Duration::from_secs(secs),
            SEED + i as u64 * 7,
        );
        let cpu = cpu_time().saturating_sub(cpu);
        run.print(*rate, cpu);
        // Timeouts and slow answers under overload are figures; a refused operation or a 4xx
        // answer means the bench itself is wrong.
        let wrong = run.wrong();
        if wrong > 0 || run.refused > 0 {
            failures.push(format!(
                "{rate} req/s: {wrong} answers a correct client never gets, {} refused \
                 operations",
                run.refused
            ));
        }
    }
    server.stop();
    let stored = common::stored(&location)?;
    println!();
    println!(
        "database after the runs, closed: {}, {} events",
        mb(stored.file_bytes),
        stored.events
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// What the load generator aims its writes at.
struct Targets {
    /// Orders collected, invoiced and printed (Ship and PlaceHold accept them).
    printed: Vec<u64>,
}

/// Fills the database before the server starts: the demo store and `orders` collected orders,
/// the paid ones invoiced and printed, through the same `Ledger` the server uses. Set-up only, so
/// on SQLite `synchronous` is OFF on this connection (the server opens the file afresh with its
/// own settings); on PostgreSQL `synchronous_commit` is off for this session.
fn prefill(location: &DatabaseLocation, orders: u64) -> Result<Targets, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let started = Instant::now();
    let result = runtime.block_on(async {
        let now = Utc::now();
        let db = Database::connect(location, &now.to_rfc3339()).map_err(|e| e.to_string())?;
        db.with(|conn| {
            conn.execute_batch(match conn.engine() {
                Engine::Sqlite => "PRAGMA synchronous = OFF",
                Engine::Postgres => "SET synchronous_commit = off",
            })?;
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())?;
        let accounts = Accounts::new(db.clone());
        accounts.ensure_demo(now).await.map_err(|e| e.to_string())?;
        let (store, login, password) = DEMO;
        let store = accounts
            .sign_in(store, login, password, now)
            .await
            .map_err(|e| e.to_string())?
            .store
            .id;
        let ledger = Ledger::new(db.clone());
        let mut rng = Rng(SEED);
        let mut printed = Vec::new();
        let mut events = 0usize;
        let operator = Ctx::operator("demo", Utc::now());
        let mut n = 0u64;
        while n < orders {
            let page = 100.min(orders - n);
            let mut ids = ledger
                .reserve_ids(store, page * IDS_PER_ORDER)
                .await
                .map_err(|e| e.to_string())?;
            for _ in 0..page {
                let order =
                    arriving_order(&mut rng, n, &mut ids, now).map_err(|e| e.to_string())?;
                let (id, paid) = (order.id, matches!(order.payment, Payment::Paid));
                let marketplace = order.marketplace.clone();
                let mut commands = vec![(Command::CollectOrder(order), true)];
                if paid {
                    commands.push((
                        Command::IssueInvoice {
                            order: id,
                            carrier: if id.0 % 3 == 0 {
                                Carrier::lotte()
                            } else {
                                Carrier::cj()
                            },
                            tracking_no: format!("6{:011}", id.0),
                        },
                        false,
                    ));
                    commands.push((Command::PrintInvoice { order: id }, false));
                }
                for (command, collected) in commands {
                    let outcome = if collected {
                        ledger
                            .execute_marketplace(store, &marketplace, command, now)
                            .await
                    } else {
                        ledger.execute(store, command, operator.clone(), None).await
                    }
                    .map_err(|e| e.to_string())?;
                    if !outcome.is_accepted() {
                        return Err(format!("set-up refused: {:?}", outcome.result));
                    }
                    events += outcome.events.len();
                }
                if paid {
                    printed.push(id.0);
                }
                n += 1;
            }
        }
        Ok((printed, events))
    });
    drop(runtime);
    let (printed, events) = result?;
    let size = match location {
        DatabaseLocation::Sqlite { data_dir } => {
            let (main, wal, _) = database_sizes(data_dir);
            format!("{} of SQLite", mb(main + wal))
        }
        DatabaseLocation::Postgres { .. } => "PostgreSQL".to_owned(),
    };
    println!(
        "set-up: {orders} orders ({} invoiced and printed), {events} events, {size}, built \
         in {:.1} s (durable commits off for the set-up only)",
        printed.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Targets { printed })
}

/// What the workers share.
struct Shared {
    base: String,
    bearer: String,
    printed: Vec<u64>,
    /// Ships take printed orders from the front, holds from the back, so none is both.
    ship_next: AtomicUsize,
    hold_next: AtomicUsize,
    page: u64,
    head: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Changes,
    Op,
    Me,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Changes => "GET /api/changes",
            Kind::Op => "POST /api/ops (1 op)",
            Kind::Me => "GET /api/me",
        }
    }
}

struct Job {
    index: u64,
    due: Instant,
    kind: Kind,
    /// For `Changes`: the cursor; for `Op`: 0 = ship, 1 = hold.
    arg: u64,
}

enum Outcome {
    Ok,
    Refused(String),
    Error(String),
}

struct Sample {
    kind: Kind,
    /// From the moment the request was due to its answer (what a client waits).
    latency: Duration,
    /// From the moment a worker sent it to its answer.
    service: Duration,
    outcome: Outcome,
    done: Instant,
}

/// One run at a fixed rate.
struct Run {
    scheduled: usize,
    samples: Vec<Sample>,
    refused: usize,
    start: Instant,
    /// How late the generator handed out its latest-dispatched request.
    dispatch_lag: Duration,
}

impl Run {
    fn errors(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Error(_)))
            .count()
            + (self.scheduled - self.samples.len())
    }

    /// Answers that mean the bench is wrong, not the server slow: 4xx, not a page, no targets.
    fn wrong(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| match &s.outcome {
                Outcome::Error(e) => e.starts_with("status 4") || e.starts_with("bench:"),
                _ => false,
            })
            .count()
    }

    fn print(&self, rate: u64, cpu: Duration) {
        let last = self
            .samples
            .iter()
            .map(|s| s.done)
            .max()
            .unwrap_or(self.start);
        let span = last.saturating_duration_since(self.start);
        println!(
            "-- {rate} req/s for {:.0} s (open loop, latency from each request's due time) --",
            self.scheduled as f64 / rate as f64
        );
        println!(
            "scheduled {} | answered {} in {:.2} s → achieved {} req/s | generator's worst \
             dispatch lag {}",
            self.scheduled,
            self.samples.len(),
            span.as_secs_f64(),
            per_sec(self.samples.len(), span),
            ms(self.dispatch_lag)
        );
        println!(
            "all          ({:>5}): {}",
            self.samples.len(),
            Latencies::new(self.samples.iter().map(|s| s.latency).collect()).summary()
        );
        let mut kinds: BTreeMap<Kind, Vec<&Sample>> = BTreeMap::new();
        for sample in &self.samples {
            kinds.entry(sample.kind).or_default().push(sample);
        }
        for (kind, samples) in &kinds {
            println!(
                "{:<20} ({:>5}): {}",
                kind.label(),
                samples.len(),
                Latencies::new(samples.iter().map(|s| s.latency).collect()).summary()
            );
        }
        println!(
            "service time (from the worker's send; hides queueing in the generator): {}",
            Latencies::new(self.samples.iter().map(|s| s.service).collect()).summary()
        );
        let mut errors: BTreeMap<String, usize> = BTreeMap::new();
        for sample in &self.samples {
            match &sample.outcome {
                Outcome::Error(e) => *errors.entry(e.clone()).or_default() += 1,
                Outcome::Refused(e) => *errors.entry(format!("refused: {e}")).or_default() += 1,
                Outcome::Ok => {}
            }
        }
        let lost = self.scheduled - self.samples.len();
        if lost > 0 {
            errors.insert("no answer recorded".into(), lost);
        }
        println!(
            "errors: {} of {} | refused operations: {}{}",
            self.errors(),
            self.scheduled,
            self.refused,
            if errors.is_empty() {
                String::new()
            } else {
                format!(" | {errors:?}")
            }
        );
        println!(
            "process CPU (server + generator): {:.2} s over {:.2} s ({:.0}% of one core)",
            cpu.as_secs_f64(),
            span.as_secs_f64(),
            100.0 * cpu.as_secs_f64() / span.as_secs_f64().max(1e-9)
        );
    }
}

/// Sends `rate` requests per second for `length` on schedule from `WORKERS` threads.
fn load(shared: &Arc<Shared>, rate: u64, length: Duration, seed: u64) -> Run {
    let total = (rate as f64 * length.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let (results, samples) = mpsc::channel::<Sample>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = results.clone();
            let shared = Arc::clone(shared);
            std::thread::spawn(move || {
                let agent = common::agent(TIMEOUT);
                loop {
                    let job = {
                        let Ok(queue) = queue.lock() else { return };
                        match queue.recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        }
                    };
                    let sent = Instant::now();
                    let outcome = if sent.saturating_duration_since(job.due) > GIVE_UP {
                        Outcome::Error("given up: not sent within 30 s of its time".into())
                    } else {
                        request(&agent, &shared, &job)
                    };
                    let done = Instant::now();
                    let _ = results.send(Sample {
                        kind: job.kind,
                        latency: done.saturating_duration_since(job.due),
                        service: done.saturating_duration_since(sent),
                        outcome,
                        done,
                    });
                }
            })
        })
        .collect();
    drop(results);

    let mut rng = Rng(seed);
    let start = Instant::now() + Duration::from_millis(20);
    let mut dispatch_lag = Duration::ZERO;
    for index in 0..total {
        let due = start + interval.mul_f64(index as f64);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else {
            dispatch_lag = dispatch_lag.max(now - due);
        }
        let (kind, arg) = match rng.below(100) {
            0..=69 => (
                Kind::Changes,
                rng.below(shared.head.saturating_sub(shared.page).max(1)),
            ),
            70..=89 => (Kind::Op, rng.below(2)),
            _ => (Kind::Me, 0),
        };
        if jobs
            .send(Job {
                index,
                due,
                kind,
                arg,
            })
            .is_err()
        {
            break;
        }
    }
    drop(jobs);
    for worker in workers {
        let _ = worker.join();
    }
    let samples: Vec<Sample> = samples.into_iter().collect();
    let refused = samples
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Refused(_)))
        .count();
    Run {
        scheduled: total as usize,
        samples,
        refused,
        start,
        dispatch_lag,
    }
}

/// Sends one request and reads its whole answer.
fn request(agent: &ureq::Agent, shared: &Shared, job: &Job) -> Outcome {
    let base = &shared.base;
    let response = match job.kind {
        Kind::Changes => agent
            .get(format!(
                "{base}/api/changes?since={}&limit={}",
                job.arg, shared.page
            ))
            .header("Authorization", &shared.bearer)
            .call(),
        Kind::Me => agent
            .get(format!("{base}/api/me"))
            .header("Authorization", &shared.bearer)
            .call(),
        Kind::Op => {
            let half = shared.printed.len() / 2;
            let next = if job.arg == 0 {
                &shared.ship_next
            } else {
                &shared.hold_next
            };
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= half {
                return Outcome::Error("bench: out of printed orders to ship or hold".into());
            }
            let command = if job.arg == 0 {
                Command::Ship {
                    order: OrderId(shared.printed[i]),
                }
            } else {
                Command::PlaceHold {
                    order: OrderId(shared.printed[shared.printed.len() - 1 - i]),
                    lines: Vec::new(),
                    reason: "주소 확인 중".into(),
                }
            };
            agent
                .post(format!("{base}/api/ops"))
                .header("Authorization", &shared.bearer)
                .send_json(json!({"ops": [{
                    "key": format!("load-{}-{}", job.index, job.due.elapsed().as_nanos()),
                    "at": Utc::now().to_rfc3339(),
                    "command": command,
                }]}))
        }
    };
    let mut response = match response {
        Ok(response) => response,
        Err(err) => return Outcome::Error(transport_error(&err)),
    };
    let status = response.status().as_u16();
    let body = match response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
    {
        Ok(body) => body,
        Err(err) => return Outcome::Error(transport_error(&err)),
    };
    if status != 200 {
        return Outcome::Error(format!("status {status}"));
    }
    match job.kind {
        Kind::Changes if !body.starts_with("{\"events\":") => {
            Outcome::Error("bench: a changes answer that is not a page".into())
        }
        Kind::Op => {
            let answer: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let result = &answer["results"][0];
            if result["status"] == "accepted" {
                Outcome::Ok
            } else {
                Outcome::Refused(result["code"].as_str().unwrap_or("no answer").to_owned())
            }
        }
        _ => Outcome::Ok,
    }
}

/// A transport error, shortened to its kind so that counts group.
fn transport_error(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "timeout".into(),
        ureq::Error::Io(io) => format!("io: {:?}", io.kind()),
        other => {
            let text = other.to_string();
            text.chars().take(60).collect()
        }
    }
}
