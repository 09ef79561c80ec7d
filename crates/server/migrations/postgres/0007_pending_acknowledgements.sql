-- 0007 (PostgreSQL): claim acknowledgements to try again; see ../0007_pending_acknowledgements.sql.

CREATE TABLE pending_acknowledgements (
    connection_id   BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    claim_ref       TEXT NOT NULL,
    claim_json      TEXT NOT NULL,
    first_failed_at TEXT COLLATE "C" NOT NULL,
    last_tried_at   TEXT COLLATE "C" NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    last_error      TEXT NOT NULL,
    PRIMARY KEY (connection_id, claim_ref)
);
