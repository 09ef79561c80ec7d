//! Exchanges: CASE1 (the console makes the replacement order, R15), CASE2 (the marketplace does,
//! R16), swap (R17), the Cafe24 line-number case (R18), the Kakao Style lifecycle (R19–R24) and
//! exchange costs (R23).

mod cost;
mod kakao_style;

pub use cost::ExchangeCost;
pub use kakao_style::{DelayNotice, ExchangeState, KakaoExchange, Penalty};

use crate::claim::FeePayment;
use crate::ids::{LineId, OrderId};
use crate::money::Won;
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// How a marketplace handles exchanges (a column of the marketplace table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExchangeFlow {
    /// CASE1: the marketplace makes no new order; the console creates the replacement order,
    /// ships it and sends its invoice number (R15). Most marketplaces.
    Case1,
    /// CASE2: the marketplace creates a new order for the replacement (Cafe24 own malls, Musinsa);
    /// the console processes the original line as a cancel or a return (R16).
    Case2,
    /// Kakao Style (Zigzag): the marketplace runs the exchange through its own states, which the
    /// console follows and drives (R19–R24).
    KakaoStyle,
}

/// How a Cafe24 exchange whose line number changed is handled (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cafe24ExchangeMode {
    /// 콘솔에서만 교환: the replacement's invoice number is sent to Cafe24 automatically, but
    /// Cafe24 still shows no exchange, so a notice to the buyer is recommended.
    ConsoleOnly,
    /// 양쪽 모두 교환: the exchange is also made in Cafe24, and the operator types the invoice
    /// number into Cafe24 by hand.
    Both,
}

/// The replacement for one exchanged line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Replacement {
    /// The line being exchanged.
    pub for_line: LineId,
    /// The line id the replacement gets in the exchange order (CASE1) — unused for Kakao Style,
    /// whose replacement stays on the original line.
    pub new_line: LineId,
    /// 상품명 of the replacement.
    pub product_name: String,
    /// 옵션 of the replacement.
    pub option: String,
    /// 옵션추가금액 per unit of the replacement.
    pub option_price: Won,
    /// Units.
    pub quantity: u32,
}

/// What an exchange claim carries beyond any claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct ExchangeDetails {
    /// How the exchange runs.
    pub flow: ExchangeFlow,
    /// 맞교환: the replacement ships before the old item is picked up (R17).
    pub swap: bool,
    /// The replacement order (CASE1 and the Cafe24 manual exchange).
    pub replacement_order: Option<OrderId>,
    /// The replacements.
    pub replacements: Vec<Replacement>,
    /// One-way shipping fee; an exchange costs a round trip (R23).
    pub shipping_fee_one_way: Won,
    /// How the buyer pays what they owe: 동봉 or 송금 (R21).
    pub payment: FeePayment,
    /// Kakao Style's own lifecycle (R19–R24).
    pub kakao: Option<KakaoExchange>,
    /// The Cafe24 line-number case, once the operator chose how to handle it (R18).
    pub cafe24_mode: Option<Cafe24ExchangeMode>,
    /// A notice to the buyer is recommended (R18 "exchange in the console only").
    pub notice_recommended: bool,
    /// 배송전 교환: the exchanged lines had not shipped, so nothing is picked up, no shipping is
    /// charged, and the exchange completed when it was made (R10).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before_shipping: bool,
}
