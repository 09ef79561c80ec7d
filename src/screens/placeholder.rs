//! A section whose screen is not built yet: its title, what it is for and what it will hold.

use crate::sections::Section;
use leptos::prelude::*;

/// A section's page until its screen exists.
#[component]
pub fn SectionPage(section: &'static Section) -> impl IntoView {
    crate::app::set_document_title(section.label);
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
