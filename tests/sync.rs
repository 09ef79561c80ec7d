//! The command layer and the sync client in a real browser (headless Chromium,
//! wasm-bindgen-test): commands run locally on the book's pieces with their outbox entry in one
//! transaction, the outbox survives closing and reopening the store, a refused command writes
//! nothing, schema version 2 upgrades to 3 with its data, a push whose answer is lost is applied
//! once, a refusal from the server undoes the local effect and leaves a notice on the order, and
//! the sync loop goes by its requests' outcome, not by `navigator.onLine`: it syncs while the
//! browser claims to be offline, shows offline and keeps the outbox when requests fail while the
//! browser claims to be online, backs off, and retries at once on the `online` event.
//!
//! The server is a fake `fetch` in the page that keeps a log and answers a key it has seen with
//! its first answer, as the real one does (the real server is driven in `crates/e2e`); with
//! `down` set, every request fails as on a dead network. `navigator.onLine` is overridden on the
//! `navigator` object where a test needs the browser to lie.
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, TimeZone, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use jumun::commands::{run_on, CommandError};
use jumun::session::Session;
use jumun::store::{EventPosition, Store};
use jumun::sync::http::NetError;
use jumun::sync::{SyncError, Syncer, MIN_BACKOFF_MS};
use jumun_core::claim::{ClaimPick, Reason};
use jumun_core::command::ClaimRequest;
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, LineStatus, NewLine, NewOrder, Payment};
use jumun_core::{Command, Refusal};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_name(test: &str) -> String {
    format!(
        "jumun-sync-{test}-{}",
        (js_sys::Math::random() * 1e12) as u64
    )
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap()
}

async fn open(name: &str) -> Store {
    Store::open_named(name, |_| {}).await.expect("open")
}

async fn delete(name: &str) {
    Database::delete_by_name(name)
        .expect("delete request")
        .await
        .expect("delete the test database");
}

fn collect(id: u64, order_no: &str) -> Command {
    Command::CollectOrder(NewOrder {
        id: OrderId(id),
        marketplace: MarketplaceCode::from("coupang"),
        order_no: order_no.into(),
        ordered_at: at(20),
        payment: Payment::Paid,
        paid_at: Some(at(20)),
        delivery: DeliveryInfo {
            orderer_name: "김민지".into(),
            orderer_phone: "010-1111-2222".into(),
            recipient_name: "김민지".into(),
            recipient_phone: "010-1111-2222".into(),
            recipient_landline: String::new(),
            postcode: "06236".into(),
            address: "서울특별시 강남구 테헤란로 123".into(),
            memo: String::new(),
        },
        lines: vec![NewLine {
            id: LineId(id * 10),
            keys: MarketplaceKeys {
                order_no: order_no.into(),
                line_no: Some(format!("{order_no}-1")),
                ..MarketplaceKeys::default()
            },
            product_name: "반팔 티셔츠".into(),
            option: "블랙 / L".into(),
            quantity: 2,
            unit_price: Won(19_900),
            option_price: Won::ZERO,
        }],
        no_bundle: false,
    })
}

fn cancel(order: u64, claim: u64) -> Command {
    Command::Cancel(ClaimRequest {
        claim: ClaimId(claim),
        order: OrderId(order),
        lines: vec![ClaimPick {
            line: LineId(order * 10),
            quantity: 2,
            split_line: None,
        }],
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        memo: "고객 요청".into(),
    })
}

