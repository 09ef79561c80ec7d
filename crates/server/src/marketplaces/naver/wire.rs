//! Naver Commerce API payloads (`https://api.commerce.naver.com/external`), field names as the
//! 커머스API documentation lists them (apicenter.commerce.naver.com, pages "변경 상품 주문 정보
//! 구조체", "상품 주문 상세 내역 조회" `POST /v1/pay-order/seller/product-orders/query`, "상품 주문
//! 정보 구조체"; read through clipped copies in the `search` code corpus). The Naver API is
//! camelCase throughout. Unknown fields are ignored.

use super::super::serde_util::{null_as_empty, opt_string_or_number};
use serde::{Deserialize, Serialize};

/// `POST /external/v1/oauth2/token` response (client-credentials grant, `type=SELF`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Seconds it lives (10800 in the documentation's examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// `GET /v1/pay-order/seller/product-orders/last-changed-statuses?lastChangedFrom=…` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastChangedStatusesResponse {
    /// When the answer was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The changes (absent when nothing changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<LastChangedData>,
}

/// The `data` of [`LastChangedStatusesResponse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastChangedData {
    /// At most 300 changed product orders, oldest first.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub last_change_statuses: Vec<LastChangeStatus>,
    /// Where to continue when more changes remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more: Option<More>,
}

/// 변경 상품 주문 정보: one changed product order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastChangeStatus {
    /// 주문 ID.
    pub order_id: String,
    /// 상품 주문 ID.
    pub product_order_id: String,
    /// 최종 변경 구분: PAY_WAITING, PAYED, EXCHANGE_OPTION, DELIVERY_ADDRESS_CHANGED,
    /// GIFT_RECEIVED, CLAIM_REJECTED, DISPATCHED, CLAIM_REQUESTED, COLLECT_DONE,
    /// CLAIM_HOLDBACK_RELEASED, CLAIM_COMPLETED, PURCHASE_DECIDED, HOPE_DELIVERY_INFO_CHANGED,
    /// CLAIM_REDELIVERING.
    pub last_changed_type: String,
    /// 결제 일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
    /// 최종 변경 일시.
    pub last_changed_date: String,
    /// 상품 주문 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_order_status: Option<String>,
    /// 클레임 구분.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_type: Option<String>,
    /// 클레임 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    /// 배송지 정보 변경 여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_address_changed: Option<bool>,
}

/// `data.more`: continue with `lastChangedFrom=moreFrom&moreSequence=moreSequence`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct More {
    /// The next `lastChangedFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_from: Option<String>,
    /// The next `moreSequence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_sequence: Option<String>,
}

/// `POST /v1/pay-order/seller/product-orders/query` body (at most 300 ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrdersQuery {
    /// 상품 주문 번호.
    pub product_order_ids: Vec<String>,
    /// 수량 클레임 변경 사항 대응 여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_claim_compatibility: Option<bool>,
}

/// `POST /v1/pay-order/seller/product-orders/query` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrdersResponse {
    /// When the answer was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// One element per product order.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<ProductOrderInfo>,
}

/// 상품 주문 정보: the order, the product order and its claim and delivery objects.
///
/// The claim details sit under `currentClaim` (and the claim before it under `beforeClaim`);
/// Naver removed the old top-level `cancel` / `return` / `exchange` objects on 2026-10-28
/// (github.com/commerce-api-naver/commerce-api discussions 3608 and 1691, as cited in issue 13;
/// checked 2026-12-02). A payload that still has only the old objects reads as a claim without
/// details: its status still comes from `productOrder.claimStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderInfo {
    /// 주문.
    pub order: Order,
    /// 상품 주문.
    pub product_order: ProductOrder,
    /// 배송.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// 현재 클레임: the claim the product order is under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_claim: Option<ClaimDetails>,
    /// 이전 클레임: the claim before it (an exchange, when a return or another exchange followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_claim: Option<ClaimDetails>,
}

/// `currentClaim` / `beforeClaim`: one object per claim kind, the one of the claim's kind set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimDetails {
    /// 취소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Cancel>,
    /// 반품.
    #[serde(rename = "return", default, skip_serializing_if = "Option::is_none")]
    pub return_: Option<Return>,
    /// 교환.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
}

/// `order` (orderResponseContent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// 주문 번호.
    pub order_id: String,
    /// 주문 일시.
    pub order_date: String,
    /// 주문자 ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderer_id: Option<String>,
    /// 주문자 이름.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderer_name: Option<String>,
    /// 주문자 연락처.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderer_tel: Option<String>,
    /// 결제 일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
    /// 결제 기한.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date: Option<String>,
    /// 결제 수단 (신용카드, 무통장입금, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_means: Option<String>,
    /// 일반 결제 수단 최종 결제 금액.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_payment_amount: Option<i64>,
    /// 결제 위치 구분 (PC/MOBILE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_location_type: Option<String>,
}

