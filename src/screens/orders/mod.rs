//! 주문: the order list. Search (period, marketplace, status tab, CS state, one search field),
//! sortable columns, a virtualised table that reads only the rows on screen, keyboard-first
//! navigation and selection, saved searches, and the order's panel.
//!
//! The screen holds no rule: matching, sorting and counting are `jumun_core::listing`; reading
//! is [`query`] over the store's summaries; the result refreshes from the console's change feed.

pub mod bulk;
mod detail;
pub mod export;
mod invoice_list;
pub mod query;
mod saved;
mod search_bar;
mod table;
pub mod url;

pub use table::{marketplace_name, short_time};

use crate::components::keys::{use_shortcuts, Shortcut, ShortcutHelp};
use crate::components::states::{ErrorState, SyncNote};
use crate::context::console;
use crate::sync::thousands;
use jumun_core::listing::TabCounts;
use leptos::prelude::*;
use query::{Found, Matches, Rows, Search};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

/// Which rows are selected for bulk work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These orders (관리번호).
    Some(BTreeSet<u64>),
    /// Every order of the search's result, however many.
    WholeResult,
}

impl Selection {
    /// Whether `id` is selected.
    pub fn contains(&self, id: u64) -> bool {
        match self {
            Selection::Some(ids) => ids.contains(&id),
            Selection::WholeResult => true,
        }
    }

    /// How many orders, given the result's size.
    pub fn count(&self, total: u64) -> u64 {
        match self {
            Selection::Some(ids) => ids.len() as u64,
            Selection::WholeResult => total,
        }
    }
}

/// The list's state, shared by its parts (copyable handles).
#[derive(Clone, Copy)]
pub struct ListState {
    /// The search being shown.
    pub search: RwSignal<Search>,
    /// Its result so far.
    pub found: RwSignal<Option<Found>>,
    /// Why the result could not be read.
    pub error: RwSignal<Option<String>>,
    /// The keyboard cursor: a position in the list.
    pub cursor: RwSignal<usize>,
    /// Where a Shift-extended selection started.
    pub anchor: RwSignal<Option<usize>>,
    /// The selection.
    pub selection: RwSignal<Selection>,
    /// The order whose panel is open.
    pub open: RwSignal<Option<u64>>,
    /// Bumped when the rows on screen must be read again (a change touched the result).
    pub reread: RwSignal<u64>,
    /// The search box, for `/`.
    pub search_box: NodeRef<leptos::html::Input>,
    /// The table, to take focus back.
    pub table: NodeRef<leptos::html::Div>,
    /// 관리번호 of the rows on screen, by position (for keyboard moves and selection).
    pub visible: StoredValue<Vec<(usize, u64)>, LocalStorage>,
}

