"""The input cases of issues 9 and 13: each is refused (or planned around) with a located
message, through the command line, the one assembler and the app's input functions."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from app import inputs
from app import state as S
from app.format import md_escape, md_unescape
from app.planning import PlanRequest, unplannable
from foundation.errors import InputError, InputErrors
from foundation.formatting import clean_float, count, money, tokens
from planner import cli
from planner.assemble import assemble
from planner.problem import PlanSettings
from planner.workload import (
    WORKLOAD_COLUMNS,
    load_workload,
    parse_workload,
    workload_template_csv,
    workload_to_csv,
    workload_to_records,
)
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "workloads" / "example_enterprise.csv"
AS_OF = ["--as-of", "2026-11-23"]
NO_CATEGORY = "Board pack summaries,5000,3000,400,0.8,6,4,,0,0,,0.01,,"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def example_plus(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "w.csv"
    path.write_text(EXAMPLE.read_text() + "\n".join(rows) + "\n")
    return path


# -- a class without a category ---------------------------------------------------------------


def test_a_class_without_category_is_named_and_the_others_still_plan(tmp_path, catalog):
    workload = load_workload(example_plus(tmp_path, NO_CATEGORY), catalog.providers())
    assembled = assemble(workload, None, catalog, PlanSettings(as_of=date(2026, 11, 23)))
    names = [t.name for t in assembled.problem.classes]
    assert "Board pack summaries" not in names
    assert len(names) == len(workload.classes) - 1
    (error,) = assembled.unplannable
    assert (error.record, error.field) == ("task class 'Board pack summaries'", "category")
    assert "set its category" in error.message and "classification" in error.message


def test_the_cli_plans_the_others_and_warns(tmp_path, capsys):
    path = example_plus(tmp_path, NO_CATEGORY)
    code, out, err = run(capsys, "solve", "--workload", str(path), *AS_OF, "--json")
    assert code == 0
    assert "Board pack summaries" in err and "set its category" in err
    assert "Board pack summaries" not in {a["task_class"] for a in json.loads(out)["assignments"]}


def test_the_app_names_the_class_too(tmp_path, catalog):
    text = workload_to_csv(load_workload(example_plus(tmp_path, NO_CATEGORY)))
    messages = unplannable(PlanRequest(text, as_of="2026-11-23"), catalog)
    assert len(messages) == 1 and "Board pack summaries" in messages[0]


def test_no_plannable_class_at_all_is_one_located_error(tmp_path, catalog):
    path = tmp_path / "w.csv"
    path.write_text(",".join(WORKLOAD_COLUMNS) + "\n" + NO_CATEGORY + "\n")
    workload = load_workload(path, catalog.providers())
    with pytest.raises(InputError, match="no class can be planned") as caught:
        assemble(workload, None, catalog, PlanSettings(as_of=date(2026, 11, 23)))
    assert caught.value.field == "category"


# -- unknown ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "wanted", "nearest"),
    [
        ("--vendor-cap", "opnai=0.3", "opnai", "openai"),
        ("--discount", "anthropc=10", "anthropc", "anthropic"),
        ("--commit", "mistrl=100", "mistrl", "mistral"),
    ],
)
def test_unknown_ids_exit_2_with_the_nearest(capsys, flag, value, wanted, nearest):
    code, _, err = run(capsys, "solve", "--workload", str(EXAMPLE), flag, value)
    assert code == 2
    assert f"'{wanted}'" in err and nearest in err


def test_an_unknown_provider_in_a_vendor_scenario_is_an_error(catalog):
    from app.planning import ScenarioSpec, solve

    text = EXAMPLE.read_text()
    request = PlanRequest(text, scenario=ScenarioSpec("S", discounts_pct={"opnai": 10.0}))
    with pytest.raises(LookupError, match="Did you mean: openai"):
        solve(request, catalog)


# -- command-line options --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--budget", "inf"],
        ["--budget", "nan"],
        ["--budget", "1e400"],
        ["--budget", "-5"],
        ["--as-of", "9999-12-31"],
        ["--out", "/no/such/folder/plan.csv"],
        ["--out", "."],
        ["--discount", "openai=1e400"],
    ],
)
def test_bad_options_exit_2_before_any_solving(capsys, args):
    code, out, err = run(capsys, "solve", "--workload", str(EXAMPLE), *args)
    assert code == 2 and out == ""
    assert "Traceback" not in err and err.strip()


@pytest.mark.parametrize("points", ["0", "1", "201", "10000000"])
def test_frontier_points_are_bounded(capsys, points):
    code, _, err = run(capsys, "frontier", "--workload", str(EXAMPLE), "--points", points)
    assert code == 2 and "2 to 200" in err


def test_a_fifo_among_the_price_sheets_is_refused_without_hanging(tmp_path, capsys):
    prices = tmp_path / "prices"
    shutil.copytree(ROOT / "data" / "price_sheets", prices)
    os.mkfifo(prices / "openai" / "x.json")
    code, _, err = run(capsys, "solve", "--workload", str(EXAMPLE), "--prices", str(prices), *AS_OF)
    assert code == 0
    assert "x.json" in err and "not a regular file" in err


def test_an_absurd_self_hosted_sheet_is_invalid(tmp_path, capsys):
    source = next((ROOT / "data" / "price_sheets" / "self-hosted").glob("*.json"))
    for name, text in (("gpu.json", "1e30"), ("ctx.json", "1e9999999")):
        field = "gpu_hour_usd" if name == "gpu.json" else "context_window_tokens"
        raw = json.loads(source.read_text())
        raw["models"][0][field] = "X"
        (tmp_path / name).write_text(json.dumps(raw).replace('"X"', text))
    code, _, err = run_pricing(capsys, "validate", str(tmp_path))
    assert code == 2
    assert err.count("too large") == 2


def run_pricing(capsys, *args: str) -> tuple[int, str, str]:
    from pricing import cli as pricing_cli

    code = pricing_cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_full_disk_is_bad_input_not_a_traceback(capsys):
    if not Path("/dev/full").exists():
        pytest.fail("this test needs /dev/full (Linux) to simulate a full disk")
    code, _, err = run(capsys, "solve", "--workload", str(EXAMPLE), *AS_OF, "--out", "/dev/full")
    assert code == 2 and "/dev/full" in err and "cannot write" in err


# -- every bad row, each located -------------------------------------------------------------


def test_an_upload_with_two_bad_rows_reports_both():
    text = EXAMPLE.read_text()
    text = text.replace("Support ticket triage,120000", "Support ticket triage,-5")
    text = text.replace("Support reply drafting,60000", "Support reply drafting,lots")
    with pytest.raises(InputErrors) as caught:
        parse_workload(text, "w.csv")
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("Support ticket"))
    rows = [(e.record, e.field) for e in caught.value.errors]
    assert rows == [(f"row {first}", "monthly_volume"), (f"row {first + 1}", "monthly_volume")]
    assert f"row {first}," in str(caught.value) and f"row {first + 1}," in str(caught.value)


# -- the workload table ----------------------------------------------------------------------


@pytest.fixture
def session(catalog) -> dict:
    workload = load_workload(EXAMPLE, catalog.providers())
    state: dict = {}
    S.init_state(
        state, workload_to_csv(workload), EXAMPLE.name, workload_to_records(workload),
        date(2026, 11, 23),
    )  # fmt: skip
    state[S.EDITOR_BASE] = inputs.draft_rows(state)
    return state


def test_abc_in_a_number_cell_stays_visible_and_the_last_table_stays_in_use(session, catalog):
    good = session[S.WORKLOAD_CSV]
    key = S.editor_key(session)
    session[key] = {"edited_rows": {0: {"monthly_volume": "abc"}}, "added_rows": []}
    assert not inputs.accept_editor_state(session, key, catalog.providers())
    assert session[S.WORKLOAD_CSV] == good
    assert inputs.draft_rows(session)[0]["monthly_volume"] == "abc"
    assert "row 1, field 'monthly_volume': is not a number: 'abc'" in session[S.WORKLOAD_EDIT_ERROR]


def test_fixing_a_negative_volume_puts_the_edits_in_use_at_once(session, catalog):
    key = S.editor_key(session)
    session[key] = {"edited_rows": {0: {"monthly_volume": "-5"}}}
    assert not inputs.accept_editor_state(session, key, catalog.providers())
    assert session[S.WORKLOAD_EDIT_ERROR]
    session[key] = {"edited_rows": {0: {"monthly_volume": "350"}}}
    assert inputs.accept_editor_state(session, key, catalog.providers())
    assert session[S.WORKLOAD_EDIT_ERROR] is None
    assert parse_workload(session[S.WORKLOAD_CSV], "w").classes[0].monthly_volume == 350


def test_editor_changes_apply_edits_deletions_and_additions():
    base = [{"task_class": "A"}, {"task_class": "B"}, {"task_class": "C"}]
    changes = {
        "edited_rows": {"2": {"task_class": "C2"}},
        "deleted_rows": [0],
        "added_rows": [{"task_class": "D"}],
    }
    rows = inputs.apply_editor_changes(base, changes)
    assert [r["task_class"] for r in rows] == ["B", "C2", "D"]


# -- what the product writes -----------------------------------------------------------------

# Invisible prefixes (U+200B, U+FEFF) cannot reach a name: the loader refuses them.
PAYLOADS = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "＝1+1", "＋1", "－1", "＠x"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_workload_download_is_injection_safe_and_reads_back(payload, catalog):
    workload = load_workload(EXAMPLE, catalog.providers())
    rows = workload_to_records(workload)
    rows[0]["task_class"] = payload + " triage"
    from planner.workload import workload_from_records

    edited = workload_from_records(rows, "t")
    text = workload_to_csv(edited)
    first_cell = next(csv.reader(io.StringIO(text.splitlines()[1])))[0]
    assert first_cell == "'" + payload + " triage"
    assert parse_workload(text, "again").classes == edited.classes


def test_the_template_is_written_safely():
    assert workload_template_csv().splitlines()[1].startswith("Support ticket triage")


def test_formatting_reads_as_people_write():
    assert money(-4315.2) == "-$4,315"
    assert tokens(830_000.16e9) == "830.00T tokens"  # not "830,000.16B"
    assert tokens(999_999) == "1.00M tokens" and tokens(950) == "950 tokens"
    assert count(2.5e12) == "2.50T"
    assert clean_float(1299.9999999999995) == 1300.0


def test_markdown_from_an_input_is_shown_as_text():
    pixel = "![px](http://tracker.invalid/pixel.png)"
    escaped = md_escape(pixel)
    assert "![" not in escaped and "](" not in escaped.replace("\\]", "")
    assert md_unescape(escaped) == pixel
    assert md_escape("<img src=x onerror=alert(1)>").startswith("\\<img")


def test_a_scenario_saved_without_a_price_date_loads_back(catalog):
    from app import scenario_file

    text = scenario_file.scenario_json({S.WORKLOAD_CSV: EXAMPLE.read_text()}, {})
    loaded = scenario_file.read_scenario(text, "s.json", catalog.providers(), catalog.model_ids())
    assert S.AS_OF not in loaded.settings  # the session keeps its own date


@pytest.mark.parametrize("name", ["Deal\tQ3", "Deal\u200b", "De\ral"])
def test_a_vendor_scenario_name_with_a_control_character_is_refused(name):
    from app.planning import ScenarioSpec

    with pytest.raises(ValueError, match="control or invisible character"):
        ScenarioSpec(name)
