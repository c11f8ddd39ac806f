"""A solved plan: who does which work, what it costs and returns, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from planner.diagnosis import Diagnosis, diagnose, precheck, with_combined_fix
from planner.explain import (
    BindingConstraint,
    binding_constraints,
    break_even_table,
    budget_shadow_price,
)
from planner.model import LpSolution, solve_problem
from planner.problem import HOURS_PER_MONTH, PlanningProblem
from planner.solver import Status

MIN_SHARE = 1e-7  # shares below this are solver noise, not a decision


@dataclass(frozen=True)
class Assignment:
    """One task class's share on one option, with what that share costs and returns."""

    task_class: str
    model: str
    provider: str
    tier: str
    share: float
    monthly_tasks: float
    input_tokens_per_task: float
    output_tokens_per_task: float
    monthly_tokens: float
    cost_per_task_usd: float
    monthly_cost_usd: float
    accuracy: float
    successful_tasks: float
    monthly_value_usd: float
    monthly_failure_cost_usd: float
    monthly_net_value_usd: float
    accuracy_source: str


@dataclass(frozen=True)
class PlanTotals:
    monthly_cost_usd: float  # models plus any of today's process kept
    model_spend_usd: float  # the LLM bill alone
    monthly_net_value_usd: float
    monthly_value_usd: float
    monthly_failure_cost_usd: float
    mean_accuracy: float  # volume-weighted over all classes
    monthly_tasks: float
    monthly_tokens: float


@dataclass(frozen=True)
class ReplicaUse:
    """A self-hosted model's reserved replicas and how full the plan keeps them."""

    model: str
    replicas: int
    monthly_cost_usd: float  # replicas x one replica's monthly cost
    hours_used: float  # replica-hours of work a month at the sheet's target utilization
    utilization: float  # hours used / (replicas x 730); 0 with no replica


@dataclass(frozen=True)
class Plan:
    status: Status
    problem: PlanningProblem
    assignments: list[Assignment] = field(default_factory=list)
    totals: PlanTotals | None = None
    binding: list[BindingConstraint] = field(default_factory=list)
    budget_shadow_price: float | None = None
    diagnosis: Diagnosis | None = None
    shares: np.ndarray | None = None
    rounds: int = 0
    mip_gap: float = 0.0  # relative gap left if a time limit stopped the one-model search
    replicas: list[ReplicaUse] = field(default_factory=list)
    unit_costs: np.ndarray | None = None  # cost per task as charged (replicas spread by use)
    solution: LpSolution | None = field(default=None, repr=False)  # what the solver returned

    @cached_property
    def break_even(self) -> pd.DataFrame | None:
        """The first-order break-even table (from the LP's duals), built when first asked:
        no page shows it (they show the exact, re-solved break-evens), so the many solves
        behind the frontier and the marginals need not pay for it."""
        if self.solution is None or self.shares is None:
            return None
        return break_even_table(self.problem, self.solution, self.shares)

    @property
    def cost_per_task(self) -> np.ndarray:
        """Cost per task as the plan charges it: the problem's, except that replica-priced
        columns carry their replicas' cost spread over the work in proportion to hours."""
        return self.problem.cost if self.unit_costs is None else self.unit_costs

    @property
    def is_optimal(self) -> bool:
        return self.status is Status.OPTIMAL


def optimize(problem: PlanningProblem) -> Plan:
    """Solve the problem; an infeasible one comes back with a diagnosis, never bare."""
    early = precheck(problem)
    if early is not None:
        return Plan(Status.INFEASIBLE, problem, diagnosis=with_combined_fix(problem, early))
    solution = solve_problem(problem)
    if solution.status is not Status.OPTIMAL:
        diagnosis = with_combined_fix(problem, diagnose(problem))
        return Plan(solution.status, problem, diagnosis=diagnosis, rounds=solution.rounds)
    return read_plan(problem, solution)


def read_plan(problem: PlanningProblem, solution: LpSolution) -> Plan:
    shares = np.where(solution.shares > MIN_SHARE, solution.shares, 0.0)
    unit_costs, uses = charged_costs(problem, shares, solution.replicas)
    assignments = assignments_of(problem, shares, unit_costs) + idle_replicas(problem, uses)
    return Plan(
        status=Status.OPTIMAL,
        problem=problem,
        assignments=assignments,
        totals=totals_of(problem, assignments),
        binding=binding_constraints(problem, solution),
        budget_shadow_price=budget_shadow_price(problem, solution),
        shares=shares,
        rounds=solution.rounds,
        mip_gap=solution.mip_gap,
        replicas=uses,
        unit_costs=unit_costs,
        solution=solution,
    )


