//! Cafe24 Admin API, as the sandbox serves it: `GET /api/v2/admin/orders`, `POST
//! /api/v2/admin/shipments`, `POST /api/v2/oauth/token`.
//!
//! Item `order_status` codes (see `jumun_server::marketplaces::cafe24` for their meaning): paid N10,
//! shipped N30, delivered N40; cancel requested C00, done C41 (취소완료-환불전, a word of the
//! console's table); return requested R00, collecting R30, collected R31, done R40; exchange
//! requested E00, collecting E30, collected E31, done E40. The Cafe24 exchange after collection
//! (R18) sets the original item to E40 and adds the replacement as a new item with the next
//! `order_item_code` and status N01 (교환접수 - 교환상품). A withdrawn cancel shows the delivery
//! status again with `request_undone: "Cancellation"`.

use super::scenario::{Claim, ClaimKind, ClaimStatus, Delivery, LineView, Millis, OrderView};
use super::server::{break_field, key_of, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use jumun_server::marketplaces::cafe24::wire;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/admin/orders", get(list_orders))
        .route("/api/v2/admin/shipments", post(shipments))
        .route("/api/v2/oauth/token", post(token))
}

/// Cafe24's error body with a status.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = wire::ErrorResponse {
        error: wire::ErrorBody {
            code: Some(i64::from(status.as_u16())),
            message: Some(message.into()),
        },
    };
    (status, Json(body)).into_response()
}

/// A boxed error response (helpers return it so their `Result` stays small).
fn bad(status: StatusCode, message: impl Into<String>) -> Box<Response> {
    Box::new(error(status, message))
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len())
}

/// The API version a call asks for (`X-Cafe24-Api-Version`), if any.
fn version(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(jumun_server::marketplaces::cafe24::VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
}

fn unauthorised() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Invalid access_token (send Authorization: Bearer {access_token})",
    )
}

pub(super) fn time(shared: &Shared, at: Millis) -> String {
    shared
        .timeline()
        .time(at)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn won(amount: u64) -> String {
    format!("{amount}.00")
}

/// The item's `order_status`, `status_code` and `status_text`.
fn status(line: &LineView, replacement: bool) -> (&'static str, &'static str, &'static str) {
    let delivery = || match (&line.delivery, replacement) {
        (Delivery::Paid, true) => ("N01", "N2", "교환접수 - 교환상품"),
        (Delivery::Paid, false) => ("N10", "N1", "상품준비중"),
        (Delivery::Shipped { .. }, _) => ("N30", if replacement { "N2" } else { "N1" }, "배송중"),
        (Delivery::Delivered { .. }, _) => {
            ("N40", if replacement { "N2" } else { "N1" }, "배송완료")
        }
    };
    let Some(claim) = &line.claim else {
        return delivery();
    };
    use ClaimStatus::*;
    match (claim.kind, claim.status) {
        (ClaimKind::Cancel, Withdrawn) => delivery(),
        (ClaimKind::Cancel, Refused) => ("C11", "N1", "취소접수거부-관리자"),
        (ClaimKind::Cancel, Done) => ("C41", "C2", "취소완료-환불전"),
        (ClaimKind::Cancel, _) => ("C00", "C2", "취소신청"),
        (ClaimKind::Return, Requested) => ("R00", "C3", "반품신청"),
        (ClaimKind::Return, Collecting) => ("R30", "C3", "반품처리중-수거전"),
        (ClaimKind::Return, Collected) => ("R31", "C3", "반품처리중-수거완료"),
        (ClaimKind::Return, _) => ("R40", "C3", "반품완료-환불완료"),
        (ClaimKind::Exchange, Requested) => ("E00", "E1", "교환신청"),
        (ClaimKind::Exchange, Collecting) => ("E30", "E1", "교환처리중-수거전"),
        (ClaimKind::Exchange, Collected) => ("E31", "E1", "교환처리중-수거완료"),
        (ClaimKind::Exchange, Preparing | DelayNoticed) => ("E20", "E1", "교환준비"),
        (ClaimKind::Exchange, _) => ("E40", "E1", "교환완료"),
    }
}

fn claim_reason_type(claim: &Claim) -> &'static str {
    match claim.kind {
        ClaimKind::Cancel => "A",
        ClaimKind::Return | ClaimKind::Exchange => "I",
    }
}

