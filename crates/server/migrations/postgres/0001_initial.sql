-- 0001 (PostgreSQL): the server's own bookkeeping; see ../0001_initial.sql.
--
-- The PostgreSQL schema is the SQLite one in PostgreSQL's words, version for version: whole
-- numbers are BIGINT (what the server binds), generated ids are identity columns, and times
-- are RFC 3339 text in the "C" collation so they compare byte by byte, as in SQLite.
CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
