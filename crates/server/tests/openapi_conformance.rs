//! The API speaks `jumun-protocol`, and its OpenAPI document says so.
//!
//! - Every route of the served `/api/openapi.json` names its JSON request body and each JSON
//!   response by a component schema, and every component the document holds is exactly the
//!   schema `utoipa` derives from the protocol type of that name
//!   ([`jumun_protocol::openapi::components`]); query parameters are those of a protocol query
//!   type. A route added with a hand-written or inline body fails here.
//! - A sample value of every protocol type serialises to JSON that deserialises back equal.
//! - Over real HTTP, against a server with the demo store, each route's actual answer —
//!   success, and the 401 of a protected route without a token — deserialises into the protocol
//!   type its document names, and serialises back to the very same JSON (no field the protocol
//!   does not know, none missing).

mod support;

use chrono::{DateTime, TimeZone, Utc};
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::dashboard::Dashboard;
use jumun_core::ids::OrderId;
use jumun_core::marketplace::MarketplaceKeys;
use jumun_core::stock::{Sku, StockItem};
use jumun_core::{Actor, Change, Command, Event, Refusal};
use jumun_protocol::auth::{LoggedOut, LoginRequest, LoginResponse, Me, Role, StoreInfo, UserInfo};
use jumun_protocol::connections::{
    ConnectionInfo, ConnectionList, ConnectionPatch, LimitQuery, MalformedList, MalformedRecord,
    NewConnection, RunList, RunRecord, StoredCredentials, Trigger,
};
use jumun_protocol::dashboard::DashboardFigures;
use jumun_protocol::health::{DatabaseStatus, Engine, Health};
use jumun_protocol::sync::{
    Answer, AnswerOutcome, ChangesPage, ChangesQuery, IdBlockAnswer, Invalid, InvalidCode,
    InvalidStatus, OpAnswer, OpResult, Operation, PulledEvent, PushRequest, PushResponse,
    PushSummary, ReserveIds,
};
use jumun_protocol::users::{CreateUser, UserList};
use jumun_protocol::ApiErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use support::TestServer;
use utoipa::{IntoParams, ToSchema};

/// Routes whose answer is not a protocol type: the OpenAPI document describes itself by its
/// own standard.
const NOT_PROTOCOL: &[(&str, &str)] = &[("get", "/api/openapi.json")];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads JSON as one protocol type and writes it back as JSON.
type Decode = fn(&Value) -> Result<Value, String>;

/// One protocol type, checked by name: a JSON text deserialises into it and serialises back to
/// the same JSON.
struct ProtocolType {
    name: String,
    decode: Decode,
}

fn decode_as<T: Serialize + DeserializeOwned>(json: &Value) -> Result<Value, String> {
    let value: T = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&value).map_err(|e| e.to_string())
}

/// A sample value of a protocol type: round-trips through JSON, and registers the type's
/// decoder under its schema name.
fn sample<T>(value: T) -> ProtocolType
where
    T: ToSchema + Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(&value).unwrap();
    let back: T = serde_json::from_str(&json)
        .unwrap_or_else(|err| panic!("{}: {json} does not read back ({err})", T::name()));
    assert_eq!(back, value, "{} round trip through {json}", T::name());
    ProtocolType {
        name: T::name().into_owned(),
        decode: decode_as::<T>,
    }
}

fn t(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_000_000 + seconds, 0).unwrap()
}

fn user() -> UserInfo {
    UserInfo {
        login: "demo".into(),
        name: "데모 대표".into(),
        role: Role::Owner,
        created_at: t(0),
    }
}

fn store() -> StoreInfo {
    StoreInfo {
        code: "demo".into(),
        name: "데모 상점".into(),
    }
}

fn memo() -> Command {
    Command::AddMemo {
        order: OrderId(1),
        text: "문 앞에 놓아 주세요".into(),
        kind: jumun_core::order::MemoKind::Order,
    }
}

