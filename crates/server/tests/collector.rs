//! Marketplace collection over real HTTP on loopback (issue 4): a fake marketplace (the generic
//! feed, and Cafe24's Admin API from the fixtures) served by a tiny axum router in the test,
//! the real server, its `/api/connections` endpoints and the scheduler — and the credentials
//! as the database holds them (encrypted), read with a second connection beside the server's.
//!
//! The fake marketplace ignores the cursor: every run re-reads the same page, which is exactly
//! what a run interrupted before saving its cursor does — so "collect again" proves that a
//! re-read page collects nothing twice.

mod support;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use jumun_core::time::KOREA;
use jumun_sandbox::{ClockMode, SandboxConfig, SandboxHandle};
use jumun_server::collector::directory::{self, DemoConnections, DemoMarketplacesError};
use jumun_server::collector::SchedulerConfig;
use jumun_server::config::ServerConfig;
use jumun_server::db::testing;
use jumun_server::secret_key::SecretKey;
use jumun_server::Server;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Client, TestServer};

/// What the fake marketplace serves and what it was sent.
#[derive(Default)]
struct Fake {
    orders: Value,
    /// Serve these bytes for the orders feed instead of `orders` (a body that is not JSON).
    orders_body: Option<Vec<u8>>,
    claims: Value,
    /// Answer every feed request with this status instead.
    fail: Option<u16>,
    /// Answer only the claims feed with this status.
    fail_claims: Option<u16>,
    /// Cafe24's order list (`GET /api/v2/admin/orders`).
    cafe24_orders: Value,
    /// Bodies of `POST …/invoices` and `POST /api/v2/admin/shipments`.
    invoices: Vec<Value>,
    /// Paths of `POST …/claims/{no}/ack` the fake took.
    acks: Vec<String>,
    /// Refuse this many acknowledgements (503) before taking any.
    refuse_acks: u32,
    /// Paths of the acknowledgements refused.
    refused_acks: Vec<String>,
    /// The `Authorization` header of every request, in order.
    auth: Vec<String>,
}

type Shared = Arc<Mutex<Fake>>;

fn json_response(value: &Value) -> Response {
    ([("content-type", "application/json")], value.to_string()).into_response()
}

async fn serve_fake(
    State(fake): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut fake = fake.lock().unwrap();
    let path = uri.path().to_owned();
    if let Some(auth) = headers.get("authorization") {
        fake.auth
            .push(String::from_utf8_lossy(auth.as_bytes()).into_owned());
    }
    if let Some(status) = fake.fail {
        let status = StatusCode::from_u16(status).unwrap();
        return (status, "upstream exploded").into_response();
    }
    match (method.as_str(), path.as_str()) {
        ("GET", "/feed/orders") => match &fake.orders_body {
            Some(bytes) => ([("content-type", "application/json")], bytes.clone()).into_response(),
            None => json_response(&fake.orders),
        },
        ("GET", "/feed/claims") => match fake.fail_claims {
            Some(status) => (StatusCode::from_u16(status).unwrap(), "claims down").into_response(),
            None => json_response(&fake.claims),
        },
        ("POST", "/feed/invoices") | ("POST", "/api/v2/admin/shipments") => {
            let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            // Cafe24 answers with the shipments it created, one per request.
            let rows = sent["requests"].clone();
            fake.invoices.push(sent);
            json_response(&json!({ "shipments": rows }))
        }
        ("POST", p) if p.starts_with("/feed/claims/") => {
            if fake.refuse_acks > 0 {
                fake.refuse_acks -= 1;
                fake.refused_acks.push(p.to_owned());
                return (StatusCode::SERVICE_UNAVAILABLE, "ack desk closed").into_response();
            }
            fake.acks.push(p.to_owned());
            json_response(&json!({}))
        }
        ("GET", "/api/v2/admin/orders") if uri.query().unwrap_or("").contains("order_status") => {
            json_response(&json!({"orders": []}))
        }
        ("GET", "/api/v2/admin/orders") => json_response(&fake.cafe24_orders),
        _ => (
            StatusCode::NOT_FOUND,
            format!("no fake for {method} {path}"),
        )
            .into_response(),
    }
}

/// The real server and the fake marketplace it collects from.
struct Running {
    server: TestServer,
    feed: String,
    fake: Shared,
}

impl std::ops::Deref for Running {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.server
    }
}

fn start(data_dir: &Path, scheduler: Option<SchedulerConfig>) -> Running {
    start_with_key(data_dir, scheduler, None)
}

/// [`start`] with the secret key `JUMUN_SECRET_KEY` would give (`None`: the data directory's
/// key file).
fn start_with_key(
    data_dir: &Path,
    scheduler: Option<SchedulerConfig>,
    secret_key: Option<SecretKey>,
) -> Running {
    let server = TestServer::start_with(
        ServerConfig {
            secret_key,
            ..support::config(data_dir)
        },
        scheduler,
    );
    let fake: Shared = Arc::default();
    let app = Router::new().fallback(serve_fake).with_state(fake.clone());
    let feed = server.runtime.block_on(support::serve(app));
    Running { server, feed, fake }
}

impl Running {
    fn set(&self, change: impl FnOnce(&mut Fake)) {
        change(&mut self.fake.lock().unwrap());
    }
}

impl Client {
    /// Connects the generic feed of `zigzag` at the fake marketplace; returns its id.
    fn connect(&self, feed: &str) -> i64 {
        let (status, json) = self.post(
            "/api/connections",
            json!({
                "marketplace": "zigzag",
                "base_url": format!("{feed}/feed"),
                "credentials": {"kind": "api_key", "key": "zz-key"},
                "period_seconds": 60
            }),
        );
        assert_eq!(status, 201, "{json}");
        assert_eq!(json["credentials_kind"], "api_key");
        assert!(json.get("credentials").is_none(), "never shown: {json}");
        json["id"].as_i64().unwrap()
    }

    fn collect(&self, id: i64) -> Value {
        let (status, run) = self.post(&format!("/api/connections/{id}/collect"), json!({}));
        assert_eq!(status, 200, "{run}");
        run
    }

    /// Every event of the store.
    fn events(&self) -> Vec<Value> {
        let (status, page) = self.get("/api/changes?limit=5000");
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["more"], false);
        page["events"].as_array().unwrap().clone()
    }

    /// How many connections the store has.
    fn connection_count(&self) -> usize {
        let (status, json) = self.get("/api/connections");
        assert_eq!(status, 200, "{json}");
        json["connections"].as_array().unwrap().len()
    }

    fn connection(&self, id: i64) -> Value {
        let (status, json) = self.get("/api/connections");
        assert_eq!(status, 200, "{json}");
        json["connections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("connection {id} not listed: {json}"))
    }
}

/// The kind of an event's change (`OrderCreated`, `ClaimOpened`, …).
fn kind(event: &Value) -> String {
    match &event["event"]["change"] {
        Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
        Value::String(name) => name.clone(),
        other => panic!("unexpected change {other}"),
    }
}

fn count(events: &[Value], name: &str) -> usize {
    events.iter().filter(|e| kind(e) == name).count()
}

/// The console id of the collected order with this 주문번호.
fn order_id(events: &[Value], order_no: &str) -> Value {
    events
        .iter()
        .filter(|e| kind(e) == "OrderCreated")
        .map(|e| &e["event"]["change"]["OrderCreated"])
        .find(|o| o["order_no"] == order_no)
        .map(|o| o["id"].clone())
        .unwrap_or_else(|| panic!("order {order_no} not collected"))
}

fn line(no: &str, no2: &str, name: &str, status: &str) -> Value {
    json!({
        "line_no": no, "line_no2": no2, "product_name": name, "option": "블랙 / S",
        "quantity": 1, "unit_price": 39000, "status": status
    })
}

/// Two good orders and two bad ones.
fn orders_page() -> Value {
    json!({
        "orders": [
            {
                "order_no": "ZZ-A", "ordered_at": "2024-03-02T09:00:00+09:00",
                "payment": "paid", "orderer_name": "한소희", "recipient_name": "한소희",
                "recipient_phone": "010-9999-0000", "postcode": "04524",
                "address": "서울특별시 중구 세종대로 110",
                "lines": [
                    line("1", "ZZ-1", "플리츠 스커트", "결제완료"),
                    line("2", "ZZ-2", "니트 베스트", "결제완료")
                ]
            },
            {
                "order_no": "ZZ-B", "ordered_at": "2024-03-02T09:30:00+09:00",
                "payment": "paid", "recipient_name": "윤서준",
                "address": "광주광역시 북구 용봉로 77",
                "lines": [line("1", "ZZ-B1", "데님 재킷", "결제완료")]
            },
            {
                "order_no": "ZZ-C", "ordered_at": "2024-03-02T10:00:00+09:00",
                "recipient_name": "오류", "address": "어딘가",
                "lines": [line("1", "ZZ-C1", "이상한 상태", "우주배송")]
            },
            { "order_no": 12345 }
        ],
        "next_cursor": "orders-page-2"
    })
}

