"""`python -m planner solve|frontier`: exit codes, JSON shape and messages a pipeline can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import cli
from planner.commands import solve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "data" / "workloads" / "example_enterprise.csv")
BASE = ["--workload", EXAMPLE, "--as-of", "2026-11-23", "--with-illustrative"]


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def unexplained(monkeypatch):
    """`solve` without its re-solved explanations (break-evens, marginals), for the tests
    that check the plan or an option and not the explanations: they cost most of a solve."""
    monkeypatch.setattr(solve, "explain_plan", lambda plan: {})


def test_solve_json_has_the_documented_shape(capsys, unexplained):
    code, out, _ = run(capsys, "solve", *BASE, "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "optimal"
    assert {"monthly_cost_usd", "monthly_net_value_usd", "mean_accuracy"} <= set(data["totals"])
    assert {a["task_class"] for a in data["assignments"]} >= {"Contract review", "Code review"}
    first = data["assignments"][0]
    assert {"task_class", "model", "provider", "share", "monthly_cost_usd", "accuracy"} <= set(
        first
    )
    cost = sum(a["monthly_cost_usd"] for a in data["assignments"])
    assert cost == pytest.approx(data["totals"]["monthly_cost_usd"], rel=1e-10)  # 12 digits
    assert data["diagnosis"] is None


def test_budget_binds_with_a_shadow_price(unexplained, capsys):
    code, out, _ = run(capsys, "solve", *BASE, "--budget", "2000", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["totals"]["monthly_cost_usd"] == pytest.approx(2000, rel=1e-6)
    assert data["budget_shadow_price"] > 0
    assert "budget" in {b["family"] for b in data["binding_constraints"]}


def test_infeasible_exits_3_with_the_diagnosis_on_stderr_and_in_json(capsys):
    code, out, err = run(capsys, "solve", *BASE, "--budget", "500", "--json")
    data = json.loads(out)
    assert code == 3
    assert data["status"] == "infeasible"
    assert "Raise the budget to at least" in data["diagnosis"]["summary"]
    assert data["diagnosis"]["summary"] in err


def test_min_cost_is_cheaper_than_max_value(unexplained, capsys):
    _, cheap, _ = run(capsys, "solve", *BASE, "--objective", "min-cost", "--json")
    _, best, _ = run(capsys, "solve", *BASE, "--json")
    cheap, best = json.loads(cheap)["totals"], json.loads(best)["totals"]
    assert cheap["monthly_cost_usd"] < best["monthly_cost_usd"]
    assert cheap["monthly_net_value_usd"] < best["monthly_net_value_usd"]


def test_discount_lowers_cost_and_vendor_cap_holds(unexplained, capsys):
    _, listed, _ = run(capsys, "solve", *BASE, "--objective", "min-cost", "--json")
    _, cut, _ = run(
        capsys, "solve", *BASE, "--objective", "min-cost", "--discount", "openai=50", "--json"
    )
    assert (
        json.loads(cut)["totals"]["monthly_cost_usd"]
        < json.loads(listed)["totals"]["monthly_cost_usd"]
    )
    _, capped, _ = run(
        capsys, "solve", *BASE, "--vendor-cap", "openai=0.2", "--cap-basis", "spend", "--json"
    )
    data = json.loads(capped)
    openai = sum(a["monthly_cost_usd"] for a in data["assignments"] if a["provider"] == "openai")
    models = sum(a["monthly_cost_usd"] for a in data["assignments"] if a["tier"] != "status-quo")
    assert openai <= 0.2 * models + 1e-6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workload", "missing.csv"], "missing.csv"),
        (
            ["--workload", EXAMPLE, "--vendor-cap", "openai"],
            "--vendor-cap: expects PROVIDER=NUMBER",
        ),
        (["--workload", EXAMPLE, "--vendor-cap", "openai=1.5"], "vendor cap for 'openai'"),
        (["--workload", EXAMPLE, "--discount", "openai=120"], "discount for 'openai'"),
        (["--workload", EXAMPLE, "--budget", "-5"], "argument --budget: '-5' is negative"),
        (["--workload", EXAMPLE, "--budget", "inf"], "argument --budget: 'inf' is not a finite"),
        (["--workload", EXAMPLE, "--discount", "opnai=10"], "'opnai'. Did you mean: openai"),
        (["--workload", EXAMPLE, "--commit", "openai=-1"], "commitment for 'openai'"),
        (["--workload", EXAMPLE, "--out", "/dev/full"], "argument --out: cannot write"),
        (["--workload", EXAMPLE, "--as-of", "2026-11-31"], "argument --as-of"),
    ],
)
def test_bad_input_exits_2_naming_it(capsys, args, message):
    code, out, err = run(capsys, "solve", *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_bad_workload_row_is_named(tmp_path, capsys):
    bad = tmp_path / "w.csv"
    text = Path(EXAMPLE).read_text().replace("Code review,6000,", "Code review,-6000,")
    bad.write_text(text)
    code, _, err = run(capsys, "solve", "--workload", str(bad))
    assert code == 2
    assert str(bad) in err and "monthly_volume" in err and "row" in err


def test_frontier_json_is_monotone(capsys):
    code, out, _ = run(capsys, "frontier", *BASE, "--points", "6", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 6
    values = [r["monthly_net_value_usd"] for r in rows]
    assert values == sorted(values)
    assert rows[0]["monthly_cost_usd"] < rows[-1]["monthly_cost_usd"]


def test_commitment_moves_spend_to_the_vendor(unexplained, capsys):
    _, out, _ = run(capsys, "solve", *BASE, "--commit", "anthropic=500", "--json")
    data = json.loads(out)
    anthropic = sum(
        a["monthly_cost_usd"] for a in data["assignments"] if a["provider"] == "anthropic"
    )
    assert anthropic == pytest.approx(500, rel=1e-6)
    assert "commitment" in {b["family"] for b in data["binding_constraints"]}


def test_solve_json_carries_exact_break_evens_and_re_solved_marginals(capsys):
    code, out, _ = run(capsys, "solve", *BASE, "--budget", "2000", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["break_even"], "models outside the plan have break-evens"
    for item in data["break_even"]:
        assert set(item) == {"task_class", "price_cut_pct", "reason", "model"} or set(item) == {
            "task_class", "price_cut_pct", "reason", "provider",
        }  # fmt: skip
        assert item["price_cut_pct"] is None or 0 <= item["price_cut_pct"] <= 100
        assert (item["price_cut_pct"] is None) == item["reason"].startswith("never")
    assert {"model", "provider"} <= {k for item in data["break_even"] for k in item}
    budget = data["budget_marginal"]
    assert budget["current"] == 2000 and budget["step"] == 1000
    assert budget["range_low"] <= 2000 <= budget["range_high"]
    assert data["cap_basis"] == "tasks" and data["mip_gap"] is None


def test_single_model_reports_its_gap_and_no_dual(capsys):
    _, out, _ = run(capsys, "solve", *BASE, "--budget", "2000", "--single-model", "--json")
    data = json.loads(out)
    assert data["mip_gap"] == 0.0
    assert data["budget_shadow_price"] is None
    assert data["budget_marginal"]["rate"] is None
    assert "re-solved" in data["budget_marginal"]["sentence"]
    # Exact break-evens would be a MIP per cut: none are claimed, and the note says why.
    assert data["break_even"] == [] and "mixed-integer" in data["break_even_note"]


@pytest.mark.parametrize("basis", ["tasks", "usd", "spend"])
def test_each_cap_basis_holds_and_is_named(capsys, unexplained, basis):
    cap = "200" if basis == "usd" else "0.1"
    args = ["--objective", "min-cost", "--vendor-cap", f"openai={cap}", "--cap-basis", basis]
    _, out, _ = run(capsys, "solve", *BASE, *args, "--json")
    data = json.loads(out)
    assert data["cap_basis"] == basis
    rows = [a for a in data["assignments"] if a["provider"] == "openai"]
    spend = sum(a["monthly_cost_usd"] for a in rows)
    if basis == "usd":
        assert spend <= 200 + 1e-6
    elif basis == "spend":
        models = sum(
            a["monthly_cost_usd"] for a in data["assignments"] if a["tier"] != "status-quo"
        )
        assert spend <= 0.1 * models + 1e-6
    _, text, _ = run(capsys, "solve", *BASE, *args)
    assert "Vendor caps are a" in text


def test_a_spend_cap_is_met_by_padding_a_task_cap_is_not():
    # Under a share-of-spend cap the plan buys the capped vendor's volume with extra spend
    # elsewhere: a share-of-tasks cap at the very task share that plan gives the vendor does
    # the same work for less. (A task cap fixes volume; spending more cannot loosen it.)
    from planner.plan import optimize
    from tests.planner.test_explanations import example

    padded = optimize(
        example(objective="min-cost", vendor_caps=(("self-hosted", 0.05),), cap_basis="spend")
    )
    tasks = sum(a.monthly_tasks for a in padded.assignments if a.provider == "self-hosted")
    share = tasks / padded.problem.volume.sum()
    by_tasks = optimize(
        example(
            objective="min-cost",
            vendor_caps=(("self-hosted", share + 1e-9),),
            cap_basis="tasks",
        )
    )
    assert by_tasks.totals.monthly_cost_usd < padded.totals.monthly_cost_usd - 1.0


def test_self_hosted_replicas_are_reported_with_their_utilization(unexplained, capsys):
    args = ["--self-hosted-replicas", "--json"]
    code, out, _ = run(capsys, "solve", *BASE, *args)
    data = json.loads(out)
    assert code == 0
    for use in data["replicas"]:
        assert use["replicas"] >= 0 and 0 <= use["utilization"] <= 1 + 1e-9
    cost = sum(a["monthly_cost_usd"] for a in data["assignments"])
    assert cost == pytest.approx(data["totals"]["monthly_cost_usd"], rel=1e-10)  # 12 digits
    _, text, _ = run(capsys, "solve", *BASE, "--self-hosted-replicas")
    if data["replicas"]:
        assert "replica(s) reserved" in text and "% used" in text
