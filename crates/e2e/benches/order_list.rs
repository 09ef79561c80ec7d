//! The order-list benchmark (issue 12): the console's 주문 screen over 100,000 orders in
//! IndexedDB, in headless Chromium, beside a hand-written JavaScript list over the same database.
//!
//! ```sh
//! cargo xtask build --test-hooks                      # target/dist-e2e/, with the bench exports
//! cargo bench -p jumun-e2e --bench order_list         # JUMUN_BENCH_ORDERS=5000 for a quick try
//! ```
//!
//! It writes the orders through the console's own `Store::put_orders` (bench.js's data, fixed
//! seed), keeps a session so the console opens offline (the bench serves no API), and measures:
//! opening 주문 cold (a fresh page load to the first rows on screen) and from the navigation
//! (a click on 주문 to the first rows), a phone-last-4 search (Enter to the complete result on
//! screen), scrolling the whole list (frame times, frames whose rows were not read yet), 일괄
//! 배송처리 of 10,000 orders through the command layer with IndexedDB writes (and the longest
//! main-thread task meanwhile, by the Long Tasks API), and the app's wasm size raw, gzip and
//! brotli. The baseline page (bench-assets/order-list-baseline.html) opens the same `order_list`
//! store from plain JavaScript for the first rows and the phone lookup. Figures only; the run
//! fails only when a result is wrong (a count, a search that finds nothing).

use jumun_bench::figures::{cores, load_average};
use jumun_e2e::bench_page::{
    ensure_dist, fail, median, ms, num, poll, ratio, root, serve, start_bench_browser, Deadline,
};
use jumun_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Orders per write transaction.
const CHUNK: usize = 10_000;
/// Runs of each opening and of the baseline.
const OPEN_RUNS: usize = 3;
/// Phone numbers searched.
const PHONE_SEARCHES: usize = 5;
/// Pixels scrolled per frame (50 rows: a fast flick through the whole list).
const SCROLL_PX: u32 = 1_500;
/// Pixels scrolled per frame by a mouse wheel held down (8 rows).
const WHEEL_PX: u32 = 240;
/// Orders shipped in bulk.
const BULK: u32 = 10_000;

