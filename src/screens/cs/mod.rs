//! 고객CS: the CS window (CS창, seed 001) — one order at a time with what an operator needs to
//! answer a buyer and act: its facts, its lines with their status, CS state and hold, its
//! claims, and its memos; and the first of its actions: C/S메모 with macros (F2), 보류 and
//! 보류해제 with a reason (R11). Every action is an engine command run in the browser
//! ([`crate::commands::run`]): it works offline, waits in the outbox, and a refusal shows the
//! engine's Korean reason with nothing changed.
//!
//! Opened from 주문 (key `o` on a row, or the order panel's button) as `/cs?order=관리번호`, or
//! by looking an order up here by 관리번호 or 송장번호.

mod claim;
mod hold;
mod lookup;
mod memo;
mod window;

use crate::components::keys::{use_shortcuts, Shortcut, ShortcutHelp};
use crate::components::states::SyncNote;
use jumun_core::ids::LineId;
use jumun_core::Command;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeSet;

/// The 고객CS screen.
#[component]
pub fn CsScreen() -> impl IntoView {
    crate::app::set_document_title("고객CS");
    let query = use_query_map();
    let order = Memo::new(move |_| {
        query.with(|q| q.get("order").and_then(|v| v.trim().parse::<u64>().ok()))
    });
    let lookup_box = NodeRef::<leptos::html::Input>::new();
    let help = RwSignal::new(false);
    let shortcuts = vec![
        Shortcut::new("/", "주문 찾기", move || {
            if let Some(input) = lookup_box.get_untracked() {
                let _ = input.focus();
            }
        }),
        Shortcut::new("?", "단축키 보기", move || help.update(|h| *h = !*h)).with_shift(),
    ];
    let mut listed: Vec<(String, &'static str)> =
        shortcuts.iter().map(|s| (s.keys_text(), s.label)).collect();
    listed.extend(window::SHORTCUTS.iter().map(|(k, l)| ((*k).to_owned(), *l)));
    use_shortcuts(shortcuts);
    view! {
        <section class="cs-screen" aria-labelledby="cs-title">
            <header class="screen-head">
                <h1 id="cs-title">"고객CS"</h1>
                <lookup::Lookup input=lookup_box/>
                <SyncNote/>
            </header>
            {move || match order.get() {
                Some(id) => view! { <window::CsWindow id=id/> }.into_any(),
                None => view! {
                    <p class="muted cs-empty">
                        "관리번호나 송장번호로 주문을 찾거나, 주문 화면에서 주문을 고르고 o를 누르세요."
                    </p>
                }.into_any(),
            }}
            <ShortcutHelp open=help shortcuts=listed/>
        </section>
    }
}

/// The address of the CS window of order `id`.
pub fn href(id: u64) -> String {
    format!("/cs?order={id}")
}

/// Runs a dialog's `command`: done, the chosen lines are let go and the dialog closes; refused,
/// the dialog stays open with the engine's reason in `error` (nothing changed).
fn run_from_dialog(
    command: Command,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    chosen: RwSignal<BTreeSet<LineId>>,
    on_close: Callback<()>,
) {
    busy.set(true);
    leptos::task::spawn_local(async move {
        match crate::commands::run(command).await {
            Ok(_) => {
                chosen.try_set(BTreeSet::new());
                on_close.run(());
            }
            Err(e) => {
                error.try_set(Some(e.to_string()));
                busy.try_set(false);
            }
        }
    });
}
