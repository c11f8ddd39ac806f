"""Cascades and routers in the plan: a column like a model, re-solved and checked by hand."""

from __future__ import annotations

import itertools
import json
import warnings
from dataclasses import replace
from datetime import date

import numpy as np
import pulp
import pytest

from foundation.errors import InputError
from planner.cascade import Cascade, Check
from planner.cascade_file import parse_options
from planner.cascade_options import option_columns, with_options, without
from planner.cascade_report import verdicts
from planner.evals.figures import KeptSample
from planner.plan import optimize
from planner.problem import STATUS_QUO, PlanningProblem, PlanSettings
from planner.router import RoutedSample, Router, router_figures
from planner.workload import TaskClass

CLASS = "Triage"
VOLUME = 1000.0
# The models never need the catalog here: both are columns of the problem.
NO_CATALOG = None


def problem(settings: PlanSettings | None = None, providers=("p", "p")) -> PlanningProblem:
    """One class, floor 88 %: cheap (0.001, 60 %), strong (0.01, 95 %); no today's process."""
    task = TaskClass(
        name=CLASS, monthly_volume=VOLUME, input_tokens=100, output_tokens=10,
        min_accuracy=0.88, value_per_success_usd=1.0, cost_per_failure_usd=0.0,
    )  # fmt: skip
    nan = np.nan
    return PlanningProblem(
        classes=(task,),
        options=(f"{providers[0]}/cheap", f"{providers[1]}/strong", STATUS_QUO),
        providers=(*providers, "today's process"),
        tiers=("economy", "frontier", STATUS_QUO),
        cost=np.array([[0.001, 0.01, nan]]),
        accuracy=np.array([[0.6, 0.95, nan]]),
        accuracy_any=np.array([[0.6, 0.95, nan]]),
        input_tokens=np.array([[100.0, 100.0, 0.0]]),
        output_tokens=np.array([[10.0, 10.0, 0.0]]),
        sources={},
        settings=settings or PlanSettings(objective="min-cost"),
    )


def kept(model: str, scores) -> list[KeptSample]:
    day = date(2026, 12, 1)
    return [
        KeptSample("csv", "triage", model, CLASS, model, f"s{i}", float(y), day)
        for i, y in enumerate(scores)
    ]


# cheap right on s0-s5, strong on s0-s8: a perfect check accepts s0-s5 and escalates s6-s9,
# of which strong gets s6-s8: accuracy 9 / 10, 40 % escalated.
SAMPLES = kept("p/cheap", [1] * 6 + [0] * 4) + kept("p/strong", [1] * 9 + [0])
CASCADE = Cascade(
    "cheap first", CLASS, ("p/cheap", "p/strong"), (Check("tests", 0.0002, 1.0, 0.0, "m"),)
)


def brute_force_min_cost(costs, accs, floor) -> float:
    """An LP of one class (assignment and floor rows) has an optimal vertex with at most two
    options: try every single and pair."""
    best = np.inf
    for j in range(len(costs)):
        if accs[j] >= floor:
            best = min(best, costs[j])
    for i, j in itertools.permutations(range(len(costs)), 2):
        if accs[i] < floor < accs[j]:
            z = (floor - accs[i]) / (accs[j] - accs[i])
            best = min(best, (1 - z) * costs[i] + z * costs[j])
    return best


def test_cascade_column_by_hand_and_by_an_independent_solve():
    base = problem()
    columns, left_out = option_columns(base, NO_CATALOG, (CASCADE,), (), SAMPLES)
    assert left_out == []
    (col,) = columns
    # cost 0.001 + 0.0002 + 0.4 x 0.01 = 0.0052; accuracy 0.9
    assert col.cost_per_task_usd == pytest.approx(0.0052, abs=1e-15)
    assert col.accuracy == pytest.approx(0.9, abs=1e-15)
    assert col.provider == "p"
    planned = with_options(base, columns)
    assert planned.options[-1] == STATUS_QUO and planned.options[2].startswith("cheap first: ")
    plan = optimize(planned)
    # cheap + cascade: 0.6 (1 - z) + 0.9 z = 0.88 -> z = 14/15; cost (1/15) 0.001 + (14/15) 0.0052
    z = 14 / 15
    assert plan.shares[0, 2] == pytest.approx(z, abs=1e-9)
    assert plan.totals.monthly_cost_usd == pytest.approx(VOLUME * ((1 - z) * 0.001 + z * 0.0052))
    independent = brute_force_min_cost([0.001, 0.01, 0.0052], [0.6, 0.95, 0.9], 0.88)
    assert plan.totals.monthly_cost_usd == pytest.approx(VOLUME * independent, rel=1e-9)
    cascade_row = next(a for a in plan.assignments if a.model == planned.options[2])
    assert cascade_row.tier == "cascade" and "joint outcomes" in cascade_row.accuracy_source


