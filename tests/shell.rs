//! The console shell renders in a real browser (headless Chromium, wasm-bindgen-test).
//!
//! Run by `cargo xtask test` (or `cargo test -p jumun --target wasm32-unknown-unknown` with the
//! wasm-bindgen test runner configured).
#![cfg(target_arch = "wasm32")]

use jumun::sections::SECTIONS;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_shell() -> web_sys::HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let root: web_sys::HtmlElement = document
        .create_element("div")
        .expect("create root")
        .dyn_into_html();
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append root");
    let handle = leptos::mount::mount_to(root.clone(), jumun::App);
    // Keep the app mounted for the rest of the test.
    handle.forget();
    root
}

trait DynIntoHtml {
    fn dyn_into_html(self) -> web_sys::HtmlElement;
}

impl DynIntoHtml for web_sys::Element {
    fn dyn_into_html(self) -> web_sys::HtmlElement {
        use wasm_bindgen::JsCast;
        self.dyn_into().expect("an HTML element")
    }
}

#[wasm_bindgen_test]
fn navigation_lists_every_section_in_korean() {
    let root = mount_shell();
    let links = root
        .query_selector_all("nav.main-nav a")
        .expect("query nav links");
    let labels: Vec<String> = (0..links.length())
        .filter_map(|i| links.item(i))
        .filter_map(|node| node.text_content())
        .collect();
    let expected: Vec<&str> = SECTIONS.iter().map(|s| s.label).collect();
    assert_eq!(labels, expected);
    assert_eq!(
        expected,
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
}

#[wasm_bindgen_test]
fn dashboard_page_says_what_it_will_hold() {
    let root = mount_shell();
    let title = root
        .query_selector("h1")
        .expect("query h1")
        .and_then(|h| h.text_content());
    // The test page is served at `/`, so the router shows the dashboard.
    assert_eq!(title.as_deref(), Some("대시보드"));
    let items = root.query_selector_all(".holds li").expect("query items");
    assert_eq!(items.length() as usize, SECTIONS[0].holds.len());
}
