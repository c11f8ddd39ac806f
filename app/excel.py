"""The Excel download: the plan, its ROI tables, the forecast and the vendor comparison in one
workbook, with the settings that produced them on the first sheet (no Streamlit here).

Everything is solved from plain values (`PlanRequest`, the vendor scenarios), so the file can
be built when the button is clicked rather than on every slider move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

import pandas as pd

from app import tables
from app.format import money, pct, signed_pct
from app.overview_view import brief_sources, from_case_key, payback_words
from app.planning import PlanRequest, ScenarioSpec, retirements, solve
from planner.business_case_report import FullCase, full_case
from planner.export import PLAN_COLUMNS
from planner.forecast import ForecastSettings, forecast
from planner.plan import Plan
from planner.roi import roi_report
from planner.workbook import Sheet, build_workbook
from pricing.catalog import Catalog

FILE_NAME = "portfolio-plan.xlsx"
CASE_LABELS = {
    "month": "Month",
    "adoption": "Adoption",
    "cost_avoided_usd": "Cost avoided",
    "quality_usd": "Change in quality",
    "new_work_usd": "New work",
    "benefits_usd": "Benefits",
    "ai_spend_usd": "Model spend",
    "review_usd": "Human review",
    "run_usd": "Run costs",
    "seats_usd": "Seat licences",
    "one_off_usd": "One-off costs",
    "costs_usd": "Costs",
    "net_usd": "Net cash flow",
    "discount_factor": "Discount factor",
    "discounted_net_usd": "Discounted net",
    "cumulative_discounted_usd": "Cumulative discounted",
    "item": "Item",
    "value": "Value",
    "source": "Source or basis",
}
CASE_TOTALS = ("cost_avoided_usd", "quality_usd", "new_work_usd", "benefits_usd", "ai_spend_usd",
               "review_usd", "run_usd", "seats_usd", "one_off_usd", "costs_usd", "net_usd",
               "discounted_net_usd")  # fmt: skip
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_NAME = "example_enterprise.csv"  # app.loaders.EXAMPLE_WORKLOAD's name
OBJECTIVES = {"max-value": "Most net value", "min-cost": "Lowest cost"}
LABELS = {
    "task_class": "Task class",
    "model": "Model",
    "provider": "Provider",
    "tier": "Tier",
    "share": "Share of the class",
    "monthly_tasks": "Tasks a month",
    "input_tokens_per_task": "Input tokens / task",
    "output_tokens_per_task": "Output tokens / task",
    "monthly_tokens": "Tokens a month",
    "cost_per_task_usd": "Cost / task",
    "monthly_cost_usd": "Spend a month",
    "monthly_spend_usd": "Spend a month",
    "accuracy": "Accuracy",
    "successful_tasks": "Successful tasks",
    "monthly_value_usd": "Value a month",
    "monthly_failure_cost_usd": "Cost of failures a month",
    "monthly_net_value_usd": "Net value a month",
    "accuracy_source": "Accuracy from",
    "roi": "ROI (net value per $)",
    "cost_per_successful_task_usd": "Cost / successful task",
    "value_per_1k_tokens_usd": "Value / 1k tokens",
    "savings_vs_today_usd": "Savings vs today",
    "gross_value_per_usd": "Net value per $ spent",
    "scenario": "Scenario",
    "status": "Status",
    "mean_accuracy": "Mean accuracy",
    "cost_change_usd": "Spend vs first",
    "net_value_change_usd": "Net value vs first",
    "classes_moved": "Classes that move",
    "vendor_shares": "Vendor shares",
    **tables.FORECAST_LABELS,
    **CASE_LABELS,
}


def settings_rows(
    request: PlanRequest, growth_override: float | None, price_decline: float
) -> list[tuple]:
    """What produced the numbers, as (setting, value) or (setting, value, format kind) rows
    for the first sheet: money and percents are numbers with their format."""
    quality = (request.quality_source or "your own table") if request.quality_text else "benchmark"
    return [
        ("Built (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("Workload", request.workload_source),
        ("Accuracy figures", quality),
        ("Prices as of", request.as_of),
        ("Objective", OBJECTIVES.get(request.objective, request.objective)),
        ("Monthly budget (USD)", request.budget_usd, "usd"),
        ("Quality bar (accuracy points)", request.floor_shift_pts),
        (
            "Monthly volume growth",
            "each class's own" if growth_override is None else growth_override,
            "share",
        ),
        ("Expected price decline a year", price_decline, "share"),
        ("Today's process may keep work", "yes" if request.include_status_quo else "no"),
        ("One model per task class", "yes" if request.single_model else "no"),
        ("No quality loss", "yes" if request.no_quality_loss else "no"),
    ]


PLAN_TOTALS = (
    "monthly_tasks",
    "monthly_tokens",
    "monthly_cost_usd",
    "successful_tasks",
    "monthly_value_usd",
    "monthly_failure_cost_usd",
    "monthly_net_value_usd",
)


def plan_sheet(plan: Plan) -> Sheet:
    """One row per class and model, and a TOTAL row of the tasks, tokens and money."""
    rows = pd.DataFrame([asdict(a) for a in plan.assignments], columns=list(PLAN_COLUMNS))
    return Sheet("Plan", rows, LABELS, totals=PLAN_TOTALS)


def roi_sheets(plan: Plan) -> list[Sheet]:
    report = roi_report(plan)
    baselines = [report.most_accurate, *([report.status_quo] if report.status_quo else [])]
    summary = pd.DataFrame(
        {
            "scenario": ["This plan", *(b.name for b in baselines)],
            "monthly_cost_usd": [
                plan.totals.monthly_cost_usd,
                *(b.monthly_cost_usd for b in baselines),
            ],
            "monthly_net_value_usd": [
                plan.totals.monthly_net_value_usd,
                *(b.monthly_net_value_usd for b in baselines),
            ],
            "mean_accuracy": [plan.totals.mean_accuracy, *(b.mean_accuracy for b in baselines)],
        }
    )
    return [
        Sheet("ROI by class", report.by_class, LABELS),
        Sheet("ROI by tier", report.by_tier, LABELS),
        Sheet("ROI by provider", report.by_provider, LABELS),
        Sheet("Against baselines", summary, {**LABELS, "scenario": "Done by"}),
    ]


def case_sheets(case: FullCase, sources: Sequence[str]) -> list[Sheet]:
    """The business case: the monthly cash flows (risk-adjusted) with their discount factors
    and a TOTAL row (its discounted net is the NPV), then the figures, assumptions and
    sources, each with where it comes from."""
    flows = case.risk_adjusted.flows
    kinds = {"adoption": "share"}  # the discount factor as a plain number, to every digit
    return [
        Sheet("Business case", flows, LABELS, kinds=kinds, totals=CASE_TOTALS),
        Sheet("Business case notes", pd.DataFrame(case_notes(case, sources),
                                                  columns=["item", "value", "source"]), LABELS),
    ]  # fmt: skip


def case_notes(case: FullCase, sources: Sequence[str]) -> list[tuple[str, str, str]]:
    """(item, value, source) rows: the return both ways, the spread, then every assumption
    and source. Values are written as the Overview writes them."""
    r, m, b = case.risk_adjusted, case.as_modelled, case.bands
    computed = "computed from the Business case sheet's flows"

    def irr(x):
        return pct(x.irr_annual) if x.irr_annual is not None else "none (no sign change)"

    def roi(x):
        return pct(x.roi) if x.roi is not None else "–"

    rows = [("Headline", case.headline, "computed"),
            ("NPV, risk-adjusted", money(r.npv_usd), computed),
            ("NPV, as modelled", money(m.npv_usd), "the same flows with every realisation 1"),
            ("IRR a year, risk-adjusted", irr(r), computed),
            ("IRR a year, as modelled", irr(m), computed),
            ("Payback, risk-adjusted", payback_words(r.payback_month, case.settings.horizon_months),
             "first month the cumulative discounted flow is at or above zero"),
            ("ROI, risk-adjusted", roi(r), "(PV benefits - PV costs) / PV costs"),
            ("ROI, as modelled", roi(m), "(PV benefits - PV costs) / PV costs"),
            ("NPV P10 / P50 / P90", f"{money(b.p10_usd)} / {money(b.p50_usd)} / "
             f"{money(b.p90_usd)}", f"{b.paths:,} seeded draws (seed {b.seed})"),
            ("Quality change a month", money(case.quality.change_usd),
             f"{len(case.quality.losses)} classes less accurate than today's process")]  # fmt: skip
    for t in case.tornado.itertuples():
        moved = f"{money(t.npv_low_usd)} to {money(t.npv_high_usd)}"
        rows.append((f"Tornado: {t.input}", moved, f"range {t.range} (assumption), re-run"))
    rows += [("Assumption", a, "assumption" if "assumption" in a else "setting")
             for a in case.assumptions]  # fmt: skip
    rows += [("Source", s, "") for s in sources]
    return rows


def forecast_sheet(plan: Plan, catalog: Catalog, settings: ForecastSettings, replans=()) -> Sheet:
    result = forecast(plan, catalog, settings, replans)  # replans: as the Forecast page's
    return Sheet("Forecast", tables.forecast_table(result.deterministic, result.bands), LABELS)


def vendor_sheet(request: PlanRequest, catalog: Catalog, specs: Sequence[ScenarioSpec]) -> Sheet:
    """The vendor comparison by cost (every floor met), as on the Vendor scenarios page."""
    costed = request.with_(objective="min-cost", budget_usd=None)
    plans = {spec.name: solve(costed.with_(scenario=spec), catalog) for spec in specs}
    totals, _, moves = tables.compare_scenarios(plans, specs)
    columns, rows = tables.comparison_rows(totals, moves)
    return Sheet("Vendor comparison", pd.DataFrame(rows, columns=columns), LABELS)


def forecast_settings(
    budget: float | None, growth_override: float | None, price_decline: float
) -> ForecastSettings:
    """The Forecast page's defaults: 24 months, growth ±1 point a month, prices ±10 points a
    year, accuracy ±2 points, 4,000 paths, seed 0."""
    return ForecastSettings(
        months=24,
        annual_price_decline=price_decline,
        growth_override=growth_override,
        growth_sd=0.01,
        price_sd=0.10,
        accuracy_sd=0.02,
        paths=4000,
        seed=0,
        monthly_budget_usd=budget,
    )


def plan_workbook(
    plan: Plan,
    request: PlanRequest,
    catalog: Catalog,
    forecast_settings: ForecastSettings,
    vendor_specs: Sequence[ScenarioSpec],
    growth_override: float | None,
    price_decline: float,
    case_key: str = "",
) -> bytes:
    """The whole workbook: Settings, Plan, four ROI sheets, Forecast, Vendor comparison,
    Business case and its notes."""
    steps = retirements(request, catalog, forecast_settings.months, plan)
    replans = [(step.on, step.plan) for step in steps]
    sheets = [
        plan_sheet(plan),
        *roi_sheets(plan),
        forecast_sheet(plan, catalog, forecast_settings, replans),
    ]
    if len(vendor_specs) >= 2:
        sheets.append(vendor_sheet(request, catalog, vendor_specs))
    case_settings, programme = from_case_key(case_key) if case_key else (None, None)
    case = full_case(plan, programme, case_settings, no_quality_loss=request.no_quality_loss)
    assumed = catalog.illustrative_providers(plan.problem.settings.as_of)
    sheets += case_sheets(case, brief_sources(request, EXAMPLE_NAME, assumed))
    settings = settings_rows(request, growth_override, price_decline)
    settings += [
        ("Forecast", f"{forecast_settings.months} months, {forecast_settings.paths:,} paths"),
    ]
    settings += [
        (f"Vendor scenario {i}", describe_spec(spec)) for i, spec in enumerate(vendor_specs, 1)
    ]
    return build_workbook(settings, sheets)


def describe_spec(spec: ScenarioSpec) -> str:
    """A vendor scenario's terms in one line: name, sheet dates, discounts, changes, caps."""
    parts = [spec.name]
    parts += [f"{p} sheet of {d}" for p, d in sorted(spec.provider_dates.items())]
    parts += [f"{k} {pct(v / 100)} off" for k, v in sorted(spec.discounts_pct.items())]
    parts += [f"{k} {signed_pct(v / 100)} price" for k, v in sorted(spec.price_change_pct.items())]
    parts += [f"{k} cap {pct(v / 100)}" for k, v in sorted(spec.vendor_caps_pct.items())]
    parts += [f"{k} cap {money(v)}/month" for k, v in sorted(spec.vendor_caps_usd.items())]
    parts += [f"{k} commits {money(v)}/month" for k, v in sorted(spec.commitments_usd.items())]
    return "; ".join(parts)
