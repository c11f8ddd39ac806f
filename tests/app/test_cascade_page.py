"""Portfolio's cascades and routers: an uploaded cascade file, rated on the kept samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cascade_form, cascade_view, evidence_view
from app import state as S
from app.planning import PlanRequest
from foundation.errors import InputError
from planner.accuracy import shipped_catalog
from tests.app.test_pages import new_app

ROOT = Path(__file__).resolve().parents[2]
EVALS = ROOT / "data" / "evals"
EXAMPLE = ROOT / "data" / "cascades" / "example.json"


@pytest.fixture
def kept_triage(monkeypatch, tmp_path) -> str:
    """The ticket-triage eval imported as on the Data page, its samples kept in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    mapping = ("mapping.csv", (EVALS / "mapping.csv").read_bytes())
    files = [("ticket-triage.eval", (EVALS / "ticket-triage.eval").read_bytes())]
    text, _ = evidence_view.import_evals(files, mapping, shipped_catalog())
    return text


def test_portfolio_plans_with_the_uploaded_cascade_and_names_it_by_its_steps(kept_triage):
    at = new_app()
    at.session_state[S.EVAL_FIGURES_CSV] = kept_triage
    at.session_state[S.OBJECTIVE] = "min-cost"
    at.session_state[S.CASCADE_FILE] = (EXAMPLE.name, EXAMPLE.read_bytes())
    at.switch_page("app_pages/portfolio.py").run()
    assert not at.exception and not at.error
    frames = [d.value for d in at.dataframe]
    at_options = next(i for i, f in enumerate(frames) if "beats_it" in f.columns)
    options = frames[at_options]
    (row,) = options.to_dict("records")
    assert row["option"] == (
        "haiku first: anthropic/claude-haiku-5-5 -> (tests) -> openai/gpt-5-nano"
    )
    assert "optimistic" in row["evidence"]
    plan_rows = frames[at_options + 1]
    assert set(plan_rows["task_class"]) == {"Support ticket triage"}
    sentence = next(
        t.value for t in at.text if t.value.startswith("Support ticket triage: cascade")
    )
    assert "re-solved without it" in sentence
    assert row["share_of_class"] != "0%"  # the example cascade takes a share (4.2 %)
    assert row["option"] in set(plan_rows["model"])


def test_a_cascade_without_joint_samples_is_refused_by_name(tmp_path):
    joint = EXAMPLE.read_text().replace('"assume_independent": true', '"assume_independent": false')
    text = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    with pytest.raises(InputError, match="no per-sample results") as caught:
        cascade_view.cascade_plan(
            PlanRequest(text, as_of="2026-12-03"), shipped_catalog(), "c.json",
            joint.encode(), kept_folder=tmp_path,
        )  # fmt: skip
    assert caught.value.record == "cascade 'haiku first'"


def test_suggestions_come_from_the_kept_samples(tmp_path):
    """Twelve samples of triage scored for two models (written here, not shipped): the pair
    is suggested, cheaper model first, with its correlation and the perfect-check ceiling."""
    from datetime import date

    from planner.evals.figures import KeptSample
    from planner.evals.store import keep_samples

    def scored(model, right):
        return [
            KeptSample("csv", "t", model, "Support ticket triage", model, f"s{i}",
                       float(i in right), date(2026, 12, 1))
            for i in range(12)
        ]  # fmt: skip

    samples = scored("openai/gpt-5-nano", range(6)) + scored(
        "avian/deepseek/deepseek-v4-flash", [0, 1, 2, *range(6, 12)]
    )
    keep_samples(samples, "pair", tmp_path)
    text = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    request = PlanRequest(text, as_of="2026-12-03")
    (line,) = cascade_view.suggested(request, shipped_catalog(), tmp_path)
    assert line.startswith(
        "Support ticket triage: try openai/gpt-5-nano, then avian/deepseek/deepseek-v4-flash"
    )
    assert "on 12 common samples (50% and 75% right)" in line
    assert "reach 100% (a ceiling" in line
    assert cascade_view.suggested(request, shipped_catalog(), tmp_path / "empty") == []


