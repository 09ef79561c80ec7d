//! The dashboard's figures, each a link to the order list filtered to exactly what it counts
//! (the list's own search, so the two agree), or — for what the list cannot filter on — the
//! items themselves, listed beside the figure.

use super::server::{age_text, Kept};
use super::tally::{ClaimRow, Tally};
use crate::screens::orders::url::orders_link;
use crate::screens::orders::{marketplace_name, short_time};
use crate::sync::thousands;
use jumun_core::claim::HoldKind;
use jumun_core::dashboard::ByKind;
use jumun_core::listing::{BoardCounts, CsFilter, OrderFilter, SearchField, TabCounts};
use jumun_core::order::ClaimState;
use jumun_protocol::dashboard::DashboardFigures;
use leptos::prelude::*;

/// One figure: its label and count, a link to the list it counts.
#[component]
fn Figure(
    /// What it counts.
    label: &'static str,
    /// The count, once counted.
    #[prop(into)]
    count: Signal<Option<u64>>,
    /// The list's search.
    filter: OrderFilter,
    /// A figure that asks for work when it is not zero.
    #[prop(optional)]
    alert: bool,
) -> impl IntoView {
    let href = orders_link(&filter);
    let class = move || match count.get() {
        None => "figure pending",
        Some(0) => "figure zero",
        Some(_) if alert => "figure alert",
        Some(_) => "figure",
    };
    view! {
        <a class=class href=href data-figure=label>
            <span class="figure-label">{label}</span>
            <span class="figure-value">
                {move || count.get().map_or_else(|| "…".to_owned(), thousands)}
            </span>
        </a>
    }
}

/// 주문현황: orders per status tab, and invoices not yet sent.
#[component]
pub fn StatusPanel(tally: RwSignal<Option<Tally>>) -> impl IntoView {
    let counts = move || tally.with(|t| t.as_ref().map(|t| t.counts.clone()));
    let tab = move |status| Signal::derive(move || counts().map(|c| c.tabs.of(status)));
    view! {
        <section class="panel" aria-labelledby="panel-status">
            <h2 id="panel-status">"주문현황"</h2>
            <div class="figures">
                <Figure label="전체" count=tab(None) filter=OrderFilter::default()/>
                {TabCounts::STATUSES
                    .iter()
                    .map(|status| {
                        let status = *status;
                        let filter = OrderFilter { status: Some(status), ..OrderFilter::default() };
                        view! { <Figure label=status.korean() count=tab(Some(status)) filter=filter/> }
                    })
                    .collect_view()}
                <Figure
                    label="송장 미전송"
                    count=Signal::derive(move || counts().map(|c| c.invoice_unsent))
                    filter=BoardCounts::unsent_filter()
                    alert=true
                />
            </div>
        </section>
    }
}

