"""Reconcile: per provider and day (or month), each source's requests, tokens and cost,
which one counts, the differences, and the billed-against-list variance."""

from __future__ import annotations

import json

import pytest

from pricing.catalog import Catalog
from tests.usage.ledger_fixtures import DAY, MODEL, costs_file, gateway_file, usage_file
from usage import store
from usage.cli import main
from usage.importer import import_file
from usage.reconcile import reconcile


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def three_sources(catalog, tmp_path_factory):
    """One day of gpt-4o usage (1M input, 100k output tokens: $3.50 at list) seen by the
    gateway (billed $3.50), OpenAI's usage export and its cost lines ($3.40 billed), plus a
    gateway request on the next day that no vendor file covers."""
    folder = tmp_path_factory.mktemp("reconcile")
    gateway_file(folder / "gateway.csv", [
        ("2026-10-01T09:00:00Z", 600_000, 60_000, 2.10),
        ("2026-10-01T15:00:00Z", 400_000, 40_000, 1.40),
        ("2026-10-02T09:00:00Z", 1_000, 100, 0.01),
    ])  # fmt: skip
    usage_file(folder / "usage.json", {DAY: (1_000_000, 100_000, 2)})
    costs_file(folder / "costs.json", {(DAY, f"{MODEL}, input"): 2.40,
                                       (DAY, f"{MODEL}, output"): 1.00})  # fmt: skip
    path = folder / "usage.duckdb"
    con = store.connect(path)
    for name in ("gateway.csv", "usage.json", "costs.json"):
        import_file(con, folder / name, catalog)
    con.close()
    return path


def test_each_source_side_by_side_with_what_counts(three_sources):
    con = store.connect(three_sources)
    found = reconcile(con, "day")
    con.close()
    lines = {(x.period, x.source_format): x for x in found.lines}
    assert sorted(lines) == [("2026-10-01", "generic"), ("2026-10-01", "openai_costs"),
                             ("2026-10-01", "openai_usage"), ("2026-10-02", "generic")]  # fmt: skip
    gateway = lines[("2026-10-01", "generic")]
    assert (gateway.role, gateway.requests, gateway.tokens) == ("kept for comparison", 2, 1.1e6)
    assert gateway.cost_usd == pytest.approx(3.50)
    assert gateway.cost_difference_usd == pytest.approx(0.10)  # the gateway says 10c more
    assert gateway.tokens_difference == 0
    costs = lines[("2026-10-01", "openai_costs")]
    assert (costs.role, costs.counted_usd) == ("counts", pytest.approx(3.40))
    usage = lines[("2026-10-01", "openai_usage")]
    assert usage.role.startswith("counts (tokens") and usage.counted_tokens == 1.1e6
    totals = {t.period: t for t in found.totals}
    day = totals["2026-10-01"]
    assert (day.tokens, day.spend_usd, day.billed_usd) == (1.1e6, pytest.approx(3.40),
                                                           pytest.approx(3.40))  # fmt: skip
    assert day.billed_list_usd == pytest.approx(3.50)
    assert day.variance_usd == pytest.approx(-0.10)  # billed 10c under list
    nxt = totals["2026-10-02"]  # only the gateway saw it: it counts
    assert lines[("2026-10-02", "generic")].role == "counts" and nxt.spend_usd == 0.01


def test_by_month_a_source_that_counts_on_some_days_says_so(three_sources):
    con = store.connect(three_sources)
    found = reconcile(con, "month")
    con.close()
    gateway = next(x for x in found.lines if x.source_format == "generic")
    assert gateway.role == "partly: counts" and gateway.rows == 3
    [month] = found.totals
    assert month.spend_usd == pytest.approx(3.41) and month.tokens == 1_101_100


def test_reconcile_on_the_command_line(three_sources, capsys):
    assert main(["reconcile", "--db", str(three_sources), "--json", "--by", "month"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {x["source_format"] for x in out["sources"]} == {"generic", "openai_costs",
                                                             "openai_usage"}  # fmt: skip
    # billed $3.41 against list $3.50 + $0.0035 (the gateway's billed request of Oct 2)
    assert out["totals"][0]["variance_usd"] == pytest.approx(3.41 - 3.5035)
    assert main(["reconcile", "--db", str(three_sources), "--provider", "openai"]) == 0
    text = capsys.readouterr().out
    assert "kept for comparison" in text and "variance_usd" in text and "-0.10" in text
    assert main(["reconcile", "--db", str(three_sources), "--provider", "nobody"]) == 0
    assert "(nothing)" in capsys.readouterr().out


def test_the_page_tables_name_every_source_and_what_counts(three_sources):
    from app.reconcile_view import tables

    con = store.connect(three_sources)
    sources, totals = tables(reconcile(con, "month"))
    con.close()
    assert list(sources.columns) == ["provider", "period", "source", "kind", "grain", "counts",
                                     "requests", "tokens", "cost_usd", "tokens_vs_counted",
                                     "cost_vs_counted_usd"]  # fmt: skip
    assert sorted(sources["source"]) == ["generic", "openai_costs", "openai_usage"]
    assert totals["variance_usd"].round(4).tolist() == [round(3.41 - 3.5035, 4)]


def test_the_actual_spend_page_ends_with_the_reconciliation():
    """On the illustrative example, picked explicitly: an earlier test may have imported into
    the session's company store (tests/conftest.py), which the page then opens on."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from app import reconcile_view, workspace
    from app import state as S

    root = Path(__file__).resolve().parents[2]
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=90)
    at.run()
    at = at.switch_page("app_pages/actual_spend.py").run()
    at = at.radio(key=S.WORKSPACE).set_value(workspace.EXAMPLE).run()
    assert not at.exception
    assert reconcile_view.HEADING in [h.value for h in at.subheader]
    per = at.selectbox(key=S.RECONCILE_BY)
    assert per.value == "month"
    frames = at.main.dataframe  # the sidebar may list shared scenarios of earlier tests
    assert "kept for comparison" not in str(frames[-1].value)  # the example's sources differ
    assert set(frames[-1].value["counts"]) == {"counts"}
    per.set_value("day").run()
    assert not at.exception and len(at.main.dataframe[-1].value) > len(frames[-1].value)
