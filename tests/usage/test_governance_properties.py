"""No input combination crashes the governance functions or commands: random small stores
(imported through the real importer), rules, outcomes and budgets, drawn from fixed seeds,
go through value, spikes, budgets and alerts, in the functions and on the command line.

Each command must end with a documented exit code (0, or 1 when an alert fired) and nothing
on stderr that looks like a traceback; each function must return without raising.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.usage.random_governance import Inputs, draw
from usage import alerts as alerting
from usage.attribution import apply_rules
from usage.budgets import parse_budgets, statuses
from usage.cli import main
from usage.commitments import parse_commitments
from usage.commitments import projection_line as commitment_projection
from usage.commitments import statuses as commitment_statuses
from usage.daily import load_daily
from usage.importer import import_file
from usage.outcomes import parse_outcomes
from usage.spikes import find_spikes
from usage.store import connect, ensure_prices
from usage.value import monthly_spend, rollup, tokenmaxxing, value_board, value_table

SEEDS = range(8)


@pytest.fixture(autouse=True)
def no_webhook(monkeypatch, tmp_path):
    monkeypatch.delenv(alerting.WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "no-alerts.json"))


@pytest.fixture(scope="module")
def priced_store(tmp_path_factory, catalog) -> Path:
    """An empty store with the catalog's prices in it, copied for each draw (pricing a new
    store takes seconds; the copy, milliseconds)."""
    db = tmp_path_factory.mktemp("priced") / "usage.duckdb"
    con = connect(db)
    try:
        ensure_prices(con, catalog)
    finally:
        con.close()
    return db


def build_store(folder: Path, inputs: Inputs, catalog, template: Path) -> Path:
    """The drawn export imported into a copy of the priced store, the drawn rules applied."""
    export = folder / "usage.csv"
    export.write_text(inputs.usage_csv)
    db = folder / "usage.duckdb"
    shutil.copyfile(template, db)
    con = connect(db)
    try:
        import_file(con, export, catalog)
        apply_rules(con, list(inputs.rules))
    finally:
        con.close()
    return db


@pytest.mark.parametrize("seed", SEEDS)
def test_governance_functions_take_any_drawn_inputs(seed, tmp_path, catalog, priced_store):
    inputs = draw(seed)
    db = build_store(tmp_path, inputs, catalog, priced_store)
    outcomes = parse_outcomes(inputs.outcomes_csv, "o.csv", "csv")
    budgets = parse_budgets(inputs.budgets_csv, "b.csv", "csv")
    con = connect(db)
    try:
        table = value_table(monthly_spend(con), outcomes.rows)
        for by in ("team", "task_class"):
            value_board(table, by)
            alerting.tokenmaxxing_alerts(tokenmaxxing(rollup(table, by), by), by)
        daily = load_daily(con)
        commitments = parse_commitments(inputs.commitments_csv, "c.csv", "csv").rows
        for as_of in (date(2026, 7, 1), date(2026, 10, 15), date(2027, 1, 1)):
            seen = statuses(daily, budgets.rows, as_of)
            found = alerting.budget_alerts(seen)
            drawn = commitment_statuses(daily, commitments, as_of)
            found += alerting.commitment_alerts(drawn)
            for status in drawn:
                status.sentence()
                commitment_projection(status)
        found += alerting.spike_alerts(find_spikes(con, ("team",), limit=None))
        alerting.slack_payload(alerting.ordered(found))
    finally:
        con.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_governance_commands_take_any_drawn_inputs(seed, tmp_path, catalog, priced_store, capsys):
    inputs = draw(seed)
    db = build_store(tmp_path, inputs, catalog, priced_store)
    outcomes, budgets = tmp_path / "outcomes.csv", tmp_path / "budgets.csv"
    commitments = tmp_path / "commitments.csv"
    outcomes.write_text(inputs.outcomes_csv)
    budgets.write_text(inputs.budgets_csv)
    commitments.write_text(inputs.commitments_csv)
    store = ["--db", str(db)]
    commands = [
        (["value", "--outcomes", str(outcomes), *store], {0}),
        (["value", "--outcomes", str(outcomes), "--by", "task_class", "--json", *store], {0}),
        (["spikes", "--by", "team,model", *store], {0}),
        (["budgets", "--budgets", str(budgets), *store], {0}),
        (
            [
                "alerts",
                "--budgets",
                str(budgets),
                "--outcomes",
                str(outcomes),
                "--commitments",
                str(commitments),
                *store,
            ],
            {0, 1},
        ),
    ]
    for argv, codes in commands:
        code = main(argv)
        err = capsys.readouterr().err
        assert code in codes, (argv, code, err)
        assert "Traceback" not in err, (argv, err)


def test_successes_in_a_month_with_no_attributed_tokens(tmp_path, catalog, priced_store, capsys):
    """The case that crashed the page: an outcomes row naming a team and a class with
    successes in a month where no token is attributed to them (here: no usage at all)."""
    inputs = Inputs(
        usage_csv="timestamp,model,team,requests,input_tokens\n2026-10-03,gpt-4o,support,1,0\n",
        rules=(),
        outcomes_csv="team,task_class,period,tasks_attempted,tasks_succeeded,total_value_usd\n"
        "sales,Triage,2026-09,10,5,50\nsales,,2026-10,10,5,50\nsupport,,2026-10,4,4,8\n",
        budgets_csv="scope,name,month,budget_usd\n",
    )
    db = build_store(tmp_path, inputs, catalog, priced_store)
    con = connect(db)
    try:
        rows = parse_outcomes(inputs.outcomes_csv, "o", "csv").rows
        table = value_table(monthly_spend(con), rows)
    finally:
        con.close()
    board = value_board(table, "team")
    support = board[board.team == "support"].iloc[0]
    assert support.tokens == 0 and support.cost_per_success_usd == 0.0
    assert support.value_per_1k_tokens_usd != support.value_per_1k_tokens_usd  # NaN, not a crash
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(inputs.outcomes_csv)
    assert main(["value", "--outcomes", str(outcomes), "--db", str(db)]) == 0
    assert "support" in capsys.readouterr().out
