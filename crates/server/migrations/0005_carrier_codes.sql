-- 0005: each marketplace connection's own carrier codes for invoice uploads (R29) — the console's
-- carrier code → the marketplace's code, as a JSON object (`{"cj": "0006"}`). Cafe24's
-- shipping_company_code is per mall, so a Cafe24 connection needs it; elsewhere it overrides the
-- adapter's known codes. '{}': none.

ALTER TABLE connections ADD COLUMN carrier_codes_json TEXT NOT NULL DEFAULT '{}';
