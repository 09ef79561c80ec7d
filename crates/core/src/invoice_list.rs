//! 송장 일괄입력 from a pasted number list (R28: "issuing an invoice assigns carrier and invoice
//! number … by import of a number list").
//!
//! Operators copy two columns out of the courier's program or a spreadsheet — the order's number
//! and its 송장번호 — and paste them. Each line is matched to one order of the selection by
//! 관리번호, 주문번호 or 주문상세번호. A list of numbers alone is given to the selected orders in
//! the order the list shows them, and only when there are exactly as many numbers as orders.
//!
//! Nothing here guesses: a line that matches no order, or several, or repeats an order or a
//! number, is reported with its line number and left out; the rest is assigned. The engine still
//! decides each order when the invoice is issued (an order already invoiced, held or cancelled is
//! refused there, R28).

use std::collections::HashMap;

/// Shortest and longest invoice number taken. Korean couriers' numbers are 10 to 14 digits
/// (CJ대한통운 and 한진 10 or 12, 롯데 12, 로젠 11, 우체국 13); 8 to 20 leaves room for the others
/// without taking a phone number's 3-4-4 pieces or a date.
const NUMBER_LEN: std::ops::RangeInclusive<usize> = 8..=20;

/// One order a list can name.
#[derive(Debug, Clone, Copy)]
pub struct ListedOrder<'a> {
    /// 관리번호.
    pub id: u64,
    /// 주문번호.
    pub order_no: &'a str,
    /// Its lines' 주문상세번호.
    pub line_nos: &'a [String],
}

/// A line of the list that was not assigned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListProblem {
    /// The line's number in the pasted text, from 1.
    pub line: usize,
    /// The line as pasted (trimmed).
    pub text: String,
    /// Why it was left out.
    pub kind: ProblemKind,
}

/// Why a line was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The number column is not an invoice number.
    NotANumber,
    /// A spreadsheet turned the number into a float (`1.23457E+11`): the digits are lost.
    Exponent,
    /// More than two columns: which is the number is not known.
    TooManyColumns,
    /// A number alone among lines that name their order.
    NoOrderNamed,
    /// No order of the selection has this number.
    NoOrder,
    /// Several orders of the selection have this number.
    Ambiguous(usize),
    /// The order was given a number on an earlier line.
    RepeatedOrder(usize),
    /// The number was given on an earlier line.
    RepeatedNumber(usize),
    /// Numbers alone, but not as many as the orders.
    CountMismatch {
        /// Numbers in the list.
        numbers: usize,
        /// Orders selected.
        orders: usize,
    },
}

impl ProblemKind {
    /// What the operator reads.
    pub fn korean(&self) -> String {
        match self {
            ProblemKind::NotANumber => {
                format!("송장번호가 아닙니다 (영문·숫자 {}~{}자)", NUMBER_LEN.start(), NUMBER_LEN.end())
            }
            ProblemKind::Exponent => {
                "엑셀이 송장번호를 지수(1.2E+11)로 바꿔 자릿수가 사라졌습니다 — 열을 텍스트 형식으로 바꿔 다시 복사하세요".into()
            }
            ProblemKind::TooManyColumns => {
                "열이 셋 이상입니다 — 주문번호와 송장번호 두 열만 붙여넣으세요".into()
            }
            ProblemKind::NoOrderNamed => "주문번호 없이 송장번호만 있습니다".into(),
            ProblemKind::NoOrder => "선택한 주문 중 이 번호의 주문이 없습니다".into(),
            ProblemKind::Ambiguous(n) => {
                format!("이 번호의 주문이 {n}건입니다 — 관리번호로 적어 주세요")
            }
            ProblemKind::RepeatedOrder(first) => format!("{first}번째 줄과 같은 주문입니다"),
            ProblemKind::RepeatedNumber(first) => format!("{first}번째 줄과 같은 송장번호입니다"),
            ProblemKind::CountMismatch { numbers, orders } => format!(
                "송장번호 {numbers}개, 선택한 주문 {orders}건 — 송장번호만 붙여넣을 때는 수가 같아야 목록 순서대로 배정합니다"
            ),
        }
    }
}

