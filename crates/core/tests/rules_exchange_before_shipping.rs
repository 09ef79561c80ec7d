//! Exchanges of lines still in the warehouse (R10 배송전 교환, R18 Cafe24 exchanges run in the
//! console): the replacement ships, the old item never does — not invoiced, printed, scanned or
//! shipped, and not on the parcel's label (R28, 오배송 in seed 000).

mod support;

use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, ClaimPick, ClaimProgress, FeePayment, HoldReason};
use jumun_core::command::{CollectedClaim, Command, ExchangeRequest, ReplacementRequest};
use jumun_core::exchange::{Cafe24ExchangeMode, ExchangeCost};
use jumun_core::fault::Fault;
use jumun_core::ids::{BundleId, ClaimId, LineId, OrderId, PickupId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::money::Won;
use jumun_core::order::{ClaimState, InvoiceUpload, LineStatus};
use jumun_core::pickup::PickupPlan;
use jumun_core::stock::{ProductKey, Sku, StockItem};
use jumun_core::{Book, Ctx, Refusal};
use support::*;

fn plan(id: u64) -> PickupPlan {
    PickupPlan {
        id: PickupId(id),
        request_carrier: true,
        carrier: Some(Carrier::cj()),
        fee: Won(3_000),
        fee_payment: FeePayment::Enclosed,
        memo: String::new(),
    }
}

fn status_of(book: &Book, order: u64, line: u64) -> (LineStatus, ClaimState) {
    let line = book.line(OrderId(order), LineId(line)).expect("line");
    (line.status, line.claim_state)
}

/// The lines the parcel of `order` carries, as (order, line) ids.
fn parcel(book: &Book, order: u64) -> Vec<(u64, u64)> {
    book.parcel_lines(OrderId(order))
        .into_iter()
        .map(|(o, l)| (o.0, l.id.0))
        .collect()
}

fn print(book: &mut Book, order: u64, hours: i64) {
    run(
        book,
        Command::PrintInvoice {
            order: OrderId(order),
        },
        &op(hours),
    );
}

/// A Cafe24 exchange 진청 → 연청 of line `line`, collected from Cafe24 after the order was.
fn cafe24_exchange_collected(book: &mut Book, order: u64, line: u64, claim: u64) {
    let mut keys = new_line(&format!("cafe24-{order}"), line, 1).keys;
    keys.product_name = None;
    run(
        book,
        Command::CollectClaim(CollectedClaim {
            claim: ClaimId(claim),
            marketplace: MarketplaceCode::from("cafe24"),
            kind: ClaimKind::Exchange,
            keys,
            quantity: None,
            status: "교환요청".into(),
            claim_no: Some(format!("C-{claim}")),
            reason: jumun_core::claim::Reason::ChangeOfMind,
            fault: Fault::Buyer,
            requested_option: Some("연청".into()),
            split_line: None,
        }),
        &Ctx::sync(&MarketplaceCode::from("cafe24"), at(1)),
    );
}

fn replacement_for(line: u64, new_line: u64, option: &str, price: i64) -> ReplacementRequest {
    ReplacementRequest {
        for_line: LineId(line),
        new_line: LineId(new_line),
        product_name: format!("상품{line}"),
        option: option.into(),
        option_price: Won(price),
        keys: None,
    }
}

fn resolve(claim: u64, mode: Cafe24ExchangeMode, line: u64, pickup: Option<PickupPlan>) -> Command {
    Command::ResolveCafe24Exchange {
        claim: ClaimId(claim),
        mode,
        exchange_order: OrderId(100 + claim),
        replacements: vec![replacement_for(line, line + 1000, "연청", 0)],
        swap: false,
        pickup,
    }
}

#[test]
fn r18_cafe24_exchange_before_shipping_never_ships_the_old_item_in_either_mode() {
    for mode in [Cafe24ExchangeMode::ConsoleOnly, Cafe24ExchangeMode::Both] {
        // 상품준비: 청바지 진청 (line 11) and a belt (line 12).
        let mut book = book_with("cafe24", 1, &[(11, 1), (12, 1)]);
        cafe24_exchange_collected(&mut book, 1, 11, 5);
        assert!(matches!(
            book.line(OrderId(1), LineId(11))
                .expect("line")
                .hold
                .as_ref()
                .map(|h| &h.reason),
            Some(HoldReason::ManualExchangeRequired(_))
        ));
        // Nothing to pick up: the old item never left.
        assert_eq!(
            refuse(&mut book, resolve(5, mode, 11, Some(plan(9))), &op(2)),
            Refusal::NothingToPickUp {
                line: LineId(11),
                status: LineStatus::Preparing
            }
        );
        run(&mut book, resolve(5, mode, 11, None), &op(2));
        let claim = &book.claims[&ClaimId(5)];
        assert_eq!(claim.progress, ClaimProgress::Completed);
        assert!(claim.pickup.is_none());
        assert!(claim.exchange.as_ref().is_some_and(|e| e.before_shipping));
        let old = book.line(OrderId(1), LineId(11)).expect("line");
        assert!(old.is_exchanged_away() && !old.ships() && old.hold.is_none());
        // The replacement does not wait for a pickup that will never come.
        let replacement = &book.orders[&OrderId(105)];
        assert!(replacement.lines.iter().all(|l| l.hold.is_none()));
        assert_eq!(replacement.lines[0].option, "연청");

        // Both orders go in one parcel: its label carries the belt and the replacement only.
        run(
            &mut book,
            Command::Bundle {
                bundle: BundleId(1),
                orders: vec![OrderId(1), OrderId(105)],
            },
            &op(3),
        );
        assert_eq!(parcel(&book, 1), vec![(1, 12), (105, 1011)]);
        run(
            &mut book,
            Command::IssueInvoice {
                order: OrderId(1),
                carrier: Carrier::cj(),
                tracking_no: "T1".into(),
            },
            &op(4),
        );
        print(&mut book, 1, 5);
        run(
            &mut book,
            Command::ScanToShip {
                tracking_no: "T1".into(),
            },
            &op(6),
        );
        assert_eq!(
            status_of(&book, 1, 11),
            (LineStatus::Preparing, ClaimState::Exchanged),
            "the old item never left ({mode:?})"
        );
        assert_eq!(status_of(&book, 1, 12).0, LineStatus::InTransit);
        assert_eq!(status_of(&book, 105, 1011).0, LineStatus::InTransit);
        let expected_upload = match mode {
            Cafe24ExchangeMode::ConsoleOnly => InvoiceUpload::Pending,
            Cafe24ExchangeMode::Both => InvoiceUpload::Manual,
        };
        assert_eq!(book.orders[&OrderId(105)].invoice_upload, expected_upload);
    }
}

#[test]
fn r18_cafe24_exchange_of_an_invoiced_single_line_order_voids_its_invoice() {
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    print(&mut book, 1, 2);
    cafe24_exchange_collected(&mut book, 1, 11, 5);
    run(
        &mut book,
        resolve(5, Cafe24ExchangeMode::ConsoleOnly, 11, None),
        &op(3),
    );
    // The parcel holds nothing any more: its invoice is gone, and the old label scans nothing.
    assert!(book.orders[&OrderId(1)].invoice.is_none());
    assert_eq!(
        refuse(
            &mut book,
            Command::ScanToShip {
                tracking_no: "T1".into()
            },
            &op(4)
        ),
        Refusal::UnknownInvoice("T1".into())
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::IssueInvoice {
                order: OrderId(1),
                carrier: Carrier::cj(),
                tracking_no: "T9".into(),
            },
            &op(4)
        ),
        Refusal::AllCancelled(OrderId(1))
    );
    assert_eq!(
        status_of(&book, 1, 11),
        (LineStatus::Preparing, ClaimState::Exchanged)
    );
    ship(&mut book, 105);
    assert_eq!(status_of(&book, 1, 11).0, LineStatus::Preparing);
}

