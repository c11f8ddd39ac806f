"""Workloads load from CSV, JSON or an edited table; bad input is refused with file, row, field."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.errors import InputError, UnknownIdError
from foundation.tables import MAX_ROWS
from planner.workload import (
    REQUIRED_WORKLOAD_COLUMNS,
    WORKLOAD_COLUMNS,
    TaskClass,
    Workload,
    load_workload,
    parse_workload,
    workload_from_records,
    workload_template_csv,
    workload_to_csv,
    workload_to_records,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "workloads" / "example_enterprise.csv"
PROVIDERS = ["anthropic", "mistral", "openai", "self-hosted"]

GOOD = {
    "task_class": "Triage",
    "monthly_volume": "1000",
    "input_tokens": "800",
    "output_tokens": "50",
    "min_accuracy": "0.8",
    "value_per_success_usd": "1.5",
    "cost_per_failure_usd": "3",
    "category": "classification",
    "cached_input_share": "0.5",
    "batch_share": "0",
    "allowed_providers": "",
    "monthly_growth": "0.02",
    "status_quo_cost_per_task_usd": "0.9",
    "status_quo_accuracy": "0.88",
}


def csv_text(*rows: dict, columns=WORKLOAD_COLUMNS, comments: int = 0) -> str:
    """A CSV with `comments` comment lines, a header and one line per row (no quoting needed)."""
    lines = [f"# comment {n}" for n in range(comments)]
    lines.append(",".join(columns))
    lines += [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def with_(**changes) -> str:
    """A one-row CSV whose row differs from GOOD by `changes`."""
    return csv_text({**GOOD, **changes})


def without(column: str) -> str:
    return csv_text(GOOD, columns=tuple(c for c in WORKLOAD_COLUMNS if c != column))


def json_text(*items) -> str:
    return json.dumps(list(items))


GOOD_JSON = {
    **{
        k: float(v)
        for k, v in GOOD.items()
        if k not in ("task_class", "category", "allowed_providers")
    },
    "task_class": "Triage",
    "category": "classification",
    "allowed_providers": ["openai"],
}


def bad_cell(field: str, value: str, fragment: str) -> tuple:
    """A one-row CSV with `value` in `field`, and the error it must get (row 2, that field)."""
    return (with_(**{field: value}), "csv", "row 2", field, fragment)


def bad_key(field: str, value, fragment: str) -> tuple:
    """A one-item JSON list with `value` under `field`, and the error it must get."""
    return (json_text({**GOOD_JSON, field: value}), "json", "item 1", field, fragment)


NOT_SHARE = "between 0 and 1"

# (data, fmt, record, field, fragment of the message)
BAD = {
    "empty file": (b"", "csv", "", "", "empty"),
    "blank file": ("  \n\n  ", "csv", "", "", "empty"),
    "only comments": ("# one\n# two\n", "csv", "", "", "only comments"),
    "header only": (csv_text(), "csv", "", "", "no task classes"),
    "binary": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "csv", "", "", "binary"),
    "utf-16": (with_().encode("utf-16"), "csv", "", "", "UTF-16"),
    "latin-1": (with_(category="caf\xe9").encode("latin-1"), "csv", "row 2", "", "not UTF-8"),
    "over 5 MB": (b"a" * 5_000_001, "csv", "", "", "5 MB"),
    "over the row limit": (csv_text(*[GOOD] * (MAX_ROWS + 1)), "csv", "", "", f"{MAX_ROWS:,} rows"),
    "unknown format": (with_(), "xlsx", "", "", "unsupported format"),
    "missing column": (without("monthly_volume"), "csv", "row 1", "monthly_volume", "missing"),
    "missing two columns": (
        csv_text(GOOD, columns=WORKLOAD_COLUMNS[:2] + WORKLOAD_COLUMNS[4:]),
        "csv",
        "row 1",
        "input_tokens, output_tokens",
        "missing required column(s): input_tokens, output_tokens",
    ),
    "unknown column": (
        csv_text(GOOD, columns=(*WORKLOAD_COLUMNS, "volume")),
        "csv",
        "row 1",
        "volume",
        "unknown column(s): 'volume' (did you mean 'monthly_volume'?)",
    ),
    "column twice": (
        csv_text(GOOD, columns=(*WORKLOAD_COLUMNS, "category")),
        "csv",
        "row 1",
        "category",
        "twice",
    ),
    "semicolons": (with_().replace(",", ";"), "csv", "row 1", "", "separated by ';'"),
    "text for a number": bad_cell("monthly_volume", "lots", "not a number: 'lots'"),
    "negative tokens": bad_cell("input_tokens", "-5", "must not be negative"),
    "NaN": bad_cell("output_tokens", "nan", "finite"),
    "infinity": bad_cell("value_per_success_usd", "inf", "finite"),
    "empty required number": bad_cell("cost_per_failure_usd", "", "is empty"),
    "percent floor": bad_cell("min_accuracy", "95", "95 % as 0.95"),
    "floor above 1": bad_cell("min_accuracy", "1.2", NOT_SHARE),
    "negative floor": bad_cell("min_accuracy", "-0.1", NOT_SHARE),
    "cache share above 1": bad_cell("cached_input_share", "1.5", NOT_SHARE),
    "negative batch share": bad_cell("batch_share", "-0.1", NOT_SHARE),
    "status quo accuracy": bad_cell("status_quo_accuracy", "2", NOT_SHARE),
    "negative status quo cost": bad_cell("status_quo_cost_per_task_usd", "-1", "negative"),
    "growth of -100 %": bad_cell("monthly_growth", "-1", "greater than -1"),
    "growth as a percentage": bad_cell("monthly_growth", "3", "0.03"),
    "empty name": bad_cell("task_class", "  ", "is empty"),
    "unknown provider": bad_cell(
        "allowed_providers",
        "openai;mistrall",
        "unknown provider 'mistrall'; did you mean 'mistral'?",
    ),
    "duplicate name": (
        csv_text(GOOD, {**GOOD, "task_class": "Other"}, {**GOOD, "task_class": " triage"}),
        "csv",
        "row 4",
        "task_class",
        "duplicate task class 'triage' (also on row 2)",
    ),
    "rows counted from the file's first line": (
        csv_text(GOOD, {**GOOD, "task_class": "B", "batch_share": "7"}, comments=3),
        "csv",
        "row 6",
        "batch_share",
        NOT_SHARE,
    ),
    "blank lines count too": (
        with_().replace("\n", "\n\n") + with_(task_class="C", input_tokens="x").splitlines()[1],
        "csv",
        "row 5",
        "input_tokens",
        "not a number",
    ),
    "extra cells": (
        with_().rstrip() + ",5,6\n",
        "csv",
        "row 2",
        "",
        f"{len(WORKLOAD_COLUMNS) + 2} cells but the header has {len(WORKLOAD_COLUMNS)}",
    ),
    "value under no column": (
        csv_text({**GOOD, "": "x"}, columns=(*WORKLOAD_COLUMNS, "")),
        "csv",
        "row 2",
        f"column {len(WORKLOAD_COLUMNS) + 1}",
        "no name",
    ),
    "cell over the CSV field limit": (
        with_(category="x" * 200_000),
        "csv",
        "row 2",
        "",
        "not valid CSV",
    ),
    "invalid JSON": ('[{"task_class": }]', "json", "line 1", "", "not valid JSON"),
    "JSON object without the list": ('{"classes": []}', "json", "", "task_classes", "task_classes"),
    "JSON scalar": ("42", "json", "", "task_classes", "not a number"),
    "JSON item not an object": ('["Triage"]', "json", "item 1", "", "must be an object, not text"),
    "JSON missing key": (
        json_text({k: v for k, v in GOOD_JSON.items() if k != "min_accuracy"}),
        "json",
        "item 1",
        "min_accuracy",
        "missing",
    ),
    "JSON unknown key": bad_key("volume", 3, "unknown column(s): 'volume'"),
    "JSON true for a number": bad_key("input_tokens", True, "not a number"),
    "JSON number for a name": bad_key("task_class", 7, "must be text"),
    "JSON NaN": bad_key("output_tokens", math.nan, "finite"),
    "JSON 1e400": (
        json_text(GOOD_JSON).replace("1000.0", "1e400"),
        "json",
        "item 1",
        "monthly_volume",
        "finite",
    ),
    "JSON provider list of numbers": bad_key("allowed_providers", [1], "list of provider ids"),
    "JSON huge integer": ('[{"monthly_volume": ' + "9" * 5000 + "}]", "json", "", "", "JSON"),
    "JSON deep nesting": ("[" * 100_000, "json", "", "", "not valid JSON"),
    "JSON duplicate key": ('[{"task_class": "a", "task_class": "b"}]', "json", "", "", "twice"),
    "JSON second item": (
        json_text(GOOD_JSON, {**GOOD_JSON, "task_class": "B", "batch_share": -1}),
        "json",
        "item 2",
        "batch_share",
        NOT_SHARE,
    ),
}


@pytest.mark.parametrize(("data", "fmt", "record", "field", "fragment"), BAD.values(), ids=BAD)
def test_bad_workloads_are_refused_with_their_place(data, fmt, record, field, fragment):
    with pytest.raises(InputError) as caught:
        parse_workload(data, "upload.csv", fmt, known_providers=PROVIDERS)
    error = caught.value
    assert (error.file, error.record, error.field) == ("upload.csv", record, field)
    assert fragment in error.message


def test_the_example_workload_loads_with_its_figures():
    workload = load_workload(EXAMPLE, known_providers=[*PROVIDERS, "google", "groq"])
    assert 10 <= len(workload.classes) <= 14
    assert workload.source == str(EXAMPLE)
    qa = workload.by_name("Internal knowledge Q&A")
    assert qa.allowed_providers == frozenset({"mistral", "self-hosted"})
    assert (qa.monthly_volume, qa.input_tokens, qa.min_accuracy) == (150_000, 4000, 0.75)
    assert qa.allows("self-hosted/qwen3-235b-a22b") and not qa.allows("openai/gpt-5")
    tests = workload.by_name("Unit-test generation")
    assert tests.status_quo_cost_per_task_usd is None and tests.batch_share == 0.7
    assert workload.by_name("Contract review").category == "legal"


def test_comment_lines_are_skipped_anywhere():
    header, row = with_().splitlines()
    text = f"# illustrative\n{header}\n# between rows\n{row}\n{row.replace('Triage', 'Other')}\n"
    assert parse_workload(text, "a.csv").names() == ["Triage", "Other"]


def test_header_names_ignore_case_and_spaces_and_a_bom():
    text = "\ufeff" + with_().replace("task_class,", " Task_Class ,", 1)
    assert parse_workload(text.encode("utf-8"), "a.csv").names() == ["Triage"]


def test_optional_columns_default():
    text = csv_text({**GOOD}, columns=REQUIRED_WORKLOAD_COLUMNS)
    task = parse_workload(text, "a.csv").classes[0]
    assert (task.category, task.cached_input_share, task.batch_share) == ("", 0.0, 0.0)
    assert (task.allowed_providers, task.monthly_growth) == (None, 0.0)
    assert task.status_quo_cost_per_task_usd is None and task.status_quo_accuracy is None


def test_providers_are_split_trimmed_and_lowercased():
    task = parse_workload(
        with_(allowed_providers=" Mistral ; self-hosted;"), "a.csv", "csv", PROVIDERS
    )
    assert task.classes[0].allowed_providers == frozenset({"mistral", "self-hosted"})


def test_json_list_and_object_forms_match_the_csv():
    from_csv = parse_workload(with_(allowed_providers="openai"), "a.csv")
    as_list = parse_workload(json_text(GOOD_JSON), "a.json", "json")
    as_object = parse_workload(
        json.dumps({"task_classes": [GOOD_JSON], "notes": "x"}), "a.json", "json"
    )
    assert as_list.classes == as_object.classes == from_csv.classes


def test_load_by_suffix_and_refuse_others(tmp_path):
    (tmp_path / "w.json").write_text(json_text(GOOD_JSON))
    assert load_workload(tmp_path / "w.json").names() == ["Triage"]
    (tmp_path / "w.txt").write_text(with_())
    with pytest.raises(InputError, match=r"use a \.csv or \.json file"):
        load_workload(tmp_path / "w.txt")
    with pytest.raises(InputError, match="cannot read"):
        load_workload(tmp_path / "missing.csv")
    (tmp_path / "big.csv").write_bytes(b"a" * 5_000_001)
    with pytest.raises(InputError, match="5 MB"):
        load_workload(tmp_path / "big.csv")


def test_csv_round_trip_keeps_every_figure():
    workload = load_workload(EXAMPLE)
    again = parse_workload(workload_to_csv(workload), "again.csv")
    assert again.classes == workload.classes


def test_csv_round_trip_of_awkward_names_and_numbers():
    tricky = [
        TaskClass("#1 priority", 1.0, 0.1 + 0.2, 1e-7, 0.333333333333, 1e12, 0),
        TaskClass(
            'Say "hi", then',
            3,
            4,
            5,
            0.5,
            1,
            2,
            category="writing",
            allowed_providers=frozenset({"a", "b"}),
        ),
        TaskClass("Ünïcödé ✓", 0, 0, 0, 1, 0, 0, monthly_growth=-0.5, status_quo_accuracy=0.0),
    ]
    workload = Workload(tuple(tricky), "x")
    assert parse_workload(workload_to_csv(workload), "x").classes == workload.classes


def test_records_round_trip_through_a_dataframe():
    workload = load_workload(EXAMPLE)
    records = pd.DataFrame(workload_to_records(workload)).to_dict("records")
    assert workload_from_records(records, "table").classes == workload.classes
    assert list(workload_to_records(workload)[0]) == list(WORKLOAD_COLUMNS)


def test_records_are_checked_like_a_file():
    row = {**GOOD, "monthly_volume": float("nan")}
    with pytest.raises(InputError) as caught:
        workload_from_records([{**GOOD}, row], "table")
    assert (caught.value.record, caught.value.field) == ("row 2", "monthly_volume")
    assert "is empty" in caught.value.message
    with pytest.raises(InputError, match="unknown column"):
        workload_from_records([{**GOOD, "colour": "red"}], "table")


def test_the_template_is_a_valid_one_row_workload():
    workload = parse_workload(workload_template_csv(), "template.csv", known_providers=PROVIDERS)
    assert workload.names() == ["Support ticket triage"]
    assert workload_template_csv().splitlines()[0] == ",".join(WORKLOAD_COLUMNS)


def test_floor_shift_and_volume_factor():
    workload = parse_workload(
        csv_text(GOOD, {**GOOD, "task_class": "B", "min_accuracy": "0.99"}), "a"
    )
    assert [t.min_accuracy for t in workload.with_floor_shift(-0.02).classes] == [
        pytest.approx(0.78),
        pytest.approx(0.97),
    ]
    assert [t.min_accuracy for t in workload.with_floor_shift(0.05).classes] == [0.85, 1.0]
    assert [t.min_accuracy for t in workload.with_floor_shift(-2).classes] == [0.0, 0.0]
    assert [t.monthly_volume for t in workload.with_volume_factor(1.5).classes] == [1500, 1500]
    with pytest.raises(ValueError, match="volume factor"):
        workload.with_volume_factor(-1)


def test_by_name_suggests_the_nearest_class():
    workload = load_workload(EXAMPLE)
    with pytest.raises(UnknownIdError) as caught:
        workload.by_name("Contract reveiw")
    assert caught.value.suggestions[0] == "Contract review"


def test_task_classes_built_in_code_are_checked_too():
    with pytest.raises(ValueError, match="min_accuracy"):
        TaskClass("x", 1, 1, 1, 1.5, 1, 1)
    with pytest.raises(ValueError, match="two task classes"):
        Workload((TaskClass("x", 1, 1, 1, 0.5, 1, 1), TaskClass("X", 1, 1, 1, 0.5, 1, 1)), "s")


CELL = st.sampled_from(["", "1", "-1", "0.5", "2", "nan", "inf", "1e400", "x", '"', "a;b", "#"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(st.binary(max_size=300), st.text(max_size=300)),
    fmt=st.sampled_from(["csv", "json"]),
)
def test_random_input_only_ever_raises_input_error(data, fmt):
    with contextlib.suppress(InputError):
        parse_workload(data, "fuzz", fmt, known_providers=PROVIDERS)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.lists(CELL, min_size=14, max_size=16), min_size=1, max_size=4))
def test_random_rows_under_a_good_header_only_raise_input_error(cells):
    text = ",".join(WORKLOAD_COLUMNS) + "\n" + "\n".join(",".join(row) for row in cells)
    try:
        workload = parse_workload(text, "fuzz", known_providers=PROVIDERS)
    except InputError:
        return
    assert parse_workload(workload_to_csv(workload), "again").classes == workload.classes