/// Injected into every page: on /orders, when the first rows appear (ms since navigation).
const PROBE: &str = r#"(() => {
  if (location.pathname !== '/orders') return;
  const probe = {};
  const check = () => {
    if (probe.first_rows_ms === undefined && document.querySelector('table.order-table tbody tr[data-id]')) {
      probe.first_rows_ms = performance.now();
      window.__ordersCold = probe;
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();"#;

/// Runs an async function of order-list.js and waits for its answer.
fn call(
    browser: &Session,
    what: &str,
    function: &str,
    args: Vec<Value>,
    deadline: &Deadline,
) -> Value {
    browser
        .execute(
            &format!(
                "window.__answer = null; import('/bench/order-list.js').then((m) => m.{function}(...arguments)).then((r) => {{ window.__answer = {{ ok: r }}; }}, (e) => {{ window.__answer = {{ err: String(e && e.stack || e) }}; }}); return true;"
            ),
            args,
        )
        .unwrap_or_else(|e| fail(e));
    let answer = poll(
        browser,
        what,
        "return window.__answer;",
        deadline.at_most(Duration::from_secs(600)),
    );
    match answer.get("ok") {
        Some(result) => result.clone(),
        None => fail(format!("{what}: {}", answer["err"])),
    }
}

fn open_console(browser: &Session, url: &str, deadline: &Deadline) {
    browser.goto("about:blank").unwrap_or_else(|e| fail(e));
    browser.goto(url).unwrap_or_else(|e| fail(e));
    poll(
        browser,
        "the console",
        "return (document.querySelector('nav.main-nav a') && window.wasmBindings && window.wasmBindings.jumun_bench_keep_session) ? true : null;",
        deadline.at_most(Duration::from_secs(60)),
    );
}

/// The result count "검색결과 N건" as a number.
fn result_count(text: &str) -> Option<u64> {
    text.strip_prefix("검색결과 ")?
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Compressed size of `file` by `program args…` reading it on stdin, if the program runs.
fn compressed(program: &str, args: &[&str], file: &Path) -> Option<u64> {
    let input = std::fs::File::open(file).ok()?;
    let output = Command::new(program)
        .args(args)
        .stdin(input)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

fn kb(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1024.0)
}

fn main() {
    let started = Instant::now();
    let deadline = Deadline(started);
    let n: usize = std::env::var("JUMUN_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let root = root();
    let dist = ensure_dist(&root);
    let base = serve(
        dist.clone(),
        root.join("crates/e2e/bench-assets"),
        root.join("target/bench-node/none"),
    );
    let started_browser = start_bench_browser(&root, "bench-order-list", PROBE);
    let chromium_version = &started_browser.chromium_version;
    println!(
        "order list: {n} orders; {chromium_version}; {} cores; load average {}; serving on {base}",
        cores(),
        load_average()
    );
    let browser = started_browser.session;

    // The data, through the console's own store.
    open_console(&browser, &format!("{base}/"), &deadline);
    let filled = call(
        &browser,
        "writing the orders",
        "fill",
        vec![json!(n), json!(CHUNK)],
        &deadline,
    );
    println!(
        "  written: {} ({} per transaction)",
        ms(num(&filled, "write_ms")),
        CHUNK
    );

    // Opening 주문 cold: a fresh page load of /orders to the first rows.
    let mut cold = Vec::new();
    for _ in 0..OPEN_RUNS {
        browser.goto("about:blank").unwrap_or_else(|e| fail(e));
        browser
            .goto(&format!("{base}/orders"))
            .unwrap_or_else(|e| fail(e));
        let probe = poll(
            &browser,
            "the first rows of 주문",
            "return window.__ordersCold || null;",
            deadline.at_most(Duration::from_secs(120)),
        );
        cold.push(num(&probe, "first_rows_ms"));
    }
    let shown = poll(
        &browser,
        "the result count",
        "const t = (document.querySelector('.result-count') || {}).textContent || ''; return t.startsWith('검색결과') ? t : null;",
        deadline.at_most(Duration::from_secs(60)),
    );
    if result_count(shown.as_str().unwrap_or("")) != Some(n as u64) {
        fail(format!("주문 counts {shown}, not {n}"));
    }
    // What an operator sees with this many orders (look at it: docs/benchmarks.md says where).
    let screenshot = root.join("target/bench-order-list/orders.png");
    if let Err(e) = browser.screenshot(&screenshot) {
        println!("  (no screenshot: {e})");
    }
    // From the navigation, the app already running.
    let mut warm = Vec::new();
    for _ in 0..OPEN_RUNS {
        open_console(&browser, &format!("{base}/"), &deadline);
        let opened = call(
            &browser,
            "opening 주문 from the navigation",
            "openFromNav",
            vec![],
            &deadline,
        );
        warm.push(num(&opened, "ms"));
    }
    println!(
        "  opening 주문 to the first rows: page load {} (median of {OPEN_RUNS}: {:?}), from the navigation {} ({:?})",
        ms(median(cold.clone())),
        cold.iter().map(|x| x.round()).collect::<Vec<_>>(),
        ms(median(warm.clone())),
        warm.iter().map(|x| x.round()).collect::<Vec<_>>()
    );

    // Phone searches by the last four digits.
    let samples = call(
        &browser,
        "phone samples",
        "phoneSamples",
        vec![json!(n), json!(PHONE_SEARCHES)],
        &deadline,
    );
    let mut searches = Vec::new();
    for last4 in samples.as_array().cloned().unwrap_or_default() {
        let found = call(
            &browser,
            "a phone search",
            "searchPhone",
            vec![last4.clone()],
            &deadline,
        );
        let count = result_count(found["result"].as_str().unwrap_or("")).unwrap_or(0);
        if count == 0 {
            fail(format!("the phone search {last4} found nothing"));
        }
        searches.push(num(&found, "ms"));
    }
    println!(
        "  phone last-4 search, Enter to the result on screen: median {}, slowest {} ({} searches)",
        ms(median(searches.clone())),
        ms(searches.iter().copied().fold(0.0, f64::max)),
        searches.len()
    );

    // Scrolling the whole list.
    call(
        &browser,
        "clearing the search",
        "clearSearch",
        vec![],
        &deadline,
    );
    for (what, px, max_frames) in [
        ("a flick through the whole list", SCROLL_PX, u32::MAX),
        ("wheel scrolling, 1,000 frames", WHEEL_PX, 1_000),
    ] {
        let scrolled = call(
            &browser,
            "scrolling",
            "scrollAll",
            vec![json!(px), json!(n), json!(max_frames)],
            &deadline,
        );
        let mut frames: Vec<f64> = scrolled["frames"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if frames.is_empty() {
            fail(format!("scrolling ({what}) recorded no frame: {scrolled}"));
        }
        let total: f64 = frames.iter().sum();
        frames.sort_by(f64::total_cmp);
        let p95 = frames[frames.len() * 95 / 100];
        println!(
            "  scrolling, {what} ({px} px/frame, {} frames): {:.1} fps, median frame {}, 95th {}, longest {}; frames whose rows were not read yet {}",
            frames.len(),
            frames.len() as f64 * 1000.0 / total,
            ms(median(frames.clone())),
            ms(p95),
            ms(frames.last().copied().unwrap_or(f64::NAN)),
            scrolled["blank"]
        );
        let _ = browser.screenshot(&root.join("target/bench-order-list/after-scroll.png"));
        for entry in browser.browser_log().unwrap_or_default().iter().take(5) {
            println!("    console: {} {}", entry.level, entry.message);
        }
        println!(
            "    (row height {}, last scrollTop {}, rows rendered {}–{})",
            scrolled["row_height"],
            scrolled["scroll_top"],
            scrolled["rendered_from"],
            scrolled["rendered_to"]
        );
    }

    // Bulk ship through the command layer.
    let bulk = call(
        &browser,
        "the bulk ship",
        "bulkShip",
        vec![json!(BULK.min(n as u32 / 5))],
        &deadline,
    );
    if bulk["failed"].as_u64() != Some(0) {
        fail(format!("bulk ship: {bulk}"));
    }
    println!(
        "  일괄 배송처리 of {} orders (chunks of 200, IndexedDB writes, outbox): {}, {:.0} orders/s; long tasks {}, longest {}",
        bulk["succeeded"],
        ms(num(&bulk, "ms")),
        num(&bulk, "succeeded") * 1000.0 / num(&bulk, "ms"),
        bulk["long_tasks"],
        ms(num(&bulk, "longest_task_ms"))
    );

    // The plain JavaScript list over the same database.
    let mut baseline = Vec::new();
    for _ in 0..OPEN_RUNS {
        browser.goto("about:blank").unwrap_or_else(|e| fail(e));
        browser
            .goto(&format!("{base}/bench/order-list-baseline.html"))
            .unwrap_or_else(|e| fail(e));
        let b = poll(
            &browser,
            "the baseline's first rows",
            "return window.__baseline || null;",
            deadline.at_most(Duration::from_secs(60)),
        );
        if let Some(error) = b.get("error") {
            fail(format!("baseline: {error}"));
        }
        baseline.push(num(&b, "first_rows_ms"));
    }
    let mut baseline_lookups = Vec::new();
    for last4 in samples.as_array().cloned().unwrap_or_default() {
        browser.goto("about:blank").unwrap_or_else(|e| fail(e));
        browser
            .goto(&format!(
                "{base}/bench/order-list-baseline.html?last4={}",
                last4.as_str().unwrap_or("")
            ))
            .unwrap_or_else(|e| fail(e));
        let b = poll(
            &browser,
            "the baseline's phone lookup",
            "return window.__baseline || null;",
            deadline.at_most(Duration::from_secs(60)),
        );
        baseline_lookups.push(num(&b, "lookup_ms"));
    }
    println!(
        "  plain JavaScript list over the same IndexedDB: page load to the first rows {} (console {}), phone lookup and rows {} (console's search {})",
        ms(median(baseline.clone())),
        ratio(median(cold), median(baseline)),
        ms(median(baseline_lookups.clone())),
        ratio(median(searches), median(baseline_lookups))
    );

    // The app's size, as shipped: `dist/` (no test hooks), not the build the bench drove.
    let shipped = root.join("dist");
    let built = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["xtask", "build"])
        .current_dir(&root)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        fail("`cargo xtask build` (the shipped app, for its size) failed");
    }
    let wasm = std::fs::read_dir(&shipped)
        .ok()
        .and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        })
        .unwrap_or_else(|| fail("no .wasm in dist/"));
    let raw = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    let gzip = compressed("gzip", &["-9", "-c"], &wasm);
    let brotli = compressed("brotli", &["-q", "11", "-c"], &wasm);
    println!(
        "  wasm as shipped (dist/{}): raw {}, gzip -9 {}, brotli -q 11 {}",
        wasm.file_name().unwrap_or_default().to_string_lossy(),
        kb(raw),
        gzip.map_or_else(|| "(gzip not found)".into(), kb),
        brotli.map_or_else(|| "(brotli not found)".into(), kb)
    );
    println!("  total {:.0} s", started.elapsed().as_secs_f64());
}
