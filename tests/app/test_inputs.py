"""What the app accepts from people: uploads, table edits and scenario files.

Each is tested through the plain functions the Data page calls, with a dict standing in for
the session state: a refused input names its file, row and field, and leaves the last good
data (and what was typed) in place.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from app import inputs, scenario_file
from app import state as S
from app.planning import PlanRequest, ScenarioSpec, solve
from planner.workload import load_workload, workload_to_csv, workload_to_records
from pricing.catalog import Catalog

EXAMPLE = "data/workloads/example_enterprise.csv"
HEADER = (
    "task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
    "value_per_success_usd,cost_per_failure_usd"
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture
def session(catalog: Catalog) -> dict:
    """A session holding the example workload, as streamlit_app.py sets it up."""
    workload = load_workload(EXAMPLE, catalog.providers())
    state: dict = {}
    S.init_state(
        state, workload_to_csv(workload), "example_enterprise.csv",
        workload_to_records(workload), date(2026, 11, 23),
    )  # fmt: skip
    return state


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


BAD_WORKLOADS = [
    # (name, file name, bytes, what the message must say)
    (
        "wrong columns",
        "w.csv",
        b"task,volume\nTriage,100\n",
        "w.csv, row 1, field 'task_class, monthly_volume, input_tokens",
    ),
    (
        "misspelt column",
        "w.csv",
        csv_bytes("A,1,1,1,0.8,1,1", header=HEADER.replace("monthly_volume", "monthly_volum")),
        "did you mean 'monthly_volume'?",
    ),
    (
        "text in a number column",
        "w.csv",
        csv_bytes("A,100,900,40,0.8,1.5,3", "B,lots,900,40,0.8,1.5,3"),
        "w.csv, row 3, field 'monthly_volume': is not a number: 'lots'",
    ),
    (
        "negative volume",
        "w.csv",
        csv_bytes("A,-5,900,40,0.8,1.5,3"),
        "row 2, field 'monthly_volume': must not be negative",
    ),
    (
        "percent written as a whole number",
        "w.csv",
        csv_bytes("A,5,900,40,95,1.5,3"),
        "row 2, field 'min_accuracy': must be between 0 and 1 (got 95)",
    ),
    (
        "unknown provider",
        "w.csv",
        csv_bytes("A,5,900,40,0.8,1.5,3,opnai", header=HEADER + ",allowed_providers"),
        "field 'allowed_providers': unknown provider 'opnai'; did you mean 'openai'",
    ),
    (
        "duplicate class",
        "w.csv",
        csv_bytes("A,5,900,40,0.8,1.5,3", "a,5,900,40,0.8,1.5,3"),
        "row 3, field 'task_class': duplicate task class 'a'",
    ),
    ("empty file", "w.csv", b"", "w.csv: file is empty"),
    ("only a header", "w.csv", csv_bytes(), "w.csv: has no task classes"),
    ("binary file", "w.csv", b"PK\x03\x04\x00\x00binary", "looks like a binary file"),
    ("very large file", "w.csv", b"x" * 5_000_001, "the limit is 5 MB"),
    ("spreadsheet file", "w.xlsx", b"PK\x03\x04", "unsupported file type; use a .csv or .json"),
    ("semicolons", "w.csv", HEADER.replace(",", ";").encode(), "separated by ';'"),
    ("UTF-16", "w.csv", HEADER.encode("utf-16"), "is UTF-16 text"),
    ("JSON of the wrong shape", "w.json", b'{"rows": []}', "field 'task_classes'"),
]


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [(data, name, expected) for _, name, data, expected in BAD_WORKLOADS],
    ids=[case[0] for case in BAD_WORKLOADS],
)
def test_bad_workload_upload_is_refused_and_the_last_good_one_kept(
    session: dict, catalog: Catalog, data: bytes, name: str, expected: str
):
    before = dict(session)
    assert not inputs.accept_workload_upload(session, data, name, catalog.providers())
    assert expected in session[S.WORKLOAD_UPLOAD_ERROR]
    for key in (S.WORKLOAD_CSV, S.WORKLOAD_SOURCE, S.WORKLOAD_DRAFT, S.EDITOR_REVISION):
        assert session[key] == before[key]


def test_good_upload_replaces_the_workload_and_resets_the_table(session, catalog):
    data = csv_bytes("Triage,1000,900,40,0.8,1.5,3")
    assert inputs.accept_workload_upload(session, data, "mine.csv", catalog.providers())
    assert session[S.WORKLOAD_SOURCE] == "mine.csv"
    assert session[S.WORKLOAD_UPLOAD_ERROR] is None
    assert [row["task_class"] for row in session[S.WORKLOAD_DRAFT]] == ["Triage"]
    assert session[S.EDITOR_REVISION] == 1
    assert session[S.WORKLOAD_CSV].splitlines()[1].startswith("Triage,1000,900,40,0.8")


def test_json_upload_is_accepted(session, catalog):
    rows = [dict(zip(HEADER.split(","), ["A", 5, 900, 40, 0.8, 1.5, 3], strict=True))]
    data = json.dumps({"task_classes": rows}).encode()
    assert inputs.accept_workload_upload(session, data, "w.json", catalog.providers())


def test_an_invalid_edit_keeps_what_was_typed_and_the_last_good_plan(session, catalog):
    good_csv = session[S.WORKLOAD_CSV]
    rows = inputs.draft_rows(session)
    rows[1]["monthly_volume"] = "sixty thousand"
    assert not inputs.accept_table_edits(session, rows, catalog.providers())
    assert session[S.WORKLOAD_EDIT_ERROR] == (
        "the workload table, row 2, field 'monthly_volume': is not a number: 'sixty thousand'"
    )
    assert session[S.WORKLOAD_CSV] == good_csv
    assert session[S.WORKLOAD_DRAFT][1]["monthly_volume"] == "sixty thousand"


def test_a_valid_edit_is_planned_with(session, catalog):
    rows = inputs.draft_rows(session)
    rows[0]["monthly_volume"] = 240000.0
    rows[0]["status_quo_accuracy"] = math.nan  # an emptied cell
    assert inputs.accept_table_edits(session, rows, catalog.providers())
    assert session[S.WORKLOAD_EDIT_ERROR] is None
    assert session[S.WORKLOAD_SOURCE] == inputs.TABLE_SOURCE
    assert "Support ticket triage,240000," in session[S.WORKLOAD_CSV]


def test_an_unchanged_table_keeps_the_file_as_the_source(session, catalog):
    assert inputs.accept_table_edits(session, inputs.draft_rows(session), catalog.providers())
    assert session[S.WORKLOAD_SOURCE] == "example_enterprise.csv"


def test_quality_upload_is_laid_over_the_benchmark(session, catalog):
    data = b"model,accuracy,task_class,source\nopenai/gpt-5-mini,0.99,Contract review,our eval\n"
    assert inputs.accept_quality_upload(session, data, "evals.csv", catalog.model_ids())
    assert session[S.QUALITY_SOURCE] == "evals.csv (1 rows)"
    request = PlanRequest(
        workload_csv=session[S.WORKLOAD_CSV],
        quality_text=session[S.QUALITY_CSV],
        quality_source=session[S.QUALITY_SOURCE],
        as_of="2026-11-23",
    )
    plan = solve(request, catalog)
    contract = [a for a in plan.assignments if a.task_class == "Contract review"]
    assert [(a.model, a.accuracy_source) for a in contract] == [("openai/gpt-5-mini", "our eval")]
    inputs.drop_quality(session)
    assert session[S.QUALITY_CSV] is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"model,accuracy,task_class\nopenai/gpt-6,0.9,A\n", "row 2, field 'model': unknown model"),
        (b"model,accuracy,task_class\nopenai/gpt-5,1.2,A\n", "row 2, field 'accuracy'"),
        (b"model,accuracy\nopenai/gpt-5,0.9\n", "row 1, field 'task_class"),
        (b"", "file is empty"),
    ],
)
def test_bad_quality_upload_is_refused(session, catalog, data, expected):
    assert not inputs.accept_quality_upload(session, data, "evals.csv", catalog.model_ids())
    assert expected in session[S.QUALITY_UPLOAD_ERROR]
    assert session[S.QUALITY_CSV] is None


def test_pending_upload_is_taken_once(session):
    session[S.PENDING_WORKLOAD] = ("a.csv", b"x")
    assert inputs.take_pending(session, S.PENDING_WORKLOAD) == ("a.csv", b"x")
    assert inputs.take_pending(session, S.PENDING_WORKLOAD) is None


class Uploaded:
    """What st.file_uploader keeps in the state: a name and the bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def test_an_upload_waits_until_the_router_checks_it_then_replaces_the_workload(session, catalog):
    good = csv_bytes("Triage,1000,900,40,0.8,1.5,3").replace(b"usd\n", b"usd,category\n")
    session[S.WORKLOAD_UPLOADER] = Uploaded("small.csv", good.replace(b",3", b",3,support"))
    inputs.queue_upload(session, S.WORKLOAD_UPLOADER, S.PENDING_WORKLOAD)
    assert session[S.PENDING_WORKLOAD][0] == "small.csv"
    assert session[S.WORKLOAD_SOURCE] == "example_enterprise.csv"  # not yet
    inputs.accept_pending(session, catalog.providers(), catalog.model_ids())
    assert session[S.PENDING_WORKLOAD] is None
    assert session[S.WORKLOAD_SOURCE] == "small.csv"
    assert session[S.WORKLOAD_UPLOAD_ERROR] is None


