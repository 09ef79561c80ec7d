//! Operators' sync over real HTTP on a loopback port: id blocks, pushed operations with
//! idempotency keys, refusals, the marketplace-wins conflict, paged pulls, tenancy, a restart
//! that rebuilds the book, and a `kill -9` of the real binary in the middle of pushes.

mod support;

use chrono::{Duration, Utc};
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::ids::{LineId, OrderId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::Command;
use jumun_server::accounts::StoreId;
use jumun_server::db::{testing, Engine};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use support::commands::{
    change_name, invoice, keys, memo, new_order, op, op_at, print, ship, status, MARKETPLACE,
};
use support::server::start;
use support::{agent, reply, Client, TestServer};

impl TestServer {
    /// Runs a marketplace fact through the ledger, as the collector does.
    fn marketplace(&self, store: StoreId, command: Command) -> jumun_server::sync::Outcome {
        self.runtime
            .block_on(self.ledger.execute_marketplace(
                store,
                &MarketplaceCode::from(MARKETPLACE),
                command,
                Utc::now(),
            ))
            .unwrap()
    }
}

#[test]
fn pushed_operations_apply_once_and_refusals_come_back_readable() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let owner = Client::login(&server.base, "demo", "demo", "demo1234");
    let operator = Client::login(&server.base, "demo", "operator", "operator1234");

    let start_id = owner.ids(10);
    assert!(start_id >= 1);
    assert_eq!(operator.ids(10), start_id + 10, "blocks never overlap");
    let (order, line) = (start_id, start_id + 1);

    let push = vec![
        op("k-collect", &Command::CollectOrder(new_order(order, line))),
        op("k-invoice", &invoice(order)),
        op("k-print", &print(order)),
        op("k-ship", &ship(order)),
    ];
    let first = operator.push(push.clone());
    let mut seq = 0;
    for answer in &first {
        assert_eq!(status(answer), "accepted", "{answer}");
        assert_eq!(answer["seq_from"], seq + 1, "{answer}");
        seq = answer["seq_to"].as_u64().unwrap();
        assert!(answer["events"].as_u64().unwrap() >= 1, "{answer}");
    }
    assert_eq!(first[0]["key"], "k-collect");
    let (events, head) = owner.pull_all(0, 500);
    assert_eq!(head, seq);
    assert_eq!(events.len() as u64, seq);
    let shipped: Vec<_> = events
        .iter()
        .filter(|e| change_name(e) == "Shipped")
        .collect();
    assert_eq!(shipped.len(), 1);
    assert_eq!(shipped[0]["key"], "k-ship");
    assert_eq!(
        shipped[0]["event"]["actor"],
        json!({"Operator": "operator"}),
        "the signed-in user is the actor"
    );

    // The same push again (a browser that lost the first answer): same answers, nothing new.
    let again = operator.push(push);
    assert_eq!(again, first);
    assert_eq!(owner.head(), seq, "a retried push applies nothing twice");

    // A refused operation comes back with its reason and changes nothing; a malformed one is
    // answered on its own; the rest of the push still applies.
    let answers = operator.push(vec![
        op("k-ship-again", &ship(order)),
        op("k-unknown", &ship(order + 1_000)),
        json!({"key": "k-bad", "at": Utc::now().to_rfc3339(), "command": {"Teleport": {}}}),
        op_at(
            "k-future",
            Utc::now() + Duration::hours(1),
            &memo(order, "미래"),
        ),
        op("k-memo", &memo(order, "포장 확인")),
    ]);
    assert_eq!(status(&answers[0]), "refused", "{}", answers[0]);
    assert_eq!(answers[0]["code"], "illegal_transition");
    assert!(
        answers[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be shipped"),
        "{}",
        answers[0]
    );
    assert!(answers[0]["refusal"]["IllegalTransition"].is_object());
    assert_eq!(status(&answers[1]), "refused");
    assert_eq!(answers[1]["code"], "unknown_order");
    assert!(answers[1]["message"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
    assert_eq!(status(&answers[2]), "invalid", "{}", answers[2]);
    assert_eq!(answers[2]["code"], "invalid_command");
    assert!(answers[2]["message"].as_str().unwrap().contains("Teleport"));
    assert_eq!(answers[3]["code"], "clock_ahead", "{}", answers[3]);
    assert_eq!(status(&answers[4]), "accepted");
    assert_eq!(
        answers[4]["seq_from"],
        seq + 1,
        "the refusals wrote no events"
    );
    assert_eq!(owner.head(), seq + 1);

    // A refused key answers the same refusal on retry; an invalid key is not remembered.
    let retried = operator.push(vec![
        op("k-unknown", &memo(order, "다른 명령")),
        op("k-bad", &memo(order, "고친 명령")),
    ]);
    assert_eq!(retried[0], answers[1], "a refusal is kept for its key");
    assert_eq!(status(&retried[1]), "accepted", "{}", retried[1]);
    assert_eq!(owner.head(), seq + 2);

    // A viewer reads but cannot push; nobody can push without a session.
    let (status_code, created) = owner.post(
        "/api/users",
        json!({"login": "viewer", "name": "보기", "role": "viewer", "password": "viewer1234"}),
    );
    assert_eq!(status_code, 201, "{created}");
    let viewer = Client::login(&server.base, "demo", "viewer", "viewer1234");
    let (code, body) = viewer.post("/api/ops", json!({"ops": []}));
    assert_eq!((code, body["code"].as_str()), (403, Some("forbidden")));
    let (code, body) = viewer.post("/api/ids", json!({"count": 1}));
    assert_eq!((code, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(viewer.pull_all(0, 5000).0.len() as u64, seq + 2);
    let (code, body) = reply(
        agent()
            .post(format!("{}/api/ops", server.base))
            .send_json(json!({"ops": []}))
            .unwrap(),
    );
    assert_eq!((code, body["code"].as_str()), (401, Some("unauthorized")));

    // Limits answer with JSON errors.
    let (code, body) = owner.post("/api/ids", json!({"count": 10_001}));
    assert_eq!((code, body["code"].as_str()), (422, Some("invalid_input")));
    let too_many: Vec<Value> = (0..501)
        .map(|i| op(&format!("many-{i}"), &memo(order, "x")))
        .collect();
    let (code, body) = owner.post("/api/ops", json!({ "ops": too_many }));
    assert_eq!((code, body["code"].as_str()), (413, Some("too_many_ops")));
    let (code, body) = owner.get("/api/changes?limit=0");
    assert_eq!((code, body["code"].as_str()), (422, Some("invalid_input")));
    let (code, body) = owner.get("/api/changes?limit=5001");
    assert_eq!((code, body["code"].as_str()), (422, Some("invalid_input")));
    let (code, body) = owner.get("/api/changes?since=yesterday");
    assert_eq!((code, body["code"].as_str()), (400, Some("invalid_query")));
    server.stop();
}

#[test]
fn a_marketplace_cancel_beats_a_ship_queued_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let operator = Client::login(&server.base, "demo", "operator", "operator1234");
    let store = server.store_of(&operator);
    let block = server
        .runtime
        .block_on(server.ledger.reserve_ids(store, 2))
        .unwrap();
    let (order, line) = (block.next, block.next + 1);

    // The collector brings the order in; the operator invoices and prints its label.
    let collected = server.marketplace(store, Command::CollectOrder(new_order(order, line)));
    assert!(collected.is_accepted(), "{collected:?}");
    let answers = operator.push(vec![
        op("c-invoice", &invoice(order)),
        op("c-print", &print(order)),
    ]);
    assert!(
        answers.iter().all(|a| status(a) == "accepted"),
        "{answers:?}"
    );

    // Offline, the operator ships it: the operation waits in the browser's queue.
    let shipped_offline_at = Utc::now();

    // Meanwhile the buyer cancels on the marketplace, and the collector brings the cancel in.
    let order_no = format!("2026{order:08}");
    let ids = server
        .runtime
        .block_on(server.ledger.reserve_ids(store, 4))
        .unwrap();
    let cancel = server.marketplace(
        store,
        Command::SyncCancels {
            records: vec![CancelRecord {
                marketplace: MarketplaceCode::from(MARKETPLACE),
                status: "취소요청".to_owned(),
                keys: keys(&order_no, line),
                quantity: None,
                claim_no: Some("C-1".to_owned()),
                reported_at: Utc::now(),
            }],
            ids,
        },
    );
    assert!(cancel.is_accepted(), "{cancel:?}");
    assert!(!cancel.events.is_empty(), "the cancel changed the book");
    let head = operator.head();

    // The browser reconnects and pushes its queue: the marketplace's fact wins.
    let answers = operator.push(vec![op_at("c-ship", shipped_offline_at, &ship(order))]);
    let answer = &answers[0];
    assert_eq!(status(answer), "refused", "{answer}");
    assert!(
        matches!(answer["code"].as_str(), Some("on_hold" | "all_cancelled")),
        "{answer}"
    );
    assert!(
        answer["message"].as_str().unwrap().contains("on hold")
            || answer["message"].as_str().unwrap().contains("cancelled"),
        "{answer}"
    );
    assert_eq!(operator.head(), head, "the refused ship wrote nothing");

    // The browser pulls: the cancel is there, with the sync as its actor; no shipment.
    let (events, _) = operator.pull_all(0, 500);
    assert!(events.iter().all(|e| change_name(e) != "Shipped"));
    let from_sync: Vec<_> = events
        .iter()
        .filter(|e| e["event"]["actor"] == json!({"Sync": MARKETPLACE}))
        .collect();
    assert!(from_sync.len() >= 2, "collect and cancel: {from_sync:?}");
    assert!(from_sync.iter().all(|e| e["key"].is_null()));
    // The ledger's book agrees.
    let line_hold = server
        .runtime
        .block_on(server.ledger.read(store, |book| {
            book.line(OrderId(order), LineId(line))
                .map(|l| l.hold.is_some())
        }))
        .unwrap();
    assert_eq!(line_hold, Ok(true), "a printed line is held by the cancel");
    server.stop();
}

#[test]
fn pulls_come_in_pages_and_stores_never_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    server.create_store("second", "사장");
    let a = Client::login(&server.base, "demo", "demo", "demo1234");
    let b = Client::login(&server.base, "second", "boss", "boss-password");

    let order = a.ids(2);
    let mut push = vec![op(
        "shared-key",
        &Command::CollectOrder(new_order(order, order + 1)),
    )];
    for i in 0..6 {
        push.push(op(
            &format!("a-memo-{i}"),
            &memo(order, &format!("메모 {i}")),
        ));
    }
    assert!(a.push(push).iter().all(|r| status(r) == "accepted"));

    let (all, head) = a.pull_all(0, 5000);
    let (paged, paged_head) = a.pull_all(0, 2);
    assert_eq!(head, paged_head);
    assert_eq!(paged, all, "pages return every event once, in order");
    let seqs: Vec<u64> = paged.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
    let (tail, _) = a.pull_all(head - 3, 2);
    assert_eq!(tail, all[all.len() - 3..]);
    let (page_status, beyond) = a.get(&format!("/api/changes?since={}", head + 10));
    assert_eq!(page_status, 200);
    assert_eq!(beyond["events"], json!([]));
    assert_eq!(beyond["next"], head + 10);
    assert_eq!(beyond["head"], head);

    // Store B sees none of A's events; its ids and seqs are its own.
    assert_eq!(b.pull_all(0, 2), (vec![], 0));
    assert_eq!(b.ids(1), 1, "each store has its own id sequence");
    let b_answers = b.push(vec![op(
        "shared-key",
        &Command::CollectOrder(new_order(order, order + 1)),
    )]);
    assert_eq!(status(&b_answers[0]), "accepted", "A's key is not B's");
    assert_eq!(b_answers[0]["seq_from"], 1);
    let (b_events, b_head) = b.pull_all(0, 2);
    assert_eq!(b_events.len() as u64, b_head);
    assert_eq!(a.head(), head, "B's push did not touch A");
    // A's memo on its own order number is refused in B's book (B never saw it).
    let b_memo = b.push(vec![op("b-memo", &memo(order + 5, "x"))]);
    assert_eq!(b_memo[0]["code"], "unknown_order");
    server.stop();
}

#[test]
fn a_push_is_committed_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let operator = Client::login(&server.base, "demo", "operator", "operator1234");
    let first = operator.ids(10);
    let (a, b) = (first, first + 2);
    let head = operator.head();
    let push = vec![
        op("g-collect-a", &Command::CollectOrder(new_order(a, a + 1))),
        // Decided against the book with order A in it, though nothing is committed yet.
        op("g-invoice-a", &invoice(a)),
        // The same key twice in one push: the first answer, applied once.
        op("g-collect-a", &Command::CollectOrder(new_order(a, a + 1))),
        json!({"key": "g-bad", "at": "not a time", "command": memo(a, "x")}),
        op("g-collect-b", &Command::CollectOrder(new_order(b, b + 1))),
    ];

    // The last operation's answer cannot be stored: the push's one commit fails, so no
    // operation of it is answered or kept, and the server's book forgets the uncommitted ones.
    let side = SideConnection::open(dir.path());
    side.batch(&testing::refuse_inserts_sql(
        side.engine(),
        "boom",
        "operations",
        "NEW.key = 'g-collect-b'",
    ));
    let (code, body) = operator.post("/api/ops", json!({ "ops": push.clone() }));
    assert_eq!(code, 500, "{body}");
    assert_eq!(operator.head(), head, "nothing of the failed push was kept");
    let unknown = operator.push(vec![op("g-probe", &memo(a, "x"))]);
    assert_eq!(unknown[0]["code"], "unknown_order", "{}", unknown[0]);
    side.batch(&testing::allow_inserts_sql(
        side.engine(),
        "boom",
        "operations",
    ));

    // Resent: everything applies, in order, once.
    let answers = operator.push(push.clone());
    assert_eq!(answers.len(), 5);
    assert_eq!(status(&answers[0]), "accepted", "{}", answers[0]);
    assert_eq!(
        answers[0]["seq_from"],
        head + 1,
        "the failed push and the refusal wrote no events"
    );
    assert_eq!(status(&answers[1]), "accepted", "{}", answers[1]);
    assert_eq!(
        answers[1]["seq_from"].as_u64().unwrap(),
        answers[0]["seq_to"].as_u64().unwrap() + 1
    );
    assert_eq!(
        answers[2], answers[0],
        "a key repeated in the push answers the same"
    );
    assert_eq!(status(&answers[3]), "invalid");
    assert_eq!(answers[3]["key"], "g-bad");
    assert_eq!(status(&answers[4]), "accepted", "{}", answers[4]);
    let end = answers[4]["seq_to"].as_u64().unwrap();
    assert_eq!(operator.head(), end);
    let (events, _) = operator.pull_all(head, 500);
    assert_eq!(events.len() as u64, end - head);
    assert!(events
        .iter()
        .all(|e| e["key"] != "g-probe" && e["key"].is_string()));
    assert_eq!(
        operator.push(push),
        answers,
        "resent again: the same answers"
    );
    assert_eq!(operator.head(), end);
    server.stop();
}

#[test]
fn a_restarted_server_rebuilds_the_book_from_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let client = Client::login(&server.base, "demo", "demo", "demo1234");
    let order = client.ids(2);
    let first = client.push(vec![
        op(
            "r-collect",
            &Command::CollectOrder(new_order(order, order + 1)),
        ),
        op("r-invoice", &invoice(order)),
        op("r-print", &print(order)),
    ]);
    assert!(first.iter().all(|r| status(r) == "accepted"), "{first:?}");
    let (before, head) = client.pull_all(0, 500);
    server.stop();

    let server = start(dir.path());
    let client = Client::login(&server.base, "demo", "demo", "demo1234");
    assert_eq!(client.pull_all(0, 500), (before, head), "the log survived");
    assert!(client.ids(1) >= order + 2, "the id sequence survived");
    // The old keys answer as before; the rebuilt book knows the printed invoice, so the ship
    // that needs it is accepted.
    let retried = client.push(vec![
        op(
            "r-collect",
            &Command::CollectOrder(new_order(order, order + 1)),
        ),
        op("r-invoice", &invoice(order)),
        op("r-print", &print(order)),
        op("r-ship", &ship(order)),
    ]);
    assert_eq!(retried[..3], first[..]);
    assert_eq!(status(&retried[3]), "accepted", "{}", retried[3]);
    assert_eq!(retried[3]["seq_from"], head + 1);
    let shipped = server
        .runtime
        .block_on(server.ledger.read(server.store_of(&client), |book| {
            book.order(OrderId(order)).map(|o| o.lines[0].status)
        }))
        .unwrap()
        .unwrap();
    assert_eq!(shipped, jumun_core::order::LineStatus::InTransit);
    server.stop();
}

/// A second connection to a test server's database, beside the server's own.
enum SideConnection {
    Sqlite(rusqlite::Connection),
    Postgres(std::sync::Mutex<postgres::Client>),
}

impl SideConnection {
    fn open(data_dir: &Path) -> Self {
        match testing::database_url(data_dir) {
            Some(url) => Self::Postgres(std::sync::Mutex::new(
                postgres::Client::connect(&url, postgres::NoTls).unwrap(),
            )),
            None => {
                Self::Sqlite(rusqlite::Connection::open(data_dir.join("jumun.sqlite3")).unwrap())
            }
        }
    }

    fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    fn batch(&self, sql: &str) {
        match self {
            Self::Sqlite(conn) => conn.execute_batch(sql).unwrap(),
            Self::Postgres(client) => client.lock().unwrap().batch_execute(sql).unwrap(),
        }
    }
}

/// The real binary, started on a data directory, with its output drained.
struct Process {
    child: std::process::Child,
    base: String,
}

fn spawn_binary(data_dir: &Path) -> Process {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jumun-server"))
        .args(["--addr", "127.0.0.1:0", "--demo", "--data-dir"])
        .arg(data_dir)
        .args(
            testing::database_url(data_dir)
                .map(|url| vec!["--database-url".to_owned(), url])
                .unwrap_or_default(),
        )
        .arg("--dist-dir")
        .arg(data_dir.join("no-dist"))
        .env_remove("JUMUN_ADDR")
        .env_remove("JUMUN_DATA_DIR")
        .env_remove("JUMUN_DIST_DIR")
        .env_remove("JUMUN_DEMO")
        .env_remove("DATABASE_URL")
        .env_remove("JUMUN_SECRET_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Keep reading to the end, so the server never blocks on a full pipe.
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(base) = line.strip_prefix("jumun-server listening on ") {
                let _ = tx.send(base.trim().to_owned());
            }
        }
    });
    let base = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the server prints its address");
    Process { child, base }
}

