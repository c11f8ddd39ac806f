"""The shipped price catalog: every sheet valid, prices right on both sides of every change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from foundation.errors import UnknownIdError
from pricing.catalog import Catalog
from pricing.scenario import PRICE_FIELDS

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_every_shipped_sheet_validates(catalog):
    assert catalog.errors == []
    assert sum(len(catalog.versions(p)) for p in catalog.providers()) >= 20


def test_catalog_covers_enough_providers_and_models(catalog):
    providers = set(catalog.providers())
    assert {"openai", "anthropic", "google", "mistral", "deepseek", "x-ai"} <= providers
    on_sale = [q for q in catalog.quotes(TODAY) if not q.prices.deprecated]
    assert len(on_sale) >= 30
    assert {q.tier for q in on_sale} == {"frontier", "mid", "economy", "self-hosted"}


def _change_points(catalog: Catalog):
    """(provider, model, day of change, prices before, prices after) for every price change."""
    for provider in catalog.providers():
        versions = catalog.versions(provider)
        for old, new in pairwise(versions):
            for model, after in new.models.items():
                before = old.models.get(model)
                if before is not None and before != after:
                    yield provider, model, new.effective_from, before, after


def test_shipped_data_has_real_price_history(catalog):
    changes = list(_change_points(catalog))
    assert len(changes) >= 20
    assert len({p for p, *_ in changes}) >= 6


def test_both_sides_of_every_price_change(catalog):
    for provider, model, day, before, after in _change_points(catalog):
        model_id = f"{provider}/{model}"
        assert catalog.quote(model_id, day - timedelta(days=1)).prices == before, model_id
        assert catalog.quote(model_id, day).prices == after, model_id


@pytest.mark.parametrize(
    ("model_id", "day", "before", "after"),
    [
        ("openai/o3", date(2025, 6, 10), ("10", "40"), ("2", "8")),
        ("x-ai/grok-4.20", date(2026, 4, 30), ("2", "6"), ("1.25", "2.5")),
        ("deepseek/deepseek-v4-flash", date(2026, 8, 17), ("0.14", "0.28"), ("0.22", "0.66")),
        ("mistral/mistral-large-4", date(2026, 10, 20), ("0.68", "2.09"), ("1.36", "4.18")),
        ("mistral/mistral-large-4", date(2026, 10, 29), ("1.36", "4.18"), ("0.7", "2.1")),
        # Scheduled: the package already records this future change.
        ("google/gemini-4-argon", date(2026, 12, 1), ("2", "10"), ("4", "20")),
    ],
)
def test_known_price_changes(catalog, model_id, day, before, after):
    def in_out(on):
        p = catalog.quote(model_id, on).prices
        return (p.input_per_mtok, p.output_per_mtok)

    assert in_out(day - timedelta(days=1)) == tuple(Decimal(x) for x in before)
    assert in_out(day) == tuple(Decimal(x) for x in after)


def test_alias_move_is_not_a_price_change(catalog):
    diff = catalog.diff("mistral", date(2026, 6, 15), date(2026, 6, 16))
    assert [(m.model, m.old_target, m.new_target) for m in diff.alias_moves] == [
        ("mistral-medium-latest", "mistral-medium-3-1", "mistral-medium-3-5")
    ]
    assert not [c for c in diff.changed if c.model == "mistral-medium-latest"]
    # The model the alias used to point at kept its price.
    same = catalog.quote("mistral/mistral-medium-3-1", date(2026, 6, 16)).prices
    assert same.input_per_mtok == Decimal("0.4")


def test_diff_reports_percent_change(catalog):
    diff = catalog.diff("openai", date(2025, 6, 1), date(2025, 7, 1))
    o3 = {c.field: c for c in diff.changed if c.model == "o3"}
    assert o3["input_per_mtok"].pct_change == pytest.approx(-80.0)
    assert o3["output_per_mtok"].pct_change == pytest.approx(-80.0)


def test_versions_and_sheet_in_force(catalog):
    dates = catalog.change_dates("openai")
    assert dates == sorted(dates) and date(2025, 6, 10) in dates
    assert catalog.sheet_on("openai", date(2025, 6, 9)).effective_from < date(2025, 6, 10)
    with pytest.raises(LookupError, match="first takes effect"):
        catalog.sheet_on("openai", date(2020, 1, 1))


def test_self_hosted_price_is_derived_from_gpu_hours(catalog):
    quote = catalog.quote("self-hosted/qwen3-235b-a22b-instruct-2507", TODAY)
    # 2.50 USD/GPU-h x 8 GPUs / (4,000 tok/s x 3,600 s x 0.6) x 1e6 = 2.3148 USD/MTok output
    assert quote.prices.output_per_mtok == Decimal("2.3148")
    assert quote.prices.input_per_mtok == Decimal("0.2315")
    assert quote.tier == "self-hosted"
    assert quote.illustrative and not catalog.quote("openai/gpt-5", TODAY).illustrative
    assert catalog.illustrative_providers(TODAY) == ["self-hosted"]


@pytest.mark.parametrize(
    ("wanted", "kind", "suggestion"),
    [("openai/gpt-5x", "model", "openai/gpt-5"), ("opnai/o3", "provider", "openai")],
)
def test_unknown_ids_suggest_the_nearest(catalog, wanted, kind, suggestion):
    with pytest.raises(UnknownIdError) as info:
        catalog.quote(wanted, TODAY)
    assert info.value.kind == kind
    assert suggestion in info.value.suggestions
    assert wanted.split("/")[0 if kind == "provider" else 1] in str(info.value)


def test_every_price_field_is_a_decimal(catalog):
    for quote in catalog.quotes(TODAY):
        for name in PRICE_FIELDS:
            value = getattr(quote.prices, name)
            assert value is None or isinstance(value, Decimal)
