//! Orders, lifecycle, bundles, split/merge, shipping guards, stock, history, delay days
//! (R1–R8, R28–R32), and what collecting refuses under R18 (a Cafe24 exchange's new lines).

mod support;

use jumun_core::carrier::Carrier;
use jumun_core::claim::ClaimPick;
use jumun_core::command::{Command, SplitRequest};
use jumun_core::context::Actor;
use jumun_core::delay::{delay_days, DelayBasis};
use jumun_core::history;
use jumun_core::ids::{BundleId, IdBlock, LineId, OrderId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::order::{ClaimState, InvoiceUpload, LineStatus, MemoKind, Payment};
use jumun_core::stock::{ProductKey, Sku, StockItem};
use jumun_core::{Book, Change, Ctx, Refusal};
use support::*;

fn status(book: &Book, order: u64) -> LineStatus {
    book.orders[&OrderId(order)].status()
}

#[test]
fn r1_collected_order_keeps_its_marketplace_keys() {
    let book = book_with("cafe24", 1, &[(11, 1), (12, 2)]);
    let order = &book.orders[&OrderId(1)];
    assert_eq!(order.marketplace, MarketplaceCode::from("cafe24"));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[1].keys.line_no.as_deref(), Some("cafe24-1-12"));
    assert_eq!(order.lines[1].quantity, 2);
}

#[test]
fn r1_collecting_the_same_order_twice_is_refused() {
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    let mut again = new_order("cafe24", 2, &[(21, 1)]);
    again.order_no = "cafe24-1".into();
    again.lines[0].keys = book.orders[&OrderId(1)].lines[0].keys.clone();
    let refusal = refuse(&mut book, Command::CollectOrder(again), &op(1));
    assert!(matches!(
        refusal,
        Refusal::AlreadyCollected {
            existing: OrderId(1),
            ..
        }
    ));
}

#[test]
fn r1_unknown_marketplace_and_empty_orders_are_refused() {
    let mut book = Book::new();
    let refusal = refuse(
        &mut book,
        Command::CollectOrder(new_order("nowhere", 1, &[(1, 1)])),
        &op(0),
    );
    assert!(matches!(refusal, Refusal::UnknownMarketplace(_)));
    let refusal = refuse(
        &mut book,
        Command::CollectOrder(new_order("coupang", 1, &[])),
        &op(0),
    );
    assert_eq!(refusal, Refusal::NothingSelected);
    let refusal = refuse(
        &mut book,
        Command::CollectOrder(new_order("coupang", 1, &[(1, 0)])),
        &op(0),
    );
    assert!(matches!(refusal, Refusal::BadQuantity { asked: 0, .. }));
}

#[test]
fn r2_lifecycle_walks_every_state_in_order() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    assert_eq!(status(&book, 1), LineStatus::Preparing);
    invoice(&mut book, 1);
    assert_eq!(status(&book, 1), LineStatus::ReadyToShip);
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(2),
    );
    run(&mut book, Command::Ship { order: OrderId(1) }, &op(3));
    assert_eq!(status(&book, 1), LineStatus::InTransit);
    run(
        &mut book,
        Command::MarkDelivered { order: OrderId(1) },
        &op(4),
    );
    assert_eq!(status(&book, 1), LineStatus::Delivered);
    run(
        &mut book,
        Command::ConfirmPurchase { order: OrderId(1) },
        &op(5),
    );
    assert_eq!(status(&book, 1), LineStatus::PurchaseConfirmed);
}

#[test]
fn r2_illegal_transitions_are_refused_and_change_nothing() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    for command in [
        Command::Ship { order: OrderId(1) },
        Command::MarkDelivered { order: OrderId(1) },
        Command::ConfirmPurchase { order: OrderId(1) },
        Command::ConfirmPayment { order: OrderId(1) },
        Command::PrintInvoice { order: OrderId(1) },
        Command::VoidInvoice { order: OrderId(1) },
    ] {
        refuse(&mut book, command, &op(1));
    }
    let refusal = refuse(
        &mut book,
        Command::MarkDelivered { order: OrderId(1) },
        &op(1),
    );
    assert!(matches!(
        refusal,
        Refusal::IllegalTransition {
            from: LineStatus::Preparing,
            ..
        }
    ));
    refuse(&mut book, Command::Ship { order: OrderId(9) }, &op(1));
}

