//! The history of Kakao Style exchanges (R19–R24).

use super::Described;
use crate::event::Change;

/// The words for `change`, if it is of this area.
pub(super) fn describe(change: &Change) -> Option<Described> {
    match change {
        Change::ExchangeMoved { from, to, .. } => Some((
            "교환상태 변경".into(),
            Some(from.korean().into()),
            Some(to.korean().into()),
        )),
        Change::ExchangeEdited { options, .. } => Some((
            "교환 상품 정보 수정".into(),
            Some(
                options
                    .iter()
                    .map(|o| o.1.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Some(
                options
                    .iter()
                    .map(|o| o.2.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        )),
        Change::ExchangeDelayNoticed { notice, .. } => Some((
            "교환 배송 연기 안내 (알림톡 발송)".into(),
            None,
            Some(notice.due.to_rfc3339()),
        )),
        Change::ExchangeLate { penalty, .. } => Some((
            "교환배송지연 (페널티)".into(),
            Some(penalty.missed_due.to_rfc3339()),
            None,
        )),
        Change::ReplacementInvoiceSet { before, after, .. } => Some((
            "교환 송장 정보".into(),
            before.as_ref().map(|(c, n)| format!("{c} {n}")),
            Some(format!("{} {}", after.0, after.1)),
        )),
        _ => None,
    }
}