fn run_record() -> RunRecord {
    RunRecord {
        finished_at: Some(t(5)),
        orders_new: 3,
        notes: vec!["주문 1건 건너뜀".into()],
        error: Some("the marketplace did not answer".into()),
        ..RunRecord::started(7, 2, Trigger::Manual, t(1))
    }
}

fn connection() -> ConnectionInfo {
    ConnectionInfo {
        id: 2,
        marketplace: "coupang".into(),
        marketplace_name: "쿠팡".into(),
        base_url: "https://api-gateway.coupang.com".into(),
        credentials_kind: "coupang_hmac".into(),
        credentials_error: None,
        period_seconds: 900,
        enabled: true,
        orders_cursor: "2026-11-24T00:00:00Z".into(),
        claims_cursor: String::new(),
        failures: 0,
        next_run_at: t(900),
        created_at: t(0),
        updated_at: t(0),
        carrier_codes: BTreeMap::from([("cj".into(), "CJGLS".into())]),
        api_version: String::new(),
        last_run: Some(run_record()),
        unacknowledged_claims: 1,
    }
}

fn malformed() -> MalformedRecord {
    MalformedRecord {
        id: 1,
        connection_id: 2,
        marketplace: "coupang".into(),
        first_run_id: 7,
        last_run_id: 8,
        received_at: t(1),
        last_seen_at: t(2),
        times_seen: 2,
        feed: "orders".into(),
        at_path: "GET /v2/orders $.data[3]".into(),
        error: "orderId: missing".into(),
        raw: r#"{"orderItems": []}"#.into(),
    }
}

fn refused() -> OpResult {
    OpResult::Refused {
        refusal: Refusal::NothingSelected,
        code: "nothing_selected".into(),
        message: Refusal::NothingSelected.to_string(),
        korean: Refusal::NothingSelected.korean(),
    }
}

fn invalid() -> Invalid {
    Invalid::new(InvalidCode::ClockAhead, "at: ahead of the server's clock")
}

