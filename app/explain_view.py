"""The re-solved explanations on the pages: exact break-evens, what more budget buys, the
return against today, what the settings imply, and the vendor caps' basis.

The figures come from planner/breakeven.py, planner/marginal.py and planner/roi.py, cached on
the request's key; this module only lays them out (text through st.text / st.dataframe or
escaped markdown, never input as markdown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import loaders, planning, tables
from app import state as S
from app.format import money, multiple, payback, pct
from planner.breakeven import break_evens, not_explained
from planner.marginal import Marginal, budget_marginal, floor_marginals
from planner.plan import Plan
from planner.problem import CAP_BASES, CAP_BASIS_WORDS
from planner.roi import ReturnVsToday

CAP_LABELS = {"tasks": "Cap % of tasks", "usd": "Cap USD a month", "spend": "Cap % of spend"}
CAP_SHARE_OF = {"tasks": "all tasks", "spend": "model spend"}
VENDOR_BREAK_EVEN_HEADING = "What each vendor must cut to win work, against the sidebar's plan"
VENDOR_BREAK_EVEN_BASIS = (
    "These cuts are against the sidebar's plan (its prices, budget, floors and caps), not "
    "against the scenarios compared above: a scenario's own discounts and caps change them."
)
BREAK_EVEN_COLUMNS = ["task_class", "kind", "subject", "price_cut_pct", "reason"]


# -- cached re-solves -----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def exact_break_evens(request_key: str, prices: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Every exact break-even of the request's plan (empty when there is no plan)."""
    plan = loaders.plan(request_key, prices)
    if not plan.is_optimal or plan.shares is None:
        return pd.DataFrame(columns=BREAK_EVEN_COLUMNS)
    rows = [
        {
            "task_class": b.task_class,
            "kind": b.kind,
            "subject": b.subject,
            "price_cut_pct": b.price_cut_pct,
            "reason": b.reason,
        }
        for b in break_evens(plan.problem, plan.shares, kinds)
    ]
    return pd.DataFrame(rows, columns=BREAK_EVEN_COLUMNS)


@st.cache_data(show_spinner=False, max_entries=64)
def marginals(request_key: str, prices: str) -> tuple[Marginal | None, list[Marginal]]:
    """The next $1,000 of budget and a point more on each floor that matters, re-solved."""
    plan = loaders.plan(request_key, prices)
    if not plan.is_optimal or plan.totals is None:
        return None, []
    min_cost = plan.problem.settings.objective == "min-cost"
    objective = plan.totals.monthly_cost_usd if min_cost else plan.totals.monthly_net_value_usd
    skipped = not_explained(plan.problem)
    floors = [] if skipped else floor_marginals(plan.problem, objective, plan.shares)
    return budget_marginal(plan.problem, objective), floors


# -- Portfolio ------------------------------------------------------------------------------


def why_this_plan(plan: Plan, request: planning.PlanRequest, prices: str) -> None:
    """What more budget and higher floors would do, each re-solved, with the range a rate
    holds over; then the settings' consequences in words."""
    budget, floors = marginals(request.key(), prices)
    if budget is not None:
        st.text(budget.sentence)
    elif request.budget_usd is None:
        st.text("No budget is set: the plan spends what maximizes net value.")
    for m in floors:
        st.text(m.sentence)
    for sentence in settings_implications(plan, request, prices):
        st.text(sentence)


