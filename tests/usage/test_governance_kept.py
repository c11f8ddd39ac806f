"""`budgets` and `value` without a file use the version in force in the store (the one saved
on the Data page), say which version it is, and give the same figures as the same file given
with --budgets / --outcomes; with none saved they refuse (exit 2) naming the way out."""

from __future__ import annotations

import json
from datetime import date

from tests.usage.governance_fixtures import costed_con, daily_rows, numbered
from tests.usage.test_governance import BUDGETS_CSV, OUTCOMES_CSV, value_con
from tests.usage.test_governance_cli import no_webhook, run  # noqa: F401 (autouse fixture)
from usage import schema, settings

SETTINGS_DDL = next(ddl for ddl in schema.SCHEMA if "EXISTS settings" in ddl)


def with_settings(con):
    """A governance fixture's store with the store's own `settings` table."""
    con.execute(SETTINGS_DDL)
    return con


def budgets_con():
    rows = numbered(daily_rows(date(2026, 10, 1), 20, 200.0, team="Support"))
    return with_settings(costed_con(rows))


def test_budgets_without_a_file_use_the_version_in_force(capsys, tmp_path):
    given = tmp_path / "budgets.csv"
    given.write_text(BUDGETS_CSV)
    _, from_file, _ = run(capsys, ["budgets", "--budgets", str(given), "--json"], budgets_con())
    con = budgets_con()
    settings.save_file(con, "budgets", "old.csv", b"scope,name,month,budget_usd\n", "bo")
    saved = settings.save_file(con, "budgets", "b.csv", BUDGETS_CSV.encode(), "ana")
    code, out, _ = run(capsys, ["budgets", "--json"], con)
    assert code == 0
    kept = json.loads(out)
    assert kept["budgets"] == json.loads(from_file)["budgets"]  # the newest, not the first
    assert kept["version"] == {"version": 2, "saved_by": "ana",
                               "saved_at": saved.saved_at.isoformat(sep=" ")}  # fmt: skip
    con = budgets_con()
    settings.save_file(con, "budgets", "b.csv", BUDGETS_CSV.encode(), "ana")
    code, out, _ = run(capsys, ["budgets"], con)
    assert code == 0 and out.startswith("Budgets: version 1, saved by ana on ")


def test_value_without_a_file_uses_the_outcomes_in_force(capsys, tmp_path):
    given = tmp_path / "outcomes.csv"
    given.write_text(OUTCOMES_CSV)
    argv = ["value", "--outcomes", str(given), "--json"]
    _, from_file, _ = run(capsys, argv, value_con())
    con = with_settings(value_con())
    settings.save_file(con, "outcomes", "o.csv", OUTCOMES_CSV.encode(), "ana")
    code, out, _ = run(capsys, ["value", "--json"], con)
    assert code == 0
    kept = json.loads(out)
    assert kept["board"] == json.loads(from_file)["board"] and kept["outcomes"]["version"] == 1


def test_none_saved_refuses_naming_the_way_out(capsys):
    code, out, err = run(capsys, ["budgets"], budgets_con())
    assert code == 2 and out == ""
    assert "give --budgets FILE" in err and "Traceback" not in err
    code, out, err = run(capsys, ["value"], with_settings(value_con()))
    assert code == 2 and "give --outcomes FILE" in err
