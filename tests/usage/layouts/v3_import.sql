-- How layout 3's import stored the staged rows of one file (`staged_rows`, with an
-- `ordinal`): queries.insert_new_rows_sql at aa99205, its columns expanded (4b16668 took row
-- ids from the largest stored one instead of the sequence, and compared stored keys only
-- when the file's span held rows of its format: the same rows result).
-- $1 = import id, $2 = format. attr_id is queries.attr_id_sql; keyless rows (generic CSV)
-- get hash(format, values) || '-' || hash(values, format) || '#' || their occurrence.
-- Then queries.attributes_insert_sql, and a rollup into usage_periods: simplified here (the
-- code grouped by price period and thresholds too); it is derived, and the migration
-- rebuilds it.
INSERT INTO usage_rows (row_id, import_id, source_format, natural_key, attr_id,
    ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags,
    task_class, service_tier, batch, long_context, requests, input_tokens,
    cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd)
SELECT nextval('usage_row_ids'), $1, $2, d.final_key,
       hash(d.project, d.user_id, d.api_key, d.workspace, d.team, d.tags, d.task_class),
       d.ts, d.raw_model, d.provider_hint, d.project, d.user_id, d.api_key, d.workspace,
       d.team, d.tags, d.task_class, d.service_tier, d.batch, d.long_context, d.requests,
       d.input_tokens, d.cached_input_tokens, d.cache_write_tokens, d.output_tokens,
       d.billed_cost_usd
FROM (
    SELECT k.*,
           CASE WHEN k.natural_key IS NOT NULL THEN k.natural_key
                ELSE k.base_key || '#' || CAST(k.seen AS VARCHAR) END AS final_key
    FROM (
        SELECT b.*, row_number() OVER (
                   PARTITION BY COALESCE(b.natural_key, b.base_key) ORDER BY b.ordinal) AS seen
        FROM (SELECT s.*, CAST(hash($2,
                ts, raw_model, provider_hint, project, user_id, api_key, workspace, team,
                tags, task_class, service_tier, batch, long_context, requests,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
                billed_cost_usd) AS VARCHAR) || '-'
                          || CAST(hash(
                ts, raw_model, provider_hint, project, user_id, api_key, workspace, team,
                tags, task_class, service_tier, batch, long_context, requests,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
                billed_cost_usd, $2) AS VARCHAR) AS base_key
              FROM staged_rows s) b
    ) k
    WHERE k.natural_key IS NULL OR k.seen = 1
) d
WHERE NOT EXISTS (
    SELECT 1 FROM usage_rows u
    WHERE u.natural_key = d.final_key AND u.source_format = $2
      AND u.ts BETWEEN (SELECT min(ts) FROM staged_rows) AND (SELECT max(ts) FROM staged_rows)
);

INSERT INTO attributes (attr_id, project, user_id, api_key, workspace, team, tags, task_class)
SELECT attr_id,
       any_value(project), any_value(user_id), any_value(api_key), any_value(workspace),
       any_value(team), any_value(tags), any_value(task_class)
FROM usage_rows u
WHERE u.import_id = $1 AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.attr_id = u.attr_id)
GROUP BY attr_id;

INSERT INTO usage_periods
SELECT CAST(ts AS DATE), import_id, source_format, raw_model, provider_hint, attr_id, batch,
       long_context, 0, billed_cost_usd IS NOT NULL, false, count(*), sum(requests),
       sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens),
       sum(output_tokens), sum(billed_cost_usd)
FROM usage_rows WHERE import_id = $1
GROUP BY ALL;
