//! Naver Commerce API (SmartStore), as the sandbox serves it under `/external`.
//!
//! `productOrderStatus`: paid PAYED, shipped DELIVERING, delivered DELIVERED, cancelled CANCELED,
//! returned RETURNED, exchanged EXCHANGED. Claims: `claimType` CANCEL / RETURN / EXCHANGE with
//! `claimStatus` CANCEL_REQUEST, CANCEL_DONE, CANCEL_REJECT (the buyer's withdrawal, 철회),
//! RETURN_REQUEST, COLLECTING, COLLECT_DONE, RETURN_DONE, EXCHANGE_REQUEST,
//! EXCHANGE_REDELIVERING, EXCHANGE_DONE. `lastChangedType` follows the line's latest event:
//! PAYED, DISPATCHED (shipped or delivered), CLAIM_REQUESTED, COLLECT_DONE, CLAIM_COMPLETED,
//! CLAIM_REJECTED, CLAIM_REDELIVERING.
//!
//! `last-changed-statuses` answers at most the 24 hours after `lastChangedFrom` (up to
//! `lastChangedTo` when given; a longer window is refused), and `product-orders/query` sends a
//! claim's details under `currentClaim` only, as Naver does since 2026-10-28.
//!
//! Naver's `exchange` object has no field for the option the buyer wants; the sandbox writes it
//! at the end of `exchangeDetailedReason` as `사유 → 색상: 블랙 / 사이즈: L` (the option in
//! `productOption`'s form), the convention `jumun_server::marketplaces::naver::split_exchange_detail`
//! reads.

use super::scenario::{Claim, ClaimKind, ClaimStatus, Delivery, LineView, Millis, OrderView};
use super::server::{break_field, check_shippable, key_of, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, FixedOffset};
use jumun_server::marketplaces::naver::wire;
use std::collections::HashMap;
use std::sync::Arc;

const BASE: &str = "/external/v1/pay-order/seller/product-orders";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/external/v1/oauth2/token", post(token))
        .route(&format!("{BASE}/last-changed-statuses"), get(last_changed))
        .route(&format!("{BASE}/query"), post(query))
        .route(&format!("{BASE}/dispatch"), post(dispatch))
        .route(
            &format!("{BASE}/{{id}}/claim/{{kind}}/approve"),
            post(approve),
        )
        .route(
            &format!("{BASE}/{{id}}/claim/exchange/collect/approve"),
            post(approve_exchange),
        )
}

fn time(shared: &Shared, at: Millis) -> String {
    format_time(shared.timeline().time(at))
}

fn format_time(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

fn trace_id(shared: &Shared) -> String {
    format!("sandbox-{:x}", shared.now())
}

/// Naver's error body: `{code, message, timestamp, traceId, invalidInputs}`.
fn error(
    shared: &Shared,
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    field: Option<&str>,
) -> Response {
    let mut body = serde_json::json!({
        "code": code,
        "message": message.into(),
        "timestamp": time(shared, shared.now()),
        "traceId": trace_id(shared),
    });
    if let Some(field) = field {
        body["invalidInputs"] = serde_json::json!([{ "name": field, "type": "Invalid", "message": "값을 확인해 주세요." }]);
    }
    (status, Json(body)).into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len())
}

fn unauthorised(shared: &Shared) -> Response {
    error(shared, StatusCode::UNAUTHORIZED, "GW.AUTHN", "요청에 대한 인증이 실패했습니다. (send Authorization: Bearer {token} from POST /external/v1/oauth2/token)", None)
}

