"""The statements the store runs as data comes in: new rows (each once), their attribute
combinations, the per-period sums, and the day-by-day tables of prices and price periods.

Speed: per-row costing joins each row to two small tables by equality (model names, prices
of the day) and to the attribute combinations (few), then groups once. Stored rows are also
summed per price period at import (`usage_periods`: days of one month between price-sheet
changes); a sum of costs at one rate is the cost of the sum, so pricing the sums is exact,
and the one per-request rule (the long-context cliff) stays exact through `prompt_over`, the
largest catalog threshold a single request's prompt exceeds. Reports by day, or over dates
that cut a period, read the rows instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from usage.queries.costing import (
    APART_COLUMNS,
    ATTRIBUTE_COLUMNS,
    COST_LINE_FORMATS,
    TOKEN_COLUMNS,
    TOKEN_RATE_COLUMNS,
    clock_of_moment_sql,
    moment_sql,
)


def prompt_over_sql(thresholds: Iterable[int], prefix: str = "") -> str:
    """The largest threshold a single request's prompt exceeds (0 for none, and for rows
    that sum several requests or do not count them: their prompts are not known one by one;
    such rows are long-context only where the export says so)."""
    prompt = f"{prefix}input_tokens + {prefix}cached_input_tokens + {prefix}cache_write_tokens"
    cases = " ".join(
        f"WHEN {prefix}requests = 1 AND {prompt} > {int(t)} THEN {int(t)}"
        for t in sorted(set(thresholds), reverse=True)
    )
    # Never a bare 0: in a GROUP BY it would be read as a column position.
    return f"CASE {cases} ELSE 0 END" if cases else "CAST(0 AS INTEGER)"


PERIOD_GROUP = (
    "source_format",
    "raw_model",
    "provider_hint",
    "attr_id",
    "batch",
    "long_context",
)


def periods_select_sql(thresholds: Iterable[int], where: str = "",
                       source: str = "usage_rows") -> str:  # fmt: skip
    """Stored rows (`source u`, `usage_rows` unless said, filtered by `where`, which may
    name `u` and the row's period `pe`) summed per price period and group: the shape of the
    `usage_periods` table.

    A price period is a stretch of days within one month with no price-sheet change (table
    `periods`), so one price applies to the whole sum and `month` stays exact; a day outside
    the priced range is its own period. `covered` marks token rows on a provider's day that
    a cost export covers (see `resolved_and_priced`). The service tier and the time-of-day
    window a row is priced at (`clock`) are kept per sum.

    Speed: the rows are summed first, joined only to small tables (periods, the model map
    with whether each model has time-of-day prices, billing days), keeping for a model with
    windows the row's moment (`moment_sql`: 48 half hours, hour buckets, unknown). The code
    is then read from the sheet version in force at each sum's period start (one version per
    period, so it is the row's own; a range join, but on the few sums of a model with
    windows against its few versions) and the sums grouped again by it: no row is joined to
    the day-by-day price table.
    """
    group = ", ".join(f"u.{c}" for c in PERIOD_GROUP)
    sums = ", ".join(f"sum(u.{c}) AS {c}" for c in ("requests", *TOKEN_COLUMNS))
    apart = ", ".join(f"sum(u.{c}) AS {c}" for c in APART_COLUMNS)
    prompt_over = prompt_over_sql(thresholds, prefix="u.")
    day = "COALESCE(pe.period_start, CAST(u.ts AS DATE))"
    covered = "bd.provider IS NOT NULL"
    moment = f"CASE WHEN m.clocked THEN {moment_sql('u.')} END"
    resummed = ", ".join(f"sum(s.{c}) AS {c}"
                         for c in ("row_count", "requests", *TOKEN_COLUMNS))  # fmt: skip
    return f"""
