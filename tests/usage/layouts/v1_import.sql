-- How layout 1's import stored the staged rows of one file (`staged_rows`, with an
-- `ordinal`): queries.insert_new_rows_sql at c59535d and bd80a7a, its columns expanded.
-- $1 = import id, $2 = format. Keyless rows (generic CSV) get md5 of their values
-- || '#' || their occurrence among identical rows of the file. Then a daily rollup into
-- usage_daily: simplified here (the code grouped by the price thresholds too); it is
-- derived, and the migration rebuilds it.
INSERT INTO usage_rows (row_id, import_id, source_format, natural_key,
    ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags,
    task_class, service_tier, batch, long_context, requests, input_tokens,
    cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd)
SELECT nextval('usage_row_ids'), $1, $2, d.final_key,
       d.ts, d.raw_model, d.provider_hint, d.project, d.user_id, d.api_key, d.workspace,
       d.team, d.tags, d.task_class, d.service_tier, d.batch, d.long_context, d.requests,
       d.input_tokens, d.cached_input_tokens, d.cache_write_tokens, d.output_tokens,
       d.billed_cost_usd
FROM (
    SELECT k.*, row_number() OVER (PARTITION BY k.final_key ORDER BY k.ordinal) AS seen
    FROM (
        SELECT b.*,
               CASE WHEN b.natural_key IS NOT NULL THEN b.natural_key
                    ELSE b.base_key || '#' || CAST(row_number() OVER (
                        PARTITION BY b.base_key ORDER BY b.ordinal) AS VARCHAR) END AS final_key
        FROM (SELECT s.*, md5(concat_ws('|',
        $2, COALESCE(CAST(ts AS VARCHAR), '~'), COALESCE(CAST(raw_model AS VARCHAR), '~'),
        COALESCE(CAST(provider_hint AS VARCHAR), '~'),
        COALESCE(CAST(project AS VARCHAR), '~'), COALESCE(CAST(user_id AS VARCHAR), '~'),
        COALESCE(CAST(api_key AS VARCHAR), '~'), COALESCE(CAST(workspace AS VARCHAR), '~'),
        COALESCE(CAST(team AS VARCHAR), '~'), COALESCE(CAST(tags AS VARCHAR), '~'),
        COALESCE(CAST(task_class AS VARCHAR), '~'),
        COALESCE(CAST(service_tier AS VARCHAR), '~'),
        COALESCE(CAST(batch AS VARCHAR), '~'),
        COALESCE(CAST(long_context AS VARCHAR), '~'),
        COALESCE(CAST(requests AS VARCHAR), '~'),
        COALESCE(CAST(input_tokens AS VARCHAR), '~'),
        COALESCE(CAST(cached_input_tokens AS VARCHAR), '~'),
        COALESCE(CAST(cache_write_tokens AS VARCHAR), '~'),
        COALESCE(CAST(output_tokens AS VARCHAR), '~'),
        COALESCE(CAST(billed_cost_usd AS VARCHAR), '~'))) AS base_key
              FROM staged_rows s) b
    ) k
) d
WHERE d.seen = 1
  AND NOT EXISTS (SELECT 1 FROM usage_rows u WHERE u.natural_key = d.final_key);

INSERT INTO usage_daily
SELECT CAST(ts AS DATE), import_id, source_format, raw_model, provider_hint, project, user_id,
       api_key, workspace, team, tags, task_class, batch, long_context, 0,
       billed_cost_usd IS NOT NULL,
       count(*), sum(requests), sum(input_tokens), sum(cached_input_tokens),
       sum(cache_write_tokens), sum(output_tokens), sum(billed_cost_usd)
FROM usage_rows WHERE import_id = $1
GROUP BY ALL;
