//! Deterministic Korean marketplace orders for the benches: the same seed gives the same orders
//! on every machine, with no randomness crate.
//!
//! A bench picks its own marketplaces (with weights), catalogue size and ids; [`order`] builds
//! the order. Products are distinct within an order, so every line has its own keys; buyers
//! ([`delivery`]) are a function of a number, so two orders of one buyer can be bundled.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jumun_core::ids::{IdBlock, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, NewLine, NewOrder, Payment};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One item of a non-empty list.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// The position of one item of a non-empty list, drawn by the weights `weight` gives.
    pub fn weighted<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u64) -> usize {
        let total: u64 = items.iter().map(&weight).sum();
        let mut roll = self.below(total);
        for (i, item) in items.iter().enumerate() {
            if roll < weight(item) {
                return i;
            }
            roll -= weight(item);
        }
        0
    }

    /// One marketplace code of `(code, weight)` pairs.
    pub fn marketplace(&mut self, marketplaces: &[(&'static str, u64)]) -> &'static str {
        marketplaces[self.weighted(marketplaces, |(_, weight)| *weight)].0
    }
}

/// Marketplaces of the built-in table orders arrive from, with a weight each (roughly the share
/// of a fashion seller's orders).
pub const MARKETPLACES: &[(&str, u64)] = &[
    ("coupang", 28),
    ("smartstore", 24),
    ("cafe24", 10),
    ("11st", 8),
    ("zigzag", 7),
    ("gmarket", 6),
    ("auction", 5),
    ("ably", 5),
    ("musinsa", 4),
    ("brandi", 3),
];

const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "류", "홍",
];
const GIVEN_NAMES: &[&str] = &[
    "민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "하은", "주원", "지호", "지민", "수빈",
    "예린", "현우", "유진", "채원", "건우", "소율", "은서", "태윤",
];
/// Road addresses (the building number is added) with the first two digits of their postcodes.
const ROADS: &[(&str, u32)] = &[
    ("서울특별시 강남구 테헤란로", 6),
    ("서울특별시 마포구 월드컵북로", 3),
    ("서울특별시 송파구 올림픽로", 5),
    ("서울특별시 중구 장충단로13길", 4),
    ("부산광역시 해운대구 센텀중앙로", 48),
    ("인천광역시 연수구 송도과학로", 21),
    ("대구광역시 수성구 달구벌대로", 42),
    ("광주광역시 서구 상무중앙로", 61),
    ("대전광역시 유성구 대학로", 34),
    ("경기도 성남시 분당구 판교역로", 13),
    ("경기도 고양시 일산동구 중앙로", 10),
    ("경기도 수원시 영통구 광교중앙로", 16),
    ("강원특별자치도 춘천시 중앙로", 24),
    ("제주특별자치도 제주시 노형로", 63),
];
const DELIVERY_MEMOS: &[&str] = &[
    "",
    "",
    "",
    "부재 시 문 앞에 놓아주세요",
    "배송 전 연락 바랍니다",
    "경비실에 맡겨주세요",
    "공동현관 비밀번호 1234#",
];
const PRODUCTS: &[&str] = &[
    "오버핏 코튼 맨투맨",
    "와이드 데님 팬츠",
    "린넨 셔츠 원피스",
    "기모 후드 집업",
    "울 블렌드 니트 가디건",
    "세미 와이드 슬랙스",
    "캔버스 로우 스니커즈",
    "레더 미니 크로스백",
    "크롭 트위드 자켓",
    "골지 반팔 티셔츠",
    "플리츠 롱 스커트",
    "헤비 구스다운 패딩",
];
const COLOURS: &[&str] = &["블랙", "아이보리", "네이비", "차콜", "베이지", "소라"];
const SIZES: &[&str] = &["S", "M", "L", "XL", "FREE"];

/// 2026-11-02 09:00 KST plus `hours`: the benches' fixed clock.
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
        + Duration::hours(hours)
}

/// The name of catalogue product `product`: `오버핏 코튼 맨투맨 0012`.
pub fn product_name(product: u64) -> String {
    format!(
        "{} {product:04}",
        PRODUCTS[(product % PRODUCTS.len() as u64) as usize]
    )
}

