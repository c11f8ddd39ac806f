"""The Overview's tiles: what the plan costs and yields this month, and the 12-month outlook
(no Streamlit here; the page renders what these return)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd

from app import state as S
from app.format import (
    count,
    md_escape,
    money,
    money_compact,
    money_fine,
    multiple,
    pct,
    signed_pct,
)
from app.planning import PlanRequest
from app.tables import Kpis
from app.tiles import Tile
from foundation.errors import InputError
from foundation.tables import decode
from planner.accuracy import BENCHMARK_CITATION
from planner.business_case import BENEFIT_LINES, CaseSettings, ProgrammeCosts
from planner.business_case_inputs import parse_programme
from planner.business_case_report import FullCase
from planner.forecast import ForecastSettings
from planner.retirement import RETIREMENT_MONTHS, RetirementStep, retirement_sentence
from planner.workload import parse_workload

OUTLOOK_MONTHS = 12
SAME_USD = 0.5  # savings under half a dollar are no savings: the plan is the baseline


def outlook_settings(
    price_decline: float, growth_override: float | None, budget: float | None
) -> ForecastSettings:
    """The 12-month outlook: one path, no uncertainty, the sidebar's growth and prices."""
    return ForecastSettings(
        months=OUTLOOK_MONTHS,
        paths=1,
        annual_price_decline=price_decline,
        growth_override=growth_override,
        monthly_budget_usd=budget,
    )


def plan_tiles(k: Kpis, plan_is_most_accurate: bool) -> list[Tile]:
    """Spend, net value, value per 1,000 tokens, and the savings against running every class
    a model may serve on its most accurate model (with the change in spend as a share), like
    for like: a class no model may serve stays on today's process either way, so its cost is
    named in the help and left out of the savings."""
    savings = k.savings_vs_most_accurate_usd
    same = plan_is_most_accurate and abs(savings) < SAME_USD
    kept = "".join(  # the class name is the workload's text: escaped for the markdown help
        f" {md_escape(name)} ({money(usd)} a month) stays on today's process either way: no "
        "allowed model can do it; not in this comparison."
        for name, usd in k.kept_today
    )
    return [
        Tile(
            "Monthly spend",
            money(k.monthly_cost_usd),
            help="Models, plus any work today's process keeps.",
        ),
        Tile(
            "Net value a month",
            money_compact(k.monthly_net_value_usd),
            help=f"{money(k.monthly_net_value_usd)}: the gross value of the work (successes "
            "less failures and spend), much of which today's process may already deliver; not "
            "a return.",
        ),
        Tile(
            "Value / 1k tokens",
            money_fine(k.value_per_1k_tokens_usd),
            help="Value of successful tasks per 1,000 tokens processed.",
        ),
        Tile(
            "Savings",
            money(savings),
            delta=f"{signed_pct(-savings / k.most_accurate_cost_usd)} spend"
            if k.most_accurate_cost_usd and abs(savings) >= SAME_USD
            else None,
            delta_color="inverse",
            help=(
                "This plan is the most-accurate baseline itself: every class a model may serve "
                f"on its most accurate model ({money(k.most_accurate_cost_usd)} a month)."
                if same
                else "Against running every class a model may serve on its most accurate model "
                f"({money(k.most_accurate_cost_usd)} a month)."
            )
            + kept,
            note="vs each class on its most accurate model",
        ),
    ]


def outlook_tiles(k: Kpis, outlook: pd.DataFrame) -> list[Tile]:
    """Month 12's spend (and its change on today's), the next 12 months' spend and net
    value, the mean accuracy and the tokens a month."""
    month_12 = outlook["spend_usd"].iloc[-1]
    return [
        Tile(
            "Spend in month 12",
            money(month_12),
            delta=signed_pct(month_12 / k.monthly_cost_usd - 1) if k.monthly_cost_usd else None,
            delta_color="inverse",
            help="With the volume growth and price decline set in the sidebar.",
        ),
        Tile("Spend, next 12 months", money_compact(outlook["spend_usd"].sum())),
        Tile("Net value, 12 months", money_compact(outlook["net_value_usd"].sum())),
        Tile("Mean accuracy", pct(k.mean_accuracy), help="Volume-weighted over all classes."),
        Tile("Tokens a month", count(k.monthly_tokens)),
    ]


