"""The import rules of `python -m pricing refresh`, checked on what it writes.

Only public behaviour is used: `refresh(out_dir, checked_on)` writes the sheets, which are read
back with `load_sheet`; expectations are computed independently from the pinned genai-prices
package's own price lookup, never copied from the committed sheets.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from genai_prices.data import providers

from pricing.importer import refresh
from pricing.sheets import load_sheet

CHECKED_ON = date(2026, 11, 23)
HISTORY_START = date(2025, 1, 1)  # README: the first version of each provider
PACKAGE = {p.id: p for p in providers}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, list]:
    """provider -> its sheets, oldest first, as `refresh` wrote them."""
    out = tmp_path_factory.mktemp("sheets")
    paths = refresh(out, CHECKED_ON)
    sheets: dict[str, list] = {}
    for path in sorted(p for p in paths if Path(p).suffix == ".json"):
        sheet = load_sheet(Path(path))
        sheets.setdefault(sheet.provider, []).append(sheet)
    return sheets


def test_every_provider_starts_at_the_history_start(written):
    assert written, "refresh wrote no sheets"
    for provider, sheets in written.items():
        first = sheets[0]
        assert first.effective_from == HISTORY_START, provider
        assert "First version" in (first.notes or ""), provider
        assert all(s.effective_from > HISTORY_START for s in sheets[1:]), provider


def test_a_version_is_written_only_when_prices_change(written):
    for provider, sheets in written.items():
        for before, after in pairwise(sheets):
            assert list(before.models) != list(after.models), (provider, after.effective_from)


def modal_price(info, on: date) -> tuple[Decimal, int]:
    """The input price in force for most hours of the UTC day, and how many prices there are,
    from the package's own lookup at each hour's half past."""
    moments = [datetime.combine(on, time(0, 30), UTC) + timedelta(hours=h) for h in range(24)]
    prices = Counter(Decimal(str(info.get_prices(m).input_mtok)) for m in moments)
    return prices.most_common(1)[0][0], len(prices)


def test_time_of_day_prices_list_the_price_of_most_hours(written):
    provider = PACKAGE["deepseek"]
    varying = 0
    for sheet in written["deepseek"]:
        for model in sheet.models:
            info = provider.find_model(model.id)
            expected, distinct = modal_price(info, sheet.effective_from)
            assert model.input_per_mtok == expected, (model.id, sheet.effective_from)
            if distinct > 1:
                varying += 1
                assert model.time_windows, model.id  # the other hours are priced too
    assert varying, "no DeepSeek model has time-of-day prices in the package any more"


def by_id(provider, model_id: str):
    return next(m for m in provider.models if m.id == model_id)


def test_aliases_record_the_model_they_point_at(written):
    provider = PACKAGE["mistral"]
    aliases = 0
    for sheet in written["mistral"]:
        noon = datetime.combine(sheet.effective_from, time(12), UTC)
        for model in sheet.models:
            if not model.id.endswith("-latest"):
                continue
            aliases += 1
            assert model.alias_of, (model.id, sheet.effective_from)
            target = by_id(provider, model.alias_of).get_prices(noon)
            assert Decimal(str(target.input_mtok)) == model.input_per_mtok
            assert Decimal(str(target.output_mtok)) == model.output_per_mtok
    assert aliases, "no Mistral alias was imported"
