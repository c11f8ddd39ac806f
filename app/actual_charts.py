"""Charts of actual spend as pure functions: DataFrames in, Plotly figures out. Names from the
usage files go through `chart_text`, amounts through `app.format` (see `app.charts`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts import BUDGET, PALETTE, SPEND, _figure, color_for
from app.format import chart_text, money, signed_money

SPIKE = "#EB5757"
PROJECTION = "#9B51E0"


def spend_over_time(
    long: pd.DataFrame, spikes: pd.DataFrame, title: str, height: int = 420
) -> go.Figure:
    """Stacked daily spend per group, with each spike marked where the day's total stands.

    `long` has day, group, spend_usd; `spikes` has day, label (the alert sentence)."""
    # Plain lists, not Series: Plotly validates every value it is given, and lists of
    # numbers and ISO dates are the cheapest for it (a filter change redraws this chart).
    parts = {str(name): part for name, part in long.groupby("group", observed=True)}
    names = sorted(parts, key=lambda name: -parts[name]["spend_usd"].sum())
    bars = [_day_bars(name, parts[name], color_for(name, names)) for name in names]
    data = [*bars, *_spike_markers(long, spikes)]
    return _figure(
        data,
        title,
        height,
        barmode="stack",
        bargap=0.1,
        # Below the plot: a long list of teams above it would run into the title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "xanchor": "left", "x": 0},
        yaxis={"title": {"text": "USD a day"}, "tickformat": "$,.0f"},
    )


def _day_bars(name: str, part: pd.DataFrame, color: str) -> dict:
    """One group's daily spend; its name (from a usage file) rides in the hover text, so a
    name such as "%{y}" is shown as written rather than read as a template."""
    label = chart_text(name)
    spend = part["spend_usd"].round(2).tolist()
    return {
        "type": "bar",
        "name": label,
        "x": part["day"].dt.strftime("%Y-%m-%d").tolist(),
        "y": spend,
        "marker": {"color": color, "line": {"width": 0}},
        "customdata": [[label, money(v)] for v in spend],
        "hovertemplate": "%{customdata[0]}<br>%{x}: %{customdata[1]}<extra></extra>",
    }


def _spike_markers(long: pd.DataFrame, spikes: pd.DataFrame) -> list[dict]:
    if spikes.empty:
        return []
    total = long.groupby("day")["spend_usd"].sum()
    days = pd.to_datetime(spikes["day"])
    heights = [float(total.get(day, 0.0)) for day in days]
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "spike",
            "x": days,
            "y": heights,
            "marker": {"symbol": "triangle-down", "size": 13, "color": SPIKE,
                       "line": {"width": 1, "color": "white"}},
            "text": [chart_text(label) for label in spikes["label"]],
            "hovertemplate": "%{text}<extra></extra>",
        }
    ]  # fmt: skip


def burn_down(
    burn: pd.DataFrame, projection: pd.DataFrame, budget_usd: float, title: str, height: int = 340
) -> go.Figure:
    """Cumulative spend in the month, its projection to month end with the 90 % band, and
    the budget line."""
    data = [
        {"type": "scatter", "x": projection["day"], "y": projection["high_usd"], "mode": "lines",
         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"},
        {"type": "scatter", "x": projection["day"], "y": projection["low_usd"], "mode": "lines",
         "line": {"width": 0}, "fill": "tonexty", "fillcolor": "rgba(155, 81, 224, 0.15)",
         "name": "90 % interval", **_hover(projection["low_usd"], "low ", "")},
        {"type": "scatter", "x": projection["day"], "y": projection["p50_usd"], "mode": "lines",
         "line": {"color": PROJECTION, "dash": "dash"}, "name": "projected",
         **_hover(projection["p50_usd"], "", " projected")},
        {"type": "scatter", "x": burn["day"], "y": burn["cumulative_usd"], "mode": "lines+markers",
         "line": {"color": SPEND}, "marker": {"size": 4}, "name": "spent",
         **_hover(burn["cumulative_usd"], "", " spent")},
    ]  # fmt: skip
    days = pd.concat([burn["day"], projection["day"]])
    data.append(
        {"type": "scatter", "x": [days.min(), days.max()], "y": [budget_usd, budget_usd],
         "mode": "lines", "line": {"color": BUDGET}, "name": "budget",
         "hovertemplate": f"budget {money(budget_usd)}<extra></extra>"}
    )  # fmt: skip
    return _figure(
        data,
        title,
        height,
        yaxis={"title": {"text": "USD this month"}, "tickformat": "$,.0f",
               "rangemode": "tozero"},
    )  # fmt: skip


def _hover(values: pd.Series, before: str, after: str) -> dict:
    """A day's amount written out in the hover text: "2026-10-05: low $1,234"."""
    return {
        "customdata": [money(v) for v in values],
        "hovertemplate": f"%{{x|%Y-%m-%d}}: {before}%{{customdata}}{after}<extra></extra>",
    }


GAP_STEPS = [
    ("gap_price_usd", "price"),
    ("gap_model_mix_usd", "model mix"),
    ("gap_tokens_per_task_usd", "tokens per task"),
    ("gap_volume_usd", "volume"),
]


def gap_waterfall(by_class: pd.DataFrame, title: str, height: int = 340) -> go.Figure:
    """From last month's actual spend to the plan's monthly cost, step by step."""
    actual = float(by_class["actual_usd"].sum())
    steps = [-float(by_class[column].sum()) for column, _ in GAP_STEPS]
    plan = actual + sum(steps)  # where the waterfall's total bar ends
    labels = ["actual", *(label for _, label in GAP_STEPS), "plan"]
    waterfall = {
        "type": "waterfall",
        "x": labels,
        "measure": ["absolute", "relative", "relative", "relative", "relative", "total"],
        "y": [actual, *steps, 0],
        "text": [money(actual), *(signed_money(s) for s in steps), ""],
        "textposition": "outside",
        "customdata": [money(actual), *(signed_money(s) for s in steps), money(plan)],
        "connector": {"line": {"color": "#BDBDBD"}},
        "increasing": {"marker": {"color": SPIKE}},
        "decreasing": {"marker": {"color": PALETTE[2]}},
        "totals": {"marker": {"color": SPEND}},
        "hovertemplate": "%{x}: %{customdata}<extra></extra>",
    }
    return _figure(
        [waterfall],
        title,
        height,
        yaxis={"title": {"text": "USD a month"}, "tickformat": "$,.0f"},
        showlegend=False,
    )
