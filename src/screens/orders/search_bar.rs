//! The search bar: period, marketplace, CS state, 송장 미전송, one search field with its text,
//! and the saved searches. Choices apply at once; the text applies on Enter.

use super::saved::{self, SavedSearch};
use super::table::marketplace_name;
use super::ListState;
use crate::context::console;
use chrono::Datelike;
use jumun_core::listing::{CsFilter, DateField, OrderFilter, Period, SearchField};
use jumun_core::marketplace::MarketplaceTable;
use jumun_core::time::KOREA;
use leptos::prelude::*;

/// `2026-11-27` as the start of that day in KST, in epoch milliseconds.
pub(super) fn day_start(date: &str) -> Option<f64> {
    // Read by hand rather than with chrono's `parse_from_str`, whose strftime parser would cost
    // the wasm (docs/wasm-size.md). Date inputs and the list's URL (`?from=`) hold
    // `YYYY-MM-DD`; anything else reads as no date.
    let mut parts = date.split('-').map(|part| part.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let day = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let start = day
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(KOREA)
        .single()?;
    Some(start.timestamp_millis() as f64)
}

/// Epoch milliseconds as a KST date `2026-11-27`.
pub(super) fn day_text(ms: f64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|at| {
            let day = at.with_timezone(&KOREA);
            format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
        })
        .unwrap_or_default()
}

/// One day, in milliseconds.
pub(super) const DAY_MS: f64 = 86_400_000.0;

/// The last `days` days up to the end of today (KST).
fn last_days(field: DateField, days: u32) -> Option<Period> {
    let today = day_start(&day_text(js_sys::Date::now()))?;
    Some(Period {
        field,
        from: today - f64::from(days - 1) * DAY_MS,
        to: today + DAY_MS,
    })
}

/// Every index of an enum-like list, as the value of an `<option>`.
fn index_of<T: PartialEq>(all: &[T], value: &T) -> String {
    all.iter()
        .position(|v| v == value)
        .map_or_else(String::new, |i| i.to_string())
}

