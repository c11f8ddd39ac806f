"""A store of every earlier layout opens with nothing lost; a store it cannot use is refused.

Each earlier store is built from the DDL and import statements of its time
(tests/usage/layouts/, written from the git history), filled with the illustrative example's
three exports (2,379 rows), a generic CSV with a repeated row, a cost export, attribution
rules and model aliases. Opening it with `store.connect` must keep every row, import, rule
and alias, give the natural keys and attribute ids this code computes for the same rows, and
cost it to the cent as a store built from the same files today.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from foundation.errors import StoreError
from pricing.catalog import Catalog
from tests.usage.helpers import FIXTURES
from usage import formats, migrations, queries, schema, store
from usage.example import example_files
from usage.importer import import_file
from usage.price_tables import ensure_prices, price_interval_rows
from usage.resolve import ModelIndex, resolve_model

LAYOUTS = Path(__file__).parent / "layouts"
FILES = [*example_files(), FIXTURES / "generic.csv", FIXTURES / "openai_costs.json"]
RULES = [  # priority, field, pattern, is_glob, team, task_class
    (1, "project", "proj_support", False, "customer-support", None),
    (2, "project", "proj_search", False, "search", "Internal knowledge Q&A"),
    (3, "workspace", "wrkspc_eng", False, "engineering", "Code review"),
    (4, "api_key", "apikey_drafts", False, "customer-support", "Support reply drafting"),
    (5, "api_key", "key_*", True, "unassigned-openai-keys", None),
    (6, "tag", "prod*", True, None, "Production traffic"),
]
ALIASES = [
    ("acme-finance-llm-v2", "openai", "gpt-5-mini"),
    ("mystery-model-x", "anthropic", "claude-haiku-4-5"),
]
PERSON_TABLES = ("imports", "attribution_rules", "model_aliases")
ROW_VALUES = f"row_id, import_id, source_format, {migrations.VALUE_COLUMNS}"
KEYED = f"import_id, source_format, attr_id, {migrations.VALUE_COLUMNS}"
CASES = {  # layout, store_meta of the time, whether the usage_row_ids sequence was kept
    "v1-c59535d": (1, {"schema_version": "1"}, True),
    "v1-bd80a7a": (1, {"view_version": "5d1f0c2a9e7b3d11"}, True),
    "v2-9e9a848": (2, {"view_version": "0b8e2f6c1a4d9e73"}, True),
    "v3-aa99205": (3, {"view_version": "c4a19e0d7f2b6a58"}, True),
    "v3-5b27d3f": (3, {"view_version": "7e3b5a0c9d1f2e64", "store_schema": "3"}, False),
    "v6": (6, {"view_version": "4b2cbaf0c0ffee00", "store_schema": "6"}, True),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def build(path: Path, case: str, catalog: Catalog) -> Path:
    """A store of the case's layout, filled as the code of its time filled it."""
    layout, meta, keeps_sequence = CASES[case]
    con = duckdb.connect(str(path))
    con.execute((LAYOUTS / f"v{layout}.sql").read_text())
    # derived: layouts 1 to 6 hold the first five columns and the sixteen token rates
    rates = [row[:21] for row in price_interval_rows(catalog)]
    intervals = pa.table({f"c{i}": column for i, column in enumerate(zip(*rates, strict=True))})
    con.register("intervals", intervals)
    con.execute("INSERT INTO price_intervals SELECT * FROM intervals")
    con.unregister("intervals")
    statements = [
        s for s in (LAYOUTS / f"v{layout}_import.sql").read_text().split(";\n") if "INSERT" in s
    ]
    for file in FILES:
        data = file.read_bytes()
        fmt, parsed = formats.parse(data, str(file))
        import_id = con.execute("SELECT nextval('import_ids')").fetchall()[0][0]
        con.register("staged_rows", parsed.to_arrow().append_column(
            "ordinal", pa.array(range(len(parsed)))))  # fmt: skip
        for sql in statements:
            con.execute(sql, [import_id, fmt] if "$2" in sql else [import_id])
        con.unregister("staged_rows")
        added = con.execute("SELECT count(*) FROM usage_rows WHERE import_id = ?", [import_id])
        con.execute(
            "INSERT INTO imports (import_id, file_name, file_hash, source_format, "
            "rows_in_file, rows_added, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [import_id, file.name, hashlib.sha256(data).hexdigest(), fmt, len(parsed),
             added.fetchall()[0][0], datetime(2026, 11, 2, 9, 30) + timedelta(hours=import_id)],
        )  # fmt: skip
    aliases = {raw: (provider, model) for raw, provider, model in ALIASES}
    index = ModelIndex.of(catalog)
    names = con.execute("SELECT DISTINCT raw_model, provider_hint FROM usage_rows").fetchall()
    for raw, hint in names:
        found = resolve_model(raw, hint, index, aliases)
        con.execute("INSERT INTO model_map VALUES (?, ?, ?, ?, ?)",
                    [raw, hint, found.provider, found.model, found.how])  # fmt: skip
    con.executemany("INSERT INTO attribution_rules VALUES (?, ?, ?, ?, ?, ?)", RULES)
    con.executemany("INSERT INTO model_aliases VALUES (?, ?, ?)", ALIASES)
    con.executemany("INSERT INTO store_meta VALUES (?, ?)", [*meta.items(), ("prices", "old")])
    if not keeps_sequence:
        con.execute("DROP SEQUENCE usage_row_ids")
    con.close()
    return path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, catalog):
    """case -> a store file of that case, built once; tests migrate copies of it."""
    built: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in built:
            folder = tmp_path_factory.mktemp(case)
            built[case] = build(folder / "usage.duckdb", case, catalog)
        return built[case]

    return get