/// Every protocol type, each with at least one sample value (all variants of the enums).
fn protocol_types() -> Vec<ProtocolType> {
    let accepted = OpResult::Accepted {
        seq_from: 4,
        seq_to: 6,
        events: 3,
    };
    let op = Operation {
        key: "0b6c3c2e-1f0a-4e39-9d8e-7f1d2c3b4a59".into(),
        at: t(3),
        command: memo(),
    };
    let pulled = PulledEvent {
        seq: 5,
        event: Event {
            at: t(4),
            actor: Actor::Operator("demo".into()),
            change: Change::PaymentConfirmed { order: OrderId(1) },
        },
        key: Some(op.key.clone()),
    };
    let credentials = [
        StoredCredentials::None,
        StoredCredentials::Bearer {
            access_token: "token".into(),
        },
        StoredCredentials::NaverClient {
            client_id: "id".into(),
            client_secret: "secret".into(),
        },
        StoredCredentials::CoupangHmac {
            access_key: "ak".into(),
            secret_key: "sk".into(),
            vendor_id: "A00012345".into(),
        },
        StoredCredentials::ApiKey { key: "key".into() },
    ];
    let mut types = vec![
        sample(ApiErrorBody {
            code: "not_found".into(),
            message: "no API endpoint at /api/nothing".into(),
        }),
        sample(Health {
            status: "ok".into(),
            version: "0.1.0".into(),
            database: DatabaseStatus {
                engine: Engine::Sqlite,
                schema_version: 7,
            },
        }),
        sample(DatabaseStatus {
            engine: Engine::Postgres,
            schema_version: 7,
        }),
        sample(Engine::Sqlite),
        sample(Engine::Postgres),
        sample(LoginRequest {
            store: "demo".into(),
            login: "demo".into(),
            password: "demo1234".into(),
        }),
        sample(LoginResponse {
            token: "tok".into(),
            expires_at: t(604_800),
            user: user(),
            store: store(),
        }),
        sample(Me {
            user: user(),
            store: store(),
            expires_at: t(604_800),
        }),
        sample(LoggedOut { logged_out: true }),
        sample(user()),
        sample(store()),
        sample(UserList {
            users: vec![user()],
        }),
        sample(CreateUser {
            login: "kim".into(),
            name: "김 운영".into(),
            role: Role::Operator,
            password: "password123".into(),
        }),
        sample(ReserveIds { count: 1000 }),
        sample(IdBlockAnswer {
            start: 1001,
            len: 1000,
        }),
        sample(PushRequest {
            ops: vec![op.clone()],
        }),
        sample(op),
        sample(PushResponse {
            results: vec![
                OpAnswer {
                    key: Some("a".into()),
                    answer: Answer::Done(accepted.clone()),
                },
                OpAnswer {
                    key: Some("b".into()),
                    answer: Answer::Done(refused()),
                },
                OpAnswer {
                    key: None,
                    answer: Answer::Invalid(invalid()),
                },
            ],
        }),
        sample(OpAnswer {
            key: Some("c".into()),
            answer: Answer::Invalid(invalid()),
        }),
        sample(Answer::Done(accepted.clone())),
        sample(Answer::Done(refused())),
        sample(Answer::Invalid(invalid())),
        sample(accepted),
        sample(refused()),
        sample(invalid()),
        sample(InvalidStatus::Invalid),
        sample(ChangesPage {
            events: vec![pulled.clone()],
            next: 5,
            more: false,
            head: 5,
        }),
        sample(pulled),
        sample(NewConnection {
            marketplace: "coupang".into(),
            base_url: "https://api-gateway.coupang.com".into(),
            credentials: credentials[3].clone(),
            period_seconds: Some(600),
            enabled: None,
            carrier_codes: Some(BTreeMap::from([("cj".into(), "CJGLS".into())])),
            api_version: None,
        }),
        sample(ConnectionPatch {
            enabled: Some(false),
            ..ConnectionPatch::default()
        }),
        sample(ConnectionList {
            connections: vec![connection()],
        }),
        sample(connection()),
        sample(run_record()),
        sample(Trigger::Schedule),
        sample(Trigger::Manual),
        sample(RunList {
            runs: vec![run_record()],
        }),
        sample(MalformedList {
            malformed: vec![malformed()],
        }),
        sample(malformed()),
        sample(DashboardFigures {
            counters: Dashboard {
                unmatched_cancels: 1,
                exchange_delays: 2,
                ..Dashboard::default()
            },
            unmatched_cancels: vec![CancelRecord {
                marketplace: "coupang".into(),
                status: "취소완료".into(),
                keys: MarketplaceKeys {
                    order_no: "C-404".into(),
                    ..MarketplaceKeys::default()
                },
                quantity: None,
                claim_no: Some("CL-1".into()),
                reported_at: t(9),
            }],
            counted_at: t(10),
        }),
    ];
    for role in [Role::Owner, Role::Operator, Role::Viewer] {
        types.push(sample(role));
    }
    for code in [
        InvalidCode::InvalidOp,
        InvalidCode::InvalidKey,
        InvalidCode::InvalidTime,
        InvalidCode::ClockAhead,
        InvalidCode::InvalidCommand,
    ] {
        types.push(sample(code));
    }
    for credentials in credentials {
        types.push(sample(credentials));
    }
    types
}

/// The decoders of [`protocol_types`] by schema name.
fn decoders() -> BTreeMap<String, Decode> {
    protocol_types()
        .into_iter()
        .map(|t| (t.name, t.decode))
        .collect()
}

/// The protocol's query types' parameters, as JSON.
fn protocol_query_parameters() -> Vec<Value> {
    [
        ChangesQuery::into_params(|| None),
        LimitQuery::into_params(|| None),
    ]
    .into_iter()
    .map(|params| serde_json::to_value(params).unwrap())
    .collect()
}

