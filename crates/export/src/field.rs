//! The columns an operator may put in an export: one row per order line, each field read from
//! the line or from its order.

use chrono::{DateTime, Utc};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceTable};
use jumun_core::order::{Line, Order};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A column's content. Stored in templates (IndexedDB) by its snake-case name, so a variant is
/// never renamed: add a new one instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 관리번호: the console's order number.
    ManagementNo,
    /// 판매처: the marketplace's Korean name (its code when the table does not know it).
    Marketplace,
    /// 주문번호 at the marketplace.
    OrderNo,
    /// 주문상세번호: the marketplace's line number.
    LineNo,
    /// 판매처 상품코드.
    ProductCode,
    /// 품목코드: the stock item the product is linked to (R30).
    Sku,
    /// 주문일.
    OrderedAt,
    /// 결제일.
    PaidAt,
    /// 등록일: when the console collected or created the order.
    RegisteredAt,
    /// 주문상태 of the line (R2), in the console's words.
    Status,
    /// CS상태 of the line (정상/취소/반품/교환).
    ClaimState,
    /// 보류: the hold's kind and reason (R11), empty when the line is not held.
    Hold,
    /// 상품명.
    ProductName,
    /// 옵션.
    Option,
    /// 상품명 with the option in brackets, as courier forms want one 품목명.
    ProductAndOption,
    /// 수량.
    Quantity,
    /// 판매가 per unit.
    UnitPrice,
    /// 옵션추가금액 per unit (included in the 판매가).
    OptionPrice,
    /// 금액: 판매가 × 수량.
    Amount,
    /// 주문자.
    OrdererName,
    /// 주문자 휴대전화.
    OrdererPhone,
    /// 수령자.
    RecipientName,
    /// 수령자 휴대전화.
    RecipientPhone,
    /// 수령자 일반전화.
    RecipientLandline,
    /// 우편번호.
    Postcode,
    /// 주소.
    Address,
    /// 배송메모.
    DeliveryMemo,
    /// 택배사 of the invoice.
    Carrier,
    /// 송장번호.
    TrackingNo,
    /// 송장출력일: when the label was last printed.
    InvoicePrintedAt,
    /// 출고일: when the parcel was marked shipped (배송처리일).
    ShippedAt,
    /// 배송완료일.
    DeliveredAt,
    /// 구매확정일.
    ConfirmedAt,
    /// 취소일: when the order was cancelled.
    CancelledAt,
    /// 합포번호: the bundle the order ships in (R6).
    Bundle,
    /// 메모: the order's 주문메모 and C/S메모, oldest first, one per line of the cell.
    Memos,
}

/// How a field's values are written: text stays text (Excel's `@` format, so `010…` keeps its
/// zero and a 12-digit invoice number never becomes `5.12346E+11`), the rest are numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Text, including every number-like identifier (phones, order and invoice numbers).
    Text,
    /// A plain count.
    Number,
    /// Won, shown with thousands separators.
    Money,
    /// A date and time, in Korea's time zone.
    Date,
}

/// One cell's value, as a field reads it from a line and its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// Nothing to show (an empty text, a date not reached yet).
    Empty,
    /// Text, exactly as the order holds it.
    Text(Cow<'a, str>),
    /// A count.
    Number(i64),
    /// Won.
    Money(i64),
    /// A moment, shown in Korea's time zone.
    Date(DateTime<Utc>),
}

impl<'a> Value<'a> {
    fn text(text: &'a str) -> Self {
        if text.is_empty() {
            Value::Empty
        } else {
            Value::Text(Cow::Borrowed(text))
        }
    }

    fn owned(text: String) -> Self {
        if text.is_empty() {
            Value::Empty
        } else {
            Value::Text(Cow::Owned(text))
        }
    }

    fn date(at: Option<DateTime<Utc>>) -> Self {
        at.map_or(Value::Empty, Value::Date)
    }
}

