//! The SQL of the sync tables (`events`, `operations`, `id_blocks`, migration 0003). Blocking
//! functions on a connection; the [`Ledger`](super::Ledger) runs them on the blocking pool
//! through [`Database::with`](crate::db::Database::with).

use crate::db::{Conn, OptionalExtension, SqlError, SqlResult};
use crate::params;

/// One event as written: its time and actor (copied out of the JSON for queries) and the JSON.
#[derive(Debug, Clone)]
pub(super) struct EventRow {
    /// RFC 3339, milliseconds, `Z`.
    pub at: String,
    /// `operator:<login>`, `sync:<marketplace>` or `automatic`.
    pub actor: String,
    /// `jumun_core::Event` as JSON.
    pub json: String,
}

/// The answer to a keyed operation, to be written with its events.
#[derive(Debug, Clone)]
pub(super) struct OperationRow {
    /// The client's idempotency key.
    pub key: String,
    /// When the server received it.
    pub received_at: String,
    /// The answer as JSON.
    pub response_json: String,
}

/// One stored event as read back for a pull.
#[derive(Debug, Clone)]
pub(super) struct StoredEvent {
    /// Its position in the store's log.
    pub seq: u64,
    /// `jumun_core::Event` as JSON.
    pub json: String,
    /// The key of the operation that caused it.
    pub op_key: Option<String>,
}

/// A stored (non-negative) integer as `u64`; a negative one is a corrupt row and reads as 0.
pub(super) fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The store's latest seq (0 when it has no events).
pub(super) fn head(conn: &mut Conn, store: i64) -> SqlResult<u64> {
    conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE store_id = ?1",
        params![store],
        |row| row.get::<i64>(0),
    )
    .map(from_sql)
}

/// Calls `each(seq, json)` for every event of the store in seq order, stopping at the first
/// error `each` returns (which is passed back as `Ok(Err(..))`).
pub(super) fn for_each_event<E>(
    conn: &mut Conn,
    store: i64,
    mut each: impl FnMut(u64, &str) -> Result<(), E>,
) -> SqlResult<Result<(), E>> {
    /// Why the walk stopped: a row that cannot be read, or `each`'s own error.
    enum Stop<E> {
        Row(SqlError),
        Each(E),
    }
    let walked = conn.for_each(
        "SELECT seq, event_json FROM events WHERE store_id = ?1 ORDER BY seq",
        params![store],
        |row| {
            let seq = from_sql(row.get(0).map_err(Stop::Row)?);
            let json = row.get_str(1).map_err(Stop::Row)?;
            each(seq, json).map_err(Stop::Each)
        },
    )?;
    match walked {
        Ok(()) => Ok(Ok(())),
        Err(Stop::Each(err)) => Ok(Err(err)),
        Err(Stop::Row(err)) => Err(err),
    }
}

const INSERT_EVENT: &str = "INSERT INTO events (store_id, seq, at, actor, event_json, op_key)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const INSERT_OPERATION: &str = "INSERT INTO operations (store_id, key, received_at, response_json)
     VALUES (?1, ?2, ?3, ?4)";

/// Inserts events `first_seq`, `first_seq + 1`, … and the keyed operation's answer.
fn insert(
    conn: &mut Conn,
    store: i64,
    first_seq: u64,
    events: &[EventRow],
    operation: Option<&OperationRow>,
) -> SqlResult<()> {
    let key = operation.map(|op| op.key.as_str());
    for (offset, event) in (0u64..).zip(events) {
        conn.execute(
            INSERT_EVENT,
            params![
                store,
                first_seq.saturating_add(offset),
                event.at,
                event.actor,
                event.json,
                key
            ],
        )?;
    }
    if let Some(op) = operation {
        conn.execute(
            INSERT_OPERATION,
            params![store, op.key, op.received_at, op.response_json],
        )?;
    }
    Ok(())
}

/// Writes events as seq `first_seq`, `first_seq + 1`, … and, for a keyed operation, its answer,
/// in one transaction: all of it or none.
pub(super) fn append(
    conn: &mut Conn,
    store: i64,
    first_seq: u64,
    events: &[EventRow],
    operation: Option<&OperationRow>,
) -> SqlResult<()> {
    let mut tx = conn.transaction()?;
    insert(&mut tx, store, first_seq, events, operation)?;
    tx.commit()
}

/// One operation's share of a group commit: its events from `first_seq` on, and its answer when
/// it is keyed.
#[derive(Debug, Clone)]
pub(super) struct Write {
    /// The seq of its first event (ignored when it has none).
    pub first_seq: u64,
    /// Its events.
    pub events: Vec<EventRow>,
    /// Its answer, for a keyed operation.
    pub operation: Option<OperationRow>,
}

/// Writes several operations' events and answers in one transaction (a group commit: one
/// fsync for all of them): all of it or none.
pub(super) fn append_all(conn: &mut Conn, store: i64, writes: &[Write]) -> SqlResult<()> {
    let mut tx = conn.transaction()?;
    for write in writes {
        insert(
            &mut tx,
            store,
            write.first_seq,
            &write.events,
            write.operation.as_ref(),
        )?;
    }
    tx.commit()
}

/// The stored answers to the given keys, in their order (`None` for a key not seen before).
pub(super) fn operations(
    conn: &mut Conn,
    store: i64,
    keys: &[String],
) -> SqlResult<Vec<Option<String>>> {
    keys.iter()
        .map(|key| {
            conn.query_row(
                "SELECT response_json FROM operations WHERE store_id = ?1 AND key = ?2",
                params![store, key],
                |row| row.get(0),
            )
            .optional()
        })
        .collect()
}

/// Reserves `count` numbers from the store's id sequence (which starts at 1) and returns the
/// first. Committed before it returns, so a block is never handed out twice.
pub(super) fn reserve_ids(conn: &mut Conn, store: i64, count: u64) -> SqlResult<u64> {
    let mut tx = conn.transaction()?;
    let next: Option<i64> = tx
        .query_row(
            "SELECT next FROM id_blocks WHERE store_id = ?1",
            params![store],
            |row| row.get(0),
        )
        .optional()?;
    let start = next.map_or(1, from_sql).max(1);
    let end = start.saturating_add(count);
    tx.execute(
        "INSERT INTO id_blocks (store_id, next) VALUES (?1, ?2)
         ON CONFLICT (store_id) DO UPDATE SET next = excluded.next",
        params![store, end],
    )?;
    tx.commit()?;
    Ok(start)
}

/// Up to `limit` events after `since`, whether more follow, and the store's head — read in one
/// transaction so the three agree.
pub(super) fn changes(
    conn: &mut Conn,
    store: i64,
    since: u64,
    limit: usize,
) -> SqlResult<(Vec<StoredEvent>, bool, u64)> {
    let mut tx = conn.transaction()?;
    let events = tx.query_map(
        "SELECT seq, event_json, op_key FROM events
         WHERE store_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        params![store, since, limit.saturating_add(1)],
        |row| {
            Ok(StoredEvent {
                seq: from_sql(row.get(0)?),
                json: row.get(1)?,
                op_key: row.get(2)?,
            })
        },
    )?;
    let head = head(&mut tx, store)?;
    tx.commit()?;
    let mut events = events;
    let more = events.len() > limit;
    events.truncate(limit);
    Ok((events, more, head))
}
