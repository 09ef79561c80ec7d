//! The order list's search as a URL query, so that a figure elsewhere (the dashboard) links to
//! the list filtered to it, and a filtered list can be bookmarked or sent to a colleague.
//!
//! `/orders?status=Preparing&cs=hold:cancel&unsent=1&mp=coupang,cafe24&date=ordered&from=2026-11-03&to=2026-11-16&field=phone&q=1234`
//! - `status`: a status tab, by its variant name (`Preparing`, `ReadyToShip`, …).
//! - `cs`: a CS choice: `hold` (보류 전체), `hold:cancel` · `hold:return` · `hold:exchange` ·
//!   `hold:operator`, a CS상태 (`cancelled`, `returning`, `returned`, `exchanging`,
//!   `exchanged`), or `normal`.
//! - `unsent=1`: 송장 미전송 only.
//! - `mp`: marketplace codes, comma-separated.
//! - `date` (`ordered` · `collected` · `shipped`, default `ordered`), `from` and `to`: a period
//!   of whole Korean days, both inclusive (`YYYY-MM-DD`, KST); either may be left out.
//! - `field` (`recipient`, `phone`, `orderno`, `lineno`, `trackingno`, `product`, `id`; default
//!   통합검색) and `q`: the search text.
//!
//! A key the list does not know, or a value it cannot read, is left out: the link opens the list
//! with what it could read rather than failing.

use super::query::Search;
use super::search_bar::{day_start, day_text, DAY_MS};
use jumun_core::listing::{CsFilter, DateField, OrderFilter, Period, SearchField, TabCounts};
use leptos_router::params::ParamsMap;

/// A name for each choice, lower-case, from the variant's name (so that the names cannot
/// drift from the enum).
fn name_of(value: impl std::fmt::Debug) -> String {
    format!("{value:?}").to_ascii_lowercase()
}

/// The URL name of a CS choice.
pub fn cs_name(cs: CsFilter) -> String {
    match cs {
        CsFilter::AnyHold => "hold".to_owned(),
        CsFilter::Hold(kind) => format!("hold:{}", name_of(kind)),
        CsFilter::State(state) => name_of(state),
        CsFilter::Withdrawn => "withdrawn".to_owned(),
        CsFilter::Normal => "normal".to_owned(),
    }
}

fn find<T: Copy>(all: &[T], name: &str, name_of: impl Fn(T) -> String) -> Option<T> {
    all.iter().copied().find(|v| name_of(*v) == name)
}

/// The search a URL query names; `None` when it names no part of a search (the list opens
/// with its default search).
pub fn search_from_query(query: &ParamsMap) -> Option<Search> {
    let mut filter = OrderFilter::default();
    let mut named = false;
    let mut get = |key: &str| {
        let value = query.get(key).filter(|v| !v.trim().is_empty());
        named |= value.is_some();
        value
    };
    if let Some(status) = get("status") {
        filter.status = find(&TabCounts::STATUSES, &status, |s| format!("{s:?}"));
    }
    if let Some(cs) = get("cs") {
        filter.cs = find(&CsFilter::ALL, &cs, cs_name);
    }
    filter.invoice_unsent = get("unsent").is_some_and(|v| v == "1");
    if let Some(codes) = get("mp") {
        filter.marketplaces = codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
    }
    let field = get("date").map_or(Some(DateField::Ordered), |f| {
        find(&DateField::ALL, &f, name_of)
    });
    let from = get("from").and_then(|d| day_start(&d));
    let to = get("to").and_then(|d| day_start(&d)).map(|ms| ms + DAY_MS);
    if let (Some(field), true) = (field, from.is_some() || to.is_some()) {
        filter.period = Some(Period {
            field,
            from: from.unwrap_or(0.0),
            to: to.unwrap_or(f64::MAX),
        });
    }
    if let Some(text) = get("q") {
        filter.text = text.trim().to_owned();
        filter.field = get("field")
            .and_then(|f| find(&SearchField::ALL, &f, name_of))
            .unwrap_or_default();
    }
    named.then(|| Search {
        filter,
        ..Search::default()
    })
}

/// The URL query (`?status=Preparing&…`, or empty for the whole list) that opens the list on
/// `filter`'s result. A period is written as whole Korean days.
pub fn query_of(filter: &OrderFilter) -> String {
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    if let Some(status) = filter.status {
        pairs.push(("status", format!("{status:?}")));
    }
    if let Some(cs) = filter.cs {
        pairs.push(("cs", cs_name(cs)));
    }
    if filter.invoice_unsent {
        pairs.push(("unsent", "1".to_owned()));
    }
    if !filter.marketplaces.is_empty() {
        let codes: Vec<&str> = filter.marketplaces.iter().map(String::as_str).collect();
        pairs.push(("mp", codes.join(",")));
    }
    if let Some(period) = filter.period {
        pairs.push(("date", name_of(period.field)));
        if period.from > 0.0 {
            pairs.push(("from", day_text(period.from)));
        }
        if period.to < f64::MAX {
            // `to` is exclusive: the last day is the one before it.
            pairs.push(("to", day_text(period.to - 1.0)));
        }
    }
    let text = filter.text.trim();
    if !text.is_empty() {
        if filter.field != SearchField::All {
            pairs.push(("field", name_of(filter.field)));
        }
        pairs.push(("q", text.to_owned()));
    }
    pairs.into_iter().collect::<ParamsMap>().to_query_string()
}

/// The link to the order list filtered to `filter`.
pub fn orders_link(filter: &OrderFilter) -> String {
    format!("/orders{}", query_of(filter))
}
