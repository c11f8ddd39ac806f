"""Reconcile: per provider and day (or month), what each source says and what counts.

One usage is often seen by several sources: the gateway's logs, the vendor's usage export,
its cost lines, a FOCUS billing export. The store counts one of them per payer and day
(`usage.queries.ledger`); this puts them side by side so a FinOps lead sees where the
gateway and the invoice disagree: each source's requests, tokens and cost (its billed cost
where it carries one, else the list cost at the day's price), which of it counts, the
difference from what counts, and the billed-against-list variance of what counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import duckdb

from usage.queries.costing import PER_ROW_PROMPT, resolved_and_priced
from usage.queries.ledger import payer_sql
from usage.queries.summaries import UNRESOLVED

ROLES = {
    "counts": "counts",
    "counts_tokens": "counts (tokens; the cost lines carry the money)",
    "outranked": "kept for comparison",
}
PERIODS = ("day", "month")


@dataclass(frozen=True)
class SourceLine:
    """One source of one provider's usage in one period."""

    provider: str
    period: str  # YYYY-MM-DD or YYYY-MM
    source_format: str
    source_kind: str
    grain: str
    role: str  # what counts of it (ROLES), "partly: ..." when only some of its rows count
    rows: int
    requests: float
    tokens: float
    cost_usd: float | None  # what it says: billed where it carries money, else list
    counted_tokens: float
    counted_usd: float
    tokens_difference: float  # its tokens - the tokens that count for the period
    cost_difference_usd: float | None  # its cost - the spend that counts for the period

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PeriodTotal:
    """What counts for one provider in one period, and the billed-against-list variance."""

    provider: str
    period: str
    tokens: float
    spend_usd: float
    billed_usd: float | None  # the billed money that counts
    billed_list_usd: float | None  # the list cost of the usage that bill covers
    variance_usd: float | None  # billed - list of the same usage (None: nothing billed)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reconciliation:
    lines: tuple[SourceLine, ...]
    totals: tuple[PeriodTotal, ...]


def reconcile_sql(by: str, start: date, end: date) -> str:
    """Per payer, period, source and status: rows, requests, tokens, billed and list cost,
    of the days from `start` to `end` (dates, written into the SQL: the costing CTEs read
    the source twice)."""
    if by not in PERIODS:
        raise ValueError(f"reconcile by {by!r}: choose from {', '.join(PERIODS)}")
    period = "strftime(x.day, '%Y-%m-%d')" if by == "day" else "strftime(x.day, '%Y-%m')"
    source = f"""(
    SELECT l.*, CAST(l.ts AS DATE) AS day, {payer_sql("l", "mm")} AS payer
    FROM usage_ledger l
    LEFT JOIN model_map mm ON mm.raw_model = l.raw_model AND mm.provider_hint = l.provider_hint
    WHERE l.status IN ('counts', 'counts_tokens', 'outranked')
      AND CAST(l.ts AS DATE) BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}')"""
    tokens = "x.input_tokens + x.cached_input_tokens + x.cache_write_tokens + x.output_tokens"
    return f"""
WITH {resolved_and_priced(source, PER_ROW_PROMPT)}
SELECT x.payer, {period} AS period, x.source_format, COALESCE(x.source_kind, ''),
       COALESCE(x.grain, ''), x.status, count(*), sum(x.requests), sum({tokens}),
       sum(COALESCE(x.billed_cost_usd, x.list_cost_usd)),
       sum(x.billed_cost_usd), sum(x.list_cost_usd),
       sum(CASE WHEN x.billed_cost_usd IS NULL AND x.list_cost_usd IS NULL
                     AND NOT x.is_cost_line THEN 1 ELSE 0 END),
       sum(CASE WHEN x.status = 'counts_tokens'
                     OR (x.status = 'counts' AND x.billed_cost_usd IS NOT NULL)
                THEN x.list_cost_usd END)
FROM priced x
GROUP BY x.payer, {period}, x.source_format, COALESCE(x.source_kind, ''),
         COALESCE(x.grain, ''), x.status
ORDER BY 1, 2, 3, 6
"""


def reconcile(con: duckdb.DuckDBPyConnection, by: str = "day", start: date | None = None,
              end: date | None = None, provider: str | None = None) -> Reconciliation:  # fmt: skip
    """Every source of every provider's usage per period from `start` to `end` (both
    included; all when not given), with what counts."""
    found = con.execute(reconcile_sql(by, start or date(1, 1, 1), end or date(9999, 12, 31)))
    groups: dict[tuple[str, str, str], dict] = {}
    totals: dict[tuple[str, str], dict] = {}
    for (payer, period, fmt, kind, grain, status, rows, requests, tokens, says, billed,
         _listed, unpriced, billed_list) in found.fetchall():  # fmt: skip
        payer = payer or UNRESOLVED  # no catalog model and no provider in the export
        if provider is not None and payer != provider:
            continue
        g = groups.setdefault((payer, period, fmt), {
            "kind": kind, "grain": grain, "statuses": set(), "rows": 0, "requests": 0.0,
            "tokens": 0.0, "cost": 0.0, "unpriced": 0, "counted_tokens": 0.0,
            "counted_usd": 0.0})  # fmt: skip
        g["statuses"].add(status)
        g["rows"] += rows
        g["requests"] += requests or 0.0
        g["tokens"] += tokens or 0.0
        g["cost"] += says or 0.0
        g["unpriced"] += unpriced
        t = totals.setdefault((payer, period), {"tokens": 0.0, "spend": 0.0, "billed": None,
                                                "billed_list": None})  # fmt: skip
        if status in ("counts", "counts_tokens"):
            g["counted_tokens"] += tokens or 0.0
            t["tokens"] += tokens or 0.0
            if status == "counts":
                g["counted_usd"] += says or 0.0
                t["spend"] += says or 0.0
                if billed is not None:
                    t["billed"] = (t["billed"] or 0.0) + billed
            if billed_list is not None:
                t["billed_list"] = (t["billed_list"] or 0.0) + billed_list
    lines = []
    for (payer, period, fmt), g in groups.items():
        t = totals[(payer, period)]
        cost = None if g["unpriced"] == g["rows"] else g["cost"]
        lines.append(SourceLine(
            payer, period, fmt, g["kind"], g["grain"], _role(g["statuses"]), g["rows"],
            g["requests"], g["tokens"], cost, g["counted_tokens"], g["counted_usd"],
            g["tokens"] - t["tokens"], None if cost is None else cost - t["spend"],
        ))  # fmt: skip
    period_totals = [
        PeriodTotal(payer, period, t["tokens"], t["spend"], t["billed"], t["billed_list"],
                    _difference(t["billed"], t["billed_list"]))
        for (payer, period), t in totals.items()
    ]  # fmt: skip
    return Reconciliation(tuple(lines), tuple(period_totals))


def _difference(billed: float | None, listed: float | None) -> float | None:
    return None if billed is None or listed is None else billed - listed


def _role(statuses: set[str]) -> str:
    if len(statuses) == 1:
        return ROLES[next(iter(statuses))]
    counting = sorted(s for s in statuses if s != "outranked")
    if not counting:
        return ROLES["outranked"]
    return "partly: " + ROLES[counting[0]]
