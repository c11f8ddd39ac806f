"""The reports: spend grouped by any dimensions, and the usage that could not be priced.

`summary_sql` reads either the per-period sums (`usage_periods`, fast) or the rows themselves
(`per_row_source`, for reports by day or over dates that cut a period); both are costed by the
same CTEs (usage.queries.costing), and pricing a sum at one rate is exact, so both agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from usage.queries.costing import PER_ROW_PROMPT, ROLLUP_PROMPT, attribution, resolved_and_priced

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
    # So is a per-period source given as a statement (summed from rows on the fly), which
    # the costing reads twice (its names and days, then its sums): computed once.
    named = bool(where) or (precovered and source.lstrip().startswith("("))
    filtered = f"filtered AS (SELECT d.* FROM {source} d {where})," if named else ""
    keyed = "filtered" if named else source
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
    # a SELECT per pair, not VALUES with named columns (BigQuery has no such alias)
    pair = "SELECT CAST(? AS VARCHAR) AS key, CAST(? AS DOUBLE) AS factor"
    discounts = (
        f"discount_factors AS ({' UNION ALL '.join([pair] * discounted)})," if discounted else ""
    )
    discounted_col = (
        f"sum(x.list_cost_usd * {factor}) AS discounted_cost_usd," if discounted else ""
    )
    return f"""
WITH {discounts} {filtered} {resolved_and_priced(keyed, prompt_condition, precovered)},
{attribution(attributes)},
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
        sum(CASE WHEN x.has_price THEN 0 ELSE x.row_count END) AS unpriced_rows,
        sum(CASE WHEN x.pricing_note IS NULL THEN 0 ELSE x.row_count END) AS approximate_rows
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
    sum(g.unpriced_rows) AS unpriced_rows,
    sum(g.approximate_rows) AS approximate_rows
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
WITH {resolved_and_priced(per_row_source(), PER_ROW_PROMPT)}
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
