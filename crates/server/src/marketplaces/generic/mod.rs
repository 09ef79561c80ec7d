//! The generic adapter: every marketplace of `data/marketplaces.tsv` without an adapter of its own
//! speaks the documented JSON feed of [`wire`], and the status word decides (R25):
//!
//! - one of the marketplace's `cancel_statuses` → a cancel claim with that word (cancel sync
//!   recognises it);
//! - one of its `withdraw_statuses` (Fashionplus 취소거부) → a withdrawn cancel;
//! - any other word with 취소 / 반품 / 교환 → a cancel / return / exchange claim (withdrawn when it
//!   has 철회 or 거부); a cancel word outside the table is kept, so cancel sync shows it as
//!   unrecognised (the marketplaces with no words: NS홈쇼핑, 롯데닷컴, 서울스토어, GS리테일, GS이숍);
//! - the order-flow words (입금대기, 결제완료, 상품준비중, 배송준비중, 배송중, 배송완료, 구매확정, …)
//!   → order facts;
//! - anything else is an unexpected payload, reported with its raw JSON.

pub mod wire;

use super::error::{ElementError, StatusError};
use super::http::{self, Body};
use super::page::{collect_each, read_page, Element, Page};
use super::time;
use super::{
    AdapterError, Collected, Connection, Credentials, Cursor, InvoiceUpload, LineFact, MarketClaim,
    MarketLine, MarketOrder, MarketplaceAdapter,
};
use jumun_core::claim::ClaimKind;
use jumun_core::marketplace::{
    CancelStatusMeaning, MarketplaceKeys, MarketplaceProfile, MarketplaceTable,
};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, Payment};

/// The generic adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenericAdapter;

/// Where the orders are in the feed's `GET /orders` answer (a JSON pointer).
pub const ORDERS_LIST: &str = "/orders";

/// Where the claims are in the feed's `GET /claims` answer (a JSON pointer).
pub const CLAIMS_LIST: &str = "/claims";

/// What a status word means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordMeaning {
    /// An order-flow status.
    Fact(LineFact),
    /// A claim.
    Claim {
        /// Its kind.
        kind: ClaimKind,
        /// Withdrawn or refused.
        withdrawn: bool,
    },
}

/// The order-flow words the feed may use.
pub const FACT_WORDS: &[(&str, LineFact)] = &[
    ("입금대기", LineFact::AwaitingPayment),
    ("입금전", LineFact::AwaitingPayment),
    ("결제대기", LineFact::AwaitingPayment),
    ("결제완료", LineFact::Paid),
    ("신규주문", LineFact::Paid),
    ("주문접수", LineFact::Paid),
    ("발주확인", LineFact::Preparing),
    ("상품준비중", LineFact::Preparing),
    ("배송준비중", LineFact::ReadyToShip),
    ("배송대기", LineFact::ReadyToShip),
    ("배송지시", LineFact::ReadyToShip),
    ("출고대기", LineFact::ReadyToShip),
    ("배송중", LineFact::Shipped),
    ("발송완료", LineFact::Shipped),
    ("출고완료", LineFact::Shipped),
    ("배송완료", LineFact::Delivered),
    ("구매확정", LineFact::Confirmed),
];

/// What `word` means for this marketplace; `None` when it is not a known word.
pub fn word_meaning(profile: &MarketplaceProfile, word: &str) -> Option<WordMeaning> {
    let word = word.trim();
    match profile.cancel_status(word) {
        CancelStatusMeaning::Cancels => {
            return Some(WordMeaning::Claim {
                kind: ClaimKind::Cancel,
                withdrawn: false,
            })
        }
        CancelStatusMeaning::Withdraws => {
            return Some(WordMeaning::Claim {
                kind: ClaimKind::Cancel,
                withdrawn: true,
            })
        }
        CancelStatusMeaning::Unrecognised => {}
    }
    if let Some((_, fact)) = FACT_WORDS.iter().find(|(w, _)| *w == word) {
        return Some(WordMeaning::Fact(*fact));
    }
    let withdrawn = word.contains("철회") || word.contains("거부");
    let kind = if word.contains("반품") {
        ClaimKind::Return
    } else if word.contains("교환") {
        ClaimKind::Exchange
    } else if word.contains("취소") {
        ClaimKind::Cancel
    } else {
        return None;
    };
    Some(WordMeaning::Claim { kind, withdrawn })
}

/// The connection's row of the console's table.
fn profile(conn: &Connection) -> Option<&'static MarketplaceProfile> {
    MarketplaceTable::builtin().get(&conn.marketplace)
}

/// [`profile`], for normalizing one element.
fn element_profile(conn: &Connection) -> Result<&'static MarketplaceProfile, ElementError> {
    profile(conn).ok_or_else(|| ElementError::UnknownMarketplace(conn.marketplace.clone()))
}

