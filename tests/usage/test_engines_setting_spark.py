"""The engine is a setting, on Apache Spark SQL in local mode: with PLANNER_USAGE_URL set to
`spark://local[2]`, `python -m usage` imports the example's files onto Spark and every read
command prints what it prints on the DuckDB store that imported the same files.

Spark's tables here are the session's (temporary views): the store lives as long as this
process. Needs Java 17 (`apt-get install openjdk-17-jre-headless`). The retry after a
failed landing is the same code on every engine (usage.engines.landing) and is tested on
ClickHouse (test_engines_setting_clickhouse.py).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.usage.engine_cli import READS, assert_same, cli, ledger_rows, read_json
from tests.usage.ledger_fixtures import DAY, MODEL, costs_file
from usage.engines import setting
from usage.example import example_files

FILES = [str(p) for p in example_files()]
URL = "spark://local[2]"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    assert shutil.which("java"), "Spark needs Java 17: apt-get install openjdk-17-jre-headless"
    db = tmp_path_factory.mktemp("duck") / "usage.duckdb"
    for target in (None, URL):
        code, _, err = cli(["import", *FILES], target, db)
        assert code == 0, err
    yield db, URL
    engine = setting.store_engine(URL)
    setting.close_all()
    engine.spark.stop()


@pytest.mark.parametrize("what", READS)
def test_every_read_command_prints_what_duckdb_prints(what, stores):
    db, url = stores
    expected = read_json(READS[what], None, db)
    assert expected, f"{what}: DuckDB printed nothing to compare"
    assert_same(expected, read_json(READS[what], url, db), what)


def test_importing_again_adds_nothing_and_a_restatement_replaces(stores, tmp_path):
    db, url = stores
    assert ledger_rows(url, db) == ledger_rows(None, db) == 2379
    code, out, err = cli(["import", *FILES, "--json"], url, db)
    assert code == 0, err
    assert [r["already_imported"] for r in json.loads(out)] == [True] * len(FILES)
    assert ledger_rows(url, db) == 2379
    line = f"{MODEL}, input"
    first = costs_file(tmp_path / "costs.json", {(DAY, line): 3.50})
    again = costs_file(tmp_path / "costs_again.json", {(DAY, line): 2.00})
    found = {}
    for target in (None, url):
        for path in (first, again):
            code, out, err = cli(["import", str(path), "--json"], target, db)
            assert code == 0, err
        found[target] = json.loads(out)[0]
    assert found[None]["rows_restated"] == 1 and found[url] == found[None]
    for argv in (
        READS["summary by team and month"],
        ["reconcile", "--by", "day", "--from", "2026-10-01", "--to", "2026-10-01"],
    ):
        assert_same(read_json(argv, None, db), read_json(argv, url, db), " ".join(argv))
