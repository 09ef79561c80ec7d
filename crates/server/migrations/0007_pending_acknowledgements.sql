-- 0007: claim acknowledgements a marketplace did not take (unreachable, an error answer), kept
-- so every later run of the connection tries them again until it does. Without this a claim
-- whose acknowledgement failed once stayed unacknowledged at the marketplace for good: the
-- claims cursor had already moved past it.

CREATE TABLE pending_acknowledgements (
    connection_id   INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- The claim at the marketplace: `<kind>:<claim number>`, or `<kind>:<line keys JSON>` for a
    -- marketplace that numbers no claims.
    claim_ref       TEXT NOT NULL,
    -- The collector's MarketClaim as JSON: what the adapter acknowledges.
    claim_json      TEXT NOT NULL,
    first_failed_at TEXT NOT NULL,
    last_tried_at   TEXT NOT NULL,
    -- Tries so far, the first included.
    attempts        INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    last_error      TEXT NOT NULL,
    PRIMARY KEY (connection_id, claim_ref)
);