def copy_of(pristine_path: Path, folder: Path) -> Path:
    target = folder / "usage.duckdb"
    shutil.copyfile(pristine_path, target)
    return target


def everything(con) -> dict[str, list[tuple]]:
    """A person's data as stored, in a fixed order (any layout)."""
    found = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in PERSON_TABLES}
    found["imports"] = [row[:7] for row in found["imports"]]  # layout 6 adds their history
    found["attribution_rules"] = [row[:6] for row in found["attribution_rules"]]  # + regex
    table = "usage_ledger" if "usage_ledger" in schema.table_names(con) else "usage_rows"
    rows = con.execute(f"SELECT {ROW_VALUES} FROM {table} ORDER BY ALL")  # every row kept
    found["usage_rows"] = rows.fetchall()
    return found


def whole_store(con) -> dict[str, object]:
    """Every table's columns and rows, the sequences and the views (any layout)."""
    found: dict[str, object] = {
        t: (con.execute(f"DESCRIBE {t}").fetchall(),
            con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall())
        for t in sorted(schema.table_names(con))
    }  # fmt: skip
    found["sequences"] = con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()
    found["views"] = con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal")
    found["views"] = found["views"].fetchall()
    return found


def cents(rows: list[tuple]) -> list[tuple]:
    return [tuple(round(v, 2) if isinstance(v, float) else v for v in row) for row in rows]


