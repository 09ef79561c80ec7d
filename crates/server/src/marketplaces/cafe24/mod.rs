//! Cafe24 Admin API adapter.
//!
//! # Endpoints, with their source and the date checked
//!
//! | call | what for | source (checked) |
//! | --- | --- | --- |
//! | `GET /api/v2/admin/orders?start_date&end_date&date_type=order_date&embed=items,receivers,buyer&limit&offset` | orders, one line per 품주 (`order_item_code` is the line number, R18) | Admin API, Retrieve a list of orders (2026-12-02) |
//! | the same with `order_status=C…/R…/E…` and `date_type=` `cancel_`, `return_`, `exchange_` × `request_date`, `accept_date`, `complete_date` | claims, by each of their days (issue 13, point 8) | Admin API, Retrieve a list of orders, `date_type` (2026-12-02) |
//! | `POST /api/v2/admin/shipments` | invoices (status `shipping`), read row by row (point 11) | Admin API, Create shipping information for multiple orders; status codes, 207 (2026-12-02) |
//!
//! Every call sends `Authorization: Bearer {access_token}` (OAuth; refreshing the token is the
//! caller's) and `X-Cafe24-Api-Version` (point 12; Cafe24 API, Versioning, 2026-12-02).
//!
//! # How it reads them
//!
//! - Claims: a claim asked one day and accepted or done on another is found by the later day's
//!   search (issue 13, point 8).
//! - Invoices: the answer is read row by row ([`items_not_taken`]): a line is sent only when a
//!   row names it with the invoice number, whatever the status (201, or 207 for a request whose
//!   objects ended differently), and the lines not taken fail the upload with
//!   [`AdapterError::InvoicePartlyTaken`] (issue 13, point 11). `shipping_company_code` is the
//!   mall's own carrier code: the docs give no fixed table (a mall lists its carriers with
//!   `GET /api/v2/admin/carriers`, `shipping_carrier_code`), so the code comes from the upload or
//!   the connection's `carrier_codes`; without one the upload fails with
//!   [`AdapterError::UnknownCarrier`] saying so.
//! - Paging: `limit` 500, `offset` up to 15,000 (the API's cap). A search whose pages reach the
//!   cap is read again in halves of its days, down to single days ([`read_by_days`]); a single
//!   day over the cap fails the run with [`AdapterError::DayOverCap`] naming it, instead of
//!   dropping the orders past the cap (issue 13, point 13).
//! - Version: the connection's `api_version` or [`PINNED_API_VERSION`], so a change of the app's
//!   version in the developer centre cannot change what a running connection reads (issue 13,
//!   point 12).
//! - Cursor: the `start_date` (`YYYY-MM-DD`, Korean date); the next cursor is today. Cafe24 has no
//!   "changed since" filter on orders, so a day is read again on the next run; the console refuses
//!   an order it already has, so that is harmless.
//!
//! # `order_status` codes (Cafe24 docs, Retrieve a list of orders)
//!
//! Normal flow → [`LineFact`]: N00 입금전, N02 주문접수중, N02/N03 카드결제대기 → awaiting payment;
//! N10 상품준비중 → paid; N20 배송준비중, N22 배송보류 → preparing; N21 배송대기 → ready to ship;
//! N30 배송중 → shipped; N40 배송완료 → delivered; N50 구매확정 → confirmed; N01 교환접수 -
//! 교환상품 (the replacement item of an exchange) → paid.
//!
//! Claims → [`MarketClaim`] with the doc's Korean label, spaces removed, as the status word (the
//! way `data/marketplaces.tsv` writes Cafe24's words: `취소완료-환불전`), except **C00 취소신청 →
//! `취소요청`**, the table's word for it. Cafe24's cancel words in the table: 취소요청 (C00),
//! 취소접수-관리자 (C10), 취소처리중-환불전 (C34), 취소처리중-환불완료 (C35), 취소완료-환불전 (C41),
//! 취소완료-환불요청중 (C42), 취소완료-환불보류 (C43). Not in the table, so cancel sync keeps them as
//! unrecognised for the operator: C36 취소처리중-환불보류, C40 취소완료, C47–C49 입금전취소-….
//! Withdrawals: C11 취소접수거부, R11 반품접수거부, E11 교환접수거부, E41 교환완료-교환철회, E50/E51
//! 교환철회-판매자/구매자 (and any item with `request_undone`).

pub mod wire;

