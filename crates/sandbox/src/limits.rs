//! The request limits the sandbox plays, as the real APIs enforce them (issue 13, point 6),
//! counted in real time whatever the sandbox's clock:
//!
//! - **Coupang**: more than 10 calls in a second from one vendor id are answered HTTP 429 "Too
//!   Many Requests" ("Introduction of Open API rate limit policy",
//!   <https://developers.coupangcorp.com/hc/en-us/articles/20414599556889>, checked
//!   2026-12-02); 10 failed calls (4xx/5xx) within a second block the vendor for a minute with
//!   the gateway's HTML "Access Denied" page, HTTP 403 (the body of
//!   <https://developers.coupangcorp.com/hc/zh-cn/articles/25780974599577>, checked 2026-12-02;
//!   how many failures and how long the block lasts are not published: these figures are the
//!   sandbox's).
//! - **Naver**: more than 2 calls in a second to one API (the path, ids aside) are answered
//!   HTTP 429 with code `GW.RATE_LIMIT` (github.com/commerce-api-naver/commerce-api discussions
//!   6 and 3754, checked 2026-12-02); the token endpoint is not limited (discussion 3740 shows
//!   no rate headers on it).
//!
//! Neither source says whether a 429 carries `Retry-After`; the sandbox sends one (the seconds
//! until its window frees, at least 1) so that an adapter's honouring it is tested.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Calls a Coupang vendor id may make in a second.
const COUPANG_PER_SECOND: usize = 10;
/// Failed calls in a second that block a Coupang vendor id.
const COUPANG_FAILURES_TO_BLOCK: usize = 10;
/// How long a Coupang block lasts.
const COUPANG_BLOCK: Duration = Duration::from_secs(60);
/// Calls a Naver application may make to one API in a second.
const NAVER_PER_SECOND: usize = 2;
const SECOND: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Coupang,
    Naver,
}

/// One limited caller: its calls and failures in the last second, and its block.
#[derive(Debug, Default)]
struct Lane {
    calls: VecDeque<Instant>,
    failures: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// The limits of every caller.
#[derive(Debug)]
pub(crate) struct Limits {
    enabled: bool,
    lanes: Mutex<HashMap<String, Lane>>,
    refused: Mutex<Vec<String>>,
}

/// Drops the instants older than a second.
fn keep_last_second(queue: &mut VecDeque<Instant>, now: Instant) {
    while queue
        .front()
        .is_some_and(|t| now.duration_since(*t) >= SECOND)
    {
        queue.pop_front();
    }
}

/// The limited API and caller of a path: Coupang by vendor id, Naver by API (ids aside).
fn lane_of(path: &str) -> Option<(Api, String)> {
    if let Some(rest) = path.strip_prefix("/v2/providers/openapi/apis/api/v4/vendors/") {
        let vendor = rest.split('/').next().unwrap_or_default();
        return Some((Api::Coupang, format!("coupang {vendor}")));
    }
    if path.starts_with("/external/") && !path.ends_with("/oauth2/token") {
        let api: Vec<&str> = path
            .split('/')
            .map(|part| {
                if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                    "{id}"
                } else {
                    part
                }
            })
            .collect();
        return Some((Api::Naver, format!("naver {}", api.join("/"))));
    }
    None
}

