//! Why marketplace calls and payloads fail, one type per concern:
//!
//! - [`AdapterError`]: a whole call failed (unreachable, HTTP status, credentials, a body that is
//!   not the documented envelope, an invoice or acknowledgement the console cannot send). The
//!   collector shows it as the run's error or a note.
//! - [`BodyProblem`]: what is wrong with a body that is not the documented envelope.
//! - [`ElementError`]: one element of a page (an order, a claim, a product order) cannot be used;
//!   its text is the `error` of the [`MalformedPayload`](super::MalformedPayload) kept with the
//!   element's raw JSON, and the rest of the page goes on. [`TimeError`], [`StatusError`] and
//!   [`AmountError`] are its field-level causes, returned on their own by the public helpers
//!   that read one field.
//! - [`SignError`]: Naver credentials that cannot sign a token request.
//!
//! Every message names what failed (the request, the field, the value) and what the operator
//! can do. Values from the marketplace are quoted through [`excerpt`], so a 100 KB string does
//! not become a 100 KB message.

use jumun_core::carrier::Carrier;
use jumun_core::marketplace::MarketplaceCode;

/// The most characters of a marketplace's value quoted in a message.
const EXCERPT_CHARS: usize = 80;

/// The most characters of a body quoted in a message.
const BODY_CHARS: usize = 2000;

/// A marketplace's value for a message: debug-quoted, cut after [`EXCERPT_CHARS`] characters
/// (never inside a character: Korean text is three bytes a character) with its full length.
pub fn excerpt(value: &str) -> String {
    if value.chars().count() <= EXCERPT_CHARS {
        format!("{value:?}")
    } else {
        let cut: String = value.chars().take(EXCERPT_CHARS).collect();
        format!("{cut:?}… ({} bytes)", value.len())
    }
}

/// A body for a message: cut after 2000 characters.
pub fn body_excerpt(body: &str) -> String {
    if body.chars().count() <= BODY_CHARS {
        body.to_owned()
    } else {
        let cut: String = body.chars().take(BODY_CHARS).collect();
        format!("{cut}…")
    }
}

