//! Backup while running, and restore: `jumun-server backup` (the real binary) copies the SQLite
//! database of a server that keeps taking pushes, and a second server on a fresh data directory
//! holding only that copy and the same secret key opens it, serves the event log up to the
//! backup's head without a gap, rebuilds the book from it and goes on writing.

mod support;

use jumun_core::ids::OrderId;
use jumun_core::Command;
use jumun_server::db::migrations::MIGRATIONS;
use jumun_server::db::DATABASE_FILE;
use jumun_server::secret_key::KEY_FILE;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use support::commands::{change_name, invoice, memo, new_order, op, print, ship, status};
use support::server::sqlite_config;
use support::TestServer;
use support::{agent, Client};

/// Runs `jumun-server backup` with `args`; returns its exit code, standard output and standard
/// error.
fn backup_command(args: &[&Path]) -> (i32, String, String) {
    support::run_binary(std::iter::once(Path::new("backup")).chain(args.iter().copied()))
}

/// Pushes one memo per request to `order` from a thread of its own until `stop` is set; every
/// acknowledged answer is kept by key, in the order they came.
fn keep_pushing(
    client: &Client,
    order: u64,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<(String, Value)>>>,
) -> std::thread::JoinHandle<()> {
    let base = client.base.clone();
    let token = client.token.clone();
    std::thread::spawn(move || {
        let agent = agent();
        let mut i = 0;
        while !stop.load(Ordering::SeqCst) {
            let key = format!("live-{i}");
            let (code, body) = support::reply(
                agent
                    .post(format!("{base}/api/ops"))
                    .header("Authorization", format!("Bearer {token}"))
                    .send_json(json!({"ops": [op(&key, &memo(order, &key))]}))
                    .unwrap(),
            );
            assert_eq!(code, 200, "{body}");
            let answer = body["results"][0].clone();
            assert_eq!(status(&answer), "accepted", "{answer}");
            acknowledged.lock().unwrap().push((key, answer));
            i += 1;
        }
    })
}