fn claim(no: &str, order_no: &str, line_no: &str, line_no2: &str, status: &str) -> Value {
    json!({
        "claim_no": no, "order_no": order_no, "line_no": line_no, "line_no2": line_no2,
        "status": status, "reason": "단순변심", "reported_at": "2024-03-02T12:00:00+09:00"
    })
}

#[test]
fn collect_now_brings_orders_in_once_and_keeps_malformed_ones_with_their_raw_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);

    let run = demo.collect(id);
    assert_eq!(run["orders_new"], 2, "{run}");
    assert_eq!(run["malformed"], 2, "{run}");
    assert_eq!(run["trigger"], "manual");
    assert!(run["error"].is_null(), "{run}");
    let events = demo.events();
    assert_eq!(count(&events, "OrderCreated"), 2);
    order_id(&events, "ZZ-A");
    order_id(&events, "ZZ-B");

    // The same page again (a run that stopped before saving its cursor): nothing twice.
    let again = demo.collect(id);
    assert_eq!(again["orders_new"], 0, "{again}");
    assert_eq!(again["orders_unchanged"], 2, "{again}");
    assert_eq!(demo.events().len(), events.len(), "nothing new in the log");

    let (status, bad) = demo.get("/api/malformed");
    assert_eq!(status, 200, "{bad}");
    let bad = bad["malformed"].as_array().unwrap();
    assert_eq!(bad.len(), 2, "kept once each: {bad:?}");
    let space = bad
        .iter()
        .find(|m| m["raw"].as_str().unwrap().contains("우주배송"))
        .expect("the order with an unknown status, raw");
    assert!(
        space["error"].as_str().unwrap().contains("우주배송"),
        "{space}"
    );
    assert_eq!(space["times_seen"], 2);
    assert_eq!(space["feed"], "orders");
    assert!(bad
        .iter()
        .any(|m| m["raw"].as_str().unwrap().contains("12345")));

    let conn = demo.connection(id);
    assert_eq!(conn["orders_cursor"], "orders-page-2", "{conn}");
    assert_eq!(conn["failures"], 0);
    assert_eq!(conn["last_run"]["id"], again["id"]);
    let (status, runs) = demo.get(&format!("/api/connections/{id}/runs?limit=1"));
    assert_eq!(status, 200);
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1);
    assert_eq!(runs["runs"][0]["id"], again["id"], "newest first");
}

#[test]
fn an_answer_that_is_not_the_envelope_fails_its_feed_and_is_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    // A proxy's error page, longer than the 2000 characters an error message quotes, with a byte
    // that is not UTF-8.
    let mut page = b"<html><body>\xFF 502 Bad Gateway ".to_vec();
    page.extend(std::iter::repeat_n(b'.', 3000));
    page.extend_from_slice(b"</body></html>");
    server.set(|f| {
        f.orders_body = Some(page.clone());
        f.claims = json!({"claims": [], "next_cursor": "claims-page-2"});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);

    let run = demo.collect(id);
    let error = run["error"].as_str().expect("the run's error");
    assert!(error.contains("collecting orders"), "{error}");
    assert!(error.contains("not JSON"), "{error}");
    assert!(error.contains("not UTF-8"), "{error}");
    assert_eq!(run["malformed"], 1, "{run}");
    let conn = demo.connection(id);
    assert_eq!(conn["orders_cursor"], "", "the page is asked again: {conn}");
    assert_eq!(
        conn["claims_cursor"], "claims-page-2",
        "the other feed goes on"
    );

    let (status, bad) = demo.get("/api/malformed");
    assert_eq!(status, 200, "{bad}");
    let kept = &bad["malformed"][0];
    assert_eq!(kept["feed"], "orders");
    assert_eq!(
        kept["raw"].as_str().unwrap(),
        String::from_utf8_lossy(&page),
        "the whole body"
    );
    assert!(
        kept["error"].as_str().unwrap().contains("not JSON"),
        "{kept}"
    );
    assert!(
        kept["at_path"].as_str().unwrap().starts_with("GET "),
        "{kept}"
    );

    // Asked again and still broken: the same body is one more sighting.
    demo.collect(id);
    let (_, bad) = demo.get("/api/malformed");
    assert_eq!(bad["malformed"].as_array().unwrap().len(), 1, "{bad}");
    assert_eq!(bad["malformed"][0]["times_seen"], 2);
}

#[test]
fn cancels_sync_in_one_batch_unmatched_ones_are_kept_returns_hold_and_withdrawals_undo() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": [
            claim("ZC-1", "ZZ-A", "1", "ZZ-1", "취소요청중"),
            claim("ZC-2", "ZZ-NOPE", "1", "ZZ-X", "취소요청중"),
            claim("ZR-1", "ZZ-B", "1", "ZZ-B1", "반품요청"),
        ]});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);

    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["orders_new"], 2, "{run}");
    assert_eq!(run["cancels_applied"], 1, "{run}");
    assert_eq!(run["cancels_unmatched"], 1, "{run}");
    assert_eq!(run["claims"], 1, "the return: {run}");
    let events = demo.events();
    assert_eq!(
        count(&events, "UnmatchedCancelKept"),
        1,
        "kept, never dropped"
    );
    // The dashboard counts it and names it (the browser does not keep unmatched cancels).
    let (status, board) = demo.get("/api/dashboard");
    assert_eq!(status, 200, "{board}");
    assert_eq!(board["counters"]["unmatched_cancels"], 1, "{board}");
    assert_eq!(board["counters"]["requested"]["return"], 1, "{board}");
    let listed = board["unmatched_cancels"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{board}");
    assert_eq!(listed[0]["keys"]["order_no"], "ZZ-NOPE", "{board}");
    let opened: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e) == "ClaimOpened")
        .map(|e| &e["event"]["change"]["ClaimOpened"])
        .collect();
    assert!(
        opened
            .iter()
            .any(|c| c["kind"] == "Return" && !c["hold"].is_null()),
        "the return holds its line (R11): {opened:?}"
    );
    {
        let fake = server.fake.lock().unwrap();
        assert!(
            fake.acks.iter().any(|a| a.ends_with("/ZC-1/ack")),
            "{:?}",
            fake.acks
        );
        assert!(
            fake.acks.iter().any(|a| a.ends_with("/ZR-1/ack")),
            "{:?}",
            fake.acks
        );
        assert!(
            !fake.acks.iter().any(|a| a.contains("ZC-2")),
            "{:?}",
            fake.acks
        );
    }

    // The same claims again: nothing changes.
    let again = demo.collect(id);
    assert_eq!(again["cancels_applied"], 0, "{again}");
    assert_eq!(again["claims"], 0, "{again}");
    assert_eq!(demo.events().len(), events.len(), "nothing new in the log");

    // The buyer withdraws the return (R12).
    server.set(|f| {
        f.claims = json!({"claims": [claim("ZR-1", "ZZ-B", "1", "ZZ-B1", "반품철회")]});
    });
    let withdrawn = demo.collect(id);
    assert_eq!(withdrawn["claims_withdrawn"], 1, "{withdrawn}");
    assert!(count(&demo.events(), "ClaimClosedUndone") >= 1);
}

