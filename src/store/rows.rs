//! The shapes records take in IndexedDB.
//!
//! An order is stored as a small object: the fields its indexes read (derived from the order
//! when it is written) and the order itself as a JSON string in `doc`. Why JSON for the document
//! and not a structured clone of the whole order (serde-wasm-bindgen):
//!
//! - exact round trip: ids are `u64`, marketplace codes a `BTreeMap`; as JSON they come back
//!   exactly, with no BigInt or `Map` corner cases in structured clones;
//! - one string crosses the wasm boundary per order instead of one JS value per field, which is
//!   the faster way for nested data;
//! - the server speaks the same JSON (`GET /api/changes` sends events as JSON), so events are kept
//!   as the server sent them;
//! - the index fields are plain JS properties next to it, so IndexedDB can index them.

use super::StoreError;
use jumun_core::listing::OrderSummary;
use jumun_core::order::Order;
use jumun_core::stored;
use jumun_core::Event;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// An order as IndexedDB holds it (schema version 5: the fields of its indexes, and the
/// order as JSON; what the list shows and searches is in its `order_list` summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct OrderRow {
    /// 관리번호: the primary key.
    pub id: u64,
    /// 판매처 code (index `marketplace_order`, with `order_no`).
    pub marketplace: String,
    /// 주문번호 (index `marketplace_order`).
    pub order_no: String,
    /// The order's delivery status, its `LineStatus` variant name (index `status`).
    pub status: String,
    /// Every `[marketplace, 주문상세번호]` of its lines (multiEntry index `marketplace_line`).
    pub mp_lines: Vec<(String, String)>,
    /// 송장번호, when an invoice is issued (index `tracking_no`; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_no: Option<String>,
    /// The order itself, as JSON.
    pub doc: String,
}

/// The variant name of a line status, as the `status` index holds it.
pub(crate) fn status_key(status: jumun_core::order::LineStatus) -> String {
    format!("{status:?}")
}

impl OrderRow {
    /// The row of an order, with its index fields derived from it.
    pub fn of(order: &Order) -> Result<Self, StoreError> {
        let doc = serde_json::to_string(order)
            .map_err(|e| StoreError::corrupt(format!("주문 {}", order.id), e))?;
        Ok(Self::derive(order, doc))
    }

    fn derive(order: &Order, doc: String) -> Self {
        let marketplace = order.marketplace.as_str().to_owned();
        let mut mp_lines: Vec<(String, String)> = order
            .lines
            .iter()
            .filter_map(|line| line.keys.line_no.clone())
            .map(|line_no| (marketplace.clone(), line_no))
            .collect();
        mp_lines.sort();
        mp_lines.dedup();
        OrderRow {
            id: order.id.0,
            order_no: order.order_no.clone(),
            status: status_key(order.status()),
            mp_lines,
            tracking_no: order.invoice.as_ref().map(|i| i.tracking_no.clone()),
            marketplace,
            doc,
        }
    }

    /// Re-derives the index fields of a stored row from its document (schema upgrades).
    pub fn rederive(value: &JsValue) -> Result<Self, StoreError> {
        let doc = doc_of(value)?;
        let order: Order =
            serde_json::from_str(&doc).map_err(|e| StoreError::corrupt("주문 레코드", e))?;
        Ok(Self::derive(&order, doc))
    }

    pub fn to_js(&self) -> Result<JsValue, StoreError> {
        Ok(serde_wasm_bindgen::to_value(self)?)
    }
}

/// An `order_list` row read back.
pub(crate) fn summary_of(value: JsValue) -> Result<OrderSummary, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::corrupt("주문 목록 레코드", e))
}

/// The `doc` string of a stored order row.
fn doc_of(value: &JsValue) -> Result<String, StoreError> {
    js_sys::Reflect::get(value, &JsValue::from_str("doc"))
        .ok()
        .and_then(|doc| doc.as_string())
        .ok_or_else(|| StoreError::corrupt("주문 레코드", "doc 필드가 없습니다"))
}

/// The order held in a stored row.
pub(crate) fn order_of(value: &JsValue) -> Result<Order, StoreError> {
    let doc = doc_of(value)?;
    serde_json::from_str(&doc).map_err(|e| StoreError::corrupt("주문 레코드", e))
}

/// Where an event sits in the local log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum EventPosition {
    /// Accepted by the server: its seq in the store's log (a number key; numbers sort before
    /// arrays in IndexedDB, so the server's log comes first).
    Server(u64),
    /// Made offline by this browser and not yet in the server's log: the outbox number of its
    /// operation and its index among that operation's events (an array key `[queued, index]`).
    Local(u64, u32),
}

/// Read as serde's `untagged` reads it (a number, or an array of two), without going through
/// serde's buffered `Content`, which would build a reader of its own into the wasm.
impl<'de> Deserialize<'de> for EventPosition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Position;

        impl<'de> serde::de::Visitor<'de> for Position {
            type Value = EventPosition;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a seq number or [queued, index]")
            }

            fn visit_u64<E: serde::de::Error>(self, seq: u64) -> Result<EventPosition, E> {
                Ok(EventPosition::Server(seq))
            }

            // serde-wasm-bindgen gives a JS number that is a safe integer as an `i64`.
            fn visit_i64<E: serde::de::Error>(self, seq: i64) -> Result<EventPosition, E> {
                u64::try_from(seq)
                    .map(EventPosition::Server)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(seq), &self))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<EventPosition, A::Error> {
                use serde::de::Error;
                let queued = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let index = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(1, &self))?;
                Ok(EventPosition::Local(queued, index))
            }
        }

        deserializer.deserialize_any(Position)
    }
}

/// An event as IndexedDB holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EventRow {
    /// The primary key: a seq number or `[queued, index]`.
    pub k: EventPosition,
    /// The idempotency key of the operation that caused it (index `op`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// The `jumun_core::Event`, as JSON.
    pub json: String,
}

impl EventRow {
    pub fn new(k: EventPosition, op: Option<&str>, event: &Event) -> Result<Self, StoreError> {
        Ok(Self {
            k,
            op: op.map(str::to_owned),
            json: stored::encode_event(event).map_err(|e| StoreError::corrupt("이벤트", e))?,
        })
    }
}

/// An outbox entry as IndexedDB holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OutboxRow {
    /// The auto-incremented primary key: the order in which operations are sent. Absent when
    /// adding; IndexedDB fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// The operation's idempotency key (unique index `key`).
    pub key: String,
    /// When the operator gave the command, RFC 3339.
    pub at: String,
    /// The `jumun_core::Command`, as JSON.
    pub command: String,
}

/// A `meta` record: a name and a JSON value.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MetaRow {
    /// The primary key.
    pub name: String,
    /// The value, as JSON.
    pub value: String,
}

/// A claim, pickup or bundle as IndexedDB holds it (schema version 3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PieceRow {
    /// The primary key.
    pub id: u64,
    /// The order it belongs to (claims and pickups; index `order`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u64>,
    /// The piece, as JSON.
    pub doc: String,
}

/// A stock item or product link as IndexedDB holds it (schema version 3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StockRow {
    /// `item:<sku>` or `link:<product key JSON>`.
    pub k: String,
    /// The item, or the link's `[product key, sku]`, as JSON.
    pub doc: String,
}
