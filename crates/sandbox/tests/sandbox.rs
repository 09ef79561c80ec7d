//! The marketplace sandbox over real HTTP on a loopback port: determinism, Korean data, every
//! scripted scenario on schedule, the payloads read by the real adapters of
//! `jumun_server::marketplaces` (so they parse with the adapters' `wire` structs), invoice uploads
//! that ship a line, the malformed-order knob, auth and error shapes, the directory of
//! connections, and the binary.

use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, Reason};
use jumun_core::time::KOREA;
use jumun_sandbox::generate::CHANNELS;
use jumun_sandbox::scenario::SCRIPTS;
use jumun_sandbox::{spawn, ClockMode, SandboxConfig, SandboxHandle};
use jumun_server::marketplaces::{
    adapter_for, AdapterError, Collected, Connection, Cursor, InvoiceUpload, MarketClaim,
    MarketOrder,
};
use serde_json::Value;
use std::collections::HashMap;

const SPEED: f64 = 10.0;

/// Ten minutes ago, so that at the sandbox's "now" (manual clock at +10 min) every timestamp it
/// serves is in the adapters' past.
fn recent_epoch() -> DateTime<FixedOffset> {
    (Utc::now() - Duration::minutes(10))
        .trunc_subsecs(0)
        .with_timezone(&KOREA)
}

fn config(seed: u64, epoch: DateTime<FixedOffset>, malformed_every: Option<u64>) -> SandboxConfig {
    SandboxConfig {
        seed,
        addr: "127.0.0.1:0".parse().unwrap(),
        speed: SPEED,
        epoch: Some(epoch),
        clock: ClockMode::Manual,
        start_at_ms: 600_000,
        malformed_every,
        ..SandboxConfig::default()
    }
}

async fn start(
    seed: u64,
    epoch: DateTime<FixedOffset>,
    malformed_every: Option<u64>,
) -> SandboxHandle {
    spawn(config(seed, epoch, malformed_every)).await.unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

async fn get(url: String, auth: Option<&'static str>) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let mut request = agent().get(&url);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

async fn post(url: String, body: String) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let mut response = agent()
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.as_bytes())
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

async fn json(url: String) -> Value {
    // The sandbox's control paths need no credentials; the marketplaces' accept any bearer.
    let (status, body) = get(url, Some("Bearer test")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn orders_of(conn: &Connection) -> Collected<MarketOrder> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        adapter_for(conn.marketplace.as_str()).collect_orders(&conn, &Cursor::default())
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("collect_orders: {e}"))
}

async fn claims_of(conn: &Connection) -> Collected<MarketClaim> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        adapter_for(conn.marketplace.as_str()).collect_claims(&conn, &Cursor::default())
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("collect_claims: {e}"))
}