def break_even_section(request: planning.PlanRequest, prices: str, kind: str) -> None:
    """The exact break-even table for models (Portfolio) or vendors (Vendor scenarios)."""
    plan = loaders.plan(request.key(), prices)
    skipped = not_explained(plan.problem) if plan.is_optimal else None
    if skipped:  # MIP re-solves per cut, or more classes than a page should wait for
        st.text(skipped)
        return
    table = exact_break_evens(request.key(), prices, (kind,))
    if table.empty:
        st.text("Every model that may do the work already wins some of it.")
        return
    left, right = st.columns([2, 1])
    classes = ["All classes", *sorted(table["task_class"].unique())]
    chosen = left.selectbox("Task class", classes, key=f"{S.BREAK_EVEN_CLASS_PREFIX}{kind}")
    winnable = right.toggle(
        "Only those a price cut can bring in",
        S.WIDGET_DEFAULTS[S.BREAK_EVEN_WINNABLE_PREFIX],
        key=f"{S.BREAK_EVEN_WINNABLE_PREFIX}{kind}",
    )
    view = table if chosen == "All classes" else table[table["task_class"] == chosen]
    if winnable:
        view = view[view["price_cut_pct"].notna()]
    view = view.sort_values(["task_class", "price_cut_pct"], na_position="last", kind="stable")
    st.dataframe(
        view.drop(columns=["kind"]),
        hide_index=True,
        column_config={
            "task_class": "Task class",
            "subject": "Model" if kind == "model" else "Vendor (all its models)",
            "price_cut_pct": st.column_config.NumberColumn(
                "List-price cut that wins work", format="%.1f%%"
            ),
            "reason": st.column_config.TextColumn("Why", width="large"),
        },
    )
    st.caption(
        "Found by re-solving the whole plan with the list price cut in every class, to 0.1 "
        "point: the smallest cut at which it takes work in the class (not yet at 0.1 point "
        "less). Empty cut: it does not win even free, for the reason given."
    )


def settings_implications(plan: Plan, request: planning.PlanRequest, prices: str) -> list[str]:
    """Why a floor forces work onto today's process, and why the cheapest plan (the budget
    slider's default and range) moves with the quality bar."""
    problem = plan.problem
    out = []
    shares = np.nan_to_num(plan.shares)
    ai_best = np.where(problem.eligible & problem.is_ai[None, :], problem.accuracy, -np.inf).max(
        axis=1
    )  # -inf: no model may do the class
    forced = []
    for t, task in enumerate(problem.classes):
        kept = float((shares[t] * ~problem.is_ai).sum())
        if kept > 1e-6 and not ai_best[t] >= task.min_accuracy:
            forced.append(task.name)
            out.append(
                f"{task.name}: no allowed model reaches the {pct(task.min_accuracy)} floor ("
                + (
                    f"the best reaches {pct(ai_best[t])}"
                    if np.isfinite(ai_best[t])
                    else "no model can do this work"
                )
                + f"), so today's process keeps {pct(kept)} of the work to lift the average."
            )
    # Keyed without the budget, which the cheapest plan ignores: the sidebar's entry.
    cheapest = loaders.cheapest_spend(request.with_(budget_usd=None).key(), prices)
    if forced and cheapest is not None:
        shift = request.floor_shift_pts
        bar = f" with the quality bar at {shift:+g} points" if shift else ""
        out.append(
            f"The cheapest plan that meets every floor{bar} costs {money(cheapest)} a month: "
            "today's process is far dearer per task than a model, so every floor that only it "
            "can reach raises that cost, and the budget slider's default and range with it."
        )
    return out


def replicas_section(plan: Plan) -> None:
    """The switch for capacity pricing, and each reserved replica's utilization."""
    st.toggle(
        "Price self-hosted models as whole replicas",
        key=S.REPLICAS,
        help="A replica (the sheet's GPUs, reserved for the month) costs the same used or "
        "not; the plan reserves one only where the work it carries pays for it. Off: the "
        "sheet's price per token at its target utilization, whatever the load.",
    )
    if not plan.replicas:
        if plan.problem.settings.self_hosted_replicas:
            st.text("No replica is worth reserving for this work.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "model": r.model,
                    "replicas": r.replicas,
                    "monthly_cost_usd": r.monthly_cost_usd,
                    "hours_used": r.hours_used,
                    "utilization": r.utilization * 100,
                }
                for r in plan.replicas
            ]
        ),
        hide_index=True,
        column_config={
            "model": "Self-hosted model",
            "replicas": "Replicas reserved",
            "monthly_cost_usd": st.column_config.NumberColumn("Cost / month", format="$%,.0f"),
            "hours_used": st.column_config.NumberColumn("Replica-hours used", format="%,.0f"),
            "utilization": st.column_config.NumberColumn("Utilization", format="%.1f%%"),
        },
    )


# -- Overview -------------------------------------------------------------------------------


