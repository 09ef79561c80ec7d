//! Shared by the server benches (`ingest`, `api_load`): deterministic Korean marketplace orders,
//! the tests' server launcher (`tests/support/server.rs`), a signed-in HTTP client, and the
//! figures (percentiles, sizes, CPU time) they print.
//!
//! Nothing here asserts on time. A failed correctness check is an `Err(String)` that the bench's
//! `main` prints and turns into a non-zero exit.

#![allow(dead_code)] // each bench uses its own part of this module

#[path = "../../tests/support/server.rs"]
mod server;

use chrono::{DateTime, Duration, Utc};
use jumun_core::ids::{IdBlock, LineId, OrderId};
use jumun_core::marketplace::{MarketplaceCode, MarketplaceKeys};
use jumun_core::money::Won;
use jumun_core::order::{DeliveryInfo, NewLine, NewOrder, Payment};
use jumun_server::db::DatabaseLocation;
use serde_json::{json, Value};
pub use server::TestServer;
use std::path::Path;
use std::time::Duration as StdDuration;

/// The demo store's owner, created by `--demo`.
pub const DEMO: (&str, &str, &str) = ("demo", "demo", "demo1234");

/// Marketplaces of the built-in table the orders come from, with a weight each (roughly the
/// share of a fashion seller's orders).
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

/// A small deterministic generator (splitmix64): the same seed gives the same orders.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn marketplace(&mut self) -> &'static str {
        let total: u64 = MARKETPLACES.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (code, weight) in MARKETPLACES {
            if roll < *weight {
                return code;
            }
            roll -= weight;
        }
        MARKETPLACES[0].0
    }

    /// 1, 2 or 3 lines: 60%, 28%, 12%.
    pub fn line_count(&mut self) -> u64 {
        match self.below(100) {
            0..=59 => 1,
            60..=87 => 2,
            _ => 3,
        }
    }
}

/// The most ids one order takes (the order and up to three lines).
pub const IDS_PER_ORDER: u64 = 4;

/// The `n`-th (0-based) marketplace order of a bench, ordered a little before `now`, with ids
/// taken from `ids` (the order's, then each line's). 85% paid, 15% bank transfers (무통장입금)
/// due in three days.
pub fn korean_order(rng: &mut Rng, n: u64, ids: &mut IdBlock, now: DateTime<Utc>) -> NewOrder {
    let marketplace = rng.marketplace();
    let order_no = order_no(marketplace, n);
    let ordered_at = now - Duration::minutes(5 + rng.below(600) as i64);
    let id = OrderId(ids.take().expect("the bench reserves enough ids"));
    let lines = (0..rng.line_count())
        .map(|line| {
            let product = rng.below(PRODUCTS.len() as u64);
            let option = format!("{}/{}", rng.pick(COLOURS), rng.pick(SIZES));
            NewLine {
                id: LineId(ids.take().expect("the bench reserves enough ids")),
                keys: line_keys(marketplace, &order_no, line, product, &option),
                product_name: PRODUCTS[product as usize].to_owned(),
                option,
                quantity: 1 + (rng.below(10) / 8) as u32,
                unit_price: Won(19_900 + 5_000 * product as i64),
                option_price: if rng.below(5) == 0 {
                    Won(2_000)
                } else {
                    Won::ZERO
                },
            }
        })
        .collect();
    let payment = if rng.below(100) < 15 {
        Payment::BankTransfer {
            deadline: ordered_at + Duration::days(3),
        }
    } else {
        Payment::Paid
    };
    let orderer = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES));
    let recipient = if rng.below(5) == 0 {
        format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES))
    } else {
        orderer.clone()
    };
    let phone = format!("010-{:04}-{:04}", rng.below(10_000), rng.below(10_000));
    let (road, postcode) = ROADS[rng.below(ROADS.len() as u64) as usize];
    NewOrder {
        id,
        marketplace: MarketplaceCode::from(marketplace),
        order_no,
        ordered_at,
        payment,
        paid_at: None,
        delivery: DeliveryInfo {
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
        },
        lines,
        no_bundle: false,
    }
}

