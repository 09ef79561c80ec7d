//! The generic marketplace feed (see `jumun_server::marketplaces::generic::wire`), one per marketplace
//! code under `/generic/{code}`: `GET orders?since`, `GET claims?since`, `POST invoices`,
//! `POST claims/{claim_no}/ack`.
//!
//! `since` is the `next_cursor` of the previous answer (RFC 3339 with milliseconds; empty: from
//! the start); an answer holds what changed after it up to now. Status words are the
//! marketplace's own: cancel words come from its row of `data/marketplaces.tsv` (11st 취소신청 →
//! 취소완료, Gmarket 취소요청 → 취소완료, Fashionplus 취소신청 → 취소거부 …), returns 반품요청 (or
//! 반품신청) → 반품수거중 → 반품수거완료 → 반품완료, exchanges 교환요청 (or 교환신청) → 교환수거중
//! → 교환수거완료 → 교환완료; Kakao Style (zigzag) uses its exchange words 교환배송준비중,
//! 교환배송연기안내, 교환배송중, 교환배송완료, and a delay notice's count and new due date are the
//! claim's `delay_notices` and `due_at`. A CASE2 replacement order (Musinsa) names the line it
//! replaces in `exchange_of`.

use super::scenario::{Claim, ClaimKind, ClaimStatus, Delivery, LineView, Millis, OrderView};
use super::server::{break_field, check_shippable, key_of, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::DateTime;
use jumun_core::marketplace::MarketplaceTable;
use jumun_server::marketplaces::generic::wire;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/generic/{code}/orders", get(orders))
        .route("/generic/{code}/claims", get(claims))
        .route("/generic/{code}/invoices", post(invoices))
        .route("/generic/{code}/claims/{claim_no}/ack", post(ack))
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(serde_json::json!({"code": code, "message": message.into()})),
    )
        .into_response()
}

/// A boxed error response (helpers return it so their `Result` stays small).
fn bad(status: StatusCode, code: &str, message: impl Into<String>) -> Box<Response> {
    Box::new(error(status, code, message))
}

fn check(headers: &HeaderMap, code: &str) -> Result<(), Box<Response>> {
    let served =
        super::generate::channel(code).is_some_and(|c| c.api == super::generate::ApiKind::Generic);
    if !served {
        return Err(bad(
            StatusCode::NOT_FOUND,
            "unknown_marketplace",
            format!(
                "the sandbox serves no generic feed for {code:?}; see GET / for the marketplaces"
            ),
        ));
    }
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len());
    if ok {
        Ok(())
    } else {
        Err(bad(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send Authorization: Bearer {api_key}",
        ))
    }
}

