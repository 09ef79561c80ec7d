//! Claims: cancel, return, exchange CASE1/CASE2/swap, Cafe24, holds and withdrawals, pickups
//! (R9–R18, R27).

mod support;

use jumun_core::carrier::Carrier;
use jumun_core::claim::{
    ClaimKind, ClaimPick, ClaimProgress, FeePayment, HoldKind, HoldReason, Reason,
};
use jumun_core::command::{
    CollectedClaim, Command, ExchangeRequest, ReplacementRequest, ReturnRequest,
};
use jumun_core::exchange::Cafe24ExchangeMode;
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, LineId, OrderId, PickupId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::money::Won;
use jumun_core::order::{ClaimState, InvoiceUpload, LineStatus, OrderOrigin};
use jumun_core::pickup::PickupState;
use jumun_core::stock::{ProductKey, Sku, StockItem};
use jumun_core::{Book, Ctx, Refusal};
use support::*;

fn line_of(book: &Book, order: u64, line: u64) -> jumun_core::order::Line {
    book.line(OrderId(order), LineId(line))
        .expect("line")
        .clone()
}

#[test]
fn r9_claim_covers_chosen_lines_and_quantities() {
    let mut book = book_with("coupang", 1, &[(11, 3), (12, 1)]);
    let mut request = claim_on(1, 1, &[]);
    request.lines = vec![ClaimPick {
        line: LineId(11),
        quantity: 2,
        split_line: Some(LineId(13)),
    }];
    request.reason = Reason::OutOfStock;
    request.fault = Fault::Seller;
    run(&mut book, Command::Cancel(request), &op(1));
    let claim = &book.claims[&ClaimId(1)];
    assert_eq!(claim.kind, ClaimKind::Cancel);
    assert_eq!(
        (claim.reason.clone(), claim.fault),
        (Reason::OutOfStock, Fault::Seller)
    );
    assert_eq!(claim.lines[0].quantity, 2);
    assert_eq!(claim.opened_at, at(1));
    assert_eq!(line_of(&book, 1, 11).quantity, 1);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Normal);
    assert_eq!(line_of(&book, 1, 13).quantity, 2);
    assert_eq!(line_of(&book, 1, 13).claim_state, ClaimState::Cancelled);
    assert_eq!(book.orders[&OrderId(1)].total_quantity(), 4);
}

#[test]
fn r9_bad_picks_are_refused() {
    let mut book = book_with("coupang", 1, &[(11, 2)]);
    assert_eq!(
        refuse(&mut book, Command::Cancel(claim_on(1, 1, &[])), &op(1)),
        Refusal::NothingSelected
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::Cancel(claim_on(1, 1, &[(11, 3)])),
            &op(1)
        ),
        Refusal::BadQuantity { .. }
    ));
    assert_eq!(
        refuse(
            &mut book,
            Command::Cancel(claim_on(1, 1, &[(11, 1)])),
            &op(1)
        ),
        Refusal::PartNeedsLineId(LineId(11))
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::Cancel(claim_on(1, 1, &[(99, 1)])),
            &op(1)
        ),
        Refusal::UnknownLine { .. }
    ));
}

#[test]
fn r10_cancel_before_shipping_return_after() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    let refusal = refuse(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 1)]),
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(1),
    );
    assert!(matches!(refusal, Refusal::NotShippedYet { .. }));
    ship(&mut book, 1);
    let refusal = refuse(
        &mut book,
        Command::Cancel(claim_on(1, 1, &[(11, 1)])),
        &op(4),
    );
    assert!(matches!(
        refusal,
        Refusal::CancelAfterShipping {
            status: LineStatus::InTransit,
            ..
        }
    ));
}

#[test]
fn r10_cancel_of_an_invoiced_order_voids_its_invoice() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    run(
        &mut book,
        Command::Cancel(claim_on(1, 1, &[(11, 1)])),
        &op(2),
    );
    assert!(book.orders[&OrderId(1)].invoice.is_none());
    assert!(book.orders[&OrderId(1)].is_cancelled());
    assert!(book.orders_with_tracking("T1").is_none());
}

