"""Estimates: a model without a reference figure for a category, but with a figure on a related
benchmark from another source (LiveBench, the Epoch AI Benchmarking Hub, tau2-bench), gets an
estimate carried onto the reference scale, never the other benchmark's figure itself:

    logit(reference) = a + b * logit(predictor),    logit(p) = ln(p / (1 - p))

fitted by least squares on the reference models that have both figures (at least MIN_PAIRS):

    b = sum (x - mean x)(y - mean y) / sum (x - mean x)^2,    a = mean y - b mean x

with x, y the logits. Its error is measured by leaving each of those models out in turn,
refitting, and predicting it: the root-mean-square of those held-out errors, in accuracy
points, is printed beside every estimate ("estimated from LiveBench coding (±4.1 pts
held-out)"). Of the related benchmarks a model has, the one with the smallest held-out error
is used; a benchmark whose held-out error exceeds MAX_HELD_OUT_PTS, or whose fitted slope is
not positive (a model better on it would be estimated worse), is not used at all. Scores are
clipped to [CLIP, 1 - CLIP] before the logit so a 0 or 100 % score stays finite.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from functools import cache

from planner.accuracy.mapping import PREDICTORS, Figure, predictor_figures
from planner.accuracy.reference import DefaultFigure, reference_models
from planner.accuracy.sources import BENCHMARK_CITATION, BENCHMARK_DIR

MIN_PAIRS = 5
MAX_HELD_OUT_PTS = 12.0
CLIP = 0.005


@dataclass(frozen=True)
class Fit:
    """logit(reference) = intercept + slope * logit(predictor), with its held-out error."""

    category: str
    benchmark: str
    intercept: float
    slope: float
    pairs: int
    held_out_pts: float

    def predict(self, value: float) -> float:
        return _expit(self.intercept + self.slope * _logit(value))


def estimate(
    model: str, category: str, figures: dict[str, Figure], fits: dict[tuple[str, str], Fit]
) -> DefaultFigure | None:
    """The model's estimate for the category from its usable related benchmark with the
    smallest held-out error (then the first by name), or None when it has none."""
    usable = [
        (fits[category, b], figures[b])
        for b in PREDICTORS[category]
        if b in figures and (category, b) in fits
    ]
    if not usable:
        return None
    fit, figure = min(usable, key=lambda pair: (pair[0].held_out_pts, pair[0].benchmark))
    return DefaultFigure(
        model=model,
        category=category,
        accuracy=fit.predict(figure.value),
        estimated=True,
        held_out_pts=fit.held_out_pts,
        source=(
            f"estimated from {fit.benchmark} (±{fit.held_out_pts:.1f} pts held-out) onto the "
            f"{BENCHMARK_CITATION.split(' (')[0]} {category} scale; {figure.source}: "
            f"{figure.source_model} = {figure.value * 100:.1f} mapped to {model}"
        ),
    )


@cache
def fitted(folder: str = str(BENCHMARK_DIR)) -> dict[tuple[str, str], Fit]:
    """Every (category, predictor) fit whose held-out error is within MAX_HELD_OUT_PTS."""
    fits = {}
    for category, benchmarks in PREDICTORS.items():
        for benchmark in benchmarks:
            pairs = training_pairs(folder, category, benchmark)
            if len(pairs) < MIN_PAIRS:
                continue
            fit = fit_pairs(category, benchmark, pairs)
            if fit.slope > 0 and fit.held_out_pts <= MAX_HELD_OUT_PTS:
                fits[category, benchmark] = fit
    return fits


def all_fits(folder: str = str(BENCHMARK_DIR)) -> list[Fit]:
    """Every fit with enough pairs, used or not (for the report of held-out errors)."""
    return [
        fit_pairs(category, benchmark, pairs)
        for category, benchmarks in PREDICTORS.items()
        for benchmark in benchmarks
        if len(pairs := training_pairs(folder, category, benchmark)) >= MIN_PAIRS
    ]


def training_pairs(folder: str, category: str, benchmark: str) -> list[tuple[float, float]]:
    """(predictor, reference) per reference *source* model that has both.

    A reference model mapped to several catalog ids (the same weights on several providers)
    counts once, with the first of its ids (alphabetically) that has the predictor figure.
    """
    by_model = predictor_figures()
    pairs = []
    for ids, scores in reference_models(folder):
        if category not in scores:
            continue
        rated = [by_model[i][benchmark] for i in ids if benchmark in by_model.get(i, {})]
        figure = rated[0] if rated else None
        if figure is not None:
            pairs.append((figure.value, scores[category]))
    return pairs


def fit_pairs(category: str, benchmark: str, pairs: list[tuple[float, float]]) -> Fit:
    """Least squares on the logit scale, and the leave-one-out RMS error in points:

    held_out = sqrt(mean_i (expit(a_-i + b_-i logit x_i) - y_i)^2) x 100,

    a_-i, b_-i fitted without pair i.
    """
    a, b = _least_squares(pairs)
    errors = []
    for i, (x, y) in enumerate(pairs):
        a_i, b_i = _least_squares(pairs[:i] + pairs[i + 1 :])
        errors.append((_expit(a_i + b_i * _logit(x)) - y) * 100)
    rms = math.sqrt(statistics.fmean(e * e for e in errors))
    return Fit(category, benchmark, a, b, len(pairs), rms)


def _least_squares(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    xs = [_logit(x) for x, _ in pairs]
    ys = [_logit(y) for _, y in pairs]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def _logit(p: float) -> float:
    p = min(max(p, CLIP), 1 - CLIP)
    return math.log(p / (1 - p))


def _expit(z: float) -> float:
    return 1 / (1 + math.exp(-z))
