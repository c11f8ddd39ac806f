"""How a usage row is costed and attributed, in portable SQL: the CTEs every report shares.

How a row is costed (the math the SQL carries out):

    list_cost = (input x r_in + cached_input x r_cached + cache_write x r_write
                 + output x r_out) / 1e6

with the rates of the price-sheet version in force on the row's day (`price_days`: one row
per provider, model and day, expanded from the sheets' effective dates, so that the lookup is
an equality join). The rate set is the batch one when the row is batch, the long-context one
when the row says so or when a single request's prompt (input + cached + cache-write tokens)
exceeds the model's threshold, and both combined when both hold (batch scaled by the
long-context factor, as `pricing.costing.rates_for` does). Missing cached or cache-write
prices fall back to the input price, as in `pricing.costing`. A row whose model is not
resolved, or has no price on its day, gets NULL, never 0.

What was spent: the billed cost where the row has one; 0 for a token row on a provider's day
that a cost export covers (its cost lines carry that day's spend); else the list cost.
"""

from __future__ import annotations

RATE_KINDS = ("in", "out", "cr", "cw")  # input, output, cache read, cache write
TOKEN_COLUMNS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
)
ATTRIBUTE_COLUMNS = ("project", "user_id", "api_key", "workspace", "team", "tags", "task_class")
RULE_FIELDS = ("api_key", "project", "user", "workspace", "tag")
RATE_COLUMNS = tuple(f"{s}_{k}" for s in ("std", "bat", "lc", "lcb") for k in RATE_KINDS)


def _long(prompt_condition: str) -> str:
    return f"(p.lc_above IS NOT NULL AND (x.long_context OR {prompt_condition}))"


PER_ROW_PROMPT = (
    "(x.requests = 1 AND x.input_tokens + x.cached_input_tokens + x.cache_write_tokens"
    " > p.lc_above)"
)
ROLLUP_PROMPT = "(x.prompt_over >= p.lc_above)"


def list_cost_sql(prompt_condition: str) -> str:
    """The list cost of the row `x` at the price interval `p` (NULL when there is none)."""
    long = _long(prompt_condition)

    def rate(kind: str) -> str:
        return (
            f"CASE WHEN x.batch AND {long} THEN p.lcb_{kind} WHEN x.batch THEN p.bat_{kind} "
            f"WHEN {long} THEN p.lc_{kind} ELSE p.std_{kind} END"
        )

    terms = " + ".join(
        f"x.{col} * {rate(kind)}"
        for col, kind in zip(TOKEN_COLUMNS, ("in", "cr", "cw", "out"), strict=True)
    )
    return f"CASE WHEN p.std_in IS NULL THEN NULL ELSE ({terms}) / 1000000.0 END"


COST_LINE_FORMATS = ("openai_costs", "anthropic_cost")


def resolved_and_priced(source: str, prompt_condition: str, precovered: bool = False) -> str:
    """CTEs `name_prices` (each exported name's catalog model and its prices by day),
    `priced` (catalog ids and list cost at the day's price; one equality join per row) and
    `costed` (what was spent).

    `source` has a `day` column. A cost line (a row of a cost export: money, no tokens) has
    no list cost. What was spent (`cost_usd`) is the billed cost where the row has one;
    else, when a cost export covers the row's provider and day, 0, because those cost lines
    carry that day's spend (counting both would count it twice); else the list cost.
    """
    cost_lines = ", ".join(f"'{f}'" for f in COST_LINE_FORMATS)
    if precovered:  # the source says which rows a cost export covers (usage_periods)
        billing, covered, join = "", "x.covered", ""
    else:
        billing = f"""
billing_days AS (
    SELECT DISTINCT COALESCE(m.provider, NULLIF(c.provider_hint, '')) AS provider, c.day
    FROM {source} c
    LEFT JOIN model_map m ON m.raw_model = c.raw_model AND m.provider_hint = c.provider_hint
    WHERE c.source_format IN ({cost_lines})
),"""  # read from the source, so that `priced` is used once and streams
        covered = "b.provider IS NOT NULL"
        join = "LEFT JOIN billing_days b ON b.provider = x.provider AND b.day = x.day"
    return f"""
name_prices AS (
    SELECT m.raw_model, m.provider_hint, m.provider, m.model, p.day, p.lc_above,
           {", ".join(f"p.{c}" for c in RATE_COLUMNS)}
    FROM model_map m
    JOIN price_days p ON p.provider = m.provider AND p.model = m.model
),
priced AS (
    SELECT x.*, p.provider, p.model,
           CASE WHEN x.source_format IN ({cost_lines}) THEN NULL
                ELSE {list_cost_sql(prompt_condition)} END AS list_cost_usd,
           p.std_in IS NOT NULL OR x.source_format IN ({cost_lines}) AS has_price,
           x.source_format IN ({cost_lines}) AS is_cost_line
    FROM {source} x
    LEFT JOIN name_prices p
      ON p.raw_model = x.raw_model AND p.provider_hint = x.provider_hint AND p.day = x.day
),{billing}
costed AS (
    SELECT x.*,
           CASE WHEN x.billed_cost_usd IS NOT NULL THEN x.billed_cost_usd
                WHEN {covered} THEN 0
                ELSE x.list_cost_usd END AS cost_usd,
           x.billed_cost_usd IS NOT NULL OR {covered} AS billed_scope
    FROM priced x
    {join}
)"""


