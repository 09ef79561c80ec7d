//! Coupang WING Open API, as the sandbox serves it under
//! `/v2/providers/openapi/apis/api/v4/vendors/{vendorId}` (any vendor id is accepted).
//!
//! One order sheet per order (`shipmentBoxId` is the order's parcel). Sheet `status`: ACCEPT
//! (결제완료) while any item waits for an invoice and the console has not acknowledged the order,
//! INSTRUCT (상품준비중) once it has (`PUT …/ordersheets/acknowledgement`), DELIVERING once
//! shipped, FINAL_DELIVERY when delivered. As at Coupang, an invoice for a box still in ACCEPT
//! is refused, and only ACCEPT boxes can be acknowledged (Coupang, 상품준비중 처리 / "Changing the
//! status to Product in Preparation",
//! <https://developers.coupangcorp.com/hc/en-us/articles/360033792994>, checked 2026-12-02).
//!
//! A cancel asked while the order is in ACCEPT is immediate at Coupang and is listed only by
//! `returnRequests?cancelType=CANCEL` (`receiptType` CANCEL; "To look up the orders that were
//! cancelled in the Payment Completed stage, … use cancelType=CANCEL", Coupang, 반품/취소 요청
//! 목록 조회, <https://developers.coupangcorp.com/hc/en-us/articles/360033919613>, checked
//! 2026-12-02); until its refund is done the box cannot be acknowledged ("배송상태를 변경할 수
//! 없습니다", same 상품준비중 처리 page). A cancel asked after the acknowledgement is a return
//! request with `receiptStatus` RELEASE_STOP_UNCHECKED (출고중지요청, the table's Coupang word),
//! listed by the default `cancelType=RETURN`, and puts the item's units on
//! `holdCountForCancel`; returns are RETURNS_UNCHECKED (requested, picking up),
//! VENDOR_WAREHOUSE_CONFIRM (picked up), RETURNS_COMPLETED. Exchanges: RECEIPT, PROGRESS,
//! SUCCESS, CANCEL; each item names the ordered option (`vendorItemId`) as its `orderItemId`
//! and in its pickup (`collectInformationsDto.returndeliveryItemDtos`), as Coupang's sample does
//! (교환요청 목록 조회, repository `optionalg/coupang-developers.github.io`,
//! `exchange-api/ko/lookup-change-request-list.document.ts`, checked 2026-12-02).
//!
//! Return and exchange requests are selected by their last change within the time frame (the
//! real API selects by creation), so a collector that polls by time frame sees a claim's
//! progress. A return or stop-shipment request the buyer withdrew leaves `returnRequests` and is
//! listed only by `GET …/returnWithdrawRequests` (by day, at most 7 days a call).

use super::scenario::{Claim, ClaimKind, ClaimStatus, Delivery, LineView, Millis, OrderView};
use super::server::{break_field, check_shippable, key_of, Shared, COUPANG_VENDOR_ID};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jumun_server::marketplaces::coupang::wire;
use std::collections::HashMap;
use std::sync::Arc;

const BASE: &str = "/v2/providers/openapi/apis/api/v4/vendors/{vendor}";
const PAGE: usize = 50;
/// Shipment boxes one acknowledgement may name ("Request up to 50 at a time").
const ACKNOWLEDGE_MAX: usize = 50;
/// The refusal of an invoice for a box still in 결제완료.
const NOT_ACKNOWLEDGED: &str =
    "결제완료(ACCEPT) 상태의 주문은 송장을 등록할 수 없습니다. 상품준비중 처리 후 등록하세요";
/// Coupang's refusal of a status change the box is not in a state for.
const CANNOT_CHANGE: &str = "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요.";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(&format!("{BASE}/ordersheets"), get(order_sheets))
        .route(
            &format!("{BASE}/ordersheets/{{shipment_box}}"),
            get(order_sheet),
        )
        .route(&format!("{BASE}/returnRequests"), get(return_requests))
        .route(&format!("{BASE}/exchangeRequests"), get(exchange_requests))
        .route(
            &format!("{BASE}/returnWithdrawRequests"),
            get(return_withdraw_requests),
        )
        .route(&format!("{BASE}/orders/invoices"), post(invoices))
        .route(
            &format!("{BASE}/ordersheets/acknowledgement"),
            put(acknowledgement),
        )
        .route(
            &format!("{BASE}/returnRequests/{{receipt}}/stoppedShipment"),
            patch(stopped_shipment),
        )
}

