//! 일괄처리 (R5): one action on the selection or on the whole search result, with no cap.
//!
//! The orders run in chunks, each chunk one local transaction ([`crate::commands::run_batch_on`]); the
//! page is given back between chunks, so it never freezes. A refusal fails its order only; the
//! rest go on. A progress bar shows done/total and time left, Esc or 중지 stops after the chunk
//! under way, and the end lists every failed order with its reason in Korean, with a button to
//! run the failed ones again.
//!
//! 송장입력 gives each order its own number: the operator pastes a number list
//! ([`super::invoice_list`]), and the run issues what it assigned.

use super::invoice_list::InvoiceListDialog;
use super::query::{self, Rows};
use super::{ListState, Selection};
use crate::commands;
use crate::components::keys::{use_shortcuts, Shortcut};
use crate::components::progress::{Progress, ProgressBar};
use crate::context::{console, Console};
use crate::store::Store;
use crate::sync::thousands;
use jumun_core::carrier::Carrier;
use jumun_core::ids::OrderId;
use jumun_core::Command;
use leptos::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Orders per chunk: one IndexedDB transaction each.
pub const CHUNK: usize = 200;

/// What a bulk run does to each order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    /// 입금확인 → 상품준비.
    ConfirmPayment,
    /// 주문보류, with the operator's reason.
    Hold,
    /// 보류 해제.
    Release,
    /// 송장입력: each order its number from a pasted list (R28).
    Invoice,
    /// 송장출력 처리 (the label was printed).
    Print,
    /// 배송처리.
    Ship,
}

impl BulkAction {
    /// The actions, in the order the bar shows them.
    pub const ALL: [BulkAction; 6] = [
        BulkAction::ConfirmPayment,
        BulkAction::Hold,
        BulkAction::Release,
        BulkAction::Invoice,
        BulkAction::Print,
        BulkAction::Ship,
    ];

    /// The key that asks for it (the confirmation follows; nothing runs on one key).
    pub fn key(self) -> &'static str {
        match self {
            BulkAction::ConfirmPayment => "c",
            BulkAction::Hold => "h",
            BulkAction::Release => "u",
            BulkAction::Invoice => "i",
            BulkAction::Print => "p",
            BulkAction::Ship => "s",
        }
    }

    /// The help overlay's words for its key.
    pub fn help(self) -> &'static str {
        match self {
            BulkAction::ConfirmPayment => "선택한 주문 상품준비 (입금확인)",
            BulkAction::Hold => "선택한 주문 보류",
            BulkAction::Release => "선택한 주문 보류 해제",
            BulkAction::Invoice => "선택한 주문 송장입력 (송장번호 붙여넣기)",
            BulkAction::Print => "선택한 주문 송장출력 처리",
            BulkAction::Ship => "선택한 주문 배송처리",
        }
    }

    /// Its shortcut, asking for `action` through `ask` (see [`BulkBar`]).
    pub fn shortcut(self, ask: impl Fn(BulkAction) + 'static) -> Shortcut {
        Shortcut::new(self.key(), self.help(), move || ask(self))
    }

    /// The button's words.
    pub fn korean(self) -> &'static str {
        match self {
            BulkAction::ConfirmPayment => "상품준비 (입금확인)",
            BulkAction::Hold => "보류",
            BulkAction::Release => "보류 해제",
            BulkAction::Invoice => "송장입력",
            BulkAction::Print => "송장출력 처리",
            BulkAction::Ship => "배송처리",
        }
    }

    /// The engine's command for one order. An order the plan has no invoice number for is
    /// asked with none, and the engine refuses it (R28) like any other refusal.
    pub fn command(self, order: OrderId, plan: &Plan) -> Command {
        match self {
            BulkAction::ConfirmPayment => Command::ConfirmPayment { order },
            BulkAction::Hold => Command::PlaceHold {
                order,
                lines: Vec::new(),
                reason: plan.reason.clone(),
            },
            BulkAction::Invoice => Command::IssueInvoice {
                order,
                carrier: plan.carrier.clone(),
                tracking_no: plan.numbers.get(&order.0).cloned().unwrap_or_default(),
            },
            BulkAction::Release => Command::ReleaseHold {
                order,
                lines: Vec::new(),
            },
            BulkAction::Print => Command::PrintInvoice { order },
            BulkAction::Ship => Command::Ship { order },
        }
    }
}

/// What a run gives each order beyond its 관리번호. Kept for the run's retry, which asks the
/// same of the failed orders.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The hold's reason.
    pub reason: String,
    /// 택배사 of the invoices.
    pub carrier: Carrier,
    /// 송장번호 by 관리번호.
    pub numbers: HashMap<u64, String>,
}

