//! CS이력: an order's history (R31) — every change by an operator, a sync or an automatic rule,
//! with time, actor and before/after, read straight from the events.

use crate::context::Actor;
use crate::event::Event;
use crate::ids::OrderId;
use chrono::{DateTime, Utc};

mod claims;
mod exchanges;
mod lifecycle;
mod parcels;
mod stock;

/// What a change reads as in the history: what happened, and the value before and after.
type Described = (String, Option<String>, Option<String>);
use serde::{Deserialize, Serialize};

/// One line of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What, in the console's Korean words.
    pub what: String,
    /// The value before, where one changed.
    pub before: Option<String>,
    /// The value after, where one changed.
    pub after: Option<String>,
}

/// The history of one order, oldest first, from the events that touch it.
pub fn of_order<'e>(
    events: impl IntoIterator<Item = &'e Event>,
    order: OrderId,
) -> Vec<HistoryEntry> {
    events
        .into_iter()
        .filter(|event| event.orders().contains(&order))
        .map(entry)
        .collect()
}

/// Describes one event.
pub fn entry(event: &Event) -> HistoryEntry {
    let (what, before, after) = lifecycle::describe(&event.change)
        .or_else(|| parcels::describe(&event.change))
        .or_else(|| claims::describe(&event.change))
        .or_else(|| exchanges::describe(&event.change))
        .or_else(|| stock::describe(&event.change))
        // Every change has its words (a test walks one sample of each); should one be missed,
        // the history still says what happened rather than hiding it.
        .unwrap_or_else(|| (format!("기타 변경: {:?}", event.change), None, None));
    HistoryEntry {
        at: event.at,
        actor: event.actor.clone(),
        what,
        before,
        after,
    }
}