def retirement_warning(steps: tuple[RetirementStep, ...]) -> str | None:
    """The one sentence on the plan's retirements within the outlook, with the dollars: which
    of its models retire when, and what the same work at the same floors costs after (each
    figure a plan re-solved on that day); None when none of its models retires."""
    return retirement_sentence(steps, RETIREMENT_MONTHS)


def illustrative_warning(plan, illustrative: list[str]) -> str | None:
    """What share of the plan's spend rests on illustrative price sheets (assumptions, not
    published prices), in one sentence with the dollars; None when none of it does."""
    if plan.totals is None or not illustrative:
        return None
    rows = [a for a in plan.assignments if a.provider in illustrative]
    spend = sum(a.monthly_cost_usd for a in rows)
    if not rows:
        return None
    total = plan.totals.monthly_cost_usd
    share = spend / total if total > 0 else 0.0
    names = ", ".join(sorted({a.model for a in rows}))
    return (
        f"{pct(share)} of this plan's spend ({money(spend)} a month) is on illustrative price "
        f"sheets ({names}): their prices and throughput are assumptions, not published "
        'prices. Turn off "Plan with illustrative price sheets" to plan without them.'
    )


# -- the business case leads ------------------------------------------------------------------


def case_tiles(case: FullCase) -> list[Tile]:
    """NPV (risk-adjusted; as modelled and P10-P90 under it), payback, risk-adjusted ROI and
    the quality change against today. Values are short enough for four tiles at 1280 px:
    compact money, the exact figure in the note or the help."""
    s, r, m, b = case.settings, case.risk_adjusted, case.as_modelled, case.bands
    over = f"over {s.horizon_months} months at {pct(s.cost_of_capital)} a year"
    q = case.quality
    return [
        Tile(
            "NPV, risk-adjusted",
            money_compact(r.npv_usd),
            help=f"{money(r.npv_usd)}: the net present value of the monthly cash flows {over}, "
            f"each benefit line shrunk by its realisation factor. As modelled (every factor "
            f"1): {money(m.npv_usd)}. P10 to P90 over {count(b.paths)} seeded draws of volume "
            f"growth, model prices, accuracy and realisation: {money(b.p10_usd)} to "
            f"{money(b.p90_usd)} (P50 {money(b.p50_usd)}).",
            note=f"As modelled {money_compact(m.npv_usd)}; P10-P90 {money_compact(b.p10_usd)} "
            f"to {money_compact(b.p90_usd)}",
        ),
        Tile(
            "Payback",
            payback_words(r.payback_month, s.horizon_months),
            help="The first month the cumulative discounted cash flow (risk-adjusted) is at or "
            f"above zero; none within the {s.horizon_months}-month horizon reads "
            f"> {s.horizon_months} months.",
        ),
        Tile(
            "Risk-adjusted ROI",
            pct(r.roi) if r.roi is not None else "–",
            help="(PV of benefits - PV of costs) / PV of costs " + over + ": costs are model "
            "spend, human review, run costs, seats and one-off costs. Benefit-cost ratio: "
            + (multiple(r.benefit_cost_ratio) if r.benefit_cost_ratio is not None else "–")
            + ".",
        ),
        Tile(
            "Quality vs today",
            money_compact(q.loss_usd) if q.any_loss else "No loss",
            help=(
                f"{money(q.loss_usd)} a month: {len(q.losses)} classes are less accurate than "
                "today's process; their change in quality, counted in full in every figure. "
                'Turn on "No quality loss" in the sidebar to keep every class at least as '
                "accurate as today."
                if q.any_loss
                else "Every class is at least as accurate as today's process. Change in "
                f"quality over the compared classes: {money(q.change_usd)} a month."
            ),
            note=f"a month; {len(q.losses)} classes below today" if q.any_loss else None,
        ),
    ]


def payback_words(month: int | None, horizon: int) -> str:
    return f"Month {month}" if month is not None else f"> {horizon} months"


