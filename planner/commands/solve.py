"""`python -m planner solve`: the best portfolio, explained, optionally written as CSV."""

from __future__ import annotations

from dataclasses import asdict

from foundation.cli import EXIT_OK, add_command, print_json, write_text
from foundation.cli import options as opt
from planner.breakeven import break_evens, not_explained
from planner.cascade_report import verdict_json, verdicts
from planner.cascade_suggest import MIN_JOINT, suggestions
from planner.commands.common import (
    add_input_args,
    assembled_problem,
    cascade_columns,
    eval_samples,
    no_plan,
    plan_settings,
    print_confidence,
    retirements_json,
    retirements_of,
)
from planner.evals.evidence import CONFIDENCES
from planner.export import plan_to_csv
from planner.marginal import budget_marginal, floor_marginals
from planner.plan import Plan, optimize
from planner.report import plan_json, plan_text
from planner.retirement import RETIREMENT_MONTHS, retirement_sentence
from pricing.cli import load_catalog


def register(sub) -> None:
    p = add_command(sub, "solve", "Find the best portfolio and explain it.", run)
    add_input_args(p)
    p.add_argument(
        "--out",
        type=opt.output_file,
        metavar="FILE",
        help="write the plan as CSV here (checked before solving)",
    )
    p.add_argument(
        "--suggest-cascades",
        action="store_true",
        help="from the per-sample results of --evals, the pairs of models worth declaring as "
        "a cascade: least correlated outcomes at the largest cost gap",
    )


def run(args) -> int:
    catalog = load_catalog(args)
    plan = optimize(assembled_problem(args, catalog, plan_settings(args)))
    if not plan.is_optimal:
        return no_plan(plan, args.json)
    print_confidence(args, catalog, plan)
    if args.out:
        write_text(args.out, plan_to_csv(plan), "--out")
    explained = explain_plan(plan)
    steps = retirements_of(args, catalog, plan, RETIREMENT_MONTHS)
    options = option_verdicts(args, catalog, plan)
    suggested = (
        suggestions(plan.problem, catalog, eval_samples(args, catalog))
        if args.suggest_cascades
        else []
    )
    if args.json:
        extra: dict = {"retirements": retirements_json(steps)}
        if args.cascades:
            extra["cascades"] = [verdict_json(v) for v in options]
        if args.suggest_cascades:
            extra["cascade_suggestions"] = [asdict(s) for s in suggested]
        print_json({**plan_json(plan, explained), **extra})
    else:
        print(plan_text(plan, explained))
        sentence = retirement_sentence(steps, RETIREMENT_MONTHS)
        if sentence:
            print(f"\nRetirements: {sentence}")
        if options:
            print("\nCascades and routers (re-solved without each):")
            print("\n".join(f"  {v.sentence}" for v in options))
        if args.suggest_cascades:
            print("\nCascades worth declaring (from the per-sample results of --evals):")
            print("\n".join(f"  {s.sentence}" for s in suggested) or f"  {NO_SUGGESTION}")
    return EXIT_OK


NO_SUGGESTION = (
    f"none: no two models scored on {MIN_JOINT} or more of the same samples of a class, "
    "the dearer one right more often"
)


def option_verdicts(args, catalog, plan: Plan) -> list:
    """Each --cascades option against the best single model and the mix without it."""
    if not args.cascades:
        return []
    confidence = CONFIDENCES[getattr(args, "confidence", "off")]
    columns = cascade_columns(args, catalog, plan.problem, confidence)[0]
    return verdicts(plan, columns)


def explain_plan(plan: Plan) -> dict:
    """The re-solved explanations: exact break-evens, the next $1,000, the floors' price."""
    assert plan.totals is not None and plan.shares is not None
    objective = (
        plan.totals.monthly_cost_usd
        if plan.problem.settings.objective == "min-cost"
        else plan.totals.monthly_net_value_usd
    )
    skipped = not_explained(plan.problem)
    return {
        "break_even": [] if skipped else break_evens(plan.problem, plan.shares),
        "break_even_note": skipped,
        "budget": budget_marginal(plan.problem, objective),
        "floors": [] if skipped else floor_marginals(plan.problem, objective, plan.shares),
    }
