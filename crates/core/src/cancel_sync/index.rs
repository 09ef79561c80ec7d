//! The hash index from marketplace keys to console lines, by which cancels and claims collected
//! from a marketplace find their lines (R26). Lookups hash the record's key; nothing is scanned.

use crate::ids::{LineId, OrderId};
use crate::marketplace::{KeyShape, MarketplaceCode, MarketplaceKeys, MarketplaceTable};
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// A line of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LineRef {
    /// The order.
    pub order: OrderId,
    /// The line.
    pub line: LineId,
}

/// Which key found the lines (R26).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyUsed {
    /// The marketplace's key.
    Primary(String),
    /// Its fallback.
    Fallback(String),
}

/// Most keys name one line; the few that name more (order no. only, split lines) take a vector.
#[derive(Debug, Clone)]
enum Slot {
    One(LineRef),
    Many(Vec<LineRef>),
}

impl Slot {
    fn as_slice(&self) -> &[LineRef] {
        match self {
            Slot::One(one) => std::slice::from_ref(one),
            Slot::Many(many) => many,
        }
    }
}

/// Marketplace keys → lines, for each marketplace's primary and fallback key.
///
/// Entries are keyed by a 64-bit hash of (marketplace, which key, values); a lookup checks each
/// candidate's own keys, so a hash collision can never match a wrong line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    slots: FxHashMap<u64, Slot>,
}

fn key_hash(marketplace: &MarketplaceCode, shape_no: u8, values: &[&str]) -> u64 {
    let mut hasher = FxHasher::default();
    marketplace.as_str().hash(&mut hasher);
    shape_no.hash(&mut hasher);
    for value in values {
        value.hash(&mut hasher);
    }
    hasher.finish()
}

