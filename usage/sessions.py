"""Sessions of the usage store in several processes: writers one at a time on the file,
readers on its newest snapshot (`usage.snapshot` says how; `usage.store` opens and checks).

`session` is a writer: the OS lock, then a connection to the file, and when it ends what it
committed is published as the readers' snapshot. `reading` is a reader: a cursor of the
process's one read-only connection to the newest snapshot (DuckDB's MVCC gives each cursor a
consistent view), never waiting for a writer. A store changed outside a session (a bare
`usage.store.connect`) is caught up by the next reader when no writer holds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb

from foundation.errors import StoreError
from usage import ledger, schema, snapshot
from usage.schema import LAYOUT, meta
from usage.store import ANOTHER_STORE, _check_path, _unreadable, _views, connect, default_db_path

log = logging.getLogger(__name__)


@contextmanager
def session(path: str | Path | None = None, *, job: str | None = None, user: str | None = None,
            waiting: Callable[[str], None] | None = None,
            ) -> Iterator[duckdb.DuckDBPyConnection]:  # fmt: skip
    """The store for writing: its writer lock (another writer first: `waiting` is told whom
    this waits for, default the log), then a connection to the file; when the session ends
    what it committed is published as the readers' snapshot. `job` names the file an import
    reads, written to `<store>.importing` with `user` and the rows staged so far."""
    if str(path) == ":memory:":
        con = connect(":memory:")
        try:
            yield con
        finally:
            con.close()
        return
    target = Path(path or default_db_path()).absolute()
    _check_path(target)
    with snapshot.write_lock(target, waiting or log.warning):
        marker = snapshot.Marker(target, job, user) if job else None
        try:
            con = connect(target)
            try:
                with ledger.on_staged(marker.progress) if marker else nullcontext():
                    yield con
            finally:
                _publish(con, target)
        finally:
            if marker:
                marker.close()


def _publish(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Publish what the writer committed and close its connection; a snapshot that cannot
    be written leaves the readers on the one before (said in the log, the data is safe)."""
    try:
        snapshot.publish(con, target)
    except (OSError, duckdb.Error) as exc:
        log.warning("%s: its readers' snapshot could not be written (%s); they see the one "
                    "before until the next change", target, exc)  # fmt: skip
    finally:
        con.close()


class _Reader:
    """The process's read-only connection to one snapshot and how many sessions use it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, snap: Path):
        self.con, self.snap, self.users, self.retired = con, snap, 0, False


_OPEN: dict[Path, _Reader] = {}
_OPENING = threading.Lock()


@contextmanager
def reading(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor on the newest snapshot of the store at `path`: the last committed
    data, whatever another process is writing (sessions of a process share one connection
    per snapshot; an older one closes when its last session ends). A store with no snapshot
    yet, or one of an older layout, is opened for writing once to make it."""
    target = Path(path or default_db_path()).absolute()
    reader = _reader(target)
    try:
        cursor = reader.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
    finally:
        with _OPENING:
            reader.users -= 1
            if reader.retired and reader.users == 0:
                reader.con.close()


def _reader(target: Path) -> _Reader:
    for _ in range(3):  # a snapshot replaced between resolving and opening: look again
        snap = snapshot.current(target)
        if snap is not None and snapshot.behind(target, snap):
            snap = _catch_up(target, snap)
        with _OPENING:
            held = _OPEN.get(target)
            if held is not None and snap == held.snap:
                held.users += 1
                return held
        if snap is None or not _usable(snap):
            with session(target):  # the first snapshot, or one at the newest layout
                continue
        try:
            con = snapshot.open_snapshot(snap)
        except duckdb.IOException:
            continue
        except duckdb.Error as exc:
            raise _unreadable(snap, exc) from None
        return _adopt(target, _Reader(con, snap))
    raise StoreError(str(target), "its readers' snapshot keeps changing or cannot be made",
                     "Try again; if it persists, " + ANOTHER_STORE + ".")  # fmt: skip


def _catch_up(target: Path, snap: Path) -> Path:
    """The store changed since its snapshot: publish it now when no writer holds it (one
    that does publishes when it ends; until then the readers keep the snapshot they have)."""
    with snapshot.write_lock(target, wait=False) as free:
        if free:
            try:
                with session(target):
                    pass
            except StoreError as exc:  # held by a process outside the lock: keep the old
                log.warning("%s", exc)
    return snapshot.current(target) or snap


def _usable(snap: Path) -> bool:
    """Whether a snapshot is at this code's layout and views (else a writer redoes it)."""
    try:
        with snapshot.open_snapshot(snap) as con:
            return schema.layout_of(con) == LAYOUT and meta(con, "view_version") == _views()[2]
    except (duckdb.Error, schema.UnknownLayout):
        return False


def _adopt(target: Path, reader: _Reader) -> _Reader:
    """Make `reader` the process's connection to the store's snapshot (one already adopted
    by another thread wins), retiring the one before."""
    with _OPENING:
        held = _OPEN.get(target)
        if held is not None and held.snap == reader.snap:
            reader.con.close()
            reader = held
        else:
            _OPEN[target] = reader
            if held is not None:
                held.retired = True
                if held.users == 0:
                    held.con.close()
        reader.users += 1
        return reader
