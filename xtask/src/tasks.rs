//! The commands: setup, build, serve, start, test.

use crate::fail;
use crate::precache;
use crate::run::{Cmd, TaskResult};
use crate::toolchain::{ensure_wasm_toolchain, WasmToolchain, WASM_TARGET};
use crate::tools::{self, Browser};
use crate::workspace::Workspace;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// What set-up found or installed.
pub struct Setup {
    /// How wasm is compiled here.
    pub toolchain: WasmToolchain,
    /// The browser, when the test tools were asked for.
    pub browser: Option<Browser>,
}

/// Installs whatever is missing: the wasm toolchain, trunk, wasm-bindgen-cli and wasm-opt, and
/// with `for_tests` Chromium, ChromeDriver and a Korean font.
pub fn setup(workspace: &Workspace, for_tests: bool) -> TaskResult<Setup> {
    let started = Instant::now();
    let toolchain = ensure_wasm_toolchain()?;
    tools::ensure_wasm_bindgen(workspace)?;
    tools::ensure_wasm_opt()?;
    tools::ensure_trunk()?;
    let browser = if for_tests {
        Some(tools::ensure_browser()?)
    } else {
        None
    };
    println!("set-up: ready ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(Setup { toolchain, browser })
}

/// Which build of the browser app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppBuild {
    /// The app as it ships, into `dist/`.
    Shipped,
    /// With the `test-hooks` feature (the command layer exported to JavaScript for the
    /// end-to-end tests and the browser benchmarks), into `target/dist-e2e/`.
    TestHooks,
}

impl AppBuild {
    fn dist(self, workspace: &Workspace) -> PathBuf {
        match self {
            AppBuild::Shipped => workspace.dist_dir(),
            AppBuild::TestHooks => workspace.e2e_dist_dir(),
        }
    }
}

/// Builds the browser app with Trunk (release profile, wasm-opt), unless its folder already
/// holds a build of the current sources.
pub fn build(workspace: &Workspace, which: AppBuild) -> TaskResult<Setup> {
    let setup = setup(workspace, false)?;
    build_app(workspace, setup.toolchain, which)?;
    Ok(setup)
}

