"""The whole business case of a plan in one object, its headline, and its JSON and text.

`full_case` is what the command line (`planner roi`) and the app (the Overview, the workbook,
the board brief) all show, so every place states the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from foundation.formatting import money, pct
from planner.business_case import (
    CaseLines,
    CaseResult,
    CaseSettings,
    ProgrammeCosts,
    business_case,
    case_lines,
)
from planner.business_case_quality import (
    QualityChange,
    at_least_today,
    quality_change,
    quality_sentence,
)
from planner.business_case_risk import (
    DEFAULT_PATHS,
    DEFAULT_SEED,
    NpvBands,
    npv_bands,
    tornado,
)
from planner.plan import Plan, optimize
from planner.problem import PlanningProblem
from planner.report import _cleaned, business_case_json


@dataclass(frozen=True)
class FullCase:
    lines: CaseLines
    programme: ProgrammeCosts
    settings: CaseSettings  # the risk-adjusted settings; as modelled is every factor 1
    as_modelled: CaseResult
    risk_adjusted: CaseResult
    quality: QualityChange
    bands: NpvBands  # of the risk-adjusted NPV
    tornado: pd.DataFrame  # planner.business_case_risk.TORNADO_COLUMNS
    no_quality_loss: bool = False
    assumptions: tuple[str, ...] = field(default=())

    @property
    def headline(self) -> str:
        return case_headline(self)


def plan_for_case(problem: PlanningProblem, no_quality_loss: bool) -> Plan:
    """The plan the case is made on: as solved, or re-solved with every covered class at
    least as accurate as today's process."""
    return optimize(at_least_today(problem) if no_quality_loss else problem)


def full_case(plan: Plan, programme: ProgrammeCosts | None = None,
              settings: CaseSettings | None = None, *, no_quality_loss: bool = False,
              paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED) -> FullCase:  # fmt: skip
    programme = programme or ProgrammeCosts()
    settings = settings or CaseSettings()
    lines = case_lines(plan)
    return FullCase(
        lines=lines,
        programme=programme,
        settings=settings,
        as_modelled=business_case(lines, programme, settings.as_modelled()),
        risk_adjusted=business_case(lines, programme, settings),
        quality=quality_change(plan),
        bands=npv_bands(lines, programme, settings, paths, seed),
        tornado=tornado(lines, programme, settings),
        no_quality_loss=no_quality_loss,
        assumptions=assumptions(settings, programme),
    )


def assumptions(settings: CaseSettings, programme: ProgrammeCosts) -> tuple[str, ...]:
    """Every setting the case rests on, each labelled, with its source where it has one."""
    k = settings.realisation
    out = [
        f"Horizon: {settings.horizon_months} months (a setting; default 36).",
        f"Cost of capital: {pct(settings.cost_of_capital)} a year (an assumption; default "
        "10 %, a common corporate hurdle rate).",
        f"Realisation factors (assumptions): cost avoided {k['cost_avoided']:.2f}, change in "
        f"quality {k['quality']:.2f}, new work {k['new_work']:.2f}; a loss is never shrunk.",
        f"Adoption ramp: {programme.ramp_months} months"
        + (" (full from month 1)." if not programme.ramp_months else " to full adoption."),
        "Uncertainty (P10-P90): the forecast's growth, price and accuracy spread and "
        "triangular realisation factors; seeded, re-runs give the same figures.",
    ]
    if programme.is_empty:
        out.append("No programme costs given (platform, gateway, seats, one-off): zero.")
    out += [f"Programme cost: {s}" for s in programme.sources]
    return tuple(out)


def _payback(month: int | None, horizon: int) -> str:
    return f"month {month}" if month is not None else f"not within {horizon} months"


def case_headline(case: FullCase) -> str:
    """What an investment committee reads first: NPV both ways, payback, risk-adjusted ROI,
    the P10-P90 range, the quality change and what was not costed."""
    s, r, m = case.settings, case.risk_adjusted, case.as_modelled
    roi = f"; risk-adjusted ROI {pct(r.roi)}" if r.roi is not None else ""
    text = (
        f"Over {s.horizon_months} months at a {pct(s.cost_of_capital)} cost of capital the "
        f"plan's net present value is {money(r.npv_usd)} risk-adjusted ({money(m.npv_usd)} as "
        f"modelled), paying back in {_payback(r.payback_month, s.horizon_months)}{roi}. "
        f"P10 to P90: {money(case.bands.p10_usd)} to {money(case.bands.p90_usd)}. "
    )
    text += quality_sentence(case.quality)
    if case.no_quality_loss:
        text += " Every class is kept at least as accurate as today's process (re-solved)."
    if case.programme.is_empty and r.extra_costs_usd > 0:
        text += (
            " No programme costs were given (platform, gateway, seats, one-off): the case "
            "counts only model spend and the human review the workload states."
        )
    if r.extra_costs_usd == 0:
        text += (
            " The case has no costs beyond model spend (no human review on the AI's tasks, no "
            "run, seat or one-off costs)."
        )
    return text


def case_json(case: FullCase) -> dict:
    """The case for `planner roi --json`: both returns with their flows, and what moves it."""
    s = case.settings
    return {
        **business_case_json(case.as_modelled, case.risk_adjusted),
        "headline": case.headline,
        "settings": {
            "horizon_months": s.horizon_months,
            "cost_of_capital": s.cost_of_capital,
            "realisation": dict(s.realisation),
            "no_quality_loss": case.no_quality_loss,
        },
        "quality_losses": _cleaned(case.quality.losses.to_dict(orient="records")),
        "quality_loss_usd_per_month": _cleaned(case.quality.loss_usd),
        "npv_bands": {
            "p10_usd": _cleaned(case.bands.p10_usd),
            "p50_usd": _cleaned(case.bands.p50_usd),
            "p90_usd": _cleaned(case.bands.p90_usd),
            "paths": case.bands.paths,
            "seed": case.bands.seed,
        },
        "tornado": _cleaned(case.tornado.to_dict(orient="records")),
        "assumptions": list(case.assumptions),
    }


def case_text(case: FullCase) -> str:
    r, m = case.risk_adjusted, case.as_modelled
    irr = {x: pct(c.irr_annual) if c.irr_annual is not None else "none"
           for x, c in (("r", r), ("m", m))}  # fmt: skip
    lines = ["Business case:", f"  {case.headline}",
             f"  IRR a year: {irr['r']} risk-adjusted, {irr['m']} as modelled.",
             "  What moves NPV most (each input over its range, re-run):"]  # fmt: skip
    for row in case.tornado.itertuples():
        lines.append(f"    {row.input} ({row.range}): {money(row.npv_low_usd)} to "
                     f"{money(row.npv_high_usd)}")  # fmt: skip
    lines.append("  Assumptions:")
    lines += [f"    {a}" for a in case.assumptions]
    return "\n".join(lines)
