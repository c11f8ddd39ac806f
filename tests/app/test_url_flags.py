"""The switches that change the figures travel in the page address (app.state URL_FLAGS):
app/sidebar.py read_url takes "1" (on) and "0" (off) from a link on a session's first run,
and write_url puts a switch that is on in the address and takes it out when it is off, so a
copied link opens the same plan. Through Streamlit's AppTest, figures re-solved here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import planning
from app import state as S
from app.format import money
from planner.retirement import RETIREMENT_MONTHS
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 12, 3)  # prices pinned: a dated sheet taking effect moves no figure here
CATALOG = Catalog.load()


def opened(**query: str) -> AppTest:
    """A new session opened from a link with these query parameters."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = AS_OF
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def param(at: AppTest, key: str) -> str | None:
    """A query parameter as the address holds it (AppTest may keep a one-item list)."""
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) and value else value


def spend(at: AppTest) -> str:
    values = [m.value for m in at.metric if m.label == "Monthly spend"]
    assert values, f"no Monthly spend among {[m.label for m in at.metric]}"
    return values[0]


def planned(budget: float | None = None, **changes) -> str:
    """The example's Monthly spend at the sidebar's default budget (or `budget`), re-solved."""
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    request = planning.PlanRequest(workload_csv=workload, as_of=AS_OF.isoformat(), **changes)

    def cost(**more) -> float:
        plan = planning.solve(request.with_(**more), CATALOG)
        assert plan.is_optimal and plan.totals
        return plan.totals.monthly_cost_usd

    if budget is None:  # the slider's default: the cheapest plan, up to the slider's step
        _, step = planning.budget_range(cost())
        budget = -(-cost(objective="min-cost") // step) * step
    return money(cost(budget_usd=float(budget)))


def test_a_link_with_both_switches_opens_them_on_and_keeps_them_in_the_address():
    at = opened(**{S.WITH_ILLUSTRATIVE: "1", S.EXCLUDE_RETIRING: "1"})
    assert not at.exception
    assert at.toggle(key=S.WITH_ILLUSTRATIVE).value is True
    assert at.toggle(key=S.EXCLUDE_RETIRING).value is True
    assert param(at, S.WITH_ILLUSTRATIVE) == "1" and param(at, S.EXCLUDE_RETIRING) == "1"
    assert spend(at) == planned(with_illustrative=True, exclude_retiring_months=RETIREMENT_MONTHS)


def test_the_default_keeps_the_switches_out_of_the_address_and_a_toggle_writes_them():
    at = opened()
    assert not at.exception
    assert at.toggle(key=S.WITH_ILLUSTRATIVE).value is False
    assert param(at, S.WITH_ILLUSTRATIVE) is None and param(at, S.EXCLUDE_RETIRING) is None
    published = spend(at)
    assert published == planned()

    at.toggle(key=S.WITH_ILLUSTRATIVE).set_value(True).run()
    assert not at.exception
    assert param(at, S.WITH_ILLUSTRATIVE) == "1" and param(at, S.EXCLUDE_RETIRING) is None
    assert spend(at) == planned(with_illustrative=True) != published
    linked = opened(**{S.WITH_ILLUSTRATIVE: param(at, S.WITH_ILLUSTRATIVE)})  # another person
    assert spend(linked) == spend(at)

    at.toggle(key=S.WITH_ILLUSTRATIVE).set_value(False).run()
    assert not at.exception
    assert param(at, S.WITH_ILLUSTRATIVE) is None  # off is the default: out of the link
    assert spend(at) == published


@pytest.mark.parametrize("raw", ["0", "true", "yes", "", "2"])
def test_only_one_turns_a_switch_on(raw: str):
    """ "1" is on; "0" is off; anything else is not a switch setting and leaves the default
    (off), and the address then carries no switch."""
    at = opened(**{S.WITH_ILLUSTRATIVE: raw})
    assert not at.exception
    assert at.toggle(key=S.WITH_ILLUSTRATIVE).value is False
    assert param(at, S.WITH_ILLUSTRATIVE) is None
    assert spend(at) == planned()


def test_a_linked_budget_holds_beside_the_switch():
    """The switch moves the budget slider's range and default; a budget in the same link is
    the one the view opens with (here one the published prices alone cannot meet)."""
    at = opened(**{S.WITH_ILLUSTRATIVE: "1", S.BUDGET: "2000"})
    assert not at.exception
    assert at.slider(key=S.BUDGET).value == 2000
    assert param(at, S.BUDGET) == "2000" and param(at, S.WITH_ILLUSTRATIVE) == "1"
    assert spend(at) == planned(budget=2000, with_illustrative=True) == "$2,000"
