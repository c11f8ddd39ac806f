"""Accuracy evidence in the app: imported evals and production outcomes as the figures a plan
request carries, the table of figures beside the public ones, what the confidence setting
costs, and what to evaluate next (no Streamlit here; pages render)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from app.format import md_escape, money
from foundation.errors import InputError
from planner.evals.evidence import PRECEDENCE_WORDS, figures_csv, figures_from_csv
from planner.evals.figures import figures_of, mapped_samples
from planner.evals.loaders import parse_uploads
from planner.evals.mapping import EvalMapping, parse_eval_mapping
from planner.evals.store import keep_samples
from planner.next_eval import NextEval
from pricing.catalog import Catalog
from usage.outcomes import Outcomes, production_figures


def import_evals(files: Sequence[tuple[str, bytes]], mapping: tuple[str, bytes] | None,
                 catalog: Catalog, keep: bool = True) -> tuple[str, str]:  # fmt: skip
    """(figures CSV, a note) from uploaded eval files; samples kept under the data folder.
    Raises InputError naming the file, record and field of the first problem."""
    table = EvalMapping() if mapping is None else parse_eval_mapping(mapping[1], mapping[0],
                                                                      catalog)  # fmt: skip
    samples = mapped_samples(parse_uploads(list(files)), table, catalog)
    figures = figures_of(samples)
    where = ""
    if keep and samples:
        path = keep_samples(samples, files[0][0] if len(files) == 1 else "evals")
        where = f" The {len(samples):,} per-sample results are kept in {path}."
    models = len({f.model for f in figures})
    note = f"{len(figures)} figures for {models} catalog models from {len(files)} files.{where}"
    return figures_csv(figures), note


def evidence_csv(eval_csv: str, outcomes: Outcomes | None, catalog: Catalog) -> str:
    """The imported evals' figures and the production figures of the outcomes in use."""
    production = [] if outcomes is None else production_figures(outcomes, catalog)
    return figures_csv(figures_from_csv(eval_csv or "") + production)


FIGURE_COLUMNS = [
    "task_class", "model", "plan_uses", "production", "production_n", "eval", "eval_n", "table",
    "public", "production_source", "eval_source", "table_source", "public_source",
]  # fmt: skip


def figures_table(cells: list[dict]) -> pd.DataFrame:
    """Per class and model with a figure of your own: the production, eval, hand-typed and
    public figures side by side with their sources, and which one the plan uses."""
    return pd.DataFrame(cells, columns=FIGURE_COLUMNS)


def precedence_line(precedence: str) -> str:
    words = md_escape(PRECEDENCE_WORDS[precedence])
    return f"Precedence: **{words}** (sidebar, Accuracy evidence)."


def confidence_line(confidence: str, cost: float, base_cost: float | None) -> str | None:
    """The conservative setting and what it costs a month, both plans solved; None if off."""
    if confidence == "off":
        return None
    level = f"{confidence}%"
    if base_cost is None:
        return f"Floors met with {level} confidence (conservative)."
    return (
        f"Floors met with {level} confidence (conservative: every accuracy at the low end of "
        f"its one-sided interval). This plan costs {money(cost)} a month, "
        f"{money(cost - base_cost)} more than at the point figures (both re-solved)."
    )


def next_table(found: Sequence[NextEval]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model": e.model,
                "task_class": e.task_class,
                "break_even_accuracy": e.break_even,
                "at_stake_usd_a_month": e.at_stake_usd if e.break_even is not None else None,
                "why": e.why,
                "sentence": e.sentence(),
            }
            for e in found
        ],
        columns=["model", "task_class", "break_even_accuracy", "at_stake_usd_a_month", "why",
                 "sentence"],
    )  # fmt: skip


def next_lines(found: Sequence[NextEval], top: int = 5) -> list[str]:
    """The first few sentences, ranked by money at stake."""
    return [e.sentence() for e in found if e.break_even is not None][:top]


def eval_error_text(error: InputError | ValueError) -> str:
    return f"The eval import was not used: {md_escape(str(error))}"
