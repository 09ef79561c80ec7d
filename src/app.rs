//! The console shell: top navigation and one route per section.

use crate::pwa::UpdateBanner;
use crate::sections::{Section, SECTIONS};
use crate::store::Store;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_params_map;
use leptos_router::path;

/// The whole console: brand, top navigation and the routed section page.
#[component]
pub fn App() -> impl IntoView {
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
                    <StoreStatus/>
                </header>
                <UpdateBanner/>
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

/// Opens the offline store at start-up and says, in the top bar, what the operator must know
/// about it: operations still waiting to be sent, or why the store cannot be used. Reads only a
/// count; screens query what they show.
#[component]
fn StoreStatus() -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let pending = RwSignal::new(0u32);
    let store = StoredValue::new_local(None::<Store>);
    leptos::task::spawn_local(async move {
        let opened = Store::open_named(crate::store::schema::DB_NAME, move |blocked| {
            problem.set(Some(blocked.to_string()));
        })
        .await;
        match opened {
            Ok(opened) => {
                problem.set(None);
                opened.on_version_change(move |e| problem.set(Some(e.to_string())));
                match opened.outbox_len().await {
                    Ok(n) => pending.set(n),
                    Err(e) => problem.set(Some(e.to_string())),
                }
                store.set_value(Some(opened));
            }
            Err(e) => problem.set(Some(e.to_string())),
        }
    });
    move || match problem.get() {
        Some(message) => view! { <p class="store-alert" role="alert">{message}</p> }.into_any(),
        None => (pending.get() > 0)
            .then(|| {
                view! {
                    <span class="outbox-count" title="서버에 아직 보내지 않은 작업">
                        {format!("보내지 않은 작업 {}건", pending.get())}
                    </span>
                }
            })
            .into_any(),
    }
}
