//! Deterministic Korean order data: people, addresses, a product catalogue with options, and
//! orders on several marketplaces at once.
//!
//! Everything here is a pure function of a `u64` seed and an order's sequence number: the same
//! seed gives the same orders byte for byte, on every machine, in any order of generation
//! (order 500 does not depend on orders 0–499 having been generated first). The generator is a
//! SplitMix64 stream per (seed, purpose, index); no `rand` crate, no clock, no IO.

use chrono::{DateTime, Duration, FixedOffset};
use serde::Serialize;

/// A small, fast, well-mixed pseudo-random generator (SplitMix64).
///
/// Not for cryptography: it only has to be reproducible and look random to a person.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent generator for one purpose (`stream`) and one item (`index`) of a seed,
    /// so that each order draws from its own stream.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Self {
        let mut mixer = Rng::new(seed ^ mix(stream.wrapping_mul(GOLDEN)));
        let base = mixer.next_u64();
        Rng::new(base ^ mix(index.wrapping_add(0x5851_F42D_4C95_7F2D)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0), without modulo bias worth mentioning.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// True `percent` times out of 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One item of a non-empty constant list.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// One item of a non-empty list of `(item, weight)`.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            let weight = u64::from(*weight);
            if roll < weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// `digits` decimal digits as text (leading zeros kept).
    fn digits(&mut self, digits: u32) -> String {
        (0..digits)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which API family a marketplace's orders are served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// Cafe24 Admin API (`/api/v2/admin/orders`).
    Cafe24,
    /// Naver Commerce API (SmartStore).
    Naver,
    /// Coupang Open API (WING).
    Coupang,
    /// The console's generic order feed, one per marketplace code.
    Generic,
}

/// A marketplace the sandbox sells on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    /// The console's marketplace code (a row of `crates/core/data/marketplaces.tsv`).
    pub code: &'static str,
    /// How its orders are served.
    pub api: ApiKind,
    /// Relative share of the arriving orders.
    pub weight: u32,
}

/// Every marketplace the sandbox serves, with its share of new orders.
pub const CHANNELS: &[Channel] = &[
    Channel {
        code: "smartstore",
        api: ApiKind::Naver,
        weight: 24,
    },
    Channel {
        code: "coupang",
        api: ApiKind::Coupang,
        weight: 22,
    },
    Channel {
        code: "cafe24",
        api: ApiKind::Cafe24,
        weight: 12,
    },
    Channel {
        code: "11st",
        api: ApiKind::Generic,
        weight: 8,
    },
    Channel {
        code: "gmarket",
        api: ApiKind::Generic,
        weight: 8,
    },
    Channel {
        code: "zigzag",
        api: ApiKind::Generic,
        weight: 7,
    },
    Channel {
        code: "musinsa",
        api: ApiKind::Generic,
        weight: 6,
    },
    Channel {
        code: "ably",
        api: ApiKind::Generic,
        weight: 5,
    },
    Channel {
        code: "auction",
        api: ApiKind::Generic,
        weight: 3,
    },
    Channel {
        code: "29cm",
        api: ApiKind::Generic,
        weight: 3,
    },
    Channel {
        code: "fashionplus",
        api: ApiKind::Generic,
        weight: 2,
    },
];

/// The channel with this code, if the sandbox serves it.
pub fn channel(code: &str) -> Option<&'static Channel> {
    CHANNELS.iter().find(|c| c.code == code)
}

/// A person on an order: orderer or recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Full name, family name first (홍길순).
    pub name: String,
    /// Mobile number, `010-XXXX-XXXX`.
    pub mobile: String,
    /// Landline with the area code of the address, when the buyer gave one.
    pub phone: Option<String>,
    /// E-mail address (orderer only in practice).
    pub email: String,
}

/// A delivery address in the road-name (도로명) form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Five-digit postcode (우편번호).
    pub postcode: String,
    /// Road address, e.g. `서울특별시 중구 장충단로13길 20 (을지로6가)`.
    pub road: String,
    /// Detail: building, floor, unit.
    pub detail: String,
}

impl Address {
    /// `road detail` as one line.
    pub fn full(&self) -> String {
        if self.detail.is_empty() {
            self.road.clone()
        } else {
            format!("{} {}", self.road, self.detail)
        }
    }
}