fn time(shared: &Shared, at: Millis) -> String {
    shared
        .timeline()
        .time(at)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// The marketplace's cancel words, from the console's table.
fn cancel_words(code: &str) -> Vec<String> {
    MarketplaceTable::builtin()
        .get(&code.into())
        .map(|p| p.cancel_statuses.clone())
        .unwrap_or_default()
}

fn uses_sincheong(code: &str) -> bool {
    cancel_words(code).iter().any(|w| w.contains("신청"))
}

/// The status word of a claim at this marketplace.
pub(super) fn claim_word(code: &str, claim: &Claim) -> String {
    use ClaimStatus::*;
    let request = if uses_sincheong(code) {
        "신청"
    } else {
        "요청"
    };
    match claim.kind {
        ClaimKind::Cancel => {
            let words = cancel_words(code);
            let find = |parts: &[&str]| {
                words
                    .iter()
                    .find(|w| parts.iter().any(|p| w.contains(p)))
                    .cloned()
            };
            match claim.status {
                Withdrawn => "취소철회".to_owned(),
                Refused => MarketplaceTable::builtin()
                    .get(&code.into())
                    .and_then(|p| p.withdraw_statuses.first().cloned())
                    .unwrap_or_else(|| "취소거부".to_owned()),
                Done => find(&["완료"])
                    .or_else(|| find(&["승인"]))
                    .or_else(|| words.last().cloned())
                    .unwrap_or_else(|| "취소완료".to_owned()),
                _ => find(&["요청", "신청"]).unwrap_or_else(|| format!("취소{request}")),
            }
        }
        ClaimKind::Return => match claim.status {
            Requested => format!("반품{request}"),
            Collecting => "반품수거중".to_owned(),
            Collected | Preparing | DelayNoticed | Redelivering => "반품수거완료".to_owned(),
            Done => "반품완료".to_owned(),
            Withdrawn | Refused => "반품철회".to_owned(),
        },
        ClaimKind::Exchange => match claim.status {
            Requested => format!("교환{request}"),
            Collecting => "교환수거중".to_owned(),
            Collected => "교환수거완료".to_owned(),
            Preparing => "교환배송준비중".to_owned(),
            DelayNoticed => "교환배송연기안내".to_owned(),
            Redelivering => "교환배송중".to_owned(),
            Done if code == "zigzag" => "교환배송완료".to_owned(),
            Done => "교환완료".to_owned(),
            Withdrawn | Refused => "교환철회".to_owned(),
        },
    }
}

fn line_word(code: &str, line: &LineView) -> String {
    if let Some(claim) = &line.claim {
        let settled = claim.kind == ClaimKind::Cancel
            && matches!(claim.status, ClaimStatus::Withdrawn | ClaimStatus::Refused);
        if !settled {
            return claim_word(code, claim);
        }
    }
    match line.delivery {
        Delivery::Paid => "결제완료",
        Delivery::Shipped { .. } => "배송중",
        Delivery::Delivered { .. } => "배송완료",
    }
    .to_owned()
}

fn keys(line: &LineView) -> wire::FeedKeys {
    wire::FeedKeys {
        line_no: Some(line.line.line_no.clone()),
        line_no2: line.line.line_no2.clone(),
        product_code: Some(line.line.product_code.clone()),
        option_id: Some(line.line.option_id.clone()),
        codes: Default::default(),
    }
}

fn render_order(view: &OrderView) -> serde_json::Value {
    let order = &view.order;
    let feed = wire::FeedOrder {
        order_no: order.order_no.clone(),
        ordered_at: order.ordered_at.to_rfc3339(),
        paid_at: Some(order.paid_at.to_rfc3339()),
        payment: "paid".to_owned(),
        payment_due_at: None,
        orderer_name: order.orderer.name.clone(),
        orderer_phone: order.orderer.mobile.clone(),
        recipient_name: order.recipient.name.clone(),
        recipient_phone: order.recipient.mobile.clone(),
        recipient_landline: order.recipient.phone.clone(),
        postcode: order.address.postcode.clone(),
        address: order.address.full(),
        memo: Some(order.memo.clone()).filter(|m| !m.is_empty()),
        lines: view
            .lines
            .iter()
            .map(|l| wire::FeedLine {
                keys: keys(l),
                product_name: l.line.product_name.clone(),
                option: l.line.option_values(),
                quantity: l.line.quantity,
                unit_price: i64::from(l.line.unit_price),
                option_price: i64::from(l.line.option_price),
                status: line_word(order.channel, l),
                shipment_no: Some(order.parcel_no.clone()),
            })
            .collect(),
        exchange_of: view
            .exchange_of
            .as_ref()
            .map(|(order_no, line_no)| wire::ExchangeOf {
                order_no: order_no.clone(),
                line_no: Some(line_no.clone()),
            }),
    };
    let mut value = serde_json::to_value(feed).unwrap_or(serde_json::Value::Null);
    if view.malformed {
        break_field(&mut value, "/lines/0/quantity");
    }
    value
}

/// Reads `since`: empty is the beginning of time.
fn since(
    shared: &Shared,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Option<Millis>, Box<Response>> {
    let Ok(Query(params)) = query else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the query string does not parse",
        ));
    };
    match params
        .get("since")
        .map(|s| s.trim().replace(' ', "+"))
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map(|t| Some(shared.timeline().millis(t)))
            .map_err(|_| {
                bad(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("since {text:?} is not a cursor this feed gave (RFC 3339 time)"),
                )
            }),
    }
}

