"""Every dollar the plan commits is in its totals: replicas a commitment reserves with no
work count in the text, the JSON, the CSV, the workbook, the return and the forecast."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from foundation.formatting import money_cents
from planner.cli import main
from planner.forecast import ForecastSettings, forecast
from planner.plan import RESERVED_IDLE, optimize
from planner.roi import roi_report
from planner.workload import load_workload, workload_to_csv
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = [
    "--as-of",
    "2026-12-03",
    "--with-illustrative",
    "--self-hosted-replicas",
    "--commit",
    "self-hosted=1000",
]


@pytest.fixture(scope="module")
def one_class(tmp_path_factory) -> Path:
    """The example's first class alone (the issue's one-class case)."""
    example = load_workload(ROOT / "data/workloads/example_enterprise.csv")
    path = tmp_path_factory.mktemp("w") / "one.csv"
    from planner.workload import Workload

    path.write_text(workload_to_csv(Workload(example.classes[:1], "one")))
    return path


def solved(one_class: Path):
    import argparse

    from planner.commands.common import add_input_args, load_problem

    parser = argparse.ArgumentParser()
    add_input_args(parser)
    args = parser.parse_args(["--workload", str(one_class), *OPTIONS])
    return optimize(load_problem(args, Catalog.load()))


def test_idle_reserved_replicas_are_in_every_total(one_class, capsys, tmp_path):
    plan = solved(one_class)
    idle = [u for u in plan.replicas if u.replicas and u.hours_used == 0]
    assert idle, "the commitment reserves a replica the work does not use"
    reserved = sum(u.replicas * r.monthly_cost_usd for u in idle for r in plan.problem.replicas
                   if plan.problem.options[r.option] == u.model)  # fmt: skip
    work = sum(a.monthly_cost_usd for a in plan.assignments if a.task_class != RESERVED_IDLE)
    expected = work + reserved
    assert reserved >= 1000 and plan.totals.monthly_cost_usd == pytest.approx(expected)

    out = tmp_path / "plan.csv"
    assert main(["solve", "--workload", str(one_class), *OPTIONS, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"Monthly cost {money_cents(expected)};" in text
    row = next(line for line in text.splitlines() if line.startswith(RESERVED_IDLE))
    assert row.split()[-4:] == [idle[0].model, "0.0%", "–", f"{reserved:,.2f}"]  # whole id
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    total = next(r for r in rows if r["task_class"] == "TOTAL")
    assert float(total["monthly_cost_usd"]) == pytest.approx(expected, rel=1e-9)
    assert sum(float(r["monthly_cost_usd"]) for r in rows if r["task_class"] != "TOTAL") == (
        pytest.approx(expected, rel=1e-9)
    )

    assert main(["solve", "--workload", str(one_class), *OPTIONS, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["totals"]["monthly_cost_usd"] == pytest.approx(expected)

    report = roi_report(plan)
    assert report.vs_today.ai_spend_usd == pytest.approx(expected)
    assert report.by_tier["monthly_spend_usd"].sum() == pytest.approx(expected)

    # the workbook's Plan sheet: the reserved row, and a TOTAL that holds it
    from app import excel
    from planner.workbook import build_workbook

    book = openpyxl.load_workbook(io.BytesIO(build_workbook([], [excel.plan_sheet(plan)])),
                                  data_only=True)["Plan"]  # fmt: skip
    names = [c.value for c in book["A"]]
    assert RESERVED_IDLE in names and names[-1] == "TOTAL"
    spend = [c.value for c in book[1]].index("Spend a month") + 1
    assert book.cell(row=book.max_row, column=spend).value == pytest.approx(expected)

    settings = ForecastSettings(months=12, paths=20, growth_override=0.0)
    line = forecast(plan, Catalog.load(), settings).deterministic.spend_usd
    assert line.iloc[0] == pytest.approx(expected)
    assert (line >= reserved).all()
