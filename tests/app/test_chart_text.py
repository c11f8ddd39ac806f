"""Every chart shows names from input as written: Plotly reads a subset of HTML (`<b>`, `<br>`,
`<a href>`) in titles, labels, legend names and hover texts, so a task class, model, provider,
team or scenario named like a tag must reach the figure escaped, and never inside a hover
template (where "%{x}" would be read as a variable)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from app import actual_charts, charts
from app.format import chart_text

NAME = '<a href="http://x">x</a><b>%{x}'
OTHER = "<b>bold</b> & co"


def strings(node, path=""):
    """Every string in a figure's JSON, with where it sits."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")


def months(n: int) -> list[date]:
    return [date(2027, m, 1) for m in range(1, n + 1)]


def days(n: int) -> pd.Series:
    return pd.Series(pd.date_range("2026-10-01", periods=n, freq="D"))


def figures():
    """Each chart function, built with hostile names wherever a name can come from input."""
    yield (
        "spend_bars",
        charts.spend_bars(
            pd.DataFrame({"provider": [NAME, OTHER], "monthly_spend_usd": [1500.0, -20.0]}),
            "provider",
            f"Spend by {NAME}",
        ),
    )
    yield (
        "flow_sankey",
        charts.flow_sankey(
            pd.DataFrame(
                {
                    "task_class": [NAME, NAME, OTHER],
                    "model": [OTHER, f"{NAME} model", OTHER],
                    "tier": ["frontier", "economy", "frontier"],
                    "monthly_cost_usd": [1200.0, 30.5, 400.0],
                    "share": [0.7, 0.3, 1.0],
                }
            )
        ),
    )
    yield (
        "frontier_chart",
        charts.frontier_chart(
            pd.DataFrame(
                {
                    "status": ["optimal", "optimal"],
                    "monthly_cost_usd": [100.0, 2000.0],
                    "monthly_net_value_usd": [-50.0, 9000.0],
                }
            ),
            2000.0,
            9000.0,
        ),
    )
    bands = pd.DataFrame(
        {
            "month": months(3),
            **{f"spend_p{p}": [10.0 * p, 11.0 * p, 12.0 * p] for p in (10, 50, 90)},
        }
    )
    yield "fan_chart", charts.fan_chart(
        bands, "spend", NAME, charts.SPEND, budget=700.0, marker_month=date(2027, 2, 1),
        marker_text=NAME,
    )  # fmt: skip
    yield (
        "price_history_chart",
        charts.price_history_chart(
            pd.DataFrame(
                {
                    "model": [NAME, NAME, OTHER],
                    "effective_from": [date(2026, 1, 1), date(2026, 6, 1), date(2026, 1, 1)],
                    "input_per_mtok": [2.5, 1.25, 0.075],
                    "output_per_mtok": [10.0, 5.0, 0.3],
                }
            ),
            date(2026, 11, 23),
        ),
    )
    yield (
        "vendor_share_chart",
        charts.vendor_share_chart(
            pd.DataFrame(
                {
                    "scenario": [NAME, NAME, OTHER],
                    "provider": [OTHER, NAME, NAME],
                    "share": [0.6, 0.4, 1.0],
                }
            )
        ),
    )
    long = pd.DataFrame(
        {"day": pd.concat([days(3), days(3)], ignore_index=True),
         "group": [NAME] * 3 + [OTHER] * 3, "spend_usd": [1.0, 2.0, 300.0, 4.0, 5.0, 6.0]}
    )  # fmt: skip
    spikes = pd.DataFrame({"day": [date(2026, 10, 3)], "label": [f"{NAME} spent $300"]})
    yield "spend_over_time", actual_charts.spend_over_time(long, spikes, f"Spend of {NAME}")
    yield (
        "burn_down",
        actual_charts.burn_down(
            pd.DataFrame({"day": days(3), "cumulative_usd": [10.0, 20.0, 30.0]}),
            pd.DataFrame(
                {
                    "day": days(2) + pd.Timedelta(days=3),
                    "low_usd": [31.0, 35.0],
                    "p50_usd": [40.0, 50.0],
                    "high_usd": [45.0, 60.0],
                }
            ),
            100.0,
            f"Burn-down: {NAME}",
        ),
    )
    by_class = pd.DataFrame(
        {"actual_usd": [1000.0], **{column: [25.0] for column, _ in actual_charts.GAP_STEPS}}
    )
    yield "gap_waterfall", actual_charts.gap_waterfall(by_class, f"{NAME} against the plan")


FIGURES = dict(figures())


@pytest.mark.parametrize("name", FIGURES)
def test_no_tag_from_an_input_reaches_a_chart(name):
    texts = list(strings(FIGURES[name].to_dict()))
    for path, text in texts:
        assert "<a" not in text and "<b>" not in text, (path, text)
        if path.endswith("hovertemplate"):
            assert "http://x" not in text, (path, text)  # a name is never part of a template


@pytest.mark.parametrize(
    "name", [n for n in FIGURES if n not in ("frontier_chart", "burn_down", "gap_waterfall")]
)
def test_the_name_is_shown_as_written(name):
    texts = [text for _, text in strings(FIGURES[name].to_dict())]
    assert any(chart_text(NAME) in text for text in texts)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('<a href="http://x">x</a>', '&lt;a href="http://x"&gt;x&lt;/a&gt;'),
        ("R&D <br> team", "R&amp;D &lt;br&gt; team"),
        ("plain", "plain"),
        (42, "42"),
    ],
)
def test_chart_text_escapes_what_plotly_would_read_as_html(text, shown):
    assert chart_text(text) == shown


def test_amounts_in_charts_put_the_minus_before_the_dollar():
    fig = FIGURES["spend_bars"]
    assert fig.data[0].customdata[0] == "-$20.00"  # the smallest bar comes first
    frontier = FIGURES["frontier_chart"].data[0].customdata
    assert frontier[0] == "Spend $100<br>Net value -$50.00"
