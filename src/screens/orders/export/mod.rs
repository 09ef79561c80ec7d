//! 내보내기: the current search's result or the selection to .xlsx or .csv, in a column
//! template (built in or the operator's own). The dialog chooses; [`run`] reads the orders in
//! chunks and writes them with `jumun-export` (every cell comes from there); [`templates`]
//! keeps and edits the operator's templates.

pub mod run;
pub mod templates;

use super::{ListState, Selection};
use crate::components::keys::Shortcut;
use crate::components::progress::{Progress, ProgressBar};
use crate::context::console;
use crate::sync::thousands;
use jumun_export::{ColumnTemplate, Format};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// The list's shortcut that opens the dialog.
pub fn shortcut(open: RwSignal<bool>) -> Shortcut {
    Shortcut::new("e", "내보내기 (엑셀 · CSV)", move || open.set(true))
}

/// The 내보내기 button of the list's head, and its dialog while open.
#[component]
pub fn ExportButton(state: ListState, open: RwSignal<bool>) -> impl IntoView {
    view! {
        <button type="button" class="export-open" on:click=move |_| open.set(true)
            title="검색결과나 선택한 주문을 엑셀 · CSV 파일로 내려받기">
            "내보내기 (e)"
        </button>
        {move || open.get().then(|| view! { <ExportDialog state=state open=open/>})}
    }
}

/// Which orders go into the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The selected orders.
    Selection,
    /// Every order of the search's result.
    WholeResult,
}

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Choosing.
    Ready,
    /// Writing.
    Running(Progress),
    /// Downloaded.
    Done {
        file_name: String,
        orders: usize,
        rows: usize,
    },
    /// Stopped by the operator; no file.
    Stopped,
    /// Failed, with the operator's message.
    Failed(String),
}

/// The dialog's two pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Export,
    Templates,
}

