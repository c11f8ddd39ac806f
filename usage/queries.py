"""Every costing and reporting statement of the usage store, in one place, in portable SQL.

The statements are standard SQL (CTEs, window functions, CASE, equality joins) plus a few
DuckDB spellings that a warehouse spells differently; docs/notes/usage.md lists them:
`hash(...)` for the attribute id, `GLOB` for rule patterns, `strftime` for the month.

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

Speed: per-row costing joins each row to two small tables by equality (model names, prices
of the day) and to the attribute combinations (few), then groups once. Stored rows are also
summed per price period at import (`usage_periods`: days of one month between price-sheet
changes); a sum of costs at one rate is the cost of the sum, so pricing the sums is exact,
and the one per-request rule (the long-context cliff) stays exact through `prompt_over`, the
largest catalog threshold a single request's prompt exceeds. Reports by day, or over dates
that cut a period, read the rows instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

RATE_KINDS = ("in", "out", "cr", "cw")  # input, output, cache read, cache write
TOKEN_COLUMNS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
)
ATTRIBUTE_COLUMNS = ("project", "user_id", "api_key", "workspace", "team", "tags", "task_class")
RULE_FIELDS = ("api_key", "project", "user", "workspace", "tag")
UNATTRIBUTED = "(unattributed)"
UNRESOLVED = "(unresolved)"

# The dimensions a summary can be grouped by: the raw columns the rows are grouped on (cheap
# to hash), and how the groups are shown ({0}, {1}: those columns, formatted once per group).
DIMENSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "team": (("x.team_final",), f"COALESCE({{0}}, '{UNATTRIBUTED}')"),
    "task_class": (("x.task_class_final",), f"COALESCE({{0}}, '{UNATTRIBUTED}')"),
    "project": (("x.a_project",), "COALESCE({0}, '')"),
    "user": (("x.a_user_id",), "COALESCE({0}, '')"),
    "api_key": (("x.a_api_key",), "COALESCE({0}, '')"),
    "workspace": (("x.a_workspace",), "COALESCE({0}, '')"),
    "provider": (("x.provider",), f"COALESCE({{0}}, '{UNRESOLVED}')"),
    "model": (
        ("x.provider", "x.model", "CASE WHEN x.model IS NULL THEN x.raw_model END"),
        f"COALESCE({{0}} || '/' || {{1}}, '{UNRESOLVED} ' || {{2}})",
    ),
    "day": (("x.day",), "CAST({0} AS VARCHAR)"),
    "month": (("date_trunc('month', x.day)",), "strftime({0}, '%Y-%m')"),
}


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


def _resolved_and_priced(source: str, prompt_condition: str, precovered: bool = False) -> str:
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


def _attribution(attributes: str) -> str:
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
WITH {_resolved_and_priced(keyed, PER_ROW_PROMPT)},
{_attribution("attributes")}
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


def prompt_over_sql(thresholds: Iterable[int], prefix: str = "") -> str:
    """The largest threshold a single request's prompt exceeds (0 for none, and for rows
    that sum several requests or do not count them: their prompts are not known one by one;
    such rows are long-context only where the export says so)."""
    prompt = f"{prefix}input_tokens + {prefix}cached_input_tokens + {prefix}cache_write_tokens"
    cases = " ".join(
        f"WHEN {prefix}requests = 1 AND {prompt} > {int(t)} THEN {int(t)}"
        for t in sorted(set(thresholds), reverse=True)
    )
    return f"CASE {cases} ELSE 0 END" if cases else "0"


PERIOD_GROUP = (
    "source_format",
    "raw_model",
    "provider_hint",
    "attr_id",
    "batch",
    "long_context",
)


def periods_select_sql(thresholds: Iterable[int], where: str = "") -> str:
    """Stored rows (`usage_rows u`, filtered by `where`) summed per price period and group:
    the shape of the `usage_periods` table.

    A price period is a stretch of days within one month with no price-sheet change (table
    `periods`), so one price applies to the whole sum and `month` stays exact; a day outside
    the priced range is its own period. `covered` marks token rows on a provider's day that
    a cost export covers (see `_resolved_and_priced`).
    """
    group = ", ".join(f"u.{c}" for c in PERIOD_GROUP)
    sums = ", ".join(f"sum(u.{c}) AS {c}" for c in ("requests", *TOKEN_COLUMNS))
    prompt_over = prompt_over_sql(thresholds, prefix="u.")
    day = "COALESCE(pe.period_start, CAST(u.ts AS DATE))"
    covered = "bd.provider IS NOT NULL"
    return f"""
