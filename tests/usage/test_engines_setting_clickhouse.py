"""The engine is a setting: with PLANNER_USAGE_URL naming ClickHouse (in-process, chdb),
`python -m usage` imports the example's files onto ClickHouse and every read command prints
what it prints on the DuckDB store that imported the same files.

Each test module uses a database of its own in the process's one chdb session, so a store
left by one test is not read by another.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.usage.engine_cli import READS, assert_same, cli, ledger_rows, read_json
from tests.usage.ledger_fixtures import DAY, MODEL, costs_file
from usage.engines import setting
from usage.engines.chdb import ChdbEngine
from usage.example import example_files

FILES = [str(p) for p in example_files()]
INPUT, OUTPUT = f"{MODEL}, input", f"{MODEL}, output"


def _url() -> str:
    return f"chdb://?database=planner_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(DuckDB store file, engine URL), each holding the example imported by the CLI."""
    db = tmp_path_factory.mktemp("duck") / "usage.duckdb"
    url = _url()
    for target in (None, url):
        code, _, err = cli(["import", *FILES], target, db)
        assert code == 0, err
    yield db, url
    setting.close_all()


@pytest.mark.parametrize("what", READS)
def test_every_read_command_prints_what_duckdb_prints(what, stores):
    db, url = stores
    expected = read_json(READS[what], None, db)
    assert expected, f"{what}: DuckDB printed nothing to compare"
    assert_same(expected, read_json(READS[what], url, db), what)


def test_importing_the_same_files_again_adds_no_row(stores):
    db, url = stores
    before = ledger_rows(url, db)
    assert before == ledger_rows(None, db) == 2379
    code, out, err = cli(["import", *FILES, "--json"], url, db)
    assert code == 0, err
    assert [r["already_imported"] for r in json.loads(out)] == [True] * len(FILES)
    assert ledger_rows(url, db) == before


def test_a_restating_download_replaces_the_rows_it_restates(stores, tmp_path):
    """OpenAI's cost export for 2026-10-01, then re-downloaded with one line restated from
    $3.50 to $2.00: on both stores the new figure counts, the cost lines outrank the usage
    export's money that day, and every summary agrees."""
    db, url = stores
    first = costs_file(tmp_path / "costs.json", {(DAY, INPUT): 3.50, (DAY, OUTPUT): 1.00})
    again = costs_file(tmp_path / "costs_again.json", {(DAY, INPUT): 2.00, (DAY, OUTPUT): 1.00})
    found = {}
    for target in (None, url):
        for path in (first, again):
            code, out, err = cli(["import", str(path), "--json"], target, db)
            assert code == 0, err
        found[target] = json.loads(out)[0]
    assert (found[None]["rows_restated"], found[None]["rows_unchanged"]) == (1, 1)
    assert found[url] == found[None]
    assert ledger_rows(url, db) == ledger_rows(None, db) == 2379 + 4
    for argv in (
        READS["summary by team and month"],
        READS["reconcile by day"],
        ["reconcile", "--by", "day", "--from", "2026-10-01", "--to", "2026-10-01"],
    ):
        assert_same(read_json(argv, None, db), read_json(argv, url, db), " ".join(argv))


def test_a_retry_after_a_failure_mid_batch_ends_as_one_clean_import(stores, monkeypatch):
    """The landing dies after its first batch of rows; the same import again lands under
    the same import id, and the store ends equal to the one imported in one go."""
    db, _ = stores
    url = _url()
    monkeypatch.setattr(ChdbEngine, "batch_rows", 200)
    real_load, calls = ChdbEngine.load, []

    def failing(self, table, frame):
        calls.append(table)
        if table == "usage_ledger" and calls.count("usage_ledger") == 2:
            raise RuntimeError("connection lost")
        real_load(self, table, frame)

    monkeypatch.setattr(ChdbEngine, "load", failing)
    code, _, err = cli(["import", FILES[0]], url, db)
    assert code == 4 and "did not finish landing as import #1" in err, err
    assert "Import the same file again" in err
    assert ledger_rows(url, db) == 200  # the first batch, with no report reading it
    assert read_json(["summary", "--by", "team"], url, db) == []
    code, _, err = cli(["import", *FILES], url, db)
    assert code == 0, err
    assert ledger_rows(url, db) == 2379
    imports = read_json(["imports"], url, db)
    assert [i["import_id"] for i in imports] == [1, 2, 3]
    clean = read_json(["summary", "--by", "team,month"], stores[1], db)
    # the clean store also holds the restated download (another test): compare with a
    # fresh DuckDB store of the example instead
    fresh = db.with_name("fresh.duckdb")
    assert cli(["import", *FILES], None, fresh)[0] == 0
    assert_same(
        read_json(["summary", "--by", "team,month"], None, fresh),
        read_json(["summary", "--by", "team,month"], url, db),
        "after the retry",
    )
    assert clean  # the module's store still answers


def test_a_change_other_than_an_import_is_refused_in_one_line(stores):
    """Removing an import is made on the DuckDB store (then copied), not on the engine."""
    db, url = stores
    code, _, err = cli(["imports", "--remove", "1"], url, db)
    assert code == 4 and "not on an engine yet" in err and "Traceback" not in err
    assert ledger_rows(url, db) >= 2379
