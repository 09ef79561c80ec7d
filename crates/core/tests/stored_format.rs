//! The stored format of events and commands (`jumun_core::stored`): a golden file per format
//! version holds one stored sample of every `Change` and every `Command` variant.
//!
//! - The samples come from one scripted day of a store (below) that walks every flow, so each
//!   sample is a value the engine really produces.
//! - `current_format_matches_its_golden_file` fails when a variant's JSON changes. If the change
//!   is meant, bump `FORMAT_VERSION`, add the upcaster from the previous version, and write the
//!   new golden file with `JUMUN_BLESS_GOLDEN=1 cargo test -p jumun-core --test stored_format`;
//!   keep the old file.
//! - `every_older_golden_file_reads_as_todays_values` reads each older file through the upcasters
//!   and checks that it gives today's values — version 1 is the bare JSON that databases written
//!   before versions existed hold.
//! - `every_variant_has_a_sample` takes the variant names from serde itself, so a variant added
//!   without a sample fails here.

mod support;

use chrono::Duration;
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, ClaimPick, FeePayment, Reason};
use jumun_core::command::{
    ClaimRequest, CollectedClaim, Command, ExchangeRequest, ReplacementRequest, ReturnRequest,
    SplitRequest,
};
use jumun_core::exchange::Cafe24ExchangeMode;
use jumun_core::fault::Fault;
use jumun_core::ids::{BundleId, ClaimId, IdBlock, LineId, OrderId, PickupId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::money::Won;
use jumun_core::order::{MemoKind, Payment};
use jumun_core::pickup::PickupPlan;
use jumun_core::stock::{ProductKey, Sku, StockItem};
use jumun_core::stored::{self, FORMAT_VERSION};
use jumun_core::{Book, Change, Ctx, Event};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::*;

/// Runs the script, keeping every command and every event in order.
struct Script {
    book: Book,
    commands: Vec<Command>,
    events: Vec<Event>,
}

impl Script {
    fn run(&mut self, command: Command, ctx: &Ctx) {
        match self.book.execute(&command, ctx) {
            Ok(events) => self.events.extend(events),
            Err(refusal) => panic!("the script's {command:?} was refused: {refusal}"),
        }
        self.commands.push(command);
    }

    fn tick(&mut self, hours: i64) {
        let events = self
            .book
            .tick(at(hours), IdBlock::new(90_000 + hours as u64 * 10, 10))
            .expect("tick");
        self.events.extend(events);
    }
}

fn sync(marketplace: &str, hours: i64) -> Ctx {
    Ctx::sync(&MarketplaceCode::from(marketplace), at(hours))
}

fn plan(id: u64) -> PickupPlan {
    PickupPlan {
        id: PickupId(id),
        request_carrier: true,
        carrier: Some(Carrier::cj()),
        fee: Won(3_000),
        fee_payment: FeePayment::Enclosed,
        memo: "문 앞".into(),
    }
}

fn pick(line: u64, quantity: u32, split: Option<u64>) -> ClaimPick {
    ClaimPick {
        line: LineId(line),
        quantity,
        split_line: split.map(LineId),
    }
}

fn request(claim: u64, order: u64, lines: Vec<ClaimPick>) -> ClaimRequest {
    ClaimRequest {
        claim: ClaimId(claim),
        order: OrderId(order),
        lines,
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        memo: "고객 요청".into(),
    }
}

fn replacement(line: u64, new_line: u64, option: &str) -> ReplacementRequest {
    ReplacementRequest {
        for_line: LineId(line),
        new_line: LineId(new_line),
        product_name: format!("상품{line}"),
        option: option.into(),
        option_price: Won(500),
        keys: None,
    }
}

fn collected(
    claim: u64,
    marketplace: &str,
    order: u64,
    line: u64,
    kind: ClaimKind,
    status: &str,
) -> CollectedClaim {
    let mut keys = new_line(&format!("{marketplace}-{order}"), line, 1).keys;
    keys.product_name = None;
    if marketplace == "zigzag" {
        keys.line_no2 = Some(format!("Z{line}"));
    }
    CollectedClaim {
        claim: ClaimId(claim),
        marketplace: MarketplaceCode::from(marketplace),
        kind,
        keys,
        quantity: None,
        status: status.into(),
        claim_no: Some(format!("MC-{claim}")),
        reason: Reason::OptionChange,
        fault: Fault::Buyer,
        requested_option: Some("블랙 / L".into()),
        split_line: None,
    }
}

fn collect(s: &mut Script, marketplace: &str, id: u64, lines: &[(u64, u32)]) {
    let mut order = new_order(marketplace, id, lines);
    if marketplace == "zigzag" {
        for line in &mut order.lines {
            line.keys.line_no2 = Some(format!("Z{}", line.id.0));
        }
    }
    s.run(Command::CollectOrder(order), &sync(marketplace, 0));
}

fn ship_order(s: &mut Script, order: u64, hours: i64) {
    s.run(
        Command::IssueInvoice {
            order: OrderId(order),
            carrier: Carrier::cj(),
            tracking_no: format!("T{order}"),
        },
        &op(hours),
    );
    s.run(
        Command::PrintInvoice {
            order: OrderId(order),
        },
        &op(hours),
    );
    s.run(
        Command::ScanToShip {
            tracking_no: format!("T{order}"),
        },
        &op(hours),
    );
}

/// One scripted day of a store that walks every flow of the engine.
fn script() -> Script {
    let mut s = Script {
        book: Book::new(),
        commands: Vec::new(),
        events: Vec::new(),
    };
    // Stock (R30).
    s.run(
        Command::RegisterStockItem(StockItem {
            sku: Sku("SOCK-BLK".into()),
            name: "양말 블랙".into(),
            barcode: Some("8801234567890".into()),
            location: Some("A-01".into()),
            on_hand: 10,
            allocated: 0,
        }),
        &op(0),
    );
    s.run(
        Command::AdjustStock {
            sku: Sku("SOCK-BLK".into()),
            delta: 5,
        },
        &op(0),
    );
    let sock = ProductKey {
        marketplace: MarketplaceCode::from("11st"),
        product: "P11".into(),
        option: "옵션11".into(),
    };
    s.run(
        Command::LinkProduct {
            product: sock.clone(),
            sku: Sku("SOCK-BLK".into()),
        },
        &op(0),
    );

    // 1: 11st, split, merged back, bundled with 2, delivery info, holds, invoice voided and
    // issued again, shipped, delivered, confirmed, uploaded, memo; a return asked after 구매확정.
    collect(&mut s, "11st", 1, &[(11, 3), (12, 1)]);
    collect(&mut s, "11st", 2, &[(21, 1)]);
    s.run(
        Command::Split(SplitRequest {
            order: OrderId(1),
            new_order: OrderId(3),
            lines: vec![pick(11, 1, Some(13))],
            no_bundle_original: false,
            no_bundle_new: false,
            partial_original: true,
            partial_new: true,
        }),
        &op(1),
    );
    s.run(
        Command::Merge {
            into: OrderId(1),
            from: OrderId(3),
        },
        &op(1),
    );
    s.run(
        Command::SetNoBundle {
            order: OrderId(2),
            no_bundle: true,
        },
        &op(1),
    );
    s.run(
        Command::SetNoBundle {
            order: OrderId(2),
            no_bundle: false,
        },
        &op(1),
    );
    s.run(
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    );
    s.run(
        Command::Unbundle {
            bundle: BundleId(1),
        },
        &op(1),
    );
    let mut info = delivery("김철수");
    info.memo = "경비실에 맡겨 주세요".into();
    s.run(
        Command::ChangeDeliveryInfo {
            order: OrderId(1),
            info,
        },
        &op(1),
    );
    s.run(
        Command::PlaceHold {
            order: OrderId(1),
            lines: vec![LineId(12)],
            reason: "주소 확인".into(),
        },
        &op(1),
    );
    s.run(
        Command::ReleaseHold {
            order: OrderId(1),
            lines: vec![],
        },
        &op(1),
    );
    s.run(
        Command::IssueInvoice {
            order: OrderId(1),
            carrier: Carrier::cj(),
            tracking_no: "T0".into(),
        },
        &op(2),
    );
    s.run(Command::VoidInvoice { order: OrderId(1) }, &op(2));
    ship_order(&mut s, 1, 2);
    s.run(Command::MarkDelivered { order: OrderId(1) }, &op(3));
    s.run(Command::ConfirmPurchase { order: OrderId(1) }, &op(3));
    s.run(
        Command::RecordInvoiceUpload { order: OrderId(1) },
        &sync("11st", 3),
    );
    s.run(
        Command::AddMemo {
            order: OrderId(1),
            text: "교환 문의 전화 옴".into(),
            kind: MemoKind::CsOpen,
        },
        &op(3),
    );
    s.run(
        Command::CollectClaim(collected(100, "11st", 1, 11, ClaimKind::Return, "반품요청")),
        &sync("11st", 4),
    );
    s.run(
        Command::CloseClaimAfterConfirmation {
            order: OrderId(1),
            request: ClaimId(100),
        },
        &op(4),
    );
    s.run(Command::UnlinkProduct { product: sock }, &op(4));

    // 4: a bank transfer paid; 5: a seller's own order, cancelled in part.
    let mut unpaid = new_order("auction", 4, &[(41, 1)]);
    unpaid.payment = Payment::BankTransfer { deadline: at(48) };
    s.run(Command::CollectOrder(unpaid), &sync("auction", 0));
    s.run(Command::ConfirmPayment { order: OrderId(4) }, &op(5));
    s.run(
        Command::CreateSellerOrder(new_order("auction", 5, &[(51, 2)])),
        &op(5),
    );
    s.run(
        Command::Cancel(request(101, 5, vec![pick(51, 1, Some(52))])),
        &op(5),
    );

    // 6: 11st — a return with its pickup (started, arrived, restocked) and an exchange made
    // before shipping on 7; 8: a CASE1 exchange after shipping, withdrawn.
    collect(&mut s, "11st", 6, &[(61, 2)]);
    ship_order(&mut s, 6, 6);
    s.run(
        Command::Return(ReturnRequest {
            claim: request(102, 6, vec![pick(61, 1, Some(62))]),
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(7),
    );
    s.run(
        Command::StartPickup {
            pickup: PickupId(1),
        },
        &op(7),
    );
    s.run(
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(62), 1)],
        },
        &op(8),
    );
    s.run(
        Command::Restock {
            pickup: PickupId(1),
            lines: vec![(LineId(62), 1)],
        },
        &op(8),
    );
    collect(&mut s, "11st", 7, &[(71, 1)]);
    s.run(
        Command::IssueInvoice {
            order: OrderId(7),
            carrier: Carrier::cj(),
            tracking_no: "T7".into(),
        },
        &op(8),
    );
    s.run(Command::PrintInvoice { order: OrderId(7) }, &op(8));
    s.run(
        Command::Exchange(ExchangeRequest {
            claim: request(103, 7, vec![pick(71, 1, None)]),
            replacements: vec![replacement(71, 72, "옐로우")],
            exchange_order: OrderId(900),
            swap: false,
            pickup: None,
            shipping_fee_one_way: Won::ZERO,
            payment: FeePayment::Enclosed,
        }),
        &op(9),
    );
    collect(&mut s, "11st", 8, &[(81, 1)]);
    s.run(
        Command::IssueInvoice {
            order: OrderId(8),
            carrier: Carrier::cj(),
            tracking_no: "T8".into(),
        },
        &op(9),
    );
    s.run(Command::PrintInvoice { order: OrderId(8) }, &op(9));
    s.run(Command::Ship { order: OrderId(8) }, &op(9));
    s.run(
        Command::Exchange(ExchangeRequest {
            claim: request(104, 8, vec![pick(81, 1, None)]),
            replacements: vec![replacement(81, 82, "화이트")],
            exchange_order: OrderId(9),
            swap: true,
            pickup: Some(plan(2)),
            shipping_fee_one_way: Won(3_000),
            payment: FeePayment::BankTransfer,
        }),
        &op(10),
    );

    // 10: Musinsa (CASE2) — a collected exchange processed as a return, then withdrawn.
    collect(&mut s, "musinsa", 10, &[(101, 1)]);
    ship_order(&mut s, 10, 10);
    s.run(
        Command::CollectClaim(collected(
            105,
            "musinsa",
            10,
            101,
            ClaimKind::Exchange,
            "교환요청",
        )),
        &sync("musinsa", 11),
    );
    let mut process = request(105, 10, vec![]);
    process.lines.clear();
    s.run(
        Command::Exchange(ExchangeRequest {
            claim: process,
            replacements: vec![replacement(101, 102, "L")],
            exchange_order: OrderId(11),
            swap: false,
            pickup: Some(plan(3)),
            shipping_fee_one_way: Won(3_000),
            payment: FeePayment::Enclosed,
        }),
        &op(11),
    );
    s.run(
        Command::WithdrawClaim {
            claim: ClaimId(105),
        },
        &op(11),
    );

    // 12: Cafe24 — an exchange collected after the order, run in the console (R18).
    collect(&mut s, "cafe24", 12, &[(121, 1)]);
    s.run(
        Command::CollectClaim(collected(
            106,
            "cafe24",
            12,
            121,
            ClaimKind::Exchange,
            "교환요청",
        )),
        &sync("cafe24", 12),
    );
    s.run(
        Command::ResolveCafe24Exchange {
            claim: ClaimId(106),
            mode: Cafe24ExchangeMode::ConsoleOnly,
            exchange_order: OrderId(13),
            replacements: vec![replacement(121, 122, "연청")],
            swap: false,
            pickup: None,
        },
        &op(12),
    );

    // 14, 15: Zigzag (Kakao Style) — one exchange through every state, one rejected.
    collect(&mut s, "zigzag", 14, &[(141, 1)]);
    collect(&mut s, "zigzag", 15, &[(151, 1)]);
    ship_order(&mut s, 14, 12);
    ship_order(&mut s, 15, 12);
    s.run(Command::MarkDelivered { order: OrderId(14) }, &op(13));
    s.run(
        Command::CollectClaim(collected(
            107,
            "zigzag",
            14,
            141,
            ClaimKind::Exchange,
            "교환요청",
        )),
        &sync("zigzag", 13),
    );
    s.run(
        Command::CollectClaim(collected(
            108,
            "zigzag",
            15,
            151,
            ClaimKind::Exchange,
            "교환요청",
        )),
        &sync("zigzag", 13),
    );
    s.run(
        Command::RejectExchange {
            claim: ClaimId(108),
            reason: "착용 흔적".into(),
        },
        &op(13),
    );
    let claim = ClaimId(107);
    s.run(Command::AcceptExchange { claim }, &op(14));
    s.run(
        Command::EditExchange {
            claim,
            options: vec![(LineId(141), "화이트 / M".into(), Won(1_000))],
            fault: Fault::Seller,
            payment: FeePayment::BankTransfer,
        },
        &op(14),
    );
    s.run(Command::CompleteExchangePickup { claim }, &op(15));
    s.run(Command::ConfirmExchange { claim }, &op(15));
    s.run(
        Command::NoticeExchangeDelay {
            claim,
            due: at(16) + Duration::days(2),
        },
        &op(16),
    );
    s.tick(16 + 24 * 3);
    s.run(
        Command::ShipReplacement {
            claim,
            carrier: Carrier::cj(),
            tracking_no: "K-1".into(),
        },
        &op(90),
    );
    s.run(
        Command::EditReplacementInvoice {
            claim,
            carrier: Carrier::cj(),
            tracking_no: "K-2".into(),
        },
        &op(90),
    );
    s.run(Command::MarkReplacementDelivered { claim }, &op(100));

    // Cancel sync: one cancel that applies, one that matches nothing (R25–R27).
    collect(&mut s, "11st", 16, &[(161, 1)]);
    let keys = new_line("11st-16", 161, 1).keys;
    let unknown = new_line("11st-없는주문", 999, 1).keys;
    let record = |keys| CancelRecord {
        marketplace: MarketplaceCode::from("11st"),
        status: "취소신청".into(),
        keys,
        quantity: None,
        claim_no: Some("CX-1".into()),
        reported_at: at(101),
    };
    s.run(
        Command::SyncCancels {
            records: vec![record(keys), record(unknown)],
            ids: IdBlock::new(800, 8),
        },
        &sync("11st", 101),
    );
    // A cancel that came before its order: kept, then applied once the order is in (R27).
    let later = new_line("11st-17", 171, 1).keys;
    s.run(
        Command::SyncCancels {
            records: vec![record(later.clone())],
            ids: IdBlock::new(820, 4),
        },
        &sync("11st", 102),
    );
    collect(&mut s, "11st", 17, &[(171, 1)]);
    s.run(
        Command::SyncCancels {
            records: vec![record(later)],
            ids: IdBlock::new(830, 4),
        },
        &sync("11st", 103),
    );
    s
}

