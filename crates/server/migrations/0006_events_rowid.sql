-- 0006: `events` as an ordinary rowid table.
--
-- 0003 declared it WITHOUT ROWID. A WITHOUT ROWID table keeps whole rows in its b-tree, and a
-- row larger than about a twentieth of a page (an event is ~1.4 KB of JSON) spills into its own
-- overflow page: 4,686 bytes per collected order against ~2,070 in an ordinary table, where rows
-- are packed into the table's pages and (store_id, seq) is a separate small index.
--
-- Rebuilt with the same columns, the same primary key (store_id, seq) — now a unique index
-- beside the rowid — and the same partial index, rows copied in seq order. It runs inside the
-- migration's transaction: a crash leaves the old table or the new one, never half of either.
-- Nothing references `events`, so dropping the old table breaks no foreign key; its own
-- reference to `stores` is declared again.

CREATE TABLE events_rowid (
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
);

INSERT INTO events_rowid (store_id, seq, at, actor, event_json, op_key)
    SELECT store_id, seq, at, actor, event_json, op_key FROM events ORDER BY store_id, seq;

DROP TABLE events;

ALTER TABLE events_rowid RENAME TO events;

CREATE INDEX events_by_op_key ON events (store_id, op_key) WHERE op_key IS NOT NULL;
