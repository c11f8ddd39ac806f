"""The cap basis in dollars and the estimates switch, through the app (AppTest) and through
the requests the app plans with. Expectations are solved here by the planner, as the app
solves them; no figure is written down.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from streamlit.testing.v1 import AppTest

from app import planning, vendor
from app import state as S
from app.format import money
from app.scenario_file import read_scenario, scenario_json
from planner.plan import Plan
from pricing.catalog import Catalog
from tests.app.test_pages import AS_OF, ROOT, new_app

ESTIMATED = "estimated from"


@pytest.fixture
def app() -> AppTest:
    return new_app()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def example_request(**changes) -> planning.PlanRequest:
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    changes.setdefault("with_illustrative", True)  # as new_app opens the app
    return planning.PlanRequest(workload_csv=workload, as_of=AS_OF.isoformat(), **changes)


def spend_by_provider(plan: Plan) -> dict[str, float]:
    assert plan.is_optimal, plan.status
    spend: dict[str, float] = defaultdict(float)
    for a in plan.assignments:
        spend[a.provider] += a.monthly_cost_usd
    return dict(spend)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


# -- vendor caps in USD a month --------------------------------------------------------------


def test_a_usd_cap_is_dollars_and_the_other_unit_is_kept():
    spec = planning.ScenarioSpec(
        "Both", vendor_caps_pct={"openai": 40.0}, vendor_caps_usd={"openai": 200.0}
    )
    assert spec.vendor_caps("usd") == {"openai": 200.0}  # $200 a month, not 200 %
    assert spec.vendor_caps("tasks") == spec.vendor_caps("spend") == {"openai": 0.4}
    rows = vendor.scenario_rows(spec, ["openai", "google"], "usd")
    assert rows.set_index("provider")["cap"].to_dict()["openai"] == 200.0
    rows.loc[rows["provider"] == "google", "cap"] = 150.0
    edited = vendor.spec_from_rows("Both", rows, keep=spec, cap_basis="usd")
    assert edited.vendor_caps_usd == {"openai": 200.0, "google": 150.0}
    assert edited.vendor_caps_pct == {"openai": 40.0}  # the percents wait for their basis
    assert planning.ScenarioSpec.from_dict(edited.to_dict()) == edited
    assert "Caps in percents in Both are kept but not in force" in vendor.idle_caps_note(
        [edited], "usd"
    )
    assert vendor.idle_caps_note([planning.ScenarioSpec("None")], "usd") is None
    with pytest.raises(ValueError, match="vendor cap for 'google' must be at least 0"):
        planning.ScenarioSpec("Bad", vendor_caps_usd={"google": -1.0})


def test_the_vendor_page_caps_a_provider_in_usd_a_month(app: AppTest, catalog):
    app.switch_page("app_pages/vendor_scenarios.py").run()
    app.radio(key=S.CAP_BASIS).set_value("usd").run()
    assert not app.exception
    assert "Caps in force: USD a month." in captions(app)
    # The example's "Negotiated" caps fireworks at a percent: kept, said to be idle.
    assert "are kept but not in force while caps are USD a month" in captions(app)
    # The page compares scenarios by the cheapest plan that meets every floor.
    costed = example_request(objective="min-cost", cap_basis="usd")
    uncapped = spend_by_provider(planning.solve(costed, catalog))
    provider = max((p for p in uncapped if p in catalog.providers()), key=uncapped.get)
    cap = round(uncapped[provider] / 2, 2)
    capped_spec = planning.ScenarioSpec("Capped", vendor_caps_usd={provider: cap})
    app.session_state[S.VENDOR_SCENARIOS] = [
        planning.ScenarioSpec("List prices").to_dict(),
        capped_spec.to_dict(),
    ]
    app.session_state[S.VENDOR_REVISION] = app.session_state[S.VENDOR_REVISION] + 1
    app.run()
    assert not app.exception
    # The cap went through the page's table and back, in dollars.
    assert app.session_state[S.VENDOR_SCENARIOS][1]["vendor_caps_usd"] == {provider: cap}
    capped = planning.solve(costed.with_(scenario=capped_spec), catalog)
    assert spend_by_provider(capped).get(provider, 0.0) <= cap + 1e-6
    shown = {m.label: m.value for m in app.metric}
    assert shown["Capped"] == money(capped.totals.monthly_cost_usd)
    assert shown["Capped"] != shown["List prices"]  # the cap binds: the work moved


def test_the_cap_column_is_labelled_in_the_unit_in_force():
    from app.explain_view import cap_column

    assert cap_column("usd")["label"] == "Cap USD a month"
    assert "200 means $200 a month" in cap_column("usd")["help"]
    assert cap_column("tasks")["label"] == "Cap % of tasks"
    assert cap_column("spend")["label"] == "Cap % of spend"
    assert cap_column("tasks")["type_config"]["max_value"] == 100.0


def test_a_saved_scenario_keeps_the_cap_basis_the_usd_caps_and_the_estimates_switch(catalog):
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    state = {
        S.WORKLOAD_CSV: workload,
        S.AS_OF: AS_OF,
        S.CAP_BASIS: "usd",
        S.ESTIMATES: False,
        S.VENDOR_SCENARIOS: [
            planning.ScenarioSpec("List prices").to_dict(),
            planning.ScenarioSpec("Capped", vendor_caps_usd={"openai": 250.0}).to_dict(),
        ],
    }
    loaded = read_scenario(
        scenario_json(state, {}), "mine.json", catalog.providers(), catalog.model_ids()
    )
    assert loaded.settings[S.CAP_BASIS] == "usd"
    assert loaded.settings[S.ESTIMATES] is False
    assert loaded.vendor_scenarios[1]["vendor_caps_usd"] == {"openai": 250.0}


# -- the estimates switch --------------------------------------------------------------------


def sources_shown(at: AppTest) -> list[str]:
    frames = [f.value for f in at.dataframe if "accuracy_source" in f.value.columns]
    assert frames, "no plan table with an accuracy source"
    return [str(s) for s in frames[0]["accuracy_source"]]


def test_estimates_off_plans_with_measured_figures_only(catalog):
    at = new_app(budget="1000000")  # no binding budget: the best plan
    at.switch_page("app_pages/portfolio.py").run()
    best = planning.solve(example_request(), catalog)
    estimated = [a.model for a in best.assignments if a.accuracy_source.startswith(ESTIMATED)]
    assert estimated, "the example's best plan should use an estimate, or this test shows nothing"
    assert any(s.startswith(ESTIMATED) for s in sources_shown(at))
    at.toggle(key=S.ESTIMATES).set_value(False).run()
    assert not at.exception
    assert not any(s.startswith(ESTIMATED) for s in sources_shown(at))
    measured = planning.solve(example_request(estimates=False), catalog)
    assert not any(a.accuracy_source.startswith(ESTIMATED) for a in measured.assignments)


def test_the_switch_is_part_of_the_request_key():
    on, off = example_request(), example_request(estimates=False)
    assert on.key() != off.key()
    assert planning.PlanRequest.from_key(off.key()) == off
