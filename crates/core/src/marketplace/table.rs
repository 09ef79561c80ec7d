//! The marketplace table (R25, R26, R15–R18): one row per marketplace, compiled into the crate
//! from `data/marketplaces.tsv` — seed 002's cancel-sync table plus each marketplace's exchange
//! behaviour. Adding a marketplace is adding a row.
//!
//! Choices the seed leaves open, made here:
//! - Where the seed names no match key ("(not given)": Interpark, Instore, Godomall, HNS) the
//!   console uses the narrowest key those marketplaces' order data carries, order no. + line no.,
//!   falling back to the order no. when a record has no line no.
//! - Where the seed names no cancel status (NS Home Shopping, Lotte.com, Seoul Store, GS Retail,
//!   GS e-shop) no status word cancels automatically (R25): their cancel records are kept and
//!   shown as unrecognised for the operator, never dropped.
//! - A fallback key without the order no. (Brandi, Zigzag, WeMakePrice 2.0: product name +
//!   option) is always scoped to the record's order no.: a cancel of one buyer's order never
//!   touches another buyer's lines.
//! - Fashionplus's 취소거부 (cancel refused) syncs as a withdrawal of the cancel (R12).

use super::keys::{MarketplaceCode, MarketplaceKeys};
use crate::exchange::ExchangeFlow;
use jumun_derive::CompactDeserialize;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// One part of a match key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyPart {
    /// 주문번호.
    OrderNo,
    /// 주문상세번호.
    LineNo,
    /// 주문상세번호2.
    LineNo2,
    /// 판매처 상품코드.
    ProductCode,
    /// 상품명.
    ProductName,
    /// 옵션.
    Option,
    /// A marketplace-specific code by name (`code4`, `code6`, `code18`, `code22`).
    Code(String),
}

impl KeyPart {
    fn parse(word: &str) -> Result<Self, TableError> {
        Ok(match word {
            "order_no" => KeyPart::OrderNo,
            "line_no" => KeyPart::LineNo,
            "line_no2" => KeyPart::LineNo2,
            "product_code" => KeyPart::ProductCode,
            "product_name" => KeyPart::ProductName,
            "option" => KeyPart::Option,
            code if code.starts_with("code") && code[4..].chars().all(|c| c.is_ascii_digit()) => {
                KeyPart::Code(code.to_owned())
            }
            other => return Err(TableError::UnknownKeyPart(other.to_owned())),
        })
    }

    fn name(&self) -> &str {
        match self {
            KeyPart::OrderNo => "order_no",
            KeyPart::LineNo => "line_no",
            KeyPart::LineNo2 => "line_no2",
            KeyPart::ProductCode => "product_code",
            KeyPart::ProductName => "product_name",
            KeyPart::Option => "option",
            KeyPart::Code(code) => code,
        }
    }

    /// This part's value in a set of keys; `None` when the record or line does not carry it.
    /// The `option` part compares the option text, or the option id when there is no text.
    pub fn value<'k>(&self, keys: &'k MarketplaceKeys) -> Option<&'k str> {
        let value = match self {
            KeyPart::OrderNo => Some(keys.order_no.as_str()),
            KeyPart::LineNo => keys.line_no.as_deref(),
            KeyPart::LineNo2 => keys.line_no2.as_deref(),
            KeyPart::ProductCode => keys.product_code.as_deref(),
            KeyPart::ProductName => keys.product_name.as_deref(),
            KeyPart::Option => keys.option.as_deref().or(keys.option_id.as_deref()),
            KeyPart::Code(code) => keys.codes.get(code).map(String::as_str),
        };
        value.map(str::trim).filter(|v| !v.is_empty())
    }
}

/// A match key: the parts a record and a line must agree on (R26).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyShape {
    /// The parts, in the table's order; always starting with the order no.
    pub parts: Vec<KeyPart>,
}

impl KeyShape {
    fn parse(text: &str) -> Result<Self, TableError> {
        let mut parts = text
            .split('+')
            .map(|word| KeyPart::parse(word.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        if !parts.contains(&KeyPart::OrderNo) {
            // Scoped to the record's order (see the module docs).
            parts.insert(0, KeyPart::OrderNo);
        }
        Ok(Self { parts })
    }

    /// Each part's value in `keys`, or `None` when any part is missing.
    pub fn values<'k>(&self, keys: &'k MarketplaceKeys) -> Option<Vec<&'k str>> {
        self.parts.iter().map(|part| part.value(keys)).collect()
    }

