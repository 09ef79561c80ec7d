//! Each refusal in the operator's words: which order, line or claim, why in one sentence, and
//! what to do next, in the words of the CS window (보류, 합포, 송장, 출고, 수거, 교환 …).
//!
//! The match has no catch-all arm on purpose: a new refusal does not compile until it has its
//! Korean text. Ids are written as the console shows them (`주문 1042`, `상품 L12`, `클레임 C5`,
//! `수거 P3`, `합포 B2`); the engine's English detail (an internal inconsistency, an entity kind)
//! stays in the English `Display`, for logs.

use super::{Action, Refusal};
use crate::time::KOREA;
use chrono::{DateTime, Datelike, Timelike, Utc};

impl Refusal {
    /// What the console shows the operator: the refusal in Korean, naming what it is about, why,
    /// and what to do next. (`Display` is the English text, for logs and the API.)
    pub fn korean(&self) -> String {
        match self {
            Refusal::UnknownOrder(order) => format!(
                "주문 {order}이(가) 콘솔에 없습니다. 아직 수집되지 않았을 수 있으니 다시 \
                 검색하거나 주문수집을 실행하세요."
            ),
            Refusal::UnknownLine { order, line } => format!(
                "주문 {order}에 상품 {line}이(가) 없습니다. 주문나누기나 합치기로 바뀌었을 수 \
                 있으니 주문을 새로 불러오세요."
            ),
            Refusal::UnknownClaim(claim) => {
                format!("클레임 {claim}이(가) 없습니다. 주문을 새로 불러와 클레임을 다시 고르세요.")
            }
            Refusal::UnknownPickup(pickup) => {
                format!("수거 {pickup}이(가) 없습니다. 수거/회수 목록을 새로 불러와 다시 고르세요.")
            }
            Refusal::UnknownBundle(bundle) => format!(
                "합포 {bundle}이(가) 없습니다. 이미 해제되었을 수 있으니 주문을 새로 불러와 \
                 확인하세요."
            ),
            Refusal::UnknownSku(sku) => format!(
                "품목코드 {sku}은(는) 재고에 등록되지 않은 품목입니다. 재고 화면에서 품목을 먼저 \
                 등록하세요."
            ),
            Refusal::UnknownMarketplace(marketplace) => format!(
                "판매처 {}은(는) 콘솔의 판매처 목록에 없습니다. 설정에서 판매처 연동을 \
                 확인하세요.",
                marketplace.korean_name()
            ),
            Refusal::UnknownInvoice(tracking_no) => format!(
                "송장번호 {tracking_no}에 해당하는 주문이 없습니다. 스캔한 번호를 확인하거나 \
                 송장을 먼저 발급하세요."
            ),
            Refusal::IdTaken { id, .. } => format!(
                "새로 만들 번호 {id}이(가) 이미 쓰이고 있어 저장하지 않았습니다. 화면을 새로 \
                 고친 뒤 다시 처리하고, 계속되면 관리자에게 알려 주세요."
            ),
            Refusal::NothingSelected => {
                "선택한 상품이 없어 처리할 수 없습니다. 처리할 상품을 한 개 이상 고르세요."
                    .to_owned()
            }
            Refusal::BadQuantity {
                line,
                asked,
                available,
            } => format!(
                "상품 {line}의 수량은 1개부터 {available}개까지인데 {asked}개를 입력했습니다. \
                 수량을 고쳐 다시 처리하세요."
            ),
            Refusal::IllegalTransition { line, from, action } => format!(
                "상품 {line}은(는) {from} 상태라 {} 수 없습니다. 주문을 새로 불러와 상태를 \
                 확인하세요.",
                action.korean()
            ),
            Refusal::OnHold { order, line, hold } => format!(
                "주문 {order}의 상품 {line}이(가) {} 중이라 송장 발급·출력·배송처리를 할 수 \
                 없습니다. 보류를 먼저 해결하세요.",
                hold.korean()
            ),
            Refusal::AllCancelled(order) => format!(
                "주문 {order}의 모든 상품이 취소 또는 교환되어 배송할 것이 없습니다. 이 주문은 \
                 송장 처리에서 빼세요."
            ),
            Refusal::ClaimStateForbids {
                line,
                state,
                action,
            } => format!(
                "상품 {line}은(는) CS상태 {state}에서 {} 수 없습니다. 상품의 CS상태와 진행 중인 \
                 클레임을 확인하세요.",
                action.korean()
            ),
            Refusal::ClaimAlreadyOpen { line, claim } => format!(
                "상품 {line}에 이미 진행 중인 클레임 {claim}이(가) 있습니다. 그 클레임을 먼저 \
                 처리하거나 철회하세요."
            ),
            Refusal::CancelAfterShipping { line, status } => format!(
                "상품 {line}은(는) 이미 출고되어({status}) 취소할 수 없습니다. 반품으로 \
                 처리하세요."
            ),
            Refusal::NotShippedYet { line, status } => format!(
                "상품 {line}은(는) 아직 출고되지 않아({status}) 반품할 수 없습니다. 취소로 \
                 처리하세요."
            ),
            Refusal::PurchaseConfirmed(line) => format!(
                "상품 {line}은(는) 구매확정되어 반품·교환을 접수할 수 없습니다. 구매자와 따로 \
                 협의하세요."
            ),
            Refusal::CannotRevive(order) => format!(
                "주문 {order}은(는) 무통장입금 입금기한이 지나 취소된 주문이라 되살릴 수 \
                 없습니다. 판매자 주문 생성으로 새 주문을 만드세요."
            ),
            Refusal::NoInvoice(order) => {
                format!("주문 {order}에 아직 송장이 없습니다. 송장을 먼저 발급하세요.")
            }
            Refusal::InvoiceAlreadyIssued { order, tracking_no } => format!(
                "주문 {order}에는 이미 송장 {tracking_no}이(가) 발급되어 있습니다. 새 송장을 \
                 발급하려면 먼저 이 송장을 취소하세요."
            ),
            Refusal::TrackingNoInUse { tracking_no, order } => format!(
                "송장번호 {tracking_no}은(는) 이미 주문 {order}에서 쓰고 있습니다. 송장번호를 \
                 확인해 다른 번호를 입력하세요."
            ),
            Refusal::MissingInvoiceNumber => {
                "택배사나 송장번호가 비어 있습니다. 둘 다 입력한 뒤 다시 처리하세요.".to_owned()
            }
            Refusal::NotPrinted(order) => format!(
                "주문 {order}의 송장이 아직 출력되지 않았습니다. 송장을 출력한 뒤 배송처리하세요."
            ),
            Refusal::LabelOutdated(order) => format!(
                "주문 {order}의 배송정보가 송장출력 후에 바뀌었습니다. 송장을 다시 출력한 뒤 \
                 배송처리하세요."
            ),
            Refusal::NoBundle(order) => format!(
                "주문 {order}은(는) 합포금지 주문이라 합포할 수 없습니다. 따로 배송하거나 \
                 합포금지 설정을 먼저 해제하세요."
            ),
            Refusal::DifferentDestination(first, second) => format!(
                "주문 {first}와(과) 주문 {second}은(는) 수령자나 주소가 달라 합포할 수 없습니다. \
                 배송정보를 확인하고 따로 배송하세요."
            ),
            Refusal::BundleTooSmall => {
                "합포할 주문이 한 건뿐입니다. 합포할 주문을 두 건 이상 고르세요.".to_owned()
            }
            Refusal::AlreadyBundled { order, bundle } => format!(
                "주문 {order}은(는) 이미 합포 {bundle}에 묶여 있습니다. 다른 주문과 합포하려면 \
                 먼저 합포 {bundle}을(를) 해제하세요."
            ),
            Refusal::NotPreparing {
                order,
                status,
                action,
            } => format!(
                "주문 {order}은(는) {status} 상태라 {} 수 없습니다(합포·주문나누기·합치기는 \
                 송장이 없는 상품준비 주문만 됩니다). 송장이 있으면 먼저 송장을 취소하세요.",
                action.korean()
            ),
            Refusal::SplitTakesEverything(order) => format!(
                "주문나누기를 하면 주문 {order}에 남는 상품이 없습니다. 원래 주문에 한 개 이상 \
                 남도록 나눌 수량을 줄이세요."
            ),
            Refusal::NotSplitFamily(first, second) => format!(
                "주문 {first}와(과) 주문 {second}은(는) 한 주문에서 나뉜 주문이 아니라 합칠 수 \
                 없습니다. 주문나누기로 나뉜 주문끼리만 합치세요."
            ),
            Refusal::ClaimClosed { claim, progress } => format!(
                "클레임 {claim}은(는) 이미 {} 상태라 바꿀 수 없습니다. 필요하면 새 클레임을 \
                 접수하세요.",
                progress.korean()
            ),
            Refusal::WrongClaimKind {
                claim,
                actual,
                expected,
            } => format!(
                "클레임 {claim}은(는) {} 클레임이라 {} 처리를 할 수 없습니다. 클레임 종류에 \
                 맞는 메뉴에서 처리하세요.",
                actual.korean(),
                expected.korean()
            ),
            Refusal::ExchangeStateForbids {
                claim,
                state,
                action,
            } => exchange_state_forbids(*claim, state.korean(), action),
            Refusal::NotKakaoExchange(claim) => format!(
                "클레임 {claim}은(는) 카카오스타일(지그재그) 교환이 아닙니다. 교환관리가 아닌 \
                 클레임 화면에서 처리하세요."
            ),
            Refusal::ReasonRequired => {
                "교환 거부 사유가 비어 있습니다. 구매자가 읽을 거부 사유를 입력하세요.".to_owned()
            }
            Refusal::TooManyDelayNotices(claim) => format!(
                "교환 {claim}은(는) 이미 교환 배송 연기 안내를 두 번 했습니다(최대 2회). 더 \
                 연기하지 말고 교환 상품을 배송하세요."
            ),
            Refusal::DueDateOutOfRange { due, latest } => format!(
                "배송 예정일 {}은(는) 지금 이후, 연기 안내일로부터 15일 이내({}까지)여야 \
                 합니다. 배송 예정일을 다시 고르세요.",
                korean_time(due),
                korean_time(latest)
            ),
            Refusal::ExchangeToOtherProduct => {
                "교환은 같은 상품의 옵션만 바꿀 수 있습니다. 다른 상품으로 바꾸려면 반품 후 새 \
                 주문으로 처리하세요."
                    .to_owned()
            }
            Refusal::ReplacementMissing(line) => {
                format!("상품 {line}의 교환 상품이 정해지지 않았습니다. 보낼 옵션을 고르세요.")
            }
            Refusal::NotManualExchange(claim) => format!(
                "클레임 {claim}은(는) 콘솔에서 따로 처리할 카페24 교환이 아닙니다. 일반 교환 \
                 처리로 진행하세요."
            ),
            Refusal::PickupStateForbids {
                pickup,
                state,
                action,
            } => format!(
                "수거 {pickup}은(는) 수거상태 {}에서 {} 수 없습니다. 수거/회수 목록에서 \
                 수거상태를 확인하세요.",
                state.korean(),
                action.korean()
            ),
            Refusal::RestockTooMany {
                line,
                asked,
                arrivable,
            } => format!(
                "상품 {line}은(는) 재입고할 수 있는 도착수량이 {arrivable}개인데 {asked}개를 \
                 입력했습니다. 재입고 수량을 {arrivable}개 이하로 고치세요."
            ),
            Refusal::LineNotInClaim { line, .. } => format!(
                "상품 {line}은(는) 선택한 클레임이나 수거에 들어 있지 않습니다. 목록을 새로 \
                 불러와 상품을 다시 고르세요."
            ),
            Refusal::PickupPlanRequired => {
                "반품과 맞교환이 아닌 교환에는 수거정보가 필요합니다. 수거정보를 입력하거나 \
                 즉시완료를 고르세요."
                    .to_owned()
            }
            Refusal::Inconsistent(_) => {
                "콘솔의 주문 자료가 서로 맞지 않아 처리하지 않았습니다(작업자의 실수가 아닌 \
                 프로그램 오류입니다). 화면을 새로 고치고 관리자에게 알려 주세요."
                    .to_owned()
            }
            Refusal::AlreadyCollected {
                marketplace,
                order_no,
                existing,
            } => format!(
                "{} 주문번호 {order_no}은(는) 이미 수집되어 주문 {existing}에 있습니다. 주문 \
                 {existing}에서 처리하세요.",
                marketplace.korean_name()
            ),
            Refusal::NothingToUpload(order) => format!(
                "주문 {order}에는 판매처로 보낼 송장번호가 없습니다(이미 송장전송했거나 송장이 \
                 없습니다). 주문을 새로 불러와 송장 상태를 확인하세요."
            ),
            Refusal::IdBlockUsedUp => "새 번호가 부족합니다. 잠시 후 다시 시도하세요.".to_owned(),
            Refusal::ClaimMatchesNothing {
                marketplace,
                order_no,
            } => format!(
                "{} 주문번호 {order_no}의 클레임과 맞는 상품이 콘솔에 없습니다. 이 주문을 먼저 \
                 수집하세요.",
                marketplace.korean_name()
            ),
            Refusal::ReplacementOrderExists { claim, order } => format!(
                "교환 {claim}에는 이미 교환 주문 {order}이(가) 만들어져 있어 철회할 수 없습니다. \
                 주문 {order}을(를) 먼저 취소하세요."
            ),
            Refusal::PartNeedsLineId(line) => format!(
                "상품 {line}의 수량 일부만 처리하려면 나뉘는 상품에 붙일 새 번호가 필요한데 \
                 없습니다. 화면을 새로 고친 뒤 다시 처리하세요."
            ),
            Refusal::ManualExchangeRequired(claim) => format!(
                "클레임 {claim}은(는) 주문상세번호가 바뀐 카페24 교환입니다. '콘솔에서만 \
                 교환처리' 또는 '카페24와 콘솔 모두 교환처리'를 골라 처리하세요."
            ),
            Refusal::ExchangeLinesOfCollectedOrder {
                marketplace,
                order_no,
                lines,
            } => format!(
                "{} 주문번호 {order_no}의 새 상품({})은(는) 교환으로 주문상세번호가 바뀐 교환 \
                 상품이라, 두 번 배송(오배송)되지 않도록 수집하지 않았습니다. 원래 상품에서 \
                 CS창의 교환 처리를 진행하세요.",
                marketplace.korean_name(),
                lines.join(", ")
            ),
            Refusal::NothingToPickUp { line, status } => format!(
                "상품 {line}은(는) 아직 출고 전({status})이라 교환에 수거할 것도 배송비도 \
                 없습니다. 수거정보와 배송비를 빼고 다시 처리하세요."
            ),
            Refusal::UnknownClaimAfterConfirmation { order, request } => format!(
                "주문 {order}에 구매확정 후 요청 {request}이(가) 없습니다. 주문을 새로 \
                 불러오세요."
            ),
        }
    }
}

