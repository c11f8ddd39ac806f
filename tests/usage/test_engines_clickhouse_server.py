"""A ClickHouse server by URL (`clickhouse://user:password@host:8123/db`), tested up to the
wire: no ClickHouse server runs on this machine (none can be installed from the package
registries it reaches; Debian's is 18.16, years too old for these statements), so
clickhouse-connect's client is replaced by one that runs what the engine sends on chdb, the
same ClickHouse in-process. What is proved: the URL's parts reach the client, every
statement the engine sends for an import and for the reports is ClickHouse SQL that
ClickHouse runs, with DuckDB's figures; what is not: the HTTP transport itself (that is
clickhouse-connect's), and a cluster's Distributed tables.
"""

from __future__ import annotations

import pytest

from tests.usage.engine_cli import READS, assert_same, cli, read_json
from usage.engines import setting
from usage.engines.chdb import ChdbEngine
from usage.engines.clickhouse import SETTINGS, ClickHouseEngine, server_settings
from usage.example import example_files

URL = "clickhouse://planner:s3cret@ch.example:8123/usage"


class ChdbWire:
    """clickhouse-connect's Client as the engine uses it, answered by chdb."""

    def __init__(self, **settings):
        self.settings = settings
        self.sent: list[str] = []
        self.chdb = ChdbEngine()  # a database of its own

    def command(self, sql: str) -> None:
        self.sent.append(sql)
        self.chdb.query(sql)

    def query_arrow(self, sql: str):
        self.sent.append(sql)
        return self.chdb._in_database(sql, "ArrowTable")

    def insert_df(self, table: str, frame) -> None:
        self.sent.append(f"INSERT INTO {table} ({len(frame)} rows)")
        self.chdb.load(table, frame)

    def close(self) -> None:
        self.chdb.close()


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    """The example imported by the CLI onto the "server", and into a DuckDB store."""
    import clickhouse_connect

    wires: list[ChdbWire] = []
    patch = pytest.MonkeyPatch()
    patch.setattr(clickhouse_connect, "get_client", lambda **kw: wires.append(ChdbWire(**kw))
                  or wires[-1])  # fmt: skip
    db = tmp_path_factory.mktemp("duck") / "usage.duckdb"
    for target in (None, URL):
        code, _, err = cli(["import", *map(str, example_files())], target, db)
        assert code == 0, err
    yield db, wires
    setting.close_all()
    patch.undo()


def test_the_url_reaches_the_client():
    assert server_settings(URL) == {
        "host": "ch.example", "port": 8123, "username": "planner", "password": "s3cret",
        "database": "usage", "secure": False, "settings": SETTINGS,
    }  # fmt: skip
    tls = server_settings("clickhouses://ch.example/")
    assert (tls["port"], tls["secure"], tls["username"], tls["database"]) == (
        8443, True, "default", "default")  # fmt: skip


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(tmp_path):
    """Before `wired` replaces the client: the real clickhouse-connect, a closed port."""
    code, out, err = cli(["summary", "--json"], "clickhouse://planner:s3cret@127.0.0.1:9/db",
                         tmp_path / "unused.duckdb")  # fmt: skip
    assert code == 4 and out == ""
    assert "planner:***@127.0.0.1:9" in err and "s3cret" not in err
    assert "Traceback" not in err


def test_an_import_and_the_reports_on_the_server_give_duckdbs_figures(wired):
    db, wires = wired
    assert len(wires) == 1 and wires[0].settings == server_settings(URL)
    assert isinstance(setting.store_engine(URL), ClickHouseEngine)
    for what in ("summary by team and month", "reconcile by month", "budgets"):
        assert_same(read_json(READS[what], None, db), read_json(READS[what], URL, db), what)
    sent = "\n".join(wires[0].sent)
    assert "ALTER TABLE usage_ledger UPDATE status = " in sent  # the landing's statuses
    assert "INSERT INTO usage_ledger (" in sent and "INSERT INTO imports (" in sent
    assert "Python(" not in sent  # chdb's own table function never reaches a server