    /// Whether two sets of keys agree on every part of this shape.
    pub fn agree(&self, a: &MarketplaceKeys, b: &MarketplaceKeys) -> bool {
        self.parts
            .iter()
            .all(|part| match (part.value(a), part.value(b)) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            })
    }
}

impl fmt::Display for KeyShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.parts.iter().map(KeyPart::name).collect();
        f.write_str(&names.join("+"))
    }
}

/// How a marketplace's records are matched to lines: a key and an optional fallback (R26).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MatchRule {
    /// Tried first.
    pub primary: KeyShape,
    /// Tried when the record lacks a part of the primary key or the primary key finds nothing.
    pub fallback: Option<KeyShape>,
    /// The seed names no key for this marketplace; the console chose this one.
    pub chosen_by_console: bool,
}

impl MatchRule {
    /// The primary key, then the fallback.
    pub fn shapes(&self) -> impl Iterator<Item = &KeyShape> {
        std::iter::once(&self.primary).chain(self.fallback.as_ref())
    }
}

/// A marketplace, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct MarketplaceProfile {
    /// The console's code.
    pub code: MarketplaceCode,
    /// The name operators know (판매처명).
    pub korean_name: String,
    /// The English name.
    pub english_name: String,
    /// The status words that cancel a line (R25).
    pub cancel_statuses: Vec<String>,
    /// The status words that withdraw a cancel (Fashionplus 취소거부).
    pub withdraw_statuses: Vec<String>,
    /// How its records are matched to lines (R26).
    pub match_rule: MatchRule,
    /// How it handles exchanges (R15, R16, R19).
    pub exchange_flow: ExchangeFlow,
    /// Its exchanges change the line number, so an exchange of a collected order is never
    /// collected (Cafe24, R18).
    pub line_no_changes_on_exchange: bool,
}

/// What a marketplace status word means for cancel sync (R25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CancelStatusMeaning {
    /// One of the words that cancel.
    Cancels,
    /// A word that withdraws an earlier cancel.
    Withdraws,
    /// Not a word of this marketplace's table.
    Unrecognised,
}

impl MarketplaceProfile {
    /// R18: the positions of an incoming order's lines that are an exchange's replacement lines
    /// and must not be collected. On a marketplace whose exchanges change the line number
    /// (Cafe24, [`Self::line_no_changes_on_exchange`]), lines that appear under an order number
    /// already in the console are the replacement of an exchange, never a new order to ship
    /// (collecting them would ship the replacement twice; the operator runs the exchange in the
    /// console instead). Elsewhere, and for an order number the console does not hold, there are
    /// none. `order_known` says whether the order number is in the console, `known[i]` whether
    /// line `i`'s keys are.
    ///
    /// The one statement of this rule: `CollectOrder` refuses such lines
    /// ([`crate::Refusal::ExchangeLinesOfCollectedOrder`]) and the server's collector asks it
    /// before collecting, to skip them with a note for the operator.
    pub fn exchange_replacement_lines(&self, order_known: bool, known: &[bool]) -> Vec<usize> {
        if !order_known || !self.line_no_changes_on_exchange {
            return Vec::new();
        }
        known
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the table gives this marketplace's cancel words at all (seed 002 names none for
    /// a few: their records are kept and their lines held for the operator, R25).
    pub fn knows_cancel_words(&self) -> bool {
        !self.cancel_statuses.is_empty() || !self.withdraw_statuses.is_empty()
    }

    /// What `status` means for this marketplace's cancel sync (exact words, spaces trimmed).
    pub fn cancel_status(&self, status: &str) -> CancelStatusMeaning {
        let status = status.trim();
        if self.cancel_statuses.iter().any(|word| word == status) {
            CancelStatusMeaning::Cancels
        } else if self.withdraw_statuses.iter().any(|word| word == status) {
            CancelStatusMeaning::Withdraws
        } else {
            CancelStatusMeaning::Unrecognised
        }
    }
}

/// A row of the table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// A row has the wrong number of columns.
    #[error("marketplace table line {line}: expected 8 tab-separated columns, found {found}")]
    Columns {
        /// 1-based line number.
        line: usize,
        /// Columns found.
        found: usize,
    },
    /// An unknown key part.
    #[error("unknown match key part {0:?}")]
    UnknownKeyPart(String),
    /// An unknown exchange flow.
    #[error("marketplace table line {line}: unknown exchange flow {value:?} (case1, case2, kakao_style)")]
    ExchangeFlow {
        /// 1-based line number.
        line: usize,
        /// The value.
        value: String,
    },
    /// The same code twice.
    #[error("marketplace code {0} appears twice")]
    DuplicateCode(String),
}

