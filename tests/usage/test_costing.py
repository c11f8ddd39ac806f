"""Costing at the price of the date: both sides of a price change, cached input, cache
writes, batch, long context, discounts, cost lines beside usage, variance, unresolved."""

from __future__ import annotations

from datetime import date

import pytest

from pricing.catalog import Catalog
from tests.usage.helpers import catalog_cost, rows, store_with
from usage.commands.reports import summary
from usage.queries import UNRESOLVED

PRICE_CHANGE = date(2025, 6, 10)  # openai's sheet of that day cuts o3's prices


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _cost(con, sql: str, params: list | None = None) -> list[float]:
    return [r[0] for r in rows(con, sql, params)]


def test_each_side_of_a_price_change_pays_its_own_price(catalog):
    before = catalog.quote("openai/o3", date(2025, 6, 9)).prices.input_per_mtok
    after = catalog.quote("openai/o3", PRICE_CHANGE).prices.input_per_mtok
    assert before != after  # the fixture straddles a real change in the sheets
    con = store_with(catalog, "openai_usage.json")
    costs = rows(con, "SELECT day, list_cost_usd FROM costed_usage WHERE model = 'o3' ORDER BY day")
    assert [c[0] for c in costs] == [date(2025, 6, 9), PRICE_CHANGE]
    for day, cost in costs:
        expected = catalog_cost(catalog, "openai/o3", day, uncached=800_000, cached=200_000,
                                output=100_000)  # fmt: skip
        assert cost == pytest.approx(expected, rel=1e-12)
    assert costs[0][1] > costs[1][1]


def test_cached_input_and_cache_writes_use_their_own_rates(catalog):
    con = store_with(catalog, "anthropic_usage.json")
    day = date(2026, 10, 13)
    [cost] = _cost(con, "SELECT list_cost_usd FROM costed_usage WHERE cache_write_tokens > 0")
    expected = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=1_000_000,
                            cached=400_000, written=100_000, output=200_000)  # fmt: skip
    assert cost == pytest.approx(expected, rel=1e-12)
    all_uncached = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day,
                                uncached=1_500_000, output=200_000)  # fmt: skip
    assert cost != pytest.approx(all_uncached)


def test_batch_rows_pay_batch_prices(catalog):
    con = store_with(catalog, "anthropic_usage.json")
    [cost] = _cost(con, "SELECT list_cost_usd FROM costed_usage WHERE api_key = 'apikey_nightly'")
    day = date(2026, 10, 14)
    assert catalog.quote("anthropic/claude-sonnet-4-5", day).prices.batch is not None
    batch = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=2_000_000,
                         output=500_000, batch=True)  # fmt: skip
    standard = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=2_000_000,
                            output=500_000)  # fmt: skip
    assert cost == pytest.approx(batch, rel=1e-12) and batch < standard


def test_long_context_where_the_export_says_so(catalog):
    con = store_with(catalog, "anthropic_usage.json")
    [cost] = _cost(con, "SELECT list_cost_usd FROM costed_usage WHERE input_tokens = 3000000")
    day = date(2026, 10, 13)
    long = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=3_000_000,
                        output=100_000, long_context=True)  # fmt: skip
    standard = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=3_000_000,
                            output=100_000)  # fmt: skip
    assert cost == pytest.approx(long, rel=1e-12) and long > standard


def test_long_context_for_one_request_over_the_threshold(catalog):
    """generic.csv: one request of 250,000 prompt tokens on a model whose tier starts at
    200,000 is costed at the tier although the row does not say long_context."""
    con = store_with(catalog, "generic.csv")
    day = date(2026, 10, 1)
    tier = catalog.quote("anthropic/claude-sonnet-4-5", day).prices.long_context[0]
    assert tier.above_input_tokens < 250_000
    [cost] = _cost(con, "SELECT list_cost_usd FROM costed_usage WHERE input_tokens = 250000")
    expected = catalog_cost(catalog, "anthropic/claude-sonnet-4-5", day, uncached=250_000,
                            output=1_000, long_context=True)  # fmt: skip
    assert cost == pytest.approx(expected, rel=1e-12)


