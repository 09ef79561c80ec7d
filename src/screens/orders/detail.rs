//! The order's panel: what an operator checks before acting — lines with their status and CS
//! state, delivery, invoice and memos — read from the store, and read again when a write
//! touches the order. Working on the order (claims, delivery changes) is the CS window's.

use super::table::{marketplace_name, phone_text, short_time};
use super::ListState;
use crate::components::states::ErrorState;
use crate::store_read::{use_store_read, Reads};
use crate::sync::thousands;
use jumun_core::ids::OrderId;
use jumun_core::listing::phone_digits;
use jumun_core::order::Order;
use leptos::prelude::*;

/// The panel of order `id`.
#[component]
pub fn OrderPanel(state: ListState, id: u64) -> impl IntoView {
    // Read again only when a write (a command here, a sync pull) touches this order.
    let order = use_store_read(
        move || Reads::Orders(vec![id]),
        move |store, _| Box::pin(async move { store.order(OrderId(id)).await }),
    );
    view! {
        <section class="order-panel" aria-label=format!("주문 {id}")>
            <header>
                <h2>{format!("주문 {id}")}</h2>
                <a class="button-link" href=crate::screens::cs::href(id)>"고객CS (o)"</a>
                <button type="button" class="link" on:click=move |_| state.open.set(None)>"닫기 (Esc)"</button>
            </header>
            {move || match order.get() {
                None => view! { <p class="muted">"불러오는 중…"</p> }.into_any(),
                Some(Err(message)) => view! { <ErrorState message=message/> }.into_any(),
                Some(Ok(None)) => view! {
                    <p class="muted">"이 브라우저에 없는 주문입니다. 동기화 후 다시 여세요."</p>
                }.into_any(),
                Some(Ok(Some(order))) => view! { <OrderDetails order=order/> }.into_any(),
            }}
        </section>
    }
}

/// The order's facts.
#[component]
fn OrderDetails(order: Order) -> impl IntoView {
    let d = order.delivery.clone();
    let invoice = order.invoice.clone();
    view! {
        <dl class="facts">
            <dt>"판매처"</dt><dd>{marketplace_name(order.marketplace.as_str())}</dd>
            <dt>"주문번호"</dt><dd class="mono">{order.order_no.clone()}</dd>
            <dt>"주문일"</dt><dd>{short_time(order.dates.ordered_at.timestamp_millis() as f64)}</dd>
            <dt>"주문상태"</dt><dd>{order.status().korean()}</dd>
            <dt>"수령자"</dt><dd>{d.recipient_name.clone()}</dd>
            <dt>"휴대전화"</dt><dd class="mono">{phone_text(&phone_digits(&d.recipient_phone))}</dd>
            <dt>"주소"</dt><dd>{format!("({}) {}", d.postcode, d.address)}</dd>
            <dt>"배송메모"</dt><dd>{d.memo.clone()}</dd>
            <dt>"송장"</dt>
            <dd class="mono">
                {invoice.map(|i| format!("{} {}{}", i.carrier, i.tracking_no,
                    if i.label_outdated { " (재출력 필요)" } else { "" }))}
            </dd>
        </dl>
        <table class="lines">
            <caption>"상품"</caption>
            <thead>
                <tr>
                    <th scope="col">"주문상세번호"</th>
                    <th scope="col">"상품명 / 옵션"</th>
                    <th scope="col">"수량"</th>
                    <th scope="col">"주문상태"</th>
                    <th scope="col">"CS상태"</th>
                    <th scope="col">"보류"</th>
                </tr>
            </thead>
            <tbody>
                {order.lines.iter().map(|line| view! {
                    <tr>
                        <td class="mono">{line.keys.line_no.clone().unwrap_or_default()}</td>
                        <td>{line.product_name.clone()}<br/><span class="muted">{line.option.clone()}</span></td>
                        <td class="num">{thousands(u64::from(line.quantity))}</td>
                        <td>{line.status.korean()}</td>
                        <td>{line.claim_state.korean()}</td>
                        <td>{line.hold.as_ref().map(|h| h.kind.korean())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!order.memos.is_empty()).then(|| view! {
            <h3>"C/S메모"</h3>
            <ul class="memos">
                {order.memos.iter().map(|m| view! {
                    <li>
                        <span class="muted">{format!("{} {}", short_time(m.at.timestamp_millis() as f64), m.author)}</span>
                        " "
                        {m.text.clone()}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
