"""Command line for the planner: solve a portfolio, sweep its frontier, forecast, ROI.

Exit codes: 0 a plan, 2 bad input (the message names the file, row and field, or the unknown
id with the nearest ones), 3 no feasible plan (the diagnosis goes to stderr and into the JSON).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from foundation.errors import InputError, UnknownIdError
from foundation.formatting import clean_float, money, money_cents, pct
from foundation.inputs import FIRST_DATE, LAST_DATE, MAX_MAGNITUDE, finite
from planner import quality_cli
from planner.assemble import assemble
from planner.breakeven import break_evens, not_explained
from planner.export import plan_to_csv
from planner.forecast import (
    DEFAULT_ACCURACY_SD,
    DEFAULT_GROWTH_SD,
    DEFAULT_PRICE_SD,
    Forecast,
    ForecastSettings,
    forecast,
)
from planner.frontier import accuracy_frontier, budget_frontier
from planner.marginal import budget_marginal, floor_marginals
from planner.plan import Plan, optimize
from planner.problem import (
    CAP_BASES,
    CAP_BASIS_WORDS,
    DEFAULT_CAP_BASIS,
    PlanningProblem,
    PlanSettings,
)
from planner.quality import load_quality
from planner.roi import Baseline, ReturnVsToday, RoiReport, roi_report
from planner.workload import load_workload
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from pricing.scenario import PriceScenario

EXIT_OK, EXIT_BAD_INPUT, EXIT_INFEASIBLE = 0, 2, 3
EXIT_CODES = {EXIT_OK: "a plan", EXIT_BAD_INPUT: "bad input", EXIT_INFEASIBLE: "no feasible plan"}
MAX_POINTS = 200  # frontier points; each is one solve
MAX_PATHS = 100_000  # Monte Carlo paths


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the option at fault
        return EXIT_BAD_INPUT if exc.code else EXIT_OK
    try:
        return args.run(args)
    except (InputError, UnknownIdError, LookupError, ValueError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, LookupError) else exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (RecursionError, OverflowError, MemoryError) as exc:
        print(f"error: the input cannot be read ({type(exc).__name__})", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    solve = sub.add_parser("solve", help="Find the best portfolio and explain it.")
    add_input_args(solve)
    solve.add_argument("--out", type=_out_file, metavar="FILE", help="write the plan as CSV here")
    solve.set_defaults(run=run_solve)
    frontier = sub.add_parser("frontier", help="Sweep the budget (or accuracy bar).")
    add_input_args(frontier)
    frontier.add_argument(
        "--points", type=_int_in(2, MAX_POINTS), default=25, metavar="N",
        help=f"points on the frontier, 2 to {MAX_POINTS}",
    )  # fmt: skip
    frontier.add_argument("--over", choices=("budget", "accuracy"), default="budget")
    frontier.set_defaults(run=run_frontier)
    forecast_cmd = sub.add_parser("forecast", help="Spend and value by month, with P10-P90.")
    add_input_args(forecast_cmd)
    add_forecast_args(forecast_cmd)
    forecast_cmd.set_defaults(run=run_forecast)
    roi_cmd = sub.add_parser("roi", help="Return per tier, provider and class; baselines.")
    add_input_args(roi_cmd)
    roi_cmd.set_defaults(run=run_roi)
    quality_cli.register(sub)
    return parser


def add_input_args(p: argparse.ArgumentParser) -> None:
    """The options every planning command shares: inputs, prices and limits."""
    p.add_argument("--workload", type=Path, required=True, metavar="FILE")
    p.add_argument("--quality", type=Path, metavar="FILE", help="your evals; they win")
    p.add_argument("--prices", type=Path, default=DEFAULT_PRICE_DIR, metavar="DIR")
    p.add_argument("--as-of", type=_date, default=date.today(), metavar="DATE")
    p.add_argument("--budget", type=_usd, metavar="USD", help="monthly budget")
    p.add_argument("--objective", choices=("max-value", "min-cost"), default="max-value")
    p.add_argument("--single-model", action="store_true", help="one model per class")
    p.add_argument(
        "--self-hosted-replicas", action="store_true",
        help="price self-hosted models as whole replicas reserved for the month",
    )  # fmt: skip
    p.add_argument("--no-status-quo", action="store_true", help="never keep today's process")
    p.add_argument("--vendor-cap", action="append", default=[], metavar="PROVIDER=CAP")
    p.add_argument(
        "--cap-basis", choices=CAP_BASES, default=DEFAULT_CAP_BASIS,
        help="what a vendor cap limits: tasks (share of all tasks, the default), usd (USD a "
        "month) or spend (share of model spend, which spending more elsewhere can meet)",
    )  # fmt: skip
    p.add_argument("--discount", action="append", default=[], metavar="PROVIDER=PCT")
    p.add_argument(
        "--commit", action="append", default=[], metavar="PROVIDER=USD",
        help="committed minimum monthly spend with a provider",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")


def load_catalog(args) -> Catalog:
    """The price sheets under --prices; refused sheets are named on stderr."""
    catalog = Catalog.load(args.prices)
    for error in catalog.errors:
        print(f"warning: price sheet refused: {error}", file=sys.stderr)
    return catalog


def load_problem(args, catalog: Catalog | None = None) -> PlanningProblem:
    """Read the files named on the command line into a costed planning problem; the classes
    that cannot be planned are named on stderr (the others are planned)."""
    catalog = catalog or load_catalog(args)
    workload = load_workload(args.workload, known_providers=catalog.providers())
    own = load_quality(args.quality, catalog.model_ids()) if args.quality else None
    settings = PlanSettings(
        objective=args.objective,
        budget_usd=args.budget,
        vendor_caps={k: float(v) for k, v in _pairs(args.vendor_cap, "--vendor-cap").items()},
        cap_basis=args.cap_basis,
        commitments_usd={k: float(v) for k, v in _pairs(args.commit, "--commit").items()},
        single_model=args.single_model,
        self_hosted_replicas=args.self_hosted_replicas,
        include_status_quo=not args.no_status_quo,
        as_of=args.as_of,
        scenario=PriceScenario(discounts_pct=_pairs(args.discount, "--discount")),
    )
    assembled = assemble(workload, own, catalog, settings)
    for error in assembled.unplannable:
        print(f"warning: {error}", file=sys.stderr)
    return assembled.problem


def run_solve(args) -> int:
    plan = optimize(load_problem(args))
    if args.out and plan.is_optimal:
        _write(args.out, plan_to_csv(plan))
    explained = explain_plan(plan) if plan.is_optimal else None
    if args.json:
        print(json.dumps(plan_json(plan, explained), indent=2))
    else:
        print(plan_text(plan, explained))
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


def plan_json(plan: Plan, explained: dict | None = None) -> dict:
    """The documented JSON shape: status, totals, assignments, explanations, diagnosis.

    Figures are written as the plan CSV writes them (`clean_float`), so the two agree exactly.
    """
    return _cleaned(_plan_dict(plan, explained))


def _cleaned(value):
    if isinstance(value, float):
        return clean_float(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _plan_dict(plan: Plan, explained: dict | None = None) -> dict:
    totals = plan.totals
    explained = explained or {}
    budget = explained.get("budget")
    fix = plan.diagnosis.fix if plan.diagnosis is not None else None
    return {
        "status": plan.status.value,
        "mip_gap": plan.mip_gap if plan.problem.settings.single_model else None,
        "cap_basis": plan.problem.settings.cap_basis,
        "replicas": [asdict(r) for r in plan.replicas],
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
        "break_even": [b.as_json() for b in explained.get("break_even", [])],
        "break_even_note": explained.get("break_even_note"),
        "budget_marginal": None if budget is None else budget.as_json(),
        "floor_marginals": [m.as_json() for m in explained.get("floors", [])],
        "diagnosis": None
        if plan.diagnosis is None
        else {
            "summary": plan.diagnosis.summary,
            "findings": [f.__dict__ for f in plan.diagnosis.findings],
            "fix": None if fix is None else asdict(fix),
        },
    }


def plan_text(plan: Plan, explained: dict | None = None) -> str:
    if not plan.is_optimal:
        return f"No feasible plan ({plan.status.value})."
    lines = _plan_lines(plan)
    if plan.problem.settings.single_model and plan.mip_gap > 0:
        lines.append(f"Time limit reached: this plan is within {plan.mip_gap:.4%} of the best.")
    if plan.problem.settings.vendor_caps:
        lines.append(f"Vendor caps are a {CAP_BASIS_WORDS[plan.problem.settings.cap_basis]}.")
    for r in plan.replicas:
        lines.append(
            f"{r.model}: {r.replicas} replica(s) reserved, ${r.monthly_cost_usd:,.0f} a month, "
            f"{r.utilization:.0%} used ({r.hours_used:,.0f} of {r.replicas * 730:,} hours)"
        )
    explained = explained or {}
    if explained.get("budget") is not None:
        lines += ["", explained["budget"].sentence]
    if explained.get("floors"):
        lines += ["", "Accuracy floors (re-solved):"]
        lines += [f"  {m.sentence}" for m in explained["floors"]]
    if explained.get("break_even_note"):
        lines += ["", explained["break_even_note"]]
    winnable = [b for b in explained.get("break_even", []) if b.price_cut_pct is not None]
    if winnable:
        lines += ["", "Price cut that wins work (re-solved; --json lists every pair):"]
        lines += [
            f"  {b.task_class[:34]:<34} {b.kind} {b.subject}: {b.price_cut_pct:.1f}%"
            for b in sorted(winnable, key=lambda b: (b.task_class, b.price_cut_pct))
        ]
    return "\n".join(lines)


def _plan_lines(plan: Plan) -> list[str]:
    t = plan.totals
    lines = [
        f"Monthly cost {money_cents(t.monthly_cost_usd)}; net value "
        f"{money_cents(t.monthly_net_value_usd)}; mean accuracy {pct(t.mean_accuracy)}",
        "",
        f"{'task class':<34} {'model':<40} {'share':>6} {'accuracy':>8} {'monthly $':>12}",
    ]
    for a in plan.assignments:
        lines.append(
            f"{a.task_class[:34]:<34} {a.model[:40]:<40} {a.share:>6.1%} {a.accuracy:>8.1%} "
            f"{a.monthly_cost_usd:>12,.2f}"
        )
    if plan.binding and not plan.problem.settings.single_model:
        lines += ["", "Binding:"] + [f"  {b.description}" for b in plan.binding]
    return lines


def _pairs(items: list[str], flag: str) -> dict[str, Decimal]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if not sep or not key.strip() or number is None or not math.isfinite(number):
            raise InputError(flag, f"expects PROVIDER=NUMBER, got '{item}'")
        if abs(number) > Decimal(MAX_MAGNITUDE):
            raise InputError(flag, f"is too large a number: '{item}'", field=key.strip())
        out[key.strip()] = number
    return out


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise argparse.ArgumentTypeError(f"'{text}' is outside {FIRST_DATE} to {LAST_DATE}")
    return day


def _finite_number(text: str) -> float:
    """A finite number within the magnitude any input may have (not inf, nan or 1e400)."""
    try:
        return finite(float(text), "")
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a finite number below {MAX_MAGNITUDE:g}"
        ) from None


def _usd(text: str) -> float:
    value = _finite_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative; a budget is zero or more")
    return value


def _int_in(lo: int, hi: int, unit: str = ""):
    """An argparse type: a whole number from lo to hi, said so when it is not."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside {lo:,} to {hi:,}{unit}")
        return value

    parse.__name__ = "whole number"
    return parse


