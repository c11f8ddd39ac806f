"""Command line for governance over actual spend: value, spikes, budgets, plan against actual,
the measured workload and alerts.

    python -m usage value --outcomes FILE [--by team|task_class] [--period YYYY-MM]
    python -m usage spikes [--by team,model] [--grain day|hour] [--since DATE]
    python -m usage budgets --budgets FILE [--as-of DATE]
    python -m usage plan-vs-actual [--workload FILE] [--month YYYY-MM]
    python -m usage workload [--workload FILE] [--out FILE]
    python -m usage alerts [--budgets FILE] [--outcomes FILE] [--severity warning]

Every command takes --db PATH and --json. Exit codes: 0 done, 1 (alerts only) an alert at or
above --severity, 2 bad input (every bad row is named on stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from foundation.errors import InputError, StoreError, UnknownIdError
from planner.plan import Plan, optimize
from planner.problem import PlanSettings, build_problem
from planner.quality import default_quality, load_quality
from planner.workload import Workload, load_workload
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from usage import alerts as alerting
from usage import store
from usage.budgets import Budgets, load_budgets, statuses
from usage.daily import load_daily
from usage.measured import differences, measure, workload_csv
from usage.outcomes import Outcomes, load_outcomes
from usage.plan_vs_actual import last_full_month, plan_vs_actual
from usage.spikes import DIMENSIONS, find_spikes, has_hours
from usage.value import monthly_spend, rollup, tokenmaxxing, value_board, value_table

EXIT_OK, EXIT_ALERT, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_WORKLOAD = Path(__file__).resolve().parent.parent / "data/workloads/example_enterprise.csv"
ALERT_DAYS = 7  # `alerts` looks at spikes in the last week of data by default


def main(argv: list[str] | None = None, con=None) -> int:
    """Run one command; `con` (a DuckDB connection holding costed_usage) is for tests."""
    parser = argparse.ArgumentParser(prog="python -m usage", description=__doc__)
    register(parser.add_subparsers(required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    args.connection = con
    return args.run(args)


def register(subparsers) -> None:
    """Add the governance commands to the `usage` command line's subparsers."""
    value = _command(subparsers, "value", "Value per token and the value board.", run_value)
    value.add_argument("--outcomes", type=Path, required=True, metavar="FILE")
    value.add_argument("--workload", type=Path, metavar="FILE", help="for today's process")
    value.add_argument("--by", choices=("team", "task_class"), default="team")
    value.add_argument("--period", metavar="YYYY-MM", help="month of the board (latest)")
    spikes = _command(subparsers, "spikes", "Days (or hours) outside the usual range.", run_spikes)
    spikes.add_argument("--by", default="team", help=f"comma list of {', '.join(DIMENSIONS)}")
    spikes.add_argument("--grain", choices=("auto", "day", "hour"), default="day")
    spikes.add_argument("--since", type=_date, metavar="DATE", help="only spikes from this day")
    spikes.add_argument("--limit", type=int, default=20)
    budgets = _command(subparsers, "budgets", "Budgets: spend, projection, run-out.", run_budgets)
    budgets.add_argument("--budgets", type=Path, required=True, metavar="FILE")
    budgets.add_argument("--as-of", type=_date, metavar="DATE", help="default: last data day")
    pva = _command(subparsers, "plan-vs-actual", "Last month's work under the plan.", run_pva)
    _plan_args(pva)
    pva.add_argument("--month", metavar="YYYY-MM", help="default: the last full month")
    workload = _command(subparsers, "workload", "Write the measured workload CSV.", run_workload)
    workload.add_argument("--workload", type=Path, default=DEFAULT_WORKLOAD, metavar="FILE")
    workload.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    alerts = _command(subparsers, "alerts", "Current alerts, for cron or CI.", run_alerts)
    alerts.add_argument("--budgets", type=Path, metavar="FILE")
    alerts.add_argument("--outcomes", type=Path, metavar="FILE")
    alerts.add_argument("--severity", choices=alerting.SEVERITIES, default="warning")
    alerts.add_argument("--since", type=_date, metavar="DATE", help="default: last 7 data days")
    alerts.add_argument("--as-of", type=_date, metavar="DATE", help="default: last data day")
    alerts.add_argument("--no-send", action="store_true", help="never post to the webhook")


