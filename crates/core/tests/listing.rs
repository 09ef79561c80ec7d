//! The order list's read model: summaries, the search's filters, sorting and the tab counts
//! (issue 12; the CS states and holds of R9–R16, the invoice upload of R29).

mod support;

use jumun_core::claim::HoldKind;
use jumun_core::command::Command;
use jumun_core::ids::{LineId, OrderId};
use jumun_core::listing::{
    CsFilter, DateField, OrderFilter, OrderSummary, Period, SearchField, Sort, SortKey, TabCounts,
};
use jumun_core::order::{ClaimState, LineStatus};
use jumun_core::Book;
use support::{at, book_with, invoice, op, run, ship};

fn summary(book: &Book, id: u64) -> OrderSummary {
    OrderSummary::of(&book.orders[&OrderId(id)])
}

fn search(field: SearchField, text: &str) -> OrderFilter {
    OrderFilter {
        field,
        text: text.into(),
        ..OrderFilter::default()
    }
}

#[test]
fn a_summary_carries_what_the_list_shows_and_searches() {
    let mut book = book_with("coupang", 1, &[(11, 2), (12, 1)]);
    invoice(&mut book, 1);
    let s = summary(&book, 1);
    assert_eq!(s.id, 1);
    assert_eq!(s.order_no, "coupang-1");
    assert_eq!(s.line_nos, ["coupang-1-11", "coupang-1-12"]);
    assert_eq!(s.status, LineStatus::ReadyToShip);
    assert_eq!(s.phone, "01000001111");
    assert_eq!(s.phone_last4, "1111");
    assert_eq!(s.tracking_no.as_deref(), Some("T1"));
    assert_eq!(s.quantity, 3);
    assert_eq!(s.amount.0, 30_000);
    assert_eq!(s.product_label(), "상품11 외 1건");
    assert_eq!(s.ordered_at, at(0).timestamp_millis() as f64);
    assert_eq!(s.shipped_at, 0.0, "not shipped yet");
    assert!(!s.invoice_unsent);
    let mut book = book_with("coupang", 1, &[(11, 2), (12, 1)]);
    ship(&mut book, 1);
    let shipped = summary(&book, 1);
    assert!(shipped.shipped_at > 0.0);
    assert!(shipped.invoice_unsent, "R29: the number waits to be sent");
}

#[test]
fn each_search_field_finds_its_order_and_only_it() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    let one = summary(&book, 1);
    let other = summary(&book_with("naverpay", 2, &[(21, 1)]), 2);
    for (field, text) in [
        (SearchField::Recipient, "홍길"),
        (SearchField::Phone, "010-0000-1111"),
        (SearchField::Phone, "1111"),
        (SearchField::OrderNo, "coupang-1"),
        (SearchField::LineNo, "coupang-1-11"),
        (SearchField::TrackingNo, "T1"),
        (SearchField::Product, "옵션11"),
        (SearchField::Id, "1"),
        (SearchField::All, "coupang-1"),
        (SearchField::All, "T1"),
    ] {
        let filter = search(field, text);
        assert!(filter.matches(&one), "{field:?} {text}");
        let finds_other = matches!(
            (field, text),
            (SearchField::Recipient | SearchField::Phone, _)
        );
        assert_eq!(filter.matches(&other), finds_other, "{field:?} {text}");
    }
    for (field, text) in [
        (SearchField::Phone, "111"),
        (SearchField::Phone, "2222"),
        (SearchField::OrderNo, "coupang-"),
        (SearchField::TrackingNo, "T"),
        (SearchField::Id, "x"),
        (SearchField::Recipient, "길순"),
    ] {
        assert!(!search(field, text).matches(&one), "{field:?} {text}");
    }
    assert!(
        search(SearchField::Phone, "   ").matches(&one),
        "blank searches nothing"
    );
}

#[test]
fn filters_combine() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    run(
        &mut book,
        Command::PlaceHold {
            order: OrderId(1),
            lines: vec![LineId(11)],
            reason: "고객 요청".into(),
        },
        &op(1),
    );
    let held = summary(&book, 1);
    assert_eq!(held.holds, [HoldKind::Operator]);
    let mut filter = OrderFilter {
        marketplaces: ["coupang".to_owned()].into(),
        cs: Some(CsFilter::AnyHold),
        status: Some(LineStatus::Preparing),
        period: Some(Period {
            field: DateField::Ordered,
            from: at(-1).timestamp_millis() as f64,
            to: at(1).timestamp_millis() as f64,
        }),
        ..OrderFilter::default()
    };
    assert!(filter.matches(&held));
    filter.cs = Some(CsFilter::Hold(HoldKind::Cancel));
    assert!(!filter.matches(&held), "another hold kind");
    filter.cs = Some(CsFilter::Hold(HoldKind::Operator));
    filter.marketplaces = ["naverpay".to_owned()].into();
    assert!(!filter.matches(&held), "another marketplace");
    filter.marketplaces.clear();
    filter.period = Some(Period {
        field: DateField::Shipped,
        from: 0.0,
        to: f64::MAX,
    });
    assert!(!filter.matches(&held), "not shipped: no 출고일");
    filter.period = None;
    filter.status = Some(LineStatus::InTransit);
    assert!(!filter.matches(&held));
    assert!(filter.matches_besides_status(&held));
    assert!(CsFilter::Normal.matches(&summary(&book_with("naverpay", 2, &[(21, 1)]), 2)));
    assert!(!CsFilter::Normal.matches(&held));
}

