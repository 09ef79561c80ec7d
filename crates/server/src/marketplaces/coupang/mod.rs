//! Coupang WING Open API adapter.
//!
//! # Endpoints
//!
//! Each from Coupang's developer documentation (<https://developers.coupangcorp.com>, the
//! article named; checked 2026-12-02) or its older copy in the repository
//! `optionalg/coupang-developers.github.io` (`assets/docs/season-2/`).
//!
//! - Orders: `GET /v2/providers/openapi/apis/api/v4/vendors/{vendorId}/ordersheets?createdAtFrom&
//!   createdAtTo&status&maxPerPage&nextToken` (발주서 목록 조회, article 360033919573), once per
//!   status (the status is required): one sheet per `shipmentBoxId`, grouped into one order per
//!   `orderId`. Each item's `vendorItemId` (옵션ID) is the line's `code6` key (cancel sync
//!   matches Coupang by `order_no+code6`). The list selects by the order's creation, so an
//!   order's later progress (delivered days after it was created) is not in it once the cursor
//!   has passed its day.
//! - Following older orders: `GET …/ordersheets/{shipmentBoxId}` (발주서 단건 조회, "Single PO
//!   query using shipmentBoxId", article 360033792854; `data` is one sheet, whatever its
//!   creation day; Coupang recommends it for reading a sheet again after 상품준비중 처리). Every
//!   box last seen in ACCEPT, INSTRUCT, DEPARTURE or DELIVERING with something left to ship is
//!   followed: each run reads at most [`FOLLOW_PER_RUN`] of the followed boxes the list did not
//!   show, the least recently read first, and drops a box once it is FINAL_DELIVERY or
//!   NONE_TRACKING, has nothing left to ship (its cancel comes from the claims lists) or is
//!   answered with a client error (kept in the malformed payloads). One call per box rather than
//!   a wider list window: the list needs one call per status and page over every order of the
//!   window however few are still open, and still misses what is older than the window; the
//!   follow costs one call per open box and is bounded per run. Not followed: purchase
//!   confirmation (`confirmDate`) after 배송완료, which an order created before the window
//!   reaches unseen.
//! - 상품준비중 처리: `PUT …/ordersheets/acknowledgement` with `{"vendorId", "shipmentBoxIds"}`,
//!   at most 50 boxes a call, each answered in `data.responseList` ("Changing the status to
//!   Product in Preparation", article 360033792994; the method was PATCH before, now PUT). Only
//!   결제완료 (ACCEPT) boxes move; Coupang takes no invoice for a box still in ACCEPT.
//! - Claims: `GET …/returnRequests?searchType=timeFrame&createdAtFrom&createdAtTo` (반품/취소
//!   요청 목록 조회, article 360033919613) twice: with the default `cancelType` (RETURN) it lists
//!   returns and the cancels of acknowledged orders (`RELEASE_STOP_UNCHECKED` 출고중지요청); the
//!   cancels of orders still in 결제완료, which Coupang carries out at once, are listed only with
//!   `cancelType=CANCEL` (which takes no `status`). Exchanges: `GET …/exchangeRequests?
//!   createdAtFrom&createdAtTo&maxPerPage&nextToken` (교환요청 목록 조회, `exchange-api/ko/
//!   lookup-change-request-list` in the repository above, checked 2026-12-02). Each item names
//!   the order line by `orderItemId`, documented only as "원주문 아이템 ID"; in Coupang's sample it
//!   equals the ordered option's `vendorItemId` as the pickup (`collectInformationsDto.
//!   returndeliveryItemDtos[].vendorItemId`, 옵션아이디) and the order sheet name it, and differs
//!   from `targetItemId` (the option wanted) and `originalShipmentBoxId` (the box). The line is
//!   keyed by it, checked against the pickup (see `exchanged_option`); a request whose line
//!   cannot be told is kept with its raw JSON. Withdrawals: `GET
//!   …/returnWithdrawRequests?dateFrom&dateTo&pageIndex&sizePerPage` (반품철회 이력 기간별 조회,
//!   "Query return withdrawal history by date range", article 360034027354: at most 7 days a
//!   call, both ends included, `sizePerPage` at most 100, `nextPageIndex` empty on the last
//!   page), from the cursor's day to today in 7-day calls. A withdrawn return or stop-shipment
//!   request leaves `returnRequests`; this is the only list that shows it. Each names the
//!   withdrawn `receiptId` (`cancelId`) and its options (`vendorItemIds`) but not whether it was a
//!   return or a stop-shipment request: both are reported withdrawn under that number (R12).
//! - Invoices: `POST …/orders/invoices` (`orderSheetInvoiceApplyDtos`, 송장업로드 처리).
//! - Acknowledge a claim: a 출고중지요청 is confirmed with `PATCH …/returnRequests/{receiptId}/
//!   stoppedShipment` (`vendorId`, `receiptId`, `cancelCount`, 출고중지완료 처리); a 결제완료
//!   cancel is already done at Coupang and needs nothing; returns and exchanges are handled in
//!   WING (their confirmation APIs were not looked up).
//! - Auth: `Authorization: CEA algorithm=HmacSHA256, access-key={ak}, signed-date={yyMMdd'T'
//!   HHmmss'Z'}, signature={hex(HMAC-SHA256(secret, signed-date + method + path + query))}`.
//! - Pacing ([`super::rate::COUPANG`]): one call at a time per vendor id, at least 125 ms after
//!   the previous one ended (Coupang blocks a vendor id above 10 calls a second, HTTP 429); its
//!   403 "Access Denied" page after a burst of failed calls is a block, not refused credentials
//!   (see [`super::rate`] for the sources).
//! - Cursors: orders `yyyy-MM-dd` (Korean date of `createdAtFrom`), followed by
//!   `;follow=box,box,…` while boxes are followed ([`OrdersCursor`]); claims `yyyy-MM-ddTHH:mm`.
//!
//! # When orders are acknowledged
//!
//! At collection ([`MarketplaceAdapter::prepare_orders`], called by the collector right after
//! the orders are in the console): R2 puts a collected paid order in 상품준비 at once, so Coupang
//! is told the same — which is also when Coupang asks the seller to read the receiver again (a
//! buyer may change it in 결제완료; the sheet is read again by every later run while listed or
//! followed). Acknowledging only before the invoice upload would leave the label printed from an
//! address the buyer could still change. A box Coupang refuses (a cancel under refund,
//! typically) is an [`AdapterError::NotPrepared`] on the run's notes, and every later run sends
//! it again while the sheet is listed or followed in ACCEPT.
//!
//! # Statuses
//!
//! Order sheet `status` → [`LineFact`]: ACCEPT 결제완료 → paid; INSTRUCT 상품준비중 → preparing;
//! DEPARTURE 배송지시 → ready to ship; DELIVERING 배송중, NONE_TRACKING 업체 직접 배송 → shipped;
//! FINAL_DELIVERY 배송완료 → delivered (confirmed once the item has a `confirmDate`).
//!
//! Return `receiptStatus` → claims: RELEASE_STOP_UNCHECKED → cancel **출고중지요청** (the table's
//! only Coupang cancel word); RETURNS_UNCHECKED 반품접수, VENDOR_WAREHOUSE_CONFIRM 입고완료,
//! REQUEST_COUPANG_CHECK 쿠팡확인요청, RETURNS_COMPLETED 반품완료 → returns. Every request of the
//! `cancelType=CANCEL` list is a cancel, whatever its `receiptStatus`, reported under the
//! table's word 출고중지요청 so that cancel sync cancels the line (R25–R27): Coupang has
//! cancelled it already. Exchange `exchangeStatus`: RECEIPT 교환접수, PROGRESS 교환진행, SUCCESS
//! 교환완료 → exchange; REJECT 교환불가, CANCEL 교환철회 → withdrawn.

