"""Vendor scenarios: price-sheet dates, discounts, price changes and caps, side by side."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from app import charts, explain_view, loaders, render, tables, vendor
from app import state as S
from app.format import md_escape, money, signed_money
from app.planning import MAX_SCENARIOS, MIN_SCENARIOS, ScenarioSpec, input_error_text
from app.sidebar import plan_sidebar
from foundation.csvfile import for_a_person, table_to_csv

st.title("Vendor scenarios")
st.caption(
    "For procurement: what each pricing scenario costs, what moves, and which vendor gains. "
    "The quality bar in the sidebar applies to every scenario."
)
BASES = {
    "cost": "Cost of meeting every accuracy floor",
    "value": "Net value within the sidebar's budget",
}
ctx = plan_sidebar()
if ctx is None:
    st.stop()
catalog, request = ctx.catalog, ctx.request
providers = catalog.providers()
ss = st.session_state
if not ss.get(S.VENDOR_SCENARIOS):
    ss[S.VENDOR_SCENARIOS] = vendor.default_scenarios()
specs = [ScenarioSpec.from_dict(d) for d in ss[S.VENDOR_SCENARIOS]]
dates = sorted({d for p in providers for d in catalog.change_dates(p)})


def _add_scenario() -> None:
    scenarios = ss[S.VENDOR_SCENARIOS]
    scenarios.append(ScenarioSpec(f"Scenario {len(scenarios) + 1}").to_dict())
    ss[S.VENDOR_REVISION] = ss.get(S.VENDOR_REVISION, 0) + 1


def _drop_scenario() -> None:
    ss[S.VENDOR_SCENARIOS] = ss[S.VENDOR_SCENARIOS][:-1]
    ss[S.VENDOR_REVISION] = ss.get(S.VENDOR_REVISION, 0) + 1


def _rename(number: int, widget: str) -> None:
    """Rename before the page runs, so the tab's label is new in this very run and the open
    tab follows its scenario (tabs are identified by their labels)."""
    scenarios = ss[S.VENDOR_SCENARIOS]
    new, old = str(ss[widget]).strip(), scenarios[number]["name"]
    if not new or new == old or new in {s["name"] for s in scenarios}:
        return  # an empty or duplicate name is refused below, where the box is shown
    scenarios[number] = {**scenarios[number], "name": new}
    if ss.get(S.VENDOR_TAB) in (md_escape(old), None):
        ss[S.VENDOR_TAB] = md_escape(new)  # tab labels are markdown: the name as typed


results = st.container()  # filled below, once the scenarios are read from their tables
st.subheader("The scenarios")
buttons = st.columns([1, 1, 4])
buttons[0].button("Add a scenario", on_click=_add_scenario, disabled=len(specs) >= MAX_SCENARIOS)
buttons[1].button("Remove the last", on_click=_drop_scenario, disabled=len(specs) <= MIN_SCENARIOS)

cap_basis = explain_view.cap_basis_selector()
if idle_caps := vendor.idle_caps_note(specs, cap_basis):
    st.caption(md_escape(idle_caps))
revision = ss.get(S.VENDOR_REVISION, 0)
labels = [md_escape(s.name) for s in specs]
if ss.get(S.VENDOR_TAB) not in labels:
    ss[S.VENDOR_TAB] = labels[0]
tabs = st.tabs(labels, key=S.VENDOR_TAB, default=ss[S.VENDOR_TAB], on_change="rerun")
edited: list[ScenarioSpec] = []
for number, (tab, spec) in enumerate(zip(tabs, specs, strict=True)):
    with tab:
        name_key = f"{S.VENDOR_NAME_PREFIX}{revision}_{number}"
        name = st.text_input(
            "Name", spec.name, key=name_key, on_change=_rename, args=(number, name_key)
        )
        if name.strip() != spec.name:
            st.warning("Each scenario needs a name of its own; the old name is kept.")
            name = spec.name
        rows = st.data_editor(
            vendor.scenario_rows(spec, providers, cap_basis),
            key=f"{S.VENDOR_TABLE_PREFIX}{revision}_{number}",
            hide_index=True,
            disabled=["provider"],
            placeholder="none",
            column_config={
                "provider": "Provider",
                "sheet_date": st.column_config.SelectboxColumn(
                    "Price sheet of",
                    options=vendor.sheet_date_options(dates),
                    required=True,
                    help="Which version of the provider's sheet applies (the one in force then).",
                ),
                "discount_pct": st.column_config.NumberColumn(
                    "Discount %", min_value=0.0, max_value=99.0, step=1.0, format="%.0f%%"
                ),
                "price_change_pct": st.column_config.NumberColumn(
                    "Price rise (+) or cut (−) %",
                    min_value=-99.0,
                    max_value=500.0,
                    step=1.0,
                    format="%+.0f%%",
                ),
                "cap": explain_view.cap_column(cap_basis),
                "commit_usd": st.column_config.NumberColumn(
                    "Committed spend $/month",
                    min_value=0.0,
                    step=100.0,
                    format="$%,.0f",
                    help="A minimum monthly spend with this provider (a contract commitment); "
                    "empty: none. The plan spends at least this much there.",
                ),
            },
        )
        try:
            spec = vendor.spec_from_rows(name, rows, keep=spec, cap_basis=cap_basis)
        except ValueError as exc:
            st.error(f"{md_escape(spec.name)}: {md_escape(exc)}  \nThe last valid terms are used.")
        edited.append(spec)
ss[S.VENDOR_SCENARIOS] = [s.to_dict() for s in edited]

names = [s.name for s in edited]
if len(set(names)) < len(names):  # plans are keyed by name: make the names unique
    edited = [replace(s, name=f"{s.name} ({i + 1})") for i, s in enumerate(edited)]
    names = [s.name for s in edited]
basis = st.radio(
    "Compare the scenarios by",
    list(BASES),
    format_func=BASES.get,
    horizontal=True,
    key=S.VENDOR_BASIS,
    help="Cost: the cheapest plan that meets every floor under each scenario, the same work "
    "at the same quality. Net value: the best plan within the budget, as on the other pages.",
)
by_cost = basis != "value"
costed = request.with_(objective="min-cost", budget_usd=None)
plans, cost_plans = {}, {}
for spec in edited:
    try:
        # One solve path: the cost plan (every floor met, no budget) is solved for every
        # scenario, and a scenario without a plan within the budget is explained by it.
        cost_plans[spec.name] = loaders.plan(costed.with_(scenario=spec).key(), ctx.prices)
        plans[spec.name] = (
            cost_plans[spec.name]
            if by_cost
            else loaders.plan(request.with_(scenario=spec).key(), ctx.prices)
        )
    except render.PLANNING_ERRORS as exc:
        st.error(f"{md_escape(spec.name)}: {md_escape(input_error_text(exc))}")


def _no_plan_reason(name: str) -> str:
    """Why a scenario has no plan, consistent with its cost plan."""
    cheapest = cost_plans[name]
    if cheapest.is_optimal and cheapest.totals is not None and request.budget_usd is not None:
        return (
            f"No plan within the {money(request.budget_usd)} budget: meeting every floor "
            f"under these terms costs {money(cheapest.totals.monthly_cost_usd)} a month."
        )
    diagnosis = cheapest.diagnosis or plans[name].diagnosis
    return diagnosis.summary if diagnosis else "No plan meets the limits."


with results:
    st.subheader("Side by side")
    if len(plans) < len(edited):
        st.stop()
    totals, shares, moves = tables.compare_scenarios(plans, edited)
    reasons = {n: _no_plan_reason(n) for n, p in plans.items() if not p.is_optimal}
    cols = st.columns(len(plans))
    for col, (name, plan) in zip(cols, plans.items(), strict=True):
        if plan.is_optimal and plan.totals is not None:
            field = "monthly_cost_usd" if by_cost else "monthly_net_value_usd"
            shown = getattr(plan.totals, field)
            delta = shown - totals.iloc[0].get(field, float("nan"))
            other = (
                f"Net value {money(plan.totals.monthly_net_value_usd)} a month."
                if by_cost
                else f"Monthly cost {money(plan.totals.monthly_cost_usd)}."
            )
            col.metric(
                md_escape(name),
                money(shown),
                delta="the baseline"
                if name == names[0] or pd.isna(delta)
                else f"{signed_money(delta)} a month",
                delta_color="off" if name == names[0] else ("inverse" if by_cost else "normal"),
                delta_arrow="off" if name == names[0] else "auto",
                border=True,
                help=other,
            )
        else:
            col.metric(md_escape(name), "No plan", border=True)
            col.caption(md_escape(reasons[name]))

    st.dataframe(vendor.comparison_view(totals, reasons), hide_index=True)
    if len(shares):
        st.plotly_chart(charts.vendor_share_chart(shares), key="vendor_share_chart")
    st.markdown("**Which classes move**: each class's main (largest-share) model per scenario")
    moving = moves[moves["moves"]] if "moves" in moves else moves
    if len(moving):
        st.dataframe(
            moving.drop(columns=["moves"], errors="ignore").rename(
                columns={"task_class": "Task class"}
            ),
            hide_index=True,
        )
    else:
        st.markdown("No class changes its main model between these scenarios.")

    columns, rows = tables.comparison_rows(totals, moves)
    st.download_button(
        "Download comparison (CSV)",
        for_a_person(table_to_csv(rows, columns)),
        file_name="vendor-scenarios.csv",
        mime="text/csv",
        on_click="ignore",
        help="One row per scenario: totals, each scenario's terms (discounts, price changes, "
        "caps), vendor shares and each class's main model.",
    )

st.subheader("What changed between two versions of a price sheet")
cols = st.columns([1, 1, 1])
provider = cols[0].selectbox(
    "Provider", providers, index=providers.index("openai") if "openai" in providers else 0
)
versions = catalog.change_dates(provider)
old = cols[1].selectbox("From the sheet of", versions, index=max(0, len(versions) - 2))
new = cols[2].selectbox("To the sheet of", versions, index=len(versions) - 1)
diff = catalog.diff(provider, old, new)
diff_rows = tables.diff_table(diff)
st.markdown(
    f"**{provider}**, sheet {diff.from_version} → {diff.to_version}: {len(diff.added)} added, "
    f"{len(diff.removed)} removed, {len(diff.changed)} price changes, "
    f"{len(diff.alias_moves)} aliases moved."
)
if len(diff_rows):
    st.dataframe(vendor.diff_view(diff_rows), hide_index=True)
explain_view.vendor_section(request, ctx.prices)
render.sources_caption(request, ctx.catalog)
