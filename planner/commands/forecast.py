"""`python -m planner forecast`: spend and net value by month, with P10-P90 bands and the
chance of running over the budget."""

from __future__ import annotations

from foundation.cli import EXIT_OK, add_command, print_json
from foundation.cli import options as opt
from planner.commands.common import (
    add_input_args,
    load_problem,
    no_plan,
    print_confidence,
    retirements_json,
    retirements_of,
)
from planner.forecast import (
    DEFAULT_ACCURACY_SD,
    DEFAULT_GROWTH_SD,
    DEFAULT_PRICE_SD,
    ForecastSettings,
    forecast,
)
from planner.plan import optimize
from planner.report import forecast_json, forecast_text
from planner.retirement import retirement_sentence
from pricing.cli import load_catalog

MAX_PATHS = 100_000  # Monte Carlo paths


def register(sub) -> None:
    p = add_command(sub, "forecast", "Spend and value by month, with P10-P90.", run)
    add_input_args(p)
    add_forecast_args(p)


def add_forecast_args(p) -> None:
    """What to assume about the months ahead; --budget is the monthly budget to test."""
    p.add_argument(
        "--months",
        type=opt.int_in(12, 36, " months"),
        default=24,
        metavar="N",
        help="12 to 36 (default: 24)",
    )
    p.add_argument(
        "--paths",
        type=opt.int_in(1, MAX_PATHS),
        default=10_000,
        metavar="N",
        help=f"Monte Carlo paths, 1 to {MAX_PATHS:,} (default: 10,000)",
    )
    p.add_argument(
        "--seed",
        type=opt.int_in(0, 2**32 - 1),
        default=0,
        metavar="N",
        help="of the random draws: the same seed, the same bands (default: 0)",
    )
    p.add_argument(
        "--price-decline",
        default=0.0,
        metavar="PCT",
        type=opt.number_in(-100, 100, hi_open=True, unit=" %"),
        help="model prices fall this many percent a year (20 = 20 %%)",
    )
    p.add_argument(
        "--growth",
        type=opt.number_in(-1, 1, lo_open=True),
        metavar="X",
        help="monthly growth for every class (0.03 = 3 %%), instead of each class's",
    )
    p.add_argument(
        "--adoption-start",
        type=opt.share,
        default=1.0,
        metavar="SHARE",
        help="share of the planned model volume live in month 1",
    )
    p.add_argument(
        "--adoption-months",
        type=opt.int_in(0, 36),
        default=0,
        metavar="N",
        help="months to ramp linearly to full adoption",
    )
    p.add_argument(
        "--growth-sd",
        type=opt.nonnegative,
        default=DEFAULT_GROWTH_SD,
        metavar="X",
        help="sd of each class's monthly growth (0.01 = 1 point; default the app's)",
    )
    p.add_argument(
        "--price-sd",
        type=opt.nonnegative,
        default=DEFAULT_PRICE_SD,
        metavar="X",
        help="sd of the annual price change (0.1 = 10 points)",
    )
    p.add_argument(
        "--accuracy-sd",
        type=opt.nonnegative,
        default=DEFAULT_ACCURACY_SD,
        metavar="X",
        help="sd of each model's accuracy (0.02 = 2 points)",
    )


def run(args) -> int:
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
        return no_plan(plan, args.json)
    print_confidence(args, catalog, plan)
    steps = retirements_of(args, catalog, plan, settings.months)
    result = forecast(plan, catalog, settings, [(s.on, s.plan) for s in steps])
    if args.json:
        print_json({**forecast_json(result), "retirements": retirements_json(steps)})
    else:
        print(forecast_text(result, settings))
        sentence = retirement_sentence(steps, settings.months)
        if sentence:
            print(f"\nRetirements (the forecast re-plans on each day): {sentence}")
    return EXIT_OK
