"""Commitment burn-down: spend drawn against a commitment, the projection to the period's
end with its interval from the daily spend's variability, shortfall and overage, the alert
in `usage alerts`, and bad rows located."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from tests.usage.governance_fixtures import costed_con, daily_rows, numbered
from usage import alerts as alerting
from usage.cli import main
from usage.commitments import commitment_status, parse_commitments, projection_line
from usage.daily import load_daily

CSV = (
    "provider,start,end,amount_usd\n"
    "openai,2026-10-01,2026-10-31,10000\n"  # 20 days x 200 = 4000 drawn; 6200 by the end
    "openai,2026-10-01,2026-10-31,5000\n"  # the same spend overruns a smaller commitment
    "anthropic,2026-10-01,2026-12-31,1000\n"  # nothing drawn on it
)


@pytest.fixture()
def daily():
    alternating = [100.0 if d % 2 else 300.0 for d in range(20)]  # mean 200, sd ~100.3
    return load_daily(costed_con(numbered(daily_rows(date(2026, 10, 1), 20, alternating))))


def test_drawn_projection_and_interval_follow_the_formula(daily):
    commitment = parse_commitments(CSV, "c.csv", "csv").rows[0]
    status = commitment_status(daily, commitment, date(2026, 10, 20))
    assert status.drawn_usd == pytest.approx(4000)
    assert status.run_rate_usd == pytest.approx(200)
    assert status.projected_usd == pytest.approx(4000 + 200 * 11)
    spread = math.sqrt(sum((x - 200) ** 2 for x in [100, 300] * 10) / 19)
    half = 1.645 * spread * math.sqrt(11)
    assert status.projected_high_usd == pytest.approx(6200 + half)
    assert status.projected_low_usd == pytest.approx(6200 - half)
    assert status.verdict == "shortfall" and status.shortfall_usd == pytest.approx(3800)
    assert "$3,800 unused" in status.sentence()
    line = projection_line(status)
    assert line.p50_usd.iloc[-1] == pytest.approx(6200)
    assert line.high_usd.iloc[-1] == pytest.approx(status.projected_high_usd)


def test_overage_and_nothing_drawn(daily):
    _, small, other = parse_commitments(CSV, "c.csv", "csv").rows
    over = commitment_status(daily, small, date(2026, 10, 20))
    assert over.verdict == "overage" and over.overage_usd == pytest.approx(1200)
    assert "past it" in over.sentence()
    idle = commitment_status(daily, other, date(2026, 10, 20))
    assert idle.drawn_usd == 0 and idle.projected_usd == 0 and idle.verdict == "shortfall"
    found = alerting.commitment_alerts([over, idle])
    assert [(a.kind, a.subject) for a in found] == [
        ("commitment", "commitment openai"),
        ("commitment", "commitment anthropic"),
    ]


def test_bad_rows_are_located():
    text = CSV + "openai,2026-10-31,2026-10-01,5\nopenai,2026-10-01,2026-10-31,0\n,x,y,z\n"
    parsed = parse_commitments(text, "c.csv", "csv")
    assert len(parsed.rows) == 3
    assert [e.record for e in parsed.errors] == ["row 5", "row 6", "row 7"]


def test_alerts_command_reads_commitments(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv(alerting.WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "none.json"))
    path = tmp_path / "commitments.csv"
    path.write_text(CSV)
    con = costed_con(numbered(daily_rows(date(2026, 10, 1), 20, 200.0)))
    try:
        code = main(["alerts", "--commitments", str(path), "--as-of", "2026-10-20", "--json"],
                    con=con)  # fmt: skip
    finally:
        con.close()
    found = json.loads(capsys.readouterr().out)["alerts"]
    assert code == 1
    assert {a["kind"] for a in found} == {"commitment"} and len(found) == 3


def test_json_commitments_read_days_written_as_text():
    text = (
        '{"commitments": [{"provider": "openai", "start": "2026-10-01", "end": "2026-10-31", '
        '"amount_usd": 5000}, {"provider": "x", "start": 20261001, "end": "2026-10-31", '
        '"amount_usd": 5}]}'
    )
    parsed = parse_commitments(text, "c.json", "json")
    assert [c.start for c in parsed.rows] == [date(2026, 10, 1)]
    assert [(e.record, e.field) for e in parsed.errors] == [("item 2", "start")]
