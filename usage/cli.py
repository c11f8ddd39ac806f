"""Command line for actual AI spend: import provider exports into the usage store, report
spend, and govern it (value, spikes, budgets, plan against actual, the measured workload,
alerts).

Every command takes --db PATH (default: $PLANNER_USAGE_DB, else
$XDG_DATA_HOME/ai-spend-planner/usage.duckdb). A file with any bad row imports nothing, and
every bad row is named with its file, row and field.
"""

from __future__ import annotations

from foundation.cli import new_parser, run_command
from usage.commands import governance, imports, planning, reports


def main(argv: list[str] | None = None, con=None) -> int:
    """Run one command; `con` (a DuckDB connection holding costed_usage) is for tests."""
    extra = {"connection": con} if con is not None else None
    return run_command(build_parser(), argv, "usage.cli", extra)


def build_parser():
    parser, sub = new_parser("python -m usage", __doc__)
    for group in (imports, reports, governance, planning):
        group.register(sub)
    return parser