fn order_no(marketplace: &str, n: u64) -> String {
    match marketplace {
        "coupang" => format!("3{:012}", 100_000_000 + n * 7),
        "smartstore" => format!("2026112{:09}", n),
        "cafe24" => format!("20261125-{:07}", n),
        "11st" => format!("2026112{:09}", 500_000_000 + n),
        "gmarket" | "auction" => format!("{}", 4_100_000_000 + n),
        _ => format!("{}{:010}", marketplace[..2].to_uppercase(), n),
    }
}

/// The keys a marketplace sends for line `line` (0-based) of an order.
fn line_keys(
    marketplace: &str,
    order_no: &str,
    line: u64,
    product: u64,
    option: &str,
) -> MarketplaceKeys {
    let mut keys = MarketplaceKeys {
        order_no: order_no.to_owned(),
        line_no: Some(format!("{order_no}{:02}", line + 1)),
        product_code: Some(format!("P{product:05}")),
        product_name: Some(PRODUCTS[product as usize].to_owned()),
        option: Some(option.to_owned()),
        ..Default::default()
    };
    match marketplace {
        "coupang" => {
            keys.line_no = None;
            keys.codes.insert(
                "code6".into(),
                format!("{}", 80_000_000_000 + product * 100 + line),
            );
        }
        "brandi" | "zigzag" => {
            keys.line_no2 = Some(format!("{}{:02}", &order_no[2..], line + 1));
        }
        _ => {}
    }
    keys
}

/// Starts the server on `127.0.0.1:0` over `data_dir` and, when given, this PostgreSQL
/// database, with the demo store.
pub fn start_on(data_dir: &Path, database_url: Option<String>) -> TestServer {
    TestServer::start(server::config_with_database(data_dir, database_url))
}

