//! 대시보드: what needs doing today at a glance (seed 001's 주문현황 · 보류 현황 · 철회 현황).
//!
//! - Counts by status, CS state and 송장 미전송, from one scan of the order summaries
//!   ([`tally`]); each figure links to 주문 filtered to exactly the search it counts
//!   ([`crate::screens::orders::url`]), so the two agree.
//! - 철회 and 교환배송지연 from the claims the browser keeps; the list cannot filter claims, so
//!   the newest are listed beside their figures, each opening its order.
//! - 미매칭 취소 and the connections' last collections come from the server ([`server`]); offline
//!   the last answer is shown with its age.
//! - The chart of orders per day per marketplace over 14 Korean days ([`chart`]).
//!
//! The figures follow every committed write (the console's change feed) without a reload: a
//! write during a count asks for one more count when it ends, so a burst of writes costs at
//! most two scans.

mod chart;
mod connections;
mod figures;
pub mod server;
pub mod tally;

use crate::components::states::{ErrorState, SyncNote};
use crate::context::{console, Console};
use crate::sync::thousands;
use chrono::{Datelike, Timelike};
use figures::{ClaimsPanel, CsPanel, StatusPanel, UnmatchedPanel};
use leptos::prelude::*;
use server::ServerView;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tally::Tally;

/// The server is asked again at most this often (milliseconds) as writes come in.
const SERVER_EVERY_MS: f64 = 20_000.0;

/// The 대시보드 screen.
#[component]
pub fn DashboardScreen() -> impl IntoView {
    let console = console();
    let tally = RwSignal::new(None::<Tally>);
    let server = RwSignal::new(ServerView::default());
    let error = RwSignal::new(None::<String>);
    let now = RwSignal::new(js_sys::Date::now());
    let counter = Recount::default();
    {
        let left = counter.left.clone();
        on_cleanup(move || left.store(true, Ordering::Relaxed));
    }
    let asked_at = Rc::new(Cell::new(f64::NEG_INFINITY));

    // Count when the store opens and after every committed write.
    Effect::new(move |_| {
        let _ = console.changes.get();
        if console.ready.get() {
            counter.start(console, tally, error);
        }
    });
    // Ask the server when it can be reached: at once, then as writes come in or a minute
    // passes, at most every SERVER_EVERY_MS.
    let online = Memo::new(move |_| console.status.with(|s| s.online));
    let minute = RwSignal::new(0u32);
    if let Ok(timer) = set_interval_with_handle(
        move || minute.update(|m| *m += 1),
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || timer.clear());
    }
    Effect::new(move |_| {
        let _ = (console.changes.get(), minute.get());
        let online = online.get();
        if !console.ready.get() {
            return;
        }
        let at = js_sys::Date::now();
        now.set(at);
        let never = server.with_untracked(|s| s.figures.is_none());
        if at - asked_at.get() >= SERVER_EVERY_MS || (never && online) {
            asked_at.set(at);
            ask_server(console, server, online, at);
        }
    });
    crate::app::set_document_title("대시보드");

    view! {
        <section class="screen dashboard-screen" aria-labelledby="dashboard-title">
            <header class="screen-head">
                <h1 id="dashboard-title">"대시보드"</h1>
                <AsOf tally=tally/>
                <SyncNote/>
                {move || server.with(|s| s.problem.clone()).map(|p| view! {
                    <span class="sync-note offline" role="status">{format!("서버 현황을 새로 받지 못했습니다: {p}")}</span>
                })}
            </header>
            {move || error.get().map(|message| view! { <ErrorState message=message/> })}
            <div class="board-grid">
                <StatusPanel tally=tally/>
                <CsPanel tally=tally title="보류 현황" id="panel-holds" choices=figures::hold_choices() alert=true/>
                <CsPanel tally=tally title="CS상태" id="panel-cs" choices=figures::state_choices() alert=false/>
                <ClaimsPanel tally=tally/>
                <UnmatchedPanel
                    figures=Signal::derive(move || server.with(|s| s.figures.clone()))
                    now=now.into()
                />
            </div>
            <chart::DailyChart chart=Signal::derive(move || tally.with(|t| t.as_ref().map(|t| t.chart.clone())))/>
            <connections::ConnectionsPanel
                connections=Signal::derive(move || server.with(|s| s.connections.clone()))
                now=now.into()
            />
        </section>
    }
}

/// "11월 15일 07:15 기준 · 주문 12,345건", or that the count is running.
#[component]
fn AsOf(tally: RwSignal<Option<Tally>>) -> impl IntoView {
    move || {
        let text = tally.with(|t| match t {
            None => "세는 중…".to_owned(),
            Some(t) => {
                let at = chrono::DateTime::from_timestamp_millis(t.at as i64)
                    .map(|at| {
                        // Not chrono's `format`, whose strftime parser would cost the wasm.
                        let t = at.with_timezone(&jumun_core::time::KOREA);
                        format!(
                            "{}월 {}일 {:02}:{:02} 기준",
                            t.month(),
                            t.day(),
                            t.hour(),
                            t.minute()
                        )
                    })
                    .unwrap_or_default();
                format!("{at} · 주문 {}건", thousands(t.counts.tabs.all))
            }
        });
        view! { <span class="result-count" role="status" aria-live="polite">{text}</span> }
    }
}

/// One count at a time: a write during a count asks for one more when it ends; leaving the
/// screen stops it.
#[derive(Clone, Default)]
struct Recount {
    running: Rc<Cell<bool>>,
    again: Rc<Cell<bool>>,
    /// Shared with the screen's cleanup, which Leptos requires to be `Send`.
    left: Arc<AtomicBool>,
}

impl Recount {
    fn start(
        &self,
        console: Console,
        tally: RwSignal<Option<Tally>>,
        error: RwSignal<Option<String>>,
    ) {
        if self.running.replace(true) {
            self.again.set(true);
            return;
        }
        let this = self.clone();
        leptos::task::spawn_local(async move {
            loop {
                this.again.set(false);
                let Some(store) = console.store() else { break };
                let left = this.left.clone();
                match tally::count(&store, js_sys::Date::now(), move || {
                    !left.load(Ordering::Relaxed)
                })
                .await
                {
                    Ok(Some(counted)) => {
                        tally.try_set(Some(counted));
                        error.try_set(None);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        error.try_set(Some(e.to_string()));
                    }
                }
                if !this.again.get() || this.left.load(Ordering::Relaxed) {
                    break;
                }
            }
            this.running.set(false);
        });
    }
}

/// Shows the kept server answers at once, then asks the server for new ones when online.
fn ask_server(console: Console, server: RwSignal<ServerView>, online: bool, now: f64) {
    let Some(store) = console.store() else { return };
    let token = console
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    leptos::task::spawn_local(async move {
        // The task runs a tick later: the screen may be gone by then.
        let Some(mut view) = server.try_get_untracked() else {
            return;
        };
        if view.figures.is_none() && view.connections.is_none() {
            match server::kept(&store).await {
                Ok(kept) => view = kept,
                Err(e) => view.problem = Some(e.to_string()),
            }
            server.try_set(view.clone());
        }
        if let (true, Some(token)) = (online, token) {
            server::refresh(&store, &token, now, &mut view).await;
            server.try_set(view);
        }
    });
}