def _out_file(text: str) -> Path:
    """Where to write: a file in a folder that exists (checked before any solving)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a folder; give a file name")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder of '{text}' does not exist")
    return path


def _write(path: Path, text: str) -> None:
    """Write a file, or say why not (a full disk, no permission) as bad input."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None


# -- forecast and roi ------------------------------------------------------------------------


def add_forecast_args(p: argparse.ArgumentParser) -> None:
    """What to assume about the months ahead; --budget is the monthly budget to test."""
    months = _int_in(12, 36, " months")
    p.add_argument("--months", type=months, default=24, metavar="N", help="12 to 36")
    p.add_argument(
        "--paths", type=_int_in(1, MAX_PATHS), default=10_000, metavar="N",
        help=f"Monte Carlo paths, 1 to {MAX_PATHS:,}",
    )  # fmt: skip
    p.add_argument("--seed", type=_int_in(0, 2**32 - 1), default=0, metavar="N")
    p.add_argument(
        "--price-decline",
        type=_finite_number,
        default=0.0,
        metavar="PCT",
        help="model prices fall this many percent a year (20 = 20 %%)",
    )
    p.add_argument(
        "--growth",
        type=_finite_number,
        metavar="X",
        help="monthly growth for every class (0.03 = 3 %%), instead of each class's",
    )
    p.add_argument(
        "--adoption-start",
        type=_finite_number,
        default=1.0,
        metavar="SHARE",
        help="share of the planned model volume live in month 1",
    )
    p.add_argument(
        "--adoption-months",
        type=_int_in(0, 36),
        default=0,
        metavar="N",
        help="months to ramp linearly to full adoption",
    )
    p.add_argument(
        "--growth-sd",
        type=_finite_number,
        default=DEFAULT_GROWTH_SD,
        metavar="X",
        help="sd of each class's monthly growth (0.01 = 1 point; default the app's)",
    )
    p.add_argument(
        "--price-sd",
        type=_finite_number,
        default=DEFAULT_PRICE_SD,
        metavar="X",
        help="sd of the annual price change (0.1 = 10 points)",
    )
    p.add_argument("--accuracy-sd", type=_finite_number, default=DEFAULT_ACCURACY_SD, metavar="X",
                   help="sd of each model's accuracy (0.02 = 2 points)")  # fmt: skip