def test_summary_equals_the_per_row_view(catalog):
    """The summary prices day sums (fast path); the view prices each row: same totals."""
    con = store_with(catalog, "anthropic_usage.json", "generic.csv", "openai_usage.json",
                     "litellm_spendlogs.csv", "focus_1_2.csv")  # fmt: skip
    got, names = summary(con, ["provider", "month"])
    col = names.index
    expected = rows(con, f"""
        SELECT COALESCE(provider, '{UNRESOLVED}'), strftime(day, '%Y-%m'),
               sum(list_cost_usd), sum(cost_usd), sum(total_tokens)
        FROM costed_usage GROUP BY 1, 2 ORDER BY 1, 2""")  # fmt: skip
    assert len(got) == len(expected) > 3
    for mine, theirs in zip(got, expected, strict=True):
        assert mine[:2] == theirs[:2]
        for name, value in zip(("list_cost_usd", "cost_usd", "total_tokens"), theirs[2:],
                               strict=True):  # fmt: skip
            if value is None:
                assert mine[col(name)] is None
            else:
                assert mine[col(name)] == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_discount_scales_list_cost_by_provider_and_model(catalog):
    con = store_with(catalog, "openai_usage.json", "anthropic_usage.json")
    got, names = summary(
        con, ["provider"], discounts=[("openai", 20.0), ("anthropic/claude-sonnet-4-5", 50.0)]
    )
    by = {r[0]: dict(zip(names, r, strict=True)) for r in got}
    assert by["openai"]["discounted_cost_usd"] == pytest.approx(
        by["openai"]["list_cost_usd"] * 0.8, rel=1e-12
    )
    assert by["anthropic"]["discounted_cost_usd"] == pytest.approx(
        by["anthropic"]["list_cost_usd"] * 0.5, rel=1e-12
    )


def test_vendor_cost_is_kept_beside_list_cost_with_variance(catalog):
    """LiteLLM logs `spend`: it stays beside the list cost and is what was spent."""
    con = store_with(catalog, "litellm_spendlogs.csv")
    got = rows(con, "SELECT list_cost_usd, billed_cost_usd, cost_usd FROM costed_usage "
                    "WHERE raw_model = 'azure/gpt-4o'")  # fmt: skip
    [(listed, billed, spent)] = got
    expected = catalog_cost(catalog, "openai/gpt-4o", date(2026, 10, 1), uncached=600,
                            cached=400, output=500)  # fmt: skip
    assert listed == pytest.approx(expected, rel=1e-12)
    assert billed == 0.0035 and spent == billed
    table, names = summary(con, ["model"])
    row = dict(zip(names, next(r for r in table if r[0] == "openai/gpt-4o"), strict=True))
    assert row["variance_usd"] == pytest.approx(billed - listed, rel=1e-12)


def test_cost_export_beside_usage_export_is_not_counted_twice(catalog):
    """OpenAI costs for 2025-06-10 carry that day's spend; the usage rows of that day keep
    their list cost (for the variance) and add nothing to what was spent."""
    con = store_with(catalog, "openai_usage.json", "openai_costs.json")
    day = rows(con, "SELECT source_format, list_cost_usd, billed_cost_usd, cost_usd "
                    "FROM costed_usage WHERE day = ? AND model = 'o3' ORDER BY source_format",
               [date(2025, 6, 10)])  # fmt: skip
    costs = [r for r in day if r[0] == "openai_costs"]
    usage = [r for r in day if r[0] == "openai_usage"]
    assert sum(r[3] for r in costs) == pytest.approx(3.6 + 0.8)
    assert all(r[1] is None for r in costs)
    assert usage[0][1] > 0 and usage[0][3] == 0
    other_day = rows(con, "SELECT list_cost_usd, cost_usd FROM costed_usage WHERE day = ?",
                     [date(2025, 6, 9)])  # fmt: skip
    assert other_day == [(other_day[0][0], other_day[0][0])]  # no cost export: list cost
    table, names = summary(con, ["model", "day"])
    row = dict(zip(names, next(r for r in table if r[1] == "2025-06-10" and r[0] == "openai/o3"),
                   strict=True))  # fmt: skip
    assert row["variance_usd"] == pytest.approx(4.4 - usage[0][1], rel=1e-12)


