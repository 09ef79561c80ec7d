//! The history of the lifecycle (R1–R4, R28, R29): collected, paid, invoiced, printed, shipped,
//! delivered, confirmed, uploaded; labels; memos.

use super::Described;
use crate::event::Change;

/// The words for `change`, if it is of this area.
pub(super) fn describe(change: &Change) -> Option<Described> {
    match change {
        Change::OrderCreated(order) => Some((
            format!(
                "주문 등록 ({} 주문번호 {})",
                order.marketplace, order.order_no
            ),
            None,
            Some(order.status().korean().to_owned()),
        )),
        Change::PaymentConfirmed { .. } => Some((
            "입금확인".into(),
            Some("결제대기".into()),
            Some("상품준비".into()),
        )),
        Change::InvoiceIssued { invoice, .. } => Some((
            format!("송장입력 {} {}", invoice.carrier, invoice.tracking_no),
            Some("상품준비".into()),
            Some("배송대기".into()),
        )),
        Change::InvoiceVoided { invoice, .. } => Some((
            format!("송장삭제 {}", invoice.tracking_no),
            Some("배송대기".into()),
            Some("상품준비".into()),
        )),
        Change::InvoicePrinted {
            tracking_no,
            reprint,
            ..
        } => Some((
            format!(
                "{} {tracking_no}",
                if *reprint {
                    "송장재출력"
                } else {
                    "송장출력"
                }
            ),
            None,
            None,
        )),
        Change::Shipped { tracking_no, .. } => Some((
            format!("배송처리 {tracking_no}"),
            Some("배송대기".into()),
            Some("배송중".into()),
        )),
        Change::Delivered { .. } => Some((
            "배송완료".into(),
            Some("배송중".into()),
            Some("배송완료".into()),
        )),
        Change::PurchaseConfirmed { automatic, .. } => Some((
            if *automatic {
                "구매확정 (배송완료 7일 후 자동)".into()
            } else {
                "구매확정".into()
            },
            Some("배송완료".into()),
            Some("구매확정".into()),
        )),
        Change::InvoiceUploaded { tracking_no, .. } => {
            Some((format!("송장전송 {tracking_no}"), None, None))
        }
        Change::LabelOutdated { .. } => Some((
            "출력한 송장의 상품이 바뀜: 송장 재출력 필요".into(),
            None,
            None,
        )),
        Change::MemoAdded { memo, .. } => Some((format!("메모: {}", memo.text), None, None)),
        _ => None,
    }
}
