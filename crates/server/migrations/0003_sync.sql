-- 0003: operators' sync — each store's event log, the answers to keyed operations, and the
-- sequence from which id blocks are reserved.
--
-- The event log is the store's truth: its book (orders, claims, …) is the fold of its events in
-- seq order (jumun-core's Book::replay). Events and the answer to the operation that caused them
-- are written in one transaction, so an acknowledged operation is never lost and a retried one
-- (same key) is never applied twice.

CREATE TABLE events (
    store_id   INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- 1, 2, 3, … per store, without gaps: the cursor browsers pull from.
    seq        INTEGER NOT NULL,
    -- The event's time (UTC RFC 3339 with milliseconds), copied from event_json for queries.
    at         TEXT NOT NULL,
    -- Who: `operator:<login>`, `sync:<marketplace>` or `automatic`, copied from event_json.
    actor      TEXT NOT NULL,
    -- jumun_core::Event as JSON.
    event_json TEXT NOT NULL,
    -- The idempotency key of the operation that caused it; NULL for unkeyed writes (sync,
    -- automatic rules).
    op_key     TEXT,
    PRIMARY KEY (store_id, seq)
) WITHOUT ROWID;

CREATE INDEX events_by_op_key ON events (store_id, op_key) WHERE op_key IS NOT NULL;

CREATE TABLE operations (
    store_id      INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- Chosen by the client, unique per store.
    key           TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    -- The answer given (accepted with its seq range, or refused with the reason), repeated for
    -- a retry.
    response_json TEXT NOT NULL,
    PRIMARY KEY (store_id, key)
) WITHOUT ROWID;

CREATE TABLE id_blocks (
    store_id INTEGER PRIMARY KEY NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- The first number not yet handed out.
    next     INTEGER NOT NULL CHECK (next >= 1)
);
