"""ClickHouse in-process (the `chdb` package): the same engine as a ClickHouse server, in
one process, for the tests and the benchmarks.

Everything but the transport (the DDL, the settings, deletes and updates) is
`usage.engines.clickhouse.ClickHouseSQL`, shared with a ClickHouse server.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid

import pandas as pd

from usage.engines import arrow_frame
from usage.engines.clickhouse import SETTINGS, ClickHouseSQL

_SHARED: dict[str, object] = {}  # chdb runs one embedded server per process: one session


def _session(path: str | None):
    """The process's chdb session (on `path`, or a temporary folder removed at exit); a
    second path in one process is refused by chdb itself."""
    if "session" not in _SHARED:
        from chdb import session

        folder = path or tempfile.mkdtemp(prefix="planner-chdb-")
        if path is None:
            atexit.register(shutil.rmtree, folder, True)
        _SHARED["session"] = session.Session(folder)
        for name, value in SETTINGS.items():
            _SHARED["session"].query(f"SET {name} = {value!r}")
    return _SHARED["session"]


class ChdbEngine(ClickHouseSQL):
    """One database of the process's chdb session. Engines made without a name (a test
    module each) get a database of their own, dropped on close, and do not see each
    other's tables; a named one (the engine setting's, `chdb:///folder?database=planner`)
    is the store itself and outlives the engine."""

    name = "ClickHouse (chdb)"

    def __init__(self, path: str | None = None, database: str | None = None):
        self.session = _session(path)
        self.owned = database is None
        self.database = database or f"planner_{uuid.uuid4().hex[:12]}"
        self.session.query(f"CREATE DATABASE IF NOT EXISTS {self.database}")

    def _in_database(self, sql: str, fmt: str = "CSV"):
        """A statement in ClickHouse's SQL, in this engine's database."""
        self.session.query(f"USE {self.database}")
        return self.session.query(sql, fmt)

    def query(self, sql: str) -> None:
        self._in_database(sql)

    def frame(self, sql: str) -> pd.DataFrame:
        return arrow_frame(self._in_database(sql, "ArrowTable"))

    def load(self, table: str, frame: pd.DataFrame) -> None:
        part = frame  # noqa: F841 (read by name by chdb's Python() table function)
        columns = ", ".join(frame.columns)
        self._in_database(f"INSERT INTO {table} ({columns}) SELECT * FROM Python(part)")

    def close(self) -> None:
        """Drop this engine's own database; the session lives as long as the process."""
        if self.owned:
            self.session.query(f"DROP DATABASE IF EXISTS {self.database}")
