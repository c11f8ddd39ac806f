"""Blocks several pages render the same way: sources, the diagnosis, the plan download."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import streamlit as st

from app import deferred, excel, loaders, sidebar, tables, vendor
from app import state as S
from app.format import md_escape, money, pct
from app.planning import (
    PLANNING_ERRORS,
    PlanRequest,
    ScenarioSpec,
    input_error_text,
    workload_of,
)
from app.sidebar import QUALITY_RANGE, PlanContext
from app.tiles import Tile
from foundation.csvfile import for_a_person
from planner.accuracy import BENCHMARK_CITATION
from planner.export import plan_to_csv
from planner.plan import Plan
from pricing.catalog import Catalog

PLAN_FILE = "portfolio-plan.csv"


def sources_caption(
    request: PlanRequest, catalog: Catalog, example_name: str = "example_enterprise.csv"
) -> None:
    """Where the accuracy figures, the workload and the prices come from, in one line; the
    illustrative price sheets are named only when the plan may use them."""
    if request.quality_text:
        own = md_escape(request.quality_source)
        accuracy = f"your own accuracy table ({own}), over {BENCHMARK_CITATION}"
    else:
        accuracy = BENCHMARK_CITATION
    workload = md_escape(request.workload_source)
    illustrative = request.workload_source == example_name
    note = " (an illustrative example, not measured figures)" if illustrative else ""
    on = date.fromisoformat(str(request.as_of))  # the request keeps plain values
    # Name the sheets of assumptions only when they are options: switched off, no plan uses them.
    assumed = catalog.illustrative_providers(on) if request.with_illustrative else []
    sheets = f"; illustrative price sheets (assumptions, not list prices): {', '.join(assumed)}"
    st.caption(
        f"Accuracy figures: {accuracy}. Workload: {workload}{note}. List prices as of "
        f"{request.as_of}{sheets if assumed else ''}."
    )


def diagnosis(plan: Plan, request: PlanRequest | None = None, prices: str = "") -> None:
    """Why there is no plan, finding by finding, each with its fix; a button that applies
    the smallest fix the sidebar can make; and what the budget would buy with the floors
    relaxed."""
    st.error(
        f"No plan meets every limit ({plan.status.value}). Here is why, and what would fix it."
    )
    findings = plan.diagnosis.findings if plan.diagnosis else []
    for finding in findings:
        st.markdown(f"- **{md_escape(finding.message)}** {md_escape(finding.fix)}")
    if not findings:
        st.markdown("- The solver gave no reason; relax the budget or the floors.")
    if not _settings_fix_button(request, prices):
        _fix_buttons(findings)
    if request is not None and request.budget_usd is not None:
        relaxed_view(request, prices)


def _settings_fix_button(request: PlanRequest | None, prices: str) -> bool:
    """The combined smallest fix (`planner.fix.fix_as_settings`: a whole-point lower
    quality bar and/or a budget) as one button; False when there is none the sidebar can
    apply (it needs a vendor cap or commitment changed, or a bar below the slider's range)."""
    change = _sidebar_change(request, prices)
    if change is None:
        return False
    shift, budget = change
    words = []
    if shift is not None:
        words.append(f"lower the quality bar to {shift:+d} pts")
    if budget is not None:
        words.append(f"set the budget to {money(budget)}")
    st.button(
        f"Apply the fix: {' and '.join(words)}",
        on_click=_set_settings,
        args=(shift, budget),
        type="primary",
        key=S.FIX_SETTINGS,
    )
    return True


def _sidebar_change(
    request: PlanRequest | None, prices: str
) -> tuple[int | None, int | None] | None:
    """(new quality bar, new budget) of the smallest fix, None for a setting it leaves;
    None when the sidebar cannot apply it."""
    if request is None:
        return None
    fix = loaders.settings_fix(request.key(), prices)
    if fix is None or fix["vendor_caps"] or fix["commitments_usd"]:
        return None
    lower = round(fix["floor_shift_pts"])  # whole points, <= 0
    shift = round(request.floor_shift_pts) + lower if lower else None
    budget = None if fix["budget_usd"] is None else math.ceil(fix["budget_usd"])
    if (shift is not None and shift < QUALITY_RANGE[0]) or (shift is None and budget is None):
        return None
    return shift, budget


def _set_settings(shift: int | None, budget: int | None) -> None:
    if shift is not None:
        st.session_state[S.QUALITY_SHIFT] = shift
    if budget is not None:
        _set_budget(budget)


def _fix_buttons(findings: list) -> None:
    ss = st.session_state
    for finding in findings:
        if finding.constraint == "budget" and finding.value is not None:
            target = math.ceil(finding.value - 1e-6)
            st.button(
                f"Apply the fix: set the budget to {money(target)}",
                on_click=_set_budget,
                args=(target,),
                type="primary",
                key=S.FIX_BUDGET,
            )
            return
    if ss.get(S.QUALITY_SHIFT):
        st.button(
            "Apply a fix: put the quality bar back at +0 pts",
            on_click=_set_quality,
            type="primary",
            key=S.FIX_QUALITY,
        )


def _set_budget(value: int) -> None:
    ss = st.session_state
    ss[S.BUDGET] = value
    ss[S.BUDGET_TYPED] = value


def _set_quality() -> None:
    st.session_state[S.QUALITY_SHIFT] = 0


def relaxed_view(request: PlanRequest, prices: str) -> None:
    """What the budget buys when no accuracy floor binds: the best net value within it; or,
    when even the cheapest models cost more than the budget, what the work costs at least
    and the share of it the budget covers."""
    budget = request.budget_usd
    relaxed = request.with_(floor_shift_pts=-100.0, objective="max-value")
    try:
        plan = loaders.plan(relaxed.key(), prices)
        if not plan.is_optimal:
            plan = loaders.plan(relaxed.with_(objective="min-cost", budget_usd=None).key(), prices)
    except PLANNING_ERRORS:
        return
    if not plan.is_optimal or plan.totals is None or budget is None:
        return
    totals = plan.totals
    st.subheader(f"What {money(budget)} a month buys with the floors relaxed")
    if totals.monthly_cost_usd <= budget + 0.5:
        st.caption(
            f"The best plan within the budget when no class must reach its accuracy floor: "
            f"it spends {money(totals.monthly_cost_usd)} for "
            f"{money(totals.monthly_net_value_usd)} net value a month at "
            f"{pct(totals.mean_accuracy)} mean accuracy. The classes short of their floor are "
            "the ones this budget cannot cover."
        )
    else:
        st.caption(
            f"Not all of this work: even on the cheapest models, with no floor at all, it "
            f"costs {money(totals.monthly_cost_usd)} a month, so {money(budget)} covers about "
            f"{pct(budget / totals.monthly_cost_usd)} of it. The cheapest plan is below."
        )
    st.dataframe(relaxed_table(plan, request), hide_index=True)


def relaxed_table(plan: Plan, request: PlanRequest) -> pd.DataFrame:
    """Per class: the main model the relaxed plan picks, its accuracy, the request's own
    floor (quality bar applied) and the points it falls short by."""
    floors = {t.name: t.min_accuracy for t in workload_of(request, loaders.catalog()[0]).classes}
    rows = []
    for task, (model, _) in tables.main_models(plan).items():
        mine = [a for a in plan.assignments if a.task_class == task]
        accuracy = sum(a.share * a.accuracy for a in mine)
        short = max(floors.get(task, 0.0) - accuracy, 0.0)
        rows.append(
            {
                "Task class": task,
                "Main model": model,
                "Accuracy": pct(accuracy),
                "Floor": pct(floors.get(task)),
                "Short of the floor": "–" if short < 5e-4 else f"{short * 100:.1f} pts",
                "Spend a month": money(sum(a.monthly_cost_usd for a in mine)),
            }
        )
    return pd.DataFrame(rows)


def plan_download(plan: Plan, key: str, case_key: str = "") -> None:
    """The plan CSV (with its TOTAL row), as the command line writes it, and the Excel
    workbook (plan, ROI tables, forecast, vendor comparison, business case: with the
    settings `case_key` names, else the defaults), built when clicked."""
    ctx = st.session_state.get(S.PLAN_CONTEXT)
    if ctx is not None:
        st.download_button(
            "Download workbook (Excel)",
            _workbook(plan, ctx, case_key),
            file_name=excel.FILE_NAME,
            mime=excel.MIME,
            key=f"{key}{S.WORKBOOK_SUFFIX}",
            on_click="ignore",
            help="One .xlsx: the settings, the plan, ROI by class, tier and provider, the "
            "24-month forecast, the vendor comparison and the business case, each on its "
            "own sheet.",
        )
    st.download_button(
        "Download plan (CSV)",
        for_a_person(plan_to_csv(plan)),
        file_name=PLAN_FILE,
        mime="text/csv",
        key=key,
        on_click="ignore",
        help="One row per task class and model, then a TOTAL row; the same file "
        "`python -m planner solve --out` writes.",
    )


def _workbook(plan: Plan, ctx: PlanContext, case_key: str = ""):
    """The workbook, built on the click (it solves the vendor scenarios and simulates the
    forecast), not on every slider move; see app.deferred."""
    saved = st.session_state.get(S.VENDOR_SCENARIOS) or vendor.default_scenarios()
    specs = [ScenarioSpec.from_dict(d) for d in saved]

    def build() -> bytes:
        return excel.plan_workbook(
            plan,
            ctx.request,
            ctx.catalog,
            excel.forecast_settings(ctx.budget, ctx.growth_override, ctx.price_decline),
            specs,
            ctx.growth_override,
            ctx.price_decline,
            case_key,
        )

    return deferred.on_click(build)


def totals_line(plan: Plan) -> None:
    """Monthly cost and net value, rounded as the tiles and the browser test round them."""
    if plan.totals is None:
        return
    st.caption(
        f"Plan totals: monthly cost {money(plan.totals.monthly_cost_usd)}, "
        f"net value {money(plan.totals.monthly_net_value_usd)}."
    )


def title_and_plan(title: str) -> tuple[PlanContext, Plan]:
    """A planning page's start: its title, the sidebar's context and the solved plan. When
    there is no workload or no plan the page says why (the diagnosis, the sources) and stops
    there."""
    st.title(title)
    ctx = sidebar.context()
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
        st.error(md_escape(input_error_text(exc)))
        return None
    # The classes left out, with their fix; keyed without the budget, which cannot matter.
    for message in loaders.unplannable(request.with_(budget_usd=None).key(), prices):
        st.warning(md_escape(message))
    if not plan.is_optimal:
        diagnosis(plan, request, prices)
        return None
    return plan


def heading(column: str) -> str:
    """A column name in words, its unit in brackets: usual_low_usd -> 'Usual low ($)'."""
    text, unit = column, ""
    for suffix, shown in (("_usd", " ($)"), ("_pct", " (%)")):
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], shown
    words = text.replace("_", " ").replace("per 1k", "per 1,000")
    return words[:1].upper() + words[1:] + unit