WITH billing_days AS ({billing_days_sql()})
SELECT {day} AS day, u.import_id, {group}, {prompt_over} AS prompt_over,
       u.billed_cost_usd IS NOT NULL AS has_billed, {covered} AS covered,
       count(*) AS row_count, {sums}, sum(u.billed_cost_usd) AS billed_cost_usd
FROM usage_rows u
LEFT JOIN periods pe ON pe.day = CAST(u.ts AS DATE)
LEFT JOIN model_map m ON m.raw_model = u.raw_model AND m.provider_hint = u.provider_hint
LEFT JOIN billing_days bd ON bd.provider = m.provider AND bd.day = CAST(u.ts AS DATE)
{where}
GROUP BY {day}, u.import_id, {group}, {prompt_over}, u.billed_cost_usd IS NOT NULL, {covered}
"""


def billing_days_sql() -> str:
    """The (provider, day) pairs that a cost export's lines cover."""
    cost_lines = ", ".join(f"'{f}'" for f in COST_LINE_FORMATS)
    return f"""
SELECT DISTINCT COALESCE(m.provider, NULLIF(c.provider_hint, '')) AS provider,
       CAST(c.ts AS DATE) AS day
FROM usage_rows c
LEFT JOIN model_map m ON m.raw_model = c.raw_model AND m.provider_hint = c.provider_hint
WHERE c.source_format IN ({cost_lines})
"""


def rollup_insert_sql(thresholds: Iterable[int], where: str = "") -> str:
    """Sum stored rows (e.g. `WHERE u.import_id = ?`) into `usage_periods`."""
    return f"INSERT INTO usage_periods {periods_select_sql(thresholds, where)}"


def periods_sql() -> str:
    """One row per day from the first sheet to `?` (the horizon) with the start of its price
    period: the latest month start or price-sheet change on or before it."""
    return """
INSERT INTO periods
SELECT CAST(d.day AS DATE) AS day,
       greatest(CAST(date_trunc('month', d.day) AS DATE),
                (SELECT max(c.valid_from) FROM price_intervals c WHERE c.valid_from <= d.day))
FROM (SELECT unnest(generate_series(
          (SELECT min(valid_from) FROM price_intervals), CAST(? AS DATE), INTERVAL 1 DAY))
      AS day) d
"""


def insert_new_rows_sql(columns: str, overlap: bool = True) -> str:
    """Add the staged rows (`staged_rows`, with an `ordinal`) that the store does not hold.

    A row's natural key is the one its format gives (e.g. bucket + group-by fields; repeats
    within the file are dropped), or, when the format has none (the generic CSV), all its
    values numbered by occurrence: two identical rows in one file are two uses, and
    importing the file again gives them the same two keys. Either is stored as a 128-bit
    hash. Stored keys are only
    compared within the file's time span and format, and not at all when the store holds
    no row of that format in that span (`overlap=False`). Row ids continue from the
    largest stored one (one writer at a time; a sequence is slow per row). Parameters:
    import id, format.
    """
    values = ", ".join(c.strip() for c in columns.split(","))
    span = "(SELECT min(ts) FROM staged_rows) AND (SELECT max(ts) FROM staged_rows)"
    existing = (
        "WHERE NOT EXISTS (SELECT 1 FROM usage_rows u WHERE u.natural_key = d.final_key "
        f"AND u.source_format = $2 AND u.ts BETWEEN {span})"
        if overlap
        else ""
    )
    return f"""
INSERT INTO usage_rows (row_id, import_id, source_format, natural_key, attr_id, {columns})
SELECT (SELECT COALESCE(max(row_id), 0) FROM usage_rows) + d.ordinal + 1, $1, $2,
       d.final_key, {attr_id_sql("d")}, {columns}
FROM (
    SELECT k.*,
           CASE WHEN k.natural_key IS NOT NULL THEN k.base_key
                ELSE {_key128("k.base_key, k.seen", "k.seen, k.base_key")} END AS final_key
    FROM (
        SELECT b.*, row_number() OVER (PARTITION BY b.base_key ORDER BY b.ordinal) AS seen
        FROM (SELECT s.*,
                     CASE WHEN s.natural_key IS NOT NULL
                          THEN {_key128("$2, s.natural_key", "s.natural_key, $2")}
                          ELSE {_key128(f"$2, {values}", f"{values}, $2")} END AS base_key
              FROM staged_rows s) b
    ) k
    WHERE k.natural_key IS NULL OR k.seen = 1
) d
{existing}
"""


