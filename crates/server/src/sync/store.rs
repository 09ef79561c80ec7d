//! The SQL of the sync tables (`events`, `operations`, `id_blocks`, migration 0003). Blocking
//! functions on a connection; the [`Ledger`](super::Ledger) runs them on the blocking pool
//! through [`Database::with`](crate::db::Database::with).

use crate::db::{Conn, OptionalExtension, Param, SqlError, SqlResult, ToParam};
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

/// The most rows one multi-row insert carries. Chunks are powers of two up to it, so each
/// statement has at most eight shapes for the engines to prepare and cache, and a push of
/// hundreds of operations is a handful of inserts instead of one round trip per row (which is
/// what costs on PostgreSQL).
const MAX_ROWS_PER_STATEMENT: usize = 128;

/// The largest power of two that is at most `remaining` and [`MAX_ROWS_PER_STATEMENT`] (at
/// least 1).
fn chunk_len(remaining: usize) -> usize {
    let n = remaining.clamp(1, MAX_ROWS_PER_STATEMENT);
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// `(?{first}, …), (…), …`: `rows` groups of `columns` numbered placeholders.
fn placeholders(first: usize, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", first + row * columns + column));
        }
        sql.push(')');
    }
    sql
}

/// One event to insert: its seq, the row, and the key of the operation that caused it.
type EventInsert<'a> = (u64, &'a EventRow, Option<&'a str>);

/// Inserts the events and the keyed operations' answers, several rows per statement.
fn insert(
    conn: &mut Conn,
    store: i64,
    events: &[EventInsert<'_>],
    operations: &[&OperationRow],
) -> SqlResult<()> {
    let mut rest = events;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(chunk_len(rest.len()));
        let sql = format!(
            "INSERT INTO events (store_id, seq, at, actor, event_json, op_key) VALUES {}",
            placeholders(1, 6, chunk.len())
        );
        let mut values = Vec::with_capacity(chunk.len() * 6);
        for (seq, event, key) in chunk {
            values.extend([
                Param::Int(store),
                seq.to_param(),
                Param::Text(&event.at),
                Param::Text(&event.actor),
                Param::Text(&event.json),
                key.map_or(Param::Null, Param::Text),
            ]);
        }
        conn.execute(&sql, &values)?;
        rest = tail;
    }
    let mut rest = operations;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(chunk_len(rest.len()));
        let sql = format!(
            "INSERT INTO operations (store_id, key, received_at, response_json) VALUES {}",
            placeholders(1, 4, chunk.len())
        );
        let mut values = Vec::with_capacity(chunk.len() * 4);
        for op in chunk {
            values.extend([
                Param::Int(store),
                Param::Text(&op.key),
                Param::Text(&op.received_at),
                Param::Text(&op.response_json),
            ]);
        }
        conn.execute(&sql, &values)?;
        rest = tail;
    }
    Ok(())
}

/// The rows of one operation's write, ready for [`insert`].
fn rows_of<'a>(
    first_seq: u64,
    events: &'a [EventRow],
    operation: Option<&'a OperationRow>,
) -> impl Iterator<Item = EventInsert<'a>> {
    let key = operation.map(|op| op.key.as_str());
    (0u64..)
        .zip(events)
        .map(move |(offset, event)| (first_seq.saturating_add(offset), event, key))
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
    let rows: Vec<EventInsert<'_>> = rows_of(first_seq, events, operation).collect();
    let mut tx = conn.transaction()?;
    insert(
        &mut tx,
        store,
        &rows,
        &operation.into_iter().collect::<Vec<_>>(),
    )?;
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
    let rows: Vec<EventInsert<'_>> = writes
        .iter()
        .flat_map(|w| rows_of(w.first_seq, &w.events, w.operation.as_ref()))
        .collect();
    let operations: Vec<&OperationRow> =
        writes.iter().filter_map(|w| w.operation.as_ref()).collect();
    let mut tx = conn.transaction()?;
    insert(&mut tx, store, &rows, &operations)?;
    tx.commit()
}

/// The stored answers to the given keys, in their order (`None` for a key not seen before).
pub(super) fn operations(
    conn: &mut Conn,
    store: i64,
    keys: &[String],
) -> SqlResult<Vec<Option<String>>> {
    // One indexed lookup per key. A single `key IN (…)` for the whole push was tried: on
    // PostgreSQL the planner, with statistics from when the table was small, chose a
    // sequential scan for it, and pushes slowed down as the table grew (docs/benchmarks.md).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_powers_of_two_up_to_the_limit() {
        assert_eq!(chunk_len(0), 1);
        assert_eq!(chunk_len(1), 1);
        assert_eq!(chunk_len(3), 2);
        assert_eq!(chunk_len(100), 64);
        assert_eq!(chunk_len(128), 128);
        assert_eq!(chunk_len(1_000), MAX_ROWS_PER_STATEMENT);
        let mut rest = 100;
        let mut parts = Vec::new();
        while rest > 0 {
            let n = chunk_len(rest);
            parts.push(n);
            rest -= n;
        }
        assert_eq!(parts, vec![64, 32, 4]);
    }

    #[test]
    fn placeholders_number_rows_after_each_other() {
        assert_eq!(placeholders(1, 2, 2), "(?1, ?2), (?3, ?4)");
        assert_eq!(placeholders(2, 3, 1), "(?2, ?3, ?4)");
    }
}
