//! C/S메모 with macros (CS매크로, F2 in seed 001): the operator writes a memo — a CS memo still
//! to handle, a handled one, or a plain order memo — and saves it with Ctrl+Enter; named memo
//! templates are kept in this browser and inserted from the macro list. Memos are `AddMemo`
//! commands: they go to the order's history and to the other operators by the sync.

use crate::commands;
use crate::context::console;
use crate::screens::orders::short_time;
use jumun_core::command::Command;
use jumun_core::ids::OrderId;
use jumun_core::order::{Memo, MemoKind};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The `meta` record of this browser's memo macros.
const MACROS: &str = "cs_macros";
/// Macros kept at most (the list is picked by number keys and should fit the panel).
const MAX_MACROS: usize = 30;

/// A named memo template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoMacro {
    /// What the list shows.
    pub name: String,
    /// What is inserted.
    pub text: String,
}

/// The memo editor, the macro list and the order's memos.
#[component]
pub fn MemoEditor(
    order: OrderId,
    memos: Vec<Memo>,
    /// The text area (the window's `m` focuses it).
    area: NodeRef<leptos::html::Textarea>,
    /// The macro list is open (F2).
    macros_open: RwSignal<bool>,
) -> impl IntoView {
    let console = console();
    let text = RwSignal::new(String::new());
    let kind = RwSignal::new(MemoKind::CsOpen);
    let error = RwSignal::new(None::<String>);
    let macros = RwSignal::new(Vec::<MemoMacro>::new());
    let macro_name = RwSignal::new(String::new());
    if let Some(store) = console.store() {
        leptos::task::spawn_local(async move {
            match store.meta_get::<Vec<MemoMacro>>(MACROS).await {
                Ok(kept) => {
                    macros.try_set(kept.unwrap_or_default());
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    }
    let save_macros = move |next: Vec<MemoMacro>| {
        let Some(store) = console.store() else {
            return;
        };
        macros.set(next.clone());
        leptos::task::spawn_local(async move {
            if let Err(e) = store.meta_set(MACROS, &next).await {
                error.try_set(Some(e.to_string()));
            }
        });
    };
    let insert = move |m: &MemoMacro| {
        text.update(|t| {
            if !t.is_empty() && !t.ends_with('\n') {
                t.push('\n');
            }
            t.push_str(&m.text);
        });
        macros_open.set(false);
        if let Some(a) = area.get_untracked() {
            let _ = a.focus();
        }
    };
    let save = move || {
        let body = text.get_untracked().trim().to_owned();
        if body.is_empty() {
            error.set(Some("메모 내용을 적으세요.".into()));
            return;
        }
        let command = Command::AddMemo {
            order,
            text: body,
            kind: kind.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match commands::run(command).await {
                Ok(_) => {
                    text.try_set(String::new());
                    error.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let mut memos = memos;
    memos.reverse();
    view! {
        <h2 class="cs-section-title">"C/S메모"</h2>
        <div class="memo-editor">
            <select aria-label="메모 종류"
                on:change=move |ev| kind.set(match event_target_value(&ev).as_str() {
                    "done" => MemoKind::CsDone,
                    "order" => MemoKind::Order,
                    _ => MemoKind::CsOpen,
                })>
                <option value="open" selected>{MemoKind::CsOpen.korean()}</option>
                <option value="done">{MemoKind::CsDone.korean()}</option>
                <option value="order">{MemoKind::Order.korean()}</option>
            </select>
            <textarea node_ref=area rows="3" maxlength="2000" aria-label="메모 내용"
                placeholder="C/S 메모 작성 시, 개인정보 입력에 주의해 주시기 바랍니다. (m, 저장 Ctrl+Enter, 매크로 F2)"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                    ev.prevent_default();
                    save();
                }></textarea>
            <div class="editor-row">
                <button type="button" on:click=move |_| save()>"저장 (Ctrl+Enter)"</button>
                <button type="button" on:click=move |_| macros_open.update(|o| *o = !*o)>"CS매크로 (F2)"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-state" role="alert">{e}</p> })}
        </div>
        {move || macros_open.get().then(|| view! {
            <div class="macro-list" role="dialog" aria-label="CS매크로"
                on:keydown=move |ev| {
                    let key = ev.key();
                    if key == "Escape" {
                        ev.stop_propagation();
                        macros_open.set(false);
                    } else if let Ok(n) = key.parse::<usize>() {
                        if let Some(m) = macros.with_untracked(|list| list.get(n.wrapping_sub(1)).cloned()) {
                            ev.prevent_default();
                            insert(&m);
                        }
                    }
                }>
                <h3>"CS매크로 (번호를 누르면 넣습니다)"</h3>
                {move || {
                    let list = macros.get();
                    if list.is_empty() {
                        view! { <p class="muted">"저장한 매크로가 없습니다. 메모를 적고 아래에서 이름을 붙여 저장하세요."</p> }.into_any()
                    } else {
                        view! {
                            <ol>
                                {list.into_iter().enumerate().map(|(i, m)| {
                                    let chosen = m.clone();
                                    view! {
                                        <li>
                                            <button type="button" class="macro" autofocus=i == 0
                                                on:click=move |_| insert(&chosen)>
                                                <b>{m.name.clone()}</b>" "<span class="muted">{m.text.clone()}</span>
                                            </button>
                                            <button type="button" class="link" aria-label=format!("매크로 {} 삭제", m.name)
                                                on:click=move |_| {
                                                    let mut next = macros.get_untracked();
                                                    if i < next.len() {
                                                        next.remove(i);
                                                    }
                                                    save_macros(next);
                                                }>"삭제"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }}
                <form class="editor-row" on:submit=move |ev| {
                    ev.prevent_default();
                    let name = macro_name.get_untracked().trim().to_owned();
                    let body = text.get_untracked().trim().to_owned();
                    if name.is_empty() || body.is_empty() {
                        error.set(Some("매크로로 저장하려면 메모 내용과 매크로 이름을 적으세요.".into()));
                        return;
                    }
                    let mut next = macros.get_untracked();
                    next.retain(|m| m.name != name);
                    next.push(MemoMacro { name, text: body });
                    next.truncate(MAX_MACROS);
                    save_macros(next);
                    macro_name.set(String::new());
                }>
                    <input type="text" maxlength="40" placeholder="매크로 이름" aria-label="매크로 이름"
                        prop:value=move || macro_name.get()
                        on:input=move |ev| macro_name.set(event_target_value(&ev))/>
                    <button type="submit">"지금 메모를 매크로로 저장"</button>
                </form>
            </div>
        })}
        <ul class="memos">
            {memos.into_iter().map(|m| view! {
                <li class:open=m.kind == MemoKind::CsOpen>
                    <span class="muted">{format!("{} {} · {}", short_time(m.at.timestamp_millis() as f64), m.author, m.kind.korean())}</span>
                    " "
                    {m.text}
                </li>
            }).collect_view()}
        </ul>
    }
}