/// All marketplaces the console knows.
#[derive(Debug, Clone)]
pub struct MarketplaceTable {
    rows: Vec<MarketplaceProfile>,
    by_code: FxHashMap<MarketplaceCode, usize>,
}

const BUILTIN: &str = include_str!("../../data/marketplaces.tsv");

impl MarketplaceTable {
    /// The table compiled into the crate.
    pub fn builtin() -> &'static MarketplaceTable {
        static TABLE: OnceLock<MarketplaceTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            // The file is part of the crate and a unit test parses it, so it cannot fail here.
            MarketplaceTable::parse(BUILTIN).expect("data/marketplaces.tsv parses (tested)")
        })
    }

    /// Parses a table in the format of `data/marketplaces.tsv`.
    pub fn parse(text: &str) -> Result<Self, TableError> {
        let mut rows = Vec::new();
        let mut by_code = FxHashMap::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.starts_with('#') || raw.trim().is_empty() || raw.starts_with("code\t") {
                continue;
            }
            let cols: Vec<&str> = raw.split('\t').collect();
            if cols.len() != 8 {
                return Err(TableError::Columns {
                    line,
                    found: cols.len(),
                });
            }
            let words = |col: &str| -> Vec<String> {
                if col.trim() == "-" {
                    Vec::new()
                } else {
                    col.split(';').map(|w| w.trim().to_owned()).collect()
                }
            };
            let (chosen_by_console, key_text) = match cols[5].strip_prefix("(not given)") {
                Some(rest) => (true, rest.trim()),
                None => (false, cols[5].trim()),
            };
            let mut shapes = key_text.split('|');
            let primary = KeyShape::parse(shapes.next().unwrap_or_default())?;
            let fallback = shapes.next().map(KeyShape::parse).transpose()?;
            let exchange_flow = match cols[6].trim() {
                "case1" => ExchangeFlow::Case1,
                "case2" => ExchangeFlow::Case2,
                "kakao_style" => ExchangeFlow::KakaoStyle,
                value => {
                    return Err(TableError::ExchangeFlow {
                        line,
                        value: value.to_owned(),
                    })
                }
            };
            let code = MarketplaceCode(cols[0].trim().to_owned());
            if by_code.insert(code.clone(), rows.len()).is_some() {
                return Err(TableError::DuplicateCode(code.0));
            }
            rows.push(MarketplaceProfile {
                code,
                korean_name: cols[1].trim().to_owned(),
                english_name: cols[2].trim().to_owned(),
                cancel_statuses: words(cols[3]),
                withdraw_statuses: words(cols[4]),
                match_rule: MatchRule {
                    primary,
                    fallback,
                    chosen_by_console,
                },
                exchange_flow,
                line_no_changes_on_exchange: cols[7].trim() == "yes",
            });
        }
        Ok(Self { rows, by_code })
    }

    /// The marketplace with this code.
    pub fn get(&self, code: &MarketplaceCode) -> Option<&MarketplaceProfile> {
        self.by_code.get(code).map(|&i| &self.rows[i])
    }

    /// The marketplace at a row position (positions are stable for a table's life).
    pub fn position(&self, code: &MarketplaceCode) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// Every marketplace, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &MarketplaceProfile> {
        self.rows.iter()
    }

    /// How many marketplaces.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> MarketplaceCode {
        MarketplaceCode::from(c)
    }

    #[test]
    fn r25_builtin_table_has_every_row_of_seed_002() {
        let table = MarketplaceTable::parse(BUILTIN).expect("builtin table parses");
        assert_eq!(table.len(), 43);
        let coupang = table.get(&code("coupang")).expect("coupang");
        assert_eq!(coupang.korean_name, "쿠팡");
        assert_eq!(coupang.cancel_statuses, vec!["출고중지요청".to_owned()]);
        assert_eq!(coupang.match_rule.primary.to_string(), "order_no+code6");
        let cafe24 = table.get(&code("cafe24")).expect("cafe24");
        assert_eq!(cafe24.cancel_statuses.len(), 7);
        assert!(cafe24.line_no_changes_on_exchange);
        assert_eq!(cafe24.exchange_flow, ExchangeFlow::Case2);
        assert_eq!(
            table.get(&code("musinsa")).map(|m| m.exchange_flow),
            Some(ExchangeFlow::Case2)
        );
        assert_eq!(
            table.get(&code("zigzag")).map(|m| m.exchange_flow),
            Some(ExchangeFlow::KakaoStyle)
        );
    }

    #[test]
    fn r26_fallback_without_order_no_is_scoped_to_the_order() {
        let table = MarketplaceTable::builtin();
        let brandi = table.get(&code("brandi")).expect("brandi");
        assert_eq!(brandi.match_rule.primary.to_string(), "order_no+line_no2");
        assert_eq!(
            brandi.match_rule.fallback.as_ref().map(ToString::to_string),
            Some("order_no+product_name+option".to_owned())
        );
    }

    #[test]
    fn r26_unnamed_keys_are_the_consoles_choice() {
        let table = MarketplaceTable::builtin();
        for name in ["interpark", "instore", "godomall", "hns"] {
            let rule = &table.get(&code(name)).expect(name).match_rule;
            assert!(rule.chosen_by_console, "{name}");
            assert_eq!(rule.primary.to_string(), "order_no+line_no");
            assert_eq!(
                rule.fallback.as_ref().map(ToString::to_string),
                Some("order_no".to_owned())
            );
        }
        assert!(
            !table
                .get(&code("auction"))
                .expect("auction")
                .match_rule
                .chosen_by_console
        );
    }

    #[test]
    fn r25_fashionplus_cancel_refused_withdraws() {
        let fashionplus = MarketplaceTable::builtin()
            .get(&code("fashionplus"))
            .expect("fashionplus");
        assert_eq!(
            fashionplus.cancel_status("취소신청"),
            CancelStatusMeaning::Cancels
        );
        assert_eq!(
            fashionplus.cancel_status("취소거부"),
            CancelStatusMeaning::Withdraws
        );
        assert_eq!(
            fashionplus.cancel_status("배송중"),
            CancelStatusMeaning::Unrecognised
        );
    }

    #[test]
    fn r25_marketplaces_without_words_cancel_nothing() {
        let table = MarketplaceTable::builtin();
        for name in ["nsmall", "lottecom", "seoulstore", "gsretail", "gseshop"] {
            let profile = table.get(&code(name)).expect(name);
            assert!(profile.cancel_statuses.is_empty(), "{name}");
            assert!(!profile.knows_cancel_words(), "{name}");
            assert_eq!(
                profile.cancel_status("취소완료"),
                CancelStatusMeaning::Unrecognised
            );
        }
    }

    #[test]
    fn r18_new_cafe24_lines_under_a_collected_order_are_exchange_lines() {
        let table = MarketplaceTable::builtin();
        let cafe24 = table.get(&code("cafe24")).expect("cafe24");
        assert!(cafe24.line_no_changes_on_exchange);
        // A new order: everything is collected.
        assert!(cafe24
            .exchange_replacement_lines(false, &[false, false])
            .is_empty());
        // Collected before; a new line number appears: the exchange's replacement.
        assert_eq!(
            cafe24.exchange_replacement_lines(true, &[true, false]),
            vec![1]
        );
        assert_eq!(
            cafe24.exchange_replacement_lines(true, &[false, false]),
            vec![0, 1]
        );
        assert!(cafe24
            .exchange_replacement_lines(true, &[true, true])
            .is_empty());
        // Elsewhere, new lines under a known order number are collected (parcels of one order).
        let coupang = table.get(&code("coupang")).expect("coupang");
        assert!(!coupang.line_no_changes_on_exchange);
        assert!(coupang
            .exchange_replacement_lines(true, &[true, false])
            .is_empty());
    }

    #[test]
    fn malformed_tables_are_refused_with_the_line() {
        assert_eq!(
            MarketplaceTable::parse("a\tb\n").map(|t| t.len()),
            Err(TableError::Columns { line: 1, found: 2 })
        );
        let bad_key = "x\t엑스\tX\t취소\t-\torder_no+colour\tcase1\tno\n";
        assert_eq!(
            MarketplaceTable::parse(bad_key).map(|t| t.len()),
            Err(TableError::UnknownKeyPart("colour".into()))
        );
        let twice =
            "x\t엑스\tX\t취소\t-\torder_no\tcase1\tno\nx\t엑스\tX\t취소\t-\torder_no\tcase1\tno\n";
        assert_eq!(
            MarketplaceTable::parse(twice).map(|t| t.len()),
            Err(TableError::DuplicateCode("x".into()))
        );
    }

    #[test]
    fn r26_option_part_uses_option_id_when_no_text() {
        let keys = MarketplaceKeys {
            order_no: "1".into(),
            option_id: Some("OPT-9".into()),
            ..Default::default()
        };
        assert_eq!(KeyPart::Option.value(&keys), Some("OPT-9"));
        assert_eq!(KeyPart::LineNo.value(&keys), None);
    }
}
