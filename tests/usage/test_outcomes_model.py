"""An outcomes row that names the model is evidence of its accuracy on the class."""

from __future__ import annotations

import pytest

from foundation.errors import InputError
from planner.accuracy import shipped_catalog
from planner.evals.figures import wilson
from usage.outcomes import parse_outcomes, production_figures

HEADER = "team,task_class,model,period,tasks_attempted,tasks_succeeded,value_per_success_usd\n"


def test_rows_naming_a_model_give_measured_accuracy_with_its_interval():
    text = HEADER + (
        "support,Triage,openai/gpt-5-mini,2026-10,600,540,1\n"
        "sales,Triage,gpt-5-mini-2025-08-07,2026-11,400,340,1\n"  # a dated snapshot name
        "support,Triage,,2026-11,100,90,1\n"  # no model: not evidence of one
        "support,Triage,no-such-model,2026-11,100,10,1\n"  # unresolved: left out
    )
    outcomes = parse_outcomes(text, "o.csv", "csv")
    assert not outcomes.errors
    [figure] = production_figures(outcomes, shipped_catalog())
    assert (figure.task_class, figure.model) == ("Triage", "openai/gpt-5-mini")
    assert (figure.n, figure.successes, figure.kind) == (1000, 880.0, "production")
    assert figure.interval == pytest.approx(wilson(880, 1000))


def test_the_same_class_and_month_may_repeat_for_different_models():
    text = HEADER + (
        "support,Triage,openai/gpt-5-mini,2026-10,10,9,1\nsupport,Triage,openai/gpt-5,2026-10,10,9,1\n"
    )
    assert len(parse_outcomes(text, "o.csv", "csv").rows) == 2
    with pytest.raises(InputError, match="two rows"):
        parse_outcomes(text + "support,Triage,openai/gpt-5,2026-10,1,1,1\n", "o.csv", "csv")


def test_usage_quality_shows_production_beside_evals_and_the_switch(tmp_path, capsys):
    import json
    from pathlib import Path

    from usage import cli

    evals = Path(__file__).resolve().parents[2] / "data" / "evals"
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        HEADER + "support,Support ticket triage,anthropic/claude-haiku-5-5,2026-11,2500,2115,1\n"
    )
    base = ["quality", "--outcomes", str(outcomes), "--evals", str(evals / "ticket-triage.eval"),
            "--eval-mapping", str(evals / "mapping.csv"), "--json"]  # fmt: skip
    for precedence, used in (("production-first", "production"), ("evals-first", "eval")):
        assert cli.main([*base, "--precedence", precedence]) == 0
        [cell] = json.loads(capsys.readouterr().out)["cells"]
        assert (cell["production"], cell["production_n"]) == (0.846, 2500)
        assert (cell["eval"], cell["eval_n"], cell["plan_uses"]) == (0.8, 40, used)
        assert "95% interval" in cell["production_source"]