async fn orders(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    shared.count("generic");
    if let Err(r) = check(&headers, &code) {
        return *r;
    }
    let since = match since(&shared, query) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (now, all) = shared.snapshot();
    let orders: Vec<serde_json::Value> = all
        .iter()
        .filter(|o| o.order.channel == code)
        .filter(|o| since.is_none_or(|s| o.changed_at() > s))
        .map(render_order)
        .collect();
    Json(serde_json::json!({"orders": orders, "next_cursor": time(&shared, now)})).into_response()
}

async fn claims(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    shared.count("generic");
    if let Err(r) = check(&headers, &code) {
        return *r;
    }
    let since = match since(&shared, query) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (now, all) = shared.snapshot();
    let mut claims = Vec::new();
    for order in all.iter().filter(|o| o.order.channel == code) {
        for line in &order.lines {
            let Some(claim) = &line.claim else { continue };
            if since.is_some_and(|s| claim.changed_at <= s) {
                continue;
            }
            claims.push(wire::FeedClaim {
                claim_no: Some(claim.id.clone()),
                order_no: order.order.order_no.clone(),
                keys: keys(line),
                product_name: Some(line.line.product_name.clone()),
                option: Some(line.line.option_values()),
                quantity: Some(claim.quantity),
                status: claim_word(&code, claim),
                reason: Some(claim.reason.clone()),
                requested_option: claim.exchange_to.as_ref().map(|l| l.option_values()),
                reported_at: time(&shared, claim.changed_at),
                delay_notices: claim
                    .delay
                    .as_ref()
                    .map(|d| u8::try_from(d.count).unwrap_or(u8::MAX)),
                due_at: claim
                    .delay
                    .as_ref()
                    .map(|d| d.due.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()),
            });
        }
    }
    Json(wire::ClaimsFeed {
        claims,
        next_cursor: Some(time(&shared, now)),
    })
    .into_response()
}

async fn invoices(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    shared.count("generic");
    if let Err(r) = check(&headers, &code) {
        return *r;
    }
    let body: wire::InvoiceBody = match serde_json::from_str(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!(
                "the body is not an invoice ({{order_no, line_nos, carrier, tracking_no}}): {e}"
            ),
            )
        }
    };
    let (now, all) = shared.snapshot();
    let Some(order) = all
        .iter()
        .find(|o| o.order.channel == code && o.order.order_no == body.order_no)
    else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("order {} not found", body.order_no),
        );
    };
    let line_nos: Vec<String> = if body.line_nos.is_empty() {
        order.lines.iter().map(|l| l.line.line_no.clone()).collect()
    } else {
        body.line_nos.clone()
    };
    for line_no in &line_nos {
        let Some(line) = order.lines.iter().find(|l| &l.line.line_no == line_no) else {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("line {line_no} of order {} not found", body.order_no),
            );
        };
        if let Err(refusal) = check_shippable(line) {
            return error(
                StatusCode::CONFLICT,
                "refused",
                format!("line {line_no}: {refusal}"),
            );
        }
    }
    for line_no in &line_nos {
        if let Err(refusal) = shared.upload(
            &all,
            &key_of(order, line_no),
            &body.carrier,
            &body.tracking_no,
            now,
        ) {
            return error(
                StatusCode::CONFLICT,
                "refused",
                format!("line {line_no}: {refusal}"),
            );
        }
    }
    Json(serde_json::json!({"ok": true, "order_no": body.order_no, "line_nos": line_nos}))
        .into_response()
}

async fn ack(
    State(shared): State<Arc<Shared>>,
    Path((code, claim_no)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    shared.count("generic");
    if let Err(r) = check(&headers, &code) {
        return *r;
    }
    let (_, all) = shared.snapshot();
    let found = all
        .iter()
        .filter(|o| o.order.channel == code)
        .flat_map(|o| o.lines.iter())
        .filter_map(|l| l.claim.as_ref())
        .any(|c| c.id == claim_no);
    if found {
        shared.acknowledge(&claim_no);
        Json(serde_json::json!({"ok": true, "claim_no": claim_no})).into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("claim {claim_no} not found at {code}"),
        )
    }
}
