"""The usage analytics on ClickHouse (in-process, `chdb`) give the figures DuckDB gives.

The example store is built by the DuckDB store as usual, loaded into ClickHouse
(`usage.engines.load.copy_store`: the schema created there, every table's rows in batches)
and every analysis is run on both from the one statement each sends, compiled by SQLGlot.
"""

from __future__ import annotations

import pytest

from tests.usage.engine_helpers import MONTH, assert_same_figures, statements
from usage import daily, value
from usage.engines import EngineConnection, engine_for
from usage.engines.load import copy_store

STATEMENTS = statements()


@pytest.fixture(scope="module")
def clickhouse(duck):
    engine = engine_for("chdb://")
    loaded = copy_store(duck, engine)
    assert loaded["usage_ledger"] == 2379
    yield engine
    engine.close()


@pytest.mark.parametrize("what", STATEMENTS)
def test_every_analysis_gives_the_same_figures(what, duck, clickhouse):
    sql, params = STATEMENTS[what]
    assert_same_figures(duck.execute(sql, params).df(), clickhouse.run(sql, params), what)


def test_the_analyses_run_unchanged_on_an_engine_connection(duck, clickhouse):
    """The modules' own functions, given the engine where they expect a connection."""
    on_engine = EngineConnection(clickhouse)
    for read in (daily.load_daily, value.monthly_spend):
        assert_same_figures(read(duck), read(on_engine), read.__name__)
    assert on_engine.execute("SELECT max(day) FROM costed_usage").fetchone()[0].isoformat()[
        :7] >= MONTH  # fmt: skip


def test_engine_for_picks_by_the_setting(monkeypatch):
    """DuckDB without PLANNER_USAGE_URL; the URL's scheme otherwise; an unknown one refused."""
    monkeypatch.delenv("PLANNER_USAGE_URL", raising=False)
    assert engine_for().name == "DuckDB"
    monkeypatch.setenv("PLANNER_USAGE_URL", "chdb://")
    engine = engine_for()
    try:
        assert engine.name.startswith("ClickHouse")
        assert engine.run("SELECT strftime(DATE '2026-10-05', '%Y-%m') AS m")["m"][0] == "2026-10"
    finally:
        engine.close()
    with pytest.raises(ValueError, match="no engine for mysql://"):
        engine_for("mysql://server:3306")
