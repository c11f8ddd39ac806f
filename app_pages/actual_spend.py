"""Actual spend: spend over time with its spikes, budgets, the value board, plan against actual.

The store is read through app/actuals.py (cached); what the filters select, the tiles, the
budgets' table and the sentences come from app/actual_view.py; this page reads the widgets
and renders."""

import streamlit as st

from app import actual_charts, actuals, reconcile_view, render, sidebar, usage_uploads, workspace
from app import actual_view as view
from app import state as S
from app.format import md_escape
from usage.alerts import budget_alerts, commitment_alerts
from usage.budgets import projection_line
from usage.commitments import projection_line as commitment_projection
from usage.commitments import statuses as commitment_statuses
from usage.daily import over_time, totals
from usage.focus_commitments import merged
from usage.spikes import spikes_frame

ss = st.session_state
st.title("Actual spend")
ctx = sidebar.context()
company = actuals.db_path()
company_has_data = actuals.has_data(company)
workspace.choose(ss, company_has_data)
st.radio("Showing", workspace.CHOICES, key=S.WORKSPACE, horizontal=True,
         on_change=workspace.remember, args=(ss,))  # fmt: skip
shown_ws = workspace.current(ss, company)
path = shown_ws.path
if shown_ws.illustrative:
    actuals.prepared(path, ctx.prices if ctx else "")
    st.warning(workspace.shown_note(shown_ws, company_has_data))
elif company_has_data:
    st.caption(workspace.shown_note(shown_ws, company_has_data))
busy = "" if shown_ws.illustrative else actuals.import_in_progress(path)
if busy:
    st.info(md_escape(busy))
version = actuals.store_version(path)
daily = actuals.daily(path, version)
if daily.empty:
    st.info(workspace.FIRST_STEP if not shown_ws.illustrative else view.EMPTY_STORE)
    st.stop()

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


def governance_file(kind: str, parse, missing: str):
    """The budgets or outcomes in force for the shown workspace, parsed, with (name, data);
    the version line, the note when there is none, or the reason it cannot be read."""
    in_use, kept_line = actuals.governance_in_use(shown_ws, kind)
    if kept_line:
        st.caption(kept_line)
    if in_use is None:
        st.info(missing)
        return None, None
    parsed, problem = actuals.checked(parse, *in_use)
    if problem:
        st.error(f"The {kind} file cannot be read: {md_escape(problem)}")
        return None, in_use
    return parsed, in_use


# -- budgets ---------------------------------------------------------------------------------
st.subheader("Budgets")
budgets, budgets_file = governance_file("budgets", actuals.budgets_of, workspace.NO_BUDGETS)
if budgets is not None and budgets.rows:
    as_of = st.date_input(
        "Seen as of", last, min_value=first, max_value=last, key=S.ACTUALS_AS_OF,
        help="Spend to this day; the rest of the month is projected from the last 14 days.",
    )  # fmt: skip
    seen = actuals.budget_statuses(path, version, *budgets_file, as_of)
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

# -- commitments -------------------------------------------------------------------------------
st.subheader("Commitments")
in_use, kept_line = actuals.governance_in_use(shown_ws, "commitments")
if kept_line:
    st.caption(kept_line)
if not shown_ws.illustrative:
    with st.expander("Type commitments (or upload a file on the Data page)"):
        typed = st.data_editor(
            workspace.commitment_rows(in_use), num_rows="dynamic", hide_index=True,
            key=S.COMMITMENTS_EDITOR,
        )  # fmt: skip
        if st.button("Use these commitments", key=S.COMMITMENTS_USE):
            kept, refused = workspace.typed_commitments(typed)
            if kept:
                saved = usage_uploads.keep_typed_commitments(ss, *kept)
                (st.error if saved.refused else st.success)(md_escape(saved.message))
                if not saved.refused:
                    st.rerun()
            for error in refused:
                st.error(md_escape(error))
found, problem = actuals.checked(actuals.commitments_of, *in_use) if in_use else (None, "")
if problem:
    st.error(f"The commitments file cannot be read: {md_escape(problem)}")
bought = actuals.bought(path, version)  # commitments bought in FOCUS exports
every = merged(found.rows if found else (), bought)
if not every.rows:
    st.info(workspace.NO_COMMITMENTS)
else:
    st.caption(view.commitment_sources(every))
    drawn = commitment_statuses(daily, every.rows, last, bought.drawn, bought.beside)
    labels = [s.commitment.label for s in drawn]
    pick = st.selectbox("Burn-down of", labels, key=S.ACTUALS_COMMITMENT)
    status = drawn[labels.index(pick)] if pick in labels else drawn[0]
    st.plotly_chart(
        actual_charts.burn_down(
            status.burn, commitment_projection(status), status.commitment.amount_usd,
            view.commitment_title(status),
        ),
        key=S.COMMITMENT_CHART,
    )  # fmt: skip
    render.frame(view.commitment_table(drawn))
    for alert in commitment_alerts(drawn):
        st.warning(md_escape(alert.message))
    st.caption(view.COMMITMENT_CAPTION)

# -- value board -------------------------------------------------------------------------------
st.subheader("Value board")
outcomes, in_use = governance_file("outcomes", actuals.outcomes_of, workspace.NO_OUTCOMES)
if outcomes is not None and outcomes.rows:
    st.caption(view.board_caption(in_use[0]))
    render.frame(actuals.value_board(path, version, *in_use), view.BOARD_FORMATS)
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
