"""Portfolio: which model does which work, why, and what a price cut would change."""

import streamlit as st

from app import charts, explain_view, loaders, render, tables
from app import state as S
from app.format import money, pct

ctx, plan = render.title_and_plan("Portfolio: who does which work")
request = ctx.request
totals = plan.totals
assert totals is not None

cols = st.columns(4)
cols[0].metric("Monthly spend", money(totals.monthly_cost_usd), border=True)
cols[1].metric("Net value a month", money(totals.monthly_net_value_usd), border=True)
cols[2].metric("Mean accuracy", pct(totals.mean_accuracy), border=True)
budget_step, _ = explain_view.marginals(request.key(), ctx.prices)
cols[3].metric(
    "Next $1,000 of budget adds",
    "–"
    if budget_step is None or budget_step.step_change is None
    else money(budget_step.step_change),
    border=True,
    help="Re-solved: the best plan with $1,000 more monthly budget, less this one.",
)

assignments = tables.assignment_table(plan)
st.plotly_chart(charts.flow_sankey(assignments), key=S.FLOW_CHART)

st.subheader("The assignment")
shown = assignments.assign(
    share=assignments["share"] * 100,
    accuracy=assignments["accuracy"] * 100,
    floor=assignments["floor"] * 100,
)
st.dataframe(
    shown,
    hide_index=True,
    height=35 * (len(shown) + 1) + 3,
    column_order=[
        "task_class",
        "model",
        "tier",
        "share",
        "accuracy",
        "floor",
        "cost_per_task_usd",
        "monthly_cost_usd",
        "monthly_net_value_usd",
        "monthly_tasks",
        "accuracy_source",
    ],
    column_config={
        "task_class": st.column_config.TextColumn("Task class", width=190),
        "model": st.column_config.TextColumn("Model", width=190),
        "tier": st.column_config.TextColumn("Tier", width=80),
        "share": st.column_config.NumberColumn("Share", format="%.0f%%", width=60),
        "accuracy": st.column_config.NumberColumn("Accuracy", format="%.1f%%", width=70),
        "floor": st.column_config.NumberColumn("Floor", format="%.0f%%", width=55),
        "cost_per_task_usd": st.column_config.NumberColumn("Cost / task", format="$%.5f", width=85),
        "monthly_cost_usd": st.column_config.NumberColumn(
            "Spend / month", format="$%,.0f", width=95
        ),
        "monthly_net_value_usd": st.column_config.NumberColumn(
            "Net value / month", format="dollar", width=115
        ),
        "monthly_tasks": st.column_config.NumberColumn("Tasks / month", format="%,.0f"),
        "accuracy_source": st.column_config.TextColumn("Accuracy source", width="large"),
    },
)

st.subheader("Why this plan")
budget = request.budget_usd
if budget is not None and totals.monthly_cost_usd < budget - 0.5:
    st.text(f"The plan spends {money(totals.monthly_cost_usd)} of the {money(budget)} budget.")
explain_view.why_this_plan(plan, request, ctx.prices)
others = [b.description for b in plan.binding if b.family != "budget"]
if others and not plan.problem.settings.single_model:
    st.text("What holds the plan where it is:\n" + "\n".join(f"- {t}" for t in others))

st.subheader("Self-hosted capacity")
explain_view.replicas_section(plan)

st.subheader("What a price cut would change")
explain_view.break_even_section(request, ctx.prices, "model")

frontier = loaders.frontier(request.with_(budget_usd=None).key(), ctx.prices)
if len(frontier):
    st.plotly_chart(
        charts.frontier_chart(frontier, totals.monthly_cost_usd, totals.monthly_net_value_usd),
        key=S.FRONTIER_CHART,
    )
render.plan_download(plan, key=S.PORTFOLIO_DOWNLOAD)
render.totals_line(plan)
render.sources_caption(request, ctx.catalog)
