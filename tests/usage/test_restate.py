"""Restatements: a re-download with changed figures for a key replaces them (the newest
import wins), the earlier figures stay in the history, removing an import restores what it
replaced, a partial bucket is completed by the later full one, and the same bytes again
add nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from pricing.catalog import Catalog
from tests.usage.ledger_fixtures import DAY, HOUR, MODEL, costs_file, spend, tokens, usage_file
from usage import store
from usage.importer import import_file
from usage.rows import Parsed, natural_key


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


INPUT, OUTPUT = f"{MODEL}, input", f"{MODEL}, output"


def test_a_restated_cost_export_day_counts_at_its_new_figure(catalog, tmp_path):
    """OpenAI's cost export re-downloaded with 2026-10-01 restated from $3.50 to $2.00."""
    con = store.connect(":memory:")
    first = costs_file(tmp_path / "costs.json", {
        (DAY, INPUT): 2.50, (DAY, OUTPUT): 1.00, (DAY + 86_400, INPUT): 5.00})  # fmt: skip
    old = import_file(con, first, catalog)
    assert (old.rows_added, old.rows_restated) == (3, 0) and spend(con) == 8.50
    again = costs_file(tmp_path / "costs_again.json", {
        (DAY, INPUT): 1.00, (DAY, OUTPUT): 1.00, (DAY + 86_400, INPUT): 5.00})  # fmt: skip
    new = import_file(con, again, catalog)
    assert (new.rows_added, new.rows_restated, new.rows_unchanged) == (0, 1, 2)
    assert new.restated_billed_usd == pytest.approx(-1.50)
    assert new.restated_imports == (old.import_id,)
    assert spend(con) == 7.00  # $2.00 for the restated day, $5.00 for the next one
    by_day = con.execute(
        "SELECT day, sum(cost_usd) FROM costed_usage GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [round(usd, 2) for _, usd in by_day] == [2.00, 5.00]


def test_the_history_keeps_both_and_removal_restores_what_was_replaced(catalog, tmp_path):
    con = store.connect(":memory:")
    old = import_file(con, costs_file(tmp_path / "a.json", {(DAY, INPUT): 3.50}), catalog)
    new = import_file(con, costs_file(tmp_path / "b.json", {(DAY, INPUT): 2.00}), catalog)
    assert spend(con) == 2.00
    history = store.list_imports(con, removed=True)
    assert [(r.import_id, r.state, r.rows_restated) for r in history] == [
        (old.import_id, "active", 0), (new.import_id, "active", 1)]  # fmt: skip
    assert history[1].restated_imports == str(old.import_id)
    assert store.remove_import(con, new.import_id)
    assert spend(con) == 3.50
    assert [r.state for r in store.list_imports(con, removed=True)] == ["active", "removed"]
    assert [r.import_id for r in store.list_imports(con)] == [old.import_id]
    # the removed import's rows stay in the ledger, counted by nothing
    kept = con.execute("SELECT status FROM usage_ledger WHERE import_id = ?", [new.import_id])
    assert kept.fetchall() == [("removed",)]
    assert not store.remove_import(con, new.import_id)  # already out of force
    back = import_file(con, tmp_path / "b.json", catalog)  # the same bytes, in force again
    assert not back.already_imported and back.rows_restated == 1 and spend(con) == 2.00


def test_a_usage_export_taken_mid_day_is_completed_by_the_full_one(catalog, tmp_path):
    con = store.connect(":memory:")
    import_file(con, usage_file(tmp_path / "noon.json", {DAY: (400_000, 40_000, 50)}), catalog)
    assert tokens(con) == 440_000
    full = import_file(con, usage_file(tmp_path / "evening.json",
                                       {DAY: (1_000_000, 100_000, 120)}), catalog)  # fmt: skip
    assert (full.rows_added, full.rows_restated) == (0, 1)
    assert full.restated_tokens == 660_000
    assert tokens(con) == 1_100_000
    assert con.execute("SELECT sum(requests) FROM costed_usage").fetchall() == [(120,)]


def test_the_same_bytes_again_add_nothing(catalog, tmp_path):
    con = store.connect(":memory:")
    path = usage_file(tmp_path / "u.json", {DAY: (1_000_000, 100_000, 120)})
    import_file(con, path, catalog)
    before = (spend(con), con.execute("SELECT count(*) FROM usage_ledger").fetchall())
    again = import_file(con, path, catalog)
    assert again.already_imported and again.rows_added == 0
    assert (spend(con), con.execute("SELECT count(*) FROM usage_ledger").fetchall()) == before
    assert len(store.list_imports(con)) == 1


def _focus_rows(billed: dict[str, float]) -> Parsed:
    """FOCUS usage rows of 2026-10-01 (billing kind, day grain), keyed by their dimensions
    (charge period, SKU, sub-account) and not by their figures, as a FOCUS re-download of
    the same charges must be."""
    parsed = Parsed()
    for sku, usd in billed.items():
        parsed.add(
            natural_key("focus", "2026-10-01", "2026-10-02", sku, "sub-1"),
            ts=datetime(2026, 10, 1), raw_model=MODEL, provider_hint="openai",
            input_tokens=1_000_000.0 if sku == "in" else 0.0,
            output_tokens=100_000.0 if sku == "out" else 0.0,
            billed_cost_usd=usd, source_kind="billing", grain="day",
        )  # fmt: skip
    return parsed


def test_a_focus_re_download_with_a_restated_day_counts_it_once(catalog):
    """$3.50 billed, re-downloaded as $2.00: $2.00 (not $5.50); the tokens once."""
    con = store.connect(":memory:")
    for digest, billed in (("f1", {"in": 2.50, "out": 1.00}), ("f2", {"in": 1.00, "out": 1.00})):
        store.store_rows(con, _focus_rows(billed), file_name=f"{digest}.csv", digest=digest,
                         source_format="focus", catalog=catalog)  # fmt: skip
    assert spend(con) == 2.00 and tokens(con) == 1_100_000


def test_hourly_buckets_restated_one_by_one(catalog, tmp_path):
    """An hourly export re-downloaded later: finished hours restated, new hours added."""
    con = store.connect(":memory:")
    first = {DAY + 10 * HOUR: (100.0, 10.0, 1), DAY + 11 * HOUR: (50.0, 5.0, 1)}
    import_file(con, usage_file(tmp_path / "h1.json", first, HOUR), catalog)
    later = {**first, DAY + 11 * HOUR: (200.0, 20.0, 2), DAY + 12 * HOUR: (300.0, 30.0, 3)}
    result = import_file(con, usage_file(tmp_path / "h2.json", later, HOUR), catalog)
    assert (result.rows_added, result.rows_restated, result.rows_unchanged) == (1, 1, 1)
    assert tokens(con) == 110 + 220 + 330


def test_the_command_line_says_what_an_import_restated_and_keeps_the_history(tmp_path,
                                                                             capsys):  # fmt: skip
    import json

    from usage.cli import main

    db = str(tmp_path / "usage.duckdb")
    first = costs_file(tmp_path / "a.json", {(DAY, INPUT): 3.50, (DAY, OUTPUT): 1.00})
    again = costs_file(tmp_path / "b.json", {(DAY, INPUT): 2.00, (DAY, OUTPUT): 1.00})
    assert main(["import", "--db", db, str(first), str(again)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("2 rows added, 0 unchanged")
    assert out[1].endswith("0 rows added, 1 unchanged, 1 restated (of #1: billed -$1.50, "
                           "+0 tokens)")  # fmt: skip
    assert main(["imports", "--db", db, "--remove", "2"]) == 0
    capsys.readouterr()
    assert main(["imports", "--db", db, "--json"]) == 0
    assert [i["import_id"] for i in json.loads(capsys.readouterr().out)] == [1]
    assert main(["imports", "--db", db, "--json", "--all"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(i["import_id"], i["state"], i["restated_imports"]) for i in listed] == [
        (1, "active", ""), (2, "removed", "1")]  # fmt: skip
