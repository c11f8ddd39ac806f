"""`python -m planner audit [--limit N] [--json]`: the audit trail of the shared scenario
database (PLANNER_DATABASE_URL or PLANNER_SCENARIO_DB, as the app uses): who changed what
and when, the newest first, as CSV on standard output (or JSON)."""

from __future__ import annotations

import argparse
import sys

from foundation.cli import EXIT_OK, add_command, print_json
from foundation.cli import options as opt
from foundation.csvfile import table_to_csv

MAX_LIMIT = 1_000_000


def register(sub) -> None:
    """Add the `audit` command to the planner's command line."""
    cmd = add_command(
        sub, "audit", "The audit trail: who changed what and when, newest first.", run
    )
    cmd.add_argument(
        "--limit", type=opt.int_in(1, MAX_LIMIT, " rows"), default=None, metavar="N",
        help="only the newest N rows",
    )  # fmt: skip
    cmd.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    # Imported here: the database layer (SQLAlchemy, about 0.1 s) is loaded only by the one
    # command that reads the database, not by every `python -m planner` command.
    from planner.audit_trail import COLUMNS
    from planner.scenario_store import ScenarioStore, database_url

    store = ScenarioStore(database_url())
    try:
        rows = [entry.row() for entry in store.audit_trail(args.limit)]
    finally:
        store.close()
    if args.json:
        print_json({"audit_trail": rows})
    else:
        sys.stdout.write(table_to_csv(rows, COLUMNS))
    return EXIT_OK
