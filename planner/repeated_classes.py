"""Classes that are the same program, solved once (planner.model's plain LP).

When nothing couples the classes (no budget, vendor cap or commitment: `separable`), the LP
is one small program per class: min sum_m o[t,m] x[t,m] s.t. sum_m x = 1 and
sum_m a[t,m] x >= A[t], over the class's active columns. Two classes with the same active
columns, objective coefficients o (volume included), accuracies a and floor A are the same
program, so they have the same optimal shares, row activities and row duals. The program is
solved on one class of each such group (the first), and every other class of the group is
given its shares, slacks and duals: the same numbers, not rescaled ones.

A workload of many classes of the same sizes, category and floor (a team's or a product's
classes written out per customer, say) then costs one class's solve per distinct class.
Classes that differ in anything the program reads are never merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.problem import PlanningProblem
from planner.program import Row, objective_coefficients


def separable(problem: PlanningProblem) -> bool:
    """No row couples the classes: no budget, vendor cap or commitment (the caller solves
    only the plain LP, so no replicas and no one-model-per-class either)."""
    s = problem.settings
    return s.budget_usd is None and not s.vendor_caps and not s.commitments_usd


@dataclass(frozen=True)
class Repeats:
    """`first[g]`: the class solved for group g; `group_of[t]`: class t's group."""

    first: np.ndarray
    group_of: np.ndarray


def repeats(problem: PlanningProblem, active: np.ndarray) -> Repeats | None:
    """The groups of classes that are the same program, or None when every class differs
    (or the program is not separable)."""
    if not separable(problem):
        return None
    t_idx, m_idx = np.nonzero(active)
    coefficients = objective_coefficients(problem, t_idx, m_idx)
    accuracies = problem.accuracy[t_idx, m_idx]
    # First a short key that equal programs share (their columns' count and sums, in the
    # same order, and the floor): when it already tells every class apart, nothing repeats.
    n = len(active)
    floors = np.asarray(problem.floors, dtype=float)
    short = np.stack([np.bincount(t_idx, minlength=n).astype(float), floors,
                      np.bincount(t_idx, coefficients, n), np.bincount(t_idx, accuracies, n)],
                     axis=1)  # fmt: skip
    if len(_groups(short)[1]) == n:
        return None
    objective = np.full(active.shape, np.nan)
    objective[t_idx, m_idx] = coefficients
    accuracy = np.where(active, problem.accuracy, np.nan)
    group_of, first = _groups(np.concatenate([objective, accuracy, floors[:, None]], axis=1))
    return None if len(first) == n else Repeats(first, group_of)


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group (rows with the same bytes), and each group's first row."""
    seen: dict[bytes, int] = {}
    group_of = np.array([seen.setdefault(row.tobytes(), len(seen)) for row in key], np.int64)
    return group_of, np.unique(group_of, return_index=True)[1]


def class_rows(tasks: list[int], floors: np.ndarray) -> list[Row]:
    """The rows of a separable program over `tasks`, in `program_arrays`' order: every
    class's assignment row, then every class's accuracy floor."""
    assign = [Row(f"assign_{t}", "assignment", task=t, bound=1.0) for t in tasks]
    accuracy = [Row(f"accuracy_{t}", "accuracy", task=t, bound=float(floors[t])) for t in tasks]
    return assign + accuracy


def spread(
    found: Repeats, shares: np.ndarray, values: dict[str, float], tasks: list[int]
) -> tuple[np.ndarray, list[float]]:
    """The solved classes' shares given to every class of their group, and a row value
    (slack or dual) per row of `class_rows(tasks)` from the solved class's same row."""
    source = found.first[found.group_of]  # per class, the class solved for it
    per_row = [values[f"assign_{source[t]}"] for t in tasks]
    per_row += [values[f"accuracy_{source[t]}"] for t in tasks]
    return shares[source], per_row
