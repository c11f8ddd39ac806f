"""Random attribution rules (globs with `_`, `%`, `[ab]`, `[!ab]`, `*`, `?`, tags, exact
names) attribute random keys the same on DuckDB and on ClickHouse, and as the rules mean:
the first rule that matches wins, a glob matched as `usage.keys` reads it."""

from __future__ import annotations

import fnmatch

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from usage import schema
from usage.engines import engine_for
from usage.keys import attr_id, is_glob, rule_regex
from usage.queries.costing import ATTRIBUTE_COLUMNS, attribution

ALPHABET = "ab_%.k*?[]!-"
FIELDS = ("api_key", "project", "user", "workspace", "tag")
TABLES = ("attributes", "attribution_rules")
QUERY = f"WITH {attribution('attributes')} SELECT attr_id, team_final FROM attributed"

texts = st.text(alphabet="ab_%.k-", min_size=0, max_size=5)
patterns = st.text(alphabet=ALPHABET, min_size=1, max_size=6)
rules = st.lists(st.tuples(st.sampled_from(FIELDS), patterns), min_size=1, max_size=6)
keys = st.lists(st.tuples(texts, texts, st.lists(texts, max_size=3)), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def engines():
    duck, clickhouse = engine_for(":memory:"), engine_for("chdb://")
    for engine in (duck, clickhouse):
        for statement in schema.SCHEMA:
            if any(f"EXISTS {t} (" in statement for t in TABLES):
                engine.create_table(statement)
    yield duck, clickhouse
    clickhouse.close()
    duck.close()


def _glob_matches(pattern: str, value: str | None) -> bool:
    """The reference: Python's fnmatch, where `[!ab]` and `[ab]` mean what a glob means."""
    return value is not None and fnmatch.fnmatchcase(value, pattern)


def expected(rule_rows: list[tuple], key: str, project: str, tags: list[str]) -> str | None:
    values = {"api_key": key, "project": project, "user": None, "workspace": None}
    for field, pattern in rule_rows:
        if field == "tag":
            hit = any(_glob_matches(pattern, t) if is_glob(pattern) else t == pattern
                      for t in tags)  # fmt: skip
        else:
            value = values[field]
            hit = _glob_matches(pattern, value) if is_glob(pattern) else value == pattern
        if hit:
            return f"team-{rule_rows.index((field, pattern))}"
    return None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rule_rows=rules, key_rows=keys)
def test_random_rules_attribute_alike_everywhere(engines, rule_rows, key_rows):
    rule_rows = list(dict.fromkeys(rule_rows))  # the first of two identical rules wins anyway
    attributes = []
    for key, project, tags in dict.fromkeys((k, p, tuple(t)) for k, p, t in key_rows):
        tag_list = "," + ",".join(tags) + "," if tags else None
        values = (project, None, key, None, None, tag_list, None)
        attributes.append((attr_id(values), *values))
    frames = {
        "attributes": pd.DataFrame(attributes, columns=["attr_id", *ATTRIBUTE_COLUMNS]),
        "attribution_rules": pd.DataFrame(
            [(i + 1, f, p, is_glob(p), f"team-{i}", None, rule_regex(f, p, is_glob(p)))
             for i, (f, p) in enumerate(rule_rows)],
            columns=["priority", "field", "pattern", "is_glob", "team", "task_class", "regex"]),
    }  # fmt: skip
    found = []
    for engine in engines:
        for table, frame in frames.items():
            engine.execute(f"TRUNCATE TABLE {table}")  # a DELETE is a slow mutation there
            engine.insert(table, frame)
        result = engine.run(QUERY)
        teams = result["team_final"].astype(object)
        found.append(dict(zip(result["attr_id"], teams.where(teams.notna(), None), strict=True)))
    want = {
        row[0]: expected(rule_rows, row[3], row[1], row[6].strip(",").split(",") if row[6] else [])
        for row in attributes
    }
    assert found[0] == want
    assert found[1] == want
