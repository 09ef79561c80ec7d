//! End-to-end test of 대시보드 (issue 12 §4), against the real `jumun-server` fed by the sandbox
//! marketplace (seed 1) and the release build in headless Chromium: every figure opens 주문
//! filtered to it, and the list finds exactly that many orders; the chart has one bar group per
//! day of the last 14 and a day opens that day's orders; the connections and the unmatched
//! cancels are the server's; a local command moves the figures without a reload.
//! Screenshot: `target/e2e/dashboard.png`.

use jumun_core::command::Command;
use jumun_core::ids::OrderId;
use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::api::get;
use jumun_e2e::app::{order, run};
use jumun_e2e::artifacts;
use jumun_e2e::console::CollectedConsole;
use jumun_e2e::orders::result_count;
use jumun_e2e::webdriver::Session;
use jumun_protocol::dashboard::DashboardFigures;
use serde::Deserialize;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A figure as the dashboard shows it.
#[derive(Debug, Clone, Deserialize)]
struct Figure {
    label: String,
    value: u64,
    href: String,
}

/// The dashboard's linked figures, once every one is counted.
fn figures(browser: &Session) -> Vec<Figure> {
    let value = browser
        .execute(
            "return [...document.querySelectorAll('a.figure')].map(a => ({ \
               label: a.dataset.figure, \
               value: Number(a.querySelector('.figure-value').textContent.replace(/,/g, '')), \
               href: a.getAttribute('href') }));",
            vec![],
        )
        .expect("read the figures");
    serde_json::from_value::<Vec<Option<Figure>>>(value.clone())
        .ok()
        .and_then(|all| all.into_iter().collect())
        .unwrap_or_default()
}

/// One figure's value, by its label.
fn figure(browser: &Session, label: &str) -> Option<u64> {
    figures(browser)
        .into_iter()
        .find(|f| f.label == label)
        .map(|f| f.value)
}

/// Clicks the element matching `css` whose `attribute` is `value`.
fn click_where(browser: &Session, css: &str, attribute: &str, value: &str) {
    let found = browser.find_all(css).expect("find");
    let element = found
        .iter()
        .find(|e| browser.attribute(e, attribute).ok().flatten().as_deref() == Some(value))
        .unwrap_or_else(|| panic!("{css}[{attribute}={value}] on screen"));
    browser.click(element).expect("click");
}

/// Back to the dashboard through the navigation (no reload), counted.
fn open_dashboard(browser: &Session) {
    click_where(browser, "nav.main-nav a", "href", "/");
    browser
        .wait_until("the dashboard counted", WAIT, |b| {
            Ok(figure(b, "전체").is_some())
        })
        .expect("the dashboard shows its figures");
}