/// `productOrderStatus`, `claimType`, `claimStatus`.
fn statuses(line: &LineView) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    let delivery = match line.delivery {
        Delivery::Paid => "PAYED",
        Delivery::Shipped { .. } => "DELIVERING",
        Delivery::Delivered { .. } => "DELIVERED",
    };
    let Some(claim) = &line.claim else {
        return (delivery, None, None);
    };
    use ClaimStatus::*;
    let (status, kind, claim_status) = match (claim.kind, claim.status) {
        (ClaimKind::Cancel, Done) => ("CANCELED", "CANCEL", "CANCEL_DONE"),
        (ClaimKind::Cancel, Withdrawn | Refused) => (delivery, "CANCEL", "CANCEL_REJECT"),
        (ClaimKind::Cancel, _) => (delivery, "CANCEL", "CANCEL_REQUEST"),
        (ClaimKind::Return, Requested) => (delivery, "RETURN", "RETURN_REQUEST"),
        (ClaimKind::Return, Collecting) => (delivery, "RETURN", "COLLECTING"),
        (ClaimKind::Return, Done) => ("RETURNED", "RETURN", "RETURN_DONE"),
        (ClaimKind::Return, Withdrawn | Refused) => (delivery, "RETURN", "RETURN_REJECT"),
        (ClaimKind::Return, _) => (delivery, "RETURN", "COLLECT_DONE"),
        (ClaimKind::Exchange, Requested) => (delivery, "EXCHANGE", "EXCHANGE_REQUEST"),
        (ClaimKind::Exchange, Collecting) => (delivery, "EXCHANGE", "COLLECTING"),
        (ClaimKind::Exchange, Redelivering) => (delivery, "EXCHANGE", "EXCHANGE_REDELIVERING"),
        (ClaimKind::Exchange, Done) => ("EXCHANGED", "EXCHANGE", "EXCHANGE_DONE"),
        (ClaimKind::Exchange, Withdrawn | Refused) => (delivery, "EXCHANGE", "EXCHANGE_REJECT"),
        (ClaimKind::Exchange, _) => (delivery, "EXCHANGE", "COLLECT_DONE"),
    };
    (status, Some(kind), Some(claim_status))
}

fn last_changed_type(line: &LineView) -> &'static str {
    match &line.claim {
        None => match line.delivery {
            Delivery::Paid => "PAYED",
            _ => "DISPATCHED",
        },
        Some(claim) => match claim.status {
            ClaimStatus::Requested | ClaimStatus::Collecting => "CLAIM_REQUESTED",
            ClaimStatus::Collected | ClaimStatus::Preparing | ClaimStatus::DelayNoticed => {
                "COLLECT_DONE"
            }
            ClaimStatus::Done => "CLAIM_COMPLETED",
            ClaimStatus::Withdrawn | ClaimStatus::Refused => "CLAIM_REJECTED",
            ClaimStatus::Redelivering => "CLAIM_REDELIVERING",
        },
    }
}

fn reason_code(claim: &Claim) -> &'static str {
    match claim.kind {
        ClaimKind::Cancel => "INTENT_CHANGED",
        ClaimKind::Return | ClaimKind::Exchange => "COLOR_AND_SIZE",
    }
}

/// `collectStatus` of a return or exchange: set once a pickup is on its way.
fn collect_status(claim: &Claim) -> Option<String> {
    claim.pickup.as_ref().map(|_| {
        if claim.status == ClaimStatus::Collecting {
            "COLLECTING"
        } else {
            "COLLECT_DONE"
        }
        .to_owned()
    })
}

/// The console's carrier code `cj` of the sandbox's own parcels as Naver's code.
fn carrier(code: &str) -> String {
    match code {
        "cj" => "CJGLS".to_owned(),
        other => other.to_owned(),
    }
}

fn smartstore_lines(orders: &[OrderView]) -> impl Iterator<Item = (&OrderView, &LineView)> {
    orders
        .iter()
        .filter(|o| o.order.channel == "smartstore")
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
}

