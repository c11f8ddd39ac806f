"""Blocks several pages render the same way: sources, the diagnosis, the plan download."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app import loaders
from app.format import money
from app.planning import PlanRequest, input_error_text
from app.sidebar import PlanContext, plan_sidebar
from planner.export import plan_to_csv
from planner.plan import Plan
from planner.quality import BENCHMARK_CITATION
from pricing.catalog import Catalog
from pricing.errors import InputError

PLANNING_ERRORS = (InputError, ValueError, LookupError)

PLAN_FILE = "portfolio-plan.csv"


def sources_caption(
    request: PlanRequest, catalog: Catalog, example_name: str = "example_enterprise.csv"
) -> None:
    """Where the accuracy figures, the workload and the prices come from, in one line."""
    if request.quality_text:
        accuracy = f"your own accuracy table ({request.quality_source}), over {BENCHMARK_CITATION}"
    else:
        accuracy = BENCHMARK_CITATION
    workload = request.workload_source
    note = " (an illustrative example, not measured figures)" if workload == example_name else ""
    on = date.fromisoformat(str(request.as_of))  # the request keeps plain values
    assumed = catalog.illustrative_providers(on)
    sheets = f"; illustrative price sheets (assumptions, not list prices): {', '.join(assumed)}"
    st.caption(
        f"Accuracy figures: {accuracy}. Workload: {workload}{note}. List prices as of "
        f"{request.as_of}{sheets if assumed else ''}."
    )


def diagnosis(plan: Plan) -> None:
    """Why there is no plan, finding by finding, each with its fix."""
    st.error(
        f"No plan meets every limit ({plan.status.value}). Here is why, and what would fix it."
    )
    findings = plan.diagnosis.findings if plan.diagnosis else []
    for finding in findings:
        st.markdown(f"- **{finding.message}** {finding.fix}")
    if not findings:
        st.markdown("- The solver gave no reason; relax the budget or the floors.")


def csv_bytes(text: str) -> bytes:
    """CSV text as UTF-8 with a byte-order mark, so Excel reads accented names right."""
    return ("\ufeff" + text).encode("utf-8")


def plan_download(plan: Plan, key: str) -> None:
    """The plan CSV (with its TOTAL row), as the command line writes it."""
    st.download_button(
        "Download plan (CSV)",
        csv_bytes(plan_to_csv(plan)),
        file_name=PLAN_FILE,
        mime="text/csv",
        key=key,
        on_click="ignore",
        help="One row per task class and model, then a TOTAL row; the same file "
        "`python -m planner solve --out` writes.",
    )


def totals_line(plan: Plan) -> None:
    """Monthly cost and net value, rounded as the tiles and the browser test round them."""
    if plan.totals is None:
        return
    st.caption(
        f"Plan totals: monthly cost {money(plan.totals.monthly_cost_usd)}, "
        f"net value {money(plan.totals.monthly_net_value_usd)}."
    )


def title_and_plan(title: str) -> tuple[PlanContext, Plan]:
    """A planning page's start: its title, the sidebar and the solved plan. When there is no
    workload or no plan the page says why (the diagnosis, the sources) and stops there."""
    st.title(title)
    ctx = plan_sidebar()
    if ctx is None:
        st.stop()
    plan = solved(ctx.request, ctx.prices)
    if plan is None:
        sources_caption(ctx.request, ctx.catalog)
        st.stop()
    return ctx, plan


def solved(request: PlanRequest, prices: str) -> Plan | None:
    """The optimal plan for a request, or None after showing why there is none."""
    try:
        plan = loaders.plan(request.key(), prices)
    except PLANNING_ERRORS as exc:
        st.error(input_error_text(exc))
        return None
    if not plan.is_optimal:
        diagnosis(plan)
        return None
    return plan
