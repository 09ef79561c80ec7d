//! Pacing and backing off, per marketplace connection (issue 13, point 6).
//!
//! - **Coupang** blocks a vendor id that calls more than about 10 times a second with HTTP 429
//!   "Too Many Requests", lifted "within minutes to tens of minutes" ("Introduction of Open API
//!   rate limit policy", <https://developers.coupangcorp.com/hc/en-us/articles/20414599556889>,
//!   checked 2026-12-02), and answers a burst of failed requests with its gateway's HTML "Access
//!   Denied" page (HTTP 403) for a while ("关于 403 Forbidden 的报错信息问题",
//!   <https://developers.coupangcorp.com/hc/zh-cn/articles/25780974599577>, checked 2026-12-02).
//! - **Naver** counts calls per application and per API each second (a token bucket: "Rate
//!   limit – 애플리케이션 호출 허용량 … 특정 API를 1초당 호출할 수 있는 허용량", the example
//!   being 2; answers beyond it are HTTP 429, github.com/commerce-api-naver/commerce-api
//!   discussion 6, and `gncp-gw-ratelimit-replenish-rate: 2` in discussion 3754, checked
//!   2026-12-02); the body's code is `GW.RATE_LIMIT` (or `GW.QUOTA_LIMIT` for an hourly quota).
//!
//! Neither page says whether a `Retry-After` header comes with the 429; when one does, it is
//! honoured, otherwise [`Policy`] says how long to wait. Each connection (marketplace, base URL
//! and account) has its own lane: a call starts no sooner than [`Policy::gap`] after the end of
//! the lane's previous one (so the marketplace never sees two calls closer than that, however
//! late the first arrived); a 429 holds the lane for its wait and the call is tried again when
//! the wait is short; a longer wait, or a 403 block, fails the call as
//! [`AdapterError::RateLimited`] and every call of the lane until it ends as
//! [`AdapterError::HeldOff`] without reaching the marketplace, so a block is never made longer
//! by more failures. Neither blames the credentials.
//!
//! Waiting goes through a [`Clock`], so tests drive the pacer with a fake one and never sleep.

use super::http::{self, Body};
use super::{AdapterError, Connection, Credentials};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// How the calls of one marketplace are paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The least time between the end of one call of a connection and the start of its next.
    pub gap: Duration,
    /// The longest one call waits in line (a `Retry-After`, a block) before giving up.
    pub max_wait: Duration,
    /// The wait after a 429 without `Retry-After`.
    pub default_wait: Duration,
    /// The wait after a 403 block (the marketplace says none).
    pub block_wait: Duration,
    /// Tries of one call, the first included, while its 429s ask for short waits.
    pub tries: u32,
}

/// Coupang: at most 8 calls a second (its limit is 10 per vendor id); a 429 without
/// `Retry-After` or a 403 block waits a minute, the shortest block Coupang describes.
pub const COUPANG: Policy = Policy {
    gap: Duration::from_millis(125),
    max_wait: Duration::from_secs(5),
    default_wait: Duration::from_secs(60),
    block_wait: Duration::from_secs(60),
    tries: 3,
};

/// Naver: one lane per application at under 2 calls a second, so no single API's bucket (2 a
/// second) runs dry; a 429 without `Retry-After` waits a second, the bucket's refill.
pub const NAVER: Policy = Policy {
    gap: Duration::from_millis(550),
    max_wait: Duration::from_secs(5),
    default_wait: Duration::from_secs(1),
    block_wait: Duration::from_secs(60),
    tries: 3,
};

/// A clock to wait on: [`SystemClock`] in the server, a fake one in tests.
pub trait Clock: Send + Sync {
    /// Time since the clock's origin.
    fn now(&self) -> Duration;
    /// Waits `duration`.
    fn sleep(&self, duration: Duration);
}

/// Real time (the blocking adapters' threads sleep).
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// One connection's line: when its next call may start, and until when the marketplace asked
/// it to wait.
#[derive(Debug, Default, Clone, Copy)]
struct Lane {
    free_at: Duration,
    held_until: Duration,
}

/// The lanes of every connection this process calls.
pub struct Pacer<C> {
    clock: C,
    lanes: Mutex<HashMap<String, Lane>>,
}

