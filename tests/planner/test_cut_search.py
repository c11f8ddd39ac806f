"""The break-even search (planner.cut_search): which program it holds, that every stated cut
rests on two re-solves, and that the class-by-class search of a separable program states the
cuts a fresh solve of the whole plan confirms to 0.1 point."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner import breakeven
from planner.cut_search import GRID, WIN_SHARE, ClassPrograms, HeldProgram, separable
from planner.model import solve_problem
from planner.plan import optimize
from planner.problem import PlanSettings
from tests.planner.test_explanations import example
from tests.planner.test_optimizer import make_problem, task

HAND_MODELS = [("p/accurate", "p"), ("q/cheap", "q"), ("r/mid", "r")]
HAND_ROW = [(0.02, 0.9), (0.005, 0.7), (0.016, 0.8)]  # r/mid wins from a 21.9 % cut


def hand_case(**settings):
    return make_problem([task()], HAND_MODELS, [HAND_ROW], PlanSettings(**settings))


@pytest.mark.parametrize(
    ("settings", "held"),
    [
        ({"objective": "min-cost"}, ClassPrograms),
        ({}, ClassPrograms),
        ({"budget_usd": 100.0}, HeldProgram),
        ({"vendor_caps": {"p": 0.9}}, HeldProgram),
        ({"commitments_usd": {"q": 1.0}}, HeldProgram),
    ],
)
def test_a_program_without_rows_across_classes_is_held_class_by_class(settings, held):
    problem = hand_case(**settings)
    assert separable(problem) is (held is ClassPrograms)
    assert isinstance(breakeven._program_for(problem), held)


@pytest.mark.parametrize(
    "settings", [{"objective": "min-cost"}, {"objective": "min-cost", "budget_usd": 100.0}]
)
def test_a_stated_cut_rests_on_a_re_solve_at_it_and_one_at_the_step_below(settings):
    problem = hand_case(**settings)
    plan = optimize(problem)
    program = breakeven._program_for(problem)
    columns = breakeven._columns_of(problem, "model", "r/mid")
    search = (
        breakeven.ClassCutSearch(program, problem, columns)
        if isinstance(program, ClassPrograms)
        else breakeven.HeldCutSearch(program, problem, columns)
    )
    assert not (plan.shares[0, columns] > WIN_SHARE).any()
    (step,) = search.smallest_winning_steps([0]).values()
    solved = search.known(0)
    assert step == 219 and solved[step] is True and solved[step - 1] is False
    assert len(solved) <= 3, "the ranging guess is the answer: two re-solves and free at most"
    search.restore()


def wins_fresh(problem, kind: str, subject: str, t: int, cut_pct: float) -> bool:
    """The whole plan solved afresh with the subject's list prices cut."""
    names = problem.options if kind == "model" else problem.providers
    columns = (np.array(names, dtype=object) == subject) & problem.is_ai
    factor = np.where(columns, 1 - min(cut_pct, 100.0) / 100, 1.0)
    solution = solve_problem(replace(problem, cost=problem.cost * factor[None, :]))
    return bool((solution.shares[t, columns] > WIN_SHARE).any())


def test_class_by_class_cuts_on_the_example_hold_to_a_tenth_of_a_point_in_the_whole_plan():
    problem = example(objective="min-cost")
    assert separable(problem)
    plan = optimize(problem)
    found = breakeven.break_evens(problem, plan.shares)
    names = [c.name for c in problem.classes]
    stated = [b for b in found if b.price_cut_pct is not None]
    assert len(stated) > 100
    for b in stated[::25]:  # a spread of them: each is two fresh solves of the whole plan
        t = names.index(b.task_class)
        assert wins_fresh(problem, b.kind, b.subject, t, b.price_cut_pct + 0.05)
        if b.price_cut_pct >= 0.2:
            assert not wins_fresh(problem, b.kind, b.subject, t, b.price_cut_pct - 0.15)
    for b in [b for b in found if b.price_cut_pct is None][::20]:
        assert not wins_fresh(problem, b.kind, b.subject, names.index(b.task_class), 100.0)


def test_the_grid_is_the_break_evens_grid():
    assert GRID == breakeven.GRID == 1000
