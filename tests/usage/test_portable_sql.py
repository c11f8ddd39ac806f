"""Every statement the usage store sends is portable: none holds an engine's own spelling
(GLOB, hash(, GROUP BY ALL, unsigned or 128-bit types), and each compiles, with SQLGlot
refusing what it cannot express, to BigQuery, Snowflake, ClickHouse, Spark and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from usage import daily, measured, plan_vs_actual, queries, schema, spikes, value
from usage.engines.sql import compile
from usage.keys import glob_regex, rule_regex, tag_regex
from usage.queries import ledger
from usage.reconcile import reconcile_sql
from usage.rows import COLUMN_NAMES

USAGE = Path(__file__).resolve().parents[2] / "usage"
FORBIDDEN = re.compile(r"\bGLOB\b|\bhash\(|GROUP BY ALL|UBIGINT|UHUGEINT", re.IGNORECASE)
# In Python source, the SQL spellings (a docstring may say "a glob" in words).
IN_SOURCE = re.compile(r"\bGLOB\b|\b(hash|HASH)\(|GROUP BY ALL|UBIGINT|UHUGEINT")
DIALECTS = ("bigquery", "snowflake", "clickhouse", "spark", "postgres")
# Modules that may still hold DuckDB-only SQL, and why.
EXEMPT = {
    # the frozen steps that carry old DuckDB stores forward: they read what old layouts
    # stored (128-bit keys made by DuckDB's hash) and run on DuckDB only
    "migrations.py": None,
    "migration_v7.py": "UHUGEINT",  # and the import's look-up of those old keys
    # recognises a layout 4 store by the type of its keys, on DuckDB
    "schema.py": "UHUGEINT",
}


def statements() -> dict[str, str]:
    """Every statement of usage/queries and of the analyses that send their own."""
    columns = ", ".join(c for c in COLUMN_NAMES if c != "natural_key")
    per_row = dict(source=queries.per_row_source(), prompt_condition=queries.PER_ROW_PROMPT,
                   precovered=False)  # fmt: skip
    found = {
        "summary by every dimension": queries.summary_sql(list(queries.DIMENSIONS)),
        "summary with discounts": queries.summary_sql(["provider", "model"], discounted=2),
        "summary from the rows": queries.summary_sql(["team", "day"], **per_row),
        "costed_usage view": queries.costed_usage_sql(),
        "unresolved": queries.unresolved_sql(),
        "period sums": queries.rollup_insert_sql([200_000], "WHERE u.import_id = ?"),
        "statuses": ledger.status_sql(ranged=True),
        "statuses written": ledger.status_update_sql(ranged=False),
        "usage_rows view": ledger.usage_rows_view_sql(),
        "versions compared": ledger.versions_compared_sql(),
        "new rows": queries.insert_new_rows_sql(columns),
        "attributes": queries.attributes_insert_sql(),
        "price days": queries.price_days_sql(),
        "periods": queries.periods_sql(),
        "billing days": queries.billing_days_sql(),
        "daily": daily.DAILY_SQL,
        "value": value.SPEND_SQL,
        "plan vs actual": plan_vs_actual.ACTUAL_SQL,
        "measured": measured.MONTHLY_SQL,
        "reconcile": reconcile_sql("day", date(2026, 1, 1), date(2026, 12, 31)),
        "spike series": spikes.series_sql(["team", "model"], "day"),
        "spike series by hour": spikes.series_sql(["provider"], "hour"),
    }
    found |= {f"schema {i}": s for i, s in enumerate(schema.SCHEMA) if "TABLE" in s}
    return found


STATEMENTS = statements()


@pytest.mark.parametrize("name", STATEMENTS)
def test_no_statement_holds_an_engine_spelling(name):
    assert not FORBIDDEN.search(STATEMENTS[name]), FORBIDDEN.search(STATEMENTS[name])


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", STATEMENTS)
def test_every_statement_compiles(name, dialect):
    compiled = compile(STATEMENTS[name], dialect)
    assert not FORBIDDEN.search(compiled)


def test_no_module_that_sends_sql_holds_an_engine_spelling():
    """Also the SQL written inline in any module of usage/ (the exempt ones named above,
    each still holding what it is exempt for: when it is gone, so is the exemption)."""
    for path in sorted(USAGE.rglob("*.py")):
        text = path.read_text()
        if path.name in EXEMPT:
            if EXEMPT[path.name]:
                assert EXEMPT[path.name] in text, f"{path.name} is portable now: unexempt it"
            continue
        found = [m.group(0) for m in IN_SOURCE.finditer(text)]
        assert not found, f"{path.relative_to(USAGE.parent)}: {found}"


@pytest.mark.parametrize(
    ("pattern", "matches", "differs"),
    [
        ("key_*", ["key_", "key_abc", "key_\nx"], ["keyXabc", "kkey_a", "key"]),
        ("100%", ["100%"], ["1000", "100"]),
        ("a?c", ["abc", "a_c", "a.c"], ["ac", "abbc"]),
        ("[ab]x", ["ax", "bx"], ["cx", "abx", "[ab]x"]),
        ("[!ab]x", ["cx", "_x"], ["ax", "bx", "x"]),
        ("[a-c]*", ["a", "cz"], ["d", ""]),
        ("a.b(c)+", ["a.b(c)+"], ["axb(c)+", "a.bc"]),
        ("[unclosed", ["[unclosed"], ["u"]),
        ("*", ["", "anything"], []),
    ],
)
def test_a_glob_is_an_anchored_regex(pattern, matches, differs):
    regex = re.compile(glob_regex(pattern))
    assert all(regex.search(text) for text in matches), regex.pattern
    assert not any(regex.search(text) for text in differs), regex.pattern


def test_a_tag_rule_matches_one_whole_tag():
    glob, exact = re.compile(tag_regex("a*b", glob=True)), re.compile(tag_regex("k_1", False))
    assert glob.search(",x,axxb,y,") and not glob.search(",ax,yb,")  # not across two tags
    assert exact.search(",k_1,") and not exact.search(",kX1,") and not exact.search(",k_12,")
    assert rule_regex("project", "exact_name", glob=False) is None  # compared, not matched
