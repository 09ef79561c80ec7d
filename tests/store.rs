//! The offline store in a real browser (headless Chromium, wasm-bindgen-test): writes, every
//! index, the upgrade from schema version 1 with data kept, the outbox across a reopen, blocked
//! upgrades and the operator's messages.
//!
//! Run by `cargo xtask test` (or `cargo test -p jumun --target wasm32-unknown-unknown --test store`
//! with the wasm-bindgen test runner configured).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use jumun::store::{EventPosition, ListIndex, OutboxOp, ServerEvent, Store, StoreError};
use jumun_core::ids::OrderId;
use jumun_core::listing::OrderSummary;
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::order::{LineStatus, Order};
use jumun_core::{Actor, Change, Command, Event};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

fn sample_orders() -> Vec<Order> {
    let mut kim = order(1, "coupang", "C-100", &["C-100-1", "C-100-2"]);
    kim.dates.ordered_at = at(1, 9);
    kim.dates.registered_at = at(1, 10);
    let mut lee = with_invoice(
        order(2, "smartstore", "S-200", &["S-200-1"]),
        "6001-2345-6789",
    );
    lee.delivery.recipient_name = "이영희".into();
    lee.delivery.recipient_phone = "010 3333 4444".into();
    lee.dates.ordered_at = at(5, 9);
    lee.dates.registered_at = at(5, 10);
    let mut park = held(order(3, "coupang", "C-300", &["C-300-1"]));
    park.delivery.recipient_name = "박민수".into();
    park.delivery.recipient_phone = "01055556666".into();
    park.dates.ordered_at = at(9, 9);
    park.dates.registered_at = at(9, 10);
    // Same line number at another marketplace: the marketplace is part of the key.
    let other = order(4, "cafe24", "C-100", &["C-100-1"]);
    vec![kim, lee, park, other]
}