def _key128(first: str, second: str) -> str:
    """A 128-bit key from two 64-bit hashes of the same values in two orders."""
    return f"((CAST(hash({first}) AS UHUGEINT) << 64) | CAST(hash({second}) AS UHUGEINT))"


def summary_sql(by: Sequence[str], source: str = "usage_periods", *, discounted: int = 0,
                where: str = "", attributes: str = "attributes",
                prompt_condition: str = ROLLUP_PROMPT, precovered: bool = True) -> str:  # fmt: skip
    """Tokens, requests, list cost at date, billed cost and variance grouped by `by`.

    `source` has the `usage_periods` columns (day = period start, source_format, raw_model,
    provider_hint, attr_id, batch, long_context, prompt_over, has_billed, covered,
    row_count, requests, the token sums, billed_cost_usd), or is per-row (`per_row_source`
    gives it, with `prompt_condition=PER_ROW_PROMPT, precovered=False`);
    `attributes` gives each attr_id its attribute columns. Parameters, in order:
    `discounted` pairs of (key, factor), key "provider" or "provider/model" (the model key
    wins; price paid = list x factor), then any `?` in `where` (e.g. the date range).

    `variance_usd` = billed cost - list cost of the usage that bill covers (rows with their
    own billed cost, and token rows on a provider's day that a cost export covers); NULL
    when nothing in the group was billed. By provider, model and month it compares what the
    vendor billed with the catalog's price of the same usage: negotiated discounts, wrong
    price data and billing errors show up here.
    """
    unknown = [b for b in by if b not in DIMENSIONS]
    if unknown or not by:
        raise ValueError(f"cannot group by {unknown or by}; choose from {', '.join(DIMENSIONS)}")
    # A filter is written once (its `?` bound once); the filtered rows are then read twice.
    filtered = f"filtered AS (SELECT d.* FROM {source} d {where})," if where else ""
    keyed = "filtered" if where else source
    raw, shown = [], []
    for name in by:
        columns, display = DIMENSIONS[name]
        keys = [f"k{len(raw) + i}" for i in range(len(columns))]
        raw += [f"{column} AS {key}" for column, key in zip(columns, keys, strict=True)]
        shown.append(display.format(*(f"g.{key}" for key in keys)) + f" AS {name}")
    factor = (
        "COALESCE((SELECT f.factor FROM discount_factors f WHERE f.key = x.provider || '/' "
        "|| x.model), (SELECT f.factor FROM discount_factors f WHERE f.key = x.provider), 1)"
    )
    discounts = (
        "discount_factors(key, factor) AS (VALUES "
        + ", ".join(["(CAST(? AS VARCHAR), CAST(? AS DOUBLE))"] * discounted)
        + "),"
        if discounted
        else ""
    )
    discounted_col = (
        f"sum(x.list_cost_usd * {factor}) AS discounted_cost_usd," if discounted else ""
    )
    return f"""
WITH {discounts} {filtered} {_resolved_and_priced(keyed, prompt_condition, precovered)},
{_attribution(attributes)},
rows_out AS (
    SELECT x.*, a.a_project, a.a_user_id, a.a_api_key, a.a_workspace, a.team_final,
           a.task_class_final
    FROM costed x LEFT JOIN attributed a ON a.attr_id = x.attr_id
),
grouped AS (
    SELECT {", ".join(raw)},
        sum(x.requests) AS requests,
        sum(x.input_tokens) AS input_tokens,
        sum(x.cached_input_tokens) AS cached_input_tokens,
        sum(x.cache_write_tokens) AS cache_write_tokens,
        sum(x.output_tokens) AS output_tokens,
        sum(x.list_cost_usd) AS list_cost_usd,
        {discounted_col}
        sum(x.billed_cost_usd) AS billed_cost_usd,
        sum(CASE WHEN x.billed_scope THEN x.list_cost_usd END) AS billed_list_usd,
        sum(x.cost_usd) AS cost_usd,
        sum(CASE WHEN x.has_price THEN 0 ELSE x.row_count END) AS unpriced_rows
    FROM rows_out x
    GROUP BY {", ".join(str(i + 1) for i in range(len(raw)))}
)
SELECT {", ".join(shown)},
    sum(g.requests) AS requests,
    sum(g.input_tokens) AS input_tokens,
    sum(g.cached_input_tokens) AS cached_input_tokens,
    sum(g.cache_write_tokens) AS cache_write_tokens,
    sum(g.output_tokens) AS output_tokens,
    sum(g.input_tokens + g.cached_input_tokens + g.cache_write_tokens + g.output_tokens)
        AS total_tokens,
    sum(g.list_cost_usd) AS list_cost_usd,
    {"sum(g.discounted_cost_usd) AS discounted_cost_usd," if discounted else ""}
    sum(g.billed_cost_usd) AS billed_cost_usd,
    sum(g.billed_cost_usd) - sum(g.billed_list_usd) AS variance_usd,
    sum(g.cost_usd) AS cost_usd,
    sum(g.unpriced_rows) AS unpriced_rows
FROM grouped g
GROUP BY {", ".join(str(i + 1) for i in range(len(by)))}
ORDER BY {", ".join(str(i + 1) for i in range(len(by)))}
"""


