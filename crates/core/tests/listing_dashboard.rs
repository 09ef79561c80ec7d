//! The dashboard's figures and chart, counted from order summaries (issue 12 §4): each figure is
//! the size of the list it opens; the chart buckets orders by Korean calendar day.

mod support;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use jumun_core::claim::HoldKind;
use jumun_core::command::Command;
use jumun_core::ids::{LineId, OrderId};
use jumun_core::listing::{
    day_label, value_ticks, weekday_korean, BoardCounts, CsFilter, DailyOrders, OrderSummary,
    CHART_DAYS,
};
use jumun_core::order::LineStatus;
use jumun_core::time::KOREA;
use support::{book_with, deliver, invoice, op, run, ship};

fn summaries() -> Vec<OrderSummary> {
    let mut found = Vec::new();
    // 1: preparing; 2: held by the operator; 3: invoiced; 4: shipped (invoice unsent);
    // 5: delivered.
    found.push(OrderSummary::of(
        &book_with("coupang", 1, &[(11, 1)]).orders[&OrderId(1)],
    ));
    let mut held = book_with("coupang", 2, &[(21, 1)]);
    run(
        &mut held,
        Command::PlaceHold {
            order: OrderId(2),
            lines: vec![LineId(21)],
            reason: "주소 확인".into(),
        },
        &op(1),
    );
    found.push(OrderSummary::of(&held.orders[&OrderId(2)]));
    let mut invoiced = book_with("naverpay", 3, &[(31, 1)]);
    invoice(&mut invoiced, 3);
    found.push(OrderSummary::of(&invoiced.orders[&OrderId(3)]));
    let mut shipped = book_with("naverpay", 4, &[(41, 2)]);
    ship(&mut shipped, 4);
    found.push(OrderSummary::of(&shipped.orders[&OrderId(4)]));
    let mut delivered = book_with("cafe24", 5, &[(51, 1)]);
    deliver(&mut delivered, 5);
    found.push(OrderSummary::of(&delivered.orders[&OrderId(5)]));
    found
}

#[test]
fn every_board_figure_is_the_size_of_the_list_it_opens() {
    let summaries = summaries();
    let mut counts = BoardCounts::default();
    for summary in &summaries {
        counts.add(summary);
    }
    let size = |filter: &jumun_core::listing::OrderFilter| {
        summaries.iter().filter(|s| filter.matches(s)).count() as u64
    };
    for cs in CsFilter::ALL {
        assert_eq!(
            counts.of_cs(cs),
            size(&BoardCounts::cs_filter(cs)),
            "{cs:?}"
        );
    }
    assert_eq!(counts.invoice_unsent, size(&BoardCounts::unsent_filter()));
    assert_eq!(counts.tabs.all, 5);
    assert_eq!(counts.tabs.of(Some(LineStatus::Preparing)), 2);
    assert_eq!(counts.of_cs(CsFilter::Hold(HoldKind::Operator)), 1);
    assert_eq!(counts.of_cs(CsFilter::AnyHold), 1);
    assert_eq!(counts.of_cs(CsFilter::Normal), 4);
    assert!(
        counts.invoice_unsent >= 1,
        "the shipped order's number waits (R29)"
    );
}

fn ordered(marketplace: &str, at_ms: i64) -> OrderSummary {
    let mut summary = summaries().remove(0);
    summary.marketplace = marketplace.into();
    summary.ordered_at = at_ms as f64;
    summary
}

fn kst(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    KOREA
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid date")
        .timestamp_millis()
}

#[test]
fn the_chart_counts_korean_calendar_days_ending_today() {
    // 2026-11-16 00:10 KST is still 2026-11-15 in UTC.
    let now = kst(2026, 11, 16, 0, 10) as f64;
    let mut chart = DailyOrders::ending_at(now, CHART_DAYS).expect("a chart");
    let days = chart.days();
    assert_eq!(days.len(), CHART_DAYS);
    assert_eq!(
        days[CHART_DAYS - 1],
        NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
    );
    assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
    assert_eq!(chart.from_ms(), kst(2026, 11, 3, 0, 0) as f64);
    chart.add(&ordered("coupang", kst(2026, 11, 15, 23, 59)));
    chart.add(&ordered("coupang", kst(2026, 11, 16, 0, 0)));
    chart.add(&ordered("naverpay", kst(2026, 11, 16, 0, 5)));
    chart.add(&ordered("naverpay", kst(2026, 11, 3, 0, 0)));
    chart.add(&ordered("coupang", kst(2026, 11, 2, 23, 59)));
    chart.add(&ordered("coupang", kst(2026, 11, 17, 0, 0)));
    assert_eq!(
        chart.count("coupang", CHART_DAYS - 2),
        1,
        "23:59 KST is the day before"
    );
    assert_eq!(chart.count("coupang", CHART_DAYS - 1), 1);
    assert_eq!(chart.count("naverpay", CHART_DAYS - 1), 1);
    assert_eq!(
        chart.count("naverpay", 0),
        1,
        "the first day's midnight is in"
    );
    assert_eq!(
        chart.total(),
        4,
        "before the first day and after today are out"
    );
    assert_eq!(chart.day_total(CHART_DAYS - 1), 2);
    assert_eq!(chart.max_day(), 2);
    let (from, to) = chart.day_range(CHART_DAYS - 1);
    assert_eq!(
        (from, to),
        (
            kst(2026, 11, 16, 0, 0) as f64,
            kst(2026, 11, 17, 0, 0) as f64
        )
    );
}

#[test]
fn the_legend_lists_the_busiest_marketplace_first() {
    let now = Utc.with_ymd_and_hms(2026, 11, 16, 3, 0, 0).unwrap();
    let mut chart = DailyOrders::ending_at(now.timestamp_millis() as f64, 7).expect("a chart");
    let today = now.timestamp_millis();
    for (code, n) in [("cafe24", 1), ("zigzag", 3), ("coupang", 3)] {
        for _ in 0..n {
            chart.add(&ordered(code, today));
        }
    }
    assert_eq!(chart.marketplaces(), ["coupang", "zigzag", "cafe24"]);
    let yesterday = (now - Duration::days(1)).timestamp_millis();
    chart.add(&ordered("cafe24", yesterday));
    assert_eq!(chart.count("cafe24", 5), 1);
    assert_eq!(
        chart.count("smartstore", 5),
        0,
        "a marketplace with no order counts 0"
    );
}

#[test]
fn no_chart_without_a_date_or_days() {
    assert!(DailyOrders::ending_at(f64::NAN, CHART_DAYS).is_none());
    assert!(DailyOrders::ending_at(0.0, 0).is_none());
}

#[test]
fn the_value_axis_ends_on_a_round_number_above_the_busiest_day() {
    assert_eq!(value_ticks(0, 5), [0, 1]);
    assert_eq!(value_ticks(7, 5), [0, 2, 4, 6, 8]);
    assert_eq!(value_ticks(100, 5), [0, 20, 40, 60, 80, 100]);
    assert_eq!(value_ticks(120, 5), [0, 50, 100, 150]);
    assert_eq!(value_ticks(523, 4), [0, 200, 400, 600]);
    let ticks = value_ticks(987_654, 5);
    assert!(*ticks.last().unwrap() >= 987_654);
    assert!(ticks.len() <= 6);
}

#[test]
fn day_labels_are_month_slash_day_with_the_korean_weekday() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    assert_eq!(day_label(day), "11/15");
    assert_eq!(weekday_korean(day), "일");
}