#[test]
fn r2_voiding_an_invoice_goes_back_to_preparing() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    run(
        &mut book,
        Command::VoidInvoice { order: OrderId(1) },
        &op(2),
    );
    assert_eq!(status(&book, 1), LineStatus::Preparing);
    assert!(book.orders[&OrderId(1)].invoice.is_none());
    assert!(book.orders_with_tracking("T1").is_none());
}

#[test]
fn r3_purchase_confirms_itself_seven_days_after_delivery() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    assert!(book
        .tick(at(24 + 7 * 24 - 1), IdBlock::new(1000, 10))
        .expect("tick")
        .is_empty());
    let events = book
        .tick(at(24 + 7 * 24), IdBlock::new(1000, 10))
        .expect("tick");
    assert!(matches!(
        events[0].change,
        Change::PurchaseConfirmed {
            automatic: true,
            ..
        }
    ));
    assert_eq!(events[0].actor, Actor::Automatic);
    assert_eq!(status(&book, 1), LineStatus::PurchaseConfirmed);
}

fn bank_transfer_book() -> Book {
    let mut book = Book::new();
    let mut order = new_order("smartstore", 1, &[(11, 2)]);
    order.payment = Payment::BankTransfer { deadline: at(72) };
    run(&mut book, Command::CollectOrder(order), &op(0));
    book
}

#[test]
fn r4_unpaid_bank_transfer_is_cancelled_at_its_deadline_and_never_revived() {
    let mut book = bank_transfer_book();
    assert_eq!(status(&book, 1), LineStatus::AwaitingPayment);
    assert!(book
        .tick(at(71), IdBlock::new(500, 4))
        .expect("tick")
        .is_empty());
    book.tick(at(72), IdBlock::new(500, 4)).expect("tick");
    let order = &book.orders[&OrderId(1)];
    assert!(order.is_cancelled());
    let refusal = refuse(
        &mut book,
        Command::ConfirmPayment { order: OrderId(1) },
        &op(80),
    );
    assert_eq!(refusal, Refusal::CannotRevive(OrderId(1)));
    let claim = book.orders[&OrderId(1)].lines[0].claim.expect("claim");
    let refusal = refuse(&mut book, Command::WithdrawClaim { claim }, &op(80));
    assert_eq!(refusal, Refusal::CannotRevive(OrderId(1)));
    // A second tick does not cancel twice.
    assert!(book
        .tick(at(90), IdBlock::new(600, 4))
        .expect("tick")
        .is_empty());
}

#[test]
fn r4_paid_before_the_deadline_is_not_cancelled_and_seller_may_create_orders() {
    let mut book = bank_transfer_book();
    run(
        &mut book,
        Command::ConfirmPayment { order: OrderId(1) },
        &op(10),
    );
    assert_eq!(status(&book, 1), LineStatus::Preparing);
    assert!(book
        .tick(at(100), IdBlock::new(500, 4))
        .expect("tick")
        .is_empty());
    run(
        &mut book,
        Command::CreateSellerOrder(new_order("smartstore", 2, &[(21, 1)])),
        &op(101),
    );
    assert_eq!(
        book.orders[&OrderId(2)].origin,
        jumun_core::order::OrderOrigin::Seller
    );
}