impl<C: Clock> Pacer<C> {
    /// A pacer on `clock`, with no lane waiting.
    pub fn new(clock: C) -> Self {
        Self {
            clock,
            lanes: Mutex::new(HashMap::new()),
        }
    }

    fn lane(&self, key: &str) -> Lane {
        self.lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .copied()
            .unwrap_or_default()
    }

    fn update(&self, key: &str, change: impl FnOnce(&mut Lane)) {
        change(
            self.lanes
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .entry(key.to_owned())
                .or_default(),
        );
    }

    /// Waits for the lane's turn; `Err(left)` when the marketplace asked it to wait longer than
    /// the policy lets a call wait.
    fn turn(&self, key: &str, policy: &Policy) -> Result<(), Duration> {
        let now = self.clock.now();
        let lane = self.lane(key);
        let held = lane.held_until.saturating_sub(now);
        if held > policy.max_wait {
            return Err(held);
        }
        let wait = lane.free_at.max(lane.held_until).saturating_sub(now);
        if !wait.is_zero() {
            self.clock.sleep(wait);
        }
        Ok(())
    }

    /// Makes one call of lane `key` (`send` may be called again after a short 429): see the
    /// module doc.
    pub fn call<T>(
        &self,
        key: &str,
        policy: &Policy,
        marketplace: &jumun_core::marketplace::MarketplaceCode,
        mut send: impl FnMut() -> Result<T, AdapterError>,
    ) -> Result<T, AdapterError> {
        let mut tries = 0;
        loop {
            self.turn(key, policy)
                .map_err(|left| AdapterError::HeldOff {
                    marketplace: marketplace.clone(),
                    secs: left.as_millis().div_ceil(1000) as u64,
                })?;
            let result = send();
            let now = self.clock.now();
            self.update(key, |lane| lane.free_at = now + policy.gap);
            let Err(AdapterError::RateLimited {
                status,
                retry_after,
                ..
            }) = &result
            else {
                return result;
            };
            let wait = match (retry_after, status) {
                (Some(secs), _) => Duration::from_secs(*secs),
                (None, 403) => policy.block_wait,
                (None, _) => policy.default_wait,
            };
            self.update(key, |lane| {
                lane.held_until = lane.held_until.max(now + wait)
            });
            tries += 1;
            if *status != 429 || wait > policy.max_wait || tries >= policy.tries {
                return result;
            }
        }
    }
}

/// The lanes of the server's adapters, on real time.
static PACER: LazyLock<Pacer<SystemClock>> = LazyLock::new(|| Pacer::new(SystemClock::default()));

/// The lane of a connection: its marketplace, base URL and account (vendor id, application id).
pub fn lane_of(conn: &Connection) -> String {
    let account = match &conn.credentials {
        Credentials::CoupangHmac { vendor_id, .. } => vendor_id.as_str(),
        Credentials::NaverClient { client_id, .. } => client_id.as_str(),
        _ => "",
    };
    format!("{} {} {account}", conn.marketplace, conn.base_url)
}

