//! The console shell: top bar (brand, navigation from [`SECTIONS`], sync status, who is signed
//! in), the sign-in screen, the server's refusals, and one route per section.

use crate::context::{console, Console};
use crate::pwa::UpdateBanner;
use crate::screens;
use crate::sections::{Section, SECTIONS};
use crate::session::{role_korean, LoginForm, Session};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_params_map;
use leptos_router::path;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let console = Console::start();
    provide_context(console);
    let signed_in = move || console.session.with(Option::is_some);
    view! {
        <Router>
            <div class="shell">
                <header class="topbar">
                    <a class="brand" href="/">
                        <img src="/icons/icon.svg" alt="" width="24" height="24"/>
                        <span class="brand-name">"주문"</span>
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
                    <SyncStatus/>
                </header>
                <UpdateBanner/>
                <Notices/>
                <main class="content">
                    {move || {
                        if !console.ready.get() {
                            view! { <p class="starting" role="status">"저장소를 여는 중…"</p> }.into_any()
                        } else if !signed_in() {
                            view! { <SignIn/> }.into_any()
                        } else {
                            view! {
                                <Routes fallback=NotFound>
                                    <Route path=path!("/") view=|| screens::screen(&SECTIONS[0])/>
                                    <Route path=path!("/:section") view=SectionRoute/>
                                </Routes>
                            }.into_any()
                        }
                    }}
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
            Some(section) => screens::screen(section),
            None => view! { <NotFound/> }.into_any(),
        }
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

/// Keeps the browser tab's title in step with the screen, so operators with many tabs open can
/// tell them apart.
pub fn set_document_title(label: &str) {
    document().set_title(&format!("{label} · 주문"));
}

/// The sign-in screen: the form in a panel of its own, centred, with what the console is.
#[component]
fn SignIn() -> impl IntoView {
    let console = console();
    set_document_title("로그인");
    let on_login = Callback::new(move |session: Session| {
        if let Some(sync) = console.sync() {
            sync.set_session(Some(session.clone()));
        }
        console.session.set(Some(session));
    });
    view! {
        <div class="sign-in">
            <div class="sign-in-card">
                <div class="sign-in-brand">
                    <img src="/icons/icon.svg" alt="" width="40" height="40"/>
                    <div>
                        <strong>"주문"</strong>
                        <p class="muted">"통합 주문 · CS 콘솔"</p>
                    </div>
                </div>
                <LoginForm store=console.store_handle() on_login=on_login/>
                <p class="muted small">
                    "한 번 로그인하면 인터넷이 끊겨도 이 브라우저에 저장된 주문으로 계속 작업할 수 있습니다."
                </p>
            </div>
        </div>
    }
}

/// The top bar's status chip (online, offline, syncing with progress, operations waiting), the
/// store, who is signed in and their role, or why the store cannot be used. Never an error page.
#[component]
fn SyncStatus() -> impl IntoView {
    let console = console();
    let logout = move |_| {
        let (Some(store), Some(sync), Some(session)) = (
            console.store(),
            console.sync(),
            console.session.get_untracked(),
        ) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = crate::session::logout(&store, &session).await;
            sync.set_session(None);
            console.session.set(None);
        });
    };
    move || match console.problem.get() {
        Some(message) => view! { <p class="store-alert" role="alert">{message}</p> }.into_any(),
        None => {
            let status = console.status.get();
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
                    {console.session.get().map(|s| {
                        let store = if s.store_name.is_empty() { s.store.clone() } else { s.store_name.clone() };
                        view! {
                            <span class="who" title=format!("상점 {}", s.store)>
                                <span class="store-name">{store}</span>
                                <span class="user-name">{s.name}</span>
                                <span class="role">{role_korean(s.role)}</span>
                            </span>
                            <button class="logout" type="button" on:click=logout>"로그아웃"</button>
                        }
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// The server's refusals of operations made here, on their orders, until dismissed.
#[component]
fn Notices() -> impl IntoView {
    let console = console();
    let dismiss = move |key: String| {
        let (Some(store), Some(sync)) = (console.store(), console.sync()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = store.dismiss_notice(&key).await;
            sync.refresh().await;
        });
    };
    move || {
        let notices = console.status.get().notices;
        (!notices.is_empty()).then(|| {
            view! {
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
            }
        })
    }
}
