//! The new-version banner in a real browser (headless Chromium, wasm-bindgen-test). The service
//! worker itself is tested end to end in `crates/e2e/tests/pwa.rs` (it needs the built app).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use jumun::pwa::{update_ready, UpdateBanner};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_banner_appears_only_once_a_new_version_waits() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    leptos::mount::mount_to(root.clone(), UpdateBanner).forget();
    TimeoutFuture::new(10).await;
    assert!(
        root.query_selector(".update-banner").unwrap().is_none(),
        "nothing to offer yet"
    );

    update_ready().set(true);
    TimeoutFuture::new(10).await;
    let banner = root
        .query_selector(".update-banner")
        .unwrap()
        .expect("the banner shows");
    assert_eq!(
        banner.text_content().unwrap(),
        "새 버전이 준비되었습니다 — 새로고침"
    );
    assert_eq!(banner.get_attribute("role").as_deref(), Some("status"));
    let button = banner.query_selector("button").unwrap().expect("a button");
    assert_eq!(button.text_content().unwrap(), "새로고침");
    // Not clicked here: the click reloads the page (that would end the test run).
    update_ready().set(false);
}
