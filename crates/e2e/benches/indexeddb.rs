//! The browser-store benchmark: the console's wasm `Store` against plain IndexedDB calls from
//! JavaScript and against Dexie.js, on the same 100,000 orders, in the same headless Chromium run.
//!
//! ```sh
//! cargo xtask build                                  # dist/ (the bench builds it if missing)
//! cargo bench -p jumun-e2e --bench indexeddb
//! ```
//!
//! It serves dist/ (the built console), crates/e2e/bench-assets/ and Dexie's dist file (installed
//! from npm into target/bench-node if missing) from a small static file server on loopback,
//! starts ChromeDriver and headless Chromium with a fresh profile, and for each store in turn —
//! plain IndexedDB (`raw`), Dexie, Jumun — in the console's own page: writes the orders in
//! transactions of 10,000, loads every `Preparing` order through the `status` index (median of
//! 5), counts them on the index (median of 20), looks orders up by `tracking_no` (median of 20),
//! then times three cold starts with that data, and deletes the database. What each figure
//! means is in docs/benchmarks.md ("Browser store"). It prints figures and checks only
//! correctness (every order written, the query finds what was generated); a failed check exits
//! non-zero.
//!
//! Environment: `JUMUN_BENCH_ORDERS` (default 100000), `JUMUN_BENCH_STORES` (the order the stores
//! run in, default `raw,dexie,jumun`), `CHROMIUM`, `CHROMEDRIVER` (default: on the PATH; the
//! bench never downloads a browser).

use jumun_bench::figures::{cores, load_average};
use jumun_e2e::bench_page::{
    ensure_dist, fail, median, ms, num, poll, ratio, root, serve, start_bench_browser, Deadline,
};
use jumun_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Orders per transaction, the same for the three stores.
const CHUNK: usize = 10_000;
/// Runs of the status query (each loads about 35% of the orders).
const STATUS_RUNS: usize = 5;
/// Runs of the index count and of the point lookup.
const LOOKUP_RUNS: usize = 20;
/// Cold starts per store.
const COLD_RUNS: usize = 3;
/// Dexie's ES module, installed from npm into target/bench-node when missing.
fn ensure_dexie(root: &Path) -> PathBuf {
    let prefix = root.join("target/bench-node");
    let module = prefix.join("node_modules/dexie/dist/dexie.mjs");
    if !module.is_file() {
        println!(
            "installing Dexie.js for the comparison: npm install --no-audit --no-fund --prefix {} dexie@4",
            prefix.display()
        );
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("dexie@4")
            .status()
            .unwrap_or_else(|e| fail(format!("cannot run npm (install Node.js with npm): {e}")));
        if !status.success() || !module.is_file() {
            fail("npm could not install dexie@4");
        }
    }
    module
}

fn dexie_version(module: &Path) -> String {
    module
        .parent()
        .and_then(Path::parent)
        .and_then(|dexie| std::fs::read_to_string(dexie.join("package.json")).ok())
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

// ---- the browser -------------------------------------------------------------------------------

/// Injected into every page: on the console's page (`/`) it notes when the navigation's links
/// are rendered and when the command layer first answers `jumun_state` (the store open, the
/// orders and outbox counted): `window.__jumunCold`, in ms since the navigation started.
const COLD_PROBE: &str = r#"(() => {
  if (location.pathname !== '/') return;
  const probe = { nav_ms: null, ready_ms: null };
  let asking = false;
  const tick = () => {
    if (probe.nav_ms === null && document.querySelector('nav.main-nav a')) probe.nav_ms = performance.now();
    const b = window.wasmBindings;
    if (probe.nav_ms !== null && b && b.jumun_state && !asking) {
      asking = true;
      b.jumun_state().then((s) => {
        const state = JSON.parse(s);
        probe.ready_ms = performance.now();
        probe.orders = state.orders;
        probe.pending = state.pending;
        window.__jumunCold = probe;
      }, () => { asking = false; setTimeout(tick, 1); });
      return;
    }
    setTimeout(tick, 1);
  };
  tick();
})();"#;

fn open_console(browser: &Session, base: &str, deadline: &Deadline) {
    browser
        .goto(&format!("{base}/"))
        .unwrap_or_else(|e| fail(e));
    poll(
        browser,
        "the console and its bindings",
        "return (document.querySelector('nav.main-nav a') && window.wasmBindings && window.wasmBindings.jumun_bench_put_orders) ? true : null;",
        deadline.at_most(Duration::from_secs(60)),
    );
}

