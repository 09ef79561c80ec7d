//! Operations the sync tests push: a SmartStore order and what is done to it.

use chrono::{DateTime, Duration, Utc};
use jumun_core::carrier::Carrier;
use jumun_core::ids::{LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, MemoKind, NewLine, NewOrder, Payment};
use jumun_core::Command;
use serde_json::{json, Value};

/// The marketplace of [`new_order`].
pub const MARKETPLACE: &str = "smartstore";

/// An operation `{key, at, command}` done at `at`.
pub fn op_at(key: &str, at: DateTime<Utc>, command: &Command) -> Value {
    json!({"key": key, "at": at.to_rfc3339(), "command": command})
}

/// An operation done now.
pub fn op(key: &str, command: &Command) -> Value {
    op_at(key, Utc::now(), command)
}

pub fn keys(order_no: &str, line: u64) -> MarketplaceKeys {
    MarketplaceKeys {
        order_no: order_no.to_owned(),
        line_no: Some(format!("{order_no}-{line}")),
        product_code: Some(format!("P{line}")),
        option: Some("블랙".to_owned()),
        product_name: Some("티셔츠".to_owned()),
        ..Default::default()
    }
}

/// A paid SmartStore order `id` with one line `line` of 2 units.
pub fn new_order(id: u64, line: u64) -> NewOrder {
    let order_no = format!("2026{id:08}");
    NewOrder {
        id: OrderId(id),
        marketplace: MarketplaceCode::from(MARKETPLACE),
        order_no: order_no.clone(),
        ordered_at: Utc::now() - Duration::hours(2),
        payment: Payment::Paid,
        paid_at: None,
        delivery: DeliveryInfo {
            orderer_name: "홍길순".into(),
            orderer_phone: "010-0000-1111".into(),
            recipient_name: "홍길순".into(),
            recipient_phone: "010-0000-1111".into(),
            recipient_landline: String::new(),
            postcode: "04563".into(),
            address: "서울특별시 중구 장충단로13길 20".into(),
            memo: String::new(),
        },
        lines: vec![NewLine {
            id: LineId(line),
            keys: keys(&order_no, line),
            product_name: "티셔츠".into(),
            option: "블랙".into(),
            quantity: 2,
            unit_price: Won(19_000),
            option_price: Won::ZERO,
        }],
        no_bundle: false,
    }
}

pub fn invoice(order: u64) -> Command {
    Command::IssueInvoice {
        order: OrderId(order),
        carrier: Carrier::cj(),
        tracking_no: format!("6{order:011}"),
    }
}

pub fn print(order: u64) -> Command {
    Command::PrintInvoice {
        order: OrderId(order),
    }
}

pub fn ship(order: u64) -> Command {
    Command::Ship {
        order: OrderId(order),
    }
}

pub fn memo(order: u64, text: &str) -> Command {
    Command::AddMemo {
        order: OrderId(order),
        text: text.to_owned(),
        kind: MemoKind::Order,
    }
}

/// The name of an event's change (`"Shipped"`, `"MemoAdded"`, …).
pub fn change_name(event: &Value) -> String {
    match &event["event"]["change"] {
        Value::Object(map) => map.keys().next().unwrap().clone(),
        Value::String(name) => name.clone(),
        other => panic!("unexpected change {other}"),
    }
}

pub fn status(answer: &Value) -> &str {
    answer["status"].as_str().unwrap()
}
