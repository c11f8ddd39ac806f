"""Governance over actual spend: outcomes, value per token, spikes, budgets, alerts, plan
against actual and the measured workload, on a costed_usage table built by hand."""

from __future__ import annotations

import csv
import io
import json
import math
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from foundation.errors import InputError
from planner.plan import optimize
from planner.problem import PlanSettings, build_problem
from planner.quality import default_quality
from planner.workload import load_workload, parse_workload
from pricing.catalog import Catalog
from tests.usage.governance_fixtures import costed_con, daily_rows, numbered, usage_row
from usage import alerts as alerting
from usage.budgets import budget_status, parse_budgets, projection_line
from usage.daily import filtered, load_daily, over_time
from usage.measured import differences, measure, workload_csv
from usage.outcomes import parse_outcomes
from usage.plan_vs_actual import last_full_month, plan_vs_actual
from usage.spike_band import flagged, min_history, usual_range
from usage.spikes import find_spikes, has_hours
from usage.value import TOKENS_RISE, monthly_spend, rollup, value_board, value_table

AS_OF = date(2026, 11, 23)
WORKLOAD = "data/workloads/example_enterprise.csv"


# -- outcomes -----------------------------------------------------------------------------------

OUTCOMES_CSV = """\
team,task_class,period,tasks_attempted,tasks_succeeded,value_per_success_usd,total_value_usd
Support,,2026-09,1000,800,2,
Support,,2026-10,1000,790,2,
Data,,2026-10,500,450,,9000
"""


def test_outcomes_load_good_rows():
    outcomes = parse_outcomes(OUTCOMES_CSV, "outcomes.csv", "csv")
    assert outcomes.errors == ()
    assert [o.value_usd for o in outcomes.rows] == [1600.0, 1580.0, 9000.0]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (",,2026-10,10,5,1,", "", "give a team, a task_class or both"),
        ("A,,2026-13,10,5,1,", "period", "calendar month"),
        ("A,,2026-10,10,11,1,", "", "cannot exceed"),
        ("A,,2026-10,10,5,1,50", "", "exactly one"),
        ("A,,2026-10,ten,5,1,", "tasks_attempted", "not a number"),
        ("A,,2026-10,10,-5,1,", "tasks_succeeded", "greater than or equal"),
    ],
)
def test_outcomes_bad_row_is_located_and_the_rest_kept(row, field, words):
    text = OUTCOMES_CSV + row + "\n"
    outcomes = parse_outcomes(text, "outcomes.csv", "csv")
    assert len(outcomes.rows) == 3
    (error,) = outcomes.errors
    assert error.file == "outcomes.csv" and error.record == "row 5"
    assert error.field == field and words in error.message


def test_outcomes_json_is_strict_and_located():
    items = [
        {"team": "A", "period": "2026-10", "tasks_attempted": 5, "tasks_succeeded": 4,
         "value_per_success_usd": 1},
        {"team": "B", "period": "2026-10", "tasks_attempted": "5", "tasks_succeeded": 4,
         "value_per_success_usd": 1},
    ]  # fmt: skip
    outcomes = parse_outcomes(json.dumps({"outcomes": items}), "o.json", "json")
    assert len(outcomes.rows) == 1
    assert outcomes.errors[0].record == "item 2"
    assert outcomes.errors[0].field == "tasks_attempted"


def test_outcomes_duplicate_rows_refused():
    with pytest.raises(InputError, match="two rows"):
        parse_outcomes(OUTCOMES_CSV + "Data,,2026-10,5,4,1,\n", "o.csv", "csv")


# -- value per token --------------------------------------------------------------------------


def value_con():
    rows = [
        dict(ts=datetime(2026, 9, 3), team="Support", list_cost_usd=100.0, input_tokens=1e6),
        dict(ts=datetime(2026, 10, 3), team="Support", list_cost_usd=150.0, input_tokens=1.5e6),
        dict(ts=datetime(2026, 10, 4), team="Data", list_cost_usd=300.0, input_tokens=2e6),
        dict(ts=datetime(2026, 10, 5), team=None, list_cost_usd=999.0, input_tokens=9e6),
    ]
    return costed_con(numbered(rows))