use super::clock;
use super::error::{AmountError, ElementError, StatusError};
use super::http::{self, Body};
use super::page::{collect_each, read_page, Element};
use super::time;
use super::{
    AdapterError, Collected, Connection, Credentials, Cursor, InvoiceUpload, LineFact,
    MalformedPayload, MarketClaim, MarketLine, MarketOrder, MarketplaceAdapter,
};
use chrono::{Duration, NaiveDate};
use jumun_core::claim::{ClaimKind, Reason};
use jumun_core::marketplace::MarketplaceKeys;
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, Payment};
use std::collections::HashSet;

/// What a Cafe24 `order_status` code means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusMeaning {
    /// A normal-flow status.
    Fact(LineFact),
    /// A claim status.
    Claim {
        /// Cancel, return or exchange.
        kind: ClaimKind,
        /// The status word (see the module docs).
        word: &'static str,
        /// The claim was refused or withdrawn.
        withdrawn: bool,
    },
}

/// Every documented `order_status` code and what it means; `None` for an unknown code.
pub fn status_meaning(code: &str) -> Option<StatusMeaning> {
    use ClaimKind::{Cancel as C, Exchange as E, Return as R};
    use LineFact::*;
    let fact = |f| Some(StatusMeaning::Fact(f));
    let claim = |kind, word, withdrawn| {
        Some(StatusMeaning::Claim {
            kind,
            word,
            withdrawn,
        })
    };
    match code.trim() {
        "N00" | "N02" | "N03" => fact(AwaitingPayment),
        "N01" | "N10" => fact(Paid),
        "N20" | "N22" => fact(Preparing),
        "N21" => fact(ReadyToShip),
        "N30" => fact(Shipped),
        "N40" => fact(Delivered),
        "N50" => fact(Confirmed),
        "C00" => claim(C, "취소요청", false),
        "C10" => claim(C, "취소접수-관리자", false),
        "C11" => claim(C, "취소접수거부-관리자", true),
        "C34" => claim(C, "취소처리중-환불전", false),
        "C35" => claim(C, "취소처리중-환불완료", false),
        "C36" => claim(C, "취소처리중-환불보류", false),
        "C40" => claim(C, "취소완료", false),
        "C41" => claim(C, "취소완료-환불전", false),
        "C42" => claim(C, "취소완료-환불요청중", false),
        "C43" => claim(C, "취소완료-환불보류", false),
        "C47" => claim(C, "입금전취소-구매자", false),
        "C48" => claim(C, "입금전취소-자동취소", false),
        "C49" => claim(C, "입금전취소-관리자", false),
        "R00" => claim(R, "반품신청", false),
        "R10" => claim(R, "반품접수", false),
        "R11" => claim(R, "반품접수거부", true),
        "R12" => claim(R, "반품보류", false),
        "R13" => claim(R, "반품접수-수거완료(자동)", false),
        "R20" => claim(R, "반품수거완료", false),
        "R30" => claim(R, "반품처리중-수거전", false),
        "R31" => claim(R, "반품처리중-수거완료", false),
        "R34" => claim(R, "반품처리중-환불전", false),
        "R36" => claim(R, "반품처리중-환불보류", false),
        "R40" => claim(R, "반품완료-환불완료", false),
        "R41" => claim(R, "반품완료-환불전", false),
        "R42" => claim(R, "반품완료-환불요청중", false),
        "R43" => claim(R, "반품완료-환불보류", false),
        "E00" => claim(E, "교환신청", false),
        "E10" => claim(E, "교환접수", false),
        "E11" => claim(E, "교환접수거부", true),
        "E12" => claim(E, "교환보류", false),
        "E13" => claim(E, "교환접수-수거완료(자동)", false),
        "E20" => claim(E, "교환준비", false),
        "E30" => claim(E, "교환처리중-수거전", false),
        "E31" => claim(E, "교환처리중-수거완료", false),
        "E32" => claim(E, "교환처리중-입금전", false),
        "E33" => claim(E, "교환처리중-입금완료", false),
        "E34" => claim(E, "교환처리중-환불전", false),
        "E35" => claim(E, "교환처리중-환불완료", false),
        "E36" => claim(E, "교환처리중-환불보류", false),
        "E40" => claim(E, "교환완료", false),
        "E41" => claim(E, "교환완료-교환철회", true),
        "E50" => claim(E, "교환철회-판매자", true),
        "E51" => claim(E, "교환철회-구매자", true),
        _ => None,
    }
}

