"""The Overview's tiles: what the plan costs and yields this month, and the 12-month outlook
(no Streamlit here; the page renders what these return)."""

from __future__ import annotations

import pandas as pd

from app.format import count, money, money_compact, money_fine, pct, signed_pct
from app.tables import Kpis
from app.tiles import Tile
from planner.forecast import ForecastSettings
from planner.retirement import RETIREMENT_MONTHS, RetirementStep, retirement_sentence

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
    on its most accurate model (with the change in spend as a share)."""
    savings = k.savings_vs_most_accurate_usd
    same = plan_is_most_accurate and abs(savings) < SAME_USD
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
            help="This plan is the most-accurate baseline itself: every class on its most "
            "accurate model."
            if same
            else "Against running every class on its most accurate model "
            f"({money(k.most_accurate_cost_usd)} a month).",
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
