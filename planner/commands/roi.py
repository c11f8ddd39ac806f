"""`python -m planner roi`: the plan's return against today's process, per tier, provider
and class, with the baselines."""

from __future__ import annotations

from foundation.cli import EXIT_OK, add_command, print_json
from planner.business_case import CaseSettings, ProgrammeCosts, business_case, case_lines
from planner.commands.common import add_input_args, load_problem, no_plan, print_confidence
from planner.plan import optimize
from planner.report import business_case_json, roi_json, roi_text
from planner.roi import roi_report
from pricing.cli import load_catalog


def register(sub) -> None:
    p = add_command(sub, "roi", "Return per tier, provider and class; baselines.", run)
    add_input_args(p)


def run(args) -> int:
    catalog = load_catalog(args)
    plan = optimize(load_problem(args, catalog))
    if not plan.is_optimal:
        return no_plan(plan, args.json)
    print_confidence(args, catalog, plan)
    report = roi_report(plan)
    if args.json:
        # The business case at its stated defaults (36 months, 10 % a year, docs/business-case.md)
        lines, settings = case_lines(plan), CaseSettings()
        cases = [
            business_case(lines, ProgrammeCosts(), s) for s in (settings.as_modelled(), settings)
        ]
        print_json({**roi_json(report), "business_case": business_case_json(*cases)})
    else:
        print(roi_text(report))
    return EXIT_OK
