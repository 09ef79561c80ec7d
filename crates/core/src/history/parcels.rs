//! The history of parcels (R6–R8): delivery info, bundles, divisions, split and merge.

use super::Described;
use crate::event::Change;

/// The words for `change`, if it is of this area.
pub(super) fn describe(change: &Change) -> Option<Described> {
    match change {
        Change::DeliveryInfoChanged { before, after, .. } => Some((
            "배송정보변경 (합포 전체)".into(),
            Some(format!(
                "{} {} {}",
                before.recipient_name, before.recipient_phone, before.address
            )),
            Some(format!(
                "{} {} {}",
                after.recipient_name, after.recipient_phone, after.address
            )),
        )),
        Change::Bundled { bundle, orders } => {
            Some((format!("합포 {bundle} ({}건)", orders.len()), None, None))
        }
        Change::Unbundled { bundle, .. } => Some((format!("합포해제 {bundle}"), None, None)),
        Change::NoBundleSet { no_bundle, .. } => Some((
            "합포금지".into(),
            Some((!no_bundle).to_string()),
            Some(no_bundle.to_string()),
        )),
        Change::LineDivided {
            line,
            new_line,
            quantity,
            ..
        } => Some((
            format!("수량 나누기 {line} → {new_line} ({quantity}개)"),
            None,
            None,
        )),
        Change::OrderSplit {
            from,
            new_order,
            lines,
            ..
        } => Some((
            format!("주문나누기 {from} → {new_order} ({}개 상품)", lines.len()),
            None,
            None,
        )),
        Change::OrdersMerged { into, from, .. } => {
            Some((format!("주문합치기 {from} → {into}"), None, None))
        }
        _ => None,
    }
}
