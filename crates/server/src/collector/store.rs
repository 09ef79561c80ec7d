//! The collector's SQL (migrations 0004 and 0005): connections (with their carrier codes), runs,
//! malformed payloads, shipment numbers.
//!
//! `connections.credentials_json` holds the credentials sealed (`enc:v1:…`, see
//! [`super::credentials`]); these functions only move that text, never open it.
//!
//! Plain functions over a [`Conn`] (SQLite or PostgreSQL), run inside
//! [`crate::db::Database::with`].
//! Every store-facing query takes the store id, so one store never reads another's rows.

use super::credentials::SealedCredentials;
use super::{ConnectionRow, MalformedRecord, RunRecord, Trigger};
use crate::accounts::StoreId;
use crate::db::{Conn, Engine, OptionalExtension, Row, SqlError, SqlResult};
use crate::marketplaces::MalformedPayload;
use crate::params;
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::BTreeMap;

/// A time as the database keeps it: UTC RFC 3339 with milliseconds.
pub(crate) fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str, column: usize) -> SqlResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| SqlError::Unreadable {
            column,
            message: e.to_string(),
        })
}

fn time_at(row: &Row, column: usize) -> SqlResult<DateTime<Utc>> {
    let text: String = row.get(column)?;
    parse_time(&text, column)
}

fn opt_time_at(row: &Row, column: usize) -> SqlResult<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| parse_time(&t, column)).transpose()
}

fn json_at<T: serde::de::DeserializeOwned>(row: &Row, column: usize) -> SqlResult<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| SqlError::Unreadable {
        column,
        message: e.to_string(),
    })
}

fn count_at(row: &Row, column: usize) -> SqlResult<u32> {
    let n: i64 = row.get(column)?;
    Ok(u32::try_from(n.max(0)).unwrap_or(u32::MAX))
}

const CONNECTION_COLUMNS: &str = "id, store_id, marketplace, base_url, credentials_json, \
     period_seconds, enabled, orders_cursor, claims_cursor, failures, next_run_at, created_at, \
     updated_at, carrier_codes_json, api_version";

fn connection_row(row: &Row) -> SqlResult<ConnectionRow> {
    Ok(ConnectionRow {
        id: row.get(0)?,
        store: StoreId(row.get(1)?),
        marketplace: row.get(2)?,
        base_url: row.get(3)?,
        credentials: SealedCredentials::from_stored(row.get(4)?),
        period_seconds: count_at(row, 5)?,
        enabled: row.get::<bool>(6)?,
        orders_cursor: row.get(7)?,
        claims_cursor: row.get(8)?,
        failures: count_at(row, 9)?,
        next_run_at: time_at(row, 10)?,
        created_at: time_at(row, 11)?,
        updated_at: time_at(row, 12)?,
        carrier_codes: json_at(row, 13)?,
        api_version: row.get(14)?,
    })
}

/// What a new connection row holds.
pub(crate) struct NewRow<'a> {
    pub store: StoreId,
    pub marketplace: &'a str,
    pub base_url: &'a str,
    /// Sealed for this store, marketplace and base URL.
    pub credentials: &'a SealedCredentials,
    pub period_seconds: u32,
    pub enabled: bool,
    pub carrier_codes: &'a BTreeMap<String, String>,
    /// The API version pinned ('' for none).
    pub api_version: &'a str,
}

/// Inserts a connection, due at once. `Ok(None)` when the store has this marketplace at this
/// base URL already.
pub(crate) fn insert_connection(
    conn: &mut Conn,
    new: &NewRow<'_>,
    now: DateTime<Utc>,
) -> SqlResult<Option<i64>> {
    let credentials = new.credentials.as_str();
    let carrier_codes =
        serde_json::to_string(new.carrier_codes).map_err(|e| SqlError::Encode(e.to_string()))?;
    let now = time_text(now);
    conn.query_row(
        "INSERT INTO connections (store_id, marketplace, base_url, credentials_json, \
         period_seconds, enabled, next_run_at, created_at, updated_at, carrier_codes_json, \
         api_version) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7, ?8, ?9) \
         ON CONFLICT (store_id, marketplace, base_url) DO NOTHING RETURNING id",
        params![
            new.store.0,
            new.marketplace,
            new.base_url,
            credentials,
            new.period_seconds,
            new.enabled,
            now,
            carrier_codes,
            new.api_version
        ],
        |row| row.get(0),
    )
    .optional()
}

