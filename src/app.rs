//! The console shell: top navigation and one route per section.

use crate::commands::Console;
use crate::pwa::UpdateBanner;
use crate::sections::{Section, SECTIONS};
use crate::session::{LoginForm, Session};
use crate::store::Store;
use crate::sync::{Status, Syncer};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use std::rc::Rc;

/// The whole console: brand, top navigation and the routed section page.
#[component]
pub fn App() -> impl IntoView {
    let state = ConsoleState::start();
    view! {
        <Router>
            <div class="shell">
                <header class="topbar">
                    <a class="brand" href="/">
                        <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                        <span class="brand-name">"주문"</span>
                        <span class="brand-sub">"통합 주문 · CS 콘솔"</span>
                    </a>
                    <nav class="main-nav" aria-label="주 메뉴">
                        {SECTIONS
                            .iter()
                            .map(|section| {
                                view! {
                                    <A href=href_of(section) exact=true>
                                        {section.label}
                                    </A>
                                }
                            })
                            .collect_view()}
                    </nav>
                    <SyncStatus state=state/>
                </header>
                <UpdateBanner/>
                <ConsolePanels state=state/>
                <main class="content">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=|| view! { <SectionPage section=&SECTIONS[0]/> }/>
                        <Route path=path!("/:section") view=SectionRoute/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// The URL of a section.
fn href_of(section: &Section) -> String {
    format!("/{}", section.path)
}

/// Finds the section named in the URL, or shows "not found".
#[component]
fn SectionRoute() -> impl IntoView {
    let params = use_params_map();
    move || {
        let wanted = params.with(|p| p.get("section").unwrap_or_default());
        match SECTIONS
            .iter()
            .find(|s| !s.path.is_empty() && s.path == wanted)
        {
            Some(section) => view! { <SectionPage section=section/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

/// A section's page: its title, what it is for, and what it will hold.
#[component]
fn SectionPage(section: &'static Section) -> impl IntoView {
    set_document_title(section.label);
    view! {
        <section class="section-page" aria-labelledby="section-title">
            <h1 id="section-title">{section.label}</h1>
            <p class="summary">{section.summary}</p>
            <h2>"이 화면에서 할 일"</h2>
            <ul class="holds">
                {section.holds.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// Shown for a URL that names no section.
#[component]
fn NotFound() -> impl IntoView {
    set_document_title("페이지 없음");
    view! {
        <section class="section-page">
            <h1>"페이지를 찾을 수 없습니다"</h1>
            <p class="summary">"주소를 확인하거나 위 메뉴에서 화면을 고르세요."</p>
        </section>
    }
}

/// Keeps the browser tab's title in step with the section, so operators with many tabs open can
/// tell them apart.
fn set_document_title(label: &str) {
    document().set_title(&format!("{label} · 주문"));
}

/// The console's shared state: the open store, the sync, who is signed in, and what the top bar
/// shows. Copyable handles, given to the components that need them.
#[derive(Clone, Copy)]
struct ConsoleState {
    /// Why the store cannot be used (shown instead of the status chip).
    problem: RwSignal<Option<String>>,
    /// The sync's status.
    status: RwSignal<Status>,
    /// Who is signed in.
    session: RwSignal<Option<Session>>,
    /// The store is open and the session read: the login form may show.
    ready: RwSignal<bool>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    sync: StoredValue<Option<Rc<Syncer>>, LocalStorage>,
}

impl ConsoleState {
    /// Opens the offline store, reads the session and starts the sync.
    fn start() -> Self {
        let state = ConsoleState {
            problem: RwSignal::new(None),
            status: RwSignal::new(Status::default()),
            session: RwSignal::new(None),
            ready: RwSignal::new(false),
            store: StoredValue::new_local(None),
            sync: StoredValue::new_local(None),
        };
        leptos::task::spawn_local(async move {
            let problem = state.problem;
            let opened = Store::open_named(crate::store::schema::DB_NAME, move |blocked| {
                problem.set(Some(blocked.to_string()));
            })
            .await;
            let opened = match opened {
                Ok(opened) => Rc::new(opened),
                Err(e) => return problem.set(Some(e.to_string())),
            };
            problem.set(None);
            opened.on_version_change(move |e| problem.set(Some(e.to_string())));
            let sync = Syncer::new(opened.clone());
            let status = state.status;
            sync.subscribe(move |s| status.set(s.clone()));
            let session = state.session;
            sync.on_signed_out(move || session.set(None));
            crate::commands::install(Rc::new(Console {
                store: opened.clone(),
                sync: sync.clone(),
            }));
            match crate::session::load(&opened).await {
                Ok(kept) => {
                    sync.set_session(kept.clone());
                    session.set(kept);
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
            state.store.set_value(Some(opened));
            state.sync.set_value(Some(sync.clone()));
            sync.start();
            state.ready.set(true);
        });
        state
    }
}

/// The top bar's status chip (online, offline, syncing with progress, operations waiting) and
/// who is signed in, or why the store cannot be used. Never an error page.
#[component]
fn SyncStatus(state: ConsoleState) -> impl IntoView {
    let logout = move |_| {
        let (Some(store), Some(sync), Some(session)) = (
            state.store.get_value(),
            state.sync.get_value(),
            state.session.get_untracked(),
        ) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = crate::session::logout(&store, &session).await;
            sync.set_session(None);
            state.session.set(None);
        });
    };
    move || match state.problem.get() {
        Some(message) => view! { <p class="store-alert" role="alert">{message}</p> }.into_any(),
        None => {
            let status = state.status.get();
            view! {
                <div class="sync-area">
                    <span
                        class=format!("sync-chip {}", status.chip_class())
                        role="status"
                        aria-live="polite"
                        title="서버와의 연결 상태"
                    >
                        {status.chip()}
                    </span>
                    {state.session.get().map(|s| view! {
                        <span class="who">{s.name}</span>
                        <button class="logout" type="button" on:click=logout>"로그아웃"</button>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// Below the top bar: the sign-in form when nobody is signed in, and the server's refusals on
/// their orders.
#[component]
fn ConsolePanels(state: ConsoleState) -> impl IntoView {
    let on_login = Callback::new(move |session: Session| {
        if let Some(sync) = state.sync.get_value() {
            sync.set_session(Some(session.clone()));
        }
        state.session.set(Some(session));
    });
    let dismiss = move |key: String| {
        let (Some(store), Some(sync)) = (state.store.get_value(), state.sync.get_value()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = store.dismiss_notice(&key).await;
            sync.refresh().await;
        });
    };
    view! {
        {move || (state.ready.get() && state.session.get().is_none())
            .then(|| view! { <LoginForm store=state.store on_login=on_login/> })}
        {move || {
            let notices = state.status.get().notices;
            (!notices.is_empty()).then(|| view! {
                <section class="notices" aria-label="서버가 거부한 작업">
                    <ul>
                        {notices.into_iter().map(|notice| {
                            let key = notice.key.clone();
                            let orders = notice.orders.iter().map(|o| o.to_string())
                                .collect::<Vec<_>>().join(", ");
                            view! {
                                <li class="notice" data-orders=orders.clone() data-key=notice.key.clone()>
                                    <strong>{format!("주문 {orders}")}</strong>
                                    " "
                                    <span class="notice-message">{notice.message}</span>
                                    <button type="button" on:click=move |_| dismiss(key.clone())>"확인"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
    }
}
