//! Keyboard shortcuts: a screen registers its shortcuts for as long as it is shown; the help
//! overlay (`?`) lists them, and every button names its key in its label or title.
//!
//! Single-key shortcuts (`j`, `x`, `/`) do nothing while the operator types in a field, except
//! those marked [`Shortcut::in_fields`] (Escape).

use leptos::ev;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// One shortcut of a screen.
#[derive(Clone)]
pub struct Shortcut {
    /// The key as `KeyboardEvent.key` names it (`"j"`, `"ArrowDown"`, `"/"`, `"Enter"`).
    pub key: &'static str,
    /// Shift must be held (and is not, when `false`).
    pub shift: bool,
    /// What it does, in Korean, for the help overlay.
    pub label: &'static str,
    /// Also while typing in a field.
    pub in_fields: bool,
    /// The action.
    pub run: Rc<dyn Fn()>,
}

impl Shortcut {
    /// A shortcut that works outside fields.
    pub fn new(key: &'static str, label: &'static str, run: impl Fn() + 'static) -> Self {
        Shortcut {
            key,
            shift: false,
            label,
            in_fields: false,
            run: Rc::new(run),
        }
    }

    /// The same with Shift held.
    pub fn with_shift(mut self) -> Self {
        self.shift = true;
        self
    }

    /// The same, also while typing in a field.
    pub fn anywhere(mut self) -> Self {
        self.in_fields = true;
        self
    }

    /// How the help overlay writes the key.
    pub fn keys_text(&self) -> String {
        let key = match self.key {
            "ArrowDown" => "↓",
            "ArrowUp" => "↑",
            "Escape" => "Esc",
            " " => "Space",
            other => other,
        };
        if self.shift {
            format!("Shift + {key}")
        } else {
            key.to_owned()
        }
    }
}

/// Whether the event comes from a place where keys type text.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        })
}

/// Registers `shortcuts` on the window until the calling component is removed.
pub fn use_shortcuts(shortcuts: Vec<Shortcut>) {
    let handle = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || event.is_composing() {
            return;
        }
        let in_field = typing(&event);
        let key = event.key();
        // Letters arrive upper-case with Shift held.
        let found = shortcuts.iter().find(|s| {
            (s.key == key || (s.key.len() == 1 && s.key.eq_ignore_ascii_case(&key)))
                && s.shift == event.shift_key()
                && (s.in_fields || !in_field)
        });
        if let Some(shortcut) = found {
            event.prevent_default();
            (shortcut.run)();
        }
    });
    on_cleanup(move || handle.remove());
}

/// The help overlay of a screen's shortcuts, opened and closed with `?`.
#[component]
pub fn ShortcutHelp(
    /// Shown.
    open: RwSignal<bool>,
    /// The shortcuts, as registered.
    shortcuts: Vec<(String, &'static str)>,
) -> impl IntoView {
    move || {
        open.get().then(|| {
            let rows = shortcuts.clone();
            view! {
                <div class="shortcut-help" role="dialog" aria-modal="false" aria-label="단축키">
                    <h2>"단축키"</h2>
                    <dl>
                        {rows.into_iter().map(|(keys, label)| view! {
                            <dt><kbd>{keys}</kbd></dt>
                            <dd>{label}</dd>
                        }).collect_view()}
                    </dl>
                    <button type="button" on:click=move |_| open.set(false)>"닫기 (?)"</button>
                </div>
            }
        })
    }
}