#[test]
fn r5_bulk_reports_every_failure_with_its_reason() {
    let mut book = Book::new();
    for id in 1..=50 {
        run(
            &mut book,
            Command::CollectOrder(new_order("11st", id, &[(id * 10, 1)])),
            &op(0),
        );
    }
    let commands: Vec<Command> = (1..=52)
        .map(|id| Command::IssueInvoice {
            order: OrderId(id),
            carrier: Carrier::cj(),
            tracking_no: if id == 7 {
                "T6".into()
            } else {
                format!("T{id}")
            },
        })
        .collect();
    let outcome = book.execute_bulk(&commands, &op(1));
    assert_eq!(outcome.applied, 49, "no 20-order cap");
    assert_eq!(outcome.failures.len(), 3);
    assert!(matches!(
        outcome.failures[0],
        (6, Refusal::TrackingNoInUse { .. })
    ));
    assert_eq!(
        outcome.failures[1],
        (50, Refusal::UnknownOrder(OrderId(51)))
    );
    assert_eq!(
        outcome.failures[2],
        (51, Refusal::UnknownOrder(OrderId(52)))
    );
}

fn two_orders_same_recipient() -> Book {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    run(
        &mut book,
        Command::CollectOrder(new_order("smartstore", 2, &[(21, 1)])),
        &op(0),
    );
    book
}

#[test]
fn r6_bundle_ships_with_one_invoice() {
    let mut book = two_orders_same_recipient();
    run(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    );
    invoice(&mut book, 1);
    assert_eq!(
        book.orders[&OrderId(2)]
            .invoice
            .as_ref()
            .map(|i| i.tracking_no.as_str()),
        Some("T1")
    );
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(2) },
        &op(2),
    );
    run(
        &mut book,
        Command::ScanToShip {
            tracking_no: "T1".into(),
        },
        &op(3),
    );
    assert_eq!(status(&book, 1), LineStatus::InTransit);
    assert_eq!(status(&book, 2), LineStatus::InTransit);
}

#[test]
fn r6_no_bundle_and_different_addresses_are_refused() {
    let mut book = two_orders_same_recipient();
    run(
        &mut book,
        Command::SetNoBundle {
            order: OrderId(2),
            no_bundle: true,
        },
        &op(1),
    );
    let refusal = refuse(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    );
    assert_eq!(refusal, Refusal::NoBundle(OrderId(2)));
    let mut other = new_order("coupang", 3, &[(31, 1)]);
    other.delivery = delivery("김철수");
    run(&mut book, Command::CollectOrder(other), &op(0));
    let refusal = refuse(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(3)],
        },
        &op(1),
    );
    assert_eq!(
        refusal,
        Refusal::DifferentDestination(OrderId(1), OrderId(3))
    );
    let refusal = refuse(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(1)],
        },
        &op(1),
    );
    assert_eq!(refusal, Refusal::BundleTooSmall);
}

#[test]
fn r7_delivery_info_changes_on_every_order_of_the_bundle() {
    let mut book = two_orders_same_recipient();
    run(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    );
    let mut info = delivery("홍길순");
    info.address = "서울특별시 동작구 보라매로5길 15".into();
    run(
        &mut book,
        Command::ChangeDeliveryInfo {
            order: OrderId(2),
            info: info.clone(),
        },
        &op(2),
    );
    assert_eq!(book.orders[&OrderId(1)].delivery, info);
    assert_eq!(book.orders[&OrderId(2)].delivery, info);
}

#[test]
fn r7_r28_address_change_after_printing_requires_a_new_label() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(2),
    );
    let mut info = delivery("홍길순");
    info.address = "부산광역시 해운대구".into();
    run(
        &mut book,
        Command::ChangeDeliveryInfo {
            order: OrderId(1),
            info,
        },
        &op(3),
    );
    assert_eq!(
        refuse(&mut book, Command::Ship { order: OrderId(1) }, &op(4)),
        Refusal::LabelOutdated(OrderId(1))
    );
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(4),
    );
    run(&mut book, Command::Ship { order: OrderId(1) }, &op(5));
    let refusal = refuse(
        &mut book,
        Command::ChangeDeliveryInfo {
            order: OrderId(1),
            info: delivery("x"),
        },
        &op(6),
    );
    assert!(matches!(
        refusal,
        Refusal::IllegalTransition {
            from: LineStatus::InTransit,
            ..
        }
    ));
}