fn render(shared: &Shared, view: &OrderView, line: &LineView) -> serde_json::Value {
    let order = &view.order;
    let (status, claim_type, claim_status) = statuses(line);
    let claim = line.claim.as_ref();
    let claim_date = claim.map(|c| time(shared, c.requested_at));
    let invoice = line.delivery.invoice();
    let info = wire::ProductOrderInfo {
        order: wire::Order {
            order_id: order.order_no.clone(),
            order_date: format_time(order.ordered_at),
            orderer_id: Some(order.member_id.clone()),
            orderer_name: Some(order.orderer.name.clone()),
            orderer_tel: Some(order.orderer.mobile.clone()),
            payment_date: Some(format_time(order.paid_at)),
            payment_due_date: None,
            payment_means: Some(order.payment_method.clone()),
            general_payment_amount: i64::try_from(order.payment_amount()).ok(),
            pay_location_type: Some("MOBILE".to_owned()),
        },
        product_order: wire::ProductOrder {
            product_order_id: line.line.line_no.clone(),
            product_order_status: status.to_owned(),
            claim_type: claim_type.map(str::to_owned),
            claim_status: claim_status.map(str::to_owned),
            claim_id: claim.map(|c| c.id.clone()),
            place_order_status: Some(
                if matches!(line.delivery, Delivery::Paid) {
                    "NOT_YET"
                } else {
                    "OK"
                }
                .to_owned(),
            ),
            product_id: Some(line.line.product_no.to_string()),
            product_name: line.line.product_name.clone(),
            product_option: Some(line.line.option_colon()),
            option_code: Some(line.line.option_id.clone()),
            option_price: Some(i64::from(line.line.option_price)),
            quantity: line.line.quantity,
            remain_quantity: Some(match claim {
                Some(c) if c.status == ClaimStatus::Done => {
                    line.line.quantity.saturating_sub(c.quantity)
                }
                _ => line.line.quantity,
            }),
            unit_price: i64::from(line.line.unit_price),
            total_payment_amount: i64::try_from(line.line.amount()).ok(),
            seller_product_code: Some(line.line.product_code.clone()),
            package_number: Some(order.parcel_no.clone()),
            shipping_address: Some(wire::Address {
                name: Some(order.recipient.name.clone()),
                tel1: Some(order.recipient.mobile.clone()),
                tel2: order.recipient.phone.clone(),
                base_address: Some(order.address.road.clone()),
                detailed_address: Some(order.address.detail.clone()),
                zip_code: Some(order.address.postcode.clone()),
            }),
            shipping_memo: Some(order.memo.clone()),
            shipping_due_date: Some(format_time(order.ordered_at + Duration::days(3))),
            decision_date: None,
        },
        delivery: invoice.map(|i| wire::Delivery {
            delivery_company: Some(carrier(&i.carrier)),
            tracking_number: Some(i.tracking_no.clone()),
            delivery_status: Some(
                match line.delivery {
                    Delivery::Delivered { .. } => "DELIVERY_COMPLETION",
                    _ => "DELIVERING",
                }
                .to_owned(),
            ),
            send_date: Some(time(shared, i.at)),
            delivered_date: match line.delivery {
                Delivery::Delivered { at, .. } => Some(time(shared, at)),
                _ => None,
            },
        }),
        // Claim details only under `currentClaim`: Naver removed the top-level `cancel` /
        // `return` / `exchange` on 2026-10-28 (github.com/commerce-api-naver/commerce-api
        // discussions 3608 and 1691, checked 2026-12-02). The sandbox's claims have no earlier
        // claim, so no `beforeClaim`.
        current_claim: claim.map(|_| wire::ClaimDetails {
            cancel: claim
                .filter(|c| c.kind == ClaimKind::Cancel)
                .map(|c| wire::Cancel {
                    claim_id: Some(c.id.clone()),
                    claim_status: claim_status.map(str::to_owned),
                    claim_request_date: claim_date.clone(),
                    cancel_reason: Some(reason_code(c).to_owned()),
                    cancel_detailed_reason: Some(c.reason.clone()),
                    cancel_approval_date: None,
                    cancel_completed_date: (c.status == ClaimStatus::Done)
                        .then(|| time(shared, c.changed_at)),
                    request_channel: Some("구매자".to_owned()),
                    request_quantity: Some(c.quantity),
                }),
            return_: claim
                .filter(|c| c.kind == ClaimKind::Return)
                .map(|c| wire::Return {
                    claim_id: Some(c.id.clone()),
                    claim_status: claim_status.map(str::to_owned),
                    claim_request_date: claim_date.clone(),
                    return_reason: Some(reason_code(c).to_owned()),
                    return_detailed_reason: Some(c.reason.clone()),
                    collect_status: collect_status(c),
                    collect_tracking_number: c.pickup.as_ref().map(|p| p.tracking_no.clone()),
                    request_quantity: Some(c.quantity),
                }),
            exchange: claim
                .filter(|c| c.kind == ClaimKind::Exchange)
                .map(|c| wire::Exchange {
                    claim_id: Some(c.id.clone()),
                    claim_status: claim_status.map(str::to_owned),
                    claim_request_date: claim_date.clone(),
                    exchange_reason: Some(reason_code(c).to_owned()),
                    exchange_detailed_reason: Some(match &c.exchange_to {
                        Some(to) => format!("{} → {}", c.reason, to.option_colon()),
                        None => c.reason.clone(),
                    }),
                    collect_status: collect_status(c),
                    re_delivery_status: c
                        .replacement_invoice
                        .as_ref()
                        .map(|_| "DELIVERING".to_owned()),
                    request_quantity: Some(c.quantity),
                }),
        }),
        before_claim: None,
    };
    let mut value = serde_json::to_value(info).unwrap_or(serde_json::Value::Null);
    if view.malformed {
        break_field(&mut value, "/productOrder/quantity");
    }
    value
}

fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    // A '+' in a query string decodes to a space; take it back.
    DateTime::parse_from_rfc3339(&text.trim().replace(' ', "+")).ok()
}

