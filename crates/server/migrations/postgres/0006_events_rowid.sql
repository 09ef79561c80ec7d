-- 0006 (PostgreSQL): nothing to do. SQLite's 0006 rebuilt `events` from a WITHOUT ROWID table
-- into an ordinary one so rows pack into pages; PostgreSQL's heap tables always store rows that
-- way, with (store_id, seq) as a separate index. Kept so both engines count the same versions.
SELECT 1;