#[test]
fn r8_split_moves_lines_and_partial_quantities_with_flags() {
    let mut book = book_with("cafe24", 1, &[(11, 3), (12, 1)]);
    run(
        &mut book,
        Command::Split(SplitRequest {
            order: OrderId(1),
            new_order: OrderId(2),
            lines: vec![ClaimPick {
                line: LineId(11),
                quantity: 2,
                split_line: Some(LineId(13)),
            }],
            no_bundle_original: true,
            no_bundle_new: false,
            partial_original: true,
            partial_new: true,
        }),
        &op(1),
    );
    let original = &book.orders[&OrderId(1)];
    let split = &book.orders[&OrderId(2)];
    assert_eq!(original.total_quantity() + split.total_quantity(), 4);
    assert_eq!(split.lines[0].quantity, 2);
    assert_eq!(split.lines[0].id, LineId(13));
    assert!(original.no_bundle && original.partial_shipping);
    assert!(!split.no_bundle && split.partial_shipping);
    // Ship the split part alone; then nothing can be merged back.
    ship(&mut book, 2);
    assert_eq!(status(&book, 1), LineStatus::Preparing);
    let refusal = refuse(
        &mut book,
        Command::Merge {
            into: OrderId(1),
            from: OrderId(2),
        },
        &op(9),
    );
    assert!(matches!(refusal, Refusal::NotPreparing { .. }));
}

#[test]
fn r8_split_only_while_preparing_and_never_everything() {
    let mut book = book_with("cafe24", 1, &[(11, 2)]);
    let split = |q: u32| {
        Command::Split(SplitRequest {
            order: OrderId(1),
            new_order: OrderId(2),
            lines: vec![ClaimPick {
                line: LineId(11),
                quantity: q,
                split_line: Some(LineId(12)),
            }],
            no_bundle_original: false,
            no_bundle_new: false,
            partial_original: false,
            partial_new: false,
        })
    };
    assert_eq!(
        refuse(&mut book, split(2), &op(1)),
        Refusal::SplitTakesEverything(OrderId(1))
    );
    assert!(matches!(
        refuse(&mut book, split(3), &op(1)),
        Refusal::BadQuantity { .. }
    ));
    invoice(&mut book, 1);
    assert!(matches!(
        refuse(&mut book, split(1), &op(1)),
        Refusal::NotPreparing { .. }
    ));
}

#[test]
fn r8_split_orders_merge_back_into_one_shipment() {
    let mut book = book_with("cafe24", 1, &[(11, 3), (12, 1)]);
    run(
        &mut book,
        Command::Split(SplitRequest {
            order: OrderId(1),
            new_order: OrderId(2),
            lines: vec![
                ClaimPick {
                    line: LineId(11),
                    quantity: 1,
                    split_line: Some(LineId(13)),
                },
                ClaimPick {
                    line: LineId(12),
                    quantity: 1,
                    split_line: None,
                },
            ],
            no_bundle_original: false,
            no_bundle_new: false,
            partial_original: false,
            partial_new: false,
        }),
        &op(1),
    );
    run(
        &mut book,
        Command::Merge {
            into: OrderId(1),
            from: OrderId(2),
        },
        &op(2),
    );
    assert!(!book.orders.contains_key(&OrderId(2)));
    let order = &book.orders[&OrderId(1)];
    assert_eq!(
        order.lines.len(),
        2,
        "the divided line rejoined its original"
    );
    assert_eq!(order.line(LineId(11)).map(|l| l.quantity), Some(3));
    assert_eq!(order.total_quantity(), 4);
    let unrelated = {
        run(
            &mut book,
            Command::CollectOrder(new_order("cafe24", 5, &[(51, 1)])),
            &op(0),
        );
        refuse(
            &mut book,
            Command::Merge {
                into: OrderId(1),
                from: OrderId(5),
            },
            &op(3),
        )
    };
    assert_eq!(unrelated, Refusal::NotSplitFamily(OrderId(1), OrderId(5)));
}

