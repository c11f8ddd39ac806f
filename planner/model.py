"""Solving the portfolio program (planner.program) by column generation, and reading the
solution back: shares, duals, slacks, whole replicas.

Speed: most pairs (t,m) can never be in an optimal plan, because a cheaper and more accurate
option exists for the same class. The program is first solved on those Pareto-efficient
columns only (per provider when vendor rows exist, since spend shares can favour any
vendor's column); then every left-out column is priced against the duals, and any with a
negative reduced cost is added and the program solved again. When no column prices out,
the restricted optimum is optimal for the full program (LP optimality conditions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pulp

from planner import solver
from planner.problem import PlanningProblem
from planner.program import Row, build_lp, objective_coefficients
from planner.program_arrays import lp_arrays
from planner.repeated_classes import Repeats, class_rows, repeats, spread
from planner.solver import Status

REDUCED_COST_TOL = 1e-7
MAX_ROUNDS = 50


@dataclass
class LpSolution:
    status: Status
    shares: np.ndarray  # T x M, zero where no column
    objective: float  # in the user's sense: net value (max-value) or cost (min-cost)
    duals: dict[str, float]  # min-form row duals; empty for the single-model program
    slacks: dict[str, float]
    rows: dict[str, Row]
    columns: np.ndarray  # T x M mask of the columns in the final program
    rounds: int
    mip_gap: float = 0.0  # relative gap left when a time limit stopped the MIP search
    replicas: np.ndarray | None = None  # whole replicas per `problem.replicas`, if any


def solve_problem(problem: PlanningProblem, columns: np.ndarray | None = None) -> LpSolution:
    """Optimize; with `columns` given, solve exactly those (no pruning, no pricing)."""
    eligible = problem.eligible
    mip = problem.settings.single_model
    if columns is not None:
        return _solve_columns(problem, columns & eligible, mip, rounds=1)
    if problem.replicas:
        # Whole replicas make it a MIP: no duals to price columns with, so every column.
        return _solve_columns(problem, eligible, mip, rounds=1)
    if not _has_vendor_rows(problem):
        # Without vendor rows the Pareto columns are exact for optimality and feasibility.
        return _generate_columns(problem, pareto_columns(problem, by_provider=False), mip)
    if mip:
        return _solve_columns(problem, eligible, mip, rounds=1)
    # Vendor rows: start small and widen only if the restricted program is infeasible.
    result = None
    for start in (
        lambda: _cap_aware_start(problem),
        lambda: pareto_columns(problem, by_provider=True),
        lambda: eligible,
    ):
        result = _generate_columns(problem, start(), mip)
        if result.status is Status.OPTIMAL:
            return result
    return result


def _generate_columns(problem: PlanningProblem, active: np.ndarray, mip: bool) -> LpSolution:
    """Solve, add every left-out column with a negative reduced cost, repeat until none."""
    candidates = problem.eligible & ~active
    for rounds in range(1, MAX_ROUNDS + 1):
        result = _solve_columns(problem, active, mip, rounds)
        if mip or result.status is not Status.OPTIMAL:
            return result
        entering = _priced_out(problem, result, candidates & ~active)
        if not entering.any():
            return result
        active = active | entering
    return result


def _cap_aware_start(problem: PlanningProblem) -> np.ndarray:
    """The Pareto columns, plus those that are Pareto-efficient once the capped providers
    are set aside: the work a cap pushes off a provider usually lands on them, so pricing
    rarely needs another round."""
    capped = np.isin(problem.provider_of, list(problem.settings.vendor_caps))
    uncapped = replace(problem, cost=np.where(capped[None, :], np.nan, problem.cost))
    return pareto_columns(problem, by_provider=False) | pareto_columns(uncapped, by_provider=False)


def pareto_columns(problem: PlanningProblem, by_provider: bool) -> np.ndarray:
    """Columns not dominated by a cheaper, at-least-as-accurate option of the same class.

    Within a class (and provider, if `by_provider`), m is kept only if every option that
    costs no more is strictly less accurate. Swapping a dominated option's share to its
    dominator keeps every floor, lowers spend and raises net value, so the LP without
    vendor rows never needs it.

    The mask of a class depends only on its row of costs and accuracies, so classes with
    the same row (the same sizes, floors' category and allowed providers) are sorted once.
    """
    eligible = problem.eligible
    # Left out pairs sort last in their provider's block, at infinite cost and accuracy -1.
    cost = np.where(eligible, problem.cost, np.inf)
    acc = np.where(eligible, problem.accuracy, -1.0)
    first, row_of = _distinct_rows(np.concatenate([cost, acc], axis=1))
    codes = _provider_codes(problem) if by_provider else None
    mask = _undominated(cost[first], acc[first], codes)
    return mask[row_of] & eligible


def _distinct_rows(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct row of `key`, and each row's index among them."""
    seen: dict[bytes, int] = {}
    row_of = np.array([seen.setdefault(row.tobytes(), len(seen)) for row in key], dtype=np.int64)
    return np.unique(row_of, return_index=True)[1], row_of


def _undominated(cost: np.ndarray, acc: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Per row, sorted by provider (if `codes`), then cost, then accuracy falling: a column
    is kept when it is more accurate than every column before it in its provider's block."""
    if codes is None:
        order = np.lexsort((-acc, cost), axis=-1)
        key = np.take_along_axis(acc, order, axis=-1)
    else:
        group = np.broadcast_to(codes, cost.shape)
        order = np.lexsort((-acc, cost, group), axis=-1)
        # One increasing key per provider block, so a running max never crosses blocks.
        key = np.take_along_axis(group * 2.0 + acc, order, axis=-1)
    previous = np.concatenate(
        [np.full((len(key), 1), -np.inf), np.maximum.accumulate(key, axis=-1)[:, :-1]], axis=1
    )
    mask = np.zeros(cost.shape, dtype=bool)
    np.put_along_axis(mask, order, key > previous, axis=-1)
    return mask


def _solve_columns(
    problem: PlanningProblem, active: np.ndarray, mip: bool, rounds: int
) -> LpSolution:
    t_idx, m_idx = np.nonzero(active)
    if solver.solves_arrays(mip or bool(problem.replicas)):
        return _solve_arrays(problem, active, t_idx, m_idx, rounds)
    lp, variables, rows = build_lp(problem, t_idx, m_idx, mip)
    integer = mip or bool(problem.replicas)
    status = solver.solve(lp, mip=integer)
    gap = solver.mip_gap(lp) if integer else 0.0
    replicas = _replica_counts(lp, problem) if status is Status.OPTIMAL else None
    if status is Status.OPTIMAL and problem.replicas and not mip:
        # Duals for the explanations: the LP with the replicas fixed at their optimum.
        _fix_replicas(lp, problem, replicas)
        status = solver.solve(lp, mip=False)
    shares = np.zeros(problem.cost.shape)
    duals: dict[str, float] = {}
    slacks: dict[str, float] = {}
    objective = float("nan")
    if status is Status.OPTIMAL:
        shares[t_idx, m_idx] = [v.varValue or 0.0 for v in variables]
        np.clip(shares, 0.0, 1.0, out=shares)
        constraints = lp.constraints()
        slacks = {c.name: float(c.slack or 0.0) for c in constraints}
        if not mip:
            duals = {c.name: float(c.pi or 0.0) for c in constraints}
        sign = -1.0 if problem.settings.objective == "max-value" else 1.0
        objective = sign * float(pulp.value(lp.objective) or 0.0)
    return LpSolution(
        status, shares, objective, duals, slacks, rows, active.copy(), rounds, gap, replicas
    )


def _solve_arrays(problem, active, t_idx, m_idx, rounds: int) -> LpSolution:
    """The LP written as arrays and solved by HiGHS directly (planner.program_arrays): the
    same program, solution, duals and slacks as through PuLP, without its objects. Classes
    that are the same program are solved once (planner.repeated_classes)."""
    found = repeats(problem, active)
    if found is not None:
        return _solve_repeats(problem, active, t_idx, m_idx, found, rounds)
    return _solve_lp_arrays(problem, active, t_idx, m_idx, rounds)


def _solve_lp_arrays(problem, active, t_idx, m_idx, rounds: int) -> LpSolution:
    lp = lp_arrays(problem, t_idx, m_idx)
    status, values = solver.solve_arrays(lp)
    rows = {row.name: row for row in lp.rows}
    shares = np.zeros(problem.cost.shape)
    duals: dict[str, float] = {}
    slacks: dict[str, float] = {}
    objective = float("nan")
    if status is Status.OPTIMAL:
        x = values["columns"]
        real = lp.pairs >= 0
        shares[t_idx[lp.pairs[real]], m_idx[lp.pairs[real]]] = x[real]
        np.clip(shares, 0.0, 1.0, out=shares)
        bound = np.where(lp.senses < 0, lp.row_hi, lp.row_lo)
        slack = (values["activity"] - bound) * lp.senses
        names = list(rows)
        slacks = dict(zip(names, slack.tolist(), strict=True))
        duals = dict(zip(names, values["duals"].tolist(), strict=True))
        sign = -1.0 if problem.settings.objective == "max-value" else 1.0
        objective = sign * float(lp.cost @ x)
    return LpSolution(status, shares, objective, duals, slacks, rows, active.copy(), rounds)


def _solve_repeats(problem, active, t_idx, m_idx, found: Repeats, rounds: int) -> LpSolution:
    """The separable LP solved on the first class of each group of repeated classes, then
    spread to every class (the same shares, slacks and duals as its group's first)."""
    mine = np.zeros_like(active)
    mine[found.first] = active[found.first]
    solved = _solve_lp_arrays(problem, mine, *np.nonzero(mine), rounds)
    tasks = np.unique(t_idx).tolist()
    rows = {row.name: row for row in class_rows(tasks, problem.floors)}
    if solved.status is not Status.OPTIMAL:
        return LpSolution(solved.status, solved.shares, solved.objective, {}, {}, rows,
                          active.copy(), rounds)  # fmt: skip
    shares, slacks = spread(found, solved.shares, solved.slacks, tasks)
    duals = spread(found, solved.shares, solved.duals, tasks)[1]
    sign = -1.0 if problem.settings.objective == "max-value" else 1.0
    objective = sign * float(objective_coefficients(problem, t_idx, m_idx) @ shares[t_idx, m_idx])
    return LpSolution(
        Status.OPTIMAL, shares, objective, dict(zip(rows, duals, strict=True)),
        dict(zip(rows, slacks, strict=True)), rows, active.copy(), rounds,
    )  # fmt: skip


def spend_of(problem: PlanningProblem, solution: LpSolution) -> float:
    """Monthly spend of a solution: sum V c x at variable cost, plus R r for replicas."""
    cost = np.nan_to_num(problem.variable_cost)
    spend = float((problem.volume[:, None] * cost * solution.shares).sum())
    if solution.replicas is not None:
        spend += sum(
            r * replica.monthly_cost_usd
            for r, replica in zip(solution.replicas, problem.replicas, strict=True)
        )
    return spend


def _replica_counts(lp: pulp.LpProblem, problem: PlanningProblem) -> np.ndarray:
    found = lp.variablesDict()
    return np.array(
        [round(found[f"replicas_{k}"].varValue or 0.0) if f"replicas_{k}" in found else 0
         for k in range(len(problem.replicas))],
        dtype=float,
    )  # fmt: skip


def _fix_replicas(lp: pulp.LpProblem, problem: PlanningProblem, counts: np.ndarray) -> None:
    found = lp.variablesDict()
    for k in range(len(problem.replicas)):
        var = found.get(f"replicas_{k}")
        if var is not None:
            var.cat = pulp.LpContinuous
            var.lowBound = var.upBound = float(counts[k])


# -- column pricing -------------------------------------------------------------------------


def reduced_costs(
    problem: PlanningProblem, duals: dict[str, float], t_idx, m_idx, objective=None
) -> np.ndarray:
    """d = obj - sum_rows y[row] * coefficient[row]: negative means the column would improve
    the plan; for a column outside the plan, how far it is from entering. `objective`: the
    columns' objective coefficients, when the caller has them already."""
    d = objective_coefficients(problem, t_idx, m_idx) if objective is None else objective
    d = d - _task_duals(duals, "assign", t_idx, len(problem.classes))
    d = (
        d
        - _task_duals(duals, "accuracy", t_idx, len(problem.classes))
        * problem.accuracy[t_idx, m_idx]
    )
    spend = problem.volume[t_idx] * problem.variable_cost[t_idx, m_idx]
    d = d - spend * _spend_dual_weight(problem, duals, m_idx)
    if problem.settings.cap_basis == "tasks":
        d = d - problem.volume[t_idx] * _cap_duals(problem, duals, m_idx)
    return d


def cost_sensitivity(problem: PlanningProblem, duals: dict[str, float], t_idx, m_idx) -> np.ndarray:
    """d(reduced cost)/d(cost per task): how fast a column nears entry as its price falls."""
    return problem.volume[t_idx] * (1.0 - _spend_dual_weight(problem, duals, m_idx))


def _spend_dual_weight(problem: PlanningProblem, duals: dict[str, float], m_idx) -> np.ndarray:
    """Sum of the duals of every row in which a column's coefficient is its monthly spend
    V c: the budget, the model-spend definition, its provider's cap and commitment. The sum
    depends on the option only, so it is added up once per option and then indexed."""
    providers = problem.provider_of
    weight = np.full(len(providers), duals.get("budget", 0.0))
    weight = weight + duals.get("model_spend", 0.0) * problem.is_ai
    if problem.settings.cap_basis != "tasks":
        weight = weight + _option_cap_duals(problem, duals)
    for k, (provider, _) in enumerate(sorted(problem.settings.commitments_usd.items())):
        weight = weight + duals.get(f"commitment_{k}", 0.0) * (providers == provider)
    return weight[m_idx]


def _cap_duals(problem: PlanningProblem, duals: dict[str, float], m_idx) -> np.ndarray:
    """Each column's own provider's cap dual (zero for uncapped providers and today's process)."""
    return _option_cap_duals(problem, duals)[m_idx]


def _option_cap_duals(problem: PlanningProblem, duals: dict[str, float]) -> np.ndarray:
    """Per option, its provider's cap dual (zero for uncapped providers, today's process)."""
    providers = problem.provider_of
    out = np.zeros(len(providers))
    for k, (provider, _) in enumerate(sorted(problem.settings.vendor_caps.items())):
        mine = (providers == provider) * problem.is_ai
        out = out + duals.get(f"vendor_cap_{k}", 0.0) * mine
    return out


def _priced_out(problem: PlanningProblem, result: LpSolution, candidates: np.ndarray) -> np.ndarray:
    t_idx, m_idx = np.nonzero(candidates)
    objective = objective_coefficients(problem, t_idx, m_idx)
    d = reduced_costs(problem, result.duals, t_idx, m_idx, objective)
    scale = np.maximum(1.0, np.abs(objective))
    entering = np.zeros_like(candidates)
    enter = d < -REDUCED_COST_TOL * scale
    entering[t_idx[enter], m_idx[enter]] = True
    return entering


def _task_duals(duals: dict[str, float], family: str, t_idx: np.ndarray, n: int) -> np.ndarray:
    get = duals.get
    per_task = np.fromiter((get(f"{family}_{t}", 0.0) for t in range(n)), float, count=n)
    return per_task[t_idx]


def _has_vendor_rows(problem: PlanningProblem) -> bool:
    return bool(problem.settings.vendor_caps or problem.settings.commitments_usd)


def _provider_codes(problem: PlanningProblem) -> np.ndarray:
    _, codes = np.unique(problem.provider_of.astype(str), return_inverse=True)
    return codes
