//! 교환 비용: what an exchange costs and who pays whom (R23). Settled between buyer and seller,
//! never deducted by the marketplace, and always shown.

use crate::fault::Fault;
use crate::money::Won;
use serde::{Deserialize, Serialize};

/// The four figures of the Kakao Style exchange popup (R23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExchangeCost {
    /// 교환 옵션변동액: the replacement option's extra price minus the old one's, times units.
    pub option_price_difference: Won,
    /// 교환 배송비: pickup plus re-delivery (a round trip), charged when the buyer is at fault.
    pub shipping_fee: Won,
    /// 총 교환 비용: what the buyer owes the seller.
    pub buyer_owes: Won,
    /// 총 환불 비용: what the seller refunds the buyer.
    pub seller_refunds: Won,
}

impl ExchangeCost {
    /// Computes the costs. `old_option_price` and `new_option_price` are per unit; the shipping
    /// fee is one way and doubles for the round trip; a seller-at-fault exchange charges the
    /// buyer no shipping.
    pub fn compute(
        old_option_price: Won,
        new_option_price: Won,
        quantity: u32,
        shipping_fee_one_way: Won,
        fault: Fault,
    ) -> Self {
        let option_price_difference = (new_option_price - old_option_price).times(quantity);
        let shipping_fee = match fault {
            Fault::Buyer => shipping_fee_one_way.times(2),
            Fault::Seller => Won::ZERO,
        };
        let balance = option_price_difference + shipping_fee;
        Self {
            option_price_difference,
            shipping_fee,
            buyer_owes: if balance > Won::ZERO {
                balance
            } else {
                Won::ZERO
            },
            seller_refunds: if balance < Won::ZERO {
                -balance
            } else {
                Won::ZERO
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r23_buyer_at_fault_pays_round_trip_and_option_difference() {
        let cost = ExchangeCost::compute(Won(0), Won(2_000), 1, Won(3_000), Fault::Buyer);
        assert_eq!(cost.option_price_difference, Won(2_000));
        assert_eq!(cost.shipping_fee, Won(6_000));
        assert_eq!(cost.buyer_owes, Won(8_000));
        assert_eq!(cost.seller_refunds, Won::ZERO);
    }

    #[test]
    fn r23_seller_at_fault_cheaper_option_is_refunded() {
        let cost = ExchangeCost::compute(Won(3_000), Won(1_000), 2, Won(3_000), Fault::Seller);
        assert_eq!(cost.option_price_difference, Won(-4_000));
        assert_eq!(cost.shipping_fee, Won::ZERO);
        assert_eq!(cost.buyer_owes, Won::ZERO);
        assert_eq!(cost.seller_refunds, Won(4_000));
    }

    #[test]
    fn r23_costs_that_cancel_out_leave_nothing_to_pay() {
        let cost = ExchangeCost::compute(Won(6_000), Won(0), 1, Won(3_000), Fault::Buyer);
        assert_eq!(cost.buyer_owes, Won::ZERO);
        assert_eq!(cost.seller_refunds, Won::ZERO);
    }
}
