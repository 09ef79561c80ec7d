//! What the browser benchmarks (`crates/e2e/benches`) share: finding the workspace, the built
//! app and the browser, a static file server on loopback for dist/ and the bench pages, waiting
//! on a page, and printing figures. Benchmarks print figures; they fail only on a broken run.

use crate::webdriver::Session;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The whole run gives up after this long.
pub const BUDGET: Duration = Duration::from_secs(20 * 60);

/// What every page must do before the run's budget ends.
pub struct Deadline(pub Instant);

impl Deadline {
    /// Time left of the run.
    pub fn left(&self) -> Duration {
        (self.0 + BUDGET).saturating_duration_since(Instant::now())
    }
    /// `wanted`, or what is left of the run if less.
    pub fn at_most(&self, wanted: Duration) -> Duration {
        wanted.min(self.left())
    }
}

/// Ends a broken run with its reason (exit status 1).
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("bench: {message}");
    std::process::exit(1);
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// target/dist-e2e/ (the app with its test hooks, the bench exports), built by `cargo xtask
/// build --test-hooks` when missing or older than them.
pub fn ensure_dist(root: &Path) -> PathBuf {
    // The build with the test hooks (the benchmarks' entry points); `dist/` ships without them.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dist = target.join("dist-e2e");
    let has_exports = || {
        std::fs::read_dir(&dist).ok().is_some_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("jumun-")
                    && name.ends_with(".js")
                    && std::fs::read_to_string(e.path())
                        .is_ok_and(|js| js.contains("jumun_bench_put_orders"))
            })
        })
    };
    if !has_exports() {
        println!(
            "{} is missing or predates the bench exports: running `cargo xtask build --test-hooks`",
            dist.display()
        );
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["xtask", "build", "--test-hooks"])
            .current_dir(root)
            .status()
            .unwrap_or_else(|e| fail(format!("cannot run `cargo xtask build`: {e}")));
        if !status.success() || !has_exports() {
            fail("`cargo xtask build --test-hooks` did not produce target/dist-e2e/ with the bench exports; run it yourself and retry");
        }
    }
    dist
}

/// A program named by `var`, or the first of `names` on the PATH.
pub fn find_tool(var: &str, names: &[&str]) -> PathBuf {
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    fail(format!(
        "none of {names:?} is on the PATH (set {var}); `cargo xtask test` installs them"
    ))
}

// ---- a static file server on loopback --------------------------------------------------------

/// Serves dist/ (with the console's fallback to index.html), /bench/* from bench-assets and
/// /bench/dexie.mjs. /sw.js is answered 404: no service worker, so every load is the network's
/// and the bench page is not replaced by the console's shell.
pub fn serve(dist: PathBuf, assets: PathBuf, dexie: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (dist, assets, dexie) = (dist.clone(), assets.clone(), dexie.clone());
            std::thread::spawn(move || {
                let _ = answer(stream, &dist, &assets, &dexie);
            });
        }
    });
    base
}

fn answer(stream: TcpStream, dist: &Path, assets: &Path, dexie: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = if path.contains("..") || path == "/sw.js" || path.starts_with("/api/") {
        None
    } else if path == "/bench/dexie.mjs" {
        Some(dexie.to_path_buf())
    } else if let Some(name) = path.strip_prefix("/bench/") {
        Some(assets.join(name))
    } else {
        let candidate = dist.join(path.trim_start_matches('/'));
        Some(if candidate.is_file() {
            candidate
        } else {
            dist.join("index.html")
        })
    };
    let mut stream = stream;
    match file.and_then(|f| std::fs::read(&f).ok().map(|body| (f, body))) {
        Some((file, body)) => {
            let kind = match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
                "html" => "text/html; charset=utf-8",
                "js" | "mjs" => "text/javascript; charset=utf-8",
                "wasm" => "application/wasm",
                "css" => "text/css; charset=utf-8",
                "svg" => "image/svg+xml",
                "png" => "image/png",
                "json" | "webmanifest" => "application/json",
                _ => "application/octet-stream",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    stream.flush()
}

/// Runs `script` every 100 ms until it answers something other than null; fails the run after
/// `timeout`.
pub fn poll(browser: &Session, what: &str, script: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        match browser.execute(script, vec![]) {
            Ok(Value::Null) | Err(_) => {}
            Ok(value) => return value,
        }
        if Instant::now() > deadline {
            fail(format!("timed out after {timeout:?} waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The median of `xs`.
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

/// `v[key]` as a number (NaN when missing).
pub fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

/// Milliseconds, as the figures print them.
pub fn ms(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0} ms")
    } else {
        format!("{x:.2} ms")
    }
}

/// `a / b` as `1.23×`.
pub fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// Headless Chromium for a benchmark: ChromeDriver, a session with a fresh profile under
/// `target/<bench>/`, and `probe` injected into every page it loads.
pub struct BenchBrowser {
    /// The session (ends before the driver stops: fields drop in order).
    pub session: Session,
    /// Its ChromeDriver.
    pub driver: crate::processes::RunningDriver,
    /// The profile directory (the bench removes it at the end).
    pub profile: PathBuf,
    /// What `chromium --version` says, for the figures' heading.
    pub chromium_version: String,
}

/// Starts [`BenchBrowser`] (`CHROMIUM`, `CHROMEDRIVER` or the PATH; never a download).
pub fn start_bench_browser(root: &Path, bench: &str, probe: &str) -> BenchBrowser {
    let chromium = find_tool(
        "CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let chromedriver = find_tool("CHROMEDRIVER", &["chromedriver"]);
    let chromium_version = Command::new(&chromium)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let profile = root.join(format!("target/{bench}/profile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("create the browser profile directory");
    let driver = crate::processes::start_chromedriver(&chromedriver);
    let session = Session::start(&driver.url, &chromium, &crate::chromium_args(&profile))
        .unwrap_or_else(|e| fail(format!("start headless Chromium: {e}")));
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": probe }),
        )
        .unwrap_or_else(|e| fail(e));
    BenchBrowser {
        session,
        driver,
        profile,
        chromium_version,
    }
}
