"""The search behind the break-evens (planner.breakeven): the plan re-solved at grid cuts of one
subject's list prices, and the smallest cut at which the subject wins each class.

A subject S is one model or every model of one provider. A cut p multiplies the cost per task
of each of S's columns by (1 - p). On the grid p = k / GRID, the answer for class t is the
smallest k at which S carries work in t, and it is always stated from two re-solves: S wins at
k and does not at k - 1 (k = 0 is the plan itself, which S does not win).

The search keeps, per class, a bracket (lo, hi]: lo a step solved where S does not win t, hi
one where it does. Every step solved for one class narrows every other class's bracket too.
The next step to solve comes from the ranging of the basis at lo: with the duals y of the
program solved at lo fixed, the reduced cost of S's column j falls linearly as the cut deepens,

    d_j(p) = d_j(lo) - (p - lo) g_j,   g_j = V c_j - sum over spend rows r of y_r a_rj,

since the objective loses V c_j per unit of cut and each spend-row coefficient a_rj (budget,
model spend, USD or spend caps, commitments) becomes a_rj (1 - p). The basis at lo stays
optimal, and S out of class t, at least until p = lo + min_j d_j / g_j over S's columns in t,
unless another column's change comes first. So the first grid step past that point is solved
next: if S wins there, the step below is solved to confirm it; if not, lo moves up and the
guess is made again from the new basis (a Newton step from below). When a guess overshoots
(the basis changed first) the bracket is bisected. On the example without a budget nearly
every guess is the answer, confirmed by its two re-solves.

The search assumes that once S wins a class it keeps it as the cut deepens, as bisection
does; the tests re-solve at the stated cut and half a point either side.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner import solver
from planner.model import solve_problem
from planner.problem import PlanningProblem
from planner.program import build_lp, objective_coefficients
from planner.solver import Status, highspy

GRID = 1000  # steps of 0.1 point between no cut and free
WIN_SHARE = 1e-6  # a share above this is work won, below it solver noise
TIE = 1e-6  # of a grid step: a guess this close to a step is that step (a tie may win)


class CutSearch:
    """Re-solves the plan at grid cuts of one subject's prices (a fresh solve of a copy of
    the problem per cut), remembering each answer; the search bisects."""

    def __init__(self, problem: PlanningProblem, columns: np.ndarray):
        self.problem = problem
        self.columns = columns
        self._memo: dict[int, np.ndarray | None] = {}
        self._wins: dict[int, np.ndarray | None] = {}
        self.guesses_hold = True  # until a guess that won is found past the answer

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
        if step not in self._wins:
            shares = self.shares_at(step)
            won = None if shares is None else (shares[:, self.columns] > WIN_SHARE).any(axis=1)
            self._wins[step] = won
        return self._wins[step]

    def smallest_winning_steps(self, classes: list[int]) -> dict[int, int | None]:
        """Per class, the smallest winning step, confirmed by re-solves at it and below it;
        None where the subject does not win even free."""
        self.wins(GRID)  # one solve of the whole program says which classes free wins
        return {t: self._smallest(t) for t in classes}

    def free_shares(self, t: int) -> np.ndarray | None:
        """Class t's shares with the subject free; None if no plan exists then."""
        shares = self.shares_at(GRID)
        return None if shares is None else shares[t]

    def _smallest(self, t: int) -> int | None:
        if self.known(t).get(GRID) is False:
            return None  # not even free: as the search assumes, then at no cut
        lo, hi = self._bracket(t)
        if hi == GRID and self.guess(t, lo) is None and not self.wins_class(t, GRID):
            return None
        confirm = False  # the last step solved was a guess that won: solve the one below
        while hi - lo > 1:
            probe = self._next(t, lo, hi, confirm)
            if self.wins_class(t, probe):
                confirm = not confirm and probe != (lo + hi) // 2 and self.guesses_hold
                if probe == hi - 1 and hi - lo > 2:
                    self.guesses_hold = False  # a confirmation that also won: overshot
                hi = probe
            else:
                lo, confirm = probe, False
        if hi == GRID and not self.wins_class(t, GRID):
            return None
        return hi

    def _next(self, t: int, lo: int, hi: int, confirm: bool) -> int:
        """The next step to solve in (lo, hi): below a guess that won, the step under it;
        else the guess from lo while guesses have held for this subject, or when it lies in
        the lower half (the ranging overshoots once the basis changes, so a guess is an
        upper bound then); else the middle."""
        middle = (lo + hi) // 2
        if confirm:
            return hi - 1
        guess = self.guess(t, lo)
        if guess is None or not lo < guess < hi:
            return middle
        return guess if self.guesses_hold or guess <= middle else middle

    def wins_class(self, t: int, step: int) -> bool:
        """Does the subject carry work in class t at this cut (no plan: no)?"""
        won = self.wins(step)
        return won is not None and bool(won[t])

    def known(self, t: int) -> dict[int, bool]:
        """The steps solved so far, and whether the subject wins class t at each."""
        return {k: bool(self.wins(k)[t]) for k, v in self._memo.items() if v is not None}

    def _bracket(self, t: int) -> tuple[int, int]:
        """The tightest (lo, hi] the steps solved so far give class t: hi the smallest step
        that wins it (GRID, free, is solved first), lo the largest below hi that does not."""
        won = self.known(t)
        hi = min([k for k, w in won.items() if w], default=GRID)
        return max([k for k, w in won.items() if not w and k < hi], default=0), hi

    def guess(self, t: int, lo: int) -> int | None:
        """No guess without the duals of a held program: bisect."""
        return None


