"""`python -m planner frontier`: the plan re-solved across budgets (or accuracy bars)."""

from __future__ import annotations

from foundation.cli import EXIT_INFEASIBLE, EXIT_OK, add_command, print_json, records
from foundation.cli import options as opt
from planner.commands.common import add_input_args, load_problem
from planner.frontier import accuracy_frontier, budget_frontier

MAX_POINTS = 200  # frontier points; each is one solve


def register(sub) -> None:
    p = add_command(sub, "frontier", "Sweep the budget (or accuracy bar).", run)
    add_input_args(p)
    p.add_argument(
        "--points",
        type=opt.int_in(2, MAX_POINTS),
        default=25,
        metavar="N",
        help=f"points on the frontier, 2 to {MAX_POINTS} (default: 25)",
    )
    p.add_argument(
        "--over",
        choices=("budget", "accuracy"),
        default="budget",
        help="what to sweep (default: budget)",
    )


def run(args) -> int:
    problem = load_problem(args)
    sweep = budget_frontier if args.over == "budget" else accuracy_frontier
    table = sweep(problem, points=args.points)
    if args.json:
        print_json(records(table))
    else:
        print(table.to_string(index=False, float_format=lambda x: f"{x:,.4f}"))
    return EXIT_OK if len(table) else EXIT_INFEASIBLE
