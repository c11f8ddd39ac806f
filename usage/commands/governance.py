"""Governance over actual spend: `value` (value per token and the value board), `spikes`,
`budgets` (spend, projection, run-out) and `alerts` (for cron or CI: exit 1 when an alert
at or above --severity fired, 5 when the webhook could not be reached or was refused: a
non-public address without --allow-private-webhook, or a redirect). `value` and `budgets`
without a file use the outcomes or budgets in force in the store (`usage.settings`)."""

from __future__ import annotations

import http.client
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import pandas as pd

from foundation.cli import EXIT_ALERT, EXIT_OK, DeliveryError, print_json, records
from foundation.cli import options as opt
from foundation.errors import InputError
from foundation.tables import format_of
from planner.workload import load_workload
from usage import alerts as alerting
from usage import settings
from usage.budgets import Budgets, load_budgets, parse_budgets, statuses
from usage.commands.common import command, frame_text, last_day, open_store, refuse_bad_rows
from usage.commitments import Commitments, load_commitments, parse_commitments
from usage.commitments import statuses as commitment_statuses
from usage.daily import load_daily
from usage.focus_commitments import focus_commitments, merged
from usage.outcomes import Outcomes, load_outcomes, parse_outcomes
from usage.spikes import DIMENSIONS, find_spikes, has_hours
from usage.value import monthly_spend, rollup, tokenmaxxing, value_board, value_table

ALERT_DAYS = 7  # `alerts` looks at spikes in the last week of data by default
MAX_SPIKES = 10_000


def register(sub) -> None:
    value = command(sub, "value", "Value per token and the value board.", run_value)
    value.add_argument(
        "--outcomes",
        type=opt.input_file,
        metavar="FILE",
        help="tasks attempted and succeeded, and their value (default: the version in force "
        "in the store, saved on the Data page)",
    )
    value.add_argument(
        "--workload", type=opt.input_file, metavar="FILE", help="for today's process"
    )
    value.add_argument(
        "--by",
        choices=("team", "task_class"),
        default="team",
        help="rows of the board (default: team)",
    )
    value.add_argument(
        "--period",
        type=opt.month,
        metavar="YYYY-MM",
        help="month of the board (default: the latest)",
    )
    spikes = command(sub, "spikes", "Days (or hours) outside the usual range.", run_spikes)
    spikes.add_argument(
        "--by",
        default="team",
        type=opt.choice_list(DIMENSIONS, "split spend by"),
        metavar="DIM[,DIM]",
        help=f"comma list of {', '.join(DIMENSIONS)}",
    )
    spikes.add_argument(
        "--grain",
        choices=("auto", "day", "hour"),
        default="day",
        help="day, hour, or auto: hours when the data has them (default: day)",
    )
    spikes.add_argument("--since", type=opt.day, metavar="DATE", help="only spikes from this day")
    spikes.add_argument(
        "--limit",
        type=opt.int_in(1, MAX_SPIKES),
        default=20,
        metavar="N",
        help=f"the largest N spikes, 1 to {MAX_SPIKES:,} (default: 20)",
    )
    budgets = command(sub, "budgets", "Budgets: spend, projection, run-out.", run_budgets)
    budgets.add_argument(
        "--budgets",
        type=opt.input_file,
        metavar="FILE",
        help="scope,name,month,budget_usd (default: the version in force in the store, saved "
        "on the Data page)",
    )
    budgets.add_argument("--as-of", type=opt.day, metavar="DATE", help="default: last data day")
    alerts = command(sub, "alerts", "Current alerts, for cron or CI.", run_alerts)
    alerts.add_argument(
        "--budgets", type=opt.input_file, metavar="FILE", help="budgets to check (default: none)"
    )
    alerts.add_argument(
        "--outcomes",
        type=opt.input_file,
        metavar="FILE",
        help="outcomes for the tokenmaxxing check (default: none)",
    )
    alerts.add_argument(
        "--commitments",
        type=opt.input_file,
        metavar="FILE",
        help="provider,start,end,amount_usd[,commitment_id]: commitments projected short or "
        "over, beside those bought in the store's FOCUS exports (default: the commitments "
        "saved in the store, if any)",
    )
    alerts.add_argument(
        "--severity",
        choices=alerting.SEVERITIES,
        default="warning",
        help="exit 1 when an alert is at or above this (default: warning)",
    )
    alerts.add_argument("--since", type=opt.day, metavar="DATE", help="default: last 7 data days")
    alerts.add_argument("--as-of", type=opt.day, metavar="DATE", help="default: last data day")
    alerts.add_argument("--no-send", action="store_true", help="never post to the webhook")
    alerts.add_argument(
        "--allow-private-webhook",
        action="store_true",
        help=f"post to a webhook on a loopback, private or link-local address (an internal "
        f"relay; also ${alerting.ALLOW_PRIVATE_ENV}=1)",
    )


