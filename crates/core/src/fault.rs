//! 귀책사유: who is at fault for a claim, which decides who pays the shipping (R9, R21, R23).

use serde::{Deserialize, Serialize};

/// The party at fault for a cancel, return or exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fault {
    /// 구매자 귀책: for example change of mind; the buyer pays the shipping.
    Buyer,
    /// 판매자 귀책: for example a defect or a wrong item; the seller pays the shipping.
    Seller,
}

impl Fault {
    /// The console's words for it (귀책사유).
    pub fn korean(self) -> &'static str {
        match self {
            Fault::Buyer => "구매자 귀책",
            Fault::Seller => "판매자 귀책",
        }
    }
}