def run_forecast(args) -> int:
    settings = ForecastSettings(
        months=args.months,
        annual_price_decline=args.price_decline / 100,
        growth_override=args.growth,
        adoption_start=args.adoption_start,
        adoption_months=args.adoption_months,
        growth_sd=args.growth_sd,
        price_sd=args.price_sd,
        accuracy_sd=args.accuracy_sd,
        paths=args.paths,
        seed=args.seed,
        monthly_budget_usd=args.budget,
    )
    catalog = load_catalog(args)
    plan = optimize(load_problem(args, catalog))
    if not plan.is_optimal:
        return _no_plan(plan, args)
    result = forecast(plan, catalog, settings)
    if args.json:
        print(json.dumps(forecast_json(result), indent=2))
    else:
        print(forecast_text(result, settings))
    return EXIT_OK


def run_roi(args) -> int:
    plan = optimize(load_problem(args))
    if not plan.is_optimal:
        return _no_plan(plan, args)
    report = roi_report(plan)
    if args.json:
        print(json.dumps(roi_json(report), indent=2))
    else:
        print(roi_text(report))
    return EXIT_OK


def _no_plan(plan: Plan, args) -> int:
    """As `solve` does: the plan JSON (or text) on stdout, the diagnosis on stderr, exit 3."""
    print(json.dumps(plan_json(plan), indent=2) if args.json else plan_text(plan))
    print(f"no feasible plan: {plan.diagnosis.summary}", file=sys.stderr)
    return EXIT_INFEASIBLE