impl Plan {
    /// A plan that gives every order the same reason (or none).
    pub fn reason(reason: &str) -> Self {
        Self {
            reason: reason.to_owned(),
            carrier: Carrier::cj(),
            numbers: HashMap::new(),
        }
    }

    /// A plan that gives each listed order its invoice number with `carrier`.
    pub fn invoices(carrier: Carrier, numbers: impl IntoIterator<Item = (u64, String)>) -> Self {
        Self {
            reason: String::new(),
            carrier,
            numbers: numbers.into_iter().collect(),
        }
    }
}

/// One order the run could not do, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 관리번호.
    pub id: u64,
    /// The reason, in the operator's words.
    pub reason: String,
}

/// Where a bulk run is.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkState {
    /// Nothing under way.
    Idle,
    /// Waiting for the operator to confirm (and, for a hold, to give the reason).
    Confirm {
        /// The action.
        action: BulkAction,
        /// The orders, when known already (a retry); else the selection is read at the start.
        ids: Option<Rc<Vec<u64>>>,
    },
    /// Running.
    Running {
        /// The action.
        action: BulkAction,
        /// How far.
        progress: Progress,
    },
    /// Ended (done, stopped or broken off by a storage error).
    Done {
        /// The action.
        action: BulkAction,
        /// Orders done.
        succeeded: u64,
        /// Orders not done, with the reason.
        failures: Rc<Vec<Failure>>,
        /// Orders never tried (stopped, or a storage error).
        left: u64,
        /// Why it broke off, if it did.
        error: Option<String>,
    },
}

/// The 관리번호 of the selection: in list order when `in_list_order` (an index result's list is
/// then read through to find it), else in the order found soonest.
pub async fn selected_ids(
    console: &Console,
    state: ListState,
    in_list_order: bool,
) -> Result<Vec<u64>, String> {
    // The task runs a tick after the key: the screen may be gone by then.
    let gone = || "목록 화면을 벗어나 실행하지 않았습니다.".to_owned();
    let selection = state.selection.try_get_untracked().ok_or_else(gone)?;
    let in_list = |ids: &std::collections::BTreeSet<u64>, found: &query::Found| -> bool {
        in_list_order && matches!(found.rows, Rows::Index { .. }) && !ids.is_empty()
    };
    match selection {
        Selection::Some(ids) => {
            let found = state.found.try_get_untracked().ok_or_else(gone)?;
            match found {
                Some(found) if in_list(&ids, &found) => {
                    let all = result_ids(console, &found).await?;
                    Ok(all.into_iter().filter(|id| ids.contains(id)).collect())
                }
                Some(found) => Ok(super::export::run::selected_ids(&ids, &found.rows)),
                None => Ok(ids.into_iter().collect()),
            }
        }
        Selection::WholeResult => match state.found.try_get_untracked().ok_or_else(gone)? {
            Some(found) => result_ids(console, &found).await,
            None => Ok(Vec::new()),
        },
    }
}

/// Every 관리번호 of a result, in list order.
async fn result_ids(console: &Console, found: &query::Found) -> Result<Vec<u64>, String> {
    match &found.rows {
        Rows::Ids(ids) => Ok(ids.to_vec()),
        rows @ Rows::Index { .. } => {
            // An index result has no id list: read it window by window (ids only kept).
            let store = console.store().ok_or("저장소가 열려 있지 않습니다.")?;
            let mut ids = Vec::with_capacity(found.total as usize);
            while ids.len() < found.total as usize {
                let page = query::window(&store, rows, ids.len(), 2_000)
                    .await
                    .map_err(|e| e.to_string())?;
                if page.is_empty() {
                    break;
                }
                ids.extend(page.iter().map(|s| s.id));
            }
            Ok(ids)
        }
    }
}

/// What a bulk run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkResult {
    /// Orders done.
    pub succeeded: u64,
    /// Orders refused, with the reason.
    pub failures: Vec<Failure>,
    /// Orders never tried (stopped, or a storage error).
    pub left: u64,
    /// Why it broke off, if it did.
    pub error: Option<String>,
}

