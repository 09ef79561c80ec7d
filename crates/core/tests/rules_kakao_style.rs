//! The Kakao Style (Zigzag) exchange lifecycle through the book (R19–R24).

mod support;

use chrono::Duration;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, ClaimProgress, FeePayment, HoldKind, Reason};
use jumun_core::command::{CollectedClaim, Command};
use jumun_core::exchange::{ExchangeCost, ExchangeState};
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, IdBlock, LineId, OrderId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::money::Won;
use jumun_core::order::{ClaimState, LineStatus};
use jumun_core::{Book, Change, Ctx, Refusal};
use support::*;

const CLAIM: ClaimId = ClaimId(5);

fn state(book: &Book) -> ExchangeState {
    book.claims[&CLAIM]
        .exchange
        .as_ref()
        .and_then(|e| e.kakao.as_ref())
        .map(|k| k.state)
        .expect("a Kakao Style exchange")
}

/// A delivered Zigzag order with an exchange request collected.
fn requested(delivered: bool) -> Book {
    // Zigzag matches by order no. + line no. + line no. 2, so the line carries its second number.
    let mut order = new_order("zigzag", 1, &[(11, 1)]);
    order.lines[0].keys.line_no2 = Some("Z2".into());
    let keys = order.lines[0].keys.clone();
    let mut fresh = Book::new();
    run(&mut fresh, Command::CollectOrder(order), &op(0));
    if delivered {
        deliver(&mut fresh, 1);
    } else {
        ship(&mut fresh, 1);
    }
    let sync = Ctx::sync(&MarketplaceCode::from("zigzag"), at(30));
    run(
        &mut fresh,
        Command::CollectClaim(CollectedClaim {
            claim: CLAIM,
            marketplace: MarketplaceCode::from("zigzag"),
            kind: ClaimKind::Exchange,
            keys,
            quantity: None,
            status: "교환요청".into(),
            claim_no: Some("ZX-1".into()),
            reason: Reason::OptionChange,
            fault: Fault::Buyer,
            requested_option: Some("블랙 / L".into()),
            split_line: None,
        }),
        &sync,
    );
    fresh
}

#[test]
fn r19_exchange_walks_the_seed_states_and_completes() {
    let mut book = requested(true);
    assert_eq!(state(&book), ExchangeState::Requested);
    assert_eq!(
        book.orders[&OrderId(1)].lines[0]
            .hold
            .as_ref()
            .map(|h| h.kind),
        Some(HoldKind::Exchange)
    );
    run(&mut book, Command::AcceptExchange { claim: CLAIM }, &op(31));
    assert_eq!(state(&book), ExchangeState::PickingUp);
    assert_eq!(
        book.orders[&OrderId(1)].lines[0].claim_state,
        ClaimState::Exchanging
    );
    run(
        &mut book,
        Command::CompleteExchangePickup { claim: CLAIM },
        &op(40),
    );
    assert_eq!(state(&book), ExchangeState::PickedUp);
    run(
        &mut book,
        Command::ConfirmExchange { claim: CLAIM },
        &op(41),
    );
    assert_eq!(state(&book), ExchangeState::PreparingReplacement);
    let refusal = refuse(
        &mut book,
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "".into(),
        },
        &op(42),
    );
    assert_eq!(refusal, Refusal::MissingInvoiceNumber);
    run(
        &mut book,
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "C-77".into(),
        },
        &op(42),
    );
    assert_eq!(state(&book), ExchangeState::ReplacementInTransit);
    run(
        &mut book,
        Command::MarkReplacementDelivered { claim: CLAIM },
        &op(60),
    );
    assert_eq!(state(&book), ExchangeState::ReplacementDelivered);
    assert_eq!(book.claims[&CLAIM].progress, ClaimProgress::Completed);
    assert_eq!(
        book.orders[&OrderId(1)].lines[0].claim_state,
        ClaimState::Exchanged
    );
}

#[test]
fn r19_steps_out_of_order_are_refused() {
    let mut book = requested(true);
    for command in [
        Command::CompleteExchangePickup { claim: CLAIM },
        Command::ConfirmExchange { claim: CLAIM },
        Command::MarkReplacementDelivered { claim: CLAIM },
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "1".into(),
        },
    ] {
        assert!(matches!(
            refuse(&mut book, command, &op(31)),
            Refusal::ExchangeStateForbids { .. }
        ));
    }
    assert_eq!(
        refuse(
            &mut book,
            Command::AcceptExchange { claim: ClaimId(99) },
            &op(31)
        ),
        Refusal::UnknownClaim(ClaimId(99))
    );
}

