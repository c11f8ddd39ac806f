"""Command line for the planner: solve a portfolio, sweep its frontier, forecast, ROI, the
default accuracy of every catalog model, and the audit trail.

Each command is a module of `planner.commands`; their text and JSON come from
`planner.report`. Exit codes: see the table below (0 a plan, 2 bad input naming the file,
row, field or option, 3 no feasible plan with the diagnosis on stderr and in the JSON).
"""

from __future__ import annotations

from foundation.cli import EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_OK, new_parser, run_command
from planner.commands import audit, forecast, frontier, quality, roi, solve
from planner.commands.forecast import MAX_PATHS
from planner.commands.frontier import MAX_POINTS

__all__ = ["EXIT_CODES", "MAX_PATHS", "MAX_POINTS", "build_parser", "main"]

# What the planner's own codes mean (the shared table, foundation.cli.EXIT_CODES, has all).
EXIT_CODES = {EXIT_OK: "a plan", EXIT_BAD_INPUT: "bad input", EXIT_INFEASIBLE: "no feasible plan"}


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv, "planner.cli")


def build_parser():
    parser, sub = new_parser("python -m planner", __doc__.split("\n\n")[0])
    for command in (solve, frontier, forecast, roi, quality, audit):
        command.register(sub)
    return parser
