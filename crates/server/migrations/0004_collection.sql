-- 0004: marketplace collection (issue 4) — each store's connected marketplace accounts, a record
-- of every collection run, the payloads a run could not use (kept with their raw bodies), and
-- the marketplaces' shipment numbers that invoice uploads need.
--
-- Credentials are kept as JSON in plain text, like the rest of the data directory; encrypting
-- them at rest (with a key outside the database) is a planned follow-up.

CREATE TABLE connections (
    id               INTEGER PRIMARY KEY NOT NULL,
    store_id         INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- A code of jumun-core's marketplace table (data/marketplaces.tsv).
    marketplace      TEXT NOT NULL,
    -- The API's base URL without a trailing slash.
    base_url         TEXT NOT NULL,
    -- The collector's StoredCredentials as JSON.
    credentials_json TEXT NOT NULL,
    -- Seconds between runs (R25: 600–1800; shorter only for a loopback sandbox).
    period_seconds   INTEGER NOT NULL CHECK (period_seconds >= 1),
    enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- Where the next collection resumes (the adapter's opaque cursor; '' = its default start).
    -- Saved only after the commands of the page it covers are committed.
    orders_cursor    TEXT NOT NULL DEFAULT '',
    claims_cursor    TEXT NOT NULL DEFAULT '',
    -- Failed runs in a row (backoff: period × 2^failures, at most an hour); 0 after a success.
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    -- When the scheduler runs it next (UTC RFC 3339 with milliseconds).
    next_run_at      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (store_id, marketplace, base_url)
);

CREATE INDEX connections_due ON connections (enabled, next_run_at);

CREATE TABLE collection_runs (
    id                INTEGER PRIMARY KEY NOT NULL,
    connection_id     INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- 'schedule' or 'manual' (collect now).
    trigger           TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    started_at        TEXT NOT NULL,
    -- NULL while running, or when the server stopped mid-run.
    finished_at       TEXT,
    orders_new        INTEGER NOT NULL DEFAULT 0,
    orders_updated    INTEGER NOT NULL DEFAULT 0,
    orders_unchanged  INTEGER NOT NULL DEFAULT 0,
    orders_skipped    INTEGER NOT NULL DEFAULT 0,
    claims            INTEGER NOT NULL DEFAULT 0,
    claims_withdrawn  INTEGER NOT NULL DEFAULT 0,
    cancels_applied   INTEGER NOT NULL DEFAULT 0,
    cancels_unmatched INTEGER NOT NULL DEFAULT 0,
    invoices_sent     INTEGER NOT NULL DEFAULT 0,
    malformed         INTEGER NOT NULL DEFAULT 0,
    -- What the operator should know about single items (skipped exchange lines, refusals,
    -- failed acknowledgements or invoice uploads), as a JSON array of strings.
    notes_json        TEXT NOT NULL DEFAULT '[]',
    -- Why a stage of the run failed (marketplace unreachable, unexpected body); NULL when none.
    error             TEXT
);

CREATE INDEX collection_runs_by_connection ON collection_runs (connection_id, id);

CREATE TABLE malformed_payloads (
    id            INTEGER PRIMARY KEY NOT NULL,
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- The run that first met it, and the last one that met it again.
    first_run_id  INTEGER NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
    last_run_id   INTEGER NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
    received_at   TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    times_seen    INTEGER NOT NULL DEFAULT 1,
    -- 'orders' or 'claims'.
    feed          TEXT NOT NULL CHECK (feed IN ('orders', 'claims')),
    -- The request and the element's JSON path, e.g. `GET https://… $.orders[3]`.
    at_path       TEXT NOT NULL,
    error         TEXT NOT NULL,
    -- The element's raw JSON (or the whole body).
    raw           TEXT NOT NULL,
    UNIQUE (connection_id, feed, error, raw)
);

CREATE INDEX malformed_by_connection ON malformed_payloads (connection_id, id);

CREATE TABLE shipment_numbers (
    store_id       INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    marketplace    TEXT NOT NULL,
    order_no       TEXT NOT NULL,
    -- The line's MarketplaceKeys as JSON, as collected.
    line_keys_json TEXT NOT NULL,
    -- The marketplace's parcel number (Cafe24 shipping_code, Coupang shipmentBoxId, Naver
    -- packageNumber), sent back with the invoice number (R29).
    shipment_no    TEXT NOT NULL,
    PRIMARY KEY (store_id, marketplace, order_no, line_keys_json)
) WITHOUT ROWID;