/// Every documented code, for the table walk in the tests.
pub const ALL_CODES: &[&str] = &[
    "N00", "N01", "N02", "N03", "N10", "N20", "N21", "N22", "N30", "N40", "N50", "C00", "C10",
    "C11", "C34", "C35", "C36", "C40", "C41", "C42", "C43", "C47", "C48", "C49", "R00", "R10",
    "R11", "R12", "R13", "R20", "R30", "R31", "R34", "R36", "R40", "R41", "R42", "R43", "E00",
    "E10", "E11", "E12", "E13", "E20", "E30", "E31", "E32", "E33", "E34", "E35", "E36", "E40",
    "E41", "E50", "E51",
];

/// Orders asked per page (`limit`; Cafe24 allows up to 1,000).
pub const PAGE: usize = 500;
/// How far one search can page (`offset` stops at 15,000: Admin API, Retrieve a list of orders,
/// checked 2026-12-02).
pub const MAX_OFFSET: usize = 15_000;

/// Where the orders are in an order list answer (a JSON pointer).
pub const ORDERS_LIST: &str = "/orders";

/// The Cafe24 adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cafe24Adapter;

fn token(conn: &Connection) -> Result<String, AdapterError> {
    match &conn.credentials {
        Credentials::Bearer { access_token } => Ok(format!("Bearer {access_token}")),
        Credentials::None => Ok(String::new()),
        _ => Err(AdapterError::MissingCredentials {
            marketplace: conn.marketplace.clone(),
            needed: "a Cafe24 OAuth access token (Bearer)",
        }),
    }
}

/// The API version a Cafe24 connection is pinned to when it names none. Cafe24 serves a call in
/// the version of its `X-Cafe24-Api-Version` header, else in the app's version set in the
/// developer centre, which its owner can change under a running connection (Cafe24 API,
/// Versioning, checked 2026-12-02: versions are dates; one expires a year after a newer one is
/// released and is then served as the oldest live one). This is the newest version found in use
/// by public Cafe24 client code; every field this adapter reads and sends is in it. A
/// connection's own `api_version` overrides it: set it to the app's version in the developer
/// centre (Apps › 개발정보 › 인증정보 › 버전관리).
pub const PINNED_API_VERSION: &str = "2025-06-01";

/// The header that pins the API version.
pub const VERSION_HEADER: &str = "X-Cafe24-Api-Version";

fn headers(conn: &Connection, auth: &str) -> Vec<(&'static str, String)> {
    let version = conn
        .api_version
        .clone()
        .unwrap_or_else(|| PINNED_API_VERSION.to_owned());
    let mut h = vec![
        ("Accept", "application/json".to_owned()),
        (VERSION_HEADER, version),
    ];
    if !auth.is_empty() {
        h.push(("Authorization", auth.to_owned()));
    }
    h
}

/// Parses a Cafe24 amount (`"36000.00"`, the field `field`) as whole won.
pub fn amount(field: &'static str, text: &str) -> Result<Won, AmountError> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let not_a_number = || AmountError::NotANumber {
        field,
        text: text.to_owned(),
    };
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(not_a_number());
    }
    whole.parse::<i64>().map(Won).map_err(|_| not_a_number())
}

/// What one walk through the pages of a search read.
#[derive(Debug)]
pub struct Walk<T> {
    /// The orders read.
    pub items: Vec<T>,
    /// The orders that did not parse.
    pub malformed: Vec<MalformedPayload>,
    /// The walk stopped at the offset cap with a full page: the search holds more.
    pub capped: bool,
}

/// Reads the days `start..=end` with `walk`. Cafe24 lists at most [`MAX_OFFSET`] orders a
/// search (`offset` stops there; Admin API, Retrieve a list of orders, checked 2026-12-02), so a
/// window whose walk reached the cap is read again as two halves, down to single days; a single
/// day over the cap is [`AdapterError::DayOverCap`], never a silent cut.
pub fn read_by_days<T>(
    start: NaiveDate,
    end: NaiveDate,
    walk: &mut dyn FnMut(NaiveDate, NaiveDate) -> Result<Walk<T>, AdapterError>,
    over_cap: &dyn Fn(NaiveDate) -> AdapterError,
) -> Result<Walk<T>, AdapterError> {
    let read = walk(start, end)?;
    if !read.capped {
        return Ok(read);
    }
    if start >= end {
        return Err(over_cap(start));
    }
    let mid = start + Duration::days((end - start).num_days() / 2);
    let mut first = read_by_days(start, mid, walk, over_cap)?;
    let second = read_by_days(mid + Duration::days(1), end, walk, over_cap)?;
    first.items.extend(second.items);
    first.malformed.extend(second.malformed);
    Ok(first)
}

