"""Overview: the return against today's process first, then what the portfolio costs."""

import streamlit as st

from app import charts, explain_view, loaders, render, tables
from app.format import count, money, money_compact, money_fine, pct, signed_pct
from planner.forecast import ForecastSettings

ctx, plan = render.title_and_plan("AI portfolio overview")
request = ctx.request

report = loaders.plan_roi(request.key(), ctx.prices)
k = tables.kpis(plan, report)
st.text(report.headline)  # plain text: it names task classes from the workload
explain_view.return_tiles(report.vs_today)
with st.expander("How the net benefit against today adds up", expanded=False):
    explain_view.decomposition(report.vs_today)

forecast = loaders.plan_forecast(
    request.key(),
    ctx.prices,
    loaders.forecast_key(
        ForecastSettings(
            months=12,
            paths=1,
            annual_price_decline=ctx.price_decline,
            growth_override=ctx.growth_override,
            monthly_budget_usd=ctx.budget,
        )
    ),
)
outlook = forecast.deterministic
savings = k.savings_vs_most_accurate_usd
cols = st.columns(4)
cols[0].metric(
    "Monthly spend",
    money(k.monthly_cost_usd),
    border=True,
    help="Models, plus any work today's process keeps.",
)
cols[1].metric(
    "Net value a month",
    money_compact(k.monthly_net_value_usd),
    border=True,
    help=f"{money(k.monthly_net_value_usd)}: the gross value of the work (successes less "
    "failures and spend), much of which today's process may already deliver; not a return.",
)
cols[2].metric(
    "Value / 1k tokens",
    money_fine(k.value_per_1k_tokens_usd),
    border=True,
    help="Value of successful tasks per 1,000 tokens processed.",
)
same = report.plan_is_most_accurate and abs(savings) < 0.5
cols[3].metric(
    "Savings",
    money(savings),
    delta=f"{signed_pct(-savings / k.most_accurate_cost_usd)} spend"
    if k.most_accurate_cost_usd and abs(savings) >= 0.5
    else None,
    delta_color="inverse",
    border=True,
    help="This plan is the most-accurate baseline itself: every class on its most accurate model."
    if same
    else "Against running every class on its most accurate model "
    f"({money(k.most_accurate_cost_usd)} a month).",
)
month_12 = outlook["spend_usd"].iloc[-1]
cols = st.columns(5)
cols[0].metric(
    "Spend in month 12",
    money(month_12),
    delta=signed_pct(month_12 / k.monthly_cost_usd - 1) if k.monthly_cost_usd else None,
    delta_color="inverse",
    help="With the volume growth and price decline set in the sidebar.",
)
cols[1].metric("Spend, next 12 months", money_compact(outlook["spend_usd"].sum()))
cols[2].metric("Net value, 12 months", money_compact(outlook["net_value_usd"].sum()))
cols[3].metric("Mean accuracy", pct(k.mean_accuracy), help="Volume-weighted over all classes.")
cols[4].metric("Tokens a month", count(k.monthly_tokens))
warning = explain_view.budget_outlook(forecast.budget_exhaustion_month, ctx.budget)
if warning and forecast.budget_exhaustion_month is not None:
    st.warning(warning)
elif warning:
    st.caption(warning)
for sentence in explain_view.settings_implications(plan, request, ctx.prices):
    st.text(sentence)

left, right = st.columns(2)
left.plotly_chart(charts.spend_bars(report.by_tier, "tier", "Spend by tier"), key="tier_chart")
right.plotly_chart(
    charts.spend_bars(report.by_provider, "provider", "Spend by provider"), key="provider_chart"
)

render.plan_download(plan, key="overview_download")
render.totals_line(plan)
render.sources_caption(request, ctx.catalog)
