"""What the engine tests share: the example's store, built by DuckDB, that each engine's
figures are compared with (one per test module, as each module loads it into its engine)."""

from __future__ import annotations

import pytest

from usage import store
from usage.example import ensure_example


@pytest.fixture(scope="module")
def duck(catalog):
    con = store.connect(":memory:")
    assert ensure_example(con, catalog)
    yield con
    con.close()
