"""The Data page's logic: what it says about the data in use, the price table's filters, and
which models' price history it opens on (no Streamlit here; the page renders). Text meant
for markdown has its inputs escaped here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd

from app.format import md_escape
from planner.accuracy import BENCHMARK_CITATION
from planner.plan import Plan

TABS = ("Workload", "Accuracy", "Price catalog", "Scenario file")
HISTORY_MODELS = 3  # the price history opens on this many of the plan's models
EXAMPLE_NOTE = " (illustrative figures, not measurements)"


def workload_line(source: str | None, example_name: str) -> str:
    """Which workload every plan uses, and how to change it."""
    source = source or "none"
    note = EXAMPLE_NOTE if source == example_name else ""
    return (
        f"Planning with **{md_escape(source)}**{note}. Edit the table, or upload a CSV or "
        "JSON file. Every cell is text, so what you type stays visible; a bad cell is "
        "reported with its row and column while the last valid table stays in use."
    )


def upload_refused(error: str, kept: str) -> str:
    return (
        f"The upload was not used: {md_escape(error)}  \nThe plan still uses the previous {kept}."
    )


def edits_refused(error: str) -> str:
    return (
        f"Your edits are not in use yet: {md_escape(error)}  \nThe plan uses the last valid "
        "table; what you typed is kept."
    )


def quality_line(own: bool, own_source: object) -> str:
    """Where the accuracy figures come from: the benchmark, and the person's own table over
    it when there is one."""
    over = f", with **your own table** ({md_escape(own_source)}) laid over them." if own else "."
    return (
        f"Accuracy figures come from **{BENCHMARK_CITATION}**, mapped to task categories "
        f"(see data/benchmarks/MAPPING.md){over} Your own evals win wherever they name a model "
        "for a class or category."
    )


def tier_options(quotes: pd.DataFrame) -> list[str]:
    return sorted(quotes["tier"].unique()) if len(quotes) else []


def filtered_quotes(
    quotes: pd.DataFrame, providers: Sequence[str], tiers: Sequence[str]
) -> pd.DataFrame:
    """The price table of the chosen providers and tiers (all when none is chosen)."""
    shown = quotes
    if providers:
        shown = shown[shown["provider"].isin(providers)]
    if tiers:
        shown = shown[shown["tier"].isin(tiers)]
    return shown


def prices_caption(models: int, as_of: date | None) -> str:
    return (
        f"{models} models priced on {as_of}, USD per million tokens. The self-hosted sheet "
        "is illustrative: its prices are derived from assumed GPU costs and throughput."
    )


def history_default(plan: Callable[[], Plan] | None, model_ids: Sequence[str]) -> list[str]:
    """The models the price history opens on: the first few the plan uses (`plan` solves
    it; None, or a plan that cannot be made: none)."""
    try:
        in_plan = sorted({a.model for a in plan().assignments}) if plan else []
    except (ValueError, LookupError):
        in_plan = []
    return [m for m in in_plan if m in model_ids][:HISTORY_MODELS]


def scenario_file_result(error: str | None, note: str | None) -> tuple[str, str] | None:
    """("error" or "success", the message) after a scenario file was loaded; None before."""
    if error:
        return "error", f"The scenario file was not loaded: {md_escape(error)}  \nNothing changed."
    if note:
        return "success", md_escape(note)
    return None