def test_value_measures_follow_their_formulas():
    outcomes = parse_outcomes(OUTCOMES_CSV, "o.csv", "csv").rows
    table = value_table(monthly_spend(value_con()), outcomes)
    support_oct = table[(table.team == "Support") & (table.period == "2026-10")].iloc[0]
    assert support_oct.spend_usd == pytest.approx(150.0)
    assert support_oct.cost_per_success_usd == pytest.approx(150 / 790)
    assert support_oct.value_per_1k_tokens_usd == pytest.approx(1000 * 1580 / 1.5e6)
    assert support_oct.tokens_per_success == pytest.approx(1.5e6 / 790)
    assert support_oct.net_value_usd == pytest.approx(1580 - 150)
    assert math.isnan(support_oct.return_vs_today_usd)  # no task class, no status quo


def test_value_board_ranks_by_value_per_token_and_shows_tokens_without_ranking_on_them():
    outcomes = parse_outcomes(OUTCOMES_CSV, "o.csv", "csv").rows
    board = value_board(value_table(monthly_spend(value_con()), outcomes), "team")
    # Data: 9000 of value on 2M tokens (4.5 $ per 1k); Support: 1580 on 1.5M (1.05 $ per 1k).
    assert list(board.team) == ["Data", "Support"]
    assert list(board.rank_value_per_token) == [1, 2]
    # Per successful task Support is cheaper (150/790 against 300/450): ranked beside it.
    assert list(board.rank_cost_per_success) == [2, 1]
    assert list(board.tokens) == [2e6, 1.5e6]  # shown, and the bigger user is not penalised


def test_value_board_order_does_not_change_with_token_volume_alone():
    outcomes = parse_outcomes(OUTCOMES_CSV, "o.csv", "csv").rows
    table = value_table(monthly_spend(value_con()), outcomes)
    scaled = table.assign(tokens=table.tokens * 10, value_usd=table.value_usd * 10)
    assert list(value_board(scaled, "team").team) == list(value_board(table, "team").team)


def test_tokenmaxxing_flags_rising_tokens_per_success_with_flat_successes():
    outcomes = parse_outcomes(OUTCOMES_CSV, "o.csv", "csv").rows
    board = value_board(value_table(monthly_spend(value_con()), outcomes), "team")
    flags = dict(zip(board.team, board.tokenmaxxing, strict=True))
    # Support: tokens per success 1e6/800 -> 1.5e6/790 (+52 %), successes -1 %.
    assert "+51.9%" in flags["Support"] and flags["Data"] == ""


def test_tokenmaxxing_not_flagged_when_successes_grow_with_tokens():
    text = OUTCOMES_CSV.replace("Support,,2026-10,1000,790", "Support,,2026-10,2000,1600")
    outcomes = parse_outcomes(text, "o.csv", "csv").rows
    board = value_board(value_table(monthly_spend(value_con()), outcomes), "team")
    assert set(board.tokenmaxxing) == {""}
    assert TOKENS_RISE > 0


def test_rollup_uses_a_whole_team_row_alone_and_sums_parts_otherwise():
    table = pd.DataFrame(
        [
            ("A", "", "2026-10", 10, 8, 5.0, 100.0, 16.0, 0.0),
            ("A", "x", "2026-10", 4, 3, 2.0, 40.0, 6.0, 0.0),
            ("B", "x", "2026-10", 4, 3, 2.0, 40.0, 6.0, 0.0),
            ("B", "y", "2026-10", 6, 5, 3.0, 60.0, 10.0, 7.0),
        ],
        columns=["team", "task_class", "period", "tasks_attempted", "tasks_succeeded",
                 "spend_usd", "tokens", "value_usd", "unpriced_tokens"],
    )  # fmt: skip
    teams = rollup(table, "team").set_index("team")
    assert teams.loc["A", "tasks_succeeded"] == 8  # the whole-team row, not 8 + 3
    assert teams.loc["B", "tasks_succeeded"] == 8  # 3 + 5
    assert math.isnan(teams.loc["B", "cost_per_success_usd"])  # some of B's spend unpriced
    assert teams.loc["A", "cost_per_success_usd"] == pytest.approx(5 / 8)
    classes = rollup(table, "task_class").set_index("task_class")
    assert classes.loc["x", "spend_usd"] == pytest.approx(4.0)