/// What a line's or claim's status word means; an error naming the word when it is unknown.
fn meaning(profile: &MarketplaceProfile, word: &str) -> Result<WordMeaning, StatusError> {
    word_meaning(profile, word).ok_or_else(|| StatusError::unknown("status", word))
}

fn headers(conn: &Connection) -> Vec<(&'static str, String)> {
    let mut h = vec![("Accept", "application/json".to_owned())];
    match &conn.credentials {
        Credentials::ApiKey(key) | Credentials::Bearer { access_token: key } => {
            h.push(("Authorization", format!("Bearer {key}")))
        }
        _ => {}
    }
    h
}

fn keys(
    order_no: &str,
    k: &wire::FeedKeys,
    name: Option<&str>,
    option: Option<&str>,
) -> MarketplaceKeys {
    MarketplaceKeys {
        order_no: order_no.to_owned(),
        line_no: k.line_no.clone(),
        line_no2: k.line_no2.clone(),
        product_code: k.product_code.clone(),
        product_name: name.map(str::to_owned),
        option: option.filter(|o| !o.is_empty()).map(str::to_owned),
        option_id: k.option_id.clone(),
        codes: k.codes.clone(),
    }
}

/// Normalizes one feed order.
pub fn normalize_order(
    conn: &Connection,
    order: &wire::FeedOrder,
) -> Result<MarketOrder, ElementError> {
    let profile = element_profile(conn)?;
    let ordered_at = time::parse_req(&order.ordered_at, "ordered_at")?;
    let paid_at = time::parse_opt(order.paid_at.as_deref(), "paid_at")?;
    let payment = match order.payment.as_str() {
        "paid" => Payment::Paid,
        "bank_transfer" => Payment::BankTransfer {
            deadline: match time::parse_opt(order.payment_due_at.as_deref(), "payment_due_at")? {
                Some(due) => due,
                None => time::plus_days(ordered_at, conn.bank_transfer_days, "ordered_at")?,
            },
        },
        other => {
            return Err(ElementError::Payment {
                value: other.to_owned(),
            })
        }
    };
    if order.lines.is_empty() {
        return Err(ElementError::Missing { what: "lines" });
    }
    let mut lines = Vec::new();
    for (i, line) in order.lines.iter().enumerate() {
        let meaning = meaning(profile, &line.status)
            .map_err(|e| ElementError::from(e).in_part(format!("line {i}")))?;
        if line.quantity == 0 {
            return Err(ElementError::ZeroQuantity {
                of: format!("line {i}"),
            });
        }
        lines.push(MarketLine {
            keys: keys(
                &order.order_no,
                &line.keys,
                Some(&line.product_name),
                Some(&line.option),
            ),
            product_name: line.product_name.clone(),
            option: line.option.clone(),
            quantity: line.quantity,
            unit_price: Won(line.unit_price),
            option_price: Won(line.option_price),
            status: line.status.clone(),
            fact: match meaning {
                WordMeaning::Fact(f) => Some(f),
                WordMeaning::Claim { .. } => None,
            },
            shipment_no: line.shipment_no.clone(),
        });
    }
    Ok(MarketOrder {
        marketplace: conn.marketplace.clone(),
        order_no: order.order_no.clone(),
        ordered_at,
        paid_at,
        payment,
        delivery: DeliveryInfo {
            orderer_name: order.orderer_name.clone(),
            orderer_phone: order.orderer_phone.clone(),
            recipient_name: order.recipient_name.clone(),
            recipient_phone: order.recipient_phone.clone(),
            recipient_landline: order.recipient_landline.clone().unwrap_or_default(),
            postcode: order.postcode.clone(),
            address: order.address.clone(),
            memo: order.memo.clone().unwrap_or_default(),
        },
        lines,
        replaces: match &order.exchange_of {
            None => None,
            Some(of) if of.order_no.trim().is_empty() => {
                return Err(ElementError::Missing {
                    what: "exchange_of.order_no",
                })
            }
            Some(of) => Some(MarketplaceKeys {
                order_no: of.order_no.trim().to_owned(),
                line_no: of
                    .line_no
                    .as_deref()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
                ..MarketplaceKeys::default()
            }),
        },
    })
}

/// Normalizes one feed claim.
pub fn normalize_claim(
    conn: &Connection,
    claim: &wire::FeedClaim,
) -> Result<MarketClaim, ElementError> {
    let profile = element_profile(conn)?;
    let (kind, withdrawn) = match meaning(profile, &claim.status)? {
        WordMeaning::Claim { kind, withdrawn } => (kind, withdrawn),
        WordMeaning::Fact(_) => {
            return Err(ElementError::NotAClaim {
                status: claim.status.clone(),
            })
        }
    };
    Ok(MarketClaim {
        marketplace: conn.marketplace.clone(),
        kind,
        status: claim.status.trim().to_owned(),
        raw_status: claim.status.clone(),
        keys: keys(
            &claim.order_no,
            &claim.keys,
            claim.product_name.as_deref(),
            claim.option.as_deref(),
        ),
        quantity: claim.quantity.filter(|q| *q > 0),
        claim_no: claim.claim_no.clone(),
        reason: super::reason_from_text(claim.reason.as_deref()),
        fault: None,
        requested_option: claim.requested_option.clone(),
        withdrawn,
        reported_at: time::parse_req(&claim.reported_at, "reported_at")?,
        exchange_due: time::parse_opt(claim.due_at.as_deref(), "due_at")?,
        delay_notices: claim.delay_notices.unwrap_or(0),
    })
}