#[test]
fn r3_no_return_or_exchange_after_purchase_confirmation() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::ConfirmPurchase { order: OrderId(1) },
        &op(30),
    );
    let refusal = refuse(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 1)]),
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(31),
    );
    assert_eq!(refusal, Refusal::PurchaseConfirmed(LineId(11)));
}

fn collected(
    kind: ClaimKind,
    marketplace: &str,
    order: u64,
    line: u64,
    claim: u64,
) -> CollectedClaim {
    let order_no = format!("{marketplace}-{order}");
    let mut keys = new_line(&order_no, line, 1).keys;
    keys.product_name = None;
    CollectedClaim {
        claim: ClaimId(claim),
        marketplace: MarketplaceCode::from(marketplace),
        kind,
        keys,
        quantity: None,
        status: "요청".into(),
        claim_no: Some(format!("MC-{claim}")),
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        requested_option: Some("블랙 / L".into()),
        split_line: None,
    }
}

#[test]
fn r11_marketplace_claim_holds_the_lines_and_counts_on_the_dashboard() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(30));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Return, "11st", 1, 11, 5)),
        &sync,
    );
    let line = line_of(&book, 1, 11);
    assert_eq!(line.hold.as_ref().map(|h| h.kind), Some(HoldKind::Return));
    assert_eq!(book.dashboard().holds.r#return, 1);
    assert_eq!(book.dashboard().requested.r#return, 1);
    // The same claim synced again changes nothing.
    let mut again = collected(ClaimKind::Return, "11st", 1, 11, 6);
    again.claim_no = Some("MC-5".into());
    assert!(run(&mut book, Command::CollectClaim(again), &sync).is_empty());
    // Another claim on a line with a claim under way is refused.
    assert!(matches!(
        refuse(
            &mut book,
            Command::CollectClaim(collected(ClaimKind::Return, "11st", 1, 11, 6)),
            &sync
        ),
        Refusal::ClaimAlreadyOpen { .. }
    ));
    // Processing it releases the hold and opens the pickup.
    let mut request = claim_on(5, 1, &[]);
    request.lines.clear();
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: request,
            pickup: Some(plan(7)),
            complete_at_once: false,
        }),
        &op(31),
    );
    let line = line_of(&book, 1, 11);
    assert!(line.hold.is_none());
    assert_eq!(line.claim_state, ClaimState::Returning);
    assert_eq!(book.pickups[&PickupId(7)].state, PickupState::Expected);
}

#[test]
fn r11_held_line_cannot_be_invoiced_until_resolved() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(1));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Cancel, "11st", 1, 11, 5)),
        &sync,
    );
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(1),
            carrier: Carrier::cj(),
            tracking_no: "T".into(),
        },
        &op(2),
    );
    assert!(matches!(
        refusal,
        Refusal::OnHold {
            hold: HoldKind::Cancel,
            ..
        }
    ));
    let refusal = refuse(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Cancel, "11st", 9, 91, 6)),
        &sync,
    );
    assert!(matches!(refusal, Refusal::ClaimMatchesNothing { .. }));
}

#[test]
fn r12_withdrawal_returns_lines_to_where_they_were() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let before = line_of(&book, 1, 11);
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(30));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "11st", 1, 11, 5)),
        &sync,
    );
    assert_ne!(line_of(&book, 1, 11), before);
    run(
        &mut book,
        Command::WithdrawClaim { claim: ClaimId(5) },
        &sync,
    );
    let after = line_of(&book, 1, 11);
    assert_eq!(
        (after.status, after.claim_state, after.hold.clone()),
        (before.status, before.claim_state, before.hold.clone())
    );
    assert_eq!(book.claims[&ClaimId(5)].progress, ClaimProgress::Withdrawn);
    assert_eq!(book.dashboard().withdrawals.exchange, 1);
    assert!(matches!(
        refuse(
            &mut book,
            Command::WithdrawClaim { claim: ClaimId(5) },
            &op(31)
        ),
        Refusal::ClaimClosed { .. }
    ));
}

#[test]
fn r12_operator_return_withdrawn_before_the_goods_arrive() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 1)]),
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(30),
    );
    run(
        &mut book,
        Command::WithdrawClaim { claim: ClaimId(1) },
        &op(31),
    );
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Normal);
    assert!(matches!(
        refuse(
            &mut book,
            Command::StartPickup {
                pickup: PickupId(1)
            },
            &op(32)
        ),
        Refusal::ClaimClosed { .. }
    ));
}

