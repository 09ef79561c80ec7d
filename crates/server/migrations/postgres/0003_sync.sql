-- 0003 (PostgreSQL): each store's event log, the answers to keyed operations, and the id
-- sequence; see ../0003_sync.sql.

CREATE TABLE events (
    store_id   BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    actor      TEXT NOT NULL,
    event_json TEXT NOT NULL,
    op_key     TEXT,
    PRIMARY KEY (store_id, seq)
);

CREATE INDEX events_by_op_key ON events (store_id, op_key) WHERE op_key IS NOT NULL;

CREATE TABLE operations (
    store_id      BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    received_at   TEXT COLLATE "C" NOT NULL,
    response_json TEXT NOT NULL,
    PRIMARY KEY (store_id, key)
);

CREATE TABLE id_blocks (
    store_id BIGINT PRIMARY KEY NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    next     BIGINT NOT NULL CHECK (next >= 1)
);