fn payment_code(method: &str) -> &'static str {
    match method {
        "무통장입금" => "cash",
        "휴대폰" => "cell",
        "계좌이체" => "tcash",
        _ => "card",
    }
}

/// One order as Cafe24's `orders[]` element.
fn render(shared: &Shared, view: &OrderView, embed: &Embed) -> serde_json::Value {
    let order = &view.order;
    let shipping_code = format!("D-{}-01", order.order_no);
    let items: Vec<wire::Item> = view
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let replacement = i >= order.lines.len();
            let (code, status_code, status_text) = status(line, replacement);
            let claim = line.claim.as_ref();
            let invoice = line.delivery.invoice();
            let claim_date = |kind: ClaimKind| {
                claim
                    .filter(|c| c.kind == kind)
                    .map(|c| time(shared, c.requested_at))
            };
            wire::Item {
                item_no: Some(order.seq * 10 + i as u64 + 1),
                order_item_code: line.line.line_no.clone(),
                variant_code: Some(line.line.option_id.clone()),
                product_no: Some(line.line.product_no),
                product_code: Some(line.line.product_code.clone()),
                custom_product_code: None,
                custom_variant_code: None,
                option_id: Some(line.line.option_id.clone()),
                option_value: Some(line.line.option_eq()),
                product_name: line.line.product_name.clone(),
                product_price: won(u64::from(line.line.unit_price)),
                option_price: Some(won(u64::from(line.line.option_price))),
                quantity: line.line.quantity,
                tracking_no: invoice.map(|i| i.tracking_no.clone()),
                shipping_code: Some(shipping_code.clone()),
                claim_code: claim.map(|c| format!("C{}", c.id)),
                claim_reason_type: claim.map(|c| claim_reason_type(c).to_owned()),
                claim_reason: claim.map(|c| c.reason.clone()),
                order_status: code.to_owned(),
                request_undone: claim
                    .filter(|c| c.status == ClaimStatus::Withdrawn)
                    .map(|_| "Cancellation".to_owned()),
                order_status_additional_info: claim
                    .and_then(|c| c.replaced_by.clone())
                    .map(|new| format!("교환상품 품주코드 {new}")),
                claim_quantity: claim.map(|c| c.quantity),
                status_code: Some(status_code.to_owned()),
                status_text: Some(status_text.to_owned()),
                shipping_company_code: invoice.map(|i| carrier_code(&i.carrier)),
                shipping_company_name: invoice.map(|i| carrier_name(&i.carrier)),
                ordered_date: Some(time(shared, view.arrived_at)),
                shipped_date: invoice.map(|i| time(shared, i.at)),
                delivered_date: match &line.delivery {
                    Delivery::Delivered { at, .. } => Some(time(shared, *at)),
                    _ => None,
                },
                purchaseconfirmation_date: None,
                cancel_request_date: claim_date(ClaimKind::Cancel),
                return_request_date: claim_date(ClaimKind::Return),
                exchange_request_date: claim_date(ClaimKind::Exchange),
            }
        })
        .collect();
    let shipped = view
        .lines
        .iter()
        .filter(|l| l.delivery.invoice().is_some())
        .count();
    let delivered = view
        .lines
        .iter()
        .filter(|l| matches!(l.delivery, Delivery::Delivered { .. }))
        .count();
    let cancelled = view
        .lines
        .iter()
        .filter(|l| {
            l.claim
                .as_ref()
                .is_some_and(|c| c.kind == ClaimKind::Cancel && c.status == ClaimStatus::Done)
        })
        .count();
    let all = view.lines.len();
    let receiver = wire::Receiver {
        name: Some(order.recipient.name.clone()),
        phone: order.recipient.phone.clone(),
        cellphone: Some(order.recipient.mobile.clone()),
        virtual_phone_no: None,
        zipcode: Some(order.address.postcode.clone()),
        address1: Some(order.address.road.clone()),
        address2: Some(order.address.detail.clone()),
        address_full: Some(order.address.full()),
        shipping_message: Some(order.memo.clone()),
        shipping_code: Some(shipping_code.clone()),
    };
    let rendered = wire::Order {
        shop_no: Some(1),
        order_id: order.order_no.clone(),
        currency: Some("KRW".to_owned()),
        member_id: Some(order.member_id.clone()),
        billing_name: Some(order.orderer.name.clone()),
        payment_method: vec![payment_code(&order.payment_method).to_owned()],
        payment_method_name: vec![order.payment_method.clone()],
        paid: Some("T".to_owned()),
        canceled: Some(
            match cancelled {
                0 => "F",
                n if n == all => "T",
                _ => "M",
            }
            .to_owned(),
        ),
        order_date: time(shared, view.arrived_at),
        payment_date: Some(order.paid_at.format("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        bank_account_no: None,
        payment_amount: Some(won(order.payment_amount())),
        shipping_status: Some(
            if delivered == all {
                "T"
            } else if shipped > 0 {
                "M"
            } else {
                "F"
            }
            .to_owned(),
        ),
        items: if embed.items { items } else { Vec::new() },
        receivers: if embed.receivers {
            vec![receiver]
        } else {
            Vec::new()
        },
        buyer: embed.buyer.then(|| wire::Buyer {
            member_id: Some(order.member_id.clone()),
            name: Some(order.orderer.name.clone()),
            email: Some(order.orderer.email.clone()),
            phone: order.orderer.phone.clone(),
            cellphone: Some(order.orderer.mobile.clone()),
        }),
    };
    let mut value = serde_json::to_value(rendered).unwrap_or(serde_json::Value::Null);
    if view.malformed && embed.items {
        break_field(&mut value, "/items/0/quantity");
    }
    value
}

/// The sandbox mall's carrier codes (`shipping_company_code`) by the console's carrier code (a
/// real mall's own carrier settings decide); its connection carries them
/// ([`jumun_server::marketplaces::Connection::carrier_codes`]).
pub(crate) const CARRIER_CODES: &[(&str, &str)] = &[
    ("cj", "0006"),
    ("lotte", "0004"),
    ("hanjin", "0005"),
    ("epost", "0002"),
    ("logen", "0003"),
];

/// The sandbox's own shipments use the console's carrier code `cj`; Cafe24 shows its code.
fn carrier_code(carrier: &str) -> String {
    CARRIER_CODES
        .iter()
        .find(|(c, _)| *c == carrier)
        .map_or_else(|| carrier.to_owned(), |(_, code)| (*code).to_owned())
}

/// Cafe24 carrier codes the sandbox names (a mall's own table decides in reality).
fn carrier_name(code: &str) -> String {
    match code {
        "0006" => "CJ대한통운".to_owned(),
        "0004" => "롯데택배".to_owned(),
        "0005" => "한진택배".to_owned(),
        "0002" => "우체국택배".to_owned(),
        "0003" => "로젠택배".to_owned(),
        other => other.to_owned(),
    }
}

/// Which day a list search looks at (`date_type`). Cafe24's list: order_date, pay_date,
/// shipbegin_date, shipend_date, cancel_date, place_date, cancel_/exchange_/return_ with
/// request_date, accept_date and complete_date, purchaseconfirmation_date (Admin API, Retrieve a
/// list of orders, `date_type`; checked 2026-12-02). The sandbox serves the order and claim ones.
#[derive(Debug, Clone, Copy)]
enum DateType {
    /// `order_date`, `pay_date` (the sandbox's orders are paid as they are placed).
    Ordered,
    /// A claim's request (신청), acceptance (접수) or completion (완료) day.
    Claim(ClaimKind, ClaimStep),
}

/// A step of a claim with its own date in Cafe24's search.
#[derive(Debug, Clone, Copy)]
enum ClaimStep {
    Requested,
    Accepted,
    Completed,
}

impl DateType {
    fn parse(text: &str) -> Option<Self> {
        if matches!(text, "order_date" | "pay_date") {
            return Some(DateType::Ordered);
        }
        let (kind, step) = text.split_once('_')?;
        let kind = match kind {
            "cancel" => ClaimKind::Cancel,
            "return" => ClaimKind::Return,
            "exchange" => ClaimKind::Exchange,
            _ => return None,
        };
        let step = match step {
            "request_date" => ClaimStep::Requested,
            "accept_date" => ClaimStep::Accepted,
            "complete_date" => ClaimStep::Completed,
            _ => return None,
        };
        Some(DateType::Claim(kind, step))
    }
}

#[derive(Debug, Default)]
struct Embed {
    items: bool,
    receivers: bool,
    buyer: bool,
}

fn date(text: &str, name: &str) -> Result<NaiveDate, Box<Response>> {
    let day = text.trim().get(..10).unwrap_or(text.trim());
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{name} {text:?} is not a date (YYYY-MM-DD)"),
        )
    })
}