/// The name of option `option` (colour, then size): `네이비/M`.
pub fn option_name(option: u64) -> String {
    let colours = COLOURS.len() as u64;
    format!(
        "{}/{}",
        COLOURS[(option % colours) as usize],
        SIZES[(option / colours % SIZES.len() as u64) as usize]
    )
}

/// The order number marketplace `marketplace` gives its `n`-th order, in its own shape.
pub fn order_no(marketplace: &str, n: u64) -> String {
    match marketplace {
        "coupang" => format!("3{:012}", n * 7),
        "smartstore" => format!("20261102{n:08}"),
        "cafe24" => format!("20261102-{n:07}"),
        "11st" => format!("2026110{n:09}"),
        "gmarket" | "auction" => format!("{}", 4_100_000_000 + n),
        _ => format!(
            "{}{n:010}",
            marketplace.get(..2).unwrap_or(marketplace).to_uppercase()
        ),
    }
}

/// The keys a marketplace sends for line `line` (0-based) of an order: order and line numbers,
/// product code, name and option, and each marketplace's own codes (R26).
pub fn line_keys(
    marketplace: &str,
    order_no: &str,
    line: usize,
    product: u64,
    option: u64,
) -> MarketplaceKeys {
    let mut keys = MarketplaceKeys {
        order_no: order_no.to_owned(),
        line_no: Some(format!("{order_no}{:02}", line + 1)),
        product_code: Some(format!("P{product:05}")),
        product_name: Some(product_name(product)),
        option: Some(option_name(option)),
        option_id: Some(format!("{}", 100_000 + product * 100 + option)),
        ..Default::default()
    };
    match marketplace {
        "coupang" => {
            // Coupang sends no line number; its vendor item id (code6) names the option.
            keys.line_no = None;
            keys.codes.insert(
                "code6".into(),
                format!("{}", 80_000_000_000 + product * 100 + option),
            );
        }
        "shinsegae" | "emart" => {
            keys.codes
                .insert("code4".into(), format!("{:03}", line + 1));
        }
        "brandi" | "zigzag" => {
            let tail = order_no.get(2..).unwrap_or(order_no);
            keys.line_no2 = Some(format!("{tail}{:02}", line + 1));
        }
        "wemakeprice2" | "wemakeprice-api" => {
            keys.codes
                .insert("code18".into(), format!("{order_no}-{line}"));
        }
        "player" => {
            keys.codes
                .insert("code22".into(), format!("ST{product:05}{option:02}"));
        }
        _ => {}
    }
    keys
}

/// Buyer number `buyer`'s delivery: orderer, recipient (another person for one buyer in five),
/// a mobile number, a road address with its postcode, and a memo now and then. The same number
/// gives the same delivery, so a buyer's orders can be bundled.
pub fn delivery(buyer: u64) -> DeliveryInfo {
    let mut rng = Rng(buyer);
    let orderer = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES));
    let recipient = if rng.below(5) == 0 {
        format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES))
    } else {
        orderer.clone()
    };
    let phone = format!("010-{:04}-{:04}", rng.below(10_000), rng.below(10_000));
    let (road, postcode) = ROADS[rng.below(ROADS.len() as u64) as usize];
    DeliveryInfo {
        orderer_name: orderer,
        orderer_phone: phone.clone(),
        recipient_name: recipient,
        recipient_phone: phone,
        recipient_landline: String::new(),
        postcode: format!("{postcode:02}{:03}", rng.below(1000)),
        address: format!(
            "{road} {} {}동 {}호",
            1 + rng.below(300),
            101 + rng.below(12),
            101 + rng.below(2000)
        ),
        memo: rng.pick(DELIVERY_MEMOS).to_owned(),
    }
}

/// What a bench decides about one order; [`order`] draws the rest.
#[derive(Debug, Clone)]
pub struct OrderSpec {
    /// The console's id.
    pub id: OrderId,
    /// The marketplace's code.
    pub marketplace: &'static str,
    /// Which of the marketplace's orders it is (its order number, [`order_no`]).
    pub number: u64,
    /// One id per line: as many lines as ids.
    pub lines: Vec<LineId>,
    /// Products in the catalogue the lines are drawn from.
    pub products: u64,
    /// Options per product.
    pub options: u64,
    /// When it was ordered.
    pub ordered_at: DateTime<Utc>,
    /// Paid, or a bank transfer awaited.
    pub payment: Payment,
    /// Whose order it is ([`delivery`]).
    pub buyer: u64,
}