def costed(con) -> list[tuple]:
    """The costed summary by team and month, from the contract view and from the period
    sums the reports read."""
    view = con.execute(
        "SELECT team, strftime(day, '%Y-%m'), count(*), sum(total_tokens), sum(list_cost_usd), "
        "sum(cost_usd) FROM costed_usage GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    periods = con.execute(f"SELECT * FROM ({queries.summary_sql(['team', 'month'])}) ORDER BY ALL")
    return cents(view) + cents(periods.fetchall())


@pytest.fixture(scope="module")
def today(catalog):
    """The same files, rules and aliases imported by this code into a new store."""
    con = store.connect(":memory:")
    ensure_prices(con, catalog)
    for file in FILES:
        import_file(con, file, catalog)
    store.set_attribution_rules(con, [rule[1:3] + rule[4:] for rule in RULES])
    store.set_model_aliases(con, ALIASES, catalog)
    yield con
    con.close()


@pytest.mark.parametrize("case", CASES)
def test_every_earlier_layout_is_carried_forward(case, pristine, today, catalog, tmp_path,
                                                 caplog):  # fmt: skip
    layout = CASES[case][0]
    path = copy_of(pristine(case), tmp_path)
    with duckdb.connect(str(path)) as old:
        before, whole_before = everything(old), whole_store(old)
        ids = "SELECT row_id, attr_id FROM usage_rows ORDER BY 1" if layout >= 2 else None
        ids_before = old.execute(ids).fetchall() if ids else []
    assert len(before["usage_rows"]) > 2379 and len(before["imports"]) == len(FILES)

    con = store.connect(path)
    assert everything(con) == before
    assert schema.layout_of(con) == schema.LAYOUT
    for table in schema.table_names(today):  # the same tables and columns as a new store
        assert con.execute(f"DESCRIBE {table}").fetchall() == today.execute(
            f"DESCRIBE {table}").fetchall()  # fmt: skip
    if layout >= 2:  # unsigned 64-bit attribute ids (some above 2^63) become signed ones
        after = dict(con.execute(ids.replace("usage_rows", "usage_ledger")).fetchall())
        old_to_new = {(old, after[row]) for row, old in ids_before}
        assert len(old_to_new) == len({old for _, old in ids_before})  # one new id per old
        assert max(attr for _, attr in ids_before) > 2**63 > max(after.values())
    # natural keys: the stored 128-bit numbers, as 32 hex digits (the export's own key text
    # they were hashed from is not stored); a later import recognises them (next test)
    assert con.execute("SELECT count(*) FROM usage_ledger WHERE NOT regexp_matches("
                       "natural_key, '^[0-9a-f]{32}$')").fetchall() == [(0,)]  # fmt: skip
    # attribute ids and statuses as this code computes them for the same rows
    for sql in (f"SELECT {KEYED} FROM usage_ledger", "SELECT * FROM attributes",
                "SELECT source_format, status FROM usage_ledger"):  # fmt: skip
        assert con.execute(sql + " ORDER BY ALL").fetchall() == (
            today.execute(sql + " ORDER BY ALL").fetchall()
        )
    assert costed(con) == costed(today)  # from the stored prices, no catalog at hand
    ensure_prices(con, catalog)
    assert costed(con) == costed(today)

    [backup] = path.parent.glob(f"usage.duckdb.bak-v{layout}-*")
    assert str(backup) in caplog.text
    with duckdb.connect(str(backup), read_only=True) as kept:
        assert schema.layout_of(kept) == layout and whole_store(kept) == whole_before
    con.close()


def test_a_migrated_store_goes_on_importing(pristine, catalog, tmp_path):
    """The import id sequence continues; rows already stored (a keyless generic CSV
    exported again with one row more) are recognised."""
    con = store.connect(copy_of(pristine("v1-c59535d"), tmp_path))
    again = tmp_path / "generic_again.csv"
    extra = "2026-10-03T09:00:00Z,gpt-4o-2024-08-06,openai,10,0,0,10,1,,,,,,key-9,,,,\n"
    again.write_text((FIXTURES / "generic.csv").read_text() + extra)
    result = import_file(con, again, catalog)
    assert (result.import_id, result.rows_added) == (len(FILES) + 1, 1)
    con.close()


@pytest.mark.parametrize("case", ["v3-5b27d3f", "v6"])
def test_every_export_stored_before_layout_7_is_recognised(case, pristine, catalog, tmp_path):
    """Every file imported again (as a new download: another file hash) into a store keyed
    before layout 7 adds nothing (keyless rows and repeats included), and from layout 6
    restates nothing: each row is matched to its stored version."""
    con = store.connect(copy_of(pristine(case), tmp_path))
    rows = con.execute("SELECT count(*) FROM usage_rows").fetchall()
    for file in FILES:
        fmt, parsed = formats.parse(file.read_bytes(), str(file))
        again = store.store_rows(con, parsed, file_name=file.name, digest=f"again {file}",
                                 source_format=fmt, catalog=catalog)  # fmt: skip
        assert again.rows_added == 0, file.name
        if case == "v6":  # layout 3 knew fewer columns: its rows are restated with them
            assert again.rows_restated == 0 and again.rows_unchanged == len(parsed), file.name
    assert con.execute("SELECT count(*) FROM usage_rows").fetchall() == rows
    con.close()


def test_migrating_twice_is_a_no_op(pristine, tmp_path):
    path = copy_of(pristine("v3-5b27d3f"), tmp_path)
    store.connect(path).close()
    migrated = path.read_bytes()
    con = store.connect(path)
    assert schema.layout_of(con) == schema.LAYOUT
    con.close()
    assert path.read_bytes() == migrated
    assert len(list(tmp_path.glob("usage.duckdb.bak-*"))) == 1


@pytest.mark.parametrize("where", ["step", "refill"])
def test_a_failed_migration_leaves_the_store_as_it_was(where, pristine, tmp_path, monkeypatch):
    path = copy_of(pristine("v2-9e9a848"), tmp_path)
    with duckdb.connect(str(path)) as con:
        before = whole_store(con)

    def after(work):
        def fails(con):
            work(con)  # the work has been done when the failure comes
            raise RuntimeError("disk on fire")

        return fails

    if where == "step":
        monkeypatch.setitem(migrations.STEPS, 3, after(migrations.v3_to_v4))
    else:
        monkeypatch.setattr(store, "refill_from_stored", after(store.refill_from_stored))
    with pytest.raises(StoreError, match=r"disk on fire.*it is unchanged") as caught:
        store.connect(path)
    assert str(path) in str(caught.value)
    monkeypatch.undo()
    with duckdb.connect(str(path)) as con:  # (a rolled-back large insert may leave free
        assert whole_store(con) == before  # blocks in the file: same content, other bytes)
        assert schema.layout_of(con) == 2


def test_no_backup_no_migration(pristine, tmp_path, monkeypatch):
    path = copy_of(pristine("v3-aa99205"), tmp_path)

    def full(source, target):
        Path(target).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.shutil, "copyfile", full)
    with pytest.raises(StoreError, match=r"backup could not be written \(No space left on device"):
        store.connect(path)
    assert [p.name for p in tmp_path.iterdir()] == ["usage.duckdb"]  # no half-written copy
    with duckdb.connect(str(path)) as con:
        assert schema.layout_of(con) == 3


