//! 주문수집 현황: each marketplace connection's last collection and its errors, from the server
//! (its last answer offline, with its age). Connections are set up in 설정.

use super::server::{age_text, Kept};
use crate::screens::orders::short_time;
use crate::sync::thousands;
use jumun_protocol::connections::{ConnectionInfo, ConnectionList, RunRecord};
use leptos::prelude::*;

/// What a run did, in the operator's words (only the parts that happened).
pub fn run_text(run: &RunRecord) -> String {
    let parts: Vec<String> = [
        ("신규", run.orders_new),
        ("변경", run.orders_updated),
        ("제외", run.orders_skipped),
        ("클레임", run.claims),
        ("철회", run.claims_withdrawn),
        ("취소연동", run.cancels_applied),
        ("미매칭 취소", run.cancels_unmatched),
        ("송장전송", run.invoices_sent),
        ("오류 데이터", run.malformed),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(label, n)| format!("{label} {}", thousands(u64::from(n))))
    .collect();
    if parts.is_empty() {
        "새 주문 없음".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// What went wrong with a connection, if anything: its credentials, its last run's error, the
/// notes of that run.
pub fn problems(connection: &ConnectionInfo) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(e) = &connection.credentials_error {
        found.push(e.clone());
    }
    if let Some(run) = &connection.last_run {
        found.extend(run.error.clone());
        found.extend(run.notes.iter().cloned());
    }
    if connection.failures > 1 {
        found.push(format!("{}회 연속 실패", connection.failures));
    }
    found
}

/// The connections' table.
#[component]
pub fn ConnectionsPanel(
    connections: Signal<Option<Kept<ConnectionList>>>,
    /// Now, epoch milliseconds, for the answer's age.
    now: Signal<f64>,
) -> impl IntoView {
    view! {
        <section class="panel connections-panel" aria-labelledby="panel-connections">
            <h2 id="panel-connections">
                "주문수집 현황"
                {move || connections.get().map(|kept| view! {
                    <span class="panel-note">{format!(" 서버 기준 {}", age_text(kept.fetched_at, now.get()))}</span>
                })}
                <a class="panel-link" href="/settings">"연동 설정"</a>
            </h2>
            {move || match connections.get() {
                None => view! { <p class="panel-note">"서버에 연결되면 표시합니다"</p> }.into_any(),
                Some(kept) if kept.value.connections.is_empty() => view! {
                    <p class="panel-note">"연동된 판매처가 없습니다. 설정에서 판매처를 연동하세요."</p>
                }.into_any(),
                Some(kept) => view! {
                    <table class="dense connections">
                        <thead>
                            <tr>
                                <th scope="col">"판매처"</th>
                                <th scope="col">"최근 수집"</th>
                                <th scope="col">"결과"</th>
                                <th scope="col">"오류 · 알림"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {kept.value.connections.into_iter().map(row).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

fn row(connection: ConnectionInfo) -> impl IntoView {
    let problems = problems(&connection);
    let failed = connection.credentials_error.is_some()
        || connection
            .last_run
            .as_ref()
            .is_some_and(|r| r.error.is_some());
    let (when, result) = match &connection.last_run {
        None => ("아직 없음".to_owned(), String::new()),
        Some(run) => (
            short_time(run.started_at.timestamp_millis() as f64)
                + if run.finished_at.is_none() {
                    " (진행 중)"
                } else {
                    ""
                },
            run_text(run),
        ),
    };
    let state = if !connection.enabled {
        "중지됨"
    } else if failed {
        "실패"
    } else {
        "정상"
    };
    view! {
        <tr class:failed=failed data-connection=connection.marketplace.clone()>
            <th scope="row">
                {connection.marketplace_name.clone()}
                <span class="state-chip" class:bad=failed>{state}</span>
            </th>
            <td class="nowrap">{when}</td>
            <td>{result}</td>
            <td class="problems">
                {problems.into_iter().map(|p| view! { <div>{p}</div> }).collect_view()}
            </td>
        </tr>
    }
}
