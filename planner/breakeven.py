"""Exact break-even price cuts, found by re-solving the whole plan.

A vendor's list-price cut lowers the cost of its model in every class at once, so the cut at
which a model (or any model of a vendor) starts to win work in a class is a property of the
whole program, not of one class's reduced cost. For a subject S (one model, or every model
of one provider) and a cut p, the plan is re-solved with c'[t,m] = (1 - p) c[t,m] for every
column m of S (cost per task, and with it spend in the budget, cap and commitment rows), and
S "wins work" in class t when its share there exceeds WIN_SHARE.

On a grid of 0.1 point (p = k / 1000, k = 0..1000), the smallest winning k per class is
found by bisection, with every re-solve shared between the classes whose bracket contains it.
A class S does not win even free (k = 1000) is reported as "never, even free" with the reason.
Bisection assumes that once S wins a class it keeps it as the cut deepens; the tests re-solve
at the cut and half a point either side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from foundation.formatting import pct
from planner import solver
from planner.model import solve_problem
from planner.problem import PlanningProblem
from planner.program import build_lp, objective_coefficients
from planner.solver import Status, highspy

GRID = 1000  # steps of 0.1 point between no cut and free
WIN_SHARE = 1e-6  # a share above this is work won, below it solver noise
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
    program: _HighsProgram | None = None,
) -> list[BreakEven]:
    """Break-evens of one model or provider, in every class it may serve but does not win."""
    columns = _columns_of(problem, kind, subject)
    usable = problem.eligible[:, columns].any(axis=1)
    won = (shares[:, columns] > WIN_SHARE).any(axis=1)
    targets = np.flatnonzero(usable & ~won)
    if not len(targets):
        return []
    if program is None:
        search = _CutSearch(problem, columns)
    else:
        search = _HighsCutSearch(program, problem, columns)
    try:
        return _search_classes(problem, search, kind, subject, columns, targets)
    finally:
        search.restore()


def _search_classes(problem, search, kind, subject, columns, targets) -> list[BreakEven]:
    free = search.wins(GRID)
    if free is None:
        return [_never(problem, kind, subject, t, columns, None) for t in targets]
    reachable = [t for t in targets if free[t]]
    found = search.smallest_winning_steps(reachable)
    out = []
    for t in targets:
        if t in found:
            cut = found[t] / (GRID / 100)
            out.append(BreakEven(problem.classes[t].name, kind, subject, cut, _wins_at(cut)))
        else:
            out.append(_never(problem, kind, subject, t, columns, search.shares_at(GRID)))
    return out


class _CutSearch:
    """Re-solves the plan at grid cuts of one subject's prices, remembering each answer."""

    def __init__(self, problem: PlanningProblem, columns: np.ndarray):
        self.problem = problem
        self.columns = columns
        self._memo: dict[int, np.ndarray | None] = {}

    def restore(self) -> None:
        """Nothing to undo: each cut is solved on a copy of the problem."""

    def shares_at(self, step: int) -> np.ndarray | None:
        if step not in self._memo:
            factor = np.where(self.columns, 1.0 - step / GRID, 1.0)
            replicas = tuple(
                replace(r, monthly_cost_usd=r.monthly_cost_usd * factor[r.option])
                for r in self.problem.replicas
            )
            cut = replace(self.problem, cost=self.problem.cost * factor[None, :], replicas=replicas)
            solution = solve_problem(cut)
            ok = solution.status is Status.OPTIMAL
            self._memo[step] = solution.shares if ok else None
        return self._memo[step]

    def wins(self, step: int) -> np.ndarray | None:
        """Per class: does the subject carry work at this cut? None if no plan exists."""
        shares = self.shares_at(step)
        if shares is None:
            return None
        return (shares[:, self.columns] > WIN_SHARE).any(axis=1)

    def smallest_winning_steps(self, classes: list[int]) -> dict[int, int]:
        """Bisection per class on (lo, hi]: lo does not win, hi does; one re-solve narrows
        every bracket that contains it."""
        brackets = {t: [0, GRID] for t in classes}
        while True:
            open_ = [t for t, (lo, hi) in brackets.items() if hi - lo > 1]
            if not open_:
                return {t: hi for t, (_, hi) in brackets.items()}
            lo, hi = brackets[open_[0]]
            mid = (lo + hi) // 2
            won = self.wins(mid)
            for t, bracket in brackets.items():
                if bracket[0] < mid < bracket[1]:
                    bracket[1 if won is not None and won[t] else 0] = mid