/// A panel of CS choices (holds, or CS states).
#[component]
pub fn CsPanel(
    tally: RwSignal<Option<Tally>>,
    /// The panel's heading.
    title: &'static str,
    /// Its element id (for the heading's label).
    id: &'static str,
    /// The choices it counts.
    choices: Vec<CsFilter>,
    /// Whether a non-zero count asks for work.
    alert: bool,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            <div class="figures">
                {choices
                    .into_iter()
                    .map(|cs| {
                        let count = Signal::derive(move || {
                            tally.with(|t| t.as_ref().map(|t| t.counts.of_cs(cs)))
                        });
                        view! {
                            <Figure label=cs.korean() count=count filter=BoardCounts::cs_filter(cs) alert=alert/>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}

/// The hold choices, as the seed's 보류 현황 orders them (취소/교환/반품).
pub fn hold_choices() -> Vec<CsFilter> {
    vec![
        CsFilter::AnyHold,
        CsFilter::Hold(HoldKind::Cancel),
        CsFilter::Hold(HoldKind::Exchange),
        CsFilter::Hold(HoldKind::Return),
        CsFilter::Hold(HoldKind::Operator),
    ]
}

/// The CS states (lines not 정상).
pub fn state_choices() -> Vec<CsFilter> {
    [
        ClaimState::Cancelled,
        ClaimState::Returning,
        ClaimState::Returned,
        ClaimState::Exchanging,
        ClaimState::Exchanged,
    ]
    .into_iter()
    .map(CsFilter::State)
    .collect()
}

/// The order list on one order (관리번호).
fn order_link(id: u64) -> String {
    orders_link(&OrderFilter {
        field: SearchField::Id,
        text: id.to_string(),
        ..OrderFilter::default()
    })
}

/// `취소 0 / 교환 1 / 반품 2`, in the seed's order.
fn by_kind_text(by: ByKind) -> String {
    format!(
        "취소 {} / 교환 {} / 반품 {}",
        thousands(by.cancel),
        thousands(by.exchange),
        thousands(by.r#return)
    )
}

/// A list of claims, each a link to its order.
fn claim_list(rows: Vec<ClaimRow>, what: &'static str) -> impl IntoView {
    view! {
        <ul class="item-list">
            {rows
                .into_iter()
                .map(|row| {
                    let kind = row.kind.korean();
                    view! {
                        <li>
                            <span class="item-kind">{format!("{kind} {what}")}</span>
                            <a href=order_link(row.order)>{format!("관리번호 {}", row.order)}</a>
                            <span class="item-time">{short_time(row.at)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// 철회 현황 and 교환배송지연: from the claims the browser keeps. The list cannot filter claims,
/// so the newest are listed here, each opening its order.
#[component]
pub fn ClaimsPanel(tally: RwSignal<Option<Tally>>) -> impl IntoView {
    let claims = move || tally.with(|t| t.as_ref().map(|t| t.claims.clone()));
    view! {
        <section class="panel" aria-labelledby="panel-claims">
            <h2 id="panel-claims">"철회 · 교환배송지연"</h2>
            {move || match claims() {
                None => view! { <p class="panel-note">"세는 중…"</p> }.into_any(),
                Some(claims) => {
                    let withdrawn = claims.counters.withdrawals;
                    let withdrawn_total = withdrawn.cancel + withdrawn.exchange + withdrawn.r#return;
                    let late = claims.counters.exchange_delays;
                    view! {
                        <dl class="claim-figures">
                            <dt>"철회 현황"</dt>
                            <dd data-figure="철회">
                                <strong>{thousands(withdrawn_total)}</strong>
                                <span class="panel-note">{by_kind_text(withdrawn)}</span>
                            </dd>
                            <dt>"교환배송지연"</dt>
                            <dd data-figure="교환배송지연" class:alert={late > 0}>
                                <strong>{thousands(late)}</strong>
                            </dd>
                        </dl>
                        {(!claims.late.is_empty()).then(|| claim_list(claims.late, "배송지연"))}
                        {(!claims.withdrawn.is_empty()).then(|| claim_list(claims.withdrawn, "철회"))}
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// 미매칭 취소: marketplace cancels that matched no order (R27), from the server (its last answer
/// offline, with its age); each lists its order number, a search of the list.
#[component]
pub fn UnmatchedPanel(
    figures: Signal<Option<Kept<DashboardFigures>>>,
    /// Now, epoch milliseconds, for the answer's age.
    now: Signal<f64>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="panel-unmatched">
            <h2 id="panel-unmatched">
                "미매칭 취소"
                {move || figures.get().map(|kept| view! {
                    <span class="panel-note">{format!("서버 기준 {}", age_text(kept.fetched_at, now.get()))}</span>
                })}
            </h2>
            {move || match figures.get() {
                None => view! { <p class="panel-note">"서버에 연결되면 표시합니다"</p> }.into_any(),
                Some(kept) => {
                    let count = kept.value.counters.unmatched_cancels;
                    view! {
                        <dl class="claim-figures">
                            <dt>"주문을 찾지 못한 판매처 취소"</dt>
                            <dd data-figure="미매칭 취소" class:alert={count > 0}>
                                <strong>{thousands(count)}</strong>
                            </dd>
                        </dl>
                        <ul class="item-list">
                            {kept.value.unmatched_cancels.into_iter().map(|record| {
                                let order_no = record.keys.order_no.clone();
                                let href = orders_link(&OrderFilter {
                                    field: SearchField::OrderNo,
                                    text: order_no.clone(),
                                    ..OrderFilter::default()
                                });
                                view! {
                                    <li>
                                        <span class="item-kind">{marketplace_name(record.marketplace.as_str())}</span>
                                        <a href=href>{order_no}</a>
                                        <span class="item-kind">{record.status}</span>
                                        <span class="item-time">
                                            {short_time(record.reported_at.timestamp_millis() as f64)}
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