impl Cafe24Adapter {
    /// Reads every order of the days from `start` to `end` for `params` (see
    /// [`read_by_days`]), parsing each order on its own.
    fn list(
        &self,
        conn: &Connection,
        (start, end): (NaiveDate, NaiveDate),
        params: &[(&str, &str)],
        malformed: &mut Vec<MalformedPayload>,
    ) -> Result<Vec<Element<wire::Order>>, AdapterError> {
        let auth = token(conn)?;
        let search = params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let over_cap = |day: NaiveDate| AdapterError::DayOverCap {
            marketplace: conn.marketplace.clone(),
            day: day.format("%Y-%m-%d").to_string(),
            cap: MAX_OFFSET,
            search: search.clone(),
        };
        let mut walk = |from: NaiveDate, to: NaiveDate| self.walk(conn, &auth, from, to, params);
        let read = read_by_days(start, end.max(start), &mut walk, &over_cap)?;
        malformed.extend(read.malformed);
        Ok(read.items)
    }

    /// Reads the pages of one search, up to Cafe24's offset cap.
    fn walk(
        &self,
        conn: &Connection,
        auth: &str,
        from: NaiveDate,
        to: NaiveDate,
        params: &[(&str, &str)],
    ) -> Result<Walk<Element<wire::Order>>, AdapterError> {
        let (from, to) = (
            from.format("%Y-%m-%d").to_string(),
            to.format("%Y-%m-%d").to_string(),
        );
        let mut read = Walk {
            items: Vec::new(),
            malformed: Vec::new(),
            capped: false,
        };
        let mut offset = 0;
        loop {
            let limit = PAGE.to_string();
            let off = offset.to_string();
            let mut pairs = vec![("start_date", from.as_str()), ("end_date", to.as_str())];
            pairs.extend_from_slice(params);
            pairs.push(("limit", &limit));
            pairs.push(("offset", &off));
            let url = format!(
                "{}/api/v2/admin/orders?{}",
                conn.base_url,
                http::query(&pairs)
            );
            let body = http::send(&conn.marketplace, "GET", &url, &headers(conn, auth), None)?;
            let page = read_page::<wire::Order>(&body, ORDERS_LIST, &format!("GET {url}"))?;
            let n = page.len();
            read.items.extend(page.elements);
            read.malformed.extend(page.malformed);
            offset += n;
            if n < PAGE {
                return Ok(read);
            }
            if offset + PAGE > MAX_OFFSET {
                read.capped = true;
                return Ok(read);
            }
        }
    }
}

/// The first day a run reads: the cursor's, or a week back for a new connection. A cursor that
/// is not a date is refused with what it holds, never read as "from the beginning".
fn start_date(conn: &Connection, cursor: &Cursor) -> Result<NaiveDate, AdapterError> {
    let text = cursor.as_str().trim();
    if text.is_empty() {
        return Ok((clock::now() + Duration::hours(9)).date_naive() - Duration::days(7));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| AdapterError::Unsupported {
        marketplace: conn.marketplace.clone(),
        what: format!("resuming from the cursor {text:?}, which is not a date (YYYY-MM-DD)"),
    })
}

/// Today in Korea, Cafe24's calendar.
fn korean_today() -> NaiveDate {
    (clock::now() + Duration::hours(9)).date_naive()
}

fn keys(order: &wire::Order, item: &wire::Item) -> MarketplaceKeys {
    MarketplaceKeys {
        order_no: order.order_id.clone(),
        line_no: Some(item.order_item_code.clone()),
        product_code: item.product_code.clone(),
        product_name: Some(item.product_name.clone()),
        option: item.option_value.clone().filter(|o| !o.is_empty()),
        option_id: item.option_id.clone(),
        ..Default::default()
    }
}