/// A server with the demo store (owner `demo` / `demo1234`) and no marketplace behind it.
fn start() -> TestServer {
    TestServer::temporary(|_| {})
}

/// A request: method, path, bearer token, JSON body.
#[derive(Clone)]
struct Call {
    method: &'static str,
    path: String,
    token: Option<String>,
    body: Option<Value>,
}

impl Call {
    fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            token: None,
            body: None,
        }
    }

    fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    fn body(mut self, body: impl Serialize) -> Self {
        self.body = Some(serde_json::to_value(body).unwrap());
        self
    }
}

/// Status and JSON body of the answer.
fn send(base: &str, call: Call) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{base}{}", call.path);
    let auth = call.token.map(|token| format!("Bearer {token}"));
    let mut response = match (call.method, call.body) {
        ("get", _) => {
            let mut request = agent.get(&url);
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.call()
        }
        (method, body) => {
            let mut request = match method {
                "post" => agent.post(&url),
                "patch" => agent.patch(&url),
                other => panic!("no client for {other}"),
            };
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            match body {
                Some(body) => request.send_json(body),
                None => request.send_empty(),
            }
        }
    }
    .unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{url}: status {status}, not JSON ({err}): {text}"));
    (status, json)
}

async fn request(base: &str, call: Call) -> (u16, Value) {
    let base = base.to_owned();
    tokio::task::spawn_blocking(move || send(&base, call))
        .await
        .unwrap()
}

/// A successful answer decoded as the type `T`.
async fn answer<T: DeserializeOwned>(base: &str, call: Call) -> T {
    let what = format!("{} {}", call.method, call.path);
    let (status, json) = request(base, call).await;
    assert!((200..300).contains(&status), "{what}: {status} {json}");
    serde_json::from_value(json).unwrap_or_else(|err| panic!("{what}: {err}"))
}

async fn document(base: &str) -> Value {
    let (status, doc) = request(base, Call::new("get", "/api/openapi.json")).await;
    assert_eq!(status, 200, "{doc}");
    doc
}

/// `(method, path)` of every operation of the document.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                found.push((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

/// The component a JSON content names (`$ref: #/components/schemas/<name>`), or why not.
fn component_of(content: &Value) -> Result<String, String> {
    let schema = &content["application/json"]["schema"];
    schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
        .ok_or_else(|| format!("not a component of the protocol: {content}"))
}

