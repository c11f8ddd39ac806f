"""The Actual spend page's logic without Streamlit (app/actual_view.py), on small hand-made
daily tables: the days shown, the filters, the tiles' figures, budgets and their alerts."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from app import actual_view as view
from app import state as S
from app.format import count, money
from usage.alerts import Alert
from usage.budgets import parse_budgets, statuses

FIRST = date(2026, 7, 1)
DAYS = 153  # 2026-07-01 to 2026-11-30


def daily_table() -> pd.DataFrame:
    """Two teams on two providers, every day: engineering spends 10 + day number on openai,
    support 1 a day on anthropic; tokens are 100 x spend."""
    rows = []
    for n in range(DAYS):
        day = pd.Timestamp(FIRST + timedelta(days=n))
        rows.append((day, "engineering", "openai", "gpt", 10.0 + n, 1000 + 100 * n, 5))
        rows.append((day, "support", "anthropic", "claude", 1.0, 100, 1))
    frame = pd.DataFrame(rows, columns=["day", "team", "provider", "model", "spend_usd",
                                       "tokens", "requests"])  # fmt: skip
    for name in ("team", "provider", "model"):
        frame[name] = frame[name].astype("category")
    return frame


def spikes_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-11-20", "2026-10-01", "2026-08-01"]),
            "series": ["team engineering", "team support", "team engineering"],
            "team": ["engineering", "support", "engineering"],
            "spend_usd": [500.0, 40.0, 300.0],
            "usual_low_usd": [100.0, 1.0, 50.0],
            "usual_high_usd": [200.0, 2.0, 80.0],
            "excess_usd": [300.0, 38.0, 220.0],
            "driver": ["model gpt", "", ""],
            "label": ["a", "b", "c"],
        }
    )


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return daily_table()


def test_the_page_opens_on_the_stores_last_90_days(daily):
    first, last = view.store_days(daily)
    assert (first, last) == (FIRST, date(2026, 11, 30))
    start, end = view.default_days(first, last)
    assert end == last and (end - start).days + 1 == S.ACTUALS_DAYS == 90
    assert view.default_days(date(2026, 11, 1), last) == (date(2026, 11, 1), last)  # shorter


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ((date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 9, 1), date(2026, 9, 30))),
        ((date(2026, 9, 1),), (date(2026, 9, 1), date(2026, 9, 1))),  # one day picked so far
        ((), (FIRST, date(2026, 11, 30))),  # an emptied box: the whole store
        (None, (FIRST, date(2026, 11, 30))),
    ],
)
def test_the_date_box_gives_a_range(chosen, expected):
    assert view.chosen_days(chosen, FIRST, date(2026, 11, 30)) == expected


def test_the_tiles_show_the_filtered_spend_and_the_spikes_in_view(daily):
    september = (date(2026, 9, 1), date(2026, 9, 30))
    shown = view.spend_view(daily, spikes_table(), ["engineering"], [], september)
    days = range((date(2026, 9, 1) - FIRST).days, (date(2026, 9, 30) - FIRST).days + 1)
    spend = sum(10.0 + n for n in days)
    assert shown.rows["team"].unique().tolist() == ["engineering"]
    assert len(shown.rows) == 30
    spend_tile, tokens_tile, spikes_tile, excess_tile = shown.tiles()
    assert spend_tile.value == money(spend)
    assert tokens_tile.value == count(sum(1000 + 100 * n for n in days))
    assert spikes_tile.value == "0" and excess_tile.value == money(0)  # none in September
    autumn = view.spend_view(daily, spikes_table(), [], [], (date(2026, 9, 1), date(2026, 11, 30)))
    assert autumn.spikes["excess_usd"].tolist() == [300.0, 38.0]
    assert autumn.tiles()[3].value == money(338.0)
    assert "last 8 weeks" in autumn.tiles()[2].help  # the detector's history (usage.spikes)
    assert list(autumn.spike_table().columns) == view.SPIKE_COLUMNS
    whole = (FIRST, date(2026, 11, 30))
    engineering = view.spend_view(daily, spikes_table(), ["engineering"], [], whole)
    assert engineering.spikes["day"].dt.month.tolist() == [11, 8]


def test_a_provider_filter_leaves_the_team_spikes_be(daily):
    shown = view.spend_view(daily, spikes_table(), [], ["anthropic"], ())
    assert shown.rows["provider"].unique().tolist() == ["anthropic"]
    assert len(shown.spikes) == 3


def test_no_spikes_at_all_is_an_empty_view(daily):
    empty = pd.DataFrame(columns=spikes_table().columns)
    shown = view.spend_view(daily, empty, ["support"], [], ())
    assert shown.spikes.empty and shown.tiles()[2].value == "0"


def test_budgets_table_picks_and_titles(daily):
    budgets = parse_budgets(
        b"scope,name,month,budget_usd\norg,,2026-11,3000\nteam,support,2026-11,20\n", "b.csv", "csv"
    )
    seen = statuses(daily, budgets.rows, date(2026, 11, 30))
    labels = view.budget_labels(seen)
    assert labels == ["whole organisation, 2026-11", "team support, 2026-11"]
    assert view.picked(seen, labels, labels[1]) is seen[1]
    assert view.picked(seen, labels, "gone, 2026-10") is seen[0]
    table = view.budget_table(seen, labels)
    assert table["spent_usd"].iloc[1] == pytest.approx(30.0)  # 30 days at $1
    assert table["used"].iloc[1] == pytest.approx(1.5)
    title = view.burn_down_title(labels[1], seen[1])
    assert title.startswith("Burn-down: team support, 2026-11: projected $")


def test_alerts_come_critical_first_one_block_a_severity_escaped():
    found = [
        Alert("budget", "warning", "x", "team *a* 80 % passed"),
        Alert("budget", "critical", "y", "team b over"),
        Alert("budget", "info", "z", "half"),
        Alert("budget", "critical", "w", "org over"),
    ]
    assert view.alert_blocks(found) == [
        ("critical", "team b over  \norg over"),
        ("warning", r"team \*a\* 80 % passed"),
    ]
    assert view.alert_blocks([]) == []
    assert (
        view.alerts_caption() == "Alerts at 50%, 80%, 100% of a budget and on a projected overrun."
    )


def test_the_value_board_caption_escapes_the_file_name():
    caption = view.board_caption("![x](http://e.invalid).csv")
    # The link is escaped, and the dots of a word that could link are dot leaders (md_escape).
    assert caption.endswith(r"Outcomes: \!\[x\](http\://e" + "\u2024invalid)\u2024csv.")
