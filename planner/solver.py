"""The one place that picks the solver: HiGHS through highspy, CBC when HiGHS is missing.

Set PLANNER_SOLVER=cbc (or highs) to force one; the tests use that to check the fallback.
"""

from __future__ import annotations

import enum
import os
import warnings

import pulp


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
    return "highs" if pulp.HiGHS(msg=False).available() else "cbc"


def make_solver(mip: bool = False):
    if solver_name() == "highs":
        return pulp.HiGHS(msg=False, mip=mip)
    with warnings.catch_warnings():
        # PuLP 3.x warns that its bundled CBC goes away in 4.0; requirements pin PuLP < 4.
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, mip=mip)


def solve(problem: pulp.LpProblem, mip: bool = False) -> Status:
    """Solve in place and say how it went; the caller reads values only when OPTIMAL."""
    problem.solve(make_solver(mip))
    status = _PULP_STATUS.get(problem.status, Status.NOT_SOLVED)
    if status is Status.OPTIMAL and mip and problem.sol_status != pulp.LpSolutionOptimal:
        return Status.NOT_SOLVED
    return status