/// What a list gives: an invoice number for some orders, and the lines left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// 관리번호 and its invoice number, in the order of the list.
    pub numbers: Vec<(u64, String)>,
    /// The lines left out.
    pub problems: Vec<ListProblem>,
    /// The first line was a header row (no digit in its number column) and was skipped.
    pub skipped_header: bool,
}

/// A pasted line: its number from 1, its text, its cells.
type Line<'t> = (usize, &'t str, Vec<&'t str>);

/// The lines that hold something, a first header row left out (whether it was is returned).
fn read_lines(text: &str) -> (Vec<Line<'_>>, bool) {
    let mut lines: Vec<Line<'_>> = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim(), columns(line)))
        .filter(|(_, _, cells)| !cells.is_empty())
        .collect();
    // A header names its columns: its number column holds no digit.
    let header = lines.first().is_some_and(|(_, _, cells)| {
        let number = cells.last().copied().unwrap_or_default();
        !number.chars().any(|c| c.is_ascii_digit())
    });
    if header {
        lines.remove(0);
    }
    (lines, header)
}

/// Whether the list names its orders (two columns), so that matching needs each order's
/// numbers; else its numbers go to the orders in list order.
pub fn names_orders(text: &str) -> bool {
    read_lines(text)
        .0
        .iter()
        .any(|(_, _, cells)| cells.len() > 1)
}

