//! Orders and stores shared by the app's browser tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use indexed_db_futures::database::Database;
use jumun::store::Store;
use jumun_core::carrier::Carrier;
use jumun_core::claim::{Hold, HoldKind, HoldReason};
use jumun_core::ids::{LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{
    ClaimState, DeliveryInfo, Invoice, InvoiceUpload, Line, LineStatus, Order, OrderDates,
    OrderOrigin, Payment,
};

/// A database name of its own for each test, so tests never see each other's data.
pub fn fresh_name(test: &str) -> String {
    format!(
        "jumun-test-{test}-{}",
        (js_sys::Math::random() * 1e12) as u64
    )
}

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

pub fn line(id: u64, line_no: Option<&str>, status: LineStatus) -> Line {
    Line {
        id: LineId(id),
        keys: MarketplaceKeys {
            order_no: String::new(),
            line_no: line_no.map(str::to_owned),
            ..MarketplaceKeys::default()
        },
        product_name: "반팔 티셔츠".into(),
        option: "블랙 / L".into(),
        quantity: 1,
        unit_price: Won(19_900),
        option_price: Won::ZERO,
        sku: None,
        status,
        claim_state: ClaimState::Normal,
        hold: None,
        claim: None,
        split_of: None,
        replaces: None,
    }
}

/// An order of `marketplace` with one line per line number.
pub fn order(id: u64, marketplace: &str, order_no: &str, line_nos: &[&str]) -> Order {
    let lines = line_nos
        .iter()
        .enumerate()
        .map(|(i, no)| {
            let mut l = line(id * 10 + i as u64, Some(no), LineStatus::Preparing);
            l.keys.order_no = order_no.into();
            l
        })
        .collect();
    Order {
        id: OrderId(id),
        marketplace: MarketplaceCode::from(marketplace),
        order_no: order_no.into(),
        origin: OrderOrigin::Collected,
        payment: Payment::Paid,
        dates: OrderDates {
            registered_at: at(10, 9),
            ordered_at: at(10, 8),
            paid_at: Some(at(10, 8)),
            shipped_at: None,
            delivered_at: None,
            confirmed_at: None,
            cancelled_at: None,
        },
        delivery: DeliveryInfo {
            orderer_name: "김철수".into(),
            orderer_phone: "010-1111-2222".into(),
            recipient_name: "김철수".into(),
            recipient_phone: "010-1111-2222".into(),
            postcode: "06236".into(),
            address: "서울 강남구 테헤란로 1".into(),
            ..DeliveryInfo::default()
        },
        lines,
        bundle: None,
        no_bundle: false,
        partial_shipping: false,
        invoice: None,
        invoice_upload: InvoiceUpload::NotDue,
        memos: Vec::new(),
        claims_after_confirmation: Vec::new(),
        withdrawn_claims: Vec::new(),
    }
}

pub fn with_invoice(mut o: Order, tracking_no: &str) -> Order {
    o.invoice = Some(Invoice {
        carrier: Carrier::cj(),
        tracking_no: tracking_no.into(),
        issued_at: at(11, 10),
        printed_at: None,
        label_outdated: false,
    });
    for l in &mut o.lines {
        l.status = LineStatus::ReadyToShip;
    }
    o
}

pub fn held(mut o: Order) -> Order {
    o.lines[0].hold = Some(Hold {
        kind: HoldKind::Operator,
        reason: HoldReason::Operator("고객 요청으로 출고 보류".into()),
        since: at(11, 11),
    });
    o
}

pub fn ids(orders: &[Order]) -> Vec<u64> {
    let mut ids: Vec<u64> = orders.iter().map(|o| o.id.0).collect();
    ids.sort_unstable();
    ids
}

pub async fn open(name: &str) -> Store {
    Store::open_named(name, |_| {})
        .await
        .expect("open the store")
}

pub async fn delete(name: &str) {
    Database::delete_by_name(name)
        .expect("delete request")
        .await
        .expect("delete the test database");
}

/// The status tabs' counts the store keeps (moved by every write since they were first made)
/// agree with a full count of its indexes.
pub async fn assert_kept_counts_agree(store: &Store) {
    let kept = store.list_tab_counts().await.expect("kept counts");
    let counted = store.list_recount_tabs().await.expect("full count");
    assert_eq!(
        kept, counted,
        "the kept tab counts drifted from the indexes"
    );
}
