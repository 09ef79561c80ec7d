//! Marketplace adapters (issue 4): collect new and changed orders and claims since a cursor, send
//! invoice numbers back, acknowledge claims, each in the marketplace's real wire format.
//!
//! - [`cafe24`]: Cafe24 Admin API (orders with items, receivers and buyer; `order_status` codes).
//! - [`naver`]: Naver Commerce API (SmartStore and Naver Pay: changed product orders, then their
//!   details; product-order and claim statuses).
//! - [`coupang`]: Coupang WING Open API (order sheets, return requests, exchange requests;
//!   HMAC-signed).
//! - [`generic`]: one documented JSON feed for every other marketplace of the table, driven by
//!   its status words.
//!
//! Every adapter turns the wire payloads into the server's normalized [`MarketOrder`] and
//! [`MarketClaim`], which turn into `jumun_core` commands' inputs ([`NewOrder`],
//! [`CancelRecord`], [`CollectedClaim`]), in two steps that do no IO and take any bytes without
//! panicking: [`read_page`] cuts an answer into the elements of its list ([`page`]), and each
//! adapter's `*_of` functions normalize the parsed elements (grouping the product orders or
//! sheets of one order). A page is never failed by one bad element: each order or claim that
//! does not parse or normalize is reported in [`Collected::malformed`] with its raw JSON as sent
//! and a clear [`ElementError`], and the rest of the page goes on. Only a body that is not the
//! documented envelope at all (not JSON, no list where the list must be) fails the call, with
//! [`AdapterError::Malformed`] holding the whole body ([`error`] has every failure's type).
//!
//! The adapters block (they use `ureq`); call them inside `tokio::task::spawn_blocking`.

pub mod cafe24;
pub mod clock;
pub mod coupang;
pub mod error;
pub mod generic;
mod http;
pub mod naver;
pub mod page;
pub mod rate;
pub mod registry;
mod serde_util;
mod time;

pub use error::{
    AdapterError, AmountError, BodyProblem, ElementError, SignError, StatusError, TimeError,
};
pub use page::{read_page, Element, Page};
pub use registry::{adapter_for, pinned_api_version};

use chrono::{DateTime, Utc};
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, Reason};
use jumun_core::command::CollectedClaim;
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, LineStatus, NewLine, NewOrder, Payment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where and as whom to reach one marketplace account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The marketplace (a code of `data/marketplaces.tsv`).
    pub marketplace: MarketplaceCode,
    /// The API's base URL without a trailing slash: `https://{mall_id}.cafe24api.com` (Cafe24),
    /// `https://api.commerce.naver.com/external` (Naver), `https://api-gateway.coupang.com`
    /// (Coupang), the connector's feed URL (generic), or a sandbox's.
    pub base_url: String,
    /// The credentials.
    pub credentials: Credentials,
    /// Days a bank transfer may stay unpaid when the marketplace's order does not say (Cafe24
    /// sends no deadline with the order; its mall setting `auto_cancel_cash_period` decides).
    pub bank_transfer_days: i64,
    /// The marketplace's own carrier codes by the console's carrier code (`cj` → `0006`), for
    /// invoice uploads: Cafe24's `shipping_company_code` is per mall (its `GET
    /// /api/v2/admin/carriers` lists them as `shipping_carrier_code`), so a Cafe24 connection
    /// needs this map; elsewhere it overrides the adapter's known codes. Empty: the adapter's own.
    pub carrier_codes: BTreeMap<String, String>,
    /// The marketplace API version the calls are pinned to (`YYYY-MM-DD`), for a marketplace
    /// that versions its API by date (Cafe24's `X-Cafe24-Api-Version`); `None`: not pinned.
    pub api_version: Option<String>,
}

impl Connection {
    /// A connection with the default bank-transfer period (7 days).
    pub fn new(
        marketplace: impl Into<String>,
        base_url: impl Into<String>,
        credentials: Credentials,
    ) -> Self {
        Self {
            marketplace: MarketplaceCode(marketplace.into()),
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            credentials,
            bank_transfer_days: 7,
            carrier_codes: BTreeMap::new(),
            api_version: None,
        }
    }

    /// The marketplace's code for the upload's carrier: the one given with the upload, else the
    /// connection's [`carrier_codes`](Connection::carrier_codes) entry; `None`: the adapter's
    /// own table decides.
    pub fn carrier_code(&self, upload: &InvoiceUpload) -> Option<String> {
        upload
            .carrier_code
            .clone()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| self.carrier_codes.get(upload.carrier.0.as_str()).cloned())
    }
}

