//! 최근 14일 판매처별 주문수: stacked bars drawn as SVG by the app, one group per Korean day,
//! a legend in the marketplaces' Korean names, and the same numbers as a table (each cell opens
//! the list on that day and marketplace) for keyboards and screen readers.

use crate::screens::orders::marketplace_name;
use crate::screens::orders::url::orders_link;
use crate::sync::thousands;
use jumun_core::listing::{
    day_label, value_ticks, weekday_korean, DailyOrders, DateField, OrderFilter, Period,
};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Marketplaces drawn with their own colour; the others are stacked together as 기타.
pub const OWN_COLOURS: usize = 8;

/// The series' colours (colour-blind-safe, in legend order), and 기타's.
const COLOURS: [&str; OWN_COLOURS] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f",
];
const OTHERS_COLOUR: &str = "#bab0ac";

/// One stacked series: a marketplace, or 기타 (several).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// The marketplace codes it sums.
    pub codes: BTreeSet<String>,
    /// Its colour.
    pub colour: &'static str,
}

/// The chart's series: the busiest marketplaces, then 기타.
pub fn series(chart: &DailyOrders) -> Vec<Series> {
    let codes = chart.marketplaces();
    let mut found: Vec<Series> = codes
        .iter()
        .take(OWN_COLOURS)
        .zip(COLOURS)
        .map(|(code, colour)| Series {
            name: marketplace_name(code),
            codes: BTreeSet::from([(*code).to_owned()]),
            colour,
        })
        .collect();
    if codes.len() > OWN_COLOURS {
        found.push(Series {
            name: "기타".to_owned(),
            codes: codes[OWN_COLOURS..]
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            colour: OTHERS_COLOUR,
        });
    }
    found
}

/// Orders of `series` on day `i`.
fn count_of(chart: &DailyOrders, series: &Series, i: usize) -> u64 {
    series.codes.iter().map(|code| chart.count(code, i)).sum()
}

/// The list on day `i` of the chart, for `series` (every marketplace when `None`).
fn day_link(chart: &DailyOrders, i: usize, series: Option<&Series>) -> String {
    let (from, to) = chart.day_range(i);
    orders_link(&OrderFilter {
        period: Some(Period {
            field: DateField::Ordered,
            from,
            to,
        }),
        marketplaces: series.map(|s| s.codes.clone()).unwrap_or_default(),
        ..OrderFilter::default()
    })
}

// The drawing's coordinate system: about the panel's width on an operator's screen, so the
// SVG scales little and its text stays the size of the page's.
const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 6.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

/// The chart.
#[component]
pub fn DailyChart(
    /// The counted days, once counted.
    #[prop(into)]
    chart: Signal<Option<DailyOrders>>,
) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <section class="panel chart-panel" aria-labelledby="panel-chart">
            <h2 id="panel-chart">"최근 14일 판매처별 주문수 (주문일 기준)"</h2>
            {move || {
                let navigate = navigate.clone();
                chart.get().map(|chart| draw(chart, navigate))
            }}
        </section>
    }
}

fn draw(
    chart: DailyOrders,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + Clone + 'static,
) -> impl IntoView {
    let series = series(&chart);
    let days = chart.days();
    let ticks = value_ticks(chart.max_day(), 4);
    let top = ticks.last().copied().unwrap_or(1).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / days.len().max(1) as f64;
    let bar_w = (slot * 0.68).floor();
    let y_of = move |value: f64| TOP + plot_h - value / top * plot_h;
    let summary = format!(
        "최근 {}일 판매처별 주문수, 모두 {}건, 하루 최대 {}건",
        days.len(),
        thousands(chart.total()),
        thousands(chart.max_day())
    );
    let grid = ticks
        .iter()
        .map(|tick| {
            let y = y_of(*tick as f64);
            view! {
                <g class="chart-grid">
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y/>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{thousands(*tick)}</text>
                </g>
            }
        })
        .collect_view();
    let groups = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
            let mut base = 0u64;
            let bars = series
                .iter()
                .filter_map(|s| {
                    let n = count_of(&chart, s, i);
                    (n > 0).then(|| {
                        let y = y_of((base + n) as f64);
                        let h = y_of(base as f64) - y;
                        base += n;
                        let title = format!("{} {} {}건", day_label(*day), s.name, thousands(n));
                        view! {
                            <rect x=x y=y width=bar_w height=h fill=s.colour>
                                <title>{title}</title>
                            </rect>
                        }
                    })
                })
                .collect_view();
            let total = chart.day_total(i);
            let weekend = matches!(weekday_korean(*day), "토" | "일");
            let href = day_link(&chart, i, None);
            let navigate = navigate.clone();
            let centre = x + bar_w / 2.0;
            view! {
                <g class="chart-day" class:weekend=weekend data-day=day.to_string()
                    on:click=move |_| navigate(&href, Default::default())>
                    <rect class="chart-hit" x=LEFT + slot * i as f64 y=TOP width=slot height=plot_h/>
                    {bars}
                    {(total > 0).then(|| view! {
                        <text class="chart-total" x=centre y=y_of(total as f64) - 3.0 text-anchor="middle">
                            {thousands(total)}
                        </text>
                    })}
                    <text class="chart-day-label" x=centre y=HEIGHT - BOTTOM + 14.0 text-anchor="middle">
                        {day_label(*day)}
                    </text>
                    <text class="chart-weekday" x=centre y=HEIGHT - BOTTOM + 27.0 text-anchor="middle">
                        {weekday_korean(*day)}
                    </text>
                </g>
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| {
            let total: u64 = (0..days.len()).map(|i| count_of(&chart, s, i)).sum();
            view! {
                <li>
                    <span class="swatch" style:background=s.colour></span>
                    {s.name.clone()}
                    <span class="legend-count">{thousands(total)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="chart-legend" aria-label="판매처">{legend}</ul>
        {(chart.total() == 0).then(|| view! {
            <p class="panel-note">"최근 14일 동안 주문이 없습니다"</p>
        })}
        <svg class="daily-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
            aria-labelledby="chart-title">
            <title id="chart-title">{summary}</title>
            {grid}
            {groups}
        </svg>
        <details class="chart-table">
            <summary>"표로 보기"</summary>
            {table(&chart, &series)}
        </details>
    }
}

/// The chart's numbers as a table; every number opens the list on its day (and marketplace).
fn table(chart: &DailyOrders, series: &[Series]) -> impl IntoView {
    let days = chart.days();
    let cell = |i: usize, s: Option<&Series>, n: u64| {
        view! { <td><a href=day_link(chart, i, s)>{thousands(n)}</a></td> }
    };
    view! {
        <table class="dense">
            <thead>
                <tr>
                    <th scope="col">"판매처"</th>
                    {days.iter().map(|d| view! { <th scope="col">{day_label(*d)}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {series.iter().map(|s| view! {
                    <tr>
                        <th scope="row">{s.name.clone()}</th>
                        {(0..days.len()).map(|i| cell(i, Some(s), count_of(chart, s, i))).collect_view()}
                    </tr>
                }).collect_view()}
                <tr class="total">
                    <th scope="row">"합계"</th>
                    {(0..days.len()).map(|i| cell(i, None, chart.day_total(i))).collect_view()}
                </tr>
            </tbody>
        </table>
    }
}
