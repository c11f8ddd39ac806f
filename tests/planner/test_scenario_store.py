"""The shared scenario store against SQLite (a temp file) and a real PostgreSQL server.

PostgreSQL: PLANNER_TEST_POSTGRES_URL (set by `make test` through scripts/ensure_postgres.sh),
else this module starts a throwaway server with that script itself. No server is an error
with instructions, never a skip.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import state as S
from app.scenario_file import read_scenario, scenario_json
from foundation.errors import InputError, StoreError
from planner import scenario_store
from planner.audit_trail import VIA_COMMAND, audit
from planner.scenario_store import (
    CHANGED_ELSEWHERE,
    ChangedElsewhere,
    ScenarioStore,
    database_url,
    describe,
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
        conn.execute(audit.delete())
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
        layout = conn.execute(sa.select(scenario_store.versions.c.version)).scalar_one()
    assert layout == scenario_store.LAYOUT
    store.close()
    again = ScenarioStore(url)  # a second start applies nothing and keeps the rename
    assert again.get("abc").name == "Renamed" and again.get("abc").version == 2
    again.close()


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


# -- owners, private scenarios and the audit trail -------------------------------------------


def test_each_change_is_in_the_audit_trail_with_who_when_and_the_old_and_new_value(store):
    saved = store.save("Plan", "Ana <ana@x.org>", "{}", owner="ana@x.org")
    store.rename(saved.id, "Plan B", 1, who="Ana <ana@x.org>")
    store.delete(saved.id, 2, who="Root <root@x.org>")
    store.record("Fi <fi@x.org>", "set budgets", "budgets.csv", "the example", "Using budgets.csv")
    with pytest.raises(ChangedElsewhere):  # a refused change writes no row
        store.rename(saved.id, "Plan C", 2, who="Bo")
    rows = [(r.who, r.via, r.action, r.target, r.old_value, r.new_value)
            for r in reversed(store.audit_trail())]  # fmt: skip
    assert rows == [
        ("Ana <ana@x.org>", "app", "scenario saved", f"Plan ({saved.id})", None, "shared"),
        ("Ana <ana@x.org>", "app", "scenario renamed", saved.id, "Plan", "Plan B"),
        ("Root <root@x.org>", "app", "scenario deleted", saved.id, "Plan B", None),
        ("Fi <fi@x.org>", "app", "set budgets", "budgets.csv", "the example",
         "Using budgets.csv"),
    ]  # fmt: skip
    newest = store.audit_trail(limit=1)
    assert len(newest) == 1 and newest[0].action == "set budgets"
    assert abs((newest[0].at - datetime.now(UTC)).total_seconds()) < 60


def test_a_private_scenario_is_listed_and_opened_only_for_its_owner(store):
    private = store.save("Mine", "Ana", "{}", owner="ana@x.org", shared=False)
    shared = store.save("Ours", "Bo", "{}", owner="bo@x.org")
    assert {e.id for e in store.entries("ana@x.org")} == {private.id, shared.id}
    assert [e.id for e in store.entries("bo@x.org")] == [shared.id]
    assert store.get(private.id, "bo@x.org") is None
    assert store.get(private.id, "ana@x.org").owner == "ana@x.org"
    assert {e.id for e in store.entries()} == {private.id, shared.id}  # admins: None


def test_the_command_line_records_the_operating_system_user(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setattr(scenario_store.getpass, "getuser", lambda: "ops-ana")
    scenario_store.record_command("remove an import", "openai.csv", "imported", None)
    store = ScenarioStore(database_url())
    try:
        [row] = store.audit_trail()
    finally:
        store.close()
    assert (row.who, row.via, row.action, row.target) == (
        "ops-ana",
        VIA_COMMAND,
        "remove an import",
        "openai.csv",
    )
    done = subprocess.run(
        [sys.executable, "-m", "planner", "audit", "--json"], cwd=ROOT, capture_output=True,
        text=True, timeout=120, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [printed] = json.loads(done.stdout)["audit_trail"]
    assert printed["who"] == "ops-ana" and printed["via"] == "command line"
    done = subprocess.run(
        [sys.executable, "-m", "planner", "audit"], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0] == "at,who,via,action,target,old_value,new_value"
    assert lines[1].endswith(",ops-ana,command line,remove an import,openai.csv,imported,")


def test_usage_commands_record_their_writes_with_the_os_user(tmp_path, monkeypatch):
    from usage.cli import main as usage_main

    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setattr(scenario_store.getpass, "getuser", lambda: "ops-bo")
    db = str(tmp_path / "usage.duckdb")
    export = ROOT / "tests/fixtures/usage/generic.csv"
    rules = ROOT / "data/usage_example/attribution_rules.csv"
    assert usage_main(["import", "--db", db, str(export)]) == 0
    assert usage_main(["rules", "--db", db, str(rules)]) == 0
    assert usage_main(["imports", "--db", db, "--remove", "1"]) == 0
    store = ScenarioStore(database_url())
    try:
        trail = [(r.who, r.via, r.action, r.target) for r in reversed(store.audit_trail())]
    finally:
        store.close()
    assert trail == [
        ("ops-bo", VIA_COMMAND, "import usage", str(export)),
        ("ops-bo", VIA_COMMAND, "set attribution rules", str(rules)),
        ("ops-bo", VIA_COMMAND, "remove an import", "import #1"),
    ]


def test_eval_samples_kept_on_the_command_line_are_in_the_trail(tmp_path, monkeypatch):
    # Kept per-sample results rate everyone's cascades: kept from the CLI, recorded as the
    # app records its kept imports.
    from planner.cli import main as planner_main

    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(scenario_store.getpass, "getuser", lambda: "ops-cy")
    evals = str(ROOT / "data/evals/ticket-triage.eval")
    mapping = str(ROOT / "data/evals/mapping.csv")
    argv = ["quality", "--evals", evals, "--eval-mapping", mapping]
    assert planner_main(argv) == 0  # figures only: nothing kept, nothing recorded
    assert planner_main([*argv, "--keep-samples"]) == 0
    [kept] = (tmp_path / "data" / "ai-spend-planner" / "evals").glob("*.csv")
    store = ScenarioStore(database_url())
    try:
        trail = [(r.who, r.via, r.action, r.target, r.new_value) for r in store.audit_trail()]
    finally:
        store.close()
    assert trail == [
        ("ops-cy", VIA_COMMAND, "keep eval results for everyone", evals,
         f"kept 40 samples in {kept}"),
    ]  # fmt: skip


def test_a_layout_2_store_gets_owners_and_the_trail_and_keeps_its_rows(tmp_path):
    path = tmp_path / "scenarios.db"
    url = _old_database(path)
    with sqlite3.connect(path) as db:  # layout 2, as the previous version left it
        db.execute("ALTER TABLE planner_scenarios ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        db.execute("CREATE TABLE planner_schema_version (id INTEGER PRIMARY KEY, version "
                   "INTEGER NOT NULL)")  # fmt: skip
        db.execute("INSERT INTO planner_schema_version VALUES (1, 2)")
    db.close()
    store = ScenarioStore(url)
    try:
        listed = store.entries()
        assert len(listed) == len(SAVED)
        assert {(e.owner, e.shared) for e in listed} == {("", True)}  # shared, no owner
        assert store.entries("anyone@x.org") == listed
        assert store.audit_trail() == []
    finally:
        store.close()
    assert _version(path) == [(1, 3)]


# -- the layout version (SQLite; the same code runs on PostgreSQL) ---------------------------

LAYOUT_1 = """CREATE TABLE planner_scenarios (
    id VARCHAR(32) NOT NULL, name VARCHAR(120) NOT NULL, saved_by VARCHAR(80) NOT NULL,
    saved_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (id))"""  # what metadata.create_all wrote before the version table (8ef762c)
SAVED = [
    ("aB3dE5gH7jK9", "Budget review", "Ana", "2026-11-02 09:30:00.000000", '{"a": 1}'),
    ("Zy8xW6vU4tS2", "Procurement Q3", "anonymous", "2026-11-03 14:05:10.250000", '{"b": 2}'),
    ("Qr1sT3uV5wX7", "Deal with x-ai", "Bo", "2026-11-04 08:00:00.000000", '{"c": [1, 2]}'),
]


def _old_database(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute(LAYOUT_1)
        db.executemany(
            "INSERT INTO planner_scenarios VALUES (?, ?, ?, ?, ?, ?)",
            [(i, name, who, at, at, body) for i, name, who, at, body in SAVED],
        )
    db.close()
    return f"sqlite:///{path}"


def _version(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT id, version FROM planner_schema_version").fetchall()
    db.close()
    return found


def _columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        found = [row[1] for row in db.execute("PRAGMA table_info(planner_scenarios)")]
    db.close()
    return found


def test_a_database_from_before_the_version_table_keeps_every_scenario(tmp_path):
    path = tmp_path / "scenarios.db"
    store = ScenarioStore(_old_database(path))
    try:
        listed = {e.id: e for e in store.entries()}
        assert sorted(listed) == sorted(i for i, *_ in SAVED)
        for scenario_id, name, who, at, body in SAVED:
            loaded = store.get(scenario_id)
            assert (loaded.name, loaded.saved_by, loaded.body) == (name, who, body)
            assert loaded.saved_at == datetime.fromisoformat(at).replace(tzinfo=UTC)
    finally:
        store.close()
    assert _version(path) == [(1, scenario_store.LAYOUT)]
    written = path.read_bytes()
    ScenarioStore(f"sqlite:///{path}").close()  # already at the layout: nothing to write
    assert path.read_bytes() == written


def test_a_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "scenarios.db"
    ScenarioStore(_old_database(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE planner_schema_version SET version = ?", [scenario_store.LAYOUT + 1])
    db.close()
    written = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        ScenarioStore(f"sqlite:///{path}")
    assert str(caught.value).startswith(f"SQLite file {path}: this store was written by a newer")
    assert f"(layout v{scenario_store.LAYOUT + 1}; this version reads up to " in str(caught.value)
    assert path.read_bytes() == written


def _add_note(conn):
    """Layout 3 -> 4 (a step for the test): a free-text note on each scenario."""
    conn.execute(scenario_store.sa.text("ALTER TABLE planner_scenarios ADD COLUMN note TEXT"))


def test_a_step_runs_once_forward_and_a_failed_one_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "scenarios.db"
    url = _old_database(path)
    monkeypatch.setattr(scenario_store, "LAYOUT", 4)

    def fails(conn):
        _add_note(conn)
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(scenario_store.MIGRATIONS, 3, fails)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ScenarioStore(url)
    columns = _columns(path)  # every ALTER (the real steps 1 and 2 and this one) rolled back
    assert "note" not in columns and "version" not in columns and "owner" not in columns
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM planner_scenarios").fetchall() == [(3,)]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert tables == {"planner_scenarios"}

    monkeypatch.setitem(scenario_store.MIGRATIONS, 3, _add_note)
    ScenarioStore(url).close()
    ScenarioStore(url).close()  # at layout 4 now: the steps do not run again
    assert _columns(path)[-4:] == ["version", "owner", "shared", "note"]
    assert _version(path) == [(1, 4)]
    store = ScenarioStore(url)
    assert len(store.entries()) == len(SAVED)
    store.close()