def forecast_json(result: Forecast) -> dict:
    """`months`: one dict per month (line, bands, budget risk); then the two budget answers."""
    table = result.deterministic.merge(result.bands, on="month").merge(
        result.exhaustion_probability_by_month, on="month"
    )
    month = result.budget_exhaustion_month
    return {
        "months": _records(table),
        "prob_over_budget": result.prob_over_budget,
        "budget_exhaustion_month": None if month is None else month.isoformat(),
    }


def forecast_text(result: Forecast, settings: ForecastSettings) -> str:
    bands = result.bands
    lines = [
        f"Forecast over {settings.months} months from {bands['month'].iloc[0]:%Y-%m} "
        f"({settings.paths:,} paths, seed {settings.seed}); USD a month",
        "",
        f"{'month':<8} {'spend P10':>12} {'P50':>12} {'P90':>12}   "
        f"{'net value P10':>14} {'P50':>14} {'P90':>14} {'P(over budget)':>15}",
    ]
    for row in bands.itertuples(index=False):
        over = "" if math.isnan(row.prob_over_budget) else f"{row.prob_over_budget:.1%}"
        lines.append(
            f"{row.month:%Y-%m}  {row.spend_p10:>12,.0f} {row.spend_p50:>12,.0f} "
            f"{row.spend_p90:>12,.0f}   {row.net_value_p10:>14,.0f} {row.net_value_p50:>14,.0f} "
            f"{row.net_value_p90:>14,.0f} {over:>15}"
        )
    lines.append("")
    if settings.monthly_budget_usd is None:
        lines.append("No budget given (--budget USD a month): no budget risk to report.")
        return "\n".join(lines)
    annual = 12 * settings.monthly_budget_usd
    month = result.budget_exhaustion_month
    lines += [
        f"Probability of spending over the annual {money(annual)} in the first 12 months: "
        f"{pct(result.prob_over_budget)}",
        "Annual budget runs out (P50): "
        + ("not within the horizon" if month is None else f"{month:%Y-%m}"),
    ]
    return "\n".join(lines)


