"""The board brief: one page, opened with pypdf, its numbers the Overview's own; the
Overview's tiles and the charts come from the same case."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import brief, brief_charts, planning
from app.overview_view import brief_sources, case_tiles
from foundation.formatting import money, money_compact
from planner.business_case_report import full_case


@pytest.fixture(scope="module")
def case(request_, catalog):
    return full_case(planning.solve(request_, catalog), paths=500)


@pytest.fixture(scope="module")
def text(case, request_):
    sources = brief_sources(request_.with_(workload_source="example_enterprise.csv"),
                            "example_enterprise.csv")  # fmt: skip
    data = brief.board_brief_pdf(case, date(2026, 11, 23), sources)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1  # one page
    heights = []
    reader.pages[0].extract_text(
        visitor_text=lambda t, cm, tm, *_: heights.append(tm[5]) if t.strip() else None
    )
    assert min(heights) > 28  # nothing written into the bottom 10 mm: it fits the page
    return re.sub(r"\s+", " ", reader.pages[0].extract_text())


def test_brief_carries_the_page_figures(case, text):
    r, b = case.risk_adjusted, case.bands
    tiles = {t.label: t for t in case_tiles(case)}
    # exact on the brief; on the page, compact in the tile and exact in its help
    assert f"NPV, risk-adjusted: {money(r.npv_usd)}" in text
    assert money(r.npv_usd) in tiles["NPV, risk-adjusted"].help
    assert tiles["NPV, risk-adjusted"].value == money_compact(r.npv_usd)
    assert f"NPV, as modelled: {money(case.as_modelled.npv_usd)}" in text
    for label in ("Payback", "Risk-adjusted ROI"):
        assert f"{label}: {tiles[label].value}" in text
    loss = f"{money(case.quality.loss_usd)} a month"
    assert f"Quality vs today: {loss}" in text and loss in tiles["Quality vs today"].help
    assert f"NPV, P10 to P90: {money(b.p10_usd)} to {money(b.p90_usd)}" in text
    # the headline, as the page shows it
    assert " ".join(case.headline.split())[:200] in text


def test_brief_has_its_sections_and_sources(case, text):
    for heading in ("Board brief", "Cash flows, risk-adjusted", "Risks", "Assumptions",
                    "Sources"):  # fmt: skip
        assert heading in text
    assert "USDL-24-0628" in text and "USDL-24-0485" in text  # the example's labour sources
    # every class's cost today is derived from a role's wage: none is left a guess
    assert "each class's cost today is an assumed handling time" in " ".join(text.split())
    assert "illustrative guess" not in text
    assert "Prices as of 2026-11-23" in text
    top = case.tornado.iloc[0]
    assert f"{top['input']} over {top['range']}" in text


def test_quality_loss_is_a_risk_with_its_dollars(case, text):
    assert case.quality.any_loss  # the example plan is below today on some classes
    worst = case.quality.losses.sort_values("quality_usd").iloc[0]
    assert f"Less accurate than today on {worst['task_class']}" in text
    assert money(worst["quality_usd"]) in text


def test_text_outside_latin1_is_replaced_not_an_error():
    assert brief.latin1("Coût – “α”") == 'Coût - "?"'


def test_charts_draw_the_case(case):
    flows = brief_charts.cash_flow_chart(case)
    assert list(flows.data[1].y) == pytest.approx(
        case.risk_adjusted.flows["cumulative_discounted_usd"].tolist()
    )
    tornado = brief_charts.tornado_chart(case)
    # largest swing drawn on top (the last bar of a horizontal chart)
    assert tornado.data[0].y[-1].startswith(case.tornado.iloc[0]["input"])


def test_a_class_whose_cost_today_is_not_derived_is_named_as_a_guess(request_):
    # the example with Contract review's rate and review minutes removed: its cost today is
    # then a bare figure, and the sources must say so rather than pass it off as derived
    import csv

    rows = list(csv.DictReader(io.StringIO(request_.workload_csv)))
    for row in rows:
        if row["task_class"] == "Contract review":
            row["loaded_hourly_cost_usd"] = row["review_minutes_per_task"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    request = request_.with_(workload_csv=out.getvalue(),
                             workload_source="example_enterprise.csv")  # fmt: skip
    sources = " ".join(brief_sources(request, "example_enterprise.csv"))
    assert (
        "Example workload, other classes (Contract review): today's cost per task is an "
        "illustrative guess, not derived from a handling time and a wage"
    ) in sources
