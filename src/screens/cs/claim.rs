//! CS처리: 취소 and 반품 on the chosen lines and quantities (R9, R10, R13). The operator picks
//! quantities, the reason (CS타입), the fault (proposed from the reason, theirs to change), a
//! memo, and for a return how the goods come back (회수요청 with a carrier, or the buyer sends
//! them; 수거예정 금액 and how it is paid; 수거메모; 즉시완료). Ctrl+Enter shows what the engine
//! will do, in the history's words, or its refusal; Enter saves it. 교환 (CASE1/CASE2, 맞교환)
//! is still to come in this dialog.

use crate::commands;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimPick, FeePayment, Reason};
use jumun_core::command::{ClaimRequest, Command, ReturnRequest};
use jumun_core::fault::Fault;
use jumun_core::history::HistoryEntry;
use jumun_core::ids::{ClaimId, LineId, PickupId};
use jumun_core::money::Won;
use jumun_core::order::Order;
use jumun_core::pickup::PickupPlan;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// 취소 or 반품.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimKindChoice {
    /// 취소.
    Cancel,
    /// 반품.
    Return,
}

impl ClaimKindChoice {
    fn korean(self) -> &'static str {
        match self {
            ClaimKindChoice::Cancel => "취소",
            ClaimKindChoice::Return => "반품",
        }
    }
}

const REASONS: [Reason; 5] = [
    Reason::ChangeOfMind,
    Reason::Defective,
    Reason::WrongItem,
    Reason::LateDelivery,
    Reason::OutOfStock,
];

const PAYMENTS: [FeePayment; 5] = [
    FeePayment::CashOnDelivery,
    FeePayment::Prepaid,
    FeePayment::PaidOnSite,
    FeePayment::Enclosed,
    FeePayment::BankTransfer,
];

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Filling it in.
    Form,
    /// The engine's answer to the form.
    Preview(Result<Vec<HistoryEntry>, String>),
}

