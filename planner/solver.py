"""The one place that picks the solver: HiGHS through highspy, CBC when HiGHS is missing.

Set PLANNER_SOLVER=cbc (or highs) to force one; the tests use that to check the fallback.

The one-model-per-class program (a MIP) is solved to a zero relative gap: HiGHS's default
stops at 1e-4, which left some random instances below their optimum. The absolute gap is a
hundredth of a cent of monthly objective. If the time limit stops the search first, the best
plan found is kept and its remaining gap is reported (`last_mip_gap`).
"""

from __future__ import annotations

import enum
import os
import warnings

import numpy as np
import pulp

try:
    import highspy
except ImportError:  # CBC, bundled with PuLP 3.x, takes over
    highspy = None


MIP_REL_GAP = 0.0
MIP_ABS_GAP = 1e-4  # USD a month of objective
MIP_TIME_LIMIT_S = 60.0


class Status(enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not solved"


_PULP_STATUS = {
    pulp.LpStatusOptimal: Status.OPTIMAL,
    pulp.LpStatusInfeasible: Status.INFEASIBLE,
    pulp.LpStatusUnbounded: Status.UNBOUNDED,
}


def solver_name() -> str:
    """'highs' unless it is unavailable or PLANNER_SOLVER says otherwise."""
    wanted = os.environ.get("PLANNER_SOLVER", "").lower()
    if wanted in ("highs", "cbc"):
        return wanted
    return "highs" if highspy is not None else "cbc"


def make_solver(mip: bool = False, time_limit_s: float = MIP_TIME_LIMIT_S):
    gaps = {"gapRel": MIP_REL_GAP, "gapAbs": MIP_ABS_GAP, "timeLimit": time_limit_s} if mip else {}
    if solver_name() == "highs":
        return BulkHiGHS(msg=False, mip=mip, **gaps)
    with warnings.catch_warnings():
        # PuLP 3.x warns that its bundled CBC goes away in 4.0; requirements pin PuLP < 4.
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, mip=mip, **gaps)


def solve(
    problem: pulp.LpProblem, mip: bool = False, time_limit_s: float = MIP_TIME_LIMIT_S
) -> Status:
    """Solve in place and say how it went; the caller reads values only when OPTIMAL.

    A MIP stopped by the time limit with a plan in hand counts as OPTIMAL for reading the
    values, with its remaining relative gap in `mip_gap(problem)` (0 when proven optimal).
    """
    problem.solve(make_solver(mip, time_limit_s))
    status = _PULP_STATUS.get(problem.status, Status.NOT_SOLVED)
    if status is Status.OPTIMAL and mip and problem.sol_status != pulp.LpSolutionOptimal:
        if problem.sol_status == pulp.LpSolutionIntegerFeasible and _has_values(problem):
            return Status.OPTIMAL
        return Status.NOT_SOLVED
    return status


def solves_arrays(mip: bool) -> bool:
    """Whether a program can go to the solver as arrays (`solve_arrays`): an LP, on HiGHS."""
    return not mip and solver_name() == "highs"


