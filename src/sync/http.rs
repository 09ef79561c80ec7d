//! JSON over the browser's `fetch` (through `gloo-net`), same origin, with the session's bearer
//! token. Bodies and answers are `jumun-protocol` types; an error answer is its `ApiErrorBody`.

use gloo_net::http::{Method, QueryParams, RequestBuilder};
use gloo_timers::callback::Timeout;
use jumun_protocol::ApiErrorBody;
use web_sys::{AbortController, RequestCache, UrlSearchParams};

/// A request with no complete answer after this many milliseconds is given up as
/// [`NetError::Offline`] (a dead Wi-Fi or a captive portal can leave it hanging for minutes).
/// Operations are idempotent by key, so one that reached the server anyway is answered the same
/// when sent again.
pub const TIMEOUT_MS: u32 = 30_000;

/// Why a request gave no answer to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The network failed (offline, server down, connection cut, answer lost or too late).
    #[error("서버에 연결할 수 없습니다")]
    Offline,
    /// The token is missing, expired or revoked (401).
    #[error("로그인이 만료되었습니다. 다시 로그인하세요.")]
    Unauthorized,
    /// The server answered with an error.
    #[error("서버 오류 {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The error's `code`.
        code: String,
        /// The error's `message`.
        message: String,
    },
    /// The answer is not what was expected.
    #[error("서버의 응답을 읽을 수 없습니다: {0}")]
    Decode(String),
    /// The request could not be written as JSON (a bug in the app, never the network).
    #[error("요청을 만들 수 없습니다: {0}")]
    Encode(String),
}

/// No request body, for [`call`].
pub const NO_BODY: Option<&()> = None;

/// Sends `body` (as JSON) with `method` to `path` and decodes the JSON answer as `T`.
///
/// Only the encoding and decoding are generic: the request itself is [`exchange`], compiled
/// once rather than once per answer type (each copy of its future cost the wasm several KB).
pub async fn call<T: serde::de::DeserializeOwned, B: serde::Serialize>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<T, NetError> {
    let body = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| NetError::Encode(e.to_string()))?;
    let text = exchange(method, path, token, body).await?;
    serde_json::from_str(&text).map_err(|e| NetError::Decode(e.to_string()))
}

/// Sends the JSON text `body` with `method` to `path` and answers the text of a 2xx answer.
async fn exchange(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<String, NetError> {
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|e| NetError::Encode(format!("{method}: {e}")))?;
    // Aborting the signal ends both the request and the reading of its body; the timer is
    // cleared when `_deadline` drops, as soon as the answer is read (or the call fails).
    let abort = AbortController::new().map_err(|_| NetError::Offline)?;
    let _deadline = {
        let abort = abort.clone();
        Timeout::new(TIMEOUT_MS, move || abort.abort())
    };
    // gloo-net 0.6 joins the URL's own query and its query parameters with a `&` even when it
    // has no parameters (`?since=3&`): the path's query goes in as parameters instead.
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parameters: Vec<(String, String)> = UrlSearchParams::new_with_str(query)
        .map(|raw| QueryParams::from_raw(raw).iter().collect())
        .map_err(|_| NetError::Encode(format!("{query:?} is not a URL query")))?;
    let mut request = RequestBuilder::new(path)
        .query(
            parameters
                .iter()
                .map(|(name, value)| (name.as_str(), value)),
        )
        .method(method)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&abort.signal()))
        .header("Accept", "application/json");
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    // What gloo-net's `json` does, with the text already written.
    let request = match body {
        Some(body) => request
            .header("Content-Type", "application/json")
            .body(body),
        None => request.build(),
    }
    .map_err(|_| NetError::Offline)?;
    let response = request.send().await.map_err(|_| NetError::Offline)?;
    let text = response.text().await.map_err(|_| NetError::Offline)?;
    let status = response.status();
    if status == 401 {
        return Err(NetError::Unauthorized);
    }
    if !(200..300).contains(&status) {
        // A proxy in front of the server may answer with its own page: then its text is the
        // message, and there is no code.
        let error = serde_json::from_str::<ApiErrorBody>(&text).unwrap_or(ApiErrorBody {
            code: String::new(),
            message: text,
        });
        return Err(NetError::Status {
            status,
            code: error.code,
            message: error.message,
        });
    }
    Ok(text)
}