fn number(
    params: &HashMap<String, String>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, Box<Response>> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(bad(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{name} must be a number from 0 to {max}, not {v:?}"),
            )),
        },
    }
}

async fn list_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    shared.count("cafe24");
    shared.note_cafe24_version(version(&headers));
    if !authorised(&headers) {
        return unauthorised();
    }
    let Ok(Query(params)) = query else {
        return error(StatusCode::BAD_REQUEST, "the query string does not parse");
    };
    let (Some(start), Some(end)) = (params.get("start_date"), params.get("end_date")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "start_date and end_date are required",
        );
    };
    let (start, end) = match (date(start, "start_date"), date(end, "end_date")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let date_type = params
        .get("date_type")
        .map(String::as_str)
        .unwrap_or("order_date");
    let Some(by) = DateType::parse(date_type) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("date_type {date_type:?} is not one the sandbox knows (order_date, pay_date, and cancel_/return_/exchange_ with request_date, accept_date or complete_date)"),
        );
    };
    let limit = match number(&params, "limit", 10, 1000) {
        Ok(n) => n.max(1),
        Err(r) => return *r,
    };
    let offset = match number(&params, "offset", 0, 15000) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let statuses: Vec<String> = params
        .get("order_status")
        .map(|s| {
            s.split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let embed_list = params.get("embed").cloned().unwrap_or_default();
    let embed = Embed {
        items: embed_list.split(',').any(|e| e.trim() == "items"),
        receivers: embed_list.split(',').any(|e| e.trim() == "receivers"),
        buyer: embed_list.split(',').any(|e| e.trim() == "buyer"),
    };
    let (_, orders) = shared.snapshot();
    let timeline = shared.timeline();
    let in_range = |at: Millis| {
        let day = timeline.time(at).date_naive();
        day >= start && day <= end
    };
    let selected: Vec<&OrderView> = orders
        .iter()
        .filter(|o| o.order.channel == "cafe24")
        .filter(|o| match by {
            DateType::Ordered => in_range(o.arrived_at),
            DateType::Claim(kind, step) => o.lines.iter().any(|l| {
                l.claim
                    .as_ref()
                    .filter(|c| c.kind == kind)
                    .and_then(|c| match step {
                        ClaimStep::Requested => Some(c.requested_at),
                        ClaimStep::Accepted => c.accepted_at,
                        ClaimStep::Completed => c.completed_at,
                    })
                    .is_some_and(in_range)
            }),
        })
        .filter(|o| {
            statuses.is_empty()
                || o.lines.iter().enumerate().any(|(i, l)| {
                    let (code, _, _) = status(l, i >= o.order.lines.len());
                    statuses.iter().any(|s| s == code)
                })
        })
        .collect();
    let page: Vec<serde_json::Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| render(&shared, o, &embed))
        .collect();
    Json(serde_json::json!({ "orders": page })).into_response()
}