#[test]
fn r20_reject_returns_to_previous_delivery_state() {
    for delivered in [true, false] {
        let mut book = requested(delivered);
        run(&mut book, Command::AcceptExchange { claim: CLAIM }, &op(31));
        assert_eq!(
            refuse(
                &mut book,
                Command::RejectExchange {
                    claim: CLAIM,
                    reason: " ".into()
                },
                &op(32)
            ),
            Refusal::ReasonRequired
        );
        run(
            &mut book,
            Command::RejectExchange {
                claim: CLAIM,
                reason: "착용 흔적".into(),
            },
            &op(32),
        );
        let line = &book.orders[&OrderId(1)].lines[0];
        let expected = if delivered {
            LineStatus::Delivered
        } else {
            LineStatus::InTransit
        };
        assert_eq!(line.status, expected);
        assert_eq!(line.claim_state, ClaimState::Normal);
        assert!(line.hold.is_none());
        assert_eq!(book.claims[&CLAIM].progress, ClaimProgress::Rejected);
    }
}

#[test]
fn r20_after_confirmation_neither_reject_nor_cancel() {
    let mut book = requested(true);
    run(&mut book, Command::AcceptExchange { claim: CLAIM }, &op(31));
    run(
        &mut book,
        Command::CompleteExchangePickup { claim: CLAIM },
        &op(32),
    );
    run(
        &mut book,
        Command::ConfirmExchange { claim: CLAIM },
        &op(33),
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::RejectExchange {
                claim: CLAIM,
                reason: "x".into()
            },
            &op(34)
        ),
        Refusal::ExchangeStateForbids { .. }
    ));
    assert!(matches!(
        refuse(&mut book, Command::WithdrawClaim { claim: CLAIM }, &op(34)),
        Refusal::ExchangeStateForbids { .. }
    ));
}

#[test]
fn r21_exchange_info_editable_while_picking_up_or_picked_up_only() {
    let mut book = requested(true);
    let edit = Command::EditExchange {
        claim: CLAIM,
        options: vec![(LineId(11), "화이트 / M".into(), Won(1_000))],
        fault: Fault::Seller,
        payment: FeePayment::BankTransfer,
    };
    assert!(matches!(
        refuse(&mut book, edit.clone(), &op(31)),
        Refusal::ExchangeStateForbids { .. }
    ));
    run(&mut book, Command::AcceptExchange { claim: CLAIM }, &op(31));
    run(&mut book, edit.clone(), &op(32));
    let claim = &book.claims[&CLAIM];
    let details = claim.exchange.as_ref().expect("details");
    assert_eq!(details.replacements[0].option, "화이트 / M");
    assert_eq!(details.payment, FeePayment::BankTransfer);
    assert_eq!(claim.fault, Fault::Seller);
    let wrong_payment = Command::EditExchange {
        claim: CLAIM,
        options: vec![],
        fault: Fault::Seller,
        payment: FeePayment::CashOnDelivery,
    };
    refuse(&mut book, wrong_payment, &op(33));
    run(
        &mut book,
        Command::CompleteExchangePickup { claim: CLAIM },
        &op(34),
    );
    run(&mut book, edit.clone(), &op(35));
    run(
        &mut book,
        Command::ConfirmExchange { claim: CLAIM },
        &op(36),
    );
    assert!(matches!(
        refuse(&mut book, edit, &op(37)),
        Refusal::ExchangeStateForbids { .. }
    ));
}

#[test]
fn r21_exchange_is_the_same_product_only() {
    let mut book = book_with("zigzag", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let request = jumun_core::command::ExchangeRequest {
        claim: claim_on(8, 1, &[(11, 1)]),
        replacements: vec![jumun_core::command::ReplacementRequest {
            for_line: LineId(11),
            new_line: LineId(111),
            product_name: "다른 상품".into(),
            option: "블랙".into(),
            option_price: Won::ZERO,
            keys: None,
        }],
        exchange_order: OrderId(101),
        swap: false,
        pickup: None,
        shipping_fee_one_way: Won(3_000),
        payment: FeePayment::Enclosed,
    };
    assert_eq!(
        refuse(&mut book, Command::Exchange(request.clone()), &op(30)),
        Refusal::ExchangeToOtherProduct
    );
    let mut same = request;
    same.replacements[0].product_name = "상품11".into();
    run(&mut book, Command::Exchange(same), &op(30));
    assert_eq!(
        book.claims[&ClaimId(8)]
            .exchange
            .as_ref()
            .and_then(|e| e.kakao.as_ref())
            .map(|k| k.state),
        Some(ExchangeState::PickingUp)
    );
}

fn preparing() -> Book {
    let mut book = requested(true);
    run(&mut book, Command::AcceptExchange { claim: CLAIM }, &op(31));
    run(
        &mut book,
        Command::CompleteExchangePickup { claim: CLAIM },
        &op(32),
    );
    run(
        &mut book,
        Command::ConfirmExchange { claim: CLAIM },
        &op(33),
    );
    book
}

#[test]
fn r22_delay_notice_at_most_twice_within_fifteen_days() {
    let mut book = preparing();
    let refusal = refuse(
        &mut book,
        Command::NoticeExchangeDelay {
            claim: CLAIM,
            due: at(40) + Duration::days(16),
        },
        &op(40),
    );
    assert!(matches!(refusal, Refusal::DueDateOutOfRange { .. }));
    let events = run(
        &mut book,
        Command::NoticeExchangeDelay {
            claim: CLAIM,
            due: at(40) + Duration::days(5),
        },
        &op(40),
    );
    assert!(matches!(
        events[0].change,
        Change::ExchangeDelayNoticed { .. }
    ));
    assert_eq!(state(&book), ExchangeState::DelayNoticed);
    run(
        &mut book,
        Command::NoticeExchangeDelay {
            claim: CLAIM,
            due: at(50) + Duration::days(10),
        },
        &op(50),
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::NoticeExchangeDelay {
                claim: CLAIM,
                due: at(60) + Duration::days(10)
            },
            &op(60)
        ),
        Refusal::TooManyDelayNotices(CLAIM)
    );
}