def test_unresolved_models_are_listed_with_tokens_and_billed_cost(catalog):
    con = store_with(catalog, "generic.csv", "openrouter_activity.csv",
                     "litellm_spendlogs.csv")  # fmt: skip
    from usage.queries import unresolved_sql

    listed = {r[0]: r for r in rows(con, unresolved_sql())}
    assert set(listed) == {"mystery-model-x", "meta-llama/llama-9-unknown", "our-finetune-v3"}
    mystery = listed["mystery-model-x"]
    assert mystery[-2] == 5500 and mystery[-1] == pytest.approx(0.02)
    table, names = summary(con, ["model"])
    unresolved = [dict(zip(names, r, strict=True)) for r in table if r[0].startswith(UNRESOLVED)]
    assert {r["model"] for r in unresolved} >= {f"{UNRESOLVED} mystery-model-x"}
    assert all(r["list_cost_usd"] is None and r["unpriced_rows"] >= 1 for r in unresolved)


ALL_FIXTURES = ("anthropic_cost.json", "anthropic_usage.json", "openai_costs.json",
                "openai_usage.json", "generic.csv", "litellm_spendlogs.csv",
                "litellm_daily_team.csv", "openrouter_activity.csv", "focus_1_2.csv",
                "focus_1_3.csv")  # fmt: skip


def _per_row(con, by, start=None, end=None):
    from usage import queries

    where = "WHERE d.day BETWEEN ? AND ?" if start else ""
    sql = queries.summary_sql(
        by,
        source=queries.per_row_source(),
        where=where,
        prompt_condition=queries.PER_ROW_PROMPT,
        precovered=False,
    )
    cursor = con.execute(sql, [start, end] if start else [])
    names = [d[0] for d in cursor.description]
    return cursor.fetchall(), names


def _same(a: list[tuple], b: list[tuple]) -> None:
    assert len(a) == len(b) > 0
    for left, right in zip(a, b, strict=True):
        for x, y in zip(left, right, strict=True):
            assert x == pytest.approx(y, rel=1e-9, abs=1e-12) if isinstance(y, float) else x == y


@pytest.mark.parametrize("by", [["team", "month"], ["model", "month"], ["provider"],
                                ["project", "task_class"]])  # fmt: skip
def test_period_sums_answer_exactly_as_the_rows(catalog, by):
    """Every fixture, cost lines included: the summary from the price-period sums kept at
    import equals the summary priced row by row."""
    con = store_with(catalog, *ALL_FIXTURES)
    _same(summary(con, by)[0], _per_row(con, by)[0])


def test_a_date_range_that_cuts_a_period_reads_the_rows(catalog):
    con = store_with(catalog, *ALL_FIXTURES)
    start, end = date(2026, 10, 2), date(2026, 10, 13)
    _same(summary(con, ["model"], start, end)[0], _per_row(con, ["model"], start, end)[0])


def test_removing_a_cost_export_uncovers_its_days(catalog):
    from usage import store

    con = store_with(catalog, "openai_usage.json", "openai_costs.json")
    costs = next(i for i in store.list_imports(con) if i.source_format == "openai_costs")
    store.remove_import(con, costs.import_id)
    _same(summary(con, ["model", "month"])[0], _per_row(con, ["model", "month"])[0])
    listed = rows(con, "SELECT sum(list_cost_usd), sum(cost_usd) FROM costed_usage")[0]
    assert listed[0] == pytest.approx(listed[1])


def test_rows_of_requests_without_tokens_are_unpriced_not_a_zero_list_cost(catalog):
    """LiteLLM's own FOCUS export counts requests, not tokens: its rows keep their bill and
    have no list cost, so the variance is not the whole bill."""
    con = store_with(catalog, "focus_litellm.csv")
    found = rows(
        con, "SELECT requests, list_cost_usd, cost_usd FROM costed_usage ORDER BY cost_usd"
    )
    assert found == [(1.0, None, 3.5), (1.0, None, 7.0)]