def return_tiles(r: ReturnVsToday) -> None:
    """The return against today's process leads: net benefit, incremental ROI, payback."""
    cols = st.columns(4)
    cols[0].metric(
        "Net benefit vs today",
        money(r.net_benefit_usd) if r.any_comparison else "–",
        border=True,
        help="Today's cost avoided + the value of the change in successes + new work, less "
        "the AI spend, a month; only classes with today's cost and accuracy, plus new work.",
    )
    cols[1].metric(
        "Incremental ROI",
        multiple(r.incremental_roi),
        border=True,
        help="Net benefit against today's process / AI spend.",
    )
    cols[2].metric("AI spend a month", money(r.ai_spend_usd), border=True)
    cols[3].metric(
        "Payback",
        "–" if r.payback_months is None else payback(r.payback_months),
        border=True,
        help="One-off costs (the workload's one_off_cost_usd column) / net benefit a month."
        if r.one_off_cost_usd is not None
        else "Add a one_off_cost_usd column to the workload to see the payback.",
    )


def decomposition(r: ReturnVsToday) -> None:
    """The net benefit term by term, and which classes each part covers."""
    st.dataframe(tables.return_parts(r), hide_index=True)
    st.text(
        f"Compared with today's process: {', '.join(r.covered) or 'none'}. "
        f"New work (no status-quo figures, not covered by the comparison): "
        f"{', '.join(r.new_work) or 'none'}."
        + (
            f" Not covered (one status-quo figure only): {', '.join(r.not_covered)}."
            if r.not_covered
            else ""
        )
    )


def budget_outlook(exhaustion_month, budget: float | None) -> str | None:
    """Whether the 12-month forecast runs past the annual budget (12 x the monthly one)."""
    if budget is None:
        return None
    if exhaustion_month is None:
        return (
            f"At these growth and price settings, the next 12 months stay within the annual "
            f"budget of {money(12 * budget)}."
        )
    return (
        f"At these growth and price settings, spend runs past the annual budget of "
        f"{money(12 * budget)} in {exhaustion_month:%B %Y}: see the Forecast page."
    )


# -- Vendor scenarios -----------------------------------------------------------------------


def cap_basis_selector() -> str:
    """A small selector for what a vendor cap limits; its value is in force on every page.
    A change re-mounts the scenario tables, whose cap column then holds the new unit."""
    basis = st.radio(
        "Vendor caps limit",
        CAP_BASES,
        format_func=lambda b: CAP_BASIS_WORDS[b],
        horizontal=True,
        key=S.CAP_BASIS,
        on_change=_new_tables,
        help="A share of all tasks, or USD a month, cannot be met by spending more elsewhere; "
        "a share of model spend can (a plan may buy dearer models elsewhere to make a "
        "vendor's share small). Caps typed under one unit are kept, not converted.",
    )
    st.caption(f"Caps in force: {CAP_BASIS_WORDS[str(basis)]}.")
    return str(basis)


def _new_tables() -> None:
    st.session_state[S.VENDOR_REVISION] = st.session_state.get(S.VENDOR_REVISION, 0) + 1


def cap_column(basis: str):
    """The scenario table's cap column, labelled and bounded in the unit in force."""
    if basis == "usd":
        return st.column_config.NumberColumn(
            CAP_LABELS[basis],
            min_value=0.0,
            step=100.0,
            format="$%,.0f",
            help="Empty: no cap. At most this many US dollars a month with the provider "
            "(all its models); 200 means $200 a month.",
        )
    return st.column_config.NumberColumn(
        CAP_LABELS[basis],
        min_value=0.0,
        max_value=100.0,
        step=0.1,
        format="%.1f%%",
        help=f"Empty: no cap. At most this percent of {CAP_SHARE_OF[basis]} goes to the "
        "provider (all its models).",
    )


def vendor_section(request: planning.PlanRequest, prices: str) -> None:
    """The cap basis in force, and what each vendor must cut to win work (all its models)."""
    st.subheader(VENDOR_BREAK_EVEN_HEADING)
    st.caption(f"{VENDOR_BREAK_EVEN_BASIS} Caps in force: {CAP_BASIS_WORDS[request.cap_basis]}.")
    break_even_section(request, prices, "provider")