def charged_costs(
    problem: PlanningProblem, shares: np.ndarray, counts: np.ndarray | None
) -> tuple[np.ndarray, list[ReplicaUse]]:
    """Cost per task as charged, and each replica-priced model's use. Replicas of model k
    cost R r; class t's task takes h[t] of the H hours used, so it is charged R r h[t] / H."""
    if not problem.replicas:
        return problem.cost, []
    cost = np.array(problem.cost)
    uses = []
    for k, replica in enumerate(problem.replicas):
        m = replica.option
        r = int(counts[k]) if counts is not None else 0
        hours_per_task = np.nan_to_num(replica.hours_per_task)
        used = float((problem.volume * hours_per_task * shares[:, m]).sum())
        spend = r * replica.monthly_cost_usd
        cost[:, m] = np.where(
            np.isnan(cost[:, m]), np.nan, spend * hours_per_task / used if used > 0 else 0.0
        )
        if r or used:
            capacity = r * HOURS_PER_MONTH
            uses.append(
                ReplicaUse(problem.options[m], r, spend, used, used / capacity if r else 0.0)
            )
    return cost, uses


def assignments_of(
    problem: PlanningProblem, shares: np.ndarray, unit_costs: np.ndarray | None = None
) -> list[Assignment]:
    """One row per class and option with a share; cost per task as charged (`unit_costs`,
    the problem's cost by default). Per row, with n = volume x share:

        tokens = n (in + out)   cost = n c   successes = n a   value = successes v
        failures = (n - successes) f   net = value - failures - cost

    computed as arrays over every row at once (the same IEEE operations, in the same order,
    as one row at a time), then made rows."""
    unit_costs = problem.cost if unit_costs is None else unit_costs
    t, m = np.nonzero(shares)
    volume = np.array([c.monthly_volume for c in problem.classes], dtype=float)
    worth = np.array([c.value_per_success_usd for c in problem.classes], dtype=float)
    loss = np.array([c.cost_per_failure_usd for c in problem.classes], dtype=float)
    share = shares[t, m].astype(float)
    tasks = volume[t] * share
    acc, cost = problem.accuracy[t, m].astype(float), unit_costs[t, m].astype(float)
    tin, tout = problem.input_tokens[t, m].astype(float), problem.output_tokens[t, m].astype(float)
    successes = tasks * acc
    value = successes * worth[t]
    failures = (tasks - successes) * loss[t]
    spend = tasks * cost
    columns = zip(t.tolist(), m.tolist(), share.tolist(), tasks.tolist(), tin.tolist(),
                  tout.tolist(), (tasks * (tin + tout)).tolist(), cost.tolist(),
                  spend.tolist(), acc.tolist(), successes.tolist(), value.tolist(),
                  failures.tolist(), (value - failures - spend).tolist(), strict=True)  # fmt: skip
    return [
        Assignment(
            task_class=problem.classes[i].name,
            model=problem.options[j],
            provider=problem.providers[j],
            tier=problem.tiers[j],
            share=sh,
            monthly_tasks=n,
            input_tokens_per_task=a_in,
            output_tokens_per_task=a_out,
            monthly_tokens=tokens,
            cost_per_task_usd=c,
            monthly_cost_usd=total,
            accuracy=a,
            successful_tasks=ok,
            monthly_value_usd=v,
            monthly_failure_cost_usd=f,
            monthly_net_value_usd=net,
            accuracy_source=problem.sources.get((i, j), ""),
        )
        for i, j, sh, n, a_in, a_out, tokens, c, total, a, ok, v, f, net in columns
    ]


RESERVED_IDLE = "reserved replicas, no work"  # the task_class of an idle replica's row


def idle_replicas(problem: PlanningProblem, uses: list[ReplicaUse]) -> list[Assignment]:
    """One row per self-hosted model whose replicas are reserved but carry no work (a
    commitment can make the plan reserve one): its cost is committed all the same, so it is
    a row of the plan and in every total, never spread over tasks it does not do."""
    out = []
    for use in uses:
        if use.replicas and use.hours_used <= 0:
            m = problem.options.index(use.model)
            out.append(
                Assignment(
                    task_class=RESERVED_IDLE, model=use.model, provider=problem.providers[m],
                    tier=problem.tiers[m], share=0.0, monthly_tasks=0.0,
                    input_tokens_per_task=0.0, output_tokens_per_task=0.0, monthly_tokens=0.0,
                    cost_per_task_usd=0.0, monthly_cost_usd=use.monthly_cost_usd, accuracy=0.0,
                    successful_tasks=0.0, monthly_value_usd=0.0, monthly_failure_cost_usd=0.0,
                    monthly_net_value_usd=-use.monthly_cost_usd,
                    accuracy_source=f"{use.replicas} replica(s) reserved for the month, unused",
                )
            )  # fmt: skip
    return out


def totals_of(problem: PlanningProblem, assignments: list[Assignment]) -> PlanTotals:
    """Sums over the assignments, so every total reconciles with the rows it comes from."""
    tasks = sum(a.monthly_tasks for a in assignments)
    return PlanTotals(
        monthly_cost_usd=sum(a.monthly_cost_usd for a in assignments),
        model_spend_usd=sum(a.monthly_cost_usd for a in assignments if a.tier != "status-quo"),
        monthly_net_value_usd=sum(a.monthly_net_value_usd for a in assignments),
        monthly_value_usd=sum(a.monthly_value_usd for a in assignments),
        monthly_failure_cost_usd=sum(a.monthly_failure_cost_usd for a in assignments),
        mean_accuracy=sum(a.successful_tasks for a in assignments) / tasks if tasks else 0.0,
        monthly_tasks=tasks,
        monthly_tokens=sum(a.monthly_tokens for a in assignments),
    )
