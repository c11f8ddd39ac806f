"""Default accuracy per catalog model and workload category, from sourced benchmark tables.

One module per concern, each importing only those above it in this list:

- `sources`: reading the tables under data/benchmarks/ (scores 0-1, costs per task);
- `mapping`: which source model is which catalog id, which benchmarks stand for a category;
- `reference`: the reference scale (LLMRouterBench category means) and `DefaultFigure`;
- `estimates`: logit(reference) = a + b logit(related), with leave-one-out errors;
- `same_model`: a reseller of a rated model inherits its figures (matched by name);
- `tokens`: reasoning models' output-token factors, at the prices of the catalog passed in;
- `defaults`: the figures laid down in order (reference, estimates, factors, resold);
- `coverage`: every catalog model and category, with its figure or the reason it has none.

`planner.quality.default_quality` turns the figures into the quality table a plan uses; this
package does not import planner.quality.
"""

from planner.accuracy.coverage import NO_PUBLIC_FIGURE, Coverage, coverage, covered_models
from planner.accuracy.defaults import (
    ESTIMATES_ENV,
    default_figures,
    estimates_enabled,
    rated_figures,
)
from planner.accuracy.estimates import MAX_HELD_OUT_PTS, MIN_PAIRS, Fit, all_fits, fitted
from planner.accuracy.reference import DefaultFigure
from planner.accuracy.sources import BENCHMARK_CITATION, BENCHMARK_DIR
from planner.accuracy.tokens import TokenFactor, shipped_catalog, token_factors

__all__ = [
    "BENCHMARK_CITATION",
    "BENCHMARK_DIR",
    "ESTIMATES_ENV",
    "MAX_HELD_OUT_PTS",
    "MIN_PAIRS",
    "NO_PUBLIC_FIGURE",
    "Coverage",
    "DefaultFigure",
    "Fit",
    "TokenFactor",
    "all_fits",
    "coverage",
    "covered_models",
    "default_figures",
    "estimates_enabled",
    "fitted",
    "rated_figures",
    "shipped_catalog",
    "token_factors",
]
