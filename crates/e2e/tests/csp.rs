//! End-to-end test of the Content-Security-Policy (`crates/server/src/security_headers.rs`):
//! the release build of the app, served by the real `jumun-server`, boots in headless Chromium
//! under the policy with no violation reported, and markup injected into the page as if
//! marketplace text had been rendered as HTML by mistake runs no script — neither an inline
//! event handler (`<img onerror>`) nor a `<script>` element.
//!
//! Violations are collected by a `securitypolicyviolation` listener that Chrome DevTools
//! (`Page.addScriptToEvaluateOnNewDocument`) installs before any of the page's own scripts run;
//! WebDriver's own scripts are not subject to the page's policy, which is what lets the test
//! inject the markup.
//!
//! Run through `cargo xtask test`, which builds both and sets the environment this reads.

use jumun_e2e::webdriver::Session;
use jumun_e2e::{start_app_server, start_browser};
use serde_json::{json, Value};
use std::time::Duration;

/// Collects each violation as `{directive, blocked}` in `window.__violations`.
const COLLECT_VIOLATIONS: &str = "window.__violations = []; \
    document.addEventListener('securitypolicyviolation', (e) => \
      window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));";

fn violations(browser: &Session) -> Vec<Value> {
    match browser
        .execute("return window.__violations;", vec![])
        .expect("read the violations")
    {
        Value::Array(found) => found,
        other => panic!("the violation listener is not installed: {other}"),
    }
}

#[test]
fn the_app_boots_under_the_policy_and_injected_markup_runs_no_script() {
    let server = start_app_server("server-data-csp");
    let policy = ureq::get(&format!("{}/", server.base_url))
        .call()
        .expect("GET /")
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("the page is served with a Content-Security-Policy");
    assert!(
        policy.contains("'sha256-") && !policy.contains("unsafe-inline"),
        "Trunk's loader is allowed by its hash, nothing else inline: {policy}"
    );

    let browser = start_browser("chromium-profile-csp");
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": COLLECT_VIOLATIONS }),
        )
        .expect("install the violation listener");

    browser
        .goto(&format!("{}/orders", server.base_url))
        .expect("open the app at a deep link");
    browser
        .sign_in("demo", "demo", "demo1234")
        .expect("the app boots under the policy and signs in");
    browser
        .wait_until("the 주문 page", Duration::from_secs(30), |b| {
            Ok(b.title()? == "주문 · 주문")
        })
        .expect("the app boots under the policy (its wasm loader is allowed)");
    browser
        .wait_until(
            "the service worker to control the page",
            Duration::from_secs(30),
            |b| {
                Ok(b.execute(
                    "const c = navigator.serviceWorker.controller; return c ? c.state : null;",
                    vec![],
                )? == json!("activated"))
            },
        )
        .expect("the service worker (same origin) runs under the policy");
    assert_eq!(violations(&browser), Vec::<Value>::new(), "the app itself");
    let errors = browser.console_errors().expect("read the console log");
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // Marketplace text rendered as HTML by mistake: an inline event handler, and a script
    // element put into the page by script.
    browser
        .execute(
            "document.body.insertAdjacentHTML('beforeend', \
               '<img id=\"xss\" src=\"/no-such-image.png\" onerror=\"window.__xss = 1\">'); \
             const s = document.createElement('script'); \
             s.textContent = 'window.__xss = 2'; \
             document.body.appendChild(s);",
            vec![],
        )
        .expect("inject the markup");
    browser
        .wait_until(
            "both injections to be refused",
            Duration::from_secs(10),
            |b| Ok(violations(b).len() >= 2),
        )
        .expect("the browser reports the refusals");
    let mut directives: Vec<String> = violations(&browser)
        .iter()
        .map(|v| v["directive"].as_str().unwrap_or_default().to_owned())
        .collect();
    directives.sort();
    assert_eq!(directives, ["script-src-attr", "script-src-elem"]);
    assert_eq!(
        browser
            .execute("return typeof window.__xss;", vec![])
            .unwrap(),
        json!("undefined"),
        "no injected script ran"
    );
}