EXAMPLE_LABOUR = (
    "Example workload: each class's cost today is an assumed handling time at the loaded "
    "hourly cost of the role that does the work = a BLS OEWS May 2023 wage for the role "
    "(USDL-24-0628 and the role's BLS page; the all-occupations mean, $65,470, where no "
    "role's figure could be quoted) / 2,080 hours / the wages share of compensation in "
    "private industry (70.4 %, BLS ECEC December 2023, USDL-24-0485); handling times and "
    "review minutes are assumptions (data/business_case/, each wage with its quote)."
)
TEI_SOURCE = (
    "Discounting and risk adjustment in the way of risk-adjusted total-economic-impact "
    "studies (https://go.forrester.com/policies/tei/); the default rates are assumptions."
)


def brief_sources(
    request: PlanRequest, example_name: str, assumed: Sequence[str] = ()
) -> list[str]:
    """Where the brief's figures come from, one line each; `assumed` (the providers whose
    sheet is illustrative) is named only when the plan may use them (the switch on)."""
    example = request.workload_source == example_name
    note = " (an illustrative example, not measured figures)" if example else ""
    accuracy = (
        f"your own accuracy table ({request.quality_source}), over {BENCHMARK_CITATION}"
        if request.quality_text
        else BENCHMARK_CITATION
    )
    lines = [
        f"Workload: {request.workload_source}{note}.",
        f"Model prices: the providers' list prices as of {request.as_of} (data/price_sheets)"
        + (
            f"; illustrative price sheets (assumptions, not list prices): {', '.join(assumed)}."
            if assumed and request.with_illustrative
            else "."
        ),
        f"Accuracy figures: {accuracy}.",
        TEI_SOURCE,
    ]
    if example:
        lines[1:1] = [EXAMPLE_LABOUR, *_not_derived(request)]
    return lines


def _not_derived(request: PlanRequest) -> list[str]:
    """The example's classes whose cost today is given, not derived (no loaded hourly rate),
    labelled as the assumptions they are: a reader must not take them for the support
    classes' sourced arithmetic. Nothing when every such class is derived."""
    workload = parse_workload(request.workload_csv, request.workload_source, "csv")
    names = [
        t.name for t in workload.classes if t.has_status_quo and t.loaded_hourly_cost_usd is None
    ]
    if not names:
        return []
    return [
        f"Example workload, other classes ({', '.join(names)}): today's cost per task is an "
        "illustrative guess, not derived from a handling time and a wage, and no human review "
        "of the AI's work is counted; their cost avoided is an assumption to replace."
    ]


# -- the case's settings on the Overview ------------------------------------------------------

REALISATION_CONTROLS = (  # (benefit line, words, widget key)
    ("cost_avoided", "cost avoided", S.CASE_REALISE_AVOIDED),
    ("quality", "quality", S.CASE_REALISE_QUALITY),
    ("new_work", "new work", S.CASE_REALISE_NEW),
)


def case_settings(horizon: int, capital_pct: float, realisation: dict[str, float]) -> CaseSettings:
    """The Overview's controls as the case's settings (the cost of capital typed in percent)."""
    return CaseSettings(
        horizon_months=int(horizon),
        cost_of_capital=float(capital_pct) / 100,
        realisation={line: float(realisation[line]) for line in BENEFIT_LINES},
    )


def case_key(settings: CaseSettings, programme_text: str | None) -> str:
    """A plain-text key for the cached case: the settings and the programme file's text."""
    return json.dumps(
        {"settings": asdict(settings), "programme": programme_text or ""}, sort_keys=True
    )


def from_case_key(key: str) -> tuple[CaseSettings, ProgrammeCosts | None]:
    """The settings and programme a key names (the file's text parsed again: it was checked
    when it was uploaded, so a bad one never gets a key)."""
    data = json.loads(key)
    programme = data["programme"]
    return CaseSettings(**data["settings"]), (
        parse_programme(programme, "programme costs") if programme else None
    )


def programme_from_upload(data: bytes, name: str) -> tuple[str | None, str | None]:
    """(the file's text, None) when it is a good programme-costs file, else (None, the
    located error)."""
    try:
        text = decode(data, name)
        parse_programme(text, name)
    except InputError as exc:
        return None, str(exc)
    return text, None
