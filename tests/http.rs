//! The app's one HTTP call, `jumun::sync::http::call`, in a real browser (headless Chromium,
//! wasm-bindgen-test): what it sends (method, path, bearer token, JSON body, `no-store`) and how
//! each kind of answer comes back — the decoded body, `Unauthorized` on 401, the server's
//! `ApiErrorBody` or a proxy's page as `Status`, `Decode` for a body that is not the type,
//! `Offline` when the network fails or no answer comes within `TIMEOUT_MS`.
//!
//! `fetch` is a fake in the page that records each request and answers as `window.__answer`
//! says. For the time-out, `setTimeout` is wrapped so that a timer of exactly `TIMEOUT_MS` fires
//! at once: the test then shows that the deadline aborts a request that never answers, without
//! waiting 30 s.
#![cfg(target_arch = "wasm32")]

use jumun::sync::http::{call, NetError, NO_BODY, TIMEOUT_MS};
use jumun_protocol::sync::{IdBlockAnswer, ReserveIds};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Replaces `fetch` with a fake that records the request in `window.__sent` and answers with
/// `window.__answer`: `{status, body}`, `'fail'` (network failure) or `'hang'` (no answer until
/// the request's signal aborts it, as the browser's `fetch` does).
fn install_fake_fetch(answer: &str) {
    let script = format!(
        r#"
        if (!window.__realFetch) window.__realFetch = window.fetch;
        window.__answer = {answer};
        window.__sent = null;
        window.fetch = async function (input, init) {{
            const request = new Request(input, init);
            window.__sent = {{
                method: request.method,
                path: new URL(request.url).pathname + new URL(request.url).search,
                authorization: request.headers.get('Authorization'),
                contentType: request.headers.get('Content-Type'),
                accept: request.headers.get('Accept'),
                cache: request.cache,
                body: await request.text(),
                aborted: false,
            }};
            const answer = window.__answer;
            if (answer === 'fail') throw new TypeError('Failed to fetch');
            if (answer === 'hang') {{
                return new Promise((_, reject) => request.signal.addEventListener('abort', () => {{
                    window.__sent.aborted = true;
                    reject(new DOMException('The operation was aborted.', 'AbortError'));
                }}));
            }}
            return new Response(answer.body, {{ status: answer.status }});
        }};
        "#
    );
    js_sys::eval(&script).expect("install the fake fetch");
}

fn restore_fetch() {
    js_sys::eval("if (window.__realFetch) window.fetch = window.__realFetch;").unwrap();
}

fn sent(field: &str) -> JsValue {
    js_sys::eval(&format!("window.__sent.{field}")).unwrap()
}

fn sent_text(field: &str) -> Option<String> {
    sent(field).as_string()
}

#[wasm_bindgen_test]
async fn a_request_carries_the_token_and_its_json_body_and_the_answer_is_decoded() {
    install_fake_fetch(r#"{ status: 200, body: '{"start": 1000, "len": 50}' }"#);
    let answer: Result<IdBlockAnswer, NetError> = call(
        "POST",
        "/api/ids",
        Some("secret-token"),
        Some(&ReserveIds { count: 50 }),
    )
    .await;
    restore_fetch();
    let answer = answer.expect("the answer");
    assert_eq!((answer.start, answer.len), (1000, 50));
    assert_eq!(sent_text("method").as_deref(), Some("POST"));
    assert_eq!(sent_text("path").as_deref(), Some("/api/ids"));
    assert_eq!(
        sent_text("authorization").as_deref(),
        Some("Bearer secret-token")
    );
    assert_eq!(
        sent_text("contentType").as_deref(),
        Some("application/json")
    );
    assert_eq!(sent_text("accept").as_deref(), Some("application/json"));
    assert_eq!(sent_text("cache").as_deref(), Some("no-store"));
    let body: ReserveIds = serde_json::from_str(&sent_text("body").unwrap()).unwrap();
    assert_eq!(body.count, 50);
}

#[wasm_bindgen_test]
async fn a_get_without_a_token_sends_no_body_and_no_authorization() {
    install_fake_fetch(r#"{ status: 200, body: '{"start": 1, "len": 2}' }"#);
    let answer: Result<IdBlockAnswer, NetError> =
        call("GET", "/api/changes?since=3&limit=5", None, NO_BODY).await;
    restore_fetch();
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(sent_text("method").as_deref(), Some("GET"));
    assert_eq!(
        sent_text("path").as_deref(),
        Some("/api/changes?since=3&limit=5")
    );
    assert_eq!(sent("authorization"), JsValue::NULL);
    assert_eq!(sent("contentType"), JsValue::NULL);
    assert_eq!(sent_text("body").as_deref(), Some(""));
}

async fn answer_to(answer: &str) -> Result<IdBlockAnswer, NetError> {
    install_fake_fetch(answer);
    let result = call("GET", "/api/ids", Some("token"), NO_BODY).await;
    restore_fetch();
    result
}

#[wasm_bindgen_test]
async fn each_kind_of_failed_answer_is_its_own_error() {
    assert_eq!(
        answer_to(r#"{ status: 401, body: '{"code": "unauthorized", "message": "no"}' }"#).await,
        Err(NetError::Unauthorized)
    );
    assert_eq!(
        answer_to(r#"{ status: 409, body: '{"code": "conflict", "message": "이미 있음"}' }"#).await,
        Err(NetError::Status {
            status: 409,
            code: "conflict".into(),
            message: "이미 있음".into(),
        })
    );
    assert_eq!(
        answer_to(r#"{ status: 502, body: '<h1>Bad Gateway</h1>' }"#).await,
        Err(NetError::Status {
            status: 502,
            code: String::new(),
            message: "<h1>Bad Gateway</h1>".into(),
        }),
        "a proxy's own page is the message"
    );
    assert!(
        matches!(
            answer_to(r#"{ status: 200, body: '{"start": "x"}' }"#).await,
            Err(NetError::Decode(_))
        ),
        "a body that is not the answer's type"
    );
    assert_eq!(answer_to("'fail'").await, Err(NetError::Offline));
}

#[wasm_bindgen_test]
async fn a_request_with_no_answer_is_aborted_at_the_deadline_and_counts_as_offline() {
    // Timers of exactly TIMEOUT_MS fire at once; every other timer is left alone.
    js_sys::eval(&format!(
        "if (!window.__realSetTimeout) window.__realSetTimeout = window.setTimeout; \
         window.setTimeout = function (f, ms, ...args) {{ \
           return window.__realSetTimeout(f, ms === {TIMEOUT_MS} ? 0 : ms, ...args); \
         }};"
    ))
    .unwrap();
    let result = answer_to("'hang'").await;
    js_sys::eval("window.setTimeout = window.__realSetTimeout;").unwrap();
    assert_eq!(result, Err(NetError::Offline));
    assert_eq!(
        sent("aborted"),
        JsValue::TRUE,
        "the request itself is aborted, not left hanging"
    );
}