def test_a_refused_pending_upload_leaves_its_error_and_the_workload(session, catalog):
    before = session[S.WORKLOAD_CSV]
    session[S.PENDING_WORKLOAD] = ("bad.csv", b"task,volume\nTriage,100\n")
    session[S.PENDING_SCENARIO] = ("s.json", b"[")
    inputs.accept_pending(session, catalog.providers(), catalog.model_ids())
    assert session[S.WORKLOAD_CSV] == before
    assert session[S.WORKLOAD_UPLOAD_ERROR].startswith("bad.csv")
    assert session[S.SCENARIO_FILE_ERROR].startswith("s.json")
    inputs.queue_upload(session, S.QUALITY_UPLOADER, S.PENDING_QUALITY)  # no file: nothing
    assert session.get(S.PENDING_QUALITY) is None


def test_a_new_table_starts_from_the_rows_last_typed(session):
    key, rows = inputs.editor_rows(session)
    assert key == S.editor_key(session) and rows == inputs.draft_rows(session)
    assert len(rows) > 1
    session[key] = {"edited_rows": {}}  # the mounted table's own state
    session[S.WORKLOAD_DRAFT] = session[S.WORKLOAD_DRAFT][:1]
    assert inputs.editor_rows(session)[1] == rows  # the mounted table keeps its base
    session[S.EDITOR_REVISION] += 1
    key, fresh = inputs.editor_rows(session)
    assert key == S.editor_key(session) and fresh == rows[:1]