HAIKU, NANO = "anthropic/claude-haiku-5-5", "openai/gpt-5-nano"


def declare(at, **fields):
    """Fill Portfolio's "Declare a cascade" form and submit it."""
    values = {S.CASCADE_NAME: "typed", S.CASCADE_CLASS: "Support ticket triage",
              S.CASCADE_FIRST: HAIKU, S.CASCADE_SECOND: NANO, S.CASCADE_CHECK: "tests",
              S.CASCADE_CHECK_COST: 0.0, S.CASCADE_TRUE_ACCEPT: 1.0,
              S.CASCADE_FALSE_ACCEPT: 0.0, S.CASCADE_SOURCE: "the eval's own scorer",
              S.CASCADE_INDEPENDENT: True, **fields}  # fmt: skip
    for key, value in values.items():
        _widget(at, key).set_value(value)
    [submit] = [b for b in at.button if b.label == "Add this cascade"]
    return submit.click().run()


def _widget(at, key):
    for kind in (at.text_input, at.selectbox, at.number_input, at.checkbox):
        try:
            return kind(key=key)
        except KeyError:
            continue
    raise KeyError(key)


def test_a_cascade_declared_on_the_page_is_planned_like_the_same_one_uploaded(kept_triage):
    at = new_app()
    at.session_state[S.EVAL_FIGURES_CSV] = kept_triage
    at.session_state[S.OBJECTIVE] = "min-cost"
    at.switch_page("app_pages/portfolio.py").run()
    at = declare(at, **{S.CASCADE_NAME: "haiku first"})
    assert not at.exception and not at.error
    name, data = at.session_state[S.CASCADE_FILE]
    assert name == cascade_form.DECLARED
    [typed] = json.loads(data)["cascades"]
    shipped = json.loads(EXAMPLE.read_text())["cascades"][0]
    assert {k: typed[k] for k in ("name", "task_class", "models", "assume_independent")} == {
        k: shipped[k] for k in ("name", "task_class", "models", "assume_independent")
    }
    options = next(d.value for d in at.dataframe if "beats_it" in d.value.columns)
    (row,) = options.to_dict("records")
    assert row["option"] == f"haiku first: {HAIKU} -> (tests) -> {NANO}"
    # The same figures as the shipped example file with the same steps and check.
    uploaded = new_app()
    uploaded.session_state[S.EVAL_FIGURES_CSV] = kept_triage
    uploaded.session_state[S.OBJECTIVE] = "min-cost"
    uploaded.session_state[S.CASCADE_FILE] = (EXAMPLE.name, EXAMPLE.read_bytes())
    uploaded.switch_page("app_pages/portfolio.py").run()
    same = next(d.value for d in uploaded.dataframe if "beats_it" in d.value.columns)
    cells = ["cost_per_task", "accuracy", "share_of_class", "worth_a_month"]
    assert same[cells].to_dict("records") == options[cells].to_dict("records")


def test_a_declared_cascade_without_a_source_is_refused_where_and_adds_nothing(kept_triage):
    at = new_app()
    at.session_state[S.EVAL_FIGURES_CSV] = kept_triage
    at.switch_page("app_pages/portfolio.py").run()
    at = declare(at, **{S.CASCADE_SOURCE: ""})
    [error] = [e.value for e in at.error]
    assert "cascade 1 'typed'" in error.replace("\\", "") and "source" in error
    assert S.CASCADE_FILE not in at.session_state  # nothing added, no file started


@pytest.mark.parametrize(
    ("current", "says"),
    [(("c.json", b"{"), "is not valid JSON"), (("c.json", b"[]"), "must be a JSON object")],
)
def test_declaring_into_a_broken_file_is_one_located_error(current, says):
    record = {"name": "x", "task_class": "t", "models": [HAIKU, NANO], "checks": []}
    with pytest.raises(InputError, match=says):
        cascade_form.with_declared(current, record, {HAIKU, NANO})
