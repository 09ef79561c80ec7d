//! The history of claims (R9–R18, R3, R27): holds, claims and their steps, pickups, kept
//! marketplace records.

use super::Described;
use crate::event::Change;

/// The words for `change`, if it is of this area.
pub(super) fn describe(change: &Change) -> Option<Described> {
    match change {
        Change::HoldPlaced { hold, .. } => Some(("보류설정".into(), None, Some(hold.to_string()))),
        Change::HoldReleased { hold, .. } => {
            Some(("보류해제".into(), Some(hold.to_string()), None))
        }
        Change::ClaimOpened(claim) => Some((
            format!(
                "{} 접수 {} ({})",
                claim.kind.korean(),
                claim.id,
                claim.reason.korean()
            ),
            None,
            Some(claim.progress.korean().to_owned()),
        )),
        Change::ClaimAccepted { claim, .. } => {
            Some((format!("클레임 {claim} 처리 시작"), None, None))
        }
        Change::ExchangeArranged { claim, details, .. } => Some((
            format!(
                "교환 {claim} 교환상품 지정 ({}건)",
                details.replacements.len()
            ),
            None,
            details.replacement_order.map(|o| format!("교환주문 {o}")),
        )),
        Change::ClaimConverted { claim, to, .. } => Some((
            format!(
                "교환 {claim}: 판매처가 교환주문을 생성하므로 {}로 처리",
                to.korean()
            ),
            Some("교환".into()),
            Some(to.korean().to_owned()),
        )),
        Change::ClaimCompleted { claim, .. } => Some((format!("클레임 {claim} 완료"), None, None)),
        Change::ClaimClosedUndone {
            claim,
            progress,
            reason,
            ..
        } => Some((
            format!(
                "클레임 {claim} {}{}",
                progress.korean(),
                reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            None,
            None,
        )),
        Change::ReplacementLinesAdded { lines, .. } => Some((
            format!(
                "배송전 교환: 교환상품 추가 {}",
                lines
                    .iter()
                    .map(|l| format!("{} {} {}개", l.product_name, l.option, l.quantity))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
            None,
        )),
        Change::Cafe24ExchangeResolved { mode, .. } => Some((
            match mode {
                crate::exchange::Cafe24ExchangeMode::ConsoleOnly => {
                    "카페24 교환: 콘솔에서만 처리 (송장 자동전송, 구매자 안내 권장)".into()
                }
                crate::exchange::Cafe24ExchangeMode::Both => {
                    "카페24 교환: 양쪽 처리 (카페24에 송장 직접 입력)".into()
                }
            },
            None,
            None,
        )),
        Change::ClaimAfterConfirmationKept { request, .. } => Some((
            format!(
                "구매확정 후 {}요청 보관 (접수 불가, 처리 필요){}",
                request.kind.korean(),
                request
                    .claim_no
                    .as_ref()
                    .map(|no| format!(" 클레임번호 {no}"))
                    .unwrap_or_default()
            ),
            None,
            None,
        )),
        Change::ClaimAfterConfirmationClosed { .. } => {
            Some(("구매확정 후 반품/교환요청 처리완료".into(), None, None))
        }
        Change::UnmatchedCancelKept(record) => Some((
            format!(
                "미매칭 취소 보관 {} {} {}",
                record.marketplace, record.keys.order_no, record.status
            ),
            None,
            None,
        )),
        Change::KeptCancelMatched(record) => Some((
            format!(
                "보관 취소 적용 {} {} {}",
                record.marketplace, record.keys.order_no, record.status
            ),
            None,
            None,
        )),
        Change::PickupCreated(pickup) => Some((
            format!(
                "수거등록 {} (회수요청 {}, 수거비 {} {})",
                pickup.id,
                if pickup.plan.request_carrier {
                    "사용"
                } else {
                    "미사용"
                },
                pickup.plan.fee,
                pickup.plan.fee_payment.korean()
            ),
            None,
            Some(pickup.state.korean().into()),
        )),
        Change::PickupStarted { pickup, .. } => Some((
            format!("수거중 {pickup}"),
            Some("예정".into()),
            Some("수거중".into()),
        )),
        Change::PickupArrived {
            pickup,
            before,
            after,
            ..
        } => Some((
            format!("수거도착 {pickup}"),
            Some(before.korean().into()),
            Some(after.korean().into()),
        )),
        Change::Restocked { pickup, lines, .. } => Some((
            format!(
                "반품입고 {pickup} ({}개)",
                lines.iter().map(|(_, u)| u).sum::<u32>()
            ),
            None,
            None,
        )),
        _ => None,
    }
}