def test_verdict_beats_the_best_single_model_and_says_by_how_much():
    base = problem()
    columns, _ = option_columns(base, NO_CATALOG, (CASCADE,), (), SAMPLES)
    plan = optimize(with_options(base, columns))
    (v,) = verdicts(plan, columns)
    assert v.best_single == "p/strong" and v.beats_best_single
    # without it: cheap + strong at 0.6 + 0.35 x = 0.88 -> x = 0.8, 0.001 + 0.009 x 0.8
    assert v.mix_without_cost_per_task_usd == pytest.approx(0.0082, abs=1e-12)
    z = 14 / 15
    with_it = (1 - z) * 0.001 + z * 0.0052
    assert v.gain_usd == pytest.approx(VOLUME * (0.0082 - with_it), rel=1e-9)
    assert v.share_in_plan == pytest.approx(z)
    assert "the cascade beats it" in v.sentence and "saves $3.28 a month" in v.sentence
    again = optimize(without(with_options(base, columns), columns[0].label))
    assert again.totals.monthly_cost_usd == pytest.approx(VOLUME * 0.0082)
    # The docs' worked example: independence, with the plan's 60 % and 95 %, rates it 98 %.
    chosen = replace(CASCADE, independent=True)
    (alone,), _ = option_columns(base, NO_CATALOG, (chosen,), (), SAMPLES)
    assert alone.accuracy == pytest.approx(0.98, abs=1e-15)
    assert "8.0 points above the joint figure on 10" in alone.evidence


def test_a_dear_cascade_is_not_chosen_and_the_verdict_says_so():
    dear = replace(CASCADE, checks=(Check("judge", 0.05, 1.0, 0.0, "m"),))
    base = problem()
    columns, _ = option_columns(base, NO_CATALOG, (dear,), (), SAMPLES)
    plan = optimize(with_options(base, columns))
    (v,) = verdicts(plan, columns)
    assert v.share_in_plan == pytest.approx(0.0, abs=1e-9)
    assert not v.beats_best_single and v.gain_usd == pytest.approx(0.0, abs=1e-9)
    assert "does not beat it" in v.sentence and "gives it none of the class" in v.sentence
    # It wins work with cheap once (1/15) 0.001 + (14/15) c < 0.0082, c < 0.0087143: a cut of
    # 1 - 0.0087143 / 0.055 = 84.16 %, so 84.2 % on the 0.1-point grid.
    assert v.break_even_cut_pct == pytest.approx(84.2)
    assert "win work at a cost per task 84.2% lower (re-solved)" in v.sentence
    for cut, wins in ((84.1, False), (84.3, True)):
        cheaper = replace(columns[0], cost_per_task_usd=0.055 * (1 - cut / 100))
        shares = optimize(with_options(base, [cheaper])).shares
        assert (shares[0, 2] > 1e-6) == wins


def test_router_figures_and_oracle_ceiling_by_hand():
    """s0, s1 to cheap (1, 0), s2, s3 to strong (1, 1): accuracy 3/4, cost 0.0001 +
    (2 x 0.001 + 2 x 0.01) / 4. Oracle on cheap [1,0,0,1], strong [1,1,1,0]: every sample
    right; the cheapest right model costs (0.001 + 0.01 + 0.01 + 0.001) / 4."""
    routed = [("s0", "p/cheap", 1), ("s1", "p/cheap", 0), ("s2", "p/strong", 1),
              ("s3", "p/strong", 1)]  # fmt: skip
    router = Router("r", CLASS, 0.0001, tuple(RoutedSample("triage", *x) for x in routed), "run")
    samples = kept("p/cheap", [1, 0, 0, 1]) + kept("p/strong", [1, 1, 1, 0])
    cost = {"p/cheap": 0.001, "p/strong": 0.01}
    figures = router_figures(router, cost.__getitem__, samples)
    assert figures.accuracy == 0.75 and figures.n == 4
    assert figures.cost_per_task_usd == pytest.approx(0.0001 + 0.022 / 4, abs=1e-15)
    assert figures.oracle_accuracy == 1.0 and figures.oracle_n == 4
    assert figures.oracle_cost_per_task_usd == pytest.approx(0.022 / 4, abs=1e-15)
    assert figures.shares == {"p/cheap": 0.5, "p/strong": 0.5}
    columns, _ = option_columns(problem(), NO_CATALOG, (), (router,), samples)
    assert columns[0].accuracy == 0.75 and "oracle routing of 4" in columns[0].evidence
    assert columns[0].label == "r: router r over p/cheap, p/strong"


