-- 0001: the server's own bookkeeping. Business tables arrive with the API (stores, users,
-- marketplace connections, orders, the operation log) in later migrations.
CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
