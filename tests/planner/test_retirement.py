"""Retirements: the reviewed list in the catalog, a retiring model in a plan, the re-solve on
its day, the forecast's step and the switch that leaves retiring models out."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from foundation.errors import InputError
from planner.assemble import assemble
from planner.forecast import ForecastSettings, forecast
from planner.plan import optimize
from planner.problem import PlanSettings, add_months
from planner.quality import QualityRow, QualityTable
from planner.retirement import after_retirement, retirement_sentence, retirement_steps
from planner.workload import TaskClass, Workload
from pricing.catalog import Catalog

AS_OF = date(2026, 12, 3)
RETIRES = date(2026, 12, 11)
# acme/old: $1/$4 per million, retiring on RETIRES; acme/new: $3/$12, staying.
MODELS = {"old": (1, 4), "new": (3, 12)}


def write_prices(root: Path, retirements: str | None = None) -> Catalog:
    sheets = root / "price_sheets"
    (sheets / "acme").mkdir(parents=True)
    sheet = {
        "provider": "acme",
        "version": "1",
        "effective_from": "2026-01-01",
        "currency": "USD",
        "source": "test fixture",
        "checked_on": "2026-01-01",
        "models": [
            {"id": m, "tier": "economy", "input_per_mtok": i, "output_per_mtok": o}
            for m, (i, o) in MODELS.items()
        ],
    }
    (sheets / "acme" / "2026-01-01.json").write_text(json.dumps(sheet))
    if retirements is None:
        retirements = (
            "provider,model,retires_on,source_url,checked_on\n"
            f"acme,old,{RETIRES},https://acme.example/deprecations,2026-12-03\n"
        )
    (root / "retirements.csv").write_text(retirements)
    return Catalog.load(sheets)


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    return write_prices(tmp_path)


TASK = TaskClass("Drafting", 10_000, 1_000, 250, 0.8, 1.0, 0.5)
WORKLOAD = Workload((TASK,), "test")
QUALITY = QualityTable(
    tuple(QualityRow(f"acme/{m}", 0.9, task_class="Drafting") for m in MODELS), "test"
)


def plan_with(catalog, **settings):
    settings.setdefault("as_of", AS_OF)
    settings.setdefault("objective", "min-cost")
    return optimize(assemble(WORKLOAD, QUALITY, catalog, PlanSettings(**settings)).problem)


def replan_for(catalog, settings):
    return lambda day: plan_with(catalog, **after_retirement(settings, day).__dict__)


def test_the_reviewed_date_is_in_the_catalog_and_wins_over_the_sheets(catalog):
    assert catalog.quote("acme/old", AS_OF).prices.deprecation_date == RETIRES
    assert catalog.quote("acme/new", AS_OF).prices.deprecation_date is None


def test_the_committed_list_retires_the_models_the_vendors_name():
    committed = Catalog.load()
    assert committed.quote("openai/gpt-5", AS_OF).prices.deprecation_date == RETIRES
    assert committed.quote("openai/gpt-5-nano", AS_OF).prices.deprecation_date == RETIRES
    assert committed.quote("anthropic/claude-2", AS_OF).prices.deprecation_date == date(2025, 7, 21)
    sonnet_3_5 = committed.quote("anthropic/claude-3-5-sonnet", AS_OF).prices
    assert sonnet_3_5.deprecation_date == date(2025, 10, 28)  # Anthropic's release notes


def test_an_entry_without_a_source_page_is_refused(tmp_path):
    with pytest.raises(InputError, match="source_url"):
        write_prices(
            tmp_path,
            "provider,model,retires_on,source_url,checked_on\nacme,old,2026-12-11,,2026-12-03\n",
        )


def test_a_model_is_not_plannable_on_or_after_its_retirement_day(catalog):
    assert plan_with(catalog).assignments[0].model == "acme/old"
    for day in (RETIRES, date(2026, 12, 12)):
        assert plan_with(catalog, as_of=day).assignments[0].model == "acme/new"


def test_a_plan_names_its_retiring_model_and_the_cost_after_re_solved_on_that_day(catalog):
    plan = plan_with(catalog)
    steps = retirement_steps(plan, catalog, 12, replan_for(catalog, plan.problem.settings))
    assert [(s.on, s.models) for s in steps] == [(RETIRES, ("acme/old",))]
    # The stated cost is a plan solved on the day with the same floors.
    resolved = plan_with(catalog, as_of=RETIRES)
    assert steps[0].cost_after_usd == pytest.approx(resolved.totals.monthly_cost_usd, abs=1e-9)
    assert steps[0].share_of_spend == pytest.approx(1.0)
    # 10,000 tasks x (1,000 x $3 + 250 x $12) / 1e6 = $60; before, $20.
    assert steps[0].cost_after_usd == pytest.approx(60.0)
    sentence = retirement_sentence(steps, 12)
    assert "acme/old (100% of spend) retires on 2026-12-11" in sentence
    assert "$60.00 a month (now $20.00)" in sentence


def test_no_step_past_the_horizon(catalog):
    plan = plan_with(catalog, as_of=date(2026, 1, 15))
    replan = replan_for(catalog, plan.problem.settings)
    assert retirement_steps(plan, catalog, 11, replan) == ()  # to 1 December
    assert len(retirement_steps(plan, catalog, 12, replan)) == 1


def test_the_forecast_steps_at_the_retirement_day(catalog):
    plan = plan_with(catalog)
    steps = retirement_steps(plan, catalog, 12, replan_for(catalog, plan.problem.settings))
    settings = ForecastSettings(months=12, paths=50, growth_sd=0.01, price_sd=0.1)
    flat = forecast(plan, catalog, settings)
    stepped = forecast(plan, catalog, settings, [(s.on, s.plan) for s in steps])
    line = stepped.deterministic.spend_usd.to_numpy()
    # Month 0 runs 3 December to 1 January, 29 days: 8 on the old plan, 21 on the new.
    assert line[0] == pytest.approx((8 * 20 + 21 * 60) / 29)
    assert np.allclose(line[1:], 60.0)
    assert np.allclose(flat.deterministic.spend_usd, 20.0)
    # The bands step too: every percentile triples after the retirement month.
    for pct in (10, 50, 90):
        column = f"spend_p{pct}"
        assert np.allclose(stepped.bands[column][1:], 3 * flat.bands[column][1:])


def test_the_switch_plans_only_with_models_that_stay_available(catalog):
    kept = plan_with(catalog, exclude_retiring_months=0)
    assert kept.assignments[0].model == "acme/old"
    left_out = plan_with(catalog, exclude_retiring_months=1)
    assert [a.model for a in left_out.assignments] == ["acme/new"]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


# -- the README's table: the example's cheapest compliant plan today and after a retirement --

README_ROW = re.compile(
    r"^\| (?:today, )?(\d{4}-\d\d-\d\d)[^|]*\| (\$[\d,.]+) a month \| (\$[\d,.]+) a month \|$", re.M
)


def test_the_readme_states_what_solve_says_today_and_the_day_after_the_next_retirement(capsys):
    from planner.cli import main

    root = Path(__file__).resolve().parents[2]
    rows = README_ROW.findall((root / "README.md").read_text(encoding="utf-8"))
    assert len(rows) == 2, rows
    example = str(root / "data/workloads/example_enterprise.csv")
    lines = []
    for day, published, illustrative in rows:
        for stated, extra in ((published, []), (illustrative, ["--with-illustrative"])):
            args = ["solve", "--workload", example, "--objective", "min-cost", "--as-of", day]
            assert main([*args, *extra]) == 0
            out = capsys.readouterr().out
            assert f"Monthly cost {stated};" in out, (day, extra, out.splitlines()[0])
            lines.append(out)
    # the second date is the day after the retirement today's plans name
    retiring = re.search(r"retire on (\d{4}-\d\d-\d\d)", lines[0])[1]
    assert date.fromisoformat(rows[1][0]) == date.fromisoformat(retiring) + timedelta(days=1)
    assert f"then costs at least {rows[1][2]} a month" in lines[1]