/// The connection `id`, if it belongs to `store` (any store when `None`: the scheduler's view).
pub(crate) fn get_connection(
    conn: &mut Conn,
    store: Option<StoreId>,
    id: i64,
) -> SqlResult<Option<ConnectionRow>> {
    conn.query_row(
        &format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections \
             WHERE id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR store_id = ?2)"
        ),
        params![id, store.map(|s| s.0)],
        connection_row,
    )
    .optional()
}

/// The store's connection for `marketplace` at `base_url`.
pub(crate) fn find_connection(
    conn: &mut Conn,
    store: StoreId,
    marketplace: &str,
    base_url: &str,
) -> SqlResult<Option<ConnectionRow>> {
    conn.query_row(
        &format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections \
             WHERE store_id = ?1 AND marketplace = ?2 AND base_url = ?3"
        ),
        params![store.0, marketplace, base_url],
        connection_row,
    )
    .optional()
}

/// The store's connections, oldest first.
pub(crate) fn list_connections(conn: &mut Conn, store: StoreId) -> SqlResult<Vec<ConnectionRow>> {
    conn.query_map(
        &format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE store_id = ?1 ORDER BY id"),
        params![store.0],
        connection_row,
    )
}

/// Every connection whose credentials are not sealed (rows written before encryption), any
/// store's.
pub(crate) fn plain_credentials(conn: &mut Conn) -> SqlResult<Vec<ConnectionRow>> {
    conn.query_map(
        &format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections \
             WHERE substr(credentials_json, 1, 4) <> 'enc:' ORDER BY id"
        ),
        params![],
        connection_row,
    )
}

/// Replaces a connection's stored credentials (and nothing else).
pub(crate) fn set_credentials(
    conn: &mut Conn,
    id: i64,
    credentials: &SealedCredentials,
) -> SqlResult<()> {
    conn.execute(
        "UPDATE connections SET credentials_json = ?2 WHERE id = ?1",
        params![id, credentials.as_str()],
    )?;
    Ok(())
}

/// Changes a connection's settings; `false` when it is not the store's.
pub(crate) fn update_connection(
    conn: &mut Conn,
    row: &ConnectionRow,
    now: DateTime<Utc>,
) -> SqlResult<bool> {
    let credentials = row.credentials.as_str();
    let carrier_codes =
        serde_json::to_string(&row.carrier_codes).map_err(|e| SqlError::Encode(e.to_string()))?;
    let changed = conn.execute(
        "UPDATE connections SET base_url = ?3, credentials_json = ?4, period_seconds = ?5, \
         enabled = ?6, failures = ?7, next_run_at = ?8, updated_at = ?9, \
         carrier_codes_json = ?10, api_version = ?11 \
         WHERE id = ?1 AND store_id = ?2",
        params![
            row.id,
            row.store.0,
            row.base_url,
            credentials,
            row.period_seconds,
            row.enabled,
            row.failures,
            time_text(row.next_run_at),
            time_text(now),
            carrier_codes,
            row.api_version
        ],
    )?;
    Ok(changed == 1)
}

/// Enabled connections due at `now`, most overdue first.
pub(crate) fn due_connections(
    conn: &mut Conn,
    now: DateTime<Utc>,
) -> SqlResult<Vec<ConnectionRow>> {
    conn.query_map(
        &format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections \
             WHERE enabled = 1 AND next_run_at <= ?1 ORDER BY next_run_at, id"
        ),
        params![time_text(now)],
        connection_row,
    )
}

/// When the next enabled connection is due.
pub(crate) fn next_due(conn: &mut Conn) -> SqlResult<Option<DateTime<Utc>>> {
    let text: Option<String> = conn.query_row(
        "SELECT MIN(next_run_at) FROM connections WHERE enabled = 1",
        params![],
        |row| row.get(0),
    )?;
    text.map(|t| parse_time(&t, 0)).transpose()
}

