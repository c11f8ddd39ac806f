"""Precedence of production, eval and public figures, and floors met with stated confidence,
re-solved by hand on a small case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from planner.accuracy import shipped_catalog
from planner.assemble import assemble
from planner.evals.evidence import (
    PUBLIC_ERROR_PTS,
    Z_ONE_SIDED,
    at_confidence,
    confidence_of,
    evidence_table,
    lower_bound,
)
from planner.evals.figures import EvalFigure
from planner.evals.production import ProductionCount, figures_from_counts
from planner.plan import optimize
from planner.problem import PlanSettings
from planner.quality import QualityRow, QualityTable
from planner.workload import TaskClass, Workload

MINI, BIG = "openai/gpt-5-mini", "openai/gpt-5"
DAY = date(2026, 11, 1)


def figure(model, n, s, kind="eval", cls="Triage"):
    return EvalFigure(cls, model, n, s, DAY, kind, f"{kind} test")


@pytest.fixture(scope="module")
def catalog():
    return shipped_catalog()


def test_one_sided_normal_quantiles():
    from statistics import NormalDist

    for c, z in Z_ONE_SIDED.items():
        assert z == pytest.approx(NormalDist().inv_cdf(c), abs=1e-12)
    assert confidence_of("off") is None and confidence_of("90 %") == 0.9
    with pytest.raises(ValueError, match="confidence"):
        confidence_of("99")


def test_production_wins_over_evals_by_default_and_the_switch_reverses_it():
    production = [figure(MINI, 1000, 700, "production")]
    evals = [figure(MINI, 50, 45), figure(BIG, 50, 40)]
    own = QualityTable((QualityRow(BIG, 0.99, task_class="Triage", evidence="table"),), "own")
    task = TaskClass("Triage", 1, 1, 1, 0.5, 1, 0)
    first = evidence_table(production, evals, own).for_class(task)
    assert first[MINI].accuracy == 0.7 and first[MINI].evidence == "production"
    assert first[BIG].accuracy == 0.8  # an imported eval beats the hand-typed row
    flipped = evidence_table(production, evals, own, "evals-first").for_class(task)
    assert flipped[MINI].accuracy == 0.9 and flipped[MINI].evidence == "eval"


def test_production_counts_sum_over_teams_and_months():
    counts = [
        ProductionCount("Triage", MINI, 600, 540, "2026-10"),
        ProductionCount("triage", MINI, 400, 340, "2026-11"),
    ]
    [f] = figures_from_counts(counts, "outcomes.csv")
    assert (f.n, f.successes, f.run_date) == (1000, 880.0, date(2026, 11, 1))
    assert "2026-10 to 2026-11" in f.source


def test_lower_bounds_by_kind_of_evidence():
    z = Z_ONE_SIDED[0.95]
    # 90 of 100, z = 1.6449: centre 0.9 + 2.7057/200 = 0.91353; spread 1.6449 sqrt(0.0009 +
    # 2.7057/40000) = 0.051168; over 1 + 2.7057/100 = 1.027057 -> 0.83965
    eval_row = QualityRow(MINI, 0.9, task_class="T", n=100, successes=90.0)
    assert lower_bound(eval_row, z) == pytest.approx(0.83965, abs=2e-5)
    estimate = QualityRow(MINI, 0.7, category="code", error_pts=4.0, evidence="estimate")
    assert lower_bound(estimate, z) == pytest.approx(0.7 - z * 0.04)
    public = QualityRow(MINI, 0.7, category="code", evidence="public")
    assert lower_bound(public, z) == pytest.approx(0.7 - z * PUBLIC_ERROR_PTS / 100)


def test_a_floor_met_at_95_percent_confidence_re_solved_by_hand(catalog):
    # One class, floor 85 %, min-cost, no status quo. gpt-5-mini: eval 90/100 (cheap);
    # gpt-5: a table row of 95 % with no n (the stated default error). Off: all mini.
    # At 95 %: mini 0.83965, gpt-5 0.95 - 1.6449 x 0.05 = 0.86776; the floor needs
    # x = (0.85 - 0.83965) / (0.86776 - 0.83965) of the work on gpt-5.
    task = TaskClass("Triage", 10_000, 1_000, 100, 0.85, 1.0, 0.0)
    own = evidence_table(
        [],
        [figure(MINI, 100, 90.0)],
        QualityTable((QualityRow(BIG, 0.95, task_class="Triage", evidence="table"),), "own"),
    )
    settings = PlanSettings(objective="min-cost", include_status_quo=False, as_of=DAY)
    workload = Workload((task,), "w.csv")
    off = optimize(assemble(workload, own, catalog, settings).problem)
    on = optimize(assemble(workload, own, catalog, settings, confidence=0.95).problem)
    problem = on.problem
    cost = {problem.options[m]: problem.cost[0, m] for m in range(len(problem.options))}
    assert {a.model: round(a.share, 9) for a in off.assignments} == {MINI: 1.0}
    assert off.totals.monthly_cost_usd == pytest.approx(10_000 * cost[MINI])
    low_mini, low_big = 0.839646, 0.95 - Z_ONE_SIDED[0.95] * 0.05
    x = (0.85 - low_mini) / (low_big - low_mini)
    shares = {a.model: a.share for a in on.assignments}
    assert shares[BIG] == pytest.approx(x, abs=1e-4)
    expected = 10_000 * (cost[MINI] + x * (cost[BIG] - cost[MINI]))
    assert on.totals.monthly_cost_usd == pytest.approx(expected, rel=1e-3)
    assert on.totals.monthly_cost_usd > off.totals.monthly_cost_usd
    lowered = at_confidence(own, 0.95).for_class(task)
    assert "at 95% confidence" in lowered[BIG].source
    assert "stated default error" in lowered[BIG].source


def test_quality_command_shows_eval_figures_and_what_to_evaluate_next(capsys):
    import json
    from pathlib import Path

    from planner import cli

    evals = Path(__file__).resolve().parents[2] / "data" / "evals"
    code = cli.main([
        "quality", "--evals", str(evals / "ticket-triage.eval"),
        "--eval-mapping", str(evals / "mapping.csv"), "--next", "--json",
    ])  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    [cell] = report["cells"]
    assert (cell["model"], cell["eval_n"], cell["eval"], cell["plan_uses"]) == (
        "anthropic/claude-haiku-5-5",
        40,
        0.8,
        "eval",
    )
    assert cell["production"] is None and cell["public"] is None
    sentences = [e["sentence"] for e in report["next"]]
    assert any(
        s.startswith("claude-haiku-5-5 would take Support ticket triage at") for s in sentences
    )


def test_solve_states_what_the_confidence_costs_on_stderr(capsys):
    from planner import cli

    assert cli.main(["solve", "--confidence", "90", "--json", "--as-of", "2026-11-23", "--workload",
                     str(Path(__file__).resolve().parents[2] / "data" / "workloads"
                         / "example_enterprise.csv")]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "At 90% confidence (conservative" in err and "re-solved" in err
