"""Plan against actual prices each row on its own terms: a batch month with no price change
shows no price gap (batch rows repriced at batch rates, not standard ones)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from planner.plan import optimize
from planner.problem import PlanSettings, build_problem
from planner.quality import default_quality
from planner.workload import load_workload
from pricing.catalog import Catalog
from pricing.costing import Usage, usage_cost
from tests.usage.governance_fixtures import costed_con, numbered
from usage.plan_vs_actual import plan_vs_actual

AS_OF = date(2026, 11, 23)
WORKLOAD = "data/workloads/example_enterprise.csv"
MODEL = "openai/gpt-4o"
TASKS = 4000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def plan(catalog):
    settings = PlanSettings(objective="min-cost", as_of=AS_OF)
    workload = load_workload(WORKLOAD)
    return optimize(build_problem(workload, default_quality(catalog.model_ids()), catalog,
                                  settings))  # fmt: skip


def _month(per_task_usd: float, batch: bool) -> list[dict]:
    return [
        dict(
            ts=datetime(2026, 10, day),
            team="Support",
            task_class="Support ticket triage",
            model=MODEL,
            requests=TASKS,
            input_tokens=600.0 * TASKS,
            cached_input_tokens=300.0 * TASKS,
            output_tokens=50.0 * TASKS,
            list_cost_usd=per_task_usd * TASKS,
            batch=batch,
        )
        for day in range(1, 32)
    ]


@pytest.mark.parametrize("batch", [True, False])
def test_no_price_change_means_no_price_gap_batch_or_not(plan, catalog, batch):
    prices = catalog.quote(MODEL, date(2026, 10, 15)).prices
    assert prices == catalog.quote(MODEL, AS_OF).prices and prices.batch is not None
    task = Usage(input_tokens=Decimal(900), cached_input_tokens=Decimal(300),
                 output_tokens=Decimal(50), batch=batch)  # fmt: skip
    per_task = float(usage_cost(prices, task))
    standard = float(usage_cost(prices, Usage(Decimal(900), Decimal(50), Decimal(300))))
    assert (per_task < standard) is batch  # batch rates are the cheaper ones
    result = plan_vs_actual(costed_con(numbered(_month(per_task, batch))), plan, catalog,
                            "2026-10")  # fmt: skip
    (row,) = result.by_class.itertuples()
    assert row.actual_usd == pytest.approx(31 * TASKS * per_task)
    assert row.repriced_usd == pytest.approx(row.actual_usd, rel=1e-9)
    assert row.gap_price_usd == pytest.approx(0.0, abs=1e-6)
