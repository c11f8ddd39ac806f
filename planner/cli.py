"""Command line for the planner: solve a portfolio, sweep its frontier.

Exit codes: 0 a plan, 2 bad input (the message names the file, row and field),
3 no feasible plan (the diagnosis goes to stderr and into the JSON).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from planner.export import plan_to_csv
from planner.frontier import accuracy_frontier, budget_frontier
from planner.plan import Plan, optimize
from planner.problem import PlanningProblem, PlanSettings, build_problem
from planner.quality import default_quality, load_quality
from planner.workload import load_workload
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from pricing.errors import InputError, UnknownIdError
from pricing.scenario import PriceScenario

EXIT_OK, EXIT_BAD_INPUT, EXIT_INFEASIBLE = 0, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (InputError, UnknownIdError, LookupError, ValueError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, LookupError) else exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    solve = sub.add_parser("solve", help="Find the best portfolio and explain it.")
    add_input_args(solve)
    solve.add_argument("--out", type=Path, help="write the plan as CSV here")
    solve.set_defaults(run=run_solve)
    frontier = sub.add_parser("frontier", help="Sweep the budget (or accuracy bar).")
    add_input_args(frontier)
    frontier.add_argument("--points", type=int, default=25)
    frontier.add_argument("--over", choices=("budget", "accuracy"), default="budget")
    frontier.set_defaults(run=run_frontier)
    return parser


def add_input_args(p: argparse.ArgumentParser) -> None:
    """The options every planning command shares: inputs, prices and limits."""
    p.add_argument("--workload", type=Path, required=True, metavar="FILE")
    p.add_argument("--quality", type=Path, metavar="FILE", help="your evals; they win")
    p.add_argument("--prices", type=Path, default=DEFAULT_PRICE_DIR, metavar="DIR")
    p.add_argument("--as-of", type=_date, default=date.today(), metavar="DATE")
    p.add_argument("--budget", type=float, metavar="USD", help="monthly budget")
    p.add_argument("--objective", choices=("max-value", "min-cost"), default="max-value")
    p.add_argument("--single-model", action="store_true", help="one model per class")
    p.add_argument("--no-status-quo", action="store_true", help="never keep today's process")
    p.add_argument("--vendor-cap", action="append", default=[], metavar="PROVIDER=SHARE")
    p.add_argument("--discount", action="append", default=[], metavar="PROVIDER=PCT")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def load_problem(args) -> PlanningProblem:
    """Read the files named on the command line into a costed planning problem."""
    catalog = Catalog.load(args.prices)
    for error in catalog.errors:
        print(f"warning: price sheet refused: {error}", file=sys.stderr)
    workload = load_workload(args.workload, known_providers=catalog.providers())
    quality = default_quality(catalog.model_ids())
    if args.quality:
        quality = load_quality(args.quality, catalog.model_ids()).overlaid_on(quality)
    settings = PlanSettings(
        objective=args.objective,
        budget_usd=args.budget,
        vendor_caps={k: float(v) for k, v in _pairs(args.vendor_cap, "--vendor-cap").items()},
        single_model=args.single_model,
        include_status_quo=not args.no_status_quo,
        as_of=args.as_of,
        scenario=PriceScenario(discounts_pct=_pairs(args.discount, "--discount")),
    )
    return build_problem(workload, quality, catalog, settings)


def run_solve(args) -> int:
    plan = optimize(load_problem(args))
    if args.out and plan.is_optimal:
        args.out.write_text(plan_to_csv(plan), encoding="utf-8")
    if args.json:
        print(json.dumps(plan_json(plan), indent=2))
    else:
        print(plan_text(plan))
    if not plan.is_optimal:
        print(f"no feasible plan: {plan.diagnosis.summary}", file=sys.stderr)
        return EXIT_INFEASIBLE
    return EXIT_OK


def run_frontier(args) -> int:
    problem = load_problem(args)
    sweep = budget_frontier if args.over == "budget" else accuracy_frontier
    table = sweep(problem, points=args.points)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        print(table.to_string(index=False, float_format=lambda x: f"{x:,.4f}"))
    return EXIT_OK if len(table) else EXIT_INFEASIBLE


def plan_json(plan: Plan) -> dict:
    """The documented JSON shape: status, totals, assignments, explanations, diagnosis."""
    totals = plan.totals
    return {
        "status": plan.status.value,
        "totals": None
        if totals is None
        else {
            "monthly_cost_usd": totals.monthly_cost_usd,
            "model_spend_usd": totals.model_spend_usd,
            "monthly_net_value_usd": totals.monthly_net_value_usd,
            "mean_accuracy": totals.mean_accuracy,
            "monthly_tokens": totals.monthly_tokens,
        },
        "assignments": [
            {
                "task_class": a.task_class,
                "model": a.model,
                "provider": a.provider,
                "tier": a.tier,
                "share": a.share,
                "monthly_cost_usd": a.monthly_cost_usd,
                "accuracy": a.accuracy,
            }
            for a in plan.assignments
        ],
        "binding_constraints": [
            {"name": b.name, "family": b.family, "description": b.description} for b in plan.binding
        ],
        "budget_shadow_price": plan.budget_shadow_price,
        "diagnosis": None
        if plan.diagnosis is None
        else {
            "summary": plan.diagnosis.summary,
            "findings": [f.__dict__ for f in plan.diagnosis.findings],
        },
    }


def plan_text(plan: Plan) -> str:
    if not plan.is_optimal:
        return f"No feasible plan ({plan.status.value})."
    t = plan.totals
    lines = [
        f"Monthly cost ${t.monthly_cost_usd:,.2f}; net value ${t.monthly_net_value_usd:,.2f}; "
        f"mean accuracy {t.mean_accuracy:.1%}",
        "",
        f"{'task class':<34} {'model':<40} {'share':>6} {'accuracy':>8} {'monthly $':>12}",
    ]
    for a in plan.assignments:
        lines.append(
            f"{a.task_class[:34]:<34} {a.model[:40]:<40} {a.share:>6.1%} {a.accuracy:>8.1%} "
            f"{a.monthly_cost_usd:>12,.2f}"
        )
    if plan.binding:
        lines += ["", "Binding:"] + [f"  {b.description}" for b in plan.binding]
    return "\n".join(lines)


def _pairs(items: list[str], flag: str) -> dict[str, Decimal]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if not sep or not key or number is None or not math.isfinite(number):
            raise ValueError(f"{flag} expects PROVIDER=NUMBER, got '{item}'")
        out[key] = number
    return out


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None