/// One option dimension's chosen value, e.g. 색상 = 진청.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionPair {
    /// Dimension name (색상, 사이즈, 구성).
    pub name: String,
    /// Chosen value.
    pub value: String,
}

/// A product of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// The seller's product code, the same on every marketplace.
    pub code: &'static str,
    /// Product name as listed.
    pub name: &'static str,
    /// Sale price in won.
    pub price: u32,
    /// Option dimensions: name, values, and an extra price per value (same length as values).
    pub options: &'static [OptionDim],
    /// A stable number for marketplace-side ids (product no., channel product id).
    pub number: u32,
}

/// An option dimension of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionDim {
    /// 색상, 사이즈 …
    pub name: &'static str,
    /// The values.
    pub values: &'static [&'static str],
    /// Extra price in won per value (옵션추가금액), same length as `values`.
    pub extra: &'static [u32],
}

const NO_EXTRA4: &[u32] = &[0, 0, 0, 0];
const NO_EXTRA3: &[u32] = &[0, 0, 0];
const NO_EXTRA2: &[u32] = &[0, 0];

/// The sandbox seller's catalogue: the seeds' products (001) and a few more of the same shop.
pub const CATALOGUE: &[Product] = &[
    Product {
        code: "P00000RN",
        name: "직장인 필수품 패션양말",
        price: 2_000,
        number: 11,
        options: &[OptionDim {
            name: "색상",
            values: &["블랙", "화이트", "네이비", "그레이"],
            extra: NO_EXTRA4,
        }],
    },
    Product {
        code: "P00000RH",
        name: "멋진 청바지",
        price: 30_000,
        number: 12,
        options: &[
            OptionDim {
                name: "색상",
                values: &["진청", "연청", "블랙"],
                extra: NO_EXTRA3,
            },
            OptionDim {
                name: "사이즈",
                values: &["26", "28", "30", "32"],
                extra: &[0, 0, 0, 2_000],
            },
        ],
    },
    Product {
        code: "P00000RK",
        name: "NEW 신상 최신 연예인착용 모자",
        price: 12_000,
        number: 13,
        options: &[OptionDim {
            name: "색상",
            values: &["블랙", "베이지", "옐로우"],
            extra: NO_EXTRA3,
        }],
    },
    Product {
        code: "P00000RM",
        name: "겨울 발목 신상 패션아이템 기모양말",
        price: 1_500,
        number: 14,
        options: &[OptionDim {
            name: "색상",
            values: &["화이트", "옐로우", "핑크"],
            extra: NO_EXTRA3,
        }],
    },
    Product {
        code: "P00000RP",
        name: "패션 아이템 마술 모자",
        price: 9_000,
        number: 15,
        options: &[OptionDim {
            name: "사이즈",
            values: &["34", "36"],
            extra: &[0, 1_000],
        }],
    },
    Product {
        code: "P00000RQ",
        name: "신상 반팔 심플 베이직티셔츠",
        price: 6_000,
        number: 16,
        options: &[
            OptionDim {
                name: "색상",
                values: &["화이트", "블랙", "차콜"],
                extra: NO_EXTRA3,
            },
            OptionDim {
                name: "사이즈",
                values: &["S", "M", "L", "FREE"],
                extra: NO_EXTRA4,
            },
        ],
    },
    Product {
        code: "P00000SA",
        name: "데일리 오버핏 후드티",
        price: 29_900,
        number: 17,
        options: &[
            OptionDim {
                name: "색상",
                values: &["멜란지그레이", "블랙", "크림"],
                extra: NO_EXTRA3,
            },
            OptionDim {
                name: "사이즈",
                values: &["M", "L", "XL"],
                extra: &[0, 0, 2_000],
            },
        ],
    },
    Product {
        code: "P00000SB",
        name: "캐주얼 와이드 슬랙스",
        price: 24_900,
        number: 18,
        options: &[
            OptionDim {
                name: "색상",
                values: &["블랙", "베이지", "차콜"],
                extra: NO_EXTRA3,
            },
            OptionDim {
                name: "사이즈",
                values: &["S", "M", "L"],
                extra: NO_EXTRA3,
            },
        ],
    },
    Product {
        code: "P00000SC",
        name: "경량 패딩 조끼",
        price: 39_000,
        number: 19,
        options: &[
            OptionDim {
                name: "색상",
                values: &["블랙", "네이비", "카키"],
                extra: NO_EXTRA3,
            },
            OptionDim {
                name: "사이즈",
                values: &["M", "L", "XL"],
                extra: &[0, 0, 3_000],
            },
        ],
    },
    Product {
        code: "P00000SD",
        name: "캔버스 데일리 에코백",
        price: 15_800,
        number: 20,
        options: &[OptionDim {
            name: "색상",
            values: &["아이보리", "블랙"],
            extra: NO_EXTRA2,
        }],
    },
    Product {
        code: "P00000SE",
        name: "여성 데일리 플랫 로퍼",
        price: 45_000,
        number: 21,
        options: &[
            OptionDim {
                name: "색상",
                values: &["블랙", "브라운"],
                extra: NO_EXTRA2,
            },
            OptionDim {
                name: "사이즈",
                values: &["230", "235", "240", "245"],
                extra: NO_EXTRA4,
            },
        ],
    },
    Product {
        code: "P00000SF",
        name: "극세사 수면양말 3켤레 세트",
        price: 9_900,
        number: 22,
        options: &[OptionDim {
            name: "구성",
            values: &["랜덤", "파스텔", "모노톤"],
            extra: &[0, 500, 500],
        }],
    },
];

