"""The Forecast page's logic: the settings its controls make, the tiles and the caption (no
Streamlit here; the page reads the controls and renders)."""

from __future__ import annotations

from app import state as S
from app.format import money, money_compact, pct
from app.tiles import Tile
from planner.forecast import RUN_OUT_RULE, Forecast, ForecastSettings
from planner.retirement import retirement_sentence

HORIZONS = (12, 24, 36)  # months
ACCURACY_SD = 0.02  # each model's accuracy, ±2 points
PATHS = 4000
SEED = 0
RAMP_START = 0.25  # with a ramp, a quarter of the planned volume is live in month 1


def settings(
    months: int | None,
    growth_sd_pts: float,
    price_sd_pts: float,
    ramp_months: int,
    *,
    price_decline: float,
    growth_override: float | None,
    budget: float | None,
) -> ForecastSettings:
    """The simulation the controls ask for: uncertainties in points become shares, a ramp
    starts at RAMP_START of the volume, and the sidebar's growth, price decline and budget
    apply."""
    return ForecastSettings(
        months=int(months or S.WIDGET_DEFAULTS[S.FORECAST_MONTHS]),
        annual_price_decline=price_decline,
        growth_override=growth_override,
        adoption_start=RAMP_START if ramp_months else 1.0,
        adoption_months=int(ramp_months),
        growth_sd=growth_sd_pts / 100,
        price_sd=price_sd_pts / 100,
        accuracy_sd=ACCURACY_SD,
        paths=PATHS,
        seed=SEED,
        monthly_budget_usd=budget,
    )


def tiles(result: Forecast, settings: ForecastSettings) -> list[Tile]:
    """Spend and net value in the last month (median, with the 10-90 range on hover), when
    the annual budget runs out, and the chance the first year overruns it."""
    last = result.bands.iloc[-1]
    runs_out = result.budget_exhaustion_month
    budget = settings.monthly_budget_usd
    return [
        Tile(
            f"Spend, month {settings.months}",
            money_compact(last["spend_p50"]),
            help=f"Median (P50) {money(last['spend_p50'])}; P10 {money(last['spend_p10'])} to "
            f"P90 {money(last['spend_p90'])} a month.",
        ),
        Tile(
            f"Net value, month {settings.months}",
            money_compact(last["net_value_p50"]),
            help=f"Median (P50) {money(last['net_value_p50'])}; P10 "
            f"{money(last['net_value_p10'])} to P90 {money(last['net_value_p90'])} a month.",
        ),
        Tile(
            "Annual budget runs out",
            runs_out.strftime("%b %Y") if runs_out else "Not in horizon",
            help=f"Annual budget {money(12 * (budget or 0))}. The month is {RUN_OUT_RULE}.",
        ),
        Tile(
            "Year-1 overrun risk",
            pct(result.prob_over_budget) if result.prob_over_budget is not None else "–",
            help="Share of simulated paths whose first 12 months cost more than the annual budget.",
        ),
    ]


def caption(settings: ForecastSettings) -> str:
    """What the forecast assumes, in words."""
    growth = (
        "each class's own growth rate"
        if settings.growth_override is None
        else f"{pct(settings.growth_override)} a month for every class"
    )
    return (
        f"Volumes grow at {growth}; model prices fall {pct(settings.annual_price_decline)} a "
        "year, and the price sheets already dated for the coming months apply from their "
        f"dates. The bands come from {settings.paths:,} simulated paths (seed {settings.seed}); "
        "the plan's shares are held fixed."
    )


TABLE_FORMATS = {"month": None, "prob_over_budget": "percent"}  # the rest: "dollar"


def table_format(column: str) -> str | None:
    """How a column of the month-by-month table is shown (None: as it is)."""
    return TABLE_FORMATS.get(column, "dollar")


def retirement_caption(steps, months: int) -> str | None:
    """What the forecast does at each retirement inside its horizon, with the dollars."""
    sentence = retirement_sentence(steps, months)
    if sentence is None:
        return None
    return f"{sentence} The forecast re-plans on each of these days: the line and bands step."
