"""Every stated fix works as worded and is minimal at the precision it is written in: the
numbers are parsed back from the words, applied, and the problem re-solved; one step of
the shown precision the other way leaves no plan."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from planner.assemble import assemble
from planner.fix import SettingsFix, apply_fix
from planner.model import solve_problem
from planner.plan import optimize
from planner.problem import PlanSettings
from planner.solver import Status
from planner.workload import load_workload
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)
NUMBER = r"([\d,]+(?:\.\d+)?)"


@pytest.fixture(scope="module")
def inputs():
    catalog = Catalog.load()
    workload = load_workload(ROOT / "data/workloads/example_enterprise.csv", catalog.providers())
    return workload, catalog


def parsed(problem, words: str) -> SettingsFix:
    """The fix exactly as the words state it."""
    fix = SettingsFix()
    names = {c.name for c in problem.classes}
    for clause in words.rstrip(".").split("; "):
        clause = clause[0].lower() + clause[1:]
        if m := re.fullmatch(rf"lower the (.+) floor (?:from \S+ )?to {NUMBER}%", clause):
            assert m[1] in names
            fix = replace(fix, floors={**fix.floors, m[1]: float(m[2]) / 100})
        elif m := re.fullmatch(rf"raise the budget from \S+ to \${NUMBER}", clause):
            fix = replace(fix, budget_usd=float(m[1].replace(",", "")))
        elif m := re.fullmatch(rf"raise the cap on (\S+) (?:from .+ )?to {NUMBER}% of .+", clause):
            fix = replace(fix, vendor_caps={**fix.vendor_caps, m[1]: float(m[2]) / 100})
        elif m := re.fullmatch(
            rf"raise the cap on (\S+) (?:from .+ )?to \${NUMBER} a month", clause
        ):
            caps = {**fix.vendor_caps, m[1]: float(m[2].replace(",", ""))}
            fix = replace(fix, vendor_caps=caps)
        elif m := re.fullmatch(rf"lower the commitment with (\S+) to \${NUMBER} \(.+\)", clause):
            commits = {**fix.commitments_usd, m[1]: float(m[2].replace(",", ""))}
            fix = replace(fix, commitments_usd=commits)
        else:
            raise AssertionError(f"unparsed fix clause: {clause!r}")
    return fix


def works(problem, fix: SettingsFix) -> bool:
    return solve_problem(apply_fix(problem, fix)).status is Status.OPTIMAL


def one_step_back(problem, fix: SettingsFix):
    """Each stated value moved one step of its shown precision toward today's value."""
    basis = problem.settings.cap_basis
    for p, v in fix.vendor_caps.items():
        step = (0.01 if v < 100 else 1.0) if basis == "usd" else 0.001
        if v - step > problem.settings.vendor_caps[p] + 1e-12:
            yield replace(fix, vendor_caps={**fix.vendor_caps, p: v - step})
    if fix.budget_usd is not None:
        step = 0.01 if fix.budget_usd < 100 else 1.0
        if fix.budget_usd - step > (problem.settings.budget_usd or 0) + 1e-12:
            yield replace(fix, budget_usd=fix.budget_usd - step)
    for p, v in fix.commitments_usd.items():
        if v + 1 < problem.settings.commitments_usd[p] - 1e-12:
            yield replace(fix, commitments_usd={**fix.commitments_usd, p: v + 1})
    floors = {c.name: c.min_accuracy for c in problem.classes}
    for n, v in fix.floors.items():
        if v + 0.001 < floors[n] - 1e-12:
            yield replace(fix, floors={**fix.floors, n: round(v + 0.001, 6)})


CASES = {
    "share-of-tasks cap": dict(budget_usd=800.0, vendor_caps={"self-hosted": 0.05}),
    "share-of-spend cap": dict(
        budget_usd=800.0, vendor_caps={"self-hosted": 0.05}, cap_basis="spend"
    ),
    "budget": dict(budget_usd=300.0),
    "commitment": dict(budget_usd=2000.0, commitments_usd={"anthropic": 5000.0}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_fix_works_as_worded_and_is_minimal(inputs, case):
    workload, catalog = inputs
    settings = PlanSettings(as_of=AS_OF, **CASES[case])
    problem = assemble(workload, None, catalog, settings).problem
    plan = optimize(problem)
    assert not plan.is_optimal
    combined = [f for f in plan.diagnosis.findings if f.constraint == "combined"]
    assert combined, plan.diagnosis.summary
    words = combined[-1].fix
    assert not re.search(r"from (\S+) to \1\b", words)  # never "from 22% to 22%"
    fix = parsed(problem, words)
    assert not fix.empty
    assert works(problem, fix), words
    for tighter in one_step_back(problem, fix):
        assert not works(problem, tighter), (words, tighter)
