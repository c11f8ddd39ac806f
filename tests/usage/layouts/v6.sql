-- Layout 6 (usage/schema.py at 4b2cbaf, the last commit before layout 7): its tables
-- and the usage_rows view over the ledger.
CREATE SEQUENCE IF NOT EXISTS import_ids START 1;
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS imports (
        import_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL, rows_in_file BIGINT NOT NULL, rows_added BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL, state VARCHAR NOT NULL DEFAULT 'active', removed_at TIMESTAMP,
        rows_restated BIGINT NOT NULL DEFAULT 0, rows_unchanged BIGINT NOT NULL DEFAULT 0,
        restated_billed_usd DOUBLE NOT NULL DEFAULT 0,
        restated_tokens DOUBLE NOT NULL DEFAULT 0, restated_imports VARCHAR);
CREATE TABLE IF NOT EXISTS usage_ledger (
        row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
        natural_key UHUGEINT NOT NULL, attr_id UBIGINT NOT NULL, ts TIMESTAMP NOT NULL,
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, project VARCHAR,
        user_id VARCHAR, api_key VARCHAR, workspace VARCHAR, team VARCHAR, tags VARCHAR,
        task_class VARCHAR, service_tier VARCHAR,
        batch BOOLEAN NOT NULL, long_context BOOLEAN NOT NULL, requests DOUBLE NOT NULL,
        input_tokens DOUBLE NOT NULL, cached_input_tokens DOUBLE NOT NULL,
        cache_write_tokens DOUBLE NOT NULL, output_tokens DOUBLE NOT NULL,
        billed_cost_usd DOUBLE, source_kind VARCHAR, grain VARCHAR, dimensions VARCHAR,
        audio_input_tokens DOUBLE DEFAULT 0, audio_output_tokens DOUBLE DEFAULT 0,
        cache_write_1h_tokens DOUBLE DEFAULT 0, failed_requests DOUBLE DEFAULT 0,
        charge_category VARCHAR, focus_list_cost_usd DOUBLE, pricing_unit VARCHAR,
        pricing_quantity DOUBLE, commitment_id VARCHAR,
        repeats_per_tag BOOLEAN DEFAULT false,
        status VARCHAR NOT NULL DEFAULT 'counts');
CREATE TABLE IF NOT EXISTS usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, row_count BIGINT,
        requests DOUBLE, input_tokens DOUBLE, cached_input_tokens DOUBLE,
        cache_write_tokens DOUBLE, output_tokens DOUBLE, billed_cost_usd DOUBLE,
        service_tier VARCHAR, clock VARCHAR, audio_input_tokens DOUBLE,
        audio_output_tokens DOUBLE, cache_write_1h_tokens DOUBLE);
CREATE TABLE IF NOT EXISTS settings (
        kind VARCHAR NOT NULL, version BIGINT NOT NULL, saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL, content VARCHAR NOT NULL, PRIMARY KEY (kind, version));
CREATE TABLE IF NOT EXISTS periods (day DATE PRIMARY KEY, period_start DATE NOT NULL);
CREATE TABLE IF NOT EXISTS attributes (
        attr_id UBIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
        workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR);
CREATE TABLE IF NOT EXISTS model_map (
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, provider VARCHAR,
        model VARCHAR, how VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS model_aliases (
        raw_model VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS attribution_rules (
        priority INTEGER NOT NULL, field VARCHAR NOT NULL, pattern VARCHAR NOT NULL,
        is_glob BOOLEAN NOT NULL, team VARCHAR, task_class VARCHAR);
CREATE TABLE IF NOT EXISTS price_intervals (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, lc_above BIGINT, std_in DOUBLE, std_out DOUBLE, std_cr DOUBLE, std_cw DOUBLE, bat_in DOUBLE, bat_out DOUBLE, bat_cr DOUBLE, bat_cw DOUBLE, lc_in DOUBLE, lc_out DOUBLE, lc_cr DOUBLE, lc_cw DOUBLE, lcb_in DOUBLE, lcb_out DOUBLE, lcb_cr DOUBLE, lcb_cw DOUBLE);
CREATE TABLE IF NOT EXISTS price_days (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL,
        lc_above BIGINT, std_in DOUBLE, std_out DOUBLE, std_cr DOUBLE, std_cw DOUBLE, bat_in DOUBLE, bat_out DOUBLE, bat_cr DOUBLE, bat_cw DOUBLE, lc_in DOUBLE, lc_out DOUBLE, lc_cr DOUBLE, lc_cw DOUBLE, lcb_in DOUBLE, lcb_out DOUBLE, lcb_cr DOUBLE, lcb_cw DOUBLE, valid_from DATE);
CREATE TABLE IF NOT EXISTS price_extras (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, kind VARCHAR NOT NULL, slots VARCHAR,
        r_in DOUBLE, r_out DOUBLE, r_cr DOUBLE, r_cw DOUBLE,
        l_in DOUBLE, l_out DOUBLE, l_cr DOUBLE, l_cw DOUBLE);
CREATE VIEW usage_rows AS SELECT row_id, import_id, source_format, natural_key, attr_id, ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags, task_class, service_tier, batch, long_context, requests, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, CASE WHEN status = 'counts_tokens' THEN NULL ELSE billed_cost_usd END AS billed_cost_usd, source_kind, grain, dimensions, audio_input_tokens, audio_output_tokens, cache_write_1h_tokens, failed_requests, charge_category, focus_list_cost_usd, pricing_unit, pricing_quantity, commitment_id, repeats_per_tag FROM usage_ledger WHERE status IN ('counts', 'counts_tokens');