async fn last_changed(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    shared.count("naver");
    if !authorised(&headers) {
        return unauthorised(&shared);
    }
    let Ok(Query(params)) = query else {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "104000",
            "요청 파라미터를 해석할 수 없습니다.",
            None,
        );
    };
    let Some(from_text) = params.get("lastChangedFrom") else {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "104105",
            "lastChangedFrom은 필수입니다.",
            Some("lastChangedFrom"),
        );
    };
    let Some(from) = parse_time(from_text) else {
        return error(&shared, StatusCode::BAD_REQUEST, "104105", format!("lastChangedFrom {from_text:?}은 date-time(2022-04-11T15:21:44.000+09:00)이 아닙니다."), Some("lastChangedFrom"));
    };
    let to = match params.get("lastChangedTo") {
        None => from + Duration::hours(24),
        Some(t) => match parse_time(t) {
            Some(t) => t,
            None => {
                return error(
                    &shared,
                    StatusCode::BAD_REQUEST,
                    "104105",
                    format!("lastChangedTo {t:?}은 date-time이 아닙니다."),
                    Some("lastChangedTo"),
                )
            }
        },
    };
    // One day at most: `lastChangedTo` defaults to 24 hours after `lastChangedFrom` ("생략 시
    // lastChangedFrom으로부터 24시간 후로 자동 지정", 변경 상품 주문 내역 조회,
    // https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-last-changed-status-pay-order-seller,
    // checked 2026-12-02). The page states no error for a longer window; the sandbox refuses
    // one (issue 13) with its invalid-input error, so an adapter that counts on more than a day
    // per answer fails here rather than silently missing changes at Naver.
    if to - from > Duration::hours(24) {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "104105",
            "lastChangedFrom부터 lastChangedTo까지는 24시간 이내여야 합니다.",
            Some("lastChangedTo"),
        );
    }
    let limit = params
        .get("limitCount")
        .and_then(|l| l.trim().parse::<usize>().ok())
        .filter(|l| *l > 0 && *l <= 300)
        .unwrap_or(300);
    let kind_filter = params.get("lastChangedType").cloned();
    let sequence = params.get("moreSequence").cloned();
    let (now, orders) = shared.snapshot();
    let timeline = shared.timeline();
    let (from_ms, to_ms) = (timeline.millis(from), timeline.millis(to).min(now));
    let mut changes: Vec<(Millis, &OrderView, &LineView)> = smartstore_lines(&orders)
        .filter(|(_, l)| l.changed_at >= from_ms && l.changed_at <= to_ms)
        .filter(|(_, l)| {
            kind_filter
                .as_deref()
                .is_none_or(|k| k == last_changed_type(l))
        })
        .filter(|(_, l)| match &sequence {
            Some(seq) if l.changed_at == from_ms => l.line.line_no.as_str() >= seq.as_str(),
            _ => true,
        })
        .map(|(o, l)| (l.changed_at, o, l))
        .collect();
    changes.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.line.line_no.cmp(&b.2.line.line_no)));
    let more = changes.get(limit).map(|(at, _, l)| wire::More {
        more_from: Some(time(&shared, *at)),
        more_sequence: Some(l.line.line_no.clone()),
    });
    let statuses: Vec<wire::LastChangeStatus> = changes
        .iter()
        .take(limit)
        .map(|(at, o, l)| {
            let (status, claim_type, claim_status) = statuses(l);
            wire::LastChangeStatus {
                order_id: o.order.order_no.clone(),
                product_order_id: l.line.line_no.clone(),
                last_changed_type: last_changed_type(l).to_owned(),
                payment_date: Some(format_time(o.order.paid_at)),
                last_changed_date: time(&shared, *at),
                product_order_status: Some(status.to_owned()),
                claim_type: claim_type.map(str::to_owned),
                claim_status: claim_status.map(str::to_owned),
                receiver_address_changed: Some(false),
            }
        })
        .collect();
    let count = statuses.len();
    let body = wire::LastChangedStatusesResponse {
        timestamp: Some(time(&shared, now)),
        trace_id: Some(trace_id(&shared)),
        data: Some(wire::LastChangedData {
            last_change_statuses: statuses,
            more,
        }),
    };
    let mut value = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    if let Some(data) = value.get_mut("data") {
        data["count"] = serde_json::json!(count);
    }
    Json(value).into_response()
}

