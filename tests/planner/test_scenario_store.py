"""The shared scenario store against SQLite (a temp file) and a real PostgreSQL server.

PostgreSQL: PLANNER_TEST_POSTGRES_URL (set by `make test` through scripts/ensure_postgres.sh),
else this module starts a throwaway server with that script itself. No server is an error
with instructions, never a skip.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import state as S
from app.scenario_file import read_scenario, scenario_json
from foundation.errors import InputError
from planner.scenario_store import (
    CHANGED_ELSEWHERE,
    MIGRATIONS,
    ChangedElsewhere,
    ScenarioStore,
    database_url,
    describe,
    migrate,
    migrations_table,
    scenarios,
)
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ensure_postgres.sh"


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL URL: the configured one, or a server started here and stopped after."""
    url = os.environ.get("PLANNER_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"no PostgreSQL for the store tests:\n{started.stderr}", pytrace=False)
    exports = dict(
        line.removeprefix("export ").replace("'", "").split("=", 1)
        for line in started.stdout.splitlines()
    )
    try:
        yield exports["PLANNER_TEST_POSTGRES_URL"]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", exports.get("PLANNER_TEST_POSTGRES_DIR", "")])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = database_url({"PLANNER_SCENARIO_DB": str(tmp_path / "sub" / "scenarios.db")})
    else:
        url = database_url({"PLANNER_DATABASE_URL": request.getfixturevalue("postgres_url")})
    store = ScenarioStore(url)
    assert store.engine.dialect.name == request.param
    yield store
    with store.engine.begin() as conn:  # the PostgreSQL server is shared by the module
        conn.execute(scenarios.delete())
    store.close()


def test_urls_from_the_environment(tmp_path):
    assert database_url({"PLANNER_SCENARIO_DB": str(tmp_path / "s.db")}) == (
        f"sqlite:///{tmp_path / 's.db'}"
    )
    default = database_url({})
    assert default.startswith("sqlite:///") and "/data/" not in default
    assert database_url({"PLANNER_DATABASE_URL": "postgres://u:secret@db:5432/p"}) == (
        "postgresql+psycopg://u:secret@db:5432/p"
    )
    assert "secret" not in describe("postgresql+psycopg://u:secret@db:5432/p")


def test_save_list_get_rename_delete(store):
    first = store.save("Budget review", "Ana", '{"a": 1}')
    second = store.save("  Procurement\nQ3  ", "", '{"b": 2}')
    assert second.name == "Procurement Q3" and second.saved_by == "anonymous"
    assert len(first.id) >= 12 and first.id != second.id
    listed = store.entries()
    assert [e.id for e in listed] == [second.id, first.id]  # newest first
    assert listed[1].saved_by == "Ana"
    assert abs((listed[1].saved_at - datetime.now(UTC)).total_seconds()) < 60
    loaded = store.get(first.id)
    assert loaded is not None and json.loads(loaded.body) == {"a": 1}

    assert first.version == 1 and listed[1].version == 1
    assert store.rename(first.id, "Budget review (final)", 1) == 2
    assert store.get(first.id).name == "Budget review (final)"
    assert store.entries()[0].id == first.id  # renaming counts as a change
    assert store.entries()[0].version == 2
    store.delete(second.id, 1)
    assert [e.id for e in store.entries()] == [first.id]
    assert store.get(second.id) is None
    for gone in (lambda: store.delete(second.id, 1), lambda: store.rename(second.id, "x", 1)):
        with pytest.raises(ChangedElsewhere, match="deleted by someone else"):
            gone()


def test_a_change_since_the_version_read_is_refused_not_lost(store):
    saved = store.save("Plan", "Ana", "{}")
    assert store.rename(saved.id, "Ana's name", saved.version) == 2
    with pytest.raises(ChangedElsewhere, match=re.escape(CHANGED_ELSEWHERE)):
        store.rename(saved.id, "Ben's name", saved.version)  # Ben read version 1
    with pytest.raises(ChangedElsewhere, match=re.escape(CHANGED_ELSEWHERE)):
        store.delete(saved.id, saved.version)
    kept = store.get(saved.id)
    assert kept is not None and kept.name == "Ana's name" and kept.version == 2


def test_twenty_concurrent_renames_one_wins_nineteen_are_refused(store):
    saved = store.save("Plan", "Ana", "{}")
    start = threading.Barrier(20)

    def rename(k: int) -> str:
        start.wait()
        try:
            store.rename(saved.id, f"name {k}", saved.version)
        except ChangedElsewhere as exc:
            return exc.message
        return f"name {k}"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(rename, range(20)))
    won = [o for o in outcomes if o != CHANGED_ELSEWHERE]
    assert len(won) == 1 and outcomes.count(CHANGED_ELSEWHERE) == 19
    kept = store.get(saved.id)
    assert kept.name == won[0] and kept.version == 2  # the one that won is the one stored


