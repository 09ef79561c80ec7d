//! End-to-end smoke test of the console shell: the release build of the app, served by the real
//! `jumun-server` on a loopback port, opened in headless Chromium through ChromeDriver.
//!
//! Run through `cargo xtask test`, which builds both and sets the environment this reads.

use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::{artifacts, start_app_server, start_browser};
use std::time::Duration;

const NAV_LABELS: [&str; 8] = [
    "대시보드",
    "주문",
    "고객CS",
    "교환관리",
    "수거/회수",
    "송장/배송",
    "재고",
    "설정",
];

#[test]
fn console_shell_renders_in_korean_with_no_console_errors() {
    let server = start_app_server("server-data");
    let browser = start_browser("chromium-profile");

    // Signed out, the console shows its sign-in screen; signed in, the dashboard at `/`.
    browser
        .goto(&format!("{}/", server.base_url))
        .expect("open the app");
    browser
        .wait_for("form.login-form", Duration::from_secs(30))
        .expect("the sign-in screen shows without a session");
    assert_eq!(browser.title().unwrap(), "로그인 · 주문");
    browser
        .screenshot(&artifacts().join("sign-in.png"))
        .expect("save a screenshot");
    assert_accessible(&browser, "로그인");
    browser
        .sign_in("demo", "demo", "demo1234")
        .expect("sign in through the form");
    let links = browser
        .wait_for("nav.main-nav a", Duration::from_secs(30))
        .expect("the navigation renders (the wasm app started)");
    let labels: Vec<String> = links
        .iter()
        .map(|l| browser.text(l).expect("link text"))
        .collect();
    assert_eq!(labels, NAV_LABELS);
    let h1 = browser
        .wait_for("h1", Duration::from_secs(5))
        .expect("a heading");
    assert_eq!(browser.text(&h1[0]).unwrap(), "대시보드");
    assert_eq!(browser.title().unwrap(), "대시보드 · 주문");
    assert_eq!(
        browser
            .attribute(&links[0], "aria-current")
            .unwrap()
            .as_deref(),
        Some("page"),
        "the current section is marked in the navigation"
    );
    browser
        .screenshot(&artifacts().join("shell-dashboard.png"))
        .expect("save a screenshot");
    assert_accessible(&browser, "대시보드");

    // Client-side navigation to 주문.
    browser.click(&links[1]).expect("click 주문");
    browser
        .wait_until("the 주문 page", Duration::from_secs(5), |b| {
            let h1 = b.find_all("h1")?;
            Ok(match h1.first() {
                Some(h) => b.text(h)? == "주문",
                None => false,
            })
        })
        .expect("the 주문 page shows");
    assert!(browser.current_url().unwrap().ends_with("/orders"));

    // A deep link is served by the server's single-page-app fallback and routed by the app.
    browser
        .goto(&format!("{}/shipping", server.base_url))
        .expect("open a deep link");
    browser
        .wait_until("the 송장/배송 page", Duration::from_secs(30), |b| {
            Ok(b.title()? == "송장/배송 · 주문")
        })
        .expect("the deep link renders");
    browser
        .screenshot(&artifacts().join("shell-shipping.png"))
        .expect("save a screenshot");
    assert_accessible(&browser, "송장/배송");

    // An unknown page says so instead of showing a blank screen.
    browser
        .goto(&format!("{}/no-such-page", server.base_url))
        .expect("open an unknown page");
    browser
        .wait_until("the not-found page", Duration::from_secs(30), |b| {
            Ok(b.title()? == "페이지 없음 · 주문")
        })
        .expect("the not-found page renders");

    let errors = browser.console_errors().expect("read the console log");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
