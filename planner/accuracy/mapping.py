"""Which source figures stand for which catalog model, and which benchmarks stand for which
category of work.

Model mapping: each source folder has a written `model_map.csv`, source model (with its effort
variant) -> catalog id, with a `preference` (0 first). For each catalog id and benchmark the
mapped source model with the lowest preference that has a figure there is used.

Category mapping (PREDICTORS): the related benchmarks that may carry a model onto each
category's reference scale: the same kind of work, never a judged win rate or an Elo rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from planner.accuracy.sources import (
    CITATIONS,
    EPOCH,
    LIVEBENCH,
    LIVEBENCH_GLOBAL,
    TAU2,
    TAU2_BENCHMARK,
    bounded,
    csv_rows,
    epoch_scores,
    livebench_scores,
    tau2_scores,
)

PREDICTORS: dict[str, tuple[str, ...]] = {
    "classification": ("LiveBench reasoning", LIVEBENCH_GLOBAL, "Epoch GPQA Diamond"),
    "extraction": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "writing": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "summarization": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "support": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "qa": (LIVEBENCH_GLOBAL, "LiveBench language", "Epoch GPQA Diamond"),
    "reasoning": ("Epoch GPQA Diamond", "LiveBench reasoning", LIVEBENCH_GLOBAL),
    "legal": ("Epoch GPQA Diamond", "LiveBench reasoning", LIVEBENCH_GLOBAL),
    "analysis": ("Epoch GPQA Diamond", "LiveBench data analysis", LIVEBENCH_GLOBAL),
    "code": ("LiveBench coding", "LiveBench agentic coding", "Epoch SWE-bench Verified"),
    "agentic": (TAU2_BENCHMARK, "LiveBench agentic coding", LIVEBENCH_GLOBAL),
    "math": ("Epoch OTIS mock AIME", "LiveBench mathematics"),
    "finance": ("LiveBench mathematics", "LiveBench data analysis", LIVEBENCH_GLOBAL),
}


@dataclass(frozen=True)
class Figure:
    """One model's score on one predictor benchmark (0-1), and the source row it came from."""

    catalog_model: str
    benchmark: str
    value: float
    source_model: str
    source: str


@cache
def predictor_figures() -> dict[str, dict[str, Figure]]:
    """Catalog id -> predictor benchmark -> figure, through each source's model map.

    For each catalog id and benchmark, the mapped source model with the lowest `preference`
    that has a figure on that benchmark is used (preference 0 is the variant named first in
    the mapping, e.g. the default effort).
    """
    out: dict[str, dict[str, Figure]] = {}
    for folder, source, scores in (
        (LIVEBENCH, "LiveBench", livebench_scores()),
        (EPOCH, "Epoch", epoch_scores()),
        (TAU2, "tau2-bench", tau2_scores()),
    ):
        for catalog_id, source_models in model_map(folder).items():
            for benchmark, by_source_model in scores.items():
                name = next((m for m in source_models if m in by_source_model), None)
                if name is not None:
                    out.setdefault(catalog_id, {})[benchmark] = Figure(
                        catalog_id, benchmark, by_source_model[name], name, CITATIONS[source]
                    )
    return out


def model_map(folder: Path) -> dict[str, list[str]]:
    """Catalog id -> its source model names in order of preference."""
    path = folder / "model_map.csv"
    ranked: dict[str, list[tuple[int, str]]] = {}
    for record, where in csv_rows(path, ("source_model", "catalog_model", "preference", "mapping")):
        rank = int(bounded(record["preference"], path, where, "preference", 1000))
        ranked.setdefault(record["catalog_model"], []).append((rank, record["source_model"]))
    return {model: [name for _, name in sorted(names)] for model, names in ranked.items()}
