"""Reading the store: `summary` (tokens, list cost at date, billed cost, by any grouping)
and `unresolved` (exported model names with no catalog price)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb

from foundation.cli import EXIT_OK
from foundation.cli import options as opt
from foundation.errors import UnknownIdError
from foundation.tables import nearest
from pricing.catalog import Catalog
from pricing.cli import load_catalog
from usage import queries, store
from usage.commands.common import add_table_output, command, emit, open_store


def register(sub) -> None:
    summary_cmd = command(
        sub,
        "summary",
        "Tokens, list cost at date, billed cost.",
        run_summary,
        prices=True,
        as_json=False,
    )
    summary_cmd.add_argument(
        "--by",
        default="team",
        metavar="DIM[,DIM]",
        type=opt.choice_list(queries.DIMENSIONS, "group by"),
        help=f"one or more of: {', '.join(queries.DIMENSIONS)}",
    )
    summary_cmd.add_argument("--from", dest="start", type=opt.day, metavar="DATE", help="first day")
    summary_cmd.add_argument("--to", dest="end", type=opt.day, metavar="DATE", help="inclusive")
    summary_cmd.add_argument(
        "--discount",
        action="append",
        default=[],
        metavar="KEY=PCT",
        type=opt.pair(opt.discount, "discount", key="KEY", shape="PCT"),
        help="negotiated discount, KEY a provider or provider/model",
    )
    add_table_output(summary_cmd)
    unresolved = command(
        sub,
        "unresolved",
        "Models with no catalog price.",
        run_unresolved,
        prices=True,
        as_json=False,
    )
    add_table_output(unresolved)


def run_summary(args) -> int:
    catalog = load_catalog(args)
    discounts = known_discounts(args.discount, catalog)
    with open_store(args) as con:
        store.ensure_prices(con, catalog)
        rows, names = summary(con, args.by, args.start, args.end, discounts)
    emit(rows, names, args)
    return EXIT_OK


def known_discounts(
    discounts: Sequence[tuple[str, float]], catalog: Catalog
) -> list[tuple[str, float]]:
    """The --discount pairs, each key a provider or model of the catalog (a typo would
    silently discount nothing)."""
    providers = catalog.providers()
    known = set(providers) | set(catalog.model_ids())
    for key, _ in discounts:
        if key not in known:
            pool = providers if "/" not in key else sorted(known)
            raise UnknownIdError("provider or model in --discount", key, nearest(key, pool))
    return list(discounts)


def summary(
    con: duckdb.DuckDBPyConnection,
    by: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    discounts: Sequence[tuple[str, float]] = (),
) -> tuple[list[tuple], list[str]]:
    """The summary rows and column names (the same query the CLI and tests run)."""
    where, params = [], []
    if start:
        where.append("d.day >= ?")
        params.append(start)
    if end:
        where.append("d.day <= ?")
        params.append(end)
    if "day" in by or not _on_period_bounds(con, start, end):
        shape = {
            "source": queries.per_row_source(),
            "precovered": False,
            "prompt_condition": queries.PER_ROW_PROMPT,
        }
    else:
        shape = {}  # the price-period sums kept at import
    sql = queries.summary_sql(
        by,
        discounted=len(discounts),
        where=("WHERE " + " AND ".join(where)) if where else "",
        **shape,
    )
    flat = [v for key, pct in discounts for v in (key, 1 - pct / 100)]
    result = con.execute(sql, flat + params)
    names = [d[0] for d in result.description]
    return result.fetchall(), names


def _on_period_bounds(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> bool:
    """Whether [start, end] holds whole price periods, so the period sums answer exactly."""
    bounds = [d for d in (start, end and end + timedelta(days=1)) if d is not None]
    for day in bounds:
        found = con.execute("SELECT period_start FROM periods WHERE day = ?", [day]).fetchall()
        if found and found[0][0] != day:
            return False
    return True


def run_unresolved(args) -> int:
    catalog = load_catalog(args)
    with open_store(args) as con:
        store.ensure_prices(con, catalog)
        result = con.execute(queries.unresolved_sql())
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    emit(rows, names, args)
    return EXIT_OK
