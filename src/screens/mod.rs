//! One module per screen. [`screen`] maps a section of [`crate::sections::SECTIONS`] (the one
//! source of navigation) to its screen; sections whose screens are not built yet show what they
//! will hold.

pub mod cs;
pub mod dashboard;
pub mod orders;
mod placeholder;

use crate::sections::Section;
use leptos::prelude::*;

/// The screen of `section`.
pub fn screen(section: &'static Section) -> AnyView {
    match section.path {
        "" => view! { <dashboard::DashboardScreen/> }.into_any(),
        "orders" => view! { <orders::OrdersScreen/> }.into_any(),
        "cs" => view! { <cs::CsScreen/> }.into_any(),
        _ => view! { <placeholder::SectionPage section=section/> }.into_any(),
    }
}