fn delete_database(browser: &Session, base: &str, name: &str, deadline: &Deadline) {
    browser
        .goto(&format!("{base}/bench/cold.html"))
        .unwrap_or_else(|e| fail(e));
    browser
        .execute(
            "window.__deleted = null; import('/bench/bench.js').then((m) => m.deleteDb(arguments[0])).then(() => { window.__deleted = 'ok'; }, (e) => { window.__deleted = String(e); }); return true;",
            vec![json!(name)],
        )
        .unwrap_or_else(|e| fail(e));
    let answer = poll(
        browser,
        &format!("deleting {name}"),
        "return window.__deleted;",
        deadline.at_most(Duration::from_secs(120)),
    );
    if answer != json!("ok") {
        fail(format!("deleting {name}: {answer}"));
    }
}

/// One store's write and query figures.
fn run_phase(browser: &Session, which: &str, n: usize, deadline: &Deadline) -> Value {
    browser
        .execute(
            "window.__benchResult = null; import('/bench/bench.js').then((m) => m.runPhase(...arguments)).then((r) => { window.__benchResult = { ok: r }; }, (e) => { window.__benchResult = { err: String(e && e.stack || e) }; }); return true;",
            vec![json!(which), json!(n), json!(CHUNK), json!(STATUS_RUNS), json!(LOOKUP_RUNS)],
        )
        .unwrap_or_else(|e| fail(e));
    let answer = poll(
        browser,
        &format!("the {which} phase"),
        "return window.__benchResult;",
        deadline.at_most(Duration::from_secs(600)),
    );
    match answer.get("ok") {
        Some(result) => result.clone(),
        None => fail(format!("the {which} phase failed: {}", answer["err"])),
    }
}

/// Cold starts with the data in place: the console's page for Jumun, the bench's cold page
/// for the others. Each is a fresh navigation.
fn cold_starts(browser: &Session, base: &str, which: &str, deadline: &Deadline) -> Vec<Value> {
    (0..COLD_RUNS)
        .map(|_| {
            let (url, probe) = if which == "jumun" {
                (format!("{base}/"), "return window.__jumunCold || null;")
            } else {
                (
                    format!("{base}/bench/cold.html?impl={which}"),
                    "return window.__cold || null;",
                )
            };
            // Leave the page first, so the next load is a fresh document.
            browser.goto("about:blank").unwrap_or_else(|e| fail(e));
            browser.goto(&url).unwrap_or_else(|e| fail(e));
            let result = poll(
                browser,
                &format!("{which}'s cold start"),
                probe,
                deadline.at_most(Duration::from_secs(120)),
            );
            if let Some(error) = result.get("error") {
                fail(format!("{which}'s cold start: {error}"));
            }
            result
        })
        .collect()
}

