//! Coupang Open API (WING) payloads (`https://api-gateway.coupang.com`), field names as the
//! Coupang developer documentation lists them (repository `optionalg/coupang-developers.github.io`,
//! `assets/docs/season-2/`: `delivery-api/ko/lookup-order-list-per-day.document.ts` (발주서 목록
//! 조회), `return-api/ko/lookup-return-request-list-per-minute.document.ts` (반품요청 목록 조회),
//! `exchange-api/ko/lookup-change-request-list.document.ts` (교환요청 목록 조회)). The invoice upload
//! body (`orderSheetInvoiceApplyDtos`) is `delivery-api/ko/invoice-upload-processing`. Coupang is
//! camelCase; ids are JSON numbers. Unknown fields are ignored.

use super::super::serde_util::{null_as_empty, opt_string_or_number};
use serde::{Deserialize, Serialize};

/// `GET /v2/providers/openapi/apis/api/v4/vendors/{vendorId}/ordersheets` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSheetsResponse {
    /// 서버 응답 코드 (200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// 서버 응답 메세지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// 발주서 (one per shipmentBoxId).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<OrderSheet>,
    /// 다음 페이지 token; empty on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// 발주서: one shipment box of an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSheet {
    /// 배송번호.
    pub shipment_box_id: u64,
    /// 주문번호.
    pub order_id: u64,
    /// 주문일시 (`yyyy-MM-dd'T'HH:mm:ss`, Korean time).
    pub ordered_at: String,
    /// 주문자.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderer: Option<Orderer>,
    /// 결제일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// 발주서 상태: ACCEPT 결제완료, INSTRUCT 상품준비중, DEPARTURE 배송지시, DELIVERING 배송중,
    /// FINAL_DELIVERY 배송완료, NONE_TRACKING 업체 직접 배송.
    pub status: String,
    /// 배송비.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_price: Option<i64>,
    /// 도서산간배송비.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_price: Option<i64>,
    /// 도서산간여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_area: Option<bool>,
    /// 배송메세지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parcel_print_message: Option<String>,
    /// 분리배송여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_shipping: Option<bool>,
    /// 분리배송가능여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub able_split_shipping: Option<bool>,
    /// 수취인.
    pub receiver: Receiver,
    /// 주문 상품.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub order_items: Vec<OrderItem>,
    /// 택배사.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_company_name: Option<String>,
    /// 운송장번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// 출고일(발송일), `yyyy-MM-dd HH:mm:ss` (sic: `inTrasitDateTime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_trasit_date_time: Option<String>,
    /// 배송완료일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_date: Option<String>,
    /// 결제위치.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refer: Option<String>,
}

/// 주문자.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Orderer {
    /// 주문자 이름.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 주문자 email (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 주문자 연락처(안심번호).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_number: Option<String>,
}

/// 수취인.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receiver {
    /// 수취인 이름.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 수취인 연락처(안심번호).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_number: Option<String>,
    /// 수취인 배송지1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr1: Option<String>,
    /// 수취인 배송지2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr2: Option<String>,
    /// 수취인 우편번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
}

/// An item of an order sheet (one option, 옵션ID = vendorItemId).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    /// vendorItemPackageId (0 when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_item_package_id: Option<u64>,
    /// vendorItemPackageName.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_item_package_name: Option<String>,
    /// productId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<u64>,
    /// 옵션ID: the `code6` of cancel sync.
    pub vendor_item_id: u64,
    /// 옵션 표시명.
    pub vendor_item_name: String,
    /// 배송 수량 (excludes cancelled units).
    pub shipping_count: u32,
    /// 개당 상품 가격.
    pub sales_price: i64,
    /// 결제 가격.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_price: Option<i64>,
    /// 할인 가격.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_price: Option<i64>,
    /// external code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_vendor_sku_code: Option<String>,
    /// 업체상품 아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_id: Option<u64>,
    /// 업체상품명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_name: Option<String>,
    /// 등록옵션명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_item_name: Option<String>,
    /// 취소수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_count: Option<u32>,
    /// 환불대기수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_count_for_cancel: Option<u32>,
    /// 주문시 출고예정일.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_shipping_date: Option<String>,
    /// 구매확정일자 (`yyyy-MM-dd HH:mm:ss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_date: Option<String>,
    /// 주문 취소 여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled: Option<bool>,
}