def test_return_against_todays_process_uses_the_workload():
    workload = load_workload(WORKLOAD)
    triage = workload.by_name("Support ticket triage")
    text = (
        "team,task_class,period,tasks_attempted,tasks_succeeded,value_per_success_usd\n"
        ",Support ticket triage,2026-10,1000,900,1.5\n"
    )
    rows = [dict(ts=datetime(2026, 10, 2), task_class="Support ticket triage", list_cost_usd=50)]
    table = value_table(
        monthly_spend(costed_con(numbered(rows))), parse_outcomes(text, "o", "csv").rows, workload
    )
    today = 1000 * triage.status_quo_accuracy * 1.5 - 1000 * triage.status_quo_cost_per_task_usd
    assert table.iloc[0].return_vs_today_usd == pytest.approx((900 * 1.5 - 50) - today)


# -- spikes -----------------------------------------------------------------------------------


def seasonal_series(days: int, seed: int = 0, noise: float = 0.08) -> np.ndarray:
    rng = np.random.default_rng(seed)
    week = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 0.5, 0.45])
    t = np.arange(days)
    return 200 * 1.004**t * week[t % 7] * rng.lognormal(0, noise, days)


def test_detector_needs_four_weeks_of_history():
    values = seasonal_series(40)
    band = usual_range(values)
    assert min_history("day") == 28
    assert np.isnan(band.upper[0, :28]).all() and np.isfinite(band.upper[0, 28:]).all()


def test_detector_finds_a_tripled_day_and_nothing_on_a_weekend_dip():
    values = seasonal_series(90)
    values[60] *= 3
    hits = flagged(values[None, :], usual_range(values))
    assert hits[0, 60]
    assert hits[0].sum() <= 2  # at most one other, on 62 clean days


def test_detector_allows_for_trend():
    t = np.arange(120)
    growing = 100 * 1.02**t  # +2 % a day, no noise: never outside its usual range
    assert not flagged(growing[None, :], usual_range(growing)).any()


def spike_rows():
    start = date(2026, 8, 1)
    rows = []
    for offset in range(70):
        day = start + timedelta(days=offset)
        ts = datetime(day.year, day.month, day.day)
        rows.append(dict(ts=ts, team="Support", list_cost_usd=100.0, api_key="k1"))
        rows.append(dict(ts=ts, team="Support", list_cost_usd=20.0, api_key="k2"))
        rows.append(dict(ts=ts, team="Data", list_cost_usd=50.0, api_key="k3"))
    spike_day = datetime(2026, 10, 5)
    rows.append(dict(ts=spike_day, team="Support", list_cost_usd=400.0, api_key="k2",
                     model="anthropic/claude-sonnet-4-5"))  # fmt: skip
    return rows, spike_day


def test_spike_alert_states_excess_usual_range_and_driver():
    rows, spike_day = spike_rows()
    (spike,) = find_spikes(costed_con(numbered(rows)), ("team",))
    assert spike.series == {"team": "Support"} and spike.when == spike_day
    assert spike.spend_usd == pytest.approx(520.0)
    assert spike.usual_low_usd < 120 < spike.usual_high_usd
    assert spike.excess_usd == pytest.approx(520 - spike.usual_high_usd)
    assert spike.driver.startswith("model anthropic/claude-sonnet-4-5 (+$400, 100% of the rise)")
    assert "above the usual" in spike.sentence()


def test_spikes_ranked_by_dollars():
    rows, _ = spike_rows()
    rows.append(dict(ts=datetime(2026, 10, 6), team="Data", list_cost_usd=150.0, api_key="k3"))
    spikes = find_spikes(costed_con(numbered(rows)), ("team",))
    assert [s.series["team"] for s in spikes] == ["Support", "Data"]
    assert spikes[0].excess_usd > spikes[1].excess_usd


def test_spikes_by_team_and_model_and_since():
    rows, _ = spike_rows()
    con = costed_con(numbered(rows))
    spikes = find_spikes(con, ("team", "model"))
    assert spikes[0].series == {"team": "Support", "model": "anthropic/claude-sonnet-4-5"} or (
        spikes[0].series["team"] == "Support"
    )
    assert find_spikes(con, ("team",), since=date(2026, 10, 6)) == []


