//! Support for the end-to-end tests in `tests/`: a small W3C WebDriver client and guards for the
//! processes a test starts (the real `jumun-server`, ChromeDriver).
//!
//! The tests read where things are from the environment that `cargo xtask test` sets:
//! `JUMUN_SERVER_BIN`, `JUMUN_DIST_DIR`, `CHROMIUM`, `CHROMEDRIVER`, `JUMUN_E2E_ARTIFACTS`.

pub mod processes;
pub mod webdriver;

/// Reads a required environment variable, explaining how to get it set when it is missing.
pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`, which builds the app and server and sets it")
    })
}