/// Waits until at least `count` pushes are acknowledged.
fn wait_for_acknowledged(acknowledged: &Mutex<Vec<(String, Value)>>, count: usize) {
    while acknowledged.lock().unwrap().len() < count {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_backup_taken_while_writing_restores_to_a_server_that_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let live_dir = dir.path().join("live");
    let live = TestServer::start(sqlite_config(&live_dir));
    let owner = Client::demo(&live.base);
    let (code, connection) = owner.post(
        "/api/connections",
        json!({
            "marketplace": "zigzag",
            "base_url": "http://127.0.0.1:9/feed",
            "credentials": {"kind": "api_key", "key": "zz-key"},
            "period_seconds": 600
        }),
    );
    assert_eq!(code, 201, "{connection}");
    let order = owner.ids(2);
    let collected = owner.push(vec![op(
        "collect",
        &Command::CollectOrder(new_order(order, order + 1)),
    )]);
    assert_eq!(status(&collected[0]), "accepted", "{collected:?}");

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let pusher = keep_pushing(&owner, order, Arc::clone(&stop), Arc::clone(&acknowledged));
    wait_for_acknowledged(&acknowledged, 25);

    // The backup, while the pusher goes on.
    let acknowledged_before: Vec<String> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .map(|(key, _)| key.clone())
        .collect();
    let head_before = owner.head();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let file = backups.join("jumun-backup.sqlite3");
    let (code, out, err) =
        backup_command(&[Path::new("--data-dir"), &live_dir, Path::new("--to"), &file]);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(out.contains("integrity ok"), "{out}");
    assert!(
        out.contains(KEY_FILE),
        "the key to keep apart is named: {out}"
    );
    let head_after = owner.head();
    let during = acknowledged.lock().unwrap().len();
    wait_for_acknowledged(&acknowledged, during + 25);
    stop.store(true, Ordering::SeqCst);
    pusher.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();

    // A second backup to the same name is refused and leaves the first one as it was.
    let first_bytes = std::fs::read(&file).unwrap();
    let (code, out, err) =
        backup_command(&[Path::new("--data-dir"), &live_dir, Path::new("--to"), &file]);
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(err.contains("never overwrites"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), first_bytes);

    let (live_events, live_head) = owner.pull_all(0, 500);
    assert_eq!(
        live_head as usize,
        1 + acknowledged.len(),
        "one event per push"
    );
    live.stop();

    // Restore as the README says: a fresh data directory with the backup as the database file
    // and the same secret key, then start.
    let restored_dir = dir.path().join("restored");
    std::fs::create_dir(&restored_dir).unwrap();
    std::fs::copy(&file, restored_dir.join(DATABASE_FILE)).unwrap();
    std::fs::copy(live_dir.join(KEY_FILE), restored_dir.join(KEY_FILE)).unwrap();
    let restored = TestServer::start(sqlite_config(&restored_dir));

    // It opens at the schema this build knows (the migrations' checksums were verified at start).
    let (code, health) = support::reply(
        agent()
            .get(format!("{}/api/health", restored.base))
            .call()
            .unwrap(),
    );
    assert_eq!(code, 200, "{health}");
    assert_eq!(health["database"]["engine"], "sqlite");
    assert_eq!(
        health["database"]["schema_version"],
        MIGRATIONS.len() as i64
    );

    // The log is the live log up to some head the backup saw: no gap, nothing torn, and every
    // push acknowledged before the backup began is in it.
    let client = Client::demo(&restored.base);
    let (events, head) = client.pull_all(0, 7);
    assert!(
        (head_before..=head_after).contains(&head),
        "the backup's head {head} lies between {head_before} and {head_after}"
    );
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>(), "no gaps, no repeats");
    assert_eq!(events[..], live_events[..head as usize], "the same events");
    let keys: BTreeMap<&str, u64> = events
        .iter()
        .filter_map(|e| Some((e["key"].as_str()?, e["seq"].as_u64()?)))
        .collect();
    for key in &acknowledged_before {
        assert!(
            keys.contains_key(key.as_str()),
            "{key} was acknowledged before the backup"
        );
    }
    for (key, answer) in &acknowledged {
        let in_backup = answer["seq_to"].as_u64().unwrap() <= head;
        assert_eq!(
            keys.contains_key(key.as_str()),
            in_backup,
            "{key}: {answer}"
        );
    }

    // The book is rebuilt from that log: every memo is on the order, and an acknowledged key
    // answers as before without applying twice.
    let memos = events
        .iter()
        .filter(|e| change_name(e) == "MemoAdded")
        .count();
    let store = restored.store_of(&client);
    let on_the_order = restored
        .runtime
        .block_on(restored.ledger.read(store, move |book| {
            book.order(OrderId(order)).map(|o| o.memos.len())
        }))
        .unwrap()
        .unwrap();
    assert_eq!(on_the_order, memos);
    let (first_key, first_answer) = &acknowledged[0];
    let again = client.push(vec![op(first_key, &memo(order, first_key))]);
    assert_eq!(&again[0], first_answer);
    assert_eq!(client.head(), head);

    // Writes go on after the backup's head, on a book that knows the order.
    let answers = client.push(vec![
        op("after-invoice", &invoice(order)),
        op("after-print", &print(order)),
        op("after-ship", &ship(order)),
    ]);
    assert!(
        answers.iter().all(|a| status(a) == "accepted"),
        "{answers:?}"
    );
    assert_eq!(answers[0]["seq_from"], head + 1);

    // The same key decrypts the connection's credentials.
    let (code, list) = client.get("/api/connections");
    assert_eq!(code, 200, "{list}");
    assert_eq!(
        list["connections"][0]["credentials_kind"], "api_key",
        "{list}"
    );
    restored.stop();
}

#[test]
fn the_backup_command_explains_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("b.sqlite3");
    let (code, _, err) = backup_command(&[
        Path::new("--data-dir"),
        &dir.path().join("nowhere"),
        Path::new("--to"),
        &to,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no data directory"), "{err}");

    let (code, _, err) = backup_command(&[Path::new("--data-dir"), dir.path()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--to FILE"), "{err}");

    let (code, _, err) = backup_command(&[
        Path::new("--database-url"),
        Path::new("postgres://jumun:s3cret@db/jumun"),
        Path::new("--to"),
        &to,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert!(!to.exists());
}
