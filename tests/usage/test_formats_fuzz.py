"""Bad input gets a located error and nothing else: every loader, fed a few hundred mutated
copies of its fixtures (seeded, so a failure repeats), raises or reports only our
InputError naming the file, and a row it accepts holds only bounded values of the years an
export may name. Beside the fuzz, each case the issue lists, one by one."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import random
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foundation.errors import InputError
from foundation.inputs import MAX_MAGNITUDE
from tests.usage.helpers import FIXTURES
from usage import formats
from usage.formats.common import skip_comments
from usage.rows import NUMBER_COLUMNS

FIXTURES_OF = {
    "openai_usage": ["openai_usage.json", "openai_usage_current.json"],
    "openai_costs": ["openai_costs.json"],
    "anthropic_usage": ["anthropic_usage.json", "anthropic_usage_dimensions.json"],
    "anthropic_cost": ["anthropic_cost.json"],
    "litellm_spendlogs": ["litellm_spendlogs.csv", "litellm_spendlogs_full.csv"],
    "litellm_daily": ["litellm_daily_team.csv", "litellm_daily_tags.csv"],
    "openrouter": ["openrouter_activity.csv", "openrouter_generations.csv",
                   "openrouter_activity_api.json"],
    "focus": ["focus_1_2.csv", "focus_1_3.csv", "focus_azure.csv", "focus_litellm.csv"],
    "generic": ["generic.csv"],
}  # fmt: skip
MUTANTS = 240  # per loader
NASTY_CELLS = [
    "", "N/A", "NaN", "NULL", "NA", "nan", "-inf", "1e165", "-1", "1e15", "9" * 40, "0x10",
    "1.2.3 Tokens", "Tokens", "1999-12-31", "2100-01-01T00:00:00Z", "13/45/2026", "true",
    "{}", "[1,", '{"a": ', "\u202e", "=cmd()", "null", " ", "\t", '"', "2026-10-05", "-0",
    "1.2.3", "abc", "Correction", "Purchase", "Requests", "Hours",
]  # fmt: skip
NASTY_JSON = [
    None, 1, -1, 1.5, 1e300, -(10**30), 10**30, "", "N/A", "NaN", True, [], {}, [1], {"a": 1},
    "1999-01-01T00:00:00Z", "2100-01-01T00:00:00Z", 4_102_444_800, 946_684_799, "x" * 300,
]  # fmt: skip


DEEP = "__deep__"  # stands for 999 nested lists (json.dumps itself cannot write them)


def _deep_json(text: bytes) -> bytes:
    return text.replace(f'"{DEEP}"'.encode(), b"[" * 999 + b"1" + b"]" * 999)


def _csv_mutant(data: bytes, rng: random.Random) -> bytes:
    head, _ = skip_comments(data)
    table = list(csv.reader(io.StringIO(head.decode())))
    kind = rng.randrange(9)
    if kind <= 3:  # nasty cells
        for _ in range(rng.randint(1, 3)):
            row = table[rng.randrange(1, len(table))] if len(table) > 1 else table[0]
            if row:
                row[rng.randrange(len(row))] = rng.choice(NASTY_CELLS)
    elif kind == 4:  # a ragged row
        row = table[rng.randrange(len(table))]
        row.append("extra") if rng.random() < 0.5 else row[:] and row.pop()
    elif kind == 5:  # a header column named twice
        table[0][rng.randrange(len(table[0]))] = table[0][rng.randrange(len(table[0]))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    text = out.getvalue().encode()
    if kind == 6:  # bytes that are not UTF-8 in a cell
        at = rng.randrange(len(text))
        text = text[:at] + b"\xff\xfe" + text[at:]
    elif kind == 7:  # cut short anywhere
        text = text[: rng.randrange(len(text))]
    elif kind == 8:  # a byte-order mark and a stray quote
        at = rng.randrange(len(text))
        text = b"\xef\xbb\xbf" + text[:at] + b'"' + text[at:]
    return text


def _json_mutant(data: bytes, rng: random.Random) -> bytes:
    document = json.loads(data)
    kind = rng.randrange(6)
    if kind <= 3:
        for _ in range(rng.randint(1, 3)):
            node, target = document, None
            for _ in range(rng.randint(1, 8)):
                children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
                if not children:
                    break
                key, child = rng.choice(children)
                target = (node, key)
                if not isinstance(child, dict | list) or rng.random() < 0.2:
                    break
                node = child
            if target is not None:
                value = DEEP if rng.random() < 0.05 else copy.deepcopy(rng.choice(NASTY_JSON))
                target[0][target[1]] = value
    text = _deep_json(json.dumps(document).encode())
    if kind == 4:
        text = text[: rng.randrange(len(text))]
    elif kind == 5:
        text = b"\xef\xbb\xbf" + text
    return text


def _check(fmt: str, data: bytes) -> None:
    for name in (fmt, None):  # forced, then detected
        try:
            _, parsed = formats.parse(data, "fuzz", name)
        except InputError as exc:
            assert exc.file == "fuzz"
            continue
        for error in parsed.errors:
            assert isinstance(error, InputError) and error.file == "fuzz"
            assert error.record or error.field, str(error)  # a row-level error is located
        if parsed.errors:
            continue
        for row in parsed.to_arrow().to_pylist():
            assert 2000 <= row["ts"].year <= 2099
            for column in (*NUMBER_COLUMNS, "billed_cost_usd", "focus_list_cost_usd"):
                value = row[column]
                assert value is None or (math.isfinite(value) and abs(value) <= MAX_MAGNITUDE)


@pytest.mark.parametrize("fmt", sorted(FIXTURES_OF))
def test_fuzz_each_loader_gives_only_located_input_errors(fmt):
    assert set(FIXTURES_OF) == set(formats.FORMATS)
    rng = random.Random(f"usage-formats-{fmt}")
    sources = [(FIXTURES / name).read_bytes() for name in FIXTURES_OF[fmt]]
    for _ in range(MUTANTS):
        data = rng.choice(sources)
        is_json = data.lstrip()[:1] in (b"{", b"[")
        _check(fmt, _json_mutant(data, rng) if is_json else _csv_mutant(data, rng))


def _focus_parquet(mutate) -> bytes:
    text = skip_comments((FIXTURES / "focus_1_3.csv").read_bytes())[0].decode()
    records = list(csv.DictReader(io.StringIO(text)))
    table = pa.table({k: [r[k] for r in records] for k in records[0]})
    table = mutate(table)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_fuzz_focus_parquet():
    rng = random.Random("usage-formats-parquet")
    for _ in range(40):

        def mutate(table, rng=rng):
            index = rng.randrange(table.num_columns)
            values = table.column(index).to_pylist()
            values[rng.randrange(len(values))] = rng.choice(NASTY_CELLS)
            return table.set_column(index, table.column_names[index], pa.array(values))

        _check("focus", _focus_parquet(mutate))


# -- each listed case, one by one ---------------------------------------------------------


def _errors(data: bytes, fmt: str | None = None) -> list[InputError]:
    try:
        return formats.parse(data, "bad", fmt)[1].errors
    except InputError as exc:
        return [exc]


def _with_cell(name: str, column: str, value: str, row: int = 1) -> bytes:
    text = skip_comments((FIXTURES / name).read_bytes())[0].decode()
    table = list(csv.reader(io.StringIO(text)))
    table[row][table[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue().encode()


@pytest.mark.parametrize("cell", ["N/A", "NaN", "NULL", "NA", "nan", "null"])
def test_missing_value_markers_in_a_number_are_located_errors(cell):
    errors = _errors(_with_cell("generic.csv", "input_tokens", cell))
    assert [(e.record, e.field) for e in errors] == [("row 2", "input_tokens")]


def test_a_team_named_na_keeps_its_spend():
    _, parsed = formats.parse(_with_cell("generic.csv", "team", "NA"), "na.csv")
    assert parsed.to_arrow().to_pylist()[0]["team"] == "NA"


def test_results_that_are_not_a_list_and_deep_nesting_are_located():
    page = json.loads((FIXTURES / "openai_usage.json").read_text())["pages"][0]
    page["data"][0]["results"] = 1
    errors = _errors(json.dumps(page).encode(), "openai_usage")
    assert [(e.record, e.field) for e in errors] == [("page 1, bucket 1", "results")]
    page["data"][0]["results"] = [DEEP]
    errors = _errors(_deep_json(json.dumps(page).encode()), "openai_usage")
    assert [(e.message, e.record) for e in errors] == [("is nested too deeply to read", "line 1")]
    deep = b"[\n" + b"[" * 100_000 + b"]" * 100_000 + b"]"
    errors = _errors(deep, "anthropic_usage")
    assert [(e.message, e.record) for e in errors] == [("is nested too deeply to read", "line 2")]


def test_a_byte_order_mark_does_not_hide_a_json_export():
    cases = (
        ("openai_usage.json", "openai_usage"),
        ("anthropic_cost.json", "anthropic_cost"),
        ("openrouter_activity_api.json", "openrouter"),
    )
    for name, fmt in cases:
        data = b"\xef\xbb\xbf" + (FIXTURES / name).read_bytes()
        assert formats.detect(data, name) == fmt


def test_ragged_rows_and_bad_utf8_name_their_row():
    data = (FIXTURES / "litellm_daily_team.csv").read_bytes()
    ragged = data.replace(b",2026-10-02T00:00:00Z\nd2,", b",2026-10-02T00:00:00Z,x\nd2,")
    assert [(e.record) for e in _errors(ragged)] == ["row 3"]
    bad = data.replace(b"team-support", b"team-\xffsupport")
    assert [(e.record) for e in _errors(bad)] == ["row 4"]


def test_timestamps_outside_2000_to_2099_are_refused():
    old = _with_cell("generic.csv", "timestamp", "1999-12-31T23:00:00Z")
    assert [(e.record, e.field) for e in _errors(old)] == [("row 2", "timestamp")]
    late = _with_cell("litellm_spendlogs.csv", "startTime", "2100-01-01T00:00:00Z")
    assert [(e.record, e.field) for e in _errors(late)] == [("row 2", "startTime")]
    page = json.loads((FIXTURES / "anthropic_usage.json").read_text())
    page["data"][0]["starting_at"] = "1970-01-01T00:00:00Z"
    errors = _errors(json.dumps(page).encode())
    assert [(e.record, e.field) for e in errors] == [("page 1, bucket 1", "starting_at")]
    page = json.loads((FIXTURES / "openai_costs.json").read_text())
    page["data"][0]["start_time"] = 0
    errors = _errors(json.dumps(page).encode(), "openai_costs")
    assert [(e.record, e.field) for e in errors] == [("page 1, bucket 1", "start_time")]


def test_a_column_named_twice_is_refused():
    data = (FIXTURES / "generic.csv").read_bytes().replace(b",provider,", b",model,", 1)
    assert [(e.field) for e in _errors(data)] == ["model"]
    data = (FIXTURES / "focus_1_3.csv").read_bytes().replace(b",BilledCost,", b",billedcost,", 1)
    data = data.replace(b",ListCost,", b",BILLEDCOST,", 1)
    assert [e.message[:21] for e in _errors(data, "focus")] == ["names a column twice "]


def test_parquet_text_that_is_not_utf8_is_located():
    def bad_text(table):
        index = table.column_names.index("SkuMeter")
        values = [v.encode() for v in table.column(index).to_pylist()]
        values[1] = b"gpt-4o \xff Output"
        offsets = [0]
        for v in values:
            offsets.append(offsets[-1] + len(v))
        array = pa.Array.from_buffers(pa.string(), len(values), [
            None, pa.py_buffer(pa.array(offsets, pa.int32()).buffers()[1]),
            pa.py_buffer(b"".join(values))])  # fmt: skip
        return table.set_column(index, "SkuMeter", array)

    errors = _errors(_focus_parquet(bad_text), "focus")
    assert [(e.file, e.record, e.field) for e in errors] == [("bad", "row 2", "SkuMeter")]


def test_a_parquet_column_named_twice_is_refused():
    def twice(table):
        return table.append_column("BilledCost", table.column(table.column_names.index(
            "BilledCost")))  # fmt: skip

    errors = _errors(_focus_parquet(twice), "focus")
    assert [(e.field) for e in errors] == ["BilledCost"]


def test_accepted_rows_are_as_read():
    """The fuzz's checks hold on the fixtures themselves (a check that passes on nothing
    would prove nothing)."""
    for fmt, names in FIXTURES_OF.items():
        for name in names:
            _, parsed = formats.parse((FIXTURES / name).read_bytes(), name, fmt)
            rows = parsed.to_arrow().to_pylist()
            assert rows and all(isinstance(r["ts"], datetime) for r in rows), name