/// Coupang's error body.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(serde_json::json!({
            "code": status.as_u16(),
            "message": message.into(),
            "data": null,
        })),
    )
        .into_response()
}

/// A boxed error response (helpers return it so their `Result` stays small).
fn bad(status: StatusCode, message: impl Into<String>) -> Box<Response> {
    Box::new(error(status, message))
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("CEA algorithm=HmacSHA256") && v.contains("signature="))
}

fn unauthorised() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Invalid signature: send Authorization: CEA algorithm=HmacSHA256, access-key=…, signed-date=…, signature=…",
    )
}

fn time(shared: &Shared, at: Millis) -> String {
    shared
        .timeline()
        .time(at)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The console's carrier code `cj` of the sandbox's own parcels as Coupang's code.
fn carrier(code: &str) -> String {
    match code {
        "cj" => "CJGLS".to_owned(),
        other => other.to_owned(),
    }
}

fn id(text: &str) -> u64 {
    text.parse().unwrap_or(0)
}

/// Whether a cancel was asked while the order was still 결제완료 (not acknowledged yet): Coupang
/// cancels it at once and lists it only under `cancelType=CANCEL`.
fn cancelled_in_accept(view: &OrderView, claim: &Claim) -> bool {
    claim.kind == ClaimKind::Cancel && view.prepared_at.is_none_or(|p| p > claim.requested_at)
}

/// Whether a cancel asked in 결제완료 is still being refunded: Coupang refuses to move such an
/// order to 상품준비중 until the refund is done.
fn refund_under_way(view: &OrderView) -> bool {
    view.lines.iter().any(|l| {
        l.claim
            .as_ref()
            .is_some_and(|c| c.status == ClaimStatus::Requested && cancelled_in_accept(view, c))
    })
}

fn sheet_status(view: &OrderView) -> &'static str {
    if view
        .lines
        .iter()
        .any(|l| matches!(l.delivery, Delivery::Paid))
    {
        if view.prepared_at.is_some() {
            "INSTRUCT"
        } else {
            "ACCEPT"
        }
    } else if view
        .lines
        .iter()
        .any(|l| matches!(l.delivery, Delivery::Shipped { .. }))
    {
        "DELIVERING"
    } else {
        "FINAL_DELIVERY"
    }
}

fn pending_cancel(line: &LineView) -> u32 {
    match &line.claim {
        Some(c) if c.kind == ClaimKind::Cancel && c.status == ClaimStatus::Requested => c.quantity,
        _ => 0,
    }
}

fn cancelled(line: &LineView) -> u32 {
    match &line.claim {
        Some(c) if c.kind == ClaimKind::Cancel && c.status == ClaimStatus::Done => c.quantity,
        _ => 0,
    }
}