impl Field {
    /// Every field, in the order the template editor offers them.
    pub const ALL: &'static [Field] = &[
        Field::ManagementNo,
        Field::Marketplace,
        Field::OrderNo,
        Field::LineNo,
        Field::ProductCode,
        Field::Sku,
        Field::OrderedAt,
        Field::PaidAt,
        Field::RegisteredAt,
        Field::Status,
        Field::ClaimState,
        Field::Hold,
        Field::ProductName,
        Field::Option,
        Field::ProductAndOption,
        Field::Quantity,
        Field::UnitPrice,
        Field::OptionPrice,
        Field::Amount,
        Field::OrdererName,
        Field::OrdererPhone,
        Field::RecipientName,
        Field::RecipientPhone,
        Field::RecipientLandline,
        Field::Postcode,
        Field::Address,
        Field::DeliveryMemo,
        Field::Carrier,
        Field::TrackingNo,
        Field::InvoicePrintedAt,
        Field::ShippedAt,
        Field::DeliveredAt,
        Field::ConfirmedAt,
        Field::CancelledAt,
        Field::Bundle,
        Field::Memos,
    ];

    /// The Korean name operators know the field by: a new column's header.
    pub fn korean(self) -> &'static str {
        match self {
            Field::ManagementNo => "관리번호",
            Field::Marketplace => "판매처",
            Field::OrderNo => "주문번호",
            Field::LineNo => "주문상세번호",
            Field::ProductCode => "상품코드",
            Field::Sku => "품목코드",
            Field::OrderedAt => "주문일",
            Field::PaidAt => "결제일",
            Field::RegisteredAt => "등록일",
            Field::Status => "주문상태",
            Field::ClaimState => "CS상태",
            Field::Hold => "보류",
            Field::ProductName => "상품명",
            Field::Option => "옵션",
            Field::ProductAndOption => "상품명(옵션)",
            Field::Quantity => "수량",
            Field::UnitPrice => "판매가",
            Field::OptionPrice => "옵션추가금액",
            Field::Amount => "금액",
            Field::OrdererName => "주문자",
            Field::OrdererPhone => "주문자 휴대전화",
            Field::RecipientName => "수령자",
            Field::RecipientPhone => "수령자 휴대전화",
            Field::RecipientLandline => "수령자 전화",
            Field::Postcode => "우편번호",
            Field::Address => "주소",
            Field::DeliveryMemo => "배송메모",
            Field::Carrier => "택배사",
            Field::TrackingNo => "송장번호",
            Field::InvoicePrintedAt => "송장출력일",
            Field::ShippedAt => "출고일",
            Field::DeliveredAt => "배송완료일",
            Field::ConfirmedAt => "구매확정일",
            Field::CancelledAt => "취소일",
            Field::Bundle => "합포번호",
            Field::Memos => "메모",
        }
    }

    /// How the field's values are written.
    pub fn kind(self) -> FieldKind {
        match self {
            Field::Quantity => FieldKind::Number,
            Field::UnitPrice | Field::OptionPrice | Field::Amount => FieldKind::Money,
            Field::OrderedAt
            | Field::PaidAt
            | Field::RegisteredAt
            | Field::InvoicePrintedAt
            | Field::ShippedAt
            | Field::DeliveredAt
            | Field::ConfirmedAt
            | Field::CancelledAt => FieldKind::Date,
            _ => FieldKind::Text,
        }
    }

    /// A column width (in Excel's character units) that fits the field's usual values.
    pub(crate) fn usual_width(self) -> u32 {
        match self.kind() {
            FieldKind::Date => 19,
            FieldKind::Money => 12,
            FieldKind::Number => 6,
            FieldKind::Text => match self {
                Field::Address => 50,
                Field::ProductAndOption => 40,
                Field::ProductName | Field::DeliveryMemo | Field::Memos | Field::Hold => 30,
                Field::OrderNo | Field::LineNo | Field::Option => 20,
                Field::TrackingNo
                | Field::OrdererPhone
                | Field::RecipientPhone
                | Field::RecipientLandline
                | Field::ProductCode
                | Field::Sku => 15,
                Field::Marketplace | Field::Carrier => 12,
                _ => 10,
            },
        }
    }

    /// This field's value for one line of an order.
    pub fn value<'a>(self, order: &'a Order, line: &'a Line) -> Value<'a> {
        let delivery = &order.delivery;
        let invoice = order.invoice.as_ref();
        match self {
            Field::ManagementNo => Value::owned(order.id.to_string()),
            Field::Marketplace => Value::text(marketplace_name(&order.marketplace)),
            Field::OrderNo => Value::text(&order.order_no),
            Field::LineNo => Value::text(line.keys.line_no.as_deref().unwrap_or_default()),
            Field::ProductCode => {
                Value::text(line.keys.product_code.as_deref().unwrap_or_default())
            }
            Field::Sku => line
                .sku
                .as_ref()
                .map_or(Value::Empty, |sku| Value::text(&sku.0)),
            Field::OrderedAt => Value::Date(order.dates.ordered_at),
            Field::PaidAt => Value::date(order.dates.paid_at),
            Field::RegisteredAt => Value::Date(order.dates.registered_at),
            Field::Status => Value::text(line.status.korean()),
            Field::ClaimState => Value::text(line.claim_state.korean()),
            Field::Hold => line
                .hold
                .as_ref()
                .map_or(Value::Empty, |hold| Value::owned(hold.to_string())),
            Field::ProductName => Value::text(&line.product_name),
            Field::Option => Value::text(&line.option),
            Field::ProductAndOption => {
                if line.option.is_empty() {
                    Value::text(&line.product_name)
                } else {
                    Value::owned(format!("{} [{}]", line.product_name, line.option))
                }
            }
            Field::Quantity => Value::Number(i64::from(line.quantity)),
            Field::UnitPrice => Value::Money(line.unit_price.0),
            Field::OptionPrice => Value::Money(line.option_price.0),
            // Saturating: a marketplace's absurd price must not stop the export.
            Field::Amount => {
                Value::Money(line.unit_price.0.saturating_mul(i64::from(line.quantity)))
            }
            Field::OrdererName => Value::text(&delivery.orderer_name),
            Field::OrdererPhone => Value::text(&delivery.orderer_phone),
            Field::RecipientName => Value::text(&delivery.recipient_name),
            Field::RecipientPhone => Value::text(&delivery.recipient_phone),
            Field::RecipientLandline => Value::text(&delivery.recipient_landline),
            Field::Postcode => Value::text(&delivery.postcode),
            Field::Address => Value::text(&delivery.address),
            Field::DeliveryMemo => Value::text(&delivery.memo),
            Field::Carrier => invoice.map_or(Value::Empty, |invoice| {
                Value::owned(invoice.carrier.to_string())
            }),
            Field::TrackingNo => {
                invoice.map_or(Value::Empty, |invoice| Value::text(&invoice.tracking_no))
            }
            Field::InvoicePrintedAt => Value::date(invoice.and_then(|invoice| invoice.printed_at)),
            Field::ShippedAt => Value::date(order.dates.shipped_at),
            Field::DeliveredAt => Value::date(order.dates.delivered_at),
            Field::ConfirmedAt => Value::date(order.dates.confirmed_at),
            Field::CancelledAt => Value::date(order.dates.cancelled_at),
            Field::Bundle => order
                .bundle
                .map_or(Value::Empty, |bundle| Value::owned(bundle.to_string())),
            Field::Memos => match order.memos.as_slice() {
                [] => Value::Empty,
                [memo] => Value::text(&memo.text),
                memos => Value::owned(
                    memos
                        .iter()
                        .map(|memo| memo.text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            },
        }
    }
}

/// The Korean name of a marketplace of the built-in table, else its code.
fn marketplace_name(code: &MarketplaceCode) -> &str {
    MarketplaceTable::builtin()
        .get(code)
        .map_or(code.as_str(), |profile| profile.korean_name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_offered_once() {
        for (i, field) in Field::ALL.iter().enumerate() {
            assert!(
                !Field::ALL[..i].contains(field),
                "{field:?} is listed twice"
            );
        }
    }

    #[test]
    fn korean_names_are_distinct() {
        for (i, field) in Field::ALL.iter().enumerate() {
            for other in &Field::ALL[..i] {
                assert_ne!(field.korean(), other.korean(), "{field:?} and {other:?}");
            }
        }
    }

    #[test]
    fn known_marketplaces_show_their_korean_name_and_others_their_code() {
        assert_eq!(marketplace_name(&MarketplaceCode::from("coupang")), "쿠팡");
        assert_eq!(
            marketplace_name(&MarketplaceCode::from("new-mall")),
            "new-mall"
        );
    }
}