#[wasm_bindgen_test]
async fn writes_orders_and_finds_them_by_every_index() {
    let name = fresh_name("indexes");
    let store = open(&name).await;
    assert_eq!(store.version(), jumun::store::schema::VERSION);
    let orders = sample_orders();
    store.put_orders(&orders).await.expect("write orders");
    assert_eq!(store.order_count().await.unwrap(), 4);

    // By id, exactly as written.
    assert_eq!(
        store.order(OrderId(2)).await.unwrap().as_ref(),
        Some(&orders[1])
    );
    assert_eq!(store.order(OrderId(99)).await.unwrap(), None);

    // Marketplace + 주문번호.
    let coupang = MarketplaceCode::from("coupang");
    let cafe24 = MarketplaceCode::from("cafe24");
    assert_eq!(
        ids(&store
            .find_by_marketplace_key(&coupang, "C-100")
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(
        ids(&store
            .find_by_marketplace_key(&cafe24, "C-100")
            .await
            .unwrap()),
        [4]
    );
    // Marketplace + 주문상세번호 (multiEntry: every line of the order is indexed).
    assert_eq!(
        ids(&store
            .find_by_marketplace_line(&coupang, "C-100-2")
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(
        ids(&store
            .find_by_marketplace_line(&coupang, "C-100-1")
            .await
            .unwrap()),
        [1]
    );
    assert!(store
        .find_by_marketplace_line(&coupang, "S-200-1")
        .await
        .unwrap()
        .is_empty());
    // Status.
    assert_eq!(
        ids(&store.orders_by_status(LineStatus::Preparing).await.unwrap()),
        [1, 3, 4]
    );
    assert_eq!(
        ids(&store
            .orders_by_status(LineStatus::ReadyToShip)
            .await
            .unwrap()),
        [2]
    );
    assert_eq!(
        store.count_by_status(LineStatus::Preparing).await.unwrap(),
        3
    );
    // Hold, recipient and phone are the order list's to find (its summaries, since version 5
    // no longer indexes on `orders`): spaces and hyphens do not count in a phone.
    let rows = store.list_rows(&[2, 3]).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id, r.held, r.recipient.as_str(), r.phone.as_str()))
            .collect::<Vec<_>>(),
        [
            (2, 0, "이영희", "01033334444"),
            (3, 1, "박민수", "01055556666")
        ]
    );
    assert_eq!(
        summary_ids(&store.list_by_phone_last4("6666").await.unwrap()),
        [3]
    );
    // 송장번호.
    assert_eq!(
        ids(&store.find_by_tracking_no("6001-2345-6789").await.unwrap()),
        [2]
    );
    assert!(store.find_by_tracking_no("0000").await.unwrap().is_empty());
    // Dates: the list pages through 주문일 and 수집일 (등록일), newest first.
    assert_eq!(
        summary_ids(
            &store
                .list_window(ListIndex::OrderedAt(None), true, 0, 10)
                .await
                .unwrap()
        ),
        [4, 3, 2, 1],
        "the cafe24 order has the latest 주문일"
    );
    assert_eq!(
        summary_ids(
            &store
                .list_window(ListIndex::CollectedAt, false, 0, 3)
                .await
                .unwrap()
        ),
        [1, 2, 3],
        "수집일 oldest first: kim (day 1), lee (5), park (9)"
    );

    // Rewriting an order moves it between index entries (no stale entries are left).
    let shipped = with_invoice(orders[0].clone(), "6001-0000-0001");
    store.put_orders(&[shipped]).await.unwrap();
    assert_eq!(
        ids(&store.orders_by_status(LineStatus::Preparing).await.unwrap()),
        [3, 4]
    );
    assert_eq!(
        ids(&store.find_by_tracking_no("6001-0000-0001").await.unwrap()),
        [1]
    );

    store.close();
    delete(&name).await;
}

/// Opens `name` at schema version 1 exactly as the first release created it (written out here,
/// independently of the store's own code), and writes one order row in version 1's shape, one
/// outbox entry and two server events, the last two in stored format version 1 (bare JSON).
async fn create_version_1(name: &str, order: &Order) -> Database {
    let db = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_event, db| {
            let orders = db
                .create_object_store("orders")
                .with_key_path(KeyPath::from("id"))
                .build()?;
            orders
                .create_index(
                    "marketplace_order",
                    KeyPath::from(["marketplace", "order_no"]),
                )
                .build()?;
            orders
                .create_index("status", KeyPath::from("status"))
                .build()?;
            let events = db
                .create_object_store("events")
                .with_key_path(KeyPath::from("k"))
                .build()?;
            events.create_index("op", KeyPath::from("op")).build()?;
            let outbox = db
                .create_object_store("outbox")
                .with_auto_increment(true)
                .with_key_path(KeyPath::from("n"))
                .build()?;
            outbox
                .create_index("key", KeyPath::from("key"))
                .with_unique(true)
                .build()?;
            Ok(())
        })
        .await
        .expect("create version 1");
    let row = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        js_sys::Reflect::set(&row, &JsValue::from_str(k), &v).unwrap();
    };
    set("id", JsValue::from_f64(order.id.0 as f64));
    set("marketplace", JsValue::from_str(order.marketplace.as_str()));
    set("order_no", JsValue::from_str(&order.order_no));
    set("status", JsValue::from_str("ReadyToShip"));
    set(
        "doc",
        JsValue::from_str(&serde_json::to_string(order).unwrap()),
    );
    let outbox_row = js_sys::Object::new();
    js_sys::Reflect::set(&outbox_row, &"key".into(), &"op-v1".into()).unwrap();
    js_sys::Reflect::set(&outbox_row, &"at".into(), &at(11, 12).to_rfc3339().into()).unwrap();
    let command = Command::ConfirmPayment { order: order.id };
    js_sys::Reflect::set(
        &outbox_row,
        &"command".into(),
        &serde_json::to_string(&command).unwrap().into(),
    )
    .unwrap();
    // Two events of the server's log, in stored format version 1: the bare event JSON that
    // builds before stored versions wrote.
    let event_rows: Vec<js_sys::Object> = version_1_events(order.id)
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let row = js_sys::Object::new();
            js_sys::Reflect::set(&row, &"k".into(), &JsValue::from_f64(i as f64 + 1.0)).unwrap();
            js_sys::Reflect::set(
                &row,
                &"json".into(),
                &serde_json::to_string(event).unwrap().into(),
            )
            .unwrap();
            row
        })
        .collect();
    let tx = db
        .transaction(["orders", "outbox", "events"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    for row in event_rows {
        tx.object_store("events")
            .unwrap()
            .put(JsValue::from(row))
            .primitive()
            .unwrap();
    }
    tx.object_store("orders")
        .unwrap()
        .put(JsValue::from(row))
        .primitive()
        .unwrap();
    tx.object_store("outbox")
        .unwrap()
        .add(JsValue::from(outbox_row))
        .primitive()
        .unwrap();
    tx.commit().await.expect("write version 1 data");
    db
}

/// The server events `create_version_1` writes in stored format version 1.
fn version_1_events(order: OrderId) -> Vec<Event> {
    vec![
        Event {
            at: at(11, 10),
            actor: Actor::Operator("demo".into()),
            change: Change::PaymentConfirmed { order },
        },
        Event {
            at: at(11, 11),
            actor: Actor::Operator("demo".into()),
            change: Change::Delivered { order },
        },
    ]
}

#[wasm_bindgen_test]
async fn upgrade_from_version_1_keeps_the_data_and_indexes_it() {
    let name = fresh_name("upgrade");
    let original = held(with_invoice(
        order(7, "coupang", "C-700", &["C-700-1", "C-700-2"]),
        "6001-7777-0000",
    ));
    let v1 = create_version_1(&name, &original).await;
    assert_eq!(v1.version() as u32, 1);
    v1.close();

    let store = open(&name).await;
    assert_eq!(store.version(), jumun::store::schema::VERSION);
    // The order is intact…
    assert_eq!(store.order(OrderId(7)).await.unwrap(), Some(original));
    // …still found by the version 1 indexes…
    let coupang = MarketplaceCode::from("coupang");
    assert_eq!(
        ids(&store
            .find_by_marketplace_key(&coupang, "C-700")
            .await
            .unwrap()),
        [7]
    );
    assert_eq!(
        ids(&store
            .orders_by_status(LineStatus::ReadyToShip)
            .await
            .unwrap()),
        [7]
    );
    // …and by every index version 2 added, derived from the stored order.
    assert_eq!(
        ids(&store
            .find_by_marketplace_line(&coupang, "C-700-2")
            .await
            .unwrap()),
        [7]
    );
    assert_eq!(
        ids(&store.find_by_tracking_no("6001-7777-0000").await.unwrap()),
        [7]
    );
    // …and the summaries version 4 derived (held, recipient, phone, 주문일) answer what
    // version 2's indexes did.
    let summary = &store.list_rows(&[7]).await.unwrap()[0];
    assert_eq!(
        (
            summary.held,
            summary.recipient.as_str(),
            summary.phone.as_str()
        ),
        (1, "김철수", "01011112222")
    );
    let ordered = at(10, 0).timestamp_millis() as f64..at(11, 0).timestamp_millis() as f64;
    assert!(
        ordered.contains(&summary.ordered_at),
        "{}",
        summary.ordered_at
    );
    // The queued operation survived, and the meta store version 2 added works.
    let pending = store.outbox_pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].op.key, "op-v1");
    // The operation and the events in stored format version 1 read as today's values.
    assert_eq!(
        pending[0].op.command,
        Command::ConfirmPayment { order: OrderId(7) }
    );
    let log = store.events().await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        version_1_events(OrderId(7))
    );
    assert_eq!(store.cursor().await.unwrap(), 0);
    // Version 4 gave the kept order its summary for the order list.
    let rows = store.list_rows(&[7]).await.unwrap();
    assert_eq!(
        rows,
        [OrderSummary::of(
            &store.order(OrderId(7)).await.unwrap().unwrap()
        )]
    );
    assert_eq!(
        store
            .list_tab_counts()
            .await
            .unwrap()
            .of(Some(LineStatus::ReadyToShip)),
        1
    );
    // …and version 5 counted its status tab once and keeps the count.
    assert_kept_counts_agree(&store).await;
    store.meta_set("id_block", &(100u64, 200u64)).await.unwrap();
    assert_eq!(
        store.meta_get::<(u64, u64)>("id_block").await.unwrap(),
        Some((100, 200))
    );
    store.close();
    // Version 5 removed the `orders` indexes the list made redundant, and kept the others.
    let db = Database::open(&name).await.expect("open as it is");
    let tx = db.transaction("orders").build().unwrap();
    let mut kept: Vec<String> = tx.object_store("orders").unwrap().index_names().collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "marketplace_line",
            "marketplace_order",
            "status",
            "tracking_no"
        ]
    );
    drop(tx);
    db.close();
    delete(&name).await;
}