fn render_sheet(shared: &Shared, view: &OrderView) -> serde_json::Value {
    let order = &view.order;
    let invoice = view.lines.iter().find_map(|l| l.delivery.invoice());
    let delivered = view.lines.iter().find_map(|l| match l.delivery {
        Delivery::Delivered { at, .. } => Some(at),
        _ => None,
    });
    let sheet = wire::OrderSheet {
        shipment_box_id: id(&order.parcel_no),
        order_id: id(&order.order_no),
        ordered_at: order.ordered_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        orderer: Some(wire::Orderer {
            name: Some(order.orderer.name.clone()),
            email: Some(order.orderer.email.clone()),
            safe_number: Some(order.orderer.mobile.clone()),
        }),
        paid_at: Some(order.paid_at.format("%Y-%m-%dT%H:%M:%S").to_string()),
        status: sheet_status(view).to_owned(),
        shipping_price: Some(i64::from(order.shipping_fee)),
        remote_price: Some(0),
        remote_area: Some(false),
        parcel_print_message: Some(order.memo.clone()),
        split_shipping: Some(false),
        able_split_shipping: Some(false),
        receiver: wire::Receiver {
            name: Some(order.recipient.name.clone()),
            safe_number: Some(order.recipient.mobile.clone()),
            addr1: Some(order.address.road.clone()),
            addr2: Some(order.address.detail.clone()),
            post_code: Some(order.address.postcode.clone()),
        },
        order_items: view
            .lines
            .iter()
            .map(|l| {
                let line = &l.line;
                let cancelled = cancelled(l);
                wire::OrderItem {
                    vendor_item_package_id: Some(0),
                    vendor_item_package_name: Some(line.product_name.clone()),
                    product_id: Some(line.product_no),
                    vendor_item_id: id(&line.option_id),
                    vendor_item_name: format!("{}, {}", line.product_name, line.option_values()),
                    shipping_count: line.quantity.saturating_sub(cancelled),
                    sales_price: i64::from(line.unit_price + line.option_price),
                    order_price: i64::try_from(line.amount()).ok(),
                    discount_price: Some(0),
                    external_vendor_sku_code: Some(line.product_code.clone()),
                    seller_product_id: Some(line.product_no),
                    seller_product_name: Some(line.product_name.clone()),
                    seller_product_item_name: Some(line.option_values()),
                    cancel_count: Some(cancelled),
                    hold_count_for_cancel: Some(pending_cancel(l)),
                    estimated_shipping_date: Some(
                        (order.ordered_at + chrono::Duration::days(2))
                            .format("%Y-%m-%d")
                            .to_string(),
                    ),
                    confirm_date: None,
                    canceled: Some(cancelled > 0 && cancelled >= line.quantity),
                }
            })
            .collect(),
        delivery_company_name: invoice.map(|i| carrier(&i.carrier)),
        invoice_number: invoice.map(|i| i.tracking_no.clone()),
        in_trasit_date_time: invoice.map(|i| time(shared, i.at)),
        delivered_date: delivered.map(|at| time(shared, at)),
        refer: Some("안드로이드앱".to_owned()),
    };
    let mut value = serde_json::to_value(sheet).unwrap_or(serde_json::Value::Null);
    if view.malformed {
        break_field(&mut value, "/orderItems/0/shippingCount");
    }
    value
}

/// A `from`..`to` range from Coupang's date (`yyyy-MM-dd`), minute (`yyyy-MM-ddTHH:mm`) or second
/// (`yyyy-MM-ddTHH:mm:ss`) forms, both ends inclusive, as Korean local times.
fn range(from: &str, to: &str) -> Option<(NaiveDateTime, NaiveDateTime)> {
    fn parse(text: &str, end: bool) -> Option<NaiveDateTime> {
        let text = text.trim();
        if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
            return Some(if end {
                t + chrono::Duration::milliseconds(999)
            } else {
                t
            });
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
            return Some(if end {
                t + chrono::Duration::milliseconds(59_999)
            } else {
                t
            });
        }
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        let time = if end {
            NaiveTime::from_hms_milli_opt(23, 59, 59, 999)?
        } else {
            NaiveTime::MIN
        };
        Some(day.and_time(time))
    }
    Some((parse(from, false)?, parse(to, true)?))
}

fn in_range(shared: &Shared, at: Millis, range: &(NaiveDateTime, NaiveDateTime)) -> bool {
    let local = shared.timeline().time(at).naive_local();
    local >= range.0 && local <= range.1
}

/// A closed time range in Korean local time.
type Range = (NaiveDateTime, NaiveDateTime);

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

fn params_and_range(params: Params) -> Result<(HashMap<String, String>, Range), Box<Response>> {
    let Ok(Query(params)) = params else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "the query string does not parse",
        ));
    };
    let (Some(from), Some(to)) = (params.get("createdAtFrom"), params.get("createdAtTo")) else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "createdAtFrom and createdAtTo are required",
        ));
    };
    let Some(range) = range(from, to) else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            format!("createdAtFrom {from:?} / createdAtTo {to:?} must be yyyy-MM-dd or yyyy-MM-ddTHH:mm"),
        ));
    };
    Ok((params, range))
}