#[test]
fn r13_return_records_pickup_request_fee_and_payment() {
    let mut book = book_with("coupang", 1, &[(11, 2)]);
    deliver(&mut book, 1);
    let refusal = refuse(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 2)]),
            pickup: None,
            complete_at_once: false,
        }),
        &op(30),
    );
    assert_eq!(refusal, Refusal::PickupPlanRequired);
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 2)]),
            pickup: Some(plan(3)),
            complete_at_once: false,
        }),
        &op(30),
    );
    let pickup = &book.pickups[&PickupId(3)];
    assert!(pickup.plan.request_carrier);
    assert_eq!(
        (pickup.plan.fee, pickup.plan.fee_payment),
        (Won(3_000), FeePayment::Enclosed)
    );
    assert_eq!(pickup.lines[0].expected, 2);
}

#[test]
fn r13_return_completed_at_once() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 1)]),
            pickup: None,
            complete_at_once: true,
        }),
        &op(30),
    );
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Returned);
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Completed);
}

#[test]
fn r14_pickup_states_arrival_quantities_and_restock() {
    let mut book = Book::new();
    run(
        &mut book,
        Command::RegisterStockItem(StockItem {
            sku: Sku("JEAN".into()),
            name: "청바지".into(),
            barcode: None,
            location: None,
            on_hand: 10,
            allocated: 0,
        }),
        &op(0),
    );
    run(
        &mut book,
        Command::LinkProduct {
            product: ProductKey {
                marketplace: MarketplaceCode::from("coupang"),
                product: "P11".into(),
                option: "옵션11".into(),
            },
            sku: Sku("JEAN".into()),
        },
        &op(0),
    );
    run(
        &mut book,
        Command::CollectOrder(new_order("coupang", 1, &[(11, 3)])),
        &op(0),
    );
    deliver(&mut book, 1);
    assert_eq!(book.stock.items[&Sku("JEAN".into())].on_hand, 7);
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: claim_on(1, 1, &[(11, 3)]),
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(30),
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::Restock {
                pickup: PickupId(1),
                lines: vec![(LineId(11), 1)]
            },
            &op(30)
        ),
        Refusal::PickupStateForbids { .. }
    ));
    run(
        &mut book,
        Command::StartPickup {
            pickup: PickupId(1),
        },
        &op(31),
    );
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::PickingUp);
    run(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(11), 2)],
        },
        &op(40),
    );
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Missing);
    assert_eq!(
        line_of(&book, 1, 11).claim_state,
        ClaimState::Returning,
        "still waiting for one unit"
    );
    run(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(11), 2)],
        },
        &op(41),
    );
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Excess);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Returned);
    run(
        &mut book,
        Command::Restock {
            pickup: PickupId(1),
            lines: vec![(LineId(11), 3)],
        },
        &op(42),
    );
    assert_eq!(book.stock.items[&Sku("JEAN".into())].on_hand, 10);
    let refusal = refuse(
        &mut book,
        Command::Restock {
            pickup: PickupId(1),
            lines: vec![(LineId(11), 2)],
        },
        &op(42),
    );
    assert_eq!(
        refusal,
        Refusal::RestockTooMany {
            line: LineId(11),
            asked: 2,
            arrivable: 1
        }
    );
}

fn exchange(claim: u64, order: u64, line: u64, swap: bool) -> ExchangeRequest {
    ExchangeRequest {
        claim: claim_on(claim, order, &[(line, 1)]),
        replacements: vec![ReplacementRequest {
            for_line: LineId(line),
            new_line: LineId(line + 100),
            product_name: "겨울 발목 신상 패션아이템 기모양말".into(),
            option: "옐로우".into(),
            option_price: Won(500),
            keys: None,
        }],
        exchange_order: OrderId(order + 100),
        swap,
        pickup: Some(plan(claim)),
        shipping_fee_one_way: Won(3_000),
        payment: FeePayment::Enclosed,
    }
}