#[test]
fn r18_cafe24_exchange_after_printing_outdates_the_label_of_what_stays() {
    let mut book = book_with("cafe24", 1, &[(11, 1), (12, 1)]);
    invoice(&mut book, 1);
    print(&mut book, 1, 2);
    cafe24_exchange_collected(&mut book, 1, 11, 5);
    run(
        &mut book,
        resolve(5, Cafe24ExchangeMode::Both, 11, None),
        &op(3),
    );
    // The printed label still names the old item: ship only after printing it again.
    assert_eq!(
        refuse(&mut book, Command::Ship { order: OrderId(1) }, &op(4)),
        Refusal::LabelOutdated(OrderId(1))
    );
    print(&mut book, 1, 5);
    assert_eq!(parcel(&book, 1), vec![(1, 12)]);
    run(&mut book, Command::Ship { order: OrderId(1) }, &op(6));
    assert_eq!(
        status_of(&book, 1, 11),
        (LineStatus::ReadyToShip, ClaimState::Exchanged)
    );
    assert_eq!(status_of(&book, 1, 12).0, LineStatus::InTransit);
}

#[test]
fn r18_cafe24_exchange_after_shipping_still_picks_the_old_item_up() {
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    ship(&mut book, 1);
    cafe24_exchange_collected(&mut book, 1, 11, 5);
    assert_eq!(
        refuse(
            &mut book,
            resolve(5, Cafe24ExchangeMode::ConsoleOnly, 11, None),
            &op(5)
        ),
        Refusal::PickupPlanRequired
    );
    run(
        &mut book,
        resolve(5, Cafe24ExchangeMode::ConsoleOnly, 11, Some(plan(9))),
        &op(5),
    );
    assert_eq!(book.claims[&ClaimId(5)].progress, ClaimProgress::Open);
    assert_eq!(
        status_of(&book, 1, 11),
        (LineStatus::InTransit, ClaimState::Exchanging)
    );
    assert!(book.orders[&OrderId(105)].lines[0].hold.is_some());
}