#[test]
fn r28_scan_needs_a_printed_label_and_a_known_number() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    assert_eq!(
        refuse(
            &mut book,
            Command::ScanToShip {
                tracking_no: "T1".into()
            },
            &op(2)
        ),
        Refusal::NotPrinted(OrderId(1))
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::ScanToShip {
                tracking_no: "T404".into()
            },
            &op(2)
        ),
        Refusal::UnknownInvoice("T404".into())
    );
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(2),
    );
    run(
        &mut book,
        Command::ScanToShip {
            tracking_no: " T1 ".into(),
        },
        &op(3),
    );
    assert_eq!(status(&book, 1), LineStatus::InTransit);
}

#[test]
fn r28_held_line_is_never_invoiced_printed_or_shipped() {
    let mut book = book_with("coupang", 1, &[(11, 1), (12, 1)]);
    invoice(&mut book, 1);
    run(
        &mut book,
        Command::PlaceHold {
            order: OrderId(1),
            lines: vec![LineId(12)],
            reason: "주소 확인".into(),
        },
        &op(2),
    );
    assert!(matches!(
        refuse(
            &mut book,
            Command::PrintInvoice { order: OrderId(1) },
            &op(3)
        ),
        Refusal::OnHold { .. }
    ));
    run(
        &mut book,
        Command::ReleaseHold {
            order: OrderId(1),
            lines: vec![],
        },
        &op(4),
    );
    run(
        &mut book,
        Command::PrintInvoice { order: OrderId(1) },
        &op(4),
    );
    run(
        &mut book,
        Command::PlaceHold {
            order: OrderId(1),
            lines: vec![],
            reason: "확인".into(),
        },
        &op(5),
    );
    assert!(matches!(
        refuse(&mut book, Command::Ship { order: OrderId(1) }, &op(5)),
        Refusal::OnHold { .. }
    ));
    let mut other = book_with("coupang", 2, &[(21, 1)]);
    run(
        &mut other,
        Command::PlaceHold {
            order: OrderId(2),
            lines: vec![],
            reason: "확인".into(),
        },
        &op(1),
    );
    let refusal = refuse(
        &mut other,
        Command::IssueInvoice {
            order: OrderId(2),
            carrier: Carrier::cj(),
            tracking_no: "X".into(),
        },
        &op(1),
    );
    assert!(matches!(refusal, Refusal::OnHold { .. }));
}

#[test]
fn r28_cancelled_line_stays_behind_and_a_wholly_cancelled_order_cannot_ship() {
    let mut book = book_with("coupang", 1, &[(11, 1), (12, 1)]);
    run(
        &mut book,
        Command::Cancel(claim_on(1, 1, &[(12, 1)])),
        &op(1),
    );
    ship(&mut book, 1);
    let order = &book.orders[&OrderId(1)];
    assert_eq!(
        order.line(LineId(11)).map(|l| l.status),
        Some(LineStatus::InTransit)
    );
    assert_eq!(
        order.line(LineId(12)).map(|l| l.status),
        Some(LineStatus::Preparing)
    );
    assert_eq!(
        order.line(LineId(12)).map(|l| l.claim_state),
        Some(ClaimState::Cancelled)
    );
    let mut book = book_with("coupang", 2, &[(21, 1)]);
    run(
        &mut book,
        Command::Cancel(claim_on(2, 2, &[(21, 1)])),
        &op(1),
    );
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(2),
            carrier: Carrier::cj(),
            tracking_no: "T2".into(),
        },
        &op(2),
    );
    assert_eq!(refusal, Refusal::AllCancelled(OrderId(2)));
}

#[test]
fn r28_invoice_needs_carrier_and_a_unique_number() {
    let mut book = two_orders_same_recipient();
    invoice(&mut book, 1);
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(2),
            carrier: Carrier::cj(),
            tracking_no: "T1".into(),
        },
        &op(2),
    );
    assert!(matches!(
        refusal,
        Refusal::TrackingNoInUse {
            order: OrderId(1),
            ..
        }
    ));
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(2),
            carrier: Carrier(String::new()),
            tracking_no: "T9".into(),
        },
        &op(2),
    );
    assert_eq!(refusal, Refusal::MissingInvoiceNumber);
}