/// Every `$ref` name inside a JSON value.
fn references(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                into.insert(name.to_owned());
            }
            map.values().for_each(|v| references(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_names_protocol_types_and_every_component_is_the_protocols() {
    let server = start();
    let doc = document(&server.base).await;
    let protocol: BTreeMap<String, Value> = jumun_protocol::openapi::components()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap()))
        .collect();
    let query_types = protocol_query_parameters();

    let mut referenced = BTreeSet::new();
    let mut problems = Vec::new();
    for (method, path) in operations(&doc) {
        let operation = &doc["paths"][&path][&method];
        if NOT_PROTOCOL.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        if let Some(body) = operation.get("requestBody") {
            match component_of(&body["content"]) {
                Ok(name) => {
                    referenced.insert(name);
                }
                Err(err) => problems.push(format!("{method} {path} request body: {err}")),
            }
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            match component_of(&response["content"]) {
                Ok(name) => {
                    referenced.insert(name);
                }
                Err(err) => problems.push(format!("{method} {path} {status}: {err}")),
            }
        }
        let query: Vec<&Value> = operation["parameters"]
            .as_array()
            .map(|all| all.iter().filter(|p| p["in"] == "query").collect())
            .unwrap_or_default();
        if !query.is_empty()
            && !query_types.iter().any(|params| {
                params
                    .as_array()
                    .is_some_and(|p| p.iter().eq(query.iter().copied()))
            })
        {
            problems.push(format!(
                "{method} {path}: query parameters {query:?} are not those of a protocol query type"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // Everything the document's components hold, and everything they refer to, is the
    // protocol's schema of that name, as utoipa derives it.
    let components = doc["components"]["schemas"]
        .as_object()
        .expect("components");
    references(&Value::Object(components.clone()), &mut referenced);
    referenced.extend(components.keys().cloned());
    for name in &referenced {
        let served = components
            .get(name)
            .unwrap_or_else(|| panic!("{name} is referenced but not in the document"));
        let derived = protocol
            .get(name)
            .unwrap_or_else(|| panic!("{name} is served but is no jumun-protocol type"));
        assert_eq!(
            served, derived,
            "{name}: the served schema is not the protocol type's"
        );
    }
    // The routes use the whole protocol: a type nobody answers is dead weight.
    let unused: Vec<_> = protocol
        .keys()
        .filter(|n| !referenced.contains(*n))
        .collect();
    assert!(
        unused.is_empty(),
        "protocol types no route uses: {unused:?}"
    );
}

#[test]
fn a_sample_of_every_protocol_type_round_trips_through_json() {
    let sampled: BTreeSet<String> = protocol_types().into_iter().map(|t| t.name).collect();
    let protocol: BTreeSet<String> = jumun_protocol::openapi::components().into_keys().collect();
    assert_eq!(
        sampled, protocol,
        "every protocol type has a sample here, and only those"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_routes_answers_over_http_are_its_protocol_types() {
    let server = start();
    let base = server.base.as_str();
    let doc = document(base).await;
    let decoders = decoders();

    // Sign in first: every other call needs the token.
    let login = Call::new("post", "/api/auth/login").body(LoginRequest {
        store: "demo".into(),
        login: "demo".into(),
        password: "demo1234".into(),
    });
    let signed_in: LoginResponse = answer(base, login.clone()).await;
    let token = signed_in.token.as_str();
    // A connection to a closed loopback port: its run fails fast, and says so in its record.
    let connection: ConnectionInfo = answer(
        base,
        Call::new("post", "/api/connections")
            .token(token)
            .body(NewConnection {
                marketplace: "zigzag".into(),
                base_url: "http://127.0.0.1:9".into(),
                credentials: StoredCredentials::None,
                period_seconds: Some(600),
                enabled: Some(false),
                carrier_codes: None,
                api_version: None,
            }),
    )
    .await;
    let id = connection.id;
    let block: IdBlockAnswer = answer(
        base,
        Call::new("post", "/api/ids")
            .token(token)
            .body(ReserveIds { count: 10 }),
    )
    .await;
    let push = PushRequest {
        ops: vec![
            Operation {
                key: "stock-1".into(),
                at: Utc::now(),
                command: Command::RegisterStockItem(StockItem {
                    sku: Sku(format!("SKU-{}", block.start)),
                    name: "티셔츠 블랙".into(),
                    barcode: None,
                    location: None,
                    on_hand: 3,
                    allocated: 0,
                }),
            },
            Operation {
                key: "memo-missing-order".into(),
                at: Utc::now(),
                command: memo(),
            },
        ],
    };

    // One call per route, in an order where each finds what it needs; sign-out last.
    let calls = vec![
        Call::new("get", "/api/health"),
        login,
        Call::new("get", "/api/me").token(token),
        Call::new("get", "/api/users").token(token),
        Call::new("post", "/api/users")
            .token(token)
            .body(CreateUser {
                login: "kim".into(),
                name: "김 운영".into(),
                role: Role::Viewer,
                password: "password123".into(),
            }),
        Call::new("post", "/api/ids")
            .token(token)
            .body(ReserveIds { count: 5 }),
        Call::new("post", "/api/ops").token(token).body(&push),
        Call::new(
            "get",
            ChangesQuery {
                since: 0,
                limit: Some(100),
            }
            .path(),
        )
        .token(token),
        Call::new("get", "/api/connections").token(token),
        Call::new("post", "/api/connections")
            .token(token)
            .body(NewConnection {
                marketplace: "ably".into(),
                base_url: "http://127.0.0.1:9/ably".into(),
                credentials: StoredCredentials::ApiKey { key: "k".into() },
                period_seconds: None,
                enabled: Some(false),
                carrier_codes: None,
                api_version: None,
            }),
        Call::new("patch", format!("/api/connections/{id}"))
            .token(token)
            .body(ConnectionPatch {
                period_seconds: Some(1200),
                ..ConnectionPatch::default()
            }),
        Call::new("post", format!("/api/connections/{id}/collect")).token(token),
        Call::new("get", format!("/api/connections/{id}/runs?limit=5")).token(token),
        Call::new("get", "/api/malformed").token(token),
        Call::new("get", "/api/dashboard").token(token),
        Call::new("post", "/api/auth/logout").token(token),
    ];
    let route_of = |call: &Call| -> (String, String) {
        let path = call.path.split('?').next().unwrap();
        let templated = path.replace(&format!("/{id}"), "/{id}");
        (call.method.to_owned(), templated)
    };
    let called: BTreeSet<(String, String)> = calls.iter().map(route_of).collect();
    let routes: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .filter(|(m, p)| !NOT_PROTOCOL.contains(&(m.as_str(), p.as_str())))
        .collect();
    assert_eq!(
        called, routes,
        "a call here for every route of the document (add one for a new route)"
    );

    let check = |route: &(String, String), status: u16, json: &Value| {
        let (method, path) = route;
        let response = &doc["paths"][path][method]["responses"][status.to_string()];
        assert!(
            !response.is_null(),
            "{method} {path}: answered {status}, which the document does not list: {json}"
        );
        let name = component_of(&response["content"]).unwrap();
        let decode = decoders
            .get(&name)
            .unwrap_or_else(|| panic!("{name}: no protocol type of that name"));
        let again = decode(json)
            .unwrap_or_else(|err| panic!("{method} {path} {status}: not a {name}: {err}: {json}"));
        assert_eq!(
            &again, json,
            "{method} {path} {status}: the answer has fields {name} does not know"
        );
    };

    for call in calls {
        let route = route_of(&call);
        // A protected route answers 401 without a token, as an `ApiErrorBody`.
        if call.token.is_some() {
            let anonymous = Call {
                token: None,
                ..call.clone()
            };
            let (status, json) = request(base, anonymous).await;
            assert_eq!(status, 401, "{route:?} without a token: {json}");
            check(&route, status, &json);
        }
        let (status, json) = request(base, call).await;
        assert!(
            (200..300).contains(&status),
            "{route:?} answered {status}: {json}"
        );
        check(&route, status, &json);
        if route.1 == "/api/ops" {
            // The two operations: one applied, one refused by the engine (no such order).
            let pushed: PushResponse = serde_json::from_value(json.clone()).unwrap();
            let statuses: Vec<&str> = pushed
                .results
                .iter()
                .map(|result| match &result.answer {
                    Answer::Done(OpResult::Accepted { .. }) => "accepted",
                    Answer::Done(OpResult::Refused { .. }) => "refused",
                    Answer::Invalid(_) => "invalid",
                })
                .collect();
            assert_eq!(statuses, ["accepted", "refused"], "{pushed:?}");
            // The browser reads the same answer without the typed refusal: the refusal's
            // Korean text is in it.
            let summary: PushSummary = serde_json::from_value(json).unwrap();
            let Answer::Done(OpResult::Refused { refusal, .. }) = &pushed.results[1].answer else {
                unreachable!("the second answer is a refusal");
            };
            assert_eq!(
                summary.results[1].outcome,
                AnswerOutcome::Refused(refusal.korean()),
                "{summary:?}"
            );
        }
    }
    // The signed-out token no longer works.
    let (status, _) = request(base, Call::new("get", "/api/me").token(token)).await;
    assert_eq!(status, 401);
}
