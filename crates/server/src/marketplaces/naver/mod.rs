//! Naver Commerce API adapter (스마트스토어 and 네이버페이 orders: `smartstore`, `naverpay`).
//!
//! # Endpoints
//!
//! Base `https://api.commerce.naver.com/external`; pages of apicenter.commerce.naver.com
//! (`/docs/commerce-api/current/…`), checked 2026-12-02 (through clipped copies of the pages).
//!
//! | call | path | source |
//! | --- | --- | --- |
//! | token | `POST /v1/oauth2/token` | `/docs/auth` (인증) |
//! | changes | `GET /v1/pay-order/seller/product-orders/last-changed-statuses` | `seller-get-last-changed-status-pay-order-seller` (변경 상품 주문 내역 조회) |
//! | details | `POST /v1/pay-order/seller/product-orders/query` | `seller-get-product-orders-pay-order-seller` (상품 주문 상세 내역 조회); claim objects under `currentClaim` since 2026-10-28 (github.com/commerce-api-naver/commerce-api discussions 3608, 1691) |
//! | invoices | `POST /v1/pay-order/seller/product-orders/dispatch` | 발송 처리 |
//! | cancel approval | `POST /v1/pay-order/seller/product-orders/{productOrderId}/claim/cancel/approve` | 취소 요청 승인 (no body) |
//!
//! - Changes: at most 300 per answer (`data.more.moreFrom`/`moreSequence` continue). Without
//!   `lastChangedTo` an answer covers only the 24 hours after `lastChangedFrom`, so a window
//!   that ends without `more` is followed by the next one, until a window reaches the answer's
//!   `timestamp`. Then the details, at most 300 `productOrderIds` a query.
//! - Acknowledging a claim: a cancel request the console carried out is approved (취소 요청
//!   승인); nothing else is sent. Naver has no acknowledgement step for returns and exchanges:
//!   `POST …/claim/return/approve` (반품 요청 승인) refunds the buyer and is valid only once the
//!   item is back, and `POST …/claim/exchange/collect/approve` declares the old item collected —
//!   both irreversible decisions the operator takes in the seller center, never the collector
//!   (issue 13, point 5).
//! - Orders: the product orders grouped by `order.orderId`; `productOrderId` is the line number.
//! - Claims: product orders with a `claimType`; reason, request date and requested quantity
//!   from `currentClaim.{cancel,return,exchange}` (a claim on part of a line stays partial).
//! - Auth: the token form is `client_id`, `timestamp` in ms, `client_secret_sign` =
//!   base64 of bcrypt(`{client_id}_{timestamp}`, salt = client secret), `grant_type=
//!   client_credentials`, `type=SELF`, then `Authorization: Bearer {access_token}`. The token
//!   is kept per connection for its life (`expires_in`, 3 hours) less 10 minutes, and dropped
//!   when Naver refuses a call (HTTP 401/403). With [`Credentials::None`] (a sandbox) no token is
//!   asked.
//! - Pacing ([`super::rate::NAVER`]): one call at a time per application, at least 550 ms
//!   after the previous one ended, under the 2 calls a second each API allows; a 429
//!   (`GW.RATE_LIMIT`, `GW.QUOTA_LIMIT`) is backed off, not taken for refused credentials (see
//!   [`super::rate`] for the sources).
//! - Cursor ([`ChangeCursor`]): the last change seen, `{lastChangedDate}|{productOrderId}`; the
//!   next call asks `lastChangedFrom` = that date (inclusive) and drops the changes up to that
//!   product order, so the last change is not read again every poll. When the run moved past
//!   quiet days after it, the cursor is the start of the window it reached (a date alone).
//!
//! # Statuses
//!
//! `productOrderStatus` → [`LineFact`]: PAYMENT_WAITING → awaiting payment; PAYED → paid
//! (preparing once `placeOrderStatus` is OK, 발주 확인); DELIVERING → shipped; DELIVERED →
//! delivered; PURCHASE_DECIDED → confirmed; CANCELED, RETURNED, EXCHANGED, CANCELED_BY_NOPAYMENT →
//! under a claim (no fact). A PAYED line whose `claimType`/`claimStatus` name a claim under way
//! (CANCEL_REQUEST: Naver keeps the line PAYED until the cancel is done) has no fact either: it
//! is never read as a clean paid line that may ship while its claim is pending.
//!
//! `claimStatus` → claim status words (the table's Naver words are 취소요청;취소중;취소완료):
//! CANCEL_REQUEST → 취소요청; CANCELING, ADMIN_CANCELING → 취소중; CANCEL_DONE, ADMIN_CANCEL_DONE →
//! 취소완료; CANCEL_REJECT, ADMIN_CANCEL_REJECT → 취소철회 (withdrawn); RETURN_REQUEST → 반품요청;
//! COLLECTING → 수거중; COLLECT_DONE → 수거완료; RETURN_DONE → 반품완료; RETURN_REJECT → 반품철회
//! (withdrawn); EXCHANGE_REQUEST → 교환요청; EXCHANGE_REDELIVERING → 교환재배송중; EXCHANGE_DONE →
//! 교환완료; EXCHANGE_REJECT → 교환철회 (withdrawn). PURCHASE_DECISION_* are not claims.