/// Normalizes the feed's orders, one [`MarketOrder`] each; an order that cannot be used goes to
/// `out.malformed` with its raw JSON.
pub fn orders_of(
    conn: &Connection,
    orders: Vec<Element<wire::FeedOrder>>,
    out: &mut Collected<MarketOrder>,
) {
    collect_each(orders, |order| normalize_order(conn, order).map(Some), out);
}

/// Normalizes the feed's claims, one [`MarketClaim`] each; a claim that cannot be used goes to
/// `out.malformed` with its raw JSON.
pub fn claims_of(
    conn: &Connection,
    claims: Vec<Element<wire::FeedClaim>>,
    out: &mut Collected<MarketClaim>,
) {
    collect_each(claims, |claim| normalize_claim(conn, claim).map(Some), out);
}

/// Reads one page of the feed `what` (`orders`, `claims`) at `list`, starting the collection
/// with its malformed elements and its `next_cursor` (the same cursor when it has none).
fn feed<W: serde::de::DeserializeOwned, T>(
    conn: &Connection,
    what: &str,
    list: &str,
    cursor: &Cursor,
) -> Result<(Vec<Element<W>>, Collected<T>), AdapterError> {
    if profile(conn).is_none() {
        return Err(AdapterError::UnknownMarketplace {
            marketplace: conn.marketplace.clone(),
        });
    }
    let url = format!(
        "{}/{what}?{}",
        conn.base_url,
        http::query(&[("since", cursor.as_str())])
    );
    let body = http::send(&conn.marketplace, "GET", &url, &headers(conn), None)?;
    let Page {
        envelope,
        elements,
        malformed,
    } = read_page::<W>(&body, list, &format!("GET {url}"))?;
    let mut out = Collected::new(next_cursor(&envelope, cursor));
    out.malformed = malformed;
    Ok((elements, out))
}

/// The feed's `next_cursor`; the same cursor when it has none.
fn next_cursor(envelope: &serde_json::Value, cursor: &Cursor) -> Cursor {
    envelope
        .get("next_cursor")
        .and_then(|c| c.as_str())
        .map(|c| Cursor(c.to_owned()))
        .unwrap_or_else(|| cursor.clone())
}

impl MarketplaceAdapter for GenericAdapter {
    fn collect_orders(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketOrder>, AdapterError> {
        let (orders, mut out) = feed(conn, "orders", ORDERS_LIST, cursor)?;
        orders_of(conn, orders, &mut out);
        Ok(out)
    }

    fn collect_claims(
        &self,
        conn: &Connection,
        cursor: &Cursor,
    ) -> Result<Collected<MarketClaim>, AdapterError> {
        let (claims, mut out) = feed(conn, "claims", CLAIMS_LIST, cursor)?;
        claims_of(conn, claims, &mut out);
        Ok(out)
    }

    fn send_invoice(&self, conn: &Connection, upload: &InvoiceUpload) -> Result<(), AdapterError> {
        let body = wire::InvoiceBody {
            order_no: upload.order_no.clone(),
            line_nos: upload
                .lines
                .iter()
                .filter_map(|k| k.line_no.clone())
                .collect(),
            shipment_no: upload.shipment_no.clone(),
            carrier: conn
                .carrier_code(upload)
                .unwrap_or_else(|| upload.carrier.0.clone()),
            tracking_no: upload.tracking_no.clone(),
        };
        let body = serde_json::to_string(&body).map_err(|source| AdapterError::Encode {
            what: "invoice",
            source,
        })?;
        let url = format!("{}/invoices", conn.base_url);
        http::send(
            &conn.marketplace,
            "POST",
            &url,
            &headers(conn),
            Some(Body::Json(body)),
        )?;
        Ok(())
    }

    fn acknowledge_claim(
        &self,
        conn: &Connection,
        claim: &MarketClaim,
    ) -> Result<(), AdapterError> {
        let no = claim
            .claim_no
            .as_deref()
            .ok_or_else(|| AdapterError::ClaimReference {
                marketplace: conn.marketplace.clone(),
                key: "claim_no",
            })?;
        let url = format!("{}/claims/{}/ack", conn.base_url, http::enc(no));
        http::send(
            &conn.marketplace,
            "POST",
            &url,
            &headers(conn),
            Some(Body::Json("{}".into())),
        )?;
        Ok(())
    }
}
