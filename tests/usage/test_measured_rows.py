"""The measured workload: tokens per task from the rows that carry task counts, the typed
classes it cannot measure named with the reason, growth from daily rates."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from planner.workload import load_workload
from tests.usage.governance_fixtures import costed_con, numbered
from usage.measured import NO_COUNTS, NO_MONTH, NO_ROWS, measure

WORKLOAD = "data/workloads/example_enterprise.csv"


@pytest.fixture(scope="module")
def typed():
    return load_workload(WORKLOAD)


def _days(month: int, days: int, **row) -> list[dict]:
    return [dict(ts=datetime(2026, month, day), **row) for day in range(1, days + 1)]


def test_tokens_per_task_come_from_the_rows_that_count_tasks(typed):
    """Code review: a gateway counts 100 tasks a day at 1,200 + 300 cached input and 400
    output tokens each; a usage report of the same days carries 9M tokens and no task count.
    The report's tokens say nothing about tokens per task."""
    rows = _days(10, 31, task_class="Code review", requests=100, input_tokens=120_000.0,
                 cached_input_tokens=30_000.0, output_tokens=40_000.0)  # fmt: skip
    rows += _days(10, 31, task_class="Code review", requests=0, input_tokens=9e6,
                  output_tokens=1e6)  # fmt: skip
    measured = measure(costed_con(numbered(rows)), typed)
    task = measured.workload.by_name("Code review")
    assert task.monthly_volume == 31 * 100
    assert task.input_tokens == pytest.approx(1500) and task.output_tokens == pytest.approx(400)
    assert task.cached_input_share == pytest.approx(300 / 1500)


def test_classes_it_cannot_measure_are_named_with_the_reason(typed):
    rows = _days(10, 31, task_class="Code review", requests=10, input_tokens=1000.0)
    rows += _days(10, 31, task_class="Contract review", requests=0, input_tokens=5e5)
    rows += _days(9, 30, task_class="Marketing drafts", requests=5, input_tokens=100.0)
    measured = measure(costed_con(numbered(rows)), typed)
    assert measured.month == "2026-10"
    assert measured.workload.names() == ["Code review"]
    assert measured.unmeasured["Contract review"] == NO_COUNTS.format(month="2026-10")
    assert measured.unmeasured["Marketing drafts"] == NO_MONTH.format(month="2026-10")
    assert measured.unmeasured["Support ticket triage"] == NO_ROWS
    assert set(measured.unmeasured) == set(typed.names()) - {"Code review"}


def test_growth_is_measured_on_daily_rates_not_month_totals(typed):
    """1,000 tasks a day in September (30 days), 1,099 a day in October (31 days): the daily
    rate rose 9.9 %; the month totals rose 13.6 % only because October is a day longer."""
    rows = _days(9, 30, task_class="Code review", requests=1000, input_tokens=1e6)
    rows += _days(10, 31, task_class="Code review", requests=1099, input_tokens=1e6)
    task = measure(costed_con(numbered(rows)), typed).workload.by_name("Code review")
    assert task.monthly_growth == pytest.approx(0.099, rel=1e-9)
    totals = (31 * 1099) / (30 * 1000) - 1
    assert not math.isclose(task.monthly_growth, totals, rel_tol=1e-3)


def test_a_month_the_store_covers_in_part_is_a_daily_rate_of_its_days(typed):
    """Data from 2026-09-21: September's ten days at 1,000 a day and October's 31 at 1,000 a
    day are no growth, though October's total is 3.1 times September's."""
    rows = [dict(ts=datetime(2026, 9, day), task_class="Code review", requests=1000)
            for day in range(21, 31)]  # fmt: skip
    rows += _days(10, 31, task_class="Code review", requests=1000)
    task = measure(costed_con(numbered(rows)), typed).workload.by_name("Code review")
    assert task.monthly_growth == pytest.approx(0.0, abs=1e-12)
