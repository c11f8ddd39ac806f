"""What a team sets, stays: every save of rules, mappings, budgets or outcomes is a version
with who and when, the newest in force, every earlier one kept; the command line shows the
version in force."""

from __future__ import annotations

import json

import pytest

from pricing.catalog import Catalog
from usage import settings, store
from usage.cli import main


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_each_save_is_a_version_and_the_newest_is_in_force():
    con = store.connect(":memory:")
    assert settings.setting_in_force(con, "budgets") is None
    first = settings.save_setting(con, "budgets", "team,month,budget_usd\nsearch,2026-11,300\n",
                                  "ana")  # fmt: skip
    second = settings.save_setting(con, "budgets", "team,month,budget_usd\nsearch,2026-11,500\n",
                                   "ben")  # fmt: skip
    assert (first.version, second.version) == (1, 2)
    now = settings.setting_in_force(con, "budgets")
    assert (now.version, now.saved_by) == (2, "ben") and "500" in now.content
    assert [v.saved_by for v in settings.setting_history(con, "budgets")] == ["ben", "ana"]
    assert settings.setting_in_force(con, "outcomes") is None  # kinds are apart
    assert now.describe().startswith("version 2, saved by ben on ")
    with pytest.raises(ValueError, match="unknown setting"):
        settings.save_setting(con, "colours", "x")


def test_rules_and_mappings_are_versioned_as_they_are_replaced(catalog):
    con = store.connect(":memory:")
    store.set_attribution_rules(con, [("api_key", "key-1", "search", None)], "ana")
    store.set_attribution_rules(con, [("api_key", "key-*", "sales", None)], "ben")
    assert con.execute("SELECT pattern, team FROM attribution_rules").fetchall() == [
        ("key-*", "sales")]  # fmt: skip
    history = settings.setting_history(con, "attribution_rules")
    assert [(v.version, v.saved_by) for v in history] == [(2, "ben"), (1, "ana")]
    assert json.loads(history[1].content) == [["api_key", "key-1", "search", None]]
    saved = store.set_model_aliases(con, [("acme-llm", "openai", "gpt-5-mini")], catalog)
    assert saved.version == 1 and saved.saved_by is None


def test_the_command_line_shows_the_version_in_force(tmp_path, capsys):
    db = str(tmp_path / "usage.duckdb")
    rules = tmp_path / "rules.csv"
    rules.write_text("field,pattern,team,task_class\napi_key,key-1,search,\n")
    assert main(["rules", "--db", db, str(rules)]) == 0
    assert main(["rules", "--db", db, str(rules)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "version 1, saved" in out[0] and "version 2, saved" in out[1]
    assert main(["settings", "--db", db, "--json"]) == 0
    [in_force] = json.loads(capsys.readouterr().out)
    assert (in_force["kind"], in_force["version"]) == ("attribution_rules", 2)
    assert main(["settings", "--db", db, "--history", "attribution_rules"]) == 0
    assert capsys.readouterr().out.count("attribution_rules") == 2
