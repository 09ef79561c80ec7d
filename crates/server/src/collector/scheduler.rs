//! The scheduler: runs each enabled connection when it is due, backs off after failures, and
//! ticks every store's automatic rules.
//!
//! One dispatcher task reads the due connections from the database (so connections created or
//! changed through the API are picked up at once: the API wakes it), moves each one's
//! `next_run_at` a period ahead before starting its run on its own task (so a slow run is not
//! started twice), and sleeps until the next one is due. A run sets the final `next_run_at`: a
//! period after its start when it went through, [`backoff`] after a failure. Every
//! [`SchedulerConfig::tick_every`] it runs the automatic rules of every store
//! (`Ledger::tick`: purchase confirmation, payment deadlines, late Kakao Style exchanges).
//!
//! The tasks end when the [`SchedulerHandle`] is dropped (the server stops): runs in flight are
//! cut; their cursors were not saved, so the next start reads the same pages again, which is
//! safe (see [`super`]).

use super::{store, Collector};
use chrono::Utc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The longest wait after failures: an hour (or the period, when that is longer).
pub const MAX_BACKOFF_SECS: u64 = 3600;

/// How the scheduler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// How often every store's automatic rules run. Default 60 s.
    pub tick_every: Duration,
    /// The longest the dispatcher sleeps without looking at the database. Default 60 s.
    pub poll_at_most: Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            tick_every: Duration::from_secs(60),
            poll_at_most: Duration::from_secs(60),
        }
    }
}

/// The wait before the next run of a connection with `period_seconds` after `failures` failed
/// runs in a row: the period itself when nothing failed, then period × 2^failures, at most
/// [`MAX_BACKOFF_SECS`] (or the period, if longer).
pub fn backoff(period_seconds: u32, failures: u32) -> Duration {
    let period = u64::from(period_seconds.max(1));
    let cap = MAX_BACKOFF_SECS.max(period);
    let factor = 1u64.checked_shl(failures.min(63)).unwrap_or(u64::MAX);
    Duration::from_secs(period.saturating_mul(factor).min(cap))
}

/// The running scheduler; dropping it stops it.
pub struct SchedulerHandle {
    task: JoinHandle<()>,
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the scheduler on the current runtime.
pub fn spawn(collector: Collector, config: SchedulerConfig) -> SchedulerHandle {
    tracing::info!(
        tick_secs = config.tick_every.as_secs(),
        "marketplace collection scheduler started"
    );
    SchedulerHandle {
        task: tokio::spawn(dispatch(collector, config)),
    }
}

async fn dispatch(collector: Collector, config: SchedulerConfig) {
    let mut last_tick: Option<tokio::time::Instant> = None;
    loop {
        start_due(&collector).await;
        if last_tick.is_none_or(|t| t.elapsed() >= config.tick_every) {
            tick_all(&collector).await;
            last_tick = Some(tokio::time::Instant::now());
        }
        let until_tick = last_tick
            .map(|t| config.tick_every.saturating_sub(t.elapsed()))
            .unwrap_or_default();
        let until_due = match collector.db().with(|c| Ok(store::next_due(c)?)).await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default(),
            Ok(None) => config.poll_at_most,
            Err(err) => {
                tracing::warn!(error = %err, "scheduler cannot read the connections");
                config.poll_at_most
            }
        };
        // Never spin: at least a short pause between looks.
        let sleep = until_due
            .min(until_tick)
            .min(config.poll_at_most)
            .max(Duration::from_millis(200));
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = collector.wake().notified() => {}
        }
    }
}

/// Starts a run for each due connection, its next time first moved a period ahead.
async fn start_due(collector: &Collector) {
    let now = Utc::now();
    let due = collector
        .db()
        .with(move |c| {
            let due = store::due_connections(c, now)?;
            for row in &due {
                store::set_schedule(
                    c,
                    row.id,
                    row.failures,
                    now + backoff(row.period_seconds, row.failures),
                )?;
            }
            Ok(due)
        })
        .await;
    match due {
        Ok(due) => {
            for row in due {
                let collector = collector.clone();
                tokio::spawn(async move {
                    if let Err(err) = collector.run_scheduled(row.id).await {
                        tracing::error!(connection = row.id, error = %err, "collection run could not be recorded");
                    }
                });
            }
        }
        Err(err) => tracing::warn!(error = %err, "scheduler cannot read the due connections"),
    }
}

/// Runs every store's automatic rules.
async fn tick_all(collector: &Collector) {
    let stores = match collector.db().with(|c| Ok(store::store_ids(c)?)).await {
        Ok(stores) => stores,
        Err(err) => {
            tracing::warn!(error = %err, "scheduler cannot list the stores");
            return;
        }
    };
    for store in stores {
        match collector.ledger().tick(store, Utc::now()).await {
            Ok(outcome) if !outcome.events.is_empty() => tracing::info!(
                store = store.0,
                events = outcome.events.len(),
                "automatic rules applied"
            ),
            Ok(_) => {}
            Err(err) => tracing::warn!(store = store.0, error = %err, "automatic rules failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_failure_up_to_an_hour() {
        assert_eq!(backoff(600, 0), Duration::from_secs(600));
        assert_eq!(backoff(600, 1), Duration::from_secs(1200));
        assert_eq!(backoff(600, 2), Duration::from_secs(2400));
        assert_eq!(backoff(600, 3), Duration::from_secs(3600));
        assert_eq!(backoff(600, 30), Duration::from_secs(3600));
        assert_eq!(backoff(600, u32::MAX), Duration::from_secs(3600));
        // A sandbox's seconds-long period backs off the same way.
        assert_eq!(backoff(2, 0), Duration::from_secs(2));
        assert_eq!(backoff(2, 3), Duration::from_secs(16));
        // A period above the cap is never shortened by a failure.
        assert_eq!(backoff(5000, 2), Duration::from_secs(5000));
        assert_eq!(backoff(0, 0), Duration::from_secs(1));
    }
}
