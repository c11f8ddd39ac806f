"""Bad sheets are refused with the file, model and field named; the others still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.errors import InputError
from pricing import cli
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from pricing.sheets import load_sheet, parse_sheet

GOOD = {
    "provider": "acme",
    "version": "2026-01-01",
    "effective_from": "2026-01-01",
    "currency": "USD",
    "source": "test fixture",
    "checked_on": "2026-01-02",
    "models": [
        {"id": "fast", "tier": "economy", "input_per_mtok": 0.1, "output_per_mtok": 0.4},
        {"id": "smart", "tier": "frontier", "input_per_mtok": 3, "output_per_mtok": 15},
    ],
}


def _with_model_field(field, value):
    sheet = json.loads(json.dumps(GOOD))
    if value is _DROP:
        del sheet["models"][1][field]
    else:
        sheet["models"][1][field] = value
    return sheet


_DROP = object()

BAD_SHEETS = {
    "unknown key": (_with_model_field("input_per_mtokk", 1), "model 'smart'", "input_per_mtokk"),
    "missing price": (
        _with_model_field("output_per_mtok", _DROP),
        "model 'smart'",
        "output_per_mtok",
    ),
    "negative price": (_with_model_field("input_per_mtok", -1), "model 'smart'", "input_per_mtok"),
    "non-numeric price": (
        _with_model_field("input_per_mtok", "cheap"),
        "model 'smart'",
        "input_per_mtok",
    ),
    "duplicate model id": (
        {**GOOD, "models": [GOOD["models"][0], {**GOOD["models"][1], "id": "fast"}]},
        "",
        "",
    ),
    "unknown currency": ({**GOOD, "currency": "XYZ"}, "", "currency"),
    "negative audio price": (
        _with_model_field("audio_input_per_mtok", -0.5),
        "model 'smart'",
        "audio_input_per_mtok",
    ),
    "infinite 1-hour cache write price": (
        _with_model_field("cache_write_1h_per_mtok", "Infinity"),
        "model 'smart'",
        "cache_write_1h_per_mtok",
    ),
    "request fee beyond any real one": (
        _with_model_field("per_thousand_requests", 1e6),
        "model 'smart'",
        "per_thousand_requests",
    ),
    "misspelt request fee": (
        _with_model_field("per_thousand_request", 5),
        "model 'smart'",
        "per_thousand_request",
    ),
}


@pytest.fixture
def price_dir(tmp_path) -> Path:
    """A copy of two shipped providers plus one good test sheet."""
    for provider in ("openai", "mistral"):
        shutil.copytree(DEFAULT_PRICE_DIR / provider, tmp_path / provider)
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "2026-01-01.json").write_text(json.dumps(GOOD))
    return tmp_path


@pytest.mark.parametrize("case", sorted(BAD_SHEETS))
def test_bad_sheet_is_refused_and_named(price_dir, case, capsys):
    sheet, record, field = BAD_SHEETS[case]
    bad = price_dir / "acme" / "2026-02-01.json"
    bad.write_text(json.dumps({**sheet, "version": "b", "effective_from": "2026-02-01"}))

    with pytest.raises(InputError) as info:
        load_sheet(bad)
    error = info.value
    assert error.file == str(bad)
    assert error.record == record
    assert error.field == field
    if case == "duplicate model id":
        assert "duplicate model id 'fast'" in error.message

    # validate exits 2 and prints the file, the model and the field
    assert cli.main(["validate", str(price_dir)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and record in err and field in err

    # the catalog refuses that sheet only
    catalog = Catalog.load(price_dir)
    assert [e.file for e in catalog.errors] == [str(bad)]
    assert [v.sheet.version for v in catalog.versions("acme")] == ["2026-01-01"]
    assert catalog.quote("openai/o3", catalog.change_dates("openai")[-1]).prices


def test_two_versions_with_the_same_effective_date(price_dir, capsys):
    clash = price_dir / "acme" / "copy.json"
    clash.write_text(json.dumps({**GOOD, "version": "again"}))
    assert cli.main(["validate", str(price_dir)]) == 2
    err = capsys.readouterr().err
    assert str(clash) in err and "effective_from" in err and "same effective date" in err
    catalog = Catalog.load(price_dir)
    assert [e.field for e in catalog.errors] == ["effective_from"]
    assert len(catalog.versions("acme")) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"kind": "spreadsheet"}', "unknown sheet kind"),
        (b'{"input": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_sheet(path)


def test_validate_accepts_the_shipped_sheets(capsys):
    assert cli.main(["validate"]) == 0
    assert "sheets valid" in capsys.readouterr().out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
sheet_like = st.fixed_dictionaries(
    {},
    optional={
        "provider": json_values,
        "version": json_values,
        "effective_from": json_values,
        "currency": json_values,
        "source": json_values,
        "checked_on": json_values,
        "kind": st.sampled_from(["api", "self_hosted"]) | json_values,
        "models": st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "tier",
                        "input_per_mtok",
                        "output_per_mtok",
                        "batch",
                        "long_context",
                        "gpu",
                    ]
                ),
                json_values,
                max_size=6,
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, sheet_like))
def test_loader_only_raises_its_own_error_on_random_structures(raw):
    try:
        parse_sheet(raw, "random.json")
    except InputError as error:
        assert error.file == "random.json"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_loader_only_raises_its_own_error_on_random_bytes(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "sheet.json"
    path.write_bytes(content)
    with pytest.raises(InputError):
        load_sheet(path)
