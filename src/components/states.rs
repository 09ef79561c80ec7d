//! The states a screen shows beside its data: an error with what to do, and working offline
//! with what waits to be sent.

use crate::context::console;
use crate::sync::thousands;
use leptos::prelude::*;

/// An error the operator can act on (the message says what to do).
#[component]
pub fn ErrorState(
    /// The message.
    #[prop(into)]
    message: Signal<String>,
) -> impl IntoView {
    view! { <p class="error-state" role="alert">{move || message.get()}</p> }
}

/// Whether the screen shows what the browser holds while offline, and how many operations wait
/// in the outbox.
#[component]
pub fn SyncNote() -> impl IntoView {
    let console = console();
    move || {
        let status = console.status.get();
        let text = match (status.online, status.pending) {
            (false, 0) => "오프라인: 이 브라우저에 저장된 주문으로 작업합니다".to_owned(),
            (false, n) => format!(
                "오프라인: 이 브라우저에 저장된 주문으로 작업합니다 · 전송 대기 {}건",
                thousands(u64::from(n))
            ),
            (true, 0) => return None,
            (true, n) => format!("전송 대기 {}건", thousands(u64::from(n))),
        };
        let class = if status.online {
            "sync-note pending"
        } else {
            "sync-note offline"
        };
        Some(view! { <span class=class role="status">{text}</span> })
    }
}
