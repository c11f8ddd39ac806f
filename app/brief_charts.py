"""The business case's two charts for the Overview: the monthly cash flows with their
cumulative discounted sum, and the tornado of the inputs that move NPV most. Pure: a case in,
a Plotly figure out; amounts written by `app.format`, texts through `chart_text`."""

from __future__ import annotations

import plotly.graph_objects as go

from app.format import chart_text, money
from planner.business_case_report import FullCase

NET = "#2F80ED"
CUMULATIVE = "#27AE60"
LOW, HIGH = "#EB5757", "#27AE60"
FONT = {"family": "sans-serif", "size": 13}
SIGNED_MONEY_AXIS = {"tickformat": "$,.3~s"}


def cash_flow_chart(case: FullCase) -> go.Figure:
    """Net cash flow a month (risk-adjusted) as bars, the cumulative discounted line over."""
    f = case.risk_adjusted.flows
    fig = go.Figure()
    fig.add_bar(
        x=f["month"],
        y=f["net_usd"],
        name="Net cash flow",
        marker_color=NET,
        customdata=[money(v) for v in f["net_usd"]],
        hovertemplate="Month %{x}: %{customdata}<extra>Net cash flow</extra>",
    )
    fig.add_scatter(
        x=f["month"],
        y=f["cumulative_discounted_usd"],
        name="Cumulative, discounted",
        line={"color": CUMULATIVE, "width": 3},
        customdata=[money(v) for v in f["cumulative_discounted_usd"]],
        hovertemplate="Month %{x}: %{customdata}<extra>Cumulative, discounted</extra>",
    )
    fig.update_layout(
        title=chart_text("Cash flows, risk-adjusted"),
        xaxis_title="Month",
        yaxis=SIGNED_MONEY_AXIS,
        font=FONT,
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 50, "b": 10},
    )
    return fig


def tornado_chart(case: FullCase) -> go.Figure:
    """Each input's NPV at the low and the high end of its range, around the case's NPV;
    the largest swing on top."""
    t = case.tornado.iloc[::-1]
    base = case.risk_adjusted.npv_usd
    labels = [chart_text(f"{row.input} ({row.range})") for row in t.itertuples()]
    fig = go.Figure()
    for column, name, color in (("npv_low_usd", "Low end", LOW), ("npv_high_usd", "High end",
                                                                     HIGH)):  # fmt: skip
        fig.add_bar(
            y=labels,
            x=t[column] - base,
            base=base,
            orientation="h",
            name=name,
            marker_color=color,
            customdata=[money(v) for v in t[column]],
            hovertemplate="%{y}: NPV %{customdata}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        title=chart_text("What moves NPV most"),
        barmode="overlay",
        xaxis=SIGNED_MONEY_AXIS,
        font=FONT,
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 50, "b": 10},
        height=max(300, 40 * len(t) + 120),
    )
    return fig