/// The 주문 screen.
#[component]
pub fn OrdersScreen() -> impl IntoView {
    let console = console();
    // A link (a dashboard figure, a bookmark) opens the list on its search.
    let linked = url::search_from_query(&leptos_router::hooks::use_query_map().get_untracked());
    let state = ListState {
        search: RwSignal::new(linked.unwrap_or_default()),
        found: RwSignal::new(None),
        error: RwSignal::new(None),
        cursor: RwSignal::new(0),
        anchor: RwSignal::new(None),
        selection: RwSignal::new(Selection::Some(BTreeSet::new())),
        open: RwSignal::new(None),
        reread: RwSignal::new(0),
        search_box: NodeRef::new(),
        table: NodeRef::new(),
        visible: StoredValue::new_local(Vec::new()),
    };
    let generation = Rc::new(Cell::new(0u64));
    let matches: Rc<RefCell<Option<Matches>>> = Rc::default();

    // Run the search whenever it (or the store's readiness) changes.
    {
        let generation = generation.clone();
        let matches = matches.clone();
        Effect::new(move |_| {
            let search = state.search.get();
            if !console.ready.get() {
                return;
            }
            let Some(store) = console.store() else { return };
            let mine = generation.get() + 1;
            generation.set(mine);
            let current = generation.clone();
            let matches = matches.clone();
            state.cursor.set(0);
            state.anchor.set(None);
            state.selection.set(Selection::Some(BTreeSet::new()));
            leptos::task::spawn_local(async move {
                let publish = {
                    let current = current.clone();
                    move |found: Found| {
                        if current.get() == mine {
                            state.found.set(Some(found));
                            state.error.set(None);
                        }
                    }
                };
                match query::run(&store, &search, mine, current.clone(), publish).await {
                    Ok(kept) if current.get() == mine => *matches.borrow_mut() = kept,
                    Ok(_) => {}
                    Err(e) => state.error.set(Some(e.to_string())),
                }
            });
        });
    }

    // A committed write: counts and rows on screen follow, a scanned result is patched from the
    // changed summaries alone.
    {
        let matches = matches.clone();
        Effect::new(move |previous: Option<u64>| {
            let changes = console.changes.get();
            let Some(seen) = previous.filter(|_| changes.seq > 0) else {
                return changes.seq;
            };
            let Some(store) = console.store() else {
                return changes.seq;
            };
            // Every write since the last run, not only the latest (see `Changes`); writes too
            // many to remember: the search runs again.
            let Some(written) = changes.orders_since(seen) else {
                state.search.update(|_| {});
                return changes.seq;
            };
            let written = std::sync::Arc::new(written);
            let search = state.search.get_untracked();
            let matches = matches.clone();
            leptos::task::spawn_local(async move {
                let patched = if matches.borrow().is_some() {
                    match store.list_rows(&written).await {
                        Ok(now) => matches
                            .borrow_mut()
                            .as_mut()
                            .map(|m| m.apply_changes(&search, &written, &now)),
                        Err(e) => {
                            state.error.set(Some(e.to_string()));
                            None
                        }
                    }
                } else {
                    None
                };
                match patched {
                    Some(found) => state.found.set(Some(found)),
                    None => {
                        // An index plan: only its counts can have moved.
                        if let Ok(tabs) = store.list_tab_counts().await {
                            state.found.update(|found| {
                                if let Some(
                                    found @ Found {
                                        rows: Rows::Index { .. },
                                        ..
                                    },
                                ) = found
                                {
                                    found.total = tabs.of(search.filter.status);
                                    found.tabs = tabs;
                                }
                            });
                        }
                    }
                }
                state.reread.update(|n| *n += 1);
            });
            changes.seq
        });
    }

    let help = RwSignal::new(false);
    let export_open = RwSignal::new(false);
    let mut shortcuts = list_shortcuts(state, help);
    shortcuts.push(export::shortcut(export_open));
    // The bulk bar registers its own keys (it owns the run they start); the help lists them too.
    let help_rows: Vec<(String, &'static str)> = shortcuts
        .iter()
        .map(|s| (s.keys_text(), s.label))
        .chain(
            bulk::BulkAction::ALL
                .iter()
                .map(|a| (a.key().to_owned(), a.help())),
        )
        .collect();
    use_shortcuts(shortcuts);
    crate::app::set_document_title("주문");

    view! {
        <section class="screen orders-screen" aria-labelledby="orders-title">
            <header class="screen-head">
                <h1 id="orders-title">"주문"</h1>
                <ResultSummary state=state/>
                <SyncNote/>
                <export::ExportButton state=state open=export_open/>
                <button type="button" class="link" on:click=move |_| help.update(|h| *h = !*h)>
                    "단축키 (?)"
                </button>
            </header>
            <search_bar::SearchBar state=state/>
            <StatusTabs state=state/>
            <SelectionBar state=state/>
            <bulk::BulkBar state=state/>
            {move || state.error.get().map(|message| view! { <ErrorState message=message/> })}
            <div class="list-and-panel">
                <table::OrderTable state=state/>
                {move || state.open.get().map(|id| view! { <detail::OrderPanel state=state id=id/> })}
            </div>
            <ShortcutHelp open=help shortcuts=help_rows/>
        </section>
    }
}

/// "검색결과 12,345건", and a scan's progress while it runs.
#[component]
fn ResultSummary(state: ListState) -> impl IntoView {
    move || {
        state.found.get().map(|found| {
            let text = if found.complete {
                format!("검색결과 {}건", thousands(found.total))
            } else {
                format!(
                    "검색 중… {}건 찾음 ({}건 확인)",
                    thousands(found.total),
                    thousands(found.scanned)
                )
            };
            view! { <span class="result-count" role="status" aria-live="polite">{text}</span> }
        })
    }
}

/// The status tabs, each with its count in the current search.
#[component]
fn StatusTabs(state: ListState) -> impl IntoView {
    let tabs = std::iter::once(None)
        .chain(TabCounts::STATUSES.iter().copied().map(Some))
        .collect::<Vec<_>>();
    view! {
        <div class="status-tabs" role="tablist" aria-label="주문상태">
            {tabs.into_iter().map(|status| {
                let label = status.map_or("전체", |s| s.korean());
                let selected = move || state.search.with(|s| s.filter.status == status);
                view! {
                    <button
                        type="button"
                        role="tab"
                        aria-selected=move || selected().to_string()
                        class:active=selected
                        on:click=move |_| state.search.update(|s| s.filter.status = status)
                    >
                        {label}
                        <span class="count">
                            {move || state.found.get().map(|f| thousands(f.tabs.of(status)))}
                        </span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

/// What is selected, and choosing the whole result.
#[component]
fn SelectionBar(state: ListState) -> impl IntoView {
    move || {
        let total = state.found.get().map_or(0, |f| f.total);
        let selection = state.selection.get();
        let count = selection.count(total);
        (count > 0).then(|| {
            let whole = selection == Selection::WholeResult;
            view! {
                <div class="selection-bar" role="region" aria-label="선택한 주문">
                    <strong>{format!("{}건 선택", thousands(count))}</strong>
                    {(!whole && total > count).then(|| view! {
                        <button type="button" class="link"
                            on:click=move |_| state.selection.set(Selection::WholeResult)>
                            {format!("검색결과 전체 {}건 선택 (Shift+A)", thousands(total))}
                        </button>
                    })}
                    <button type="button" class="link"
                        on:click=move |_| state.selection.set(Selection::Some(BTreeSet::new()))>
                        "선택 해제 (Esc)"
                    </button>
                </div>
            }
        })
    }
}

/// The list's shortcuts.
fn list_shortcuts(state: ListState, help: RwSignal<bool>) -> Vec<Shortcut> {
    let total = move || {
        state
            .found
            .with_untracked(|f| f.as_ref().map_or(0, |f| f.total as usize))
    };
    let move_by = move |delta: isize, extend: bool| {
        let last = total().saturating_sub(1);
        let from = state.cursor.get_untracked();
        let to = from.saturating_add_signed(delta).min(last);
        if extend {
            let anchor = state.anchor.get_untracked().unwrap_or(from);
            state.anchor.set(Some(anchor));
            select_range(state, anchor.min(to), anchor.max(to));
        } else {
            state.anchor.set(None);
        }
        state.cursor.set(to);
    };
    let navigate = leptos_router::hooks::use_navigate();
    let id_at = move |position: usize| {
        state
            .visible
            .with_value(|v| v.iter().find(|(p, _)| *p == position).map(|(_, id)| *id))
    };
    vec![
        Shortcut::new("/", "검색어 입력", move || {
            if let Some(input) = state.search_box.get_untracked() {
                let _ = input.focus();
                input.select();
            }
        }),
        Shortcut::new("j", "다음 주문", move || move_by(1, false)),
        Shortcut::new("ArrowDown", "다음 주문", move || move_by(1, false)),
        Shortcut::new("k", "이전 주문", move || move_by(-1, false)),
        Shortcut::new("ArrowUp", "이전 주문", move || move_by(-1, false)),
        Shortcut::new("j", "선택을 아래로 넓히기", move || {
            move_by(1, true)
        })
        .with_shift(),
        Shortcut::new("ArrowDown", "선택을 아래로 넓히기", move || {
            move_by(1, true)
        })
        .with_shift(),
        Shortcut::new("k", "선택을 위로 넓히기", move || move_by(-1, true)).with_shift(),
        Shortcut::new("ArrowUp", "선택을 위로 넓히기", move || {
            move_by(-1, true)
        })
        .with_shift(),
        Shortcut::new("PageDown", "한 화면 아래", move || move_by(20, false)),
        Shortcut::new("PageUp", "한 화면 위", move || move_by(-20, false)),
        Shortcut::new("x", "주문 선택/해제", move || {
            if let Some(id) = id_at(state.cursor.get_untracked()) {
                toggle(state, id);
            }
        }),
        Shortcut::new("a", "검색결과 전체 선택", move || {
            state.selection.set(Selection::WholeResult)
        })
        .with_shift(),
        Shortcut::new("Enter", "주문 열기", move || {
            if let Some(id) = id_at(state.cursor.get_untracked()) {
                state.open.set(Some(id));
            }
        }),
        Shortcut::new("o", "고객CS 창에서 열기", move || {
            if let Some(id) = id_at(state.cursor.get_untracked()) {
                navigate(&crate::screens::cs::href(id), Default::default());
            }
        }),
        Shortcut::new("Escape", "닫기 · 선택 해제", move || {
            if help.get_untracked() {
                help.set(false);
            } else if state.open.get_untracked().is_some() {
                state.open.set(None);
            } else {
                state.selection.set(Selection::Some(BTreeSet::new()));
                if let Some(table) = state.table.get_untracked() {
                    let _ = table.focus();
                }
            }
        })
        .anywhere(),
        Shortcut::new("?", "단축키 보기", move || help.update(|h| *h = !*h)).with_shift(),
    ]
}

/// Toggles one order in the selection (leaving "the whole result" for a list of ids is not
/// possible without reading them, so it is cleared first).
pub fn toggle(state: ListState, id: u64) {
    state.selection.update(|selection| match selection {
        Selection::Some(ids) => {
            if !ids.remove(&id) {
                ids.insert(id);
            }
        }
        Selection::WholeResult => *selection = Selection::Some(BTreeSet::from([id])),
    });
}

/// Selects the rows at positions `from..=to` (those whose 관리번호 are known: on screen).
fn select_range(state: ListState, from: usize, to: usize) {
    let ids: Vec<u64> = state.visible.with_value(|v| {
        v.iter()
            .filter(|(p, _)| (from..=to).contains(p))
            .map(|(_, id)| *id)
            .collect()
    });
    state.selection.update(|selection| {
        let mut set = match selection {
            Selection::Some(ids) => std::mem::take(ids),
            Selection::WholeResult => BTreeSet::new(),
        };
        set.extend(ids);
        *selection = Selection::Some(set);
    });
}
