"""Every costing and reporting statement of the usage store, in one place, in portable SQL.

The statements are written once, in DuckDB's SQL (CTEs, window functions, CASE, equality
joins, `regexp_matches`, `strftime`), and compiled for any other engine by SQLGlot
(`usage.engines.sql.compile`). They hold no engine's own hash, no unsigned or 128-bit type,
no glob operator and no grouping by "all": keys and rule patterns are computed in Python
(`usage.keys`), and `tests/usage/test_portable_sql.py` keeps it so. By concern:

- `costing`: how a row is costed at the price of its day and attributed (the math);
- `summaries`: spend grouped by any dimensions, and the usage that could not be priced;
- `loading`: what the store runs as data comes in (new rows, per-period sums, price days).

The store and the command line use them as `queries.<name>`, so every name is here.
"""

from usage.queries.costing import (
    ATTRIBUTE_COLUMNS,
    COST_LINE_FORMATS,
    PER_ROW_PROMPT,
    RATE_COLUMNS,
    RATE_KINDS,
    ROLLUP_PROMPT,
    RULE_FIELDS,
    TOKEN_COLUMNS,
    costed_usage_sql,
    list_cost_sql,
)
from usage.queries.loading import (
    PERIOD_GROUP,
    attributes_insert_sql,
    billing_days_sql,
    insert_new_rows_sql,
    periods_select_sql,
    periods_sql,
    price_days_sql,
    prompt_over_sql,
    rollup_insert_sql,
)
from usage.queries.summaries import (
    DIMENSIONS,
    UNATTRIBUTED,
    UNRESOLVED,
    per_row_source,
    summary_sql,
    unresolved_sql,
)

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "COST_LINE_FORMATS",
    "DIMENSIONS",
    "PERIOD_GROUP",
    "PER_ROW_PROMPT",
    "RATE_COLUMNS",
    "RATE_KINDS",
    "ROLLUP_PROMPT",
    "RULE_FIELDS",
    "TOKEN_COLUMNS",
    "UNATTRIBUTED",
    "UNRESOLVED",
    "attributes_insert_sql",
    "billing_days_sql",
    "costed_usage_sql",
    "insert_new_rows_sql",
    "list_cost_sql",
    "per_row_source",
    "periods_select_sql",
    "periods_sql",
    "price_days_sql",
    "prompt_over_sql",
    "rollup_insert_sql",
    "summary_sql",
    "unresolved_sql",
]
