"""What the engine-setting tests share: `python -m usage` run in-process with or without
PLANNER_USAGE_URL, the read commands the brief names, and "the same output" (JSON equal,
numbers within 1e-9 relative)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from pathlib import Path

from app.workspace import EXAMPLE_BUDGETS, EXAMPLE_OUTCOMES
from usage.cli import main
from usage.engines import URL_ENV

RELATIVE = 1e-9
# Every read command, as a person types it (with the JSON output, compared as data).
READS = {
    "summary by team and month": ["summary", "--by", "team,month"],
    "summary by team, class, model and day": ["summary", "--by", "team,task_class,model,day"],
    "summary by provider and key in a date range": [
        "summary", "--by", "provider,api_key,month", "--from", "2026-07-01", "--to",
        "2026-09-30"],
    "unresolved names": ["unresolved"],
    "reconcile by month": ["reconcile", "--by", "month"],
    "reconcile by day": ["reconcile", "--by", "day", "--from", "2026-08-01", "--to",
                         "2026-08-31"],
    "spikes by team": ["spikes", "--by", "team", "--limit", "50"],
    "budgets": ["budgets", "--budgets", str(EXAMPLE_BUDGETS), "--as-of", "2026-11-23"],
    "value": ["value", "--outcomes", str(EXAMPLE_OUTCOMES)],
    "plan against actual": ["plan-vs-actual", "--as-of", "2026-11-23", "--month", "2026-10"],
    "measured workload": ["workload"],
}  # fmt: skip


def cli(argv: list[str], url: str | None, db: Path) -> tuple[int, str, str]:
    """Run `python -m usage ARGV` in this process on the DuckDB store `db` or, with `url`,
    on that engine; (exit code, stdout, stderr)."""
    saved = os.environ.get(URL_ENV)
    out, err = io.StringIO(), io.StringIO()
    try:
        if url:
            os.environ[URL_ENV] = url
        else:
            os.environ.pop(URL_ENV, None)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--db", str(db)])
    finally:
        if saved is None:
            os.environ.pop(URL_ENV, None)
        else:
            os.environ[URL_ENV] = saved
    return code, out.getvalue(), err.getvalue()


def read_json(argv: list[str], url: str | None, db: Path):
    code, out, err = cli([*argv, "--json"], url, db)
    assert code == 0, f"{argv} on {url or 'DuckDB'}: exit {code}: {err}"
    return json.loads(out)


def assert_same(expected, found, where: str = "") -> None:
    """Equal JSON, numbers within 1e-9 relative; lists of records compared in one order."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and expected.keys() == found.keys(), where
        for key in expected:
            assert_same(expected[key], found[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(found, list) and len(expected) == len(found), where
        for i, (a, b) in enumerate(zip(_ordered(expected), _ordered(found), strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(expected, float) or isinstance(found, float):
        assert isinstance(found, int | float) and math.isclose(
            expected, found, rel_tol=RELATIVE, abs_tol=1e-9
        ), f"{where}: {expected} vs {found}"
    else:
        assert expected == found, f"{where}: {expected!r} vs {found!r}"


def _ordered(items: list) -> list:
    """Records in an order by their texts (an engine returns rows of equal sort keys in any
    order); other lists as they are."""
    if items and all(isinstance(i, dict) for i in items):
        return sorted(items, key=lambda r: [str(v) for v in r.values() if not isinstance(v, float)])
    return items


def ledger_rows(url: str | None, db: Path) -> int:
    """The ledger's row count, through the command line's own store session."""
    from usage.commands.common import open_store

    saved = os.environ.get(URL_ENV)
    try:
        if url:
            os.environ[URL_ENV] = url
        else:
            os.environ.pop(URL_ENV, None)

        class Args:
            connection = None

        Args.db = str(db)
        with open_store(Args) as con:
            return int(con.execute("SELECT count(*) FROM usage_ledger").fetchone()[0])
    finally:
        if saved is None:
            os.environ.pop(URL_ENV, None)
        else:
            os.environ[URL_ENV] = saved
