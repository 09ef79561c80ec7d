//! 일괄처리 in a real browser (R5): 1,000 orders shipped through the command layer in chunks,
//! 10 of them on hold: 990 ship, the 10 are listed with the reason in Korean, each shipped order
//! is its own operation in the outbox, and the list's summaries follow. Stopping leaves the
//! rest untouched. 송장입력 from a pasted list issues each order its own number (R28).
#![cfg(target_arch = "wasm32")]

mod support;

use jumun::screens::orders::bulk::{run_on, BulkAction, Plan, CHUNK};
use jumun_core::carrier::Carrier;
use jumun_core::ids::OrderId;
use jumun_core::invoice_list::{self, ListedOrder};
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
        &Plan::reason(""),
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
    let result = run_on(
        &store,
        "demo",
        BulkAction::Ship,
        &Plan::reason(""),
        &ids,
        &stop,
        |_, _| stop.store(true, Ordering::Relaxed),
    )
    .await;
    assert_eq!(result.succeeded, CHUNK as u64, "one chunk, then the stop");
    assert_eq!(result.left, 600 - CHUNK as u64);
    assert_eq!(store.outbox_len().await.unwrap(), CHUNK as u32);
    let untouched = store.order(OrderId(600)).await.unwrap().unwrap();
    assert_eq!(untouched.lines[0].status, LineStatus::ReadyToShip);
    store.close();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn r28_a_pasted_number_list_invoices_each_order_with_its_own_number() {
    let name = fresh_name("bulk-invoice");
    let store = open(&name).await;
    // 300 orders in 상품준비 (more than a chunk); 7 is held; 9 already has an invoice.
    let mut orders: Vec<Order> = (1..=300)
        .map(|id| order(id, "naver", &format!("N-{id}"), &[&format!("N-{id}-1")]))
        .collect();
    orders[6] = held(orders[6].clone());
    orders[8] = with_invoice(orders[8].clone(), "600000000009");
    store.put_orders(&orders).await.unwrap();
    // The list names orders by 주문번호, 주문상세번호 or 관리번호; 5 is not in it, and 2's
    // number is already 9's.
    let mut text = String::from("주문번호\t송장번호\n");
    for id in (1..=300u64).filter(|id| *id != 5) {
        let number = if id == 2 {
            "600000000009".to_owned()
        } else {
            format!("6100-{:04}-{:04}", id / 10_000, id % 10_000)
        };
        let key = match id % 3 {
            0 => format!("N-{id}"),
            1 => format!("N-{id}-1"),
            _ => id.to_string(),
        };
        text.push_str(&format!("{key}\t{number}\n"));
    }
    let rows = store
        .list_rows(&(1..=300).collect::<Vec<_>>())
        .await
        .unwrap();
    let listed: Vec<ListedOrder<'_>> = rows
        .iter()
        .map(|r| ListedOrder {
            id: r.id,
            order_no: &r.order_no,
            line_nos: &r.line_nos,
        })
        .collect();
    let assignment = invoice_list::assign(&text, &listed);
    assert!(assignment.skipped_header);
    assert_eq!(assignment.problems, vec![]);
    assert_eq!(assignment.numbers.len(), 299);
    let plan = Plan::invoices(Carrier::lotte(), assignment.numbers.clone());
    // The run asks every selected order, 5 included (it was given no number).
    let ids: Vec<u64> = (1..=300).collect();
    let never = AtomicBool::new(false);
    let result = run_on(
        &store,
        "demo",
        BulkAction::Invoice,
        &plan,
        &ids,
        &never,
        |_, _| {},
    )
    .await;
    assert_eq!(result.error, None);
    let failed: Vec<u64> = result.failures.iter().map(|f| f.id).collect();
    assert_eq!(failed, vec![2, 5, 7, 9], "{:?}", result.failures);
    assert_eq!(result.succeeded, 296);
    for failure in &result.failures {
        assert!(!failure.reason.is_empty());
    }
    let issued = store.order(OrderId(123)).await.unwrap().unwrap();
    let invoice = issued.invoice.expect("invoiced");
    assert_eq!(invoice.tracking_no, "610000000123");
    assert_eq!(invoice.carrier, Carrier::lotte());
    assert_eq!(issued.lines[0].status, LineStatus::ReadyToShip);
    // Untouched: the held one and the one with no number.
    for id in [5, 7] {
        let o = store.order(OrderId(id)).await.unwrap().unwrap();
        assert_eq!(o.invoice, None);
        assert_eq!(o.lines[0].status, LineStatus::Preparing);
    }
    assert_eq!(store.outbox_len().await.unwrap(), 296);
    assert_kept_counts_agree(&store).await;
    store.close();
    delete(&name).await;
}
