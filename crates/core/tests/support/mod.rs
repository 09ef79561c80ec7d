//! Builders shared by the engine's integration tests: a clock, contexts, orders as marketplaces
//! send them, and shortcuts through the lifecycle.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimPick, Reason};
use jumun_core::command::{ClaimRequest, Command};
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, NewLine, NewOrder, Payment};
use jumun_core::{Book, Ctx, Event, Refusal};

/// 2026-11-02 09:00 KST plus `hours`.
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .expect("valid date")
        + Duration::hours(hours)
}

/// An operator's context at `hours`.
pub fn op(hours: i64) -> Ctx {
    Ctx::operator("상담원1", at(hours))
}

/// A recipient in Seoul.
pub fn delivery(name: &str) -> DeliveryInfo {
    DeliveryInfo {
        orderer_name: name.into(),
        orderer_phone: "010-0000-1111".into(),
        recipient_name: name.into(),
        recipient_phone: "010-0000-1111".into(),
        recipient_landline: String::new(),
        postcode: "04563".into(),
        address: "서울특별시 중구 장충단로13길 20".into(),
        memo: String::new(),
    }
}

/// A line with marketplace keys `order_no`/`line_no`, product code `P{line}` and option `옵션{line}`.
pub fn new_line(order_no: &str, line: u64, quantity: u32) -> NewLine {
    NewLine {
        id: LineId(line),
        keys: MarketplaceKeys {
            order_no: order_no.into(),
            line_no: Some(format!("{order_no}-{line}")),
            product_code: Some(format!("P{line}")),
            option: Some(format!("옵션{line}")),
            product_name: Some(format!("상품{line}")),
            ..Default::default()
        },
        product_name: format!("상품{line}"),
        option: format!("옵션{line}"),
        quantity,
        unit_price: Won(10_000),
        option_price: Won::ZERO,
    }
}

/// A paid order of `marketplace` with the given (line id, quantity) pairs.
pub fn new_order(marketplace: &str, id: u64, lines: &[(u64, u32)]) -> NewOrder {
    let order_no = format!("{marketplace}-{id}");
    NewOrder {
        id: OrderId(id),
        marketplace: MarketplaceCode::from(marketplace),
        order_no: order_no.clone(),
        ordered_at: at(0),
        payment: Payment::Paid,
        paid_at: None,
        delivery: delivery("홍길순"),
        lines: lines
            .iter()
            .map(|(line, quantity)| new_line(&order_no, *line, *quantity))
            .collect(),
        no_bundle: false,
    }
}

/// Runs a command that must succeed.
pub fn run(book: &mut Book, command: Command, ctx: &Ctx) -> Vec<Event> {
    match book.execute(&command, ctx) {
        Ok(events) => events,
        Err(refusal) => panic!("refused: {refusal} ({command:?})"),
    }
}

/// Runs a command that must be refused, and checks that it changed nothing.
pub fn refuse(book: &mut Book, command: Command, ctx: &Ctx) -> Refusal {
    let before = serde_json::to_string(book).expect("book serialises");
    let refusal = match book.execute(&command, ctx) {
        Ok(events) => panic!("expected a refusal, got {events:?}"),
        Err(refusal) => refusal,
    };
    assert_eq!(
        serde_json::to_string(book).expect("book serialises"),
        before,
        "a refused command must change nothing"
    );
    refusal
}

/// A book with one collected, paid order.
pub fn book_with(marketplace: &str, id: u64, lines: &[(u64, u32)]) -> Book {
    let mut book = Book::new();
    run(
        &mut book,
        Command::CollectOrder(new_order(marketplace, id, lines)),
        &Ctx::sync(&MarketplaceCode::from(marketplace), at(0)),
    );
    book
}

/// Issues invoice `T{order}` with CJ.
pub fn invoice(book: &mut Book, order: u64) {
    run(
        book,
        Command::IssueInvoice {
            order: OrderId(order),
            carrier: Carrier::cj(),
            tracking_no: format!("T{order}"),
        },
        &op(1),
    );
}

/// Invoices, prints and ships an order.
pub fn ship(book: &mut Book, order: u64) {
    invoice(book, order);
    run(
        book,
        Command::PrintInvoice {
            order: OrderId(order),
        },
        &op(2),
    );
    run(
        book,
        Command::Ship {
            order: OrderId(order),
        },
        &op(3),
    );
}

/// Ships and delivers an order.
pub fn deliver(book: &mut Book, order: u64) {
    ship(book, order);
    run(
        book,
        Command::MarkDelivered {
            order: OrderId(order),
        },
        &op(24),
    );
}

/// A claim request on whole lines.
pub fn claim_on(claim: u64, order: u64, lines: &[(u64, u32)]) -> ClaimRequest {
    ClaimRequest {
        claim: ClaimId(claim),
        order: OrderId(order),
        lines: lines
            .iter()
            .map(|(line, quantity)| ClaimPick {
                line: LineId(*line),
                quantity: *quantity,
                split_line: None,
            })
            .collect(),
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        memo: "고객 요청".into(),
    }
}

/// A pickup by CJ with a 3,000 won fee enclosed in the box (R13).
pub fn plan(id: u64) -> jumun_core::pickup::PickupPlan {
    jumun_core::pickup::PickupPlan {
        id: jumun_core::ids::PickupId(id),
        request_carrier: true,
        carrier: Some(Carrier::cj()),
        fee: Won(3_000),
        fee_payment: jumun_core::claim::FeePayment::Enclosed,
        memo: String::new(),
    }
}
