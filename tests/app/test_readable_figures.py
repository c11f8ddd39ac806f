"""Small things a reader notices, each checked where it is made: money with its minus before
the dollar sign, a short payback in days, the frontier's "This plan" label inside the plot,
the Forecast legend clear of its title."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

from app import charts, tables
from app.planning import solve
from planner.forecast import ForecastSettings, forecast
from planner.roi import return_vs_today


@pytest.fixture(scope="module")
def plan(request_, catalog):
    return solve(request_, catalog)


def test_the_return_table_writes_a_negative_amount_minus_first(plan):
    r = return_vs_today(plan)
    r = replace(r, ai_spend_usd=723_142.0)
    shown = tables.return_parts(r)
    assert list(shown.columns) == ["Against today's process", "USD a month"]
    spend = shown.set_index("Against today's process")["USD a month"]["Less AI spend"]
    assert spend == "-$723,142"
    assert not shown["USD a month"].str.contains(r"\$-").any()


def test_charts_that_may_go_negative_put_the_dollar_in_the_format():
    frontier = pd.DataFrame(
        {"status": ["optimal"] * 3, "monthly_cost_usd": [100.0, 200.0, 300.0],
         "monthly_net_value_usd": [-723_142.0, 10.0, 500.0]}
    )  # fmt: skip
    layout = charts.frontier_chart(frontier, 200.0, 10.0).to_plotly_json()["layout"]
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["tickformat"] == "$,.0f"  # d3 writes "-$723,142"
        assert "tickprefix" not in layout[axis]  # a prefix would give "$-723,142"


FRONTIER = pd.DataFrame(
    {"status": ["optimal"] * 4, "monthly_cost_usd": [800.0, 1500.0, 2500.0, 3400.0],
     "monthly_net_value_usd": [900_000.0, 940_000.0, 955_000.0, 958_000.0]}
)  # fmt: skip


@pytest.mark.parametrize(
    ("cost", "value", "xanchor", "yanchor"),
    [
        (800.0, 900_000.0, "left", "bottom"),  # the cheapest plan: the left and bottom edge
        (3400.0, 958_000.0, "right", "top"),  # the best plan: the right and top edge
        (800.0, 958_000.0, "left", "top"),
        (3400.0, 900_000.0, "right", "bottom"),
    ],
)
def test_this_plan_label_points_into_the_plot(cost, value, xanchor, yanchor):
    fig = json.loads(charts.frontier_chart(FRONTIER, cost, value).to_json())
    (label,) = fig["layout"]["annotations"]
    assert label["text"] == "This plan" and (label["x"], label["y"]) == (cost, value)
    assert (label["xanchor"], label["yanchor"]) == (xanchor, yanchor)
    # The text sits on the side that faces the middle: right (ax > 0) of a point on the
    # left, above (ay < 0, pixels down) a point low in the plot.
    assert (label["ax"] > 0) == (xanchor == "left")
    assert (label["ay"] < 0) == (yanchor == "bottom")
    marker = next(t for t in fig["data"] if t["name"] == "This plan")
    assert "text" not in marker["mode"]  # no marker text that clips at the plot's edge


def test_the_forecast_legend_sits_below_the_plot_not_over_the_title(plan, catalog):
    result = forecast(plan, catalog, ForecastSettings(months=12, paths=50, growth_sd=0.01))
    fig = json.loads(
        charts.fan_chart(
            result.bands, "spend", "Monthly spend", charts.SPEND, budget=2000.0
        ).to_json()
    )
    legend, title = fig["layout"]["legend"], fig["layout"]["title"]
    assert legend["orientation"] == "h" and legend["yanchor"] == "top" and legend["y"] < 0
    assert title["x"] == 0 and title["xanchor"] == "left"  # the title keeps the top
