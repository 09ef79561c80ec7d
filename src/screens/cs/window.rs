//! The CS window of one order: facts, lines (selectable for an action), claims and memos, read
//! from the store and read again whenever a write touches the order (an action here, a sync).

use super::claim::{ClaimDialog, ClaimKindChoice};
use super::hold::HoldDialog;
use super::memo::MemoEditor;
use crate::components::keys::{use_shortcuts, Shortcut};
use crate::components::states::ErrorState;
use crate::screens::orders::{marketplace_name, short_time};
use crate::store_read::{use_store_read, Reads};
use crate::sync::thousands;
use jumun_core::claim::{Claim, ClaimProgress};
use jumun_core::delay::{delay_days, DelayBasis};
use jumun_core::ids::{LineId, OrderId};
use jumun_core::order::Order;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The window's keys, for the help overlay (registered by [`CsWindow`]).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("x", "커서 상품 선택/해제"),
    ("j / k", "다음 · 이전 상품"),
    ("h", "보류 (선택 상품, 없으면 전체)"),
    ("u", "보류해제"),
    ("c", "CS처리: 취소 (선택 상품, 없으면 전체)"),
    ("r", "CS처리: 반품"),
    ("m", "C/S메모 쓰기"),
    ("F2", "CS매크로"),
];

/// What the window holds of its order.
#[derive(Clone)]
struct Held {
    order: Order,
    claims: Vec<Claim>,
}

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialog {
    /// None.
    Closed,
    /// 보류 (true) or 보류해제 (false) on the chosen lines.
    Hold(bool),
    /// CS처리 (취소 · 반품) on the chosen lines.
    Claim(ClaimKindChoice),
}

/// The CS window of order `id`.
#[component]
pub fn CsWindow(id: u64) -> impl IntoView {
    let read = use_store_read(
        move || Reads::Orders(vec![id]),
        move |store, _| {
            Box::pin(async move {
                let Some(order) = store.order(OrderId(id)).await? else {
                    return Ok(None);
                };
                let claims = store.claims_of(OrderId(id)).await?;
                Ok(Some(Held { order, claims }))
            })
        },
    );
    let chosen = RwSignal::new(BTreeSet::<LineId>::new());
    let cursor = RwSignal::new(0usize);
    let dialog = RwSignal::new(Dialog::Closed);
    let memo_focus = NodeRef::<leptos::html::Textarea>::new();
    let macros_open = RwSignal::new(false);
    let line_ids = move || {
        read.with(|r| match r {
            Some(Ok(Some(held))) => held.order.lines.iter().map(|l| l.id).collect(),
            _ => Vec::new(),
        })
    };
    let idle = move || dialog.get_untracked() == Dialog::Closed;
    use_shortcuts(vec![
        Shortcut::new("j", "다음 상품", move || {
            let n = line_ids().len();
            cursor.update(|c| *c = (*c + 1).min(n.saturating_sub(1)));
        }),
        Shortcut::new("k", "이전 상품", move || {
            cursor.update(|c| *c = c.saturating_sub(1))
        }),
        Shortcut::new("x", "상품 선택/해제", move || {
            if let Some(line) = line_ids().get(cursor.get_untracked()).copied() {
                chosen.update(|c| {
                    if !c.remove(&line) {
                        c.insert(line);
                    }
                });
            }
        }),
        Shortcut::new("h", "보류", move || {
            if idle() {
                dialog.set(Dialog::Hold(true));
            }
        }),
        Shortcut::new("u", "보류해제", move || {
            if idle() {
                dialog.set(Dialog::Hold(false));
            }
        }),
        Shortcut::new("c", "CS처리: 취소", move || {
            if idle() {
                dialog.set(Dialog::Claim(ClaimKindChoice::Cancel));
            }
        }),
        Shortcut::new("r", "CS처리: 반품", move || {
            if idle() {
                dialog.set(Dialog::Claim(ClaimKindChoice::Return));
            }
        }),
        Shortcut::new("m", "C/S메모 쓰기", move || {
            if let Some(area) = memo_focus.get_untracked() {
                let _ = area.focus();
            }
        }),
        Shortcut::new("F2", "CS매크로", move || {
            macros_open.update(|o| *o = !*o)
        })
        .anywhere(),
    ]);
    view! {
        <article class="cs-window" aria-label=format!("고객CS 주문 {id}")>
            {move || match read.get() {
                None => view! { <p class="muted">"불러오는 중…"</p> }.into_any(),
                Some(Err(message)) => view! { <ErrorState message=message/> }.into_any(),
                Some(Ok(None)) => view! {
                    <p class="muted">{format!("관리번호 {id}: 이 브라우저에 없는 주문입니다. 동기화 후 다시 여세요.")}</p>
                }.into_any(),
                Some(Ok(Some(held))) => view! {
                    <Facts order=held.order.clone()/>
                    <Lines order=held.order.clone() chosen=chosen cursor=cursor/>
                    <Claims claims=held.claims.clone()/>
                    <section class="cs-side">
                        <MemoEditor order=OrderId(id) memos=held.order.memos.clone()
                            area=memo_focus macros_open=macros_open/>
                    </section>
                }.into_any(),
            }}
            {move || match dialog.get() {
                Dialog::Closed => None,
                Dialog::Hold(place) => Some(view! {
                    <HoldDialog order=OrderId(id) place=place chosen=chosen
                        on_close=Callback::new(move |()| dialog.set(Dialog::Closed))/>
                }.into_any()),
                Dialog::Claim(kind) => read.with_untracked(|r| match r {
                    Some(Ok(Some(held))) => Some(view! {
                        <ClaimDialog order=held.order.clone() kind=kind chosen=chosen
                            on_close=Callback::new(move |()| dialog.set(Dialog::Closed))/>
                    }.into_any()),
                    _ => None,
                }),
            }}
        </article>
    }
}

