"""Classes that are the same program are solved once, and get exactly what solving them all
would give them (planner.repeated_classes)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner import model
from planner.problem import PlanningProblem, PlanSettings
from planner.repeated_classes import repeats
from planner.solver import Status
from planner.synthetic import synthetic_problem


def twice(problem: PlanningProblem, volume_factor: float = 1.0) -> PlanningProblem:
    """Every class written out a second time under another name (its volume scaled)."""
    copies = tuple(
        replace(c, name=f"{c.name} again", monthly_volume=c.monthly_volume * volume_factor)
        for c in problem.classes
    )
    stacked = {
        name: np.vstack([getattr(problem, name)] * 2)
        for name in ("cost", "accuracy", "accuracy_any", "input_tokens", "output_tokens")
    }
    return replace(problem, classes=problem.classes + copies, **stacked)


@pytest.mark.parametrize("objective", ["max-value", "min-cost"])
def test_repeated_classes_get_what_the_whole_program_gives_them(objective):
    problem = twice(synthetic_problem(30, 20, seed=3, settings=PlanSettings(objective=objective)))
    active = problem.eligible.copy()
    found = repeats(problem, active)
    assert found is not None and len(found.first) == 30
    merged = model.solve_problem(problem, columns=active)
    whole = model._solve_lp_arrays(problem, active, *np.nonzero(active), 1)
    assert merged.status is whole.status is Status.OPTIMAL
    np.testing.assert_allclose(merged.shares, whole.shares, atol=1e-9)
    assert list(merged.rows) == list(whole.rows)  # the same rows, in the same order
    assert merged.rows == whole.rows
    for name in whole.rows:
        assert merged.duals[name] == pytest.approx(whole.duals[name], abs=1e-7)
        assert merged.slacks[name] == pytest.approx(whole.slacks[name], abs=1e-9)
    assert merged.objective == pytest.approx(whole.objective, rel=1e-12)


def test_a_class_with_another_volume_is_another_program():
    """Net value per class scales with its volume: the objective differs, so no merge."""
    problem = twice(synthetic_problem(10, 8, seed=1), volume_factor=2.0)
    assert repeats(problem, problem.eligible) is None


def test_a_budget_couples_the_classes_so_none_is_merged():
    problem = twice(synthetic_problem(10, 8, seed=1, settings=PlanSettings(budget_usd=5e4)))
    assert repeats(problem, problem.eligible) is None
    assert repeats(replace(problem, settings=PlanSettings()), problem.eligible) is not None