/// Why an adapter call failed. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The marketplace could not be reached.
    #[error("cannot reach {url}: {source}; check the network and the connection's base URL")]
    Transport {
        /// The URL.
        url: String,
        /// The transport error.
        source: ureq::Error,
    },
    /// The answer started but could not be read to its end (cut off, or larger than the
    /// 10 MB an answer may be).
    #[error("the answer of {url} could not be read to its end: {source}; the next run asks again")]
    ReadBody {
        /// The URL.
        url: String,
        /// The read error.
        source: ureq::Error,
    },
    /// The marketplace answered with an error status.
    #[error("{method} {url} answered HTTP {status}: {body}")]
    Http {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The body, as sent (cut to 2000 characters).
        body: String,
    },
    /// The marketplace is limiting this connection's request rate (HTTP 429), or blocks it for
    /// a while after a burst of failed requests (Coupang's 403 "Access Denied" page). Not a
    /// credentials problem: the connection waits and tries again.
    #[error(
        "{marketplace} is limiting this connection's requests ({method} {url} answered HTTP          {status}{}): not a credentials problem; the console waits{} and tries again — nothing          to change unless other programs call the marketplace with the same keys. {body}",
        if *status == 403 { ", its block after a burst of failed requests" } else { "" },
        match retry_after { Some(secs) => format!(" {secs} s (the marketplace's Retry-After)"), None => String::new() }
    )]
    RateLimited {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// 429, or 403 for a block after a burst of errors.
        status: u16,
        /// Seconds the marketplace asked to wait (`Retry-After`), when it said.
        retry_after: Option<u64>,
        /// The body, as sent (cut to 2000 characters).
        body: String,
    },
    /// The marketplace asked this connection to wait (a 429 or a block) longer than a call
    /// waits in line: no request was sent, so the wait is not made longer.
    #[error(
        "{marketplace} asked this connection to wait: no request is sent for {secs} s more          (not a credentials problem); a later run tries again"
    )]
    HeldOff {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// Seconds left (rounded up).
        secs: u64,
    },
    /// Credentials were refused (HTTP 401/403).
    #[error(
        "{marketplace}: authentication failed: {method} {url} answered HTTP {status}: {body}; \
         renew the marketplace credentials"
    )]
    Auth {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// 401 or 403.
        status: u16,
        /// The body, as sent (cut to 2000 characters).
        body: String,
    },
    /// The connection's credentials cannot be used to ask for a token.
    #[error(
        "{marketplace}: the connection's credentials cannot be used: {source}; enter them again \
         (PATCH /api/connections/{{id}} with \"credentials\")"
    )]
    Credentials {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// What is wrong with them.
        source: SignError,
    },
    /// The token endpoint answered 2xx with something that is not a token.
    #[error(
        "{marketplace}: the token answer of {url} is not the documented one ({source}); check \
         the connection's base URL, then renew the marketplace credentials"
    )]
    TokenAnswer {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The token URL.
        url: String,
        /// Why it does not parse (the body is not repeated: it may hold a token).
        source: serde_json::Error,
    },
    /// The connection lacks the credentials this marketplace needs.
    #[error("{marketplace}: this adapter needs {needed} credentials; set them in the store's marketplace settings")]
    MissingCredentials {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// Which kind.
        needed: &'static str,
    },
    /// The whole body is not the documented envelope (no element could be cut out of it). The
    /// collector keeps `raw` in the malformed payloads; the page is asked again next run.
    #[error("{at}: unexpected response ({problem}); raw body kept: {excerpt}", excerpt = body_excerpt(raw))]
    Malformed {
        /// The request.
        at: String,
        /// What is wrong.
        problem: BodyProblem,
        /// The whole body (bytes that are not UTF-8 shown as U+FFFD).
        raw: String,
    },
    /// The marketplace refused the operation in its answer body.
    #[error("{marketplace} refused: {message}")]
    Rejected {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// Its message.
        message: String,
    },
    /// The invoice's carrier has no known code at this marketplace.
    #[error(
        "{marketplace} has no known code for carrier {carrier}; set the connection's carrier \
         codes (PATCH /api/connections/{{id}} {{\"carrier_codes\": {{\"{code}\": \"…\"}}}}, \
         the marketplace's code for it; Cafe24 lists its mall's codes at GET \
         /api/v2/admin/carriers) or give the code with the invoice",
        code = carrier.0
    )]
    UnknownCarrier {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The console's carrier.
        carrier: Carrier,
    },
    /// The invoice's lines carry none of the keys the marketplace names lines by.
    #[error(
        "{marketplace}: an invoice names its lines by {key}, and the order's lines carry none; \
         collect the order again from the marketplace"
    )]
    InvoiceLines {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The key (`productOrderId`, `order_item_code`).
        key: &'static str,
    },
    /// The invoice lacks a number the marketplace needs.
    #[error(
        "{marketplace}: an invoice needs the numeric {field}, and the order has {}; collect the \
         order again to get it",
        value.as_deref().map_or_else(|| "none".to_owned(), excerpt)
    )]
    InvoiceField {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The field (`shipmentBoxId (shipment_no)`).
        field: &'static str,
        /// What the order has instead.
        value: Option<String>,
    },
    /// The claim lacks the reference the marketplace acknowledges it by.
    #[error(
        "{marketplace}: a claim is acknowledged by its {key}, which this claim lacks; \
         acknowledge it in the marketplace's seller center"
    )]
    ClaimReference {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The reference (`receiptId`, `productOrderId`, `claim_no`).
        key: &'static str,
    },
    /// A withdrawn claim was to be acknowledged.
    #[error("{marketplace}: the claim was withdrawn; there is nothing to acknowledge")]
    WithdrawnClaim {
        /// The marketplace.
        marketplace: MarketplaceCode,
    },
    /// The connection's marketplace is not a row of the console's table.
    #[error(
        "marketplace {marketplace} is not in the console's table (data/marketplaces.tsv); use a \
         marketplace code of the table"
    )]
    UnknownMarketplace {
        /// The marketplace.
        marketplace: MarketplaceCode,
    },
    /// A request body of the console's own could not be written as JSON.
    #[error("cannot encode the {what} request: {source}; this is a bug in the console, report it")]
    Encode {
        /// Which request.
        what: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// The marketplace's API has no such operation for this claim.
    #[error("{marketplace}: {what} is not possible through its API; do it in the marketplace's seller center")]
    Unsupported {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// What.
        what: String,
    },
    /// The marketplace did not move one collected shipment to 상품준비중 (Coupang's
    /// acknowledgement, R2): its invoice will be refused until it does.
    #[error(
        "{marketplace} did not move shipment {shipment_no} to 상품준비중: {message}; its invoice \
         will be refused until it does. A cancel still being refunded is the usual cause: check \
         the order in the seller center; every run tries again while the marketplace lists it \
         as 결제완료"
    )]
    NotPrepared {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The marketplace's shipment number (Coupang `shipmentBoxId`).
        shipment_no: String,
        /// The marketplace's reason.
        message: String,
    },
    /// The marketplace took the invoice for some of the order's lines and not the others (a
    /// Cafe24 207, or an answer without a row for each line).
    #[error(
        "{marketplace} did not take the invoice of {order_no} for line(s) {lines}: {reason}; the \
         other lines have it. Check the order in the marketplace's admin; the console tries \
         again on its next run"
    )]
    InvoicePartlyTaken {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The marketplace's order number.
        order_no: String,
        /// The lines not taken, comma-separated.
        lines: String,
        /// What the marketplace said of them, or that it said nothing.
        reason: String,
    },
    /// One day holds more orders than the marketplace lists for one search (Cafe24 stops at
    /// offset 15,000); a longer window is split by day, a single day cannot be.
    #[error(
        "{marketplace}: {day} alone holds more than {cap} orders for one search ({search}), more          than the marketplace lists; the orders past the {cap}th are not collected. Nothing was          saved from this run so that none is skipped silently; ask the marketplace's support how          to read a day this large"
    )]
    DayOverCap {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// The day (Korean date, `YYYY-MM-DD`).
        day: String,
        /// How many one search lists at most.
        cap: usize,
        /// What was searched.
        search: String,
    },
    /// Fewer console ids than lines were given to
    /// [`MarketOrder::to_new_order`](super::MarketOrder::to_new_order).
    #[error("the order has {needed} lines; give one line id per line")]
    NotEnoughIds {
        /// Lines in the order.
        needed: usize,
    },
}