def test_a_router_without_joint_samples_has_no_ceiling():
    router = Router("r", CLASS, 0.0, (RoutedSample("triage", "x9", "p/cheap", 1.0),), "run")
    figures = router_figures(router, lambda m: 0.001, SAMPLES)
    assert figures.oracle_accuracy is None and figures.oracle_n == 0


def test_confidence_lowers_a_measured_option_to_its_wilson_bound():
    columns, _ = option_columns(problem(), NO_CATALOG, (CASCADE,), (), SAMPLES, confidence=0.95)
    assert columns[0].accuracy < 0.9
    from planner.evals.figures import wilson

    assert columns[0].accuracy == pytest.approx(wilson(9, 10, 1.6448536269514722)[0])


def test_a_cap_on_one_provider_of_a_cross_provider_cascade_is_refused():
    settings = PlanSettings(objective="min-cost", vendor_caps={"q": 0.5})
    base = problem(settings, providers=("p", "q"))
    cascade = Cascade("x", CLASS, ("p/cheap", "q/strong"), CASCADE.checks)
    samples = kept("p/cheap", [1, 0]) + kept("q/strong", [1, 1])
    with pytest.raises(InputError, match="cannot split its spend") as caught:
        option_columns(base, NO_CATALOG, (cascade,), (), samples, source="c.json")
    assert caught.value.record == "cascade 'x'"
    free = problem(PlanSettings(objective="min-cost"), providers=("p", "q"))
    columns, _ = option_columns(free, NO_CATALOG, (cascade,), (), samples)
    assert columns[0].provider == "p+q"


def test_an_option_for_a_class_not_in_the_plan_is_left_out_with_the_reason():
    other = replace(CASCADE, task_class="Contract review")
    columns, left_out = option_columns(problem(), NO_CATALOG, (other,), (), SAMPLES)
    assert columns == [] and "is not a task class of the plan" in str(left_out[0])


GOOD = {
    "cascades": [{
        "name": "a", "task_class": CLASS, "models": ["p/cheap", "p/strong"],
        "checks": [{"kind": "tests", "cost_per_task_usd": 0, "true_accept": 0.9,
                    "false_accept": 0.1, "source": "measured on 200 tickets"}],
    }],
    "routers": [{
        "name": "r", "task_class": CLASS, "overhead_cost_per_task_usd": 0.0001,
        "source": "router run", "samples": [
            {"eval_task": "triage", "sample_id": "s0", "routed_to": "p/cheap", "score": 1}],
    }],
}  # fmt: skip


def test_the_file_reads_cascades_and_routers():
    cascades, routers = parse_options(json.dumps(GOOD), "c.json", {"p/cheap", "p/strong"})
    assert cascades[0].models == ("p/cheap", "p/strong")
    assert cascades[0].checks[0].true_accept == 0.9 and not cascades[0].independent
    assert routers[0].samples[0].routed_to == "p/cheap"


def _edited(path: str, value) -> str:
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    "path, value, record, field, message",
    [
        ("cascades.0.checks.0.true_accept", 1.5, "cascade 1 'a'", "checks.0.true_accept",
         "less than or equal to 1"),
        ("cascades.0.checks.0.source", "", "cascade 1 'a'", "checks.0", "need their source"),
        ("cascades.0.checks", [], "cascade 1 'a'", "", "one check between each two"),
        ("cascades.0.models.1", "p/strnog", "cascade 1 'a'", "models.1", "did you mean"),
        ("cascades.0.colour", "red", "cascade 1 'a'", "colour", "not a known field"),
        ("cascades.0.checks.0.kind", "vibes", "cascade 1 'a'", "checks.0.kind", "tests"),
        ("routers.0.name", "A", "router 1 'A'", "name", "used twice"),
        ("routers.0.samples.0.score", 2, "router 1 'r'", "samples.0.score", "less than"),
        ("routers.0.samples.0.routed_to", "x/y", "router 1 'r'", "samples.0.routed_to",
         "not a catalog model"),
        ("routers.0.overhead_cost_per_task_usd", KeyError, "router 1 'r'",
         "overhead_cost_per_task_usd", "missing"),
    ],
)  # fmt: skip
def test_bad_files_name_the_option_and_the_field(path, value, record, field, message):
    with pytest.raises(InputError, match=message) as caught:
        parse_options(_edited(path, value), "c.json", {"p/cheap", "p/strong"})
    assert caught.value.file == "c.json"
    assert caught.value.record == record and caught.value.field == field


