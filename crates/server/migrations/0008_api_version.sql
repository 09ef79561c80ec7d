-- 0008: the marketplace API version a connection is pinned to (issue 13, point 12). Cafe24 serves
-- each call in the version named by its X-Cafe24-Api-Version header, else in the app's version
-- set in its developer centre, which can change under a running connection. '': not pinned
-- (connections made before this migration, and marketplaces without API versions).

ALTER TABLE connections ADD COLUMN api_version TEXT NOT NULL DEFAULT '';