/// `GET …/vendors/{vendorId}/returnRequests` response (반품요청 목록; cancels of unshipped items
/// arrive here as 출고중지요청).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequestsResponse {
    /// Response code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The requests.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<ReturnRequest>,
    /// Next page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// 반품(취소) 접수.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequest {
    /// 취소(반품)접수번호.
    pub receipt_id: u64,
    /// 주문번호.
    pub order_id: u64,
    /// 결제번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<u64>,
    /// 취소유형 (`RETURN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_type: Option<String>,
    /// 취소(반품)진행 상태: RELEASE_STOP_UNCHECKED 출고중지요청, RETURNS_UNCHECKED 반품접수,
    /// VENDOR_WAREHOUSE_CONFIRM 입고완료, REQUEST_COUPANG_CHECK 쿠팡확인요청, RETURNS_COMPLETED
    /// 반품완료.
    pub receipt_status: String,
    /// 접수시간.
    pub created_at: String,
    /// 최종 변경시간.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// 신청인 이름.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_name: Option<String>,
    /// 반품 사유 카테고리 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason_category1: Option<String>,
    /// 반품 사유 카테고리 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason_category2: Option<String>,
    /// 취소사유 상세내역.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// 총 취소수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_count_sum: Option<u32>,
    /// 출고중지처리상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_stop_status: Option<String>,
    /// 귀책타입: COUPANG, VENDOR, CUSTOMER, WMS, GENERAL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_by_type: Option<String>,
    /// 반품 아이템 목록.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub return_items: Vec<ReturnItem>,
    /// 회수 운송장 정보.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub return_delivery_dtos: Vec<ReturnDelivery>,
}

/// 반품 아이템.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnItem {
    /// 딜번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_item_package_id: Option<u64>,
    /// 벤더아이템번호 (옵션ID).
    pub vendor_item_id: u64,
    /// 벤더아이템명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_item_name: Option<String>,
    /// 취소 수량.
    pub cancel_count: u32,
    /// 주문 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_count: Option<u32>,
    /// 원 배송번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_box_id: Option<u64>,
    /// 업체등록상품번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_id: Option<u64>,
    /// 업체등록상품명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_product_name: Option<String>,
}

/// 회수 운송장.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnDelivery {
    /// 회수 택배사코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_company_code: Option<String>,
    /// 회수 운송장번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_invoice_no: Option<String>,
}

/// `GET …/vendors/{vendorId}/exchangeRequests` response (교환요청 목록).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeRequestsResponse {
    /// Response code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The requests.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<ExchangeRequest>,
    /// Next page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// 교환 요청.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeRequest {
    /// 교환 아이디.
    pub exchange_id: u64,
    /// 주문번호.
    pub order_id: u64,
    /// 벤더 아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    /// 주문 배송 상태.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_delivery_status_code: Option<String>,
    /// 교환 상태: RECEIPT 접수, PROGRESS 진행, SUCCESS 완료, REJECT 불가, CANCEL 철회.
    pub exchange_status: String,
    /// 귀책: COUPANG, VENDOR, CUSTOMER, WMS, GENERAL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_type: Option<String>,
    /// 교환배송비 (documented as String, sent as a number in the sample).
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_amount: Option<String>,
    /// 교환접수사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// 교환철회사유.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// 등록일시.
    pub created_at: String,
    /// 수정 일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// 교환 항목 목록.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub exchange_item_dto_v1s: Vec<ExchangeItem>,
    /// 회수 운송장.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub return_delivery_dtos: Vec<ReturnDelivery>,
    /// 회수정보: what is picked up, each item by its 옵션아이디.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_informations_dto: Option<CollectInformations>,
}

/// 회수정보 of an exchange (`collectInformationsDto`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectInformations {
    /// 반품유형: `RETURN` or `EXCHANGE_RETURN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_type: Option<String>,
    /// The items picked up.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub returndelivery_item_dtos: Vec<ReturnDeliveryItem>,
}