# -- the scenario file -----------------------------------------------------------------------

DEFAULTS = {S.BUDGET: 6000, S.QUALITY_SHIFT: 0, S.GROWTH: 2.5, S.PRICE_DECLINE: 0}


def scenario_session(session: dict) -> dict:
    session.update(
        {
            S.BUDGET: 2200,
            S.QUALITY_SHIFT: -2,
            S.GROWTH: 2.5,  # the data default: saved as null
            S.PRICE_DECLINE: 20,
            S.OBJECTIVE: "min-cost",
            S.SINGLE_MODEL: True,
            S.QUALITY_CSV: "model,accuracy,category\nopenai/gpt-5,0.9,legal\n",
            S.QUALITY_SOURCE: "evals.csv (1 rows)",
            S.VENDOR_SCENARIOS: [
                ScenarioSpec("List prices").to_dict(),
                ScenarioSpec(
                    "Deal", discounts_pct={"openai": 10.0, "openai/gpt-5": 20.0}
                ).to_dict(),
            ],
        }
    )
    return session


def test_scenario_file_round_trip(session, catalog):
    original = scenario_session(session)
    text = scenario_file.scenario_json(original, DEFAULTS)
    doc = json.loads(text)
    assert doc["sliders"] == {"budget": 2200, "quality": -2, "growth": None, "decline": 20}
    loaded = scenario_file.read_scenario(
        text.encode(), "saved.json", catalog.providers(), catalog.model_ids()
    )
    restored: dict = {}
    scenario_file.apply_scenario(restored, loaded)
    for key in (S.BUDGET, S.QUALITY_SHIFT, S.PRICE_DECLINE, S.OBJECTIVE, S.SINGLE_MODEL):
        assert restored[key] == original[key], key
    assert restored[S.GROWTH] is None  # follows the workload again
    assert restored[S.AS_OF] == date(2026, 11, 23)
    assert restored[S.WORKLOAD_CSV] == original[S.WORKLOAD_CSV]
    assert restored[S.QUALITY_CSV] == original[S.QUALITY_CSV]
    assert [s["name"] for s in restored[S.VENDOR_SCENARIOS]] == ["List prices", "Deal"]
    assert restored[S.VENDOR_SCENARIOS][1]["discounts_pct"] == {
        "openai": 10.0,
        "openai/gpt-5": 20.0,
    }
    again = scenario_file.scenario_json({**restored, S.GROWTH: 2.5}, DEFAULTS)
    assert json.loads(again) == doc


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: "not json", "saved.json, line 1: is not valid JSON"),
        (lambda d: {**d, "format": "x"}, "field 'format': is not a scenario file"),
        (lambda d: {**d, "version": 9}, "field 'version'"),
        (lambda d: {**d, "sliders": {"budgt": 1}}, "sliders, field 'budgt': is not a known field"),
        (
            lambda d: {**d, "sliders": {"budget": "lots"}},
            "sliders, field 'budget': is not a number",
        ),
        (lambda d: {**d, "settings": {"as_of": "tomorrow"}}, "field 'as_of': is not a date"),
        (
            lambda d: {**d, "workload": {"csv": HEADER + "\nA,x,1,1,0.5,1,1\n"}},
            "saved.json (workload), row 2, field 'monthly_volume'",
        ),
        (
            lambda d: {**d, "vendor_scenarios": [{"name": "A"}, {"discounts_pct": {"x": 120}}]},
            "scenario 2, field 'vendor_scenarios': discount for 'x' must be at least 0",
        ),
        (
            lambda d: {**d, "quality": {"text": "model,accuracy,category\nnope,0.5,legal\n"}},
            "saved.json (quality), row 2, field 'model'",
        ),
    ],
)
def test_bad_scenario_file_is_refused_whole(session, catalog, change, expected):
    doc = json.loads(scenario_file.scenario_json(scenario_session(session), DEFAULTS))
    changed = change(doc)
    data = changed if isinstance(changed, str) else json.dumps(changed)
    before = dict(session)
    ok = scenario_file.load_into(
        session, data.encode(), "saved.json", catalog.providers(), catalog.model_ids()
    )
    assert not ok
    assert expected in session[S.SCENARIO_FILE_ERROR]
    assert {k: v for k, v in session.items() if k != S.SCENARIO_FILE_ERROR} == {
        k: v for k, v in before.items() if k != S.SCENARIO_FILE_ERROR
    }
