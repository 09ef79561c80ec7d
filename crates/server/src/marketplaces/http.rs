//! The blocking HTTP calls every adapter makes, with errors that keep the marketplace's answer.

use super::error::body_excerpt;
use super::AdapterError;
use jumun_core::marketplace::MarketplaceCode;
use std::sync::OnceLock;
use std::time::Duration;

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            // Error statuses are answers to read (their bodies say why), not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into()
    })
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    /// JSON text.
    Json(String),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(String, String)>),
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub(crate) fn enc(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Builds `k1=v1&k2=v2` with encoded values, in the given order.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Sends a request and returns the body of a 2xx answer, as bytes: whether they are UTF-8 and
/// JSON is the page parser's to say ([`super::page`]), element by element.
pub(crate) fn send(
    marketplace: &MarketplaceCode,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<Body>,
) -> Result<Vec<u8>, AdapterError> {
    let result = match method {
        "GET" | "DELETE" => {
            let mut req = if method == "GET" {
                agent().get(url)
            } else {
                agent().delete(url)
            };
            for (k, v) in headers {
                req = req.header(*k, v.as_str());
            }
            req.call()
        }
        _ => {
            let mut req = match method {
                "PUT" => agent().put(url),
                "PATCH" => agent().patch(url),
                _ => agent().post(url),
            };
            for (k, v) in headers {
                req = req.header(*k, v.as_str());
            }
            match body {
                Some(Body::Json(text)) => req
                    .header("Content-Type", "application/json;charset=UTF-8")
                    .send(text.as_str()),
                Some(Body::Form(pairs)) => {
                    req.send_form(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                }
                None => req.send_empty(),
            }
        }
    };
    let mut response = result.map_err(|source| AdapterError::Transport {
        url: url.to_owned(),
        source,
    })?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = response
        .body_mut()
        .read_to_vec()
        .map_err(|source| AdapterError::ReadBody {
            url: url.to_owned(),
            source,
        })?;
    let shown = || body_excerpt(&String::from_utf8_lossy(&bytes));
    match status {
        200..=299 => Ok(bytes),
        // Too many requests; or Coupang's gateway's HTML "Access Denied" page, with which it
        // answers a burst of failed requests for a while ("关于 403 Forbidden 的报错信息问题",
        // developers.coupangcorp.com/hc/zh-cn/articles/25780974599577, checked 2026-12-02): a
        // block, not refused credentials (a bad signature is a JSON answer).
        429 | 403 if status == 429 || is_access_denied_page(&bytes) => {
            Err(AdapterError::RateLimited {
                marketplace: marketplace.clone(),
                method: method.to_owned(),
                url: url.to_owned(),
                status,
                retry_after,
                body: shown(),
            })
        }
        401 | 403 => Err(AdapterError::Auth {
            marketplace: marketplace.clone(),
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            body: shown(),
        }),
        _ => Err(AdapterError::Http {
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            body: shown(),
        }),
    }
}

/// Whether a 403 body is a gateway's HTML "Access Denied" page.
fn is_access_denied_page(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    text.contains("<title>access denied</title>")
}

/// Reads a small answer of a documented shape (a token, an invoice or claim result).
pub(crate) fn answer<T: serde::de::DeserializeOwned>(
    at: String,
    bytes: &[u8],
) -> Result<T, AdapterError> {
    serde_json::from_slice(bytes).map_err(|e| AdapterError::Malformed {
        at,
        problem: super::BodyProblem::Shape(e),
        raw: String::from_utf8_lossy(bytes).into_owned(),
    })
}