/// An HTTP agent that returns 4xx/5xx as responses, with a hard timeout per request.
pub fn agent(timeout: StdDuration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A signed-in client.
pub struct Client {
    pub base: String,
    pub token: String,
    pub agent: ureq::Agent,
}

impl Client {
    pub fn login(base: &str, (store, login, password): (&str, &str, &str)) -> Result<Self, String> {
        let agent = agent(StdDuration::from_secs(60));
        let mut response = agent
            .post(format!("{base}/api/auth/login"))
            .send_json(json!({"store": store, "login": login, "password": password}))
            .map_err(|err| format!("login: {err}"))?;
        let status = response.status().as_u16();
        let body: Value = response
            .body_mut()
            .read_json()
            .map_err(|err| format!("login answer: {err}"))?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| format!("login: status {status}, {body}"))?;
        Ok(Self {
            base: base.to_owned(),
            token: token.to_owned(),
            agent,
        })
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// `POST path` with a JSON body; the answer must be 200 and JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", self.bearer())
            .send_json(body)
            .map_err(|err| format!("POST {path}: {err}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| format!("POST {path}: {err}"))?;
        if status != 200 {
            return Err(format!("POST {path}: status {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|err| format!("POST {path}: not JSON ({err})"))
    }

    /// `GET path`; the answer must be 200 and JSON.
    pub fn get(&self, path: &str) -> Result<Value, String> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", self.bearer())
            .call()
            .map_err(|err| format!("GET {path}: {err}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| format!("GET {path}: {err}"))?;
        if status != 200 {
            return Err(format!("GET {path}: status {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|err| format!("GET {path}: not JSON ({err})"))
    }
}

/// Sorted durations and their percentiles.
pub struct Latencies(Vec<StdDuration>);

impl Latencies {
    pub fn new(mut samples: Vec<StdDuration>) -> Self {
        samples.sort();
        Self(samples)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`-th percentile (nearest rank); zero when empty.
    pub fn pct(&self, p: f64) -> StdDuration {
        if self.0.is_empty() {
            return StdDuration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn max(&self) -> StdDuration {
        self.0.last().copied().unwrap_or_default()
    }

    pub fn mean(&self) -> StdDuration {
        if self.0.is_empty() {
            return StdDuration::ZERO;
        }
        self.0.iter().sum::<StdDuration>() / self.0.len() as u32
    }

    /// `mean … p50 … p90 … p99 … p99.9 … max …`.
    pub fn summary(&self) -> String {
        format!(
            "mean {} | p50 {} | p90 {} | p99 {} | p99.9 {} | max {}",
            ms(self.mean()),
            ms(self.pct(50.0)),
            ms(self.pct(90.0)),
            ms(self.pct(99.0)),
            ms(self.pct(99.9)),
            ms(self.max())
        )
    }
}

/// A duration in milliseconds, 2 decimals.
pub fn ms(d: StdDuration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `n` per second over `d`, with a thousands separator.
pub fn per_sec(n: usize, d: StdDuration) -> String {
    let rate = n as f64 / d.as_secs_f64().max(1e-9);
    if rate >= 10_000.0 {
        format!("{:.1} k", rate / 1e3)
    } else {
        format!("{rate:.0}")
    }
}

/// Bytes as MB (10^6), 1 decimal.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The size of a file, 0 if it does not exist.
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The sizes of the database's files in `data_dir`: main file, `-wal`, `-shm`.
pub fn database_sizes(data_dir: &Path) -> (u64, u64, u64) {
    let main = data_dir.join(jumun_server::db::DATABASE_FILE);
    let with = |suffix: &str| {
        let mut name = main.clone().into_os_string();
        name.push(suffix);
        file_size(Path::new(&name))
    };
    (file_size(&main), with("-wal"), with("-shm"))
}

/// What a closed database holds: its file size once the WAL is checkpointed into it, and its
/// events. Call it when no server or ledger holds the database open.
pub struct Stored {
    pub file_bytes: u64,
    pub events: u64,
    /// The average `event_json`, in bytes.
    pub event_json_bytes: f64,
}

pub fn stored(location: &DatabaseLocation) -> Result<Stored, String> {
    match location {
        DatabaseLocation::Sqlite { data_dir } => stored_sqlite(data_dir),
        DatabaseLocation::Postgres { url } => stored_postgres(url),
    }
}

fn stored_sqlite(data_dir: &Path) -> Result<Stored, String> {
    let path = data_dir.join(jumun_server::db::DATABASE_FILE);
    let conn = rusqlite::Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (events, event_json_bytes) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .and_then(|()| {
            conn.query_row(
                "SELECT COUNT(*), COALESCE(AVG(LENGTH(CAST(event_json AS BLOB))), 0) FROM events",
                [],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, f64>(1)?)),
            )
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    drop(conn);
    Ok(Stored {
        file_bytes: file_size(&path),
        events: events.max(0) as u64,
        event_json_bytes,
    })
}

fn stored_postgres(url: &str) -> Result<Stored, String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
    client.batch_execute("VACUUM").map_err(|e| e.to_string())?;
    let row = client
        .query_one(
            "SELECT pg_database_size(current_database()), COUNT(*), \
             COALESCE(AVG(octet_length(event_json)), 0)::float8 FROM events",
            &[],
        )
        .map_err(|e| e.to_string())?;
    Ok(Stored {
        file_bytes: row.get::<_, i64>(0).max(0) as u64,
        events: row.get::<_, i64>(1).max(0) as u64,
        event_json_bytes: row.get::<_, f64>(2),
    })
}

/// The CPU time (user + system, all threads) this process has used so far.
pub fn cpu_time() -> StdDuration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15 (in USER_HZ = 100 ticks).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    StdDuration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A line of `/proc/self/status` (e.g. `VmHWM:`), trimmed.
pub fn proc_status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l[key.len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "n/a".to_owned())
}

/// The machine's load averages (1, 5, 15 min) — above the core count, other work competed.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".to_owned())
}

/// The machine's cores as this process sees them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// A number from the environment (e.g. `JUMUN_BENCH_ORDERS=5000`) or the default.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}