def per_row_source(table: str = "usage_rows") -> str:
    """Stored rows in the shape `summary_sql` reads (each row its own sum)."""
    return (
        f"(SELECT u.*, CAST(u.ts AS DATE) AS day, 1 AS row_count, "
        f"u.billed_cost_usd IS NOT NULL AS has_billed FROM {table} u)"
    )


def unresolved_sql() -> str:
    """Every exported model name that has no catalog model or no price on its days, with
    its tokens, requests and billed cost (nothing dropped, nothing priced at zero)."""
    return f"""
WITH {_resolved_and_priced(per_row_source(), PER_ROW_PROMPT)}
SELECT x.raw_model, x.provider_hint, x.source_format,
       CASE WHEN x.model IS NULL THEN 'no catalog model'
            ELSE 'no price for ' || x.provider || '/' || x.model || ' on these days' END
           AS reason,
       min(x.day) AS first_day, max(x.day) AS last_day,
       sum(x.row_count) AS rows, sum(x.requests) AS requests,
       sum(x.input_tokens + x.cached_input_tokens + x.cache_write_tokens + x.output_tokens)
           AS total_tokens,
       sum(x.billed_cost_usd) AS billed_cost_usd
FROM priced x
WHERE NOT x.has_price
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
"""


def attributes_insert_sql() -> str:
    """Record the attribute combinations of one import (parameter) not recorded yet."""
    columns = ", ".join(ATTRIBUTE_COLUMNS)
    return f"""
INSERT INTO attributes (attr_id, {columns})
SELECT attr_id, {", ".join(f"any_value({c})" for c in ATTRIBUTE_COLUMNS)}
FROM usage_rows u
WHERE u.import_id = ? AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.attr_id = u.attr_id)
GROUP BY attr_id
"""


RATE_COLUMNS = tuple(f"{s}_{k}" for s in ("std", "bat", "lc", "lcb") for k in RATE_KINDS)


def price_days_sql() -> str:
    """One row per catalog model and day from the first sheet to `?` (the horizon): the
    rates in force that day, or NULL rates on days the model has no price (before its
    first sheet, or after a sheet dropped it)."""
    rates = ", ".join(f"p.{c}" for c in RATE_COLUMNS)
    return f"""
INSERT INTO price_days
SELECT k.provider, k.model, CAST(d.day AS DATE) AS day, p.lc_above, {rates}
FROM (SELECT DISTINCT provider, model FROM price_intervals) k
CROSS JOIN (SELECT unnest(generate_series(
          (SELECT min(valid_from) FROM price_intervals), CAST(? AS DATE), INTERVAL 1 DAY))
      AS day) d
LEFT JOIN price_intervals p
  ON p.provider = k.provider AND p.model = k.model
 AND d.day >= p.valid_from AND d.day < p.valid_to
"""