#[test]
fn r22_unshipped_past_the_due_date_becomes_delayed_with_a_penalty() {
    let mut book = preparing();
    run(
        &mut book,
        Command::NoticeExchangeDelay {
            claim: CLAIM,
            due: at(40) + Duration::days(5),
        },
        &op(40),
    );
    assert!(book
        .tick(at(40) + Duration::days(5), IdBlock::new(900, 4))
        .expect("tick")
        .is_empty());
    let events = book
        .tick(at(41) + Duration::days(5), IdBlock::new(900, 4))
        .expect("tick");
    assert!(matches!(events[0].change, Change::ExchangeLate { .. }));
    assert_eq!(state(&book), ExchangeState::Delayed);
    assert!(book.claims[&CLAIM]
        .exchange
        .as_ref()
        .and_then(|e| e.kakao.as_ref())
        .and_then(|k| k.penalty.as_ref())
        .is_some());
    assert_eq!(
        book.dashboard().exchange_delays,
        1,
        "교환배송지연 on the dashboard"
    );
    assert!(
        book.tick(at(100) + Duration::days(5), IdBlock::new(900, 4))
            .expect("tick")
            .is_empty(),
        "penalised once"
    );
    // Late, it can still ship.
    run(
        &mut book,
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "C-1".into(),
        },
        &op(200),
    );
    assert_eq!(
        book.dashboard().exchange_delays,
        0,
        "shipped: no longer late"
    );
}

#[test]
fn r22_without_a_notice_the_normal_deadline_applies() {
    let mut book = preparing();
    let events = book
        .tick(at(33) + Duration::days(4), IdBlock::new(900, 4))
        .expect("tick");
    assert_eq!(events.len(), 1);
    assert_eq!(state(&book), ExchangeState::Delayed);
}

#[test]
fn r23_costs_follow_fault_and_option_price() {
    let book = requested(true);
    let claim = &book.claims[&CLAIM];
    let details = claim.exchange.as_ref().expect("details");
    let line = &book.orders[&OrderId(1)].lines[0];
    let cost = ExchangeCost::compute(
        line.option_price,
        details.replacements[0].option_price + Won(2_000),
        1,
        Won(3_000),
        claim.fault,
    );
    assert_eq!(cost.buyer_owes, Won(8_000));
}

#[test]
fn r30_shipping_the_replacement_takes_it_out_of_stock() {
    use jumun_core::stock::{ProductKey, Sku, StockItem};
    let mut book = preparing();
    run(
        &mut book,
        Command::RegisterStockItem(StockItem {
            sku: Sku("BLACK-L".into()),
            name: "블랙 / L".into(),
            barcode: None,
            location: None,
            on_hand: 5,
            allocated: 0,
        }),
        &op(40),
    );
    run(
        &mut book,
        Command::LinkProduct {
            product: ProductKey {
                marketplace: MarketplaceCode::from("zigzag"),
                product: "P11".into(),
                option: "블랙 / L".into(),
            },
            sku: Sku("BLACK-L".into()),
        },
        &op(40),
    );
    run(
        &mut book,
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "C-1".into(),
        },
        &op(41),
    );
    assert_eq!(book.stock.items[&Sku("BLACK-L".into())].on_hand, 4);
}

#[test]
fn r24_invoice_editable_while_replacement_in_transit() {
    let mut book = preparing();
    let edit = Command::EditReplacementInvoice {
        claim: CLAIM,
        carrier: Carrier::lotte(),
        tracking_no: "L-9".into(),
    };
    assert!(matches!(
        refuse(&mut book, edit.clone(), &op(40)),
        Refusal::ExchangeStateForbids { .. }
    ));
    run(
        &mut book,
        Command::ShipReplacement {
            claim: CLAIM,
            carrier: Carrier::cj(),
            tracking_no: "C-1".into(),
        },
        &op(41),
    );
    let events = run(&mut book, edit, &op(42));
    assert!(
        matches!(&events[0].change, Change::ReplacementInvoiceSet { before: Some((_, n)), .. } if n == "C-1")
    );
    let kakao = book.claims[&CLAIM]
        .exchange
        .as_ref()
        .and_then(|e| e.kakao.clone())
        .expect("kakao");
    assert_eq!(kakao.invoice, Some((Carrier::lotte(), "L-9".into())));
}
