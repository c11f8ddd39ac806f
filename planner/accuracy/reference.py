"""The reference scale: LLMRouterBench (Li et al., 2026).

A model's accuracy on a workload category is the mean of its scores over the benchmarks
`category_map.csv` names for that category:

    accuracy[model, category] = mean_{b in category_map[category]} results[model, b] / 100

Workload floors are set on this scale. `model_map.csv` maps each benchmark model to the catalog
ids that sell it (the same weights on several providers), so one benchmark model may give
several catalog ids the same figure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from foundation.errors import InputError
from planner.accuracy.sources import BENCHMARK_CITATION, bounded, csv_rows


@dataclass(frozen=True)
class DefaultFigure:
    """A default accuracy: measured on the reference scale, or estimated onto it."""

    model: str
    category: str
    accuracy: float
    estimated: bool
    source: str
    held_out_pts: float | None = None
    output_tokens_factor: float | None = None


@cache
def reference_figures(folder: str) -> tuple[DefaultFigure, ...]:
    """Each mapped catalog id's category means on the reference benchmarks."""
    out = []
    for ids, scores, bench_model, used in _reference_detail(folder):
        for category, accuracy in scores.items():
            for catalog_id in ids:
                out.append(
                    DefaultFigure(
                        model=catalog_id,
                        category=category,
                        accuracy=accuracy,
                        estimated=False,
                        source=(
                            f"{BENCHMARK_CITATION}: {', '.join(used[category])}; "
                            f"{bench_model} mapped to {catalog_id}"
                        ),
                    )
                )
    return tuple(out)


def reference_models(folder: str) -> list[tuple[list[str], dict[str, float]]]:
    """Per benchmark model: (its catalog ids, category -> mean score)."""
    return [(ids, scores) for ids, scores, _, _ in _reference_detail(folder)]


@cache
def _reference_detail(folder: str):
    """Per benchmark model: (catalog ids, category -> mean score, name, benchmarks used)."""
    base = Path(folder)
    results = _reference_results(base / "results.csv")
    category_map = _category_map(base / "category_map.csv", {b for _, b in results})
    ids_of: dict[str, list[str]] = {}
    for record, where in csv_rows(base / "model_map.csv", ("benchmark_model", "catalog_model")):
        model = record["benchmark_model"]
        if model not in {m for m, _ in results}:
            raise InputError(str(base / "model_map.csv"), f"'{model}' has no results", where)
        if record["catalog_model"]:
            ids_of.setdefault(model, []).append(record["catalog_model"])
    detail = []
    for model, ids in sorted(ids_of.items()):
        scores, used = {}, {}
        for category, wanted in category_map.items():
            have = [b for b in wanted if (model, b) in results]
            if have:
                scores[category] = statistics.fmean(results[model, b] / 100 for b in have)
                used[category] = have
        detail.append((sorted(ids), scores, model, used))
    return tuple(detail)


def _reference_results(path: Path) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for record, where in csv_rows(path, ("model", "benchmark", "accuracy_pct")):
        key = (record["model"], record["benchmark"])
        if key in out:
            raise InputError(str(path), f"a second result for {key[0]} on {key[1]}", where)
        out[key] = bounded(record["accuracy_pct"], path, where, "accuracy_pct", 100)
    return out


def _category_map(path: Path, benchmarks: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record, where in csv_rows(path, ("workload_category", "benchmark")):
        benchmark = record["benchmark"]
        if benchmark not in benchmarks:
            raise InputError(str(path), f"unknown benchmark '{benchmark}'", where, "benchmark")
        wanted = out.setdefault(record["workload_category"].lower(), [])
        if benchmark in wanted:
            raise InputError(str(path), f"'{benchmark}' is listed twice", where, "benchmark")
        wanted.append(benchmark)
    return out
