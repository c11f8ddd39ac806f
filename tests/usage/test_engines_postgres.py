"""The usage analytics on PostgreSQL give the figures DuckDB gives.

The server is the one `make test` starts (`PLANNER_TEST_POSTGRES_URL`), or, when pytest is
run by hand, a throwaway one started here by scripts/ensure_postgres.sh and stopped after.
Each run loads the example store into a schema of its own.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.usage.engine_helpers import assert_same_figures, statements
from usage.engines import engine_for
from usage.engines.load import copy_store

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure_postgres.sh"
STATEMENTS = statements()


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL URL: the configured one, or a server started here and stopped after."""
    url = os.environ.get("PLANNER_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"no PostgreSQL for the engine tests:\n{started.stderr}", pytrace=False)
    exports = dict(
        line.removeprefix("export ").replace("'", "").split("=", 1)
        for line in started.stdout.splitlines()
    )
    try:
        yield exports["PLANNER_TEST_POSTGRES_URL"]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", exports.get("PLANNER_TEST_POSTGRES_DIR", "")])


@pytest.fixture(scope="module")
def postgres(duck, postgres_url):
    engine = engine_for(postgres_url)
    schema = f"engines_{uuid.uuid4().hex[:8]}"
    engine.con.execute(f"CREATE SCHEMA {schema}")
    engine.con.execute(f"SET search_path TO {schema}")
    try:
        assert copy_store(duck, engine)["usage_ledger"] == 2379
        yield engine
    finally:
        engine.con.execute(f"DROP SCHEMA {schema} CASCADE")  # the test's own copy
        engine.close()


@pytest.mark.parametrize("what", STATEMENTS)
def test_every_analysis_gives_the_same_figures(what, duck, postgres):
    sql, params = STATEMENTS[what]
    assert_same_figures(duck.execute(sql, params).df(), postgres.run(sql, params), what)
