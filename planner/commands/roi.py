"""`python -m planner roi`: the plan's return against today's process, per tier, provider
and class, with the baselines, and the business case (docs/business-case.md)."""

from __future__ import annotations

from foundation.cli import EXIT_OK, add_command, print_json
from foundation.cli import options as opt
from planner.business_case import (
    DEFAULT_COST_OF_CAPITAL,
    DEFAULT_HORIZON,
    DEFAULT_REALISATION,
    MAX_HORIZON,
    MIN_HORIZON,
    CaseSettings,
)
from planner.business_case_inputs import load_programme
from planner.business_case_report import case_json, case_text, full_case, plan_for_case
from planner.commands.common import add_input_args, load_problem, no_plan, print_confidence
from planner.report import roi_json, roi_text
from planner.roi import roi_report
from pricing.cli import load_catalog

REALISATION_OPTIONS = {
    "cost_avoided": "--realise-cost-avoided",
    "quality": "--realise-quality",
    "new_work": "--realise-new-work",
}


def register(sub) -> None:
    p = add_command(sub, "roi", "Return per tier, provider and class; the business case.", run)
    add_input_args(p)
    p.add_argument(
        "--programme",
        type=opt.input_file,
        metavar="FILE",
        help="the programme's own costs as JSON: run costs, seat licences, one-off costs by "
        "month, the adoption ramp (docs/business-case.md; default: none)",
    )
    p.add_argument(
        "--horizon",
        type=opt.int_in(MIN_HORIZON, MAX_HORIZON, " months"),
        default=DEFAULT_HORIZON,
        metavar="MONTHS",
        help=f"months the case covers, {MIN_HORIZON} to {MAX_HORIZON} (default: {DEFAULT_HORIZON})",
    )
    p.add_argument(
        "--cost-of-capital",
        type=opt.share,
        default=DEFAULT_COST_OF_CAPITAL,
        metavar="SHARE",
        help="the discount rate a year as a fraction, 0.10 = 10 %% (default: "
        f"{DEFAULT_COST_OF_CAPITAL:g}, an assumption)",
    )
    for line, flag in REALISATION_OPTIONS.items():
        p.add_argument(
            flag,
            type=opt.share,
            default=DEFAULT_REALISATION[line],
            metavar="SHARE",
            help=f"share of the {line.replace('_', ' ')} benefit counted risk-adjusted, 0 to 1 "
            f"(default: {DEFAULT_REALISATION[line]:g}, an assumption)",
        )
    p.add_argument(
        "--no-quality-loss",
        action="store_true",
        help="re-solve with every class at least as accurate as today's process (each "
        "covered class's floor raised to today's accuracy)",
    )


def case_settings(args) -> CaseSettings:
    return CaseSettings(
        horizon_months=args.horizon,
        cost_of_capital=args.cost_of_capital,
        realisation={
            line: getattr(args, flag[2:].replace("-", "_"))
            for line, flag in REALISATION_OPTIONS.items()
        },
    )


def run(args) -> int:
    catalog = load_catalog(args)
    programme = load_programme(args.programme) if args.programme else None
    plan = plan_for_case(load_problem(args, catalog), args.no_quality_loss)
    if not plan.is_optimal:
        return no_plan(plan, args.json)
    print_confidence(args, catalog, plan)
    report = roi_report(plan)
    case = full_case(plan, programme, case_settings(args), no_quality_loss=args.no_quality_loss)
    if args.json:
        print_json({**roi_json(report), "business_case": case_json(case)})
    else:
        print(roi_text(report) + "\n" + case_text(case))
    return EXIT_OK
