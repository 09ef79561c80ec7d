//! 보류 and 보류해제 of the chosen lines (none chosen: the whole order), with a reason (R11).

use jumun_core::command::Command;
use jumun_core::ids::{LineId, OrderId};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The dialog: a reason for 보류, a confirmation for 보류해제; Enter runs, Esc closes.
#[component]
pub fn HoldDialog(
    order: OrderId,
    /// 보류 (true) or 보류해제 (false).
    place: bool,
    chosen: RwSignal<BTreeSet<LineId>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let field = NodeRef::<leptos::html::Input>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if place {
            if let Some(input) = field.get() {
                let _ = input.focus();
            }
        } else if let Some(b) = button.get() {
            let _ = b.focus();
        }
    });
    let lines: Vec<LineId> = chosen.get_untracked().into_iter().collect();
    let scope = if lines.is_empty() {
        "주문 전체".to_owned()
    } else {
        format!("선택한 상품 {}개", lines.len())
    };
    let title = if place { "보류" } else { "보류해제" };
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        let why = reason.get_untracked().trim().to_owned();
        if place && why.is_empty() {
            error.set(Some(
                "보류 사유를 적으세요. 다른 작업자가 왜 멈췄는지 알 수 있습니다.".into(),
            ));
            return;
        }
        let lines: Vec<LineId> = chosen.get_untracked().into_iter().collect();
        let command = if place {
            Command::PlaceHold {
                order,
                lines,
                reason: why,
            }
        } else {
            Command::ReleaseHold { order, lines }
        };
        super::run_from_dialog(command, busy, error, chosen, on_close);
    };
    view! {
        <div class="modal-backdrop">
            <form class="export-dialog small-dialog" role="dialog" aria-modal="true" aria-label=title
                on:submit=move |ev| { ev.prevent_default(); submit(); }
                on:keydown=move |ev| if ev.key() == "Escape" { ev.stop_propagation(); on_close.run(()); }>
                <header class="dialog-head"><h2>{format!("{title} · {scope}")}</h2></header>
                {place.then(|| view! {
                    <label>
                        "보류 사유 "
                        <input type="text" node_ref=field maxlength="200" placeholder="예: 고객 주소 확인 중"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))/>
                    </label>
                })}
                {(!place).then(|| view! {
                    <p>"보류를 풀면 이 상품은 다시 송장 출력과 배송처리 대상이 됩니다."</p>
                })}
                {move || error.get().map(|e| view! { <p class="error-state" role="alert">{e}</p> })}
                <div class="dialog-actions">
                    <button type="submit" node_ref=button disabled=move || busy.get()>{format!("{title} (Enter)")}</button>
                    <button type="button" class="link" on:click=move |_| on_close.run(())>"취소 (Esc)"</button>
                </div>
            </form>
        </div>
    }
}