#[test]
fn every_dashboard_figure_opens_the_orders_it_counts() {
    let console = CollectedConsole::start("dashboard", "/");
    let (browser, connections) = (&console.browser, &console.connections);
    let server_figures =
        get::<DashboardFigures>(console.base(), "/api/dashboard", Some(&console.owner));

    // The pull brings the collected orders; 전체 counts exactly what the browser holds.
    console.wait_pulled("the dashboard counts the collected orders", |b, orders| {
        figure(b, "전체") == Some(u64::from(orders))
    });

    // The chart: one bar group per day of the last 14 (KST), a legend in Korean names.
    let days = browser
        .find_all("svg.daily-chart g.chart-day")
        .expect("find the chart's days");
    assert_eq!(days.len(), 14, "one bar group per day");
    let legend = browser.find_all(".chart-legend li").expect("the legend");
    let legend_text: Vec<String> = legend.iter().map(|l| browser.text(l).unwrap()).collect();
    assert!(
        legend_text
            .iter()
            .all(|t| !t.contains("coupang") && !t.contains("cafe24")),
        "the legend names marketplaces in Korean: {legend_text:?}"
    );

    // The server's figures: one row per connection, the unmatched cancels as it counts them.
    browser
        .wait_until("the connections", WAIT, |b| {
            Ok(b.find_all("tr[data-connection]")?.len() == connections.len())
        })
        .expect("one row per connection");
    let unmatched = browser
        .wait_for("[data-figure='미매칭 취소'] strong", WAIT)
        .expect("the unmatched cancels");
    assert_eq!(
        browser.text(&unmatched[0]).unwrap().replace(',', ""),
        server_figures.counters.unmatched_cancels.to_string()
    );
    browser
        .screenshot(&artifacts().join("dashboard.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "대시보드");
    browser
        .execute(
            "document.querySelector('.connections-panel').scrollIntoView(); return true;",
            vec![],
        )
        .expect("scroll to the connections");
    browser
        .screenshot(&artifacts().join("dashboard-connections.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "대시보드 (주문수집 현황)");

    // Every figure opens 주문 filtered to it, and the list finds exactly that many.
    let all = figures(browser);
    assert!(
        all.len() >= 17,
        "status, hold, CS and unsent figures: {all:?}"
    );
    assert!(
        all.iter().filter(|f| f.value > 0).count() >= 2,
        "the sandbox's orders fill 전체 and a status: {all:?}"
    );
    for wanted in &all {
        click_where(browser, "a.figure", "data-figure", &wanted.label);
        browser
            .wait_until(&wanted.label, WAIT, |b| {
                Ok(result_count(b) == Some(wanted.value))
            })
            .unwrap_or_else(|e| {
                panic!(
                    "{} ({}) opens {} orders: {e}; the list says {:?}",
                    wanted.label,
                    wanted.href,
                    wanted.value,
                    result_count(browser)
                )
            });
        assert!(
            browser.current_url().unwrap().ends_with(&wanted.href),
            "{}: the URL is the figure's link {}",
            wanted.label,
            wanted.href
        );
        if wanted.label == "상품준비" {
            browser
                .screenshot(&artifacts().join("dashboard-opens-orders.png"))
                .expect("save a screenshot");
        }
        open_dashboard(browser);
    }

    // A day of the chart opens that day's orders.
    let totals: Vec<u64> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('svg.daily-chart g.chart-day')].map(g => { \
                   const t = g.querySelector('.chart-total'); \
                   return t ? Number(t.textContent.replace(/,/g, '')) : 0; });",
                vec![],
            )
            .expect("read the day totals"),
    )
    .expect("numbers");
    if let Some((busiest, total)) = totals.iter().enumerate().max_by_key(|(_, t)| **t) {
        if *total > 0 {
            let day = browser
                .attribute(&days_now(browser)[busiest], "data-day")
                .unwrap()
                .expect("a day");
            click_where(browser, "svg.daily-chart g.chart-day", "data-day", &day);
            browser
                .wait_until("the day's orders", WAIT, |b| {
                    Ok(result_count(b) == Some(*total))
                })
                .unwrap_or_else(|e| panic!("{day} opens {total} orders: {e}"));
            open_dashboard(browser);
        }
    }

    // A local command moves the figures without a reload: hold one order in 상품준비.
    click_where(browser, "a.figure", "data-figure", "상품준비");
    let id: u64 = browser
        .wait_until("a row", WAIT, |b| {
            Ok(!b
                .find_all("table.order-table tbody tr[data-id]")?
                .is_empty())
        })
        .map(|_| {
            let rows = browser
                .find_all("table.order-table tbody tr[data-id]")
                .expect("rows");
            browser
                .attribute(&rows[0], "data-id")
                .unwrap()
                .expect("an id")
                .parse()
                .expect("a number")
        })
        .expect("an order in 상품준비");
    let target = order(browser, OrderId(id)).expect("the order in the browser");
    assert!(target.lines.iter().all(|l| l.hold.is_none()));
    open_dashboard(browser);
    let before = figure(browser, "보류 전체").expect("보류 전체");
    run(
        browser,
        &Command::PlaceHold {
            order: OrderId(id),
            lines: Vec::new(),
            reason: "주소 확인".into(),
        },
    )
    .expect("hold the order");
    browser
        .wait_until("보류 전체 + 1", WAIT, |b| {
            Ok(figure(b, "보류 전체") == Some(before + 1))
        })
        .expect("the hold shows on the dashboard without a reload");
    for label in ["보류 전체", "주문보류"] {
        let count = figure(browser, label).expect(label);
        assert!(count >= 1, "{label}: {count}");
        click_where(browser, "a.figure", "data-figure", label);
        browser
            .wait_until(label, WAIT, |b| Ok(result_count(b) == Some(count)))
            .unwrap_or_else(|e| panic!("{label} opens {count} held orders: {e}"));
        open_dashboard(browser);
    }

    let errors = browser.console_errors().expect("read the console log");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// The chart's day groups as they are on screen now.
fn days_now(browser: &Session) -> Vec<jumun_e2e::webdriver::Element> {
    browser
        .find_all("svg.daily-chart g.chart-day")
        .expect("the chart's days")
}
