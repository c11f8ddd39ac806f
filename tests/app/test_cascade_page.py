"""Portfolio's cascades and routers: an uploaded cascade file, rated on the kept samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cascade_view, evidence_view
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