#[test]
fn r15_case1_console_creates_the_replacement_order_which_waits_for_the_pickup() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, 1, 11, false)),
        &op(30),
    );
    let replacement = &book.orders[&OrderId(101)];
    assert_eq!(
        replacement.origin,
        OrderOrigin::Exchange {
            original: OrderId(1),
            claim: ClaimId(1)
        }
    );
    assert_eq!(replacement.lines[0].option, "옐로우");
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Exchanging);
    // Not a swap: the replacement is held until the old item is back (R17).
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(101),
            carrier: Carrier::cj(),
            tracking_no: "X1".into(),
        },
        &op(31),
    );
    assert!(matches!(
        refusal,
        Refusal::OnHold {
            hold: HoldKind::Exchange,
            ..
        }
    ));
    run(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(11), 1)],
        },
        &op(40),
    );
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Exchanged);
    ship(&mut book, 101);
    // Its invoice number goes to the marketplace.
    assert_eq!(
        book.orders[&OrderId(101)].invoice_upload,
        InvoiceUpload::Pending
    );
}

#[test]
fn r17_swap_replacement_ships_before_the_pickup() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, 1, 11, true)),
        &op(30),
    );
    ship(&mut book, 101);
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Expected);
    assert_eq!(book.orders[&OrderId(101)].status(), LineStatus::InTransit);
}

#[test]
fn r16_case2_exchange_is_processed_as_return_or_cancel() {
    // Musinsa creates the replacement order itself.
    let mut book = book_with("musinsa", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, 1, 11, false)),
        &op(30),
    );
    let claim = &book.claims[&ClaimId(1)];
    assert_eq!(claim.kind, ClaimKind::Return);
    assert!(claim.converted_from_exchange);
    assert!(
        !book.orders.contains_key(&OrderId(101)),
        "no replacement from the console"
    );
    let mut book = book_with("musinsa", 2, &[(21, 1)]);
    run(
        &mut book,
        Command::Exchange(exchange(2, 2, 21, false)),
        &op(1),
    );
    assert_eq!(book.claims[&ClaimId(2)].kind, ClaimKind::Cancel);
    assert_eq!(line_of(&book, 2, 21).claim_state, ClaimState::Cancelled);
}

#[test]
fn r16_collected_case2_exchange_converts_when_processed() {
    let mut book = book_with("musinsa", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let sync = Ctx::sync(&MarketplaceCode::from("musinsa"), at(30));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "musinsa", 1, 11, 5)),
        &sync,
    );
    let mut request = exchange(5, 1, 11, false);
    request.claim.lines.clear();
    run(&mut book, Command::Exchange(request), &op(31));
    assert_eq!(book.claims[&ClaimId(5)].kind, ClaimKind::Return);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Returning);
    assert!(line_of(&book, 1, 11).hold.is_none());
}

#[test]
fn r18_cafe24_exchange_of_a_collected_order_needs_a_manual_exchange() {
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let sync = Ctx::sync(&MarketplaceCode::from("cafe24"), at(30));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "cafe24", 1, 11, 5)),
        &sync,
    );
    let line = line_of(&book, 1, 11);
    assert_eq!(
        line.hold.as_ref().map(|h| h.reason.clone()),
        Some(HoldReason::ManualExchangeRequired(ClaimId(5)))
    );
    // The ordinary exchange command does not apply: the operator must choose how (R18).
    let mut request = exchange(5, 1, 11, false);
    request.claim.lines.clear();
    assert_eq!(
        refuse(&mut book, Command::Exchange(request.clone()), &op(31)),
        Refusal::ManualExchangeRequired(ClaimId(5))
    );
    run(
        &mut book,
        Command::ResolveCafe24Exchange {
            claim: ClaimId(5),
            mode: Cafe24ExchangeMode::ConsoleOnly,
            exchange_order: OrderId(101),
            replacements: request.replacements.clone(),
            swap: false,
            pickup: Some(plan(9)),
        },
        &op(32),
    );
    let details = book.claims[&ClaimId(5)].exchange.clone().expect("details");
    assert!(
        details.notice_recommended,
        "Cafe24 shows no exchange: tell the buyer"
    );
    assert_eq!(
        book.orders[&OrderId(101)].invoice_upload,
        jumun_core::order::InvoiceUpload::NotDue
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::ResolveCafe24Exchange {
                claim: ClaimId(5),
                mode: Cafe24ExchangeMode::Both,
                exchange_order: OrderId(102),
                replacements: vec![],
                swap: false,
                pickup: None
            },
            &op(33)
        ),
        Refusal::NotManualExchange(_)
    ));
}

