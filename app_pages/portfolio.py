"""Portfolio: which model does which work, why, and what a price cut would change.

The tiles and sentences come from app/portfolio_view.py; this page renders."""

import streamlit as st

from app import (
    cascade_form,
    cascade_view,
    charts,
    evidence_view,
    explain_view,
    inputs,
    loaders,
    render,
    tables,
)
from app import portfolio_view as view
from app import state as S
from app.format import md_escape
from foundation.errors import InputError
from planner.evals.store import kept_stamp
from planner.next_eval import LIMIT_WORDS

ctx, plan = render.title_and_plan("Portfolio: who does which work")
request = ctx.request
totals = plan.totals
assert totals is not None

budget_step, _ = explain_view.marginals(request.key(), ctx.prices)
render.tiles(view.tiles(totals, budget_step))
if request.confidence != "off":
    point = loaders.plan(request.with_(confidence="off").key(), ctx.prices).totals
    st.info(evidence_view.confidence_line(
        request.confidence, totals.monthly_cost_usd, point.monthly_cost_usd if point else None
    ))  # fmt: skip

assignments = tables.assignment_table(plan)
st.plotly_chart(charts.flow_sankey(assignments), key=S.FLOW_CHART)

st.subheader("The assignment")
shown = view.in_percents(assignments)
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
if unspent := view.budget_line(totals, request.budget_usd):
    st.text(unspent)
explain_view.why_this_plan(plan, request, ctx.prices)
if holding := view.holding_text(plan):
    st.text(holding)

st.subheader("Self-hosted capacity")
explain_view.replicas_section(plan)

st.subheader("What a price cut would change")
explain_view.break_even_section(request, ctx.prices, "model")

st.subheader("What to evaluate next")
if st.toggle("Find the break-even accuracy of models worth evaluating (re-solves, 1-2 s)",
             key=S.NEXT_EVAL_SHOWN):  # fmt: skip
    for line in evidence_view.next_lines(loaders.next_evals(request.key(), ctx.prices)):
        st.text(line)
    st.caption(LIMIT_WORDS + " The full table is on the Data page (Accuracy).")


def _keep_cascade_file() -> None:
    """Kept across page switches (the uploader forgets its file); clearing it removes it."""
    upload = st.session_state.get(S.CASCADE_UPLOADER)
    st.session_state[S.CASCADE_FILE] = None if upload is None else (upload.name, upload.getvalue())


st.subheader("Cascades and routers")
st.file_uploader(
    "A cascade file (JSON): cascades and routers as options for your classes",
    type=["json"], key=S.CASCADE_UPLOADER, max_upload_size=inputs.MAX_UPLOAD_MB,
    on_change=_keep_cascade_file,
)  # fmt: skip
cascade_form.form(sorted(set(assignments["task_class"])), loaders.catalog()[0].model_ids())
if cascade_file := st.session_state.get(S.CASCADE_FILE):
    try:
        options = loaders.cascade_plan(request.key(), ctx.prices, *cascade_file, kept_stamp())
    except InputError as exc:
        st.error(md_escape(exc))
    else:
        for note in options.left_out:
            st.warning(md_escape(note))
        if not options.plan.is_optimal:
            st.warning("No plan exists with these options; see Why this plan above.")
        else:
            st.dataframe(cascade_view.options_table(options.verdicts), hide_index=True,
                         key=S.CASCADE_TABLE,
                         column_config=cascade_view.OPTION_COLUMNS)  # fmt: skip
            for verdict in options.verdicts:
                st.text(verdict.sentence)
            st.caption("The plan with them, for their classes (each option named by its steps):")
            st.dataframe(view.in_percents(cascade_view.option_rows(options)), hide_index=True)
try:
    for line in loaders.cascade_suggestions(request.key(), ctx.prices, kept_stamp()):
        st.text("Worth declaring: " + line)
except InputError as exc:  # a kept samples file edited by hand
    st.warning(md_escape(exc))
st.caption(
    "Rated on the per-sample results kept from eval imports on the Data page. Format and "
    "formulas: docs/optimization.md, Cascades and routers; example: data/cascades/example.json."
)

frontier = loaders.frontier(request.with_(budget_usd=None).key(), ctx.prices)
if len(frontier):
    st.plotly_chart(
        charts.frontier_chart(frontier, totals.monthly_cost_usd, totals.monthly_net_value_usd),
        key=S.FRONTIER_CHART,
    )
render.plan_download(plan, key=S.PORTFOLIO_DOWNLOAD)
render.totals_line(plan)
render.sources_caption(request, ctx.catalog)
