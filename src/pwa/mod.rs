//! The installable app: registers the service worker (`public/sw.js`) and offers a new version
//! to the operator, who decides when to reload — never in the middle of work.
//!
//! A new build is a new service worker (its precache list changes, see `xtask/src/precache.rs`).
//! The browser installs it in the background and keeps it waiting; the console then shows
//! "새 버전이 준비되었습니다 — 새로고침". Only the click asks the waiting worker to take over
//! (`SKIP_WAITING`), and the page reloads when it has.

use gloo_events::EventListener;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

/// Where the service worker is served.
const SCRIPT: &str = "/sw.js";

thread_local! {
    /// A new version is installed and waiting for the operator.
    static UPDATE_READY: ArcRwSignal<bool> = ArcRwSignal::new(false);
    /// The waiting service worker.
    static WAITING: RefCell<Option<ServiceWorker>> = const { RefCell::new(None) };
    /// The operator clicked 새로고침: reload when the new version has taken over.
    static RELOAD_ASKED: Cell<bool> = const { Cell::new(false) };
    /// Watches the service worker being installed, until a newer one is.
    static INSTALLING: RefCell<Option<EventListener>> = const { RefCell::new(None) };
}

/// Whether a new version waits for the operator's click.
pub fn update_ready() -> ArcRwSignal<bool> {
    UPDATE_READY.with(Clone::clone)
}

/// Registers the service worker, when the page is served over http(s) by the console's own
/// server (the entry point calls this; browser tests that mount the app do not).
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let protocol = window.location().protocol().unwrap_or_default();
    if protocol != "http:" && protocol != "https:" {
        return;
    }
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        // Not a secure context (plain http on a LAN address), or a browser without workers.
        return;
    }
    let container = navigator.service_worker();
    // For the page's whole life: the new version may take over at any time.
    EventListener::new(&container, "controllerchange", |_| {
        if RELOAD_ASKED.with(Cell::get) {
            reload();
        }
    })
    .forget();
    let registering = container.register(SCRIPT);
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(registering).await {
            Ok(registration) => watch(registration.unchecked_into()),
            Err(error) => web_sys::console::warn_2(
                &JsValue::from_str("서비스 워커를 등록하지 못했습니다 (오프라인 실행 불가):"),
                &error,
            ),
        }
    });
}

/// Whether a service worker controls the page already: then a newly installed one is an update
/// (on the very first visit it is not).
fn controlled() -> bool {
    web_sys::window()
        .map(|w| w.navigator().service_worker().controller().is_some())
        .unwrap_or(false)
}

fn offer(worker: ServiceWorker) {
    WAITING.with(|w| *w.borrow_mut() = Some(worker));
    UPDATE_READY.with(|ready| ready.set(true));
}

fn watch(registration: ServiceWorkerRegistration) {
    if let Some(waiting) = registration.waiting() {
        if controlled() {
            offer(waiting);
        }
    }
    let reg = registration.clone();
    // For the page's whole life: a new build can be found at any time.
    EventListener::new(&registration, "updatefound", move |_| {
        let Some(installing) = reg.installing() else {
            return;
        };
        let worker = installing.clone();
        let on_state = EventListener::new(&installing, "statechange", move |_| {
            if worker.state() == ServiceWorkerState::Installed && controlled() {
                offer(worker.clone());
            }
        });
        // Replacing it removes the listener on the worker this one supersedes.
        INSTALLING.with(|listener| *listener.borrow_mut() = Some(on_state));
    })
    .forget();
}

/// The operator chose to reload: the waiting version takes over, then the page reloads.
fn apply_update() {
    RELOAD_ASKED.with(|asked| asked.set(true));
    let waiting = WAITING.with(|w| w.borrow().clone());
    match waiting {
        Some(worker) => {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(
                &message,
                &JsValue::from_str("type"),
                &JsValue::from_str("SKIP_WAITING"),
            );
            if worker.post_message(&message).is_err() {
                reload();
            }
        }
        None => reload(),
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// "새 버전이 준비되었습니다 — 새로고침": shown once a new version waits; reloads only on click.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let ready = update_ready();
    move || {
        ready.get().then(|| {
            view! {
                <div class="update-banner" role="status">
                    <span>"새 버전이 준비되었습니다"</span>
                    " — "
                    <button type="button" on:click=|_| apply_update()>
                        "새로고침"
                    </button>
                </div>
            }
        })
    }
}
