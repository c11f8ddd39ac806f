"""What the usage commands share: the --db/--prices/--json/--csv options, the one store
session, the catalog, and rows printed as an aligned table, JSON or CSV."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from foundation.cli import add_command, print_json
from foundation.cli import options as opt
from foundation.cli.options import MEMORY_STORE
from foundation.cli.store import check_store_file, said
from foundation.csvfile import tuples_to_csv
from foundation.errors import InputError, StoreError
from pricing.cli import add_prices_arg
from usage import sessions, store
from usage.engines import setting

DEFAULT_WORKLOAD = Path(__file__).resolve().parents[2] / "data/workloads/example_enterprise.csv"
STORE_REMEDY = (
    "Restore it from a backup, or name another file with --db or $" + store.DEFAULT_DB_ENV + "."
)
DB_HELP = (
    f"the usage store file (default: ${store.DEFAULT_DB_ENV}, else "
    "$XDG_DATA_HOME/ai-spend-planner/usage.duckdb)"
)


def command(
    sub,
    name: str,
    help_text: str,
    run,
    *,
    prices: bool = False,
    as_json: bool = True,
    description: str | None = None,
):
    """A usage command with --db (and --prices, --json when asked)."""
    parser = add_command(sub, name, help_text, run, description)
    parser.add_argument("--db", type=opt.store_path, default=None, metavar="PATH", help=DB_HELP)
    if prices:
        add_prices_arg(parser)
    if as_json:
        parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def add_table_output(parser) -> None:
    """--json or --csv (not both); an aligned text table without either."""
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")


@contextmanager
def open_store(args, job: str | None = None, *,
               reads_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:  # fmt: skip
    """The usage store for one command: checked, then opened, always closed; a store that
    cannot be opened or used is a StoreError (exit 4). A command that only reads gets the
    store's newest snapshot (the last committed data: it never waits for an import); any
    other takes the writer lock (another import or change under way: it says on stderr whom
    it waits for, and waits) and publishes the snapshot when done. `job` names the file an
    import reads. A test may hand in `connection`. With PLANNER_USAGE_URL naming an
    engine, that engine (usage.engines.setting)."""
    given = getattr(args, "connection", None)
    if given is not None:
        yield given
        return
    if setting.url():  # the engine is a setting: PLANNER_USAGE_URL names it
        with setting.session() as con:
            yield con
        return
    path = Path(args.db) if args.db else store.default_db_path()
    check_store_file(path)
    if reads_only and str(path) != MEMORY_STORE:
        opened = sessions.reading(path)
    else:
        opened = sessions.session(path, job=job, waiting=_say)
    try:
        with opened as con:
            yield con
    except duckdb.Error as exc:
        raise StoreError(str(path), f"cannot be used ({said(exc)})", STORE_REMEDY) from exc


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def last_day(con) -> date:
    """The last day with usage; an empty store is bad input (there is nothing to report)."""
    last = con.execute("SELECT MAX(day) FROM costed_usage").fetchone()[0]
    if last is None:
        raise InputError("usage store", "holds no usage yet; import some first")
    return last


def refuse_bad_rows(errors: Sequence[InputError]) -> None:
    """Every bad row on stderr; the first one raised, so the command exits 2."""
    for error in errors[1:]:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        raise InputError(*errors[0].args)  # a copy: the stored one would join a frame cycle


# -- rows out ------------------------------------------------------------------------------------


def emit(rows: list[tuple], names: list[str], args) -> None:
    """Rows as JSON (--json), CSV (--csv, through the one CSV writer) or an aligned table."""
    if getattr(args, "json", False):
        print_json([dict(zip(names, row, strict=True)) for row in rows])
    elif getattr(args, "csv", False):
        dated = ([v.isoformat() if isinstance(v, date) else v for v in row] for row in rows)
        sys.stdout.write(tuples_to_csv(dated, names))
    else:
        print(table(rows, names))


def table(rows: list[tuple], names: list[str]) -> str:
    """An aligned text table; money to the cent, token counts with thousands separators."""
    cells = [names] + [[_cell(name, v) for name, v in zip(names, r, strict=True)] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(names))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines) if rows else "(nothing)"


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and name.endswith("_usd"):
        return f"{value:,.2f}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,.0f}"
    return str(value)


def frame_text(frame) -> str:
    """A DataFrame as the governance commands print it (without the index)."""
    return frame.to_string(index=False) if len(frame) else "(none)"