def test_a_store_from_before_versions_is_migrated_with_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the table as first shipped, holding a scenario
        conn.execute(sa.text(
            "CREATE TABLE planner_scenarios (id VARCHAR(32) PRIMARY KEY, name VARCHAR(120) "
            "NOT NULL, saved_by VARCHAR(80) NOT NULL, saved_at DATETIME NOT NULL, "
            "updated_at DATETIME NOT NULL, body TEXT NOT NULL)"
        ))  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO planner_scenarios VALUES ('abc', 'Old', 'Ana', "
            "'2026-11-01 10:00:00', '2026-11-01 10:00:00', '{\"a\": 1}')"
        ))  # fmt: skip
    engine.dispose()
    store = ScenarioStore(url)
    old = store.get("abc")
    assert old is not None and old.name == "Old" and old.version == 1
    assert json.loads(old.body) == {"a": 1}
    assert store.rename("abc", "Renamed", 1) == 2
    with store.engine.connect() as conn:
        numbers = conn.execute(sa.select(migrations_table.c.number)).scalars().all()
    assert sorted(numbers) == sorted(MIGRATIONS)
    assert migrate(store.engine) == []  # a second start applies nothing
    store.close()


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [("", "{}", "name"), ("x" * 121, "{}", "name"), ("ok", "not json", "body")],
)
def test_bad_input_is_refused_with_its_field(store, name, body, field):
    with pytest.raises(InputError) as caught:
        store.save(name, "me", body)
    assert caught.value.field == field
    assert store.entries() == []


def test_a_whole_scenario_round_trips(store, catalog):
    state = {
        S.WORKLOAD_CSV: (ROOT / "data/workloads/example_enterprise.csv").read_text(),
        S.WORKLOAD_SOURCE: "example_enterprise.csv",
        S.BUDGET: 2000,
        S.QUALITY_SHIFT: -2,
        S.GROWTH: 4.0,
        S.PRICE_DECLINE: 20,
        S.OBJECTIVE: "min-cost",
        S.AS_OF: date(2026, 11, 23),
        S.VENDOR_SCENARIOS: [
            {"name": "List prices"},
            {"name": "Deal", "discounts_pct": {"openai": 20.0}, "commitments_usd": {"x-ai": 50}},
        ],
    }
    saved = store.save("Everything", "Ana", scenario_json(state, {}))
    back = read_scenario(
        store.get(saved.id).body, "stored", catalog.providers(), catalog.model_ids()
    )
    assert back.sliders == {S.BUDGET: 2000, S.QUALITY_SHIFT: -2, S.GROWTH: 4.0, "decline": 20}
    assert back.settings[S.OBJECTIVE] == "min-cost"
    assert back.vendor_scenarios[1]["discounts_pct"] == {"openai": 20.0}
    assert back.vendor_scenarios[1]["commitments_usd"] == {"x-ai": 50.0}
