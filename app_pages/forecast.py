"""Forecast: how spend and value grow month by month, with their uncertainty.

The settings, tiles and caption come from app/forecast_view.py; this page reads the controls
and renders."""

import streamlit as st

from app import charts, loaders, render, tables
from app import forecast_view as view
from app import state as S
from app.format import md_escape
from foundation.csvfile import for_a_person, frame_to_csv

ctx, plan = render.title_and_plan("Forecast: spend and value ahead")
start = S.WIDGET_DEFAULTS
controls = st.columns([1, 1, 1, 1])
months = controls[0].segmented_control(
    "Horizon (months)", list(view.HORIZONS), default=start[S.FORECAST_MONTHS],
    key=S.FORECAST_MONTHS, required=True,
)  # fmt: skip
growth_sd = controls[1].slider(
    "Growth ± (points a month)", 0.0, 3.0, start[S.FORECAST_GROWTH_SD], step=0.25,
    format="%.2f", key=S.FORECAST_GROWTH_SD,
    help="Standard deviation of each class's monthly growth rate.",
)  # fmt: skip
price_sd = controls[2].slider(
    "Price ± (points a year)", 0, 30, start[S.FORECAST_PRICE_SD], step=5, format="%d",
    key=S.FORECAST_PRICE_SD, help="Standard deviation of the yearly price change.",
)  # fmt: skip
ramp = controls[3].slider(
    "Adoption ramp (months)", 0, 12, start[S.FORECAST_RAMP], key=S.FORECAST_RAMP,
    help="0: the plan is live in full from the first month.",
)  # fmt: skip

settings = view.settings(
    months, growth_sd, price_sd, ramp,
    price_decline=ctx.price_decline, growth_override=ctx.growth_override, budget=ctx.budget,
)  # fmt: skip
result = loaders.plan_forecast(ctx.request.key(), ctx.prices, loaders.forecast_key(settings))
render.tiles(view.tiles(result, settings))

left, right = st.columns(2)
left.plotly_chart(
    charts.fan_chart(
        result.bands, "spend", "Monthly spend (P10 to P90)", charts.SPEND, budget=ctx.budget,
        marker_month=result.budget_exhaustion_month, marker_text=" annual budget runs out",
    ),
    key=S.SPEND_FAN,
)  # fmt: skip
right.plotly_chart(
    charts.fan_chart(result.bands, "value", "Monthly value created (P10 to P90)", charts.VALUE),
    key=S.VALUE_FAN,
)
st.caption(view.caption(settings))
retiring = view.retirement_caption(
    loaders.retirements(ctx.request.key(), ctx.prices, settings.months), settings.months
)
if retiring:
    st.caption(md_escape(retiring))
with st.expander("Month by month"):
    table = tables.forecast_table(result.deterministic, result.bands)
    st.dataframe(
        table,
        hide_index=True,
        placeholder="–",  # the chance of overrun is for year ends only
        column_config={
            column: label
            if view.table_format(column) is None
            else st.column_config.NumberColumn(label, format=view.table_format(column))
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
render.sources_caption(ctx.request, ctx.catalog)