#[wasm_bindgen_test]
async fn a_command_runs_on_its_pieces_and_its_outbox_entry_survives_a_reopen() {
    let name = fresh_name("outbox");
    let store = open(&name).await;
    // Counted (empty) now, so the commands below move kept counts.
    assert_eq!(store.list_tab_counts().await.unwrap().all, 0);
    let (key1, events) = run_on(&store, "demo", collect(1, "C-1"))
        .await
        .expect("collect");
    assert!(!events.is_empty());
    let (key2, _) = run_on(&store, "demo", cancel(1, 900))
        .await
        .expect("cancel");
    let order = store
        .order(OrderId(1))
        .await
        .unwrap()
        .expect("the order is kept");
    assert!(order.is_cancelled(), "the operator sees the cancel at once");
    assert_eq!(store.claims_of(OrderId(1)).await.unwrap().len(), 1);
    assert_kept_counts_agree(&store).await;

    // A refused command writes nothing: a cancelled order cannot be cancelled again.
    let before = store.outbox_len().await.unwrap();
    let refused = run_on(&store, "demo", cancel(1, 901)).await;
    assert!(
        matches!(refused, Err(CommandError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(store.outbox_len().await.unwrap(), before);
    assert!(store.claim(ClaimId(901)).await.unwrap().is_none());
    store.close();

    // "Reload": a new connection sees the outbox, the events and the pieces.
    let store = open(&name).await;
    let pending = store.outbox_pending().await.unwrap();
    let keys: Vec<&str> = pending.iter().map(|q| q.op.key.as_str()).collect();
    assert_eq!(keys, vec![key1.as_str(), key2.as_str()]);
    assert_eq!(pending[1].op.command, cancel(1, 900));
    assert_eq!(store.order(OrderId(1)).await.unwrap(), Some(order));
    assert!(store
        .events()
        .await
        .unwrap()
        .iter()
        .all(|e| matches!(e.position, EventPosition::Local(..))));
    store.close();
    delete(&name).await;
}

/// The status tabs' counts the store keeps agree with a full count of its indexes.
async fn assert_kept_counts_agree(store: &Store) {
    let kept = store.list_tab_counts().await.expect("kept counts");
    let counted = store.list_recount_tabs().await.expect("full count");
    assert_eq!(
        kept, counted,
        "the kept tab counts drifted from the indexes"
    );
}

/// Creates `name` at schema version 2 as the previous release did (written out here), with one
/// order row.
async fn create_version_2(name: &str, order_json: &str) -> Database {
    let db = Database::open(name)
        .with_version(2u32)
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
                .create_index("marketplace_line", KeyPath::from("mp_lines"))
                .with_multi_entry(true)
                .build()?;
            for name in [
                "status",
                "held",
                "recipient_name",
                "recipient_phone",
                "tracking_no",
                "ordered_at",
                "registered_at",
            ] {
                orders.create_index(name, KeyPath::from(name)).build()?;
            }
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
            db.create_object_store("meta")
                .with_key_path(KeyPath::from("name"))
                .build()?;
            Ok(())
        })
        .await
        .expect("create version 2");
    let row = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        js_sys::Reflect::set(&row, &JsValue::from_str(k), &v).unwrap();
    };
    set("id", JsValue::from_f64(1.0));
    set("marketplace", "coupang".into());
    set("order_no", "C-1".into());
    set("status", "Preparing".into());
    set("held", JsValue::from_f64(0.0));
    set("recipient_name", "김민지".into());
    set("recipient_phone", "01011112222".into());
    set("ordered_at", JsValue::from_f64(0.0));
    set("registered_at", JsValue::from_f64(0.0));
    set("doc", order_json.into());
    let tx = db
        .transaction("orders")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store("orders")
        .unwrap()
        .put(JsValue::from(row))
        .primitive()
        .unwrap();
    tx.commit().await.expect("write version 2 data");
    db
}

#[wasm_bindgen_test]
async fn upgrade_from_version_2_keeps_the_orders_and_adds_the_pieces() {
    // The order as a command makes it, written into a version 2 database by hand.
    let scratch = fresh_name("scratch");
    let store = open(&scratch).await;
    run_on(&store, "demo", collect(1, "C-1")).await.unwrap();
    let order = store.order(OrderId(1)).await.unwrap().unwrap();
    store.close();
    delete(&scratch).await;

    let name = fresh_name("v2");
    let v2 = create_version_2(&name, &serde_json::to_string(&order).unwrap()).await;
    assert_eq!(v2.version() as u32, 2);
    v2.close();
    let store = open(&name).await;
    assert_eq!(store.version(), jumun::store::schema::VERSION);
    assert_eq!(store.order(OrderId(1)).await.unwrap(), Some(order.clone()));
    // Version 4 gave it its summary for the order list.
    assert_eq!(
        store.list_rows(&[1]).await.unwrap(),
        [jumun_core::listing::OrderSummary::of(&order)]
    );
    assert_eq!(
        store
            .orders_by_status(LineStatus::Preparing)
            .await
            .unwrap()
            .len(),
        1
    );
    // The new stores work: a cancel keeps its claim beside the order.
    run_on(&store, "demo", cancel(1, 900))
        .await
        .expect("cancel");
    assert_eq!(store.claims_of(OrderId(1)).await.unwrap().len(), 1);
    assert!(store.stock().await.unwrap().items.is_empty());
    store.close();
    delete(&name).await;
}