def _command(subparsers, name: str, text: str, run: Callable) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=text, description=text)
    parser.add_argument("--db", metavar="PATH", help="the usage store (default: see README)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=_guarded(run), connection=None)
    return parser


def _plan_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workload", type=Path, default=DEFAULT_WORKLOAD, metavar="FILE")
    parser.add_argument("--quality", type=Path, metavar="FILE")
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICE_DIR, metavar="DIR")
    parser.add_argument("--as-of", type=_date, default=date.today(), metavar="DATE")
    parser.add_argument("--budget", type=float, metavar="USD")
    parser.add_argument("--objective", choices=("max-value", "min-cost"), default="min-cost")


def _guarded(run: Callable) -> Callable[[argparse.Namespace], int]:
    """The command, with bad input turned into a message on stderr and exit code 2."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (InputError, StoreError, UnknownIdError, LookupError, ValueError) as exc:
            print(f"error: {exc.args[0] if isinstance(exc, LookupError) else exc}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return guarded


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _with_store(args, query: Callable[[Any], Any]) -> Any:
    """Run `query` on the store: the given connection, or a short-lived one to --db."""
    if args.connection is not None:
        return query(args.connection)
    con = store.connect(args.db)
    try:
        return query(con)
    finally:
        con.close()


# -- commands -----------------------------------------------------------------------------------


def run_value(args) -> int:
    outcomes = _outcomes(args.outcomes)
    typed = load_workload(args.workload) if args.workload else None
    spend = _with_store(args, monthly_spend)
    table = value_table(spend, outcomes.rows, typed)
    board = value_board(table, args.by, args.period)
    if args.json:
        return _print_json({"board": _records(board), "rows": _records(table)})
    print(f"Value board by {args.by} (ranked by value per 1,000 tokens; tokens never rank):")
    print(_text(board))
    return EXIT_OK


def run_spikes(args) -> int:
    by = [part.strip() for part in args.by.split(",") if part.strip()]

    def query(con):
        grain = ("hour" if has_hours(con) else "day") if args.grain == "auto" else args.grain
        return find_spikes(con, by, since=args.since, grain=grain, limit=args.limit)

    found = _with_store(args, query)
    if args.json:
        return _print_json({"spikes": [_spike_dict(s) for s in found]})
    print("\n".join(s.sentence() for s in found) or "No spikes.")
    return EXIT_OK


def run_budgets(args) -> int:
    budgets = _budgets(args.budgets)

    def query(con):
        return statuses(load_daily(con), budgets.rows, args.as_of or _last_day(con))

    found = _with_store(args, query)
    rows = [_status_dict(s) for s in found]
    if args.json:
        return _print_json({"budgets": rows})
    print(_text(pd.DataFrame(rows)))
    return EXIT_OK


def run_pva(args) -> int:
    catalog = Catalog.load(args.prices)
    plan = solve_plan(load_workload(args.workload), catalog, args)

    def query(con):
        month = args.month or last_full_month(con)
        return plan_vs_actual(con, plan, catalog, month) if month else None

    result = _with_store(args, query)
    if result is None:
        raise InputError("usage store", "holds no usage yet; import some first")
    if args.json:
        return _print_json(
            {
                "month": result.month,
                "headline": result.headline(),
                "actual_usd": result.actual_usd,
                "plan_same_work_usd": result.same_work_usd,
                "by_class": _records(result.by_class),
                "by_team": _records(result.by_team),
                "model_mix": _records(result.mix),
                "outside_plan": _records(result.outside),
            }
        )
    print(result.headline())
    print(_text(result.by_class))
    return EXIT_OK


def solve_plan(workload: Workload, catalog: Catalog, args) -> Plan:
    """The plan to hold actuals against (min-cost with every floor met, by default)."""
    quality = default_quality(catalog.model_ids())
    if getattr(args, "quality", None):
        quality = load_quality(args.quality, catalog.model_ids()).overlaid_on(quality)
    settings = PlanSettings(objective=args.objective, budget_usd=args.budget, as_of=args.as_of)
    plan = optimize(build_problem(workload, quality, catalog, settings))
    if not plan.is_optimal:
        raise InputError(str(args.workload), "has no feasible plan to compare actuals with")
    return plan


def run_workload(args) -> int:
    typed = load_workload(args.workload)
    measured = _with_store(args, lambda con: measure(con, typed))
    if measured.workload is None:
        raise InputError("usage store", "has no usage with a task class the workload knows")
    text = workload_csv(measured)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.json:
        return _print_json(
            {
                "month": measured.month,
                "csv": text,
                "differences": _records(differences(typed, measured.workload)),
                "not_in_workload": list(measured.missing),
            }
        )
    if not args.out:
        print(text, end="")
    for name in measured.missing:
        print(f"note: class {name!r} is in the usage but not in the workload", file=sys.stderr)
    return EXIT_OK


def run_alerts(args) -> int:
    budgets = _budgets(args.budgets) if args.budgets else Budgets()
    outcomes = _outcomes(args.outcomes) if args.outcomes else Outcomes()

    def query(con):
        last = _last_day(con)
        since = args.since or last - timedelta(days=ALERT_DAYS - 1)
        found = alerting.spike_alerts(find_spikes(con, ("team",), since=since, limit=None))
        daily = load_daily(con) if budgets.rows else None
        found += alerting.budget_alerts(statuses(daily, budgets.rows, args.as_of or last))
        if outcomes.rows:
            found += _tokenmaxxing(con, outcomes)
        return alerting.ordered(found)

    found = _with_store(args, query)
    url = None if args.no_send else alerting.webhook_url()
    if url and found:
        alerting.send(found, url)
    if args.json:
        _print_json({"alerts": [a.to_dict() for a in found], "sent": bool(url and found)})
    else:
        lines = [f"[{a.severity}] {a.kind}: {a.message}" for a in found]
        print("\n".join(lines) or "No alerts.")
    return EXIT_ALERT if alerting.at_or_above(found, args.severity) else EXIT_OK


def _tokenmaxxing(con, outcomes: Outcomes) -> list[alerting.Alert]:
    table = value_table(monthly_spend(con), outcomes.rows)
    latest = max(table["period"]) if len(table) else None
    found = []
    for by in ("team", "task_class"):
        flags = {k: v for k, v in tokenmaxxing(rollup(table, by), by).items() if k[1] == latest}
        found += alerting.tokenmaxxing_alerts(flags, by)
    return found


# -- input and output helpers -----------------------------------------------------------------


def _outcomes(path: Path) -> Outcomes:
    outcomes = load_outcomes(path)
    _refuse_bad_rows(outcomes.errors)
    return outcomes


def _budgets(path: Path) -> Budgets:
    budgets = load_budgets(path)
    _refuse_bad_rows(budgets.errors)
    return budgets


def _refuse_bad_rows(errors) -> None:
    """Every bad row on stderr; the first one raised, so the command exits 2."""
    for error in errors[1:]:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        raise InputError(*errors[0].args)  # a copy: the stored one would join a frame cycle


def _last_day(con) -> date:
    last = con.execute("SELECT MAX(day) FROM costed_usage").fetchone()[0]
    if last is None:
        raise InputError("usage store", "holds no usage yet; import some first")
    return last


def _status_dict(status) -> dict[str, Any]:
    budget = status.budget
    return {
        "budget": budget.label,
        "month": budget.month,
        "budget_usd": budget.budget_usd,
        "as_of": status.as_of.isoformat(),
        "spent_usd": status.spent_usd,
        "used": status.used,
        "projected_usd": status.projected_usd,
        "projected_low_usd": status.projected_low_usd,
        "projected_high_usd": status.projected_high_usd,
        "run_out": status.run_out.isoformat() if status.run_out else None,
        "threshold": f"{status.threshold[0]:.0%}" if status.threshold else None,
        "projected_overrun": status.projected_overrun,
    }


def _spike_dict(spike) -> dict[str, Any]:
    return {
        "series": spike.series,
        "when": spike.when.isoformat(),
        "spend_usd": spike.spend_usd,
        "expected_usd": spike.expected_usd,
        "usual_low_usd": spike.usual_low_usd,
        "usual_high_usd": spike.usual_high_usd,
        "excess_usd": spike.excess_usd,
        "driver": spike.driver,
        "sentence": spike.sentence(),
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values: NaN and NA as null, timestamps as ISO text."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def _text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False) if len(frame) else "(none)"


def _print_json(payload: dict[str, Any]) -> int:
    print(json.dumps(payload, indent=2, allow_nan=False, default=str))
    return EXIT_OK