/// The order's facts, in the CS window's two dense columns (seed 001).
#[component]
fn Facts(order: Order) -> impl IntoView {
    let d = order.delivery.clone();
    let now = crate::commands::now();
    let delay = |basis| delay_days(&order, basis, now).map_or("-".to_owned(), |n| format!("{n}일"));
    let delays = format!(
        "등록 {} · 주문 {} · 결제 {}",
        delay(DelayBasis::Registration),
        delay(DelayBasis::Order),
        delay(DelayBasis::Payment)
    );
    let invoice = order.invoice.clone().map_or("-".to_owned(), |i| {
        format!(
            "{} {}{}",
            i.carrier,
            i.tracking_no,
            if i.label_outdated {
                " (재출력 필요)"
            } else {
                ""
            }
        )
    });
    let when = |at: chrono::DateTime<chrono::Utc>| short_time(at.timestamp_millis() as f64);
    view! {
        <dl class="facts cs-facts">
            <dt>"판매처"</dt><dd>{marketplace_name(order.marketplace.as_str())}</dd>
            <dt>"관리번호"</dt><dd class="mono">{order.id.0.to_string()}</dd>
            <dt>"주문번호"</dt><dd class="mono">{order.order_no.clone()}</dd>
            <dt>"주문상태"</dt><dd>{order.status().korean()}</dd>
            <dt>"주문일"</dt><dd>{when(order.dates.ordered_at)}</dd>
            <dt>"등록일"</dt><dd>{when(order.dates.registered_at)}</dd>
            <dt>"지연일"</dt><dd>{delays}</dd>
            <dt>"합포"</dt>
            <dd>
                {match order.bundle {
                    Some(b) => format!("합포 {}", b.0),
                    None if order.no_bundle => "합포금지".to_owned(),
                    None => "-".to_owned(),
                }}
            </dd>
            <dt>"주문자"</dt><dd>{format!("{} {}", d.orderer_name, d.orderer_phone)}</dd>
            <dt>"수령자"</dt><dd>{format!("{} {}", d.recipient_name, d.recipient_phone)}</dd>
            <dt>"수령자 주소"</dt><dd class="wide">{format!("({}) {}", d.postcode, d.address)}</dd>
            <dt>"배송메모"</dt><dd class="wide">{d.memo.clone()}</dd>
            <dt>"송장"</dt><dd class="mono">{invoice}</dd>
        </dl>
    }
}

