//! 송장입력 for the selection (R28, "by import of a number list"): the operator chooses the 택배사
//! and pastes the numbers — two columns copied from the courier's program or a spreadsheet (the
//! order's number and its 송장번호), or the numbers alone in the order the list shows. The pairing
//! is the engine's ([`jumun_core::invoice_list`]); this dialog reads the selection's orders, shows
//! what was assigned and every line left out with its reason, and hands the assignment to the
//! bulk run ([`super::bulk`]), which issues each invoice through the engine.

use super::bulk::{selected_ids, Plan};
use super::table::{marketplace_name, phone_text};
use super::ListState;
use crate::context::{console, Console};
use crate::sync::thousands;
use jumun_core::carrier::Carrier;
use jumun_core::invoice_list::{self, Assignment, ListedOrder};
use jumun_core::listing::OrderSummary;
use leptos::prelude::*;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

/// Assigned orders the preview shows (the run gives every one).
const SAMPLE: usize = 50;
/// Summaries read per transaction while matching.
const READ_CHUNK: usize = 1_000;

/// What the list gave, as the preview shows it.
#[derive(Debug, Clone, PartialEq)]
struct Preview {
    /// The pairing.
    assignment: Assignment,
    /// Orders selected.
    orders: usize,
    /// The first assigned orders, with their numbers.
    sample: Vec<(OrderSummary, String)>,
}

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Choosing the carrier and pasting.
    Paste,
    /// Reading the selection's orders to match the list.
    Reading { done: usize, total: usize },
    /// What would be issued.
    Preview(Rc<Preview>),
    /// The selection could not be read.
    Failed(String),
}

