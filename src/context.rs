//! The console's shared state, given to every screen through Leptos context.
//!
//! [`Console`] is a bundle of copyable handles (signals and local stored values): the open
//! offline store, the sync, who is signed in, the sync's status, and the change feed of orders
//! ([`Console::changes`]) that screens' queries watch. The shell provides it once
//! ([`Console::start`] + [`provide_context`]); a screen takes it with [`console`].

use crate::commands;
use crate::session::Session;
use crate::store::Store;
use crate::sync::{Status, Syncer};
use jumun_protocol::auth::Role;
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Orders changed by committed writes, numbered so that two equal changes still differ.
///
/// A reader reacts some time after the signal moves (effects run in a later task), and several
/// writes can commit in between (a command, then the sync's push of it): so the orders of the
/// last [`RECENT_WRITES`] writes are kept, and a reader asks for every order written since the
/// change it last saw ([`Changes::orders_since`]), not just the last write's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Counts every change since the console started.
    pub seq: u64,
    /// The orders (관리번호) of the last writes, oldest first, each with its `seq`.
    pub recent: Arc<std::collections::VecDeque<(u64, Arc<Vec<u64>>)>>,
}

/// How many writes [`Changes`] remembers.
pub const RECENT_WRITES: usize = 64;

impl Changes {
    /// Notes a write of `orders`.
    pub fn record(&mut self, orders: Vec<u64>) {
        self.seq += 1;
        let recent = Arc::make_mut(&mut self.recent);
        if recent.len() == RECENT_WRITES {
            recent.pop_front();
        }
        recent.push_back((self.seq, Arc::new(orders)));
    }

    /// Every order written after change `seen` (each once, sorted), or `None` when some of
    /// those writes are no longer remembered: the reader should then read everything again.
    pub fn orders_since(&self, seen: u64) -> Option<Vec<u64>> {
        if self.seq > seen
            && self
                .recent
                .front()
                .is_none_or(|(first, _)| *first > seen + 1)
        {
            return None;
        }
        let mut orders: Vec<u64> = self
            .recent
            .iter()
            .filter(|(seq, _)| *seq > seen)
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        orders.sort_unstable();
        orders.dedup();
        Some(orders)
    }
}

/// The console's shared state: copyable handles to it.
#[derive(Clone, Copy)]
pub struct Console {
    /// Why the store cannot be used (shown instead of the status chip).
    pub problem: RwSignal<Option<String>>,
    /// The sync's status.
    pub status: RwSignal<Status>,
    /// Who is signed in.
    pub session: RwSignal<Option<Session>>,
    /// The store is open and the session read: screens may query.
    pub ready: RwSignal<bool>,
    /// The orders the last committed write touched (see [`Store::on_orders_changed`]).
    pub changes: RwSignal<Changes>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    sync: StoredValue<Option<Rc<Syncer>>, LocalStorage>,
}

/// The console of the current screen. Panics only if the shell forgot to provide it, which is
/// a bug of the app, never of data.
pub fn console() -> Console {
    expect_context::<Console>()
}

impl Console {
    /// Opens the offline store, reads the session and starts the sync; the handles fill in as
    /// each step ends (`ready` last).
    pub fn start() -> Self {
        let console = Console {
            problem: RwSignal::new(None),
            status: RwSignal::new(Status::default()),
            session: RwSignal::new(None),
            ready: RwSignal::new(false),
            changes: RwSignal::new(Changes::default()),
            store: StoredValue::new_local(None),
            sync: StoredValue::new_local(None),
        };
        leptos::task::spawn_local(async move { console.open().await });
        console
    }

    async fn open(self) {
        let problem = self.problem;
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
        let changes = self.changes;
        opened.on_orders_changed(move |changed| changes.update(|c| c.record(changed.ids.clone())));
        let sync = Syncer::new(opened.clone());
        let status = self.status;
        sync.subscribe(move |s| status.set(s.clone()));
        let session = self.session;
        sync.on_signed_out(move || session.set(None));
        // The JavaScript hooks of the end-to-end tests reach the same store and sync.
        commands::install(Rc::new(commands::Console {
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
        self.store.set_value(Some(opened));
        self.sync.set_value(Some(sync.clone()));
        sync.start();
        self.ready.set(true);
    }

    /// The open store, once it is.
    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// The sync, once it runs.
    pub fn sync(&self) -> Option<Rc<Syncer>> {
        self.sync.get_value()
    }

    /// The store handle, for the sign-in form.
    pub fn store_handle(&self) -> StoredValue<Option<Rc<Store>>, LocalStorage> {
        self.store
    }

    /// The signed-in user's role (a viewer changes nothing).
    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.role))
    }

    /// Whether the signed-in user may change orders (owner or operator); screens hide the
    /// buttons of a viewer.
    pub fn can_work(&self) -> bool {
        matches!(self.role(), Some(Role::Owner | Role::Operator))
    }
}

#[cfg(test)]
mod tests {
    use super::{Changes, RECENT_WRITES};
    // The app's tests run in the browser (see `sections.rs`).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_write_since_the_last_look_counts_not_only_the_latest() {
        let mut changes = Changes::default();
        assert_eq!(changes.orders_since(0), Some(vec![]));
        changes.record(vec![7]);
        let seen = changes.seq;
        // A command on order 7, then the sync's push touching order 3: a reader of 7 that
        // looks only now must still see its write.
        changes.record(vec![7]);
        changes.record(vec![3]);
        assert_eq!(changes.orders_since(seen), Some(vec![3, 7]));
        assert_eq!(changes.orders_since(changes.seq), Some(vec![]));
        // Too many writes to remember: read everything again.
        for i in 0..RECENT_WRITES as u64 {
            changes.record(vec![100 + i]);
        }
        assert_eq!(changes.orders_since(seen), None);
        assert_eq!(
            changes.orders_since(changes.seq - 1),
            Some(vec![100 + RECENT_WRITES as u64 - 1])
        );
    }
}
