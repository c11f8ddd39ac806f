"""The portfolio linear program, built family by family: one `define_*` function per family
of rows, each with its formula in the docstring (planner.model solves it).

Notation: x[t,m] is the share of task class t's monthly volume V[t] sent to option m;
c[t,m] is its cost per task, a[t,m] its accuracy, u[t,m] = a v[t] - (1 - a) f[t] - c its net
value per task. The program is always posed as a minimization (net value is negated), so
row duals y and reduced costs d = obj - A'y read the same for every solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from planner.problem import HOURS_PER_MONTH, PlanningProblem


@dataclass(frozen=True)
class Row:
    """One named constraint: how to read its dual and its slack."""

    name: str
    family: str  # assignment | accuracy | budget | vendor_cap | commitment
    task: int | None = None
    provider: str | None = None
    bound: float = 0.0


def build_lp(
    problem: PlanningProblem, t_idx: np.ndarray, m_idx: np.ndarray, mip: bool = False
) -> tuple[pulp.LpProblem, list[pulp.LpVariable], dict[str, Row]]:
    """The program over the given columns, one function per constraint family."""
    lp = pulp.LpProblem("portfolio", pulp.LpMinimize)
    # No upper bound on the continuous x: the assignment row already caps it at 1, and a
    # bound would make x = 1 nonbasic with a reduced cost that misprices other columns.
    category, upper = (pulp.LpBinary, 1) if mip else (pulp.LpContinuous, None)
    variables = [
        lp.add_variable(f"x_{t}_{m}", 0, upper, category) for t, m in zip(t_idx, m_idx, strict=True)
    ]
    rows: dict[str, Row] = {}
    replicas = define_replicas(lp, problem, m_idx)
    define_objective(lp, problem, variables, t_idx, m_idx)
    define_assignment(lp, rows, problem, variables, t_idx)
    define_accuracy_floors(lp, rows, problem, variables, t_idx, m_idx)
    define_budget(lp, rows, problem, variables, t_idx, m_idx)
    define_vendor_caps(lp, rows, problem, variables, t_idx, m_idx)
    define_commitments(lp, rows, problem, variables, t_idx, m_idx)
    define_capacity(lp, rows, problem, variables, t_idx, m_idx, replicas)
    _charge_replicas(lp, problem, rows, replicas)
    return lp, variables, rows


def define_replicas(lp, problem, m_idx) -> dict[int, pulp.LpVariable]:
    """r[k] >= 0, whole: replicas of self-hosted model k reserved for the month."""
    used = set(m_idx.tolist())
    return {
        k: lp.add_variable(f"replicas_{k}", 0, None, pulp.LpInteger)
        for k, replica in enumerate(problem.replicas)
        if replica.option in used
    }


def define_capacity(lp, rows, problem, variables, t_idx, m_idx, replicas) -> None:
    """Capacity: sum_t V[t] h[t] x[t,m] - 730 r[k] <= 0 for each replica-priced model k."""
    for k, var in replicas.items():
        replica = problem.replicas[k]
        mine = np.flatnonzero(m_idx == replica.option)
        hours = problem.volume[t_idx[mine]] * replica.hours_per_task[t_idx[mine]]
        terms = [(variables[j], float(h)) for j, h in zip(mine, hours, strict=True)]
        expr = pulp.LpAffineExpression([*terms, (var, -HOURS_PER_MONTH)])
        name = f"capacity_{k}"
        lp.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, name, 0.0))
        rows[name] = Row(name, "capacity", provider=problem.providers[replica.option])


def _charge_replicas(lp, problem, rows, replicas) -> None:
    """A replica's monthly cost R r enters the objective and every spend row: the budget,
    model spend, its provider's USD or spend cap and commitment."""
    if not replicas:
        return
    terms = list(lp.objective.items())
    for k, var in replicas.items():
        replica = problem.replicas[k]
        cost = replica.monthly_cost_usd
        terms.append((var, cost))
        provider = problem.providers[replica.option]
        for name, row in rows.items():
            spend_row = row.family in ("budget", "definition", "commitment") or (
                row.family == "vendor_cap" and problem.settings.cap_basis != "tasks"
            )
            if spend_row and (row.provider is None or row.provider == provider):
                lp.get_constraint_by_name(name).expr.addterm(var, cost)
    lp.setObjective(pulp.LpAffineExpression(terms))


def define_objective(lp, problem, variables, t_idx, m_idx) -> None:
    """max-value: minimize -sum V[t] u[t,m] x[t,m]; min-cost: minimize sum V[t] c[t,m] x[t,m].

    Net value per task u = a v - (1 - a) f - c counts the value of successes, the cost of
    redoing failures and the cost of the task itself.
    """
    coef = objective_coefficients(problem, t_idx, m_idx)
    lp.setObjective(pulp.LpAffineExpression(zip(variables, coef.tolist(), strict=True)))


def define_assignment(lp, rows, problem, variables, t_idx) -> None:
    """Each class is fully assigned: sum_m x[t,m] = 1 for every t."""
    for t, members in _by_task(t_idx):
        name = f"assign_{t}"
        expr = pulp.LpAffineExpression([(variables[j], 1.0) for j in members])
        lp.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, name, 1.0))
        rows[name] = Row(name, "assignment", task=t, bound=1.0)


