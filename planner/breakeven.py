"""Exact break-even price cuts, found by re-solving the whole plan.

A vendor's list-price cut lowers the cost of its model in every class at once, so the cut at
which a model (or any model of a vendor) starts to win work in a class is a property of the
whole program, not of one class's reduced cost. For a subject S (one model, or every model
of one provider) and a cut p, the plan is re-solved with c'[t,m] = (1 - p) c[t,m] for every
column m of S (cost per task, and with it spend in the budget, cap and commitment rows), and
S "wins work" in class t when its share there exceeds WIN_SHARE.

On a grid of 0.1 point (p = k / 1000, k = 0..1000), the smallest winning k per class is
searched from the ranging of the plan's basis and stated only from two re-solves: S wins at k
and does not at k - 1 (planner.cut_search has the math). A class S does not win even free
(k = 1000) is reported as "never, even free" with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from foundation.formatting import pct
from planner import solver
from planner.cut_search import (
    GRID,
    WIN_SHARE,
    ClassCutSearch,
    ClassPrograms,
    CutSearch,
    HeldCutSearch,
    HeldProgram,
    separable,
)
from planner.problem import PlanningProblem

__all__ = ["GRID", "WIN_SHARE", "BreakEven", "break_evens", "subject_break_evens"]
FAST_MAX_COLUMNS = 20_000  # hold the full program in HiGHS up to this many pairs


@dataclass(frozen=True)
class BreakEven:
    """The smallest list-price cut at which `subject` wins work in `task_class`."""

    task_class: str
    kind: Literal["model", "provider"]
    subject: str  # a model id or a provider id
    price_cut_pct: float | None  # None: never, even free
    reason: str

    def as_json(self) -> dict:
        return {
            "task_class": self.task_class,
            self.kind: self.subject,
            "price_cut_pct": self.price_cut_pct,
            "reason": self.reason,
        }


MIP_NOTE = (
    "Exact break-evens are computed for the linear plan only: with one model per class or "
    "self-hosted capacity priced as whole replicas, every price cut would need a "
    "mixed-integer re-solve (on the example about 100 s for the whole table). Solve without "
    "those options to see them."
)
MAX_EXPLAINED_CLASSES = 200  # break-evens and floor re-solves: work grows with classes x models


def needs_mip(problem: PlanningProblem) -> bool:
    """Whether re-solving this problem means a MIP (one model per class or whole replicas)."""
    return bool(problem.settings.single_model or problem.replicas)


def not_explained(problem: PlanningProblem) -> str | None:
    """Why the per-class re-solves (break-evens, floors) are not computed, or None."""
    if needs_mip(problem):
        return MIP_NOTE
    if len(problem.classes) > MAX_EXPLAINED_CLASSES:
        return (
            f"Exact break-evens and per-class floor re-solves are computed for workloads of up "
            f"to {MAX_EXPLAINED_CLASSES} classes (each is a re-solve per class and model); "
            f"this one has {len(problem.classes):,}."
        )
    return None


def break_evens(
    problem: PlanningProblem,
    shares: np.ndarray,
    kinds: tuple[str, ...] = ("model", "provider"),
    subjects: list[str] | None = None,
) -> list[BreakEven]:
    """Every (class, subject) pair where the subject may do the work but wins none of it in
    the plan `shares`: the exact cut that lets it in, or why no cut does."""
    out: list[BreakEven] = []
    program = _program_for(problem)
    for kind in kinds:
        for subject in subjects or _subjects(problem, kind):
            out += subject_break_evens(problem, shares, kind, subject, program)
    return out


def subject_break_evens(
    problem: PlanningProblem,
    shares: np.ndarray,
    kind: str,
    subject: str,
    program: HeldProgram | ClassPrograms | None = None,
) -> list[BreakEven]:
    """Break-evens of one model or provider, in every class it may serve but does not win."""
    columns = _columns_of(problem, kind, subject)
    usable = problem.eligible[:, columns].any(axis=1)
    won = (shares[:, columns] > WIN_SHARE).any(axis=1)
    targets = np.flatnonzero(usable & ~won)
    if not len(targets):
        return []
    if program is None:
        search = CutSearch(problem, columns)
    elif isinstance(program, ClassPrograms):
        search = ClassCutSearch(program, problem, columns)
    else:
        search = HeldCutSearch(program, problem, columns)
    try:
        return _search_classes(problem, search, kind, subject, columns, targets)
    finally:
        search.restore()


def _search_classes(problem, search, kind, subject, columns, targets) -> list[BreakEven]:
    found = search.smallest_winning_steps([int(t) for t in targets])
    out = []
    for t in targets:
        if found[t] is not None:
            cut = found[t] / (GRID / 100)
            out.append(BreakEven(problem.classes[t].name, kind, subject, cut, _wins_at(cut)))
        else:
            out.append(_never(problem, kind, subject, t, columns, search.free_shares(t)))
    return out


def _program_for(problem: PlanningProblem) -> HeldProgram | ClassPrograms | None:
    """The program held in HiGHS when it is the solver and the program is small enough:
    one small program per class when the program is separable, else the whole."""
    small = problem.eligible.sum() <= FAST_MAX_COLUMNS
    if solver.solver_name() != "highs" or not small or problem.replicas:
        return None
    return ClassPrograms(problem) if separable(problem) else HeldProgram(problem)


def _subjects(problem: PlanningProblem, kind: str) -> list[str]:
    usable = problem.eligible.any(axis=0) & problem.is_ai
    names = problem.options if kind == "model" else problem.providers
    return sorted({names[m] for m in np.flatnonzero(usable)})


def _columns_of(problem: PlanningProblem, kind: str, subject: str) -> np.ndarray:
    names = np.array(problem.options if kind == "model" else problem.providers, dtype=object)
    return (names == subject) & problem.is_ai


def _wins_at(cut: float) -> str:
    if cut == 0:
        return "wins work at list price (a tie with the plan's choice)"
    return (
        f"wins work from a {pct(cut / 100)} list-price cut; not at {pct(max(cut - 0.1, 0) / 100)}"
    )


def _never(
    problem: PlanningProblem,
    kind: str,
    subject: str,
    t: int,
    columns: np.ndarray,
    free_shares: np.ndarray | None,
) -> BreakEven:
    """Why no cut wins class t: no plan free, the accuracy, or the vendor limits (the
    subject's row of the plan re-solved with it free is `free_shares`)."""
    task = problem.classes[t]
    name = task.name
    if free_shares is None:
        return BreakEven(name, kind, subject, None, "no plan exists even with it free")
    mine = columns & problem.eligible[t]
    best = float(np.nanmax(np.where(mine, problem.accuracy[t], np.nan)))
    achieved = float(np.nansum(free_shares * problem.accuracy[t]))
    who = "its best model" if kind == "provider" else "it"
    if best + 1e-12 < task.min_accuracy:
        mixing = (
            "mixing it in loses more value than its price saves"
            if problem.settings.objective == "max-value"
            else "the other options leave no accuracy to spare for mixing it in"
        )
        why = (
            f"never, even free: {who} reaches {pct(best)}, below the {pct(task.min_accuracy)} "
            f"floor, and {mixing}"
        )
    elif best + 1e-12 < achieved:
        why = (
            f"never, even free: {who} reaches {pct(best)} against {pct(achieved)} for the plan's "
            "choice, and the value of the extra failures exceeds the plan's cost"
        )
    else:
        why = "never, even free: the vendor limits (caps or commitments) keep it out"
    return BreakEven(name, kind, subject, None, why)
