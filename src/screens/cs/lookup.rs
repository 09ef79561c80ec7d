//! Finding an order for the CS window: by 관리번호, or by 송장번호 (a parcel in hand).

use crate::context::console;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The lookup field: Enter opens the order it names.
#[component]
pub fn Lookup(input: NodeRef<leptos::html::Input>) -> impl IntoView {
    let console = console();
    let text = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let find = move || {
        let wanted = text.get_untracked().trim().to_owned();
        if wanted.is_empty() {
            return;
        }
        let Some(store) = console.store() else {
            message.set(Some("저장소가 열려 있지 않습니다.".into()));
            return;
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let found = find_order(&store, &wanted).await;
            match found {
                Ok(Some(id)) => {
                    message.try_set(None);
                    navigate(&super::href(id), Default::default());
                }
                Ok(None) => {
                    message.try_set(Some(format!(
                        "{wanted}: 이 브라우저에 그런 관리번호나 송장번호의 주문이 없습니다. \
                         주문번호·수령자로는 주문 화면에서 찾으세요."
                    )));
                }
                Err(e) => {
                    message.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="cs-lookup" role="search"
            on:submit=move |ev| { ev.prevent_default(); find(); }>
            <label>
                "주문 찾기 "
                <input type="search" node_ref=input placeholder="관리번호 · 송장번호 (/)"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))/>
            </label>
            {move || message.get().map(|m| view! { <span class="lookup-message" role="status">{m}</span> })}
        </form>
    }
}

/// The 관리번호 of the order `wanted` names: itself if it is one the browser holds, else the
/// only order with that 송장번호 (several: the first, as the list would open it).
async fn find_order(store: &crate::store::Store, wanted: &str) -> Result<Option<u64>, String> {
    if let Ok(id) = wanted.parse::<u64>() {
        let held = store
            .order(jumun_core::ids::OrderId(id))
            .await
            .map_err(|e| e.to_string())?;
        if held.is_some() {
            return Ok(Some(id));
        }
    }
    let by_invoice = store
        .find_by_tracking_no(wanted)
        .await
        .map_err(|e| e.to_string())?;
    Ok(by_invoice.first().map(|o| o.id.0))
}