#[test]
fn r29_shipped_invoice_numbers_wait_to_be_sent_once() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    assert_eq!(
        refuse(
            &mut book,
            Command::RecordInvoiceUpload { order: OrderId(1) },
            &op(1)
        ),
        Refusal::NothingToUpload(OrderId(1))
    );
    ship(&mut book, 1);
    assert_eq!(
        book.orders[&OrderId(1)].invoice_upload,
        InvoiceUpload::Pending
    );
    run(
        &mut book,
        Command::RecordInvoiceUpload { order: OrderId(1) },
        &op(4),
    );
    assert_eq!(book.orders[&OrderId(1)].invoice_upload, InvoiceUpload::Sent);
    refuse(
        &mut book,
        Command::RecordInvoiceUpload { order: OrderId(1) },
        &op(5),
    );
}

fn linked_book() -> Book {
    let mut book = Book::new();
    run(
        &mut book,
        Command::RegisterStockItem(StockItem {
            sku: Sku("SOCKS".into()),
            name: "패션양말".into(),
            barcode: Some("AAAAAB831".into()),
            location: Some("A-1".into()),
            on_hand: 50,
            allocated: 0,
        }),
        &op(0),
    );
    run(
        &mut book,
        Command::LinkProduct {
            product: ProductKey {
                marketplace: MarketplaceCode::from("cafe24"),
                product: "P11".into(),
                option: "옵션11".into(),
            },
            sku: Sku("SOCKS".into()),
        },
        &op(0),
    );
    book
}

#[test]
fn r30_allocation_follows_the_lifecycle_and_claims() {
    let mut book = linked_book();
    let sku = Sku("SOCKS".into());
    run(
        &mut book,
        Command::CollectOrder(new_order("cafe24", 1, &[(11, 2)])),
        &op(0),
    );
    assert_eq!(book.stock.items[&sku].allocated, 2);
    assert_eq!(book.stock.items[&sku].available(), 48);
    ship(&mut book, 1);
    assert_eq!(book.stock.items[&sku].allocated, 0);
    assert_eq!(book.stock.items[&sku].on_hand, 48);
    let mut order = new_order("cafe24", 2, &[(21, 3)]);
    order.lines[0].keys.product_code = Some("P11".into());
    order.lines[0].option = "옵션11".into();
    run(&mut book, Command::CollectOrder(order), &op(5));
    assert_eq!(book.stock.items[&sku].allocated, 3);
    run(
        &mut book,
        Command::Cancel(claim_on(9, 2, &[(21, 3)])),
        &op(6),
    );
    assert_eq!(book.stock.items[&sku].allocated, 0);
}

#[test]
fn r30_linking_later_allocates_open_lines_and_unlinking_releases() {
    let mut book = linked_book();
    run(
        &mut book,
        Command::UnlinkProduct {
            product: ProductKey {
                marketplace: MarketplaceCode::from("cafe24"),
                product: "P11".into(),
                option: "옵션11".into(),
            },
        },
        &op(0),
    );
    run(
        &mut book,
        Command::CollectOrder(new_order("cafe24", 1, &[(11, 2)])),
        &op(0),
    );
    assert_eq!(book.stock.items[&Sku("SOCKS".into())].allocated, 0);
    run(
        &mut book,
        Command::LinkProduct {
            product: ProductKey {
                marketplace: MarketplaceCode::from("cafe24"),
                product: "P11".into(),
                option: "옵션11".into(),
            },
            sku: Sku("SOCKS".into()),
        },
        &op(1),
    );
    assert_eq!(book.stock.items[&Sku("SOCKS".into())].allocated, 2);
    assert_eq!(
        refuse(
            &mut book,
            Command::AdjustStock {
                sku: Sku("NONE".into()),
                delta: 1
            },
            &op(1)
        ),
        Refusal::UnknownSku(Sku("NONE".into()))
    );
    run(
        &mut book,
        Command::AdjustStock {
            sku: Sku("SOCKS".into()),
            delta: 10,
        },
        &op(1),
    );
    assert_eq!(book.stock.items[&Sku("SOCKS".into())].on_hand, 60);
}

