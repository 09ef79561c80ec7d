//! Reactive reads of the offline store: the query primitive screens build on.
//!
//! A screen declares what it reads ([`Reads`]: some orders, or the whole list) and how (an
//! async read of the [`Store`]); [`use_store_read`] runs the read when the store is ready, again
//! when the declaration itself changes (another order opened), and again when a committed write
//! touches what it declares — a local command and a sync pull both report the orders they wrote
//! through [`crate::context::Console::changes`]. Nothing else makes it read again, so a screen
//! never re-reads what did not change, and never reloads the page to see a change.
//!
//! A read that lands after a newer one started is dropped: what is shown is always the answer
//! to the latest question.

use crate::context::console;
use crate::store::{Store, StoreError};
use leptos::prelude::*;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a read depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    /// These orders (관리번호) and what hangs on them (lines, claims, memos).
    Orders(Vec<u64>),
    /// Any order: lists, counts, figures over the whole store.
    AnyOrder,
}

impl Reads {
    /// Whether a write that touched `changed` orders can have changed this read's answer.
    pub fn touched_by(&self, changed: &[u64]) -> bool {
        match self {
            Reads::Orders(ids) => changed.iter().any(|c| ids.contains(c)),
            Reads::AnyOrder => !changed.is_empty(),
        }
    }
}

/// An async read of the store, as [`use_store_read`] runs it.
pub type StoreRead<T> = Pin<Box<dyn Future<Output = Result<T, StoreError>>>>;

/// What a read shows: `None` until its first answer, then the latest answer (a store error as
/// the operator reads it).
pub type ReadState<T> = ReadSignal<Option<Result<T, String>>, LocalStorage>;

/// Runs `read` on the store for what `reads` declares (tracked: a change of the declaration
/// reads again), and again whenever a committed write touches it. See the module's doc.
pub fn use_store_read<T: 'static>(
    reads: impl Fn() -> Reads + Send + Sync + 'static,
    read: impl Fn(Rc<Store>, Reads) -> StoreRead<T> + 'static,
) -> ReadState<T> {
    let console = console();
    let answer = RwSignal::new_local(None);
    let reads = Memo::new(move |_| reads());
    // (the last change looked at, how many touched what is read): each touch reads again. Every
    // write since the last look counts, not only the latest (see `Changes`).
    let touched = Memo::new(move |previous: Option<&(u64, u64)>| {
        let (seen, hits) = previous.copied().unwrap_or((0, 0));
        console.changes.with(|c| {
            let hit = match c.orders_since(seen) {
                Some(orders) => reads.with_untracked(|r| r.touched_by(&orders)),
                None => true,
            };
            (c.seq, if hit { hits + 1 } else { hits })
        })
    });
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        let declared = reads.get();
        let _hits = touched.with(|t| t.1);
        if !console.ready.get() {
            return;
        }
        let Some(store) = console.store() else { return };
        let mine = latest.get() + 1;
        latest.set(mine);
        let latest = latest.clone();
        let pending = read(store, declared);
        leptos::task::spawn_local(async move {
            let result = pending.await.map_err(|e| e.to_string());
            if latest.get() == mine {
                answer.try_set(Some(result));
            }
        });
    });
    answer.read_only()
}

#[cfg(test)]
mod tests {
    use super::Reads;
    // The app's tests run in the browser (see `sections.rs`).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_read_is_touched_only_by_writes_to_what_it_declares() {
        let two = Reads::Orders(vec![3, 9]);
        assert!(two.touched_by(&[1, 9]));
        assert!(!two.touched_by(&[1, 2, 4]));
        assert!(!two.touched_by(&[]));
        assert!(Reads::AnyOrder.touched_by(&[5]));
        assert!(!Reads::AnyOrder.touched_by(&[]));
    }
}
