//! Claim reasons and the ways a pickup fee is paid (R9, R13).

use serde::{Deserialize, Serialize};

/// CS타입: why the buyer (or seller) opened a claim (R9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reason {
    /// 단순변심.
    ChangeOfMind,
    /// 상품불량 / 파손.
    Defective,
    /// 오배송: a wrong item was shipped.
    WrongItem,
    /// 배송지연.
    LateDelivery,
    /// 품절: the seller cannot supply it.
    OutOfStock,
    /// 입금기한 만료: an unpaid bank transfer reached its deadline (R4).
    PaymentDeadline,
    /// 옵션변경 (exchanges).
    OptionChange,
    /// Any other reason, as typed or as the marketplace sent it.
    Other(String),
}

impl Reason {
    /// Who is usually at fault for a claim for this reason (R9): the seller for a defect, a
    /// wrong item, a late delivery or an item out of stock; the buyer otherwise. The console
    /// proposes it; the operator decides.
    pub fn usual_fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            Reason::Defective | Reason::WrongItem | Reason::LateDelivery | Reason::OutOfStock => {
                Fault::Seller
            }
            Reason::ChangeOfMind
            | Reason::PaymentDeadline
            | Reason::OptionChange
            | Reason::Other(_) => Fault::Buyer,
        }
    }

    /// The Korean words the console shows.
    pub fn korean(&self) -> &str {
        match self {
            Reason::ChangeOfMind => "단순변심",
            Reason::Defective => "상품불량",
            Reason::WrongItem => "오배송",
            Reason::LateDelivery => "배송지연",
            Reason::OutOfStock => "품절",
            Reason::PaymentDeadline => "입금기한 만료",
            Reason::OptionChange => "옵션변경",
            Reason::Other(text) => text,
        }
    }
}

/// How a pickup (or exchange) shipping fee is paid (R13, R21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeePayment {
    /// 선착불: cash on delivery to the carrier.
    CashOnDelivery,
    /// 선불(고객선결제): prepaid by the buyer.
    Prepaid,
    /// 사이트결제: paid on the marketplace site.
    PaidOnSite,
    /// 동봉: cash enclosed in the parcel.
    Enclosed,
    /// 계좌 / 송금: bank transfer to the seller.
    BankTransfer,
}

impl FeePayment {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            FeePayment::CashOnDelivery => "선착불",
            FeePayment::Prepaid => "선불",
            FeePayment::PaidOnSite => "사이트결제",
            FeePayment::Enclosed => "동봉",
            FeePayment::BankTransfer => "계좌",
        }
    }
}

#[cfg(test)]
mod usual_fault_tests {
    use super::Reason;
    use crate::fault::Fault;

    #[test]
    fn the_seller_is_usually_at_fault_for_what_the_seller_got_wrong() {
        for seller in [
            Reason::Defective,
            Reason::WrongItem,
            Reason::LateDelivery,
            Reason::OutOfStock,
        ] {
            assert_eq!(seller.usual_fault(), Fault::Seller, "{seller:?}");
        }
        for buyer in [
            Reason::ChangeOfMind,
            Reason::OptionChange,
            Reason::Other("기타".into()),
        ] {
            assert_eq!(buyer.usual_fault(), Fault::Buyer, "{buyer:?}");
        }
    }
}