async fn query(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    shared.count("naver");
    if !authorised(&headers) {
        return unauthorised(&shared);
    }
    let request: wire::ProductOrdersQuery = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                &shared,
                StatusCode::BAD_REQUEST,
                "104000",
                format!("요청 본문이 올바르지 않습니다 ({{\"productOrderIds\": [...]}}): {e}"),
                Some("productOrderIds"),
            )
        }
    };
    if request.product_order_ids.len() > 300 {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "104105",
            "productOrderIds는 최대 300개까지 요청할 수 있습니다.",
            Some("productOrderIds"),
        );
    }
    let (now, orders) = shared.snapshot();
    let by_id: HashMap<&str, (&OrderView, &LineView)> = smartstore_lines(&orders)
        .map(|(o, l)| (l.line.line_no.as_str(), (o, l)))
        .collect();
    let data: Vec<serde_json::Value> = request
        .product_order_ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()))
        .map(|(o, l)| render(&shared, o, l))
        .collect();
    Json(serde_json::json!({
        "timestamp": time(&shared, now),
        "traceId": trace_id(&shared),
        "data": data,
    }))
    .into_response()
}

fn process(
    shared: &Shared,
    success: Vec<String>,
    failed: Vec<wire::FailProductOrderInfo>,
) -> Response {
    Json(wire::ProcessResponse {
        timestamp: Some(time(shared, shared.now())),
        trace_id: Some(trace_id(shared)),
        data: Some(wire::ProcessData {
            success_product_order_ids: success,
            fail_product_order_infos: failed,
        }),
    })
    .into_response()
}

async fn dispatch(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    shared.count("naver");
    if !authorised(&headers) {
        return unauthorised(&shared);
    }
    let request: wire::DispatchRequest = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                &shared,
                StatusCode::BAD_REQUEST,
                "104000",
                format!(
                    "요청 본문이 올바르지 않습니다 ({{\"dispatchProductOrders\": [...]}}): {e}"
                ),
                Some("dispatchProductOrders"),
            )
        }
    };
    let (now, orders) = shared.snapshot();
    let mut success = Vec::new();
    let mut failed = Vec::new();
    for item in &request.dispatch_product_orders {
        let found =
            smartstore_lines(&orders).find(|(_, l)| l.line.line_no == item.product_order_id);
        let result = match found {
            None => Err(("100001", "상품 주문을 찾을 수 없습니다.".to_owned())),
            Some((o, l)) => check_shippable(l)
                .and_then(|()| {
                    shared.upload(
                        &orders,
                        &key_of(o, &l.line.line_no),
                        &item.delivery_company_code,
                        &item.tracking_number,
                        now,
                    )
                })
                .map_err(|e| ("104120", e.to_string())),
        };
        match result {
            Ok(()) => success.push(item.product_order_id.clone()),
            Err((code, message)) => failed.push(wire::FailProductOrderInfo {
                product_order_id: item.product_order_id.clone(),
                code: Some(code.to_owned()),
                message: Some(message),
            }),
        }
    }
    process(&shared, success, failed)
}

fn acknowledge(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    kind: Option<ClaimKind>,
) -> Response {
    shared.count("naver");
    if !authorised(headers) {
        return unauthorised(shared);
    }
    let (_, orders) = shared.snapshot();
    let claim = smartstore_lines(&orders)
        .find(|(_, l)| l.line.line_no == id)
        .and_then(|(_, l)| l.claim.clone());
    match (claim, kind) {
        (Some(claim), Some(kind)) if claim.kind == kind => {
            shared.acknowledge(&claim.id);
            process(shared, vec![id.to_owned()], Vec::new())
        }
        _ => process(
            shared,
            Vec::new(),
            vec![wire::FailProductOrderInfo {
                product_order_id: id.to_owned(),
                code: Some("104121".to_owned()),
                message: Some("요청한 처리를 할 수 있는 클레임 상태가 아닙니다.".to_owned()),
            }],
        ),
    }
}

async fn approve(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((id, kind)): Path<(String, String)>,
) -> Response {
    let kind = match kind.as_str() {
        "cancel" => Some(ClaimKind::Cancel),
        "return" => Some(ClaimKind::Return),
        _ => None,
    };
    acknowledge(&shared, &headers, &id, kind)
}

async fn approve_exchange(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    acknowledge(&shared, &headers, &id, Some(ClaimKind::Exchange))
}

async fn token(State(shared): State<Arc<Shared>>, body: String) -> Response {
    shared.count("naver");
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for field in ["client_id", "timestamp", "client_secret_sign", "grant_type"] {
        if form.get(field).is_none_or(|v| v.is_empty()) {
            return error(
                &shared,
                StatusCode::BAD_REQUEST,
                "GW.AUTHN",
                format!("{field}은 필수입니다."),
                Some(field),
            );
        }
    }
    Json(wire::TokenResponse {
        access_token: super::server::SANDBOX_TOKEN.to_owned(),
        expires_in: Some(10_800),
        token_type: Some("Bearer".to_owned()),
    })
    .into_response()
}
