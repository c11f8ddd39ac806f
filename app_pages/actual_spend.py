"""Actual spend: spend over time with its spikes, budgets, the value board, plan against actual.

The store is read through app/actuals.py (cached); what the filters select, the tiles, the
budgets' table and the sentences come from app/actual_view.py; this page reads the widgets
and renders."""

import streamlit as st

from app import actual_charts, actuals, reconcile_view, render, sidebar
from app import actual_view as view
from app import state as S
from app.format import md_escape
from usage.alerts import budget_alerts
from usage.budgets import projection_line, statuses
from usage.daily import over_time, totals
from usage.spikes import spikes_frame

ss = st.session_state
st.title("Actual spend")
ctx = sidebar.context()
path = actuals.db_path()
actuals.prepared(path, ctx.prices if ctx else "")
version = actuals.store_version(path)
daily = actuals.daily(path, version)
if daily.empty:
    st.info(view.EMPTY_STORE)
    st.stop()
if actuals.only_example(path):
    st.warning(view.ILLUSTRATIVE)

# -- filters and spend over time -------------------------------------------------------------
first, last = view.store_days(daily)
row = st.columns([1, 2, 2, 2])
by = row[0].selectbox(
    "Split by", view.SPLITS, index=view.SPLITS.index(S.WIDGET_DEFAULTS[S.ACTUALS_BY]),
    key=S.ACTUALS_BY,
)  # fmt: skip
teams = row[1].multiselect("Teams", sorted(daily["team"].cat.categories), key=S.ACTUALS_TEAMS)
providers = row[2].multiselect(
    "Providers", sorted(daily["provider"].cat.categories), key=S.ACTUALS_PROVIDERS
)
chosen = row[3].date_input(
    "Days", view.default_days(first, last), min_value=first, max_value=last, key=S.ACTUALS_RANGE
)
team_spikes = spikes_frame(actuals.spikes(path, version, "team"))
shown = view.spend_view(daily, team_spikes, teams, providers, chosen)
render.tiles(shown.tiles())
st.plotly_chart(
    actual_charts.spend_over_time(over_time(shown.rows, by), shown.spikes, view.chart_title(by)),
    key=S.ACTUAL_SPEND_CHART,
)
if not shown.spikes.empty:
    st.caption(view.SPIKES_CAPTION)
    render.frame(shown.spike_table(), day=st.column_config.DateColumn("Day"))
with st.expander(view.totals_heading(by)):
    render.frame(totals(shown.rows, by), tokens="compact")

# -- budgets ---------------------------------------------------------------------------------
st.subheader("Budgets")
name, data = actuals.file_in_use(ss, S.BUDGETS_FILE, actuals.EXAMPLE_BUDGETS)
budgets, problem = actuals.checked(actuals.budgets_of, name, data)
if problem:
    st.error(f"The budgets file cannot be read: {md_escape(problem)}")
elif budgets.rows:
    as_of = st.date_input(
        "Seen as of", last, min_value=first, max_value=last, key=S.ACTUALS_AS_OF,
        help="Spend to this day; the rest of the month is projected from the last 14 days.",
    )  # fmt: skip
    seen = statuses(daily, budgets.rows, as_of)
    labels = view.budget_labels(seen)
    pick = st.selectbox("Burn-down of", labels, key=S.ACTUALS_BUDGET)
    status = view.picked(seen, labels, pick)
    st.plotly_chart(
        actual_charts.burn_down(
            status.burn, projection_line(status), status.budget.budget_usd,
            view.burn_down_title(pick, status),
        ),
        key=S.BUDGET_CHART,
    )  # fmt: skip
    render.frame(
        view.budget_table(seen, labels),
        used=st.column_config.ProgressColumn("Used", format="percent", max_value=1.5),
    )
    for severity, block in view.alert_blocks(budget_alerts(seen)):
        (st.error if severity == "critical" else st.warning)(block)
    st.caption(view.alerts_caption())
for error in budgets.errors if budgets else ():
    st.error(f"Budget row not used: {md_escape(error)}")

# -- value board -------------------------------------------------------------------------------
st.subheader("Value board")
name, data = actuals.file_in_use(ss, S.OUTCOMES_FILE, actuals.EXAMPLE_OUTCOMES)
outcomes, problem = actuals.checked(actuals.outcomes_of, name, data)
if problem:
    st.error(f"The outcomes file cannot be read: {md_escape(problem)}")
elif outcomes.rows:
    st.caption(view.board_caption(name))
    render.frame(view.board(actuals.monthly(path, version), outcomes.rows), view.BOARD_FORMATS)
for error in outcomes.errors if outcomes else ():
    st.error(f"Outcome row not used: {md_escape(error)}")

# -- plan against actual -----------------------------------------------------------------------
st.subheader("Plan against actual")
plan = render.solved(ctx.request, ctx.prices) if ctx else None
result = actuals.comparison(path, version, ctx.request.key(), ctx.prices) if plan else None
if result is not None and not result.by_class.empty:
    st.markdown(md_escape(result.headline()))
    st.plotly_chart(
        actual_charts.gap_waterfall(result.by_class, view.gap_title(result.month)),
        key=S.GAP_CHART,
    )
    render.frame(result.by_class)
    with st.expander("By team, model mix, and spend the comparison leaves out"):
        render.frame(result.by_team)
        render.frame(result.mix)
        render.frame(result.outside)
elif plan is not None:
    st.info(view.NOTHING_TO_COMPARE)

reconcile_view.section(path, version)  # each source of the usage, and what counts