#[test]
fn r18_cafe24_exchange_in_both_leaves_the_invoice_to_type_by_hand() {
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let sync = Ctx::sync(&MarketplaceCode::from("cafe24"), at(30));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "cafe24", 1, 11, 5)),
        &sync,
    );
    run(
        &mut book,
        Command::ResolveCafe24Exchange {
            claim: ClaimId(5),
            mode: Cafe24ExchangeMode::Both,
            exchange_order: OrderId(101),
            replacements: exchange(5, 1, 11, true).replacements,
            swap: true,
            pickup: Some(plan(9)),
        },
        &op(32),
    );
    ship(&mut book, 101);
    assert_eq!(
        book.orders[&OrderId(101)].invoice_upload,
        InvoiceUpload::Manual
    );
}

#[test]
fn r27_synced_cancel_after_print_holds_and_after_shipping_intercepts() {
    use jumun_core::cancel_sync::CancelRecord;
    use jumun_core::ids::IdBlock;
    let mut book = book_with("smartstore", 1, &[(11, 1)]);
    run(
        &mut book,
        Command::CollectOrder(new_order("smartstore", 2, &[(21, 1)])),
        &op(0),
    );
    invoice(&mut book, 1);
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(2),
    );
    ship(&mut book, 2);
    let record = |order: u64, line: u64| CancelRecord {
        marketplace: MarketplaceCode::from("smartstore"),
        status: "취소요청".into(),
        keys: new_line(&format!("smartstore-{order}"), line, 1).keys,
        quantity: None,
        claim_no: None,
        reported_at: at(5),
    };
    let sync = Ctx::sync(&MarketplaceCode::from("smartstore"), at(5));
    let (matches, _) = book
        .sync_cancels(
            &[record(1, 11), record(2, 21)],
            IdBlock::new(1000, 10),
            &sync,
        )
        .expect("sync");
    assert_eq!(matches.len(), 2);
    assert_eq!(
        line_of(&book, 1, 11).hold.map(|h| h.reason),
        Some(HoldReason::CancelAfterPrint)
    );
    assert_eq!(
        line_of(&book, 2, 21).hold.map(|h| h.reason),
        Some(HoldReason::ReturnIntercept)
    );
    assert!(matches!(
        refuse(&mut book, Command::Ship { order: OrderId(1) }, &op(6)),
        Refusal::OnHold { .. }
    ));
}

/// A return of `units` of line 11 (divided off as line 21) with a pickup.
fn partial_return(units: u32) -> Command {
    let mut request = claim_on(1, 1, &[]);
    request.lines = vec![ClaimPick {
        line: LineId(11),
        quantity: units,
        split_line: Some(LineId(21)),
    }];
    Command::Return(ReturnRequest {
        claim: request,
        pickup: Some(plan(1)),
        complete_at_once: false,
    })
}

fn arrive(book: &mut Book, units: u32, hours: i64) {
    run(
        book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(21), units)],
        },
        &op(hours),
    );
}

#[test]
fn r13_r14_partial_return_expects_the_claimed_units_and_completes_when_they_arrive() {
    // 1 of 2 returned: the pickup expects 1, and that one unit completes the return (반품완료).
    let mut book = book_with("coupang", 1, &[(11, 2)]);
    deliver(&mut book, 1);
    run(&mut book, partial_return(1), &op(30));
    let pickup = &book.pickups[&PickupId(1)];
    assert_eq!(
        pickup
            .lines
            .iter()
            .map(|l| (l.line, l.expected))
            .collect::<Vec<_>>(),
        vec![(LineId(21), 1)]
    );
    arrive(&mut book, 1, 40);
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Done);
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Completed);
    assert_eq!(line_of(&book, 1, 21).claim_state, ClaimState::Returned);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Normal);
    assert_eq!(line_of(&book, 1, 11).quantity, 1);
}

