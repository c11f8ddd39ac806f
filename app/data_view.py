"""The Data page's logic: what it says about the data in use, the price table's filters, and
which models' price history it opens on (no Streamlit here; the page renders). Text meant
for markdown has its inputs escaped here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd

from app.format import count, md_escape, multiple, pct, signed_pct
from planner.accuracy import BENCHMARK_CITATION
from planner.plan import Plan
from planner.problem import PlanningProblem

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


MEASURED_LABELS = {  # field -> (label, is a share)
    "monthly_volume": ("Tasks a month", False),
    "input_tokens": ("Input tokens a task", False),
    "output_tokens": ("Output tokens a task", False),
    "cached_input_share": ("Cached share of input", True),
    "monthly_growth": ("Growth a month", True),
}


def measured_view(diff: pd.DataFrame) -> pd.DataFrame:
    """The typed workload against the measured one, for reading: each field by name, counts
    and shares written out, the change as a percent (+12%), a multiple from twice up
    ("61.8x the typed", not the ratio 61.7797), and for shares the change in points."""
    rows = []
    for r in diff.to_dict("records"):
        label, share = MEASURED_LABELS.get(r["field"], (str(r["field"]), False))
        shown = pct if share else count
        rows.append(
            {
                "Task class": r["task_class"],
                "Figure": label,
                "Typed": shown(r["typed"]),
                "Measured": shown(r["measured"]),
                "Change": _change(r["typed"], r["measured"], share),
            }
        )
    return pd.DataFrame(rows, columns=["Task class", "Figure", "Typed", "Measured", "Change"])


TOO_LONG_LINE = (
    "**Not an option: the task does not fit the model's context window** (its prompt and "
    "output, in tokens, are more than the model can hold; the long-context prices count "
    "where the catalog has them)"
)


def too_long_view(problem: PlanningProblem) -> pd.DataFrame:
    """Each class-model pair the plan leaves out because the class's prompt and output do
    not fit the model's context window: the window, the tokens needed, and by how many
    tokens it falls short (needed - window > 0, as `context_reason` states it)."""
    rows = [
        {
            "Task class": problem.classes[t].name,
            "Model": problem.options[m],
            "Context window": count(window),
            "Tokens needed": count(need),
            "Short by": count(need - window),
        }
        for (t, m), (window, need) in sorted(problem.too_long.items())
    ]
    columns = ["Task class", "Model", "Context window", "Tokens needed", "Short by"]
    return pd.DataFrame(rows, columns=columns)


def _change(old, new, share: bool) -> str:
    if old is None or new is None or pd.isna(old) or pd.isna(new):
        return "–"
    if share:
        points = signed_pct(new - old).removesuffix("%")
        return f"{points} pts" if points != "0" else "no change"
    if not old:
        return "new" if new else "no change"
    if new / old >= 2:
        return f"{multiple(new / old)} the typed"
    return signed_pct((new - old) / old)


WORKLOAD_LABELS = {  # CSV column -> the header people read (the CSV keeps its names)
    "task_class": "Task class",
    "monthly_volume": "Tasks a month",
    "input_tokens": "Input tokens a task",
    "output_tokens": "Output tokens a task",
    "min_accuracy": "Accuracy floor",
    "value_per_success_usd": "Value a success ($)",
    "cost_per_failure_usd": "Cost a failure ($)",
    "category": "Category",
    "cached_input_share": "Cached share of input",
    "batch_share": "Batch share",
    "allowed_providers": "Allowed providers",
    "monthly_growth": "Growth a month",
    "status_quo_cost_per_task_usd": "Today's cost a task ($)",
    "status_quo_accuracy": "Today's accuracy",
    "one_off_cost_usd": "One-off cost ($)",
    "review_minutes_per_task": "Human minutes an AI task",
    "loaded_hourly_cost_usd": "Loaded cost an hour ($)",
    "review_usd_per_task": "Human cost an AI task ($)",
    "run_cost_usd_per_month": "Run cost a month ($)",
}
WORKLOAD_HELP = {
    "min_accuracy": "Accuracy floor as a share (0.8 = 80 %).",
    "review_minutes_per_task": "A person's time still spent on each task the AI does "
    "(reading, correcting, sending), 0 to 480 minutes.",
    "loaded_hourly_cost_usd": "Wage plus benefits and overhead, USD an hour: the rate human "
    "minutes are costed at.",
    "monthly_growth": "Volume growth per month as a share (0.03 = 3 %).",
}


def workload_header(column: str, providers: Sequence[str]) -> tuple[str, str]:
    """(label, help) of a workload column: a readable header, and the help names the CSV
    column, so what is typed here and what a file holds stay one vocabulary."""
    help_text = WORKLOAD_HELP.get(column, "")
    if column == "allowed_providers":
        help_text = f"Provider ids separated by ';' (empty: any). Known: {', '.join(providers)}."
    return WORKLOAD_LABELS.get(column, column), f"{help_text} CSV column: {column}.".strip()
