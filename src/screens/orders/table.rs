//! The order table: a real `<table>` that renders only the rows in view (plus a margin), with
//! spacer rows standing for the rest, so 100,000 orders scroll like 50.

use super::query::{self, Rows};
use super::{toggle, ListState, Selection};
use crate::context::console;
use crate::sync::thousands;
use chrono::{Datelike, Timelike};
use jumun_core::listing::{OrderSummary, SortKey};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceTable};
use leptos::prelude::*;

/// Every row's height in pixels (the stylesheet's `.order-table tr` agrees).
pub const ROW_HEIGHT: f64 = 30.0;
/// Rows read beyond the screen on each side: a scroll shows rows already in memory while the
/// next read is under way.
const READ_AHEAD: usize = 300;
/// Rows read beyond the screen by the first read of a new result: the fewer, the sooner it shows.
const FIRST_READ_AHEAD: usize = 10;
/// A new read starts when fewer rows than this are read beyond the screen on either side (and
/// the list goes on there).
const REFILL_AT: usize = 120;
/// Rows rendered beyond the screen on each side. Only these are in the DOM: a scroll of a few
/// rows adds and removes a few `<tr>`, whatever was read.
const RENDER_MARGIN: usize = 12;

/// The rows in the DOM: positions `[start, end)` of the list, of read number `read`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Shown {
    start: usize,
    end: usize,
    read: u64,
}

/// The rows read: from which position, and which.
#[derive(Debug, Clone, Default, PartialEq)]
struct Window {
    start: usize,
    rows: Vec<OrderSummary>,
    /// The result they were read from, and the re-read count then.
    source: Option<(Rows, u64)>,
    /// The read found fewer rows than it asked for: the list ends at `start + rows.len()`,
    /// whatever the result's count says until it is counted again (a write just landed), so
    /// the table does not read the same end over and over.
    ended: bool,
}

/// The Korean name of a marketplace, or its code.
pub fn marketplace_name(code: &str) -> String {
    MarketplaceTable::builtin()
        .get(&MarketplaceCode::from(code))
        .map_or_else(|| code.to_owned(), |p| p.korean_name.clone())
}

