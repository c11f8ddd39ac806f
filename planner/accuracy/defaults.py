"""The default figures, in the order they are laid down:

1. reference figures (measured on LLMRouterBench's scale, planner.accuracy.reference);
2. estimates for the (model, category) gaps, if estimates are on (planner.accuracy.estimates);
3. reasoning models' output-token factors, at the caller's catalog (planner.accuracy.tokens);
4. the same figures for the same model sold by another provider (planner.accuracy.same_model).

A model never has two figures for one category, and a measured figure is never replaced.
PLANNER_ESTIMATES=0 (or `estimates=False`) turns estimates off: then only reference figures,
and the resold copies of them, are used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from planner.accuracy.estimates import estimate, fitted
from planner.accuracy.mapping import PREDICTORS, predictor_figures
from planner.accuracy.reference import DefaultFigure, reference_figures
from planner.accuracy.same_model import resold_figures
from planner.accuracy.tokens import TokenFactor, with_token_factor

ESTIMATES_ENV = "PLANNER_ESTIMATES"


def estimates_enabled() -> bool:
    """The setting: PLANNER_ESTIMATES=0, off or false turns estimated figures off."""
    return os.environ.get(ESTIMATES_ENV, "1").strip().lower() not in {"0", "off", "false", "no"}


@cache
def rated_figures(folder: str, estimates: bool = True) -> tuple[DefaultFigure, ...]:
    """Reference figures, then (if `estimates`) estimates for the gaps: the figures of the
    rated ids, before any token factor and before any resold copy."""
    reference = reference_figures(folder)
    out = list(reference)
    if estimates:
        have = {(f.model, f.category) for f in reference}
        fits = fitted(folder)
        for model, figures in sorted(predictor_figures().items()):
            for category in sorted(PREDICTORS):
                if (model, category) not in have:
                    found = estimate(model, category, figures, fits)
                    if found is not None:
                        out.append(found)
    return tuple(out)


def default_figures(
    folder: str,
    estimates: bool,
    factors: Mapping[str, TokenFactor],
    resold: bool = True,
) -> tuple[DefaultFigure, ...]:
    """The rated figures with the catalog's token `factors`, then (if `resold`) their copies
    for the same model sold elsewhere; sorted by model, then category."""
    key = tuple(sorted(factors.values(), key=lambda f: f.model))
    return _default_figures(folder, estimates, resold, key)


@cache
def _default_figures(
    folder: str, estimates: bool, resold: bool, factors: tuple[TokenFactor, ...]
) -> tuple[DefaultFigure, ...]:
    by_model = {f.model: f for f in factors}
    out = [with_token_factor(f, by_model) for f in rated_figures(folder, estimates)]
    if resold:
        out += resold_figures(out)
    return tuple(sorted(out, key=lambda f: (f.model, f.category)))
