"""Which stored rows count: the ledger's effective rows, written once in portable SQL.

`usage_ledger` holds every row of every import, never deleted. What counts is decided by two
rules over it, and cached in `usage_ledger.status` (recomputed for the days an import or a
removal touches; `status_sql` with no day range recomputes it all):

1. Restatement: among the rows of active imports, per (source_format, natural_key) the row
   of the newest import wins (`ROW_NUMBER() OVER (PARTITION BY source_format, natural_key
   ORDER BY import_id DESC) = 1`); the older ones are `superseded`, and win again when the
   newer import is removed (its rows become `removed`).
2. Precedence: per payer (the provider that bills the usage; OpenRouter bills its own) and
   day, the usage of the highest-ranked source kind present counts (`KIND_RANK`: the
   vendor's billing export, its usage export, gateway logs), and within that kind the finest
   grain present (`GRAIN_RANK`: request, minute, hour, day, month); the rest is `outranked`,
   kept for `usage.reconcile`. A vendor's cost lines (money, no tokens) count over every
   kind but billing; on a day they cover, the usage rows that count give their tokens and
   not their own money (`counts_tokens`: the `usage_rows` view shows their billed cost as
   empty, so the costing gives them the cost lines' spend, not a second figure).
3. A tag table (`repeats_per_tag`: the same spend once per tag) never counts toward totals
   (`per_tag`): summing it across tags would count a request once per tag.
"""

from __future__ import annotations

from usage.rows import COLUMN_NAMES

KIND_RANK = {"billing": 4, "cost_line": 3, "usage_export": 2, "gateway_log": 1}
GRAIN_RANK = {"request": 0, "minute": 1, "hour": 2, "day": 3, "month": 4}
COUNTING = ("counts", "counts_tokens")  # the statuses the reports read
STATUSES = (*COUNTING, "outranked", "per_tag", "superseded", "removed")
SELF_BILLED = "openrouter"  # formats named so are billed by OpenRouter itself

# Every column a row of `usage_rows` has, in the order of the table before layout 6.
ROW_COLUMNS = ("row_id", "import_id", "source_format", "natural_key", "attr_id",
               *COLUMN_NAMES[1:])  # fmt: skip
VALUE_COLUMNS = tuple(c for c in COLUMN_NAMES if c != "natural_key")


def _rank(column: str, ranks: dict[str, int], default: int) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in ranks.items())
    return f"CASE {column} {cases} ELSE {default} END"


def payer_sql(row: str = "l", model_map: str = "m") -> str:
    """Who bills a row's usage: its catalog provider, else the export's provider hint."""
    return (
        f"CASE WHEN {row}.source_format LIKE '{SELF_BILLED}%' THEN '{SELF_BILLED}' "
        f"ELSE COALESCE({model_map}.provider, NULLIF({row}.provider_hint, ''), '') END"
    )