/// The 내보내기 dialog: modal, keys stay inside it (the list's shortcuts do not act behind it),
/// Esc stops a running export or closes.
#[component]
fn ExportDialog(state: ListState, open: RwSignal<bool>) -> impl IntoView {
    let console = console();
    let own = RwSignal::new(Vec::<ColumnTemplate>::new());
    let load_error = RwSignal::new(None::<String>);
    let page = RwSignal::new(Page::Export);
    let phase = RwSignal::new(Phase::Ready);
    let stop = StoredValue::new_local(Rc::new(Cell::new(false)));
    let dialog = NodeRef::<leptos::html::Div>::new();

    if let Some(store) = console.store() {
        leptos::task::spawn_local(async move {
            match templates::load(&store).await {
                Ok(list) => {
                    own.try_set(list);
                }
                Err(e) => {
                    load_error.try_set(Some(e.to_string()));
                }
            }
        });
    }
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.focus();
        }
    });

    let running = move || matches!(phase.get_untracked(), Phase::Running(_));
    let close = move || {
        stop.with_value(|s| s.set(true));
        open.set(false);
        if let Some(table) = state.table.get_untracked() {
            let _ = table.focus();
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        // The list's shortcuts (window listeners) do not act behind the dialog: this listener
        // is the dialog's own (capture phase, not delegated to the window), so stopping here
        // keeps the key from the window; typing and the browser's own key handling go on.
        event.stop_propagation();
        if event.key() == "Escape" {
            event.prevent_default();
            if running() {
                stop.with_value(|s| s.set(true));
            } else {
                close();
            }
        }
    };

    view! {
        <div class="modal-backdrop" on:click=move |ev| {
            if ev.target() == ev.current_target() && !running() { close() }
        }>
            <div class="export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title"
                tabindex="-1" node_ref=dialog on:keydown:capture=on_key>
                <header class="dialog-head">
                    <h2 id="export-title">"주문 내보내기"</h2>
                    <div class="dialog-tabs" role="tablist" aria-label="내보내기">
                        <button type="button" role="tab" aria-selected=move || (page.get() == Page::Export).to_string()
                            class:active=move || page.get() == Page::Export
                            on:click=move |_| page.set(Page::Export)>"파일 만들기"</button>
                        <button type="button" role="tab" aria-selected=move || (page.get() == Page::Templates).to_string()
                            class:active=move || page.get() == Page::Templates
                            disabled=running
                            on:click=move |_| page.set(Page::Templates)>"양식 관리"</button>
                    </div>
                    <button type="button" class="close" on:click=move |_| close()>"닫기 (Esc)"</button>
                </header>
                {move || load_error.get().map(|message| view! { <p class="error-inline" role="alert">{message}</p> })}
                {move || match page.get() {
                    Page::Export => view! { <ExportForm state=state own=own phase=phase stop=stop/> }.into_any(),
                    Page::Templates => view! { <templates::TemplateManager own=own/> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// Choosing the template, the format and the orders, running, and the outcome.
#[component]
fn ExportForm(
    state: ListState,
    own: RwSignal<Vec<ColumnTemplate>>,
    phase: RwSignal<Phase>,
    stop: StoredValue<Rc<Cell<bool>>, LocalStorage>,
) -> impl IntoView {
    let console = console();
    let all = Memo::new(move |_| {
        let mut all = ColumnTemplate::builtin();
        all.extend(own.get());
        all
    });
    let chosen = RwSignal::new(ColumnTemplate::basic().name);
    let template = move || {
        all.with(|all| {
            let name = chosen.get();
            // A deleted choice falls back to the first, as the select then shows.
            all.iter()
                .find(|t| t.name == name)
                .or_else(|| all.first())
                .cloned()
        })
    };
    let format = RwSignal::new(Format::Xlsx);
    let total = move || state.found.with(|f| f.as_ref().map_or(0, |f| f.total));
    let complete = move || state.found.with(|f| f.as_ref().is_some_and(|f| f.complete));
    let selected = move || state.selection.with(|s| s.count(total()));
    let scope = RwSignal::new(if selected() > 0 {
        Scope::Selection
    } else {
        Scope::WholeResult
    });
    let count = move || match scope.get() {
        Scope::Selection => selected(),
        Scope::WholeResult => total(),
    };
    let running = move || matches!(phase.get(), Phase::Running(_));

    let start = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (Some(store), Some(template)) = (console.store(), template()) else {
            return;
        };
        let Some(found) = state.found.get_untracked() else {
            return;
        };
        let selection = state.selection.get_untracked();
        let chosen_scope = scope.get_untracked();
        let format = format.get_untracked();
        let stop = stop.get_value();
        stop.set(false);
        let started_ms = js_sys::Date::now();
        let at = move |done: u64, total: u64| Progress {
            done,
            total,
            started_ms,
            now_ms: js_sys::Date::now(),
        };
        phase.set(Phase::Running(at(0, count())));
        leptos::task::spawn_local(async move {
            let ids = match (chosen_scope, selection) {
                (Scope::Selection, Selection::Some(ids)) => {
                    Ok(run::selected_ids(&ids, &found.rows))
                }
                _ => run::result_ids(&store, &found.rows).await,
            };
            let outcome = match ids {
                Ok(ids) => {
                    let total = ids.len() as u64;
                    run::export(
                        &store,
                        &template,
                        format,
                        &ids,
                        crate::commands::now(),
                        &stop,
                        |done| {
                            phase.try_set(Phase::Running(at(done as u64, total)));
                        },
                    )
                    .await
                }
                Err(e) => Err(e.into()),
            };
            let next = match outcome.and_then(|exported| {
                exported
                    .map(|exported| run::download(&exported).map(|()| exported))
                    .transpose()
            }) {
                Ok(Some(exported)) => Phase::Done {
                    file_name: exported.file_name,
                    orders: exported.orders,
                    rows: exported.rows,
                },
                Ok(None) => Phase::Stopped,
                Err(e) => Phase::Failed(e.to_string()),
            };
            phase.try_set(next);
        });
    };

    let label = Signal::derive(move || {
        template().map_or_else(String::new, |t| {
            format!("'{}' 양식으로 내보내는 중", t.name)
        })
    });
    let progress = Signal::derive(move || match phase.get() {
        Phase::Running(progress) => progress,
        _ => Progress::default(),
    });
    let on_stop = Signal::derive(move || {
        running().then(|| Callback::new(move |()| stop.with_value(|s| s.set(true))))
    });

    view! {
        <form class="export-form" on:submit=start>
            <fieldset class="choice" disabled=running>
                <legend>"양식"</legend>
                <select id="export-template" aria-label="양식"
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || all.get().into_iter().map(|t| {
                        let name = t.name.clone();
                        let selected = chosen.get_untracked() == name;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
                <span class="template-columns small muted">
                    {move || template().map(|t| format!(
                        "{} — {}",
                        templates::columns_summary(&t),
                        t.columns.iter().map(|c| c.header.as_str()).collect::<Vec<_>>().join(", ")
                    ))}
                </span>
            </fieldset>
            <fieldset class="choice" disabled=running>
                <legend>"형식"</legend>
                {[(Format::Xlsx, "엑셀 (.xlsx)"), (Format::Csv, "CSV (.csv)")].into_iter().map(|(choice, text)| view! {
                    <label>
                        <input type="radio" name="export-format" value=choice.extension()
                            prop:checked=move || format.get() == choice
                            on:change=move |_| format.set(choice)/>
                        {text}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="choice" disabled=running>
                <legend>"주문"</legend>
                <label>
                    <input type="radio" name="export-scope" value="selection"
                        disabled=move || selected() == 0
                        prop:checked=move || scope.get() == Scope::Selection
                        on:change=move |_| scope.set(Scope::Selection)/>
                    {move || format!("선택한 주문 {}건", thousands(selected()))}
                </label>
                <label>
                    <input type="radio" name="export-scope" value="result"
                        prop:checked=move || scope.get() == Scope::WholeResult
                        on:change=move |_| scope.set(Scope::WholeResult)/>
                    {move || format!("검색결과 전체 {}건", thousands(total()))}
                </label>
            </fieldset>
            {move || (!complete()).then(|| view! {
                <p class="muted small">"검색이 끝나면 내보낼 수 있습니다."</p>
            })}
            <div class="dialog-actions">
                {move || match phase.get() {
                    Phase::Running(_) => view! {
                        <ProgressBar label=label progress=progress on_stop=on_stop/>
                    }.into_any(),
                    Phase::Done { file_name, orders, rows } => view! {
                        <p class="export-done" role="status">
                            {format!("'{file_name}' 파일을 내려받았습니다 · 주문 {}건, {}줄", thousands(orders as u64), thousands(rows as u64))}
                        </p>
                    }.into_any(),
                    Phase::Stopped => view! {
                        <p class="muted" role="status">"중지했습니다. 파일은 만들지 않았습니다."</p>
                    }.into_any(),
                    Phase::Failed(message) => view! {
                        <p class="error-inline" role="alert">{message}</p>
                    }.into_any(),
                    Phase::Ready => ().into_any(),
                }}
                <span class="spacer"></span>
                <button type="submit" class="primary"
                    disabled=move || running() || !complete() || count() == 0 || template().is_none()>
                    {move || format!("{}건 내보내기", thousands(count()))}
                </button>
            </div>
        </form>
    }
}