def define_accuracy_floors(lp, rows, problem, variables, t_idx, m_idx) -> None:
    """Accuracy floor: sum_m a[t,m] x[t,m] >= A[t] for every t (the volume-weighted mean)."""
    acc = problem.accuracy[t_idx, m_idx]
    floors = problem.floors
    for t, members in _by_task(t_idx):
        name = f"accuracy_{t}"
        expr = pulp.LpAffineExpression([(variables[j], float(acc[j])) for j in members])
        lp.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, name, float(floors[t])))
        rows[name] = Row(name, "accuracy", task=t, bound=float(floors[t]))


def define_budget(lp, rows, problem, variables, t_idx, m_idx) -> None:
    """Monthly budget: sum_t V[t] sum_m c[t,m] x[t,m] <= B (models and any process kept)."""
    budget = problem.settings.budget_usd
    if budget is None:
        return
    spend = problem.volume[t_idx] * problem.variable_cost[t_idx, m_idx]
    expr = pulp.LpAffineExpression(zip(variables, spend.tolist(), strict=True))
    lp.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, "budget", float(budget)))
    rows["budget"] = Row("budget", "budget", bound=float(budget))


def define_vendor_caps(lp, rows, problem, variables, t_idx, m_idx) -> None:
    """Vendor cap on provider p, by the settings' basis:
    - tasks: sum_{t, m sold by p} V[t] x[t,m] <= s[p] sum_t V[t] (share of all tasks);
    - usd:   sum_{t, m sold by p} V[t] c[t,m] x[t,m] <= U[p] (USD a month);
    - spend: sum_{t, m sold by p} V[t] c[t,m] x[t,m] - s[p] S <= 0, with model spend S defined
      by one row sum_{t, m model} V[t] c[t,m] x[t,m] - S = 0 (so each cap row keeps to its
      own provider's columns). Only this basis can be met by padding spend elsewhere."""
    caps = sorted(problem.settings.vendor_caps.items())
    if not caps:
        return
    basis = problem.settings.cap_basis
    coef = _cap_coefficients(problem, t_idx, m_idx)
    total = None
    if basis == "spend":
        total = lp.add_variable("model_spend", 0)
        terms = [(variables[j], float(coef[j])) for j in np.nonzero(coef)[0]]
        definition = pulp.LpAffineExpression([*terms, (total, -1.0)])
        lp.addConstraint(pulp.LpConstraint(definition, pulp.LpConstraintEQ, "model_spend", 0.0))
        rows["model_spend"] = Row("model_spend", "definition")
    providers = problem.provider_of[m_idx]
    for k, (provider, cap) in enumerate(caps):
        name = f"vendor_cap_{k}"
        mine = np.nonzero((providers == provider) & (coef > 0))[0]
        terms = [(variables[j], float(coef[j])) for j in mine]
        if basis == "spend":
            terms.append((total, -float(cap)))
        rhs = _cap_rhs(problem, cap)
        expr = pulp.LpAffineExpression(terms)
        lp.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, name, rhs))
        rows[name] = Row(name, "vendor_cap", provider=provider, bound=cap)


def _cap_coefficients(problem: PlanningProblem, t_idx, m_idx) -> np.ndarray:
    """A column's coefficient in its provider's cap row: tasks (V) or spend (V c), models only."""
    if problem.settings.cap_basis == "tasks":
        return problem.volume[t_idx] * problem.is_ai[m_idx]
    return problem.volume[t_idx] * problem.variable_cost[t_idx, m_idx] * problem.is_ai[m_idx]


def _cap_rhs(problem: PlanningProblem, cap: float) -> float:
    basis = problem.settings.cap_basis
    if basis == "tasks":
        return float(cap * problem.volume.sum())
    return float(cap) if basis == "usd" else 0.0


def define_commitments(lp, rows, problem, variables, t_idx, m_idx) -> None:
    """Committed spend: sum_{t, m sold by p} V[t] c[t,m] x[t,m] >= L[p]."""
    for k, (provider, minimum) in enumerate(sorted(problem.settings.commitments_usd.items())):
        coef = _commit_coefficients(problem, t_idx, m_idx, provider)
        name = f"commitment_{k}"
        terms = [(variables[j], float(coef[j])) for j in np.nonzero(coef)[0]]
        lp.addConstraint(
            pulp.LpConstraint(
                pulp.LpAffineExpression(terms), pulp.LpConstraintGE, name, float(minimum)
            )
        )
        rows[name] = Row(name, "commitment", provider=provider, bound=float(minimum))


def objective_coefficients(problem: PlanningProblem, t_idx, m_idx) -> np.ndarray:
    """A column's objective coefficient: -V[t] u[t,m] (max-value) or V[t] c[t,m] (min-cost)."""
    volume = problem.volume[t_idx]
    if problem.settings.objective == "max-value":
        return -volume * problem.net_value_per_task()[t_idx, m_idx]
    return volume * problem.variable_cost[t_idx, m_idx]


def _commit_coefficients(problem, t_idx, m_idx, provider: str) -> np.ndarray:
    spend = problem.volume[t_idx] * problem.variable_cost[t_idx, m_idx]
    return spend * (problem.provider_of[m_idx] == provider)


def _by_task(t_idx: np.ndarray):
    """(t, column positions) for each class, in class order."""
    order = np.argsort(t_idx, kind="stable")
    tasks, starts = np.unique(t_idx[order], return_index=True)
    for t, members in zip(tasks, np.split(order, starts[1:]), strict=True):
        yield int(t), members