/// Sets when the connection runs next, and its failures in a row.
pub(crate) fn set_schedule(
    conn: &mut Conn,
    id: i64,
    failures: u32,
    next_run_at: DateTime<Utc>,
) -> SqlResult<()> {
    conn.execute(
        "UPDATE connections SET failures = ?2, next_run_at = ?3 WHERE id = ?1",
        params![id, failures, time_text(next_run_at)],
    )?;
    Ok(())
}

/// Which cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feed {
    Orders,
    Claims,
}

impl Feed {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Feed::Orders => "orders",
            Feed::Claims => "claims",
        }
    }
}

/// Saves a cursor (after the page's commands are committed).
pub(crate) fn save_cursor(conn: &mut Conn, id: i64, feed: Feed, cursor: &str) -> SqlResult<()> {
    let sql = match feed {
        Feed::Orders => "UPDATE connections SET orders_cursor = ?2 WHERE id = ?1",
        Feed::Claims => "UPDATE connections SET claims_cursor = ?2 WHERE id = ?1",
    };
    conn.execute(sql, params![id, cursor])?;
    Ok(())
}

/// Opens a run's record (finished later); returns its id.
pub(crate) fn start_run(
    conn: &mut Conn,
    connection: i64,
    trigger: Trigger,
    started_at: DateTime<Utc>,
) -> SqlResult<i64> {
    conn.query_row(
        "INSERT INTO collection_runs (connection_id, trigger, started_at) VALUES (?1, ?2, ?3) \
         RETURNING id",
        params![connection, trigger.as_str(), time_text(started_at)],
        |row| row.get(0),
    )
}

/// Writes a run's counts, notes and error.
pub(crate) fn finish_run(conn: &mut Conn, run: &RunRecord) -> SqlResult<()> {
    let notes = serde_json::to_string(&run.notes).map_err(|e| SqlError::Encode(e.to_string()))?;
    conn.execute(
        "UPDATE collection_runs SET finished_at = ?2, orders_new = ?3, orders_updated = ?4, \
         orders_unchanged = ?5, orders_skipped = ?6, claims = ?7, claims_withdrawn = ?8, \
         cancels_applied = ?9, cancels_unmatched = ?10, invoices_sent = ?11, malformed = ?12, \
         notes_json = ?13, error = ?14 WHERE id = ?1",
        params![
            run.id,
            run.finished_at.map(time_text),
            run.orders_new,
            run.orders_updated,
            run.orders_unchanged,
            run.orders_skipped,
            run.claims,
            run.claims_withdrawn,
            run.cancels_applied,
            run.cancels_unmatched,
            run.invoices_sent,
            run.malformed,
            notes,
            run.error
        ],
    )?;
    Ok(())
}

const RUN_COLUMNS: &str = "r.id, r.connection_id, r.trigger, r.started_at, r.finished_at, \
     r.orders_new, r.orders_updated, r.orders_unchanged, r.orders_skipped, r.claims, \
     r.claims_withdrawn, r.cancels_applied, r.cancels_unmatched, r.invoices_sent, r.malformed, \
     r.notes_json, r.error";

fn run_row(row: &Row) -> SqlResult<RunRecord> {
    let trigger: String = row.get(2)?;
    Ok(RunRecord {
        id: row.get(0)?,
        connection_id: row.get(1)?,
        trigger: if trigger == "manual" {
            Trigger::Manual
        } else {
            Trigger::Schedule
        },
        started_at: time_at(row, 3)?,
        finished_at: opt_time_at(row, 4)?,
        orders_new: count_at(row, 5)?,
        orders_updated: count_at(row, 6)?,
        orders_unchanged: count_at(row, 7)?,
        orders_skipped: count_at(row, 8)?,
        claims: count_at(row, 9)?,
        claims_withdrawn: count_at(row, 10)?,
        cancels_applied: count_at(row, 11)?,
        cancels_unmatched: count_at(row, 12)?,
        invoices_sent: count_at(row, 13)?,
        malformed: count_at(row, 14)?,
        notes: json_at(row, 15)?,
        error: row.get(16)?,
    })
}