/// Reads `text` against `orders` (the selection, in the order the list shows it). See the
/// module's doc.
pub fn assign(text: &str, orders: &[ListedOrder<'_>]) -> Assignment {
    let (lines, skipped_header) = read_lines(text);
    let mut out = Assignment {
        skipped_header,
        ..Assignment::default()
    };
    if lines.iter().any(|(_, _, cells)| cells.len() > 1) {
        assign_pairs(&lines, orders, &mut out);
    } else {
        assign_in_order(&lines, orders, &mut out);
    }
    out
}

/// Lines that name their order.
fn assign_pairs(
    lines: &[(usize, &str, Vec<&str>)],
    orders: &[ListedOrder<'_>],
    out: &mut Assignment,
) {
    let index = KeyIndex::new(orders);
    let mut given_order: HashMap<u64, usize> = HashMap::new();
    let mut given_number: HashMap<String, usize> = HashMap::new();
    for (line, text, cells) in lines {
        let problem = |kind| ListProblem {
            line: *line,
            text: (*text).to_owned(),
            kind,
        };
        let (key, number) = match cells.as_slice() {
            [key, number] => (*key, *number),
            [_] => {
                out.problems.push(problem(ProblemKind::NoOrderNamed));
                continue;
            }
            _ => {
                out.problems.push(problem(ProblemKind::TooManyColumns));
                continue;
            }
        };
        let number = match invoice_number(number) {
            Ok(number) => number,
            Err(kind) => {
                out.problems.push(problem(kind));
                continue;
            }
        };
        let id = match index.find(key).as_slice() {
            [id] => *id,
            [] => {
                out.problems.push(problem(ProblemKind::NoOrder));
                continue;
            }
            many => {
                out.problems
                    .push(problem(ProblemKind::Ambiguous(many.len())));
                continue;
            }
        };
        if let Some(first) = given_order.get(&id) {
            out.problems
                .push(problem(ProblemKind::RepeatedOrder(*first)));
            continue;
        }
        if let Some(first) = given_number.get(&number) {
            out.problems
                .push(problem(ProblemKind::RepeatedNumber(*first)));
            continue;
        }
        given_order.insert(id, *line);
        given_number.insert(number.clone(), *line);
        out.numbers.push((id, number));
    }
}

/// Numbers alone: the n-th number to the n-th order.
fn assign_in_order(lines: &[Line<'_>], orders: &[ListedOrder<'_>], out: &mut Assignment) {
    if lines.len() != orders.len() {
        if let Some((line, text, _)) = lines.first() {
            out.problems.push(ListProblem {
                line: *line,
                text: (*text).to_owned(),
                kind: ProblemKind::CountMismatch {
                    numbers: lines.len(),
                    orders: orders.len(),
                },
            });
        }
        return;
    }
    let mut given_number: HashMap<String, usize> = HashMap::new();
    for ((line, text, cells), order) in lines.iter().zip(orders) {
        let problem = |kind| ListProblem {
            line: *line,
            text: (*text).to_owned(),
            kind,
        };
        match invoice_number(cells[0]) {
            Err(kind) => out.problems.push(problem(kind)),
            Ok(number) => match given_number.get(&number) {
                Some(first) => out
                    .problems
                    .push(problem(ProblemKind::RepeatedNumber(*first))),
                None => {
                    given_number.insert(number.clone(), *line);
                    out.numbers.push((order.id, number));
                }
            },
        }
    }
}

/// A line's cells: tab-separated as a spreadsheet copies them, else by commas (a CSV line), else
/// by spaces.
fn columns(line: &str) -> Vec<&str> {
    let line = line.trim();
    let cells: Vec<&str> = if line.contains('\t') {
        line.split('\t').collect()
    } else if line.contains(',') {
        line.split(',').collect()
    } else {
        line.split_whitespace().collect()
    };
    let cells: Vec<&str> = cells
        .into_iter()
        .map(|c| c.trim().trim_matches('"').trim())
        .collect();
    // Empty cells at the edges (a copied blank column) do not count; inside they do.
    let start = cells.iter().position(|c| !c.is_empty());
    let end = cells.iter().rposition(|c| !c.is_empty());
    match (start, end) {
        (Some(start), Some(end)) => cells[start..=end].to_vec(),
        _ => Vec::new(),
    }
}

/// The invoice number in a cell: hyphens and spaces dropped (`1234-5678-9012` is how labels print
/// it), letters and digits only, within [`NUMBER_LEN`].
pub fn invoice_number(cell: &str) -> Result<String, ProblemKind> {
    let cell = cell.trim();
    let upper = cell.to_ascii_uppercase();
    if upper.contains("E+") && upper.contains('.') {
        return Err(ProblemKind::Exponent);
    }
    let number: String = cell.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if NUMBER_LEN.contains(&number.len()) && number.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(number.to_ascii_uppercase())
    } else {
        Err(ProblemKind::NotANumber)
    }
}

/// The selection's orders by each number a line may name them by.
struct KeyIndex {
    by_key: HashMap<String, Vec<u64>>,
}

impl KeyIndex {
    fn new(orders: &[ListedOrder<'_>]) -> Self {
        let mut by_key: HashMap<String, Vec<u64>> = HashMap::new();
        let mut add = |key: &str, id: u64| {
            let key = key.trim();
            if key.is_empty() {
                return;
            }
            let ids = by_key.entry(key.to_owned()).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        };
        for order in orders {
            add(&order.id.to_string(), order.id);
            add(order.order_no, order.id);
            for line_no in order.line_nos {
                add(line_no, order.id);
            }
        }
        Self { by_key }
    }

    fn find(&self, key: &str) -> Vec<u64> {
        self.by_key.get(key.trim()).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders() -> Vec<(u64, String, Vec<String>)> {
        vec![
            (101, "2026112011111".into(), vec!["2026112011111-1".into()]),
            (
                102,
                "2026112022222".into(),
                vec!["L-1".into(), "L-2".into()],
            ),
            // Two 관리번호 of one marketplace order (split by its lines).
            (103, "SPLIT-1".into(), vec!["S-1".into()]),
            (104, "SPLIT-1".into(), vec!["S-2".into()]),
        ]
    }

    fn listed(orders: &[(u64, String, Vec<String>)]) -> Vec<ListedOrder<'_>> {
        orders
            .iter()
            .map(|(id, order_no, line_nos)| ListedOrder {
                id: *id,
                order_no,
                line_nos,
            })
            .collect()
    }

    #[test]
    fn r28_pairs_copied_from_a_spreadsheet_match_by_order_line_or_management_number() {
        let orders = orders();
        let text = "주문번호\t송장번호\n2026112011111\t6012-3456-7890\nL-2\t601234567891\n104\t601234567892\n";
        let got = assign(text, &listed(&orders));
        assert!(got.skipped_header);
        assert!(names_orders(text));
        assert_eq!(got.problems, vec![]);
        assert_eq!(
            got.numbers,
            vec![
                (101, "601234567890".to_owned()),
                (102, "601234567891".to_owned()),
                (104, "601234567892".to_owned()),
            ]
        );
    }

    #[test]
    fn r28_a_line_that_names_no_order_or_several_or_repeats_one_is_left_out_and_said_why() {
        let orders = orders();
        let text = [
            "SPLIT-1,601234567890",       // two orders: ambiguous
            "999,601234567891",           // no such order
            "L-1,601234567892",           // assigned
            "2026112022222,601234567893", // the same order again
            "101,601234567892",           // the same number again
            "101,1.23457E+11",            // a spreadsheet's float
            "101,12-34",                  // too short
            "601234567899",               // no order named
            "101,A,601234567894",         // three columns
        ]
        .join("\n");
        let got = assign(&text, &listed(&orders));
        assert!(!got.skipped_header);
        assert_eq!(got.numbers, vec![(102, "601234567892".to_owned())]);
        let kinds: Vec<(usize, ProblemKind)> = got
            .problems
            .iter()
            .map(|p| (p.line, p.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (1, ProblemKind::Ambiguous(2)),
                (2, ProblemKind::NoOrder),
                (4, ProblemKind::RepeatedOrder(3)),
                (5, ProblemKind::RepeatedNumber(3)),
                (6, ProblemKind::Exponent),
                (7, ProblemKind::NotANumber),
                (8, ProblemKind::NoOrderNamed),
                (9, ProblemKind::TooManyColumns),
            ]
        );
        assert_eq!(got.problems[1].text, "999,601234567891");
        for problem in &got.problems {
            assert!(!problem.kind.korean().is_empty());
        }
    }

    #[test]
    fn r28_numbers_alone_go_to_the_orders_in_list_order_only_when_as_many() {
        let orders = orders();
        let listed = listed(&orders);
        let text = "601234567890\r\n\r\n601234567891\n601234567892\n601234567890\n";
        let got = assign(text, &listed);
        assert!(!names_orders(text));
        assert_eq!(
            got.numbers,
            vec![
                (101, "601234567890".to_owned()),
                (102, "601234567891".to_owned()),
                (103, "601234567892".to_owned()),
            ]
        );
        assert_eq!(got.problems.len(), 1);
        assert_eq!(got.problems[0].line, 5);
        assert_eq!(got.problems[0].kind, ProblemKind::RepeatedNumber(1));

        let short = assign("601234567890\n601234567891", &listed);
        assert_eq!(short.numbers, vec![]);
        assert_eq!(
            short.problems[0].kind,
            ProblemKind::CountMismatch {
                numbers: 2,
                orders: 4
            }
        );
    }

    #[test]
    fn an_empty_paste_assigns_nothing_and_reports_nothing() {
        let orders = orders();
        let got = assign(" \n\t\n", &listed(&orders));
        assert_eq!(got, Assignment::default());
    }

    #[test]
    fn invoice_numbers_keep_their_leading_zero_and_drop_the_label_hyphens() {
        assert_eq!(invoice_number("0123-4567-8901"), Ok("012345678901".into()));
        assert_eq!(invoice_number("ab12345678"), Ok("AB12345678".into()));
        assert_eq!(invoice_number("1234567"), Err(ProblemKind::NotANumber));
        assert_eq!(invoice_number("12345678/9"), Err(ProblemKind::NotANumber));
    }
}
