//! CS이력: an order's history (R31) — every change by an operator, a sync or an automatic rule,
//! with time, actor and before/after, read straight from the events.

use crate::context::Actor;
use crate::event::{Change, Event};
use crate::ids::OrderId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What, in the console's Korean words.
    pub what: String,
    /// The value before, where one changed.
    pub before: Option<String>,
    /// The value after, where one changed.
    pub after: Option<String>,
}

/// The history of one order, oldest first, from the events that touch it.
pub fn of_order<'e>(
    events: impl IntoIterator<Item = &'e Event>,
    order: OrderId,
) -> Vec<HistoryEntry> {
    events
        .into_iter()
        .filter(|event| event.orders().contains(&order))
        .map(entry)
        .collect()
}

/// Describes one event.
pub fn entry(event: &Event) -> HistoryEntry {
    let (what, before, after): (String, Option<String>, Option<String>) = match &event.change {
        Change::OrderCreated(order) => (
            format!(
                "주문 등록 ({} 주문번호 {})",
                order.marketplace, order.order_no
            ),
            None,
            Some(order.status().korean().to_owned()),
        ),
        Change::PaymentConfirmed { .. } => (
            "입금확인".into(),
            Some("결제대기".into()),
            Some("상품준비".into()),
        ),
        Change::InvoiceIssued { invoice, .. } => (
            format!("송장입력 {} {}", invoice.carrier, invoice.tracking_no),
            Some("상품준비".into()),
            Some("배송대기".into()),
        ),
        Change::InvoiceVoided { invoice, .. } => (
            format!("송장삭제 {}", invoice.tracking_no),
            Some("배송대기".into()),
            Some("상품준비".into()),
        ),
        Change::InvoicePrinted {
            tracking_no,
            reprint,
            ..
        } => (
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
        ),
        Change::Shipped { tracking_no, .. } => (
            format!("배송처리 {tracking_no}"),
            Some("배송대기".into()),
            Some("배송중".into()),
        ),
        Change::Delivered { .. } => (
            "배송완료".into(),
            Some("배송중".into()),
            Some("배송완료".into()),
        ),
        Change::PurchaseConfirmed { automatic, .. } => (
            if *automatic {
                "구매확정 (배송완료 7일 후 자동)".into()
            } else {
                "구매확정".into()
            },
            Some("배송완료".into()),
            Some("구매확정".into()),
        ),
        Change::InvoiceUploaded { tracking_no, .. } => {
            (format!("송장전송 {tracking_no}"), None, None)
        }
        Change::DeliveryInfoChanged { before, after, .. } => (
            "배송정보변경 (합포 전체)".into(),
            Some(format!(
                "{} {} {}",
                before.recipient_name, before.recipient_phone, before.address
            )),
            Some(format!(
                "{} {} {}",
                after.recipient_name, after.recipient_phone, after.address
            )),
        ),
        Change::Bundled { bundle, orders } => {
            (format!("합포 {bundle} ({}건)", orders.len()), None, None)
        }
        Change::Unbundled { bundle, .. } => (format!("합포해제 {bundle}"), None, None),
        Change::NoBundleSet { no_bundle, .. } => (
            "합포금지".into(),
            Some((!no_bundle).to_string()),
            Some(no_bundle.to_string()),
        ),
        Change::LineDivided {
            line,
            new_line,
            quantity,
            ..
        } => (
            format!("수량 나누기 {line} → {new_line} ({quantity}개)"),
            None,
            None,
        ),
        Change::OrderSplit {
            from,
            new_order,
            lines,
            ..
        } => (
            format!("주문나누기 {from} → {new_order} ({}개 상품)", lines.len()),
            None,
            None,
        ),
        Change::OrdersMerged { into, from, .. } => {
            (format!("주문합치기 {from} → {into}"), None, None)
        }
        Change::HoldPlaced { hold, .. } => ("보류설정".into(), None, Some(hold.to_string())),
        Change::HoldReleased { hold, .. } => ("보류해제".into(), Some(hold.to_string()), None),
        Change::ClaimOpened(claim) => (
            format!(
                "{} 접수 {} ({})",
                claim.kind.korean(),
                claim.id,
                claim.reason.korean()
            ),
            None,
            Some(format!("{:?}", claim.progress)),
        ),
        Change::ClaimConverted { claim, to, .. } => (
            format!(
                "교환 {claim}: 판매처가 교환주문을 생성하므로 {}로 처리",
                to.korean()
            ),
            Some("교환".into()),
            Some(to.korean().to_owned()),
        ),
        Change::ClaimAccepted { claim, .. } => (format!("클레임 {claim} 처리 시작"), None, None),
        Change::ExchangeArranged { claim, details, .. } => (
            format!(
                "교환 {claim} 교환상품 지정 ({}건)",
                details.replacements.len()
            ),
            None,
            details.replacement_order.map(|o| format!("교환주문 {o}")),
        ),
        Change::ClaimCompleted { claim, .. } => (format!("클레임 {claim} 완료"), None, None),
        Change::ClaimClosedUndone {
            claim,
            progress,
            reason,
            ..
        } => (
            format!(
                "클레임 {claim} {:?}{}",
                progress,
                reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            None,
            None,
        ),
        Change::PickupCreated(pickup) => (
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
        ),
        Change::PickupStarted { pickup, .. } => (
            format!("수거중 {pickup}"),
            Some("예정".into()),
            Some("수거중".into()),
        ),
        Change::PickupArrived {
            pickup,
            before,
            after,
            ..
        } => (
            format!("수거도착 {pickup}"),
            Some(before.korean().into()),
            Some(after.korean().into()),
        ),
        Change::Restocked { pickup, lines, .. } => (
            format!(
                "반품입고 {pickup} ({}개)",
                lines.iter().map(|(_, u)| u).sum::<u32>()
            ),
            None,
            None,
        ),
        Change::ExchangeMoved { from, to, .. } => (
            "교환상태 변경".into(),
            Some(from.korean().into()),
            Some(to.korean().into()),
        ),
        Change::ExchangeEdited { options, .. } => (
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
        ),
        Change::ExchangeDelayNoticed { notice, .. } => (
            "교환 배송 연기 안내 (알림톡 발송)".into(),
            None,
            Some(notice.due.to_rfc3339()),
        ),
        Change::ExchangeLate { penalty, .. } => (
            "교환배송지연 (페널티)".into(),
            Some(penalty.missed_due.to_rfc3339()),
            None,
        ),
        Change::ReplacementInvoiceSet { before, after, .. } => (
            "교환 송장 정보".into(),
            before.as_ref().map(|(c, n)| format!("{c} {n}")),
            Some(format!("{} {}", after.0, after.1)),
        ),
        Change::Cafe24ExchangeResolved { mode, .. } => (
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
        ),
        Change::ReplacementLinesAdded { lines, .. } => (
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
        ),
        Change::LabelOutdated { .. } => (
            "출력한 송장의 상품이 바뀜: 송장 재출력 필요".into(),
            None,
            None,
        ),
        Change::ClaimAfterConfirmationKept { request, .. } => (
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
        ),
        Change::ClaimAfterConfirmationClosed { .. } => {
            ("구매확정 후 반품/교환요청 처리완료".into(), None, None)
        }
        Change::UnmatchedCancelKept(record) => (
            format!(
                "미매칭 취소 보관 {} {} {}",
                record.marketplace, record.keys.order_no, record.status
            ),
            None,
            None,
        ),
        Change::StockItemRegistered(item) => (format!("재고 등록 {}", item.sku), None, None),
        Change::StockAdjusted { sku, delta, before } => (
            format!("재고조정 {sku}"),
            Some(before.to_string()),
            Some((before + delta).to_string()),
        ),
        Change::ProductLinked {
            product,
            sku,
            before,
            ..
        } => (
            format!("매칭 {} {}", product.product, product.option),
            before.as_ref().map(ToString::to_string),
            Some(sku.to_string()),
        ),
        Change::ProductUnlinked { product, sku, .. } => (
            format!("매칭삭제 {} {}", product.product, product.option),
            Some(sku.to_string()),
            None,
        ),
        Change::MemoAdded { memo, .. } => (format!("메모: {}", memo.text), None, None),
    };
    HistoryEntry {
        at: event.at,
        actor: event.actor.clone(),
        what,
        before,
        after,
    }
}