def frame(table: pd.DataFrame, formats: dict[str, str] | None = None, **config) -> None:
    """A table headed in words: dollar columns (`*_usd`) as money, other numbers with
    thousands separators, `formats` (printf or Streamlit presets) where a column needs its
    own; `config` passes column configs that replace these."""
    formats = formats or {}
    columns: dict = {}
    for column in table.columns:
        name = heading(str(column))
        if column in formats:
            columns[column] = st.column_config.NumberColumn(name, format=formats[column])
        elif str(column).endswith("_usd"):
            columns[column] = st.column_config.NumberColumn(name, format="dollar")
        elif pd.api.types.is_numeric_dtype(table[column]) and table[column].dtype != bool:
            columns[column] = st.column_config.NumberColumn(name, format="localized")
        else:
            columns[column] = name
    st.dataframe(table, hide_index=True, column_config=columns | config)


def tiles(shown: list[Tile], border: bool = True) -> None:
    """A row of tiles, one column each, and a tile's note as a caption under it."""
    for col, tile in zip(st.columns(len(shown)), shown, strict=True):
        col.metric(
            tile.label,
            tile.value,
            delta=tile.delta,
            delta_color=tile.delta_color,  # type: ignore[arg-type]
            delta_arrow=tile.delta_arrow,  # type: ignore[arg-type]
            border=border,
            help=tile.help,
        )
        if tile.note:
            col.caption(tile.note)