#[test]
fn r14_partial_return_less_is_missing_more_is_excess() {
    // 2 of 3 returned: one unit back is 미수 and the return waits; the second completes it.
    let mut book = book_with("coupang", 1, &[(11, 3)]);
    deliver(&mut book, 1);
    run(&mut book, partial_return(2), &op(30));
    assert_eq!(book.pickups[&PickupId(1)].lines[0].expected, 2);
    arrive(&mut book, 1, 40);
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Missing);
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Open);
    arrive(&mut book, 1, 41);
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Done);
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Completed);

    // 1 of 3 returned and 2 arrive: 초과, the return completes.
    let mut book = book_with("coupang", 1, &[(11, 3)]);
    deliver(&mut book, 1);
    run(&mut book, partial_return(1), &op(30));
    arrive(&mut book, 2, 40);
    assert_eq!(book.pickups[&PickupId(1)].state, PickupState::Excess);
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Completed);
}

#[test]
fn r14_partial_exchange_and_collected_partial_return_expect_the_claimed_units() {
    // An exchange of 1 of 2 after shipping picks up 1 and replaces 1.
    let mut book = book_with("11st", 1, &[(11, 2)]);
    deliver(&mut book, 1);
    let mut request = exchange(1, 1, 11, false);
    request.claim.lines[0].split_line = Some(LineId(21));
    run(&mut book, Command::Exchange(request), &op(30));
    assert_eq!(book.pickups[&PickupId(1)].lines[0].expected, 1);
    assert_eq!(book.orders[&OrderId(101)].lines[0].quantity, 1);
    run(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(21), 1)],
        },
        &op(40),
    );
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Completed);

    // A return the marketplace reports for 1 of 2 units, processed by the operator.
    let mut book = book_with("11st", 1, &[(11, 2)]);
    deliver(&mut book, 1);
    let mut reported = collected(ClaimKind::Return, "11st", 1, 11, 5);
    reported.quantity = Some(1);
    reported.split_line = Some(LineId(21));
    run(
        &mut book,
        Command::CollectClaim(reported),
        &Ctx::sync(&MarketplaceCode::from("11st"), at(30)),
    );
    let mut request = claim_on(5, 1, &[]);
    request.lines.clear();
    run(
        &mut book,
        Command::Return(ReturnRequest {
            claim: request,
            pickup: Some(plan(1)),
            complete_at_once: false,
        }),
        &op(31),
    );
    assert_eq!(book.pickups[&PickupId(1)].lines[0].expected, 1);
    run(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(21), 1)],
        },
        &op(40),
    );
    assert_eq!(book.claims[&ClaimId(5)].progress, ClaimProgress::Completed);
}

/// A delivered, purchase-confirmed order of 11st.
fn confirmed_order() -> Book {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::ConfirmPurchase { order: OrderId(1) },
        &op(30),
    );
    book
}