/// A marketplace account's credentials.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// None (a sandbox or an open feed).
    None,
    /// An OAuth access token sent as `Authorization: Bearer …` (Cafe24).
    Bearer {
        /// The token.
        access_token: String,
    },
    /// Naver Commerce API application: the token request signs `client_id_timestamp` with
    /// bcrypt, the client secret being the salt.
    NaverClient {
        /// 애플리케이션 ID.
        client_id: String,
        /// 애플리케이션 시크릿 (a bcrypt salt, `$2a$04$…`).
        client_secret: String,
    },
    /// Coupang Open API keys (HMAC-SHA256 signed requests) and the vendor id.
    CoupangHmac {
        /// Access key.
        access_key: String,
        /// Secret key.
        secret_key: String,
        /// 업체 ID (`A00012345`).
        vendor_id: String,
    },
    /// A generic feed's API key, sent as `Authorization: Bearer …`.
    ApiKey(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        f.write_str(match self {
            Credentials::None => "Credentials::None",
            Credentials::Bearer { .. } => "Credentials::Bearer(…)",
            Credentials::NaverClient { .. } => "Credentials::NaverClient(…)",
            Credentials::CoupangHmac { .. } => "Credentials::CoupangHmac(…)",
            Credentials::ApiKey(_) => "Credentials::ApiKey(…)",
        })
    }
}

/// Where a collection resumes: opaque to callers, each adapter's own (a date, a time, a token).
/// Empty: from the adapter's default start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

impl Cursor {
    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One element of a page that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MalformedPayload {
    /// The element's raw JSON (or the whole body when no element could be cut out).
    pub raw: String,
    /// What is wrong with it.
    pub error: String,
    /// Where it was: the request and the element's JSON path, e.g.
    /// `GET /api/v2/admin/orders $.orders[3]`.
    pub at_path: String,
}

/// What a collection returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collected<T> {
    /// The usable items.
    pub items: Vec<T>,
    /// The elements that could not be used, kept with their raw bodies.
    pub malformed: Vec<MalformedPayload>,
    /// Where the next collection resumes.
    pub next_cursor: Cursor,
}

impl<T> Collected<T> {
    /// Nothing collected yet; the next collection resumes at `next_cursor`.
    pub fn new(next_cursor: Cursor) -> Self {
        Self {
            items: Vec::new(),
            malformed: Vec::new(),
            next_cursor,
        }
    }

    /// Drops repeats of the same bad element (an adapter that asks several times, per status or
    /// per date type, meets the same element again).
    fn dedupe_malformed(mut self) -> Self {
        let mut seen = std::collections::HashSet::new();
        self.malformed
            .retain(|m| seen.insert((m.raw.clone(), m.error.clone())));
        self
    }
}

/// A line's marketplace status, as a normalized fact (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineFact {
    /// 입금전 / 결제대기.
    AwaitingPayment,
    /// 결제완료: paid, not yet taken in hand by the seller.
    Paid,
    /// 상품준비중 / 배송준비중: the seller prepares it.
    Preparing,
    /// 배송대기 / 배송지시: ready to hand over (invoice issued).
    ReadyToShip,
    /// 배송중.
    Shipped,
    /// 배송완료.
    Delivered,
    /// 구매확정.
    Confirmed,
}

impl LineFact {
    /// The console's line status for the fact.
    pub fn line_status(self) -> LineStatus {
        match self {
            LineFact::AwaitingPayment => LineStatus::AwaitingPayment,
            LineFact::Paid | LineFact::Preparing => LineStatus::Preparing,
            LineFact::ReadyToShip => LineStatus::ReadyToShip,
            LineFact::Shipped => LineStatus::InTransit,
            LineFact::Delivered => LineStatus::Delivered,
            LineFact::Confirmed => LineStatus::PurchaseConfirmed,
        }
    }
}

/// A line of a [`MarketOrder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketLine {
    /// The keys it is matched by (R1, R26).
    pub keys: MarketplaceKeys,
    /// 상품명.
    pub product_name: String,
    /// 옵션.
    pub option: String,
    /// 수량.
    pub quantity: u32,
    /// 판매가 per unit.
    pub unit_price: Won,
    /// 옵션추가금액 per unit.
    pub option_price: Won,
    /// The marketplace's status, raw (`N20`, `PAYED`, `INSTRUCT`, `배송중`).
    pub status: String,
    /// The status as a fact; `None` when the line is under a claim (its claim is collected by
    /// [`MarketplaceAdapter::collect_claims`]).
    pub fact: Option<LineFact>,
    /// The marketplace's shipment (parcel) number, needed to send the invoice back: Cafe24
    /// `shipping_code`, Coupang `shipmentBoxId`, Naver `packageNumber`.
    pub shipment_no: Option<String>,
}

