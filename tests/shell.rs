//! The console shell renders in a real browser (headless Chromium, wasm-bindgen-test).
//!
//! Run by `cargo xtask test` (or `cargo test -p jumun --target wasm32-unknown-unknown` with the
//! wasm-bindgen test runner configured).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use jumun::sections::SECTIONS;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Puts `path` in the address bar (without loading anything) and mounts the app into a fresh
/// element, as a person opening that URL would see it.
fn mount_at(path: &str) -> HtmlElement {
    let window = web_sys::window().expect("a window");
    window
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        .expect("set the URL");
    let document = window.document().expect("a document");
    let root: HtmlElement = document
        .create_element("div")
        .expect("create root")
        .dyn_into()
        .expect("an HTML element");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append root");
    leptos::mount::mount_to(root.clone(), jumun::App).forget();
    root
}

/// Keeps (or forgets) a session in the console's store, as a sign-in (or sign-out) leaves it:
/// the shell shows its screens only to someone signed in.
async fn signed_in(yes: bool) {
    let store = jumun::store::Store::open().await.expect("open the store");
    let session = yes.then(|| jumun::session::Session {
        token: "test".into(),
        store: "demo".into(),
        login: "demo".into(),
        name: "데모 대표".into(),
        store_name: "데모 상점".into(),
        role: jumun_protocol::auth::Role::Owner,
    });
    store
        .meta_set(jumun::session::META_SESSION, &session)
        .await
        .expect("keep the session");
    store.close();
}

/// Waits (up to 2 s) for an element to appear under `root`; the router renders after a tick.
async fn wait_for(root: &HtmlElement, selector: &str) -> Element {
    for _ in 0..200 {
        if let Some(found) = root.query_selector(selector).expect("valid selector") {
            return found;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("{selector} did not appear within 2 s");
}

fn texts(root: &HtmlElement, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).expect("valid selector");
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn navigation_lists_every_section_in_korean() {
    signed_in(true).await;
    let root = mount_at("/");
    wait_for(&root, "nav.main-nav a").await;
    assert_eq!(
        texts(&root, "nav.main-nav a"),
        [
            "대시보드",
            "주문",
            "고객CS",
            "교환관리",
            "수거/회수",
            "송장/배송",
            "재고",
            "설정"
        ]
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn dashboard_is_the_start_page_with_its_panels() {
    signed_in(true).await;
    let root = mount_at("/");
    let h1 = wait_for(&root, "h1").await;
    assert_eq!(h1.text_content().as_deref(), Some("대시보드"));
    wait_for(&root, ".board-grid").await;
    assert!(texts(&root, ".panel h2").iter().any(|h| h == "주문현황"));
    let current = root
        .query_selector("nav.main-nav a[aria-current=page]")
        .expect("valid selector")
        .and_then(|a| a.text_content());
    assert_eq!(current.as_deref(), Some("대시보드"));
    root.remove();
}

#[wasm_bindgen_test]
async fn each_section_has_its_own_page() {
    signed_in(true).await;
    for section in SECTIONS.iter().filter(|s| !s.path.is_empty()) {
        let root = mount_at(&format!("/{}", section.path));
        let h1 = wait_for(&root, "h1").await;
        assert_eq!(h1.text_content().as_deref(), Some(section.label));
        let title = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.title());
        assert_eq!(title, Some(format!("{} · 주문", section.label)));
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn an_unknown_address_says_the_page_does_not_exist() {
    signed_in(true).await;
    let root = mount_at("/no-such-section");
    let h1 = wait_for(&root, "h1").await;
    assert_eq!(
        h1.text_content().as_deref(),
        Some("페이지를 찾을 수 없습니다")
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn signed_out_the_console_shows_its_sign_in_screen_and_no_screen() {
    signed_in(false).await;
    let root = mount_at("/orders");
    wait_for(&root, "form.login-form").await;
    let h1 = wait_for(&root, "h1").await;
    assert_eq!(
        h1.text_content().as_deref(),
        Some("로그인"),
        "no screen, only the sign-in"
    );
    let title = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.title());
    assert_eq!(title.as_deref(), Some("로그인 · 주문"));
    root.remove();
}