fn main() {
    let started = Instant::now();
    let deadline = Deadline(started);
    let n: usize = std::env::var("JUMUN_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    // The order the stores run in (each alone in the origin, its database deleted after it).
    let order: Vec<String> = std::env::var("JUMUN_BENCH_STORES")
        .unwrap_or_else(|_| "raw,dexie,jumun".into())
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    if sorted != ["dexie", "jumun", "raw"] {
        fail("JUMUN_BENCH_STORES names each of raw, dexie, jumun once, e.g. `jumun,dexie,raw`");
    }
    let root = root();
    let dist = ensure_dist(&root);
    let dexie = ensure_dexie(&root);
    let dexie_version = dexie_version(&dexie);
    let base = serve(dist, root.join("crates/e2e/bench-assets"), dexie);
    let started_browser = start_bench_browser(&root, "bench-indexeddb", COLD_PROBE);
    let chromium_version = &started_browser.chromium_version;
    println!(
        "browser store: {n} orders, transactions of {CHUNK}, stores in the order {}; {chromium_version}; Dexie {dexie_version}; {} cores; load average {}; serving on {base}",
        order.join(", "),
        cores(),
        load_average()
    );
    let browser = started_browser.session;

    // A clean origin, then each store alone in it: written, queried, cold-started, deleted.
    for name in ["bench-raw", "bench-dexie", "jumun"] {
        delete_database(&browser, &base, name, &deadline);
    }
    let mut phases = Vec::new();
    for which in &order {
        let which = which.as_str();
        let database = match which {
            "raw" => "bench-raw",
            "dexie" => "bench-dexie",
            _ => "jumun",
        };
        open_console(&browser, &base, &deadline);
        let phase_started = Instant::now();
        let result = run_phase(&browser, which, n, &deadline);
        let count = result["count"].as_u64().unwrap_or(0) as usize;
        let expected = result["expectedPreparing"].as_u64();
        if count != n
            || result["preparing"].as_u64() != expected
            || result["counted"].as_u64() != expected
        {
            fail(format!("{which}: wrong results: {result}"));
        }
        println!(
            "  {which:<5} write {} · status query {} ({} orders) · index count {} · lookup {} · ({:.0} s)",
            ms(num(&result, "write_ms")),
            ms(num(&result, "status_ms")),
            result["preparing"],
            ms(num(&result, "count_ms")),
            ms(num(&result, "lookup_ms")),
            phase_started.elapsed().as_secs_f64()
        );
        let cold = cold_starts(&browser, &base, which, &deadline);
        for c in &cold {
            let orders = c["orders"].as_u64().or(c["count"].as_u64()).unwrap_or(0) as usize;
            if orders != n {
                fail(format!(
                    "{which}'s cold start counted {orders} orders, not {n}: {c}"
                ));
            }
        }
        println!("  {which:<5} cold starts: {}", Value::Array(cold.clone()));
        delete_database(&browser, &base, database, &deadline);
        phases.push((which, result, cold));
    }
    drop(browser);
    drop(started_browser.driver);
    let _ = std::fs::remove_dir_all(&started_browser.profile);

    // ---- the table --------------------------------------------------------------------------
    let get = |which: &str| phases.iter().find(|p| p.0 == which).unwrap();
    let (_, jr, jc) = get("jumun");
    let (_, rr, rc) = get("raw");
    let (_, dr, dc) = get("dexie");
    let cold_ms = |c: &Vec<Value>, key: &str| median(c.iter().map(|v| num(v, key)).collect());
    let rows: Vec<(String, f64, f64, f64)> = vec![
        (
            format!("bulk write {n} orders"),
            num(jr, "write_ms"),
            num(rr, "write_ms"),
            num(dr, "write_ms"),
        ),
        (
            format!(
                "status = Preparing: load {} orders (median of {STATUS_RUNS})",
                jr["preparing"]
            ),
            num(jr, "status_ms"),
            num(rr, "status_ms"),
            num(dr, "status_ms"),
        ),
        (
            format!("status = Preparing: count on the index (median of {LOOKUP_RUNS})"),
            num(jr, "count_ms"),
            num(rr, "count_ms"),
            num(dr, "count_ms"),
        ),
        (
            format!("tracking_no point lookup (median of {LOOKUP_RUNS})"),
            num(jr, "lookup_ms"),
            num(rr, "lookup_ms"),
            num(dr, "lookup_ms"),
        ),
        (
            format!("cold start to data ready (median of {COLD_RUNS})"),
            cold_ms(jc, "ready_ms"),
            cold_ms(rc, "t_ms"),
            cold_ms(dc, "t_ms"),
        ),
    ];
    println!();
    println!("| what | Jumun (wasm Store) | raw IndexedDB | Dexie {dexie_version} | Jumun ÷ raw | Jumun ÷ Dexie |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (what, j, r, d) in &rows {
        println!(
            "| {what} | {} | {} | {} | {} | {} |",
            ms(*j),
            ms(*r),
            ms(*d),
            ratio(*j, *r),
            ratio(*j, *d)
        );
    }
    let rate = |x: f64| format!("{:.2} k orders/s", n as f64 / x);
    println!(
        "| bulk write rate | {} | {} | {} | | |",
        rate(num(jr, "write_ms")),
        rate(num(rr, "write_ms")),
        rate(num(dr, "write_ms"))
    );
    println!();
    println!(
        "Jumun write: store call {} (rows built, docs JSON-encoded, put, committed); the JSON hand-over of the input to wasm {} is not counted (wall time with it {}).",
        ms(num(jr, "store_call_ms")),
        ms(num(jr, "handover_ms")),
        ms(num(jr, "write_wall_ms"))
    );
    println!(
        "Jumun cold start: shell nav rendered at {} (median), first `jumun_state` (store open, orders + outbox counted) at {}; runs {:?}.",
        ms(cold_ms(jc, "nav_ms")),
        ms(cold_ms(jc, "ready_ms")),
        jc.iter().map(|v| num(v, "ready_ms").round()).collect::<Vec<_>>()
    );
    println!(
        "raw cold page: open {} + count {}; Dexie cold page: module load {} + open {} + count {} (medians).",
        ms(cold_ms(rc, "open_ms")),
        ms(cold_ms(rc, "count_ms")),
        ms(cold_ms(dc, "load_ms")),
        ms(cold_ms(dc, "open_ms")),
        ms(cold_ms(dc, "count_ms")),
    );
    println!(
        "generating the orders in JS (not timed in any row): {}; total run {:.0} s; load average at the end {}.",
        ms(num(jr, "gen_ms")),
        started.elapsed().as_secs_f64(),
        load_average()
    );
}