#[test]
fn a_refused_acknowledgement_is_kept_and_tried_again_until_taken_or_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": [
            claim("ZC-1", "ZZ-A", "1", "ZZ-1", "취소요청중"),
            claim("ZR-1", "ZZ-B", "1", "ZZ-B1", "반품요청"),
        ]});
        f.refuse_acks = 2;
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);

    let first = demo.collect(id);
    assert!(
        first["error"].is_null(),
        "a refused acknowledgement is a note: {first}"
    );
    assert_eq!(first["cancels_applied"], 1, "{first}");
    assert_eq!(first["claims"], 1, "{first}");
    let notes = first["notes"].to_string();
    assert!(notes.contains("not acknowledged"), "{notes}");
    assert!(notes.contains("the next runs try again"), "{notes}");
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 2);
    assert!(server.fake.lock().unwrap().acks.is_empty());

    // The claims cursor has moved on: the page no longer holds them, only the kept
    // acknowledgements can reach the marketplace now. One more refusal, then it takes them.
    server.set(|f| {
        f.claims = json!({"claims": []});
        f.refuse_acks = 1;
    });
    let second = demo.collect(id);
    let notes = second["notes"].to_string();
    assert!(notes.contains("still not acknowledged"), "{notes}");
    assert!(notes.contains("after 2 tries"), "{notes}");
    assert!(notes.contains("1 claim acknowledgements"), "{notes}");
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 1);

    let third = demo.collect(id);
    assert!(third["error"].is_null(), "{third}");
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 0);
    {
        let fake = server.fake.lock().unwrap();
        let taken = |no: &str| {
            fake.acks
                .iter()
                .filter(|a| a.ends_with(&format!("/{no}/ack")))
                .count()
        };
        assert_eq!((taken("ZC-1"), taken("ZR-1")), (1, 1), "{:?}", fake.acks);
        assert_eq!(fake.refused_acks.len(), 3, "{:?}", fake.refused_acks);
    }
    let fourth = demo.collect(id);
    assert!(
        !fourth["notes"].to_string().contains("acknowledg"),
        "nothing left to acknowledge: {fourth}"
    );
    assert_eq!(server.fake.lock().unwrap().acks.len(), 2, "none sent twice");

    // A claim whose acknowledgement was refused and which the buyer then withdraws (R12):
    // nothing is left to acknowledge, so it is no longer tried.
    server.set(|f| {
        f.claims = json!({"claims": [claim("ZR-2", "ZZ-A", "2", "ZZ-2", "반품요청")]});
        f.refuse_acks = 1;
    });
    demo.collect(id);
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 1);
    server.set(|f| {
        f.claims = json!({"claims": [claim("ZR-2", "ZZ-A", "2", "ZZ-2", "반품철회")]});
    });
    let withdrawn = demo.collect(id);
    assert_eq!(withdrawn["claims_withdrawn"], 1, "{withdrawn}");
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 0);
    assert!(
        !server
            .fake
            .lock()
            .unwrap()
            .acks
            .iter()
            .any(|a| a.contains("ZR-2")),
        "a withdrawn claim is not acknowledged"
    );
}

#[test]
fn invoice_numbers_of_shipped_orders_are_sent_back_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);
    demo.collect(id);
    let order = order_id(&demo.events(), "ZZ-B");

    ship_with_cj_invoice(&demo, &order);

    let run = demo.collect(id);
    assert_eq!(run["invoices_sent"], 1, "{run}");
    {
        let fake = server.fake.lock().unwrap();
        assert_eq!(fake.invoices.len(), 1, "{:?}", fake.invoices);
        assert_eq!(fake.invoices[0]["order_no"], "ZZ-B");
        assert_eq!(fake.invoices[0]["tracking_no"], "612345678901");
        assert_eq!(fake.invoices[0]["line_nos"], json!(["1"]));
    }
    let events = demo.events();
    let uploaded: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e) == "InvoiceUploaded")
        .collect();
    assert_eq!(uploaded.len(), 1);
    assert_eq!(
        uploaded[0]["event"]["change"]["InvoiceUploaded"]["order"],
        order
    );

    let again = demo.collect(id);
    assert_eq!(again["invoices_sent"], 0, "sent once: {again}");
    assert_eq!(server.fake.lock().unwrap().invoices.len(), 1);
}

#[test]
fn r3_a_return_asked_after_purchase_confirmation_is_kept_for_the_operator_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);
    demo.collect(id);
    let order = order_id(&demo.events(), "ZZ-B");
    ship_with_cj_invoice(&demo, &order);
    let at = Utc::now().to_rfc3339();
    let (status, pushed) = demo.post(
        "/api/ops",
        json!({"ops": [
            {"key": "delivered", "at": at, "command": {"MarkDelivered": {"order": order}}},
            {"key": "confirmed", "at": at, "command": {"ConfirmPurchase": {"order": order}}}
        ]}),
    );
    assert_eq!(status, 200, "{pushed}");

    server.set(|f| {
        f.claims = json!({"claims": [claim("ZR-9", "ZZ-B", "1", "ZZ-B1", "반품요청")]});
    });
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["claims"], 0, "no claim opened: {run}");
    let notes = run["notes"].to_string();
    assert!(notes.contains("after purchase confirmation"), "{notes}");
    let events = demo.events();
    assert_eq!(count(&events, "ClaimAfterConfirmationKept"), 1);
    assert_eq!(count(&events, "ClaimOpened"), 0);
    assert_eq!(count(&events, "HoldPlaced"), 0);
    // The marketplace is not told the request was taken in hand.
    assert!(server.fake.lock().unwrap().acks.is_empty());
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 0);
    // The next run sees the same request: kept once.
    demo.collect(id);
    assert_eq!(count(&demo.events(), "ClaimAfterConfirmationKept"), 1);
}

#[test]
fn a_failing_marketplace_is_recorded_backs_off_and_keeps_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": [], "next_cursor": "claims-page-2"});
        f.fail = Some(500);
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);

    let before = Utc::now();
    let run = demo.collect(id);
    let error = run["error"].as_str().expect("the run's error");
    assert!(error.contains("500"), "{error}");
    assert!(
        error.contains("upstream exploded"),
        "the marketplace's answer: {error}"
    );
    assert!(!run["finished_at"].is_null());
    let conn = demo.connection(id);
    assert_eq!(conn["failures"], 1, "{conn}");
    let next: chrono::DateTime<Utc> = conn["next_run_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next >= before + chrono::Duration::seconds(119),
        "period 60 s × 2^1: {next}"
    );
    assert_eq!(conn["orders_cursor"], "");

    assert!(!demo.collect(id)["error"].is_null());
    assert_eq!(demo.connection(id)["failures"], 2);

    // Orders come back, claims still fail: the orders cursor moves, the claims cursor stays.
    server.set(|f| {
        f.fail = None;
        f.fail_claims = Some(503);
    });
    let half = demo.collect(id);
    assert_eq!(half["orders_new"], 2, "what succeeded stays: {half}");
    assert!(half["error"].as_str().unwrap().contains("claims"), "{half}");
    let conn = demo.connection(id);
    assert_eq!(conn["orders_cursor"], "orders-page-2");
    assert_eq!(conn["claims_cursor"], "");
    assert_eq!(conn["failures"], 3);

    server.set(|f| f.fail_claims = None);
    let ok = demo.collect(id);
    assert!(ok["error"].is_null(), "{ok}");
    let conn = demo.connection(id);
    assert_eq!(conn["failures"], 0, "reset after a success");
    assert_eq!(conn["claims_cursor"], "claims-page-2");
}

#[test]
fn stores_see_and_trigger_only_their_own_connections_and_roles_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);
    demo.collect(id);

    server.create_store("other", "사장");
    let other = Client::login(&server.base, "other", "boss", "boss-password");
    let (status, list) = other.get("/api/connections");
    assert_eq!(status, 200);
    assert_eq!(list["connections"], json!([]));
    let (status, err) = other.post(&format!("/api/connections/{id}/collect"), json!({}));
    assert_eq!(status, 404, "{err}");
    assert_eq!(err["code"], "not_found");
    let (status, _) = other.get(&format!("/api/connections/{id}/runs"));
    assert_eq!(status, 404);
    let (status, _) = other.send(
        "PATCH",
        &format!("/api/connections/{id}"),
        json!({"enabled": false}),
    );
    assert_eq!(status, 404);
    let (status, bad) = other.get("/api/malformed");
    assert_eq!(status, 200);
    assert_eq!(bad["malformed"], json!([]));
    assert!(
        other.events().is_empty(),
        "nothing collected into another store"
    );

    // Operators collect; only the owner connects.
    let operator = Client::login(&server.base, "demo", "operator", "operator1234");
    let (status, err) = operator.post(
        "/api/connections",
        json!({"marketplace": "zigzag", "base_url": "https://zz.example.com", "credentials": {"kind": "none"}}),
    );
    assert_eq!(status, 403, "{err}");
    assert_eq!(err["code"], "forbidden");
    let (status, run) = operator.post(&format!("/api/connections/{id}/collect"), json!({}));
    assert_eq!(status, 200, "{run}");
}