/// A connection's runs, newest first (the store's only).
pub(crate) fn list_runs(
    conn: &mut Conn,
    store: StoreId,
    connection: i64,
    limit: usize,
) -> SqlResult<Vec<RunRecord>> {
    conn.query_map(
        &format!(
            "SELECT {RUN_COLUMNS} FROM collection_runs r \
             JOIN connections c ON c.id = r.connection_id \
             WHERE r.connection_id = ?1 AND c.store_id = ?2 ORDER BY r.id DESC LIMIT ?3"
        ),
        params![connection, store.0, limit],
        run_row,
    )
}

/// The connection's latest run.
pub(crate) fn last_run(conn: &mut Conn, connection: i64) -> SqlResult<Option<RunRecord>> {
    conn.query_row(
        &format!(
            "SELECT {RUN_COLUMNS} FROM collection_runs r WHERE r.connection_id = ?1 \
             ORDER BY r.id DESC LIMIT 1"
        ),
        params![connection],
        run_row,
    )
    .optional()
}

/// Keeps the payloads a run could not use, once each: one met again (every run re-reads a page
/// until its cursor moves) only counts another sighting.
pub(crate) fn record_malformed(
    conn: &mut Conn,
    connection: i64,
    run: i64,
    feed: Feed,
    payloads: &[MalformedPayload],
    now: DateTime<Utc>,
) -> SqlResult<()> {
    let now = time_text(now);
    // The same upsert on both engines, but PostgreSQL keeps the uniqueness on the texts' MD5
    // (its index entries are too small for raw bodies; see migrations/postgres/0004).
    let conflict = match conn.engine() {
        Engine::Sqlite => "(connection_id, feed, error, raw)",
        Engine::Postgres => "(connection_id, feed, (md5(error)), (md5(raw)))",
    };
    let sql = format!(
        "INSERT INTO malformed_payloads (connection_id, first_run_id, last_run_id, received_at, \
         last_seen_at, feed, at_path, error, raw) VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT {conflict} DO UPDATE SET \
         last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at, \
         at_path = excluded.at_path, times_seen = malformed_payloads.times_seen + 1"
    );
    for payload in payloads {
        conn.execute(
            &sql,
            params![
                connection,
                run,
                now,
                feed.as_str(),
                payload.at_path,
                payload.error,
                payload.raw
            ],
        )?;
    }
    Ok(())
}

/// The store's malformed payloads, newest first.
pub(crate) fn list_malformed(
    conn: &mut Conn,
    store: StoreId,
    limit: usize,
) -> SqlResult<Vec<MalformedRecord>> {
    conn.query_map(
        "SELECT m.id, m.connection_id, c.marketplace, m.first_run_id, m.last_run_id, \
         m.received_at, m.last_seen_at, m.times_seen, m.feed, m.at_path, m.error, m.raw \
         FROM malformed_payloads m JOIN connections c ON c.id = m.connection_id \
         WHERE c.store_id = ?1 ORDER BY m.id DESC LIMIT ?2",
        params![store.0, limit],
        |row| {
            Ok(MalformedRecord {
                id: row.get(0)?,
                connection_id: row.get(1)?,
                marketplace: row.get(2)?,
                first_run_id: row.get(3)?,
                last_run_id: row.get(4)?,
                received_at: time_at(row, 5)?,
                last_seen_at: time_at(row, 6)?,
                times_seen: count_at(row, 7)?,
                feed: row.get(8)?,
                at_path: row.get(9)?,
                error: row.get(10)?,
                raw: row.get(11)?,
            })
        },
    )
}

/// Remembers the marketplace's shipment numbers of collected lines: `(order_no, keys JSON,
/// shipment_no)`.
pub(crate) fn save_shipments(
    conn: &mut Conn,
    store: StoreId,
    marketplace: &str,
    shipments: &[(String, String, String)],
) -> SqlResult<()> {
    for (order_no, keys, shipment_no) in shipments {
        conn.execute(
            "INSERT INTO shipment_numbers (store_id, marketplace, order_no, line_keys_json, \
             shipment_no) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (store_id, marketplace, order_no, line_keys_json) \
             DO UPDATE SET shipment_no = excluded.shipment_no",
            params![store.0, marketplace, order_no, keys, shipment_no],
        )?;
    }
    Ok(())
}