def status_sql(ranged: bool) -> str:
    """(row_id, status) for every ledger row (`ranged`: of the days from `?` to `?`).

    Portable: window functions, CASE and equality joins only.
    """
    where = "WHERE CAST(l.ts AS DATE) BETWEEN ? AND ?" if ranged else ""
    return f"""
WITH scope AS (
    SELECT l.row_id, l.import_id, l.source_format, l.natural_key, CAST(l.ts AS DATE) AS day,
           l.repeats_per_tag, i.state = 'active' AS active,
           COALESCE(l.source_kind, 'usage_export') AS kind,
           {_rank("COALESCE(l.source_kind, 'usage_export')", KIND_RANK, 0)} AS kind_rank,
           {_rank("l.grain", GRAIN_RANK, GRAIN_RANK["day"])} AS grain_rank,
           {payer_sql()} AS payer
    FROM usage_ledger l
    JOIN imports i ON i.import_id = l.import_id
    LEFT JOIN model_map m ON m.raw_model = l.raw_model AND m.provider_hint = l.provider_hint
    {where}
),
versions AS (
    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.source_format, s.natural_key
                                   ORDER BY s.active DESC, s.import_id DESC) AS version
    FROM scope s
),
current_rows AS (
    SELECT * FROM versions WHERE active AND version = 1 AND NOT repeats_per_tag
),
best AS (
    SELECT payer, day,
           max(CASE WHEN kind = 'cost_line' THEN NULL ELSE kind_rank END) AS usage_rank,
           max(CASE WHEN kind = 'cost_line' THEN kind_rank END) AS money_rank
    FROM current_rows GROUP BY payer, day
),
finest AS (
    SELECT c.payer, c.day, min(c.grain_rank) AS grain_rank
    FROM current_rows c JOIN best b ON b.payer = c.payer AND b.day = c.day
    WHERE c.kind_rank = b.usage_rank AND c.kind <> 'cost_line'
    GROUP BY c.payer, c.day
)
SELECT v.row_id,
       CASE WHEN NOT v.active THEN 'removed'
            WHEN v.version > 1 THEN 'superseded'
            WHEN v.repeats_per_tag THEN 'per_tag'
            WHEN v.kind = 'cost_line' THEN
                 CASE WHEN b.usage_rank IS NULL OR v.kind_rank > b.usage_rank THEN 'counts'
                      ELSE 'outranked' END
            WHEN v.kind_rank = b.usage_rank AND v.grain_rank = f.grain_rank THEN
                 CASE WHEN b.money_rank > b.usage_rank THEN 'counts_tokens' ELSE 'counts' END
            ELSE 'outranked' END AS status
FROM versions v
LEFT JOIN best b ON b.payer = v.payer AND b.day = v.day
LEFT JOIN finest f ON f.payer = v.payer AND f.day = v.day
"""


def status_update_sql(ranged: bool) -> str:
    """Write `status_sql` into the ledger, touching only the rows whose status changes."""
    return f"""
UPDATE usage_ledger SET status = s.status
FROM ({status_sql(ranged)}) s
WHERE usage_ledger.row_id = s.row_id AND usage_ledger.status <> s.status
"""


def usage_rows_view_sql() -> str:
    """The `usage_rows` view: the ledger's rows that count, in the columns every report
    reads; a row that gives only its tokens shows no billed cost."""
    shown = ", ".join(
        "CASE WHEN status = 'counts_tokens' THEN NULL ELSE billed_cost_usd END AS billed_cost_usd"
        if c == "billed_cost_usd" else c
        for c in ROW_COLUMNS
    )  # fmt: skip
    counting = ", ".join(f"'{s}'" for s in COUNTING)
    return f"SELECT {shown} FROM usage_ledger WHERE status IN ({counting})"


def versions_compared_sql() -> str:
    """For one import's rows (parameters: their first and last time, the import id), each
    key's version in force
    before it: rows added (no earlier version), unchanged (the same values), restated
    (other values), with the change of billed cost and tokens, and the imports it restated."""
    same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM p.{c}" for c in VALUE_COLUMNS)
    tokens = "{0}.input_tokens + {0}.cached_input_tokens + {0}.cache_write_tokens + " \
             "{0}.output_tokens"  # fmt: skip
    return f"""
WITH compared AS (
    SELECT n.row_id, p.row_id IS NOT NULL AS seen, p.import_id AS previous,
           CASE WHEN p.row_id IS NULL THEN NULL ELSE {same} END AS same,
           COALESCE(n.billed_cost_usd, 0) - COALESCE(p.billed_cost_usd, 0) AS billed_change,
           ({tokens.format("n")}) - ({tokens.format("p")}) AS token_change
    FROM usage_ledger n
    LEFT JOIN usage_ledger p
      ON p.source_format = n.source_format AND p.natural_key = n.natural_key
     AND p.import_id <> n.import_id AND p.status NOT IN ('superseded', 'removed')
     AND p.ts BETWEEN ? AND ?
    WHERE n.import_id = ?
)
SELECT sum(CASE WHEN NOT seen THEN 1 ELSE 0 END),
       sum(CASE WHEN same THEN 1 ELSE 0 END),
       sum(CASE WHEN seen AND NOT same THEN 1 ELSE 0 END),
       COALESCE(sum(CASE WHEN seen AND NOT same THEN billed_change END), 0),
       COALESCE(sum(CASE WHEN seen AND NOT same THEN token_change END), 0),
       string_agg(DISTINCT CASE WHEN seen AND NOT same THEN CAST(previous AS VARCHAR) END, ',')
FROM compared
"""