#[test]
fn connection_settings_are_checked_with_actionable_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let demo = Client::demo(&server.base);
    let create = |body: Value| demo.post("/api/connections", body);
    let (status, err) = create(json!({
        "marketplace": "nowhere", "base_url": "https://x.example.com",
        "credentials": {"kind": "none"}
    }));
    assert_eq!(
        (status, err["code"].as_str()),
        (422, Some("invalid_input")),
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains("marketplace"));
    let (status, err) = create(json!({
        "marketplace": "zigzag", "base_url": "http://zz.example.com",
        "credentials": {"kind": "none"}
    }));
    assert_eq!(status, 422, "{err}");
    assert!(err["message"].as_str().unwrap().contains("https"), "{err}");
    let (status, err) = create(json!({
        "marketplace": "zigzag", "base_url": "https://zz.example.com",
        "credentials": {"kind": "none"}, "period_seconds": 60
    }));
    assert_eq!(status, 422, "R25: 10–30 minutes: {err}");
    let (status, err) = create(json!({
        "marketplace": "zigzag", "base_url": "https://zz.example.com",
        "credentials": {"kind": "api_key", "key": ""}
    }));
    assert_eq!(status, 422, "{err}");
    let (status, made) = create(json!({
        "marketplace": "zigzag", "base_url": "https://zz.example.com/",
        "credentials": {"kind": "api_key", "key": "k"}
    }));
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["period_seconds"], 900, "the default period");
    assert_eq!(made["base_url"], "https://zz.example.com");
    let (status, err) = create(json!({
        "marketplace": "zigzag", "base_url": "https://zz.example.com",
        "credentials": {"kind": "api_key", "key": "k"}
    }));
    assert_eq!(
        (status, err["code"].as_str()),
        (409, Some("already_connected")),
        "{err}"
    );
    let id = made["id"].as_i64().unwrap();
    let (status, changed) = demo.send(
        "PATCH",
        &format!("/api/connections/{id}"),
        json!({"period_seconds": 1200, "enabled": false}),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["period_seconds"], 1200);
    assert_eq!(changed["enabled"], false);
    let (status, err) = demo.get("/api/connections/nope/runs");
    assert_eq!(status, 400, "{err}");

    // Issue 13, point 12: a Cafe24 connection is pinned to an API version: its own, or the
    // adapter's when it names none; another marketplace takes none.
    assert_eq!(made["api_version"], "", "zigzag has no API version");
    let (status, err) = create(json!({
        "marketplace": "zigzag", "base_url": "https://zz2.example.com",
        "credentials": {"kind": "api_key", "key": "k"}, "api_version": "2025-06-01"
    }));
    assert_eq!(status, 422, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("api_version"),
        "{err}"
    );
    let bearer = json!({"kind": "bearer", "access_token": "t"});
    let (status, mall) = create(json!({
        "marketplace": "cafe24", "base_url": "https://mall.cafe24api.com", "credentials": bearer
    }));
    assert_eq!(status, 201, "{mall}");
    assert_eq!(
        mall["api_version"],
        jumun_server::marketplaces::cafe24::PINNED_API_VERSION
    );
    let (status, err) = create(json!({
        "marketplace": "cafe24", "base_url": "https://other.cafe24api.com", "credentials": bearer,
        "api_version": "2025/06/01"
    }));
    assert_eq!(status, 422, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{err}"
    );
    let mall_id = mall["id"].as_i64().unwrap();
    let (status, changed) = demo.send(
        "PATCH",
        &format!("/api/connections/{mall_id}"),
        json!({"api_version": "2024-09-01"}),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        demo.connection(mall_id)["api_version"],
        "2024-09-01",
        "kept"
    );
}

/// R16 (CASE2): a replacement order the marketplace made for an exchange is collected as an
/// ordinary order, with its link to the original line in its memo and in the run's notes.
#[test]
fn r16_a_case2_replacement_order_is_collected_with_its_original_in_the_memo() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let mut page = orders_page();
    page["orders"].as_array_mut().unwrap().push(json!({
        "order_no": "ZZ-R", "ordered_at": "2024-03-03T09:00:00+09:00",
        "payment": "paid", "recipient_name": "한소희",
        "address": "서울특별시 중구 세종대로 110",
        "lines": [line("1", "ZZ-R1", "플리츠 스커트", "결제완료")],
        "exchange_of": {"order_no": "ZZ-A", "line_no": "1"}
    }));
    server.set(|f| {
        f.orders = page.clone();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);
    let run = demo.collect(id);
    assert_eq!(run["orders_new"], 3, "{run}");
    let notes = run["notes"].to_string();
    assert!(
        notes.contains("ZZ-R") && notes.contains("CASE2") && notes.contains("ZZ-A"),
        "{notes}"
    );
    let events = demo.events();
    let replacement = order_id(&events, "ZZ-R");
    let memos: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e) == "MemoAdded")
        .map(|e| &e["event"]["change"]["MemoAdded"])
        .collect();
    assert_eq!(memos.len(), 1, "{memos:?}");
    assert_eq!(memos[0]["order"], replacement);
    assert_eq!(
        memos[0]["memo"]["text"],
        "교환 주문: 원주문 ZZ-A 상품주문번호 1"
    );
    assert_eq!(memos[0]["memo"]["kind"], "Order");

    // Collected once: the same page again adds no memo.
    let again = demo.collect(id);
    assert_eq!(again["orders_new"], 0, "{again}");
    assert_eq!(count(&demo.events(), "MemoAdded"), 1);
}

/// R22: the marketplace's delay notices and new due date are kept as a run note; the console's
/// own announcement decides.
#[test]
fn r22_a_kakao_style_delay_notice_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let mut delayed = claim("ZC-7", "ZZ-A", "2", "ZZ-2", "교환배송연기안내");
    delayed["requested_option"] = json!("아이보리 / M");
    delayed["delay_notices"] = json!(2);
    delayed["due_at"] = json!("2024-03-12T10:00:00.000+09:00");
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": [delayed.clone()]});
    });
    let demo = Client::demo(&server.base);
    let id = demo.connect(&server.feed);
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["claims"], 1, "{run}");
    let notes = run["notes"].to_string();
    assert!(
        notes.contains("ZC-7")
            && notes.contains("2 delay notice(s)")
            && notes.contains("2024-03-12 10:00"),
        "{notes}"
    );
}

/// R29: a Cafe24 mall's carrier codes are the connection's; without one the invoice waits with a
/// note saying how to set it, and `PATCH /api/connections/{id}` sets it.
#[test]
fn r29_cafe24_invoices_use_the_connections_carrier_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let fixture = cafe24_orders_fixture();
    server.set(|f| f.cafe24_orders = fixture.clone());
    let demo = Client::demo(&server.base);
    let made = connect_cafe24(&demo, &server.feed);
    assert_eq!(made["carrier_codes"], json!({}));
    let id = made["id"].as_i64().unwrap();
    let first = demo.collect(id);
    assert!(first["error"].is_null(), "{first}");
    let order = order_id(&demo.events(), "20240302-0000011");
    ship_with_cj_invoice(&demo, &order);
    let waiting = demo.collect(id);
    assert_eq!(waiting["invoices_sent"], 0, "{waiting}");
    assert!(
        waiting["notes"].to_string().contains("carrier_codes"),
        "{waiting}"
    );
    assert!(server.fake.lock().unwrap().invoices.is_empty());

    let path = format!("/api/connections/{id}");
    let (status, err) = demo.send("PATCH", &path, json!({"carrier_codes": {"cj": " "}}));
    assert_eq!(status, 422, "{err}");
    assert!(err["message"].as_str().unwrap().contains("carrier_codes"));
    let (status, changed) = demo.send(
        "PATCH",
        &path,
        json!({"carrier_codes": {"cj": "0006", "lotte": "0004"}}),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["carrier_codes"],
        json!({"cj": "0006", "lotte": "0004"})
    );
    assert_eq!(demo.connection(id)["carrier_codes"]["cj"], "0006");

    let sent = demo.collect(id);
    assert_eq!(sent["invoices_sent"], 1, "{sent}");
    let fake = server.fake.lock().unwrap();
    assert_eq!(fake.invoices.len(), 1, "{:?}", fake.invoices);
    assert_eq!(
        fake.invoices[0]["requests"][0]["shipping_company_code"],
        "0006"
    );
    assert_eq!(
        fake.invoices[0]["requests"][0]["tracking_no"],
        "612345678901"
    );
}

/// Issues a CJ invoice (612345678901) for `order`, prints it and ships it, through the
/// operators' push; every operation accepted.
fn ship_with_cj_invoice(demo: &Client, order: &Value) {
    let at = Utc::now().to_rfc3339();
    let (status, pushed) = demo.post(
        "/api/ops",
        json!({"ops": [
            {"key": "issue", "at": at, "command": {"IssueInvoice": {"order": order, "carrier": "cj", "tracking_no": "612345678901"}}},
            {"key": "print", "at": at, "command": {"PrintInvoice": {"order": order}}},
            {"key": "ship", "at": at, "command": {"Ship": {"order": order}}}
        ]}),
    );
    assert_eq!(status, 200, "{pushed}");
    for result in pushed["results"].as_array().unwrap() {
        assert_eq!(result["status"], "accepted", "{pushed}");
    }
}

/// Cafe24's order list from the fixtures (`tests/fixtures/marketplaces/cafe24/orders.json`).
fn cafe24_orders_fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/marketplaces/cafe24/orders.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Connects the demo store to the fake marketplace as a Cafe24 mall; the created connection.
fn connect_cafe24(demo: &Client, feed: &str) -> Value {
    let (status, made) = demo.post(
        "/api/connections",
        json!({
            "marketplace": "cafe24", "base_url": feed,
            "credentials": {"kind": "bearer", "access_token": "t"}, "period_seconds": 30
        }),
    );
    assert_eq!(status, 201, "{made}");
    made
}

