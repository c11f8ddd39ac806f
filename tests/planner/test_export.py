"""The plan as CSV: the TOTAL row reconciles, formulas are neutralized, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import cli
from planner.export import PLAN_COLUMNS, TOTAL_LABEL, plan_to_csv, safe_cell, table_to_csv
from planner.plan import Plan, assignments_of, optimize, totals_of
from planner.problem import (
    STATUS_QUO,
    STATUS_QUO_PROVIDER,
    PlanningProblem,
    PlanSettings,
    build_problem,
)
from planner.quality import default_quality
from planner.solver import Status
from planner.workload import TaskClass, load_workload
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "workloads" / "example_enterprise.csv"
ARGS = ["solve", "--workload", str(EXAMPLE), "--as-of", "2026-11-23", "--with-illustrative"]
HOSTILE = ["=SUM(A1:A9)", "+1+1", "-2-3", "@cmd", "\tTabbed", "\rReturned"]
PLAIN = "Résumé screening — 履歴書"


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def by_label(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


# -- the TOTAL row, the plan and the command line agree --------------------------------------


def test_total_row_equals_plan_totals_and_cli_json(capsys, tmp_path):
    out = tmp_path / "plan.csv"
    assert cli.main([*ARGS, "--json", "--out", str(out)]) == 0
    totals_json = json.loads(capsys.readouterr().out)["totals"]
    raw = out.read_bytes()
    rows = read_rows(raw.decode("utf-8"))
    assert tuple(rows[0]) == PLAN_COLUMNS
    total = by_label(rows)[TOTAL_LABEL]
    # the same run: equal to the twelve significant digits the CSV writes (no float noise)
    for column, key in (
        ("monthly_cost_usd", "monthly_cost_usd"),
        ("monthly_net_value_usd", "monthly_net_value_usd"),
        ("accuracy", "mean_accuracy"),
        ("monthly_tokens", "monthly_tokens"),
    ):
        assert float(total[column]) == float(f"{totals_json[key]:.12g}")

    catalog = Catalog.load()
    workload = load_workload(EXAMPLE, catalog.providers())
    settings = PlanSettings(as_of=date(2026, 11, 23))
    plan = optimize(
        build_problem(workload, default_quality(catalog.model_ids()), catalog, settings)
    )
    t = plan.totals
    for column, value in [
        ("monthly_cost_usd", t.monthly_cost_usd),
        ("monthly_net_value_usd", t.monthly_net_value_usd),
        ("monthly_value_usd", t.monthly_value_usd),
        ("monthly_failure_cost_usd", t.monthly_failure_cost_usd),
        ("monthly_tasks", t.monthly_tasks),
        ("monthly_tokens", t.monthly_tokens),
        ("accuracy", t.mean_accuracy),
    ]:
        assert float(total[column]) == pytest.approx(value, rel=1e-9), column
    body = [r for r in rows[1:] if r[0] != TOTAL_LABEL]
    assert len(body) == 12  # one model per class in this plan
    cost = sum(float(r[PLAN_COLUMNS.index("monthly_cost_usd")]) for r in body)
    assert cost == pytest.approx(t.monthly_cost_usd, rel=1e-9)
    assert rows[-1][0] == TOTAL_LABEL


# -- formula injection -----------------------------------------------------------------------


def hostile_plan(names=(*HOSTILE[:-1], PLAIN)) -> Plan:
    """One class per name, each on one model; the first runs at a loss."""
    classes = [
        TaskClass(name, 100, 1000, 100, 0.5, 1.0, 50.0 if i == 0 else 0.5)
        for i, name in enumerate(names)
    ]
    shape = (len(classes), 2)
    cost, acc = np.full(shape, 0.01), np.full(shape, 0.8)
    cost[:, -1] = acc[:, -1] = np.nan
    problem = PlanningProblem(
        classes=tuple(classes),
        options=("-evil/=model", STATUS_QUO),
        providers=("-evil", STATUS_QUO_PROVIDER),
        tiers=("economy", STATUS_QUO),
        cost=cost,
        accuracy=acc,
        accuracy_any=acc.copy(),
        input_tokens=np.full(shape, 1000.0),
        output_tokens=np.full(shape, 100.0),
        sources={(t, 0): "@source" for t in range(len(classes))},
        settings=PlanSettings(),
    )
    shares = np.zeros(shape)
    shares[:, 0] = 1.0
    rows = assignments_of(problem, shares)
    return Plan(Status.OPTIMAL, problem, rows, totals_of(problem, rows), shares=shares)


@pytest.mark.parametrize("name", HOSTILE)
def test_formula_like_text_is_written_with_an_apostrophe_and_read_back_as_text(tmp_path, name):
    path = tmp_path / "plan.csv"
    path.write_text(plan_to_csv(hostile_plan((name, PLAIN))), encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows] == ["task_class", "'" + name, PLAIN, TOTAL_LABEL]
    for r in rows[1:3]:
        cells = dict(zip(PLAN_COLUMNS, r, strict=True))
        assert cells["model"] == "'-evil/=model" and cells["provider"] == "'-evil"
        assert cells["accuracy_source"] == "'@source"
        assert float(cells["monthly_cost_usd"]) == pytest.approx(1.0)


def test_numbers_stay_numbers_including_negative_net_values():
    plan = hostile_plan()
    # 100 tasks: 80 successes x $1, 20 failures x $50, $1 of spend: -$921
    assert plan.assignments[0].monthly_net_value_usd == pytest.approx(-921.0)
    text = plan_to_csv(plan)
    rows = read_rows(text)
    net = rows[1][PLAN_COLUMNS.index("monthly_net_value_usd")]
    assert net.startswith("-") and float(net) == pytest.approx(-921.0)
    table = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert table.task_class.tolist() == ["'" + n for n in HOSTILE[:-1]] + [PLAIN, TOTAL_LABEL]
    text_columns = ("task_class", "model", "provider", "tier", "accuracy_source")
    for column in (c for c in PLAN_COLUMNS if c not in text_columns):
        assert pd.api.types.is_float_dtype(table[column]), column
    assert table.monthly_net_value_usd.iloc[0] == pytest.approx(-921.0)
    total = table[table.task_class == TOTAL_LABEL].iloc[0]
    assert total.monthly_net_value_usd == pytest.approx(plan.totals.monthly_net_value_usd)
    assert pd.isna(total.share) and pd.isna(total.model)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-cmd", "'-cmd"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        ("\u200b=cmd", "'\u200b=cmd"),
        ("\ufeff+1", "'\ufeff+1"),
        ("＝1+2", "'＝1+2"),
        ("－cmd", "'－cmd"),
        ("＠SUM(1)", "'＠SUM(1)"),
        (-1.5, -1.5),
        (0.1, 0.1),
        (3, 3),
        (True, "true"),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_csv_is_utf8_with_a_header_row_in_plan_column_order(tmp_path):
    text = plan_to_csv(hostile_plan())
    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert PLAIN.encode("utf-8") in raw
    rows = read_rows(raw.decode("utf-8"))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert all(len(r) == len(PLAN_COLUMNS) for r in rows)


def test_table_to_csv_keeps_the_given_order_and_blanks_missing_cells():
    text = table_to_csv([{"b": "=x", "a": 1.0}, {"a": -2.0}], ("a", "b"))
    assert read_rows(text) == [["a", "b"], ["1.0", "'=x"], ["-2.0", ""]]


def test_floats_are_written_without_binary_noise():
    noisy = 1299.9999999999995
    assert read_rows(table_to_csv([{"a": noisy, "b": 0.1 + 0.2}], ("a", "b")))[1] == [
        "1300.0",
        "0.3",
    ]


def test_an_infeasible_plan_is_not_exported():
    plan = hostile_plan()
    with pytest.raises(ValueError, match="optimal"):
        plan_to_csv(Plan(Status.INFEASIBLE, plan.problem))
