//! JSON over the browser's `fetch`, same origin, with the session's bearer token. Bodies and
//! answers are `jumun-protocol` types; an error answer is its `ApiErrorBody`.

use jumun_protocol::ApiErrorBody;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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
    let window = web_sys::window().ok_or(NetError::Offline)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| NetError::Offline)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(signal) = timeout_signal(TIMEOUT_MS) {
        let _ = js_sys::Reflect::set(&init, &"signal".into(), &signal);
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| NetError::Offline)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| NetError::Offline)?;
    let text = JsFuture::from(response.text().map_err(|_| NetError::Offline)?)
        .await
        .map_err(|_| NetError::Offline)?
        .as_string()
        .unwrap_or_default();
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
    serde_json::from_str(&text).map_err(|e| NetError::Decode(e.to_string()))
}

/// `AbortSignal.timeout(ms)`, where the browser has it: aborts the request and the reading of its
/// body.
fn timeout_signal(ms: u32) -> Option<wasm_bindgen::JsValue> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout: js_sys::Function = js_sys::Reflect::get(&class, &"timeout".into())
        .ok()?
        .dyn_into()
        .ok()?;
    timeout.call1(&class, &ms.into()).ok()
}