/// A Cafe24 order's items as the fixture has them, plus an exchange's replacement item.
fn cafe24_with_exchange_item(mut page: Value) -> Value {
    let items = page["orders"][0]["items"].as_array_mut().unwrap();
    let mut replacement = items[0].clone();
    replacement["item_no"] = json!(199);
    replacement["order_item_code"] = json!("20240302-0000011-09");
    replacement["option_value"] = json!("색상=네이비, 사이즈=L");
    replacement["option_id"] = json!("000B");
    replacement["variant_code"] = json!("P000000K000B");
    items.push(replacement);
    page
}

#[test]
fn r18_a_cafe24_exchange_line_under_a_collected_order_is_not_collected() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let fixture = cafe24_orders_fixture();
    server.set(|f| f.cafe24_orders = fixture.clone());
    let demo = Client::demo(&server.base);
    let made = connect_cafe24(&demo, &server.feed);
    let id = made["id"].as_i64().unwrap();
    let first = demo.collect(id);
    assert!(first["error"].is_null(), "{first}");
    let collected = first["orders_new"].as_u64().unwrap();
    assert!(collected >= 1, "{first}");
    let before = demo.events();

    server.set(|f| f.cafe24_orders = cafe24_with_exchange_item(fixture.clone()));
    let run = demo.collect(id);
    assert_eq!(
        run["orders_new"], 0,
        "the replacement is not collected: {run}"
    );
    assert_eq!(run["orders_skipped"], 1, "{run}");
    let notes = run["notes"].to_string();
    assert!(
        notes.contains("R18") && notes.contains("20240302-0000011"),
        "{notes}"
    );
    assert_eq!(demo.events().len(), before.len(), "nothing collected twice");
}

#[test]
fn the_scheduler_runs_due_connections_on_their_period() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        Some(SchedulerConfig {
            tick_every: Duration::from_secs(1),
            poll_at_most: Duration::from_millis(500),
        }),
    );
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let (status, made) = demo.post(
        "/api/connections",
        json!({
            "marketplace": "zigzag", "base_url": format!("{}/feed", server.feed),
            "credentials": {"kind": "api_key", "key": "k"}, "period_seconds": 1
        }),
    );
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let runs = loop {
        let (_, runs) = demo.get(&format!("/api/connections/{id}/runs"));
        let runs = runs["runs"].as_array().unwrap().clone();
        let finished = runs.iter().filter(|r| !r["finished_at"].is_null()).count();
        if finished >= 2 || std::time::Instant::now() > deadline {
            break runs;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(runs.len() >= 2, "two scheduled runs within 20 s: {runs:?}");
    assert!(runs.iter().all(|r| r["trigger"] == "schedule"), "{runs:?}");
    assert_eq!(count(&demo.events(), "OrderCreated"), 2, "collected once");
}

/// The sandbox marketplace, in this test's server runtime, on a manual clock at `epoch`.
fn sandbox(server: &Running, epoch: DateTime<FixedOffset>) -> SandboxHandle {
    server
        .runtime
        .block_on(jumun_sandbox::spawn(SandboxConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            clock: ClockMode::Manual,
            epoch: Some(epoch),
            ..SandboxConfig::default()
        }))
        .expect("sandbox")
}

fn connect_demo(server: &Running, url: &str) -> Result<DemoConnections, DemoMarketplacesError> {
    server.runtime.block_on(directory::connect_demo_store(
        &server.collector,
        url,
        directory::DEMO_PERIOD_SECS,
    ))
}

#[test]
fn the_demo_store_connects_to_the_marketplaces_a_directory_lists_and_collects_from_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let epoch = Utc::now().trunc_subsecs(0).with_timezone(&KOREA);
    let first = sandbox(&server, epoch);
    let connected = connect_demo(&server, &first.base_url()).expect("connected");
    assert!(connected.refused.is_empty(), "{:?}", connected.refused);
    let connections = connected.connected;
    assert_eq!(
        connections
            .iter()
            .map(|c| c.marketplace.as_str())
            .collect::<Vec<_>>(),
        first
            .connections()
            .iter()
            .map(|c| c.marketplace.as_str())
            .collect::<Vec<_>>()
    );
    assert!(connections
        .iter()
        .all(|c| c.period_seconds == directory::DEMO_PERIOD_SECS && c.enabled));
    // The sandbox mall's carrier codes come with its Cafe24 connection.
    let cafe24 = connections
        .iter()
        .find(|c| c.marketplace == "cafe24")
        .expect("cafe24");
    assert_eq!(
        cafe24.carrier_codes.get("cj").map(String::as_str),
        Some("0006")
    );
    // Connecting again keeps what is there.
    let again = connect_demo(&server, &first.base_url()).unwrap().connected;
    let ids = |list: &[jumun_server::collector::ConnectionInfo]| {
        list.iter().map(|c| c.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&connections));

    let demo = Client::demo(&server.base);
    let mut collected = 0;
    let mut report = Vec::new();
    for conn in &connections {
        let run = demo.collect(conn.id);
        collected += run["orders_new"].as_u64().unwrap();
        report.push(format!("{}: {run}", conn.marketplace));
    }
    assert!(collected > 0, "{report:#?}");
    let events = demo.events();
    assert_eq!(count(&events, "OrderCreated") as u64, collected);
    let cursors: Vec<String> = connections
        .iter()
        .map(|c| {
            demo.connection(c.id)["orders_cursor"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(cursors.iter().any(|c| !c.is_empty()), "{cursors:?}");
    let first_base = first.base_url();
    let _ = server.runtime.block_on(first.shutdown());

    // The same marketplaces come back on another port (a restarted sandbox with the same epoch):
    // the demo store's connections move there, cursors kept, and nothing is collected twice.
    let second = sandbox(&server, epoch);
    assert_ne!(second.base_url(), first_base);
    let moved = connect_demo(&server, &second.base_url()).unwrap().connected;
    assert_eq!(ids(&moved), ids(&connections));
    assert!(
        moved
            .iter()
            .all(|c| c.base_url.starts_with(&second.base_url())),
        "{moved:?}"
    );
    for (before, after) in cursors.iter().zip(&moved) {
        assert_eq!(before, &after.orders_cursor, "{}", after.marketplace);
    }
    assert_eq!(demo.connection_count(), connections.len());
    for conn in &moved {
        let run = demo.collect(conn.id);
        assert!(run["error"].is_null(), "{}: {run}", conn.marketplace);
        assert_eq!(run["orders_new"], 0, "{}: {run}", conn.marketplace);
    }
    assert_eq!(
        count(&demo.events(), "OrderCreated"),
        count(&events, "OrderCreated")
    );
    let _ = server.runtime.block_on(second.shutdown());
}

#[test]
fn a_directory_that_is_remote_unreachable_or_partly_wrong_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let err = connect_demo(&server, "https://marketplaces.example.com").unwrap_err();
    assert!(
        matches!(err, DemoMarketplacesError::NotLoopback(_)),
        "{err}"
    );

    // A server that lists nothing there (the fake marketplace answers 404).
    let err = connect_demo(&server, &format!("{}/nowhere", server.feed)).unwrap_err();
    assert!(
        matches!(&err, DemoMarketplacesError::Unreachable { url, reason }
            if url.ends_with("/nowhere/connections") && reason.contains("404")),
        "{err}"
    );
    assert!(
        err.to_string().contains("start the marketplaces there"),
        "{err}"
    );

    // One element names no marketplace of the table and one is not a connection: both are
    // reported, the good one is connected.
    let listing = Router::new().route(
        "/connections",
        axum::routing::get(|| async {
            axum::Json(json!({"connections": [
                {"marketplace": "zigzag", "base_url": "http://127.0.0.1:9/feed",
                 "credentials": {"kind": "api_key", "key": "zz"}},
                {"marketplace": "moon-market", "base_url": "http://127.0.0.1:9/moon",
                 "credentials": {"kind": "none"}},
                {"marketplace": "ably"}
            ]}))
        }),
    );
    let url = server.runtime.block_on(support::serve(listing));
    let report = connect_demo(&server, &url).unwrap();
    assert_eq!(
        report
            .connected
            .iter()
            .map(|c| c.marketplace.as_str())
            .collect::<Vec<_>>(),
        ["zigzag"]
    );
    let refused: Vec<&str> = report.refused.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        refused,
        ["moon-market", "element 2"],
        "{:?}",
        report.refused
    );
}

