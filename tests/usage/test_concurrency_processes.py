"""Several people at once, across processes: a command-line import paused mid-transaction
(tests/usage/paused_import.py) while readers in five other processes and the Actual spend
page read the store (the last committed data, no lock error, the page says an import is in
progress), a second import waits for the first and says so, and two imports at once land
with the same result in either order. The real 5-million-row run is scripts/bench_together.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from tests.usage.ledger_fixtures import DAY, MODEL, costs_file, spend, tokens, usage_file
from tests.usage.test_store_concurrency import big_csv
from usage import sessions, snapshot
from usage.importer import import_file

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300_000  # about 20 MB of CSV: three parts, so the pause falls inside the transaction
DEADLINE_S = 600  # a broken run fails after this, rather than hang (not a speed check)
READER = """
import sys
from usage import sessions
for _ in range(5):
    with sessions.reading(sys.argv[1]) as con:
        print(con.execute("SELECT sum(total_tokens) FROM costed_usage").fetchone()[0])
"""


def _python(args: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip


def _paused_import(db: Path, file: Path, flags: Path) -> subprocess.Popen:
    flags.mkdir()
    args = ["-m", "tests.usage.paused_import", str(flags), "import", str(file), "--db", str(db)]
    return _python(args, flags / "log")


def _until(done, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not done():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def _finished(process: subprocess.Popen, log: Path) -> str:
    assert process.wait(timeout=DEADLINE_S) == 0, log.read_text()
    return log.read_text()


def test_readers_in_other_processes_read_while_an_import_is_paused_in_its_transaction(
    catalog, tmp_path, monkeypatch
):
    db = tmp_path / "usage.duckdb"
    with sessions.session(db) as con:  # a first import: Oct 31 (it outranks none of the CSV)
        import_file(con, usage_file(tmp_path / "u.json", {DAY + 30 * 86_400: (1e6, 1e5, 2)}),
                    catalog)  # fmt: skip
    before = 1_100_000
    big, flags = big_csv(tmp_path / "big.csv", ROWS), tmp_path / "flags"
    first = _paused_import(db, big, flags)
    _until((flags / "paused").exists, "the import paused after its first part")

    job = snapshot.importing(db)
    assert job is not None and (job.file, job.pid) == ("big.csv", first.pid)
    assert 0 < job.rows == int((flags / "paused").read_text()) < ROWS
    second_log = tmp_path / "second.log"
    later = usage_file(tmp_path / "later.json", {DAY + 29 * 86_400: (2e6, 0, 1)})
    second = _python(["-m", "usage", "import", str(later), "--db", str(db)], second_log)
    _until(lambda: "waiting for the import of big.csv" in second_log.read_text(),
           "the second import said whom it waits for")  # fmt: skip

    readers = [_python(["-c", READER, str(db)], tmp_path / f"r{i}.log") for i in range(5)]
    for i, reader in enumerate(readers):  # the last committed data, five times each
        assert _finished(reader, tmp_path / f"r{i}.log").split() == [f"{before:.1f}"] * 5
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception and not at.error
    assert at.radio(key=S.WORKSPACE).value != "Illustrative example"
    busy = [i.value for i in at.info if "An import is in progress" in i.value]
    assert busy and "big.csv" in busy[0] and job.user in busy[0]

    (flags / "go").touch()
    assert "300,000 rows added" in _finished(first, flags / "log")
    assert "1 rows added" in _finished(second, second_log)
    assert snapshot.importing(db) is None
    with sessions.reading(db) as con:
        assert tokens(con) == before + ROWS * 1_100 + 2_000_000
    at.run()
    assert not at.exception and not [i for i in at.info if "in progress" in i.value]


def _both_at_once(db: Path, first: Path, second: Path, flags: Path) -> tuple:
    """Import `first` (paused in its transaction) and `second` (started meanwhile, so it
    waits); what counts afterwards."""
    paused = _paused_import(db, first, flags)
    _until((flags / "paused").exists, "the first import paused")
    log = flags / "second.log"
    waiting = _python(["-m", "usage", "import", str(second), "--db", str(db)], log)
    _until(lambda: "waiting for the import of" in log.read_text(), "the second waited")
    (flags / "go").touch()
    _finished(paused, flags / "log")
    _finished(waiting, log)
    with sessions.reading(db) as con:
        statuses = con.execute("SELECT source_format, status FROM usage_ledger ORDER BY 1")
        return statuses.fetchall(), round(spend(con), 9), tokens(con)


def test_two_imports_from_two_processes_land_with_the_same_result_in_either_order(tmp_path):
    usage = usage_file(tmp_path / "usage.json", {DAY: (1_000_000, 100_000, 2)})
    costs = costs_file(tmp_path / "costs.json", {(DAY, f"{MODEL}, input"): 2.40})
    one_way = _both_at_once(tmp_path / "a.duckdb", usage, costs, tmp_path / "a")
    other_way = _both_at_once(tmp_path / "b.duckdb", costs, usage, tmp_path / "b")
    assert one_way == other_way
    assert one_way[0] == [("openai_costs", "counts"), ("openai_usage", "counts_tokens")]
    assert one_way[1] == pytest.approx(2.40)  # the cost line is what was spent