/// `1730000000000` → `11-27 09:13` (KST).
pub fn short_time(ms: f64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|at| {
            // Not chrono's `format`: its strftime parser would cost the wasm (docs/wasm-size.md).
            let t = at.with_timezone(&jumun_core::time::KOREA);
            format!(
                "{:02}-{:02} {:02}:{:02}",
                t.month(),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// `01012345678` → `010-1234-5678`.
pub fn phone_text(digits: &str) -> String {
    match digits.len() {
        11 => format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]),
        10 if digits.starts_with("02") => {
            format!("{}-{}-{}", &digits[..2], &digits[2..6], &digits[6..])
        }
        10 => format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
        _ => digits.to_owned(),
    }
}

/// The CS column: holds and claim states, in Korean.
fn cs_text(row: &OrderSummary) -> String {
    row.holds
        .iter()
        .map(|h| h.korean())
        .chain(row.claim_states.iter().map(|c| c.korean()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The columns: header, sort key (if sortable), class.
const COLUMNS: [(&str, Option<SortKey>, &str); 13] = [
    ("관리번호", Some(SortKey::Id), "num"),
    ("판매처", Some(SortKey::Marketplace), ""),
    ("주문번호", Some(SortKey::OrderNo), "mono"),
    ("주문일", Some(SortKey::OrderedAt), "time"),
    ("상품명", None, "product"),
    ("옵션", None, "option"),
    ("수량", Some(SortKey::Quantity), "num"),
    ("금액", Some(SortKey::Amount), "num"),
    ("수령자", Some(SortKey::Recipient), ""),
    ("전화번호", None, "mono"),
    ("주문상태", Some(SortKey::Status), ""),
    ("CS", None, "cs"),
    ("송장번호", Some(SortKey::TrackingNo), "mono"),
];

/// The table.
#[component]
pub fn OrderTable(state: ListState) -> impl IntoView {
    let console = console();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let window = RwSignal::new(Window::default());

    // The viewport's height, now and after a resize.
    let measure = move || {
        if let Some(el) = state.table.get_untracked() {
            viewport.set(f64::from(el.client_height()).max(ROW_HEIGHT));
        }
    };
    Effect::new(move |_| {
        if state.table.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let total = move || {
        state
            .found
            .with(|f| f.as_ref().map_or(0, |f| f.total as usize))
    };
    // The positions on screen.
    let on_screen = Memo::new(move |_| {
        let first = (scroll_top.get() / ROW_HEIGHT).floor() as usize;
        let count = (viewport.get() / ROW_HEIGHT).ceil() as usize + 1;
        (first, first + count)
    });

    // Read the rows on screen when they are not read yet, or the result changed. One read at a
    // time: while it is under way the screen keeps the rows it has, and when it lands the check
    // runs again for where the list is then (a read per frame, each dropping the one before,
    // would never land while the operator keeps scrolling).
    let reading = StoredValue::new_local(false);
    let again = RwSignal::new(0u64);
    Effect::new(move |_| {
        again.track();
        let (first, last) = on_screen.get();
        let reread = state.reread.get();
        let Some(found) = state.found.get() else {
            return;
        };
        let source = Some((found.rows.clone(), reread));
        let total = found.total as usize;
        let last = last.min(total);
        let first = first.min(last);
        // Enough read on both sides of the screen (or up to the list's ends)?
        let need_from = first.saturating_sub(REFILL_AT);
        let need_to = (last + REFILL_AT).min(total);
        let covered = window.with_untracked(|w| {
            w.source == source
                && w.start <= need_from
                && (need_to <= w.start + w.rows.len() || w.ended)
        });
        if covered && (need_to > need_from || total == 0) {
            return;
        }
        if reading.get_value() {
            return;
        }
        let Some(store) = console.store() else { return };
        // A new result reads the screen first (its rows show sooner), the rows ahead next.
        let fresh = window.with_untracked(|w| w.source != source);
        let ahead = if fresh { FIRST_READ_AHEAD } else { READ_AHEAD };
        let start = first.saturating_sub(ahead);
        let len = (last + ahead).min(total).saturating_sub(start);
        reading.set_value(true);
        leptos::task::spawn_local(async move {
            let read = query::window(&store, &found.rows, start, len).await;
            reading.set_value(false);
            // A read for a result already replaced is dropped, not shown under the new count.
            // The screen may have been left while the read ran: its signals are gone then.
            let Some(current) = state.found.try_with_untracked(|f| {
                f.as_ref()
                    .and_then(|f| Some((f.rows.clone(), state.reread.try_get_untracked()?)))
            }) else {
                return;
            };
            match read {
                Ok(_) if current != source => {}
                Ok(rows) => {
                    state.visible.set_value(
                        rows.iter()
                            .enumerate()
                            .map(|(i, r)| (start + i, r.id))
                            .collect(),
                    );
                    window.set(Window {
                        start,
                        ended: rows.len() < len,
                        rows,
                        source,
                    });
                }
                Err(e) => state.error.set(Some(e.to_string())),
            }
            // Where is the list now? Read again if it moved on meanwhile.
            again.update(|n| *n += 1);
        });
    });

    // The rows in the DOM: the screen and a few rows beyond, out of those read.
    let shown = Memo::new(move |_| {
        let (first, last) = on_screen.get();
        window.with(|w| {
            let read = w.source.as_ref().map_or(0, |(_, read)| *read);
            let start = first.saturating_sub(RENDER_MARGIN).max(w.start);
            let end = (last + RENDER_MARGIN).min(w.start + w.rows.len());
            if start < end {
                Shown { start, end, read }
            } else {
                // Scrolled beyond what is read: nothing rendered until the read lands.
                Shown {
                    start: first,
                    end: first,
                    read,
                }
            }
        })
    });

    // Keep the keyboard cursor on screen.
    Effect::new(move |_| {
        let cursor = state.cursor.get();
        let Some(el) = state.table.get_untracked() else {
            return;
        };
        let top = cursor as f64 * ROW_HEIGHT;
        let head = ROW_HEIGHT; // the sticky header
        let view_top = f64::from(el.scroll_top());
        let view_height = f64::from(el.client_height());
        if top < view_top {
            el.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT + head > view_top + view_height {
            el.set_scroll_top((top + ROW_HEIGHT + head - view_height) as i32);
        }
    });

    let sort_header = move |(label, key, class): (&'static str, Option<SortKey>, &'static str)| {
        let aria_sort = move || {
            let sort = state.search.with(|s| s.sort);
            match key {
                Some(k) if k == sort.key => {
                    if sort.descending {
                        "descending"
                    } else {
                        "ascending"
                    }
                }
                _ => "none",
            }
        };
        view! {
            <th scope="col" class=class aria-sort=aria_sort>
                {match key {
                    Some(key) => view! {
                        <button type="button" class="sort"
                            on:click=move |_| state.search.update(|s| s.sort = s.sort.toggled(key))>
                            {label}
                            <span class="sort-mark" aria-hidden="true">
                                {move || match aria_sort() {
                                    "descending" => "▼",
                                    "ascending" => "▲",
                                    _ => "",
                                }}
                            </span>
                        </button>
                    }.into_any(),
                    None => view! { <span>{label}</span> }.into_any(),
                }}
            </th>
        }
    };

    view! {
        <div
            class="order-table-wrap"
            node_ref=state.table
            tabindex="0"
            aria-label="주문 목록 (j/k 또는 화살표로 이동, x 선택, Enter 열기)"
            on:scroll=move |ev| {
                let el: web_sys::Element = event_target(&ev);
                scroll_top.set(f64::from(el.scroll_top()));
            }
        >
            <table class="order-table" aria-rowcount=move || (total() + 1).to_string()>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="check">
                            <input type="checkbox" aria-label="검색결과 전체 선택"
                                prop:checked=move || state.selection.get() == Selection::WholeResult
                                on:change=move |ev| {
                                    state.selection.set(if event_target_checked(&ev) {
                                        Selection::WholeResult
                                    } else {
                                        Selection::Some(Default::default())
                                    })
                                }/>
                        </th>
                        {COLUMNS.into_iter().map(sort_header).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true"
                        style:height=move || format!("{}px", shown.get().start as f64 * ROW_HEIGHT)></tr>
                    // Keyed by order, position and read: a scroll renders only the rows that come
                    // on screen; a row read again after a change is rendered anew.
                    <For
                        each=move || {
                            let Shown { start, end, read } = shown.get();
                            window.with(|w| {
                                let from = start.checked_sub(w.start).unwrap_or(w.rows.len());
                                w.rows
                                    .get(from..)
                                    .unwrap_or_default()
                                    .iter()
                                    .take(end - start)
                                    .cloned()
                                    .enumerate()
                                    .map(|(i, row)| (start + i, read, row))
                                    .collect::<Vec<_>>()
                            })
                        }
                        key=|(position, read, row)| (row.id, *position, *read)
                        children=move |(position, _, row)| view! {
                            <OrderRow state=state row=row position=position/>
                        }
                    />
                    <tr class="spacer" aria-hidden="true"
                        style:height=move || {
                            let end = shown.get().end;
                            format!("{}px", total().saturating_sub(end) as f64 * ROW_HEIGHT)
                        }></tr>
                </tbody>
            </table>
            {move || (state.found.with(|f| f.as_ref().is_some_and(|f| f.complete && f.total == 0)))
                .then(|| view! {
                    <div class="empty-state" role="status">
                        <strong>"검색 결과가 없습니다"</strong>
                        <p>"검색 조건을 바꾸거나 초기화하세요. 아직 수집되지 않은 주문은 보이지 않습니다."</p>
                    </div>
                })}
        </div>
    }
}

/// One order's row.
#[component]
fn OrderRow(state: ListState, row: OrderSummary, position: usize) -> impl IntoView {
    let id = row.id;
    let is_cursor = move || state.cursor.get() == position;
    let selected = move || state.selection.with(|s| s.contains(id));
    let cs = cs_text(&row);
    let status_class = format!("status status-{:?}", row.status).to_ascii_lowercase();
    view! {
        <tr
            aria-rowindex=(position + 2).to_string()
            aria-selected=move || selected().to_string()
            class:cursor=is_cursor
            class:selected=selected
            class:held=row.held == 1
            data-id=id.to_string()
            on:click=move |_| state.cursor.set(position)
            on:dblclick=move |_| state.open.set(Some(id))
        >
            <td class="check">
                <input type="checkbox" aria-label=format!("주문 {id} 선택")
                    prop:checked=selected
                    on:click=move |ev| ev.stop_propagation()
                    on:change=move |_| toggle(state, id)/>
            </td>
            <td class="num">{id.to_string()}</td>
            <td>{marketplace_name(&row.marketplace)}</td>
            <td class="mono">{row.order_no.clone()}</td>
            <td class="time">{short_time(row.ordered_at)}</td>
            <td class="product" title=row.product_label()>{row.product_label()}</td>
            <td class="option" title=row.option.clone()>{row.option.clone()}</td>
            <td class="num">{thousands(row.quantity)}</td>
            <td class="num">{thousands(row.amount.0.max(0) as u64)}</td>
            <td>{row.recipient.clone()}</td>
            <td class="mono">{phone_text(&row.phone)}</td>
            <td><span class=status_class>{row.status.korean()}</span></td>
            <td class="cs">{cs}</td>
            <td class="mono">{row.tracking_no.clone().unwrap_or_default()}</td>
        </tr>
    }
}
