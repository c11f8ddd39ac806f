"""The Portfolio page's logic: its tiles, the assignment in percents, and what it says about
the budget and the limits that hold the plan (no Streamlit here; the page renders)."""

from __future__ import annotations

import pandas as pd

from app.format import money, pct
from app.tiles import Tile
from planner.marginal import Marginal
from planner.plan import Plan, PlanTotals

UNSPENT_USD = 0.5  # a plan this far under its budget is said to leave some of it


def tiles(totals: PlanTotals, budget_step: Marginal | None) -> list[Tile]:
    """Spend, net value, mean accuracy, and what $1,000 more budget adds (re-solved)."""
    step = None if budget_step is None else budget_step.step_change
    return [
        Tile("Monthly spend", money(totals.monthly_cost_usd)),
        Tile("Net value a month", money(totals.monthly_net_value_usd)),
        Tile("Mean accuracy", pct(totals.mean_accuracy)),
        Tile(
            "Next $1,000 of budget adds",
            "–" if step is None else money(step),
            help="Re-solved: the best plan with $1,000 more monthly budget, less this one.",
        ),
    ]


def in_percents(assignments: pd.DataFrame) -> pd.DataFrame:
    """The assignment table with share, accuracy and floor as percents (0.8 -> 80)."""
    return assignments.assign(
        share=assignments["share"] * 100,
        accuracy=assignments["accuracy"] * 100,
        floor=assignments["floor"] * 100,
    )


def budget_line(totals: PlanTotals, budget: float | None) -> str | None:
    """What the plan leaves of its budget, when it leaves some."""
    if budget is None or totals.monthly_cost_usd >= budget - UNSPENT_USD:
        return None
    return f"The plan spends {money(totals.monthly_cost_usd)} of the {money(budget)} budget."


def holding_text(plan: Plan) -> str | None:
    """The limits other than the budget that bind, as a list (none under one model per
    class, where the re-solved explanations stand in for them)."""
    others = [b.description for b in plan.binding if b.family != "budget"]
    if not others or plan.problem.settings.single_model:
        return None
    return "What holds the plan where it is:\n" + "\n".join(f"- {t}" for t in others)
