//! Cafe24 Admin API payloads (`https://{mall_id}.cafe24api.com/api/v2/admin/...`), field names as
//! the Cafe24 REST API documentation (admin) lists them:
//! <https://developers.cafe24.com/docs/ko/api/admin/#orders>, `#orders--items`,
//! `#orders--receivers`, `#orders--buyer` (read through clipped copies of those pages in the
//! `search` code corpus). Only the fields Jumun reads or a sandbox needs to serve are modelled;
//! unknown fields are ignored. Amounts are decimal strings in Cafe24 (`"36000.00"`), and are kept
//! as text here (numbers are accepted too).

use super::super::serde_util::{
    null_as_empty, one_or_many, opt_string_or_number, string_or_number,
};
use serde::{Deserialize, Serialize};

/// `GET /api/v2/admin/orders?embed=items,receivers,buyer` (Retrieve a list of orders).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrdersResponse {
    /// The orders of the page (`limit` at most 1000, `offset` at most 15000).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub orders: Vec<Order>,
}

/// An order (주문).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// 멀티쇼핑몰 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_no: Option<u32>,
    /// 주문번호, e.g. `20240110-0000012`.
    pub order_id: String,
    /// 화폐단위.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// 회원아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// 결제자명 (입금자).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_name: Option<String>,
    /// 결제수단 코드: `cash` (무통장), `card`, `cell`, `tcash`, `icash` (가상계좌), … Cafe24 sends a
    /// list; a single string is accepted too.
    #[serde(default, deserialize_with = "one_or_many")]
    pub payment_method: Vec<String>,
    /// 결제수단명.
    #[serde(default, deserialize_with = "one_or_many")]
    pub payment_method_name: Vec<String>,
    /// 결제 여부: `T` 결제, `F` 미결제, `M` 부분 결제.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<String>,
    /// 취소 여부: `T`, `F`, `M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled: Option<String>,
    /// 주문일 (`2024-01-10T10:20:16+09:00`).
    pub order_date: String,
    /// 결제일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
    /// 계좌번호 (무통장입금 account of the mall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account_no: Option<String>,
    /// 최종 결제 금액.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_amount: Option<String>,
    /// 배송상태: `F` 배송전, `M` 배송중, `T` 배송완료, `W` 배송보류, `X` 발주전.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_status: Option<String>,
    /// 품주 (embed `items`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub items: Vec<Item>,
    /// 수령자정보 (embed `receivers`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub receivers: Vec<Receiver>,
    /// 주문자정보 (embed `buyer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
}

/// 품주: one ordered item (a line) of an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// 품주 아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_no: Option<u64>,
    /// 품주코드 (e.g. `20240110-0000012-01`): the console's line number (주문상세번호).
    pub order_item_code: String,
    /// 품목코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_code: Option<String>,
    /// 상품번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_no: Option<u64>,
    /// 상품코드 (e.g. `P000000X`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// 자체상품 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_product_code: Option<String>,
    /// 자체 품목 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_variant_code: Option<String>,
    /// 상품옵션 아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_id: Option<String>,
    /// 옵션값.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_value: Option<String>,
    /// 상품명.
    pub product_name: String,
    /// 상품 판매가 (per unit).
    #[serde(deserialize_with = "string_or_number")]
    pub product_price: String,
    /// 옵션 추가 가격 (per unit).
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub option_price: Option<String>,
    /// 수량.
    pub quantity: u32,
    /// 송장번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_no: Option<String>,
    /// 배송번호 (given when the item is set to 배송준비중).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_code: Option<String>,
    /// 취소/교환/반품 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_code: Option<String>,
    /// 취소/교환/반품 요청 사유 타입 (buyer: A 고객변심, G 서비스불만족, B 배송지연, I 기타; O, P,
    /// V 상품불량, W 배송오류; seller: A, B, J, C, L, D, E, F, K 상품불량, G, H 품절, I).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_reason_type: Option<String>,
    /// 취소/교환/반품 요청 사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_reason: Option<String>,
    /// 주문상태 code (N00…N50, C00…C49, R00…R43, E00…E51, N01…N03).
    pub order_status: String,
    /// 철회상태: `Cancellation`, `Exchange`, `Return`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_undone: Option<String>,
    /// 주문상태 추가정보.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_status_additional_info: Option<String>,
    /// 취소/교환/반품 요청 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_quantity: Option<u32>,
    /// 현재 처리상태 코드: N1 정상, N2 교환상품, C1 입금전취소, C2 배송전취소, C3 반품, E1 교환.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// 현재 처리상태 문구.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    /// 배송업체 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_company_code: Option<String>,
    /// 배송업체 이름.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_company_name: Option<String>,
    /// 주문일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_date: Option<String>,
    /// 배송시작일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_date: Option<String>,
    /// 배송완료일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_date: Option<String>,
    /// 구매확정일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchaseconfirmation_date: Option<String>,
    /// 취소요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_request_date: Option<String>,
    /// 반품요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_request_date: Option<String>,
    /// 교환요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_request_date: Option<String>,
}

/// 수령자정보 (Orders receivers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Receiver {
    /// 수령자명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 전화번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 수령자 휴대 전화.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cellphone: Option<String>,
    /// 수령자 안심번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_phone_no: Option<String>,
    /// 우편번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    /// 기본 주소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// 상세 주소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// 전체주소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_full: Option<String>,
    /// 배송 메세지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_message: Option<String>,
    /// 배송번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_code: Option<String>,
}

/// 주문자정보 (Orders buyer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Buyer {
    /// 회원아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// 주문자명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 주문자 이메일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 주문자 일반 전화.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 주문자 휴대 전화.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cellphone: Option<String>,
}

/// `POST /api/v2/admin/shipments` (Create shipping information for multiple orders): invoices of
/// items. The request fields (order_id, tracking_no, shipping_company_code, status
/// `standby`/`shipping`, shipping_code, order_item_code) are those of the documented shipments
/// resource; the `{ "shop_no", "requests": [...] }` envelope is Cafe24's convention for bulk
/// writes (as in `POST /api/v2/admin/cancellationrequests`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShipmentsRequest {
    /// 멀티쇼핑몰 번호.
    pub shop_no: u32,
    /// The shipments.
    pub requests: Vec<Shipment>,
}

/// One shipment (배송정보).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// 주문번호.
    pub order_id: String,
    /// 송장번호.
    pub tracking_no: String,
    /// 배송업체 코드 (Cafe24's carrier code, e.g. `0001`).
    pub shipping_company_code: String,
    /// 주문상태: `standby` 배송대기, `shipping` 배송중.
    pub status: String,
    /// 품주코드 of the items in the parcel.
    #[serde(default, deserialize_with = "one_or_many")]
    pub order_item_code: Vec<String>,
    /// 배송번호, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_code: Option<String>,
}

/// A Cafe24 error body: `{"error": {"code": 422, "message": "..."}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// The error of an [`ErrorResponse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// HTTP-like code.
    #[serde(default)]
    pub code: Option<i64>,
    /// Message.
    #[serde(default)]
    pub message: Option<String>,
}
