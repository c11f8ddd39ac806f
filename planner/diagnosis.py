"""Why no plan exists: class-by-class reasons found without solving, the limits that clash
when every class could meet its floor alone, and the one combined smallest change
(`planner.fix`) in words."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from foundation.formatting import money, pct
from planner.explain import cap_words
from planner.fix import SettingsFix, fix_words, round_up, smallest_fix, tightened
from planner.model import solve_problem
from planner.solver import Status

if TYPE_CHECKING:
    from planner.problem import PlanningProblem


@dataclass(frozen=True)
class Finding:
    constraint: str  # accuracy | coverage | budget | vendor_cap | commitment | combined
    message: str
    fix: str
    task_class: str | None = None
    value: float | None = None  # the number the fix names (a floor, a budget, ...)


@dataclass(frozen=True)
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    fix: SettingsFix | None = None  # the one combined smallest change, exact amounts

    @property
    def summary(self) -> str:
        return " ".join(f"{f.message} {f.fix}".strip() for f in self.findings)


def precheck(problem: PlanningProblem) -> Diagnosis | None:
    """Class-by-class reasons no plan can exist, found without solving."""
    findings = []
    eligible = problem.eligible
    # Each class's most accurate option (the first of equals, as nanargmax picks it).
    best = np.argmax(np.where(eligible, problem.accuracy, -np.inf), axis=1)
    best_acc = problem.accuracy[np.arange(len(best)), best]
    floors = np.array([task.min_accuracy for task in problem.classes], dtype=float)
    none = ~eligible.any(axis=1)
    for t in np.flatnonzero(none | (best_acc + 1e-12 < floors)).tolist():
        if none[t]:
            findings.append(_no_option(problem, t))
        else:
            findings.append(_floor_out_of_reach(problem, t, int(best[t]), float(best_acc[t])))
    return Diagnosis(findings) if findings else None


def diagnose(problem: PlanningProblem) -> Diagnosis:
    """Every class can meet its floor alone, so the limits together are at fault: find which
    and the smallest change that makes a plan exist."""
    settings = problem.settings
    findings = []
    cheapest = _min_cost(problem, budget=None)
    if settings.budget_usd is not None and cheapest is not None and cheapest > settings.budget_usd:
        findings.append(
            Finding(
                "budget",
                f"The cheapest plan that meets every accuracy floor costs {money(cheapest)} a "
                f"month, above the {money(settings.budget_usd)} budget.",
                f"Raise the budget to at least {money(round_up(cheapest))} or lower the floors.",
                value=float(cheapest),
            )
        )
    for family, limits in (
        ("vendor_cap", settings.vendor_caps),
        ("commitment", settings.commitments_usd),
    ):
        for provider in sorted(limits):
            if _feasible_without(problem, family, provider):
                findings.append(_limit_finding(problem, family, provider, limits[provider]))
    if not findings:
        findings.append(
            Finding(
                "combined",
                "No plan meets the accuracy floors, the budget and the vendor limits together.",
                "Relax the budget or a vendor cap or commitment, or lower the floors.",
            )
        )
    return Diagnosis(findings)


def with_combined_fix(problem: PlanningProblem, diagnosis: Diagnosis) -> Diagnosis:
    """Every finding, then one combined smallest change (rounded to values to type in)."""
    exact = smallest_fix(problem)
    if exact is None or exact.empty:
        return diagnosis
    rounded = tightened(problem, exact.rounded(problem))
    words = fix_words(problem, rounded)
    finding = Finding(
        "combined",
        "One combined smallest change that makes a plan exist:",
        "; ".join(words)[:1].upper() + "; ".join(words)[1:] + ".",
    )
    findings = [f for f in diagnosis.findings if f.constraint != "combined"]
    return Diagnosis([*findings, finding], exact)


def _no_option(problem: PlanningProblem, t: int) -> Finding:
    task = problem.classes[t]
    allowed = ", ".join(sorted(task.allowed_providers or [])) or "any"
    others = sorted(
        {problem.providers[m] for m in np.nonzero(~np.isnan(problem.accuracy_any[t]))[0]}
    )
    fix = (
        f"Allow {', '.join(others)}, or add accuracy figures for an allowed provider's models."
        if others
        else "Add accuracy figures (your own evals) for models that may do this work."
    )
    return Finding(
        "coverage",
        f"{task.name}: no allowed model has an accuracy figure (allowed providers: {allowed}).",
        fix,
        task_class=task.name,
    )


def _floor_out_of_reach(problem: PlanningProblem, t: int, best: int, best_acc: float) -> Finding:
    task = problem.classes[t]
    fix = f"Lower the floor to {_pct_floor(best_acc)}"
    outside = np.where(~problem.eligible[t], problem.accuracy_any[t], np.nan)
    if np.isfinite(outside).any() and np.nanmax(outside) >= task.min_accuracy:
        m = int(np.nanargmax(outside))
        fix += (
            f" or allow provider {problem.providers[m]} "
            f"({problem.options[m]} reaches {pct(outside[m])})"
        )
    return Finding(
        "accuracy",
        f"{task.name}: no allowed model reaches {pct(task.min_accuracy)}; the best is "
        f"{pct(best_acc)} ({problem.options[best]}).",
        fix + ".",
        task_class=task.name,
        value=best_acc,
    )


def _limit_finding(problem, family: str, provider: str, limit: float) -> Finding:
    if family == "vendor_cap":
        return Finding(
            "vendor_cap",
            f"The cap of {cap_words(problem, limit)} on {provider} leaves no feasible plan.",
            f"Raise or remove the cap on {provider}.",
        )
    return Finding(
        "commitment",
        f"The {money(limit)} committed spend with {provider} cannot be met within the other "
        "limits.",
        f"Lower the commitment with {provider} or raise the budget.",
    )


def _min_cost(problem: PlanningProblem, budget: float | None) -> float | None:
    settings = replace(problem.settings, objective="min-cost", budget_usd=budget)
    solution = solve_problem(replace(problem, settings=settings))
    return solution.objective if solution.status is Status.OPTIMAL else None


def _feasible_without(problem: PlanningProblem, family: str, provider: str) -> bool:
    settings = problem.settings
    if family == "vendor_cap":
        caps = {p: s for p, s in settings.vendor_caps.items() if p != provider}
        relaxed = replace(settings, vendor_caps=caps)
    else:
        commits = {p: s for p, s in settings.commitments_usd.items() if p != provider}
        relaxed = replace(settings, commitments_usd=commits)
    return solve_problem(replace(problem, settings=relaxed)).status is Status.OPTIMAL


def _pct_floor(x: float) -> str:
    """A floor the best model meets: rounded down to a tenth of a point."""
    return pct(np.floor(x * 1000) / 1000)
