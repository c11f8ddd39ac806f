"""`solve --cascades`: the example cascade file in a plan, its verdict in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import cli
from planner.commands import solve
from planner.commands.common import load_problem

ROOT = Path(__file__).resolve().parents[2]
EVALS = ROOT / "data" / "evals"
ARGS = [
    "--workload", str(ROOT / "data" / "workloads" / "example_enterprise.csv"),
    "--as-of", "2026-12-03", "--objective", "min-cost",
    "--evals", str(EVALS / "ticket-triage.eval"), "--eval-mapping", str(EVALS / "mapping.csv"),
    "--cascades", str(ROOT / "data" / "cascades" / "example.json"),
]  # fmt: skip
TRIAGE = "Support ticket triage"


@pytest.fixture
def unexplained(monkeypatch):
    monkeypatch.setattr(solve, "explain_plan", lambda plan: {})


@pytest.mark.parametrize("discount", [[], ["--discount", "openai=50"]])
def test_example_cascade_is_priced_from_its_steps(discount):
    """Independence was chosen in the file: haiku's eval figure 32/40 = 0.8 and a perfect
    check escalate 20 % of tasks, so cost = c(haiku) + 0.2 c(nano) and accuracy
    = 0.8 + 0.2 a(nano), with both models' own columns of the same plan (a discount on
    OpenAI reaches the cascade through nano's price)."""
    problem = load_problem(cli.build_parser().parse_args(["solve", *ARGS, *discount]))
    t = [c.name for c in problem.classes].index(TRIAGE)
    col = next(m for m, o in enumerate(problem.options) if o.startswith("haiku first: "))
    haiku = problem.options.index("anthropic/claude-haiku-5-5")
    nano = problem.options.index("openai/gpt-5-nano")
    assert problem.accuracy[t, haiku] == pytest.approx(0.8)
    assert problem.cost[t, col] == pytest.approx(
        problem.cost[t, haiku] + 0.2 * problem.cost[t, nano], rel=1e-12
    )
    assert problem.accuracy[t, col] == pytest.approx(0.8 + 0.2 * problem.accuracy[t, nano])
    assert problem.tiers[col] == "cascade" and problem.providers[col] == "anthropic+openai"
    others = [u for u, task in enumerate(problem.classes) if u != t]
    assert all(problem.cost[others, col] != problem.cost[others, col])  # NaN: its class only


def test_solve_json_carries_each_verdict(capsys, unexplained):
    code = cli.main(["solve", *ARGS, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    (verdict,) = data["cascades"]
    assert verdict["task_class"] == TRIAGE and verdict["kind"] == "cascade"
    assert verdict["steps"].startswith("haiku first: anthropic/claude-haiku-5-5 -> (tests)")
    assert "optimistic" in verdict["evidence"] and verdict["gain_usd"] >= 0
    used = [a for a in data["assignments"] if a["model"] == verdict["steps"]]
    share = sum(a["share"] for a in used)
    assert share == pytest.approx(verdict["share_in_plan"], abs=1e-9)


def test_a_bad_cascade_file_is_refused_with_its_place(capsys, tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"cascades": [{"name": "x", "task_class": TRIAGE,
                                             "models": ["anthropic/claude-haiku-5-5"],
                                             "checks": []}]}))  # fmt: skip
    args = [*ARGS[:-1], str(bad)]
    code = cli.main(["solve", *args])
    err = capsys.readouterr().err
    assert code == 2 and "c.json, cascade 1 'x', field 'models'" in err


def test_the_return_and_the_forecast_plan_with_the_cascade(capsys):
    """roi counts the cascade's spend as its own tier; the forecast re-plans on gpt-5-nano's
    retirement day (2026-12-11) without the cascade, saying why."""
    assert cli.main(["roi", *ARGS, "--json"]) == 0
    tiers = {row["tier"] for row in json.loads(capsys.readouterr().out)["by_tier"]}
    assert "cascade" in tiers
    assert cli.main(["forecast", *ARGS, "--months", "12", "--paths", "200", "--json"]) == 0
    err = capsys.readouterr().err
    assert "cascade 'haiku first'" in err and "on 2026-12-11: left out of this plan" in err


def test_suggestions_say_when_the_evals_score_no_two_models_alike(capsys, unexplained):
    """The shipped example evals score one model per class: nothing to suggest, said so."""
    assert cli.main(["solve", *ARGS[:-2], "--suggest-cascades"]) == 0
    out = capsys.readouterr().out
    assert "Cascades worth declaring" in out and "none: no two models scored on 10" in out
    assert cli.main(["solve", *ARGS[:-2], "--suggest-cascades", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cascade_suggestions"] == []


def test_a_step_model_without_a_column_is_priced_as_the_plan_prices_models():
    """A step model the problem has no column for is priced through the catalog at the
    plan's date and the class's tokens: the same cost as the column it would have had."""
    from dataclasses import replace

    from planner.cascade_options import model_cost
    from pricing.catalog import Catalog
    from pricing.cli import DEFAULT_PRICE_DIR

    problem = load_problem(cli.build_parser().parse_args(["solve", *ARGS[:-2]]))
    t = [c.name for c in problem.classes].index(TRIAGE)
    nano = problem.options.index("openai/gpt-5-nano")
    renamed = list(problem.options)
    renamed[nano] = "not/this-column"
    hidden = replace(problem, options=tuple(renamed))
    cost, tin, tout = model_cost(hidden, Catalog.load(DEFAULT_PRICE_DIR), t,
                                 "openai/gpt-5-nano", "c.json", "cascade 'x'")  # fmt: skip
    assert cost == pytest.approx(problem.cost[t, nano], rel=1e-12)
    assert (tin, tout) == (problem.input_tokens[t, nano], problem.output_tokens[t, nano])
