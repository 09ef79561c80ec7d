-- 0002: stores (tenants), their users, and sign-in sessions.
--
-- Every business row added later carries a store_id; a request only ever sees the rows of the
-- store its session belongs to. Times are UTC RFC 3339 text with milliseconds and a `Z`
-- (`2026-11-24T09:30:00.000Z`), so they sort and compare as text.

CREATE TABLE stores (
    id         INTEGER PRIMARY KEY NOT NULL,
    -- What people type at sign-in, e.g. `demo`: lower-case letters, digits, `.`, `_`, `-`.
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY NOT NULL,
    store_id      INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- Unique inside its store; two stores may both have a `kim`.
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'viewer')),
    -- Argon2id PHC string (`$argon2id$v=19$m=…`), never the password.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (store_id, login)
);

CREATE TABLE sessions (
    -- SHA-256 of the bearer token, hex; the token itself is never stored.
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- NULL while the session is usable; set by sign-out.
    revoked_at TEXT
);

CREATE INDEX sessions_by_user ON sessions (user_id);