def test_spike_dimension_outside_the_contract_refused():
    with pytest.raises(ValueError, match="cannot split"):
        find_spikes(costed_con(numbered(spike_rows()[0])), ("cost_usd; DROP TABLE x",))


# -- budgets ---------------------------------------------------------------------------------

BUDGETS_CSV = """\
scope,name,month,budget_usd
team,Support,2026-10,5000
provider,openai,2026-10,20000
org,,2026-10,3000
"""


def test_budgets_bad_rows_located():
    text = BUDGETS_CSV + "team,,2026-10,100\ncountry,x,2026-10,5\nteam,A,2026-10,-1\n"
    budgets = parse_budgets(text, "b.csv", "csv")
    assert len(budgets.rows) == 3
    assert [(e.record, e.field) for e in budgets.errors] == [
        ("row 5", ""),
        ("row 6", "scope"),
        ("row 7", "budget_usd"),
    ]


def budget_con():
    rows = daily_rows(date(2026, 10, 1), 20, 200.0, team="Support")
    return costed_con(numbered(rows))


def test_budget_projection_run_out_and_interval():
    budget = parse_budgets(BUDGETS_CSV, "b.csv", "csv").rows[0]
    status = budget_status(load_daily(budget_con()), budget, date(2026, 10, 20))
    assert status.spent_usd == pytest.approx(4000)
    assert status.run_rate_usd == pytest.approx(200)
    assert status.projected_usd == pytest.approx(4000 + 200 * 11)
    assert status.projected_low_usd == pytest.approx(status.projected_usd)  # no spread
    assert status.run_out == date(2026, 10, 25)  # 1000 left at 200 a day
    assert status.threshold == (0.8, "warning") and status.projected_overrun
    line = projection_line(status)
    assert line.p50_usd.iloc[-1] == pytest.approx(status.projected_usd)
    assert list(status.burn.remaining_usd)[-1] == pytest.approx(1000)


def test_budget_alerts_at_thresholds_and_projected_overrun():
    budgets = parse_budgets(BUDGETS_CSV, "b.csv", "csv").rows
    daily = load_daily(budget_con())
    found = alerting.budget_alerts(budget_status(daily, b, date(2026, 10, 20)) for b in budgets)
    kinds = sorted((a.subject, a.severity) for a in found)
    assert ("team Support", "warning") in kinds  # 80 % passed, and projected overrun
    assert ("whole organisation", "critical") in kinds  # 4000 of 3000
    assert not any(a.subject == "provider openai" for a in found)  # 20 % of its budget


def test_budget_spend_that_crossed_reports_the_day_it_crossed():
    budget = parse_budgets(BUDGETS_CSV, "b.csv", "csv").rows[2]
    status = budget_status(load_daily(budget_con()), budget, date(2026, 10, 31))
    assert status.run_out == date(2026, 10, 15)  # 15 x 200 = 3000
    assert status.projected_usd == pytest.approx(4000)  # nothing after day 20


# -- alerts and the webhook --------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict]] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Recorder.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_posts_slack_json_to_a_loopback_server():
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    alert = alerting.Alert("budget", "critical", "team A", "team A spent $9 of $5")
    try:
        assert alerting.webhook_url({alerting.WEBHOOK_ENV: url}) == url
        assert alerting.send([alert], url, allow_private=True) == 200
    finally:
        thread.join(5)
        server.server_close()
    assert Recorder.bodies[-1]["text"].endswith("[CRITICAL] budget: team A spent $9 of $5")


def test_no_webhook_unless_configured(tmp_path):
    missing = {alerting.CONFIG_ENV: str(tmp_path / "none.json")}
    assert alerting.webhook_url(missing) is None
    config = tmp_path / "alerts.json"
    config.write_text(json.dumps({"webhook_url": "file:///etc/passwd"}))
    with pytest.raises(InputError, match="http"):
        alerting.webhook_url({alerting.CONFIG_ENV: str(config)})
    config.write_text(json.dumps({"webhook_url": "https://hooks.example/x"}))
    assert alerting.webhook_url({alerting.CONFIG_ENV: str(config)}) == "https://hooks.example/x"