/// An exchange of `units` of line `line` of order `order`, before shipping.
fn exchange_before_shipping(
    order: u64,
    line: u64,
    units: u32,
    split: Option<u64>,
) -> ExchangeRequest {
    let mut claim = claim_on(7, order, &[]);
    claim.lines = vec![ClaimPick {
        line: LineId(line),
        quantity: units,
        split_line: split.map(LineId),
    }];
    ExchangeRequest {
        claim,
        replacements: vec![replacement_for(line, 31, "옐로우", 500)],
        exchange_order: OrderId(900),
        swap: false,
        pickup: None,
        shipping_fee_one_way: Won::ZERO,
        payment: FeePayment::Enclosed,
    }
}

#[test]
fn r10_exchange_before_shipping_replaces_the_chosen_units_in_the_same_order() {
    // 11st (CASE1): two pairs of socks, one exchanged for yellow before shipping.
    let mut book = book_with("11st", 1, &[(11, 2)]);
    let request = exchange_before_shipping(1, 11, 1, Some(21));
    // Nothing to pick up and no trip to charge.
    let mut with_pickup = request.clone();
    with_pickup.pickup = Some(plan(1));
    assert!(matches!(
        refuse(&mut book, Command::Exchange(with_pickup), &op(1)),
        Refusal::NothingToPickUp { .. }
    ));
    let mut with_fee = request.clone();
    with_fee.shipping_fee_one_way = Won(3_000);
    assert!(matches!(
        refuse(&mut book, Command::Exchange(with_fee), &op(1)),
        Refusal::NothingToPickUp { .. }
    ));
    run(&mut book, Command::Exchange(request), &op(1));

    let order = &book.orders[&OrderId(1)];
    let ids: Vec<(u64, u32, ClaimState)> = order
        .lines
        .iter()
        .map(|l| (l.id.0, l.quantity, l.claim_state))
        .collect();
    assert_eq!(
        ids,
        vec![
            (11, 1, ClaimState::Normal),
            (21, 1, ClaimState::Exchanged),
            (31, 1, ClaimState::Normal)
        ]
    );
    let replacement = order.line(LineId(31)).expect("replacement");
    assert_eq!(replacement.replaces, Some(LineId(21)));
    assert_eq!(replacement.option, "옐로우");
    assert_eq!(replacement.status, LineStatus::Preparing);
    assert_eq!(replacement.unit_price, Won(10_500));
    assert!(
        !book.orders.contains_key(&OrderId(900)),
        "the replacement joins the order, no new order"
    );
    // The price difference is recorded; no shipping is charged.
    let claim = &book.claims[&ClaimId(7)];
    assert_eq!(claim.progress, ClaimProgress::Completed);
    assert!(claim.pickup.is_none());
    let details = claim.exchange.as_ref().expect("details");
    assert!(details.before_shipping);
    let cost = ExchangeCost::compute(
        Won::ZERO,
        details.replacements[0].option_price,
        details.replacements[0].quantity,
        details.shipping_fee_one_way,
        claim.fault,
    );
    assert_eq!(
        (cost.option_price_difference, cost.buyer_owes),
        (Won(500), Won(500))
    );
    // A completed exchange is not withdrawn.
    assert!(matches!(
        refuse(
            &mut book,
            Command::WithdrawClaim { claim: ClaimId(7) },
            &op(2)
        ),
        Refusal::ClaimClosed { .. }
    ));

    // The replacement ships on the order's own invoice; the old unit stays behind.
    assert_eq!(parcel(&book, 1), vec![(1, 11), (1, 31)]);
    ship(&mut book, 1);
    assert_eq!(status_of(&book, 1, 11).0, LineStatus::InTransit);
    assert_eq!(status_of(&book, 1, 31).0, LineStatus::InTransit);
    assert_eq!(
        status_of(&book, 1, 21),
        (LineStatus::Preparing, ClaimState::Exchanged)
    );
    assert_eq!(
        book.orders[&OrderId(1)].invoice_upload,
        InvoiceUpload::Pending
    );
}