/// The 취소/반품 dialog for `order`'s chosen lines (none chosen: every line).
#[component]
pub fn ClaimDialog(
    order: Order,
    kind: ClaimKindChoice,
    chosen: RwSignal<BTreeSet<LineId>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let picked: Vec<(LineId, String, u32)> = {
        let chosen = chosen.get_untracked();
        order
            .lines
            .iter()
            .filter(|l| chosen.is_empty() || chosen.contains(&l.id))
            .map(|l| (l.id, format!("{} {}", l.product_name, l.option), l.quantity))
            .collect()
    };
    let quantities = RwSignal::new(picked.iter().map(|p| p.2).collect::<Vec<u32>>());
    let reason = RwSignal::new(0usize);
    let fault = RwSignal::new(REASONS[0].usual_fault());
    let memo = RwSignal::new(String::new());
    let request_carrier = RwSignal::new(true);
    let carrier = RwSignal::new(Carrier::cj());
    let fee = RwSignal::new(0i64);
    let payment = RwSignal::new(FeePayment::CashOnDelivery);
    let pickup_memo = RwSignal::new(String::new());
    let at_once = RwSignal::new(false);
    let step = RwSignal::new(Step::Form);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Fresh ids for the claim, its split lines and its pickup, taken once: the preview and the
    // saved claim name the same ones.
    let ids = RwSignal::new_local(None::<Vec<u64>>);
    let needed = picked.len() + 2;
    leptos::task::spawn_local(async move {
        match commands::new_ids(needed).await {
            Ok(fresh) => {
                ids.try_set(Some(fresh));
            }
            Err(e) => {
                error.try_set(Some(e.to_string()));
            }
        }
    });
    let order_id = order.id;
    let picked_for_command = StoredValue::new(picked.clone());
    let command = move || -> Option<Command> {
        let fresh = ids.get_untracked()?;
        let quantities = quantities.get_untracked();
        let picked = picked_for_command.get_value();
        let lines = picked
            .iter()
            .zip(&quantities)
            .zip(fresh.iter().skip(2))
            .filter(|((_, q), _)| **q > 0)
            .map(|(((line, _, full), q), split)| ClaimPick {
                line: *line,
                quantity: *q,
                split_line: (*q < *full).then_some(LineId(*split)),
            })
            .collect();
        let claim = ClaimRequest {
            claim: ClaimId(fresh[0]),
            order: order_id,
            lines,
            reason: REASONS[reason.get_untracked()].clone(),
            fault: fault.get_untracked(),
            memo: memo.get_untracked().trim().to_owned(),
        };
        Some(match kind {
            ClaimKindChoice::Cancel => Command::Cancel(claim),
            ClaimKindChoice::Return => {
                let complete_at_once = at_once.get_untracked();
                let pickup = (!complete_at_once).then(|| PickupPlan {
                    id: PickupId(fresh[1]),
                    request_carrier: request_carrier.get_untracked(),
                    carrier: request_carrier
                        .get_untracked()
                        .then(|| carrier.get_untracked()),
                    fee: Won(fee.get_untracked()),
                    fee_payment: payment.get_untracked(),
                    memo: pickup_memo.get_untracked().trim().to_owned(),
                });
                Command::Return(ReturnRequest {
                    claim,
                    pickup,
                    complete_at_once,
                })
            }
        })
    };
    let show_preview = move || {
        let Some(cmd) = command() else {
            error.set(Some("번호를 받는 중입니다. 잠시 후 다시 누르세요.".into()));
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = match commands::preview(&cmd).await {
                Ok(Ok(entries)) => Ok(entries),
                Ok(Err(refusal)) => Err(refusal.korean()),
                Err(e) => Err(e.to_string()),
            };
            step.try_set(Step::Preview(answer));
        });
    };
    let save = move || {
        if busy.get_untracked() {
            return;
        }
        let Some(cmd) = command() else { return };
        super::run_from_dialog(cmd, busy, error, chosen, on_close);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.stop_propagation();
            if matches!(step.get_untracked(), Step::Preview(_)) {
                step.set(Step::Form);
            } else {
                on_close.run(());
            }
        }
        "Enter" if ev.ctrl_key() || ev.meta_key() => {
            ev.prevent_default();
            show_preview();
        }
        "Enter" if matches!(step.get_untracked(), Step::Preview(Ok(_))) => {
            ev.prevent_default();
            save();
        }
        _ => {}
    };
    let title = format!("CS처리 · {}", kind.korean());
    let rows = picked
        .iter()
        .enumerate()
        .map(|(i, (_, name, full))| {
            let full = *full;
            view! {
                <tr>
                    <td>{name.clone()}</td>
                    <td class="num">{full.to_string()}</td>
                    <td>
                        <input type="number" min="0" max=full.to_string() class="qty"
                            aria-label=format!("{} 수량", name)
                            prop:value=move || quantities.with(|q| q[i].to_string())
                            on:input=move |ev| {
                                let n = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0).min(full);
                                quantities.update(|q| q[i] = n);
                                step.set(Step::Form);
                            }/>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="modal-backdrop">
            <div class="export-dialog claim-dialog" role="dialog" aria-modal="true" aria-label=title.clone()
                on:keydown=on_key>
                <header class="dialog-head">
                    <h2>{title.clone()}</h2>
                    <button type="button" class="close" on:click=move |_| on_close.run(())>"닫기 (Esc)"</button>
                </header>
                <table class="lines">
                    <thead><tr><th scope="col">"상품"</th><th scope="col">"수량"</th><th scope="col">{format!("{}수량", kind.korean())}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="claim-form">
                    <label>"CS타입 "
                        <select autofocus on:change=move |ev| {
                            let i = event_target_value(&ev).parse::<usize>().unwrap_or(0).min(REASONS.len() - 1);
                            reason.set(i);
                            fault.set(REASONS[i].usual_fault());
                            step.set(Step::Form);
                        }>
                            {REASONS.iter().enumerate().map(|(i, r)| view! {
                                <option value=i.to_string()>{r.korean().to_owned()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"귀책 "
                        <select prop:value=move || if fault.get() == Fault::Seller { "seller" } else { "buyer" }
                            on:change=move |ev| {
                                fault.set(if event_target_value(&ev) == "seller" { Fault::Seller } else { Fault::Buyer });
                                step.set(Step::Form);
                            }>
                            <option value="buyer">{Fault::Buyer.korean()}</option>
                            <option value="seller">{Fault::Seller.korean()}</option>
                        </select>
                    </label>
                    <label class="wide">"C/S메모 "
                        <input type="text" maxlength="500" prop:value=move || memo.get()
                            on:input=move |ev| { memo.set(event_target_value(&ev)); step.set(Step::Form); }/>
                    </label>
                </div>
                {(kind == ClaimKindChoice::Return).then(|| view! {
                    <fieldset class="claim-form pickup-form">
                        <legend>"수거정보"</legend>
                        <label><input type="checkbox" prop:checked=move || at_once.get()
                            on:change=move |ev| { at_once.set(event_target_checked(&ev)); step.set(Step::Form); }/>
                            " 즉시완료 처리 (회수 없이 반품완료)"</label>
                        <label><input type="checkbox" prop:checked=move || request_carrier.get()
                            prop:disabled=move || at_once.get()
                            on:change=move |ev| { request_carrier.set(event_target_checked(&ev)); step.set(Step::Form); }/>
                            " 회수요청 (택배사 수거)"</label>
                        <label>"택배사 "
                            <select prop:disabled=move || at_once.get() || !request_carrier.get()
                                on:change=move |ev| { carrier.set(Carrier(event_target_value(&ev))); step.set(Step::Form); }>
                                {Carrier::common().into_iter().map(|c| {
                                    let label = c.korean_name().unwrap_or("").to_owned();
                                    view! { <option value=c.0.clone()>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"수거예정 금액 "
                            <input type="number" min="0" step="500" class="qty" prop:disabled=move || at_once.get()
                                prop:value=move || fee.get().to_string()
                                on:input=move |ev| { fee.set(event_target_value(&ev).trim().parse::<i64>().unwrap_or(0).max(0)); step.set(Step::Form); }/>
                        </label>
                        <label>"결제 "
                            <select prop:disabled=move || at_once.get()
                                on:change=move |ev| {
                                    let i = event_target_value(&ev).parse::<usize>().unwrap_or(0).min(PAYMENTS.len() - 1);
                                    payment.set(PAYMENTS[i]);
                                    step.set(Step::Form);
                                }>
                                {PAYMENTS.iter().enumerate().map(|(i, p)| view! {
                                    <option value=i.to_string()>{p.korean()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="wide">"수거메모 "
                            <input type="text" maxlength="200" prop:disabled=move || at_once.get()
                                prop:value=move || pickup_memo.get()
                                on:input=move |ev| { pickup_memo.set(event_target_value(&ev)); step.set(Step::Form); }/>
                        </label>
                    </fieldset>
                })}
                {move || match step.get() {
                    Step::Form => None,
                    Step::Preview(Ok(entries)) => Some(view! {
                        <div class="claim-preview" role="status">
                            <h3>"저장하면"</h3>
                            <ul>
                                {entries.into_iter().map(|e| view! {
                                    <li>
                                        {e.what}
                                        {match (e.before, e.after) {
                                            (Some(b), Some(a)) => format!(" : {b} → {a}"),
                                            (None, Some(a)) => format!(" : {a}"),
                                            _ => String::new(),
                                        }}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }.into_any()),
                    Step::Preview(Err(why)) => Some(view! {
                        <p class="error-state" role="alert">{format!("처리할 수 없습니다: {why}")}</p>
                    }.into_any()),
                }}
                {move || error.get().map(|e| view! { <p class="error-state" role="alert">{e}</p> })}
                <div class="dialog-actions">
                    <button type="button" on:click=move |_| show_preview()>"미리보기 (Ctrl+Enter)"</button>
                    <button type="button" class="primary"
                        disabled=move || busy.get() || !matches!(step.get(), Step::Preview(Ok(_)))
                        on:click=move |_| save()>{format!("{} 저장 (Enter)", kind.korean())}</button>
                    <span class="muted">"미리보기로 엔진이 할 일을 확인한 뒤 저장합니다."</span>
                </div>
            </div>
        </div>
    }
}
