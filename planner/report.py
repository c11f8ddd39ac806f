"""Plans, forecasts and returns as text and JSON: pure rendering, shared by the command
line and anything else that shows them (no solving, no printing, no files).

`plan_json` is the documented JSON shape of a plan; `plan_text` the terminal view, with the
re-solved explanations when given; `forecast_*` the monthly bands and the budget answers;
`roi_*` the return against today's process, per tier, provider and class, and the baselines.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from foundation.cli.output import records
from foundation.formatting import clean_float, money, money_cents, payback, pct
from planner.forecast import Forecast, ForecastSettings
from planner.plan import RESERVED_IDLE, Plan
from planner.problem import CAP_BASIS_WORDS
from planner.roi import AgainstMostAccurate, Baseline, ReturnVsToday, RoiReport


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
            f"{r.model}: {r.replicas} replica(s) reserved, {money(r.monthly_cost_usd)} a month, "
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
    """The totals, then one row per assignment; the columns are as wide as their longest name
    (a clipped model id would name another model), and reserved replicas with no work show no
    accuracy (they do no task)."""
    t = plan.totals
    rows = plan.assignments
    cw = max([len("task class"), *(len(a.task_class) for a in rows)])
    mw = max([len("model"), *(len(a.model) for a in rows)])
    lines = [
        f"Monthly cost {money_cents(t.monthly_cost_usd)}; net value "
        f"{money_cents(t.monthly_net_value_usd)}; mean accuracy {pct(t.mean_accuracy)}",
        "",
        f"{'task class':<{cw}} {'model':<{mw}} {'share':>6} {'accuracy':>8} {'monthly $':>12}",
    ]
    for a in rows:
        accuracy = "–" if a.task_class == RESERVED_IDLE else f"{a.accuracy:.1%}"
        lines.append(
            f"{a.task_class:<{cw}} {a.model:<{mw}} {a.share:>6.1%} {accuracy:>8} "
            f"{a.monthly_cost_usd:>12,.2f}"
        )
    if plan.binding and not plan.problem.settings.single_model:
        lines += ["", "Binding:"] + [f"  {b.description}" for b in plan.binding]
    return lines


def forecast_json(result: Forecast) -> dict:
    """`months`: one dict per month (line, bands, budget risk); then the two budget answers."""
    table = result.deterministic.merge(result.bands, on="month").merge(
        result.exhaustion_probability_by_month, on="month"
    )
    month = result.budget_exhaustion_month
    return {
        "months": records(table),
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
        "Annual budget runs out: "
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
        "against_most_accurate": _against_json(report.against_most_accurate),
        "by_tier": records(report.by_tier),
        "by_provider": records(report.by_provider),
        "by_class": records(report.by_class),
        "baselines": {
            "most_accurate": _baseline_json(report.most_accurate),
            "status_quo": None if report.status_quo is None else _baseline_json(report.status_quo),
        },
    }


def _against_json(c: AgainstMostAccurate) -> dict:
    """Like for like: the plan's cost on the classes a model may serve, against the baseline."""
    return {
        "plan_usd": c.plan_usd,
        "most_accurate_usd": c.baseline_usd,
        "savings_usd": c.savings_usd,
        "classes": c.classes,
        "kept_today": [{"task_class": name, "monthly_cost_usd": usd} for name, usd in c.kept_today],
    }


def _vs_today_json(r: ReturnVsToday) -> dict:
    keys = (
        "cost_avoided_usd", "success_value_usd", "new_work_value_usd", "ai_spend_usd",
        "net_benefit_usd", "incremental_roi", "one_off_cost_usd", "payback_months", "covered",
        "new_work", "not_covered",
    )  # fmt: skip
    return {**{k: getattr(r, k) for k in keys}, "by_class": records(r.by_class)}


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
        lines.append(f"  payback of one-off costs: {payback(r.payback_months)}")
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
        "by_class": records(baseline.by_class),
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


def business_case_json(as_modelled, risk_adjusted) -> dict:
    """Both cases side by side: the return and the monthly flows (see planner.business_case)."""

    def one(case) -> dict:
        return _cleaned({
            "npv_usd": case.npv_usd, "irr_annual": case.irr_annual,
            "payback_month": case.payback_month, "pv_benefits_usd": case.pv_benefits_usd,
            "pv_costs_usd": case.pv_costs_usd, "roi": case.roi,
            "benefit_cost_ratio": case.benefit_cost_ratio,
            "extra_costs_usd": case.extra_costs_usd,
            "monthly_flows": case.flows.to_dict(orient="records"),
        })  # fmt: skip

    return {"as_modelled": one(as_modelled), "risk_adjusted": one(risk_adjusted)}