/// A second connection to a test server's database (the SQLite file, or the test's PostgreSQL
/// database), to see and change a column as it is stored.
enum SideConnection {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl SideConnection {
    fn open(data_dir: &Path) -> Self {
        match testing::database_url(data_dir) {
            Some(url) => Self::Postgres(Box::new(
                postgres::Client::connect(&url, postgres::NoTls).unwrap(),
            )),
            None => {
                Self::Sqlite(rusqlite::Connection::open(data_dir.join("jumun.sqlite3")).unwrap())
            }
        }
    }

    /// `connections.credentials_json` of connection `id`, as stored.
    fn credentials(&mut self, id: i64) -> String {
        let sql = "SELECT credentials_json FROM connections WHERE id = ";
        match self {
            Self::Sqlite(conn) => conn
                .query_row(&format!("{sql}?1"), [id], |row| row.get(0))
                .unwrap(),
            Self::Postgres(client) => client
                .query_one(&format!("{sql}$1"), &[&id])
                .unwrap()
                .get(0),
        }
    }

    /// Overwrites `connections.credentials_json` of connection `id`.
    fn set_credentials(&mut self, id: i64, text: &str) {
        let sql = "UPDATE connections SET credentials_json = ";
        match self {
            Self::Sqlite(conn) => {
                conn.execute(
                    &format!("{sql}?1 WHERE id = ?2"),
                    rusqlite::params![text, id],
                )
                .unwrap();
            }
            Self::Postgres(client) => {
                client
                    .execute(&format!("{sql}$1 WHERE id = $2"), &[&text, &id])
                    .unwrap();
            }
        }
    }
}

/// Connects the generic feed of `marketplace` at `base_url` with this API key; returns its id.
fn connect_with_key(client: &Client, marketplace: &str, base_url: &str, key: &str) -> i64 {
    let (status, json) = client.post(
        "/api/connections",
        json!({
            "marketplace": marketplace,
            "base_url": base_url,
            "credentials": {"kind": "api_key", "key": key},
            "period_seconds": 60
        }),
    );
    assert_eq!(status, 201, "{json}");
    json["id"].as_i64().unwrap()
}

#[test]
fn credentials_are_encrypted_in_the_database_bound_to_their_connection_and_still_collect() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    // No JUMUN_SECRET_KEY: the first start made the data directory's key file, private.
    let key_file = dir.path().join("secret.key");
    assert!(SecretKey::parse(&std::fs::read_to_string(&key_file).unwrap()).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    let secret = "zz-secret-7f3a9c";
    let id = connect_with_key(&demo, "zigzag", &format!("{}/feed", server.feed), secret);

    let mut side = SideConnection::open(dir.path());
    let stored = side.credentials(id);
    assert!(stored.starts_with("enc:v1:"), "{stored}");
    assert!(!stored.contains(secret), "{stored}");
    assert!(!stored.contains("api_key"), "not even the kind: {stored}");

    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["orders_new"], 2, "{run}");
    let bearer = format!("Bearer {secret}");
    assert!(
        server.fake.lock().unwrap().auth.contains(&bearer),
        "the marketplace got the decrypted key"
    );
    let conn = demo.connection(id);
    assert_eq!(conn["credentials_kind"], "api_key", "{conn}");
    assert!(conn["credentials_error"].is_null(), "{conn}");

    // A new base URL (the same fake, by another loopback name) seals them afresh, bound to it.
    let port = server.feed.rsplit(':').next().unwrap();
    let moved = format!("http://localhost:{port}/feed");
    let (status, patched) = demo.send(
        "PATCH",
        &format!("/api/connections/{id}"),
        json!({ "base_url": moved }),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["credentials_kind"], "api_key", "{patched}");
    let resealed = side.credentials(id);
    assert!(resealed.starts_with("enc:v1:") && resealed != stored);
    server.fake.lock().unwrap().auth.clear();
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(server.fake.lock().unwrap().auth.contains(&bearer));

    // A sealed value pasted onto another connection does not open there; only that one says so.
    let other = connect_with_key(&demo, "ably", &format!("{}/feed", server.feed), "ably-key");
    side.set_credentials(other, &resealed);
    let pasted = demo.connection(other);
    assert_eq!(pasted["credentials_kind"], "unreadable", "{pasted}");
    let problem = pasted["credentials_error"].as_str().unwrap();
    assert!(problem.contains("cannot be decrypted"), "{problem}");
    assert_eq!(demo.connection(id)["credentials_kind"], "api_key");
}

#[test]
fn plain_credentials_are_sealed_at_start_and_another_key_fails_only_their_connection() {
    let dir = tempfile::tempdir().unwrap();
    let key = SecretKey::from_bytes([0x4a; 32]);
    let server = start_with_key(dir.path(), None, Some(key.clone()));
    assert!(
        !dir.path().join("secret.key").exists(),
        "a configured key makes no key file"
    );
    let demo = Client::demo(&server.base);
    let id = connect_with_key(
        &demo,
        "zigzag",
        &format!("{}/feed", server.feed),
        "replaced-below",
    );
    drop(server);

    // A row as a server before encryption wrote it.
    let legacy_secret = "legacy-plain-secret-81c2";
    let mut side = SideConnection::open(dir.path());
    side.set_credentials(
        id,
        &json!({"kind": "api_key", "key": legacy_secret}).to_string(),
    );
    drop(side);

    let server = start_with_key(dir.path(), None, Some(key.clone()));
    let mut side = SideConnection::open(dir.path());
    let stored = side.credentials(id);
    assert!(stored.starts_with("enc:v1:"), "sealed at start: {stored}");
    assert!(!stored.contains(legacy_secret));
    server.set(|f| {
        f.orders = orders_page();
        f.claims = json!({"claims": []});
    });
    let demo = Client::demo(&server.base);
    // This start's fake marketplace listens elsewhere: the new URL opens the upgraded value
    // (bound to the old one) and seals it again.
    let (status, moved) = demo.send(
        "PATCH",
        &format!("/api/connections/{id}"),
        json!({"base_url": format!("{}/feed", server.feed)}),
    );
    assert_eq!(status, 200, "{moved}");
    let stored = side.credentials(id);
    assert!(stored.starts_with("enc:v1:") && !stored.contains(legacy_secret));
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(server
        .fake
        .lock()
        .unwrap()
        .auth
        .contains(&format!("Bearer {legacy_secret}")));
    drop(server);

    // Another key: the server starts, lists the connection with the problem, and its runs fail
    // saying what to do, without reaching the marketplace.
    let server = start_with_key(dir.path(), None, Some(SecretKey::from_bytes([0x4b; 32])));
    let demo = Client::demo(&server.base);
    let conn = demo.connection(id);
    assert_eq!(conn["credentials_kind"], "unreadable", "{conn}");
    let expected = "credentials cannot be decrypted: the server's secret key is not the one \
                    they were stored with";
    let problem = conn["credentials_error"].as_str().unwrap();
    assert!(problem.starts_with(expected), "{problem}");
    assert!(problem.contains("JUMUN_SECRET_KEY"), "{problem}");
    let run = demo.collect(id);
    let error = run["error"].as_str().expect("the run failed");
    assert!(error.starts_with(expected), "{error}");
    assert!(server.fake.lock().unwrap().auth.is_empty(), "nothing sent");
    let conn = demo.connection(id);
    assert_eq!(conn["failures"], 1, "{conn}");
    assert_eq!(conn["last_run"]["error"], run["error"]);
    assert_eq!(
        side.credentials(id),
        stored,
        "the value is kept for the right key"
    );

    // Switching it off works; a new URL without the credentials is refused, saying why.
    let path = format!("/api/connections/{id}");
    let (status, off) = demo.send("PATCH", &path, json!({"enabled": false}));
    assert_eq!(status, 200, "{off}");
    let base_url = format!("{}/feed", server.feed);
    let (status, refused) = demo.send("PATCH", &path, json!({ "base_url": base_url }));
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("cannot be decrypted"),
        "{refused}"
    );
    // Entered again, they work under this key.
    let (status, fixed) = demo.send(
        "PATCH",
        &path,
        json!({
            "base_url": base_url,
            "credentials": {"kind": "api_key", "key": "re-entered"},
            "enabled": true
        }),
    );
    assert_eq!(status, 200, "{fixed}");
    assert_eq!(fixed["credentials_kind"], "api_key", "{fixed}");
    assert!(fixed["credentials_error"].is_null(), "{fixed}");
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(server
        .fake
        .lock()
        .unwrap()
        .auth
        .contains(&"Bearer re-entered".to_owned()));
}

#[test]
fn a_key_file_that_holds_no_key_stops_the_start_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.key"), "oops\n").unwrap();
    let config = ServerConfig {
        demo: false,
        ..support::config(dir.path())
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(Server::bind(&config))
        .err()
        .expect("started with a broken key file");
    let message = err.to_string();
    assert!(message.contains("secret.key"), "{message}");
    assert!(message.contains("restore it from a backup"), "{message}");
    assert!(!message.contains("oops"), "{message}");
}