/// The first stored sample of each variant, by variant name.
struct Samples {
    events: BTreeMap<String, Event>,
    commands: BTreeMap<String, Command>,
}

/// The name of an externally tagged enum value's variant, from its JSON.
fn variant(value: &Value) -> String {
    match value {
        Value::String(name) => name.clone(),
        Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
        other => panic!("not an enum value: {other}"),
    }
}

fn samples() -> Samples {
    let script = script();
    let mut events = BTreeMap::new();
    for event in script.events {
        let name = variant(&serde_json::to_value(&event.change).expect("encodes"));
        events.entry(name).or_insert(event);
    }
    let mut commands = BTreeMap::new();
    for command in script.commands {
        let name = variant(&serde_json::to_value(&command).expect("encodes"));
        commands.entry(name).or_insert(command);
    }
    Samples { events, commands }
}

fn golden_path(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("stored-v{version}.json"))
}

/// The golden file's shape: `{"events": {variant: stored}, "commands": {variant: stored}}`, each
/// stored value as the JSON the store holds (parsed, so the file reads well).
fn golden_of(samples: &Samples) -> Value {
    let parse = |text: String| serde_json::from_str::<Value>(&text).expect("stored JSON");
    json!({
        "version": FORMAT_VERSION,
        "events": samples.events.iter().map(|(name, event)| {
            (name.clone(), parse(stored::encode_event(event).expect("encodes")))
        }).collect::<serde_json::Map<_, _>>(),
        "commands": samples.commands.iter().map(|(name, command)| {
            (name.clone(), parse(stored::encode_command(command).expect("encodes")))
        }).collect::<serde_json::Map<_, _>>(),
    })
}

