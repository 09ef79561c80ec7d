-- 0005 (PostgreSQL): each connection's carrier codes for invoice uploads (R29); see
-- ../0005_carrier_codes.sql.

ALTER TABLE connections ADD COLUMN carrier_codes_json TEXT NOT NULL DEFAULT '{}';
