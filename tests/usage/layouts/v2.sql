-- Layout 2 of the usage store: the DDL of usage/store.py SCHEMA at 9e9a848. Changes from 1:
-- usage_rows gains attr_id (a 64-bit hash of the seven attribute columns, often above 2^63),
-- the attribute columns move from usage_daily to the new attributes table, price_days is new.
-- The keyless natural key becomes hash(format, values) || '-' || hash(values, format)
-- || '#' || occurrence. No layout marker was written.
CREATE SEQUENCE import_ids START 1;
CREATE SEQUENCE usage_row_ids START 1;
CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE imports (
    import_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL, rows_in_file BIGINT NOT NULL, rows_added BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL);
CREATE TABLE usage_rows (
    row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
    natural_key VARCHAR NOT NULL, attr_id UBIGINT NOT NULL, ts TIMESTAMP NOT NULL,
    raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, project VARCHAR,
    user_id VARCHAR, api_key VARCHAR, workspace VARCHAR, team VARCHAR, tags VARCHAR,
    task_class VARCHAR, service_tier VARCHAR,
    batch BOOLEAN NOT NULL, long_context BOOLEAN NOT NULL, requests DOUBLE NOT NULL,
    input_tokens DOUBLE NOT NULL, cached_input_tokens DOUBLE NOT NULL,
    cache_write_tokens DOUBLE NOT NULL, output_tokens DOUBLE NOT NULL,
    billed_cost_usd DOUBLE);
CREATE TABLE usage_daily (
    day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
    provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
    prompt_over BIGINT, has_billed BOOLEAN, row_count BIGINT, requests DOUBLE,
    input_tokens DOUBLE, cached_input_tokens DOUBLE, cache_write_tokens DOUBLE,
    output_tokens DOUBLE, billed_cost_usd DOUBLE);
CREATE TABLE attributes (
    attr_id UBIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
    workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR);
CREATE TABLE model_map (
    raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, provider VARCHAR,
    model VARCHAR, how VARCHAR NOT NULL);
CREATE TABLE model_aliases (
    raw_model VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL);
CREATE TABLE attribution_rules (
    priority INTEGER NOT NULL, field VARCHAR NOT NULL, pattern VARCHAR NOT NULL,
    is_glob BOOLEAN NOT NULL, team VARCHAR, task_class VARCHAR);
CREATE TABLE price_intervals (
    provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
    valid_to DATE NOT NULL, lc_above BIGINT,
    std_in DOUBLE, std_out DOUBLE, std_cr DOUBLE, std_cw DOUBLE,
    bat_in DOUBLE, bat_out DOUBLE, bat_cr DOUBLE, bat_cw DOUBLE,
    lc_in DOUBLE, lc_out DOUBLE, lc_cr DOUBLE, lc_cw DOUBLE,
    lcb_in DOUBLE, lcb_out DOUBLE, lcb_cr DOUBLE, lcb_cw DOUBLE);
CREATE TABLE price_days (
    provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL, lc_above BIGINT,
    std_in DOUBLE, std_out DOUBLE, std_cr DOUBLE, std_cw DOUBLE,
    bat_in DOUBLE, bat_out DOUBLE, bat_cr DOUBLE, bat_cw DOUBLE,
    lc_in DOUBLE, lc_out DOUBLE, lc_cr DOUBLE, lc_cw DOUBLE,
    lcb_in DOUBLE, lcb_out DOUBLE, lcb_cr DOUBLE, lcb_cw DOUBLE);
-- The costed_usage view of the time, cut down to the tables it read (the migration drops it).
CREATE VIEW costed_usage AS
SELECT u.row_id, u.natural_key, d.row_count, p.std_in
FROM usage_rows u
JOIN usage_daily d ON d.attr_id = u.attr_id AND d.day = CAST(u.ts AS DATE)
LEFT JOIN price_intervals p ON p.model = u.raw_model;