WITH billing_days AS ({billing_days_sql(source)}),
names AS (
    SELECT n.raw_model, n.provider_hint, n.provider, n.model, EXISTS (
        SELECT 1 FROM price_extras c
        WHERE c.kind = 'clock' AND c.provider = n.provider AND c.model = n.model) AS clocked
    FROM model_map n
),
slotted AS (
    SELECT {day} AS day, u.import_id, {group}, {prompt_over} AS prompt_over,
           u.billed_cost_usd IS NOT NULL AS has_billed, {covered} AS covered,
           count(*) AS row_count, {sums}, sum(u.billed_cost_usd) AS billed_cost_usd,
           u.service_tier, {moment} AS moment, {apart}
    FROM {source} u
    LEFT JOIN periods pe ON pe.day = CAST(u.ts AS DATE)
    LEFT JOIN names m ON m.raw_model = u.raw_model AND m.provider_hint = u.provider_hint
    LEFT JOIN billing_days bd ON bd.provider = m.provider AND bd.day = CAST(u.ts AS DATE)
    {where}
    GROUP BY {day}, u.import_id, {group}, {prompt_over}, u.billed_cost_usd IS NOT NULL,
             {covered}, u.service_tier, {moment}
),
clocked_sums AS (
    SELECT s.*, {clock_of_moment_sql("s.moment", "w.slots")} AS clock
    FROM slotted s
    LEFT JOIN model_map m ON m.raw_model = s.raw_model AND m.provider_hint = s.provider_hint
    LEFT JOIN price_extras w ON w.kind = 'clock' AND w.provider = m.provider
     AND w.model = m.model AND s.day >= w.valid_from AND s.day < w.valid_to
)
SELECT s.day, s.import_id, {", ".join(f"s.{c}" for c in PERIOD_GROUP)}, s.prompt_over,
       s.has_billed, s.covered, {resummed}, sum(s.billed_cost_usd) AS billed_cost_usd,
       s.service_tier, s.clock, {", ".join(f"sum(s.{c}) AS {c}" for c in APART_COLUMNS)}
FROM clocked_sums s
GROUP BY s.day, s.import_id, {", ".join(f"s.{c}" for c in PERIOD_GROUP)}, s.prompt_over,
         s.has_billed, s.covered, s.service_tier, s.clock
"""


def billing_days_sql(source: str = "usage_rows") -> str:
    """The (provider, day) pairs that a cost export's lines cover (in `source`)."""
    cost_lines = ", ".join(f"'{f}'" for f in COST_LINE_FORMATS)
    return f"""
SELECT DISTINCT COALESCE(m.provider, NULLIF(c.provider_hint, '')) AS provider,
       CAST(c.ts AS DATE) AS day
FROM {source} c
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


def insert_new_rows_sql(columns: str) -> str:
    """Add the staged rows (`staged_rows`, with an `ordinal`, and the `final_key` and
    `attr_id` that `usage.keys.Keyer` gave them in Python) to the ledger, as a new version
    of every key they hold (which version counts is `usage.ledger`'s business).

    A key repeated within the file is stored once (its first row). A source kind or grain
    the parser left empty is the format's ($3, $4). Row ids continue from the largest
    stored one (one writer at a time; a sequence is slow per row).
    Parameters: import id, format, source kind, grain.
    """
    fills = {"source_kind": "COALESCE(d.source_kind, $3)", "grain": "COALESCE(d.grain, $4)"}
    filled = ", ".join(fills.get(c.strip(), f"d.{c.strip()}") for c in columns.split(","))
    return f"""
INSERT INTO usage_ledger (row_id, import_id, source_format, natural_key, attr_id, {columns})
SELECT (SELECT COALESCE(max(row_id), 0) FROM usage_ledger) + d.ordinal + 1, $1, $2,
       d.final_key, d.attr_id, {filled}
FROM (
    SELECT s.*, row_number() OVER (PARTITION BY s.final_key ORDER BY s.ordinal) AS seen
    FROM staged_rows s
) d
WHERE d.seen = 1
"""


def attributes_insert_sql() -> str:
    """Record the attribute combinations of one import (parameter) not recorded yet (every
    row of it, counted or not: a removal elsewhere may make it count). The rows of one id
    hold the same values (the id is their hash), so `max` is any of them, on every engine."""
    columns = ", ".join(ATTRIBUTE_COLUMNS)
    return f"""
INSERT INTO attributes (attr_id, {columns})
SELECT attr_id, {", ".join(f"max({c}) AS {c}" for c in ATTRIBUTE_COLUMNS)}
FROM usage_ledger u
WHERE u.import_id = ? AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.attr_id = u.attr_id)
GROUP BY attr_id
"""


def price_days_sql() -> str:
    """One row per catalog model and day from the first sheet to `?` (the horizon): the
    rates in force that day and the date of the sheet version they come from (what
    `price_extras` are joined on), or NULLs on days the model has no price (before its
    first sheet, or after a sheet dropped it)."""
    names = ", ".join(TOKEN_RATE_COLUMNS)
    rates = ", ".join(f"p.{c}" for c in TOKEN_RATE_COLUMNS)
    return f"""
INSERT INTO price_days (provider, model, day, lc_above, {names}, valid_from)
SELECT k.provider, k.model, CAST(d.day AS DATE) AS day, p.lc_above, {rates}, p.valid_from
FROM (SELECT DISTINCT provider, model FROM price_intervals) k
CROSS JOIN (SELECT unnest(generate_series(
          (SELECT min(valid_from) FROM price_intervals), CAST(? AS DATE), INTERVAL 1 DAY))
      AS day) d
LEFT JOIN price_intervals p
  ON p.provider = k.provider AND p.model = k.model
 AND d.day >= p.valid_from AND d.day < p.valid_to
"""
