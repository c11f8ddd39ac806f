"""The linear program of planner.program written straight into arrays, for HiGHS.

The same columns, rows, order and coefficients as `program.build_lp` writes through PuLP
(that function's docstrings carry the math); PuLP builds one Python object per variable and
term, which on 20,000 classes takes longer than the solve. Used for the plain LP (no one model
per class, no whole replicas); those programs still go through PuLP.

Columns are ordered as PuLP orders them (by name: `model_spend`, then `x_{t}_{m}` as text),
rows in the order `build_lp` adds them, so that HiGHS sees the same program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.problem import PlanningProblem
from planner.program import (
    Row,
    _cap_coefficients,
    _cap_rhs,
    _commit_coefficients,
    objective_coefficients,
)

INF = float("inf")


@dataclass(frozen=True)
class LpArrays:
    """min c x  s.t.  lo <= A x <= hi,  x >= 0, A in compressed rows; `pairs[j]` is column
    j's position in (t_idx, m_idx), or -1 for the model-spend column."""

    cost: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    starts: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    pairs: np.ndarray
    rows: list[Row]
    senses: np.ndarray  # per row: 1 for >= or =, -1 for <= (how its slack is read)


def lp_arrays(problem: PlanningProblem, t_idx: np.ndarray, m_idx: np.ndarray) -> LpArrays:
    """The program over the given columns (planner.program.build_lp, as arrays)."""
    n = len(t_idx)
    caps = sorted(problem.settings.vendor_caps.items())
    spend_var = bool(caps) and problem.settings.cap_basis == "spend"
    names = [f"x_{t}_{m}" for t, m in zip(t_idx.tolist(), m_idx.tolist(), strict=True)]
    order = np.array(sorted(range(n), key=names.__getitem__), dtype=np.int64)
    pairs = np.concatenate([[-1], order]) if spend_var else order
    column_of = np.empty(n, dtype=np.int64)
    column_of[order] = np.arange(n) + (1 if spend_var else 0)
    builder = _Rows(column_of)
    _assignment_and_floors(builder, problem, t_idx, m_idx)
    _spend_rows(builder, problem, t_idx, m_idx, caps, spend_var)
    cost = np.zeros(len(pairs))
    cost[column_of] = objective_coefficients(problem, t_idx, m_idx)
    return builder.arrays(cost, pairs)


class _Rows:
    """Rows collected in blocks (CSR pieces with their bounds and Rows), then laid out."""

    def __init__(self, column_of: np.ndarray):
        self.column_of = column_of
        self.blocks: list[tuple] = []  # (lengths, columns, values, lo, hi, rows, senses)

    def add(self, pairs, values, sense: str, rhs: float, row: Row, spend: float = 0.0) -> None:
        """A row over pair positions `pairs` (and the model-spend column, with `spend`)."""
        columns = self.column_of[pairs]
        values = np.asarray(values, dtype=float)
        keep = values != 0
        columns, values = columns[keep], values[keep]
        if spend:
            columns, values = np.concatenate([[0], columns]), np.concatenate([[spend], values])
        lo, hi = {"=": (rhs, rhs), ">=": (rhs, INF), "<=": (-INF, rhs)}[sense]
        sense_code = -1 if sense == "<=" else 1
        self.blocks.append(([len(columns)], columns, values, [lo], [hi], [row], [sense_code]))

    def add_per_class(self, t_of, pairs, values, sense: str, rhs, rows: list[Row]) -> None:
        """One row per class at once: `pairs` sorted by class `t_of` (zero values dropped)."""
        keep = values != 0
        lengths = np.bincount(np.searchsorted(np.unique(t_of), t_of[keep]), minlength=len(rows))
        rhs = np.asarray(rhs, dtype=float)
        lo = rhs if sense in ("=", ">=") else np.full(len(rows), -INF)
        hi = rhs if sense in ("=", "<=") else np.full(len(rows), INF)
        senses = np.full(len(rows), -1 if sense == "<=" else 1)
        columns = self.column_of[pairs[keep]]
        self.blocks.append((lengths, columns, values[keep], lo, hi, rows, senses))

    def arrays(self, cost: np.ndarray, pairs: np.ndarray) -> LpArrays:
        lengths = np.concatenate([np.asarray(b[0], dtype=np.int64) for b in self.blocks])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
        return LpArrays(
            cost=cost,
            row_lo=np.concatenate([np.asarray(b[3], dtype=float) for b in self.blocks]),
            row_hi=np.concatenate([np.asarray(b[4], dtype=float) for b in self.blocks]),
            starts=starts,
            indices=np.concatenate([b[1] for b in self.blocks]).astype(np.int32),
            values=np.concatenate([b[2] for b in self.blocks]).astype(float),
            pairs=pairs,
            rows=[row for b in self.blocks for row in b[5]],
            senses=np.concatenate([np.asarray(b[6], dtype=np.int8) for b in self.blocks]),
        )


def _assignment_and_floors(rows: _Rows, problem, t_idx, m_idx) -> None:
    """assign_t: sum_m x = 1 for every class, then accuracy_t: sum_m a x >= A[t]."""
    order = np.argsort(t_idx, kind="stable")
    t_of = t_idx[order]
    tasks = np.unique(t_of).tolist()
    assign = [Row(f"assign_{t}", "assignment", task=t, bound=1.0) for t in tasks]
    rows.add_per_class(t_of, order, np.ones(len(order)), "=", np.ones(len(tasks)), assign)
    floors = [float(problem.floors[t]) for t in tasks]
    accuracy = [Row(f"accuracy_{t}", "accuracy", task=t, bound=f)
                for t, f in zip(tasks, floors, strict=True)]  # fmt: skip
    values = problem.accuracy[t_idx, m_idx][order]
    rows.add_per_class(t_of, order, values, ">=", floors, accuracy)


def _spend_rows(rows: _Rows, problem, t_idx, m_idx, caps, spend_var: bool) -> None:
    """The budget, the model-spend definition and vendor caps, and the commitments."""
    everything = np.arange(len(t_idx))
    budget = problem.settings.budget_usd
    if budget is not None:
        spend = problem.volume[t_idx] * problem.variable_cost[t_idx, m_idx]
        rows.add(everything, spend, "<=", float(budget), Row("budget", "budget",
                                                             bound=float(budget)))  # fmt: skip
    if caps:
        coef = _cap_coefficients(problem, t_idx, m_idx)
        if spend_var:
            rows.add(everything, coef, "=", 0.0, Row("model_spend", "definition"), spend=-1.0)
        providers = problem.provider_of[m_idx]
        for k, (provider, cap) in enumerate(caps):
            mine = np.flatnonzero((providers == provider) & (coef > 0))
            row = Row(f"vendor_cap_{k}", "vendor_cap", provider=provider, bound=cap)
            rhs = _cap_rhs(problem, cap)
            rows.add(mine, coef[mine], "<=", rhs, row, spend=-float(cap) if spend_var else 0.0)
    for k, (provider, minimum) in enumerate(sorted(problem.settings.commitments_usd.items())):
        coef = _commit_coefficients(problem, t_idx, m_idx, provider)
        mine = np.flatnonzero(coef)
        row = Row(f"commitment_{k}", "commitment", provider=provider, bound=float(minimum))
        rows.add(mine, coef[mine], ">=", float(minimum), row)