/// `productOrder` (productOrderResponseContent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrder {
    /// 상품 주문 번호: the console's line number.
    pub product_order_id: String,
    /// 상품 주문 상태: PAYMENT_WAITING, PAYED, DELIVERING, DELIVERED, PURCHASE_DECIDED, EXCHANGED,
    /// CANCELED, RETURNED, CANCELED_BY_NOPAYMENT.
    pub product_order_status: String,
    /// 클레임 구분: CANCEL, RETURN, EXCHANGE, PURCHASE_DECISION_HOLDBACK, ADMIN_CANCEL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_type: Option<String>,
    /// 클레임 상태: CANCEL_REQUEST, CANCELING, CANCEL_DONE, CANCEL_REJECT, RETURN_REQUEST,
    /// EXCHANGE_REQUEST, COLLECTING, COLLECT_DONE, EXCHANGE_REDELIVERING, RETURN_DONE,
    /// EXCHANGE_DONE, RETURN_REJECT, EXCHANGE_REJECT, PURCHASE_DECISION_HOLDBACK,
    /// PURCHASE_DECISION_REQUEST, PURCHASE_DECISION_HOLDBACK_RELEASE, ADMIN_CANCELING,
    /// ADMIN_CANCEL_DONE, ADMIN_CANCEL_REJECT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    /// 클레임 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
    /// 발주 상태: NOT_YET, OK, CANCEL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_order_status: Option<String>,
    /// 채널 상품번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// 상품명.
    pub product_name: String,
    /// 상품 옵션(옵션명).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_option: Option<String>,
    /// 옵션 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_code: Option<String>,
    /// 옵션 금액.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_price: Option<i64>,
    /// 수량 (최초 수량).
    pub quantity: u32,
    /// 잔여 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remain_quantity: Option<u32>,
    /// 상품 가격.
    pub unit_price: i64,
    /// 최초 결제 금액.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_payment_amount: Option<i64>,
    /// 판매자 상품 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_code: Option<String>,
    /// 묶음배송 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_number: Option<String>,
    /// 배송지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// 배송 메모.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_memo: Option<String>,
    /// 발송 기한.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_due_date: Option<String>,
    /// 구매 확정일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<String>,
}

/// 배송지 / 수거지 주소.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// 수령인.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 연락처 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tel1: Option<String>,
    /// 연락처 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tel2: Option<String>,
    /// 기본 주소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_address: Option<String>,
    /// 상세 주소.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_address: Option<String>,
    /// 우편번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
}

/// `delivery`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// 택배사 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_company: Option<String>,
    /// 송장 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// 배송 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<String>,
    /// 발송 일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_date: Option<String>,
    /// 배송 완료 일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_date: Option<String>,
}

/// `currentClaim.cancel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancel {
    /// 클레임 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
    /// 클레임 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    /// 클레임 요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_request_date: Option<String>,
    /// 취소 사유 (claimReason code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// 취소 상세 사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_detailed_reason: Option<String>,
    /// 취소 승인일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_approval_date: Option<String>,
    /// 취소 완료일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_completed_date: Option<String>,
    /// 접수 채널.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_channel: Option<String>,
    /// 요청 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_quantity: Option<u32>,
}

/// `currentClaim.return`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Return {
    /// 클레임 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
    /// 클레임 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    /// 클레임 요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_request_date: Option<String>,
    /// 반품 사유 (claimReason code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_reason: Option<String>,
    /// 반품 상세 사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_detailed_reason: Option<String>,
    /// 수거 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_status: Option<String>,
    /// 수거 송장 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_tracking_number: Option<String>,
    /// 요청 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_quantity: Option<u32>,
}

/// `currentClaim.exchange` (or `beforeClaim.exchange`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// 클레임 번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
    /// 클레임 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    /// 클레임 요청일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_request_date: Option<String>,
    /// 교환 사유 (claimReason code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_reason: Option<String>,
    /// 교환 상세 사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_detailed_reason: Option<String>,
    /// 수거 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_status: Option<String>,
    /// 재배송 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_delivery_status: Option<String>,
    /// 요청 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_quantity: Option<u32>,
}

/// `POST /v1/pay-order/seller/product-orders/dispatch` body (발송 처리).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchRequest {
    /// The product orders dispatched.
    pub dispatch_product_orders: Vec<DispatchProductOrder>,
}

/// One dispatched product order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchProductOrder {
    /// 상품 주문 번호.
    pub product_order_id: String,
    /// 배송 방법 코드 (`DELIVERY` 택배).
    pub delivery_method: String,
    /// 택배사 코드 (`CJGLS`, `HYUNDAI` 롯데택배, `HANJIN`, `KGB` 로젠택배, `EPOST`, …).
    pub delivery_company_code: String,
    /// 송장 번호.
    pub tracking_number: String,
    /// 발송 일시 (ISO-8601).
    pub dispatch_date: String,
}

/// 주문-클레임 처리 반환 구조체: the answer of dispatch and claim calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessResponse {
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Successes and failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ProcessData>,
}

/// The `data` of [`ProcessResponse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessData {
    /// (성공) 상품 주문 번호.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub success_product_order_ids: Vec<String>,
    /// (실패) 상품 주문 정보.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fail_product_order_infos: Vec<FailProductOrderInfo>,
}

/// A product order a call could not process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailProductOrderInfo {
    /// 상품 주문 번호.
    pub product_order_id: String,
    /// 오류 코드 (e.g. `100001` 상품 주문을 찾을 수 없음).
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
    /// 오류 메시지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
