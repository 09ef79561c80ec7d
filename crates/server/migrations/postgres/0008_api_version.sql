-- 0008 (PostgreSQL): the marketplace API version a connection is pinned to; see
-- ../0008_api_version.sql.

ALTER TABLE connections ADD COLUMN api_version TEXT NOT NULL DEFAULT '';
