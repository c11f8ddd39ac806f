"""Several people at once, in one process: sessions and threads read the store's snapshot
through cursors of the process's one connection to it while an import of a million rows runs
(no lock error, no file handle conflict, each read a committed state), and two imports at once
both land (the writer lock holds one while the other runs). Across processes:
test_concurrency_processes.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pricing.catalog import Catalog
from tests.usage.ledger_fixtures import DAY, MODEL, costs_file, usage_file
from usage import queries, sessions, store
from usage.importer import import_file

ROWS = 1_000_000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def big_csv(path: Path, rows: int) -> Path:
    """A generic CSV of `rows` gpt-4o requests, 1,000 input and 100 output tokens each, over
    the 28 first days of October 2026."""
    with path.open("w") as out:
        out.write("timestamp,model,provider,input_tokens,output_tokens,api_key\n")
        for i in range(rows):
            out.write(f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i // 60 % 60:02d}Z,"
                      f"{MODEL},openai,1000,100,key-{i % 50}\n")  # fmt: skip
    return path


def test_readers_see_committed_data_while_a_million_row_import_runs(catalog, tmp_path):
    db = tmp_path / "usage.duckdb"
    with sessions.session(db) as con:  # a small import first: readers have something to read
        store.ensure_prices(con, catalog)  # (on Oct 31: it outranks none of the CSV's rows)
        usage = usage_file(tmp_path / "u.json", {DAY + 30 * 86_400: (1_000_000, 100_000, 2)})
        import_file(con, usage, catalog)
    big = big_csv(tmp_path / "big.csv", ROWS)
    errors: list[BaseException] = []
    seen: list[float] = []
    done = threading.Event()

    def importer() -> None:
        try:
            with sessions.session(db) as con:
                result = import_file(con, big, catalog)
            assert result.rows_added == ROWS
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        sql = queries.summary_sql(["provider"])
        try:
            while not done.is_set():
                with sessions.reading(db) as con:
                    tokens = con.execute(f"SELECT sum(total_tokens) FROM ({sql})").fetchall()
                seen.append(tokens[0][0])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=importer)] + [
        threading.Thread(target=reader) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    assert not errors, errors
    # every read saw a whole committed state: before the import, or after it
    assert seen and set(seen) <= {1_100_000, 1_100_000 + ROWS * 1_100}
    with sessions.reading(db) as con:
        assert con.execute("SELECT sum(total_tokens) FROM costed_usage").fetchall() == [
            (1_100_000 + ROWS * 1_100,)]  # fmt: skip


def test_two_imports_at_once_both_land(catalog, tmp_path):
    db = tmp_path / "usage.duckdb"
    files = [
        usage_file(tmp_path / "usage.json", {DAY: (1_000_000, 100_000, 2)}),
        costs_file(tmp_path / "costs.json", {(DAY, f"{MODEL}, input"): 2.40}),
    ]
    results, errors = [], []

    def one(path: Path) -> None:
        try:
            with sessions.session(db) as con:
                results.append(import_file(con, path, catalog))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert sorted(r.import_id for r in results) == [1, 2]
    with sessions.session(db) as con:
        statuses = con.execute("SELECT source_format, status FROM usage_ledger ORDER BY 1")
        assert statuses.fetchall() == [("openai_costs", "counts"),
                                       ("openai_usage", "counts_tokens")]  # fmt: skip
        spend = con.execute("SELECT sum(cost_usd) FROM costed_usage").fetchall()[0][0]
    assert spend == pytest.approx(2.40)  # the same result in either order