/// What is wrong with a body that is not the documented envelope.
#[derive(Debug, thiserror::Error)]
pub enum BodyProblem {
    /// Not JSON at all (an HTML error page, a cut-off body).
    #[error("not JSON: {source}{}", if *not_utf8 { "; it also holds bytes that are not UTF-8" } else { "" })]
    NotJson {
        /// Where and why the JSON parser stopped.
        source: serde_json::Error,
        /// The body also held bytes that are not UTF-8.
        not_utf8: bool,
    },
    /// A level of the envelope that must be an object is something else.
    #[error("{path} is not a JSON object")]
    NotAnObject {
        /// Its JSON path (`$`, `$.data`).
        path: String,
    },
    /// Where the list must be, there is something else.
    #[error("{path} is not a list")]
    NotAList {
        /// Its JSON path (`$.orders`).
        path: String,
    },
    /// Bytes that are not UTF-8 outside the list's elements (where the next page's token or
    /// cursor is): the page cannot be followed safely.
    #[error("bytes that are not UTF-8 outside the list; the marketplace must send UTF-8")]
    NotUtf8,
    /// A JSON answer that is not the documented one (an invoice or claim answer).
    #[error("not the documented answer: {0}")]
    Shape(serde_json::Error),
}

/// Why one element of a page cannot be used. Kept with the element's raw JSON; the rest of the
/// page goes on.
#[derive(Debug, thiserror::Error)]
pub enum ElementError {
    /// The element is not the documented shape (a field missing or of another type).
    #[error("does not match the documented shape: {0}")]
    Shape(serde_json::Error),
    /// The element holds bytes that are not UTF-8.
    #[error(
        "holds bytes that are not UTF-8 (shown as U+FFFD in the raw JSON); the marketplace must \
         send UTF-8 — check the element in its seller center"
    )]
    NotUtf8,
    /// A time field.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// A status field.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// An amount field.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// A line with no units.
    #[error("{of} has quantity 0; a line needs at least one unit")]
    ZeroQuantity {
        /// The line (`item 20240302-0000011-01`, `product order 2024…`, `line 2`).
        of: String,
    },
    /// Something the console needs is missing or empty.
    #[error(
        "{what} is missing or empty, and the console cannot collect the element without it; \
         check it in the marketplace's seller center"
    )]
    Missing {
        /// What (`items`, `returnItems`, `exchange_of.order_no`).
        what: &'static str,
    },
    /// A Coupang exchange item whose `orderItemId` is none of the options its pickup names.
    #[error(
        "exchange item orderItemId {order_item_id} is none of the options its pickup names \
         ({pickup}): which order line it exchanges cannot be told, so no line is held"
    )]
    ExchangeLineUnclear {
        /// The item's `orderItemId`.
        order_item_id: u64,
        /// The pickup's `vendorItemId`s.
        pickup: String,
    },
    /// Every item of a Coupang order is cancelled.
    #[error("every item of the order is cancelled (shippingCount 0): nothing is left to ship")]
    NothingToShip,
    /// A generic feed's payment word.
    #[error("payment {} is neither paid nor bank_transfer", excerpt(value))]
    Payment {
        /// The word.
        value: String,
    },
    /// A generic claims feed element with an order status.
    #[error(
        "status {} is an order status, not a claim; the claims feed carries claim statuses",
        excerpt(status)
    )]
    NotAClaim {
        /// The status.
        status: String,
    },
    /// The connection's marketplace is not a row of the console's table.
    #[error("marketplace {0} is not in the console's table (data/marketplaces.tsv)")]
    UnknownMarketplace(MarketplaceCode),
    /// A cause located in a part of the element.
    #[error("{of}: {source}")]
    In {
        /// The part (`product order 2024030298765401`, `item …`, `line 2`).
        of: String,
        /// The cause.
        source: Box<ElementError>,
    },
}