#[test]
fn r31_every_change_is_in_the_orders_history_with_actor_and_before_after() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    let mut events = Book::new()
        .execute(
            &Command::CollectOrder(new_order("coupang", 1, &[(11, 1)])),
            &Ctx::sync(&MarketplaceCode::from("coupang"), at(0)),
        )
        .expect("collect");
    events.extend(run(
        &mut book,
        Command::AddMemo {
            order: OrderId(1),
            text: "부재시 경비실".into(),
            kind: MemoKind::CsOpen,
        },
        &op(1),
    ));
    let mut info = delivery("홍길순");
    info.address = "서울특별시 동작구".into();
    events.extend(run(
        &mut book,
        Command::ChangeDeliveryInfo {
            order: OrderId(1),
            info,
        },
        &op(2),
    ));
    let entries = history::of_order(&events, OrderId(1));
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0].actor,
        Actor::Sync(MarketplaceCode::from("coupang"))
    );
    assert_eq!(entries[2].actor, Actor::Operator("상담원1".into()));
    assert!(entries[2]
        .before
        .as_deref()
        .is_some_and(|b| b.contains("장충단로")));
    assert!(entries[2]
        .after
        .as_deref()
        .is_some_and(|a| a.contains("동작구")));
    assert!(history::of_order(&events, OrderId(2)).is_empty());
}

#[test]
fn r32_delay_days_count_from_each_basis_until_shipped() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    let order = &book.orders[&OrderId(1)];
    assert_eq!(delay_days(order, DelayBasis::Order, at(24 * 3)), Some(3));
    assert_eq!(delay_days(order, DelayBasis::Payment, at(24 * 3)), Some(3));
    ship(&mut book, 1);
    let order = &book.orders[&OrderId(1)];
    assert_eq!(
        delay_days(order, DelayBasis::Registration, at(24 * 30)),
        Some(0),
        "counting stops at shipping"
    );
    let unpaid = bank_transfer_book();
    assert_eq!(
        delay_days(&unpaid.orders[&OrderId(1)], DelayBasis::Payment, at(48)),
        None
    );
}

#[test]
fn replaying_the_events_rebuilds_the_book() {
    let mut book = Book::new();
    let mut events = Vec::new();
    events.extend(run(
        &mut book,
        Command::CollectOrder(new_order("coupang", 1, &[(11, 2), (12, 1)])),
        &op(0),
    ));
    events.extend(run(
        &mut book,
        Command::CollectOrder(new_order("coupang", 2, &[(21, 1)])),
        &op(0),
    ));
    events.extend(run(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    ));
    events.extend(run(
        &mut book,
        Command::Cancel(claim_on(1, 1, &[(12, 1)])),
        &op(1),
    ));
    events.extend(run(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(1),
            carrier: Carrier::lotte(),
            tracking_no: "L1".into(),
        },
        &op(2),
    ));
    let replayed = Book::replay(&events).expect("replay");
    assert_eq!(replayed, book);
    let json = serde_json::to_string(&book).expect("serialise");
    let loaded: Book = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(loaded, book);
    assert_eq!(
        loaded.orders_with_tracking("L1").map(<[OrderId]>::len),
        Some(2),
        "indexes rebuilt on load"
    );
    let mut twice = events.clone();
    twice.push(events[0].clone());
    assert!(
        Book::replay(&twice).is_err(),
        "a duplicated event is reported, not applied"
    );
}

