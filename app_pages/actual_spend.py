"""Actual spend: spend over time with its spikes, budgets, the value board, plan against actual."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from app import actual_charts, actuals, render
from app import state as S
from app.format import count, md_escape, money, pct
from app.sidebar import plan_sidebar
from usage.alerts import budget_alerts
from usage.budgets import THRESHOLDS, projection_line, statuses
from usage.daily import filtered, over_time, totals
from usage.spikes import BAND, min_history, spikes_frame
from usage.value import SUCCESS_FLAT, TOKENS_RISE, value_board, value_table

ss = st.session_state
st.title("Actual spend")
ctx = plan_sidebar()
path = actuals.db_path()
actuals.prepared(path, ctx.prices if ctx else "")
version = actuals.store_version(path)
daily = actuals.daily(path, version)
if daily.empty:
    st.info("The usage store is empty. Import exports on the Data page or with "
            "`python -m usage import FILE`.")  # fmt: skip
    st.stop()
if actuals.only_example(path):
    st.warning(
        "Showing the shipped ILLUSTRATIVE usage history: generated to show this page, not "
        "anyone's measured spend (with illustrative outcomes and budgets). Import your own "
        "exports on the Data page."
    )

# -- filters -------------------------------------------------------------------------------
first, last = daily["day"].min().date(), daily["day"].max().date()
row = st.columns([1, 2, 2, 2])
by = row[0].selectbox("Split by", ["team", "provider", "model"], key=S.ACTUALS_BY)
teams = row[1].multiselect("Teams", sorted(daily["team"].cat.categories), key=S.ACTUALS_TEAMS)
providers = row[2].multiselect(
    "Providers", sorted(daily["provider"].cat.categories), key=S.ACTUALS_PROVIDERS
)
chosen = row[3].date_input(
    "Days", (max(first, last - timedelta(days=89)), last), min_value=first, max_value=last,
    key=S.ACTUALS_RANGE,
)  # fmt: skip
start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple) and chosen else (first, last)
shown = filtered(daily, teams, providers, start, end)

team_spikes = spikes_frame(actuals.spikes(path, version, "team"))
if not team_spikes.empty:
    in_view = team_spikes["day"].between(pd.Timestamp(start), pd.Timestamp(end))
    if teams:
        in_view &= team_spikes["team"].isin(teams)
    team_spikes = team_spikes[in_view]

tiles = st.columns(4)
tiles[0].metric("Spend in these days", money(shown["spend_usd"].sum()), border=True)
tiles[1].metric("Tokens", count(shown["tokens"].sum()), border=True)
tiles[2].metric(
    "Spend spikes",
    f"{len(team_spikes)}",
    border=True,
    help=f"Days a team spent more than its usual range: the median of the same weekday over "
    f"the last 4 weeks, corrected for trend, plus {BAND} robust standard deviations; a "
    f"series needs {min_history()} days of history.",
)
tiles[3].metric(
    "Above usual range",
    money(team_spikes["excess_usd"].sum()),
    border=True,
    help="Dollars the spikes in these days spent above their usual range.",
)

st.plotly_chart(
    actual_charts.spend_over_time(
        over_time(shown, by), team_spikes, f"Spend per day by {by}, spikes marked (by team)"
    ),
    key="actual_spend_chart",
)
if not team_spikes.empty:
    st.caption("Spikes, largest first: dollars above the usual range and what drove them.")
    render.frame(
        team_spikes[["day", "series", "spend_usd", "usual_low_usd", "usual_high_usd",
                     "excess_usd", "driver"]],
        day=st.column_config.DateColumn("Day"),
    )  # fmt: skip
with st.expander(f"Totals by {by} in these days"):
    render.frame(totals(shown, by), tokens="compact")


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
    labels = [f"{s.budget.label}, {s.budget.month}" for s in seen]
    pick = st.selectbox("Burn-down of", labels, key=S.ACTUALS_BUDGET)
    status = seen[labels.index(pick)] if pick in labels else seen[0]
    st.plotly_chart(
        actual_charts.burn_down(
            status.burn, projection_line(status), status.budget.budget_usd,
            f"Burn-down: {pick}: projected {money(status.projected_usd)} "
            f"(90 %: {money(status.projected_low_usd)} to {money(status.projected_high_usd)})",
        ),
        key="budget_chart",
    )  # fmt: skip
    table = pd.DataFrame(
        {
            "budget": labels,
            "budget_usd": [s.budget.budget_usd for s in seen],
            "spent_usd": [s.spent_usd for s in seen],
            "used": [s.used for s in seen],
            "projected_usd": [s.projected_usd for s in seen],
            "runs_out": [s.run_out for s in seen],
        }
    )
    render.frame(
        table, used=st.column_config.ProgressColumn("Used", format="percent", max_value=1.5)
    )
    found = budget_alerts(seen)
    for severity, show in (("critical", st.error), ("warning", st.warning)):
        lines = [md_escape(a.message) for a in found if a.severity == severity]
        if lines:
            show("  \n".join(lines))
    marks = ", ".join(pct(share) for share, _ in reversed(THRESHOLDS))
    st.caption(f"Alerts at {marks} of a budget and on a projected overrun.")
for error in budgets.errors if budgets else ():
    st.error(f"Budget row not used: {md_escape(error)}")


# -- value board --------------------------------------------------------------------------------
st.subheader("Value board")
name, data = actuals.file_in_use(ss, S.OUTCOMES_FILE, actuals.EXAMPLE_OUTCOMES)
outcomes, problem = actuals.checked(actuals.outcomes_of, name, data)
if problem:
    st.error(f"The outcomes file cannot be read: {md_escape(problem)}")
elif outcomes.rows:
    table = value_table(actuals.monthly(path, version), outcomes.rows)
    board = value_board(table, "team")
    st.caption(
        f"Teams ranked by value per 1,000 tokens, with the rank by cost per successful task "
        f"beside it; tokens are shown but never rank anyone. Tokenmaxxing: tokens per successful "
        f"task up {pct(TOKENS_RISE)} or more on the month before while successes grew "
        f"{pct(SUCCESS_FLAT)} or less. Cost figures are left empty where some spend is on "
        f"models the catalog cannot price (unpriced_tokens). Outcomes: {md_escape(name)}."
    )
    render.frame(
        board[["rank_value_per_token", "team", "tokenmaxxing", "period",
               "value_per_1k_tokens_usd", "rank_cost_per_success", "cost_per_success_usd",
               "tokens_per_success", "tokens", "tasks_succeeded", "spend_usd", "value_usd",
               "net_value_usd", "unpriced_tokens"]],
        {"value_per_1k_tokens_usd": "$%.3f", "cost_per_success_usd": "$%.4f",
         "tokens_per_success": "localized", "tokens": "compact", "unpriced_tokens": "compact"},
    )  # fmt: skip
for error in outcomes.errors if outcomes else ():
    st.error(f"Outcome row not used: {md_escape(error)}")


# -- plan against actual ------------------------------------------------------------------------
st.subheader("Plan against actual")
plan = render.solved(ctx.request, ctx.prices) if ctx else None
result = actuals.comparison(path, version, ctx.request.key(), ctx.prices) if plan else None
if result is not None and not result.by_class.empty:
    st.markdown(md_escape(result.headline()))
    st.plotly_chart(
        actual_charts.gap_waterfall(
            result.by_class, f"From {result.month}'s actual spend to the plan's monthly cost"
        ),
        key="gap_chart",
    )
    render.frame(result.by_class)
    with st.expander("By team, model mix, and spend the comparison leaves out"):
        render.frame(result.by_team)
        render.frame(result.mix)
        render.frame(result.outside)
elif plan is not None:
    st.info("No usage in the last full month maps to a task class of the plan.")
