"""Cascades: figures from joint per-sample outcomes, checked by hand and by construction."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from foundation.errors import InputError
from planner.cascade import (
    Cascade,
    Check,
    cascade_figures,
    cost_per_task,
    evidence_words,
    joint_scores,
)
from planner.evals.figures import KeptSample

CLASS = "Triage"


def kept(model: str, scores: list[float], task: str = "triage", day=date(2026, 12, 1)):
    return [
        KeptSample("csv", task, model, CLASS, model, f"s{i}", float(y), day)
        for i, y in enumerate(scores)
    ]


def cascade(models=("p/a", "p/b"), checks=None, independent=False) -> Cascade:
    checks = checks or (Check("tests", 0.0005, 0.9, 0.2, "measured"),)
    return Cascade("c", CLASS, tuple(models), tuple(checks), independent)


def test_two_steps_by_hand():
    """4 samples: a right on 1-2, b right on 1-3; check TA 0.9, FA 0.2.

    s1: 0.9 accepted right + 0.1 escalated x 1 = 1.0;  s2: 0.9 + 0.1 x 1 = 1.0
    s3: a wrong, 0.8 escalated x 1 = 0.8;              s4: 0.8 escalated x 0 = 0
    accuracy 2.8 / 4 = 0.7; escalated (0.1 + 0.1 + 0.8 + 0.8) / 4 = 0.45;
    cost 0.001 + 0.0005 + 0.45 x 0.01 = 0.006.
    """
    samples = kept("p/a", [1, 1, 0, 0]) + kept("p/b", [1, 1, 1, 0])
    figures = cascade_figures(cascade(), samples)
    assert figures.accuracy == pytest.approx(0.7, abs=1e-15)
    assert figures.escalated == pytest.approx((0.45,), abs=1e-15)
    assert figures.n_joint == 4
    assert cost_per_task([0.001, 0.01], cascade().checks, figures.reach) == pytest.approx(
        0.006, abs=1e-15
    )
    assert figures.independent_accuracy is None
    assert "joint outcomes" in evidence_words(figures)


def test_independence_is_the_closed_form_and_labelled_optimistic():
    """Chosen independence: a1 TA + (a1 (1 - TA) + (1 - a1)(1 - FA)) a2, with the joint
    figure beside it: 0.45 + 0.45 x 0.75 = 0.7875, 8.75 points above the joint 0.7."""
    samples = kept("p/a", [1, 1, 0, 0]) + kept("p/b", [1, 1, 1, 0])
    figures = cascade_figures(cascade(independent=True), samples, marginals=[0.5, 0.75])
    ta, fa, a1, a2 = 0.9, 0.2, 0.5, 0.75
    closed = a1 * ta + (a1 * (1 - ta) + (1 - a1) * (1 - fa)) * a2
    assert figures.accuracy == pytest.approx(closed, abs=1e-15)
    assert figures.joint_accuracy == pytest.approx(0.7, abs=1e-15)
    assert figures.optimism_pts == pytest.approx(8.75, abs=1e-9)
    words = evidence_words(figures)
    assert "optimistic" in words and "8.8 points above the joint figure on 4" in words


def test_independence_without_joint_data_says_so():
    figures = cascade_figures(cascade(independent=True), kept("p/a", [1, 0]), [0.5, 0.9])
    assert figures.joint_accuracy is None and figures.n_joint == 0
    assert "no joint samples" in evidence_words(figures)


@pytest.mark.parametrize("seed", range(5))
def test_synthetic_table_known_by_construction(seed):
    """Three binary models on 200 samples with a perfect check (TA 1, FA 0): the cascade is
    right wherever any model is, escalates past step 1 exactly where model 1 is wrong and
    past step 2 where both are. With independent outcomes drawn the same way, the product's
    independence figure equals the closed form 1 - (1-a1)(1-a2)(1-a3)."""
    rng = np.random.default_rng(seed)
    y = (rng.random((200, 3)) < [0.6, 0.7, 0.9]).astype(float)
    samples = [s for k, m in enumerate("abc") for s in kept(f"p/{m}", list(y[:, k]))]
    perfect = Check("tests", 0.0, 1.0, 0.0, "by construction")
    c = cascade(("p/a", "p/b", "p/c"), (perfect, perfect))
    figures = cascade_figures(c, samples)
    assert figures.accuracy == pytest.approx(y.max(axis=1).mean(), abs=1e-12)
    assert figures.escalated[0] == pytest.approx((y[:, 0] == 0).mean(), abs=1e-12)
    assert figures.escalated[1] == pytest.approx(((y[:, 0] == 0) & (y[:, 1] == 0)).mean())
    cost = cost_per_task([1.0, 2.0, 4.0], c.checks, figures.reach)
    assert cost == pytest.approx(
        1 + 2 * (y[:, 0] == 0).mean() + 4 * figures.escalated[1], abs=1e-12
    )
    a = y.mean(axis=0)
    alone = cascade_figures(
        Cascade("c", CLASS, c.models, c.checks, independent=True), samples, list(a)
    )
    assert alone.accuracy == pytest.approx(1 - np.prod(1 - a), abs=1e-12)


def test_joint_uses_common_samples_and_latest_score():
    samples = kept("p/a", [1, 0, 1]) + kept("p/b", [0, 1])  # s2 has no score for b
    samples += kept("p/a", [0], day=date(2026, 12, 2))  # s0 re-run later: wrong now
    y = joint_scores(cascade(), samples)
    assert y.tolist() == [[0.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize(
    "samples, message",
    [
        (kept("p/a", [1, 0]), "no per-sample results for p/b"),
        (kept("p/a", [1]) + kept("p/b", [1], task="other"), "never scored on the same samples"),
    ],
)
def test_missing_joint_data_is_a_located_error(samples, message):
    with pytest.raises(InputError, match=message) as caught:
        cascade_figures(cascade(), samples, source="cascades.json")
    assert caught.value.file == "cascades.json" and caught.value.record == "cascade 'c'"


def test_steps_label_names_the_checks():
    assert cascade().steps_label == "p/a -> (tests) -> p/b"
    with pytest.raises(ValueError):
        Cascade("x", CLASS, ("p/a",), ())


def test_kept_samples_read_back_as_written_and_a_bad_row_is_located(tmp_path):
    from planner.evals.store import keep_samples, kept_stamp, read_kept

    samples = kept("p/a", [1, 0.5]) + kept("p/b", [0, 1])
    keep_samples(samples, "first", tmp_path)
    assert read_kept(tmp_path) == samples
    assert read_kept(tmp_path / "none") == [] and kept_stamp(tmp_path / "none") == ""
    stamp = kept_stamp(tmp_path)
    bad = tmp_path / "zz-bad.csv"
    bad.write_text("tool,eval_task,eval_model,task_class,model,sample_id,score,run_date\n"
                   "csv,t,m,Triage,p/a,s1,1.5,2026-12-01\n")  # fmt: skip
    assert kept_stamp(tmp_path) != stamp
    with pytest.raises(InputError, match="less than or equal to 1") as caught:
        read_kept(tmp_path)
    assert caught.value.file == str(bad) and caught.value.field == "score"