/// The 송장입력 dialog. `on_run` gets the plan (carrier, numbers) and the orders it numbers, in
/// list order.
#[component]
pub fn InvoiceListDialog(
    state: ListState,
    carrier: RwSignal<Carrier>,
    on_run: Callback<(Plan, Vec<u64>)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let console = console();
    let text = RwSignal::new(String::new());
    let step = RwSignal::new_local(Step::Paste);
    let stop = StoredValue::new_local(Rc::new(Cell::new(false)));
    let area = NodeRef::<leptos::html::Textarea>::new();
    let run_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(area) = area.get() {
            let _ = area.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(button) = run_button.get() {
            let _ = button.focus();
        }
    });
    let total = move || state.found.with(|f| f.as_ref().map_or(0, |f| f.total));
    let selected = move || state.selection.with(|s| s.count(total()));

    let check = move || {
        let pasted = text.get_untracked();
        if pasted.trim().is_empty() || step.with_untracked(|s| *s != Step::Paste) {
            return;
        }
        let flag = Rc::new(Cell::new(false));
        stop.set_value(flag.clone());
        step.set(Step::Reading { done: 0, total: 0 });
        leptos::task::spawn_local(async move {
            let progress = move |done, total| {
                step.try_set(Step::Reading { done, total });
            };
            match match_list(console, state, &pasted, progress, &flag).await {
                _ if flag.get() => {}
                Ok(preview) => {
                    step.try_set(Step::Preview(Rc::new(preview)));
                }
                Err(message) => {
                    step.try_set(Step::Failed(message));
                }
            }
        });
    };
    let close = move || {
        stop.with_value(|s| s.set(true));
        on_close.run(());
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        // The list's shortcuts do not act behind the dialog (see the export dialog).
        event.stop_propagation();
        match event.key().as_str() {
            "Escape" => {
                event.prevent_default();
                close();
            }
            "Enter" if event.ctrl_key() || event.meta_key() => {
                event.prevent_default();
                check();
            }
            _ => {}
        }
    };
    let carriers = Carrier::common();

    view! {
        <div class="modal-backdrop" on:click=move |ev| {
            if ev.target() == ev.current_target() { close() }
        }>
            <div class="export-dialog invoice-dialog" role="dialog" aria-modal="true"
                aria-labelledby="invoice-title" tabindex="-1" on:keydown:capture=on_key>
                <header class="dialog-head">
                    <h2 id="invoice-title">"송장입력"</h2>
                    <span class="muted">{move || format!("선택한 주문 {}건", thousands(selected()))}</span>
                    <button type="button" class="close" on:click=move |_| close()>"닫기 (Esc)"</button>
                </header>
                {move || match step.get() {
                    Step::Paste => view! {
                        <form class="invoice-form" on:submit=move |ev| { ev.prevent_default(); check(); }>
                            <label class="invoice-carrier">
                                "택배사 "
                                <select on:change=move |ev| carrier.set(Carrier(event_target_value(&ev)))>
                                    {carriers.iter().map(|c| {
                                        let code = c.0.clone();
                                        let chosen = carrier.get_untracked().0 == code;
                                        view! { <option value=code selected=chosen>{c.to_string()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label for="invoice-list">"송장번호 목록"</label>
                            <textarea id="invoice-list" rows="12" spellcheck="false" node_ref=area
                                placeholder="주문번호\t송장번호\n2026112011111\t601234567890"
                                prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="muted">
                                "엑셀에서 주문번호(관리번호 · 주문상세번호도 됨)와 송장번호 두 열을 복사해 붙여넣으세요. "
                                "송장번호만 붙여넣으면 목록에 보이는 순서대로 배정합니다."
                            </p>
                            <div class="dialog-actions">
                                <button type="submit" class="primary">"확인 (Ctrl+Enter)"</button>
                                <button type="button" on:click=move |_| close()>"취소"</button>
                            </div>
                        </form>
                    }.into_any(),
                    Step::Reading { done, total } => view! {
                        <div class="dialog-actions" role="status">
                            <span>{if total == 0 {
                                "선택한 주문을 읽는 중…".to_owned()
                            } else {
                                format!("주문 읽는 중 {} / {}", thousands(done as u64), thousands(total as u64))
                            }}</span>
                            <span class="spacer"></span>
                            <button type="button" on:click=move |_| close()>"중지 (Esc)"</button>
                        </div>
                    }.into_any(),
                    Step::Failed(message) => view! {
                        <p class="error-inline" role="alert">{message}</p>
                        <div class="dialog-actions">
                            <button type="button" on:click=move |_| step.set(Step::Paste)>"다시 입력"</button>
                        </div>
                    }.into_any(),
                    Step::Preview(preview) => {
                        let chosen = carrier.get_untracked();
                        let numbers = preview.assignment.numbers.clone();
                        let count = numbers.len();
                        let go = move |_| {
                            let ids = numbers.iter().map(|(id, _)| *id).collect();
                            on_run.run((Plan::invoices(chosen.clone(), numbers.clone()), ids));
                        };
                        view! {
                            <PreviewView preview=preview/>
                            <div class="dialog-actions">
                                <button type="button" class="primary" node_ref=run_button
                                    disabled=count == 0 on:click=go>
                                    {format!("{} 송장 {}건 입력 (Enter)", carrier.get_untracked(), thousands(count as u64))}
                                </button>
                                <button type="button" on:click=move |_| step.set(Step::Paste)>"다시 입력"</button>
                                <span class="spacer"></span>
                                <button type="button" on:click=move |_| close()>"취소 (Esc)"</button>
                            </div>
                        }.into_any()
                    }
                }}
            </div>
        </div>
    }
}

/// The pairing's figures, the first assigned orders and every line left out.
#[component]
fn PreviewView(preview: Rc<Preview>) -> impl IntoView {
    let assigned = preview.assignment.numbers.len();
    let problems = preview.assignment.problems.clone();
    let unassigned = preview.orders.saturating_sub(assigned);
    let more = assigned.saturating_sub(preview.sample.len());
    view! {
        <p class="invoice-summary" role="status">
            <strong>{format!("배정 {}건", thousands(assigned as u64))}</strong>
            {(!problems.is_empty()).then(|| format!(" · 배정하지 않은 줄 {}개", thousands(problems.len() as u64)))}
            {(unassigned > 0).then(|| format!(" · 번호를 받지 않은 주문 {}건", thousands(unassigned as u64)))}
            {preview.assignment.skipped_header.then_some(" · 첫 줄은 머리글로 보고 건너뜀")}
        </p>
        {(!problems.is_empty()).then(|| view! {
            <div class="invoice-problems">
                <table class="column-table" aria-label="배정하지 않은 줄">
                    <thead><tr><th class="num">"줄"</th><th>"붙여넣은 내용"</th><th>"이유"</th></tr></thead>
                    <tbody>
                        {problems.into_iter().map(|p| view! {
                            <tr>
                                <td class="num">{p.line}</td>
                                <td class="pasted">{p.text}</td>
                                <td>{p.kind.korean()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(assigned > 0).then(|| view! {
            <table class="column-table invoice-preview" aria-label="배정된 송장번호">
                <thead><tr>
                    <th>"관리번호"</th><th>"판매처"</th><th>"주문번호"</th><th>"수령자"</th>
                    <th>"휴대전화"</th><th>"상품명"</th><th>"상태"</th><th>"송장번호"</th>
                </tr></thead>
                <tbody>
                    {preview.sample.iter().map(|(row, number)| view! {
                        <tr>
                            <td class="num">{row.id}</td>
                            <td>{marketplace_name(&row.marketplace)}</td>
                            <td>{row.order_no.clone()}</td>
                            <td>{row.recipient.clone()}</td>
                            <td>{phone_text(&row.phone)}</td>
                            <td class="product">{row.product.clone()}</td>
                            <td>{row.status.korean()}</td>
                            <td class="tracking">{number.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(more > 0).then(|| view! { <p class="muted">{format!("외 {}건", thousands(more as u64))}</p> })}
    }
}

/// Reads the selection (in list order) and pairs `text` with it; `progress` hears (read, total)
/// while the selection's orders are read to match lines that name them (a list of numbers alone
/// needs only the sample's orders read).
async fn match_list(
    console: Console,
    state: ListState,
    text: &str,
    progress: impl Fn(usize, usize),
    stop: &Cell<bool>,
) -> Result<Preview, String> {
    let ids = selected_ids(&console, state, true).await?;
    let store = console.store().ok_or("저장소가 열려 있지 않습니다.")?;
    let mut read: HashMap<u64, OrderSummary> = HashMap::new();
    if invoice_list::names_orders(text) {
        for chunk in ids.chunks(READ_CHUNK) {
            if stop.get() {
                return Err("중지했습니다.".into());
            }
            for row in store.list_rows(chunk).await.map_err(|e| e.to_string())? {
                read.insert(row.id, row);
            }
            progress(read.len(), ids.len());
            // Give the page a turn: the progress paints, Esc is heard.
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    }
    let listed: Vec<ListedOrder<'_>> = ids
        .iter()
        .map(|id| match read.get(id) {
            Some(row) => ListedOrder {
                id: *id,
                order_no: &row.order_no,
                line_nos: &row.line_nos,
            },
            None => ListedOrder {
                id: *id,
                order_no: "",
                line_nos: &[],
            },
        })
        .collect();
    let assignment = invoice_list::assign(text, &listed);
    let first: Vec<&(u64, String)> = assignment.numbers.iter().take(SAMPLE).collect();
    let missing: Vec<u64> = first
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !read.contains_key(id))
        .collect();
    for row in store.list_rows(&missing).await.map_err(|e| e.to_string())? {
        read.insert(row.id, row);
    }
    let sample = first
        .into_iter()
        .filter_map(|(id, number)| read.get(id).map(|row| (row.clone(), number.clone())))
        .collect();
    Ok(Preview {
        orders: ids.len(),
        assignment,
        sample,
    })
}