/// A server on `dir`, its demo store's client, the sandbox marketplace an hour behind the wall
/// clock (so its claims fall inside the time frame a first run asks for) on a manual clock, and
/// the demo store's connection to it for `marketplace` (the sandbox's own settings).
fn marketplace_sandbox(dir: &Path, marketplace: &str) -> (Running, Client, SandboxHandle, i64) {
    marketplace_sandbox_behind(dir, marketplace, chrono::Duration::hours(1))
}

/// [`marketplace_sandbox`] with the sandbox's clock starting `behind` the wall clock.
fn marketplace_sandbox_behind(
    dir: &Path,
    marketplace: &str,
    behind: chrono::Duration,
) -> (Running, Client, SandboxHandle, i64) {
    let server = start(dir, None);
    let demo = Client::demo(&server.base);
    let epoch = (Utc::now() - behind).trunc_subsecs(0).with_timezone(&KOREA);
    let sandbox = sandbox(&server, epoch);
    let settings = jumun_sandbox::server::new_connection(
        sandbox
            .connection(marketplace)
            .expect("a marketplace the sandbox serves"),
    );
    let (status, made) = demo.post("/api/connections", serde_json::to_value(settings).unwrap());
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().unwrap();
    (server, demo, sandbox, id)
}

/// [`marketplace_sandbox`] for Coupang.
fn coupang_sandbox(dir: &Path) -> (Running, Client, SandboxHandle, i64) {
    marketplace_sandbox(dir, "coupang")
}

/// Where the sandbox's scenario `name` of the first cycle starts, and its order.
fn scenario(sandbox: &SandboxHandle, name: &str) -> (i64, jumun_sandbox::generate::Order) {
    let index = jumun_sandbox::scenario::SCRIPTS
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    let timeline = sandbox.shared().timeline();
    (
        timeline.scenario_start(0, index),
        timeline.scripted_order(0, index).unwrap(),
    )
}

/// Stands the sandbox `secs` script seconds into its scenario `name` (first cycle) and collects
/// connection `id` once, without error: the scenario's order and the run.
fn collect_in_scenario(
    demo: &Client,
    sandbox: &SandboxHandle,
    id: i64,
    name: &str,
    secs: u32,
) -> (jumun_sandbox::generate::Order, Value) {
    let (start, order) = scenario(sandbox, name);
    let timeline = sandbox.shared().timeline();
    sandbox
        .shared()
        .advance(start + timeline.scaled(secs) - sandbox.shared().now());
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    (order, run)
}

/// The kinds of the claims the console opened on order `console`.
fn opened_claims(events: &[Value], console: &Value) -> Vec<String> {
    events
        .iter()
        .filter(|e| kind(e) == "ClaimOpened")
        .map(|e| &e["event"]["change"]["ClaimOpened"])
        .filter(|c| &c["order"] == console)
        .map(|c| c["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn r11_naver_returns_and_exchanges_are_collected_without_approving_them_at_naver() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = marketplace_sandbox(dir.path(), "smartstore");
    let (ret_start, ret_order) = scenario(&sandbox, "return-with-pickup/smartstore");
    let (exc_start, exc_order) = scenario(&sandbox, "exchange-case1/smartstore");
    let timeline = sandbox.shared().timeline();
    // The return is asked (120 s), then the exchange (120 s after its own start): each run
    // collects what is new, and each new claim is "acknowledged" by the collector.
    sandbox.shared().advance(ret_start + timeline.scaled(130));
    let first = demo.collect(id);
    assert!(first["error"].is_null(), "{first}");
    sandbox
        .shared()
        .advance(exc_start + timeline.scaled(130) - sandbox.shared().now());
    let second = demo.collect(id);
    assert!(second["error"].is_null(), "{second}");
    let events = demo.events();
    assert_eq!(
        opened_claims(&events, &order_id(&events, &ret_order.order_no)),
        ["Return"],
        "{first}"
    );
    assert_eq!(
        opened_claims(&events, &order_id(&events, &exc_order.order_no)),
        ["Exchange"],
        "{second}"
    );
    // Naver has no acknowledgement for them: approving the return refunds it, approving the
    // exchange's collection says the item is back. Neither is the collector's to call.
    let decisions: Vec<String> = sandbox
        .shared()
        .calls()
        .into_iter()
        .filter(|c| c.ends_with("/claim/return/approve") || c.contains("/claim/exchange/"))
        .collect();
    assert!(decisions.is_empty(), "{decisions:?}");
    assert_eq!(demo.connection(id)["unacknowledged_claims"], 0);
    let _ = server.runtime.block_on(sandbox.shutdown());
}

/// The sandbox's view of one order now.
fn sandbox_order(sandbox: &SandboxHandle, order_no: &str) -> jumun_sandbox::scenario::OrderView {
    let (_, orders) = sandbox.shared().snapshot();
    orders
        .into_iter()
        .find(|o| o.order.order_no == order_no)
        .unwrap_or_else(|| panic!("order {order_no} not in the sandbox"))
}

/// Runs the sandbox a minute and collects connection `id` (new orders, no error): a Coupang
/// stream order of the sandbox (no scenario) as it is now.
fn collect_a_coupang_stream_order(
    demo: &Client,
    sandbox: &SandboxHandle,
    id: i64,
) -> jumun_sandbox::scenario::OrderView {
    sandbox.shared().advance(60_000);
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(run["orders_new"].as_u64().unwrap() > 0, "{run}");
    let (_, orders) = sandbox.shared().snapshot();
    orders
        .into_iter()
        .find(|o| o.order.channel == "coupang" && o.scenario.is_none())
        .expect("a Coupang stream order")
}

#[test]
fn r2_coupang_orders_are_moved_to_preparing_at_collection_so_their_invoices_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = coupang_sandbox(dir.path());
    // A stream order, paid and without a claim: Coupang now has it in 상품준비중.
    let order = collect_a_coupang_stream_order(&demo, &sandbox, id);
    assert!(order.prepared_at.is_some(), "not acknowledged: {order:?}");
    let events = demo.events();
    ship_with_cj_invoice(&demo, &order_id(&events, &order.order.order_no));
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["invoices_sent"], 1, "{run}");
    let after = sandbox_order(&sandbox, &order.order.order_no);
    for line in &after.lines {
        let invoice = line.delivery.invoice().expect("shipped at Coupang");
        assert_eq!(invoice.tracking_no, "612345678901");
        assert!(invoice.by_console);
    }
    let _ = server.runtime.block_on(sandbox.shutdown());
}

/// How many single-box sheet reads (`GET …/ordersheets/{shipmentBoxId}`) the sandbox has taken.
fn single_sheet_reads(sandbox: &SandboxHandle) -> usize {
    sandbox
        .shared()
        .calls()
        .iter()
        .filter(|c| {
            c.rsplit_once("/ordersheets/")
                .is_some_and(|(_, b)| b.chars().all(|ch| ch.is_ascii_digit()))
        })
        .count()
}

#[test]
fn r28_a_coupang_order_created_days_ago_is_followed_to_its_delivery() {
    // Issue 13, point 10. The sandbox's clock stands two days behind the wall clock, so its
    // orders were created two days before the console's today: after the first run, Coupang's
    // list (by creation day, from the cursor's day) no longer shows them.
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) =
        marketplace_sandbox_behind(dir.path(), "coupang", chrono::Duration::days(2));
    let order = collect_a_coupang_stream_order(&demo, &sandbox, id);
    let parcel = &order.order.parcel_no;
    let cursor = demo.connection(id)["orders_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(cursor.contains(parcel.as_str()), "followed: {cursor}");
    let events = demo.events();
    let console = order_id(&events, &order.order.order_no);
    ship_with_cj_invoice(&demo, &console);
    let run = demo.collect(id);
    assert_eq!(run["invoices_sent"], 1, "{run}");
    // Coupang delivers it today, days after it was created.
    let timeline = sandbox.shared().timeline();
    sandbox
        .shared()
        .advance(timeline.scaled(jumun_sandbox::scenario::STREAM_DELIVERY_SECS) + 1_000);
    assert!(sandbox_order(&sandbox, &order.order.order_no)
        .lines
        .iter()
        .all(|l| matches!(
            l.delivery,
            jumun_sandbox::scenario::Delivery::Delivered { .. }
        )));
    let reads_before = single_sheet_reads(&sandbox);
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    let delivered: Vec<Value> = demo
        .events()
        .iter()
        .filter(|e| kind(e) == "Delivered")
        .map(|e| e["event"]["change"]["Delivered"]["order"].clone())
        .collect();
    assert_eq!(delivered, [console], "{run}");
    // The request budget: at most FOLLOW_PER_RUN boxes read one by one a run, and a delivered
    // box is no longer followed.
    let reads = single_sheet_reads(&sandbox) - reads_before;
    assert!(
        (1..=jumun_server::marketplaces::coupang::FOLLOW_PER_RUN).contains(&reads),
        "{reads} single reads"
    );
    let cursor = demo.connection(id)["orders_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !cursor.contains(parcel.as_str()),
        "still followed: {cursor}"
    );
    let _ = server.runtime.block_on(sandbox.shutdown());
}