/// Replaces `fetch` with a fake server (see the module doc); `window.__fake` is its state.
fn install_fake_server() {
    let script = r#"
        const fake = { log: [], answers: {}, pushes: 0, drop: 0, produce: {}, refuse: {}, nextId: 1000000, down: false, failed: 0 };
        window.__fake = fake;
        if (!window.__realFetch) window.__realFetch = window.fetch;
        window.fetch = async function (input, init) {
            if (fake.down) { fake.failed++; throw new TypeError('Failed to fetch'); }
            // Called as fetch(url, init) or, as gloo-net does, fetch(request).
            const request = new Request(input, init);
            const u = new URL(request.url);
            const text = await request.text();
            const body = text ? JSON.parse(text) : null;
            const json = (x, status) => new Response(JSON.stringify(x), { status: status || 200 });
            if (u.pathname === '/api/ids') {
                const start = fake.nextId; fake.nextId += body.count;
                return json({ start, len: body.count });
            }
            if (u.pathname === '/api/ops') {
                fake.pushes++;
                const results = body.ops.map(op => {
                    if (fake.answers[op.key]) return fake.answers[op.key];
                    let answer;
                    if (fake.refuse[op.key]) {
                        answer = Object.assign({ key: op.key, status: 'refused' }, fake.refuse[op.key]);
                    } else {
                        const events = fake.produce[op.key] || [];
                        const from = fake.log.length + 1;
                        for (const e of events) fake.log.push({ seq: fake.log.length + 1, event: e, key: op.key });
                        answer = { key: op.key, status: 'accepted', seq_from: from, seq_to: fake.log.length, events: events.length };
                    }
                    fake.answers[op.key] = answer;
                    return answer;
                });
                if (fake.drop > 0) { fake.drop--; throw new TypeError('Failed to fetch'); }
                return json({ results });
            }
            if (u.pathname === '/api/changes') {
                const since = +u.searchParams.get('since'), limit = +u.searchParams.get('limit');
                const events = fake.log.filter(e => e.seq > since).slice(0, limit);
                const next = events.length ? events[events.length - 1].seq : since;
                return json({ events, next, more: next < fake.log.length, head: fake.log.length });
            }
            return json({ code: 'not_found', message: 'no such path' }, 404);
        };
    "#;
    js_sys::eval(script).expect("install the fake server");
}

fn restore_fetch() {
    js_sys::eval("if (window.__realFetch) window.fetch = window.__realFetch;").unwrap();
}

fn fake(path: &str) -> JsValue {
    js_sys::eval(&format!("window.__fake.{path}")).unwrap()
}

/// Tells the fake server which events the operation `key` produces (the ones the browser made
/// for it: the engine is deterministic).
async fn produce(store: &Store, key: &str) {
    let events: Vec<_> = store
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.op.as_deref() == Some(key))
        .map(|e| e.event)
        .collect();
    let json = serde_json::to_string(&events).unwrap();
    js_sys::eval(&format!("window.__fake.produce[{key:?}] = {json};")).unwrap();
}

fn session() -> Option<Session> {
    Some(Session {
        token: "test-token".into(),
        store: "demo".into(),
        login: "demo".into(),
        name: "데모".into(),
        store_name: "데모 상점".into(),
        role: jumun_protocol::auth::Role::Operator,
    })
}

#[wasm_bindgen_test]
async fn a_push_whose_answer_is_lost_is_applied_once() {
    install_fake_server();
    let name = fresh_name("lost");
    let store = Rc::new(open(&name).await);
    let sync = Syncer::new(store.clone());
    sync.set_session(session());
    assert_eq!(store.list_tab_counts().await.unwrap().all, 0);
    let (key1, _) = run_on(&store, "demo", collect(1, "C-1")).await.unwrap();
    let (key2, _) = run_on(&store, "demo", cancel(1, 900)).await.unwrap();
    produce(&store, &key1).await;
    produce(&store, &key2).await;
    let local_order = store.order(OrderId(1)).await.unwrap().unwrap();
    let produced = fake("log.length").as_f64().unwrap();
    assert_eq!(produced, 0.0);

    // The server applies the push, but its answer never arrives.
    js_sys::eval("window.__fake.drop = 1;").unwrap();
    let lost = sync.cycle().await;
    assert_eq!(lost, Err(SyncError::Net(NetError::Offline)));
    assert!(!sync.status().online, "a failed request shows offline");
    let applied = fake("log.length").as_f64().unwrap();
    assert!(applied > 0.0);
    assert_eq!(store.outbox_len().await.unwrap(), 2, "kept for the retry");

    // The retry sends the same keys: answered from them, nothing applied again.
    sync.cycle().await.expect("the retry goes through");
    assert_eq!(fake("pushes").as_f64(), Some(2.0));
    assert_eq!(fake("log.length").as_f64(), Some(applied), "applied once");
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(store.cursor().await.unwrap(), applied as u64);
    let events = store.events().await.unwrap();
    assert_eq!(events.len() as f64, applied);
    assert!(events
        .iter()
        .all(|e| matches!(e.position, EventPosition::Server(_))));
    // The pulled events of its own operations did not apply a second time here either.
    assert_eq!(store.order(OrderId(1)).await.unwrap(), Some(local_order));
    assert_eq!(store.claims_of(OrderId(1)).await.unwrap().len(), 1);
    assert!(sync.status().online);
    assert!(
        store.ids_left().await.unwrap() >= 500,
        "an id block is kept"
    );

    store.close();
    restore_fetch();
    delete(&name).await;
}

