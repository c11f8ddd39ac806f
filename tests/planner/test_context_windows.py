"""A model whose context window cannot hold a class's prompt and output is no option for it:
no share in the plan, no break-even quoted, and the quality view says why."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from planner.assemble import assemble
from planner.breakeven import break_evens
from planner.frontier import budget_frontier
from planner.plan import optimize
from planner.problem import PlanSettings, context_reason
from planner.quality import QualityRow, QualityTable
from planner.workload import TaskClass, Workload
from pricing.catalog import Catalog
from pricing.scenario import PriceScenario

AS_OF = date(2026, 12, 3)
# acme/small: cheap, 131,072-token window; acme/big: dearer, a 1,000,000-token window.
MODELS = {"small": (0.1, 0.4, 131_072), "big": (3, 12, 1_000_000)}


def catalog_in(root: Path, tiers: dict[str, list[dict]] | None = None) -> Catalog:
    """The two acme models; `tiers` adds long-context tiers to a model by name."""
    (root / "acme").mkdir(parents=True)
    sheet = {
        "provider": "acme",
        "version": "1",
        "effective_from": "2026-01-01",
        "currency": "USD",
        "source": "test fixture",
        "checked_on": "2026-01-01",
        "models": [
            {"id": m, "tier": "economy", "input_per_mtok": i, "output_per_mtok": o,
             "context_window_tokens": w, "long_context": (tiers or {}).get(m, [])}
            for m, (i, o, w) in MODELS.items()
        ],
    }  # fmt: skip
    (root / "acme" / "2026-01-01.json").write_text(json.dumps(sheet))
    return Catalog.load(root)


def plan_for(catalog, prompt: int, output: int = 2_000):
    task = TaskClass("Contracts", 1_000, prompt, output, 0.8, 1.0, 0.5, cached_input_share=0.5)
    quality = QualityTable(
        tuple(QualityRow(f"acme/{m}", 0.9, task_class="Contracts") for m in MODELS), "t"
    )
    settings = PlanSettings(as_of=AS_OF, objective="min-cost")
    return optimize(assemble(Workload((task,), "t"), quality, catalog, settings).problem)


def test_a_prompt_longer_than_the_window_gives_that_model_no_share(tmp_path):
    catalog = catalog_in(tmp_path)
    short = plan_for(catalog, 100_000)
    assert [a.model for a in short.assignments] == ["acme/small"]  # it fits: cheapest wins
    long = plan_for(catalog, 300_000)
    assert [a.model for a in long.assignments] == ["acme/big"]
    small = long.problem.options.index("acme/small")
    assert not long.problem.eligible[0, small]
    assert np.nansum(long.shares[:, small]) == 0
    # 300,000 prompt tokens (the cached half included) + 2,000 output = 302,000 needed.
    assert long.problem.too_long == {(0, small): (131_072, 302_000)}
    assert context_reason(131_072, 302_000) == "context window 131,072 tokens < 302,000 needed"


def test_the_output_counts_toward_the_window(tmp_path):
    catalog = catalog_in(tmp_path)
    fits = plan_for(catalog, 129_072, output=2_000)  # exactly the window
    assert [a.model for a in fits.assignments] == ["acme/small"]
    over = plan_for(catalog, 129_072, output=2_001)
    assert [a.model for a in over.assignments] == ["acme/big"]


def test_break_evens_do_not_quote_a_model_the_task_does_not_fit(tmp_path):
    catalog = catalog_in(tmp_path)
    long = plan_for(catalog, 300_000)
    quoted = {b.subject for b in break_evens(long.problem, long.shares, kinds=("model",))}
    assert "acme/small" not in quoted


def test_the_quality_view_says_why_on_the_example(capsys):
    from planner.cli import main

    example = Path(__file__).resolve().parents[2] / "data/workloads/example_enterprise.csv"
    code = main(["quality", "--workload", str(example), "--as-of", "2026-12-03", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["context_windows"]
    assert rows  # the example has classes some windows cannot hold
    for row in rows:
        assert row["tokens_needed"] > row["context_window_tokens"]
        assert row["reason"] == context_reason(row["context_window_tokens"], row["tokens_needed"])


def test_frontiers_and_price_scenarios_leave_out_a_model_the_task_does_not_fit(tmp_path):
    """The mask holds under every view: a frontier never reaches the small model's cost, and a
    scenario that makes it nearly free still gives it no share."""
    catalog = catalog_in(tmp_path)
    long = plan_for(catalog, 300_000)
    frontier = budget_frontier(long.problem, points=3)
    assert (frontier["status"] == "optimal").all()
    assert frontier["monthly_cost_usd"].min() == pytest.approx(long.totals.monthly_cost_usd)
    task = long.problem.classes[0]
    settings = PlanSettings(
        as_of=AS_OF,
        objective="min-cost",
        scenario=PriceScenario(name="Deal", discounts_pct={"acme/small": Decimal(99)}),
    )
    quality = QualityTable(
        tuple(QualityRow(f"acme/{m}", 0.9, task_class="Contracts") for m in MODELS), "t"
    )
    deal = optimize(assemble(Workload((task,), "t"), quality, catalog, settings).problem)
    assert [a.model for a in deal.assignments] == ["acme/big"]


def test_a_long_prompt_pays_the_long_context_tier_where_the_catalog_has_one(tmp_path):
    """Above 200,000 prompt tokens acme/big charges $6 / $24 a million (a cliff: every token);
    the plan's cost per task is priced at that tier, not the $3 / $12 list price."""
    tier = {"above_input_tokens": 200_000, "input_per_mtok": 6, "output_per_mtok": 24}
    catalog = catalog_in(tmp_path, {"big": [tier]})
    long = plan_for(catalog, 300_000)
    big = long.problem.options.index("acme/big")
    # 300,000 input (no cached price: the cached half pays the input rate) and 2,000 output
    assert long.problem.cost[0, big] == pytest.approx((300_000 * 6 + 2_000 * 24) / 1e6)
    short = plan_for(catalog, 150_000)
    assert short.problem.cost[0, big] == pytest.approx((150_000 * 3 + 2_000 * 12) / 1e6)