const FAMILY: &[(&str, u32)] = &[
    ("김", 21),
    ("이", 15),
    ("박", 8),
    ("최", 5),
    ("정", 5),
    ("강", 2),
    ("조", 2),
    ("윤", 2),
    ("장", 2),
    ("임", 2),
    ("한", 1),
    ("오", 1),
    ("서", 1),
    ("신", 1),
    ("권", 1),
    ("황", 1),
    ("안", 1),
    ("송", 1),
    ("류", 1),
    ("홍", 1),
];
const GIVEN_FIRST: &[&str] = &[
    "민", "서", "지", "현", "준", "예", "도", "하", "수", "영", "진", "은", "성", "재", "유", "태",
    "혜", "승", "길", "동", "아", "나", "경", "정", "소", "채", "다", "주",
];
const GIVEN_SECOND: &[&str] = &[
    "준", "우", "윤", "연", "진", "희", "호", "석", "아", "원", "빈", "민", "현", "순", "은", "수",
    "영", "람", "훈", "린", "경", "율", "서", "혁",
];

/// Real-looking road addresses: region area code, postcode, road address, kind of detail.
const ROADS: &[(&str, &str, &str, Detail)] = &[
    (
        "02",
        "04563",
        "서울특별시 중구 장충단로13길 20 (을지로6가)",
        Detail::Office("현대시티타워"),
    ),
    (
        "02",
        "07071",
        "서울특별시 동작구 보라매로5길 15 (신대방동)",
        Detail::Office("전문건설회관빌딩"),
    ),
    (
        "02",
        "06236",
        "서울특별시 강남구 테헤란로 152 (역삼동)",
        Detail::Office("강남파이낸스센터"),
    ),
    (
        "02",
        "03925",
        "서울특별시 마포구 월드컵북로 396 (상암동)",
        Detail::Office("누리꿈스퀘어"),
    ),
    (
        "02",
        "05551",
        "서울특별시 송파구 올림픽로 300 (신천동)",
        Detail::Office("롯데월드타워"),
    ),
    (
        "02",
        "07335",
        "서울특별시 영등포구 여의대로 108 (여의도동)",
        Detail::Office("파크원타워"),
    ),
    (
        "02",
        "04782",
        "서울특별시 성동구 왕십리로 83-21 (성수동1가)",
        Detail::Apartment,
    ),
    (
        "02",
        "08826",
        "서울특별시 관악구 관악로 1 (신림동)",
        Detail::Apartment,
    ),
    (
        "02",
        "01689",
        "서울특별시 노원구 동일로 1414 (상계동)",
        Detail::Apartment,
    ),
    (
        "02",
        "03187",
        "서울특별시 종로구 종로 51 (종로2가)",
        Detail::Office("종로타워"),
    ),
    (
        "051",
        "48099",
        "부산광역시 해운대구 해운대해변로 264 (우동)",
        Detail::Apartment,
    ),
    (
        "051",
        "47285",
        "부산광역시 부산진구 중앙대로 672 (부전동)",
        Detail::Office("삼정타워"),
    ),
    (
        "051",
        "48303",
        "부산광역시 수영구 광안해변로 219 (광안동)",
        Detail::Apartment,
    ),
    (
        "051",
        "49267",
        "부산광역시 서구 구덕로 225 (동대신동)",
        Detail::House,
    ),
    (
        "031",
        "13529",
        "경기도 성남시 분당구 판교역로 166 (백현동)",
        Detail::Office("카카오판교아지트"),
    ),
    (
        "031",
        "16514",
        "경기도 수원시 영통구 광교중앙로 145 (하동)",
        Detail::Apartment,
    ),
    (
        "031",
        "10403",
        "경기도 고양시 일산동구 중앙로 1036 (장항동)",
        Detail::Apartment,
    ),
    (
        "031",
        "16835",
        "경기도 용인시 수지구 포은대로 435 (풍덕천동)",
        Detail::Apartment,
    ),
    (
        "032",
        "14548",
        "경기도 부천시 길주로 210 (중동)",
        Detail::House,
    ),
    (
        "032",
        "21998",
        "인천광역시 연수구 컨벤시아대로 165 (송도동)",
        Detail::Apartment,
    ),
];