def test_alerts_ordered_by_severity_then_dollars():
    found = alerting.ordered(
        [
            alerting.Alert("spike", "warning", "a", "", 500),
            alerting.Alert("budget", "critical", "b", "", 10),
            alerting.Alert("spike", "warning", "c", "", 900),
        ]
    )
    assert [a.subject for a in found] == ["b", "c", "a"]
    assert [a.subject for a in alerting.at_or_above(found, "critical")] == ["b"]


# -- plan against actual, measured workload -------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


@pytest.fixture(scope="module")
def plan(catalog):
    workload = load_workload(WORKLOAD)
    settings = PlanSettings(objective="min-cost", as_of=AS_OF)
    return optimize(
        build_problem(workload, default_quality(catalog.model_ids()), catalog, settings)
    )


def actual_month_rows():
    """October 2026: triage on gpt-4o for two teams, one class the plan lacks, one unmapped."""
    rows = []
    for day in range(1, 32):
        ts = datetime(2026, 10, day)
        for team, tasks in (("Support", 3000), ("Ops", 1000)):
            rows.append(dict(ts=ts, team=team, task_class="Support ticket triage",
                             model="openai/gpt-4o", requests=tasks, input_tokens=600.0 * tasks,
                             cached_input_tokens=300.0 * tasks, output_tokens=50.0 * tasks,
                             list_cost_usd=0.0025 * tasks))  # fmt: skip
        rows.append(dict(ts=ts, team="R&D", task_class="Poetry", list_cost_usd=5.0))
        rows.append(dict(ts=ts, team=None, task_class=None, list_cost_usd=7.0))
    for day in range(1, 10):  # September, for the growth trend
        rows.append(dict(ts=datetime(2026, 9, day), team="Support",
                         task_class="Support ticket triage", model="openai/gpt-4o",
                         requests=10000, input_tokens=9e6, output_tokens=5e5,
                         list_cost_usd=20.0))  # fmt: skip
    return rows


def test_plan_vs_actual_gap_splits_exactly(plan, catalog):
    con = costed_con(numbered(actual_month_rows()))
    assert last_full_month(con) == "2026-10"
    result = plan_vs_actual(con, plan, catalog, "2026-10")
    (row,) = result.by_class.itertuples()
    assert row.tasks == 31 * 4000 and row.actual_usd == pytest.approx(31 * 4000 * 0.0025)
    gaps = row.gap_price_usd + row.gap_model_mix_usd + row.gap_tokens_per_task_usd
    assert row.actual_usd - row.plan_usd == pytest.approx(gaps + row.gap_volume_usd)
    assert result.floors_met and "at or above its floor" in result.headline()
    assert set(result.by_team.team) == {"Support", "Ops"}
    assert result.by_team.plan_same_work_usd.sum() == pytest.approx(result.same_work_usd)
    outside = dict(zip(result.outside.task_class, result.outside.cost_usd, strict=True))
    assert outside == {"Poetry": pytest.approx(155.0), "": pytest.approx(217.0)}


def test_plan_same_work_reprices_actual_tokens_on_the_plans_models(plan, catalog):
    con = costed_con(numbered(actual_month_rows()))
    result = plan_vs_actual(con, plan, catalog, "2026-10")
    mix = result.mix.set_index("model")
    assert mix.loc["openai/gpt-4o", "actual_share"] == pytest.approx(1.0)
    t = [c.name for c in plan.problem.classes].index("Support ticket triage")
    per_task = 0.0  # the plan's mix of models for the class, each at its own rates
    for m in np.flatnonzero(plan.shares[t] > 1e-9):
        model = plan.problem.options[m]
        assert mix.loc[model, "plan_share"] == pytest.approx(plan.shares[t, m])
        rates = catalog.quote(model, AS_OF).prices
        per_task += plan.shares[t, m] * (
            600 * float(rates.input_per_mtok) + 300 * float(rates.cached_input_per_mtok)
            + 50 * float(rates.output_per_mtok)
        ) / 1e6  # fmt: skip
    assert result.same_work_usd == pytest.approx(31 * 4000 * per_task, rel=1e-6)


