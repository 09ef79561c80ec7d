//! 재고: stock items, their on-hand and allocated quantities, and the links from marketplace
//! products to them (매칭, R30).

use crate::marketplace::MarketplaceCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// 품목코드: a stock item's code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sku(pub String);

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stock item (R30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockItem {
    /// 품목코드.
    pub sku: Sku,
    /// 상품명 / 옵션 as the warehouse knows it.
    pub name: String,
    /// 바코드.
    pub barcode: Option<String>,
    /// 로케이션.
    pub location: Option<String>,
    /// 현재재고: units in the warehouse. Can go below zero when goods ship that were never
    /// received in the console; the dashboard shows it rather than refusing the shipment.
    pub on_hand: i64,
    /// 재고할당: units promised to paid, unshipped, uncancelled lines.
    pub allocated: i64,
}

impl StockItem {
    /// 가용재고 = on hand − allocated (R30).
    pub fn available(&self) -> i64 {
        self.on_hand - self.allocated
    }
}

/// A marketplace product, as lines name it, for linking to a stock item (매칭).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProductKey {
    /// 판매처.
    pub marketplace: MarketplaceCode,
    /// 판매처 상품코드, or the product name when the marketplace sends no code.
    pub product: String,
    /// 옵션.
    pub option: String,
}

/// All stock items and product links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stock {
    /// Items by code.
    pub items: BTreeMap<Sku, StockItem>,
    /// 매칭: marketplace product → stock item. Stored as a list of pairs, because JSON object
    /// keys must be strings.
    #[serde(with = "pairs")]
    pub links: BTreeMap<ProductKey, Sku>,
}

/// A map written as a list of `[key, value]` pairs.
mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

impl Stock {
    /// The stock item linked to a product, if any.
    pub fn linked(&self, key: &ProductKey) -> Option<&Sku> {
        self.links.get(key)
    }

    /// Adds `delta` to an item's allocation (R30). Unknown items are ignored: a link names only
    /// registered items, and a removed item leaves nothing to allocate.
    pub(crate) fn allocate(&mut self, sku: &Sku, delta: i64) {
        if let Some(item) = self.items.get_mut(sku) {
            item.allocated += delta;
        }
    }

    /// Adds `delta` to an item's on-hand quantity.
    pub(crate) fn move_on_hand(&mut self, sku: &Sku, delta: i64) {
        if let Some(item) = self.items.get_mut(sku) {
            item.on_hand += delta;
        }
    }
}