fn summary_ids(rows: &[OrderSummary]) -> Vec<u64> {
    rows.iter().map(|r| r.id).collect()
}

/// The order list (issue 12) reads summaries kept beside the orders: tab counts by index,
/// windows at any offset in both directions, rows by id, the phone's last four digits, batches
/// for a scan; and it is told which orders a write changed.
#[wasm_bindgen_test]
async fn the_order_list_pages_counts_and_finds_summaries_without_reading_orders() {
    let name = fresh_name("list");
    let store = open(&name).await;
    let told: Rc<RefCell<Vec<Vec<u64>>>> = Rc::default();
    let heard = told.clone();
    store.on_orders_changed(move |change| heard.borrow_mut().push(change.ids.clone()));
    let mut orders = sample_orders();
    // Forty more, one hour apart, all 상품준비.
    for i in 0..40u64 {
        let mut o = order(
            100 + i,
            "coupang",
            &format!("B-{i}"),
            &[&format!("B-{i}-1")],
        );
        o.dates.ordered_at = at(12, 0) + chrono::Duration::hours(i as i64);
        orders.push(o);
    }
    store.put_orders(&orders).await.unwrap();
    assert_eq!(told.borrow().len(), 1, "one write, one notice");
    assert_eq!(told.borrow()[0].len(), 44);

    let counts = store.list_tab_counts().await.unwrap();
    assert_eq!(counts.all, 44);
    assert_eq!(
        counts.of(Some(LineStatus::ReadyToShip)),
        1,
        "lee has an invoice"
    );
    assert_eq!(counts.of(Some(LineStatus::Preparing)), 43);

    // Newest first: the forty, newest first, then park (day 9), lee (5), kim (1).
    let first = store
        .list_window(ListIndex::OrderedAt(None), true, 0, 3)
        .await
        .unwrap();
    assert_eq!(summary_ids(&first), [139, 138, 137]);
    let last = store
        .list_window(ListIndex::OrderedAt(None), true, 41, 10)
        .await
        .unwrap();
    assert_eq!(
        summary_ids(&last),
        [3, 2, 1],
        "a window past the end is cut short"
    );
    let oldest = store
        .list_window(ListIndex::OrderedAt(None), false, 0, 2)
        .await
        .unwrap();
    assert_eq!(summary_ids(&oldest), [1, 2]);
    let tab = store
        .list_window(
            ListIndex::OrderedAt(Some(LineStatus::ReadyToShip)),
            true,
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(summary_ids(&tab), [2]);
    assert!(store
        .list_window(ListIndex::CollectedAt, true, 100, 10)
        .await
        .unwrap()
        .is_empty());

    assert_eq!(
        summary_ids(&store.list_rows(&[3, 99, 1]).await.unwrap()),
        [3, 1]
    );
    assert_eq!(
        summary_ids(&store.list_by_phone_last4("4444").await.unwrap()),
        [2]
    );
    let batch = store.list_batch(None, 3).await.unwrap();
    assert_eq!(summary_ids(&batch), [1, 2, 3]);
    let next = store.list_batch(Some(3), 2).await.unwrap();
    assert_eq!(summary_ids(&next), [4, 100]);

    // A local command changes an order: its summary follows in the same transaction, and the
    // listeners are told.
    let (op, events) = local_op("op-list", OrderId(1));
    let mut changed = store.order(OrderId(1)).await.unwrap().unwrap();
    changed.delivery.recipient_name = "최수정".into();
    store.apply_local(&op, &events, &[changed]).await.unwrap();
    assert_eq!(told.borrow().last().unwrap(), &vec![1]);
    assert_eq!(store.list_rows(&[1]).await.unwrap()[0].recipient, "최수정");

    // Written again with other statuses (the store reads what each was before, R5's bulk
    // writes and the sync's pulls write this way): the kept counts move from tab to tab.
    let invoiced: Vec<Order> = (100..110u64)
        .map(|id| {
            let mut o = order(
                id,
                "coupang",
                &format!("B-{}", id - 100),
                &[&format!("B-{}-1", id - 100)],
            );
            o.dates.ordered_at = at(12, 0) + chrono::Duration::hours((id - 100) as i64);
            with_invoice(o, &format!("6001-0000-{id:04}"))
        })
        .collect();
    store.put_orders(&invoiced).await.unwrap();
    let counts = store.list_tab_counts().await.unwrap();
    assert_eq!(counts.all, 44, "written again, not added");
    assert_eq!(counts.of(Some(LineStatus::ReadyToShip)), 11);
    assert_eq!(counts.of(Some(LineStatus::Preparing)), 33);
    assert_kept_counts_agree(&store).await;
    // The same order twice in one write (as a page of the server's log can hold it): the last
    // one is kept and counted once.
    let twice = order(200, "coupang", "D-1", &["D-1-1"]);
    store
        .put_orders(&[twice.clone(), with_invoice(twice, "6001-0000-0200")])
        .await
        .unwrap();
    let counts = store.list_tab_counts().await.unwrap();
    assert_eq!(counts.all, 45);
    assert_eq!(counts.of(Some(LineStatus::ReadyToShip)), 12);
    assert_kept_counts_agree(&store).await;
    store.close();
    delete(&name).await;
}

fn local_op(key: &str, order: OrderId) -> (OutboxOp, Vec<Event>) {
    let op = OutboxOp {
        key: key.into(),
        at: at(12, 9),
        command: Command::ConfirmPayment { order },
    };
    let events = vec![Event {
        at: at(12, 9),
        actor: Actor::Operator("demo".into()),
        change: Change::PaymentConfirmed { order },
    }];
    (op, events)
}

#[wasm_bindgen_test]
async fn outbox_survives_closing_and_reopening_the_database() {
    let name = fresh_name("outbox");
    let store = open(&name).await;
    let base = order(8, "coupang", "C-800", &["C-800-1"]);
    let (op1, events1) = local_op("op-1", OrderId(8));
    let (op2, events2) = local_op("op-2", OrderId(8));
    let n1 = store
        .apply_local(&op1, &events1, std::slice::from_ref(&base))
        .await
        .unwrap();
    let n2 = store.apply_local(&op2, &events2, &[]).await.unwrap();
    assert!(n2 > n1, "outbox numbers grow: {n1} then {n2}");
    // The same idempotency key cannot be queued twice, and the refused write leaves nothing.
    let again = store.apply_local(&op1, &events1, &[]).await;
    assert!(matches!(again, Err(StoreError::Other(_))), "{again:?}");
    assert_eq!(store.events().await.unwrap().len(), 2);
    store.close();

    // A reload: a new connection sees the queue in order, with the local events and the order.
    let store = open(&name).await;
    let pending = store.outbox_pending().await.unwrap();
    assert_eq!(
        pending.iter().map(|q| q.op.clone()).collect::<Vec<_>>(),
        [op1.clone(), op2.clone()]
    );
    assert_eq!(pending[0].number, n1);
    assert_eq!(store.outbox_len().await.unwrap(), 2);
    assert_eq!(store.order(OrderId(8)).await.unwrap(), Some(base));
    let log = store.events().await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        [EventPosition::Local(n1, 0), EventPosition::Local(n2, 0)]
    );
    assert_eq!(log[0].event, events1[0]);

    // The server accepted op-1 and sent its events: the local copy is replaced by the server's.
    store.mark_accepted(&["op-1", "unknown"]).await.unwrap();
    store
        .put_server_events(
            &[ServerEvent {
                seq: 41,
                key: Some("op-1".into()),
                event: events1[0].clone(),
            }],
            &[],
            41,
        )
        .await
        .unwrap();
    store.close();

    let store = open(&name).await;
    let pending = store.outbox_pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].op, op2);
    assert_eq!(store.cursor().await.unwrap(), 41);
    let log = store.events().await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        [EventPosition::Server(41), EventPosition::Local(n2, 0)],
        "the server's log first, then what is still local"
    );
    store.close();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_another_tab_tells_the_operator_and_goes_on_when_it_closes() {
    let name = fresh_name("blocked");
    // "Another tab" with version 1 open, which does not close on versionchange.
    let old_tab = create_version_1(&name, &order(1, "coupang", "C-1", &["C-1-1"])).await;
    let told: Rc<RefCell<Option<StoreError>>> = Rc::default();
    let opened: Rc<RefCell<Option<Result<Store, StoreError>>>> = Rc::default();
    {
        let told = told.clone();
        let opened = opened.clone();
        let name = name.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = Store::open_named(&name, move |e| *told.borrow_mut() = Some(e)).await;
            *opened.borrow_mut() = Some(result);
        });
    }
    for _ in 0..200 {
        if told.borrow().is_some() {
            break;
        }
        TimeoutFuture::new(10).await;
    }
    let message = told
        .borrow()
        .clone()
        .expect("the blocked upgrade is reported");
    assert_eq!(message, StoreError::UpgradeBlocked);
    assert!(message
        .to_string()
        .contains("다른 주문 콘솔 탭을 모두 닫으면"));
    assert!(opened.borrow().is_none(), "still waiting for the other tab");

    old_tab.close();
    for _ in 0..200 {
        if opened.borrow().is_some() {
            break;
        }
        TimeoutFuture::new(10).await;
    }
    let store = opened
        .borrow_mut()
        .take()
        .expect("the open finished after the other tab closed")
        .expect("opened");
    assert_eq!(store.version(), jumun::store::schema::VERSION);
    assert_eq!(store.order_count().await.unwrap(), 1);
    store.close();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn a_newer_version_in_another_tab_closes_this_connection_and_says_to_reload() {
    let name = fresh_name("versionchange");
    let store = open(&name).await;
    let told: Rc<RefCell<Option<StoreError>>> = Rc::default();
    {
        let told = told.clone();
        store.on_version_change(move |e| *told.borrow_mut() = Some(e));
    }
    // A newer build in "another tab" opens the next version; it is not blocked, because this
    // connection closes itself.
    let newer = Database::open(name.as_str())
        .with_version(jumun::store::schema::VERSION + 1)
        .with_on_upgrade_needed(|_, _| Ok(()))
        .await
        .expect("the newer version opens");
    assert_eq!(*told.borrow(), Some(StoreError::VersionChanged));
    assert!(told
        .borrow()
        .as_ref()
        .unwrap()
        .to_string()
        .contains("새로고침"));
    assert_eq!(
        store.outbox_len().await,
        Err(StoreError::VersionChanged),
        "a closed connection says why instead of failing obscurely"
    );
    newer.close();
    // And this build refuses the newer schema with a message.
    let refused = Store::open_named(&name, |_| {}).await;
    assert_eq!(refused.err(), Some(StoreError::NewerSchema));
    delete(&name).await;
}

#[wasm_bindgen_test]
fn quota_errors_become_the_operators_message() {
    let dom = web_sys::DomException::new_with_message_and_name("quota", "QuotaExceededError")
        .expect("a DOMException");
    let error = StoreError::from(indexed_db_futures::error::Error::from(JsValue::from(dom)));
    assert_eq!(error, StoreError::QuotaExceeded);
    assert!(error.to_string().contains("저장 공간이 부족"));
}
