//! The keys a marketplace's records carry, by which they are matched to console lines (R1, R26).

use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A marketplace's stable code in the console, for example `coupang`, `cafe24`, `zigzag`.
///
/// Marketplaces are data (a row of the table), so this is a string and not an enum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarketplaceCode(pub String);

impl MarketplaceCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name operators know the marketplace by (쿠팡, 카페24 …), from the built-in table; the
    /// code itself for a marketplace the table does not list.
    pub fn korean_name(&self) -> &str {
        super::MarketplaceTable::builtin()
            .get(self)
            .map_or(self.as_str(), |profile| profile.korean_name.as_str())
    }
}

impl fmt::Display for MarketplaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for MarketplaceCode {
    fn from(code: &str) -> Self {
        Self(code.to_owned())
    }
}

/// The marketplace keys a line was collected with, and that a marketplace record (a cancel, a
/// claim) carries to name the line it is about (R1, R26).
///
/// Every field but `order_no` is optional because marketplaces differ in what they send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, CompactDeserialize)]
pub struct MarketplaceKeys {
    /// 주문번호.
    pub order_no: String,
    /// 주문상세번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no: Option<String>,
    /// 주문상세번호2 (Brandi, Zigzag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no2: Option<String>,
    /// 판매처 상품코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// 상품명, used by the name + option fallback keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// 옵션 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// 옵션ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_id: Option<String>,
    /// Marketplace-specific codes by name: `code4` (GS e-shop, Shinsegae, Emart), `code6`
    /// (Coupang option id / vendorItemId), `code18` (WeMakePrice 2.0), `code22` (Player StyleNo).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
}