impl ElementError {
    /// The same cause, located in `of`.
    pub fn in_part(self, of: impl Into<String>) -> Self {
        ElementError::In {
            of: of.into(),
            source: Box::new(self),
        }
    }
}

/// A time field that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not one of the formats the marketplaces use.
    #[error(
        "{field} {} is not a date-time (RFC 3339 like 2024-03-02T10:00:00+09:00, or Korean time \
         like 2024-03-02 10:00:00)",
        excerpt(text)
    )]
    NotADateTime {
        /// The field (`orderDate`).
        field: &'static str,
        /// What was sent.
        text: String,
    },
    /// A time so far off that a period cannot be added to it.
    #[error("{field} is too far in the future to add {days} days to it; check the date the marketplace sent")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The period.
        days: i64,
    },
}

/// A status field whose value the console does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// A value outside the documented list.
    #[error(
        "unknown {field} {}: a status the console does not know; handle the element in the \
         marketplace's seller center and report the status",
        excerpt(value)
    )]
    Unknown {
        /// The field (`productOrderStatus`, `order_status`).
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A value that does not fit with another field.
    #[error(
        "{field} {} does not fit {other_field} {}",
        excerpt(value),
        excerpt(other)
    )]
    Mismatch {
        /// The field (`claimStatus`).
        field: &'static str,
        /// Its value.
        value: String,
        /// The other field (`claimType`).
        other_field: &'static str,
        /// Its value.
        other: String,
    },
}

impl StatusError {
    /// `value` of `field` is not a documented status.
    pub fn unknown(field: &'static str, value: &str) -> Self {
        StatusError::Unknown {
            field,
            value: value.to_owned(),
        }
    }
}

/// An amount field that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a number of won.
    #[error(
        "{field} {} is not an amount of won (like \"36000.00\")",
        excerpt(text)
    )]
    NotANumber {
        /// The field (`product_price`).
        field: &'static str,
        /// What was sent.
        text: String,
    },
    /// Amounts whose sum does not fit.
    #[error("{field} is too large to add up; check the price the marketplace sent")]
    TooLarge {
        /// The sum (`unitPrice + optionPrice`).
        field: &'static str,
    },
}

/// Naver credentials that cannot sign a token request.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The client secret is not a bcrypt salt.
    #[error(
        "the Naver client secret is not a bcrypt salt ($2a$NN$ + 22 characters); copy the \
         application secret from the Naver Commerce API center"
    )]
    NotABcryptSalt,
    /// bcrypt refused the salt or cost.
    #[error("cannot sign the Naver token request: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_long_korean_values_between_characters() {
        assert_eq!(excerpt("주문"), "\"주문\"");
        let long = "가".repeat(100_000);
        let shown = excerpt(&long);
        assert!(shown.starts_with(&format!("\"{}", "가".repeat(EXCERPT_CHARS))));
        assert!(shown.ends_with("… (300000 bytes)"), "{shown}");
        let body = "나".repeat(BODY_CHARS + 1);
        assert_eq!(body_excerpt(&body).chars().count(), BODY_CHARS + 1);
        assert!(body_excerpt(&body).ends_with('…'));
    }

    #[test]
    fn located_causes_name_their_part() {
        let error = ElementError::from(StatusError::Unknown {
            field: "productOrderStatus",
            value: "SHIPPED_TO_MARS".into(),
        })
        .in_part("product order 1");
        assert_eq!(
            error.to_string(),
            "product order 1: unknown productOrderStatus \"SHIPPED_TO_MARS\": a status the \
             console does not know; handle the element in the marketplace's seller center and \
             report the status"
        );
    }
}