/// Runs `action` on `ids` as `login` on `store`, chunk by chunk (one transaction each), telling
/// `on_progress` (done, total) after each; `stop` is read between chunks.
pub async fn run_on(
    store: &Store,
    login: &str,
    action: BulkAction,
    plan: &Plan,
    ids: &[u64],
    stop: &AtomicBool,
    mut on_progress: impl FnMut(u64, u64),
) -> BulkResult {
    let total = ids.len() as u64;
    let mut result = BulkResult::default();
    let mut done = 0usize;
    for chunk in ids.chunks(CHUNK) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let commands = chunk
            .iter()
            .map(|id| action.command(OrderId(*id), plan))
            .collect();
        match commands::run_batch_on(store, login, commands).await {
            Ok(results) => {
                for (id, outcome) in chunk.iter().zip(results) {
                    match outcome {
                        Ok(_) => result.succeeded += 1,
                        Err(refusal) => result.failures.push(Failure {
                            id: *id,
                            reason: refusal.korean(),
                        }),
                    }
                }
            }
            Err(e) => {
                result.error = Some(e.to_string());
                break;
            }
        }
        done += chunk.len();
        on_progress(done as u64, total);
        // Give the page a turn: it paints the progress and answers the keyboard.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    result.left = total - done as u64;
    result
}

/// [`run_on`] as the signed-in operator, showing its progress in `bulk`.
async fn run(
    console: Console,
    action: BulkAction,
    plan: Rc<Plan>,
    ids: Rc<Vec<u64>>,
    bulk: RwSignal<BulkState, LocalStorage>,
    stop: Arc<AtomicBool>,
) {
    let (Some(store), Some(sync)) = (console.store(), console.sync()) else {
        return;
    };
    let Some(login) = sync.login() else {
        bulk.set(BulkState::Done {
            action,
            succeeded: 0,
            failures: Rc::default(),
            left: ids.len() as u64,
            error: Some(crate::commands::CommandError::NotSignedIn.to_string()),
        });
        return;
    };
    let started_ms = js_sys::Date::now();
    let result = run_on(&store, &login, action, &plan, &ids, &stop, |done, total| {
        sync.kick();
        bulk.set(BulkState::Running {
            action,
            progress: Progress {
                done,
                total,
                started_ms,
                now_ms: js_sys::Date::now(),
            },
        });
    })
    .await;
    bulk.set(BulkState::Done {
        action,
        succeeded: result.succeeded,
        failures: Rc::new(result.failures),
        left: result.left,
        error: result.error,
    });
}

