//! Support for the end-to-end tests in `tests/`: a small W3C WebDriver client and guards for the
//! processes a test starts (the real `jumun-server`, the sandbox marketplace `jumun-sandbox`,
//! ChromeDriver).
//!
//! The tests read where things are from the environment that `cargo xtask test` sets:
//! `JUMUN_SERVER_BIN`, `JUMUN_SANDBOX_BIN`, `JUMUN_DIST_DIR`, `CHROMIUM`, `CHROMEDRIVER`,
//! `JUMUN_E2E_ARTIFACTS`.

pub mod api;
pub mod app;
pub mod bench_page;
pub mod orders;
pub mod processes;
pub mod webdriver;

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
