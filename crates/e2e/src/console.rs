//! The start most console tests share: the real server fed by the sandbox, every connection
//! collected once, and Chromium signed in as the demo store's owner at a page of the console.

use crate::api::{collect_now, get, login, start_sandboxed_server_with};
use crate::app::state;
use crate::processes::{start_chromedriver, RunningDriver, RunningSandbox, RunningServer};
use crate::webdriver::Session;
use crate::{chromium_args, required_env, scratch_dir};
use jumun_protocol::connections::{ConnectionInfo, ConnectionList};
use std::path::PathBuf;
use std::time::Duration;

/// A console with collected orders, signed in. Fields drop in order: the browser first, the
/// sandbox last.
pub struct CollectedConsole {
    /// Chromium, signed in.
    pub browser: Session,
    /// Its ChromeDriver.
    pub driver: RunningDriver,
    /// The server.
    pub server: RunningServer,
    /// The sandbox marketplace.
    pub sandbox: RunningSandbox,
    /// The owner's bearer token.
    pub owner: String,
    /// The demo store's connections, each collected once.
    pub connections: Vec<ConnectionInfo>,
}

impl CollectedConsole {
    /// Starts the server and sandbox (data in a scratch directory named after `name`),
    /// collects every connection, and signs Chromium in at `path` (e.g. `/orders`).
    pub fn start(name: &str, path: &str) -> Self {
        Self::start_with(name, path, &[])
    }

    /// [`CollectedConsole::start`] with more of the sandbox's flags (e.g. `--hostile-every 3`).
    pub fn start_with(name: &str, path: &str, sandbox_flags: &[&str]) -> Self {
        let dist = PathBuf::from(required_env("JUMUN_DIST_DIR"));
        let data = scratch_dir(&format!("server-data-{name}"));
        let (sandbox, server) = start_sandboxed_server_with(&data, &dist, sandbox_flags);
        let base = server.base_url.clone();
        let owner = login(&base, "demo", "demo1234");
        let connections =
            get::<ConnectionList>(&base, "/api/connections", Some(&owner)).connections;
        for connection in &connections {
            collect_now(&base, &owner, &connections, &connection.marketplace);
        }
        let driver = start_chromedriver(&PathBuf::from(required_env("CHROMEDRIVER")));
        let browser = Session::start(
            &driver.url,
            &PathBuf::from(required_env("CHROMIUM")),
            &chromium_args(&scratch_dir(&format!("chromium-profile-{name}"))),
        )
        .expect("start a Chromium session");
        browser
            .goto(&format!("{base}{path}"))
            .expect("open the console");
        browser
            .sign_in("demo", "demo", "demo1234")
            .expect("sign in");
        CollectedConsole {
            browser,
            driver,
            server,
            sandbox,
            owner,
            connections,
        }
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.server.base_url
    }

    /// Waits until the pull has brought the collected orders (more than 20, the same count
    /// twice running) and `shown(browser, orders)` says the screen shows them; answers how many
    /// orders the browser holds.
    pub fn wait_pulled(&self, what: &str, shown: impl Fn(&Session, u32) -> bool) -> u32 {
        let mut held = 0;
        self.browser
            .wait_until(what, Duration::from_secs(90), |b| {
                let Some(now) = state(b) else {
                    return Ok(false);
                };
                let settled = now.orders > 20 && now.orders == held;
                held = now.orders;
                Ok(settled && shown(b, now.orders))
            })
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        held
    }
}