#[test]
fn a_command_decided_on_the_pieces_it_names_gives_the_same_events() {
    // The browser keeps the book in pieces and decides on those a command names.
    let mut book = two_orders_same_recipient();
    invoice(&mut book, 1);
    let command = Command::PrintInvoice { order: OrderId(1) };
    let subjects = command.subjects();
    assert_eq!(subjects.orders, vec![OrderId(1)]);
    let pieces = Book::from_parts(
        book.orders
            .iter()
            .filter(|(id, _)| subjects.orders.contains(id))
            .map(|(id, o)| (*id, o.clone()))
            .collect(),
        Default::default(),
        Default::default(),
        Default::default(),
        book.stock.clone(),
    );
    let whole = book.decide(&command, &op(3)).expect("decided");
    assert_eq!(pieces.decide(&command, &op(3)).expect("decided"), whole);
    let events = run(&mut book, command, &op(3));
    assert_eq!(events[0].subjects().orders, vec![OrderId(1)]);
}

/// Collecting order `order_no` of `marketplace` (as the marketplace sends it, perhaps again)
/// with the given (line id, quantity) pairs, as console order `id`.
fn collect(marketplace: &str, order_no: &str, id: u64, lines: &[(u64, u32)]) -> Command {
    let mut order = new_order(marketplace, id, &[]);
    order.order_no = order_no.into();
    order.lines = lines
        .iter()
        .map(|(line, quantity)| new_line(order_no, *line, *quantity))
        .collect();
    Command::CollectOrder(order)
}

#[test]
fn r18_new_cafe24_lines_under_a_collected_order_are_not_collected() {
    let cafe24 = Ctx::sync(&MarketplaceCode::from("cafe24"), at(5));
    let mut book = book_with("cafe24", 1, &[(11, 1)]);
    // The exchange gave the item a new line number under the same order number: its replacement,
    // which must not be collected (and shipped) as a new order.
    let refusal = refuse(
        &mut book,
        collect("cafe24", "cafe24-1", 2, &[(12, 1)]),
        &cafe24,
    );
    assert_eq!(
        refusal,
        Refusal::ExchangeLinesOfCollectedOrder {
            marketplace: MarketplaceCode::from("cafe24"),
            order_no: "cafe24-1".into(),
            lines: vec!["cafe24-1-12".into()],
        }
    );
    let message = refusal.to_string();
    assert!(
        message.contains("cafe24-1-12") && message.contains("manual exchange"),
        "{message}"
    );
    // Sent again with its original line (fresh console ids, same marketplace keys) beside the
    // new one: the new one is still refused, under R18 rather than as collected already.
    let mut both = new_order("cafe24", 2, &[]);
    both.order_no = "cafe24-1".into();
    both.lines = vec![new_line("cafe24-1", 13, 1), new_line("cafe24-1", 12, 1)];
    both.lines[0].keys = book.orders[&OrderId(1)].lines[0].keys.clone();
    let refusal = refuse(&mut book, Command::CollectOrder(both.clone()), &cafe24);
    assert!(matches!(
        refusal,
        Refusal::ExchangeLinesOfCollectedOrder { ref lines, .. } if lines == &["cafe24-1-12"]
    ));
    // Only its original line: collected already.
    both.lines.truncate(1);
    let refusal = refuse(&mut book, Command::CollectOrder(both), &cafe24);
    assert!(matches!(
        refusal,
        Refusal::AlreadyCollected {
            existing: OrderId(1),
            ..
        }
    ));
    // A new order number is an ordinary order.
    run(
        &mut book,
        collect("cafe24", "cafe24-2", 2, &[(12, 1)]),
        &cafe24,
    );
    // Elsewhere new lines under a known order number are collected as their own order (a
    // marketplace that splits one order into parcels).
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    run(
        &mut book,
        collect("coupang", "coupang-1", 2, &[(12, 1)]),
        &Ctx::sync(&MarketplaceCode::from("coupang"), at(5)),
    );
    assert_eq!(
        book.orders_with_order_no(&MarketplaceCode::from("coupang"), "coupang-1")
            .len(),
        2
    );
}