def solve_arrays(lp) -> tuple[Status, dict[str, np.ndarray]]:
    """Solve an LP given as arrays (planner.program_arrays.LpArrays) with HiGHS, and its
    values: column values, row activities and row duals, read only when OPTIMAL."""
    h, inf = highspy.Highs(), highspy.kHighsInf
    h.setOptionValue("output_flag", False)
    n = len(lp.cost)
    h.addCols(n, lp.cost, np.zeros(n), np.full(n, inf), 0,
              np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
    lo = np.where(np.isinf(lp.row_lo), -inf, lp.row_lo)
    hi = np.where(np.isinf(lp.row_hi), inf, lp.row_hi)
    h.addRows(len(lo), lo, hi, len(lp.indices), lp.starts, lp.indices, lp.values)
    h.run()
    statuses = highspy.HighsModelStatus
    status = h.getModelStatus()
    if status == statuses.kOptimal:
        solution = h.getSolution()
        values = {
            "columns": np.asarray(solution.col_value),
            "activity": np.asarray(solution.row_value),
            "duals": np.asarray(solution.row_dual),
        }
        return Status.OPTIMAL, values
    if status in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
        return Status.INFEASIBLE, {}
    if status == statuses.kUnbounded:
        return Status.UNBOUNDED, {}
    return Status.NOT_SOLVED, {}


def mip_gap(problem: pulp.LpProblem) -> float:
    """The relative gap the MIP search left: 0 when proven optimal."""
    return float(getattr(problem, "mip_gap", 0.0))


def _has_values(problem: pulp.LpProblem) -> bool:
    return all(v.varValue is not None for v in problem.variables())


class BulkHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, handing the model over as arrays in two calls.

    PuLP's own interface adds each column and row with a call of its own and collects the
    variable list three times; on a few thousand columns that costs more than the solve.
    The model, the solution and the duals are the same.
    """

    def actualSolve(self, lp: pulp.LpProblem, callback=None):
        self.createAndConfigureSolver(lp)
        variables = lp.variables()
        constraints = lp.constraints()
        self._pass_model(lp, variables, constraints)
        self.callSolver(lp)
        status, sol_status = self._read_solution(lp, variables, constraints)
        lp.assignStatus(status, sol_status)
        return status

    def _pass_model(self, lp, variables, constraints) -> None:
        h, inf = lp.solverModel, highspy.kHighsInf
        for index, var in enumerate(variables):
            var.index = index
        sense = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        objective = lp.objective or {}
        cost = np.array([sense * objective.get(v, 0.0) for v in variables], dtype=float)
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
        h.addCols(len(variables), cost, lower, upper, 0, np.zeros(0), np.zeros(0), np.zeros(0))
        starts, indices, values, row_lo, row_hi = [], [], [], [], []
        for constraint in constraints:
            starts.append(len(indices))
            for var, coef in constraint.items():
                if coef:
                    indices.append(var.index)
                    values.append(coef)
            lb, ub = constraint.getLb(), constraint.getUb()
            row_lo.append(-inf if lb is None else lb)
            row_hi.append(inf if ub is None else ub)
        h.addRows(
            len(constraints), np.array(row_lo), np.array(row_hi), len(indices),
            np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32),
            np.array(values, dtype=float),
        )  # fmt: skip
        integer = [v.index for v in variables if v.cat == pulp.LpInteger]
        if integer and self.mip:
            kinds = np.full(len(integer), highspy.HighsVarType.kInteger)
            h.changeColsIntegrality(len(integer), np.array(integer, dtype=np.int32), kinds)

    def _read_solution(self, lp, variables, constraints):
        h = lp.solverModel
        status = h.getModelStatus()
        statuses = highspy.HighsModelStatus
        stopped = status in (statuses.kTimeLimit, statuses.kInterrupt)
        if stopped and self.mip and h.getInfo().primal_solution_status == 2:
            self._read_values(lp, variables, constraints)
            lp.mip_gap = float(h.getInfo().mip_gap)
            return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
        if status == statuses.kOptimal:
            self._read_values(lp, variables, constraints)
            lp.mip_gap = 0.0
            return pulp.LpStatusOptimal, pulp.LpSolutionOptimal
        if status in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
            return pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible
        if status == statuses.kUnbounded:
            return pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded
        return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound

    @staticmethod
    def _read_values(lp, variables, constraints) -> None:
        solution = lp.solverModel.getSolution()
        for var, value, dual in zip(variables, solution.col_value, solution.col_dual, strict=True):
            var.varValue, var.dj = value, dual
        for c, activity, dual in zip(
            constraints, solution.row_value, solution.row_dual, strict=True
        ):
            c.slack = c.constant + activity
            if c.sense == pulp.LpConstraintLE:
                c.slack *= -1.0
            c.pi = dual