impl Limits {
    /// Limits that apply when `enabled` (a sandbox for raw API tests may turn them off).
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled,
            lanes: Mutex::new(HashMap::new()),
            refused: Mutex::new(Vec::new()),
        }
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Lane>> {
        self.lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The calls refused so far, `STATUS METHOD /path`, oldest first.
    pub(crate) fn refused(&self) -> Vec<String> {
        self.refused
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Counts a call; the marketplace's refusal when it is over a limit or blocked.
    pub(crate) fn admit(&self, method: &str, path: &str) -> Option<Response> {
        let (api, key) = lane_of(path).filter(|_| self.enabled)?;
        let now = Instant::now();
        let refusal = {
            let mut lanes = self.lanes();
            let lane = lanes.entry(key).or_default();
            keep_last_second(&mut lane.calls, now);
            let limit = match api {
                Api::Coupang => COUPANG_PER_SECOND,
                Api::Naver => NAVER_PER_SECOND,
            };
            if lane.blocked_until.is_some_and(|until| until > now) {
                Some(access_denied(path))
            } else if lane.calls.len() >= limit {
                let frees = lane
                    .calls
                    .front()
                    .map(|t| SECOND.saturating_sub(now.duration_since(*t)))
                    .unwrap_or(SECOND);
                Some(too_many(
                    api,
                    frees.as_millis().div_ceil(1000).max(1) as u64,
                ))
            } else {
                lane.calls.push_back(now);
                None
            }
        }?;
        self.refused
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(format!("{} {method} {path}", refusal.status().as_u16()));
        Some(refusal)
    }

    /// Counts a Coupang call's failure; enough in a second block its vendor id.
    pub(crate) fn answered(&self, path: &str, status: StatusCode) {
        let Some((Api::Coupang, key)) = lane_of(path).filter(|_| self.enabled) else {
            return;
        };
        if !(status.is_client_error() || status.is_server_error()) {
            return;
        }
        let now = Instant::now();
        let mut lanes = self.lanes();
        let lane = lanes.entry(key).or_default();
        keep_last_second(&mut lane.failures, now);
        lane.failures.push_back(now);
        if lane.failures.len() >= COUPANG_FAILURES_TO_BLOCK {
            lane.blocked_until = Some(now + COUPANG_BLOCK);
            lane.failures.clear();
        }
    }
}

/// The 429 of each API, with `Retry-After`.
fn too_many(api: Api, retry_after: u64) -> Response {
    let body = match api {
        Api::Coupang => serde_json::json!({"code": 429, "message": "Too Many Requests"}),
        Api::Naver => serde_json::json!({
            "code": "GW.RATE_LIMIT",
            "message": "요청량을 초과하였습니다. (the sandbox's wording; Naver's is not published)",
        }),
    };
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", retry_after.to_string())],
        Json(body),
    )
        .into_response()
}

/// Coupang's gateway page for a blocked vendor.
fn access_denied(path: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [("content-type", "text/html")],
        format!(
            "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n\
             You don't have permission to access \"http://api-gateway.coupang.com{path}\" on \
             this server.<P>\nReference #18.sandbox\n</BODY>\n</HTML>\n"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naver_apis_are_limited_each_on_its_own_and_coupang_by_vendor() {
        let limits = Limits::new(true);
        let changes = "/external/v1/pay-order/seller/product-orders/last-changed-statuses";
        assert!(limits.admit("GET", changes).is_none());
        assert!(limits.admit("GET", changes).is_none());
        let refused = limits
            .admit("GET", changes)
            .expect("a third call in a second");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
        // Another API, and the token, are not held by it.
        assert!(limits
            .admit("POST", "/external/v1/pay-order/seller/product-orders/query")
            .is_none());
        assert!(limits.admit("POST", "/external/v1/oauth2/token").is_none());
        for _ in 0..COUPANG_PER_SECOND {
            assert!(limits
                .admit(
                    "GET",
                    "/v2/providers/openapi/apis/api/v4/vendors/A1/ordersheets"
                )
                .is_none());
        }
        assert!(limits
            .admit(
                "GET",
                "/v2/providers/openapi/apis/api/v4/vendors/A1/returnRequests"
            )
            .is_some());
        assert!(limits
            .admit(
                "GET",
                "/v2/providers/openapi/apis/api/v4/vendors/A2/ordersheets"
            )
            .is_none());
        assert_eq!(limits.refused().len(), 2);
    }

    #[test]
    fn a_burst_of_coupang_failures_blocks_the_vendor_with_access_denied() {
        let limits = Limits::new(true);
        let path = "/v2/providers/openapi/apis/api/v4/vendors/A1/ordersheets";
        for _ in 0..COUPANG_FAILURES_TO_BLOCK {
            limits.answered(path, StatusCode::BAD_REQUEST);
        }
        let blocked = limits.admit("GET", path).expect("blocked");
        assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
        assert!(Limits::new(false).admit("GET", path).is_none());
    }
}
