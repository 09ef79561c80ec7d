//! The refusals the rule tests do not already meet: each is given, and each changes nothing.

mod support;

use jumun_core::cancel_sync::CancelRecord;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimKind, FeePayment};
use jumun_core::command::{Command, ExchangeRequest, ReplacementRequest, ReturnRequest};
use jumun_core::ids::{BundleId, ClaimId, IdBlock, LineId, OrderId, PickupId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::money::Won;
use jumun_core::order::ClaimState;
use jumun_core::pickup::PickupPlan;
use jumun_core::{Ctx, Refusal};
use support::*;

fn plan(id: u64) -> PickupPlan {
    PickupPlan {
        id: PickupId(id),
        request_carrier: false,
        carrier: None,
        fee: Won(3_000),
        fee_payment: FeePayment::Prepaid,
        memo: String::new(),
    }
}

fn exchange(claim: u64, replacements: Vec<ReplacementRequest>) -> ExchangeRequest {
    ExchangeRequest {
        claim: claim_on(claim, 1, &[(11, 1)]),
        replacements,
        exchange_order: OrderId(101),
        swap: false,
        pickup: Some(plan(claim)),
        shipping_fee_one_way: Won(3_000),
        payment: FeePayment::Enclosed,
    }
}

fn replacement(for_line: u64, new_line: u64) -> ReplacementRequest {
    ReplacementRequest {
        for_line: LineId(for_line),
        new_line: LineId(new_line),
        product_name: "상품11".into(),
        option: "블랙".into(),
        option_price: Won::ZERO,
        keys: None,
    }
}

#[test]
fn unknown_ids_are_named() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    assert_eq!(
        refuse(
            &mut book,
            Command::StartPickup {
                pickup: PickupId(9)
            },
            &op(1)
        ),
        Refusal::UnknownPickup(PickupId(9))
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::Unbundle {
                bundle: BundleId(9)
            },
            &op(1)
        ),
        Refusal::UnknownBundle(BundleId(9))
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::VoidInvoice { order: OrderId(1) },
            &op(1)
        ),
        Refusal::NoInvoice(OrderId(1))
    );
}

#[test]
fn ids_already_taken_are_refused() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    let refusal = refuse(
        &mut book,
        Command::CollectOrder(new_order("coupang", 1, &[(21, 1)])),
        &op(1),
    );
    assert!(matches!(refusal, Refusal::IdTaken { .. }));
    let refusal = refuse(
        &mut book,
        Command::CollectOrder(new_order("coupang", 2, &[(11, 1)])),
        &op(1),
    );
    assert!(
        matches!(refusal, Refusal::IdTaken { .. }),
        "line ids are unique across the book"
    );
    run(
        &mut book,
        Command::CollectOrder(new_order("coupang", 2, &[(21, 1)])),
        &op(1),
    );
    run(
        &mut book,
        Command::Bundle {
            bundle: BundleId(1),
            orders: vec![OrderId(1), OrderId(2)],
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
    assert!(matches!(refusal, Refusal::IdTaken { .. }));
    let refusal = refuse(
        &mut book,
        Command::Bundle {
            bundle: BundleId(2),
            orders: vec![OrderId(1), OrderId(2)],
        },
        &op(1),
    );
    assert_eq!(
        refusal,
        Refusal::AlreadyBundled {
            order: OrderId(1),
            bundle: BundleId(1)
        }
    );
}

#[test]
fn a_second_invoice_is_refused_until_the_first_is_voided() {
    let mut book = book_with("coupang", 1, &[(11, 1)]);
    invoice(&mut book, 1);
    let refusal = refuse(
        &mut book,
        Command::IssueInvoice {
            order: OrderId(1),
            carrier: Carrier::cj(),
            tracking_no: "T2".into(),
        },
        &op(2),
    );
    assert_eq!(
        refusal,
        Refusal::InvoiceAlreadyIssued {
            order: OrderId(1),
            tracking_no: "T1".into()
        }
    );
}

#[test]
fn a_cancelled_line_cannot_be_cancelled_again_or_split() {
    let mut book = book_with("coupang", 1, &[(11, 1), (12, 1)]);
    run(
        &mut book,
        Command::Cancel(claim_on(1, 1, &[(12, 1)])),
        &op(1),
    );
    assert_eq!(
        book.line(OrderId(1), LineId(12)).map(|l| l.claim_state),
        Ok(ClaimState::Cancelled)
    );
    let refusal = refuse(
        &mut book,
        Command::Cancel(claim_on(2, 1, &[(12, 1)])),
        &op(2),
    );
    assert!(matches!(
        refusal,
        Refusal::ClaimStateForbids {
            state: ClaimState::Cancelled,
            ..
        }
    ));
}

#[test]
fn processing_a_claim_as_another_kind_is_refused() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
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
    // The return is open: it is not a requested claim to process as an exchange.
    let refusal = refuse(
        &mut book,
        Command::Exchange(exchange(1, vec![replacement(11, 111)])),
        &op(31),
    );
    assert!(matches!(refusal, Refusal::ClaimClosed { .. }));
    let sync = Ctx::sync(&MarketplaceCode::from("11st"), at(30));
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let mut collected = jumun_core::command::CollectedClaim {
        claim: ClaimId(5),
        marketplace: MarketplaceCode::from("11st"),
        kind: ClaimKind::Return,
        keys: book.orders[&OrderId(1)].lines[0].keys.clone(),
        quantity: None,
        status: "반품요청".into(),
        claim_no: None,
        reason: jumun_core::claim::Reason::ChangeOfMind,
        fault: jumun_core::fault::Fault::Buyer,
        requested_option: None,
        split_line: None,
    };
    run(&mut book, Command::CollectClaim(collected.clone()), &sync);
    let mut request = exchange(5, vec![replacement(11, 111)]);
    request.claim.lines.clear();
    let refusal = refuse(&mut book, Command::Exchange(request), &op(31));
    assert_eq!(
        refusal,
        Refusal::WrongClaimKind {
            claim: ClaimId(5),
            actual: ClaimKind::Return,
            expected: ClaimKind::Exchange
        }
    );
    collected.claim = ClaimId(6);
    collected.claim_no = Some("another".into());
    assert!(matches!(
        refuse(&mut book, Command::CollectClaim(collected), &sync),
        Refusal::ClaimAlreadyOpen { .. }
    ));
}