fn page<T>(
    items: Vec<T>,
    params: &HashMap<String, String>,
) -> Result<(Vec<T>, Option<String>), Box<Response>> {
    let per_page = match params.get("maxPerPage") {
        None => PAGE,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=PAGE).contains(&n) => n,
            _ => {
                return Err(bad(
                    StatusCode::BAD_REQUEST,
                    format!("maxPerPage must be 1 to {PAGE}, not {v:?}"),
                ))
            }
        },
    };
    let start = match params
        .get("nextToken")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        None => 0,
        Some(t) => match t.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                return Err(bad(
                    StatusCode::BAD_REQUEST,
                    format!("nextToken {t:?} is not one this API gave"),
                ))
            }
        },
    };
    let total = items.len();
    let next = (start + per_page < total).then(|| (start + per_page).to_string());
    Ok((items.into_iter().skip(start).take(per_page).collect(), next))
}

fn coupang_orders(orders: &[OrderView]) -> impl Iterator<Item = &OrderView> {
    orders.iter().filter(|o| o.order.channel == "coupang")
}

async fn order_sheets(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Response {
    shared.count("coupang");
    if !authorised(&headers) {
        return unauthorised();
    }
    let (params, range) = match params_and_range(query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Some(status) = params.get("status").cloned() else {
        return error(StatusCode::BAD_REQUEST, "status is required (ACCEPT, INSTRUCT, DEPARTURE, DELIVERING, FINAL_DELIVERY, NONE_TRACKING)");
    };
    let (_, orders) = shared.snapshot();
    let selected: Vec<&OrderView> = coupang_orders(&orders)
        .filter(|o| in_range(&shared, o.arrived_at, &range))
        .filter(|o| sheet_status(o) == status)
        .collect();
    let (selected, next) = match page(selected, &params) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let data: Vec<serde_json::Value> = selected.iter().map(|o| render_sheet(&shared, o)).collect();
    Json(serde_json::json!({
        "code": 200,
        "message": "OK",
        "data": data,
        "nextToken": next.unwrap_or_default(),
    }))
    .into_response()
}

/// `GET …/ordersheets/{shipmentBoxId}`: one box's sheet, `data` a single object, whatever day
/// the order was created (발주서 단건 조회, "Single PO query using shipmentBoxId",
/// <https://developers.coupangcorp.com/hc/en-us/articles/360033792854>, checked 2026-12-02;
/// Coupang recommends it for reading a sheet again after 상품준비중 처리). The list above selects
/// by creation only, so this is how an older order's later progress is read. Coupang does not
/// document its answer for a box it does not know; the sandbox answers 400 with its error body.
async fn order_sheet(
    State(shared): State<Arc<Shared>>,
    Path((_vendor, shipment_box)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let orders = match signed_orders(&shared, &headers) {
        Ok(orders) => orders,
        Err(refused) => return *refused,
    };
    let found = coupang_orders(&orders).find(|o| o.order.parcel_no == shipment_box.trim());
    match found {
        Some(o) => Json(serde_json::json!({
            "code": 200,
            "message": "OK",
            "data": render_sheet(&shared, o),
        }))
        .into_response(),
        None => error(
            StatusCode::BAD_REQUEST,
            format!("shipmentBoxId ({shipment_box}) is not found."),
        ),
    }
}

fn receipt_status(kind: ClaimKind, status: ClaimStatus) -> Option<&'static str> {
    match (kind, status) {
        (ClaimKind::Cancel, ClaimStatus::Requested | ClaimStatus::Done) => {
            Some("RELEASE_STOP_UNCHECKED")
        }
        (ClaimKind::Return, ClaimStatus::Requested | ClaimStatus::Collecting) => {
            Some("RETURNS_UNCHECKED")
        }
        (ClaimKind::Return, ClaimStatus::Collected) => Some("VENDOR_WAREHOUSE_CONFIRM"),
        (ClaimKind::Return, ClaimStatus::Done) => Some("RETURNS_COMPLETED"),
        _ => None,
    }
}

async fn return_requests(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Response {
    shared.count("coupang");
    if !authorised(&headers) {
        return unauthorised();
    }
    let (params, range) = match params_and_range(query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    // Coupang's default lists returns (and 출고중지요청); 결제완료 cancels only with
    // cancelType=CANCEL, which takes no status (반품/취소 요청 목록 조회, see the module doc).
    let cancels = match params.get("cancelType").map(|t| t.trim()) {
        None | Some("RETURN") => false,
        Some("CANCEL") if params.contains_key("status") => {
            return error(
                StatusCode::BAD_REQUEST,
                "status cannot be used with cancelType=CANCEL; leave it out",
            )
        }
        Some("CANCEL") => true,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("cancelType must be RETURN or CANCEL, not {other:?}"),
            )
        }
    };
    let wanted = params.get("status").map(|s| {
        match s.as_str() {
            "RU" => "RELEASE_STOP_UNCHECKED",
            "UC" => "RETURNS_UNCHECKED",
            "CC" => "RETURNS_COMPLETED",
            "PR" => "REQUEST_COUPANG_CHECK",
            other => other,
        }
        .to_owned()
    });
    let (_, orders) = shared.snapshot();
    let mut data = Vec::new();
    for order in coupang_orders(&orders) {
        for line in &order.lines {
            let Some(claim) = &line.claim else { continue };
            let immediate = cancelled_in_accept(order, claim);
            if immediate != cancels {
                continue;
            }
            let status = if immediate {
                // Not documented for cancelType=CANCEL rows; integrations read them as
                // RETURNS_COMPLETED once refunded. The adapter takes the kind from the query.
                match claim.status {
                    ClaimStatus::Requested => Some("RETURNS_UNCHECKED"),
                    ClaimStatus::Done => Some("RETURNS_COMPLETED"),
                    _ => None,
                }
            } else {
                receipt_status(claim.kind, claim.status)
            };
            let Some(status) = status else {
                continue;
            };
            if !in_range(&shared, claim.changed_at, &range)
                || wanted.as_deref().is_some_and(|w| w != status)
            {
                continue;
            }
            let request = wire::ReturnRequest {
                receipt_id: id(&claim.id),
                order_id: id(&order.order.order_no),
                payment_id: Some(id(&order.order.order_no) + 1),
                receipt_type: Some(if immediate { "CANCEL" } else { "RETURN" }.to_owned()),
                receipt_status: status.to_owned(),
                created_at: time(&shared, claim.requested_at),
                modified_at: Some(time(&shared, claim.changed_at)),
                requester_name: Some(order.order.orderer.name.clone()),
                cancel_reason_category1: Some("고객변심".to_owned()),
                cancel_reason_category2: Some(claim.reason.clone()),
                cancel_reason: Some(claim.reason.clone()),
                cancel_count_sum: Some(claim.quantity),
                release_stop_status: (claim.kind == ClaimKind::Cancel && !immediate).then(|| {
                    if claim.acknowledged {
                        "처리(출고중지)"
                    } else {
                        "미처리"
                    }
                    .to_owned()
                }),
                fault_by_type: Some("CUSTOMER".to_owned()),
                return_items: vec![wire::ReturnItem {
                    vendor_item_package_id: Some(0),
                    vendor_item_id: id(&line.line.option_id),
                    vendor_item_name: Some(format!(
                        "{}, {}",
                        line.line.product_name,
                        line.line.option_values()
                    )),
                    cancel_count: claim.quantity,
                    purchase_count: Some(line.line.quantity),
                    shipment_box_id: Some(id(&order.order.parcel_no)),
                    seller_product_id: Some(line.line.product_no),
                    seller_product_name: Some(line.line.product_name.clone()),
                }],
                return_delivery_dtos: claim
                    .pickup
                    .iter()
                    .map(|p| wire::ReturnDelivery {
                        delivery_company_code: Some(carrier(&p.carrier)),
                        delivery_invoice_no: Some(p.tracking_no.clone()),
                    })
                    .collect(),
            };
            data.push(serde_json::to_value(request).unwrap_or(serde_json::Value::Null));
        }
    }
    Json(serde_json::json!({"code": 200, "message": "OK", "data": data})).into_response()
}

/// The most days one `returnWithdrawRequests` call may span, both ends included.
const WITHDRAW_DAYS: i64 = 7;
/// `sizePerPage` of `returnWithdrawRequests`: 10 by default, at most 100.
const WITHDRAW_PAGE: (usize, usize) = (10, 100);

/// `GET …/returnWithdrawRequests?dateFrom&dateTo&pageIndex&sizePerPage`: the returns and
/// stop-shipment requests the buyer withdrew on those days (by the day of the withdrawal), at
/// most 7 days a call (반품철회 이력 기간별 조회, "Data of maximum 7 days can be queried",
/// <https://developers.coupangcorp.com/hc/en-us/articles/360034027354>, checked 2026-12-02). A
/// withdrawn request is no longer listed by `returnRequests`: this list is the only place a
/// withdrawal shows.
async fn return_withdraw_requests(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Response {
    shared.count("coupang");
    if !authorised(&headers) {
        return unauthorised();
    }
    let Ok(Query(params)) = query else {
        return error(StatusCode::BAD_REQUEST, "the query string does not parse");
    };
    let day = |name: &str| {
        params
            .get(name)
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    let (Some(from), Some(to)) = (day("dateFrom"), day("dateTo")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "dateFrom and dateTo are required, as yyyy-MM-dd",
        );
    };
    if to < from || (to - from).num_days() >= WITHDRAW_DAYS {
        return error(
            StatusCode::BAD_REQUEST,
            format!("dateFrom..dateTo must span 1 to {WITHDRAW_DAYS} days, both included"),
        );
    }
    let number = |name: &str, default: usize| match params.get(name).map(|v| v.trim()) {
        None | Some("") => Some(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1),
    };
    let (Some(page_index), Some(size)) = (
        number("pageIndex", 1),
        number("sizePerPage", WITHDRAW_PAGE.0).filter(|n| *n <= WITHDRAW_PAGE.1),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "pageIndex must be 1 or more and sizePerPage 1 to {}",
                WITHDRAW_PAGE.1
            ),
        );
    };
    let (_, orders) = shared.snapshot();
    let withdrawn: Vec<wire::ReturnWithdrawal> = coupang_orders(&orders)
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .filter_map(|(o, l)| {
            let claim = l.claim.as_ref()?;
            let listed = claim.kind != ClaimKind::Exchange
                && claim.status == ClaimStatus::Withdrawn
                && !cancelled_in_accept(o, claim);
            let on = shared.timeline().time(claim.changed_at).date_naive();
            (listed && on >= from && on <= to).then(|| wire::ReturnWithdrawal {
                cancel_id: id(&claim.id),
                order_id: id(&o.order.order_no),
                vendor_id: Some(COUPANG_VENDOR_ID.to_owned()),
                refund_delivery_duty: Some("CUSTOMER".to_owned()),
                created_at: time(&shared, claim.changed_at),
                vendor_item_ids: vec![id(&l.line.option_id)],
            })
        })
        .collect();
    let start = (page_index - 1).saturating_mul(size);
    let next = (start.saturating_add(size) < withdrawn.len()).then(|| (page_index + 1).to_string());
    Json(wire::ReturnWithdrawRequestsResponse {
        code: Some(serde_json::json!(200)),
        message: Some("OK".to_owned()),
        data: withdrawn.into_iter().skip(start).take(size).collect(),
        next_page_index: Some(next.unwrap_or_default()),
    })
    .into_response()
}

async fn exchange_requests(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Response {
    shared.count("coupang");
    if !authorised(&headers) {
        return unauthorised();
    }
    let (params, range) = match params_and_range(query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let (_, orders) = shared.snapshot();
    let mut data = Vec::new();
    for order in coupang_orders(&orders) {
        for line in &order.lines {
            let Some(claim) = line
                .claim
                .as_ref()
                .filter(|c| c.kind == ClaimKind::Exchange)
            else {
                continue;
            };
            if !in_range(&shared, claim.changed_at, &range) {
                continue;
            }
            let status = match claim.status {
                ClaimStatus::Requested => "RECEIPT",
                ClaimStatus::Done => "SUCCESS",
                ClaimStatus::Withdrawn | ClaimStatus::Refused => "CANCEL",
                _ => "PROGRESS",
            };
            let target = claim.exchange_to.as_ref();
            data.push(
                serde_json::to_value(wire::ExchangeRequest {
                    exchange_id: id(&claim.id),
                    order_id: id(&order.order.order_no),
                    vendor_id: Some(COUPANG_VENDOR_ID.to_owned()),
                    order_delivery_status_code: Some("FINAL_DELIVERY".to_owned()),
                    exchange_status: status.to_owned(),
                    fault_type: Some("CUSTOMER".to_owned()),
                    exchange_amount: Some("0".to_owned()),
                    reason: Some(claim.reason.clone()),
                    cancel_reason: None,
                    created_at: time(&shared, claim.requested_at),
                    modified_at: Some(time(&shared, claim.changed_at)),
                    exchange_item_dto_v1s: vec![wire::ExchangeItem {
                        exchange_item_id: Some(id(&claim.id) + 1),
                        order_item_id: id(&line.line.option_id),
                        order_item_unit_price: Some(i64::from(
                            line.line.unit_price + line.line.option_price,
                        )),
                        order_item_name: Some(format!(
                            "{}, {}",
                            line.line.product_name,
                            line.line.option_values()
                        )),
                        target_item_id: target.map(|t| id(&t.option_id)),
                        target_item_unit_price: target
                            .map(|t| i64::from(t.unit_price + t.option_price)),
                        target_item_name: target.map(|t| t.option_values()),
                        quantity: claim.quantity,
                        original_shipment_box_id: Some(id(&order.order.parcel_no)),
                    }],
                    return_delivery_dtos: claim
                        .pickup
                        .iter()
                        .map(|p| wire::ReturnDelivery {
                            delivery_company_code: Some(carrier(&p.carrier)),
                            delivery_invoice_no: Some(p.tracking_no.clone()),
                        })
                        .collect(),
                    // As in Coupang's sample: the pickup names the ordered option (옵션아이디),
                    // the same id as the item's orderItemId.
                    collect_informations_dto: Some(wire::CollectInformations {
                        return_type: Some("EXCHANGE_RETURN".to_owned()),
                        returndelivery_item_dtos: vec![wire::ReturnDeliveryItem {
                            vendor_item_id: Some(id(&line.line.option_id)),
                            count: Some(claim.quantity),
                        }],
                    }),
                })
                .unwrap_or(serde_json::Value::Null),
            );
        }
    }
    let (data, next) = match page(data, &params) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    Json(serde_json::json!({"code": 200, "message": "OK", "data": data, "nextToken": next.unwrap_or_default()})).into_response()
}

/// Counts the call and checks its signature; the sandbox's orders now.
fn signed_orders(shared: &Shared, headers: &HeaderMap) -> Result<Vec<OrderView>, Box<Response>> {
    shared.count("coupang");
    if !authorised(headers) {
        return Err(Box::new(unauthorised()));
    }
    Ok(shared.snapshot().1)
}

/// Counts the call, checks its signature and reads its JSON body as `what`.
fn read_body<T: serde::de::DeserializeOwned>(
    shared: &Shared,
    headers: &HeaderMap,
    body: &str,
    what: &str,
) -> Result<T, Box<Response>> {
    shared.count("coupang");
    if !authorised(headers) {
        return Err(Box::new(unauthorised()));
    }
    serde_json::from_str(body).map_err(|e| {
        bad(
            StatusCode::BAD_REQUEST,
            format!("the body is not {what}: {e}"),
        )
    })
}

/// Coupang's `OrderSheetResponse` for per-box results: `responseCode` 0 all succeeded, 1 partial
/// errors, 99 all failed (상품준비중 처리 and 송장업로드 처리 answer alike).
fn order_sheet_answer(results: Vec<wire::InvoiceUploadResult>) -> Response {
    let taken = results.iter().filter(|r| r.succeed).count();
    let (code, message) = match taken {
        t if t == results.len() => (0, "All succeeded."),
        0 => (99, "All Failed."),
        _ => (1, "Partial errors."),
    };
    Json(wire::InvoiceUploadResponse {
        code: Some(serde_json::json!(200)),
        message: Some("OK".to_owned()),
        data: Some(wire::InvoiceUploadData {
            response_code: Some(code),
            response_message: Some(message.to_owned()),
            response_list: results,
        }),
    })
    .into_response()
}

async fn invoices(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let request: wire::InvoiceUploadRequest = match read_body(
        &shared,
        &headers,
        &body,
        "an invoice upload ({\"vendorId\", \"orderSheetInvoiceApplyDtos\": [...]})",
    ) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let (now, orders) = shared.snapshot();
    let mut results = Vec::new();
    for dto in &request.order_sheet_invoice_apply_dtos {
        let found = coupang_orders(&orders)
            .find(|o| {
                id(&o.order.order_no) == dto.order_id
                    && id(&o.order.parcel_no) == dto.shipment_box_id
            })
            .and_then(|o| {
                o.lines
                    .iter()
                    .find(|l| id(&l.line.option_id) == dto.vendor_item_id)
                    .map(|l| (o, l))
            });
        let outcome = match found {
            None => Err(
                "발주서를 찾을 수 없습니다 (no such shipmentBoxId, orderId and vendorItemId)"
                    .to_owned(),
            ),
            Some((o, l)) => check_shippable(l)
                .map_err(|e| e.to_string())
                .and_then(|()| {
                    // Coupang takes invoices only after 상품준비중 처리 (see the module doc).
                    if sheet_status(o) == "ACCEPT" {
                        Err(NOT_ACKNOWLEDGED.to_owned())
                    } else {
                        Ok(())
                    }
                })
                .and_then(|()| {
                    shared
                        .upload(
                            &orders,
                            &key_of(o, &l.line.line_no),
                            &dto.delivery_company_code,
                            &dto.invoice_number,
                            now,
                        )
                        .map_err(|e| e.to_string())
                }),
        };
        results.push(wire::InvoiceUploadResult {
            shipment_box_id: Some(dto.shipment_box_id),
            succeed: outcome.is_ok(),
            result_code: Some(if outcome.is_ok() { "OK" } else { "FAILED" }.to_owned()),
            result_message: Some(outcome.err().unwrap_or_default()),
            retry_required: Some(false),
        });
    }
    order_sheet_answer(results)
}

async fn stopped_shipment(
    State(shared): State<Arc<Shared>>,
    Path((_vendor, receipt)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let orders = match signed_orders(&shared, &headers) {
        Ok(orders) => orders,
        Err(refused) => return *refused,
    };
    let claim = coupang_orders(&orders)
        .flat_map(|o| o.lines.iter())
        .filter_map(|l| l.claim.as_ref())
        .find(|c| c.id == receipt && c.kind == ClaimKind::Cancel);
    match claim {
        Some(c) => {
            shared.acknowledge(&c.id);
            Json(serde_json::json!({"code": 200, "message": "OK", "data": null})).into_response()
        }
        None => error(
            StatusCode::BAD_REQUEST,
            format!("receiptId {receipt} is not a 출고중지요청 of this vendor"),
        ),
    }
}

async fn acknowledgement(
    State(shared): State<Arc<Shared>>,
    Path(_vendor): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let request: wire::AcknowledgementRequest = match read_body(
        &shared,
        &headers,
        &body,
        "an acknowledgement ({\"vendorId\", \"shipmentBoxIds\": [...]})",
    ) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let count = request.shipment_box_ids.len();
    if count == 0 || count > ACKNOWLEDGE_MAX {
        return error(
            StatusCode::BAD_REQUEST,
            format!("shipmentBoxIds must name 1 to {ACKNOWLEDGE_MAX} boxes, not {count}"),
        );
    }
    let (now, orders) = shared.snapshot();
    let results: Vec<wire::InvoiceUploadResult> = request
        .shipment_box_ids
        .iter()
        .map(|box_id| {
            let order = coupang_orders(&orders).find(|o| id(&o.order.parcel_no) == *box_id);
            let outcome = match order {
                None => Err((
                    "NOT_FOUND_SHIPMENT_BOX",
                    format!("shipmentBoxId ({box_id}) is not found."),
                )),
                Some(o) if sheet_status(o) != "ACCEPT" || refund_under_way(o) => {
                    Err(("FAILED", CANNOT_CHANGE.to_owned()))
                }
                Some(o) => {
                    shared.prepare(o.order.channel, &o.order.order_no, now);
                    Ok(())
                }
            };
            let (code, message) = match outcome {
                Ok(()) => ("OK", "request succeeded.".to_owned()),
                Err(refused) => refused,
            };
            wire::InvoiceUploadResult {
                shipment_box_id: Some(*box_id),
                succeed: code == "OK",
                result_code: Some(code.to_owned()),
                result_message: Some(message),
                retry_required: Some(false),
            }
        })
        .collect();
    order_sheet_answer(results)
}