#[wasm_bindgen_test]
async fn a_refusal_from_the_server_undoes_the_command_and_tells_on_the_order() {
    install_fake_server();
    let name = fresh_name("refused");
    let store = Rc::new(open(&name).await);
    let sync = Syncer::new(store.clone());
    sync.set_session(session());
    assert_eq!(store.list_tab_counts().await.unwrap().all, 0);
    let (key1, _) = run_on(&store, "demo", collect(1, "C-1")).await.unwrap();
    produce(&store, &key1).await;
    let collected = store.order(OrderId(1)).await.unwrap().unwrap();
    let (key2, _) = run_on(&store, "demo", cancel(1, 900)).await.unwrap();
    assert!(store
        .order(OrderId(1))
        .await
        .unwrap()
        .unwrap()
        .is_cancelled());
    let on_hold = Refusal::OnHold {
        order: OrderId(1),
        line: LineId(10),
        hold: jumun_core::claim::HoldKind::Cancel,
    };
    let refusal = serde_json::to_string(&on_hold).unwrap();
    // The answer as the server writes it: the console shows its `korean`.
    let korean = serde_json::to_string(&on_hold.korean()).unwrap();
    js_sys::eval(&format!(
        "window.__fake.refuse[{key2:?}] = {{ refusal: {refusal}, code: 'on_hold', message: 'on hold', korean: {korean} }};"
    ))
    .unwrap();

    sync.cycle().await.expect("synced");
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(
        store.order(OrderId(1)).await.unwrap(),
        Some(collected),
        "the local cancel is undone"
    );
    assert!(store.claims_of(OrderId(1)).await.unwrap().is_empty());
    let notices = store.notices().await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].orders, vec![1]);
    assert!(
        notices[0]
            .message
            .starts_with("서버가 거부: 주문 1의 상품 L10이(가) 취소보류 중이라"),
        "{}",
        notices[0].message
    );
    assert_eq!(sync.status().notices.len(), 1);
    // The pull, the undo and the replay moved the kept tab counts as they moved the list.
    assert_kept_counts_agree(&store).await;

    store.close();
    restore_fetch();
    delete(&name).await;
}

/// Makes `navigator.onLine` say `online` (`None`: the browser's own answer again).
fn navigator_says_online(online: Option<bool>) {
    let script = match online {
        Some(online) => format!(
            "Object.defineProperty(navigator, 'onLine', {{ configurable: true, get: () => {online} }});"
        ),
        None => "delete navigator.onLine;".to_owned(),
    };
    js_sys::eval(&script).expect("override navigator.onLine");
}

/// Fires the browser's `online` or `offline` event on the window.
fn browser_event(name: &str) {
    js_sys::eval(&format!("window.dispatchEvent(new Event('{name}'));")).expect("dispatch");
}

