"""Every loader, fed structure-aware garbage, raises only the project's located InputError.

The strategies build inputs the way people and tools break them: the right shape with wrong
types, NaN, infinities, 1e308, integers of 400 digits, deep nesting, control and invisible
characters, byte-order marks and other encodings. A loader may accept what it is given; if
it refuses, the refusal is an InputError naming the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import inputs
from app import state as S
from app.planning import ScenarioSpec
from app.scenario_file import read_scenario
from foundation.errors import InputError
from planner.quality import QUALITY_COLUMNS, parse_quality
from planner.workload import (
    WORKLOAD_COLUMNS,
    parse_workload,
    workload_from_records,
    workload_to_csv,
    workload_to_records,
)
from pricing.sheets import load_sheet, parse_sheet

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ["anthropic", "mistral", "openai", "self-hosted"]
MODELS = ["openai/gpt-5", "openai/gpt-5-mini", "mistral/mistral-small-latest"]
SHEET = json.loads((ROOT / "data/price_sheets/openai/2025-01-01.json").read_text())
SELF_HOSTED = json.loads(next((ROOT / "data/price_sheets/self-hosted").glob("*.json")).read_text())

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

# -- building blocks -------------------------------------------------------------------------

NASTY_TEXT = st.sampled_from(
    ["", " ", "a\rb", "a\nb", "\x00", "\u200b=cmd", "\ufeffname", "＝1+1", "=SUM(A1)", "x" * 5000,
     "![px](http://tracker.invalid/p.png)", "<script>x</script>", "é", "\ud800"]
)  # fmt: skip
NASTY_NUMBER = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -1e308, 10**400, -(10**400), 0, -1, 1e-320, True]
)
SCALAR = st.one_of(
    NASTY_TEXT, NASTY_NUMBER, st.none(), st.booleans(), st.integers(), st.floats(),
    st.text(max_size=30),
)  # fmt: skip
JSON_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
NUMBER_TEXT = st.sampled_from(
    ["1", "0.5", "-5", "nan", "inf", "-inf", "1e308", "1e400", "9" * 400, "abc", "", "1,5", "0x10"]
)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def encodings(text: str) -> st.SearchStrategy[bytes]:
    """The same text as a CSV or JSON tool might save it."""
    utf8 = text.encode("utf-8", "surrogatepass")  # a lone surrogate: bytes no decoder takes
    return st.sampled_from(
        [
            utf8,
            b"\xef\xbb\xbf" + utf8,
            text.encode("utf-16", "surrogatepass"),
            text.encode("latin-1", "replace"),
            utf8 + b"\x00\xff",
        ]
    )


def rows_of(columns: tuple[str, ...]) -> st.SearchStrategy[list[dict]]:
    cell = st.one_of(NUMBER_TEXT, NASTY_TEXT, SCALAR)
    row = st.fixed_dictionaries({c: cell for c in columns})
    return st.lists(row, min_size=1, max_size=4)


def csv_of(columns: tuple[str, ...], rows: list[dict]) -> str:
    lines = [",".join(columns)]
    for row in rows:
        cells = [str(row[c]).replace('"', '""') for c in columns]
        lines.append(",".join(f'"{cell}"' for cell in cells))
    return "\n".join(lines) + "\n"


def only_input_errors(call):
    """Run a loader: accepting is fine, refusing must be an InputError (nothing else)."""
    try:
        return call()
    except InputError as exc:
        assert exc.file, "an input error names its file"
        return None


def round_trips(workload) -> None:
    """What the loader accepted writes as UTF-8 CSV and reads back as the same classes."""
    if workload is None:
        return
    text = workload_to_csv(workload)
    again = parse_workload(text.encode("utf-8"), "again.csv", "csv", PROVIDERS)
    assert again.classes == workload.classes


# -- the loaders -----------------------------------------------------------------------------


@FUZZ
@given(rows=rows_of(WORKLOAD_COLUMNS), data=st.data())
def test_workload_csv(rows, data):
    raw = data.draw(encodings(csv_of(WORKLOAD_COLUMNS, rows)))
    round_trips(only_input_errors(lambda: parse_workload(raw, "w.csv", "csv", PROVIDERS)))


@FUZZ
@given(
    items=st.one_of(
        JSON_VALUE, st.lists(st.dictionaries(st.sampled_from(WORKLOAD_COLUMNS), JSON_VALUE))
    )
)
def test_workload_json(items):
    text = json.dumps(items, allow_nan=True)
    round_trips(only_input_errors(lambda: parse_workload(text, "w.json", "json", PROVIDERS)))


@FUZZ
@given(rows=rows_of(WORKLOAD_COLUMNS))
def test_workload_table_edits(rows):
    round_trips(
        only_input_errors(lambda: workload_from_records(rows, inputs.TABLE_SOURCE, PROVIDERS))
    )


@FUZZ
@given(rows=rows_of(QUALITY_COLUMNS), data=st.data())
def test_quality_csv(rows, data):
    raw = data.draw(encodings(csv_of(QUALITY_COLUMNS, rows)))
    only_input_errors(lambda: parse_quality(raw, "q.csv", MODELS, "csv"))


@FUZZ
@given(items=st.lists(st.dictionaries(st.sampled_from(QUALITY_COLUMNS), JSON_VALUE)))
def test_quality_json(items):
    text = json.dumps({"quality": items}, allow_nan=True)
    only_input_errors(lambda: parse_quality(text, "q.json", MODELS, "json"))


SCENARIO_KEYS = ("format", "version", "sliders", "settings", "workload", "quality")


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(SCENARIO_KEYS), JSON_VALUE, max_size=3),
    slider=st.sampled_from(S.URL_KEYS),
    value=st.one_of(NASTY_NUMBER, SCALAR),
    setting=st.sampled_from(S.SETTING_KEYS),
    setting_value=st.one_of(SCALAR, st.sampled_from(["9999-12-31", "0001-01-01", "2026-13-01"])),
)
def test_scenario_file(changes, slider, value, setting, setting_value):
    doc = {
        "format": "portfolio-planner-scenario",
        "version": 1,
        "sliders": {slider: value},
        "settings": {setting: setting_value},
        "workload": {"source": "w", "csv": (ROOT / "data/workloads/example_enterprise.csv")
                     .read_text()},
        "quality": None,
        "vendor_scenarios": [],
        **changes,
    }  # fmt: skip
    text = json.dumps(doc, allow_nan=True)
    only_input_errors(lambda: read_scenario(text, "s.json", PROVIDERS, MODELS))


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_scenario_file_deep_nesting(depth):
    with pytest.raises(InputError):
        read_scenario(deep(depth), "s.json", PROVIDERS, MODELS)


@FUZZ
@given(
    terms=st.dictionaries(
        st.sampled_from(["name", "provider_dates", "discounts_pct", "price_change_pct",
                         "vendor_caps_pct", "other"]),
        st.one_of(JSON_VALUE, st.dictionaries(NASTY_TEXT, st.one_of(NASTY_NUMBER, SCALAR))),
    )
)  # fmt: skip
def test_vendor_scenario_terms(terms):
    only_input_errors(lambda: ScenarioSpec.from_dict(terms))


@FUZZ
@given(
    model=st.sampled_from(range(len(SHEET["models"]))),
    field=st.sampled_from(["input_per_mtok", "output_per_mtok", "context_window_tokens", "id"]),
    value=st.one_of(NASTY_NUMBER, SCALAR, JSON_VALUE),
)
def test_api_price_sheet(model, field, value):
    raw = json.loads(json.dumps(SHEET))
    raw["models"][model][field] = value
    only_input_errors(lambda: parse_sheet(raw, "s.json"))


@FUZZ
@given(
    field=st.sampled_from(
        ["gpu_hour_usd", "gpus_per_replica", "input_tokens_per_second", "target_utilization",
         "context_window_tokens"]
    ),
    text=st.sampled_from(["1e30", "1e9999999", "-1", "0", "NaN", "Infinity", "9" * 5000, "1e-400"]),
)  # fmt: skip
def test_self_hosted_sheet_file(tmp_path_factory, field, text):
    path = tmp_path_factory.mktemp("sheet") / "s.json"
    raw = json.loads(json.dumps(SELF_HOSTED))
    raw["models"][0][field] = "PLACEHOLDER"
    path.write_text(json.dumps(raw).replace('"PLACEHOLDER"', text))
    only_input_errors(lambda: load_sheet(path))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("1e30", "too large"), ("1e9999999", "too large"), ("Infinity", "not a price")],
)
def test_absurd_sheet_numbers_are_refused_at_load(tmp_path, text, fragment):
    path = tmp_path / "s.json"
    raw = json.loads(json.dumps(SELF_HOSTED))
    raw["models"][0]["gpu_hour_usd"] = "PLACEHOLDER"
    path.write_text(json.dumps(raw).replace('"PLACEHOLDER"', text))
    with pytest.raises(InputError, match=fragment):
        load_sheet(path)


GOOD_ROW = {
    "task_class": "Triage", "monthly_volume": "1000", "input_tokens": "800",
    "output_tokens": "50", "min_accuracy": "0.8", "value_per_success_usd": "1.5",
    "cost_per_failure_usd": "3", "category": "classification",
}  # fmt: skip


@FUZZ
@given(
    column=st.sampled_from(WORKLOAD_COLUMNS),
    value=st.one_of(NUMBER_TEXT, NASTY_TEXT, SCALAR),
    fmt=st.sampled_from(["csv", "json", "table"]),
)
def test_a_good_workload_with_one_nasty_cell(column, value, fmt):
    row = {**GOOD_ROW, column: value}
    if fmt == "table":
        loaded = only_input_errors(lambda: workload_from_records([row], "table", PROVIDERS))
    elif fmt == "json":
        text = json.dumps([row], allow_nan=True)
        loaded = only_input_errors(lambda: parse_workload(text, "w.json", "json", PROVIDERS))
    else:
        raw = csv_of(tuple(row), [row]).encode("utf-8", "surrogatepass")
        loaded = only_input_errors(lambda: parse_workload(raw, "w.csv", "csv", PROVIDERS))
    round_trips(loaded)


@FUZZ
@given(
    edited=st.dictionaries(
        st.one_of(st.integers(-3, 30), st.text(max_size=3)),
        st.dictionaries(st.sampled_from(WORKLOAD_COLUMNS), st.one_of(NUMBER_TEXT, SCALAR)),
        max_size=3,
    ),
    deleted=st.lists(st.one_of(st.integers(-3, 30), SCALAR), max_size=3),
    added=st.lists(st.dictionaries(st.sampled_from(WORKLOAD_COLUMNS), SCALAR), max_size=2),
)
@example(edited={}, deleted=[math.inf], added=[])  # int(inf) overflows
@example(edited={"x": {}}, deleted=[], added=[])
def test_table_edits_as_the_editor_records_them(edited, deleted, added):
    """Whatever the data editor's state holds, checking it keeps the last good workload or
    takes a valid new one; nothing is raised."""
    lines = (ROOT / "data/workloads/example_enterprise.csv").read_text()
    good = parse_workload(lines, "example.csv", "csv", [*PROVIDERS, "google", "groq"])
    state: dict = {S.WORKLOAD_CSV: workload_to_csv(good), S.WORKLOAD_DRAFT: []}
    state[S.EDITOR_BASE] = [
        {c: str(v) if v is not None else None for c, v in row.items()}
        for row in workload_to_records(good)
    ]
    state["editor"] = {"edited_rows": edited, "deleted_rows": deleted, "added_rows": added}
    accepted = inputs.accept_editor_state(state, "editor", [*PROVIDERS, "google", "groq"])
    if accepted:
        assert state.get(S.WORKLOAD_EDIT_ERROR) is None
    parse_workload(state[S.WORKLOAD_CSV], "in use", "csv")  # what is in use is always valid


CLI_VALUES = st.one_of(
    NUMBER_TEXT, st.sampled_from(["openai=0.3", "opnai=5", "openai", "=", "openai=nan",
                                  "openai=1e400", "9999-12-31", "2026-02-30", "\x00"]),
    st.text(max_size=12),
)  # fmt: skip


@settings(max_examples=15, deadline=None, database=None)
@given(
    flag=st.sampled_from(["--budget", "--vendor-cap", "--discount", "--commit", "--as-of"]),
    value=CLI_VALUES,
)
def test_command_line_options(flag, value):
    """An option value is accepted (a plan, exit 0 or 3) or refused with exit 2; never raised."""
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    from planner import cli

    args = ["solve", "--workload", str(ROOT / "data/workloads/example_enterprise.csv"),
            flag, value, "--json"]  # fmt: skip
    with redirect_stdout(StringIO()), redirect_stderr(StringIO()) as err:
        code = cli.main(args)
    assert code in (0, 2, 3)
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize("text", ["1e999999", "1e16", "100001"])
def test_an_absurd_list_price_is_refused_not_dropped_later(tmp_path, text):
    path = tmp_path / "s.json"
    raw = json.loads(json.dumps(SHEET))
    raw["models"][0]["input_per_mtok"] = "PLACEHOLDER"
    path.write_text(json.dumps(raw).replace('"PLACEHOLDER"', text))
    with pytest.raises(InputError) as caught:
        load_sheet(path)
    assert caught.value.file == str(path)