impl LineIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index with room for about `lines` lines (most marketplaces index a line under
    /// one or two keys).
    pub fn with_capacity(lines: usize) -> Self {
        Self {
            slots: FxHashMap::with_capacity_and_hasher(lines * 2, Default::default()),
        }
    }

    fn shapes<'t>(
        table: &'t MarketplaceTable,
        marketplace: &MarketplaceCode,
    ) -> impl Iterator<Item = (u8, &'t KeyShape)> {
        table
            .get(marketplace)
            .into_iter()
            .flat_map(|profile| profile.match_rule.shapes())
            .enumerate()
            .map(|(i, shape)| (i as u8, shape))
    }

    /// Indexes a line under each of its marketplace's keys it has values for.
    pub fn insert(
        &mut self,
        table: &MarketplaceTable,
        marketplace: &MarketplaceCode,
        keys: &MarketplaceKeys,
        at: LineRef,
    ) {
        for (shape_no, shape) in Self::shapes(table, marketplace) {
            let Some(values) = shape.values(keys) else {
                continue;
            };
            let hash = key_hash(marketplace, shape_no, &values);
            match self.slots.get_mut(&hash) {
                None => {
                    self.slots.insert(hash, Slot::One(at));
                }
                Some(Slot::One(one)) if *one == at => {}
                Some(slot @ Slot::One(_)) => {
                    let first = slot.as_slice()[0];
                    *slot = Slot::Many(vec![first, at]);
                }
                Some(Slot::Many(many)) => {
                    if !many.contains(&at) {
                        many.push(at);
                    }
                }
            }
        }
    }

    /// Removes a line from the index (when a merge folds it into another).
    pub fn remove(
        &mut self,
        table: &MarketplaceTable,
        marketplace: &MarketplaceCode,
        keys: &MarketplaceKeys,
        at: LineRef,
    ) {
        for (shape_no, shape) in Self::shapes(table, marketplace) {
            let Some(values) = shape.values(keys) else {
                continue;
            };
            let hash = key_hash(marketplace, shape_no, &values);
            let emptied = match self.slots.get_mut(&hash) {
                Some(Slot::One(one)) => *one == at,
                Some(Slot::Many(many)) => {
                    many.retain(|r| *r != at);
                    many.is_empty()
                }
                None => false,
            };
            if emptied {
                self.slots.remove(&hash);
            }
        }
    }

    /// The lines a marketplace record names: by the marketplace's key, else by its fallback
    /// (R26). `keys_of` gives a candidate line's own keys, to rule out hash collisions.
    /// Returns the lines (sorted) and the key that found them, or `None` when nothing matches.
    pub fn lookup<'a>(
        &self,
        table: &MarketplaceTable,
        marketplace: &MarketplaceCode,
        record: &MarketplaceKeys,
        keys_of: impl Fn(LineRef) -> Option<&'a MarketplaceKeys>,
    ) -> Option<(Vec<LineRef>, KeyUsed)> {
        for (shape_no, shape) in Self::shapes(table, marketplace) {
            let Some(values) = shape.values(record) else {
                continue;
            };
            let hash = key_hash(marketplace, shape_no, &values);
            let Some(slot) = self.slots.get(&hash) else {
                continue;
            };
            let mut lines: Vec<LineRef> = slot
                .as_slice()
                .iter()
                .copied()
                .filter(|r| keys_of(*r).is_some_and(|keys| shape.agree(keys, record)))
                .collect();
            if lines.is_empty() {
                continue;
            }
            lines.sort_unstable();
            let name = shape.to_string();
            let used = if shape_no == 0 {
                KeyUsed::Primary(name)
            } else {
                KeyUsed::Fallback(name)
            };
            return Some((lines, used));
        }
        None
    }

    /// How many distinct keys are indexed.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn keys(order: &str, line: Option<&str>) -> MarketplaceKeys {
        MarketplaceKeys {
            order_no: order.into(),
            line_no: line.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn r26_lookup_uses_primary_then_fallback() {
        let table = MarketplaceTable::builtin();
        let interpark = MarketplaceCode::from("interpark");
        let mut index = LineIndex::new();
        let mut lines = HashMap::new();
        for (n, line_no) in [(1, "A"), (2, "B")] {
            let at = LineRef {
                order: OrderId(1),
                line: LineId(n),
            };
            let k = keys("O-1", Some(line_no));
            index.insert(table, &interpark, &k, at);
            lines.insert(at, k);
        }
        let keys_of = |r: LineRef| lines.get(&r);
        let (found, used) = index
            .lookup(table, &interpark, &keys("O-1", Some("B")), keys_of)
            .expect("match");
        assert_eq!(
            found,
            vec![LineRef {
                order: OrderId(1),
                line: LineId(2)
            }]
        );
        assert_eq!(used, KeyUsed::Primary("order_no+line_no".into()));
        let (found, used) = index
            .lookup(table, &interpark, &keys("O-1", None), keys_of)
            .expect("fallback match");
        assert_eq!(found.len(), 2);
        assert_eq!(used, KeyUsed::Fallback("order_no".into()));
        assert!(index
            .lookup(table, &interpark, &keys("O-2", Some("A")), keys_of)
            .is_none());
    }

    #[test]
    fn r26_removed_lines_are_not_found() {
        let table = MarketplaceTable::builtin();
        let auction = MarketplaceCode::from("auction");
        let mut index = LineIndex::new();
        let at = LineRef {
            order: OrderId(3),
            line: LineId(9),
        };
        let k = keys("A-7", None);
        index.insert(table, &auction, &k, at);
        index.insert(table, &auction, &k, at);
        assert_eq!(index.len(), 1);
        index.remove(table, &auction, &k, at);
        assert!(index.is_empty());
    }

    #[test]
    fn r26_a_line_whose_keys_disagree_is_not_matched() {
        // Same hash bucket, different keys: the check against the line's own keys rules it out.
        let table = MarketplaceTable::builtin();
        let auction = MarketplaceCode::from("auction");
        let mut index = LineIndex::new();
        let at = LineRef {
            order: OrderId(3),
            line: LineId(9),
        };
        index.insert(table, &auction, &keys("A-7", None), at);
        let stale = keys("A-8", None);
        let found = index.lookup(table, &auction, &keys("A-7", None), |_| Some(&stale));
        assert!(found.is_none());
    }
}