#[test]
fn r10_exchange_after_printing_ships_only_after_the_label_is_printed_again() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    print(&mut book, 1, 2);
    run(
        &mut book,
        Command::Exchange(exchange_before_shipping(1, 11, 1, None)),
        &op(3),
    );
    // The replacement takes the invoice the old line had.
    assert_eq!(status_of(&book, 1, 31).0, LineStatus::ReadyToShip);
    assert_eq!(
        refuse(
            &mut book,
            Command::ScanToShip {
                tracking_no: "T1".into()
            },
            &op(4)
        ),
        Refusal::LabelOutdated(OrderId(1))
    );
    print(&mut book, 1, 5);
    run(
        &mut book,
        Command::ScanToShip {
            tracking_no: "T1".into(),
        },
        &op(6),
    );
    assert_eq!(status_of(&book, 1, 31).0, LineStatus::InTransit);
    assert_eq!(
        status_of(&book, 1, 11),
        (LineStatus::ReadyToShip, ClaimState::Exchanged)
    );
}

#[test]
fn r10_exchange_before_shipping_moves_the_stock_allocation_to_the_replacement() {
    let mut book = Book::new();
    for (sku, option) in [("SOCK-BLK", "옵션11"), ("SOCK-YEL", "옐로우")] {
        run(
            &mut book,
            Command::RegisterStockItem(StockItem {
                sku: Sku(sku.into()),
                name: "양말".into(),
                barcode: None,
                location: None,
                on_hand: 5,
                allocated: 0,
            }),
            &op(0),
        );
        run(
            &mut book,
            Command::LinkProduct {
                product: ProductKey {
                    marketplace: MarketplaceCode::from("11st"),
                    product: "P11".into(),
                    option: option.into(),
                },
                sku: Sku(sku.into()),
            },
            &op(0),
        );
    }
    run(
        &mut book,
        Command::CollectOrder(new_order("11st", 1, &[(11, 2)])),
        &op(0),
    );
    run(
        &mut book,
        Command::Exchange(exchange_before_shipping(1, 11, 1, Some(21))),
        &op(1),
    );
    let allocated = |sku: &str| book.stock.items[&Sku(sku.into())].allocated;
    assert_eq!((allocated("SOCK-BLK"), allocated("SOCK-YEL")), (1, 1));
}

#[test]
fn r10_r21_kakao_style_exchanges_before_shipping_only_options_of_the_same_product() {
    let mut book = book_with("zigzag", 1, &[(11, 1)]);
    let mut request = exchange_before_shipping(1, 11, 1, None);
    request.replacements[0].product_name = "다른 상품".into();
    assert_eq!(
        refuse(&mut book, Command::Exchange(request), &op(1)),
        Refusal::ExchangeToOtherProduct
    );
    run(
        &mut book,
        Command::Exchange(exchange_before_shipping(1, 11, 1, None)),
        &op(1),
    );
    assert_eq!(status_of(&book, 1, 11).1, ClaimState::Exchanged);
    assert_eq!(parcel(&book, 1), vec![(1, 31)]);
}

#[test]
fn r10_r11_marketplace_exchange_request_before_shipping_is_processed_in_place() {
    // 11st reports an exchange while the order is still being prepared: the line is held (R11)
    // until the operator processes it, which replaces it in the order.
    let mut book = book_with("11st", 1, &[(11, 1)]);
    let mut keys = new_line("11st-1", 11, 1).keys;
    keys.product_name = None;
    run(
        &mut book,
        Command::CollectClaim(CollectedClaim {
            claim: ClaimId(7),
            marketplace: MarketplaceCode::from("11st"),
            kind: ClaimKind::Exchange,
            keys,
            quantity: None,
            status: "교환요청".into(),
            claim_no: Some("E-7".into()),
            reason: jumun_core::claim::Reason::ChangeOfMind,
            fault: Fault::Buyer,
            requested_option: Some("옐로우".into()),
            split_line: None,
        }),
        &Ctx::sync(&MarketplaceCode::from("11st"), at(1)),
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::IssueInvoice {
                order: OrderId(1),
                carrier: Carrier::cj(),
                tracking_no: "T1".into()
            },
            &op(2)
        ),
        Refusal::OnHold { .. }
    ));
    let mut request = exchange_before_shipping(1, 11, 1, None);
    request.claim.lines.clear();
    run(&mut book, Command::Exchange(request), &op(2));
    assert_eq!(book.claims[&ClaimId(7)].progress, ClaimProgress::Completed);
    assert_eq!(status_of(&book, 1, 11).1, ClaimState::Exchanged);
    assert!(book
        .line(OrderId(1), LineId(31))
        .expect("line")
        .hold
        .is_none());
    ship(&mut book, 1);
    assert_eq!(status_of(&book, 1, 31).0, LineStatus::InTransit);
    assert_eq!(status_of(&book, 1, 11).0, LineStatus::Preparing);
}