/// An order as a marketplace reports it, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketOrder {
    /// The marketplace.
    pub marketplace: MarketplaceCode,
    /// 주문번호.
    pub order_no: String,
    /// 주문일.
    pub ordered_at: DateTime<Utc>,
    /// 결제일.
    pub paid_at: Option<DateTime<Utc>>,
    /// Paid, or bank transfer with its deadline.
    pub payment: Payment,
    /// Orderer, recipient, address, memo.
    pub delivery: DeliveryInfo,
    /// The lines.
    pub lines: Vec<MarketLine>,
    /// For a replacement order a marketplace creates for an exchange (CASE2, Musinsa): the
    /// original line (its order number and line number). The console collects the replacement
    /// as an ordinary order (R16); the link is for the operator, who processes the original line
    /// as a cancel or return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<MarketplaceKeys>,
}

impl MarketOrder {
    /// The `jumun_core` order to collect (R1), with the console's ids: `order` for the order,
    /// one of `line_ids` per line, in order.
    pub fn to_new_order(
        &self,
        order: OrderId,
        line_ids: impl IntoIterator<Item = LineId>,
    ) -> Result<NewOrder, AdapterError> {
        let mut ids = line_ids.into_iter();
        let lines = self
            .lines
            .iter()
            .map(|line| {
                let id = ids.next().ok_or(AdapterError::NotEnoughIds {
                    needed: self.lines.len(),
                })?;
                Ok(NewLine {
                    id,
                    keys: line.keys.clone(),
                    product_name: line.product_name.clone(),
                    option: line.option.clone(),
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                    option_price: line.option_price,
                })
            })
            .collect::<Result<Vec<_>, AdapterError>>()?;
        Ok(NewOrder {
            id: order,
            marketplace: self.marketplace.clone(),
            order_no: self.order_no.clone(),
            ordered_at: self.ordered_at,
            payment: self.payment.clone(),
            paid_at: self.paid_at,
            delivery: self.delivery.clone(),
            lines,
            no_bundle: false,
        })
    }
}

/// A claim (cancel, return, exchange) as a marketplace reports it, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketClaim {
    /// The marketplace.
    pub marketplace: MarketplaceCode,
    /// Cancel, return or exchange.
    pub kind: ClaimKind,
    /// The status word the console's table knows the marketplace by (R25): for a cancel, one of
    /// the marketplace's `cancel_statuses` in `data/marketplaces.tsv` whenever the marketplace's
    /// status means that (each adapter documents its mapping).
    pub status: String,
    /// The marketplace's own status, raw (`C00`, `CANCEL_REQUEST`, `RELEASE_STOP_UNCHECKED`).
    pub raw_status: String,
    /// The keys naming the line (R26).
    pub keys: MarketplaceKeys,
    /// Units (`None`: the whole line).
    pub quantity: Option<u32>,
    /// The marketplace's claim number.
    pub claim_no: Option<String>,
    /// The reason as sent.
    pub reason: Reason,
    /// Who is at fault, when the marketplace says.
    pub fault: Option<Fault>,
    /// The option asked for, for an exchange.
    pub requested_option: Option<String>,
    /// The buyer or the marketplace withdrew (or the seller refused) the claim (R12).
    pub withdrawn: bool,
    /// When the marketplace reported it.
    pub reported_at: DateTime<Utc>,
    /// For an exchange whose replacement's shipping was announced late (Kakao Style
    /// 교환배송연기안내): the new due date the marketplace shows. Informative: the seller
    /// announces delays from the console (R22), whose own record decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_due: Option<DateTime<Utc>>,
    /// Delay notices the marketplace counts for the exchange (Kakao Style), 0 when none or not
    /// said. Informative, like [`MarketClaim::exchange_due`].
    #[serde(default)]
    pub delay_notices: u8,
}

impl MarketClaim {
    /// The cancel-sync record of a cancel claim (R25–R27); `None` for returns and exchanges.
    pub fn to_cancel_record(&self) -> Option<CancelRecord> {
        (self.kind == ClaimKind::Cancel).then(|| CancelRecord {
            marketplace: self.marketplace.clone(),
            status: self.status.clone(),
            keys: self.keys.clone(),
            quantity: self.quantity,
            claim_no: self.claim_no.clone(),
            reported_at: self.reported_at,
        })
    }

