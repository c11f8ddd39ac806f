"""Charts of actual spend as pure functions: DataFrames in, Plotly figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.charts import BUDGET, PALETTE, SPEND, _figure, color_for

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
    bars = [
        {
            "type": "bar",
            "name": name,
            "x": parts[name]["day"].dt.strftime("%Y-%m-%d").tolist(),
            "y": parts[name]["spend_usd"].round(2).tolist(),
            "marker": {"color": color_for(name, names), "line": {"width": 0}},
            "hovertemplate": f"{_escape(name)}<br>%{{x}}: $%{{y:,.2f}}<extra></extra>",
        }
        for name in names
    ]
    data = [*bars, *_spike_markers(long, spikes)]
    return _figure(
        data,
        title,
        height,
        barmode="stack",
        bargap=0.1,
        # Below the plot: a long list of teams above it would run into the title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "xanchor": "left", "x": 0},
        yaxis={"title": {"text": "USD a day"}, "tickprefix": "$", "tickformat": ",.0f"},
    )


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
            "text": [_escape(label) for label in spikes["label"]],
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
         "name": "90 % interval", "hovertemplate": "%{x|%Y-%m-%d}: low $%{y:,.0f}<extra></extra>"},
        {"type": "scatter", "x": projection["day"], "y": projection["p50_usd"], "mode": "lines",
         "line": {"color": PROJECTION, "dash": "dash"}, "name": "projected",
         "hovertemplate": "%{x|%Y-%m-%d}: $%{y:,.0f} projected<extra></extra>"},
        {"type": "scatter", "x": burn["day"], "y": burn["cumulative_usd"], "mode": "lines+markers",
         "line": {"color": SPEND}, "marker": {"size": 4}, "name": "spent",
         "hovertemplate": "%{x|%Y-%m-%d}: $%{y:,.0f} spent<extra></extra>"},
    ]  # fmt: skip
    days = pd.concat([burn["day"], projection["day"]])
    data.append(
        {"type": "scatter", "x": [days.min(), days.max()], "y": [budget_usd, budget_usd],
         "mode": "lines", "line": {"color": BUDGET}, "name": "budget",
         "hovertemplate": "budget $%{y:,.0f}<extra></extra>"}
    )  # fmt: skip
    return _figure(
        data,
        title,
        height,
        yaxis={"title": {"text": "USD this month"}, "tickprefix": "$", "tickformat": ",.0f",
               "rangemode": "tozero"},
    )  # fmt: skip


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
    labels = ["actual", *(label for _, label in GAP_STEPS), "plan"]
    waterfall = {
        "type": "waterfall",
        "x": labels,
        "measure": ["absolute", "relative", "relative", "relative", "relative", "total"],
        "y": [actual, *steps, 0],
        "text": [f"${actual:,.0f}", *(f"{s:+,.0f}" for s in steps), ""],
        "textposition": "outside",
        "connector": {"line": {"color": "#BDBDBD"}},
        "increasing": {"marker": {"color": SPIKE}},
        "decreasing": {"marker": {"color": PALETTE[2]}},
        "totals": {"marker": {"color": SPEND}},
        "hovertemplate": "%{x}: $%{y:,.0f}<extra></extra>",
    }
    return _figure(
        [waterfall],
        title,
        height,
        yaxis={"title": {"text": "USD a month"}, "tickprefix": "$", "tickformat": ",.0f"},
        showlegend=False,
    )


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in labels; names from files are shown as written."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
