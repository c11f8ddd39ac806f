"""Forecast: how spend and value grow month by month, with their uncertainty."""

import streamlit as st

from app import charts, loaders, render, tables
from app.format import money, money_compact, pct
from foundation.csvfile import for_a_person, frame_to_csv
from planner.forecast import ForecastSettings

ctx, plan = render.title_and_plan("Forecast: spend and value ahead")
request = ctx.request

controls = st.columns([1, 1, 1, 1])
months = controls[0].segmented_control(
    "Horizon (months)", [12, 24, 36], default=24, key="forecast_months", required=True
)
growth_sd = controls[1].slider(
    "Growth ± (points a month)",
    0.0,
    3.0,
    1.0,
    step=0.25,
    format="%.2f",
    key="forecast_growth_sd",
    help="Standard deviation of each class's monthly growth rate.",
)
price_sd = controls[2].slider(
    "Price ± (points a year)",
    0,
    30,
    10,
    step=5,
    format="%d",
    key="forecast_price_sd",
    help="Standard deviation of the yearly price change.",
)
ramp = controls[3].slider(
    "Adoption ramp (months)",
    0,
    12,
    0,
    key="forecast_ramp",
    help="0: the plan is live in full from the first month.",
)

settings = ForecastSettings(
    months=int(months or 24),
    annual_price_decline=ctx.price_decline,
    growth_override=ctx.growth_override,
    adoption_start=0.25 if ramp else 1.0,
    adoption_months=int(ramp),
    growth_sd=growth_sd / 100,
    price_sd=price_sd / 100,
    accuracy_sd=0.02,
    paths=4000,
    seed=0,
    monthly_budget_usd=ctx.budget,
)
result = loaders.plan_forecast(request.key(), ctx.prices, loaders.forecast_key(settings))
bands = result.bands
last = bands.iloc[-1]
runs_out = result.budget_exhaustion_month
cols = st.columns(4)
cols[0].metric(
    f"Spend, month {settings.months}",
    money_compact(last["spend_p50"]),
    border=True,
    help=f"Median (P50) {money(last['spend_p50'])}; P10 {money(last['spend_p10'])} to P90 "
    f"{money(last['spend_p90'])} a month.",
)
cols[1].metric(
    f"Net value, month {settings.months}",
    money_compact(last["net_value_p50"]),
    border=True,
    help=f"Median (P50) {money(last['net_value_p50'])}; P10 {money(last['net_value_p10'])} "
    f"to P90 {money(last['net_value_p90'])} a month.",
)
cols[2].metric(
    "Annual budget runs out",
    runs_out.strftime("%b %Y") if runs_out else "Not in horizon",
    border=True,
    help="Budget years run twelve months from this month. This is the first month in which "
    "median spend so far in its budget year passes the annual budget of 12 times the monthly "
    f"budget ({money(12 * (ctx.budget or 0))}).",
)
cols[3].metric(
    "Year-1 overrun risk",
    pct(result.prob_over_budget) if result.prob_over_budget is not None else "–",
    border=True,
    help="Share of simulated paths whose first 12 months cost more than the annual budget.",
)

left, right = st.columns(2)
left.plotly_chart(
    charts.fan_chart(
        bands,
        "spend",
        "Monthly spend (P10 to P90)",
        charts.SPEND,
        budget=ctx.budget,
        marker_month=runs_out,
        marker_text=" annual budget runs out",
    ),
    key="spend_fan",
)
right.plotly_chart(
    charts.fan_chart(bands, "value", "Monthly value created (P10 to P90)", charts.VALUE),
    key="value_fan",
)

growth = (
    "each class's own growth rate"
    if ctx.growth_override is None
    else f"{pct(ctx.growth_override)} a month for every class"
)
st.caption(
    f"Volumes grow at {growth}; model prices fall {pct(ctx.price_decline)} a year, and the "
    "price sheets already dated for the coming months apply from their dates. The bands come "
    f"from {settings.paths:,} simulated paths (seed {settings.seed}); the plan's shares are "
    "held fixed."
)
with st.expander("Month by month"):
    table = tables.forecast_table(result.deterministic, bands)
    formats = {"month": None, "prob_over_budget": "percent"}
    st.dataframe(
        table,
        hide_index=True,
        placeholder="–",  # the chance of overrun is for year ends only
        column_config={
            column: label
            if formats.get(column, "dollar") is None
            else st.column_config.NumberColumn(label, format=formats.get(column, "dollar"))
            for column, label in tables.FORECAST_LABELS.items()
        },
    )
    st.download_button(
        "Download forecast (CSV)",
        for_a_person(frame_to_csv(table)),
        file_name="portfolio-forecast.csv",
        mime="text/csv",
        on_click="ignore",
    )
render.sources_caption(request, ctx.catalog)
