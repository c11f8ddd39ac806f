"""Portfolio: which model does which work, why, and what a price cut would change."""

import pandas as pd
import streamlit as st

from app import charts, loaders, render, tables
from app.format import money, money_fine, pct


def _show_break_even(view: pd.DataFrame) -> None:
    st.dataframe(
        view.assign(accuracy=view["accuracy"] * 100),
        hide_index=True,
        column_order=[
            "task_class",
            "model",
            "tier",
            "accuracy",
            "cost_per_task_usd",
            "break_even_cost_per_task_usd",
            "price_cut_pct",
        ],
        column_config={
            "task_class": "Task class",
            "model": "Model",
            "tier": "Tier",
            "accuracy": st.column_config.NumberColumn("Accuracy", format="%.1f%%"),
            "cost_per_task_usd": st.column_config.NumberColumn("Cost / task", format="$%.6f"),
            "break_even_cost_per_task_usd": st.column_config.NumberColumn(
                "Enters the plan at", format="$%.6f"
            ),
            "price_cut_pct": st.column_config.NumberColumn("Price cut needed", format="%.0f%%"),
        },
    )


ctx, plan = render.title_and_plan("Portfolio: who does which work")
request = ctx.request
totals = plan.totals
assert totals is not None

cols = st.columns(4)
cols[0].metric("Monthly spend", money(totals.monthly_cost_usd), border=True)
cols[1].metric("Net value a month", money(totals.monthly_net_value_usd), border=True)
cols[2].metric("Mean accuracy", pct(totals.mean_accuracy), border=True)
shadow = plan.budget_shadow_price
cols[3].metric(
    "Value of $1 more budget",
    money_fine(shadow or 0.0),
    border=True,
    help="The budget's shadow price: net value a month from one more dollar of monthly budget.",
)

assignments = tables.assignment_table(plan)
st.plotly_chart(charts.flow_sankey(assignments), key="flow_chart")

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
if shadow is not None and shadow > 1e-9:
    st.markdown(
        f"The monthly budget of **{money(budget)}** is fully used. Its shadow price is "
        f"**{money_fine(shadow)}**: one more dollar of monthly budget would add about "
        f"{money_fine(shadow)} of net value a month, so $1,000 more would add about "
        f"{money(shadow * 1000)} (until the plan changes shape)."
    )
elif budget is not None:
    st.markdown(
        f"The budget does not bind: this plan spends {money(totals.monthly_cost_usd)} of the "
        f"{money(budget)} budget, so one more dollar of budget would add nothing."
    )
others = [b.description for b in plan.binding if b.family != "budget"]
if others:
    st.markdown("What holds the plan where it is:")
    st.markdown("\n".join(f"- {text}" for text in others))
elif shadow is not None and shadow > 1e-9:
    st.markdown("No accuracy floor or vendor limit binds: the budget alone shapes the plan.")
else:
    st.markdown("No accuracy floor or vendor limit binds: each class gets its best-value model.")

st.subheader("What a vendor would have to cut to win the work")
view = tables.break_even_view(plan)
left, right = st.columns([2, 1])
chosen = left.selectbox("Task class", ["All classes", *assignments["task_class"].unique()])
reachable_only = right.toggle("Only models that can win on price", value=True)
if chosen != "All classes":
    view = view[view["task_class"] == chosen]
if reachable_only and "can_win_on_price" in view:
    view = view[view["can_win_on_price"]]
if view.empty:
    st.info(
        "No model outside the plan can win this work on price alone: at these values per "
        "task, accuracy decides. Lower the budget or the value of the work to see price levers."
        if reachable_only
        else "Every eligible model is already in the plan."
    )
else:
    _show_break_even(view)
st.caption(
    "A model enters the plan for a class once its cost per task falls below the break-even "
    "figure. Models that cannot win on price alone are held back by their accuracy."
)

frontier = loaders.frontier(request.with_(budget_usd=None).key(), ctx.prices)
if len(frontier):
    st.plotly_chart(
        charts.frontier_chart(frontier, totals.monthly_cost_usd, totals.monthly_net_value_usd),
        key="frontier_chart",
    )
render.plan_download(plan, key="portfolio_download")
render.totals_line(plan)
render.sources_caption(request, ctx.catalog)