pub mod wire;

use super::clock;
use super::error::{AmountError, ElementError, SignError, StatusError};
use super::http::{self, Body};
use super::page::{collect_each, collect_groups, read_page, Element};
use super::rate;
use super::time;
use super::{
    parcel_code, AdapterError, Collected, Connection, Credentials, Cursor, InvoiceUpload, LineFact,
    MalformedPayload, MarketClaim, MarketLine, MarketOrder, MarketplaceAdapter,
};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jumun_core::claim::{ClaimKind, Reason};
use jumun_core::marketplace::MarketplaceKeys;
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, LineStatus, Payment};
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// The Naver Commerce adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct NaverAdapter;

/// Where the changes are in a `last-changed-statuses` answer (a JSON pointer).
pub const CHANGES_LIST: &str = "/data/lastChangeStatuses";

/// Where the product orders are in a `product-orders/query` answer (a JSON pointer).
pub const PRODUCT_ORDERS_LIST: &str = "/data";

/// `client_secret_sign` of the token request: base64 of bcrypt(`{client_id}_{timestamp}`) with the
/// client secret (`$2a$04$` + 22 salt characters) as the salt.
pub fn client_secret_sign(
    client_id: &str,
    client_secret: &str,
    timestamp_ms: i64,
) -> Result<String, SignError> {
    let bad = || SignError::NotABcryptSalt;
    let mut parts = client_secret.trim().splitn(4, '$');
    let (Some(""), Some(version), Some(cost), Some(salt)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let cost: u32 = cost.parse().map_err(|_| bad())?;
    let salt = salt.get(..22).ok_or_else(bad)?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::BCRYPT,
        base64::engine::GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    let bytes = engine.decode(salt).map_err(|_| bad())?;
    let salt: [u8; 16] = bytes.try_into().map_err(|_| bad())?;
    let version = match version {
        "2b" => bcrypt::Version::TwoB,
        "2y" => bcrypt::Version::TwoY,
        "2x" => bcrypt::Version::TwoX,
        _ => bcrypt::Version::TwoA,
    };
    let password = format!("{client_id}_{timestamp_ms}");
    let hashed = bcrypt::hash_with_salt(password, cost, salt)?.format_for_version(version);
    Ok(base64::engine::general_purpose::STANDARD.encode(hashed))
}

/// A token asked of Naver, and until when it is used.
struct KeptToken {
    access_token: String,
    until: DateTime<Utc>,
}

/// The tokens this process holds, by connection (base URL, client id and secret): a Naver token
/// lives 3 hours (`expires_in` 10800, 인증 doc, checked 2026-12-02), and asking for one on every
/// call costs a bcrypt hash and a request to a rate-limited endpoint (issue 13, point 9).
static TOKENS: Mutex<BTreeMap<(String, String, String), KeptToken>> = Mutex::new(BTreeMap::new());

/// A kept token is not used in its last minutes, so a call never starts with one about to lapse.
const TOKEN_MARGIN_SECS: i64 = 600;

/// Seconds a token lives when the answer does not say (the documented 3 hours).
const TOKEN_LIFE_SECS: u64 = 10_800;

fn token_key(conn: &Connection) -> Option<(String, String, String)> {
    match &conn.credentials {
        Credentials::NaverClient {
            client_id,
            client_secret,
        } => Some((
            conn.base_url.clone(),
            client_id.clone(),
            client_secret.clone(),
        )),
        _ => None,
    }
}

/// The kept tokens; a poisoned lock only means a panic elsewhere while it was held, and the map
/// stays usable (at worst a token is asked again).
fn kept_tokens() -> std::sync::MutexGuard<'static, BTreeMap<(String, String, String), KeptToken>> {
    TOKENS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Drops the connection's kept token when Naver refused a call (a token revoked or reissued
/// elsewhere): the next call asks for a new one.
fn forget_token_if_refused<T>(
    conn: &Connection,
    result: Result<T, AdapterError>,
) -> Result<T, AdapterError> {
    if let (Err(AdapterError::Auth { .. }), Some(key)) = (&result, token_key(conn)) {
        kept_tokens().remove(&key);
    }
    result
}

/// A call with the connection's token ([`auth`]); a refusal drops the kept token.
fn send(
    conn: &Connection,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<Body>,
) -> Result<Vec<u8>, AdapterError> {
    forget_token_if_refused(
        conn,
        rate::send(conn, &rate::NAVER, method, url, headers, body),
    )
}

fn auth(conn: &Connection) -> Result<Vec<(&'static str, String)>, AdapterError> {
    let mut headers = vec![("Accept", "application/json".to_owned())];
    match &conn.credentials {
        Credentials::None => {}
        Credentials::Bearer { access_token } => {
            headers.push(("Authorization", format!("Bearer {access_token}")))
        }
        Credentials::NaverClient {
            client_id,
            client_secret,
        } => {
            let key = token_key(conn);
            let now = clock::now();
            if let Some(kept) = key.as_ref().and_then(|k| {
                kept_tokens()
                    .get(k)
                    .filter(|t| t.until > now)
                    .map(|t| t.access_token.clone())
            }) {
                headers.push(("Authorization", format!("Bearer {kept}")));
                return Ok(headers);
            }
            let timestamp = now.timestamp_millis();
            let sign =
                client_secret_sign(client_id, client_secret, timestamp).map_err(|source| {
                    AdapterError::Credentials {
                        marketplace: conn.marketplace.clone(),
                        source,
                    }
                })?;
            let url = format!("{}/v1/oauth2/token", conn.base_url);
            let body = rate::send(
                conn,
                &rate::NAVER,
                "POST",
                &url,
                &[],
                Some(Body::Form(vec![
                    ("client_id".into(), client_id.clone()),
                    ("timestamp".into(), timestamp.to_string()),
                    ("client_secret_sign".into(), sign),
                    ("grant_type".into(), "client_credentials".into()),
                    ("type".into(), "SELF".into()),
                ])),
            )?;
            let token: wire::TokenResponse =
                serde_json::from_slice(&body).map_err(|source| AdapterError::TokenAnswer {
                    marketplace: conn.marketplace.clone(),
                    url,
                    source,
                })?;
            // At most a day, whatever the answer says: a token kept longer than Naver keeps it
            // would only be refused.
            let life = token.expires_in.unwrap_or(TOKEN_LIFE_SECS).min(86_400) as i64;
            let until = now + Duration::seconds(life - TOKEN_MARGIN_SECS);
            headers.push(("Authorization", format!("Bearer {}", token.access_token)));
            if let Some(key) = key {
                kept_tokens().insert(
                    key,
                    KeptToken {
                        access_token: token.access_token,
                        until,
                    },
                );
            }
        }
        _ => {
            return Err(AdapterError::MissingCredentials {
                marketplace: conn.marketplace.clone(),
                needed: "Naver Commerce API application (client id and secret)",
            })
        }
    }
    Ok(headers)
}

/// What a `productOrderStatus` means; `Ok(None)`: under a claim; `Err`: unknown.
pub fn order_fact(
    status: &str,
    place_order_status: Option<&str>,
) -> Result<Option<LineFact>, StatusError> {
    Ok(Some(match status {
        "PAYMENT_WAITING" => LineFact::AwaitingPayment,
        "PAYED" if place_order_status == Some("OK") => LineFact::Preparing,
        "PAYED" => LineFact::Paid,
        "DELIVERING" => LineFact::Shipped,
        "DELIVERED" => LineFact::Delivered,
        "PURCHASE_DECIDED" => LineFact::Confirmed,
        "CANCELED" | "RETURNED" | "EXCHANGED" | "CANCELED_BY_NOPAYMENT" => return Ok(None),
        other => return Err(StatusError::unknown("productOrderStatus", other)),
    }))
}

/// What a claim status means: `Ok(Some((kind, word, withdrawn)))`, `Ok(None)` for statuses that
/// are not claims (purchase-decision holdbacks), `Err` for unknown ones.
pub fn claim_meaning(
    claim_type: &str,
    claim_status: &str,
) -> Result<Option<(ClaimKind, &'static str, bool)>, StatusError> {
    use ClaimKind::{Cancel, Exchange, Return};
    if claim_type == "PURCHASE_DECISION_HOLDBACK" || claim_status.starts_with("PURCHASE_DECISION") {
        return Ok(None);
    }
    let kind = match claim_type {
        "CANCEL" | "ADMIN_CANCEL" => Cancel,
        "RETURN" => Return,
        "EXCHANGE" => Exchange,
        other => return Err(StatusError::unknown("claimType", other)),
    };
    let (word, withdrawn) = match (kind, claim_status) {
        (Cancel, "CANCEL_REQUEST") => ("취소요청", false),
        (Cancel, "CANCELING" | "ADMIN_CANCELING") => ("취소중", false),
        (Cancel, "CANCEL_DONE" | "ADMIN_CANCEL_DONE") => ("취소완료", false),
        (Cancel, "CANCEL_REJECT" | "ADMIN_CANCEL_REJECT") => ("취소철회", true),
        (Return, "RETURN_REQUEST") => ("반품요청", false),
        (Return | Exchange, "COLLECTING") => ("수거중", false),
        (Return | Exchange, "COLLECT_DONE") => ("수거완료", false),
        (Return, "RETURN_DONE") => ("반품완료", false),
        (Return, "RETURN_REJECT") => ("반품철회", true),
        (Exchange, "EXCHANGE_REQUEST") => ("교환요청", false),
        (Exchange, "EXCHANGE_REDELIVERING") => ("교환재배송중", false),
        (Exchange, "EXCHANGE_DONE") => ("교환완료", false),
        (Exchange, "EXCHANGE_REJECT") => ("교환철회", true),
        (_, other) => {
            return Err(StatusError::Mismatch {
                field: "claimStatus",
                value: other.to_owned(),
                other_field: "claimType",
                other: claim_type.to_owned(),
            })
        }
    };
    Ok(Some((kind, word, withdrawn)))
}

/// Maps Naver's claimReason codes to the console's reasons.
pub fn reason(code: Option<&str>, detail: Option<&str>) -> Reason {
    match code.unwrap_or_default() {
        "INTENT_CHANGED" | "SIMPLE_INTENT_CHANGED" | "MISTAKE_ORDER" | "WRONG_ORDER" => {
            Reason::ChangeOfMind
        }
        "COLOR_AND_SIZE" => Reason::OptionChange,
        "DELAYED_DELIVERY" | "DELAYED_DELIVERY_BY_PURCHASER" => Reason::LateDelivery,
        "SOLD_OUT" | "OUT_OF_STOCK" => Reason::OutOfStock,
        "BROKEN" | "BROKEN_AND_BAD" => Reason::Defective,
        "WRONG_DELIVERY" | "WRONG_OPTION" | "WRONG_DELAYED_DELIVERY" => Reason::WrongItem,
        "" => super::reason_from_text(detail),
        other => Reason::Other(match detail.filter(|d| !d.trim().is_empty()) {
            Some(d) => format!("{other}: {d}"),
            None => other.to_owned(),
        }),
    }
}

fn keys(info: &wire::ProductOrderInfo) -> MarketplaceKeys {
    let po = &info.product_order;
    MarketplaceKeys {
        order_no: info.order.order_id.clone(),
        line_no: Some(po.product_order_id.clone()),
        product_code: po.product_id.clone(),
        product_name: Some(po.product_name.clone()),
        option: po.product_option.clone().filter(|o| !o.is_empty()),
        option_id: po.option_code.clone(),
        ..Default::default()
    }
}

/// Whether the product order is under a claim still under way (asked, not withdrawn). Naver
/// keeps `productOrderStatus` PAYED while a cancel is only requested (CANCEL_REQUEST), so the
/// status alone would read as a clean paid line that may ship (issue 13, point 15).
fn claim_pending(po: &wire::ProductOrder) -> bool {
    let (Some(kind), Some(status)) = (po.claim_type.as_deref(), po.claim_status.as_deref()) else {
        return false;
    };
    matches!(claim_meaning(kind, status), Ok(Some((_, _, false))))
}

/// Normalizes the product orders of one order: a line not yet shipped whose claim is under way
/// has no fact ([`MarketLine::fact`]): its claim, collected with the claims, decides.
pub fn normalize_order(
    conn: &Connection,
    infos: &[wire::ProductOrderInfo],
) -> Result<MarketOrder, ElementError> {
    let first = infos.first().ok_or(ElementError::Missing {
        what: "product orders",
    })?;
    let order = &first.order;
    let ordered_at = time::parse_req(&order.order_date, "orderDate")?;
    let paid_at = time::parse_opt(order.payment_date.as_deref(), "paymentDate")?;
    let mut lines = Vec::new();
    let mut waiting = false;
    for info in infos {
        let po = &info.product_order;
        let of = || format!("product order {}", po.product_order_id);
        let fact = order_fact(&po.product_order_status, po.place_order_status.as_deref())
            .map_err(|e| ElementError::from(e).in_part(of()))?
            .filter(|f| !(f.line_status() == LineStatus::Preparing && claim_pending(po)));
        waiting |= fact == Some(LineFact::AwaitingPayment);
        if po.quantity == 0 {
            return Err(ElementError::ZeroQuantity { of: of() });
        }
        let option_price = Won(po.option_price.unwrap_or(0));
        let unit_price = po
            .unit_price
            .checked_add(option_price.0)
            .map(Won)
            .ok_or_else(|| {
                ElementError::from(AmountError::TooLarge {
                    field: "unitPrice + optionPrice",
                })
                .in_part(of())
            })?;
        lines.push(MarketLine {
            keys: keys(info),
            product_name: po.product_name.clone(),
            option: po.product_option.clone().unwrap_or_default(),
            quantity: po.quantity,
            unit_price,
            option_price,
            status: po.product_order_status.clone(),
            fact,
            shipment_no: po.package_number.clone(),
        });
    }
    let payment = if waiting {
        let due = time::parse_opt(order.payment_due_date.as_deref(), "paymentDueDate")?;
        Payment::BankTransfer {
            deadline: match due {
                Some(due) => due,
                None => time::plus_days(ordered_at, conn.bank_transfer_days, "orderDate")?,
            },
        }
    } else {
        Payment::Paid
    };
    let address = first
        .product_order
        .shipping_address
        .clone()
        .unwrap_or_default();
    let full = [&address.base_address, &address.detailed_address]
        .iter()
        .filter_map(|a| a.as_deref().map(str::trim).filter(|a| !a.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(MarketOrder {
        marketplace: conn.marketplace.clone(),
        order_no: order.order_id.clone(),
        ordered_at,
        paid_at,
        payment,
        delivery: DeliveryInfo {
            orderer_name: order.orderer_name.clone().unwrap_or_default(),
            orderer_phone: order.orderer_tel.clone().unwrap_or_default(),
            recipient_name: address.name.clone().unwrap_or_default(),
            recipient_phone: address.tel1.clone().unwrap_or_default(),
            recipient_landline: address.tel2.clone().unwrap_or_default(),
            postcode: address.zip_code.clone().unwrap_or_default(),
            address: full,
            memo: first
                .product_order
                .shipping_memo
                .clone()
                .unwrap_or_default(),
        },
        lines,
        replaces: None,
    })
}

/// The claim of one product order, if it is under one.
pub fn normalize_claim(
    conn: &Connection,
    info: &wire::ProductOrderInfo,
) -> Result<Option<MarketClaim>, ElementError> {
    let po = &info.product_order;
    let Some(claim_type) = po.claim_type.as_deref().filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    // The claim's own object (under `currentClaim`, see [`wire::ProductOrderInfo`]) says its
    // status and details; the product order repeats the status.
    let details = info.current_claim.clone().unwrap_or_default();
    let mut requested_option = None;
    let (status, claim_id, requested, quantity, reason) = match claim_type {
        "CANCEL" | "ADMIN_CANCEL" => {
            let c = details.cancel.unwrap_or_default();
            (
                c.claim_status,
                c.claim_id,
                c.claim_request_date,
                c.request_quantity,
                reason(
                    c.cancel_reason.as_deref(),
                    c.cancel_detailed_reason.as_deref(),
                ),
            )
        }
        "RETURN" => {
            let r = details.return_.unwrap_or_default();
            (
                r.claim_status,
                r.claim_id,
                r.claim_request_date,
                r.request_quantity,
                reason(
                    r.return_reason.as_deref(),
                    r.return_detailed_reason.as_deref(),
                ),
            )
        }
        "EXCHANGE" => {
            let x = details.exchange.unwrap_or_default();
            let (detail, option) = split_exchange_detail(x.exchange_detailed_reason.as_deref());
            requested_option = option;
            (
                x.claim_status,
                x.claim_id,
                x.claim_request_date,
                x.request_quantity,
                reason(x.exchange_reason.as_deref(), detail),
            )
        }
        _ => (None, None, None, None, Reason::Other(String::new())),
    };
    let of = || format!("product order {}", po.product_order_id);
    let status = status.or(po.claim_status.clone()).ok_or_else(|| {
        ElementError::Missing {
            what: "claimStatus (the product order has a claimType)",
        }
        .in_part(of())
    })?;
    let meaning =
        claim_meaning(claim_type, &status).map_err(|e| ElementError::from(e).in_part(of()))?;
    let Some((kind, word, withdrawn)) = meaning else {
        return Ok(None);
    };
    let ordered_at = time::parse_req(&info.order.order_date, "orderDate")?;
    Ok(Some(MarketClaim {
        marketplace: conn.marketplace.clone(),
        kind,
        status: word.to_owned(),
        raw_status: status,
        keys: keys(info),
        quantity: quantity.filter(|q| *q > 0),
        claim_no: claim_id.or(po.claim_id.clone()),
        reason,
        fault: None,
        requested_option,
        withdrawn,
        reported_at: time::parse_opt(requested.as_deref(), "claimRequestDate")?
            .unwrap_or(ordered_at),
        exchange_due: None,
        delay_notices: 0,
    }))
}

/// Splits an `exchangeDetailedReason` into the reason and the option the buyer wants.
///
/// Naver's `exchange` object has no field for the wanted option (its fields are the claim's
/// status and dates, `exchangeReason` / `exchangeDetailedReason`, pickup, holdback, fees and the
/// redelivery's address, method, company and tracking number; the buyer's choice is shown only
/// in the seller center). The convention, which the sandbox follows: the buyer's detail ends with
/// `→ {option}` (`사이즈 교환 → 색상: 블랙 / 사이즈: L`, the option written like
/// `productOption`). Without an arrow, or with nothing after it, the whole text is the reason and
/// no option is known.
pub fn split_exchange_detail(detail: Option<&str>) -> (Option<&str>, Option<String>) {
    let Some(text) = detail else {
        return (None, None);
    };
    match text.rsplit_once('→') {
        Some((reason, option)) if !option.trim().is_empty() => {
            (Some(reason.trim()), Some(option.trim().to_owned()))
        }
        _ => (Some(text), None),
    }
}

fn kst_iso(t: DateTime<Utc>) -> String {
    time::kst_format(t, "%Y-%m-%dT%H:%M:%S%.3f+09:00")
}

/// Where a Naver collection resumes: the last change seen, `{lastChangedDate}|{productOrderId}`.
///
/// `lastChangedFrom` is inclusive, so the next call starts at that date and the changes at or
/// before the last one seen — in Naver's order: by date, then by product order number — are
/// dropped rather than read again. A cursor of a date alone (written before the product order
/// was kept, or typed by hand) starts there and drops nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCursor {
    /// `lastChangedDate` of the last change seen, as Naver wrote it.
    pub date: String,
    /// Its `productOrderId`; `None` for a date-only cursor.
    pub product_order_id: Option<String>,
}

impl ChangeCursor {
    /// Reads a cursor; `None` when it is empty.
    pub fn parse(cursor: &Cursor) -> Option<Self> {
        let text = cursor.as_str().trim();
        if text.is_empty() {
            return None;
        }
        Some(match text.split_once('|') {
            Some((date, id)) => Self {
                date: date.trim().to_owned(),
                product_order_id: Some(id.trim().to_owned()).filter(|i| !i.is_empty()),
            },
            None => Self {
                date: text.to_owned(),
                product_order_id: None,
            },
        })
    }

    /// The cursor's text.
    pub fn to_cursor(&self) -> Cursor {
        Cursor(match &self.product_order_id {
            Some(id) => format!("{}|{id}", self.date),
            None => self.date.clone(),
        })
    }

    /// Whether a change at `date` of `product_order_id` is this one or comes before it in
    /// Naver's order (so it was seen). A date-only cursor has seen nothing.
    pub fn covers(&self, date: &str, product_order_id: &str) -> bool {
        let Some(last_id) = &self.product_order_id else {
            return false;
        };
        match compare_dates(date, &self.date) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => {
                compare_ids(product_order_id, last_id) != std::cmp::Ordering::Greater
            }
        }
    }

    /// Whether a change at `date` of `product_order_id` comes after this one.
    fn is_before(&self, date: &str, product_order_id: &str) -> bool {
        match compare_dates(&self.date, date) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => self
                .product_order_id
                .as_deref()
                .is_none_or(|id| compare_ids(id, product_order_id) == std::cmp::Ordering::Less),
        }
    }
}

