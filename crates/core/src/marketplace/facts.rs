//! What a marketplace's report of an order's progress may do to a collected order (R28): move
//! it forward — paid, delivered, purchase confirmed — never backwards, and never into shipping.
//! A console order ships by its own invoice, so "shipped" at the marketplace moves nothing.

use crate::ids::OrderId;
use crate::order::LineStatus;
use crate::Command;

/// The commands that bring a collected order at `current` forward to `reported`, the status the
/// marketplace reports, in order; none when the report is behind, equal, or would ship it.
pub fn commands_toward(order: OrderId, current: LineStatus, reported: LineStatus) -> Vec<Command> {
    match current {
        LineStatus::AwaitingPayment if reported >= LineStatus::Preparing => {
            vec![Command::ConfirmPayment { order }]
        }
        LineStatus::InTransit if reported == LineStatus::PurchaseConfirmed => vec![
            Command::MarkDelivered { order },
            Command::ConfirmPurchase { order },
        ],
        LineStatus::InTransit if reported == LineStatus::Delivered => {
            vec![Command::MarkDelivered { order }]
        }
        LineStatus::Delivered if reported == LineStatus::PurchaseConfirmed => {
            vec![Command::ConfirmPurchase { order }]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineStatus::*;

    #[test]
    fn r28_marketplace_reports_only_move_orders_forward_and_never_ship() {
        let o = OrderId(7);
        assert_eq!(
            commands_toward(o, AwaitingPayment, Preparing),
            vec![Command::ConfirmPayment { order: o }]
        );
        assert!(commands_toward(o, AwaitingPayment, AwaitingPayment).is_empty());
        assert_eq!(
            commands_toward(o, InTransit, Delivered),
            vec![Command::MarkDelivered { order: o }]
        );
        assert_eq!(
            commands_toward(o, InTransit, PurchaseConfirmed),
            vec![
                Command::MarkDelivered { order: o },
                Command::ConfirmPurchase { order: o }
            ]
        );
        assert_eq!(
            commands_toward(o, Delivered, PurchaseConfirmed),
            vec![Command::ConfirmPurchase { order: o }]
        );
        // Never into shipping on the marketplace's word, never backwards.
        assert!(commands_toward(o, Preparing, InTransit).is_empty());
        assert!(commands_toward(o, ReadyToShip, Delivered).is_empty());
        assert!(commands_toward(o, Delivered, InTransit).is_empty());
        assert!(commands_toward(o, PurchaseConfirmed, Preparing).is_empty());
    }
}
