"""Charts as pure functions: a DataFrame in, a Plotly figure out (no Streamlit here).

Every text a chart shows that came from an input (task classes, models, providers, scenario
names, titles) goes through `chart_text`, and every amount through `app.format`: hover texts
carry the written figure in `customdata` rather than a Plotly number format, so a negative
reads "-$1,234" and cents show by the one rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from app.format import chart_text, money, money_fine, pct

TIER_COLORS = {
    "frontier": "#4C3F91",
    "mid": "#2F80ED",
    "economy": "#27AE60",
    "self-hosted": "#F2994A",
    "status-quo": "#9E9E9E",
}
PROVIDER_COLORS = {
    "openai": "#10A37F",
    "google": "#2F80ED",
    "anthropic": "#9B51E0",
    "self-hosted": "#F2994A",
    "fireworks": "#EB5757",
    "deepseek": "#00A3A3",
    "mistral": "#E2B93B",
    "groq": "#BB6BD9",
    "x-ai": "#4F4F4F",
    "zai": "#56CCF2",
    "today's process": "#9E9E9E",
}
PALETTE = (
    "#2F80ED",
    "#F2994A",
    "#27AE60",
    "#9B51E0",
    "#EB5757",
    "#00A3A3",
    "#BB6BD9",
    "#6FCF97",
    "#F2C94C",
    "#56CCF2",
    "#828282",
    "#219653",
)
SPEND = "#2F80ED"
VALUE = "#27AE60"
BUDGET = "#EB5757"
FONT = {"family": "sans-serif", "size": 13}
# Money on an axis: $650B, $1.2M, $45k (Plotly's "B" exponent format; d3's "~s" writes
# billions as G, which reads as nothing to a finance reader).
# Amounts that are never negative and may grow large: "$650B" (Plotly's B, not d3's G).
MONEY_AXIS = {"tickprefix": "$", "exponentformat": "B", "separatethousands": True}
# Amounts that may be negative (net value): "$" inside the d3 format, as a tickprefix goes
# before the sign ("$-723,142"); d3 writes "-$723,142".
SIGNED_MONEY_AXIS = {"tickformat": "$,.0f"}


# Below the plot, left-aligned: a legend of four entries (with "Monthly budget $1,234") is
# wider than the room right of the title and was drawn over it.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0}


def _figure(data: list, title: str, height: int, **layout) -> go.Figure:
    """One figure built in one go: Plotly's `update_*` calls cost ~5 ms each, a slider
    move re-draws every chart, and the whole rerun has 300 ms."""
    base = {
        "title": {"text": chart_text(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 48, "b": 10},
        "font": FONT,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"namelength": -1},
    }
    return go.Figure(data=data, layout={**base, **layout})


def color_for(name: str, names: Sequence[str]) -> str:
    """A tier's or a provider's own color, else a palette color by its place in `names`."""
    if name in TIER_COLORS:
        return TIER_COLORS[name]
    if name in PROVIDER_COLORS:
        return PROVIDER_COLORS[name]
    if name not in names:
        return PALETTE[0]
    # The catalog has dozens of providers: give the others the palette colors that no named
    # provider or tier in this chart already has, so two bars never share one.
    own = {**TIER_COLORS, **PROVIDER_COLORS}
    taken = {own[n] for n in names if n in own}
    free = [c for c in PALETTE if c not in taken] or list(PALETTE)
    others = [n for n in names if n not in own]
    return free[others.index(name) % len(free)]


def spend_bars(table: pd.DataFrame, by: str, title: str, height: int = 260) -> go.Figure:
    """Horizontal bars of monthly spend per group (tier or provider), largest on top."""
    data = table.sort_values("monthly_spend_usd")
    names, groups = list(table[by]), data[by].tolist()
    spend = data["monthly_spend_usd"].tolist()
    total = sum(spend) or 1.0
    bar = {
        "type": "bar",
        "x": spend,
        "y": [chart_text(g) for g in groups],
        "orientation": "h",
        "marker": {"color": [color_for(n, names) for n in groups]},
        "text": [f"{money(v)} ({pct(v / total)})" for v in spend],
        "textposition": "auto",
        "customdata": [money(v) for v in spend],
        "hovertemplate": "%{y}: %{customdata} a month<extra></extra>",
    }
    return _figure(
        [bar],
        title,
        height,
        xaxis={"title": {"text": "USD a month"}, "tickformat": "$,.0f",
               "rangemode": "tozero"},
        yaxis={"automargin": True},
    )  # fmt: skip


def flow_sankey(assignments: pd.DataFrame, height: int = 520) -> go.Figure:
    """Task classes (left) to models (right), band width = monthly spend."""
    classes = list(dict.fromkeys(assignments["task_class"]))
    models = list(dict.fromkeys(assignments.sort_values("tier")["model"]))
    tiers = dict(zip(assignments["model"], assignments["tier"], strict=False))
    index = {name: i for i, name in enumerate(classes)}
    index.update({name: len(classes) + i for i, name in enumerate(models)})
    colors = ["#BDBDBD"] * len(classes) + [TIER_COLORS.get(tiers[m], PALETTE[0]) for m in models]
    links = assignments[assignments["monthly_cost_usd"] > 0]
    # A node's size is the larger of what flows in and out: a class's spend, a model's spend.
    out_of = links.groupby("task_class")["monthly_cost_usd"].sum()
    into = links.groupby("model")["monthly_cost_usd"].sum()
    node_spend = [out_of.get(c, 0.0) for c in classes] + [into.get(m, 0.0) for m in models]
    sankey = {
        "type": "sankey",
        "arrangement": "snap",
        "textfont": {"size": 13, "color": "#262730", "shadow": "none"},
        "node": {
            "label": [chart_text(name) for name in classes + models],
            "color": colors,
            "pad": 12,
            "thickness": 14,
            "line": {"width": 0},
            "customdata": [f"{money(v)} a month" for v in node_spend],
            "hovertemplate": "%{label}: %{customdata}<extra></extra>",
        },
        "link": {
            "source": [index[c] for c in links["task_class"]],
            "target": [index[m] for m in links["model"]],
            "value": links["monthly_cost_usd"].tolist(),
            "color": [_fade(TIER_COLORS.get(t, PALETTE[0])) for t in links["tier"]],
            "customdata": [
                f"{money(v)} a month, {pct(s)} of the class"
                for v, s in zip(links["monthly_cost_usd"], links["share"], strict=True)
            ],
            "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>",
        },
    }
    return _figure([sankey], "Which work goes to which model (band width = monthly spend)", height)


def frontier_chart(
    frontier: pd.DataFrame, cost: float | None, net_value: float | None, height: int = 360
) -> go.Figure:
    """Net value against monthly spend along the budget frontier, today's plan marked."""
    ok = frontier[frontier["status"] == "optimal"].dropna(subset=["monthly_cost_usd"])
    traces = [
        {
            "type": "scatter",
            "x": ok["monthly_cost_usd"].tolist(),
            "y": ok["monthly_net_value_usd"].tolist(),
            "mode": "lines+markers",
            "name": "Best plan at each budget",
            "line": {"color": SPEND, "width": 2},
            "marker": {"size": 5},
            "customdata": _spend_and_value(ok["monthly_cost_usd"], ok["monthly_net_value_usd"]),
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    ]
    notes = []
    if cost is not None and net_value is not None:
        traces.append(
            {
                "type": "scatter",
                "x": [cost],
                "y": [net_value],
                "mode": "markers",
                "name": "This plan",
                "marker": {"color": BUDGET, "size": 14, "symbol": "diamond"},
                "customdata": _spend_and_value([cost], [net_value]),
                "hovertemplate": "This plan<br>%{customdata}<extra></extra>",
            }
        )
        notes.append(this_plan_label(ok, cost, net_value))
    return _figure(
        traces,
        "Cost versus value: the best plan at each budget",
        height,
        annotations=notes,
        xaxis={"title": {"text": "Monthly spend"}, "tickformat": "$,.0f"},
        yaxis={"title": {"text": "Monthly net value"}, **SIGNED_MONEY_AXIS},
    )


def this_plan_label(frontier: pd.DataFrame, cost: float, net_value: float) -> dict:
    """The "This plan" label, on the side of the point that faces the middle of the plot, so
    it is never cut off at an edge (the cheapest plan sits on the left edge, the best at the
    top): text right of the point in the left half, left of it in the right half; above it
    in the lower half, below it in the upper half. The arrow's offsets are pixels."""
    xs = [*frontier["monthly_cost_usd"], cost]
    ys = [*frontier["monthly_net_value_usd"], net_value]
    left = cost <= (min(xs) + max(xs)) / 2
    low = net_value <= (min(ys) + max(ys)) / 2
    return {
        "x": cost,
        "y": net_value,
        "text": "This plan",
        "showarrow": True,
        "arrowcolor": BUDGET,
        "ax": 30 if left else -30,
        "ay": -30 if low else 30,
        "xanchor": "left" if left else "right",
        "yanchor": "bottom" if low else "top",
        "font": {"color": BUDGET},
    }


def fan_chart(
    bands: pd.DataFrame,
    series: str,
    title: str,
    color: str,
    budget: float | None = None,
    marker_month: date | None = None,
    marker_text: str = "",
    height: int = 380,
) -> go.Figure:
    """P10-P90 band and P50 line of `series` ("spend", "value" or "net_value") by month."""
    months = list(bands["month"])

    def line(p: int, hover: str, **style) -> dict:
        values = bands[f"{series}_p{p}"].tolist()
        return {"type": "scatter", "x": months, "y": values, "mode": "lines",
                "customdata": [money(v) for v in values],
                "hovertemplate": hover + " %{customdata}<extra></extra>", **style}  # fmt: skip

    traces = [
        line(90, "P90", line={"width": 0}, name="P90", showlegend=False),
        line(10, "P10", line={"width": 0}, fill="tonexty", fillcolor=_fade(color, 0.22),
             name="P10 to P90"),
        line(50, "%{x|%b %Y}: P50", line={"color": color, "width": 3}, name="P50 (median)"),
    ]  # fmt: skip
    shapes, notes = [], []
    if budget is not None:
        # A legend entry, not a label on the chart: a label sits on the spend line whenever
        # spend runs near the budget, which is where the budget starts.
        traces.append(
            {"type": "scatter", "x": [months[0], months[-1]], "y": [budget, budget],
             "mode": "lines", "line": {"color": BUDGET, "dash": "dash", "width": 2},
             "name": f"Monthly budget {money(budget)}", "hoverinfo": "skip"}
        )  # fmt: skip
    if marker_month is not None:
        shapes.append(
            {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": marker_month,
             "x1": marker_month, "line": {"color": BUDGET, "dash": "dot", "width": 2}}
        )  # fmt: skip
        notes.append(
            {"x": marker_month, "y": 1, "yref": "paper", "text": chart_text(marker_text),
             "showarrow": False, "xanchor": "left", "yanchor": "top", "font": {"color": BUDGET}}
        )  # fmt: skip
    return _figure(
        traces,
        title,
        height,
        shapes=shapes,
        annotations=notes,
        legend=LEGEND_BELOW,
        xaxis={"dtick": "M3" if len(months) <= 12 else "M6", "tickformat": "%b %Y"},
        yaxis={"title": {"text": "USD a month"}, **MONEY_AXIS, "rangemode": "tozero"},
    )  # fmt: skip


def price_history_chart(history: pd.DataFrame, until: date, height: int = 380) -> go.Figure:
    """Step lines of list prices per model and field, each held until the next version."""
    traces = []
    keys = list(dict.fromkeys(history["model"]))
    for model in keys:
        rows = history[history["model"] == model].sort_values("effective_from")
        for field, dash in (("input_per_mtok", "solid"), ("output_per_mtok", "dash")):
            traces.append(
                {
                    "type": "scatter",
                    "x": [*rows["effective_from"], max(until, rows["effective_from"].max())],
                    "y": [*rows[field], rows[field].iloc[-1]],
                    "mode": "lines+markers",
                    "line": {"shape": "hv", "color": color_for(model, keys), "dash": dash},
                    "name": chart_text(f"{model} ({field.split('_')[0]})"),
                    "marker": {"size": 6},
                    "customdata": [money_fine(v) for v in [*rows[field], rows[field].iloc[-1]]],
                    "hovertemplate": "%{x|%d %b %Y}: %{customdata} per million tokens"
                    "<extra></extra>",
                }
            )
    return _figure(
        traces,
        "List price history (solid: input, dashed: output)",
        height,
        legend={"orientation": "v", "y": 1, "x": 1.02, "xanchor": "left"},
        yaxis={"title": {"text": "USD per million tokens"}, "tickprefix": "$",
               "rangemode": "tozero"},
    )  # fmt: skip


def vendor_share_chart(
    shares: pd.DataFrame,
    height: int = 320,
    axis: str = "Share of model spend",
    title: str = "Vendor shares of model spend",
) -> go.Figure:
    """Each scenario's split by provider (columns: scenario, provider, share), in the unit the
    caps use (app.vendor_compare.provider_shares): fractions of one, or USD a month when
    `axis` names USD."""
    usd = "USD" in axis
    providers = sorted(shares["provider"].unique())
    total = shares.groupby("scenario")["share"].sum()
    traces = []
    for provider in providers:
        rows = shares[shares["provider"] == provider]
        big = [
            s >= 0.06 * (total[n] if usd else 1)
            for n, s in zip(rows["scenario"], rows["share"], strict=True)
        ]
        shown = [money(s) if usd else pct(s) for s in rows["share"]]
        traces.append(
            {
                "type": "bar",
                "y": [chart_text(s) for s in rows["scenario"]],
                "x": rows["share"].tolist(),
                "name": chart_text(provider),
                "orientation": "h",
                "marker": {"color": color_for(provider, providers)},
                "text": [t if b else "" for t, b in zip(shown, big, strict=True)],
                "textposition": "inside",
                "customdata": [
                    f"{chart_text(provider)}: {t} ({chart_text(axis.lower())})" for t in shown
                ],
                "hovertemplate": "%{customdata}<extra></extra>",
            }
        )
    order = [chart_text(s) for s in dict.fromkeys(shares["scenario"])]
    xaxis = {"title": {"text": chart_text(axis)}}
    xaxis.update({"tickformat": "$,.0f"} if usd else
                 {"tickformat": ".0%", "range": [0, 1]})  # fmt: skip
    return _figure(
        traces,
        title,
        height,
        barmode="stack",
        xaxis=xaxis,
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": order[::-1]},
    )


def _spend_and_value(spend, net_value) -> list[str]:
    """Hover text of a point on the frontier: its spend and net value, written out."""
    return [
        f"Spend {money(s)}<br>Net value {money(v)}" for s, v in zip(spend, net_value, strict=True)
    ]


def _fade(hex_color: str, alpha: float = 0.45) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