async fn send_invoice(conn: &Connection, upload: InvoiceUpload) -> Result<(), AdapterError> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        adapter_for(conn.marketplace.as_str()).send_invoice(&conn, &upload)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_serves_the_same_bytes_and_another_seed_does_not() {
    let epoch = DateTime::parse_from_rfc3339("2024-11-15T09:00:00+09:00").unwrap();
    let a = start(42, epoch, None).await;
    let b = start(42, epoch, None).await;
    let c = start(43, epoch, None).await;
    let paths = [
        "/sandbox/orders".to_owned(),
        "/api/v2/admin/orders?start_date=2024-11-14&end_date=2024-11-16&embed=items,receivers,buyer&limit=1000".to_owned(),
        "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?createdAtFrom=2024-11-14&createdAtTo=2024-11-16&status=ACCEPT".to_owned(),
        "/generic/zigzag/orders?since=".to_owned(),
        "/generic/11st/claims?since=".to_owned(),
        "/external/v1/pay-order/seller/product-orders/last-changed-statuses?lastChangedFrom=2024-11-15T00:00:00.000%2B09:00".to_owned(),
    ];
    let auth = |p: &str| {
        if p.starts_with("/v2/") {
            Some("CEA algorithm=HmacSHA256, access-key=k, signed-date=241115T000000Z, signature=00")
        } else if p.starts_with("/sandbox") {
            None
        } else {
            Some("Bearer test")
        }
    };
    for path in &paths {
        let (sa, body_a) = get(format!("{}{path}", a.base_url()), auth(path)).await;
        let (_, body_b) = get(format!("{}{path}", b.base_url()), auth(path)).await;
        let (_, body_c) = get(format!("{}{path}", c.base_url()), auth(path)).await;
        assert_eq!(sa, 200, "{path}: {body_a}");
        assert!(body_a.len() > 100, "{path} served almost nothing: {body_a}");
        // Naver's answer carries a trace id of the time of the call; everything else is equal.
        let strip = |s: &str| -> Value {
            let mut v: Value = serde_json::from_str(s).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("traceId");
                o.remove("timestamp");
            }
            v
        };
        assert_eq!(
            strip(&body_a),
            strip(&body_b),
            "{path} differs for the same seed"
        );
        assert_ne!(
            strip(&body_a),
            strip(&body_c),
            "{path} is the same for another seed"
        );
    }
    for s in [a, b, c] {
        s.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_data_is_korean_and_well_formed_on_every_marketplace() {
    let sandbox = start(7, recent_epoch(), None).await;
    let orders = json(format!("{}/sandbox/orders", sandbox.base_url())).await;
    let orders = orders["orders"].as_array().unwrap();
    assert!(orders.len() > 100, "{} orders", orders.len());
    let is_mobile = |p: &str| {
        let parts: Vec<&str> = p.split('-').collect();
        parts.len() == 3
            && parts[0] == "010"
            && [parts[1], parts[2]]
                .iter()
                .all(|b| b.len() == 4 && b.chars().all(|c| c.is_ascii_digit()))
    };
    let hangul = |s: &str| s.chars().any(|c| ('가'..='힣').contains(&c));
    let mut seen = std::collections::HashSet::new();
    for view in orders {
        let order = &view["order"];
        seen.insert(order["channel"].as_str().unwrap().to_owned());
        for who in ["orderer", "recipient"] {
            let person = &order[who];
            assert!(is_mobile(person["mobile"].as_str().unwrap()), "{person}");
            assert!(hangul(person["name"].as_str().unwrap()), "{person}");
        }
        let postcode = order["address"]["postcode"].as_str().unwrap();
        assert!(
            postcode.len() == 5 && postcode.chars().all(|c| c.is_ascii_digit()),
            "{postcode}"
        );
        let road = order["address"]["road"].as_str().unwrap();
        assert!(
            road.starts_with("서울특별시")
                || road.starts_with("부산광역시")
                || road.starts_with("경기도")
                || road.starts_with("인천광역시"),
            "{road}"
        );
        // A CASE2 replacement order is free of charge.
        let replacement = !view["exchange_of"].is_null();
        for line in order["lines"].as_array().unwrap() {
            assert!(hangul(line["product_name"].as_str().unwrap()));
            assert!(
                !line["option"].as_array().unwrap().is_empty(),
                "every product has options"
            );
            assert!(replacement || line["unit_price"].as_u64().unwrap() >= 1_000);
        }
    }
    for channel in CHANNELS {
        assert!(seen.contains(channel.code), "no {} orders", channel.code);
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_scripted_scenario_plays_on_schedule_for_its_marketplace() {
    let epoch = DateTime::parse_from_rfc3339("2024-11-15T09:00:00+09:00").unwrap();
    let sandbox = start(5, epoch, None).await;
    let shared = sandbox.shared();
    shared.advance(-shared.now()); // time zero
    let schedule = json(format!("{}/sandbox/schedule", sandbox.base_url())).await;
    let steps: Vec<Value> = schedule["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["cycle"] == 0)
        .cloned()
        .collect();
    let expected: usize = SCRIPTS.iter().map(|s| s.steps.len()).sum();
    assert_eq!(steps.len(), expected);
    for script in SCRIPTS {
        let mine: Vec<&Value> = steps
            .iter()
            .filter(|s| s["scenario"] == script.name)
            .collect();
        assert_eq!(mine.len(), script.steps.len(), "{}", script.name);
        for (n, step) in mine.iter().enumerate() {
            assert_eq!(step["channel"], script.channel, "{}", script.name);
            let at = step["at"].as_i64().unwrap();
            // Just before the step, it has not happened; at its time, it has.
            for (when, done) in [(at - 1, n), (at, n + 1)] {
                shared.advance(when - shared.now());
                let progress = shared.timeline().progress(shared.now());
                let p = progress
                    .iter()
                    .find(|p| p.cycle == 0 && p.scenario == script.name)
                    .unwrap_or_else(|| panic!("{} not started at {when}", script.name));
                assert_eq!(p.steps_done, done, "{} step {n} at {when}", script.name);
                let (_, orders) = shared.snapshot();
                let order = orders
                    .iter()
                    .find(|o| o.order.order_no == p.order_no && o.scenario == Some(script.name))
                    .unwrap();
                assert_eq!(order.order.channel, script.channel);
                assert_eq!(
                    order.lines[0].claim.is_some(),
                    done > 0,
                    "{} at {when}",
                    script.name
                );
            }
        }
    }
    sandbox.shutdown().await.unwrap();
}

/// Every scenario of the first cycle, as the real adapters collect it.
#[tokio::test(flavor = "multi_thread")]
async fn the_adapters_collect_every_scenario_in_its_marketplace_words() {
    let sandbox = start(11, recent_epoch(), None).await;
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    let scripted: HashMap<String, String> = state["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["cycle"] == 0)
        .map(|p| {
            (
                p["scenario"].as_str().unwrap().to_owned(),
                p["order_no"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(scripted.len(), SCRIPTS.len());
    let mut claims: HashMap<String, Vec<MarketClaim>> = HashMap::new();
    let mut orders: HashMap<String, Vec<MarketOrder>> = HashMap::new();
    for conn in sandbox.connections() {
        let code = conn.marketplace.as_str().to_owned();
        let o = orders_of(&conn).await;
        assert!(o.malformed.is_empty(), "{code}: {:?}", o.malformed.first());
        assert!(!o.items.is_empty(), "{code}: no orders collected");
        let c = claims_of(&conn).await;
        assert!(c.malformed.is_empty(), "{code}: {:?}", c.malformed.first());
        claims.insert(code.clone(), c.items);
        orders.insert(code, o.items);
    }
    // (scenario, kind, final status word, withdrawn)
    let expect: &[(&str, ClaimKind, &str, bool)] = &[
        (
            "cancel-before-invoice/smartstore",
            ClaimKind::Cancel,
            "취소완료",
            false,
        ),
        (
            "cancel-before-invoice/cafe24",
            ClaimKind::Cancel,
            "취소완료-환불전",
            false,
        ),
        (
            "cancel-before-invoice/gmarket",
            ClaimKind::Cancel,
            "취소완료",
            false,
        ),
        (
            "cancel-after-invoice/coupang",
            ClaimKind::Cancel,
            "출고중지요청",
            false,
        ),
        (
            "cancel-after-invoice/11st",
            ClaimKind::Cancel,
            "취소완료",
            false,
        ),
        (
            "return-with-pickup/smartstore",
            ClaimKind::Return,
            "반품완료",
            false,
        ),
        (
            "return-with-pickup/coupang",
            ClaimKind::Return,
            "반품완료",
            false,
        ),
        (
            "exchange-case1/11st",
            ClaimKind::Exchange,
            "교환수거완료",
            false,
        ),
        (
            "exchange-case1/smartstore",
            ClaimKind::Exchange,
            "수거완료",
            false,
        ),
        (
            "exchange-case2/musinsa",
            ClaimKind::Exchange,
            "교환수거완료",
            false,
        ),
        (
            "cafe24-exchange-line-change/cafe24",
            ClaimKind::Exchange,
            "교환완료",
            false,
        ),
        (
            "kakao-style-exchange-delay/zigzag",
            ClaimKind::Exchange,
            "교환배송연기안내",
            false,
        ),
        ("withdrawal/smartstore", ClaimKind::Cancel, "취소철회", true),
        (
            "cancel-refused/fashionplus",
            ClaimKind::Cancel,
            "취소거부",
            true,
        ),
        (
            "cancel-before-acknowledgement/coupang",
            ClaimKind::Cancel,
            "출고중지요청",
            false,
        ),
        (
            "return-withdrawal/coupang",
            ClaimKind::Return,
            "반품철회",
            true,
        ),
        (
            "exchange-case1/coupang",
            ClaimKind::Exchange,
            "교환진행",
            false,
        ),
    ];
    assert_eq!(expect.len(), SCRIPTS.len());
    for (scenario, kind, word, withdrawn) in expect {
        let market = scenario.split('/').nth(1).unwrap();
        let order_no = &scripted[*scenario];
        let found: Vec<&MarketClaim> = claims[market]
            .iter()
            .filter(|c| &c.keys.order_no == order_no && c.kind == *kind)
            .collect();
        assert_eq!(found.len(), 1, "{scenario}: claims {found:?}");
        let claim = found[0];
        assert_eq!(claim.kind, *kind, "{scenario}");
        assert_eq!(claim.status, *word, "{scenario}");
        assert_eq!(claim.withdrawn, *withdrawn, "{scenario}");
        // Every scripted order is collected as an order too.
        assert!(
            orders[market].iter().any(|o| &o.order_no == order_no),
            "{scenario}: order not collected"
        );
    }
    // The Kakao Style delay notice says how many and until when, in the feed's own fields.
    let zigzag = &claims["zigzag"][0];
    assert!(zigzag.requested_option.is_some());
    assert_eq!(zigzag.delay_notices, 2);
    let due = zigzag.exchange_due.expect("the new due date");
    assert!(
        due > zigzag.reported_at,
        "{due} after {}",
        zigzag.reported_at
    );
    let feed = json(format!(
        "{}/generic/zigzag/claims?since=",
        sandbox.base_url()
    ))
    .await;
    assert_eq!(feed["claims"][0]["delay_notices"], 2);
    assert!(feed["claims"][0]["due_at"].is_string());
    // Naver has no field for the option the buyer wants: it ends the detailed reason
    // (`사유 → 옵션`), and the adapter reads it from there.
    let smartstore_exchange = claims["smartstore"]
        .iter()
        .find(|c| c.keys.order_no == scripted["exchange-case1/smartstore"])
        .unwrap();
    let wanted = smartstore_exchange
        .requested_option
        .as_deref()
        .expect("the wanted option");
    assert!(wanted.contains(": "), "{wanted}");
    assert!(!wanted.contains('→'), "{wanted}");
    // CASE2: Musinsa made a new order for the replacement, linked to the original line.
    let musinsa_original = &scripted["exchange-case2/musinsa"];
    let replacement = orders["musinsa"]
        .iter()
        .find(|o| o.lines.iter().all(|l| l.unit_price.0 == 0) && &o.order_no != musinsa_original)
        .expect("no replacement order at Musinsa");
    let replaces = replacement.replaces.as_ref().expect("the original line");
    assert_eq!(&replaces.order_no, musinsa_original);
    let original = orders["musinsa"]
        .iter()
        .find(|o| &o.order_no == musinsa_original)
        .unwrap();
    assert_eq!(replaces.line_no, original.lines[0].keys.line_no);
    // Only replacement orders (free, from later cycles too) carry a link.
    assert!(orders["musinsa"]
        .iter()
        .filter(|o| o.replaces.is_some())
        .all(|o| o.lines.iter().all(|l| l.unit_price.0 == 0)));
    assert!(orders["musinsa"].iter().any(|o| o.replaces.is_none()));
    // Cafe24: the exchanged item got a new order_item_code, the replacement item (N01).
    let cafe24 = orders["cafe24"]
        .iter()
        .find(|o| o.order_no == scripted["cafe24-exchange-line-change/cafe24"])
        .unwrap();
    assert_eq!(cafe24.lines.len(), 2);
    assert_ne!(cafe24.lines[0].keys.line_no, cafe24.lines[1].keys.line_no);
    assert_eq!(cafe24.lines[1].status, "N01");
    assert_ne!(cafe24.lines[0].option, cafe24.lines[1].option);
    sandbox.shutdown().await.unwrap();
}

/// `GET /connections` lists every marketplace in the format the console's `POST
/// /api/connections` takes, with the credentials the sandbox accepts: the same connections the
/// handle gives the adapters.
#[tokio::test(flavor = "multi_thread")]
async fn the_directory_lists_every_marketplace_as_the_console_connects_it() {
    let sandbox = start(23, recent_epoch(), None).await;
    let body = json(format!("{}/connections", sandbox.base_url())).await;
    let directory: jumun_protocol::connections::MarketplaceDirectory =
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"));
    let listed: Vec<(String, String)> = directory
        .connections
        .iter()
        .map(|c| (c.marketplace.clone(), c.base_url.clone()))
        .collect();
    let served: Vec<(String, String)> = sandbox
        .connections()
        .into_iter()
        .map(|c| (c.marketplace.0, c.base_url))
        .collect();
    assert_eq!(listed, served);
    assert_eq!(listed.len(), CHANNELS.len());
    for conn in &directory.connections {
        assert!(
            conn.base_url.starts_with(&sandbox.base_url()),
            "{}",
            conn.base_url
        );
        let expected = jumun_protocol::connections::StoredCredentials::from(
            sandbox.connection(&conn.marketplace).unwrap().credentials,
        );
        assert!(conn.credentials == expected, "{}", conn.marketplace);
    }
    let cafe24 = directory
        .connections
        .iter()
        .find(|c| c.marketplace == "cafe24")
        .unwrap();
    assert_eq!(
        cafe24
            .carrier_codes
            .as_ref()
            .and_then(|codes| codes.get("cj"))
            .map(String::as_str),
        Some("0006")
    );
    sandbox.shutdown().await.unwrap();
}

/// `lastChangedFrom` is inclusive: the next poll from the cursor reads nothing again when
/// nothing changed.
#[tokio::test(flavor = "multi_thread")]
async fn a_naver_poll_from_the_cursor_does_not_read_the_last_change_again() {
    let sandbox = start(17, recent_epoch(), None).await;
    let conn = sandbox.connection("smartstore").unwrap();
    for feed in ["orders", "claims"] {
        let first = if feed == "orders" {
            orders_of(&conn).await.next_cursor
        } else {
            claims_of(&conn).await.next_cursor
        };
        assert!(first.as_str().contains('|'), "{feed}: {first:?}");
        let (c, cursor) = (conn.clone(), first.clone());
        let (orders, claims, next) = tokio::task::spawn_blocking(move || {
            let adapter = adapter_for("smartstore");
            let orders = adapter.collect_orders(&c, &cursor).unwrap();
            let claims = adapter.collect_claims(&c, &cursor).unwrap();
            (orders.items.len(), claims.items.len(), orders.next_cursor)
        })
        .await
        .unwrap();
        assert_eq!(
            (orders, claims),
            (0, 0),
            "{feed}: read again from {first:?}"
        );
        assert_eq!(next, first, "{feed}");
    }
    sandbox.shutdown().await.unwrap();
}

/// Issue 13, point 1: Naver answers only the 24 hours after `lastChangedFrom`, so a cursor older
/// than a quiet day must move on to the next window instead of asking the same empty one forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_naver_cursor_before_a_quiet_day_moves_on_to_the_changes_after_it() {
    let epoch = recent_epoch();
    let sandbox = start(23, epoch, None).await;
    let conn = sandbox.connection("smartstore").unwrap();
    let fresh = orders_of(&conn).await;
    assert!(!fresh.items.is_empty(), "the backlog has smartstore orders");
    // Three quiet days before the sandbox's first order.
    let old = Cursor(
        (epoch - Duration::days(3))
            .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string(),
    );
    let (c, cursor) = (conn.clone(), old.clone());
    let (orders, claims) = tokio::task::spawn_blocking(move || {
        let adapter = adapter_for("smartstore");
        (
            adapter.collect_orders(&c, &cursor).unwrap(),
            adapter.collect_claims(&c, &cursor).unwrap(),
        )
    })
    .await
    .unwrap();
    let numbers = |c: &Collected<MarketOrder>| {
        c.items
            .iter()
            .map(|o| o.order_no.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(numbers(&orders), numbers(&fresh), "from {old:?}");
    assert_eq!(orders.next_cursor, fresh.next_cursor);
    assert_eq!(claims.next_cursor, fresh.next_cursor);
    sandbox.shutdown().await.unwrap();
}

/// Naver's window: `lastChangedTo` defaults to 24 hours after `lastChangedFrom`, and a longer
/// window is refused.
#[tokio::test(flavor = "multi_thread")]
async fn the_naver_sandbox_answers_one_day_at_most() {
    let epoch = recent_epoch();
    // Raw calls in quick succession, without the adapters' pacing: no request limits.
    let sandbox = spawn(SandboxConfig {
        rate_limits: false,
        ..config(23, epoch, None)
    })
    .await
    .unwrap();
    let url = |from: DateTime<FixedOffset>, to: Option<DateTime<FixedOffset>>| {
        let f = |t: DateTime<FixedOffset>| {
            t.format("%Y-%m-%dT%H:%M:%S%.3f%:z")
                .to_string()
                .replace('+', "%2B")
        };
        let mut url = format!(
            "{}/external/v1/pay-order/seller/product-orders/last-changed-statuses?lastChangedFrom={}",
            sandbox.base_url(),
            f(from)
        );
        if let Some(to) = to {
            url.push_str(&format!("&lastChangedTo={}", f(to)));
        }
        url
    };
    let count = |body: &str| {
        let v: Value = serde_json::from_str(body).unwrap();
        v["data"]["lastChangeStatuses"].as_array().unwrap().len()
    };
    let day_before = epoch - Duration::hours(25);
    let (status, body) = get(url(day_before, None), Some("Bearer x")).await;
    assert_eq!((status, count(&body)), (200, 0), "{body}");
    let (status, body) = get(url(day_before - Duration::hours(1), None), Some("Bearer x")).await;
    assert_eq!(status, 200, "{body}");
    let from = epoch - Duration::hours(2);
    let (_, body) = get(url(from, None), Some("Bearer x")).await;
    let whole_day = count(&body);
    assert!(whole_day > 0, "{body}");
    let (_, body) = get(
        url(from, Some(from + Duration::hours(24))),
        Some("Bearer x"),
    )
    .await;
    assert_eq!(count(&body), whole_day, "{body}");
    let (status, body) = get(
        url(
            from,
            Some(from + Duration::hours(24) + Duration::seconds(1)),
        ),
        Some("Bearer x"),
    )
    .await;
    assert_eq!(status, 400, "a window of 24 h 1 s is answered");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["invalidInputs"][0]["name"], "lastChangedTo", "{body}");
    sandbox.shutdown().await.unwrap();
}

/// Issue 13, point 2: Naver sends a claim's details under `currentClaim` only (the sandbox
/// renders `wire::ProductOrderInfo`, which has no other place for them); the reason, the request
/// date and the quantity asked reach the console.
#[tokio::test(flavor = "multi_thread")]
async fn naver_claims_keep_their_reason_date_and_quantity_from_current_claim() {
    let sandbox = start(29, recent_epoch(), None).await;
    let conn = sandbox.connection("smartstore").unwrap();
    let orders = orders_of(&conn).await;
    let claims = claims_of(&conn).await;
    assert!(
        !claims.items.is_empty(),
        "the scripts made smartstore claims"
    );
    for claim in &claims.items {
        let (order, line) = orders
            .items
            .iter()
            .find_map(|o| {
                let line = o
                    .lines
                    .iter()
                    .find(|l| l.keys.line_no == claim.keys.line_no)?;
                Some((o, line))
            })
            .unwrap_or_else(|| panic!("no order line for {:?}", claim.keys));
        let of = &claim.keys.line_no;
        assert_eq!(claim.quantity, Some(line.quantity), "{of:?}");
        assert!(claim.reported_at > order.ordered_at, "{of:?}: {claim:?}");
        let reason = match claim.kind {
            ClaimKind::Cancel => Reason::ChangeOfMind,
            ClaimKind::Return | ClaimKind::Exchange => Reason::OptionChange,
        };
        assert_eq!(claim.reason, reason, "{of:?}");
    }
    sandbox.shutdown().await.unwrap();
}

fn upload_for(order: &MarketOrder, tracking_no: &str) -> InvoiceUpload {
    InvoiceUpload {
        order_no: order.order_no.clone(),
        lines: order.lines.iter().map(|l| l.keys.clone()).collect(),
        shipment_no: order.lines[0].shipment_no.clone(),
        carrier: Carrier("cj".into()),
        // Cafe24's mall code comes from the sandbox connection's carrier codes (`cj` → 0006).
        carrier_code: None,
        tracking_no: tracking_no.to_owned(),
        shipped_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_invoice_ships_the_order_and_a_cancelled_one_is_refused() {
    let sandbox = start(13, recent_epoch(), None).await;
    for code in ["cafe24", "smartstore", "coupang", "gmarket"] {
        let conn = sandbox.connection(code).unwrap();
        let collected = orders_of(&conn).await;
        let order = collected
            .items
            .iter()
            .find(|o| {
                o.lines
                    .iter()
                    .all(|l| matches!(l.status.as_str(), "N10" | "PAYED" | "ACCEPT" | "결제완료"))
            })
            .unwrap_or_else(|| panic!("{code}: no paid order"));
        let tracking = format!("6{:011}", order.order_no.len() * 7919);
        // Coupang takes an invoice only after 상품준비중 처리 (a no-op elsewhere).
        let (c, o) = (conn.clone(), order.clone());
        let refused = tokio::task::spawn_blocking(move || {
            adapter_for(c.marketplace.as_str()).prepare_orders(&c, &[o])
        })
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(refused.is_empty(), "{code}: {refused:?}");
        send_invoice(&conn, upload_for(order, &tracking))
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        let view = json(format!(
            "{}/sandbox/orders?marketplace={code}",
            sandbox.base_url()
        ))
        .await;
        let mine = view["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["order"]["order_no"] == order.order_no.as_str())
            .unwrap();
        for line in mine["lines"].as_array().unwrap() {
            assert_eq!(line["delivery"]["state"], "shipped", "{code}: {line}");
            assert_eq!(
                line["delivery"]["invoice"]["tracking_no"],
                tracking.as_str()
            );
            assert_eq!(line["delivery"]["invoice"]["by_console"], true);
        }
        // The marketplace now reports it shipped.
        let again = orders_of(&conn).await;
        let shipped = again
            .items
            .iter()
            .find(|o| o.order_no == order.order_no)
            .unwrap();
        assert!(
            shipped
                .lines
                .iter()
                .all(|l| matches!(l.status.as_str(), "N30" | "DELIVERING" | "배송중")),
            "{code}: {:?}",
            shipped.lines
        );
    }
    // A cancelled Naver line cannot be dispatched: the marketplace says so.
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    let cancelled = state["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["scenario"] == "cancel-before-invoice/smartstore" && p["cycle"] == 0)
        .unwrap()["order_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let conn = sandbox.connection("smartstore").unwrap();
    let collected = orders_of(&conn).await;
    let order = collected
        .items
        .iter()
        .find(|o| o.order_no == cancelled)
        .unwrap();
    let err = send_invoice(&conn, upload_for(order, "600000000001"))
        .await
        .unwrap_err();
    assert!(matches!(err, AdapterError::Rejected { .. }), "{err}");
    assert!(err.to_string().contains("취소"), "{err}");
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_orders_are_served_when_asked_and_the_rest_still_parses() {
    let sandbox = start(17, recent_epoch(), Some(4)).await;
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    assert!(!state["malformed_orders"].as_array().unwrap().is_empty());
    for code in ["cafe24", "smartstore", "coupang", "ably"] {
        let collected = orders_of(&sandbox.connection(code).unwrap()).await;
        assert!(!collected.malformed.is_empty(), "{code}: nothing malformed");
        assert!(
            !collected.items.is_empty(),
            "{code}: the good orders were lost"
        );
        assert!(
            collected.malformed[0].raw.contains("한 개"),
            "{code}: {:?}",
            collected.malformed[0]
        );
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_credentials_or_with_bad_input_get_each_marketplaces_error_shape() {
    let sandbox = start(19, recent_epoch(), None).await;
    let base = sandbox.base_url();
    let (status, body) = get(
        format!("{base}/api/v2/admin/orders?start_date=2024-01-01&end_date=2024-01-02"),
        None,
    )
    .await;
    assert_eq!(status, 401);
    let parsed: jumun_server::marketplaces::cafe24::wire::ErrorResponse =
        serde_json::from_str(&body).unwrap();
    assert_eq!(parsed.error.code, Some(401));
    let (status, body) = get(
        format!("{base}/api/v2/admin/orders?start_date=yesterday&end_date=2024-01-02"),
        Some("Bearer x"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = get(
        format!("{base}/external/v1/pay-order/seller/product-orders/last-changed-statuses"),
        Some("Bearer x"),
    )
    .await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["invalidInputs"][0]["name"], "lastChangedFrom");
    let (status, _) = get(format!("{base}/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?createdAtFrom=2024-01-01&createdAtTo=2024-01-02&status=ACCEPT"), Some("Bearer x")).await;
    assert_eq!(status, 401);
    let (status, _) = get(
        format!("{base}/generic/nosuchmarket/orders"),
        Some("Bearer x"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = post(format!("{base}/generic/11st/invoices"), "{}".into()).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = post(format!("{base}/sandbox/clock"), "not json".into()).await;
    assert_eq!(status, 400);
    let (status, body) = post(
        format!("{base}/sandbox/clock"),
        r#"{"advance_secs": 1.5}"#.into(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["now_ms"],
        601_500
    );
    sandbox.shutdown().await.unwrap();
}

#[test]
fn the_binary_refuses_a_dilated_clock_without_its_anchor() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jumun-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--clock-rate", "720"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--clock-anchor"), "{stderr}");
}

#[test]
fn the_binary_prints_where_it_listens_and_keeps_its_epoch_in_the_data_dir() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jumun-sandbox"))
        .args(["--seed", "3", "--addr", "127.0.0.1:0", "--speed", "20"])
        .arg("--data-dir")
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("sandbox listening on http://127.0.0.1:"),
        "{first}"
    );
    let epoch = std::fs::read_to_string(data.join(jumun_sandbox::cli::EPOCH_FILE)).unwrap();
    assert!(DateTime::parse_from_rfc3339(&epoch).is_ok(), "{epoch}");
}

/// Issue 13, point 8: a Cafe24 claim completed on a later day than it was asked is listed by
/// its completion day (`date_type=cancel_complete_date`), so a run whose window starts after the
/// request still sees it done. The sandbox's Cafe24 cancel (scenario 1 of the cycle) is asked
/// 8.5 s and done 14.5 s after the epoch (speed 10); the epoch puts midnight KST between them.
#[tokio::test(flavor = "multi_thread")]
async fn a_cafe24_cancel_done_the_day_after_it_was_asked_is_collected_done() {
    let script = SCRIPTS
        .iter()
        .position(|s| s.name == "cancel-before-invoice/cafe24")
        .unwrap();
    assert_eq!(script, 1, "the timing below assumes the second scenario");
    // Yesterday's midnight in Korea (so every date the sandbox serves is in the adapter's past).
    let today = Utc::now().with_timezone(&KOREA).date_naive();
    let midnight = (today - Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(KOREA)
        .unwrap();
    let epoch = midnight - Duration::milliseconds(11_500);
    let sandbox = start(31, epoch, None).await;
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    let order_no = state["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["cycle"] == 0 && p["scenario"] == "cancel-before-invoice/cafe24")
        .and_then(|p| p["order_no"].as_str())
        .unwrap()
        .to_owned();
    let conn = sandbox.connection("cafe24").unwrap();
    let claims_from = |day: String| {
        let conn = conn.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                adapter_for("cafe24")
                    .collect_claims(&conn, &Cursor(day))
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let words = |c: &Collected<MarketClaim>| {
        c.items
            .iter()
            .filter(|c| c.keys.order_no == order_no)
            .map(|c| c.status.clone())
            .collect::<Vec<_>>()
    };
    // A run from the day it was asked sees it (by its request day).
    let asked_day = (today - Duration::days(2)).format("%Y-%m-%d").to_string();
    assert_eq!(words(&claims_from(asked_day).await), ["취소완료-환불전"]);
    // A run from the next day sees it done (by its completion day).
    let done_day = (today - Duration::days(1)).format("%Y-%m-%d").to_string();
    assert_eq!(
        words(&claims_from(done_day.clone()).await),
        ["취소완료-환불전"],
        "a run from {done_day} misses the cancel asked the day before and done on {done_day}"
    );
    sandbox.shutdown().await.unwrap();
}

/// A sandbox with `per_day` Cafe24 orders on each of the `days` days before a recent epoch.
async fn start_with_bulk(days: u32, per_day: u32) -> (SandboxHandle, DateTime<FixedOffset>) {
    let epoch = recent_epoch();
    let sandbox = spawn(SandboxConfig {
        seed: 5,
        addr: "127.0.0.1:0".parse().unwrap(),
        speed: SPEED,
        epoch: Some(epoch),
        clock: ClockMode::Manual,
        start_at_ms: 600_000,
        bulk: Some(jumun_sandbox::scenario::BulkOrders {
            channel: "cafe24",
            days,
            per_day,
        }),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    (sandbox, epoch)
}

async fn cafe24_orders_from(
    conn: &Connection,
    day: chrono::NaiveDate,
) -> Result<Collected<MarketOrder>, AdapterError> {
    let conn = conn.clone();
    let cursor = Cursor(day.format("%Y-%m-%d").to_string());
    tokio::task::spawn_blocking(move || adapter_for("cafe24").collect_orders(&conn, &cursor))
        .await
        .unwrap()
}

/// Issue 13, point 13: Cafe24 lists at most 15,000 orders a search (`offset` stops there). A
/// window holding more is read again day by day, so all 18,000 orders of two busy days come in.
#[tokio::test(flavor = "multi_thread")]
async fn cafe24_orders_past_the_offset_cap_are_read_day_by_day() {
    let (sandbox, epoch) = start_with_bulk(2, 9_000).await;
    let first = epoch.date_naive() - Duration::days(2);
    let (_, truth) = sandbox.shared().snapshot();
    let held = truth
        .iter()
        .filter(|o| o.order.channel == "cafe24" && o.order.ordered_at.date_naive() >= first)
        .count();
    assert!(held > 18_000, "{held}");
    let conn = sandbox.connection("cafe24").unwrap();
    let got = cafe24_orders_from(&conn, first).await.expect("collected");
    assert_eq!(got.items.len(), held, "every order of the window, once");
    let unique: std::collections::HashSet<&str> =
        got.items.iter().map(|o| o.order_no.as_str()).collect();
    assert_eq!(unique.len(), held);
    sandbox.shutdown().await.unwrap();
}

/// A single day over the cap cannot be split: the run fails naming the day, and nothing is
/// silently left out.
#[tokio::test(flavor = "multi_thread")]
async fn a_cafe24_day_over_the_offset_cap_is_said_not_cut() {
    let (sandbox, epoch) = start_with_bulk(1, 15_200).await;
    let day = epoch.date_naive() - Duration::days(1);
    let conn = sandbox.connection("cafe24").unwrap();
    let err = cafe24_orders_from(&conn, day)
        .await
        .expect_err("one day over the cap");
    let text = err.to_string();
    assert!(
        text.contains(&day.format("%Y-%m-%d").to_string()) && text.contains("15000"),
        "{text}"
    );
    sandbox.shutdown().await.unwrap();
}

/// Issue 13, point 11: Cafe24 answers 207 when the objects of one shipments request end
/// differently. The sandbox's Cafe24 cancel scenario has two items, the first cancelled: an
/// invoice for both ships the second only, and the adapter says the first was not taken
/// instead of reporting the whole invoice sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_cafe24_invoice_taken_for_some_items_only_is_reported_not_sent() {
    let sandbox = start(11, recent_epoch(), None).await;
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    let order_no = state["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["cycle"] == 0 && p["scenario"] == "cancel-before-invoice/cafe24")
        .and_then(|p| p["order_no"].as_str())
        .unwrap()
        .to_owned();
    let conn = sandbox.connection("cafe24").unwrap();
    let orders = orders_of(&conn).await;
    let order = orders
        .items
        .iter()
        .find(|o| o.order_no == order_no)
        .expect("the scenario's order")
        .clone();
    assert_eq!(order.lines.len(), 2);
    let (cancelled, shipping) = (
        order.lines[0].keys.line_no.clone().unwrap(),
        order.lines[1].keys.line_no.clone().unwrap(),
    );
    let err = send_invoice(&conn, upload_for(&order, "612300000011"))
        .await
        .expect_err("the cancelled item is not taken");
    match &err {
        AdapterError::InvoicePartlyTaken { lines, reason, .. } => {
            assert_eq!(lines, &cancelled, "{err}");
            assert!(reason.contains(&cancelled), "{err}");
        }
        other => panic!("not a partial answer: {other}"),
    }
    // The other item did ship.
    let view = sandbox_order_lines(&sandbox, &order_no);
    assert!(view[&shipping], "{view:?}");
    assert!(!view[&cancelled], "{view:?}");
    sandbox.shutdown().await.unwrap();
}

/// Whether each line of a sandbox order has an invoice, by line number.
fn sandbox_order_lines(sandbox: &SandboxHandle, order_no: &str) -> HashMap<String, bool> {
    let (_, orders) = sandbox.shared().snapshot();
    orders
        .iter()
        .find(|o| o.order.order_no == order_no)
        .map(|o| {
            o.lines
                .iter()
                .map(|l| (l.line.line_no.clone(), l.delivery.invoice().is_some()))
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 13, point 12: every Cafe24 call pins its API version (`X-Cafe24-Api-Version`): the
/// connection's own, or the adapter's when it names none, so a change of the app's version in
/// the developer centre cannot change what a running connection reads.
#[tokio::test(flavor = "multi_thread")]
async fn every_cafe24_call_pins_the_connections_api_version() {
    let sandbox = start(11, recent_epoch(), None).await;
    let conn = sandbox.connection("cafe24").unwrap();
    assert_eq!(
        conn.api_version, None,
        "the sandbox's connection names none"
    );
    let orders = orders_of(&conn).await;
    claims_of(&conn).await;
    let order = orders
        .items
        .iter()
        .find(|o| o.lines.len() == 1)
        .expect("a one-line order")
        .clone();
    let _ = send_invoice(&conn, upload_for(&order, "612300000077")).await;
    let seen = sandbox.shared().cafe24_versions();
    assert!(
        seen.len() >= 11,
        "orders, nine claim searches, the invoice: {seen:?}"
    );
    let pinned = jumun_server::marketplaces::cafe24::PINNED_API_VERSION;
    assert!(seen.iter().all(|v| v == pinned), "{seen:?}");

    let mut own = conn.clone();
    own.api_version = Some("2024-09-01".into());
    let before = seen.len();
    orders_of(&own).await;
    let seen = sandbox.shared().cafe24_versions();
    assert!(seen.len() > before);
    assert!(seen[before..].iter().all(|v| v == "2024-09-01"), "{seen:?}");
    sandbox.shutdown().await.unwrap();
}

/// Issue 13's long run: on a clock dilated 720 times (12 hours a real minute) the marketplace's
/// "now" and its orders' timestamps run far ahead of the real time that passed.
#[tokio::test(flavor = "multi_thread")]
async fn a_dilated_clock_runs_the_marketplace_faster_than_real_time() {
    let rate = 720.0;
    let real = std::time::Instant::now();
    let anchor = Utc::now().timestamp_millis();
    let sandbox = spawn(SandboxConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        backlog: 0,
        market_clock: jumun_sandbox::MarketClock::new(rate, Some(anchor)).unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let listed = json(format!("{}/sandbox/orders", sandbox.base_url())).await;
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    let real_ms = real.elapsed().as_millis() as i64;
    assert_eq!(state["clock_rate"], rate);
    assert_eq!(state["clock_anchor_ms"], anchor);
    let epoch = DateTime::parse_from_rfc3339(state["epoch"].as_str().unwrap()).unwrap();
    // The sandbox started at the marketplace clock's now, a moment after the anchor.
    assert!(epoch.timestamp_millis() - anchor <= real_ms * 1_000);
    // 720 times the real time: well over ten times, however slow the machine.
    let now_ms = state["now_ms"].as_i64().unwrap();
    assert!(
        now_ms > 10 * real_ms,
        "{now_ms} ms of marketplace time in {real_ms} real ms"
    );
    let latest = listed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["order"]["ordered_at"].as_str())
        .map(|t| DateTime::parse_from_rfc3339(t).unwrap())
        .max()
        .expect("orders arrived");
    let span = (latest - epoch).num_milliseconds();
    assert!(
        span > 10 * real_ms,
        "orders span {span} ms in {real_ms} real ms"
    );
    sandbox.shutdown().await.unwrap();
}

/// `--day-pattern 1,0,4`: the quiet day lists no order at all (no stream order, no scenario),
/// the burst day four times the stream orders of the normal day.
#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_day_lists_no_orders_and_a_burst_day_four_times_a_normal_days() {
    let day = |d: i64| {
        (Utc::now().with_timezone(&KOREA).date_naive() + Duration::days(d))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(KOREA)
            .unwrap()
    };
    // Days 0, 1 and 2 of the pattern end before today.
    let epoch = day(-4);
    let sandbox = spawn(SandboxConfig {
        seed: 11,
        addr: "127.0.0.1:0".parse().unwrap(),
        // Scenario cycles of two hours, a stream order every four hours on a normal day.
        speed: 0.25,
        order_interval_secs: 3_600,
        epoch: Some(epoch),
        clock: ClockMode::Manual,
        start_at_ms: 3 * 86_400_000 - 1,
        day_pattern: Some("1,0,4".parse().unwrap()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let listed = json(format!("{}/sandbox/orders", sandbox.base_url())).await;
    let mut stream = [0; 3];
    let mut scripted = [0; 3];
    for order in listed["orders"].as_array().unwrap() {
        let at = order["arrived_at"].as_i64().unwrap();
        if at < 0 {
            continue; // the backlog
        }
        let d = (at / 86_400_000) as usize;
        let ordered_at =
            DateTime::parse_from_rfc3339(order["order"]["ordered_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&KOREA);
        assert_eq!(ordered_at.date_naive(), day(d as i64 - 4).date_naive());
        if order["scenario"].is_null() {
            stream[d] += 1;
        } else {
            scripted[d] += 1;
        }
    }
    assert_eq!(stream[1] + scripted[1], 0, "the quiet day");
    assert!(stream[0] > 0 && scripted[0] > 0 && scripted[2] > 0);
    assert_eq!(stream[2], 4 * stream[0], "the burst day");
    // Bursts multiply the stream, not the scenarios.
    assert_eq!(scripted[2], scripted[0]);
    let state = json(format!("{}/sandbox/state", sandbox.base_url())).await;
    assert_eq!(state["day_pattern"], serde_json::json!([1, 0, 4]));
    assert_eq!(state["day"], serde_json::json!({"day": 2, "weight": 4}));
    sandbox.shutdown().await.unwrap();
}