def roi_json(report: RoiReport) -> dict:
    """`vs_today` leads: the return against today's process; `gross_value_usd` is the net
    value of all the work, named as such and never a return."""
    return {
        "headline": report.headline,
        "vs_today": _vs_today_json(report.vs_today),
        "gross_value_usd": report.gross_value_usd,
        "plan_is_most_accurate": report.plan_is_most_accurate,
        "by_tier": _records(report.by_tier),
        "by_provider": _records(report.by_provider),
        "by_class": _records(report.by_class),
        "baselines": {
            "most_accurate": _baseline_json(report.most_accurate),
            "status_quo": None if report.status_quo is None else _baseline_json(report.status_quo),
        },
    }


def _vs_today_json(r: ReturnVsToday) -> dict:
    keys = (
        "cost_avoided_usd", "success_value_usd", "new_work_value_usd", "ai_spend_usd",
        "net_benefit_usd", "incremental_roi", "one_off_cost_usd", "payback_months", "covered",
        "new_work", "not_covered",
    )  # fmt: skip
    return {**{k: getattr(r, k) for k in keys}, "by_class": _records(r.by_class)}


def vs_today_text(r: ReturnVsToday) -> list[str]:
    """The decomposition, one line per term, summing to the net benefit."""
    lines = [
        "Against today's process (a month):",
        f"  today's cost avoided           {money_cents(r.cost_avoided_usd):>16}",
        f"  value of the change in successes {money_cents(r.success_value_usd):>14}",
        f"  new work today's process does not do {money_cents(r.new_work_value_usd):>10}",
        f"  less AI spend                  {money_cents(-r.ai_spend_usd):>16}",
        f"  net benefit                    {money_cents(r.net_benefit_usd):>16}",
        "  incremental ROI (net benefit / AI spend): "
        + ("n/a (no AI spend)" if r.incremental_roi is None else f"{r.incremental_roi:,.2f}x"),
    ]
    if r.payback_months is not None:
        lines.append(f"  payback of one-off costs: {r.payback_months:,.1f} months")
    lines.append(f"  covered: {', '.join(r.covered) or 'none'}")
    lines.append(
        f"  new work (no status-quo figures, not covered by the comparison): "
        f"{', '.join(r.new_work) or 'none'}"
    )
    if r.not_covered:
        lines.append(f"  not covered (one status-quo figure only): {', '.join(r.not_covered)}")
    return lines


def _baseline_json(baseline: Baseline) -> dict:
    return {
        "name": baseline.name,
        "monthly_cost_usd": baseline.monthly_cost_usd,
        "monthly_net_value_usd": baseline.monthly_net_value_usd,
        "mean_accuracy": baseline.mean_accuracy,
        "classes_covered": baseline.classes_covered,
        "by_class": _records(baseline.by_class),
    }


def roi_text(report: RoiReport) -> str:
    lines = [report.headline, "", *vs_today_text(report.vs_today), ""]
    lines.append(
        "Gross value of the work (not a return): "
        f"{money_cents(report.gross_value_usd)} a month, the value of every success less "
        "failures and spend, most of which today's process may already deliver."
    )
    for title, table in (
        ("By tier", report.by_tier),
        ("By provider", report.by_provider),
        ("By class", report.by_class),
    ):
        lines += ["", f"{title}:", table.to_string(index=False, float_format=_number)]
    lines += ["", "Baselines:"]
    for baseline in (report.most_accurate, report.status_quo):
        if baseline is not None:
            lines.append(
                f"  {baseline.name}: {money_cents(baseline.monthly_cost_usd)} a month, net "
                f"value {money_cents(baseline.monthly_net_value_usd)}, mean accuracy "
                f"{pct(baseline.mean_accuracy)}, {baseline.classes_covered} classes"
            )
    if report.status_quo is None:
        lines.append("  Today's process: no class has status-quo figures.")
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x:,.4f}" if abs(x) < 10 else f"{x:,.2f}"


def _records(table) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: NaN becomes null, dates ISO text."""
    return [
        {key: _json_value(value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value