def test_measured_workload_round_trips_through_the_planner_loader():
    typed = load_workload(WORKLOAD)
    measured = measure(costed_con(numbered(actual_month_rows())), typed)
    assert measured.month == "2026-10" and measured.missing == ("Poetry",)
    (task,) = measured.workload.classes
    assert task.monthly_volume == 31 * 4000
    assert task.input_tokens == pytest.approx(900) and task.output_tokens == pytest.approx(50)
    assert task.cached_input_share == pytest.approx(1 / 3)
    # growth of the daily rate (September's rows cover its first nine days), clipped at -50 %
    assert task.monthly_growth == pytest.approx(max(-0.5, (124000 / 31) / (90000 / 9) - 1))
    reread = parse_workload(workload_csv(measured), "measured.csv", "csv")
    assert reread.classes[0] == task
    diff = differences(typed, measured.workload).set_index("field")
    assert diff.loc["monthly_volume", "typed"] == typed.by_name(task.name).monthly_volume


def test_measured_csv_neutralises_formula_like_names():
    typed = parse_workload(
        "task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
        "value_per_success_usd,cost_per_failure_usd\n=cmd,10,100,10,0.5,1,1\n",
        "w.csv",
        "csv",
    )
    rows = [dict(ts=datetime(2026, 10, d), task_class="=cmd", requests=5) for d in range(1, 32)]
    text = workload_csv(measure(costed_con(numbered(rows)), typed))
    (row,) = list(csv.reader(io.StringIO(text, newline="")))[2:]  # after the comment, header
    assert row[0] == "'=cmd"
    assert parse_workload(text, "m.csv").names() == ["=cmd"]  # the loader drops the guard


def test_usage_row_defaults_follow_the_contract():
    row = usage_row(1, billed_cost_usd=2.0, list_cost_usd=3.0, input_tokens=5.0)
    assert row["cost_usd"] == 2.0 and row["total_tokens"] == 5.0


# -- the daily table the page reads ------------------------------------------------------------


def test_daily_table_filters_and_groups_beyond_the_top_as_others():
    rows = []
    for number in range(10):
        rows += daily_rows(
            date(2026, 10, 1),
            3,
            float(number + 1),
            team=f"t{number}",
            model="openai/gpt-4o" if number % 2 else "anthropic/claude-sonnet-4-5",
        )
    rows.append(dict(ts=datetime(2026, 10, 2), team=None, list_cost_usd=1.0, model=None))
    table = load_daily(costed_con(numbered(rows)))
    assert set(table["provider"].cat.categories) == {"openai", "anthropic", "(unresolved)"}
    assert "(unattributed)" in set(table["team"].cat.categories)
    shown = filtered(table, ["t9", "t8"], ["openai"], date(2026, 10, 2), date(2026, 10, 3))
    assert shown["spend_usd"].sum() == pytest.approx(2 * 10.0)  # t9 only (t8 is anthropic)
    long = over_time(table, "team", top=3)
    assert set(long["group"]) == {"t9", "t8", "t7", "others"}
    assert long["spend_usd"].sum() == pytest.approx(table["spend_usd"].sum())


def test_hourly_spike_found_against_the_same_hour_of_past_weeks():
    start = datetime(2026, 9, 1)
    rows = []
    for hour in range(24 * 7 * 5):
        ts = start + timedelta(hours=hour)
        usd = 10.0 if 9 <= ts.hour < 18 else 1.0  # office hours
        rows.append(dict(ts=ts, team="Ops", list_cost_usd=usd, api_key="k"))
    burst = start + timedelta(days=33, hours=3)  # 3 a.m., where $1 is usual
    for model in ("openai/gpt-4o", "anthropic/claude-sonnet-4-5"):  # one key, two models
        rows.append(dict(ts=burst, team="Ops", list_cost_usd=20.0, api_key="night-job",
                         model=model))  # fmt: skip
    con = costed_con(numbered(rows))
    assert has_hours(con) and min_history("hour") == 672
    (spike,) = find_spikes(con, ("team",), grain="hour")
    assert spike.when == burst and spike.grain == "hour"
    assert spike.driver.startswith("api_key night-job")
    assert "03:00" in spike.sentence()