def test_a_newer_store_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "usage.duckdb"
    store.connect(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE store_meta SET value = ? WHERE key = 'store_schema'", [str(schema.LAYOUT + 1)]
        )
        con.execute("CREATE TABLE from_the_future (x INTEGER)")
    written = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        store.connect(path)
    assert f"written by a newer version of the planner (layout v{schema.LAYOUT + 1}; this " in (
        str(caught.value)
    )
    assert f"to v{schema.LAYOUT}): upgrade, or open another store" in str(caught.value)
    assert path.read_bytes() == written
    assert [p.name for p in tmp_path.iterdir()] == ["usage.duckdb"]


def test_a_corrupt_store_names_the_file_and_the_backup_beside_it(tmp_path):
    path = tmp_path / "usage.duckdb"
    path.write_bytes(b"not a database, " * 1000)
    with pytest.raises(StoreError) as caught:
        store.connect(path)
    assert str(caught.value).startswith(f"{path}: cannot be read as a usage store")
    assert "PLANNER_USAGE_DB or --db" in str(caught.value)
    backup = tmp_path / "usage.duckdb.bak-v3-20261201T101010Z"
    backup.write_bytes(b"")
    with pytest.raises(StoreError, match=f"The backup beside it, {backup}"):
        store.connect(path)


def test_a_damaged_block_is_a_store_error(tmp_path):
    path = tmp_path / "usage.duckdb"
    store.connect(path).close()
    data = bytearray(path.read_bytes())
    data[8192:12288] = os.urandom(4096)  # the first data block after the two headers
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=str(path)):
        store.connect(path)


def test_a_folder_a_fifo_or_a_file_as_folder_is_refused_at_once(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        store.connect(tmp_path)
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    caught: list[BaseException] = []

    def open_it():
        try:
            store.connect(fifo)
        except BaseException as exc:
            caught.append(exc)

    opener = threading.Thread(target=open_it, daemon=True)  # a hang must not hang the suite
    opener.start()
    opener.join(10)
    assert not opener.is_alive()
    assert isinstance(caught[0], StoreError) and "not a regular file" in str(caught[0])
    (tmp_path / "plain").write_text("x")
    with pytest.raises(StoreError, match="cannot be reached"):
        store.connect(tmp_path / "plain" / "usage.duckdb")


def test_a_permission_problem_says_so(tmp_path, monkeypatch):
    """As DuckDB reports a file it may not open (the tests run as root, who may open any)."""
    path = tmp_path / "usage.duckdb"

    def refuse(target, *args, **kwargs):
        raise duckdb.IOException(f'IO Error: Cannot open file "{target}": Permission denied')

    monkeypatch.setattr(store.duckdb, "connect", refuse)
    with pytest.raises(StoreError, match=r"permission denied\. Give this account read and"):
        store.connect(path)


def test_a_store_held_by_another_process_says_so(tmp_path, monkeypatch):
    path = tmp_path / "usage.duckdb"
    store.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.3)
        with pytest.raises(StoreError, match="another import or session holds this store"):
            store.connect(path)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_an_unknown_layout_marker_is_refused(tmp_path):
    path = tmp_path / "usage.duckdb"
    store.connect(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE store_meta SET value = 'four' WHERE key = 'store_schema'")
    with pytest.raises(StoreError, match="layout marker is 'four'"):
        store.connect(path)


def test_the_migrations_are_numbered_one_step_each():
    assert list(migrations.STEPS) == list(range(1, schema.LAYOUT))
    for number, step in migrations.STEPS.items():
        assert step.__name__ == f"v{number}_to_v{number + 1}" and step.__doc__


def test_a_layout_6_store_that_never_imported_migrates(tmp_path):
    """A store opened once and never imported into holds no prices either: its period sums
    are rebuilt with no long-context threshold. That once grouped by a bare 0, which SQL
    reads as a column position, and the whole migration failed, leaving every such store
    unopenable."""
    path = tmp_path / "usage.duckdb"
    con = duckdb.connect(str(path))
    con.execute((LAYOUTS / "v6.sql").read_text())
    con.executemany("INSERT INTO store_meta VALUES (?, ?)", list(CASES["v6"][1].items()))
    con.close()
    con = store.connect(path)
    assert schema.layout_of(con) == schema.LAYOUT
    assert con.execute("SELECT count(*) FROM usage_periods").fetchall() == [(0,)]
    con.close()