def _program_for(problem: PlanningProblem) -> _HighsProgram | None:
    """The held program when HiGHS is the solver and the full program is small enough."""
    small = problem.eligible.sum() <= FAST_MAX_COLUMNS
    if solver.solver_name() == "highs" and small and not problem.replicas:
        return _HighsProgram(problem)
    return None


class _HighsProgram:
    """The full program built once and held in HiGHS, for every subject of one plan."""

    def __init__(self, problem: PlanningProblem):
        t_idx, m_idx = np.nonzero(problem.eligible)
        mip = problem.settings.single_model
        lp, variables, rows = build_lp(problem, t_idx, m_idx, mip)
        solver.solve(lp, mip=mip)
        self.highs = lp.solverModel
        self.cells = (t_idx, m_idx)
        self.index = np.array([v.index for v in variables], dtype=np.int32)
        self.objective = objective_coefficients(problem, t_idx, m_idx)
        self.spend = problem.volume[t_idx] * problem.cost[t_idx, m_idx]
        scaled = {"budget", "commitment", "definition"}
        if problem.settings.cap_basis != "tasks":
            scaled.add("vendor_cap")
        position = {v.name: j for j, v in enumerate(variables)}
        self.coefs = []  # (pair position, row, column, base coefficient) in the spend rows
        for row_index, constraint in enumerate(lp.constraints()):
            row = rows.get(constraint.name)
            if row is not None and row.family in scaled:
                for var, coef in constraint.items():
                    if var.name in position:
                        self.coefs.append((position[var.name], row_index, var.index, coef))


class _HighsCutSearch(_CutSearch):
    """Cuts re-solved in the held program. A cut p changes, for each pair j of the subject,
    its objective coefficient (both objectives move by -V c p) and its coefficients in the
    spend rows (budget, model spend, USD or spend caps, commitments: V c becomes
    V c (1 - p)); HiGHS re-solves from the last basis. Same program, same answers as a fresh
    solve, without rebuilding it; `restore()` puts list prices back for the next subject."""

    def __init__(self, program: _HighsProgram, problem: PlanningProblem, columns: np.ndarray):
        super().__init__(problem, columns)
        self.program = program
        mine = columns[program.cells[1]]
        self._pairs = np.flatnonzero(mine)
        self._coefs = [c for c in program.coefs if mine[c[0]]]

    def _set_cut(self, cut: float) -> None:
        p, pairs = self.program, self._pairs
        costs = p.objective[pairs] - p.spend[pairs] * cut
        p.highs.changeColsCost(len(pairs), p.index[pairs], costs)
        for _, row, col, coef in self._coefs:
            p.highs.changeCoeff(row, col, coef * (1 - cut))

    def restore(self) -> None:
        self._set_cut(0.0)

    def shares_at(self, step: int) -> np.ndarray | None:
        if step in self._memo:
            return self._memo[step]
        self._set_cut(step / GRID)
        h = self.program.highs
        h.run()
        shares = None
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            values = np.asarray(h.getSolution().col_value)[self.program.index]
            shares = np.zeros(self.problem.cost.shape)
            shares[self.program.cells] = np.clip(values, 0.0, 1.0)
        self._memo[step] = shares
        return shares


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
    task = problem.classes[t]
    name = task.name
    if free_shares is None:
        return BreakEven(name, kind, subject, None, "no plan exists even with it free")
    mine = columns & problem.eligible[t]
    best = float(np.nanmax(np.where(mine, problem.accuracy[t], np.nan)))
    achieved = float(np.nansum(free_shares[t] * problem.accuracy[t]))
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
