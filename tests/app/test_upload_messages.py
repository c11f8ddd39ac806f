"""Upload outcomes read as sentences for people: rows added and their spend, rows already in
the store, skipped and why; refusals name the file as uploaded and each bad row. Scanned as
the Data page renders them (AppTest) for object reprs, server paths and command-line flags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app import usage_uploads
from app.format import md_unescape
from app.upload_messages import Outcome, for_people, outcome
from tests.usage.test_governance_properties import priced_store  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/fixtures/usage"
FORBIDDEN = ("Result(", "/tmp", "--", "Traceback", "Error(")


def uploads() -> list[tuple[str, str, bytes]]:
    """(case, file name, bytes): good, the same again, overlapping, bad, truncated, unknown."""
    generic = (FIXTURES / "generic.csv").read_bytes()
    lines = generic.decode().splitlines(keepends=True)
    openai = (FIXTURES / "openai_usage.json").read_bytes()
    return [
        ("good", "generic.csv", generic),
        ("duplicate", "generic.csv", generic),
        ("overlap", "generic-again.csv", "".join(lines + lines[2:3]).encode()),
        ("bad", "bad.csv", "".join([*lines[:2], lines[2].replace("1000000", "-5", 1)]).encode()),
        ("truncated", "openai_usage.json", openai[: len(openai) // 2]),
        ("unknown", "notes.csv", b"a,b\n1,2\n"),
    ]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, priced_store) -> dict[str, Outcome]:  # noqa: F811
    db = tmp_path_factory.mktemp("uploads") / "usage.duckdb"
    shutil.copyfile(priced_store, db)
    return {
        case: outcome(lambda n, d: usage_uploads._import(str(db), n, d), name, data)
        for case, name, data in uploads()
    }


def test_each_outcome_is_a_sentence_in_the_products_words(outcomes):
    good = outcomes["good"]
    assert not good.refused and good.message.startswith("Imported generic.csv (generic export): ")
    assert "rows added ($" in good.message and "of spend)" in good.message
    duplicate = outcomes["duplicate"]
    assert not duplicate.refused and "imported before" in duplicate.message
    assert "nothing was added" in duplicate.message
    overlap = outcomes["overlap"].message
    assert "1 row added ($" in overlap  # the one new row
    assert "4 rows already in the store or repeated in the file, not added again" in overlap
    bad = outcomes["bad"]
    assert bad.refused and bad.message.startswith("bad.csv was not used: 1 row is bad")
    assert bad.errors and all(e.startswith("bad.csv, row ") for e in bad.errors)
    truncated = outcomes["truncated"]
    assert truncated.refused and truncated.message.startswith("openai_usage.json was not used: ")
    assert "a file cut short cannot be read" in truncated.message
    unknown = outcomes["unknown"]
    assert unknown.refused and "the app tells the format from the file's columns" in (
        unknown.message
    )


def test_no_repr_path_or_flag_in_any_outcome(outcomes):
    for case, shown in outcomes.items():
        for text in (shown.message, *shown.errors):
            assert not any(bad in text for bad in FORBIDDEN), (case, text)


def test_for_people_drops_the_upload_folder_and_command_line_advice():
    import tempfile

    folder = f"{tempfile.gettempdir()}/upload-abc123/"
    said = for_people(f"{folder}x.json: is not in a known usage format (a, b); name one with "
                      "--format")  # fmt: skip
    assert said.startswith("x.json: is not in a known usage format (a, b); the app tells")
    assert "--" not in said and "/tmp" not in said
    assert "--since" not in for_people("use --since DATE")


def test_the_data_page_renders_the_outcomes_as_plain_sentences(monkeypatch, tmp_path):
    """Each file through the page's own uploader (into a store of this test's own); what the
    page shows is scanned."""
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("app_pages/data.py").run()
    for case, name, data in uploads():
        if case == "duplicate":
            name = "generic (copy).csv"  # the same bytes under another name: a new upload
        at.file_uploader(key=S.USAGE_UPLOADER).set_value((name, data, "text/csv")).run()
        assert not at.exception
        said = at.session_state[S.USAGE_UPLOAD_RESULT]["usage"]
        assert said.message.startswith(name) or said.message.startswith(f"Imported {name}")
        shown = [e.value for e in (*at.success, *at.error, *at.text)]
        assert any(md_unescape(s) == said.message for s in shown), case
        for text in shown:
            assert not any(bad in text for bad in FORBIDDEN), (case, text)
