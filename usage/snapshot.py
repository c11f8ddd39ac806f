"""Several processes on one store file: one writer at a time, readers on snapshots.

DuckDB lets one process at a time open a file for writing, so the store is shared across
processes this way (docs/decisions.md says why):

- A writer (an import, a removal, a saved setting, from the app or the command line) takes
  an OS lock, `flock` on `<store>.lock`. A second writer waits for it, saying whom it waits
  for, instead of failing after a timeout; the lock goes with the process, so a killed
  import never leaves it held. While it holds the lock an import writes `<store>.importing`
  (JSON: file, rows so far, pid, user, started) for the pages to show.
- After its last commit the writer checkpoints the file (the write-ahead log folded in) and
  publishes a copy of it: written as `<store>.snap-<N>.part`, fsynced, renamed to
  `<store>.snap-<N>`, and the symlink `<store>.read` swapped to it (a rename, so a reader
  finds the old snapshot or the new one, never half of one). Snapshots have a number in
  their name because DuckDB keeps one database per path in a process: a reader opening a
  new snapshot must not be handed the old one it still has open.
- Readers open the snapshot `read_only`, which any number of processes may do at once, and
  never touch the main file: an import elsewhere never makes them wait, and they see the
  last committed data. A reader with an old snapshot open keeps its inode after the writer
  deletes it; the writer keeps the newest KEEP of them so a reader that just resolved the
  link still finds its file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from usage.settings import current_user

KEEP = 2  # snapshots kept: the one in force and the one before (readers may still open it)
PROGRESS_EVERY_S = 1.0  # how often an import rewrites its marker with the rows so far

_held = threading.local()  # {store path: depth}: this thread's writer locks (re-entrant)


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def marker_path(target: Path) -> Path:
    return target.with_name(target.name + ".importing")


def pointer_path(target: Path) -> Path:
    return target.with_name(target.name + ".read")


@dataclass(frozen=True)
class Importing:
    """An import under way in some process: what the pages and a waiting writer say."""

    file: str
    rows: int
    pid: int
    user: str
    started: str  # ISO 8601, UTC, to the second

    def sentence(self) -> str:
        """'big.csv (1,200,000 rows so far), started 2026-12-03 19:40 UTC by ana'."""
        when = self.started.replace("T", " ")[:16] + " UTC"
        rows = f" ({self.rows:,} rows so far)" if self.rows else ""
        return f"{self.file}{rows}, started {when} by {self.user}"


def importing(target: Path) -> Importing | None:
    """The import under way on this store, or None (no marker, an unreadable one, or one left
    by a process that has ended)."""
    try:
        found = Importing(**json.loads(marker_path(target).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return found if _alive(found.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process: it exists
        return True
    return True


@contextlib.contextmanager
def write_lock(target: Path, waiting: Callable[[str], None] | None = None, *,
               wait: bool = True) -> Iterator[bool]:  # fmt: skip
    """Hold the store's writer lock (re-entrant in a thread) and yield True. When another
    process or thread holds it, `waiting` is told once, in a sentence, then this waits as
    long as it takes; with `wait=False` it yields False at once instead, holding nothing."""
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    key = str(target)
    if depth.get(key):
        depth[key] += 1
        try:
            yield True
        finally:
            depth[key] -= 1
        return
    fd = os.open(lock_path(target), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if waiting is not None:
                waiting(_waiting_sentence(target))
            fcntl.flock(fd, fcntl.LOCK_EX)
        depth[key] = 1
        try:
            yield True
        finally:
            depth[key] = 0
    finally:
        os.close(fd)  # releases the lock


def _waiting_sentence(target: Path) -> str:
    job = importing(target)
    held = f"the import of {job.sentence()}" if job else "another import or change"
    return f"{target}: waiting for {held} to finish..."


class Marker:
    """`<store>.importing` for one import: written when it starts, rewritten with the rows
    so far at most every PROGRESS_EVERY_S, removed when it ends."""

    def __init__(self, target: Path, file: str, user: str | None = None):
        self.path, self.last, self.rows = marker_path(target), 0.0, 0
        started = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
        self.job = Importing(file, 0, os.getpid(), user or _os_user(), started)
        self._write(self.job)

    def progress(self, rows: int) -> None:
        if self.rows == 0 or time.monotonic() - self.last >= PROGRESS_EVERY_S:
            self.rows = rows
            self._write(Importing(**{**asdict(self.job), "rows": rows}))

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self, job: Importing) -> None:
        self.last = time.monotonic()
        part = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        part.write_text(json.dumps(asdict(job)))
        os.replace(part, self.path)


def _os_user() -> str:
    """The command line's "who" (`usage.settings.current_user`), or the uid it has no name for."""
    return current_user() or f"uid {os.getuid()}"


# -- snapshots -------------------------------------------------------------------------------


def current(target: Path) -> Path | None:
    """The snapshot in force (the file `<store>.read` links to), or None before the first."""
    try:
        name = os.readlink(pointer_path(target))
    except (FileNotFoundError, OSError):
        return None
    return target.with_name(name)


def publish(con: duckdb.DuckDBPyConnection, target: Path, *, again: bool = False) -> Path:
    """Checkpoint the store (its writer's connection `con`, under the writer lock) and make a
    copy of it the snapshot in force; the older ones past KEEP are deleted. A store unchanged
    since the snapshot in force (an unchanged store stays byte-identical, and the copy
    carries the store's modification time) is not copied again, unless `again`: a report
    costs no copy."""
    con.execute("CHECKPOINT")
    before = current(target)
    stored = target.stat()
    if before is not None and not again and _same_file_time(before, stored):
        return before
    number = int(before.name.rsplit("-", 1)[1]) + 1 if before else 1
    snap = target.with_name(f"{target.name}.snap-{number:06d}")
    part = snap.with_name(snap.name + ".part")
    try:
        shutil.copyfile(target, part)
        os.utime(part, ns=(stored.st_atime_ns, stored.st_mtime_ns))
        with open(part, "rb") as copied:
            os.fsync(copied.fileno())
        os.replace(part, snap)
        link = pointer_path(target).with_name(f"{pointer_path(target).name}.{os.getpid()}.part")
        link.unlink(missing_ok=True)
        link.symlink_to(snap.name)
        os.replace(link, pointer_path(target))
        _fsync_folder(target.parent)
    finally:
        part.unlink(missing_ok=True)
    _prune(target, number)
    return snap


def behind(target: Path, snap: Path) -> bool:
    """Whether the store changed since `snap` was copied from it: written by a connection
    that published nothing (`usage.store.connect` used directly, an older version)."""
    try:
        return not _same_file_time(snap, target.stat())
    except OSError:
        return False


def _same_file_time(snap: Path, stored: os.stat_result) -> bool:
    try:
        found = snap.stat()
    except OSError:
        return False
    return (found.st_size, found.st_mtime_ns) == (stored.st_size, stored.st_mtime_ns)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(target: Path, newest: int) -> None:
    for old in target.parent.glob(f"{target.name}.snap-*"):
        tail = old.name.rsplit("-", 1)[1]
        if tail.isdigit() and int(tail) <= newest - KEEP:
            old.unlink(missing_ok=True)


def open_snapshot(snap: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a snapshot (many processes may hold one at once)."""
    return duckdb.connect(str(snap), read_only=True)