def attribution(attributes: str) -> str:
    """CTE `attributed`: for each attribute combination (`attributes`: attr_id and the
    attribute columns), its team and task class. The first rule (lowest priority number)
    that matches wins; exact rules compare, glob rules use GLOB, a tag rule matches one
    whole tag. Without a matching rule (or where the rule leaves it empty) the export's own
    team and task class stay; NULL is unattributed."""
    value = (
        "CASE r.field WHEN 'api_key' THEN k.api_key WHEN 'project' THEN k.project "
        "WHEN 'user' THEN k.user_id WHEN 'workspace' THEN k.workspace END"
    )
    return f"""
attribute_rows AS (SELECT * FROM {attributes}),
rule_matches AS (
    SELECT k.attr_id, r.team, r.task_class,
           row_number() OVER (PARTITION BY k.attr_id ORDER BY r.priority) AS rank
    FROM attribute_rows k
    JOIN attribution_rules r ON CASE
        WHEN r.field = 'tag' AND r.is_glob THEN k.tags GLOB '*,' || r.pattern || ',*'
        WHEN r.field = 'tag' THEN k.tags LIKE '%,' || r.pattern || ',%'
        WHEN r.is_glob THEN {value} GLOB r.pattern
        ELSE {value} = r.pattern END
),
attributed AS (
    SELECT k.attr_id, k.project AS a_project, k.user_id AS a_user_id, k.api_key AS a_api_key,
           k.workspace AS a_workspace,
           COALESCE(m.team, k.team) AS team_final,
           COALESCE(m.task_class, k.task_class) AS task_class_final
    FROM attribute_rows k
    LEFT JOIN rule_matches m ON m.attr_id = k.attr_id AND m.rank = 1
)"""


def attr_id_sql(alias: str = "") -> str:
    """The attribute id: a hash of the attribute columns (NULLs included)."""
    dot = f"{alias}." if alias else ""
    return "hash(" + ", ".join(f"{dot}{c}" for c in ATTRIBUTE_COLUMNS) + ")"


def costed_usage_sql() -> str:
    """One row per stored usage row, costed at the list price in force on its timestamp,
    attributed by the store's rules (the contract's `costed_usage` columns)."""
    keyed = "(SELECT u.*, CAST(u.ts AS DATE) AS day FROM usage_rows u)"
    return f"""
WITH {resolved_and_priced(keyed, PER_ROW_PROMPT)},
{attribution("attributes")}
SELECT
    x.row_id, x.import_id, x.ts, x.day, x.source_format,
    x.provider, x.model, x.raw_model,
    a.team_final AS team, a.task_class_final AS task_class,
    x.project, x.user_id, x.api_key, x.workspace,
    x.requests, x.input_tokens, x.cached_input_tokens, x.cache_write_tokens, x.output_tokens,
    x.input_tokens + x.cached_input_tokens + x.cache_write_tokens + x.output_tokens
        AS total_tokens,
    x.list_cost_usd, x.billed_cost_usd, x.cost_usd
FROM costed x
LEFT JOIN attributed a ON a.attr_id = x.attr_id
"""