/// Orders two `lastChangedDate`s by time (by text when one does not parse).
fn compare_dates(a: &str, b: &str) -> std::cmp::Ordering {
    match (time::parse(a), time::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// Orders two product order numbers as numbers when both are (by text otherwise).
fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<u128>(), b.trim().parse::<u128>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// Where the next `last-changed-statuses` window starts after the one from `from` came back
/// without `more`: 24 hours later, when that is still before the answer's `timestamp` (Naver's
/// clock, the one its `lastChangedDate`s are on; ours when the answer has none). `None`: the
/// window reached the present (or `from` is not a date), so the run is done.
fn window_end(from: &str, envelope: &serde_json::Value) -> Option<String> {
    let end = time::parse(from)? + Duration::hours(24);
    let now = envelope
        .get("timestamp")
        .and_then(serde_json::Value::as_str)
        .and_then(time::parse)
        .unwrap_or_else(clock::now);
    (end < now).then(|| kst_iso(end))
}

/// Days a new connection reads back (no cursor yet).
pub const NEW_CONNECTION_DAYS: i64 = 7;

/// The changed product orders since the cursor, with their details.
fn changed(
    conn: &Connection,
    cursor: &Cursor,
    malformed: &mut Vec<MalformedPayload>,
) -> Result<(Vec<Element<wire::ProductOrderInfo>>, Cursor), AdapterError> {
    let headers = auth(conn)?;
    let start = ChangeCursor::parse(cursor);
    let mut from = match &start {
        // A new connection reads the week before it, as Cafe24's does: orders placed days
        // before the seller connected may still be waiting to ship. The 24-hour windows walk
        // it (seven calls), so it costs one run a few seconds.
        None => kst_iso(clock::now() - Duration::days(NEW_CONNECTION_DAYS)),
        Some(c) => c.date.clone(),
    };
    let mut sequence: Option<String> = None;
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    // The last change seen, where the next run resumes.
    let mut last = start.clone();
    // The start of the latest window moved to past a quiet day, if any.
    let mut reached: Option<String> = None;
    for _ in 0..100 {
        let mut pairs = vec![("lastChangedFrom", from.as_str())];
        if let Some(s) = &sequence {
            pairs.push(("moreSequence", s.as_str()));
        }
        let url = format!(
            "{}/v1/pay-order/seller/product-orders/last-changed-statuses?{}",
            conn.base_url,
            http::query(&pairs)
        );
        let body = send(conn, "GET", &url, &headers, None)?;
        let page = read_page::<wire::LastChangeStatus>(&body, CHANGES_LIST, &format!("GET {url}"))?;
        malformed.extend(page.malformed);
        for change in page.elements {
            let change = change.wire;
            let (date, id) = (&change.last_changed_date, &change.product_order_id);
            // `lastChangedFrom` is inclusive: the changes up to the last one seen last time
            // come again; they were read then.
            if start.as_ref().is_some_and(|c| c.covers(date, id)) {
                continue;
            }
            if last.as_ref().is_none_or(|l| l.is_before(date, id)) {
                last = Some(ChangeCursor {
                    date: date.clone(),
                    product_order_id: Some(id.clone()),
                });
            }
            if seen.insert(id.clone()) {
                ids.push(id.clone());
            }
        }
        let more: Option<wire::More> = page
            .envelope
            .pointer("/data/more")
            .and_then(|m| serde_json::from_value(m.clone()).ok());
        match more.and_then(|m| m.more_from.map(|f| (f, m.more_sequence))) {
            Some((more_from, more_sequence)) => {
                if more_from == from && more_sequence == sequence {
                    break;
                }
                from = more_from;
                sequence = more_sequence;
            }
            // Without `lastChangedTo` Naver answers only the 24 hours after `lastChangedFrom`
            // ("생략 시 lastChangedFrom으로부터 24시간 후로 자동 지정", 변경 상품 주문 내역 조회,
            // checked 2026-12-02): a window without `more` is done, and the next one starts at
            // its end until the window reaches the answer's own time. Staying put would ask the
            // same quiet day forever.
            None => match window_end(&from, &page.envelope) {
                Some(end) => {
                    from = end.clone();
                    sequence = None;
                    reached = Some(end);
                }
                None => break,
            },
        }
    }
    // Where the next run starts: after the last change seen (changes come oldest first, so when
    // the page limit stopped the loop, that is where `more` would go on), or at the window the
    // loop reached when that is later (the quiet days before it are not asked again).
    let next = match (last, reached) {
        (Some(l), Some(r)) if compare_dates(&l.date, &r) == std::cmp::Ordering::Less => Cursor(r),
        (Some(l), _) => l.to_cursor(),
        (None, _) => Cursor(from),
    };
    let mut infos = Vec::new();
    for chunk in ids.chunks(300) {
        let query = wire::ProductOrdersQuery {
            product_order_ids: chunk.to_vec(),
            quantity_claim_compatibility: None,
        };
        let url = format!("{}/v1/pay-order/seller/product-orders/query", conn.base_url);
        let body = serde_json::to_string(&query).map_err(|source| AdapterError::Encode {
            what: "product-orders query",
            source,
        })?;
        let answer = send(conn, "POST", &url, &headers, Some(Body::Json(body)))?;
        let page = read_page::<wire::ProductOrderInfo>(
            &answer,
            PRODUCT_ORDERS_LIST,
            &format!("POST {url}"),
        )?;
        infos.extend(page.elements);
        malformed.extend(page.malformed);
    }
    Ok((infos, next))
}

/// Normalizes product orders into orders: grouped by `order.orderId`, in first-seen order, one
/// [`MarketOrder`] per group; a group that cannot be used goes to `out.malformed` with the raw
/// JSON of its product orders.
pub fn orders_of(
    conn: &Connection,
    infos: Vec<Element<wire::ProductOrderInfo>>,
    out: &mut Collected<MarketOrder>,
) {
    collect_groups(
        infos,
        |info| info.order.order_id.clone(),
        |group| normalize_order(conn, group),
        out,
    );
}

/// The claims of product orders (those under one); a product order that cannot be used goes to
/// `out.malformed` with its raw JSON.
pub fn claims_of(
    conn: &Connection,
    infos: Vec<Element<wire::ProductOrderInfo>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(infos, |info| normalize_claim(conn, info), out);
}

impl MarketplaceAdapter for NaverAdapter {
    fn collect_orders(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketOrder>, AdapterError> {
        let mut malformed = Vec::new();
        let (infos, next) = changed(conn, cursor, &mut malformed)?;
        let mut out = Collected::new(next);
        out.malformed = malformed;
        orders_of(conn, infos, &mut out);
        Ok(out)
    }

    fn collect_claims(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketClaim>, AdapterError> {
        let mut malformed = Vec::new();
        let (infos, next) = changed(conn, cursor, &mut malformed)?;
        let mut out = Collected::new(next);
        out.malformed = malformed;
        claims_of(conn, infos, &mut out);
        Ok(out)
    }

    fn send_invoice(&self, conn: &Connection, upload: &InvoiceUpload) -> Result<(), AdapterError> {
        let headers = auth(conn)?;
        let code = conn
            .carrier_code(upload)
            .or_else(|| parcel_code(&upload.carrier).map(str::to_owned))
            .ok_or_else(|| AdapterError::UnknownCarrier {
                marketplace: conn.marketplace.clone(),
                carrier: upload.carrier.clone(),
            })?;
        let orders: Vec<wire::DispatchProductOrder> = upload
            .lines
            .iter()
            .filter_map(|k| k.line_no.clone())
            .map(|id| wire::DispatchProductOrder {
                product_order_id: id,
                delivery_method: "DELIVERY".into(),
                delivery_company_code: code.clone(),
                tracking_number: upload.tracking_no.clone(),
                dispatch_date: kst_iso(upload.shipped_at),
            })
            .collect();
        if orders.is_empty() {
            return Err(AdapterError::InvoiceLines {
                marketplace: conn.marketplace.clone(),
                key: "productOrderId",
            });
        }
        let url = format!(
            "{}/v1/pay-order/seller/product-orders/dispatch",
            conn.base_url
        );
        let body = serde_json::to_string(&wire::DispatchRequest {
            dispatch_product_orders: orders,
        })
        .map_err(|source| AdapterError::Encode {
            what: "dispatch",
            source,
        })?;
        let answer = send(conn, "POST", &url, &headers, Some(Body::Json(body)))?;
        check_process(conn, &format!("POST {url}"), &answer)
    }

    fn acknowledge_claim(
        &self,
        conn: &Connection,
        claim: &MarketClaim,
    ) -> Result<(), AdapterError> {
        if claim.withdrawn {
            return Err(AdapterError::WithdrawnClaim {
                marketplace: conn.marketplace.clone(),
            });
        }
        let id = claim
            .keys
            .line_no
            .clone()
            .ok_or_else(|| AdapterError::ClaimReference {
                marketplace: conn.marketplace.clone(),
                key: "productOrderId",
            })?;
        if claim.kind != ClaimKind::Cancel {
            // Naver has no acknowledgement of a return or an exchange: its calls on them are
            // decisions (`claim/return/approve` refunds the buyer, valid once the item is back;
            // `claim/exchange/collect/approve` declares the old item collected), which the
            // operator takes in the seller center when the goods are in hand (issue 13, point 5).
            return Ok(());
        }
        let headers = auth(conn)?;
        let url = format!(
            "{}/v1/pay-order/seller/product-orders/{}/claim/cancel/approve",
            conn.base_url,
            http::enc(&id)
        );
        let answer = send(conn, "POST", &url, &headers, None)?;
        check_process(conn, &format!("POST {url}"), &answer)
    }
}

/// Reads the answer of a dispatch or claim call (`at`): the product orders it did not process
/// are a refusal.
fn check_process(conn: &Connection, at: &str, answer: &[u8]) -> Result<(), AdapterError> {
    if answer.trim_ascii().is_empty() {
        return Ok(());
    }
    let parsed: wire::ProcessResponse = http::answer(at.to_owned(), answer)?;
    let failed = parsed
        .data
        .map(|d| d.fail_product_order_infos)
        .unwrap_or_default();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(AdapterError::Rejected {
            marketplace: conn.marketplace.clone(),
            message: failed
                .iter()
                .map(|f| {
                    format!(
                        "{}: {} {}",
                        f.product_order_id,
                        f.code.clone().unwrap_or_default(),
                        f.message.clone().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}
