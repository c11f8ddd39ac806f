"""The programme-costs file and the business-case options of `planner roi`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foundation.errors import InputError
from planner import cli
from planner.business_case import CaseLines, CaseSettings, ProgrammeCosts, business_case
from planner.business_case_inputs import load_programme, parse_programme

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "data" / "workloads" / "example_enterprise.csv")
BASE = ["--workload", EXAMPLE, "--as-of", "2026-11-23"]
PROGRAMME = {
    "run_costs": [
        {"item": "LLM gateway", "usd_per_month": 2000, "source": "vendor quote"},
        {"item": "evaluation", "usd_per_month": 500},
    ],
    "seats": {"usd_per_seat_month": 30, "seats": 10},
    "one_off_costs": [
        {"item": "implementation", "month": 1, "usd": 100000},
        {"item": "change management", "month": 3, "usd": 20000},
        {"item": "integration", "month": 1, "usd": 5000},
    ],
    "ramp_months": 6,
}


def test_file_sums_items_by_month_and_keeps_sources():
    p = parse_programme(json.dumps(PROGRAMME), "p.json")
    assert p.run_cost_usd_per_month == 2500
    assert (p.seat_usd_per_month, p.seats, p.ramp_months) == (30, 10, 6)
    assert p.one_off_usd_by_month == (105000, 0, 20000)
    assert any("LLM gateway" in s and "vendor quote" in s for s in p.sources)
    assert any("evaluation" in s and "assumption" in s for s in p.sources)


def test_empty_object_is_no_programme_cost():
    assert parse_programme("{}", "p.json").is_empty


@pytest.mark.parametrize(
    "change,field,words",
    [
        ({"run_costs": [{"item": "x", "usd_per_month": -1}]}, "run_costs.0.usd_per_month",
         "greater than or equal to 0"),
        ({"run_costs": [{"item": "x", "usd_per_month": "5"}]}, "run_costs.0.usd_per_month",
         "valid number"),
        ({"one_off_costs": [{"item": "x", "month": 61, "usd": 1}]}, "one_off_costs.0.month",
         "less than or equal to 60"),
        ({"one_off_costs": [{"item": "x", "month": 0, "usd": 1}]}, "one_off_costs.0.month",
         "greater than or equal to 1"),
        ({"seats": {"usd_per_seat_month": 30, "seats": 2.5}}, "seats.seats", "integer"),
        ({"ramp_months": 61}, "ramp_months", "less than or equal to 60"),
        ({"seat": 1}, "seat", "not a known field"),
    ],
)  # fmt: skip
def test_bad_values_are_located(change, field, words):
    with pytest.raises(InputError) as caught:
        parse_programme(json.dumps(change), "p.json")
    assert caught.value.file == "p.json" and caught.value.field == field
    assert words in caught.value.message


@pytest.mark.parametrize("text", ["[1]", "{nope", "3"])
def test_not_an_object_is_refused(text):
    with pytest.raises(InputError, match=r"p\.json"):
        parse_programme(text, "p.json")


def test_file_is_read_from_disk(tmp_path):
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(PROGRAMME))
    assert load_programme(path).run_cost_usd_per_month == 2500


def test_programme_costs_enter_the_flows():
    lines = CaseLines(cost_avoided_usd=1000, quality_usd=0, new_work_usd=0, ai_spend_usd=100)
    p = parse_programme(json.dumps(PROGRAMME), "p.json")
    flows = business_case(lines, p, CaseSettings(horizon_months=12)).flows
    assert flows["run_usd"].tolist() == [2500] * 12
    assert flows["seats_usd"].tolist() == [300] * 12
    assert flows["one_off_usd"].tolist()[:4] == [105000, 0, 20000, 0]
    assert flows["adoption"].iloc[0] == pytest.approx(1 / 6)


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_roi_options_set_the_case(capsys, tmp_path):
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(PROGRAMME))
    code, out, _ = run(capsys, "roi", *BASE, "--json", "--programme", str(path), "--horizon",
                       "24", "--cost-of-capital", "0.08", "--realise-cost-avoided", "0.7",
                       "--realise-quality", "0.5", "--realise-new-work", "0.6")  # fmt: skip
    assert code == 0
    case = json.loads(out)["business_case"]
    assert case["settings"] == {
        "horizon_months": 24, "cost_of_capital": 0.08, "no_quality_loss": False,
        "realisation": {"cost_avoided": 0.7, "quality": 0.5, "new_work": 0.6},
    }  # fmt: skip
    flows = case["risk_adjusted"]["monthly_flows"]
    assert len(flows) == 24 and flows[0]["one_off_usd"] == 105000
    assert flows[0]["discount_factor"] == pytest.approx(1.08 ** (-1 / 12))
    # the NPV is the discounted sum of the flows it prints
    npv = sum(f["net_usd"] * f["discount_factor"] for f in flows)
    assert case["risk_adjusted"]["npv_usd"] == pytest.approx(npv, rel=1e-9)
    assert any("LLM gateway" in a for a in case["assumptions"])


@pytest.mark.parametrize(
    "option,value,words",
    [("--horizon", "11", "outside 12 to 60"), ("--cost-of-capital", "1.5", "outside 0 to 1"),
     ("--realise-quality", "-0.1", "outside 0 to 1")],
)  # fmt: skip
def test_roi_refuses_bad_options(capsys, option, value, words):
    code, _, err = run(capsys, "roi", *BASE, option, value)
    assert code == 2 and f"argument {option}" in err and words in err


def test_roi_refuses_a_bad_programme_file(capsys, tmp_path):
    path = tmp_path / "programme.json"
    path.write_text('{"ramp_months": -1}')
    code, _, err = run(capsys, "roi", *BASE, "--programme", str(path))
    assert code != 0 and "programme.json" in err and "ramp_months" in err


def test_default_case_is_unchanged_without_programme():
    # An empty programme is the same as none at all.
    lines = CaseLines(cost_avoided_usd=10, quality_usd=0, new_work_usd=0, ai_spend_usd=1)
    a = business_case(lines, ProgrammeCosts(), CaseSettings())
    b = business_case(lines, parse_programme("{}", "p.json"), CaseSettings())
    assert a.npv_usd == b.npv_usd and b.extra_costs_usd == 0