def run_value(args) -> int:
    outcomes = _outcomes(args.outcomes) if args.outcomes else None
    typed = load_workload(args.workload) if args.workload else None
    with open_store(args, reads_only=True) as con:
        kept = None if outcomes else _in_force(con, "outcomes", "--outcomes")
        spend = monthly_spend(con)
    if kept:
        outcomes = parse_outcomes(kept[1], kept[0], format_of(kept[0]))
        refuse_bad_rows(outcomes.errors)
    table = value_table(spend, outcomes.rows, typed)
    board = value_board(table, args.by, args.period)
    if args.json:
        print_json({"board": records(board), "rows": records(table)}
                   | ({"outcomes": _version_dict(kept[2])} if kept else {}))  # fmt: skip
        return EXIT_OK
    if kept:
        print(f"Outcomes: {kept[2].describe()}")
    print(f"Value board by {args.by} (ranked by value per 1,000 tokens; tokens never rank):")
    print(frame_text(board))
    return EXIT_OK


def run_spikes(args) -> int:
    with open_store(args, reads_only=True) as con:
        grain = ("hour" if has_hours(con) else "day") if args.grain == "auto" else args.grain
        found = find_spikes(con, args.by, since=args.since, grain=grain, limit=args.limit)
    if args.json:
        print_json({"spikes": [_spike_dict(s) for s in found]})
        return EXIT_OK
    print("\n".join(s.sentence() for s in found) or "No spikes.")
    return EXIT_OK


def run_budgets(args) -> int:
    budgets = _budgets(args.budgets) if args.budgets else None
    with open_store(args, reads_only=True) as con:
        kept = None if budgets else _in_force(con, "budgets", "--budgets")
        if kept:
            budgets = parse_budgets(kept[1], kept[0], format_of(kept[0]))
            refuse_bad_rows(budgets.errors)
        found = statuses(load_daily(con), budgets.rows, args.as_of or last_day(con))
    rows = [_status_dict(s) for s in found]
    if args.json:
        print_json({"budgets": rows} | ({"version": _version_dict(kept[2])} if kept else {}))
        return EXIT_OK
    if kept:
        print(f"Budgets: {kept[2].describe()}")
    print(frame_text(pd.DataFrame(rows)))
    return EXIT_OK