/// [`http::send`] in the connection's lane, paced and backed off by `policy`.
pub(crate) fn send(
    conn: &Connection,
    policy: &Policy,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<Body>,
) -> Result<Vec<u8>, AdapterError> {
    PACER.call(&lane_of(conn), policy, &conn.marketplace, || {
        http::send(&conn.marketplace, method, url, headers, body.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jumun_core::marketplace::MarketplaceCode;

    /// A clock that moves only when slept on, and remembers each sleep.
    #[derive(Default)]
    struct FakeClock {
        now: Mutex<Duration>,
        slept: Mutex<Vec<Duration>>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            *self.now.lock().unwrap()
        }

        fn sleep(&self, duration: Duration) {
            *self.now.lock().unwrap() += duration;
            self.slept.lock().unwrap().push(duration);
        }
    }

    impl FakeClock {
        fn advance(&self, by: Duration) {
            *self.now.lock().unwrap() += by;
        }

        fn slept(&self) -> Vec<Duration> {
            self.slept.lock().unwrap().clone()
        }
    }

    fn limited(status: u16, retry_after: Option<u64>) -> AdapterError {
        AdapterError::RateLimited {
            marketplace: MarketplaceCode::from("coupang"),
            method: "GET".into(),
            url: "https://api-gateway.coupang.com/x".into(),
            status,
            retry_after,
            body: "Too Many Requests".into(),
        }
    }

    fn coupang() -> MarketplaceCode {
        MarketplaceCode::from("coupang")
    }

    #[test]
    fn calls_of_one_connection_keep_the_gap_and_other_connections_do_not_wait() {
        let pacer = Pacer::new(FakeClock::default());
        for _ in 0..3 {
            pacer
                .call("a", &COUPANG, &coupang(), || Ok::<_, AdapterError>(()))
                .unwrap();
        }
        pacer
            .call("b", &COUPANG, &coupang(), || Ok::<_, AdapterError>(()))
            .unwrap();
        assert_eq!(pacer.clock.slept(), [COUPANG.gap, COUPANG.gap]);
        // A call that starts after the gap has passed does not wait.
        pacer.clock.advance(Duration::from_secs(1));
        pacer
            .call("a", &COUPANG, &coupang(), || Ok::<_, AdapterError>(()))
            .unwrap();
        assert_eq!(pacer.clock.slept().len(), 2);
    }

    #[test]
    fn a_429_with_a_short_retry_after_is_waited_out_and_tried_again() {
        let pacer = Pacer::new(FakeClock::default());
        let mut answers = vec![Err(limited(429, Some(2))), Ok("page")].into_iter();
        let got = pacer.call("a", &COUPANG, &coupang(), || answers.next().unwrap());
        assert_eq!(got.unwrap(), "page");
        assert_eq!(pacer.clock.slept(), [Duration::from_secs(2)]);
    }

    #[test]
    fn a_429_without_retry_after_waits_the_policys_time() {
        let pacer = Pacer::new(FakeClock::default());
        let mut answers = vec![Err(limited(429, None)), Ok(())].into_iter();
        pacer
            .call("a", &NAVER, &coupang(), || answers.next().unwrap())
            .unwrap();
        assert_eq!(pacer.clock.slept(), [NAVER.default_wait]);
    }

    #[test]
    fn a_long_wait_fails_the_call_and_holds_the_lane_without_calling_again() {
        let pacer = Pacer::new(FakeClock::default());
        let mut sent = 0;
        let err = pacer
            .call("a", &COUPANG, &coupang(), || {
                sent += 1;
                Err::<(), _>(limited(429, Some(600)))
            })
            .unwrap_err();
        assert!(matches!(err, AdapterError::RateLimited { .. }), "{err}");
        let err = pacer
            .call("a", &COUPANG, &coupang(), || {
                sent += 1;
                Ok(())
            })
            .unwrap_err();
        assert!(
            matches!(err, AdapterError::HeldOff { secs: 600, .. }),
            "{err}"
        );
        assert_eq!(sent, 1, "the held lane sends nothing");
        assert!(pacer.clock.slept().is_empty(), "no call slept");
        // Once the wait is over, the lane calls again.
        pacer.clock.advance(Duration::from_secs(600));
        pacer
            .call("a", &COUPANG, &coupang(), || Ok::<_, AdapterError>(()))
            .unwrap();
    }

    #[test]
    fn a_403_block_is_not_retried_and_holds_the_lane_for_the_block() {
        let pacer = Pacer::new(FakeClock::default());
        let mut sent = 0;
        let err = pacer
            .call("a", &COUPANG, &coupang(), || {
                sent += 1;
                Err::<(), _>(limited(403, None))
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("not a credentials problem"),
            "{err}"
        );
        let held = pacer
            .call("a", &COUPANG, &coupang(), || Ok::<_, AdapterError>(()))
            .unwrap_err();
        assert!(
            matches!(held, AdapterError::HeldOff { secs: 60, .. }),
            "{held}"
        );
        assert_eq!(sent, 1);
    }

    #[test]
    fn repeated_short_429s_stop_after_the_policys_tries() {
        let pacer = Pacer::new(FakeClock::default());
        let mut sent = 0;
        let err = pacer
            .call("a", &COUPANG, &coupang(), || {
                sent += 1;
                Err::<(), _>(limited(429, Some(1)))
            })
            .unwrap_err();
        assert!(matches!(err, AdapterError::RateLimited { .. }));
        assert_eq!(sent, COUPANG.tries);
    }
}