/// The bulk actions on the selection: buttons, the confirmation, the progress and the result.
#[component]
pub fn BulkBar(state: ListState) -> impl IntoView {
    let console = console();
    let bulk = RwSignal::new_local(BulkState::Idle);
    let reason = RwSignal::new(String::new());
    // The invoices' plan is set by the 송장입력 dialog; a retry asks the same again.
    let plan = StoredValue::new_local(Rc::new(Plan::reason("")));
    let carrier = RwSignal::new(Carrier::cj());
    let stop: Arc<AtomicBool> = Arc::default();
    let start = {
        let stop = stop.clone();
        move |action: BulkAction, known: Option<Rc<Vec<u64>>>| {
            let stop = stop.clone();
            if action != BulkAction::Invoice {
                plan.set_value(Rc::new(Plan::reason(reason.get_untracked().trim())));
            }
            let plan = plan.get_value();
            leptos::task::spawn_local(async move {
                let ids = match known {
                    Some(ids) => ids,
                    None => match selected_ids(&console, state, false).await {
                        Ok(ids) => Rc::new(ids),
                        Err(message) => {
                            bulk.set(BulkState::Done {
                                action,
                                succeeded: 0,
                                failures: Rc::default(),
                                left: 0,
                                error: Some(message),
                            });
                            return;
                        }
                    },
                };
                stop.store(false, Ordering::Relaxed);
                bulk.set(BulkState::Running {
                    action,
                    progress: Progress {
                        done: 0,
                        total: ids.len() as u64,
                        started_ms: js_sys::Date::now(),
                        now_ms: js_sys::Date::now(),
                    },
                });
                run(console, action, plan, ids, bulk, stop).await;
                // Done orders leave the selection, refused ones stay (for a look or the retry);
                // a run stopped or broken off keeps the whole selection.
                let failed = bulk.try_with_untracked(|b| match b {
                    BulkState::Done {
                        failures,
                        left: 0,
                        error: None,
                        ..
                    } => Some(failures.iter().map(|f| f.id).collect()),
                    _ => None,
                });
                if let Some(Some(failed)) = failed {
                    state.selection.try_set(Selection::Some(failed));
                }
            });
        }
    };
    let stop_now = {
        let stop = stop.clone();
        Callback::new(move |()| stop.store(true, Ordering::Relaxed))
    };
    // Esc stops a run under way.
    {
        let stop = stop.clone();
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.key() == "Escape" && matches!(bulk.get_untracked(), BulkState::Running { .. }) {
                stop.store(true, Ordering::Relaxed);
            }
        });
        on_cleanup(move || handle.remove());
    }

    // The buttons show, and their keys work, when something is selected and nothing runs.
    let available = move || {
        let total = state.found.with(|f| f.as_ref().map_or(0, |f| f.total));
        let count = state.selection.with(|s| s.count(total));
        console.can_work() && count > 0 && bulk.with(|b| *b == BulkState::Idle)
    };
    use_shortcuts(
        BulkAction::ALL
            .into_iter()
            .map(|action| {
                action.shortcut(move |action| {
                    if available() {
                        bulk.set(BulkState::Confirm { action, ids: None });
                    }
                })
            })
            .collect(),
    );
    let buttons = move || {
        available().then(|| {
            view! {
                <div class="bulk-actions" role="group" aria-label="일괄처리">
                    <span class="muted">"일괄처리"</span>
                    {BulkAction::ALL.into_iter().map(|action| view! {
                        <button type="button" aria-keyshortcuts=action.key()
                            on:click=move |_| bulk.set(BulkState::Confirm { action, ids: None })>
                            {format!("{} ({})", action.korean(), action.key())}
                        </button>
                    }).collect_view()}
                </div>
            }
        })
    };

    let panel = move || match bulk.get() {
        BulkState::Idle => None,
        BulkState::Confirm {
            action: BulkAction::Invoice,
            ids: None,
        } => {
            let go = start.clone();
            let on_run = Callback::new(move |(invoices, ids): (Plan, Vec<u64>)| {
                plan.set_value(Rc::new(invoices));
                go(BulkAction::Invoice, Some(Rc::new(ids)));
            });
            Some(
                view! {
                    <InvoiceListDialog state=state carrier=carrier on_run=on_run
                        on_close=Callback::new(move |()| bulk.set(BulkState::Idle))/>
                }
                .into_any(),
            )
        }
        BulkState::Confirm { action, ids } => {
            let total = state.found.with(|f| f.as_ref().map_or(0, |f| f.total));
            let count = ids.as_ref().map_or_else(
                || state.selection.with(|s| s.count(total)),
                |ids| ids.len() as u64,
            );
            let go = start.clone();
            let known = ids.clone();
            let needs_reason = action == BulkAction::Hold;
            Some(view! {
                <form class="bulk-panel" role="dialog" aria-label="일괄처리 확인"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        if needs_reason && reason.get_untracked().trim().is_empty() {
                            return;
                        }
                        go(action, known.clone());
                    }>
                    <strong>{format!("{} {}건을 처리합니다.", action.korean(), thousands(count))}</strong>
                    {needs_reason.then(|| view! {
                        <label>
                            "보류 사유 "
                            <input type="text" required autofocus prop:value=reason
                                on:input=move |ev| reason.set(event_target_value(&ev))/>
                        </label>
                    })}
                    <button type="submit" class="primary">"실행 (Enter)"</button>
                    <button type="button" on:click=move |_| bulk.set(BulkState::Idle)>"취소"</button>
                </form>
            }.into_any())
        }
        BulkState::Running { action, progress } => Some(
            view! {
                <div class="bulk-panel running">
                    <ProgressBar
                        label=action.korean().to_owned()
                        progress=progress
                        on_stop=Some(stop_now)
                    />
                </div>
            }
            .into_any(),
        ),
        BulkState::Done {
            action,
            succeeded,
            failures,
            left,
            error,
        } => {
            let failed_ids: Rc<Vec<u64>> = Rc::new(failures.iter().map(|f| f.id).collect());
            let go = start.clone();
            Some(view! {
                <div class="bulk-panel done" role="status">
                    <strong>
                        {format!("{} 완료 {}건", action.korean(), thousands(succeeded))}
                        {(!failures.is_empty()).then(|| format!(" · 실패 {}건", thousands(failures.len() as u64)))}
                        {(left > 0).then(|| format!(" · 중지되어 처리하지 않음 {}건", thousands(left)))}
                    </strong>
                    {error.map(|e| view! { <p class="error-inline" role="alert">{e}</p> })}
                    {(!failures.is_empty()).then(|| {
                        let retry = failed_ids.clone();
                        view! {
                            <button type="button" class="primary"
                                on:click=move |_| go(action, Some(retry.clone()))>
                                "실패한 주문 다시 처리"
                            </button>
                            <ul class="failures" aria-label="실패한 주문">
                                {failures.iter().map(|f| view! {
                                    <li>
                                        <button type="button" class="link"
                                            on:click={let id = f.id; move |_| state.open.set(Some(id))}>
                                            {format!("주문 {}", f.id)}
                                        </button>
                                        " "
                                        <span>{f.reason.clone()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                    })}
                    <button type="button" on:click=move |_| bulk.set(BulkState::Idle)>"닫기"</button>
                </div>
            }.into_any())
        }
    };

    view! {
        {buttons}
        {panel}
    }
}