def run_alerts(args) -> int:
    budgets = _budgets(args.budgets) if args.budgets else Budgets()
    outcomes = _outcomes(args.outcomes) if args.outcomes else Outcomes()
    commitments = _commitments(args.commitments) if args.commitments else Commitments()
    with open_store(args, reads_only=True) as con:
        if not args.commitments:  # the version saved on the Data page or Actual spend, if any
            commitments = _commitments_in_force(con)
        last = last_day(con)
        since = args.since or last - timedelta(days=ALERT_DAYS - 1)
        found = alerting.spike_alerts(find_spikes(con, ("team",), since=since, limit=None))
        bought = focus_commitments(con)  # bought in FOCUS exports; a file's row counts once
        committed = merged(commitments.rows, bought).rows
        daily = load_daily(con) if budgets.rows or committed else None
        found += alerting.budget_alerts(statuses(daily, budgets.rows, args.as_of or last))
        found += alerting.commitment_alerts(
            commitment_statuses(daily, committed, args.as_of or last, bought.drawn, bought.beside)
        )
        if outcomes.rows:
            found += _tokenmaxxing(con, outcomes)
    found = alerting.ordered(found)
    url = None if args.no_send else alerting.webhook_url()
    allow = args.allow_private_webhook or alerting.private_allowed()
    failure = _send(found, url, allow) if url and found else None
    sent = bool(url and found and failure is None)
    if args.json:
        print_json({"alerts": [a.to_dict() for a in found], "sent": sent})
    else:
        print("\n".join(f"[{a.severity}] {a.kind}: {a.message}" for a in found) or "No alerts.")
    if failure is not None:  # the alerts are printed all the same; the scheduler sees exit 5
        raise DeliveryError(_host(url), f"the alerts could not be delivered ({failure})")
    return EXIT_ALERT if alerting.at_or_above(found, args.severity) else EXIT_OK


def _send(found: list[alerting.Alert], url: str, allow_private: bool) -> str | None:
    """Post the alerts; None when delivered, else why not in a few words."""
    try:
        status = alerting.send(found, url, allow_private=allow_private)
    except alerting.DeliveryRefused as exc:
        return str(exc)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        code = getattr(exc, "code", None)
        return f"HTTP {code}: {reason}" if code else f"{type(exc).__name__}: {reason}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def _host(url: str) -> str:
    """The webhook's scheme and host: its path may hold a secret token."""
    parsed = urlparse(url)
    return f"webhook {parsed.scheme}://{parsed.hostname}"


def _tokenmaxxing(con, outcomes: Outcomes) -> list[alerting.Alert]:
    table = value_table(monthly_spend(con), outcomes.rows)
    latest = max(table["period"]) if len(table) else None
    found = []
    for by in ("team", "task_class"):
        flags = {k: v for k, v in tokenmaxxing(rollup(table, by), by).items() if k[1] == latest}
        found += alerting.tokenmaxxing_alerts(flags, by)
    return found


def _in_force(con, kind: str, option: str) -> tuple[str, bytes, settings.SettingVersion]:
    """The budgets or outcomes file in force in the store and its version; refused (exit 2)
    when none was ever saved."""
    kept, saved = settings.file_in_force(con, kind)
    if kept is None:
        raise InputError(kind, f"none saved in the store yet: give {option} FILE, or upload "
                         f"a {kind} file on the Data page")  # fmt: skip
    return kept[0], kept[1], saved


def _version_dict(saved: settings.SettingVersion) -> dict[str, Any]:
    return {"version": saved.version, "saved_by": saved.saved_by,
            "saved_at": saved.saved_at.isoformat(sep=" ")}  # fmt: skip


def _outcomes(path: Path) -> Outcomes:
    outcomes = load_outcomes(path)
    refuse_bad_rows(outcomes.errors)
    return outcomes


def _commitments_in_force(con) -> Commitments:
    """The commitments saved in the store; none where nothing was saved, or where the
    database holds costed rows alone (no settings table: a copy of `costed_usage`)."""
    try:
        kept, _ = settings.file_in_force(con, "commitments")
    except duckdb.CatalogException:
        return Commitments()
    if kept is None:
        return Commitments()
    commitments = parse_commitments(kept[1], kept[0], format_of(kept[0]))
    refuse_bad_rows(commitments.errors)
    return commitments


def _commitments(path: Path) -> Commitments:
    commitments = load_commitments(path)
    refuse_bad_rows(commitments.errors)
    return commitments


def _budgets(path: Path) -> Budgets:
    budgets = load_budgets(path)
    refuse_bad_rows(budgets.errors)
    return budgets


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
