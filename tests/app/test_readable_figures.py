"""Small things a reader notices, each checked where it is made: money with its minus before
the dollar sign, a short payback in days, the frontier's "This plan" label inside the plot,
the Forecast legend clear of its title."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import catalog_view, charts, data_view, tables
from app import state as S
from app.planning import solve
from planner.accuracy import NO_PUBLIC_FIGURE
from planner.forecast import ForecastSettings, forecast
from planner.roi import return_vs_today
from planner.workload import WORKLOAD_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


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


# -- the Data page's tables -----------------------------------------------------------------


def test_measured_volumes_read_as_changes_not_raw_ratios():
    diff = pd.DataFrame(
        [
            ("Triage", "monthly_volume", 1_000.0, 62_779.7, 61.7797),
            ("Triage", "input_tokens", 1_000.0, 1_120.0, 0.12),
            ("Triage", "cached_input_share", 0.30, 0.35, 0.1667),
            ("Triage", "monthly_growth", 0.03, 0.03, 0.0),
        ],
        columns=["task_class", "field", "typed", "measured", "change"],
    )
    shown = data_view.measured_view(diff)
    assert list(shown.columns) == ["Task class", "Figure", "Typed", "Measured", "Change"]
    assert list(shown["Figure"]) == [
        "Tasks a month", "Input tokens a task", "Cached share of input", "Growth a month",
    ]  # fmt: skip
    assert list(shown["Change"]) == ["63x the typed", "+12%", "+5 pts", "no change"]
    assert list(shown["Typed"])[2:] == ["30%", "3%"]
    assert not shown.apply(lambda c: c.astype(str).str.contains("61.7797")).any().any()


def test_workload_headers_are_words_and_name_their_csv_column():
    for column in WORKLOAD_COLUMNS:
        label, help_text = data_view.workload_header(column, ["openai"])
        assert "_" not in label and label[0].isupper()
        assert help_text.endswith(f"CSV column: {column}.")


def snake_headers(at: AppTest) -> list[str]:
    """Headers shown as a column's own snake_case name (no label of their own)."""
    found = []
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns) if frame.proto.columns else {}
        for column in frame.value.columns:
            label = (config.get(str(column)) or {}).get("label") or str(column)
            if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", label):
                found.append(label)
    return found


def test_the_data_page_shows_no_snake_case_header():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    assert snake_headers(at) == []


@pytest.mark.parametrize("estimates", [True, False])
def test_the_accuracy_caption_counts_each_model_once_and_adds_up(catalog, estimates):
    table = catalog_view.coverage_table(catalog.model_ids(), estimates)
    assert table["model"].is_unique and len(table) == len(catalog.model_ids())
    covered = (table["measured"] + table["estimated"]) > 0
    assert not (covered & (table["note"] == NO_PUBLIC_FIGURE)).any()  # never both
    caption = catalog_view.coverage_caption(table, estimates)
    figures = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", caption)]
    total, parts = figures[0], figures[1:]
    assert total == len(table) and sum(parts) == total, caption
    assert parts[0] == int(covered.sum()) > 0