pub mod wire;

use super::clock;
use super::error::{ElementError, StatusError};
use super::http::{self, Body};
use super::page::{collect_each, collect_groups, read_page, Element};
use super::rate;
use super::time;
use super::{
    parcel_code, AdapterError, Collected, Connection, Credentials, Cursor, InvoiceUpload, LineFact,
    MalformedPayload, MarketClaim, MarketLine, MarketOrder, MarketplaceAdapter,
};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jumun_core::claim::ClaimKind;
use jumun_core::fault::Fault;
use jumun_core::marketplace::MarketplaceKeys;
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, Payment};
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};

/// The Coupang adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoupangAdapter;

/// Where the order sheets, return requests and exchange requests are in their answers (a JSON
/// pointer).
pub const LIST: &str = "/data";

/// The most shipment boxes one 상품준비중 처리 call names (Coupang: "Request up to 50 at a time").
pub const ACKNOWLEDGE_BATCH: usize = 50;

/// The table's Coupang cancel word, under which every Coupang cancel is reported.
const CANCEL_WORD: &str = "출고중지요청";

/// The order sheet statuses collected, in flow order.
pub const SHEET_STATUSES: &[&str] = &[
    "ACCEPT",
    "INSTRUCT",
    "DEPARTURE",
    "DELIVERING",
    "FINAL_DELIVERY",
    "NONE_TRACKING",
];

/// The `Authorization` header of a Coupang request.
pub fn authorization(
    access_key: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    at: DateTime<Utc>,
) -> String {
    let signed_date = at.format("%y%m%dT%H%M%SZ").to_string();
    let signature = signature(secret_key, &signed_date, method, path, query);
    format!(
        "CEA algorithm=HmacSHA256, access-key={access_key}, signed-date={signed_date}, signature={signature}"
    )
}

/// hex(HMAC-SHA256(secret, signed-date + method + path + query)).
pub fn signature(
    secret_key: &str,
    signed_date: &str,
    method: &str,
    path: &str,
    query: &str,
) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{signed_date}{method}{path}{query}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Keys<'a> {
    access_key: &'a str,
    secret_key: &'a str,
    vendor_id: &'a str,
}

fn keys_of(conn: &Connection) -> Result<Keys<'_>, AdapterError> {
    match &conn.credentials {
        Credentials::CoupangHmac {
            access_key,
            secret_key,
            vendor_id,
        } => Ok(Keys {
            access_key,
            secret_key,
            vendor_id,
        }),
        _ => Err(AdapterError::MissingCredentials {
            marketplace: conn.marketplace.clone(),
            needed: "Coupang Open API (access key, secret key, vendor id)",
        }),
    }
}

fn call(
    conn: &Connection,
    method: &str,
    path: &str,
    query: &str,
    body: Option<String>,
) -> Result<(String, Vec<u8>), AdapterError> {
    let k = keys_of(conn)?;
    let auth = authorization(
        k.access_key,
        k.secret_key,
        method,
        path,
        query,
        clock::now(),
    );
    let url = if query.is_empty() {
        format!("{}{path}", conn.base_url)
    } else {
        format!("{}{path}?{query}", conn.base_url)
    };
    let headers = [
        ("Authorization", auth),
        ("X-Requested-By", k.vendor_id.to_owned()),
        ("Accept", "application/json".to_owned()),
    ];
    let answer = rate::send(
        conn,
        &rate::COUPANG,
        method,
        &url,
        &headers,
        body.map(Body::Json),
    )?;
    Ok((format!("{method} {url}"), answer))
}