#[derive(Debug, Clone, Copy)]
enum Detail {
    Office(&'static str),
    Apartment,
    House,
}

const MEMOS: &[(&str, u32)] = &[
    ("", 6),
    ("부재시 문앞에 놓아주세요", 6),
    ("배송 전 연락 바랍니다", 3),
    ("경비실에 맡겨주세요", 3),
    ("문 앞에 놓고 벨 눌러주세요", 2),
    ("택배함에 넣어주세요", 2),
    ("파손 주의 부탁드립니다", 1),
    ("회사로 배송되니 평일 오후에 와주세요", 1),
];

const PAYMENTS: &[(&str, u32)] = &[
    ("신용카드", 10),
    ("무통장입금", 2),
    ("휴대폰", 2),
    ("계좌이체", 1),
];

const EMAIL_DOMAINS: &[&str] = &[
    "naver.com",
    "gmail.com",
    "daum.net",
    "kakao.com",
    "hanmail.net",
];

/// A line of an order (주문상세).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// 주문상세번호, in the marketplace's own form.
    pub line_no: String,
    /// 주문상세번호2 (Zigzag and Brandi carry a second one).
    pub line_no2: Option<String>,
    /// The seller's product code.
    pub product_code: String,
    /// The marketplace's product number (Cafe24 product_no, Naver channel product id,
    /// Coupang productId).
    pub product_no: u64,
    /// Product name.
    pub product_name: String,
    /// Chosen option values.
    pub option: Vec<OptionPair>,
    /// The marketplace's option id (Naver optionCode, Coupang vendorItemId = code6).
    pub option_id: String,
    /// Quantity ordered.
    pub quantity: u32,
    /// Product sale price per unit, without the option's extra.
    pub unit_price: u32,
    /// The option's extra price per unit (옵션추가금액).
    pub option_price: u32,
}

impl Line {
    /// `(unit_price + option_price) × quantity`.
    pub fn amount(&self) -> u64 {
        u64::from(self.unit_price + self.option_price) * u64::from(self.quantity)
    }