def first_step(lo: int, d: np.ndarray, g: np.ndarray) -> int | None:
    """The first grid step past lo at which a reduced cost d, falling at g per unit of cut,
    reaches zero (min over the columns given); None if none does before free."""
    falling = g > 0
    if not falling.any():
        return None
    first = float(np.min(np.maximum(d[falling], 0.0) / g[falling])) * GRID
    if lo + first >= GRID:
        return None
    return lo + max(1, int(np.ceil(first - TIE)))


class HeldProgram:
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
        coefs = []  # (pair position, row, column, base coefficient) in the spend rows
        for row_index, constraint in enumerate(lp.constraints()):
            row = rows.get(constraint.name)
            if row is not None and row.family in scaled:
                for var, coef in constraint.items():
                    if var.name in position:
                        coefs.append((position[var.name], row_index, var.index, coef))
        self.coefs = np.array(coefs, dtype=float).reshape(-1, 4)
        self.list_price = self.highs.getSolution()


class HeldCutSearch(CutSearch):
    """Cuts re-solved in the held program: a cut p changes, for each pair j of the subject,
    its objective coefficient (both objectives move by -V c p) and its coefficients in the
    spend rows (V c becomes V c (1 - p)); HiGHS re-solves from the last basis. Same program,
    same answers as a fresh solve, without rebuilding it; `restore()` puts list prices back
    for the next subject. Each solve also keeps the subject's reduced costs, for the guesses."""

    def __init__(self, program: HeldProgram, problem: PlanningProblem, columns: np.ndarray):
        super().__init__(problem, columns)
        self.program = program
        self._pairs = np.flatnonzero(columns[program.cells[1]])
        self._owner = program.cells[0][self._pairs]
        self._coefs = program.coefs[np.isin(program.coefs[:, 0], self._pairs)]
        self._local = np.searchsorted(self._pairs, self._coefs[:, 0].astype(int))
        self._solutions = {0: program.list_price}  # HiGHS solutions, for the guesses
        self._slopes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def slopes(self, step: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The subject's reduced costs d in the program solved at `step` and the rates g at
        which they fall per unit of cut while its duals hold (module docstring)."""
        if step not in self._slopes and step in self._solutions:
            solution, p = self._solutions[step], self.program
            d = np.asarray(solution.col_dual)[p.index[self._pairs]]
            dual = np.asarray(solution.row_dual)[self._coefs[:, 1].astype(int)]
            spent = np.bincount(self._local, dual * self._coefs[:, 3], len(self._pairs))
            self._slopes[step] = d, p.spend[self._pairs] - spent
        return self._slopes.get(step)

    def _set_cut(self, cut: float) -> None:
        p, pairs = self.program, self._pairs
        costs = p.objective[pairs] - p.spend[pairs] * cut
        p.highs.changeColsCost(len(pairs), p.index[pairs], costs)
        for _, row, col, coef in self._coefs:
            p.highs.changeCoeff(int(row), int(col), coef * (1 - cut))

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
            solution = h.getSolution()
            values = np.asarray(solution.col_value)[self.program.index]
            shares = np.zeros(self.problem.cost.shape)
            shares[self.program.cells] = np.clip(values, 0.0, 1.0)
            self._solutions[step] = solution
        self._memo[step] = shares
        return shares

    def guess(self, t: int, lo: int) -> int | None:
        """The first grid step past the cut at which the basis solved at `lo` would let one
        of the subject's columns into class t: lo + min_j d_j / g_j."""
        slopes = self.slopes(lo)
        if slopes is None:
            return None
        d, g = slopes
        mine = self._owner == t
        return first_step(lo, d[mine], g[mine])


def separable(problem: PlanningProblem) -> bool:
    """Whether the program is one small program per class: with no budget, vendor cap,
    commitment or replica, its only rows are each class's assignment and accuracy floor."""
    s = problem.settings
    plain = s.budget_usd is None and not s.vendor_caps and not s.commitments_usd
    return plain and not problem.replicas and not s.single_model


class ClassPrograms:
    """A separable program held as one small HiGHS program per class (the same columns,
    objective and two rows as planner.program writes for it). A cut re-solves only the class
    searched, a program of a few dozen columns instead of the whole plan's."""

    def __init__(self, problem: PlanningProblem):
        t_idx, m_idx = np.nonzero(problem.eligible)
        self.cells = (t_idx, m_idx)
        self.objective = objective_coefficients(problem, t_idx, m_idx)
        self.spend = problem.volume[t_idx] * problem.cost[t_idx, m_idx]
        accuracy = problem.accuracy[t_idx, m_idx]
        self.pairs = [np.flatnonzero(t_idx == t) for t in range(len(problem.classes))]
        self.highs = [self._program(p, accuracy[p], problem.floors[t])
                      for t, p in enumerate(self.pairs)]  # fmt: skip
        self.reduced = np.zeros(len(t_idx))
        for h, pairs in zip(self.highs, self.pairs, strict=True):
            self.reduced[pairs] = h.getSolution().col_dual

    def _program(self, pairs: np.ndarray, accuracy: np.ndarray, floor: float):
        """min sum_m o_m x_m s.t. sum_m x_m = 1, sum_m a_m x_m >= A, x >= 0; solved."""
        h, n, inf = highspy.Highs(), len(pairs), highspy.kHighsInf
        h.setOptionValue("output_flag", False)
        h.addCols(n, self.objective[pairs], np.zeros(n), np.full(n, inf), 0,
                  np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
        columns = np.arange(n, dtype=np.int32)
        h.addRows(2, np.array([1.0, floor]), np.array([1.0, inf]), 2 * n,
                  np.array([0, n], np.int32), np.concatenate([columns, columns]),
                  np.concatenate([np.ones(n), accuracy]))  # fmt: skip
        h.run()
        return h


class ClassCutSearch(CutSearch):
    """Cuts re-solved class by class in a separable program: the cut changes only the
    objective of the subject's columns (no spend row holds them), so each class's answer is
    its own program's, and g = V c for every column."""

    def __init__(self, program: ClassPrograms, problem: PlanningProblem, columns: np.ndarray):
        super().__init__(problem, columns)
        self.program = program
        self._mine = [columns[program.cells[1][pairs]] for pairs in program.pairs]
        self._won: dict[tuple[int, int], bool] = {}
        self._reduced: dict[tuple[int, int], np.ndarray] = {}

    def restore(self) -> None:
        for t in range(len(self.program.pairs)):
            self._set_cut(t, 0.0)

    def _set_cut(self, t: int, cut: float) -> None:
        pairs, mine = self.program.pairs[t], self._mine[t]
        if mine.any():
            local = np.flatnonzero(mine)
            costs = self.program.objective[pairs[local]] - self.program.spend[pairs[local]] * cut
            self.program.highs[t].changeColsCost(len(local), local.astype(np.int32), costs)

    def wins_class(self, t: int, step: int) -> bool:
        if (t, step) not in self._won:
            self._set_cut(t, step / GRID)
            h = self.program.highs[t]
            h.run()
            ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            solution = h.getSolution()
            values = np.asarray(solution.col_value)[self._mine[t]] if ok else np.zeros(0)
            self._won[t, step] = bool((values > WIN_SHARE).any())
            if ok:
                self._reduced[t, step] = np.asarray(solution.col_dual)[self._mine[t]]
        return self._won[t, step]

    def smallest_winning_steps(self, classes: list[int]) -> dict[int, int | None]:
        """As for the whole program, class by class: free is solved only for a class whose
        guess says no cut lets the subject in, or whose search ends at free."""
        return {t: self._smallest(t) for t in classes}

    def free_shares(self, t: int) -> np.ndarray | None:
        self._set_cut(t, 1.0)  # solved afresh: the held program may be at another cut now
        self.program.highs[t].run()
        pairs = self.program.pairs[t]
        shares = np.zeros(self.problem.cost.shape[1])
        values = np.asarray(self.program.highs[t].getSolution().col_value)
        shares[self.program.cells[1][pairs]] = np.clip(values, 0.0, 1.0)
        return shares

    def known(self, t: int) -> dict[int, bool]:
        return {k: w for (c, k), w in self._won.items() if c == t}

    def guess(self, t: int, lo: int) -> int | None:
        pairs = self.program.pairs[t][self._mine[t]]
        d = self.program.reduced[pairs] if lo == 0 else self._reduced.get((t, lo))
        if d is None:
            return None
        return first_step(lo, d, self.program.spend[pairs])
