"""FOCUS read as its charge periods say: month-long rows spread over their days, hosts kept,
Azure's abbreviated meters, list cost and commitments kept, LiteLLM's requests-only export,
capacity charges in hours, negative quantities only on corrections, and keys that never
hold a measured value."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest

from foundation.errors import InputError
from tests.usage.helpers import FIXTURES
from usage import formats
from usage.formats.common import skip_comments
from usage.formats.focus_meters import UnitError, meter_model, token_kind, token_multiplier


def _parse(name: str):
    data = (FIXTURES / name).read_bytes()
    fmt, parsed = formats.parse(data, name)
    assert fmt == "focus"
    assert not parsed.errors, [str(e) for e in parsed.errors]
    return parsed, parsed.to_arrow().to_pylist()


def _azure():
    return _parse("focus_azure.csv")[1]


def test_a_month_long_row_is_spread_over_its_days():
    rows = [r for r in _azure() if r["grain"] == "month"]
    inputs = [r for r in rows if r["input_tokens"]]
    assert [r["ts"] for r in inputs] == [datetime(2026, 5, 1) + timedelta(days=d)
                                         for d in range(31)]  # fmt: skip
    assert sum(r["input_tokens"] for r in inputs) == pytest.approx(31_000_000)
    assert {round(r["billed_cost_usd"], 9) for r in inputs} == {2.5}  # $77.50 / 31 a day
    month = sum(r["billed_cost_usd"] for r in rows)
    assert month == pytest.approx(104.50)  # the "$104.50 for May", no longer on May 1
    assert max(r["billed_cost_usd"] for r in rows) < 2.5 + 0.9  # no spike on the 1st
    assert len({r["natural_key"] for r in rows}) == 62


def test_a_partial_day_gets_its_share():
    text = skip_comments((FIXTURES / "focus_azure.csv").read_bytes())[0].decode()
    table = list(csv.reader(io.StringIO(text)))
    start, end = table[0].index("ChargePeriodStart"), table[0].index("ChargePeriodEnd")
    table[1][start], table[1][end] = "2026-05-01T12:00:00Z", "2026-05-03T00:00:00Z"
    out = io.StringIO()
    csv.writer(out).writerows(table[:2])
    _, parsed = formats.parse(out.getvalue().encode(), "partial.csv")
    pieces = parsed.to_arrow().to_pylist()
    assert [r["ts"] for r in pieces] == [datetime(2026, 5, 1, 12), datetime(2026, 5, 2)]
    assert [r["billed_cost_usd"] for r in pieces] == pytest.approx([77.5 / 3, 77.5 * 2 / 3])


def test_azure_meters_and_host():
    rows = _azure()
    output = next(r for r in rows if r["output_tokens"] > 0)
    assert output["raw_model"] == "gpt-4o-0806"  # from "gpt 4o 0806 Outp glbl Tokens"
    cached = next(r for r in rows if r["cached_input_tokens"])
    assert cached["cached_input_tokens"] == 1_000_000  # "cchd Inp"
    assert {r["provider_hint"] for r in rows} == {"azure"}  # not counted as openai
    assert token_kind({}, "gpt 4o 0806 Outp glbl Tokens") == "output_tokens"
    assert token_kind({}, "gpt 4o 0806 Inp glbl Tokens") == "input_tokens"
    assert meter_model("Input Tokens") is None


def test_list_cost_commitment_capacity_and_credit_rows_kept():
    parsed, rows = _parse("focus_azure.csv")
    capacity = next(r for r in rows if r["pricing_unit"] == "Hours")
    assert capacity["billed_cost_usd"] == 48 and capacity["pricing_quantity"] == 24
    assert capacity["input_tokens"] == capacity["output_tokens"] == 0
    assert capacity["commitment_id"].endswith("ptu-1")
    assert json.loads(capacity["dimensions"])["billed_cost"] == 0  # drawn from the reservation
    credit = next(r for r in rows if r["charge_category"] == "Credit")
    assert credit["billed_cost_usd"] == -5 and credit["ts"] == datetime(2026, 5, 31)
    assert all(r["focus_list_cost_usd"] is not None for r in rows if r is not credit)
    assert parsed.notes == {"Credit rows (spend, not usage)": [1, -5.0]}
    total = sum(r["billed_cost_usd"] for r in rows)
    assert total == pytest.approx(104.50 + 1.25 + 48 - 0.5 - 5)


def test_negative_quantities_only_on_correction_rows():
    rows = _azure()
    correction = next(r for r in rows if r["output_tokens"] < 0)
    assert correction["output_tokens"] == -50_000
    assert json.loads(correction["dimensions"])["charge_class"] == "Correction"
    data = (FIXTURES / "focus_azure.csv").read_bytes().replace(b",Correction,", b",,")
    _, parsed = formats.parse(data, "focus.csv")
    assert [(e.record, e.field) for e in parsed.errors] == [("row 7", "ConsumedQuantity")]


def test_litellm_own_focus_export_counts_requests_and_keeps_its_list_cost():
    rows = _parse("focus_litellm.csv")[1]
    assert [r["raw_model"] for r in rows] == ["gpt-4o", "claude-sonnet-4-5-20250929"]
    assert [r["team"] for r in rows] == ["search", "support"]  # the team_alias tag
    assert [r["requests"] for r in rows] == [1, 1]
    assert [r["pricing_unit"] for r in rows] == ["Requests", "Requests"]  # no token unit
    assert all(r["input_tokens"] == r["output_tokens"] == 0 for r in rows)
    assert [r["focus_list_cost_usd"] for r in rows] == [3.5, 7.0]  # not a $0 list cost
    assert [r["billed_cost_usd"] for r in rows] == [3.5, 7.0]
    assert [r["provider_hint"] for r in rows] == ["openai", "anthropic"]


def test_a_restated_focus_row_keeps_its_key():
    first = [r["natural_key"] for r in _azure()]
    old, new = b",77.5,77.5,77.5,77.5,", b",70.0,70.0,70.0,70.0,"
    data = (FIXTURES / "focus_azure.csv").read_bytes().replace(old, new)
    _, parsed = formats.parse(data, "restated.csv")
    restated = parsed.to_arrow().to_pylist()
    assert [r["natural_key"] for r in restated] == first
    assert sum(r["billed_cost_usd"] for r in restated) == pytest.approx(sum(
        r["billed_cost_usd"] for r in _azure()) - 7.5)  # fmt: skip


def test_a_custom_column_added_does_not_change_keys():
    text = (FIXTURES / "focus_1_3.csv").read_bytes().decode()
    lines = text.splitlines()
    wider = "\n".join([lines[0], lines[1] + ",x_Extra"] + [ln + ",1" for ln in lines[2:]])
    _, parsed = formats.parse(wider.encode(), "wider.csv")
    assert [r["natural_key"] for r in parsed.to_arrow().to_pylist()] == [
        r["natural_key"] for r in _parse("focus_1_3.csv")[1]
    ]


@pytest.mark.parametrize(
    ("unit", "tokens"),
    [("Tokens", 1), ("1K Tokens", 1e3), ("1000000 Tokens", 1e6), ("1M Tokens", 1e6),
     ("1,000 Tokens", 1e3), ("Million Tokens", 1e6), ("Hours", None), ("Requests", None)],
)  # fmt: skip
def test_units(unit, tokens):
    assert token_multiplier(unit) == tokens


@pytest.mark.parametrize("unit", ["1.2.3 Tokens", "0 Tokens", "Tokens per hour", "1e9 Tokens"])
def test_unreadable_token_units_are_refused(unit):
    with pytest.raises(UnitError):
        token_multiplier(unit)


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("PricingUnit", "1.2.3 Tokens", "PricingUnit"),
        ("ConsumedQuantity", "1e165", "ConsumedQuantity"),
        ("ConsumedQuantity", "1e13", "ConsumedQuantity"),  # x "1K Tokens" is 1e16 tokens
        ("ChargePeriodStart", "1999-12-31T00:00:00Z", "ChargePeriodStart"),
        ("ChargePeriodEnd", "2026-09-01T00:00:00Z", "ChargePeriodEnd"),
        ("BilledCost", "N/A", "BilledCost"),
    ],
)
def test_bad_focus_cells_get_located_errors(column, value, field):
    text = skip_comments((FIXTURES / "focus_1_3.csv").read_bytes())[0].decode()
    table = list(csv.reader(io.StringIO(text)))
    if column == "ConsumedQuantity" and value == "1e13":
        table[1][table[0].index("ConsumedUnit")] = "1K Tokens"
    table[1][table[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(table)
    try:
        _, parsed = formats.parse(out.getvalue().encode(), "bad.csv")
        errors = parsed.errors
    except InputError as exc:
        errors = [exc]
    assert [(e.file, e.record, e.field) for e in errors][:1] == [("bad.csv", "row 2", field)]


def test_parquet_map_tags_read_as_the_csv_json(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = skip_comments((FIXTURES / "focus_1_2.csv").read_bytes())[0].decode()
    records = list(csv.DictReader(io.StringIO(text)))
    table = pa.table({k: [r[k] for r in records] for k in records[0]})
    tags = [list(json.loads(r["Tags"]).items()) for r in records]
    index = table.column_names.index("Tags")
    table = table.set_column(index, "Tags", pa.array(tags, pa.map_(pa.string(), pa.string())))
    path = tmp_path / "focus.parquet"
    pq.write_table(table, path)
    _, parsed = formats.parse(path.read_bytes(), str(path))
    assert not parsed.errors
    assert [r["team"] for r in parsed.to_arrow().to_pylist()][:2] == ["search", "search"]