fn build_app(workspace: &Workspace, toolchain: WasmToolchain, which: AppBuild) -> TaskResult {
    let dist = which.dist(workspace);
    if workspace.app_is_up_to_date(&dist) {
        println!("app: {} is up to date", dist.display());
        return Ok(());
    }
    let started = Instant::now();
    // Trunk runs cargo offline, so everything the wasm build needs — including, with the Debian
    // toolchain, the standard library's own dependencies for build-std — is fetched first.
    Cmd::new("cargo")
        .args(["fetch", "--target", WASM_TARGET])
        .envs(&toolchain.wasm_env())
        .dir(&workspace.root)
        .run()?;
    let mut trunk = Cmd::new("trunk")
        .args(["build", "--release", "--offline", "--dist"])
        .arg(dist.as_os_str());
    if which == AppBuild::TestHooks {
        trunk = trunk.args(["--features", "test-hooks"]);
    }
    trunk
        .envs(&toolchain.wasm_env())
        .dir(&workspace.root)
        .run()?;
    // The service worker's precache list comes from what Trunk just wrote (see precache.rs).
    let (files, version) = precache::write_service_worker(
        &workspace.path("public").join(precache::SERVICE_WORKER),
        &dist,
    )?;
    println!("app: service worker precaches {files} files (version {version})");
    workspace.stamp_app_build(&dist)?;
    println!(
        "app: built into {} in {:.1}s",
        dist.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The programs `start`, `serve` and the end-to-end tests run: the API server, and the sandbox
/// marketplace the demo store collects from (its own program, so the server holds no fake
/// marketplace).
struct Binaries {
    server: PathBuf,
    sandbox: PathBuf,
}

fn build_binaries(workspace: &Workspace) -> TaskResult<Binaries> {
    Cmd::new("cargo")
        .args([
            "build",
            "--package",
            "jumun-server",
            "--package",
            "jumun-sandbox",
        ])
        .dir(&workspace.root)
        .run()?;
    let debug = workspace.target_dir().join("debug");
    Ok(Binaries {
        server: debug.join("jumun-server"),
        sandbox: debug.join("jumun-sandbox"),
    })
}

fn addr_arg(args: &[String]) -> TaskResult<String> {
    match args {
        [] => Ok("127.0.0.1:8080".to_owned()),
        [flag, addr] if flag == "--addr" => Ok(addr.clone()),
        other => Err(fail!(
            "unexpected arguments {other:?}; the only option is --addr HOST:PORT"
        )),
    }
}

/// Starts the sandbox marketplace and the server on the app already in `dist/`, with its
/// database in `data/`.
pub fn serve(workspace: &Workspace, args: &[String]) -> TaskResult {
    let addr = addr_arg(args)?;
    let binaries = build_binaries(workspace)?;
    run_demo(workspace, &binaries, &addr)
}

/// Everything a newcomer needs: set-up, app build, server, and the URL to open.
pub fn start(workspace: &Workspace, args: &[String]) -> TaskResult {
    let addr = addr_arg(args)?;
    let started = Instant::now();
    build(workspace, AppBuild::Shipped)?;
    let binaries = build_binaries(workspace)?;
    println!(
        "start: ready to serve after {:.1}s",
        started.elapsed().as_secs_f64()
    );
    run_demo(workspace, &binaries, &addr)
}

/// The sandbox's seed: the demo's orders are a function of it.
const SANDBOX_SEED: &str = "1";

/// A child process stopped when this is dropped (the sandbox, when the server ends).
struct StopOnDrop(Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the sandbox marketplace on a free loopback port, its time zero kept in `data_dir` so
/// a restart resumes its timeline; answers it and the URL it listens on. Its other lines are
/// passed through. Ctrl-C reaches it with the server (one process group).
fn start_sandbox(sandbox: &Path, data_dir: &Path) -> TaskResult<(StopOnDrop, String)> {
    let mut child = Command::new(sandbox)
        .args([
            "--seed",
            SANDBOX_SEED,
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| fail!("cannot start {}: {e}", sandbox.display()))?;
    let stdout = child.stdout.take();
    let guard = StopOnDrop(child);
    let mut lines = BufReader::new(stdout.ok_or_else(|| fail!("no output from the sandbox"))?)
        .lines()
        .map_while(Result::ok);
    let url = lines
        .by_ref()
        .inspect(|line| println!("{line}"))
        .find_map(|line| {
            Some(
                line.strip_prefix("sandbox listening on ")?
                    .trim()
                    .to_owned(),
            )
        })
        .ok_or_else(|| fail!("jumun-sandbox stopped before it listened (its message is above)"))?;
    // Keep reading, so the sandbox never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(|line| println!("{line}")));
    Ok((guard, url))
}

/// The demo: the sandbox marketplace, then the server with the demo store collecting from it.
fn run_demo(workspace: &Workspace, binaries: &Binaries, addr: &str) -> TaskResult {
    let data_dir = workspace.path("data");
    let (_sandbox, marketplaces) = start_sandbox(&binaries.sandbox, &data_dir)?;
    let server = &binaries.server;
    let mut child = Command::new(server)
        .args(["--addr", addr, "--data-dir"])
        .arg(&data_dir)
        .arg("--dist-dir")
        .arg(workspace.dist_dir())
        // The demo store (owner demo / demo1234) so a newcomer can sign in at once; the server
        // prints the login.
        .arg("--demo")
        // Fed by the sandbox's marketplaces, so orders and claims arrive from the start.
        .args(["--demo-marketplaces", &marketplaces])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| fail!("cannot start {}: {e}", server.display()))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            if let Some(url) = line.strip_prefix("jumun-server listening on ") {
                println!("\n  주문 콘솔이 준비되었습니다 — open {url}/ in your browser (Ctrl-C stops it)\n");
            }
        }
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(fail!("jumun-server stopped ({status})"))
    }
}

/// Test results added up over every test binary that ran.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Tally {
    /// Reads a `test result: ok. 3 passed; 0 failed; 1 ignored; …` line.
    fn observe(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

/// Runs every check: fmt, clippy, native tests, browser tests, end-to-end test.
pub fn test(workspace: &Workspace) -> TaskResult {
    let started = Instant::now();
    let setup = setup(workspace, true)?;
    let browser = setup
        .browser
        .clone()
        .ok_or_else(|| fail!("set-up found no browser"))?;
    let wasm_env = setup.toolchain.wasm_env();
    let mut tally = Tally::default();
    let mut step_times: Vec<(&str, f64)> = Vec::new();
    let mut postgres_note = String::from("PostgreSQL: not reached");
    let result = (|| -> TaskResult {
        let mut step = |name: &'static str, work: &mut dyn FnMut() -> TaskResult| -> TaskResult {
            println!("\n== {name}");
            let t = Instant::now();
            let r = work();
            step_times.push((name, t.elapsed().as_secs_f64()));
            r
        };
        step("format", &mut || {
            Cmd::new("cargo")
                .args(["fmt", "--all", "--check"])
                .dir(&workspace.root)
                .run()
        })?;
        step("clippy (native crates)", &mut || {
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "--workspace",
                    "--exclude",
                    "jumun",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
                .dir(&workspace.root)
                .run()
        })?;
        step("clippy (browser app, wasm)", &mut || {
            if !setup.toolchain.has_clippy() {
                println!("skipped: the Debian web toolchain ships no clippy; the app is linted where rustup's target is used");
                return Ok(());
            }
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "--package",
                    "jumun",
                    "--target",
                    WASM_TARGET,
                    "--all-targets",
                    // The test hooks too (a feature of the e2e build; what ships is a subset).
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ])
                .envs(&wasm_env)
                .dir(&workspace.root)
                .run()
        })?;
        step("native tests", &mut || {
            Cmd::new("cargo")
                .args([
                    "test",
                    "--workspace",
                    "--exclude",
                    "jumun",
                    "--exclude",
                    "jumun-e2e",
                ])
                .dir(&workspace.root)
                .run_observed(|l| tally.observe(l))
        })?;
        step(
            "server tests again, on PostgreSQL",
            &mut || match crate::postgres::start_test_cluster() {
                Ok(cluster) => {
                    println!("throwaway cluster: {} at {}", cluster.version, cluster.url);
                    postgres_note = format!("PostgreSQL: ran ({})", cluster.version);
                    Cmd::new("cargo")
                        .args(["test", "--package", "jumun-server"])
                        .env("JUMUN_TEST_POSTGRES", &cluster.url)
                        .dir(&workspace.root)
                        .run_observed(|l| tally.observe(l))
                }
                Err(why) => {
                    println!("SKIPPED: no throwaway PostgreSQL here, so the server's tests ran on SQLite only.\n  why: {why}");
                    postgres_note =
                        format!("PostgreSQL: SKIPPED ({})", why.lines().next().unwrap_or(""));
                    Ok(())
                }
            },
        )?;
        step(
            "browser tests (wasm-bindgen-test in headless Chromium)",
            &mut || {
                let capabilities = write_webdriver_capabilities(workspace, &browser)?;
                let browser_tmp = BrowserTempDir::fresh(workspace)?;
                Cmd::new("cargo")
                    .args(["test", "--package", "jumun", "--target", WASM_TARGET])
                    .envs(&wasm_env)
                    .env(
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                        "wasm-bindgen-test-runner",
                    )
                    .env("CHROMEDRIVER", &browser.chromedriver)
                    .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", capabilities)
                    .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
                    .env("TMPDIR", browser_tmp.path())
                    .dir(&workspace.root)
                    .run_observed(|l| tally.observe(l))
            },
        )?;
        step(
            "app release build (as shipped, and with test hooks)",
            &mut || {
                build_app(workspace, setup.toolchain, AppBuild::Shipped)?;
                build_app(workspace, setup.toolchain, AppBuild::TestHooks)
            },
        )?;
        step(
            "end-to-end (real server + headless Chromium over WebDriver)",
            &mut || {
                let binaries = build_binaries(workspace)?;
                let browser_tmp = BrowserTempDir::fresh(workspace)?;
                Cmd::new("cargo")
                    .args(["test", "--package", "jumun-e2e"])
                    .env("TMPDIR", browser_tmp.path())
                    .env("JUMUN_SERVER_BIN", binaries.server)
                    .env("JUMUN_SANDBOX_BIN", binaries.sandbox)
                    .env("JUMUN_DIST_DIR", workspace.e2e_dist_dir())
                    .env("CHROMIUM", &browser.chromium)
                    .env("CHROMEDRIVER", &browser.chromedriver)
                    .env("JUMUN_AXE_JS", &browser.axe)
                    .env("JUMUN_E2E_ARTIFACTS", workspace.target_dir().join("e2e"))
                    .dir(&workspace.root)
                    .run_observed(|l| tally.observe(l))
            },
        )?;
        Ok(())
    })();
    println!("\n== summary");
    for (name, secs) in &step_times {
        println!("{secs:>8.1}s  {name}");
    }
    let total = started.elapsed().as_secs();
    println!("total {}m {:02}s", total / 60, total % 60);
    println!("{postgres_note}");
    println!(
        "tests: {} passed, {} failed, {} skipped",
        tally.passed, tally.failed, tally.ignored
    );
    result
}

