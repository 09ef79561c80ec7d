//! 주문 as the end-to-end tests open it: the real server fed by the sandbox marketplace, every
//! connection collected, Chromium signed in on the order list once it lists what the browser
//! holds; and the list's count as the screen shows it.

use crate::api::{collect_now, get, login, start_sandboxed_server};
use crate::app::state;
use crate::processes::{start_chromedriver, RunningDriver, RunningSandbox, RunningServer};
use crate::webdriver::Session;
use crate::{chromium_args, required_env, scratch_dir};
use jumun_protocol::connections::ConnectionList;
use std::path::PathBuf;
use std::time::Duration;

/// A console signed in on 주문 over the collected sandbox orders, and the processes it runs
/// on (the browser's session ends first, the sandbox last).
pub struct OrdersConsole {
    /// The browser, on 주문.
    pub browser: Session,
    /// The server's base URL.
    pub base: String,
    /// How many orders the browser holds (and the list shows).
    pub held: u32,
    _driver: RunningDriver,
    _server: RunningServer,
    _sandbox: RunningSandbox,
}

/// Starts the server on the sandbox (seed 1), collects every connection, signs in as the demo
/// owner on 주문 and waits until the list counts every pulled order. `name` keeps the test's
/// scratch directories apart.
pub fn open_orders(name: &str) -> OrdersConsole {
    let dist = PathBuf::from(required_env("JUMUN_DIST_DIR"));
    let data = scratch_dir(&format!("server-data-{name}"));
    let (sandbox, server) = start_sandboxed_server(&data, &dist);
    let base = server.base_url.clone();
    let owner = login(&base, "demo", "demo1234");
    let connections = get::<ConnectionList>(&base, "/api/connections", Some(&owner)).connections;
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
    browser.goto(&format!("{base}/orders")).expect("open 주문");
    browser
        .sign_in("demo", "demo", "demo1234")
        .expect("sign in");

    // The pull brings the collected orders; the list counts exactly what the browser holds.
    let mut held = 0;
    browser
        .wait_until(
            "the orders pulled and listed",
            Duration::from_secs(90),
            |b| {
                let Some(now) = state(b) else {
                    return Ok(false);
                };
                let settled = now.orders > 20 && now.orders == held;
                held = now.orders;
                Ok(settled && result_count(b) == Some(u64::from(now.orders)))
            },
        )
        .expect("the collected orders appear in the list");
    OrdersConsole {
        browser,
        base,
        held,
        _driver: driver,
        _server: server,
        _sandbox: sandbox,
    }
}

/// The result count the screen shows ("검색결과 N건"), once a search is complete.
pub fn result_count(browser: &Session) -> Option<u64> {
    let text = browser
        .execute(
            "const e = document.querySelector('.result-count'); return e ? e.textContent : '';",
            vec![],
        )
        .ok()?;
    let digits: String = text
        .as_str()?
        .strip_prefix("검색결과 ")?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}