/// The search bar.
#[component]
pub fn SearchBar(state: ListState) -> impl IntoView {
    let console = console();
    // A search opened from a link starts with its text in the box.
    let text = RwSignal::new(state.search.with_untracked(|s| s.filter.text.clone()));
    let saved_list = RwSignal::new(Vec::<SavedSearch>::new());
    let save_name = RwSignal::new(String::new());
    let save_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if !console.ready.get() {
            return;
        }
        let Some(store) = console.store() else { return };
        leptos::task::spawn_local(async move {
            match saved::load(&store).await {
                Ok(list) => saved_list.set(list),
                Err(e) => save_error.set(Some(e.to_string())),
            }
        });
    });
    // A choice that leaves the search as it was (the same field picked again) runs nothing: the
    // search signal is set only when the filter really changes.
    let update = move |f: &dyn Fn(&mut OrderFilter)| {
        let mut filter = state.search.with_untracked(|s| s.filter.clone());
        f(&mut filter);
        if state.search.with_untracked(|s| s.filter != filter) {
            state.search.update(|s| s.filter = filter);
        }
    };
    let period_field = move || {
        state
            .search
            .with(|s| s.filter.period.map_or(DateField::Ordered, |p| p.field))
    };
    let set_bound = move |from: bool, value: String| {
        let field = period_field();
        update(&|f| {
            let mut period = f.period.unwrap_or(Period {
                field,
                from: 0.0,
                to: f64::MAX,
            });
            match (from, day_start(&value)) {
                (true, Some(ms)) => period.from = ms,
                (true, None) => period.from = 0.0,
                (false, Some(ms)) => period.to = ms + DAY_MS,
                (false, None) => period.to = f64::MAX,
            }
            f.period = (period.from > 0.0 || period.to < f64::MAX).then_some(period);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked();
        update(&|f| f.text = value.trim().to_owned());
        if let Some(table) = state.table.get_untracked() {
            let _ = table.focus();
        }
    };
    let reset = move |_| {
        text.set(String::new());
        state.search.update(|s| {
            let status = s.filter.status;
            s.filter = OrderFilter {
                status,
                ..OrderFilter::default()
            };
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(store) = console.store() else { return };
        let search = state.search.get_untracked();
        let entry = SavedSearch {
            name: save_name.get_untracked(),
            filter: search.filter,
            sort: search.sort,
        };
        leptos::task::spawn_local(async move {
            match saved::save(&store, entry).await {
                Ok(list) => {
                    saved_list.set(list);
                    save_name.set(String::new());
                    save_error.set(None);
                }
                Err(e) => save_error.set(Some(e.to_string())),
            }
        });
    };
    let open_saved = move |name: String| {
        if let Some(found) =
            saved_list.with_untracked(|l| l.iter().find(|s| s.name == name).cloned())
        {
            text.set(found.filter.text.clone());
            state.search.update(|s| {
                s.filter = found.filter;
                s.sort = found.sort;
            });
        }
    };
    let delete_saved = move |name: String| {
        let Some(store) = console.store() else { return };
        leptos::task::spawn_local(async move {
            match saved::delete(&store, &name).await {
                Ok(list) => saved_list.set(list),
                Err(e) => save_error.set(Some(e.to_string())),
            }
        });
    };
    let marketplaces: Vec<(String, String)> = MarketplaceTable::builtin()
        .iter()
        .map(|p| {
            (
                p.code.as_str().to_owned(),
                marketplace_name(p.code.as_str()),
            )
        })
        .collect();

    view! {
        <div class="search-bar">
            <form class="search-row" role="search" aria-label="주문 검색" on:submit=submit>
                <label class="compact">
                    <span class="sr-only">"기간 기준"</span>
                    <select
                        prop:value=move || index_of(&DateField::ALL, &period_field())
                        on:change=move |ev| {
                            let field = event_target_value(&ev).parse::<usize>().ok()
                                .and_then(|i| DateField::ALL.get(i).copied())
                                .unwrap_or_default();
                            update(&|f| if let Some(p) = f.period.as_mut() { p.field = field });
                        }
                    >
                        {DateField::ALL.iter().enumerate().map(|(i, f)| view! {
                            <option value=i.to_string()>{f.korean()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="compact">
                    <span class="sr-only">"시작일"</span>
                    <input type="date"
                        prop:value=move || state.search.with(|s| s.filter.period
                            .filter(|p| p.from > 0.0).map(|p| day_text(p.from)).unwrap_or_default())
                        on:change=move |ev| set_bound(true, event_target_value(&ev))/>
                </label>
                <span aria-hidden="true">"~"</span>
                <label class="compact">
                    <span class="sr-only">"종료일"</span>
                    <input type="date"
                        prop:value=move || state.search.with(|s| s.filter.period
                            .filter(|p| p.to < f64::MAX).map(|p| day_text(p.to - DAY_MS)).unwrap_or_default())
                        on:change=move |ev| set_bound(false, event_target_value(&ev))/>
                </label>
                <div class="quick-periods" role="group" aria-label="빠른 기간">
                    {[("오늘", 1u32), ("7일", 7), ("30일", 30)].into_iter().map(|(label, days)| view! {
                        <button type="button" on:click=move |_| {
                            let field = period_field();
                            update(&|f| f.period = last_days(field, days));
                        }>{label}</button>
                    }).collect_view()}
                    <button type="button" on:click=move |_| update(&|f| f.period = None)>"전체기간"</button>
                </div>
                <label class="compact">
                    <span class="sr-only">"판매처"</span>
                    <select
                        prop:value=move || state.search.with(|s| s.filter.marketplaces.iter().next().cloned().unwrap_or_default())
                        on:change=move |ev| {
                            let code = event_target_value(&ev);
                            update(&|f| {
                                f.marketplaces.clear();
                                if !code.is_empty() {
                                    f.marketplaces.insert(code.clone());
                                }
                            });
                        }
                    >
                        <option value="">"판매처 전체"</option>
                        {marketplaces.into_iter().map(|(code, name)| view! {
                            <option value=code>{name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="compact">
                    <span class="sr-only">"CS상태"</span>
                    <select
                        prop:value=move || state.search.with(|s| s.filter.cs
                            .map(|cs| index_of(&CsFilter::ALL, &cs)).unwrap_or_default())
                        on:change=move |ev| {
                            let cs = event_target_value(&ev).parse::<usize>().ok()
                                .and_then(|i| CsFilter::ALL.get(i).copied());
                            update(&|f| f.cs = cs);
                        }
                    >
                        <option value="">"CS상태 전체"</option>
                        {CsFilter::ALL.iter().enumerate().map(|(i, cs)| view! {
                            <option value=i.to_string()>{cs.korean()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="check-label">
                    <input type="checkbox"
                        prop:checked=move || state.search.with(|s| s.filter.invoice_unsent)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            update(&|f| f.invoice_unsent = on);
                        }/>
                    "송장 미전송"
                </label>
                <label class="compact">
                    <span class="sr-only">"검색항목"</span>
                    <select
                        prop:value=move || index_of(&SearchField::ALL, &state.search.with(|s| s.filter.field))
                        on:change=move |ev| {
                            let field = event_target_value(&ev).parse::<usize>().ok()
                                .and_then(|i| SearchField::ALL.get(i).copied())
                                .unwrap_or_default();
                            update(&|f| f.field = field);
                        }
                    >
                        {SearchField::ALL.iter().enumerate().map(|(i, f)| view! {
                            <option value=i.to_string()>{f.korean()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="search-text">
                    <span class="sr-only">"검색어"</span>
                    <input type="search" node_ref=state.search_box
                        placeholder="검색어 (/) — 전화번호는 뒤 4자리도 됩니다"
                        prop:value=text
                        on:input=move |ev| text.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="primary">"검색 (Enter)"</button>
                <button type="button" on:click=reset>"초기화"</button>
            </form>
            <div class="saved-row">
                <span class="muted">"저장된 검색"</span>
                {move || {
                    let list = saved_list.get();
                    if list.is_empty() {
                        view! { <span class="muted">"없음"</span> }.into_any()
                    } else {
                        list.into_iter().map(|s| {
                            let name = s.name.clone();
                            let remove = s.name.clone();
                            view! {
                                <span class="saved-chip">
                                    <button type="button" class="link" on:click=move |_| open_saved(name.clone())>{s.name.clone()}</button>
                                    <button type="button" class="remove" aria-label=format!("저장된 검색 {} 삭제", s.name)
                                        on:click=move |_| delete_saved(remove.clone())>"×"</button>
                                </span>
                            }
                        }).collect_view().into_any()
                    }
                }}
                <form class="save-form" on:submit=save>
                    <label>
                        <span class="sr-only">"저장할 이름"</span>
                        <input type="text" placeholder="이름" prop:value=save_name
                            on:input=move |ev| save_name.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit">"현재 검색 저장"</button>
                </form>
                {move || save_error.get().map(|m| view! { <span class="error-inline" role="alert">{m}</span> })}
            </div>
        </div>
    }
}