#[test]
fn kakao_commands_need_a_kakao_exchange() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, vec![replacement(11, 111)])),
        &op(30),
    );
    assert_eq!(
        refuse(
            &mut book,
            Command::AcceptExchange { claim: ClaimId(1) },
            &op(31)
        ),
        Refusal::NotKakaoExchange(ClaimId(1))
    );
}

#[test]
fn an_exchange_names_a_replacement_for_every_line() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    let refusal = refuse(
        &mut book,
        Command::Exchange(exchange(1, vec![replacement(99, 111)])),
        &op(30),
    );
    assert_eq!(refusal, Refusal::ReplacementMissing(LineId(11)));
}

#[test]
fn an_exchange_with_its_replacement_order_cannot_be_withdrawn() {
    let mut book = book_with("11st", 1, &[(11, 1)]);
    deliver(&mut book, 1);
    run(
        &mut book,
        Command::Exchange(exchange(1, vec![replacement(11, 111)])),
        &op(30),
    );
    let refusal = refuse(
        &mut book,
        Command::WithdrawClaim { claim: ClaimId(1) },
        &op(31),
    );
    assert_eq!(
        refusal,
        Refusal::ReplacementOrderExists {
            claim: ClaimId(1),
            order: OrderId(101)
        }
    );
}

#[test]
fn arrivals_and_restocks_name_lines_of_the_pickup() {
    let mut book = book_with("coupang", 1, &[(11, 1), (12, 1)]);
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
    let refusal = refuse(
        &mut book,
        Command::RecordArrival {
            pickup: PickupId(1),
            arrived: vec![(LineId(12), 1)],
        },
        &op(31),
    );
    assert!(matches!(
        refusal,
        Refusal::LineNotInClaim {
            line: LineId(12),
            ..
        }
    ));
    assert_eq!(
        refuse(
            &mut book,
            Command::RecordArrival {
                pickup: PickupId(1),
                arrived: vec![]
            },
            &op(31)
        ),
        Refusal::NothingSelected
    );
}

#[test]
fn a_sync_without_enough_fresh_ids_is_refused_whole() {
    let mut book = book_with("auction", 1, &[(11, 1)]);
    run(
        &mut book,
        Command::CollectOrder(new_order("auction", 2, &[(21, 1)])),
        &op(0),
    );
    let records: Vec<CancelRecord> = [1, 2]
        .iter()
        .map(|order| CancelRecord {
            marketplace: MarketplaceCode::from("auction"),
            status: "취소완료".into(),
            keys: new_line(&format!("auction-{order}"), 0, 1).keys,
            quantity: None,
            claim_no: None,
            reported_at: at(2),
        })
        .collect();
    let refusal = refuse(
        &mut book,
        Command::SyncCancels {
            records: records.clone(),
            ids: IdBlock::new(100, 1),
        },
        &op(2),
    );
    assert_eq!(refusal, Refusal::IdBlockUsedUp);
    run(
        &mut book,
        Command::SyncCancels {
            records,
            ids: IdBlock::new(100, 4),
        },
        &op(2),
    );
    assert!(book.orders.values().all(|o| o.is_cancelled()));
}
