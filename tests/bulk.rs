//! 일괄처리 in a real browser (R5): 1,000 orders shipped through the command layer in chunks,
//! 10 of them on hold: 990 ship, the 10 are listed with the reason in Korean, each shipped order
//! is its own operation in the outbox, and the list's summaries follow. Stopping leaves the
//! rest untouched.
#![cfg(target_arch = "wasm32")]

mod support;

use jumun::screens::orders::bulk::{run_on, BulkAction, CHUNK};
use jumun_core::ids::OrderId;
use jumun_core::order::{LineStatus, Order};
use std::sync::atomic::{AtomicBool, Ordering};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `count` orders ready to ship (invoiced and printed); those in `on_hold` are held.
fn ready_orders(count: u64, on_hold: &[u64]) -> Vec<Order> {
    (1..=count)
        .map(|id| {
            let mut o = with_invoice(
                order(id, "coupang", &format!("B-{id}"), &[&format!("B-{id}-1")]),
                &format!("5100{id:08}"),
            );
            if let Some(invoice) = o.invoice.as_mut() {
                invoice.printed_at = Some(at(11, 12));
            }
            if on_hold.contains(&id) {
                o = held(o);
            }
            o
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_bulk_ship_of_1000_with_10_held_ships_990_and_lists_the_10_with_the_reason() {
    let name = fresh_name("bulk");
    let store = open(&name).await;
    let on_hold: Vec<u64> = (1..=10).map(|i| i * 97).collect();
    store
        .put_orders(&ready_orders(1_000, &on_hold))
        .await
        .unwrap();
    // Counted once here; from now on every write moves the kept counts.
    assert_eq!(store.list_tab_counts().await.unwrap().all, 1_000);
    let ids: Vec<u64> = (1..=1_000).collect();
    let mut reports = Vec::new();
    let never = AtomicBool::new(false);
    let result = run_on(
        &store,
        "demo",
        BulkAction::Ship,
        "",
        &ids,
        &never,
        |done, total| reports.push((done, total)),
    )
    .await;
    assert_eq!(result.error, None);
    assert_eq!(result.succeeded, 990);
    assert_eq!(result.left, 0);
    let failed: Vec<u64> = result.failures.iter().map(|f| f.id).collect();
    assert_eq!(failed, on_hold);
    for failure in &result.failures {
        assert!(
            failure.reason.contains("보류") && failure.reason.contains(&failure.id.to_string()),
            "the reason names the hold and the order: {}",
            failure.reason
        );
    }
    // Progress after every chunk, ending at the total.
    assert_eq!(reports.len(), 1_000usize.div_ceil(CHUNK));
    assert_eq!(reports.last(), Some(&(1_000, 1_000)));
    // Each shipped order is its own operation; the held ones are untouched.
    assert_eq!(store.outbox_len().await.unwrap(), 990);
    let shipped = store.order(OrderId(1)).await.unwrap().unwrap();
    assert_eq!(shipped.lines[0].status, LineStatus::InTransit);
    let kept = store.order(OrderId(97)).await.unwrap().unwrap();
    assert_eq!(kept.lines[0].status, LineStatus::ReadyToShip);
    // The list's summaries and the kept tab counts follow in the same transactions.
    let counts = store.list_tab_counts().await.unwrap();
    assert_eq!(counts.of(Some(LineStatus::InTransit)), 990);
    assert_eq!(counts.of(Some(LineStatus::ReadyToShip)), 10);
    assert_kept_counts_agree(&store).await;
    store.close();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn stopping_a_bulk_run_leaves_the_rest_untouched() {
    let name = fresh_name("bulk-stop");
    let store = open(&name).await;
    store.put_orders(&ready_orders(600, &[])).await.unwrap();
    let ids: Vec<u64> = (1..=600).collect();
    let stop = AtomicBool::new(false);
    let result = run_on(&store, "demo", BulkAction::Ship, "", &ids, &stop, |_, _| {
        stop.store(true, Ordering::Relaxed)
    })
    .await;
    assert_eq!(result.succeeded, CHUNK as u64, "one chunk, then the stop");
    assert_eq!(result.left, 600 - CHUNK as u64);
    assert_eq!(store.outbox_len().await.unwrap(), CHUNK as u32);
    let untouched = store.order(OrderId(600)).await.unwrap().unwrap();
    assert_eq!(untouched.lines[0].status, LineStatus::ReadyToShip);
    store.close();
    delete(&name).await;
}
