"""Command line for the usage store: import exports, report spend, list and remove imports.

    python -m usage import FILE... [--format F] [--json]
    python -m usage summary --by team|project|user|api_key|workspace|model|provider|task_class
                            |day|month[,...] [--from DATE] [--to DATE] [--discount P=PCT]
                            [--json|--csv]
    python -m usage imports [--remove ID] [--json]
    python -m usage unresolved [--json|--csv]
    python -m usage rules FILE        (attribution rules: field,pattern,team,task_class)
    python -m usage models FILE       (model mapping: raw_model,model as provider/model)

Every command takes --db PATH (default: $PLANNER_USAGE_DB, else
~/.local/share/ai-spend-planner/usage.duckdb) and --prices DIR. Exit codes: 0 done,
2 bad input (each bad row named with its file, row and field; nothing of that file imported).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from foundation.errors import InputError, StoreError
from foundation.inputs import finite, safe_cell
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from usage import formats, governance_cli, queries, store
from usage.attribution import RulesRejected, apply_rules, load_rules
from usage.importer import ImportRejected, import_file
from usage.resolve import load_model_mapping

EXIT_OK, EXIT_BAD_INPUT = 0, 2
SHOWN_ERRORS = 50  # bad rows printed in full; the count says how many there are in all


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ImportRejected, RulesRejected) as exc:
        _print_rejected(exc)
        return EXIT_BAD_INPUT
    except (InputError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except duckdb.IOException as exc:
        print(f"error: the usage store cannot be opened: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m usage", description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    imp = _command(sub, "import", "Import usage or cost exports.", run_import)
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    imp.add_argument("--json", action="store_true")
    summary = _command(sub, "summary", "Tokens, list cost at date, billed cost.", run_summary)
    summary.add_argument("--by", default="team", type=_dimensions, metavar="DIM[,DIM]",
                         help=f"one or more of: {', '.join(queries.DIMENSIONS)}")  # fmt: skip
    summary.add_argument("--from", dest="start", type=_date, metavar="DATE")
    summary.add_argument("--to", dest="end", type=_date, metavar="DATE", help="inclusive")
    summary.add_argument("--discount", action="append", default=[], metavar="KEY=PCT",
                         help="negotiated discount, KEY a provider or provider/model")  # fmt: skip
    _output_args(summary)
    imports = _command(sub, "imports", "List imports, or remove one.", run_imports)
    imports.add_argument("--remove", type=int, metavar="ID")
    imports.add_argument("--json", action="store_true")
    unresolved = _command(sub, "unresolved", "Models with no catalog price.", run_unresolved)
    _output_args(unresolved)
    rules = _command(sub, "rules", "Replace the attribution rules.", run_rules)
    rules.add_argument("file", type=Path, metavar="FILE")
    models = _command(sub, "models", "Replace the model mapping file.", run_models)
    models.add_argument("file", type=Path, metavar="FILE")
    governance_cli.register(sub)  # value, spikes, budgets, plan-vs-actual, workload, alerts
    return parser


def _command(sub, name: str, help_text: str, run) -> argparse.ArgumentParser:
    command = sub.add_parser(name, help=help_text)
    command.add_argument("--db", type=Path, default=None, metavar="PATH",
                         help=f"store file (default ${store.DEFAULT_DB_ENV} or "
                              f"{store.default_db_path()})")  # fmt: skip
    command.add_argument("--prices", type=Path, default=DEFAULT_PRICE_DIR, metavar="DIR")
    command.set_defaults(run=run)
    return command


def _output_args(command: argparse.ArgumentParser) -> None:
    out = command.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _dimensions(text: str) -> list[str]:
    dims = [d.strip() for d in text.split(",") if d.strip()]
    unknown = [d for d in dims if d not in queries.DIMENSIONS]
    if unknown or not dims:
        known = ", ".join(queries.DIMENSIONS)
        raise argparse.ArgumentTypeError(f"cannot group by {text!r}; choose from {known}")
    return dims


def _catalog(args) -> Catalog:
    return Catalog.load(args.prices)


# -- commands --------------------------------------------------------------------------------


def run_import(args) -> int:
    catalog = _catalog(args)
    results, failed = [], False
    for path in args.files:
        con = store.connect(args.db)
        try:
            results.append(import_file(con, path, catalog, args.format))
        except (ImportRejected, InputError) as exc:
            failed = True
            if isinstance(exc, ImportRejected):
                _print_rejected(exc)
            else:
                print(f"error: {exc}", file=sys.stderr)
        finally:
            con.close()
    if args.json:
        print(json.dumps([_import_json(r) for r in results], indent=2))
    else:
        for result in results:
            print(_import_line(result))
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _import_json(result: store.ImportResult) -> dict[str, Any]:
    return {
        "import_id": result.import_id,
        "file": result.file_name,
        "format": result.source_format,
        "rows_in_file": result.rows_in_file,
        "rows_added": result.rows_added,
        "duplicates": result.duplicates,
        "already_imported": result.already_imported,
        "not_stored": [{"what": w, "rows": n, "usd": usd} for w, n, usd in result.notes],
    }


def _import_line(result: store.ImportResult) -> str:
    if result.already_imported:
        return f"{result.file_name}: already imported as #{result.import_id}; nothing added"
    line = (
        f"{result.file_name}: import #{result.import_id} ({result.source_format}), "
        f"{result.rows_added:,} rows added, {result.duplicates:,} already stored"
    )
    for what, n, usd in result.notes:
        line += f"; not stored: {n:,} {what} (${usd:,.2f})"
    return line


def run_summary(args) -> int:
    discounts = [_discount(text) for text in args.discount]
    catalog = _catalog(args)
    con = store.connect(args.db)
    try:
        store.ensure_prices(con, catalog)
        rows, names = summary(con, args.by, args.start, args.end, discounts)
    finally:
        con.close()
    _emit(rows, names, args)
    return EXIT_OK


def summary(con: duckdb.DuckDBPyConnection, by: Sequence[str], start: date | None = None,
            end: date | None = None, discounts: Sequence[tuple[str, float]] = ()
            ) -> tuple[list[tuple], list[str]]:  # fmt: skip
    """The summary rows and column names (the same query the CLI and tests run)."""
    where, params = [], []
    if start:
        where.append("d.day >= ?")
        params.append(start)
    if end:
        where.append("d.day <= ?")
        params.append(end)
    if "day" in by or not _on_period_bounds(con, start, end):
        shape = {"source": queries.per_row_source(), "precovered": False,
                 "prompt_condition": queries.PER_ROW_PROMPT}  # fmt: skip
    else:
        shape = {}  # the price-period sums kept at import
    sql = queries.summary_sql(
        by, discounted=len(discounts), where=("WHERE " + " AND ".join(where)) if where else "",
        **shape,
    )  # fmt: skip
    flat = [v for key, pct in discounts for v in (key, 1 - pct / 100)]
    result = con.execute(sql, flat + params)
    names = [d[0] for d in result.description]
    return result.fetchall(), names


def _on_period_bounds(con: duckdb.DuckDBPyConnection, start: date | None,
                      end: date | None) -> bool:  # fmt: skip
    """Whether [start, end] holds whole price periods, so the period sums answer exactly."""
    bounds = [d for d in (start, end and end + timedelta(days=1)) if d is not None]
    for day in bounds:
        found = con.execute("SELECT period_start FROM periods WHERE day = ?", [day]).fetchall()
        if found and found[0][0] != day:
            return False
    return True


def _discount(text: str) -> tuple[str, float]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError("--discount", f"expected KEY=PCT, got {text!r}")
    try:
        pct = finite(float(value), "--discount")
    except ValueError:
        raise InputError("--discount", f"not a percentage: {value!r}", field=key) from None
    if not 0 <= pct < 100:
        raise InputError("--discount", f"must be from 0 to under 100, got {pct:g}", field=key)
    return key.strip(), pct


def run_imports(args) -> int:
    con = store.connect(args.db)
    try:
        if args.remove is not None:
            if not store.remove_import(con, args.remove):
                raise InputError("--remove", f"there is no import #{args.remove}")
            print(f"removed import #{args.remove} and its rows")
            return EXIT_OK
        records = store.list_imports(con)
    finally:
        con.close()
    names = ["import_id", "file_name", "source_format", "rows_in_file", "rows_added",
             "imported_at", "file_hash"]  # fmt: skip
    rows = [
        (r.import_id, r.file_name, r.source_format, r.rows_in_file, r.rows_added,
         r.imported_at.isoformat(sep=" "), r.file_hash[:12])
        for r in records
    ]  # fmt: skip
    args.csv = False
    _emit(rows, names, args)
    return EXIT_OK


def run_unresolved(args) -> int:
    catalog = _catalog(args)
    con = store.connect(args.db)
    try:
        store.ensure_prices(con, catalog)
        result = con.execute(queries.unresolved_sql())
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        con.close()
    _emit(rows, names, args)
    return EXIT_OK


def run_rules(args) -> int:
    rules = load_rules(args.file)
    con = store.connect(args.db)
    try:
        apply_rules(con, rules)
    finally:
        con.close()
    print(f"{len(rules)} attribution rules in force (first match wins)")
    return EXIT_OK


def run_models(args) -> int:
    catalog = _catalog(args)
    mapping = load_model_mapping(args.file, catalog)
    con = store.connect(args.db)
    try:
        store.set_model_aliases(con, mapping, catalog)
    finally:
        con.close()
    print(f"{len(mapping)} model mappings in force")
    return EXIT_OK


# -- output ----------------------------------------------------------------------------------


def _emit(rows: list[tuple], names: list[str], args) -> None:
    if getattr(args, "json", False):
        print(json.dumps([dict(zip(names, map(_json_value, r), strict=True)) for r in rows],
                         indent=2))  # fmt: skip
    elif getattr(args, "csv", False):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([safe_cell(v) for v in _plain(row)] for row in rows)
        sys.stdout.write(out.getvalue())
    else:
        print(_table(rows, names))


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _plain(row: tuple) -> list[Any]:
    return [v.isoformat() if isinstance(v, date) else v for v in row]


def _table(rows: list[tuple], names: list[str]) -> str:
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


def _print_rejected(exc: ImportRejected | RulesRejected) -> None:
    print(f"error: {exc}", file=sys.stderr)
    for error in exc.errors[:SHOWN_ERRORS]:
        print(f"  {error}", file=sys.stderr)
    if len(exc.errors) > SHOWN_ERRORS:
        print(f"  ... and {len(exc.errors) - SHOWN_ERRORS:,} more", file=sys.stderr)