/// An order as its marketplace sends it: distinct products, a random option each, mostly one
/// unit, prices from 9,900 won, an option surcharge for one option in five.
pub fn order(rng: &mut Rng, spec: OrderSpec) -> NewOrder {
    let order_no = order_no(spec.marketplace, spec.number);
    let first_product = rng.below(spec.products);
    let lines = spec
        .lines
        .iter()
        .enumerate()
        .map(|(n, id)| {
            // A stride prime to the catalogue's usual sizes: distinct products within an order.
            let product = (first_product + n as u64 * 97) % spec.products.max(1);
            let option = rng.below(spec.options);
            NewLine {
                id: *id,
                keys: line_keys(spec.marketplace, &order_no, n, product, option),
                product_name: product_name(product),
                option: option_name(option),
                quantity: 1 + (rng.below(10) / 8) as u32,
                unit_price: Won(9_900 + 1_000 * (product % 30) as i64),
                option_price: if option % 5 == 4 {
                    Won(2_000)
                } else {
                    Won::ZERO
                },
            }
        })
        .collect();
    NewOrder {
        id: spec.id,
        marketplace: MarketplaceCode::from(spec.marketplace),
        order_no,
        ordered_at: spec.ordered_at,
        payment: spec.payment,
        paid_at: None,
        delivery: delivery(spec.buyer),
        lines,
        no_bundle: false,
    }
}

/// The most ids one [`arriving_order`] takes (the order and up to three lines).
pub const IDS_PER_ORDER: u64 = 4;

/// The id block ran out before the order had all its ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the id block ran out: reserve {IDS_PER_ORDER} ids per order")]
pub struct OutOfIds;

/// The `n`-th (0-based) order arriving from [`MARKETPLACES`], ordered a little before `now`,
/// with ids taken from `ids` (the order's, then each line's): 1–3 lines (60%, 28%, 12%) of a
/// catalogue of 500 products in 30 options, 85% paid, 15% bank transfers (무통장입금) due in
/// three days.
pub fn arriving_order(
    rng: &mut Rng,
    n: u64,
    ids: &mut IdBlock,
    now: DateTime<Utc>,
) -> Result<NewOrder, OutOfIds> {
    let marketplace = rng.marketplace(MARKETPLACES);
    let ordered_at = now - Duration::minutes(5 + rng.below(600) as i64);
    let id = OrderId(ids.take().ok_or(OutOfIds)?);
    let count = match rng.below(100) {
        0..=59 => 1,
        60..=87 => 2,
        _ => 3,
    };
    let lines = (0..count)
        .map(|_| ids.take().map(LineId).ok_or(OutOfIds))
        .collect::<Result<Vec<_>, _>>()?;
    let payment = if rng.below(100) < 15 {
        Payment::BankTransfer {
            deadline: ordered_at + Duration::days(3),
        }
    } else {
        Payment::Paid
    };
    let buyer = rng.next_u64();
    Ok(order(
        rng,
        OrderSpec {
            id,
            marketplace,
            number: n,
            lines,
            products: 500,
            options: 30,
            ordered_at,
            payment,
            buyer,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jumun_core::command::Command;
    use jumun_core::{Book, Ctx};

    #[test]
    fn the_same_seed_gives_the_same_orders_and_the_engine_takes_them() {
        let make = || {
            let mut rng = Rng(7);
            let mut ids = IdBlock::new(1, 100 * IDS_PER_ORDER);
            (0..100)
                .map(|n| arriving_order(&mut rng, n, &mut ids, at(0)).unwrap())
                .collect::<Vec<_>>()
        };
        let orders = make();
        assert_eq!(orders, make());
        let mut book = Book::new();
        for order in orders {
            assert!(!order.lines.is_empty() && order.lines.len() <= 3);
            let ctx = Ctx::sync(&order.marketplace, at(1));
            book.execute(&Command::CollectOrder(order), &ctx).unwrap();
        }
        let mut ids = IdBlock::new(1, 1);
        assert_eq!(
            arriving_order(&mut Rng(7), 0, &mut ids, at(0)),
            Err(OutOfIds)
        );
    }

    #[test]
    fn a_buyer_is_the_same_person_every_time() {
        assert_eq!(delivery(42), delivery(42));
        assert_ne!(delivery(42), delivery(43));
        assert!(delivery(42).address.contains('로'));
    }
}