    /// The claim to collect into the console (R11), with the console's ids: `claim` for the
    /// claim and `split_line` for the line divided off when the claim covers part of a line.
    /// Without a fault from the marketplace, the reason decides (defect, wrong item, late
    /// delivery, out of stock: the seller; otherwise the buyer).
    pub fn to_collected_claim(&self, claim: ClaimId, split_line: Option<LineId>) -> CollectedClaim {
        let fault = self.fault.unwrap_or(match self.reason {
            Reason::Defective | Reason::WrongItem | Reason::LateDelivery | Reason::OutOfStock => {
                Fault::Seller
            }
            _ => Fault::Buyer,
        });
        CollectedClaim {
            claim,
            marketplace: self.marketplace.clone(),
            kind: self.kind,
            keys: self.keys.clone(),
            quantity: self.quantity,
            status: self.status.clone(),
            claim_no: self.claim_no.clone(),
            reason: self.reason.clone(),
            fault,
            requested_option: self.requested_option.clone(),
            split_line,
        }
    }
}

/// An invoice number to send back to the marketplace (R29). Not to be confused with
/// `jumun_core::order::InvoiceUpload`, the console's flag that one is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceUpload {
    /// 주문번호.
    pub order_no: String,
    /// The lines in the parcel, by their keys (with the line numbers / option ids they were
    /// collected with).
    pub lines: Vec<MarketplaceKeys>,
    /// The marketplace's shipment number of the parcel ([`MarketLine::shipment_no`]); Coupang
    /// needs it.
    pub shipment_no: Option<String>,
    /// 택배사.
    pub carrier: Carrier,
    /// The marketplace's own code for the carrier, when the console's code has no known mapping
    /// (Cafe24's `shipping_company_code` is per mall).
    pub carrier_code: Option<String>,
    /// 송장번호.
    pub tracking_no: String,
    /// When the parcel was handed over.
    pub shipped_at: DateTime<Utc>,
}

/// A marketplace adapter. Blocking: call it inside `tokio::task::spawn_blocking`.
pub trait MarketplaceAdapter: Send + Sync {
    /// New and changed orders since `cursor`.
    fn collect_orders(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketOrder>, AdapterError>;

    /// Claims (cancel, return, exchange) reported or changed since `cursor`.
    fn collect_claims(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketClaim>, AdapterError>;

    /// Sends an invoice number back (R29).
    fn send_invoice(&self, conn: &Connection, upload: &InvoiceUpload) -> Result<(), AdapterError>;

    /// Tells the marketplace the seller has taken a claim in hand (approves a cancel request,
    /// confirms a stopped shipment, acknowledges a return or exchange). The collector calls it
    /// on its own, so it must never send a decision the operator has to take (a refund, a
    /// pickup declared done): where the marketplace has no mere acknowledgement, it sends
    /// nothing and answers `Ok`.
    fn acknowledge_claim(&self, conn: &Connection, claim: &MarketClaim)
        -> Result<(), AdapterError>;

    /// Tells the marketplace the seller prepares these collected orders (R2: a collected paid
    /// order is 상품준비 in the console), where it must be told before it takes their invoices
    /// (Coupang's 상품준비중 처리). Answers the shipments it refused, each its own error; `Err`
    /// when the call itself failed. Nothing to do by default.
    fn prepare_orders(
        &self,
        _conn: &Connection,
        _orders: &[MarketOrder],
    ) -> Result<Vec<AdapterError>, AdapterError> {
        Ok(Vec::new())
    }
}

/// Maps a marketplace reason text to the console's reason by its Korean words.
pub(crate) fn reason_from_text(text: Option<&str>) -> Reason {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Reason::Other(String::new());
    };
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["변심", "의사 취소", "주문 실수", "잘못 주문"]) {
        Reason::ChangeOfMind
    } else if has(&["불량", "파손"]) {
        Reason::Defective
    } else if has(&["오배송", "잘못 배송", "다른 상품"]) {
        Reason::WrongItem
    } else if has(&["지연"]) {
        Reason::LateDelivery
    } else if has(&["품절", "재고"]) {
        Reason::OutOfStock
    } else if has(&["사이즈", "색상", "옵션"]) {
        Reason::OptionChange
    } else {
        Reason::Other(text.to_owned())
    }
}

/// Known marketplace codes for the console's common carriers (Naver `deliveryCompanyCode` table;
/// Coupang uses the same codes in its samples: `CJGLS`, `HYUNDAI` 롯데택배, `HANJIN`, `KGB` 로젠택배,
/// `EPOST`).
pub(crate) fn parcel_code(carrier: &Carrier) -> Option<&'static str> {
    Some(match carrier.0.as_str() {
        "cj" => "CJGLS",
        "lotte" => "HYUNDAI",
        "hanjin" => "HANJIN",
        "logen" => "KGB",
        "epost" => "EPOST",
        _ => return None,
    })
}