#[test]
fn r3_marketplace_return_or_exchange_after_confirmation_is_kept_for_the_operator_not_opened() {
    let mut book = confirmed_order();
    let line_before = line_of(&book, 1, 11);
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(40));
    let events = run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Return, "11st", 1, 11, 5)),
        &sync,
    );
    assert!(matches!(
        events.as_slice(),
        [e] if matches!(e.change, jumun_core::Change::ClaimAfterConfirmationKept { .. })
    ));
    // No claim, no hold, the line untouched.
    assert!(book.claims.is_empty());
    assert_eq!(line_of(&book, 1, 11), line_before);
    let kept = &book.orders[&OrderId(1)].claims_after_confirmation;
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (
            kept[0].kind,
            kept[0].claim_no.as_deref(),
            kept[0].lines.clone()
        ),
        (ClaimKind::Return, Some("MC-5"), vec![LineId(11)])
    );
    assert_eq!(book.dashboard().claims_after_confirmation, 1);
    assert_eq!(book.dashboard().requested.r#return, 0);
    assert_eq!(book.dashboard().holds.r#return, 0);
    // Synced again next run: kept once.
    let mut again = collected(ClaimKind::Return, "11st", 1, 11, 6);
    again.claim_no = Some("MC-5".into());
    assert!(run(&mut book, Command::CollectClaim(again), &sync).is_empty());
    // An exchange request is kept the same way.
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "11st", 1, 11, 7)),
        &sync,
    );
    assert_eq!(book.dashboard().claims_after_confirmation, 2);
    assert_eq!(line_of(&book, 1, 11), line_before);
    // The order's history says so.
    let history = jumun_core::history::of_order(&events, OrderId(1));
    assert!(
        history[0].what.starts_with("구매확정 후 반품요청 보관"),
        "{history:?}"
    );

    // The operator closes one; closing it again changes nothing; an unknown one is refused.
    run(
        &mut book,
        Command::CloseClaimAfterConfirmation {
            order: OrderId(1),
            request: ClaimId(5),
        },
        &op(41),
    );
    assert_eq!(book.dashboard().claims_after_confirmation, 1);
    let kept = &book.orders[&OrderId(1)].claims_after_confirmation[0];
    assert_eq!(kept.closed.as_ref().map(|(_, at)| *at), Some(at(41)));
    assert!(run(
        &mut book,
        Command::CloseClaimAfterConfirmation {
            order: OrderId(1),
            request: ClaimId(5),
        },
        &op(42),
    )
    .is_empty());
    assert_eq!(
        refuse(
            &mut book,
            Command::CloseClaimAfterConfirmation {
                order: OrderId(1),
                request: ClaimId(99),
            },
            &op(42),
        ),
        Refusal::UnknownClaimAfterConfirmation {
            order: OrderId(1),
            request: ClaimId(99)
        }
    );
    // The operator still cannot open one either.
    assert_eq!(
        refuse(
            &mut book,
            Command::Return(ReturnRequest {
                claim: claim_on(8, 1, &[(11, 1)]),
                pickup: Some(plan(1)),
                complete_at_once: false,
            }),
            &op(43),
        ),
        Refusal::PurchaseConfirmed(LineId(11))
    );
}

#[test]
fn r12_an_exchange_is_withdrawn_once_its_replacement_order_is_cancelled() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, 1, 11, false)),
        &op(30),
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::WithdrawClaim { claim: ClaimId(1) },
            &op(31)
        ),
        Refusal::ReplacementOrderExists {
            claim: ClaimId(1),
            order: OrderId(101)
        }
    );
    // As the refusal says: cancel the replacement order, then withdraw.
    let mut cancel = claim_on(2, 101, &[]);
    cancel.lines.clear();
    cancel.lines.push(ClaimPick {
        line: LineId(111),
        quantity: 1,
        split_line: None,
    });
    run(&mut book, Command::Cancel(cancel), &op(32));
    run(
        &mut book,
        Command::WithdrawClaim { claim: ClaimId(1) },
        &op(33),
    );
    assert_eq!(book.claims[&ClaimId(1)].progress, ClaimProgress::Withdrawn);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Normal);
}

#[test]
fn r12_r27_withdrawing_a_request_never_undoes_a_cancel_that_came_after_it() {
    // Found by the properties: an exchange request waits on an unshipped line, the marketplace
    // then cancels the line, then the buyer withdraws the exchange request. The line stays
    // cancelled; the withdrawal must not put back the state from before the request.
    let mut book = book_with("11st", 1, &[(11, 1)]);
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(1));
    run(
        &mut book,
        Command::CollectClaim(collected(ClaimKind::Exchange, "11st", 1, 11, 5)),
        &sync,
    );
    let mut keys = new_line("11st-1", 11, 1).keys;
    keys.product_name = None;
    run(
        &mut book,
        Command::SyncCancels {
            records: vec![jumun_core::cancel_sync::CancelRecord {
                marketplace: MarketplaceCode::from("11st"),
                status: "취소신청".into(),
                keys,
                quantity: None,
                claim_no: None,
                reported_at: at(2),
            }],
            ids: jumun_core::ids::IdBlock::new(50, 4),
        },
        &sync,
    );
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Cancelled);
    run(
        &mut book,
        Command::WithdrawClaim { claim: ClaimId(5) },
        &op(3),
    );
    assert_eq!(book.claims[&ClaimId(5)].progress, ClaimProgress::Withdrawn);
    assert_eq!(line_of(&book, 1, 11).claim_state, ClaimState::Cancelled);
    assert!(matches!(
        refuse(
            &mut book,
            Command::IssueInvoice {
                order: OrderId(1),
                carrier: Carrier::cj(),
                tracking_no: "T1".into()
            },
            &op(4)
        ),
        Refusal::AllCancelled(_)
    ));
}