/// The temporary directory (`TMPDIR`) of one browser step's ChromeDriver and Chromium, under
/// the target dir and removed when the step ends, passed or not. wasm-bindgen-test-runner leaves
/// each test binary's Chromium profile (`org.chromium.Chromium.scoped_dir.*`, up to 150 MB with
/// the store tests' IndexedDB) in the system's /tmp; a few runs of the suite filled this
/// machine's disk, which CI shares.
struct BrowserTempDir(PathBuf);

impl BrowserTempDir {
    fn fresh(workspace: &Workspace) -> TaskResult<Self> {
        let dir = workspace.target_dir().join("tmp").join("browser");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for BrowserTempDir {
    fn drop(&mut self) {
        if let Err(why) = std::fs::remove_dir_all(&self.0) {
            println!("note: could not remove {}: {why}", self.0.display());
        }
    }
}

/// Chromium's options for wasm-bindgen-test-runner: headless, no sandbox (CI runs as root), and no
/// background networking (this machine has no internet; Chromium would keep retrying).
fn write_webdriver_capabilities(
    workspace: &Workspace,
    browser: &Browser,
) -> TaskResult<std::path::PathBuf> {
    let dir = workspace.target_dir().join("e2e");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("wasm-bindgen-test-webdriver.json");
    let args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| format!("\"{a}\"")).collect();
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": \"{}\", \"args\": [{}]}}}}\n",
        browser.chromium.display(),
        args.join(", ")
    );
    std::fs::write(&path, json)?;
    Ok(path)
}

/// Flags for headless Chromium on a machine with no internet.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn tally_adds_up_cargo_test_result_lines() {
        let mut tally = Tally::default();
        tally.observe("test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        tally.observe(
            "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        tally.observe("running 4 tests");
        assert_eq!((tally.passed, tally.failed, tally.ignored), (15, 1, 2));
    }
}
