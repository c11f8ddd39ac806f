"""The governance commands: each with --json; exit codes 0, 1 (an alert fired), 2 (bad input),
3 (no plan to compare with) and 5 (the webhook could not be reached)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from planner.workload import parse_workload
from tests.usage.governance_fixtures import costed_con, daily_rows, numbered
from tests.usage.test_governance import (
    BUDGETS_CSV,
    OUTCOMES_CSV,
    actual_month_rows,
    spike_rows,
    value_con,
)
from usage import alerts as alerting
from usage.cli import main


@pytest.fixture(autouse=True)
def no_webhook(monkeypatch, tmp_path):
    """No test reaches a real webhook: the env var is unset and the config file absent."""
    monkeypatch.delenv(alerting.WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "no-alerts.json"))


def run(capsys, argv, con):
    try:
        code = main(argv, con=con)
    finally:
        con.close()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_value_json_board(capsys, tmp_path):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(OUTCOMES_CSV)
    code, out, _ = run(capsys, ["value", "--outcomes", str(outcomes), "--json"], value_con())
    assert code == 0
    board = json.loads(out)["board"]
    assert [row["team"] for row in board] == ["Data", "Support"]
    assert board[1]["tokenmaxxing"].startswith("tokens per successful task +51.9%")


def test_value_bad_outcomes_exit_2_naming_every_row(capsys, tmp_path):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(OUTCOMES_CSV + "A,,2026-13,1,1,1,\nB,,2026-10,1,2,1,\n")
    code, out, err = run(capsys, ["value", "--outcomes", str(outcomes)], value_con())
    assert code == 2 and out == ""
    assert "row 5, field 'period'" in err and "row 6" in err


def test_spikes_json(capsys):
    code, out, _ = run(capsys, ["spikes", "--json"], costed_con(numbered(spike_rows()[0])))
    assert code == 0
    (spike,) = json.loads(out)["spikes"]
    assert spike["series"] == {"team": "Support"} and spike["when"].startswith("2026-10-05")
    assert spike["excess_usd"] > 0 and spike["driver"]


def test_spikes_unknown_dimension_is_bad_input(capsys):
    code, _, err = run(capsys, ["spikes", "--by", "colour"], costed_con([]))
    assert code == 2 and "cannot split spend by 'colour'" in err


def test_budgets_json(capsys, tmp_path):
    budgets = tmp_path / "budgets.csv"
    budgets.write_text(BUDGETS_CSV)
    con = costed_con(numbered(daily_rows(date(2026, 10, 1), 20, 200.0, team="Support")))
    code, out, _ = run(capsys, ["budgets", "--budgets", str(budgets), "--json"], con)
    assert code == 0
    rows = {row["budget"]: row for row in json.loads(out)["budgets"]}
    support = rows["team Support"]
    assert support["spent_usd"] == pytest.approx(4000) and support["run_out"] == "2026-10-25"
    assert support["as_of"] == "2026-10-20" and support["projected_overrun"] is True


def test_alerts_exit_1_at_or_above_severity_and_0_below(capsys, tmp_path):
    budgets = tmp_path / "budgets.csv"
    budgets.write_text("scope,name,month,budget_usd\nteam,Data,2026-10,400\n")
    rows, _ = spike_rows()
    con = costed_con(numbered(rows))
    argv = ["alerts", "--budgets", str(budgets), "--json"]
    code, out, _ = run(capsys, [*argv, "--severity", "warning"], con)
    payload = json.loads(out)
    assert code == 1 and payload["sent"] is False
    kinds = [(a["kind"], a["severity"]) for a in payload["alerts"]]
    assert ("spike", "critical") in kinds  # 520 against about 120: over 3x expected
    assert ("budget", "critical") in kinds  # Data: $50 a day, October 1-9: 450 of 400
    later = ["--since", "2026-10-06", "--as-of", "2026-10-01", "--severity", "critical"]
    code, out, _ = run(capsys, [*argv, *later], costed_con(numbered(rows)))
    # No spike since the 6th; on the 1st Data had spent 50 of 400: only the projected
    # overrun, a warning, which is below the critical bar.
    assert code == 0
    assert [a["severity"] for a in json.loads(out)["alerts"]] == ["warning"]


def test_alerts_tokenmaxxing_from_outcomes(capsys, tmp_path):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(OUTCOMES_CSV)
    code, out, _ = run(capsys, ["alerts", "--outcomes", str(outcomes), "--json"], value_con())
    alerts = json.loads(out)["alerts"]
    assert code == 1
    assert [a["subject"] for a in alerts if a["kind"] == "tokenmaxxing"] == ["team Support"]


def test_plan_vs_actual_json(capsys):
    con = costed_con(numbered(actual_month_rows()))
    argv = ["plan-vs-actual", "--as-of", "2026-11-23", "--json"]
    code, out, _ = run(capsys, argv, con)
    payload = json.loads(out)
    assert code == 0 and payload["month"] == "2026-10"
    assert payload["headline"].startswith("2026-10 cost $310 for the classes the plan covers")
    assert {row["task_class"] for row in payload["outside_plan"]} == {"", "Poetry"}


def test_workload_writes_a_csv_the_planner_reads(capsys, tmp_path):
    out_file = tmp_path / "measured.csv"
    con = costed_con(numbered(actual_month_rows()))
    code, _, err = run(capsys, ["workload", "--out", str(out_file)], con)
    assert code == 0 and "'Poetry' is in the usage but not in the workload" in err
    measured = parse_workload(out_file.read_text(), "measured.csv", "csv")
    assert measured.names() == ["Support ticket triage"]
    assert measured.classes[0].monthly_volume == 31 * 4000


def test_empty_store_is_bad_input_not_a_traceback(capsys):
    code, _, err = run(capsys, ["plan-vs-actual"], costed_con([]))
    assert code == 2 and "holds no usage yet" in err


def test_alerts_are_posted_to_a_configured_webhook(capsys, tmp_path, monkeypatch):
    from http.server import HTTPServer
    from threading import Thread

    from tests.usage.test_governance import Recorder

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = Thread(target=server.handle_request, daemon=True)
    thread.start()
    monkeypatch.setenv(alerting.WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
    monkeypatch.setenv(alerting.ALLOW_PRIVATE_ENV, "1")  # the test's listener is on loopback
    try:
        con = costed_con(numbered(spike_rows()[0]))
        code, out, _ = run(capsys, ["alerts", "--since", "2026-10-01", "--json"], con)
    finally:
        thread.join(5)
        server.server_close()
    assert code == 1 and json.loads(out)["sent"] is True
    assert "team Support spent $520 on 2026-10-05" in Recorder.bodies[-1]["text"]


# -- plan against actual plans as `planner solve` does ------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "data/workloads/example_enterprise.csv"
NO_CATEGORY = "Poetry,5000,3000,400,0.8,6,4,,0,0,,0.01,,"


def test_plan_vs_actual_names_a_class_no_model_serves_and_plans_the_rest(capsys, tmp_path):
    workload = tmp_path / "w.csv"
    workload.write_text(EXAMPLE.read_text() + NO_CATEGORY + "\n")
    argv = ["plan-vs-actual", "--workload", str(workload), "--as-of", "2026-11-23", "--json"]
    code, out, err = run(capsys, argv, costed_con(numbered(actual_month_rows())))
    assert code == 0, err
    assert f"warning: {workload}, task class 'Poetry', field 'category': cannot be planned" in err
    payload = json.loads(out)
    assert payload["headline"].startswith("2026-10 cost $310 for the classes the plan covers")
    assert "Poetry" in {row["task_class"] for row in payload["outside_plan"]}


def test_plan_vs_actual_without_a_feasible_plan_exits_3(capsys):
    argv = ["plan-vs-actual", "--as-of", "2026-11-23", "--objective", "max-value",
            "--budget", "1"]  # fmt: skip
    code, out, err = run(capsys, argv, costed_con(numbered(actual_month_rows())))
    assert code == 3 and out == ""
    assert err.startswith("no feasible plan to compare actuals with: ")


def test_value_on_a_store_without_spend_is_not_an_internal_error(capsys, tmp_path):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(OUTCOMES_CSV)
    code, _, err = run(capsys, ["value", "--outcomes", str(outcomes)], costed_con([]))
    assert code == 0 and err == ""


def test_an_undeliverable_webhook_is_exit_5_in_one_line_after_the_alerts(capsys, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nothing listens on: the post is refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(alerting.WEBHOOK_ENV, f"http://127.0.0.1:{port}/secret-token")
    monkeypatch.setenv(alerting.ALLOW_PRIVATE_ENV, "1")
    con = costed_con(numbered(spike_rows()[0]))
    code, out, err = run(capsys, ["alerts", "--since", "2026-10-01", "--json"], con)
    assert code == 5
    assert json.loads(out)["sent"] is False and json.loads(out)["alerts"]
    assert err.startswith("error: webhook http://127.0.0.1: the alerts could not be delivered")
    assert len(err.strip().splitlines()) == 1 and "secret-token" not in err