@pytest.mark.parametrize(
    "text, message",
    [("[]", "must be a JSON object"), ("{", "not valid JSON"), ("{}", "declares no cascade"),
     ('{"cascade": []}', "not a known field")],
)  # fmt: skip
def test_bad_file_shapes(text, message):
    with pytest.raises(InputError, match=message):
        parse_options(text, "c.json", set())


def test_suggested_pairs_state_correlation_cost_gap_and_the_perfect_check_ceiling():
    from planner.cascade_suggest import suggestions

    (s,) = suggestions(problem(), NO_CATALOG, SAMPLES)
    cheap, strong = np.array([1] * 6 + [0] * 4), np.array([1] * 9 + [0])
    assert (s.first, s.second, s.n) == ("p/cheap", "p/strong", 10)
    assert s.correlation == pytest.approx(np.corrcoef(cheap, strong)[0, 1], abs=1e-12)
    assert s.cost_ratio == pytest.approx(10.0) and s.ceiling == pytest.approx(0.9)
    assert "correlate 0.41 on 10 common samples" in s.sentence
    # the dearer model no better on the common samples: escalating cannot help
    worse = kept("p/cheap", [1] * 6 + [0] * 4) + kept("p/strong", [1] * 5 + [0] * 5)
    assert suggestions(problem(), NO_CATALOG, worse) == []
    assert suggestions(problem(), NO_CATALOG, SAMPLES[:5] + SAMPLES[10:15]) == []  # n < 10


@pytest.mark.parametrize("seed", range(3))
def test_plans_with_cascades_match_an_independent_program_solved_by_cbc(seed):
    """Random classes and models with a budget, a cascade of two of the models on every
    class from random joint samples: the plan's net value equals a program written here
    from the arrays alone (assignment, floor and budget rows) and solved by CBC."""
    from planner.synthetic import synthetic_problem

    base = synthetic_problem(5, 6, n_providers=2, seed=seed)
    rng = np.random.default_rng(seed)
    cascades, samples = [], []
    for t, task in enumerate(base.classes):
        a, b = base.options[2 * (t % 2)], base.options[2 * (t % 2) + 2]
        for model, p in ((a, 0.55), (b, 0.85)):
            y = rng.random(60) < p
            samples += [KeptSample("csv", "e", model, task.name, model, f"s{i}", float(v),
                                   date(2026, 12, 1)) for i, v in enumerate(y)]  # fmt: skip
        check = Check("judge", 0.0001, float(rng.uniform(0.8, 1)), float(rng.uniform(0, 0.3)), "m")
        cascades.append(Cascade(f"c{t}", task.name, (a, b), (check,)))
    columns, _ = option_columns(base, NO_CATALOG, tuple(cascades), (), samples)
    budget = 0.8 * optimize(with_options(base, columns)).totals.monthly_cost_usd
    problem = with_options(replace(base, settings=PlanSettings(budget_usd=budget)), columns)
    plan = optimize(problem)
    assert plan.is_optimal

    lp = pulp.LpProblem("check", pulp.LpMaximize)
    pairs = [(t, m) for t in range(len(problem.classes)) for m in range(len(problem.options))
             if problem.eligible[t, m]]  # fmt: skip
    x = {p: lp.add_variable(f"x_{p[0]}_{p[1]}", 0) for p in pairs}
    v, f, vol = problem.values, problem.failure_costs, problem.volume
    a, c = problem.accuracy, problem.cost
    lp += pulp.lpSum(vol[t] * (a[t, m] * v[t] - (1 - a[t, m]) * f[t] - c[t, m]) * x[t, m]
                     for t, m in pairs)  # fmt: skip
    for t in range(len(problem.classes)):
        mine = [p for p in pairs if p[0] == t]
        lp += pulp.lpSum(x[p] for p in mine) == 1
        lp += pulp.lpSum(a[p] * x[p] for p in mine) >= problem.floors[t]
    lp += pulp.lpSum(vol[t] * c[t, m] * x[t, m] for t, m in pairs) <= budget
    with warnings.catch_warnings():  # PuLP 3.x's note that bundled CBC goes away in 4.0
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        cbc = pulp.PULP_CBC_CMD(msg=False)
    assert lp.solve(cbc) == pulp.LpStatusOptimal
    assert plan.totals.monthly_net_value_usd == pytest.approx(pulp.value(lp.objective), rel=1e-7)
    assert sum(plan.shares[c.task, problem.options.index(c.label)] for c in columns) > 0
