"""The usage store's contract: schema, the costed_usage view, the example, imports."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from pricing.catalog import Catalog
from usage import price_tables, queries, store
from usage.example import ensure_example, example_files

CONTRACT_COLUMNS = [
    ("row_id", "BIGINT"), ("import_id", "BIGINT"), ("ts", "TIMESTAMP"), ("day", "DATE"),
    ("source_format", "VARCHAR"), ("provider", "VARCHAR"), ("model", "VARCHAR"),
    ("raw_model", "VARCHAR"), ("team", "VARCHAR"), ("task_class", "VARCHAR"),
    ("project", "VARCHAR"), ("user_id", "VARCHAR"), ("api_key", "VARCHAR"),
    ("workspace", "VARCHAR"), ("requests", "DOUBLE"), ("input_tokens", "DOUBLE"),
    ("cached_input_tokens", "DOUBLE"), ("cache_write_tokens", "DOUBLE"),
    ("output_tokens", "DOUBLE"), ("total_tokens", "DOUBLE"), ("list_cost_usd", "DOUBLE"),
    ("billed_cost_usd", "DOUBLE"), ("cost_usd", "DOUBLE"),
    # the row's terms, and what its list cost could not price exactly
    ("batch", "BOOLEAN"), ("service_tier", "VARCHAR"), ("pricing_note", "VARCHAR"),
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def example_store(catalog):
    con = store.connect(":memory:")
    assert ensure_example(con, catalog) is True
    yield con
    con.close()


def test_costed_usage_has_exactly_the_contract_columns(example_store):
    described = example_store.execute("DESCRIBE costed_usage").fetchall()
    assert [(row[0], row[1]) for row in described] == CONTRACT_COLUMNS


def test_view_and_sql_agree(example_store):
    view = example_store.execute("SELECT count(*), sum(cost_usd) FROM costed_usage").fetchall()
    direct = example_store.execute(
        f"SELECT count(*), sum(cost_usd) FROM ({queries.costed_usage_sql()})"
    ).fetchall()
    assert view[0][0] == direct[0][0] > 1000
    assert view[0][1] == pytest.approx(direct[0][1], rel=1e-12)  # summation order may differ


def test_example_is_imported_once_and_spans_teams_providers_months(example_store, catalog):
    assert ensure_example(example_store, catalog) is False
    assert len(store.list_imports(example_store)) == len(example_files()) >= 3
    teams, providers, months = example_store.execute(
        "SELECT count(DISTINCT team), count(DISTINCT provider), "
        "count(DISTINCT strftime(day, '%Y-%m')) FROM costed_usage"
    ).fetchall()[0]
    assert teams >= 4 and providers >= 3 and months >= 6


def test_example_is_costed_from_the_price_sheets(example_store, catalog):
    """One example row re-costed by hand from the catalog's quote on its date."""
    row = example_store.execute(
        "SELECT day, input_tokens, cached_input_tokens, output_tokens, list_cost_usd "
        "FROM costed_usage WHERE model = 'gpt-5-mini' ORDER BY row_id LIMIT 1"
    ).fetchall()[0]
    day, uncached, cached, output, cost = row
    prices = catalog.quote("openai/gpt-5-mini", day).prices
    expected = (
        uncached * float(prices.input_per_mtok)
        + cached * float(prices.cached_input_per_mtok)
        + output * float(prices.output_per_mtok)
    ) / 1e6
    assert cost == pytest.approx(expected, rel=1e-12)


def test_unresolved_model_is_kept_with_tokens_and_null_cost(example_store):
    rows = example_store.execute(
        "SELECT count(*), sum(total_tokens), count(list_cost_usd), count(cost_usd) "
        "FROM costed_usage WHERE provider IS NULL"
    ).fetchall()[0]
    count, tokens, priced, costed = rows
    assert count > 0 and tokens > 0
    assert priced == 0 and costed == 0  # NULL, never a silent zero


def test_default_path_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(store.DEFAULT_DB_ENV, str(tmp_path / "x.duckdb"))
    assert store.default_db_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv(store.DEFAULT_DB_ENV)
    assert store.default_db_path().name == "usage.duckdb"
    assert "data" not in store.default_db_path().parts[-3:]


def test_file_store_persists_between_connections(tmp_path, catalog):
    path = tmp_path / "usage.duckdb"
    con = store.connect(path)
    ensure_example(con, catalog)
    total = con.execute("SELECT sum(cost_usd) FROM costed_usage").fetchall()[0][0]
    con.close()
    again = store.connect(path)
    # DuckDB sums in parallel, so the last digits depend on the order it meets the rows.
    assert again.execute("SELECT sum(cost_usd) FROM costed_usage").fetchall()[0][0] == (
        pytest.approx(total, rel=1e-12)
    )
    assert ensure_example(again, catalog) is False
    again.close()


def test_price_intervals_cover_each_version(catalog):
    rows = price_tables.price_interval_rows(catalog)
    gpt = sorted(r[2:4] for r in rows if r[:2] == ("openai", "gpt-5-mini"))
    starts = [v.effective_from for v in catalog.versions("openai")]
    assert [r[0] for r in gpt] == starts
    assert gpt[-1][1] == date(9999, 12, 31)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(gpt))