/// Waits (up to `$ms` milliseconds) until `$ready` (which may `.await`) is true.
macro_rules! wait_until {
    ($what:expr, $ms:expr, $sync:expr, $ready:expr) => {{
        let started = js_sys::Date::now();
        loop {
            if $ready {
                break;
            }
            if js_sys::Date::now() - started > $ms {
                panic!(
                    "timed out after {} ms waiting for {}; status {:?}",
                    $ms,
                    $what,
                    $sync.status()
                );
            }
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
    }};
}

/// Ends a test that started the loop: signed out, the `Syncer` dropped (its loop stops with it),
/// the store closed and deleted, `fetch` and `navigator.onLine` the browser's own again.
async fn tear_down(sync: Rc<Syncer>, store: Rc<Store>, name: &str) {
    sync.set_session(None);
    drop(sync);
    store.close();
    restore_fetch();
    navigator_says_online(None);
    delete(name).await;
}

#[wasm_bindgen_test]
async fn the_loop_syncs_while_navigator_online_says_offline() {
    install_fake_server();
    navigator_says_online(Some(false));
    let name = fresh_name("navigator-offline");
    let store = Rc::new(open(&name).await);
    let sync = Syncer::new(store.clone());
    assert!(
        !sync.status().online,
        "before any request the chip shows the browser's hint (the override works)"
    );
    sync.set_session(session());
    let (key1, _) = run_on(&store, "demo", collect(1, "C-1")).await.unwrap();
    produce(&store, &key1).await;

    // The browser says offline, but the server answers: the loop pushes and shows online.
    sync.start();
    wait_until!(
        "the outbox pushed while navigator.onLine is false",
        10_000.0,
        sync,
        store.outbox_len().await.unwrap() == 0 && sync.status().chip() == "온라인"
    );
    assert_eq!(fake("pushes").as_f64(), Some(1.0));
    assert!(sync.status().online);
    assert!(
        store.ids_left().await.unwrap() >= 500,
        "an id block is kept"
    );

    // The `offline` event shows offline at once, but does not stop the next try.
    let (key2, _) = run_on(&store, "demo", cancel(1, 900)).await.unwrap();
    produce(&store, &key2).await;
    browser_event("offline");
    assert!(!sync.status().online, "the offline event shows at once");
    sync.kick();
    wait_until!(
        "the next push after the offline event",
        10_000.0,
        sync,
        store.outbox_len().await.unwrap() == 0 && sync.status().chip() == "온라인"
    );
    assert_eq!(fake("pushes").as_f64(), Some(2.0));
    assert_eq!(fake("failed").as_f64(), Some(0.0));

    tear_down(sync, store, &name).await;
}

#[wasm_bindgen_test]
async fn failed_requests_show_offline_keep_the_outbox_back_off_and_the_online_event_retries() {
    install_fake_server();
    // The browser claims online (a Wi-Fi with no way out), but every request fails.
    navigator_says_online(Some(true));
    js_sys::eval("window.__fake.down = true;").unwrap();
    let name = fresh_name("dead-network");
    let store = Rc::new(open(&name).await);
    let sync = Syncer::new(store.clone());
    assert!(
        sync.status().online,
        "before any request: the browser's hint"
    );
    sync.set_session(session());
    let (key1, _) = run_on(&store, "demo", collect(1, "C-1")).await.unwrap();
    produce(&store, &key1).await;
    sync.start();

    // Two tries in a row fail (the second after the first backoff): offline, outbox kept.
    wait_until!(
        "two failed tries",
        10_000.0,
        sync,
        fake("failed").as_f64().unwrap() >= 2.0 && !sync.status().syncing
    );
    // The second failure was at most a poll (50 ms) before this; the next try is due 2 ×
    // MIN_BACKOFF_MS after it.
    let backoff_ends = js_sys::Date::now() - 100.0 + 2.0 * MIN_BACKOFF_MS;
    let failures = fake("failed").as_f64().unwrap();
    assert!(!sync.status().online, "a failed request shows offline");
    assert_eq!(store.outbox_len().await.unwrap(), 1, "kept for the retry");
    assert_eq!(fake("pushes").as_f64(), Some(0.0));

    // New work during the backoff is counted, not sent: no hammering.
    let (key2, _) = run_on(&store, "demo", cancel(1, 900)).await.unwrap();
    produce(&store, &key2).await;
    sync.kick();
    wait_until!(
        "the pending count",
        5_000.0,
        sync,
        sync.status().pending == 2
    );
    assert_eq!(
        sync.status().chip(),
        "오프라인 — 작업은 저장되어 연결되면 전송됩니다 (전송 대기 2건)"
    );
    gloo_timers::future::TimeoutFuture::new(600).await;
    if js_sys::Date::now() < backoff_ends - 300.0 {
        assert_eq!(
            fake("failed").as_f64(),
            Some(failures),
            "no request before the backoff ends, new work or not"
        );
    }

    // The network comes back and the browser says so: a try at once, not at the backoff's end.
    js_sys::eval("window.__fake.down = false;").unwrap();
    let event_at = js_sys::Date::now();
    browser_event("online");
    wait_until!(
        "the outbox pushed after the online event",
        10_000.0,
        sync,
        store.outbox_len().await.unwrap() == 0 && sync.status().chip() == "온라인"
    );
    if event_at < backoff_ends - 1_500.0 {
        assert!(
            js_sys::Date::now() < backoff_ends,
            "the online event retries at once, before the backoff ends"
        );
    }
    assert_eq!(fake("pushes").as_f64(), Some(1.0), "one push sent both");
    assert_eq!(sync.status().problem, None);

    tear_down(sync, store, &name).await;
}