/// A Kakao Style exchange step refused in its state; settling other than by 동봉 or 송금 is
/// refused in every state, so it says so instead of blaming the state.
fn exchange_state_forbids(claim: crate::ids::ClaimId, state: &str, action: &Action) -> String {
    if *action == Action::SettleOtherThanEnclosedOrTransfer {
        return format!(
            "교환 {claim}의 교환 비용은 동봉이나 송금으로만 정산할 수 있습니다. 지불 방법을 \
             동봉이나 송금으로 고르세요."
        );
    }
    format!(
        "교환 {claim}은(는) {state} 상태라 {} 수 없습니다. 교환관리에서 교환 상태를 새로 \
         확인하세요.",
        action.korean()
    )
}

/// A time as the operator reads it: Korean time, to the minute.
fn korean_time(at: &DateTime<Utc>) -> String {
    // Field by field rather than `format("%Y-%m-%d %H:%M")`: chrono's strftime parser would
    // otherwise be built into the browser app for this (docs/wasm-size.md).
    let t = at.with_timezone(&KOREA);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::Action;
    use crate::claim::{ClaimKind, ClaimProgress, HoldKind};
    use crate::exchange::ExchangeState;
    use crate::ids::{BundleId, ClaimId, LineId, OrderId, PickupId};
    use crate::marketplace::MarketplaceCode;
    use crate::order::{ClaimState, LineStatus};
    use crate::pickup::PickupState;
    use crate::stock::Sku;
    use crate::Refusal;
    use chrono::{TimeZone, Utc};
    use std::collections::BTreeSet;

    /// One refusal of every kind, with plausible ids, and the text each carries that its message
    /// must name besides its numbers (a tracking number, a 주문번호, a code).
    fn samples() -> Vec<(Refusal, Vec<&'static str>)> {
        let (order, other_order) = (OrderId(1042), OrderId(1043));
        let line = LineId(3107);
        let claim = ClaimId(5120);
        vec![
            (Refusal::UnknownOrder(order), vec![]),
            (Refusal::UnknownLine { order, line }, vec![]),
            (Refusal::UnknownClaim(claim), vec![]),
            (Refusal::UnknownPickup(PickupId(708)), vec![]),
            (Refusal::UnknownBundle(BundleId(96)), vec![]),
            (
                Refusal::UnknownSku(Sku("TS-BK-095".into())),
                vec!["TS-BK-095"],
            ),
            (
                Refusal::UnknownMarketplace(MarketplaceCode("lotteon".into())),
                vec!["lotteon"],
            ),
            (
                Refusal::UnknownInvoice("640012345678".into()),
                vec!["640012345678"],
            ),
            (
                Refusal::IdTaken {
                    what: "claim".into(),
                    id: "5121".into(),
                },
                vec!["5121"],
            ),
            (Refusal::NothingSelected, vec![]),
            (
                Refusal::BadQuantity {
                    line,
                    asked: 25,
                    available: 12,
                },
                vec![],
            ),
            (
                Refusal::IllegalTransition {
                    line,
                    from: LineStatus::InTransit,
                    action: Action::IssueInvoice,
                },
                vec![],
            ),
            (
                Refusal::OnHold {
                    order,
                    line,
                    hold: HoldKind::Cancel,
                },
                vec![],
            ),
            (Refusal::AllCancelled(order), vec![]),
            (
                Refusal::ClaimStateForbids {
                    line,
                    state: ClaimState::Returning,
                    action: Action::Cancel,
                },
                vec![],
            ),
            (Refusal::ClaimAlreadyOpen { line, claim }, vec![]),
            (
                Refusal::CancelAfterShipping {
                    line,
                    status: LineStatus::Delivered,
                },
                vec![],
            ),
            (
                Refusal::NotShippedYet {
                    line,
                    status: LineStatus::Preparing,
                },
                vec![],
            ),
            (Refusal::PurchaseConfirmed(line), vec![]),
            (Refusal::CannotRevive(order), vec![]),
            (Refusal::NoInvoice(order), vec![]),
            (
                Refusal::InvoiceAlreadyIssued {
                    order,
                    tracking_no: "640012345678".into(),
                },
                vec!["640012345678"],
            ),
            (
                Refusal::TrackingNoInUse {
                    tracking_no: "640012345678".into(),
                    order: other_order,
                },
                vec!["640012345678"],
            ),
            (Refusal::MissingInvoiceNumber, vec![]),
            (Refusal::NotPrinted(order), vec![]),
            (Refusal::LabelOutdated(order), vec![]),
            (Refusal::NoBundle(order), vec![]),
            (Refusal::DifferentDestination(order, other_order), vec![]),
            (Refusal::BundleTooSmall, vec![]),
            (
                Refusal::AlreadyBundled {
                    order,
                    bundle: BundleId(96),
                },
                vec![],
            ),
            (
                Refusal::NotPreparing {
                    order,
                    status: LineStatus::ReadyToShip,
                    action: Action::Bundle,
                },
                vec![],
            ),
            (Refusal::SplitTakesEverything(order), vec![]),
            (Refusal::NotSplitFamily(order, other_order), vec![]),
            (
                Refusal::ClaimClosed {
                    claim,
                    progress: ClaimProgress::Withdrawn,
                },
                vec![],
            ),
            (
                Refusal::WrongClaimKind {
                    claim,
                    actual: ClaimKind::Return,
                    expected: ClaimKind::Exchange,
                },
                vec![],
            ),
            (
                Refusal::ExchangeStateForbids {
                    claim,
                    state: ExchangeState::PreparingReplacement,
                    action: Action::RejectExchange,
                },
                vec![],
            ),
            (Refusal::NotKakaoExchange(claim), vec![]),
            (Refusal::ReasonRequired, vec![]),
            (Refusal::TooManyDelayNotices(claim), vec![]),
            (
                Refusal::DueDateOutOfRange {
                    due: Utc.with_ymd_and_hms(2026, 6, 30, 3, 0, 0).unwrap(),
                    latest: Utc.with_ymd_and_hms(2026, 6, 20, 3, 0, 0).unwrap(),
                },
                vec!["2026-06-30 12:00", "2026-06-20 12:00"],
            ),
            (Refusal::ExchangeToOtherProduct, vec![]),
            (Refusal::ReplacementMissing(line), vec![]),
            (Refusal::NotManualExchange(claim), vec![]),
            (
                Refusal::PickupStateForbids {
                    pickup: PickupId(708),
                    state: PickupState::Expected,
                    action: Action::Restock,
                },
                vec![],
            ),
            (
                Refusal::RestockTooMany {
                    line,
                    asked: 4,
                    arrivable: 2,
                },
                vec![],
            ),
            (
                Refusal::LineNotInClaim {
                    line,
                    what: format!("pickup {}", PickupId(708)),
                },
                vec![],
            ),
            (Refusal::PickupPlanRequired, vec![]),
            (
                Refusal::Inconsistent("order 1042 has no line L3107".into()),
                vec![],
            ),
            (
                Refusal::AlreadyCollected {
                    marketplace: MarketplaceCode("coupang".into()),
                    order_no: "2026061812345".into(),
                    existing: order,
                },
                vec!["쿠팡", "2026061812345"],
            ),
            (Refusal::NothingToUpload(order), vec![]),
            (Refusal::IdBlockUsedUp, vec![]),
            (
                Refusal::ClaimMatchesNothing {
                    marketplace: MarketplaceCode("smartstore".into()),
                    order_no: "2026061899001".into(),
                },
                vec!["2026061899001"],
            ),
            (
                Refusal::ReplacementOrderExists {
                    claim,
                    order: other_order,
                },
                vec![],
            ),
            (Refusal::PartNeedsLineId(line), vec![]),
            (Refusal::ManualExchangeRequired(claim), vec![]),
            (
                Refusal::ExchangeLinesOfCollectedOrder {
                    marketplace: MarketplaceCode("cafe24".into()),
                    order_no: "20260618-0000123".into(),
                    lines: vec!["20260618-0000123-02".into(), "린넨 셔츠 / 블랙 XL".into()],
                },
                vec![
                    "카페24",
                    "20260618-0000123",
                    "20260618-0000123-02",
                    "린넨 셔츠 / 블랙 XL",
                ],
            ),
            (
                Refusal::NothingToPickUp {
                    line,
                    status: LineStatus::Preparing,
                },
                vec![],
            ),
            (
                Refusal::UnknownClaimAfterConfirmation {
                    order,
                    request: ClaimId(5130),
                },
                vec![],
            ),
        ]
    }

    /// The variant's name, as the API's `refusal` JSON spells it.
    fn variant_name(refusal: &Refusal) -> String {
        match serde_json::to_value(refusal).unwrap() {
            serde_json::Value::String(name) => name,
            serde_json::Value::Object(map) => map.keys().next().unwrap().clone(),
            other => panic!("a refusal is a name or a one-key object, not {other}"),
        }
    }

    /// Every variant `Refusal` declares, read from its source (a variant is a line at the enum's
    /// indentation that starts with a capital), so a variant without a sample fails here even
    /// though the list of samples is written by hand.
    fn declared_variants() -> BTreeSet<String> {
        let source = include_str!("mod.rs");
        let body = source
            .split_once("pub enum Refusal {\n")
            .and_then(|(_, rest)| rest.split_once("\n}\n"))
            .map(|(body, _)| body)
            .expect("mod.rs declares `pub enum Refusal { … }`");
        body.lines()
            .filter_map(|line| line.strip_prefix("    "))
            .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(|line| {
                line.chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect()
            })
            .collect()
    }

    /// The numbers a refusal carries (ids, quantities), from its JSON.
    fn numbers_in(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Number(n) => found.push(n.to_string()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| numbers_in(v, found)),
            serde_json::Value::Object(map) => map.values().for_each(|v| numbers_in(v, found)),
            _ => {}
        }
    }

    /// The first run of four or more ASCII letters: an English word or identifier (ids such as
    /// `L3107` and `C5120` have fewer letters).
    fn english_word(text: &str) -> Option<&str> {
        text.split(|c: char| !c.is_ascii_alphabetic())
            .find(|word| word.len() >= 4)
    }

    #[test]
    fn there_is_a_sample_of_every_refusal() {
        let sampled: Vec<String> = samples().iter().map(|(r, _)| variant_name(r)).collect();
        let distinct: BTreeSet<String> = sampled.iter().cloned().collect();
        assert_eq!(distinct.len(), sampled.len(), "one sample per variant");
        let declared = declared_variants();
        assert!(
            declared.len() > 50,
            "the parse found the variants: {declared:?}"
        );
        let missing: Vec<&String> = declared.difference(&distinct).collect();
        let unknown: Vec<&String> = distinct.difference(&declared).collect();
        assert!(missing.is_empty(), "variants without a sample: {missing:?}");
        assert!(
            unknown.is_empty(),
            "samples of no declared variant: {unknown:?}"
        );
    }

    #[test]
    fn every_refusal_reads_in_korean_and_names_what_it_is_about() {
        for (refusal, texts) in samples() {
            let message = refusal.korean();
            let name = variant_name(&refusal);
            assert!(!message.trim().is_empty(), "{name}: empty");
            assert!(
                message.chars().any(|c| ('가'..='힣').contains(&c)),
                "{name}: no Hangul in {message}"
            );
            for leak in ["{", "}", "Some(", "None", "::"] {
                assert!(!message.contains(leak), "{name}: {leak} in {message}");
            }
            let mut named = Vec::new();
            numbers_in(&serde_json::to_value(&refusal).unwrap(), &mut named);
            named.extend(texts.iter().map(|t| t.to_string()));
            for text in &named {
                assert!(
                    message.contains(text.as_str()),
                    "{name}: {text} missing in {message}"
                );
            }
            // Outside what the refusal carries (codes, numbers, product names), no English.
            let mut rest = message.clone();
            for text in &named {
                rest = rest.replace(text.as_str(), " ");
            }
            assert_eq!(english_word(&rest), None, "{name}: English in {message}");
        }
    }

    #[test]
    fn no_two_refusals_read_the_same() {
        let mut seen = BTreeSet::new();
        for (refusal, _) in samples() {
            let message = refusal.korean();
            assert!(
                seen.insert(message.clone()),
                "{} reads like another refusal: {message}",
                variant_name(&refusal)
            );
        }
    }

    #[test]
    fn each_action_reads_in_korean_where_a_refusal_names_it() {
        for action in Action::DECLARED {
            let message = Refusal::IllegalTransition {
                line: LineId(3107),
                from: LineStatus::Delivered,
                action: action.clone(),
            }
            .korean();
            assert!(message.contains(action.korean()), "{message}");
            assert_eq!(
                english_word(&message),
                None,
                "{action}: English in {message}"
            );
        }
    }

    #[test]
    fn a_settlement_outside_enclosed_or_transfer_is_not_blamed_on_the_state() {
        let message = Refusal::ExchangeStateForbids {
            claim: ClaimId(5120),
            state: ExchangeState::PickingUp,
            action: Action::SettleOtherThanEnclosedOrTransfer,
        }
        .korean();
        assert!(message.contains("동봉이나 송금"), "{message}");
        assert!(
            !message.contains(ExchangeState::PickingUp.korean()),
            "{message}"
        );
    }
}
