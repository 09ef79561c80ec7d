//! Support for the end-to-end tests in `tests/`: a small W3C WebDriver client and guards for the
//! processes a test starts (the real `jumun-server`, the sandbox marketplace `jumun-sandbox`,
//! ChromeDriver).
//!
//! The tests read where things are from the environment that `cargo xtask test` sets:
//! `JUMUN_SERVER_BIN`, `JUMUN_SANDBOX_BIN`, `JUMUN_DIST_DIR`, `CHROMIUM`, `CHROMEDRIVER`,
//! `JUMUN_E2E_ARTIFACTS`, `JUMUN_AXE_JS`.

pub mod a11y;
pub mod api;
pub mod app;
pub mod bench_page;
pub mod console;
pub mod orders;
pub mod processes;
pub mod webdriver;

use processes::{start_chromedriver, start_server_with, RunningDriver, RunningServer};
use std::path::PathBuf;
use webdriver::Session;

/// Reads a required environment variable, explaining how to get it set when it is missing.
pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`, which builds the app and server and sets it")
    })
}

/// Where a test keeps what it leaves behind (screenshots, profiles, server data):
/// `JUMUN_E2E_ARTIFACTS`.
pub fn artifacts() -> std::path::PathBuf {
    std::path::PathBuf::from(required_env("JUMUN_E2E_ARTIFACTS"))
}

/// A fresh, empty directory `<name>-<pid>` under [`artifacts`].
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = artifacts().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// The project's Chromium flags (the same as xtask's for the wasm tests: headless, no sandbox
/// as root, no background networking on a machine without internet), with `profile` as a
/// fresh user data directory.
pub fn chromium_args(profile: &std::path::Path) -> Vec<String> {
    [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--lang=ko-KR",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// The real `jumun-server` (`JUMUN_SERVER_BIN`) serving the built app (`JUMUN_DIST_DIR`) on a
/// loopback port, with its data in a fresh [`scratch_dir`] named `data_name` and the demo store
/// (store `demo`, user `demo`, password `demo1234`).
pub fn start_app_server(data_name: &str) -> RunningServer {
    start_server_with(
        &PathBuf::from(required_env("JUMUN_SERVER_BIN")),
        &scratch_dir(data_name),
        &PathBuf::from(required_env("JUMUN_DIST_DIR")),
        &["--demo"],
    )
}

/// A headless Chromium session and the ChromeDriver it runs under; it dereferences to its
/// [`Session`], which ends before the driver stops.
pub struct Browser {
    session: Session,
    _driver: RunningDriver,
}

impl std::ops::Deref for Browser {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

/// Chromium (`CHROMIUM`) through ChromeDriver (`CHROMEDRIVER`), with [`chromium_args`] and a
/// fresh profile in the [`scratch_dir`] named `profile_name`.
pub fn start_browser(profile_name: &str) -> Browser {
    let driver = start_chromedriver(&PathBuf::from(required_env("CHROMEDRIVER")));
    let session = Session::start(
        &driver.url,
        &PathBuf::from(required_env("CHROMIUM")),
        &chromium_args(&scratch_dir(profile_name)),
    )
    .expect("start a Chromium session");
    Browser {
        session,
        _driver: driver,
    }
}