fn or_empty(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// What an item's `order_status` means; an error naming the item when the code is unknown.
fn item_meaning(item: &wire::Item) -> Result<StatusMeaning, ElementError> {
    status_meaning(&item.order_status).ok_or_else(|| {
        ElementError::from(StatusError::unknown("order_status", &item.order_status))
            .in_part(format!("item {}", item.order_item_code))
    })
}

/// Normalizes one Cafe24 order.
pub fn normalize_order(
    conn: &Connection,
    order: &wire::Order,
) -> Result<MarketOrder, ElementError> {
    let ordered_at = time::parse_req(&order.order_date, "order_date")?;
    let paid_at = time::parse_opt(order.payment_date.as_deref(), "payment_date")?;
    if order.items.is_empty() {
        return Err(ElementError::Missing {
            what: "items (asked with embed=items)",
        });
    }
    let receiver = order.receivers.first().ok_or(ElementError::Missing {
        what: "receivers (asked with embed=receivers)",
    })?;
    let mut lines = Vec::new();
    for item in &order.items {
        let meaning = item_meaning(item)?;
        let of_item = |e: AmountError| {
            ElementError::from(e).in_part(format!("item {}", item.order_item_code))
        };
        let product_price = amount("product_price", &item.product_price).map_err(of_item)?;
        let option_price = match &item.option_price {
            Some(p) => amount("option_price", p).map_err(of_item)?,
            None => Won(0),
        };
        let unit_price = product_price
            .0
            .checked_add(option_price.0)
            .map(Won)
            .ok_or(AmountError::TooLarge {
                field: "product_price + option_price",
            })
            .map_err(of_item)?;
        if item.quantity == 0 {
            return Err(ElementError::ZeroQuantity {
                of: format!("item {}", item.order_item_code),
            });
        }
        lines.push(MarketLine {
            keys: keys(order, item),
            product_name: item.product_name.clone(),
            option: or_empty(&item.option_value),
            quantity: item.quantity,
            unit_price,
            option_price,
            status: item.order_status.clone(),
            fact: match meaning {
                StatusMeaning::Fact(f) => Some(f),
                StatusMeaning::Claim { .. } => None,
            },
            shipment_no: item.shipping_code.clone(),
        });
    }
    let bank_transfer = order
        .payment_method
        .iter()
        .any(|m| m == "cash" || m == "icash");
    let payment = if bank_transfer && order.paid.as_deref() != Some("T") {
        Payment::BankTransfer {
            deadline: time::plus_days(ordered_at, conn.bank_transfer_days, "order_date")?,
        }
    } else {
        Payment::Paid
    };
    let buyer = order.buyer.clone().unwrap_or_default();
    let address = [&receiver.address1, &receiver.address2]
        .iter()
        .filter_map(|a| a.as_deref().map(str::trim).filter(|a| !a.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    let address = if address.is_empty() {
        or_empty(&receiver.address_full)
    } else {
        address
    };
    Ok(MarketOrder {
        marketplace: conn.marketplace.clone(),
        order_no: order.order_id.clone(),
        ordered_at,
        paid_at,
        payment,
        delivery: DeliveryInfo {
            orderer_name: buyer
                .name
                .or(order.billing_name.clone())
                .unwrap_or_default(),
            orderer_phone: buyer.cellphone.or(buyer.phone).unwrap_or_default(),
            recipient_name: or_empty(&receiver.name),
            recipient_phone: receiver
                .cellphone
                .clone()
                .or(receiver.virtual_phone_no.clone())
                .unwrap_or_default(),
            recipient_landline: or_empty(&receiver.phone),
            postcode: or_empty(&receiver.zipcode),
            address,
            memo: or_empty(&receiver.shipping_message),
        },
        lines,
        replaces: None,
    })
}

/// Maps Cafe24's `claim_reason_type` (and the text) to the console's reason.
pub fn reason(item: &wire::Item) -> Reason {
    match item.claim_reason_type.as_deref() {
        Some("A") | Some("O") => Reason::ChangeOfMind,
        Some("B") => Reason::LateDelivery,
        Some("V") | Some("K") | Some("D") => Reason::Defective,
        Some("W") | Some("J") => Reason::WrongItem,
        Some("H") => Reason::OutOfStock,
        _ => super::reason_from_text(item.claim_reason.as_deref()),
    }
}

/// The claims of one order (one per item under a claim status).
pub fn normalize_claims(
    conn: &Connection,
    order: &wire::Order,
) -> Result<Vec<MarketClaim>, ElementError> {
    let ordered_at = time::parse_req(&order.order_date, "order_date")?;
    let mut claims = Vec::new();
    for item in &order.items {
        let meaning = item_meaning(item)?;
        let StatusMeaning::Claim {
            kind,
            word,
            withdrawn,
        } = meaning
        else {
            continue;
        };
        let (requested, field) = match kind {
            ClaimKind::Cancel => (&item.cancel_request_date, "cancel_request_date"),
            ClaimKind::Return => (&item.return_request_date, "return_request_date"),
            ClaimKind::Exchange => (&item.exchange_request_date, "exchange_request_date"),
        };
        let reported_at = time::parse_opt(requested.as_deref(), field)
            .map_err(|e| ElementError::from(e).in_part(format!("item {}", item.order_item_code)))?
            .unwrap_or(ordered_at);
        claims.push(MarketClaim {
            marketplace: conn.marketplace.clone(),
            kind,
            status: word.to_owned(),
            raw_status: item.order_status.clone(),
            keys: keys(order, item),
            quantity: item.claim_quantity.filter(|q| *q > 0),
            claim_no: item.claim_code.clone(),
            reason: reason(item),
            fault: None,
            requested_option: None,
            withdrawn: withdrawn
                || item
                    .request_undone
                    .as_deref()
                    .is_some_and(|u| !u.is_empty()),
            reported_at,
            exchange_due: None,
            delay_notices: 0,
        });
    }
    Ok(claims)
}

/// Normalizes the orders of order lists, one [`MarketOrder`] each; an order that cannot be used
/// goes to `out.malformed` with its raw JSON.
pub fn orders_of(
    conn: &Connection,
    orders: Vec<Element<wire::Order>>,
    out: &mut Collected<MarketOrder>,
) {
    collect_each(orders, |order| normalize_order(conn, order).map(Some), out);
}

/// The claims of the orders of the claim queries' lists; an order listed again (each claim
/// query may list it) is read once, and one that cannot be used goes to `out.malformed` with its
/// raw JSON.
pub fn claims_of(
    conn: &Connection,
    orders: Vec<Element<wire::Order>>,
    out: &mut Collected<MarketClaim>,
) {
    let mut seen = HashSet::new();
    let first_listings = orders
        .into_iter()
        .filter(|order| seen.insert(order.wire.order_id.clone()))
        .collect();
    collect_each(first_listings, |order| normalize_claims(conn, order), out);
}

/// The claim codes of each kind, as the claim searches filter them.
const CLAIM_CODES: &[(&str, &str)] = &[
    (
        "cancel",
        "C00,C10,C11,C34,C35,C36,C40,C41,C42,C43,C47,C48,C49",
    ),
    (
        "return",
        "R00,R10,R11,R12,R13,R20,R30,R31,R34,R36,R40,R41,R42,R43",
    ),
    (
        "exchange",
        "E00,E10,E11,E12,E13,E20,E30,E31,E32,E33,E34,E35,E36,E40,E41,E50,E51",
    ),
];

/// The days a claim is searched by: its request (신청), its acceptance (접수) and its completion
/// (완료). A claim asked on one day and accepted or done on a later one is found by the later
/// day's search, so a run whose window starts after the request still sees how it went on.
const CLAIM_DAYS: &[&str] = &["request_date", "accept_date", "complete_date"];

/// The lines of an invoice upload the answer does not show taken, and what it said of them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NotTaken {
    /// The `order_item_code`s.
    pub lines: Vec<String>,
    /// The marketplace's words for them (its `errors` entries), or that it gave none.
    pub reason: String,
}

/// Reads a shipments answer row by row: a line is taken only when a row of `shipments` names
/// it with the invoice number sent. Cafe24 answers 207 when the objects of one request end
/// differently, with no documented body (Admin API status codes, checked 2026-12-02), so
/// neither the status nor an `errors` list is trusted to say what was taken: only the rows are.
pub fn items_not_taken(answer: &[u8], tracking_no: &str, sent: &[String]) -> NotTaken {
    let value: serde_json::Value = serde_json::from_slice(answer).unwrap_or_default();
    let rows = match &value["shipments"] {
        serde_json::Value::Array(rows) => rows.clone(),
        row @ serde_json::Value::Object(_) => vec![row.clone()],
        _ => match &value["shipment"] {
            row @ serde_json::Value::Object(_) => vec![row.clone()],
            _ => Vec::new(),
        },
    };
    let mut taken: HashSet<String> = HashSet::new();
    for row in &rows {
        if row.get("error").is_some() || row["tracking_no"].as_str() != Some(tracking_no) {
            continue;
        }
        match &row["order_item_code"] {
            serde_json::Value::Array(codes) => {
                taken.extend(codes.iter().filter_map(|c| c.as_str().map(str::to_owned)))
            }
            serde_json::Value::String(code) => {
                taken.insert(code.clone());
            }
            _ => {}
        }
    }
    let lines: Vec<String> = sent
        .iter()
        .filter(|code| !taken.contains(*code))
        .cloned()
        .collect();
    let said: Vec<String> = value["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let reason = if said.is_empty() {
        "the answer shows no row for them".to_owned()
    } else {
        said.join("; ")
    };
    NotTaken { lines, reason }
}

impl MarketplaceAdapter for Cafe24Adapter {
    fn collect_orders(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketOrder>, AdapterError> {
        let start = start_date(conn, cursor)?;
        let today = korean_today();
        let mut out = Collected::new(Cursor(today.format("%Y-%m-%d").to_string()));
        let orders = self.list(
            conn,
            (start, today),
            &[
                ("date_type", "order_date"),
                ("embed", "items,receivers,buyer"),
            ],
            &mut out.malformed,
        )?;
        orders_of(conn, orders, &mut out);
        Ok(out.dedupe_malformed())
    }

    fn collect_claims(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketClaim>, AdapterError> {
        let start = start_date(conn, cursor)?;
        let today = korean_today();
        let mut out = Collected::new(Cursor(today.format("%Y-%m-%d").to_string()));
        let mut orders = Vec::new();
        for (kind, codes) in CLAIM_CODES {
            for day in CLAIM_DAYS {
                let date_type = format!("{kind}_{day}");
                orders.extend(self.list(
                    conn,
                    (start, today),
                    &[
                        ("date_type", &date_type),
                        ("order_status", codes),
                        ("embed", "items"),
                    ],
                    &mut out.malformed,
                )?);
            }
        }
        claims_of(conn, orders, &mut out);
        Ok(out.dedupe_malformed())
    }

    fn send_invoice(&self, conn: &Connection, upload: &InvoiceUpload) -> Result<(), AdapterError> {
        let auth = token(conn)?;
        // No default table: a mall's carrier codes are its own (`GET /api/v2/admin/carriers`,
        // `shipping_carrier_code`); the connection's `carrier_codes` map them.
        let code = conn
            .carrier_code(upload)
            .ok_or_else(|| AdapterError::UnknownCarrier {
                marketplace: conn.marketplace.clone(),
                carrier: upload.carrier.clone(),
            })?;
        let items: Vec<String> = upload
            .lines
            .iter()
            .filter_map(|k| k.line_no.clone())
            .collect();
        if items.is_empty() {
            return Err(AdapterError::InvoiceLines {
                marketplace: conn.marketplace.clone(),
                key: "order_item_code",
            });
        }
        let request = wire::ShipmentsRequest {
            shop_no: 1,
            requests: vec![wire::Shipment {
                order_id: upload.order_no.clone(),
                tracking_no: upload.tracking_no.clone(),
                shipping_company_code: code,
                status: "shipping".into(),
                order_item_code: items.clone(),
                shipping_code: upload.shipment_no.clone(),
            }],
        };
        let body = serde_json::to_string(&request).map_err(|source| AdapterError::Encode {
            what: "shipments",
            source,
        })?;
        let url = format!("{}/api/v2/admin/shipments", conn.base_url);
        let answer = http::send(
            &conn.marketplace,
            "POST",
            &url,
            &headers(conn, &auth),
            Some(Body::Json(body)),
        )?;
        let not_taken = items_not_taken(&answer, &upload.tracking_no, &items);
        if not_taken.lines.is_empty() {
            return Ok(());
        }
        Err(AdapterError::InvoicePartlyTaken {
            marketplace: conn.marketplace.clone(),
            order_no: upload.order_no.clone(),
            lines: not_taken.lines.join(", "),
            reason: not_taken.reason,
        })
    }

    fn acknowledge_claim(
        &self,
        conn: &Connection,
        claim: &MarketClaim,
    ) -> Result<(), AdapterError> {
        // Cafe24 documents creating and refusing (`undone`) cancellation / return / exchange
        // requests, but no separate "acknowledge" of a buyer's request: a claim is accepted by
        // processing it (cancellation, return, exchange resources), which the console's CS
        // processing drives. Refusing is not acknowledging, so nothing is sent.
        Err(AdapterError::Unsupported {
            marketplace: conn.marketplace.clone(),
            what: format!(
                "acknowledging a {} request ({})",
                claim.kind.korean(),
                claim.raw_status
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("a day")
    }

    /// A fake search over orders per day: a walk reads at most `cap`, and says so when it stops.
    fn walker<'a>(
        per_day: &[(u32, usize)],
        cap: usize,
        asked: &'a mut Vec<(u32, u32)>,
    ) -> impl FnMut(NaiveDate, NaiveDate) -> Result<Walk<u32>, AdapterError> + 'a {
        let per_day = per_day.to_vec();
        move |from, to| {
            asked.push((from.day0() + 1, to.day0() + 1));
            let all: Vec<u32> = per_day
                .iter()
                .filter(|(d, _)| day(*d) >= from && day(*d) <= to)
                .flat_map(|(d, n)| std::iter::repeat_n(*d, *n))
                .collect();
            Ok(Walk {
                capped: all.len() >= cap,
                items: all.into_iter().take(cap).collect(),
                malformed: Vec::new(),
            })
        }
    }

    use chrono::Datelike;

    fn over_cap(d: NaiveDate) -> AdapterError {
        AdapterError::DayOverCap {
            marketplace: "cafe24".into(),
            day: d.to_string(),
            cap: 100,
            search: "test".into(),
        }
    }

    #[test]
    fn a_window_over_the_offset_cap_is_read_again_in_halves_down_to_days() {
        let mut asked = Vec::new();
        let per_day = [(1, 40), (2, 60), (3, 70), (4, 10)];
        let read = read_by_days(
            day(1),
            day(4),
            &mut walker(&per_day, 100, &mut asked),
            &over_cap,
        )
        .expect("every day fits");
        assert_eq!(read.items.len(), 180, "every order once");
        for (d, n) in per_day {
            assert_eq!(read.items.iter().filter(|i| **i == d).count(), n);
        }
        // 1–4 capped; 1–2 fits (100 is the cap: capped), so 1 and 2; 3–4 fits.
        assert_eq!(asked, vec![(1, 4), (1, 2), (1, 1), (2, 2), (3, 4)]);
    }

    #[test]
    fn a_single_day_over_the_cap_is_an_error_that_names_it() {
        let mut asked = Vec::new();
        let per_day = [(1, 10), (2, 150)];
        let err = read_by_days(
            day(1),
            day(2),
            &mut walker(&per_day, 100, &mut asked),
            &over_cap,
        )
        .expect_err("day 2 holds more than a search lists");
        assert!(err.to_string().contains("2026-11-02"), "{err}");
    }

    #[test]
    fn an_invoice_line_is_taken_only_when_a_row_names_it_with_the_number() {
        let sent = vec!["A-01".to_owned(), "A-02".to_owned(), "A-03".to_owned()];
        let answer = r#"{"shipments":[
            {"order_id":"A","tracking_no":"6123","order_item_code":["A-01"]},
            {"order_id":"A","tracking_no":"9999","order_item_code":["A-02"]},
            {"order_id":"A","tracking_no":"6123","order_item_code":"A-03","error":{"message":"x"}}
        ],"errors":[{"message":"A-03: 취소 요청 또는 취소된 주문"}]}"#;
        let got = items_not_taken(answer.as_bytes(), "6123", &sent);
        assert_eq!(got.lines, ["A-02", "A-03"]);
        assert!(got.reason.contains("취소"), "{}", got.reason);
        // A whole answer of rows: nothing left out.
        let all =
            br#"{"shipments":[{"tracking_no":"6123","order_item_code":["A-01","A-02","A-03"]}]}"#;
        assert_eq!(
            items_not_taken(all, "6123", &sent).lines,
            Vec::<String>::new()
        );
        // An answer that is not the documented body shows nothing taken.
        let odd = items_not_taken(b"<html>OK</html>", "6123", &sent);
        assert_eq!(odd.lines.len(), 3);
        assert!(odd.reason.contains("no row"), "{}", odd.reason);
    }

    #[test]
    fn a_window_under_the_cap_is_one_search() {
        let mut asked = Vec::new();
        let read = read_by_days(
            day(1),
            day(9),
            &mut walker(&[(3, 99)], 100, &mut asked),
            &over_cap,
        )
        .expect("fits");
        assert_eq!((read.items.len(), asked.len()), (99, 1));
    }
}