#[test]
fn a_cancelled_line_is_a_cs_state_and_is_not_paid_for() {
    let mut book = book_with("coupang", 1, &[(11, 1), (12, 1)]);
    run(
        &mut book,
        Command::Cancel(support::claim_on(5, 1, &[(11, 1)])),
        &op(1),
    );
    let s = summary(&book, 1);
    assert_eq!(s.claim_states, [ClaimState::Cancelled]);
    assert!(CsFilter::State(ClaimState::Cancelled).matches(&s));
    assert_eq!(s.amount.0, 10_000, "the cancelled line is not counted");
}

#[test]
fn a_phone_search_of_four_digits_alone_can_use_the_index() {
    assert_eq!(
        search(SearchField::Phone, "1111").phone_last4().as_deref(),
        Some("1111")
    );
    assert_eq!(
        search(SearchField::Phone, "01000001111").phone_last4(),
        None
    );
    let mut with_cs = search(SearchField::Phone, "1111");
    with_cs.cs = Some(CsFilter::AnyHold);
    assert_eq!(with_cs.phone_last4(), None);
}

#[test]
fn sorting_is_total_and_toggles() {
    let a = summary(&book_with("coupang", 1, &[(11, 1)]), 1);
    let b = summary(&book_with("coupang", 2, &[(21, 3)]), 2);
    let newest = Sort::default();
    assert_eq!(
        newest.compare(&a, &b),
        std::cmp::Ordering::Greater,
        "same date: id desc"
    );
    let by_quantity = newest.toggled(SortKey::Quantity);
    assert!(by_quantity.descending);
    assert_eq!(by_quantity.compare(&a, &b), std::cmp::Ordering::Greater);
    let flipped = by_quantity.toggled(SortKey::Quantity);
    assert!(!flipped.descending);
    assert_eq!(flipped.compare(&a, &b), std::cmp::Ordering::Less);
    assert!(
        !newest.toggled(SortKey::Recipient).descending,
        "text sorts A→Z first"
    );
}

#[test]
fn tab_counts_count_every_status() {
    let mut counts = TabCounts::default();
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    counts.add(&summary(&book, 1));
    invoice(&mut book, 1);
    counts.add(&summary(&book, 1));
    assert_eq!(counts.of(None), 2);
    assert_eq!(counts.of(Some(LineStatus::Preparing)), 1);
    assert_eq!(counts.of(Some(LineStatus::ReadyToShip)), 1);
    assert_eq!(counts.of(Some(LineStatus::Delivered)), 0);
}

#[test]
fn tab_counts_move_with_a_status_change_and_never_go_below_zero() {
    let mut counts = TabCounts::default();
    counts.add_status(LineStatus::Preparing);
    counts.add_status(LineStatus::Preparing);
    // One order moves from 상품준비중 to 배송대기.
    counts.remove_status(LineStatus::Preparing);
    counts.add_status(LineStatus::ReadyToShip);
    assert_eq!(counts.of(None), 2);
    assert_eq!(counts.of(Some(LineStatus::Preparing)), 1);
    assert_eq!(counts.of(Some(LineStatus::ReadyToShip)), 1);
    // A removal the counts never saw leaves them at zero, not wrapped round.
    counts.remove_status(LineStatus::Delivered);
    counts.remove_status(LineStatus::Delivered);
    assert_eq!(counts.of(Some(LineStatus::Delivered)), 0);
    assert_eq!(counts.of(None), 0);
}

#[test]
fn a_withdrawn_claim_leaves_the_order_findable_as_withdrawn() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    support::deliver(&mut book, 1);
    let other = summary(&book_with("naverpay", 2, &[(21, 1)]), 2);
    run(
        &mut book,
        Command::Return(jumun_core::command::ReturnRequest {
            claim: support::claim_on(1, 1, &[(11, 1)]),
            pickup: Some(support::plan(1)),
            complete_at_once: false,
        }),
        &op(30),
    );
    assert!(
        !CsFilter::Withdrawn.matches(&summary(&book, 1)),
        "open, not withdrawn"
    );
    run(
        &mut book,
        Command::WithdrawClaim {
            claim: jumun_core::ids::ClaimId(1),
        },
        &op(31),
    );
    // R12: the line is back to 정상, and the list's 철회 filter still finds the order.
    let s = summary(&book, 1);
    assert!(s.claim_states.is_empty());
    assert!(s.withdrawn);
    assert!(CsFilter::Withdrawn.matches(&s));
    assert!(!CsFilter::Withdrawn.matches(&other));
    assert_eq!(CsFilter::Withdrawn.korean(), "철회");
}