/// The lines, with a box each for the actions on chosen lines.
#[component]
fn Lines(
    order: Order,
    chosen: RwSignal<BTreeSet<LineId>>,
    cursor: RwSignal<usize>,
) -> impl IntoView {
    let rows = order
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let id = line.id;
            view! {
                <tr class:cursor=move || cursor.get() == i class:held=line.hold.is_some()>
                    <td>
                        <input type="checkbox" aria-label=format!("상품 {} 선택", i + 1)
                            prop:checked=move || chosen.with(|c| c.contains(&id))
                            on:change=move |_| chosen.update(|c| {
                                if !c.remove(&id) {
                                    c.insert(id);
                                }
                            })/>
                    </td>
                    <td class="mono">{line.keys.line_no.clone().unwrap_or_default()}</td>
                    <td>{line.product_name.clone()}<br/><span class="muted">{line.option.clone()}</span></td>
                    <td class="num">{thousands(u64::from(line.quantity))}</td>
                    <td class="num">
                        {won(line.unit_price.0)}
                        {(line.option_price.0 != 0).then(|| view! {
                            <br/><span class="muted">{format!("옵션 +{}", won(line.option_price.0))}</span>
                        })}
                    </td>
                    <td>{line.status.korean()}</td>
                    <td>{line.claim_state.korean()}</td>
                    <td>{line.hold.as_ref().map(|h| h.to_string())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="lines cs-lines">
            <caption>"상품 (x: 선택, h: 보류, u: 보류해제, c: 취소, r: 반품)"</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="sr-only">"선택"</span></th>
                    <th scope="col">"주문상세번호"</th>
                    <th scope="col">"상품명 / 옵션"</th>
                    <th scope="col">"수량"</th>
                    <th scope="col">"판매가"</th>
                    <th scope="col">"주문상태"</th>
                    <th scope="col">"CS상태"</th>
                    <th scope="col">"보류"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// An amount of won as the console writes it (`12,900`, `-2,000`).
fn won(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(amount.unsigned_abs()))
}

/// The order's claims (취소 · 반품 · 교환), newest first, each with 철회 (R12) while it is not
/// withdrawn or rejected; whether it may be withdrawn is the engine's call, and its refusal is
/// shown under the table.
#[component]
fn Claims(claims: Vec<Claim>) -> impl IntoView {
    if claims.is_empty() {
        return None;
    }
    let mut claims = claims;
    claims.sort_by_key(|c| std::cmp::Reverse(c.opened_at));
    let error = RwSignal::new(None::<String>);
    let withdraw = move |claim: jumun_core::ids::ClaimId| {
        leptos::task::spawn_local(async move {
            let result =
                crate::commands::run(jumun_core::command::Command::WithdrawClaim { claim }).await;
            error.try_set(result.err().map(|e| format!("철회할 수 없습니다: {e}")));
        });
    };
    Some(view! {
        <table class="lines cs-claims">
            <caption>"클레임"</caption>
            <thead>
                <tr>
                    <th scope="col">"접수"</th>
                    <th scope="col">"유형"</th>
                    <th scope="col">"진행"</th>
                    <th scope="col">"상품 수"</th>
                    <th scope="col">"사유"</th>
                    <th scope="col">"메모"</th>
                    <th scope="col"><span class="sr-only">"철회"</span></th>
                </tr>
            </thead>
            <tbody>
                {claims.into_iter().map(|c| view! {
                    <tr>
                        <td>{short_time(c.opened_at.timestamp_millis() as f64)}</td>
                        <td>{c.kind.korean()}</td>
                        <td>{c.progress.korean()}</td>
                        <td class="num">{c.lines.iter().map(|l| u64::from(l.quantity)).sum::<u64>().to_string()}</td>
                        <td>{c.reason.korean().to_owned()}</td>
                        <td>{c.memo.clone()}</td>
                        <td>
                            {(!matches!(c.progress, ClaimProgress::Withdrawn | ClaimProgress::Rejected)).then(|| {
                                let id = c.id;
                                view! {
                                    <button type="button" class="link" aria-label=format!("클레임 {id} 철회")
                                        on:click=move |_| withdraw(id)>"철회"</button>
                                }
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {move || error.get().map(|e| view! { <p class="error-state" role="alert">{e}</p> })}
    })
}
