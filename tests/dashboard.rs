//! The dashboard's pure parts in a real browser (the app builds for wasm only): the order
//! list's URL form that every figure links with, the age of the server's kept answers, the
//! chart's series, and what a connection's last run says.
#![cfg(target_arch = "wasm32")]

use chrono::TimeZone;
use jumun::screens::dashboard::server::age_text;
use jumun::screens::orders::query::Search;
use jumun::screens::orders::url::{query_of, search_from_query};
use jumun_core::claim::HoldKind;
use jumun_core::listing::{CsFilter, DateField, OrderFilter, Period, SearchField, TabCounts};
use jumun_core::time::KOREA;
use leptos_router::location::Url;
use leptos_router::params::ParamsMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The query string as the router reads it from the address bar.
fn parse(query: &str) -> ParamsMap {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (Url::unescape(key), Url::unescape(value))
        })
        .collect()
}

fn round_trip(filter: OrderFilter) {
    let query = query_of(&filter);
    assert_eq!(
        search_from_query(&parse(&query)),
        Some(Search {
            filter: filter.clone(),
            ..Search::default()
        }),
        "{query}"
    );
}

fn kst_midnight(y: i32, m: u32, d: u32) -> f64 {
    KOREA
        .with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("a date")
        .timestamp_millis() as f64
}

#[wasm_bindgen_test]
fn every_status_and_cs_choice_survives_the_url() {
    for status in TabCounts::STATUSES {
        round_trip(OrderFilter {
            status: Some(status),
            ..OrderFilter::default()
        });
    }
    for cs in CsFilter::ALL {
        round_trip(OrderFilter {
            cs: Some(cs),
            ..OrderFilter::default()
        });
    }
}

#[wasm_bindgen_test]
fn a_combined_search_survives_the_url() {
    round_trip(OrderFilter {
        period: Some(Period {
            field: DateField::Shipped,
            from: kst_midnight(2026, 11, 3),
            to: kst_midnight(2026, 11, 17),
        }),
        marketplaces: ["coupang".to_owned(), "cafe24".to_owned()].into(),
        status: Some(jumun_core::order::LineStatus::ReadyToShip),
        cs: Some(CsFilter::Hold(HoldKind::Exchange)),
        invoice_unsent: true,
        field: SearchField::Recipient,
        text: "홍 길동&x=1?".into(),
    });
    round_trip(OrderFilter {
        text: "T-100".into(),
        ..OrderFilter::default()
    });
}

#[wasm_bindgen_test]
fn the_url_names_whole_korean_days() {
    let query = query_of(&OrderFilter {
        period: Some(Period {
            field: DateField::Ordered,
            from: kst_midnight(2026, 11, 15),
            to: kst_midnight(2026, 11, 16),
        }),
        ..OrderFilter::default()
    });
    assert_eq!(query, "?date=ordered&from=2026-11-15&to=2026-11-15");
    let open_ended = search_from_query(&parse("?from=2026-11-03")).expect("a search");
    assert_eq!(
        open_ended.filter.period,
        Some(Period {
            field: DateField::Ordered,
            from: kst_midnight(2026, 11, 3),
            to: f64::MAX,
        })
    );
}

#[wasm_bindgen_test]
fn the_whole_list_has_no_query_and_unknown_values_are_left_out() {
    assert_eq!(query_of(&OrderFilter::default()), "");
    assert_eq!(search_from_query(&parse("")), None);
    assert_eq!(search_from_query(&parse("?utm=x")), None);
    let odd = search_from_query(&parse("?status=Shipped&cs=bogus&unsent=yes&from=15/11"))
        .expect("named, so a search");
    assert_eq!(odd.filter, OrderFilter::default());
    assert_eq!(
        query_of(&OrderFilter {
            cs: Some(CsFilter::Hold(HoldKind::Cancel)),
            ..OrderFilter::default()
        }),
        "?cs=hold%3Acancel"
    );
}

#[wasm_bindgen_test]
fn a_kept_answer_says_its_age() {
    let now = 1_800_000_000_000.0;
    assert_eq!(age_text(now - 20_000.0, now), "방금 전");
    assert_eq!(age_text(now - 3.0 * 60_000.0, now), "3분 전");
    assert_eq!(age_text(now - 2.5 * 3_600_000.0, now), "2시간 전");
    assert_eq!(age_text(now - 5.0 * 86_400_000.0, now), "5일 전");
    assert_eq!(
        age_text(now + 60_000.0, now),
        "방금 전",
        "a clock ahead is not negative"
    );
}
