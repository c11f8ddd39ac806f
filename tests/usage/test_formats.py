"""Each export format: detected, mapped to the store as documented, and robust to any
input (hypothesis: only InputError comes out of a parser)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.errors import InputError
from tests.usage.helpers import FIXTURES
from usage import formats
from usage.formats.common import skip_comments

EXPECTED_FORMAT = {
    "openai_usage.json": "openai_usage",
    "openai_costs.json": "openai_costs",
    "anthropic_usage.json": "anthropic_usage",
    "anthropic_cost.json": "anthropic_cost",
    "litellm_spendlogs.csv": "litellm_spendlogs",
    "litellm_daily_team.csv": "litellm_daily",
    "openrouter_activity.csv": "openrouter",
    "focus_1_2.csv": "focus",
    "focus_1_3.csv": "focus",
    "generic.csv": "generic",
}


def _parse(name: str):
    data = (FIXTURES / name).read_bytes()
    fmt, parsed = formats.parse(data, name)
    assert not parsed.errors, [str(e) for e in parsed.errors]
    return fmt, parsed


def _rows(parsed) -> list[dict]:
    """The rows as the store receives them (Parsed.to_arrow)."""
    return parsed.to_arrow().to_pylist()


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMAT))
def test_every_fixture_is_detected_and_cites_its_document(name):
    data = (FIXTURES / name).read_bytes()
    assert formats.detect(data, name) == EXPECTED_FORMAT[name]
    assert b"USAGE_FORMATS.md" in data or b"usage/formats/generic.py" in data
    assert len(_parse(name)[1]) > 0


def test_every_format_has_a_fixture_and_a_documented_mapping():
    assert set(EXPECTED_FORMAT.values()) == set(formats.FORMATS)
    readme = (FIXTURES.parents[2] / "usage" / "formats" / "README.md").read_text()
    for name in formats.FORMATS:
        assert f"`{name}`" in readme


def test_openai_usage_splits_cached_from_input():
    rows = _rows(_parse("openai_usage.json")[1])
    first = rows[0]
    assert first["ts"] == datetime(2025, 6, 9)
    assert (first["input_tokens"], first["cached_input_tokens"]) == (800_000, 200_000)
    assert (first["requests"], first["project"], first["api_key"]) == (
        120,
        "proj_search",
        "key_search",
    )
    batch = rows[2]
    assert batch["batch"] is True and batch["input_tokens"] == 500_000  # input_uncached_tokens
    assert batch["user_id"] == "user_ann"


def test_openai_costs_are_billed_lines_named_by_their_line_item():
    rows = _rows(_parse("openai_costs.json")[1])
    assert [(r["raw_model"], r["billed_cost_usd"]) for r in rows] == [
        ("o3-2025-04-16", 3.6),
        ("o3-2025-04-16", 0.8),
    ]
    assert all(r["input_tokens"] == r["output_tokens"] == 0 for r in rows)


def test_anthropic_usage_maps_cache_tiers_batch_and_context_window():
    rows = _rows(_parse("anthropic_usage.json")[1])
    first, long, batch = rows
    assert (first["input_tokens"], first["cached_input_tokens"], first["cache_write_tokens"],
            first["output_tokens"]) == (1_000_000, 400_000, 100_000, 200_000)  # fmt: skip
    assert first["workspace"] == "wrkspc_eng" and first["api_key"] == "apikey_ci"
    assert long["long_context"] and not first["long_context"]
    assert batch["batch"] and not long["batch"]


def test_anthropic_cost_amounts_are_cents():
    rows = _rows(_parse("anthropic_cost.json")[1])
    assert [r["billed_cost_usd"] for r in rows] == [3.0, 0.01]
    assert rows[1]["raw_model"] == "(web_search)"


def test_litellm_spendlogs_reads_metadata_tags_and_cached_tokens():
    rows = _rows(_parse("litellm_spendlogs.csv")[1])
    azure, claude, failed = rows
    assert azure["raw_model"] == "azure/gpt-4o" and azure["provider_hint"] == "azure"
    assert (azure["input_tokens"], azure["cached_input_tokens"]) == (600, 400)
    assert azure["team"] == "search" and azure["project"] == "kb-bot"
    assert azure["tags"] == ",prod,kb," and azure["billed_cost_usd"] == 0.0035
    assert (claude["input_tokens"], claude["cached_input_tokens"],
            claude["cache_write_tokens"]) == (1_400, 500, 100)  # fmt: skip
    assert failed["raw_model"] == "our-finetune-v3"
    assert (failed["requests"], failed["failed_requests"]) == (0, 1)  # status failure


def test_litellm_daily_table():
    rows = _rows(_parse("litellm_daily_team.csv")[1])
    assert rows[0]["team"] == "team-search"
    assert (rows[0]["requests"], rows[0]["failed_requests"]) == (798, 2)  # of 800 api_requests
    assert (rows[0]["input_tokens"], rows[0]["cached_input_tokens"]) == (1_500_000, 500_000)
    assert rows[0]["billed_cost_usd"] == 5.875


def test_openrouter_rows():
    rows = _rows(_parse("openrouter_activity.csv")[1])
    assert [r["raw_model"] for r in rows][:2] == ["anthropic/claude-sonnet-4.5",
                                                  "openai/gpt-5-mini"]  # fmt: skip
    assert rows[1]["output_tokens"] == 100_000 and rows[1]["billed_cost_usd"] == 0.45


def test_focus_keeps_ai_rows_with_their_charge_category_and_notes_the_rest():
    parsed = _parse("focus_1_2.csv")[1]
    rows = _rows(parsed)
    assert len(rows) == 4
    inputs, outputs, reads, purchase = rows
    assert inputs["input_tokens"] == 1_000_000 and inputs["team"] == "search"
    assert outputs["output_tokens"] == 100_000
    assert outputs["billed_cost_usd"] == 1.5  # drawdown: BilledCost 0, EffectiveCost counts
    assert json.loads(outputs["dimensions"])["billed_cost"] == 0
    assert reads["cached_input_tokens"] == 100_000
    assert reads["ts"] == datetime(2026, 10, 1)  # a US-style date, read tolerantly
    # The commitment purchase is spend without usage, booked on its start: its effective
    # cost is 0 (drawn down by the usage rows), its billed $1,000 kept beside it.
    assert purchase["charge_category"] == "Purchase" and purchase["ts"] == datetime(2026, 10, 1)
    assert purchase["billed_cost_usd"] == 0 and purchase["focus_list_cost_usd"] == 1000
    assert json.loads(purchase["dimensions"])["billed_cost"] == 1000
    assert purchase["input_tokens"] == purchase["output_tokens"] == 0
    assert {r["provider_hint"] for r in rows} == {"bedrock"}  # the host, not the developer
    assert json.loads(inputs["dimensions"])["developer"] == "Anthropic"
    assert [r["focus_list_cost_usd"] for r in rows[:3]] == [3.0, 1.5, 0.03]
    assert parsed.notes == {"Purchase rows (spend, not usage)": [1, 1000.0],
                            "rows of other services": [1, 12.5]}  # fmt: skip


def test_focus_1_3_units_and_credentials():
    rows = _rows(_parse("focus_1_3.csv")[1])
    assert rows[0]["input_tokens"] == 1_000_000  # 1000 x "1K Tokens"
    assert rows[0]["api_key"] == "cred-42" and rows[0]["user_id"] == "principal-7"
    assert rows[0]["provider_hint"] == "azure"  # Azure OpenAI keeps its host
    assert rows[0]["source_kind"] == "billing" and rows[0]["grain"] == "day"


def test_focus_parquet_reads_like_the_csv(tmp_path):
    text = skip_comments((FIXTURES / "focus_1_2.csv").read_bytes())[0].decode()
    records = list(csv.DictReader(io.StringIO(text)))
    table = pa.table({k: [r[k] for r in records] for k in records[0]})
    table = table.set_column(
        table.column_names.index("BilledCost"), "BilledCost",
        pa.array([float(r["BilledCost"]) for r in records]),
    )  # fmt: skip
    path = tmp_path / "focus.parquet"
    pq.write_table(table, path)
    data = path.read_bytes()
    fmt, parsed = formats.parse(data, str(path))
    assert fmt == "focus" and not parsed.errors
    csv_rows = _rows(_parse("focus_1_2.csv")[1])
    assert [r["input_tokens"] for r in _rows(parsed)] == [r["input_tokens"] for r in csv_rows]


def test_generic_csv_columns():
    rows = _rows(_parse("generic.csv")[1])
    assert rows[0]["tags"] == ",prod,kb," and rows[0]["task_class"] == "Internal knowledge Q&A"
    assert rows[3]["ts"] == datetime(2026, 10, 2, 6, 30)  # +02:00 stored as UTC
    assert rows[3]["billed_cost_usd"] == 0.02 and rows[3]["requests"] == 3


# -- fuzz: whatever the bytes, a parser returns rows or raises InputError ----------------

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "nan",
            "inf",
            "-1",
            "1e400",
            "1e15",
            "2026-13-40",
            "true",
            "null",
            "{}",
            "[1,",
            "\u202e",
            "=cmd()",
            "0x10",
            "12/31/2026",
        ]
    ),
    st.integers(-(10**18), 10**18).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False), st.text(max_size=10),
)  # fmt: skip
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=5), inner, max_size=3), max_leaves=8,
)  # fmt: skip


def _survives(fmt: str, data: bytes) -> None:
    try:
        parsed = formats.FORMATS[fmt].parse(data, "fuzz")
    except InputError:
        return
    for error in parsed.errors:
        assert isinstance(error, InputError) and error.file == "fuzz"
    if not parsed.errors:
        parsed.to_arrow()  # every stored column has its type


def _csv_with(name: str, cells: list[tuple[int, int, str]]) -> bytes:
    text = skip_comments((FIXTURES / name).read_bytes())[0].decode()
    table = list(csv.reader(io.StringIO(text)))
    for row, col, value in cells:
        target = table[1 + row % (len(table) - 1)]
        target[col % len(target)] = value
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode()


def _json_with(name: str, path_choices: list[int], value) -> bytes:
    document = json.loads((FIXTURES / name).read_text())
    node = document
    for choice in path_choices:
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        if not children:
            break
        key, child = children[choice % len(children)]
        if not isinstance(child, dict | list):
            node[key] = value
            break
        node = child
    return json.dumps(document).encode()


CSV_FIXTURES = {
    "generic": "generic.csv",
    "litellm_spendlogs": "litellm_spendlogs.csv",
    "litellm_daily": "litellm_daily_team.csv",
    "openrouter": "openrouter_activity.csv",
    "focus": "focus_1_2.csv",
}
JSON_FIXTURES = {
    "openai_usage": "openai_usage.json",
    "openai_costs": "openai_costs.json",
    "anthropic_usage": "anthropic_usage.json",
    "anthropic_cost": "anthropic_cost.json",
}


@pytest.mark.parametrize("fmt", sorted(CSV_FIXTURES))
@SETTINGS
@given(cells=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), CELLS), max_size=6))
def test_fuzz_csv_parsers_only_raise_input_errors(fmt, cells):
    _survives(fmt, _csv_with(CSV_FIXTURES[fmt], cells))


@pytest.mark.parametrize("fmt", sorted(JSON_FIXTURES))
@SETTINGS
@given(path=st.lists(st.integers(0, 20), min_size=1, max_size=8), value=JSON_VALUES)
def test_fuzz_json_parsers_only_raise_input_errors(fmt, path, value):
    _survives(fmt, _json_with(JSON_FIXTURES[fmt], path, value))


@pytest.mark.parametrize("fmt", sorted(formats.FORMATS))
@SETTINGS
@given(data=st.binary(max_size=200))
def test_fuzz_any_bytes_only_raise_input_errors(fmt, data):
    _survives(fmt, data)