/// The shipment number of the first of `keys` (lines' keys as JSON) that has one.
pub(crate) fn shipment_no(
    conn: &mut Conn,
    store: StoreId,
    marketplace: &str,
    order_no: &str,
    keys: &[String],
) -> SqlResult<Option<String>> {
    for key in keys {
        let found: Option<String> = conn
            .query_row(
                "SELECT shipment_no FROM shipment_numbers WHERE store_id = ?1 \
                 AND marketplace = ?2 AND order_no = ?3 AND line_keys_json = ?4",
                params![store.0, marketplace, order_no, key],
                |row| row.get(0),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Every store's id (for the automatic rules' tick).
pub(crate) fn store_ids(conn: &mut Conn) -> SqlResult<Vec<StoreId>> {
    conn.query_map("SELECT id FROM stores ORDER BY id", params![], |row| {
        Ok(StoreId(row.get(0)?))
    })
}

/// The store with this sign-in code.
pub(crate) fn store_by_code(conn: &mut Conn, code: &str) -> SqlResult<Option<StoreId>> {
    conn.query_row(
        "SELECT id FROM stores WHERE code = ?1",
        params![code],
        |row| Ok(StoreId(row.get(0)?)),
    )
    .optional()
}

/// A claim acknowledgement the marketplace has not taken yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingAck {
    /// `<kind>:<claim number or line keys>`.
    pub claim_ref: String,
    /// The claim as JSON.
    pub claim_json: String,
    /// Tries so far.
    pub attempts: u32,
}

/// Records a failed acknowledgement: a new row, or one more try of a known one.
pub(crate) fn save_pending_ack(
    conn: &mut Conn,
    connection: i64,
    claim_ref: &str,
    claim_json: &str,
    error: &str,
    now: DateTime<Utc>,
) -> SqlResult<()> {
    let now = time_text(now);
    conn.execute(
        "INSERT INTO pending_acknowledgements (connection_id, claim_ref, claim_json, \
         first_failed_at, last_tried_at, attempts, last_error) VALUES (?1, ?2, ?3, ?4, ?4, 1, ?5) \
         ON CONFLICT (connection_id, claim_ref) DO UPDATE SET \
         attempts = pending_acknowledgements.attempts + 1, \
         last_tried_at = excluded.last_tried_at, last_error = excluded.last_error",
        params![connection, claim_ref, claim_json, now, error],
    )?;
    Ok(())
}

/// Up to `limit` of the connection's pending acknowledgements last tried before `before`,
/// oldest first.
pub(crate) fn pending_acks(
    conn: &mut Conn,
    connection: i64,
    before: DateTime<Utc>,
    limit: usize,
) -> SqlResult<Vec<PendingAck>> {
    conn.query_map(
        "SELECT claim_ref, claim_json, attempts FROM pending_acknowledgements \
         WHERE connection_id = ?1 AND last_tried_at < ?2 \
         ORDER BY first_failed_at, claim_ref LIMIT ?3",
        params![connection, time_text(before), limit],
        |row| {
            Ok(PendingAck {
                claim_ref: row.get(0)?,
                claim_json: row.get(1)?,
                attempts: count_at(row, 2)?,
            })
        },
    )
}

/// Forgets a pending acknowledgement (taken at last, or its claim withdrawn).
pub(crate) fn drop_pending_ack(conn: &mut Conn, connection: i64, claim_ref: &str) -> SqlResult<()> {
    conn.execute(
        "DELETE FROM pending_acknowledgements WHERE connection_id = ?1 AND claim_ref = ?2",
        params![connection, claim_ref],
    )?;
    Ok(())
}

/// How many acknowledgements of the connection are pending.
pub(crate) fn count_pending_acks(conn: &mut Conn, connection: i64) -> SqlResult<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM pending_acknowledgements WHERE connection_id = ?1",
        params![connection],
        |row| count_at(row, 0),
    )
}
