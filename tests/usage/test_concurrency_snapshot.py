"""The pieces of several people at once (usage.snapshot, usage.sessions.reading/session): the
snapshot follows each change and only a change, a reader keeps the snapshot it opened, old
snapshots are pruned, the writer lock is re-entrant in a thread and makes another writer wait
with a sentence naming the import, a marker of an ended process is ignored, and a store that
cannot be read is a StoreError naming it, on the read path too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from foundation.errors import StoreError
from usage import sessions, snapshot

COUNT = "SELECT count(*) FROM settings"


def _save(db, value: str) -> None:
    with sessions.session(db) as con:
        con.execute("INSERT INTO settings VALUES ('rules', ?, 'me', now(), ?)",
                    [int(value), value])  # fmt: skip


def test_the_snapshot_follows_each_change_and_only_a_change(tmp_path):
    db = tmp_path / "usage.duckdb"
    with sessions.reading(db) as con:  # no snapshot yet: the first read makes one
        assert con.execute(COUNT).fetchone() == (0,)
    first = snapshot.current(db)
    assert first is not None and first.name == "usage.duckdb.snap-000001"
    with sessions.session(db):  # opened for writing, nothing changed: no copy
        pass
    assert snapshot.current(db) == first
    _save(db, "1")
    assert snapshot.current(db).name == "usage.duckdb.snap-000002"
    with sessions.reading(db) as con:
        assert con.execute(COUNT).fetchone() == (1,)
        with pytest.raises(Exception, match="read-only"):
            con.execute("DELETE FROM settings")


def test_a_reader_keeps_its_snapshot_while_newer_ones_replace_and_prune_it(tmp_path):
    db = tmp_path / "usage.duckdb"
    _save(db, "1")
    with sessions.reading(db) as old:
        for value in "234":
            _save(db, value)
        assert old.execute(COUNT).fetchone() == (1,)  # its file is gone, its inode is not
        with sessions.reading(db) as new:
            assert new.execute(COUNT).fetchone() == (4,)
    kept = sorted(p.name for p in tmp_path.glob("usage.duckdb.snap-*"))
    assert kept == ["usage.duckdb.snap-000003", "usage.duckdb.snap-000004"]  # KEEP = 2


def test_the_writer_lock_is_reentrant_and_another_writer_waits_naming_the_import(tmp_path):
    db = tmp_path / "usage.duckdb"
    told, order = [], []
    with snapshot.write_lock(db), snapshot.write_lock(db):  # the same thread: no deadlock
        marker = snapshot.Marker(db, "big.csv", "ana")
        marker.progress(120_000)

        def other() -> None:
            with snapshot.write_lock(db, told.append):
                order.append("other")

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive() and not order  # waiting, not failing
        order.append("first")
        marker.close()
    thread.join(timeout=60)
    assert order == ["first", "other"]
    assert len(told) == 1 and "waiting for the import of big.csv (120,000 rows so far)" in told[0]
    assert "by ana" in told[0]


def test_a_marker_left_by_an_ended_process_is_ignored(tmp_path):
    db = tmp_path / "usage.duckdb"
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    job = {"file": "x.csv", "rows": 5, "pid": int(ended.stdout), "user": "u", "started": "t"}
    snapshot.marker_path(db).write_text(json.dumps(job))
    assert snapshot.importing(db) is None
    snapshot.marker_path(db).write_text(json.dumps({**job, "pid": os.getpid()}))
    assert snapshot.importing(db).file == "x.csv"
    snapshot.marker_path(db).write_text("{not json")
    assert snapshot.importing(db) is None


def test_an_unreadable_store_is_a_store_error_naming_it_on_the_read_path(tmp_path):
    db = tmp_path / "usage.duckdb"
    db.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreError) as raised, sessions.reading(db):
        pass
    assert str(db) in str(raised.value) and "Move it aside" in str(raised.value)