/// One item picked up for an exchange (`returndeliveryItemDtos[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnDeliveryItem {
    /// 옵션아이디: the order sheet item's `vendorItemId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_item_id: Option<u64>,
    /// 수량.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// 교환 항목.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeItem {
    /// 교환 상품 아이디 (internal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_item_id: Option<u64>,
    /// 원주문 아이템 ID: the ordered option's `vendorItemId` (옵션ID) in Coupang's sample, where it
    /// equals the `vendorItemId` of the same request's pickup item; not the `targetItemId` (the
    /// option wanted) nor a `shipmentBoxId` (that is `originalShipmentBoxId`).
    pub order_item_id: u64,
    /// 원주문 아이템 단가.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_item_unit_price: Option<i64>,
    /// 원주문 아이템 명.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_item_name: Option<String>,
    /// 교환 아이템 ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_item_id: Option<u64>,
    /// 교환 아이템 단가.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_item_unit_price: Option<i64>,
    /// 교환 아이템 명: the requested option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_item_name: Option<String>,
    /// 수량.
    pub quantity: u32,
    /// 원 배송번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_shipment_box_id: Option<u64>,
}

/// `POST …/vendors/{vendorId}/orders/invoices` body (송장업로드 처리).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceUploadRequest {
    /// 판매자 ID.
    pub vendor_id: String,
    /// 배송지시 변경 대상 목록.
    pub order_sheet_invoice_apply_dtos: Vec<InvoiceApply>,
}

/// One item of an invoice upload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceApply {
    /// 배송번호.
    pub shipment_box_id: u64,
    /// 주문번호.
    pub order_id: u64,
    /// 옵션ID.
    pub vendor_item_id: u64,
    /// 택배사 코드 (`CJGLS`, `HYUNDAI`, `HANJIN`, `KGB`, `EPOST`, …).
    pub delivery_company_code: String,
    /// 송장번호.
    pub invoice_number: String,
    /// 분리배송 여부.
    pub split_shipping: bool,
    /// 기 분리배송 진행 여부.
    pub pre_split_shipped: bool,
    /// 출고예정일 (empty unless split).
    pub estimated_shipping_date: String,
}

/// Invoice upload answer: `data.responseCode` 0 and every `responseList[].succeed` true on
/// success.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceUploadResponse {
    /// Response code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<InvoiceUploadData>,
}

/// The `data` of [`InvoiceUploadResponse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceUploadData {
    /// 0: all succeeded; 1: partly; 99: failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i64>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_message: Option<String>,
    /// Per shipment box.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub response_list: Vec<InvoiceUploadResult>,
}

/// The result for one shipment box.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceUploadResult {
    /// 배송번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_box_id: Option<u64>,
    /// 성공여부.
    #[serde(default)]
    pub succeed: bool,
    /// 결과 코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// 결과 메시지.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_message: Option<String>,
    /// 재시도 필요 여부.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_required: Option<bool>,
}

/// `PUT …/vendors/{vendorId}/ordersheets/acknowledgement` body (상품준비중 처리): at most 50
/// shipment boxes per call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgementRequest {
    /// 판매자 ID.
    pub vendor_id: String,
    /// 묶음배송번호 to move from 결제완료 (ACCEPT) to 상품준비중 (INSTRUCT).
    pub shipment_box_ids: Vec<u64>,
}

/// The acknowledgement's answer: the same `OrderSheetResponse` as the invoice upload's
/// (`data.responseCode` 0 all, 1 partly, 99 none; one `responseList` entry per box).
pub type AcknowledgementResponse = InvoiceUploadResponse;

/// `GET …/vendors/{vendorId}/returnWithdrawRequests` response (반품철회 이력 기간별 조회, "Query
/// return withdrawal history by date range",
/// <https://developers.coupangcorp.com/hc/en-us/articles/360034027354>, checked 2026-12-02).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnWithdrawRequestsResponse {
    /// Response code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The withdrawals.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub data: Vec<ReturnWithdrawal>,
    /// The `pageIndex` of the next page; empty on the last page.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_page_index: Option<String>,
}

/// One withdrawn return or stop-shipment request (반품철회).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnWithdrawal {
    /// The withdrawn request's `receiptId` (반품 접수번호).
    pub cancel_id: u64,
    /// 주문번호.
    pub order_id: u64,
    /// 판매자 ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    /// Whose fault the return was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_delivery_duty: Option<String>,
    /// When the buyer withdrew it.
    pub created_at: String,
    /// The options (옵션ID) of the withdrawn request.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vendor_item_ids: Vec<u64>,
}
