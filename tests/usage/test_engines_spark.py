"""The usage analytics on Apache Spark SQL (local mode) give the figures DuckDB gives.

One SparkSession for the module (it takes seconds to start: a JVM); the example store is
built by DuckDB, loaded into Spark (`usage.engines.load.copy_store`) and every analysis is
run on both from the one statement each sends, compiled by SQLGlot. Spark needs Java 17 or
newer (`/usr/bin/java` on the machine image; `apt-get install openjdk-17-jre-headless`).
"""

from __future__ import annotations

import shutil

import pytest

from tests.usage.engine_helpers import assert_same_figures, statements
from usage import daily, value
from usage.engines import EngineConnection
from usage.engines.load import copy_store
from usage.engines.spark import SparkEngine

STATEMENTS = statements()


@pytest.fixture(scope="module")
def spark(duck):
    assert shutil.which("java"), "Spark needs Java 17: apt-get install openjdk-17-jre-headless"
    engine = SparkEngine("spark://local[2]")
    loaded = copy_store(duck, engine)
    assert loaded["usage_ledger"] == 2379
    yield engine
    engine.spark.stop()


@pytest.mark.parametrize("what", STATEMENTS)
def test_every_analysis_gives_the_same_figures(what, duck, spark):
    sql, params = STATEMENTS[what]
    assert_same_figures(duck.execute(sql, params).df(), spark.run(sql, params), what)


def test_the_analyses_run_unchanged_on_an_engine_connection(duck, spark):
    on_engine = EngineConnection(spark)
    for read in (daily.load_daily, value.monthly_spend):
        assert_same_figures(read(duck), read(on_engine), read.__name__)