#[test]
fn r27_a_coupang_cancel_before_acknowledgement_is_collected_and_its_refused_box_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = coupang_sandbox(dir.path());
    let index = jumun_sandbox::scenario::SCRIPTS
        .iter()
        .position(|s| s.name == "cancel-before-acknowledgement/coupang")
        .expect("the scenario");
    let timeline = sandbox.shared().timeline();
    let order = timeline.scripted_order(0, index).unwrap();
    let start = timeline.scenario_start(0, index);
    // The buyer cancelled the first item 10 s ago, while the order was 결제완료: Coupang has
    // cancelled it and refunds it until 100 s.
    sandbox.shared().advance(start + timeline.scaled(50));
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    let events = demo.events();
    let console = order_id(&events, &order.order_no);
    let cancelled: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e) == "ClaimOpened")
        .map(|e| &e["event"]["change"]["ClaimOpened"])
        .filter(|c| c["kind"] == "Cancel" && c["order"] == console)
        .collect();
    assert_eq!(cancelled.len(), 1, "the cancel reached the console: {run}");
    assert!(
        cancelled[0]["hold"].is_null(),
        "cancelled, not held: {cancelled:?}"
    );
    // Coupang refuses to move the box while the refund is under way: the run says so.
    let refused = format!("did not move shipment {} to 상품준비중", order.parcel_no);
    let notes = run["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains(&refused)),
        "{run}"
    );
    assert_eq!(sandbox_order(&sandbox, &order.order_no).prepared_at, None);
    // Refunded: the next run moves it, and its other item ships on the console's invoice.
    sandbox.shared().advance(timeline.scaled(60));
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(
        !run["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains(&refused)),
        "{run}"
    );
    assert!(sandbox_order(&sandbox, &order.order_no)
        .prepared_at
        .is_some());
    ship_with_cj_invoice(&demo, &console);
    let run = demo.collect(id);
    assert_eq!(run["invoices_sent"], 1, "{run}");
    let lines = sandbox_order(&sandbox, &order.order_no).lines;
    assert!(
        lines[0].delivery.invoice().is_none(),
        "the cancelled item stays"
    );
    assert!(lines[1].delivery.invoice().is_some_and(|i| i.by_console));
    let _ = server.runtime.block_on(sandbox.shutdown());
}

#[test]
fn r12_a_coupang_return_the_buyer_withdraws_is_withdrawn_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = coupang_sandbox(dir.path());
    // The return was asked at 120 s: the console holds the line for it.
    let (order, run) = collect_in_scenario(&demo, &sandbox, id, "return-withdrawal/coupang", 130);
    let timeline = sandbox.shared().timeline();
    let events = demo.events();
    let console = order_id(&events, &order.order_no);
    assert_eq!(opened_claims(&events, &console), ["Return"], "{run}");
    // Withdrawn at 150 s: Coupang drops it from returnRequests and lists it only under
    // returnWithdrawRequests (issue 13, point 7).
    sandbox.shared().advance(timeline.scaled(30));
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert_eq!(run["claims_withdrawn"], 1, "{run}");
    let undone = demo
        .events()
        .iter()
        .filter(|e| kind(e) == "ClaimClosedUndone")
        .count();
    assert_eq!(undone, 1);
    // Read again while the cursor stands on the same day: nothing more happens.
    let again = demo.collect(id);
    assert_eq!(again["claims_withdrawn"], 0, "{again}");
    assert!(sandbox
        .shared()
        .calls()
        .iter()
        .any(|c| c.ends_with("/returnWithdrawRequests")));
    let _ = server.runtime.block_on(sandbox.shutdown());
}

#[test]
fn r11_a_coupang_exchange_holds_the_line_its_request_names_and_no_other() {
    // Issue 13, point 14: Coupang names the exchanged item by the ordered option (orderItemId,
    // the vendorItemId its pickup names too); the order's other item is not part of it.
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = coupang_sandbox(dir.path());
    let (order, run) = collect_in_scenario(&demo, &sandbox, id, "exchange-case1/coupang", 130);
    let events = demo.events();
    let created = events
        .iter()
        .filter(|e| kind(e) == "OrderCreated")
        .map(|e| &e["event"]["change"]["OrderCreated"])
        .find(|o| o["order_no"] == order.order_no.as_str())
        .expect("the order is collected");
    let line_of = |option: &str| {
        created["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["keys"]["codes"]["code6"] == option)
            .map(|l| l["id"].clone())
            .unwrap_or_else(|| panic!("no line of option {option}: {created}"))
    };
    let (first, second) = (
        line_of(&order.lines[0].option_id),
        line_of(&order.lines[1].option_id),
    );
    assert_ne!(first, second);
    let opened: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e) == "ClaimOpened")
        .map(|e| &e["event"]["change"]["ClaimOpened"])
        .filter(|c| c["order"] == created["id"])
        .collect();
    assert_eq!(opened.len(), 1, "{run}");
    assert_eq!(opened[0]["kind"], "Exchange");
    let held: Vec<Value> = opened[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].clone())
        .collect();
    assert_eq!(held, [first], "only the exchanged item: {opened:?}");
    let _ = server.runtime.block_on(sandbox.shutdown());
}

/// Calls Coupang at the sandbox as another program of the same vendor would, without the
/// console's pacing: `GET …/ordersheets?{query}`; answers the status.
fn coupang_call_from_elsewhere(sandbox: &SandboxHandle, query: &str) -> u16 {
    let url = format!(
        "{}/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?{query}",
        sandbox.base_url()
    );
    support::agent()
        .get(url)
        .header(
            "Authorization",
            "CEA algorithm=HmacSHA256, access-key=ak, signed-date=x, signature=x",
        )
        .call()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn coupang_rate_limits_are_waited_out_and_a_block_is_never_taken_for_bad_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo, sandbox, id) = coupang_sandbox(dir.path());
    sandbox.shared().advance(60_000);
    // Another program of the vendor spends this second's 10 calls: the console's first call is
    // answered 429 with Retry-After, waits it out and goes on (issue 13, point 6).
    let today = Utc::now()
        .with_timezone(&KOREA)
        .format("%Y-%m-%d")
        .to_string();
    let valid = format!("createdAtFrom={today}&createdAtTo={today}&status=ACCEPT");
    for _ in 0..10 {
        coupang_call_from_elsewhere(&sandbox, &valid);
    }
    let run = demo.collect(id);
    assert!(run["error"].is_null(), "{run}");
    assert!(run["orders_new"].as_u64().unwrap() > 0, "{run}");
    let refused = sandbox.shared().refused_calls();
    assert!(refused.iter().any(|c| c.starts_with("429 ")), "{refused:?}");
    assert!(
        refused.iter().all(|c| c.starts_with("429 ")),
        "the console's own pacing keeps it under the limit: {refused:?}"
    );

    // A buggy program of the vendor fails call after call: Coupang blocks the vendor with its
    // gateway's 403 "Access Denied" page.
    std::thread::sleep(Duration::from_secs(1));
    let blocked = (0..100).any(|_| match coupang_call_from_elsewhere(&sandbox, "") {
        403 => true,
        429 => {
            std::thread::sleep(Duration::from_millis(100));
            false
        }
        _ => false,
    });
    assert!(blocked, "{:?}", sandbox.shared().refused_calls());
    let run = demo.collect(id);
    let error = run["error"].as_str().expect("the run fails");
    assert!(error.contains("not a credentials problem"), "{error}");
    assert!(
        !error.contains("renew the marketplace credentials"),
        "{error}"
    );
    // While the block lasts the connection sends nothing that could make it longer, and says so.
    let calls = sandbox.shared().calls().len();
    let run = demo.collect(id);
    let error = run["error"].as_str().expect("the run fails");
    assert!(error.contains("asked this connection to wait"), "{error}");
    assert_eq!(
        sandbox.shared().calls().len(),
        calls,
        "no call reached Coupang"
    );
    let conn = demo.connection(id);
    assert!(
        conn["last_run"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not a credentials problem")),
        "{conn}"
    );
    assert!(conn["credentials_error"].is_null(), "{conn}");
    let _ = server.runtime.block_on(sandbox.shutdown());
}
