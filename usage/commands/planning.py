"""Actual usage against the planner: `plan-vs-actual` (last month's work under the plan) and
`workload` (the measured workload CSV the planner reads).

The plan is found exactly as `planner solve` finds it (`planner.commands.common`, through
`planner.assemble`): the same checks of every option and file, and a class no model can
serve is named on stderr while the others are planned.
"""

from __future__ import annotations

import sys

from foundation.cli import (
    EXIT_INFEASIBLE,
    EXIT_OK,
    add_command,
    print_json,
    records,
    write_text,
)
from foundation.cli import options as opt
from foundation.errors import InputError
from planner.commands.common import add_source_args, assembled_problem
from planner.commands.evidence import add_report_args, run_evidence
from planner.plan import Plan, optimize
from planner.problem import PlanSettings
from planner.workload import load_workload
from pricing.catalog import Catalog
from pricing.cli import add_prices_arg, load_catalog
from usage.commands.common import DEFAULT_WORKLOAD, command, frame_text, open_store
from usage.measured import differences, measure, workload_csv
from usage.outcomes import load_outcomes, production_figures
from usage.plan_vs_actual import last_full_month, plan_vs_actual

QUALITY_DESCRIPTION = """\
Measured accuracy per task class and model from an outcomes file whose rows name the model:
tasks succeeded / tasks attempted, with n and the Wilson 95 % interval, beside your eval
figures (--evals) and the public figure for the same cell, and which one a plan uses
(--precedence). `planner quality` shows the same report without production figures (the
planner does not read usage files)."""

PVA_DESCRIPTION = """\
Last month's work under the plan: what it cost, and what the plan would have charged for the
same work, split into price, model mix, tokens per task and volume. The plan is found as
`planner solve` finds it: a class no model can serve is named on stderr and the others are
planned; exit 3 when there is no feasible plan."""


def register(sub) -> None:
    pva = command(
        sub,
        "plan-vs-actual",
        "Last month's work under the plan.",
        run_pva,
        description=PVA_DESCRIPTION,
    )
    add_source_args(pva, workload=DEFAULT_WORKLOAD, objective="min-cost")
    pva.add_argument(
        "--month", type=opt.month, metavar="YYYY-MM", help="default: the last full month"
    )
    quality = add_command(
        sub,
        "quality",
        "Measured accuracy per class and model from outcomes, beside evals and public figures.",
        run_quality,
        QUALITY_DESCRIPTION,
    )
    add_prices_arg(quality)
    quality.add_argument(
        "--outcomes",
        type=opt.input_file,
        required=True,
        metavar="FILE",
        help="outcomes CSV or JSON whose rows name the model (and the task class)",
    )
    quality.add_argument("--no-estimates", action="store_true", help="no estimated public figures")
    quality.add_argument("--json", action="store_true", help="print JSON")
    add_report_args(quality)
    workload = command(sub, "workload", "Write the measured workload CSV.", run_workload)
    workload.add_argument(
        "--workload",
        type=opt.input_file,
        default=DEFAULT_WORKLOAD,
        metavar="FILE",
        help="the typed workload (default: the example)",
    )
    workload.add_argument(
        "--out", type=opt.output_file, metavar="FILE", help="default: standard output"
    )


def run_quality(args) -> int:
    """Production figures from --outcomes, laid with --evals and --quality in --precedence."""
    outcomes = load_outcomes(args.outcomes)
    if outcomes.errors:
        raise outcomes.errors[0]
    return run_evidence(args, lambda catalog: production_figures(outcomes, catalog))


def run_pva(args) -> int:
    with open_store(args, reads_only=True) as con:
        month = args.month or last_full_month(con)
    if month is None:
        raise InputError("usage store", "holds no usage yet; import some first")
    catalog = load_catalog(args)
    plan = solve_plan(args, catalog)
    if not plan.is_optimal:
        print(
            f"no feasible plan to compare actuals with: {plan.diagnosis.summary}", file=sys.stderr
        )
        return EXIT_INFEASIBLE
    with open_store(args, reads_only=True) as con:
        result = plan_vs_actual(con, plan, catalog, month)
    if args.json:
        print_json(
            {
                "month": result.month,
                "headline": result.headline(),
                "actual_usd": result.actual_usd,
                "plan_same_work_usd": result.same_work_usd,
                "by_class": records(result.by_class),
                "by_team": records(result.by_team),
                "model_mix": records(result.mix),
                "outside_plan": records(result.outside),
            }
        )
        return EXIT_OK
    print(result.headline())
    print(frame_text(result.by_class))
    return EXIT_OK


def solve_plan(args, catalog: Catalog) -> Plan:
    """The plan to hold actuals against (min-cost with every floor met, by default)."""
    settings = PlanSettings(objective=args.objective, budget_usd=args.budget, as_of=args.as_of)
    return optimize(assembled_problem(args, catalog, settings))


def run_workload(args) -> int:
    typed = load_workload(args.workload)
    with open_store(args, reads_only=True) as con:
        measured = measure(con, typed)
    if measured.workload is None:
        raise InputError("usage store", "has no usage with a task class the workload knows")
    text = workload_csv(measured)
    if args.out:
        write_text(args.out, text, "--out")
    if args.json:
        print_json(
            {
                "month": measured.month,
                "csv": text,
                "differences": records(differences(typed, measured.workload)),
                "not_in_workload": list(measured.missing),
                "not_measured": measured.unmeasured,
            }
        )
        return EXIT_OK
    if not args.out:
        print(text, end="")
    for name in measured.missing:
        print(f"note: class {name!r} is in the usage but not in the workload", file=sys.stderr)
    for name, why in measured.unmeasured.items():
        print(f"note: class {name!r} keeps its typed figures: {why}", file=sys.stderr)
    return EXIT_OK