fn read_golden(version: u32) -> Value {
    let path = golden_path(version);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    serde_json::from_str(&text).expect("golden file is JSON")
}

/// The variant names serde knows for `T`, read from its "unknown variant" message, which lists
/// them all: no hand-kept list to forget.
fn serde_variants<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
    let message = serde_json::from_str::<T>(r#"{"__no_such_variant__": null}"#)
        .expect_err("no such variant")
        .to_string();
    let list = message
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("unexpected serde message: {message}"));
    list.split(", ")
        .map(|name| {
            name.trim()
                .trim_start_matches('`')
                .split('`')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn every_variant_has_a_sample() {
    let samples = samples();
    let missing_events: Vec<String> = serde_variants::<Change>()
        .into_iter()
        .filter(|name| !samples.events.contains_key(name))
        .collect();
    let missing_commands: Vec<String> = serde_variants::<Command>()
        .into_iter()
        .filter(|name| !samples.commands.contains_key(name))
        .collect();
    assert!(
        missing_events.is_empty() && missing_commands.is_empty(),
        "the script makes no sample of events {missing_events:?} nor commands \
         {missing_commands:?}: extend script() so the golden file covers them"
    );
    assert!(samples.events.len() >= 40 && samples.commands.len() >= 40);
}

#[test]
fn current_format_matches_its_golden_file() {
    let current = golden_of(&samples());
    let path = golden_path(FORMAT_VERSION);
    if std::env::var_os("JUMUN_BLESS_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&current).expect("encodes") + "\n";
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("golden folder");
        std::fs::write(&path, text).expect("golden file written");
    }
    let golden = read_golden(FORMAT_VERSION);
    for section in ["events", "commands"] {
        let (now, then) = (&current[section], &golden[section]);
        for (name, stored) in now.as_object().expect("a map") {
            assert_eq!(
                Some(stored),
                then.get(name),
                "the stored JSON of {section} variant {name} is not what {} holds: if the change \
                 is meant, bump FORMAT_VERSION in crates/core/src/stored.rs, add an upcaster \
                 from version {FORMAT_VERSION}, and bless a new golden file (see this file's \
                 docs)",
                path.display()
            );
        }
        assert_eq!(
            now.as_object().map(|m| m.len()),
            then.as_object().map(|m| m.len()),
            "{section} of {} has variants the script no longer makes",
            path.display()
        );
    }
    // The golden file reads back as the same values (what a reader of this version sees).
    for (name, stored) in golden["events"].as_object().expect("a map") {
        let event = stored::decode_event(&stored.to_string())
            .unwrap_or_else(|e| panic!("event {name} does not read back: {e}"));
        assert_eq!(
            serde_json::from_str::<Value>(&stored::encode_event(&event).expect("encodes"))
                .expect("JSON"),
            *stored,
            "event {name} does not round-trip"
        );
    }
    for (name, stored) in golden["commands"].as_object().expect("a map") {
        let command = stored::decode_command(&stored.to_string())
            .unwrap_or_else(|e| panic!("command {name} does not read back: {e}"));
        assert_eq!(
            serde_json::from_str::<Value>(&stored::encode_command(&command).expect("encodes"))
                .expect("JSON"),
            *stored,
            "command {name} does not round-trip"
        );
    }
}

#[test]
fn every_older_golden_file_reads_as_todays_values() {
    let samples = samples();
    for version in 1..FORMAT_VERSION {
        let golden = read_golden(version);
        for (name, stored) in golden["events"].as_object().expect("a map") {
            let event = stored::decode_event(&stored.to_string()).unwrap_or_else(|e| {
                panic!("event {name} of format version {version} does not read: {e}")
            });
            assert_eq!(
                Some(&event),
                samples.events.get(name),
                "event {name} of format version {version} reads as another value"
            );
        }
        for (name, stored) in golden["commands"].as_object().expect("a map") {
            let command = stored::decode_command(&stored.to_string()).unwrap_or_else(|e| {
                panic!("command {name} of format version {version} does not read: {e}")
            });
            assert_eq!(
                Some(&command),
                samples.commands.get(name),
                "command {name} of format version {version} reads as another value"
            );
        }
    }
}

#[test]
fn a_log_in_the_oldest_format_replays_into_the_same_book() {
    // What a database written before versions existed holds: bare events.
    let script = script();
    let bare: Vec<String> = script
        .events
        .iter()
        .map(|e| serde_json::to_string(e).expect("encodes"))
        .collect();
    let read: Vec<Event> = bare
        .iter()
        .map(|text| stored::decode_event(text).expect("reads"))
        .collect();
    let replayed = Book::replay(&read).expect("replays");
    assert_eq!(replayed, script.book);
}

#[test]
fn r31_every_change_reads_in_an_orders_history() {
    // One sample of every variant (see `every_variant_has_a_sample`) has its own words.
    for (name, event) in samples().events {
        let entry = jumun_core::history::entry(&event);
        assert!(
            !entry.what.starts_with("기타 변경"),
            "{name} has no words in the order history (jumun_core::history): {}",
            entry.what
        );
        assert_eq!((entry.at, &entry.actor), (event.at, &event.actor));
    }
}