    /// Option text in the `색상=진청, 사이즈=28` form (Cafe24's `option_value`).
    pub fn option_eq(&self) -> String {
        self.option
            .iter()
            .map(|p| format!("{}={}", p.name, p.value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Option text in the `색상: 진청 / 사이즈: 28` form (Naver's `productOption`).
    pub fn option_colon(&self) -> String {
        self.option
            .iter()
            .map(|p| format!("{}: {}", p.name, p.value))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// Option values only, `진청/28` (what most marketplaces show).
    pub fn option_values(&self) -> String {
        self.option
            .iter()
            .map(|p| p.value.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// An order as the marketplace holds it, before any claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// The console's marketplace code.
    pub channel: &'static str,
    /// The sandbox's sequence number of this order (unique across channels).
    pub seq: u64,
    /// 주문번호, in the marketplace's own form.
    pub order_no: String,
    /// Coupang's shipmentBoxId, Naver's package number: the parcel id the marketplace keys
    /// invoices on.
    pub parcel_no: String,
    /// Buyer's member id on the marketplace.
    pub member_id: String,
    /// When the order was placed.
    pub ordered_at: DateTime<FixedOffset>,
    /// When it was paid (a few seconds to minutes later).
    pub paid_at: DateTime<FixedOffset>,
    /// 주문자.
    pub orderer: Person,
    /// 수령자.
    pub recipient: Person,
    /// Delivery address.
    pub address: Address,
    /// 배송메모 (may be empty).
    pub memo: String,
    /// 결제수단.
    pub payment_method: String,
    /// Shipping fee the buyer paid (0 over 30,000 won).
    pub shipping_fee: u32,
    /// The lines (at least one).
    pub lines: Vec<Line>,
}

impl Order {
    /// Sum of the lines' amounts.
    pub fn product_amount(&self) -> u64 {
        self.lines.iter().map(Line::amount).sum()
    }

    /// What the buyer paid: products plus shipping.
    pub fn payment_amount(&self) -> u64 {
        self.product_amount() + u64::from(self.shipping_fee)
    }
}

/// What to generate: which order, on which marketplace (chosen by weight when `None`), at
/// what time.
#[derive(Debug, Clone, Copy)]
pub struct OrderSpec {
    /// Unique sequence number; the same (seed, seq) always gives the same order.
    pub seq: u64,
    /// Force a marketplace (scripted scenarios do).
    pub channel: Option<&'static Channel>,
    /// Force the number of lines (1..=3); random when `None`.
    pub lines: Option<usize>,
    /// When the order is placed.
    pub ordered_at: DateTime<FixedOffset>,
}

/// Stream ids so that each purpose has its own random stream.
const STREAM_ORDER: u64 = 1;

/// Picks a marketplace for order `seq` by the channels' weights.
pub fn pick_channel(seed: u64, seq: u64) -> &'static Channel {
    let mut rng = Rng::derive(seed, 7, seq);
    let weighted: Vec<(usize, u32)> = CHANNELS
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.weight))
        .collect();
    &CHANNELS[rng.weighted(&weighted)]
}

/// A Korean full name: family name and a two-syllable given name.
pub fn person_name(rng: &mut Rng) -> String {
    let family = rng.weighted(FAMILY);
    format!(
        "{family}{}{}",
        rng.pick(GIVEN_FIRST),
        rng.pick(GIVEN_SECOND)
    )
}

/// A mobile number `010-XXXX-XXXX` (the middle block never starts with 0 or 1).
pub fn mobile(rng: &mut Rng) -> String {
    format!(
        "010-{}{}-{}",
        rng.between(2, 9),
        rng.digits(3),
        rng.digits(4)
    )
}

fn landline(rng: &mut Rng, area: &str) -> String {
    if area == "02" {
        format!(
            "02-{}{}-{}",
            rng.between(2, 9),
            rng.digits(3),
            rng.digits(4)
        )
    } else {
        format!(
            "{area}-{}{}-{}",
            rng.between(2, 9),
            rng.digits(2),
            rng.digits(4)
        )
    }
}

/// A road address with its postcode and a detail line.
fn address(rng: &mut Rng) -> (Address, &'static str) {
    let (area, postcode, road, detail) = rng.pick(ROADS);
    let detail = match detail {
        Detail::Office(building) => format!("{building} {}층", rng.between(2, 25)),
        Detail::Apartment => format!(
            "{}동 {}{:02}호",
            rng.between(101, 115),
            rng.between(1, 24),
            rng.between(1, 6)
        ),
        Detail::House => {
            if rng.chance(50) {
                format!("{}층", rng.between(1, 4))
            } else {
                String::new()
            }
        }
    };
    (
        Address {
            postcode: postcode.to_owned(),
            road: road.to_owned(),
            detail,
        },
        area,
    )
}

fn person(rng: &mut Rng, area: &str, name: String) -> Person {
    let mobile = mobile(rng);
    let phone = rng.chance(25).then(|| landline(rng, area));
    let local = romanised_handle(rng);
    let email = format!("{local}@{}", rng.pick(EMAIL_DOMAINS));
    Person {
        name,
        mobile,
        phone,
        email,
    }
}

fn romanised_handle(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "min", "seo", "ji", "hyun", "jun", "ye", "do", "ha", "su", "young", "jin", "eun", "sung",
        "jae", "yu", "tae", "hye", "seung", "gil", "dong", "kim", "lee", "park", "choi",
    ];
    format!(
        "{}{}{}",
        rng.pick(PARTS),
        rng.pick(PARTS),
        rng.between(1, 999)
    )
}

/// A product and option choice, with the marketplace's option id for it.
fn line(rng: &mut Rng, channel: &Channel, product: &Product, order_no: &str, index: usize) -> Line {
    let mut option = Vec::new();
    let mut option_price = 0;
    let mut option_index = 0u64;
    for dim in product.options {
        let pos = rng.below(dim.values.len() as u64) as usize;
        option.push(OptionPair {
            name: dim.name.to_owned(),
            value: dim.values[pos].to_owned(),
        });
        option_price += dim.extra.get(pos).copied().unwrap_or(0);
        option_index = option_index * 10 + pos as u64;
    }
    let quantity = match rng.below(100) {
        0..=79 => 1,
        80..=94 => 2,
        _ => 3,
    };
    option_line(
        channel,
        product,
        option,
        option_price,
        option_index,
        quantity,
        order_no,
        index,
    )
}

/// A line for a chosen product and option (used for exchange replacements too).
#[allow(clippy::too_many_arguments)]
fn option_line(
    channel: &Channel,
    product: &Product,
    option: Vec<OptionPair>,
    option_price: u32,
    option_index: u64,
    quantity: u32,
    order_no: &str,
    index: usize,
) -> Line {
    let n = u64::from(product.number);
    let (line_no, line_no2, product_no, option_id) = match channel.api {
        ApiKind::Cafe24 => (
            format!("{order_no}-{:02}", index + 1),
            None,
            n,
            format!("{}{:03}", product.code, option_index + 1),
        ),
        ApiKind::Naver => (
            // A product order id is a 16-digit number of its own.
            format!(
                "{}{:02}",
                &order_no[..order_no.len().saturating_sub(2)],
                10 + index
            ),
            None,
            8_412_000_000 + n * 1_000,
            format!("{}", 31_000_000_000 + n * 1_000 + option_index),
        ),
        ApiKind::Coupang => (
            format!("{}", index + 1),
            None,
            7_305_000_000 + n * 100,
            format!("{}", 86_400_000_000 + n * 1_000 + option_index),
        ),
        ApiKind::Generic => (
            format!("{}", index + 1),
            (channel.code == "zigzag").then(|| format!("{order_no}{:02}", index + 1)),
            n,
            format!("{}-{:03}", product.code, option_index + 1),
        ),
    };
    Line {
        line_no,
        line_no2,
        product_code: product.code.to_owned(),
        product_no,
        product_name: product.name.to_owned(),
        option,
        option_id,
        quantity,
        unit_price: product.price,
        option_price,
    }
}

/// The same product as `line` with another option (an exchange is an option change, R21):
/// the next value of the last dimension, wrapping.
pub fn exchange_line(channel: &Channel, line: &Line, order_no: &str, index: usize) -> Line {
    let Some(product) = CATALOGUE.iter().find(|p| p.code == line.product_code) else {
        return line.clone();
    };
    let mut option = Vec::new();
    let mut option_price = 0;
    let mut option_index = 0u64;
    let last = product.options.len().saturating_sub(1);
    for (d, dim) in product.options.iter().enumerate() {
        let current = line
            .option
            .get(d)
            .and_then(|p| dim.values.iter().position(|v| *v == p.value))
            .unwrap_or(0);
        let pos = if d == last {
            (current + 1) % dim.values.len().max(1)
        } else {
            current
        };
        option.push(OptionPair {
            name: dim.name.to_owned(),
            value: dim.values[pos].to_owned(),
        });
        option_price += dim.extra.get(pos).copied().unwrap_or(0);
        option_index = option_index * 10 + pos as u64;
    }
    option_line(
        channel,
        product,
        option,
        option_price,
        option_index,
        line.quantity,
        order_no,
        index,
    )
}

/// The marketplace's order number for sequence `seq` placed at `at`.
pub fn order_no(channel: &Channel, seq: u64, at: DateTime<FixedOffset>) -> String {
    let date = at.format("%Y%m%d");
    match (channel.api, channel.code) {
        // 20211115-0000011 (seed 001 shows this form).
        (ApiKind::Cafe24, _) => format!("{date}-{:07}", seq % 10_000_000),
        // 16 digits: date and a running number.
        (ApiKind::Naver, _) => format!("{date}{:06}00", seq % 1_000_000),
        // 13-digit number.
        (ApiKind::Coupang, _) => format!("{}", 2_000_000_000_000 + seq * 7 + 3),
        (ApiKind::Generic, "11st") => format!("{date}{:06}", seq % 1_000_000),
        (ApiKind::Generic, "gmarket" | "auction") => format!("{}", 3_100_000_000 + seq * 3),
        (ApiKind::Generic, "musinsa") => format!("{}{:06}", at.format("%y%m%d"), seq % 1_000_000),
        (ApiKind::Generic, _) => format!("{}{:07}", &at.format("%y%m%d"), seq % 10_000_000),
    }
}

/// The markup [`make_hostile`] puts in an order: each would run script if a console rendered
/// it as HTML (it sets `window.__jumunXss`), and each must be shown exactly as written.
pub const HOSTILE_NAME: &str = "<img src=x onerror=\"window.__jumunXss='name'\">김해커";
/// See [`HOSTILE_NAME`].
pub const HOSTILE_MEMO: &str = "<script>window.__jumunXss='memo'</script>문 앞에 놓아주세요";
/// See [`HOSTILE_NAME`].
pub const HOSTILE_PRODUCT: &str = "<script>window.__jumunXss='product'</script>";
/// See [`HOSTILE_NAME`].
pub const HOSTILE_OPTION: &str = "<img src=x onerror=window.__jumunXss=3>블랙";

/// Puts markup in the text a buyer or a marketplace writes: the recipient's name, the delivery
/// memo, the first line's product name (appended) and its first option value. Marketplaces pass
/// such text through as typed; a console must show it as text.
pub fn make_hostile(order: &mut Order) {
    order.recipient.name = HOSTILE_NAME.to_owned();
    order.memo = HOSTILE_MEMO.to_owned();
    if let Some(line) = order.lines.first_mut() {
        line.product_name = format!("{} {HOSTILE_PRODUCT}", line.product_name);
        match line.option.first_mut() {
            Some(pair) => pair.value = HOSTILE_OPTION.to_owned(),
            None => line.option.push(OptionPair {
                name: "색상".to_owned(),
                value: HOSTILE_OPTION.to_owned(),
            }),
        }
    }
}

/// Order `spec.seq` of `seed`.
pub fn generate_order(seed: u64, spec: OrderSpec) -> Order {
    let channel = spec.channel.unwrap_or_else(|| pick_channel(seed, spec.seq));
    let mut rng = Rng::derive(seed, STREAM_ORDER, spec.seq);
    let order_no = order_no(channel, spec.seq, spec.ordered_at);
    let (address, area) = address(&mut rng);
    let orderer_name = person_name(&mut rng);
    let orderer = person(&mut rng, area, orderer_name.clone());
    // Most buyers ship to themselves; some send a gift or ship to family.
    let recipient = if rng.chance(75) {
        orderer.clone()
    } else {
        let name = person_name(&mut rng);
        person(&mut rng, area, name)
    };
    let memo = rng.weighted(MEMOS).to_owned();
    let payment_method = rng.weighted(PAYMENTS).to_owned();
    let count = spec.lines.unwrap_or_else(|| match rng.below(100) {
        0..=69 => 1,
        70..=91 => 2,
        _ => 3,
    });
    let count = count.clamp(1, CATALOGUE.len());
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < count {
        let p = rng.below(CATALOGUE.len() as u64) as usize;
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    let lines: Vec<Line> = chosen
        .iter()
        .enumerate()
        .map(|(i, p)| line(&mut rng, channel, &CATALOGUE[*p], &order_no, i))
        .collect();
    let products: u64 = lines.iter().map(Line::amount).sum();
    let shipping_fee = if products >= 30_000 { 0 } else { 3_000 };
    let paid_at = spec.ordered_at + Duration::seconds(rng.between(3, 90) as i64);
    let parcel_no = match channel.api {
        ApiKind::Coupang => format!("{}", 560_000_000 + spec.seq * 11),
        _ => format!("{}", 2_024_000_000 + spec.seq),
    };
    let member_id = romanised_handle(&mut rng);
    Order {
        channel: channel.code,
        seq: spec.seq,
        order_no,
        parcel_no,
        member_id,
        ordered_at: spec.ordered_at,
        paid_at,
        orderer,
        recipient,
        address,
        memo,
        payment_method,
        shipping_fee,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2024-11-15T09:00:00+09:00").expect("fixed date")
    }

    fn orders(seed: u64) -> Vec<Order> {
        (0..300)
            .map(|seq| {
                generate_order(
                    seed,
                    OrderSpec {
                        seq,
                        channel: None,
                        lines: None,
                        ordered_at: at(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_orders_byte_for_byte() {
        let a = serde_json::to_string(&orders(42)).expect("serialises");
        let b = serde_json::to_string(&orders(42)).expect("serialises");
        assert_eq!(a, b);
        let c = serde_json::to_string(&orders(43)).expect("serialises");
        assert_ne!(a, c);
    }

    #[test]
    fn an_order_does_not_depend_on_the_ones_before_it() {
        let all = orders(7);
        let alone = generate_order(
            7,
            OrderSpec {
                seq: 123,
                channel: None,
                lines: None,
                ordered_at: at(),
            },
        );
        assert_eq!(all[123], alone);
    }

    #[test]
    fn korean_data_is_well_formed() {
        for order in orders(1) {
            for person in [&order.orderer, &order.recipient] {
                let parts: Vec<&str> = person.mobile.split('-').collect();
                assert_eq!(parts.len(), 3, "{}", person.mobile);
                assert_eq!(parts[0], "010");
                assert!(parts[1].len() == 4 && parts[1].chars().all(|c| c.is_ascii_digit()));
                assert!(parts[2].len() == 4 && parts[2].chars().all(|c| c.is_ascii_digit()));
                assert_eq!(person.name.chars().count(), 3, "{}", person.name);
                assert!(
                    person.name.chars().all(|c| ('가'..='힣').contains(&c)),
                    "{}",
                    person.name
                );
            }
            assert_eq!(order.address.postcode.len(), 5);
            assert!(order.address.postcode.chars().all(|c| c.is_ascii_digit()));
            assert!(order
                .lines
                .iter()
                .all(|l| l.quantity >= 1 && l.unit_price >= 1_000));
            assert!(!order.lines.is_empty());
        }
    }

    #[test]
    fn every_channel_gets_orders_and_every_channel_is_a_known_marketplace() {
        let all = orders(3);
        for channel in CHANNELS {
            assert!(
                jumun_core::marketplace::MarketplaceTable::builtin()
                    .get(&channel.code.into())
                    .is_some(),
                "{} is not in the marketplace table",
                channel.code
            );
            assert!(
                all.iter().any(|o| o.channel == channel.code),
                "no {} orders",
                channel.code
            );
        }
    }

    #[test]
    fn order_and_line_numbers_are_unique_per_channel() {
        let all = orders(9);
        let mut keys = std::collections::HashSet::new();
        for order in &all {
            for line in &order.lines {
                assert!(keys.insert((order.channel, order.order_no.clone(), line.line_no.clone())));
            }
        }
    }

    #[test]
    fn an_exchange_changes_only_the_option() {
        let order = generate_order(
            5,
            OrderSpec {
                seq: 1,
                channel: channel("zigzag"),
                lines: Some(1),
                ordered_at: at(),
            },
        );
        let zigzag = channel("zigzag").expect("served");
        let new = exchange_line(zigzag, &order.lines[0], &order.order_no, 0);
        assert_eq!(new.product_code, order.lines[0].product_code);
        assert_ne!(new.option, order.lines[0].option);
    }
}
