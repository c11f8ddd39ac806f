"""The one CSV writer: its policy cell by cell, and every CSV the product writes held to it
(RFC 4180 line ends, formula-safe text, no float noise, no "nan", a byte-order mark only on
files a person opens), the workload files read back by the product's own loader."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from app import tables
from app.planning import PlanRequest, ScenarioSpec, solve
from foundation.csvfile import BOM, for_a_person, frame_to_csv, table_to_csv, tuples_to_csv
from foundation.inputs import formula_like
from planner.export import plan_to_csv
from planner.forecast import ForecastSettings, forecast
from planner.quality import parse_quality, quality_template_csv
from planner.workload import (
    Workload,
    parse_workload,
    workload_template_csv,
    workload_to_csv,
)
from usage.measured import Measured, workload_csv

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2-3", "@cmd", "#1 priority", 'Say "hi", then']


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def assert_policy(text: str, exact: bool = False) -> list[list[str]]:
    """The writer's policy, checked on a whole file; returns its rows."""
    assert not text.startswith(BOM)  # the mark is for files a person opens (for_a_person)
    assert text.count("\n") == text.count("\r\n")  # every line ends "\r\n"
    rows = rows_of(text)
    for row in rows:
        for cell in row:
            assert cell not in ("nan", "inf", "None", "<NA>"), row
            if formula_like(cell):
                assert cell.startswith("'") or is_number(cell), cell
            if is_number(cell) and not exact:
                assert float(cell) == float(f"{float(cell):.12g}"), cell  # no float noise
    return rows


# -- the writer, cell by cell ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1299.9999999999995, "1300.0"),
        (0.1 + 0.2, "0.3"),
        (np.float64(2.5), "2.5"),
        (-921.0, "-921.0"),
        (math.nan, ""),
        (None, ""),
        (3, "3"),
        ("=1+2", "'=1+2"),
        ("-cmd", "'-cmd"),
        ("\u200b=cmd", "'\u200b=cmd"),
        ("plain, with a comma", "plain, with a comma"),
        (True, "true"),
    ],
)
def test_each_cell_is_written_by_the_policy(value, written):
    assert rows_of(table_to_csv([{"a": value}], ["a"]))[1] == [written]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.1 + 0.2, "0.30000000000000004"),
        (40000.0, "40000"),
        (1e15, "1000000000000000.0"),
        (-0.5, "-0.5"),
    ],
)
def test_exact_files_write_each_float_as_it_reads_back(value, written):
    cell = rows_of(table_to_csv([{"a": value}], ["a"], exact=True))[1][0]
    assert cell == written and float(cell) == value


def test_a_carriage_return_in_a_cell_stays_inside_its_row():
    text = table_to_csv([{"a": "one\rtwo", "b": 1.0}], ["a", "b"])
    assert text == 'a,b\r\n"one\rtwo",1.0\r\n'
    assert rows_of(text) == [["a", "b"], ["one\rtwo", "1.0"]]


def test_a_first_cell_starting_with_a_hash_is_quoted_so_readers_keep_the_row():
    text = tuples_to_csv([("#1", 2.0), ("ok", 3.0)], ["name", "n"])
    assert text.splitlines()[1] == '"#1","2.0"'
    assert not any(line.startswith("#") for line in text.splitlines())


def test_a_comment_heads_the_file_on_one_line():
    text = table_to_csv([{"a": 1.0}], ["a"], comment="drafted from\nusage")
    assert text.startswith("# drafted from usage\r\na\r\n")


def test_frames_write_nan_as_an_empty_cell_and_columns_in_order():
    frame = pd.DataFrame({"b": [1.5, np.nan], "a": ["x", None]})
    assert rows_of(frame_to_csv(frame)) == [["b", "a"], ["1.5", "x"], ["", ""]]


def test_files_a_person_opens_carry_a_byte_order_mark_once():
    data = for_a_person(table_to_csv([{"a": "Résumé"}], ["a"]))
    assert data.startswith(BOM.encode("utf-8")) and data.count(BOM.encode("utf-8")) == 1
    assert data.decode("utf-8-sig") == "a\r\nRésumé\r\n"


# -- every CSV the product writes ------------------------------------------------------------


def hostile_workload(base: Workload) -> Workload:
    """The example with formula-like, '#' and multi-line class names, and noisy figures."""
    classes = list(base.classes)
    for i, name in enumerate(HOSTILE):
        classes[i] = replace(classes[i], name=name)
    classes[0] = replace(classes[0], min_accuracy=0.1 + 0.7, cached_input_share=1 / 3)
    return Workload(tuple(classes), "hostile")


@pytest.fixture(scope="module")
def workload(request_, catalog):
    example = parse_workload(request_.workload_csv, "example", "csv", catalog.providers())
    return hostile_workload(example)


@pytest.fixture(scope="module")
def plan(request_, catalog, workload):
    hostile = PlanRequest(workload_csv=workload_to_csv(workload), as_of=request_.as_of,
                          budget_usd=request_.budget_usd,
                          with_illustrative=request_.with_illustrative)  # fmt: skip
    found = solve(hostile, catalog)
    assert found.is_optimal
    return found


def test_the_plan_csv(plan):
    rows = assert_policy(plan_to_csv(plan))
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names and "#1 priority" in names
    assert 'Say "hi", then' in names


def test_the_workload_csv_round_trips_through_the_loader(workload):
    text = workload_to_csv(workload)
    assert_policy(text, exact=True)
    again = parse_workload(text, "again.csv")
    assert again.classes == workload.classes  # every name and every float, exactly
    assert again.classes[0].cached_input_share == 1 / 3


def test_the_measured_workload_csv_round_trips_with_its_comment(workload):
    text = workload_csv(Measured(workload, "2026-10", (), {}))
    assert text.startswith("# Measured workload: ") and text.count("\r\n#") == 0
    assert_policy(text.split("\r\n", 1)[1], exact=True)
    assert parse_workload(text, "measured.csv").classes == workload.classes


def test_an_empty_measured_workload_is_a_header_the_loader_names_as_empty():
    text = workload_csv(Measured(None, None, (), {}))
    assert text.splitlines()[1].startswith("task_class,monthly_volume")


def test_the_templates_are_valid_files_of_their_own_kind(catalog):
    assert_policy(workload_template_csv(), exact=True)
    assert parse_workload(workload_template_csv(), "t.csv").names() == ["Support ticket triage"]
    assert_policy(quality_template_csv())
    assert len(parse_quality(quality_template_csv(), "q.csv", catalog.model_ids()).rows) == 3


def test_the_forecast_download(plan, catalog):
    result = forecast(plan, catalog, ForecastSettings(months=13, paths=50))
    table = tables.forecast_table(result.deterministic, result.bands)
    assert table["prob_over_budget"].isna().any()  # months between year ends have none
    rows = assert_policy(frame_to_csv(table))
    assert rows[0] == list(table.columns) and len(rows) == len(table) + 1


def test_the_vendor_comparison_download(request_, catalog):
    specs = [ScenarioSpec("=List prices"), ScenarioSpec("#Deal", discounts_pct={"openai": 20.0})]
    costed = request_.with_(objective="min-cost", budget_usd=None)
    plans = {s.name: solve(costed.with_(scenario=s), catalog) for s in specs}
    totals, _, moves = tables.compare_scenarios(plans, specs)
    columns, rows = tables.comparison_rows(totals, moves)
    written = assert_policy(table_to_csv(rows, columns))
    assert [row[0] for row in written[1:]] == ["'=List prices", "#Deal"]
