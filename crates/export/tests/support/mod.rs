//! What the export tests share: orders with the data that breaks spreadsheets, and a reader of
//! the files.

#![allow(dead_code)] // each test file uses part of it

pub mod reader;

use chrono::{DateTime, TimeZone, Utc};
use jumun_core::carrier::Carrier;
use jumun_core::claim::{Hold, HoldKind, HoldReason};
use jumun_core::ids::{BundleId, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{
    ClaimState, DeliveryInfo, Invoice, InvoiceUpload, Line, LineStatus, Memo, MemoKind, Order,
    OrderDates, OrderOrigin, Payment,
};
use jumun_core::stock::Sku;

/// The text without what XML 1.0 forbids (the tests' own rule, not the crate's).
pub fn without_forbidden(text: &str) -> String {
    text.chars().filter(|c| reader::is_xml_char(*c)).collect()
}

pub fn kst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    jumun_core::time::KOREA
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
        .with_timezone(&Utc)
}

/// The time the test exports are made.
pub fn now() -> DateTime<Utc> {
    kst(2026, 11, 16, 9, 5, 0)
}

pub const PHONE: &str = "01012345678";
pub const LANDLINE: &str = "0212345678";
pub const POSTCODE: &str = "01234";
pub const TRACKING: &str = "512345678901";
pub const ORDER_NO: &str = "2026111612345678";
pub const LINE_NO: &str = "2026111687654321";
pub const XSS: &str = "<img src=x onerror=alert(1)>";
pub const OPTION: &str = "색상=빨강 & 사이즈 \"L\" / 'M'";
pub const MEMO: &str =
    "문 앞에 놓아 주세요\r\n경비실 X\n=HYPERLINK(\"http://evil\",\"클릭\")\u{1}, 😀 _x0041_ ]]>";
pub const MEMO_CLEAN: &str =
    "문 앞에 놓아 주세요\r\n경비실 X\n=HYPERLINK(\"http://evil\",\"클릭\"), 😀 _x0041_ ]]>";
pub const ORDERER: &str = "  김 철수 ";
pub const ADDRESS: &str = "서울특별시 강남구 테헤란로 1, 101동 1001호 (역삼동)";

pub fn line(id: u64, product: &str, option: &str, quantity: u32, price: i64) -> Line {
    Line {
        id: LineId(id),
        keys: MarketplaceKeys {
            order_no: ORDER_NO.into(),
            ..Default::default()
        },
        product_name: product.into(),
        option: option.into(),
        quantity,
        unit_price: Won(price),
        option_price: Won::ZERO,
        sku: None,
        status: LineStatus::ReadyToShip,
        claim_state: ClaimState::Normal,
        hold: None,
        claim: None,
        split_of: None,
        replaces: None,
    }
}

/// An order whose every field holds something a spreadsheet gets wrong: leading zeros,
/// long digit strings, markup, quotes, line breaks, emoji, a control character, Excel's own
/// escape syntax, white space at the ends.
pub fn tricky_order() -> Order {
    let mut first = line(101, XSS, OPTION, 2, 12_900);
    first.keys.line_no = Some(LINE_NO.into());
    first.keys.product_code = Some("0001234".into());
    first.option_price = Won(2_000);
    first.sku = Some(Sku("SKU-001".into()));
    first.hold = Some(Hold {
        kind: HoldKind::Operator,
        reason: HoldReason::Operator("주소 확인 <필수> & \"전화\"".into()),
        since: kst(2026, 11, 16, 8, 0, 0),
    });
    let mut cancelled = line(102, "양말 3족", "", 3, 4_500);
    cancelled.claim_state = ClaimState::Cancelled;
    let mut exchanged = line(103, "모자", "블랙", 1, 19_000);
    exchanged.claim_state = ClaimState::Exchanging;
    Order {
        id: OrderId(10_001),
        marketplace: MarketplaceCode::from("smartstore"),
        order_no: ORDER_NO.into(),
        origin: OrderOrigin::Collected,
        payment: Payment::Paid,
        dates: OrderDates {
            registered_at: kst(2026, 11, 15, 23, 59, 59),
            ordered_at: kst(2026, 11, 15, 23, 58, 1),
            paid_at: Some(kst(2026, 11, 15, 23, 58, 30)),
            shipped_at: None,
            delivered_at: None,
            confirmed_at: None,
            cancelled_at: None,
        },
        delivery: DeliveryInfo {
            orderer_name: ORDERER.into(),
            orderer_phone: "010-9876-5432".into(),
            recipient_name: "홍길동 😀".into(),
            recipient_phone: PHONE.into(),
            recipient_landline: LANDLINE.into(),
            postcode: POSTCODE.into(),
            address: ADDRESS.into(),
            memo: MEMO.into(),
        },
        lines: vec![first, cancelled, exchanged],
        bundle: Some(BundleId(77)),
        no_bundle: false,
        partial_shipping: false,
        invoice: Some(Invoice {
            carrier: Carrier::cj(),
            tracking_no: TRACKING.into(),
            issued_at: kst(2026, 11, 16, 8, 30, 0),
            printed_at: Some(kst(2026, 11, 16, 8, 31, 0)),
            label_outdated: false,
        }),
        invoice_upload: InvoiceUpload::NotDue,
        memos: vec![
            Memo {
                text: "+82 고객 요청: 빠른 배송".into(),
                kind: MemoKind::Order,
                author: "operator".into(),
                at: kst(2026, 11, 16, 8, 0, 0),
            },
            Memo {
                text: "-재발송 X".into(),
                kind: MemoKind::CsOpen,
                author: "operator".into(),
                at: kst(2026, 11, 16, 8, 10, 0),
            },
        ],
        claims_after_confirmation: Vec::new(),
        withdrawn_claims: Vec::new(),
    }
}

/// A plain order of a marketplace the table does not know, with most fields empty.
pub fn plain_order(id: u64) -> Order {
    let mut order = tricky_order();
    order.id = OrderId(id);
    order.marketplace = MarketplaceCode::from("new-mall");
    order.order_no = format!("NM-{id}");
    order.delivery = DeliveryInfo {
        recipient_name: "이영희".into(),
        recipient_phone: "010-1111-2222".into(),
        postcode: "06236".into(),
        address: "서울 강남구 역삼로 2".into(),
        ..Default::default()
    };
    order.lines = vec![line(id * 10, "텀블러", "500ml", 1, 15_000)];
    order.lines[0].keys.order_no = order.order_no.clone();
    order.dates.paid_at = None;
    order.dates.shipped_at = Some(kst(2026, 11, 16, 18, 0, 0));
    order.bundle = None;
    order.invoice = None;
    order.memos = Vec::new();
    order
}