#[test]
fn an_acknowledged_operation_survives_kill_9_and_is_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir: PathBuf = dir.path().join("data");
    let mut process = spawn_binary(&data_dir);
    let client = Client::login(&process.base, "demo", "operator", "operator1234");
    let order = client.ids(2);
    let collected = client.push(vec![op(
        "crash-collect",
        &Command::CollectOrder(new_order(order, order + 1)),
    )]);
    assert_eq!(status(&collected[0]), "accepted");

    // One operation per push, as fast as the server answers, until the process is killed.
    let acknowledged: Arc<Mutex<BTreeMap<String, Value>>> = Arc::default();
    let attempted = Arc::new(Mutex::new(0usize));
    let pusher = {
        let acknowledged = Arc::clone(&acknowledged);
        let attempted = Arc::clone(&attempted);
        let base = process.base.clone();
        let token = client.token.clone();
        std::thread::spawn(move || {
            let agent = agent();
            for i in 0..5_000 {
                let key = format!("crash-{i}");
                *attempted.lock().unwrap() = i + 1;
                let body = json!({"ops": [op(&key, &memo(order, &key))]});
                let sent = agent
                    .post(format!("{base}/api/ops"))
                    .header("Authorization", format!("Bearer {token}"))
                    .send_json(body);
                let Ok(response) = sent else { return };
                let mut response = response;
                let Ok(text) = response.body_mut().read_to_string() else {
                    return;
                };
                let json: Value = serde_json::from_str(&text).unwrap();
                let answer = json["results"][0].clone();
                assert_eq!(answer["status"], "accepted", "{answer}");
                acknowledged.lock().unwrap().insert(key, answer);
            }
        })
    };
    let waited = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 40 {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(30),
            "the pusher makes progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    process.child.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    process.child.wait().unwrap();
    pusher.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let attempted = *attempted.lock().unwrap();
    assert!(attempted < 5_000, "the kill came mid-way");

    let mut process = spawn_binary(&data_dir);
    let client = Client::login(&process.base, "demo", "operator", "operator1234");
    let count_by_key = |events: &[Value]| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for event in events {
            if let Some(key) = event["key"].as_str() {
                *counts.entry(key.to_owned()).or_default() += 1;
                if key.starts_with("crash-") && key != "crash-collect" {
                    let text = &event["event"]["change"]["MemoAdded"]["memo"]["text"];
                    assert_eq!(text, key, "the event is the keyed operation's");
                }
            }
        }
        counts
    };
    let (events, _) = client.pull_all(0, 5000);
    let counts = count_by_key(&events);
    eprintln!(
        "kill -9 after {attempted} attempted, {} acknowledged, {} kept",
        acknowledged.len(),
        counts.len() - 1
    );
    for key in acknowledged.keys() {
        assert_eq!(counts.get(key), Some(&1), "acknowledged {key} is kept once");
    }
    assert!(
        counts.len() <= acknowledged.len() + 2,
        "at most the one in flight besides the acknowledged ones and the collect"
    );

    // Every key again (the browser resends its queue): acknowledged ones answer as before, the
    // one in flight applies if it had not, and nothing is there twice.
    let retry: Vec<Value> = (0..attempted)
        .map(|i| {
            let key = format!("crash-{i}");
            op(&key, &memo(order, &key))
        })
        .collect();
    let mut answers = Vec::new();
    for chunk in retry.chunks(500) {
        answers.extend(client.push(chunk.to_vec()));
    }
    for answer in &answers {
        assert_eq!(status(answer), "accepted", "{answer}");
        if let Some(before) = acknowledged.get(answer["key"].as_str().unwrap()) {
            assert_eq!(answer, before, "answered from the key, as before");
        }
    }
    let (events, head) = client.pull_all(0, 5000);
    let counts = count_by_key(&events);
    for i in 0..attempted {
        assert_eq!(counts.get(&format!("crash-{i}")), Some(&1), "crash-{i}");
    }
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>(), "no gaps, no repeats");
    process.child.kill().unwrap();
    process.child.wait().unwrap();
}
