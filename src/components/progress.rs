//! The progress of long work: done / total, time left, and a stop button.

use crate::sync::thousands;
use leptos::prelude::*;

/// How far long work has come.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Units done (failed ones included).
    pub done: u64,
    /// Units in all.
    pub total: u64,
    /// When the work started, in browser milliseconds (`Date.now()`).
    pub started_ms: f64,
    /// Now, in the same clock.
    pub now_ms: f64,
}

impl Progress {
    /// Time left, from the pace so far ("약 12초 남음"); `None` before there is a pace.
    pub fn time_left(&self) -> Option<String> {
        if self.done == 0 || self.done >= self.total {
            return None;
        }
        let per_unit = (self.now_ms - self.started_ms) / self.done as f64;
        let seconds = (per_unit * (self.total - self.done) as f64 / 1000.0).ceil() as u64;
        Some(if seconds >= 60 {
            format!("약 {}분 {}초 남음", seconds / 60, seconds % 60)
        } else {
            format!("약 {seconds}초 남음")
        })
    }

    /// Percent done, 0–100.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.done as f64 * 100.0 / self.total as f64
        }
    }
}

/// A progress bar with its figures and, while running, a stop button.
#[component]
pub fn ProgressBar(
    /// What is being done ("배송처리").
    #[prop(into)]
    label: Signal<String>,
    /// How far.
    #[prop(into)]
    progress: Signal<Progress>,
    /// Stops the work (after the chunk under way); `None` once it has ended.
    #[prop(into)]
    on_stop: Signal<Option<Callback<()>>>,
) -> impl IntoView {
    view! {
        <div class="progress" role="group" aria-label=move || label.get()>
            <span class="progress-label">{move || label.get()}</span>
            <progress
                max=move || progress.get().total.max(1) as f64
                value=move || progress.get().done as f64
            ></progress>
            <span class="progress-figures">
                {move || {
                    let p = progress.get();
                    let mut text = format!("{} / {}", thousands(p.done), thousands(p.total));
                    if let Some(left) = p.time_left() {
                        text.push_str(" · ");
                        text.push_str(&left);
                    }
                    text
                }}
            </span>
            {move || on_stop.get().map(|stop| view! {
                <button type="button" class="stop" on:click=move |_| stop.run(())>"중지 (Esc)"</button>
            })}
        </div>
    }
}
