"""The Vendor scenarios page in procurement's own terms: a row per provider with terms
(added and removed through a picker), terms to 0.1 point and bounded, the share chart in the
basis the caps limit, and the vendor break-evens said to be the sidebar plan's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import explain_view, vendor, vendor_view
from app import state as S
from app import vendor_compare as compare
from app.planning import ScenarioSpec, solve
from foundation.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/vendor_scenarios.py"
CAPPED = ScenarioSpec("OpenAI capped 30%", vendor_caps_pct={"openai": 30.0})


def vendor_page(scenarios=None, cap_basis: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    if scenarios is not None:
        at.session_state[S.VENDOR_SCENARIOS] = [s.to_dict() for s in scenarios]
    if cap_basis is not None:
        at.session_state[S.CAP_BASIS] = cap_basis
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def terms_tables(at: AppTest) -> list[pd.DataFrame]:
    return [f.value for f in at.dataframe if "discount_pct" in f.value.columns]


def chart(at: AppTest) -> dict:
    import json

    (figure,) = [
        c for c in at.get("plotly_chart") if "Vendor" in c.proto.spec or "vendor" in c.proto.spec
    ]
    return json.loads(figure.proto.spec)


# -- rows only for the providers with terms ----------------------------------------------------


def test_only_providers_with_terms_are_rows_and_the_picker_adds_and_removes(catalog):
    at = vendor_page()
    lists = (
        at.multiselect(key=vendor.rows_key(at.session_state, 0)),
        at.multiselect(key=vendor.rows_key(at.session_state, 1)),
    )
    assert lists[0].value == []  # list prices: no row at all, not one per catalog provider
    assert lists[1].value == ["deepseek", "fireworks", "openai"]  # catalog order
    tables = terms_tables(at)
    assert [list(t["provider"]) for t in tables] == [[], ["deepseek", "fireworks", "openai"]]
    assert len(catalog.providers()) > 20  # the grid this replaces
    lists[1].set_value(["deepseek", "fireworks", "openai", "anthropic"]).run()
    assert "anthropic" in list(terms_tables(at)[1]["provider"])
    at.multiselect(key=vendor.rows_key(at.session_state, 1)).set_value(["fireworks", "openai"])
    at.run()
    assert not at.exception
    kept = ScenarioSpec.from_dict(at.session_state[S.VENDOR_SCENARIOS][1])
    assert "deepseek" not in kept.price_change_pct  # its row went, and its terms with it
    assert kept.discounts_pct == {"openai": 15.0}


def test_a_row_stays_while_its_terms_are_cleared():
    state: dict = {}
    spec = ScenarioSpec("A", discounts_pct={"openai": 5.0})
    key = vendor.listed_providers(state, 0, spec, ["anthropic", "openai"])
    assert state[key] == ["openai"]
    cleared = ScenarioSpec("A")
    assert vendor.listed_providers(state, 0, cleared, ["anthropic", "openai"]) == key
    assert state[key] == ["openai"]
    assert vendor.table_key(state, 0, ["openai"]) != vendor.table_key(state, 0, ["anthropic"])


# -- terms to 0.1 point, validated and bounded -------------------------------------------------


def rows(**terms) -> pd.DataFrame:
    row = {"provider": "openai", "sheet_date": vendor.AS_OF_LABEL, "discount_pct": 0.0,
           "price_change_pct": 0.0, "cap": None, "commit_usd": None, **terms}  # fmt: skip
    return pd.DataFrame([row], columns=list(vendor.COLUMNS))


def test_terms_keep_a_tenth_of_a_point():
    spec = vendor.spec_from_rows("A", rows(discount_pct=12.3, price_change_pct=-7.5, cap=30.4))
    assert spec.discounts_pct == {"openai": 12.3}
    assert spec.price_change_pct == {"openai": -7.5}
    assert spec.vendor_caps_pct == {"openai": 30.4}


@pytest.mark.parametrize(
    ("terms", "basis", "field"),
    [
        ({"discount_pct": 100.0}, "tasks", "discount_pct"),
        ({"discount_pct": -0.1}, "tasks", "discount_pct"),
        ({"price_change_pct": -100.0}, "tasks", "price_change_pct"),
        ({"price_change_pct": 10_000.1}, "tasks", "price_change_pct"),
        ({"cap": 100.1}, "tasks", "cap"),
        ({"cap": -1.0}, "usd", "cap"),
        ({"commit_usd": -5.0}, "tasks", "commit_usd"),
        ({"discount_pct": "lots"}, "tasks", "discount_pct"),
    ],
)
def test_out_of_range_terms_are_refused_naming_the_row_and_field(terms, basis, field):
    with pytest.raises(InputError) as caught:
        vendor.spec_from_rows("A", rows(**terms), cap_basis=basis)
    assert caught.value.field == field
    assert "openai" in str(caught.value)


def test_a_usd_cap_may_exceed_a_hundred():
    spec = vendor.spec_from_rows("A", rows(cap=5000.0), cap_basis="usd")
    assert spec.vendor_caps_usd == {"openai": 5000.0}


def test_the_table_edits_discounts_and_price_changes_by_a_tenth(catalog):
    columns = vendor_view.scenario_columns("tasks", catalog)
    for name in ("discount_pct", "price_change_pct", "cap"):
        assert columns[name]["type_config"]["step"] == 0.1
        assert ".1f" in columns[name]["type_config"]["format"]


# -- the share chart in the caps' basis --------------------------------------------------------


def test_a_scenario_capping_openai_at_30_percent_reads_30_percent_or_less(request_, catalog):
    at = vendor_page([ScenarioSpec("List prices"), CAPPED])
    fig = chart(at)
    assert "all tasks" in fig["layout"]["title"]["text"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "Share of all tasks"
    openai = next(t for t in fig["data"] if t["name"] == "openai")
    by_scenario = dict(zip(openai["y"], openai["x"], strict=True))
    assert by_scenario[CAPPED.name] <= 0.30 + 1e-9
    # The same plan's spend share is well above 30 %: the old chart read that.
    plan = solve(request_.with_(objective="min-cost", budget_usd=None, scenario=CAPPED), catalog)
    spend = compare.provider_shares({"x": plan}, "spend")
    assert spend.set_index("provider")["share"]["openai"] > 0.30
    for trace in fig["data"]:  # every bar adds up to all the tasks
        assert all(0 <= x <= 1 for x in trace["x"])
    totals = (
        pd.DataFrame(
            [(y, x) for t in fig["data"] for y, x in zip(t["y"], t["x"], strict=True)],
            columns=["s", "x"],
        )
        .groupby("s")["x"]
        .sum()
    )
    assert totals.to_numpy() == pytest.approx(1.0)


@pytest.mark.parametrize("basis", ["tasks", "spend", "usd"])
def test_provider_shares_are_in_the_unit_of_the_caps(request_, catalog, basis):
    request = request_.with_(cap_basis=basis, objective="min-cost", budget_usd=None)
    plan = solve(request, catalog)
    shares = compare.provider_shares({"A": plan}, basis)
    models = [a for a in plan.assignments if a.tier != "status-quo"]
    if basis == "tasks":
        assert shares["share"].sum() == pytest.approx(1.0)
        openai = sum(a.monthly_tasks for a in models if a.provider == "openai")
        got = shares.set_index("provider")["share"].get("openai", 0.0)
        assert got == pytest.approx(openai / plan.problem.volume.sum())
    elif basis == "spend":
        assert shares["share"].sum() == pytest.approx(1.0)
        assert compare.TODAY not in set(shares["provider"])
    else:
        assert shares["share"].sum() == pytest.approx(sum(a.monthly_cost_usd for a in models))


def test_usd_caps_chart_in_dollars():
    at = vendor_page([ScenarioSpec("List prices")], cap_basis="usd")
    fig = chart(at)
    assert fig["layout"]["xaxis"]["title"]["text"] == "Model spend, USD a month"
    assert fig["layout"]["xaxis"]["tickformat"] == "$,.0f"  # "-$1", never "$-1"


# -- break-evens said against the plan they belong to ------------------------------------------


def test_vendor_break_evens_say_they_are_the_sidebar_plans():
    at = vendor_page()
    assert explain_view.VENDOR_BREAK_EVEN_HEADING in [s.value for s in at.subheader]
    assert "against the sidebar's plan" in explain_view.VENDOR_BREAK_EVEN_HEADING
    captions = "\n".join(c.value for c in at.caption)
    assert explain_view.VENDOR_BREAK_EVEN_BASIS in captions


def test_a_spend_share_cap_reads_in_spend_share():
    at = vendor_page([ScenarioSpec("List prices"), CAPPED], cap_basis="spend")
    fig = chart(at)
    assert fig["layout"]["xaxis"]["title"]["text"] == "Share of model spend"
    openai = next(t for t in fig["data"] if t["name"] == "openai")
    assert dict(zip(openai["y"], openai["x"], strict=True))[CAPPED.name] <= 0.30 + 1e-9
