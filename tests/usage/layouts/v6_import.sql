-- How layout 6's import stored the staged rows of one file (`staged_rows`, with an
-- `ordinal`): queries.insert_new_rows_sql at 4b2cbaf, its columns expanded, the format's
-- source kind and grain ($3, $4 then: usage.ledger.source_of) written out; then
-- queries.attributes_insert_sql. $1 = import id, $2 = format. Which rows count and the
-- period sums are derived: the migration recomputes them.
INSERT INTO usage_ledger (row_id, import_id, source_format, natural_key, attr_id, ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags, task_class, service_tier, batch, long_context, requests, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd, source_kind, grain, dimensions, audio_input_tokens, audio_output_tokens, cache_write_1h_tokens, failed_requests, charge_category, focus_list_cost_usd, pricing_unit, pricing_quantity, commitment_id, repeats_per_tag)
SELECT (SELECT COALESCE(max(row_id), 0) FROM usage_ledger) + d.ordinal + 1, $1, $2,
       d.final_key, hash(d.project, d.user_id, d.api_key, d.workspace, d.team, d.tags, d.task_class), d.ts, d.raw_model, d.provider_hint, d.project, d.user_id, d.api_key, d.workspace, d.team, d.tags, d.task_class, d.service_tier, d.batch, d.long_context, d.requests, d.input_tokens, d.cached_input_tokens, d.cache_write_tokens, d.output_tokens, d.billed_cost_usd, COALESCE(d.source_kind, CASE $2 WHEN 'openai_costs' THEN 'cost_line' WHEN 'anthropic_cost' THEN 'cost_line' WHEN 'focus' THEN 'billing' WHEN 'litellm_spendlogs' THEN 'gateway_log' WHEN 'litellm_daily' THEN 'gateway_log' WHEN 'openrouter' THEN 'gateway_log' WHEN 'generic' THEN 'gateway_log' ELSE 'usage_export' END), COALESCE(d.grain, CASE $2 WHEN 'openai_costs' THEN 'day' WHEN 'anthropic_cost' THEN 'day' WHEN 'litellm_spendlogs' THEN 'request' WHEN 'litellm_daily' THEN 'day' WHEN 'openrouter' THEN 'day' WHEN 'generic' THEN 'request' ELSE (SELECT CASE WHEN bool_and(ts = date_trunc('day', ts)) THEN 'day' ELSE 'hour' END FROM staged_rows) END), d.dimensions, d.audio_input_tokens, d.audio_output_tokens, d.cache_write_1h_tokens, d.failed_requests, d.charge_category, d.focus_list_cost_usd, d.pricing_unit, d.pricing_quantity, d.commitment_id, d.repeats_per_tag
FROM (
    SELECT k.*,
           CASE WHEN k.natural_key IS NOT NULL THEN k.base_key
                ELSE ((CAST(hash(k.base_key, k.seen) AS UHUGEINT) << 64) | CAST(hash(k.seen, k.base_key) AS UHUGEINT)) END AS final_key
    FROM (
        SELECT b.*, row_number() OVER (PARTITION BY b.base_key ORDER BY b.ordinal) AS seen
        FROM (SELECT s.*,
                     CASE WHEN s.natural_key IS NOT NULL
                          THEN ((CAST(hash($2, s.natural_key) AS UHUGEINT) << 64) | CAST(hash(s.natural_key, $2) AS UHUGEINT))
                          ELSE ((CAST(hash($2, ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags, task_class, service_tier, batch, long_context, requests, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd) AS UHUGEINT) << 64) | CAST(hash(ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags, task_class, service_tier, batch, long_context, requests, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd, $2) AS UHUGEINT)) END AS base_key
              FROM staged_rows s) b
    ) k
    WHERE k.natural_key IS NULL OR k.seen = 1
) d;
INSERT INTO attributes (attr_id, project, user_id, api_key, workspace, team, tags, task_class)
SELECT attr_id, any_value(project), any_value(user_id), any_value(api_key), any_value(workspace), any_value(team), any_value(tags), any_value(task_class)
FROM usage_ledger u
WHERE u.import_id = $1 AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.attr_id = u.attr_id)
GROUP BY attr_id;
