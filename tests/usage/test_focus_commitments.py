"""Commitments bought in a FOCUS export feed the burn-down: the Purchase rows (a refund
included) are the amount and the term, the "Used" usage rows naming the id are the draw-down
("Unused" ones and usage naming no commitment are not), credits and adjustments naming it
are shown beside it; a commitments file and a FOCUS purchase naming the same commitment
count once; `usage alerts` reads them from the store with no file."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from tests.usage.governance_fixtures import costed_con, daily_rows, numbered
from tests.usage.helpers import store_with
from usage import alerts as alerting
from usage import settings
from usage.cli import main
from usage.commitments import parse_commitments, statuses
from usage.daily import load_daily
from usage.focus_commitments import focus_commitments, from_rows, merged

CID = "arn:aws:bedrock:us-east-1:111122223333:commitment/c-42"
AS_OF = date(2026, 10, 3)


@pytest.fixture(scope="module")
def con(catalog):
    con = store_with(catalog, "focus_commitment.csv")
    yield con
    con.close()


def test_a_focus_purchase_is_a_commitment_drawn_by_the_used_rows_naming_it(con):
    found = focus_commitments(con)
    [bought] = found.rows
    assert (bought.commitment_id, bought.provider) == (CID, "bedrock")
    assert (bought.start, bought.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert bought.amount_usd == pytest.approx(3200 - 100)  # the purchase less its refund
    # Used: 60 + 40 + 50; the Unused $30 and the $7.50 of uncommitted output are not drawn.
    assert found.drawn[CID].sum() == pytest.approx(150)
    assert found.beside[CID].sum() == pytest.approx(-20 + 5)  # the credit and the adjustment
    [status] = statuses(load_daily(con), found.rows, AS_OF, found.drawn, found.beside)
    assert status.drawn_usd == pytest.approx(150)
    assert status.run_rate_usd == pytest.approx(50)
    assert status.projected_usd == pytest.approx(150 + 50 * 28)
    assert status.verdict == "shortfall"
    assert "c-42" in status.commitment.label
    assert "credits and adjustments on it: -$15" in status.sentence()


def test_a_file_row_and_the_focus_purchase_of_one_commitment_count_once(con):
    found = focus_commitments(con)
    by_id = parse_commitments(
        f"provider,start,end,amount_usd,commitment_id\naws,2026-10-01,2026-10-31,3000,{CID}\n"
        "openai,2026-10-01,2026-10-31,500,\n",
        "c.csv", "csv",
    )  # fmt: skip
    both = merged(by_id.rows, found)
    assert (both.from_file, both.from_focus, both.in_both, len(both.rows)) == (2, 1, 1, 2)
    assert both.rows[0].amount_usd == 3000  # the file's terms, typed on purpose
    typed = parse_commitments(
        "provider,start,end,amount_usd\nbedrock,2026-10-01,2026-10-31,3100\n", "c.csv", "csv"
    )
    [one] = merged(typed.rows, found).rows  # typed without the id: same terms, same one
    assert one.commitment_id == CID  # and it draws on the rows naming the id
    [status] = statuses(load_daily(con), [one], AS_OF, found.drawn, found.beside)
    assert status.drawn_usd == pytest.approx(150)
    other = parse_commitments(
        "provider,start,end,amount_usd,commitment_id\nbedrock,2026-10-01,2026-10-31,3100,c-9\n",
        "c.csv", "csv",
    )  # fmt: skip
    assert len(merged(other.rows, found).rows) == 2  # another id is another commitment


def test_a_one_time_purchase_runs_to_the_last_day_a_usage_row_names_it():
    rows = pd.DataFrame(
        {
            "commitment_id": ["c", "c", "c", "d", "c", "c"],
            "category": ["purchase", "usage", "usage", "purchase", "credit", "adjustment"],
            "day": pd.to_datetime(
                ["2026-10-01", "2026-10-05", "2026-10-20", "2026-10-01", "2026-10-10", "2026-11-15"]
            ),
            "provider": ["azure", None, None, "azure", None, None],
            "period_end": pd.to_datetime(["2026-10-02", None, None, "2026-11-01", None, None]),
            "status": ["used", "used", "unused", "used", "used", "used"],
            "billed_usd": [500.0, 0.0, 0.0, -10.0, -7.0, 3.0],
            "cost_usd": [0.0, 20.0, 30.0, 0.0, -7.0, 3.0],
        }
    )
    found = from_rows(rows)
    [bought] = found.rows
    assert (bought.start, bought.end, bought.amount_usd) == (
        date(2026, 10, 1), date(2026, 10, 20), 500.0,
    )  # fmt: skip
    assert found.refunded == ("d",)  # bought nothing in all: no commitment
    assert found.drawn["c"].sum() == pytest.approx(20)
    daily = load_daily(costed_con(numbered(daily_rows(date(2026, 10, 1), 3, 10.0))))
    [status] = statuses(daily, found.rows, date(2026, 11, 30), found.drawn, found.beside)
    assert status.drawn_usd == pytest.approx(20)
    assert status.beside_usd == pytest.approx(-7)  # the November adjustment is past its end


def test_a_store_without_focus_commitments_has_none():
    con = costed_con(numbered(daily_rows(date(2026, 10, 1), 3, 10.0)))  # no ledger at all
    try:
        assert focus_commitments(con).rows == ()
    finally:
        con.close()


def test_alerts_read_the_focus_commitment_from_the_store(capsys, con, tmp_path, monkeypatch):
    monkeypatch.delenv(alerting.WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "none.json"))
    code = main(["alerts", "--as-of", "2026-10-03", "--json"], con=con)
    found = [a for a in json.loads(capsys.readouterr().out)["alerts"] if a["kind"] == "commitment"]
    assert code == 1
    [alert] = found
    assert alert["subject"] == "commitment bedrock" and "c-42" in alert["message"]


def test_alerts_read_the_saved_commitments_with_no_file_and_count_one_commitment_once(
    capsys, catalog, tmp_path, monkeypatch
):
    monkeypatch.delenv(alerting.WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "none.json"))
    con = store_with(catalog, "focus_commitment.csv")
    saved = f"provider,start,end,amount_usd,commitment_id\naws,2026-10-01,2026-10-31,3000,{CID}\n"
    settings.save_file(con, "commitments", "c.csv", saved.encode(), "ana")
    try:
        main(["alerts", "--as-of", "2026-10-03", "--json"], con=con)
    finally:
        con.close()
    found = [a for a in json.loads(capsys.readouterr().out)["alerts"] if a["kind"] == "commitment"]
    [alert] = found  # the saved row and the FOCUS purchase are one commitment
    assert alert["subject"] == "commitment aws" and "of $3,000" in alert["message"]
