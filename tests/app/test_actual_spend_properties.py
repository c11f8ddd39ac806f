"""No input combination crashes the Actual spend page: random small stores, rules, outcomes
and budgets (tests/usage/random_governance.py, fixed seeds) drive every governance view of
the page (spend over time split each way, spikes, budgets and their alerts, commitments, the
value board, plan against actual) through AppTest, and no run raises."""

from __future__ import annotations

import random

import pytest

from app import state as S
from tests.app.test_actual_spend_page import page
from tests.usage.random_governance import draw
from tests.usage.test_governance_properties import build_store, priced_store  # noqa: F401
from usage.settings import save_file
from usage.store import connect

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_actual_spend_page_takes_any_drawn_inputs(seed, tmp_path, catalog, priced_store,  # noqa: F811
                                                  monkeypatch):  # fmt: skip
    inputs = draw(seed)
    db = build_store(tmp_path, inputs, catalog, priced_store)
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    con = connect(db)  # the company's budgets, outcomes and commitments are kept in its store
    try:
        save_file(con, "outcomes", "outcomes.csv", inputs.outcomes_csv.encode())
        save_file(con, "budgets", "budgets.csv", inputs.budgets_csv.encode())
        save_file(con, "commitments", "c.csv", inputs.commitments_csv.encode())
    finally:
        con.close()
    at = page()
    assert not at.exception, [e.value for e in at.exception]
    kept = [c.value for c in at.caption if ": version 1, saved on " in c.value]
    # The drawn files in use, in the page's order.
    assert [k.split(":")[0] for k in kept] == ["Budgets", "Commitments", "Outcomes"]
    for by in random.Random(seed).sample(("team", "provider", "model"), 2):
        at.selectbox(key=S.ACTUALS_BY).set_value(by).run()
        assert not at.exception, (by, [e.value for e in at.exception])
    budget = next((b for b in at.selectbox if b.key == S.ACTUALS_BUDGET), None)
    if budget is not None:  # the drawn budgets hold at least one row
        budget.set_value(budget.options[-1]).run()
        assert not at.exception, [e.value for e in at.exception]