async fn shipments(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    shared.count("cafe24");
    shared.note_cafe24_version(version(&headers));
    if !authorised(&headers) {
        return unauthorised();
    }
    let request: wire::ShipmentsRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                "the body is not a shipments request ({{\"shop_no\", \"requests\": [...]}}): {e}"
            ),
            )
        }
    };
    if request.requests.is_empty() {
        return error(StatusCode::BAD_REQUEST, "requests is empty");
    }
    let (now, orders) = shared.snapshot();
    // Each item ends on its own. Cafe24 answers 207 "when the statuses of multiple requests are
    // different by object" (Admin API status codes, checked 2026-12-02) and shows no body for it;
    // the sandbox answers a request whose items end differently with 207, a row in `shipments`
    // for each item shipped and an entry in `errors` for each refused (an assumption: the
    // adapter trusts only the rows).
    let mut done: Vec<(String, &wire::Shipment)> = Vec::new();
    let mut refused: Vec<(String, String)> = Vec::new();
    for shipment in &request.requests {
        let Some(order) = orders
            .iter()
            .find(|o| o.order.channel == "cafe24" && o.order.order_no == shipment.order_id)
        else {
            refused.push((
                shipment.order_id.clone(),
                format!("order {} not found", shipment.order_id),
            ));
            continue;
        };
        if shipment.order_item_code.is_empty() {
            refused.push((
                shipment.order_id.clone(),
                "order_item_code is required".into(),
            ));
            continue;
        }
        for code in &shipment.order_item_code {
            let key = key_of(order, code);
            let outcome = match super::server::find_line(&orders, &key) {
                None => Err(format!(
                    "order item {code} not found in {}",
                    shipment.order_id
                )),
                Some(line) => super::server::check_shippable(line)
                    .and_then(|()| {
                        shared.upload(
                            &orders,
                            &key,
                            &shipment.shipping_company_code,
                            &shipment.tracking_no,
                            now,
                        )
                    })
                    .map_err(|refusal| format!("{code}: {refusal}")),
            };
            match outcome {
                Ok(()) => done.push((code.clone(), shipment)),
                Err(message) => refused.push((code.clone(), message)),
            }
        }
    }
    if done.is_empty() {
        let message = refused
            .first()
            .map_or_else(|| "nothing to ship".to_owned(), |(_, m)| m.clone());
        return error(StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let shipments: Vec<serde_json::Value> = done
        .iter()
        .map(|(code, s)| {
            serde_json::json!({
                "shop_no": request.shop_no,
                "order_id": s.order_id,
                "tracking_no": s.tracking_no,
                "shipping_company_code": s.shipping_company_code,
                "status": s.status,
                "order_item_code": [code],
                "shipping_code": s.shipping_code.clone().unwrap_or_else(|| format!("D-{}-01", s.order_id)),
            })
        })
        .collect();
    if refused.is_empty() {
        return (
            StatusCode::CREATED,
            Json(serde_json::json!({ "shipments": shipments })),
        )
            .into_response();
    }
    let errors: Vec<serde_json::Value> = refused
        .iter()
        .map(|(code, message)| {
            serde_json::json!({ "code": 422, "message": message, "order_item_code": code })
        })
        .collect();
    (
        StatusCode::MULTI_STATUS,
        Json(serde_json::json!({ "shipments": shipments, "errors": errors })),
    )
        .into_response()
}

async fn token(State(shared): State<Arc<Shared>>) -> Response {
    shared.count("cafe24");
    let now = shared.now();
    Json(serde_json::json!({
        "access_token": super::server::SANDBOX_TOKEN,
        "expires_at": time(&shared, now + 2 * 3600 * 1000),
        "refresh_token": "sandbox-refresh-token",
        "refresh_token_expires_at": time(&shared, now + 14 * 24 * 3600 * 1000),
        "client_id": "sandbox",
        "mall_id": "sandbox",
        "user_id": "sandbox",
        "scopes": ["mall.read_order", "mall.write_order"],
        "issued_at": time(&shared, now),
    }))
    .into_response()
}
