"""Coverage: every catalog model on every category, with its default figure or the reason it
has none (no public figure at all, estimates off, no related benchmark, too few reference
models to fit, or a fit outside the error bound)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.accuracy.defaults import ESTIMATES_ENV, default_figures, estimates_enabled
from planner.accuracy.estimates import MIN_PAIRS, all_fits, fitted
from planner.accuracy.mapping import PREDICTORS, Figure, predictor_figures
from planner.accuracy.reference import reference_models
from planner.accuracy.sources import BENCHMARK_DIR
from planner.accuracy.tokens import shipped_catalog, token_factors
from pricing.catalog import Catalog

NO_PUBLIC_FIGURE = "no public figure: add your own eval"


@dataclass(frozen=True)
class Coverage:
    """One catalog model on one category: its default accuracy, or why it has none."""

    model: str
    category: str
    accuracy: float | None
    estimated: bool
    source: str
    reason: str = ""


def coverage(
    model_ids: Iterable[str], estimates: bool | None = None, catalog: Catalog | None = None
) -> list[Coverage]:
    """Every (model, category) pair for these catalog ids, sorted by model then category.

    `catalog` prices the reasoning models' token factors named in the sources (None: the
    shipped price sheets); `estimates` None follows PLANNER_ESTIMATES.
    """
    with_estimates = estimates_enabled() if estimates is None else estimates
    factors = token_factors(shipped_catalog() if catalog is None else catalog)
    found_figures = default_figures(str(BENCHMARK_DIR), with_estimates, factors)
    figures = {(f.model, f.category): f for f in found_figures}
    related = predictor_figures()
    out = []
    for model in sorted(set(model_ids)):
        for category in sorted(PREDICTORS):
            found = figures.get((model, category))
            if found is not None:
                out.append(Coverage(model, category, found.accuracy, found.estimated, found.source))
            else:
                reason = _why_none(model, category, related.get(model, {}), with_estimates)
                out.append(Coverage(model, category, None, False, "", reason))
    return out


def covered_models(
    model_ids: Iterable[str], estimates: bool | None = None, catalog: Catalog | None = None
) -> set[str]:
    """The catalog ids with at least one default figure."""
    return {c.model for c in coverage(model_ids, estimates, catalog) if c.accuracy is not None}


def _why_none(model: str, category: str, related: dict[str, Figure], estimates: bool) -> str:
    folder = str(BENCHMARK_DIR)
    if not related and not any(model in ids for ids, _ in reference_models(folder)):
        return NO_PUBLIC_FIGURE
    if not estimates:
        return f"no reference figure; estimates are off ({ESTIMATES_ENV}=0 or --no-estimates)"
    if any(model in ids for ids, _ in reference_models(folder)):
        return "the reference source has no result for this category's benchmarks"
    fits = fitted(folder)
    has = sorted(b for b in related if b in PREDICTORS[category])
    if not has:
        return (
            f"no figure on a benchmark related to {category} "
            f"(it has {', '.join(sorted(related))}); add your own eval"
        )
    tried = {(f.category, f.benchmark) for f in all_fits(folder)}
    few = [b for b in has if (category, b) not in tried]
    if few:
        return (
            f"fewer than {MIN_PAIRS} reference models also have {', '.join(few)}, so no "
            f"estimate for {category} is fitted from it; add your own eval"
        )
    refused = ", ".join(b for b in has if (category, b) not in fits)
    return f"related benchmarks ({refused}) do not predict {category} within the error bound"
