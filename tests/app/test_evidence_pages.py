"""Accuracy evidence in the app: the confidence setting's cost on the Portfolio page (both
plans solved), the imported eval figures and what to evaluate next on the Data page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app import evidence_view
from app import state as S
from app.format import md_unescape, money
from foundation.errors import InputError
from planner.accuracy import shipped_catalog
from planner.evals.evidence import figures_from_csv
from tests.app.test_pages import new_app, planned_spend

EVALS = Path(__file__).resolve().parents[2] / "data" / "evals"
STAMP = "2026-12-03T11-30-00.000000"


def _uploads() -> list[tuple[str, bytes]]:
    names = ["ticket-triage.eval", "code-review.json", "support-replies.csv"]
    files = [(n, (EVALS / n).read_bytes()) for n in names]
    files.append(
        ("marketing-drafts.json", (EVALS / "promptfoo/marketing-drafts.json").read_bytes())
    )
    for name in (f"results_{STAMP}.json", f"samples_contract_review_{STAMP}.jsonl"):
        files.append((name, (EVALS / "lm-eval" / name).read_bytes()))
    return files


def test_uploaded_evals_become_figures_with_a_note(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    mapping = ("mapping.csv", (EVALS / "mapping.csv").read_bytes())
    text, note = evidence_view.import_evals(_uploads(), mapping, shipped_catalog())
    figures = {(f.task_class, f.model): (f.n, f.successes) for f in figures_from_csv(text)}
    assert figures[("Contract review", "anthropic/claude-haiku-5-5")] == (45, 35.0)
    assert len(figures) == 5
    assert note.startswith("5 figures for 3 catalog models from 6 files.")
    assert len(list((tmp_path / "ai-spend-planner" / "evals").glob("*.csv"))) == 1


def test_a_lone_per_sample_log_is_refused_by_name():
    lone = [(f"samples_x_{STAMP}.jsonl", b'{"doc_id": 0, "acc": 1}\n')]
    with pytest.raises(InputError, match="without its results"):
        evidence_view.import_evals(lone, None, shipped_catalog(), keep=False)


def test_portfolio_states_what_the_confidence_costs_re_solved():
    at = new_app()
    at.session_state[S.CONFIDENCE] = "90"
    at.switch_page("app_pages/portfolio.py").run()
    assert not any("would take" in t.value for t in at.text)  # off until asked: it re-solves
    at.toggle(key=S.NEXT_EVAL_SHOWN).set_value(True).run()
    assert not at.exception
    [info] = [i.value for i in at.info if "confidence" in i.value]
    extra = planned_spend(confidence="90") - planned_spend()
    assert "Floors met with 90% confidence (conservative" in md_unescape(info)
    assert money(extra) in md_unescape(info)
    assert any("would take" in t.value for t in at.text)


def test_data_page_shows_eval_figures_beside_public_ones_and_what_to_evaluate_next():
    mapping = ("mapping.csv", (EVALS / "mapping.csv").read_bytes())
    text, _ = evidence_view.import_evals(_uploads()[:1], mapping, shipped_catalog(), keep=False)
    at = new_app()
    at.session_state[S.EVAL_FIGURES_CSV] = text
    at.session_state[S.DATA_TAB] = "Accuracy"
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    figures = next(f for f in frames if "eval_n" in f.columns)
    row = figures.iloc[0]
    assert (row["model"], row["eval_n"], row["plan_uses"]) == (
        "anthropic/claude-haiku-5-5",
        40,
        "eval",
    )
    assert row["eval"] == 0.8 and pd.isna(row["public"])
    nxt = next(f for f in frames if "break_even_accuracy" in f.columns)
    assert len(nxt) and (nxt["at_stake_usd_a_month"].dropna() >= 0).all()