fn sheet_fact(status: &str, confirmed: bool) -> Result<LineFact, StatusError> {
    Ok(match status {
        "ACCEPT" => LineFact::Paid,
        "INSTRUCT" => LineFact::Preparing,
        "DEPARTURE" => LineFact::ReadyToShip,
        "DELIVERING" | "NONE_TRACKING" => LineFact::Shipped,
        "FINAL_DELIVERY" if confirmed => LineFact::Confirmed,
        "FINAL_DELIVERY" => LineFact::Delivered,
        other => return Err(StatusError::unknown("status (order sheet)", other)),
    })
}

/// The fact of an order sheet status (without a purchase confirmation).
pub fn order_fact(status: &str) -> Result<LineFact, StatusError> {
    sheet_fact(status, false)
}

fn line_keys(order_id: u64, vendor_item_id: u64) -> MarketplaceKeys {
    MarketplaceKeys {
        order_no: order_id.to_string(),
        option_id: Some(vendor_item_id.to_string()),
        codes: BTreeMap::from([("code6".to_owned(), vendor_item_id.to_string())]),
        ..Default::default()
    }
}

/// Normalizes the sheets (shipment boxes) of one order.
pub fn normalize_order(
    conn: &Connection,
    sheets: &[wire::OrderSheet],
) -> Result<MarketOrder, ElementError> {
    let first = sheets.first().ok_or(ElementError::Missing {
        what: "order sheets",
    })?;
    let ordered_at = time::parse_req(&first.ordered_at, "orderedAt")?;
    let paid_at = time::parse_opt(first.paid_at.as_deref(), "paidAt")?;
    let mut lines = Vec::new();
    for sheet in sheets {
        for item in &sheet.order_items {
            if item.shipping_count == 0 {
                // Every unit cancelled: nothing left to ship on this item.
                continue;
            }
            let confirmed = item
                .confirm_date
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty());
            let fact = sheet_fact(&sheet.status, confirmed)?;
            let mut keys = line_keys(sheet.order_id, item.vendor_item_id);
            keys.product_code = item.seller_product_id.map(|id| id.to_string());
            let name = item
                .seller_product_name
                .clone()
                .unwrap_or_else(|| item.vendor_item_name.clone());
            let option = item.seller_product_item_name.clone().unwrap_or_default();
            keys.product_name = Some(name.clone());
            keys.option = Some(option.clone()).filter(|o| !o.is_empty());
            lines.push(MarketLine {
                keys,
                product_name: name,
                option,
                quantity: item.shipping_count,
                unit_price: Won(item.sales_price),
                option_price: Won(0),
                status: sheet.status.clone(),
                fact: Some(fact),
                shipment_no: Some(sheet.shipment_box_id.to_string()),
            });
        }
    }
    if lines.is_empty() {
        return Err(ElementError::NothingToShip);
    }
    let orderer = first.orderer.clone().unwrap_or_default();
    let r = &first.receiver;
    let address = [&r.addr1, &r.addr2]
        .iter()
        .filter_map(|a| a.as_deref().map(str::trim).filter(|a| !a.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(MarketOrder {
        marketplace: conn.marketplace.clone(),
        order_no: first.order_id.to_string(),
        ordered_at,
        paid_at,
        payment: Payment::Paid,
        delivery: DeliveryInfo {
            orderer_name: orderer.name.unwrap_or_default(),
            orderer_phone: orderer.safe_number.unwrap_or_default(),
            recipient_name: r.name.clone().unwrap_or_default(),
            recipient_phone: r.safe_number.clone().unwrap_or_default(),
            recipient_landline: String::new(),
            postcode: r.post_code.clone().unwrap_or_default(),
            address,
            memo: first.parcel_print_message.clone().unwrap_or_default(),
        },
        lines,
        replaces: None,
    })
}

/// What a return request's `receiptStatus` means: kind and word.
pub fn return_meaning(receipt_status: &str) -> Result<(ClaimKind, &'static str), StatusError> {
    Ok(match receipt_status {
        "RELEASE_STOP_UNCHECKED" => (ClaimKind::Cancel, CANCEL_WORD),
        "RETURNS_UNCHECKED" => (ClaimKind::Return, "반품접수"),
        "VENDOR_WAREHOUSE_CONFIRM" => (ClaimKind::Return, "입고완료"),
        "REQUEST_COUPANG_CHECK" => (ClaimKind::Return, "쿠팡확인요청"),
        "RETURNS_COMPLETED" => (ClaimKind::Return, "반품완료"),
        other => return Err(StatusError::unknown("receiptStatus", other)),
    })
}

/// What an exchange's `exchangeStatus` means: word and withdrawn.
pub fn exchange_meaning(status: &str) -> Result<(&'static str, bool), StatusError> {
    Ok(match status {
        "RECEIPT" => ("교환접수", false),
        "PROGRESS" => ("교환진행", false),
        "SUCCESS" => ("교환완료", false),
        "REJECT" => ("교환불가", true),
        "CANCEL" => ("교환철회", true),
        other => return Err(StatusError::unknown("exchangeStatus", other)),
    })
}

fn fault(text: Option<&str>) -> Option<Fault> {
    match text? {
        "CUSTOMER" => Some(Fault::Buyer),
        "VENDOR" | "COUPANG" | "WMS" => Some(Fault::Seller),
        _ => None,
    }
}

/// The claims of one return request (one per returned item).
pub fn normalize_return(
    conn: &Connection,
    request: &wire::ReturnRequest,
) -> Result<Vec<MarketClaim>, ElementError> {
    let (kind, word) = return_meaning(&request.receipt_status)?;
    claims_of_request(conn, request, kind, word)
}

/// The cancel claims of one request of the `cancelType=CANCEL` list (one per cancelled item):
/// a 결제완료 cancel, already carried out at Coupang.
pub fn normalize_cancel(
    conn: &Connection,
    request: &wire::ReturnRequest,
) -> Result<Vec<MarketClaim>, ElementError> {
    claims_of_request(conn, request, ClaimKind::Cancel, CANCEL_WORD)
}

fn claims_of_request(
    conn: &Connection,
    request: &wire::ReturnRequest,
    kind: ClaimKind,
    word: &str,
) -> Result<Vec<MarketClaim>, ElementError> {
    let reported_at = time::parse_req(&request.created_at, "createdAt")?;
    let text = [
        &request.cancel_reason_category1,
        &request.cancel_reason_category2,
        &request.cancel_reason,
    ]
    .iter()
    .filter_map(|t| t.as_deref())
    .collect::<Vec<_>>()
    .join(" ");
    if request.return_items.is_empty() {
        return Err(ElementError::Missing {
            what: "returnItems",
        });
    }
    Ok(request
        .return_items
        .iter()
        .map(|item| MarketClaim {
            marketplace: conn.marketplace.clone(),
            kind,
            status: word.to_owned(),
            raw_status: request.receipt_status.clone(),
            keys: line_keys(request.order_id, item.vendor_item_id),
            quantity: Some(item.cancel_count).filter(|q| *q > 0),
            claim_no: Some(request.receipt_id.to_string()),
            reason: super::reason_from_text(Some(&text)),
            fault: fault(request.fault_by_type.as_deref()),
            requested_option: None,
            withdrawn: false,
            reported_at,
            exchange_due: None,
            delay_notices: 0,
        })
        .collect())
}

/// The claims of one exchange request (one per exchanged item).
pub fn normalize_exchange(
    conn: &Connection,
    request: &wire::ExchangeRequest,
) -> Result<Vec<MarketClaim>, ElementError> {
    let (word, withdrawn) = exchange_meaning(&request.exchange_status)?;
    let reported_at = time::parse_req(&request.created_at, "createdAt")?;
    if request.exchange_item_dto_v1s.is_empty() {
        return Err(ElementError::Missing {
            what: "exchangeItemDtoV1s",
        });
    }
    request
        .exchange_item_dto_v1s
        .iter()
        .map(|item| {
            Ok(MarketClaim {
                marketplace: conn.marketplace.clone(),
                kind: ClaimKind::Exchange,
                status: word.to_owned(),
                raw_status: request.exchange_status.clone(),
                keys: line_keys(request.order_id, exchanged_option(request, item)?),
                quantity: Some(item.quantity).filter(|q| *q > 0),
                claim_no: Some(request.exchange_id.to_string()),
                reason: super::reason_from_text(request.reason.as_deref()),
                fault: fault(request.fault_type.as_deref()),
                requested_option: item.target_item_name.clone(),
                withdrawn,
                reported_at,
                exchange_due: None,
                delay_notices: 0,
            })
        })
        .collect()
}

/// The option (`vendorItemId`, the line's `code6`) of the order line an exchange item takes
/// back. Coupang documents `orderItemId` only as "원주문 아이템 ID"; in its sample it is the
/// ordered option's `vendorItemId`, the one its pickup (`collectInformationsDto.
/// returndeliveryItemDtos[].vendorItemId`, documented as 옵션아이디) names. So: `orderItemId`
/// when the pickup names no option or names it; when the request has one item and its pickup one
/// other option, that option (the pickup is what comes back; this `orderItemId` is then not an
/// option id); otherwise the line cannot be told and the request is kept, not guessed.
fn exchanged_option(
    request: &wire::ExchangeRequest,
    item: &wire::ExchangeItem,
) -> Result<u64, ElementError> {
    let mut pickup: Vec<u64> = request
        .collect_informations_dto
        .iter()
        .flat_map(|c| &c.returndelivery_item_dtos)
        .filter_map(|i| i.vendor_item_id)
        .collect();
    pickup.sort_unstable();
    pickup.dedup();
    match pickup.as_slice() {
        [] => Ok(item.order_item_id),
        options if options.contains(&item.order_item_id) => Ok(item.order_item_id),
        [only] if request.exchange_item_dto_v1s.len() == 1 => Ok(*only),
        options => Err(ElementError::ExchangeLineUnclear {
            order_item_id: item.order_item_id,
            pickup: options
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The claims a withdrawal (반품철회) withdraws in the console (R12): the list does not say
/// whether the withdrawn receipt was a return or a stop-shipment request (출고중지요청), so one
/// withdrawn claim of each kind per option, numbered by the receipt; the collector withdraws the
/// console's claim of that number, whichever kind it is, and finds nothing for the other.
pub fn normalize_withdrawal(
    conn: &Connection,
    withdrawal: &wire::ReturnWithdrawal,
) -> Result<Vec<MarketClaim>, ElementError> {
    let reported_at = time::parse_req(&withdrawal.created_at, "createdAt")?;
    let keys: Vec<MarketplaceKeys> = if withdrawal.vendor_item_ids.is_empty() {
        vec![MarketplaceKeys {
            order_no: withdrawal.order_id.to_string(),
            ..Default::default()
        }]
    } else {
        withdrawal
            .vendor_item_ids
            .iter()
            .map(|item| line_keys(withdrawal.order_id, *item))
            .collect()
    };
    Ok(keys
        .into_iter()
        .flat_map(|keys| {
            [
                (ClaimKind::Return, "반품철회"),
                (ClaimKind::Cancel, "출고중지철회"),
            ]
            .map(|(kind, word)| MarketClaim {
                marketplace: conn.marketplace.clone(),
                kind,
                status: word.to_owned(),
                raw_status: WITHDRAWN.to_owned(),
                keys: keys.clone(),
                quantity: None,
                claim_no: Some(withdrawal.cancel_id.to_string()),
                reason: jumun_core::claim::Reason::Other(String::new()),
                fault: None,
                requested_option: None,
                withdrawn: true,
                reported_at,
                exchange_due: None,
                delay_notices: 0,
            })
        })
        .collect())
}

/// The withdrawn claims of a `returnWithdrawRequests` list; a withdrawal that cannot be used
/// goes to `out.malformed` with its raw JSON.
pub fn withdrawals_of(
    conn: &Connection,
    withdrawals: Vec<Element<wire::ReturnWithdrawal>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(withdrawals, |w| normalize_withdrawal(conn, w), out);
}

/// The most days one `returnWithdrawRequests` call may span, both ends included.
pub const WITHDRAW_DAYS: i64 = 7;

/// The `raw_status` of a claim read from `returnWithdrawRequests` (the list has no status).
const WITHDRAWN: &str = "returnWithdrawRequests";

/// The withdrawals (반품철회) of the Korean days `from`..=`to`, asked at most
/// [`WITHDRAW_DAYS`] days a call, each followed page by page.
fn withdrawals(
    conn: &Connection,
    vendor: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    malformed: &mut Vec<MalformedPayload>,
) -> Result<Vec<Element<wire::ReturnWithdrawal>>, AdapterError> {
    let path = format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/returnWithdrawRequests");
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = (start + Duration::days(WITHDRAW_DAYS - 1)).min(to);
        let (date_from, date_to) = (start.to_string(), end.to_string());
        let mut page = "1".to_owned();
        let mut seen = HashSet::new();
        while seen.insert(page.clone()) && seen.len() <= 200 {
            let query = http::query(&[
                ("dateFrom", &date_from),
                ("dateTo", &date_to),
                ("pageIndex", &page),
                ("sizePerPage", "100"),
            ]);
            let (at, body) = call(conn, "GET", &path, &query, None)?;
            let answer = read_page::<wire::ReturnWithdrawal>(&body, LIST, &at)?;
            out.extend(answer.elements);
            malformed.extend(answer.malformed);
            match answer.envelope.get("nextPageIndex").and_then(|n| match n {
                serde_json::Value::String(s) => Some(s.trim().to_owned()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }) {
                Some(next) if !next.is_empty() => page = next,
                _ => break,
            }
        }
        start = end + Duration::days(1);
    }
    Ok(out)
}

/// The most shipment boxes one run reads one by one (`GET …/ordersheets/{shipmentBoxId}`) to
/// follow orders created before the listing's window. At the adapter's pacing (8 calls a
/// second, under Coupang's 10) they take about 12.5 s; a box is read again at least every
/// ⌈followed ÷ 100⌉ runs.
pub const FOLLOW_PER_RUN: usize = 100;

/// The sheet statuses in which a box is followed: not yet delivered (배송완료). A box in
/// FINAL_DELIVERY or NONE_TRACKING (업체 직접 배송, which has no tracking to end in a delivery)
/// is no longer followed, nor one whose every item is cancelled.
pub const FOLLOWED_STATUSES: &[&str] = &["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING"];

/// Whether a box is still followed after this reading of its sheet.
fn is_followed(sheet: &wire::OrderSheet) -> bool {
    FOLLOWED_STATUSES.contains(&sheet.status.as_str())
        && sheet.order_items.iter().any(|i| i.shipping_count > 0)
}

/// Where Coupang's order collection resumes: the Korean day the next listing starts from, and
/// the shipment boxes followed, the least recently read first. Written `yyyy-MM-dd` alone (no
/// box followed, and the form of cursors before boxes were followed) or
/// `yyyy-MM-dd;follow=box,box,…`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersCursor {
    /// `yyyy-MM-dd`; empty for the adapter's default start (three days back).
    pub day: String,
    /// The `shipmentBoxId`s followed, the least recently read first.
    pub follow: Vec<u64>,
}

/// What separates the day from the followed boxes in an [`OrdersCursor`].
const FOLLOW_MARK: &str = ";follow=";

impl OrdersCursor {
    /// Reads a cursor this adapter wrote; a box that is not a number is left out (the adapter
    /// writes none).
    pub fn parse(text: &str) -> Self {
        let (day, follow) = text.split_once(FOLLOW_MARK).unwrap_or((text, ""));
        Self {
            day: day.trim().to_owned(),
            follow: follow
                .split(',')
                .filter_map(|b| b.trim().parse().ok())
                .collect(),
        }
    }

    /// As the connection's cursor text.
    pub fn to_cursor(&self) -> Cursor {
        if self.follow.is_empty() {
            return Cursor(self.day.clone());
        }
        let boxes: Vec<String> = self.follow.iter().map(u64::to_string).collect();
        Cursor(format!("{}{FOLLOW_MARK}{}", self.day, boxes.join(",")))
    }
}

/// The boxes followed after a run: first the followed ones this run did not see (they waited
/// longest), then the ones it saw that are still open, in the order seen; each once. A box
/// seen and closed (delivered, cancelled, unknown to Coupang) is dropped.
pub fn next_follow(previous: &[u64], seen: &HashSet<u64>, still_open: &[u64]) -> Vec<u64> {
    let mut kept = HashSet::new();
    previous
        .iter()
        .filter(|b| !seen.contains(b))
        .chain(still_open)
        .filter(|b| kept.insert(**b))
        .copied()
        .collect()
}

/// One box's sheet (`GET …/ordersheets/{shipmentBoxId}`, 발주서 단건 조회, whose `data` is one
/// sheet). A sheet not of the documented shape, or a box Coupang answers with a client error
/// (4xx) for, is kept in `malformed` with the raw body and yields nothing, so the box is no
/// longer followed; any other failure (unreachable, rate-limited, refused credentials) is the
/// run's error.
fn followed_sheet(
    conn: &Connection,
    path: &str,
    shipment_box: u64,
    malformed: &mut Vec<MalformedPayload>,
) -> Result<Option<Element<wire::OrderSheet>>, AdapterError> {
    let (at, body) = match call(conn, "GET", &format!("{path}/{shipment_box}"), "", None) {
        Ok(answer) => answer,
        Err(AdapterError::Http {
            method,
            url,
            status: status @ 400..=499,
            body,
        }) => {
            malformed.push(MalformedPayload {
                error: format!(
                    "shipment box {shipment_box} is no longer followed: {method} {url} answered \
                     HTTP {status}"
                ),
                raw: body,
                at_path: format!("{method} {url}"),
            });
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let whole = read_page::<serde_json::Value>(&body, "", &at)?;
    let data = whole
        .envelope
        .get("data")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let element_at = format!("{at} $.data");
    let raw = data.to_string();
    match serde_json::from_value::<wire::OrderSheet>(data) {
        Ok(wire) => Ok(Some(Element {
            at: element_at,
            raw,
            wire,
        })),
        Err(e) => {
            malformed.push(MalformedPayload {
                raw,
                error: ElementError::Shape(e).to_string(),
                at_path: element_at,
            });
            Ok(None)
        }
    }
}

/// Normalizes order sheets into orders: a sheet listed again (each status is asked on its own)
/// is read once; the rest are grouped by `orderId`, in first-seen order, one [`MarketOrder`] per
/// group; a group that cannot be used goes to `out.malformed` with the raw JSON of its sheets.
pub fn orders_of(
    conn: &Connection,
    sheets: Vec<Element<wire::OrderSheet>>,
    out: &mut Collected<MarketOrder>,
) {
    let mut boxes = HashSet::new();
    let first_listings = sheets
        .into_iter()
        .filter(|sheet| boxes.insert(sheet.wire.shipment_box_id))
        .collect();
    collect_groups(
        first_listings,
        |sheet| sheet.order_id,
        |group| normalize_order(conn, group),
        out,
    );
}

/// The claims of return requests (one per returned item); a request that cannot be used goes
/// to `out.malformed` with its raw JSON.
pub fn returns_of(
    conn: &Connection,
    requests: Vec<Element<wire::ReturnRequest>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(requests, |request| normalize_return(conn, request), out);
}

/// The cancel claims of the `cancelType=CANCEL` list (one per cancelled item); a request that
/// cannot be used goes to `out.malformed` with its raw JSON.
pub fn cancels_of(
    conn: &Connection,
    requests: Vec<Element<wire::ReturnRequest>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(requests, |request| normalize_cancel(conn, request), out);
}

/// The shipment boxes the orders' sheets list as 결제완료 (ACCEPT), each once, in first-seen
/// order: the ones to move to 상품준비중.
pub fn boxes_to_acknowledge(orders: &[MarketOrder]) -> Vec<u64> {
    let mut seen = HashSet::new();
    orders
        .iter()
        .flat_map(|o| &o.lines)
        .filter(|l| l.status == "ACCEPT")
        .filter_map(|l| l.shipment_no.as_deref()?.parse().ok())
        .filter(|b| seen.insert(*b))
        .collect()
}

/// The boxes of one 상품준비중 처리 call that Coupang did not move, each as
/// [`AdapterError::NotPrepared`]; a failed call that lists no box refuses every box it named.
pub fn refused_boxes(
    conn: &Connection,
    sent: &[u64],
    answer: wire::AcknowledgementResponse,
) -> Vec<AdapterError> {
    let data = answer.data.unwrap_or_default();
    let refused = |shipment: String, message: Option<String>| AdapterError::NotPrepared {
        marketplace: conn.marketplace.clone(),
        shipment_no: shipment,
        message: message
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| "no reason given".to_owned()),
    };
    if data.response_list.is_empty() && data.response_code.unwrap_or(0) != 0 {
        return sent
            .iter()
            .map(|b| refused(b.to_string(), data.response_message.clone()))
            .collect();
    }
    data.response_list
        .into_iter()
        .filter(|r| !r.succeed)
        .map(|r| {
            refused(
                r.shipment_box_id.map(|b| b.to_string()).unwrap_or_default(),
                r.result_message,
            )
        })
        .collect()
}

/// The claims of exchange requests (one per exchanged item); a request that cannot be used
/// goes to `out.malformed` with its raw JSON.
pub fn exchanges_of(
    conn: &Connection,
    requests: Vec<Element<wire::ExchangeRequest>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(requests, |request| normalize_exchange(conn, request), out);
}

fn next_token(value: &serde_json::Value) -> Option<String> {
    value
        .get("nextToken")
        .and_then(|t| match t {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|t| !t.is_empty())
}

fn collect_pages<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    path: &str,
    base_query: &[(&str, &str)],
    paged: bool,
    malformed: &mut Vec<MalformedPayload>,
) -> Result<Vec<Element<T>>, AdapterError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let mut pairs = base_query.to_vec();
        if let Some(t) = &token {
            pairs.push(("nextToken", t.as_str()));
        }
        let (at, body) = call(conn, "GET", path, &http::query(&pairs), None)?;
        let page = read_page::<T>(&body, LIST, &at)?;
        out.extend(page.elements);
        malformed.extend(page.malformed);
        token = next_token(&page.envelope);
        match &token {
            Some(t) if paged && seen.insert(t.clone()) => {}
            _ => break,
        }
    }
    Ok(out)
}

impl MarketplaceAdapter for CoupangAdapter {
    fn collect_orders(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketOrder>, AdapterError> {
        let vendor = keys_of(conn)?.vendor_id.to_owned();
        let cursor = OrdersCursor::parse(cursor.as_str());
        let from = if cursor.day.is_empty() {
            time::kst_format(clock::now() - Duration::days(3), "%Y-%m-%d")
        } else {
            cursor.day.clone()
        };
        let to = time::kst_format(clock::now(), "%Y-%m-%d");
        let mut out = Collected::new(Cursor::default());
        let path = format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/ordersheets");
        let mut sheets = Vec::new();
        for status in SHEET_STATUSES {
            sheets.extend(collect_pages::<wire::OrderSheet>(
                conn,
                &path,
                &[
                    ("createdAtFrom", &from),
                    ("createdAtTo", &to),
                    ("maxPerPage", "50"),
                    ("status", status),
                ],
                true,
                &mut out.malformed,
            )?);
        }
        // The boxes created before the window that were still open at their last reading, read
        // one by one (the least recently read first, at most FOLLOW_PER_RUN).
        let listed: HashSet<u64> = sheets.iter().map(|s| s.wire.shipment_box_id).collect();
        let to_read: Vec<u64> = cursor
            .follow
            .iter()
            .filter(|b| !listed.contains(b))
            .take(FOLLOW_PER_RUN)
            .copied()
            .collect();
        for shipment_box in &to_read {
            if let Some(sheet) = followed_sheet(conn, &path, *shipment_box, &mut out.malformed)? {
                // A box whose every item is cancelled has nothing to follow: its cancel comes
                // from the claims lists.
                if sheet.wire.order_items.iter().any(|i| i.shipping_count > 0) {
                    sheets.push(sheet);
                }
            }
        }
        let seen: HashSet<u64> = listed.iter().chain(&to_read).copied().collect();
        let still_open: Vec<u64> = sheets
            .iter()
            .map(|s| &s.wire)
            .filter(|s| is_followed(s))
            .map(|s| s.shipment_box_id)
            .collect();
        out.next_cursor = OrdersCursor {
            day: to,
            follow: next_follow(&cursor.follow, &seen, &still_open),
        }
        .to_cursor();
        orders_of(conn, sheets, &mut out);
        Ok(out.dedupe_malformed())
    }

    fn collect_claims(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketClaim>, AdapterError> {
        let vendor = keys_of(conn)?.vendor_id.to_owned();
        let now = clock::now();
        let from_minute = if cursor.as_str().trim().is_empty() {
            time::kst_format(now - Duration::days(1), "%Y-%m-%dT%H:%M")
        } else {
            cursor.as_str().trim().to_owned()
        };
        let to_minute = time::kst_format(now, "%Y-%m-%dT%H:%M");
        let mut out = Collected::new(Cursor(to_minute.clone()));
        let returns = collect_pages::<wire::ReturnRequest>(
            conn,
            &format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/returnRequests"),
            &[
                ("searchType", "timeFrame"),
                ("createdAtFrom", &from_minute),
                ("createdAtTo", &to_minute),
            ],
            false,
            &mut out.malformed,
        )?;
        returns_of(conn, returns, &mut out);
        let cancels = collect_pages::<wire::ReturnRequest>(
            conn,
            &format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/returnRequests"),
            &[
                ("cancelType", "CANCEL"),
                ("createdAtFrom", &from_minute),
                ("createdAtTo", &to_minute),
                ("searchType", "timeFrame"),
            ],
            false,
            &mut out.malformed,
        )?;
        cancels_of(conn, cancels, &mut out);
        let exchanges = collect_pages::<wire::ExchangeRequest>(
            conn,
            &format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/exchangeRequests"),
            &[
                ("createdAtFrom", &format!("{from_minute}:00")),
                ("createdAtTo", &format!("{to_minute}:59")),
                ("maxPerPage", "50"),
            ],
            true,
            &mut out.malformed,
        )?;
        exchanges_of(conn, exchanges, &mut out);
        // Withdrawals are listed by day only: the days from the cursor's to today, read again
        // while the cursor stands on them (withdrawing a claim twice changes nothing).
        let day = |minute: &str| {
            minute
                .get(..10)
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let today = now.with_timezone(&jumun_core::time::KOREA).date_naive();
        let since = day(&from_minute).unwrap_or(today).min(today);
        let withdrawn = withdrawals(conn, &vendor, since, today, &mut out.malformed)?;
        withdrawals_of(conn, withdrawn, &mut out);
        Ok(out.dedupe_malformed())
    }

    fn send_invoice(&self, conn: &Connection, upload: &InvoiceUpload) -> Result<(), AdapterError> {
        let vendor = keys_of(conn)?.vendor_id.to_owned();
        let code = conn
            .carrier_code(upload)
            .or_else(|| parcel_code(&upload.carrier).map(str::to_owned))
            .ok_or_else(|| AdapterError::UnknownCarrier {
                marketplace: conn.marketplace.clone(),
                carrier: upload.carrier.clone(),
            })?;
        let number = |field: &'static str, text: Option<&str>| -> Result<u64, AdapterError> {
            text.and_then(|t| t.trim().parse().ok())
                .ok_or_else(|| AdapterError::InvoiceField {
                    marketplace: conn.marketplace.clone(),
                    field,
                    value: text.map(str::to_owned),
                })
        };
        let shipment_box_id = number("shipmentBoxId (shipment_no)", upload.shipment_no.as_deref())?;
        let order_id = number("orderId", Some(&upload.order_no))?;
        let dtos = upload
            .lines
            .iter()
            .map(|k| {
                let item = k
                    .codes
                    .get("code6")
                    .map(String::as_str)
                    .or(k.option_id.as_deref());
                Ok(wire::InvoiceApply {
                    shipment_box_id,
                    order_id,
                    vendor_item_id: number("vendorItemId (code6)", item)?,
                    delivery_company_code: code.clone(),
                    invoice_number: upload.tracking_no.clone(),
                    split_shipping: false,
                    pre_split_shipped: false,
                    estimated_shipping_date: String::new(),
                })
            })
            .collect::<Result<Vec<_>, AdapterError>>()?;
        let body = serde_json::to_string(&wire::InvoiceUploadRequest {
            vendor_id: vendor.clone(),
            order_sheet_invoice_apply_dtos: dtos,
        })
        .map_err(|source| AdapterError::Encode {
            what: "invoice upload",
            source,
        })?;
        let path = format!("/v2/providers/openapi/apis/api/v4/vendors/{vendor}/orders/invoices");
        let (at, answer) = call(conn, "POST", &path, "", Some(body))?;
        let parsed: wire::InvoiceUploadResponse = http::answer(at, &answer)?;
        let data = parsed.data.unwrap_or_default();
        let failed: Vec<String> = data
            .response_list
            .iter()
            .filter(|r| !r.succeed)
            .map(|r| {
                format!(
                    "{}: {}",
                    r.shipment_box_id.map(|b| b.to_string()).unwrap_or_default(),
                    r.result_message.clone().unwrap_or_default()
                )
            })
            .collect();
        if data.response_code.unwrap_or(0) != 0 || !failed.is_empty() {
            return Err(AdapterError::Rejected {
                marketplace: conn.marketplace.clone(),
                message: format!(
                    "{} {}",
                    data.response_message.unwrap_or_default(),
                    failed.join("; ")
                ),
            });
        }
        Ok(())
    }

    fn acknowledge_claim(
        &self,
        conn: &Connection,
        claim: &MarketClaim,
    ) -> Result<(), AdapterError> {
        if claim.kind == ClaimKind::Cancel && claim.raw_status != "RELEASE_STOP_UNCHECKED" {
            // A cancel of the cancelType=CANCEL list: Coupang carried it out in 결제완료, there
            // is nothing to confirm.
            return Ok(());
        }
        if claim.raw_status != "RELEASE_STOP_UNCHECKED" {
            return Err(AdapterError::Unsupported {
                marketplace: conn.marketplace.clone(),
                what: format!(
                    "acknowledging a {} ({})",
                    claim.kind.korean(),
                    claim.raw_status
                ),
            });
        }
        let vendor = keys_of(conn)?.vendor_id.to_owned();
        let receipt: u64 = claim
            .claim_no
            .as_deref()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| AdapterError::ClaimReference {
                marketplace: conn.marketplace.clone(),
                key: "receiptId (the 출고중지요청's claim number)",
            })?;
        let path = format!(
            "/v2/providers/openapi/apis/api/v4/vendors/{vendor}/returnRequests/{receipt}/stoppedShipment"
        );
        let body = serde_json::json!({
            "vendorId": vendor,
            "receiptId": receipt,
            "cancelCount": claim.quantity.unwrap_or(1),
        })
        .to_string();
        call(conn, "PATCH", &path, "", Some(body))?;
        Ok(())
    }

    fn prepare_orders(
        &self,
        conn: &Connection,
        orders: &[MarketOrder],
    ) -> Result<Vec<AdapterError>, AdapterError> {
        let boxes = boxes_to_acknowledge(orders);
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        let vendor = keys_of(conn)?.vendor_id.to_owned();
        let path = format!(
            "/v2/providers/openapi/apis/api/v4/vendors/{vendor}/ordersheets/acknowledgement"
        );
        let mut refused = Vec::new();
        for sent in boxes.chunks(ACKNOWLEDGE_BATCH) {
            let body = serde_json::to_string(&wire::AcknowledgementRequest {
                vendor_id: vendor.clone(),
                shipment_box_ids: sent.to_vec(),
            })
            .map_err(|source| AdapterError::Encode {
                what: "상품준비중 처리 (ordersheets/acknowledgement)",
                source,
            })?;
            let (at, answer) = call(conn, "PUT", &path, "", Some(body))?;
            refused.extend(refused_boxes(conn, sent, http::answer(at, &answer)?));
        }
        Ok(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_orders_cursor_reads_back_what_it_wrote_and_the_day_alone() {
        let followed = OrdersCursor {
            day: "2026-12-02".into(),
            follow: vec![448531493, 448531494],
        };
        let text = followed.to_cursor();
        assert_eq!(text.as_str(), "2026-12-02;follow=448531493,448531494");
        assert_eq!(OrdersCursor::parse(text.as_str()), followed);
        // A cursor written before boxes were followed, and one with nothing followed.
        let day = OrdersCursor::parse("2026-11-30");
        assert_eq!((day.day.as_str(), day.follow.len()), ("2026-11-30", 0));
        assert_eq!(day.to_cursor().as_str(), "2026-11-30");
        assert_eq!(OrdersCursor::parse(""), OrdersCursor::default());
    }

    #[test]
    fn followed_boxes_rotate_and_closed_ones_drop() {
        // 1 and 2 were read this run (1 is still open, 2 was delivered); 3 and 4 waited; 5 is
        // new in the list and open.
        let seen = HashSet::from([1, 2, 5]);
        assert_eq!(next_follow(&[1, 2, 3, 4], &seen, &[1, 5]), [3, 4, 1, 5]);
        // A box both followed and listed again is kept once.
        assert_eq!(next_follow(&[7], &HashSet::from([7]), &[7, 7]), [7]);
    }

    #[test]
    fn a_box_is_followed_until_delivered_or_nothing_is_left_to_ship() {
        let sheet = |status: &str, count: u32| wire::OrderSheet {
            status: status.into(),
            order_items: vec![wire::OrderItem {
                shipping_count: count,
                ..Default::default()
            }],
            ..Default::default()
        };
        for status in FOLLOWED_STATUSES {
            assert!(is_followed(&sheet(status, 1)), "{status}");
            assert!(!is_followed(&sheet(status, 0)), "{status} all cancelled");
        }
        assert!(!is_followed(&sheet("FINAL_DELIVERY", 1)));
        assert!(!is_followed(&sheet("NONE_TRACKING", 1)));
    }
}
