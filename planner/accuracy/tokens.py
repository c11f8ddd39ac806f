"""Reasoning models' token overhead, from the benchmarks that record what a run cost.

SWE-bench bash-only (Epoch) and the Aider polyglot leaderboard ran every model on the same
tasks with the same harness, so for a model priced on its maker's own API

    implied tokens per task (millions) = USD per task / ((3 x input + output) / 4)

at the list prices in force on the run date, in the catalog the caller passes. The baseline
is the median over the runs without reasoning; a reasoning run above it gets

    factor = implied tokens / baseline,

which multiplies the class's nominal output tokens (reasoning tokens bill as output) in the
categories these benchmarks stand for (TOKEN_CATEGORIES). Models below the baseline keep the
class's nominal tokens. The factors follow the catalog: a price sheet that moves a model's
run-date price moves its factor, and a model the catalog does not price gets none.
"""

from __future__ import annotations

import re
import statistics
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

from planner.accuracy.mapping import model_map
from planner.accuracy.reference import DefaultFigure
from planner.accuracy.sources import AIDER, EPOCH, aider_efforts, aider_runs, swe_bash_runs
from pricing.catalog import Catalog

SWE_BASH = "SWE-bench bash-only (Epoch)"
AIDER_POLYGLOT = "Aider polyglot"
TOKEN_CATEGORIES = ("code", "agentic")
# Makers priced on their own API: the run's cost is at that price. Open-weights runs are left
# out, since the host the harness paid is not recorded (DeepSeek V3.2's $0.45 a task would
# be 1.7M tokens at DeepSeek's own price).
FIRST_PARTY = ("openai", "anthropic", "google", "x-ai")
# An Epoch model version with an effort or thinking-budget suffix is a reasoning run.
_EFFORT = re.compile(r"_(minimal|low|medium|high|xhigh|\d+K)$")


@dataclass(frozen=True)
class CostSource:
    """A benchmark that ran every model on the same tasks with the same harness and recorded
    what each run cost: `runs()` gives source model -> (USD per task, date run), `reasoning`
    says whether a source model name is a reasoning run, `folder` holds its model_map.csv."""

    name: str
    folder: Path
    runs: Callable[[], dict[str, tuple[float, date]]]
    reasoning: Callable[[str], bool]


@dataclass(frozen=True)
class TokenFactor:
    """How many more tokens a reasoning model spends per task than list price suggests."""

    model: str
    factor: float
    source_model: str
    cost_usd: float
    implied_mtok: float
    baseline_mtok: float
    source: str = SWE_BASH


@dataclass(frozen=True)
class SourceFactors:
    """One source's verdict: the models it measured (`covered`) and those above its baseline."""

    covered: frozenset[str]
    factors: dict[str, TokenFactor]


def _aider_reasoning(name: str) -> bool:
    """Aider's names say effort loosely ("o3", "gpt-5 (medium)", "(no think)"): the mapping's
    `effort` column says it; "none" is a run without reasoning."""
    return aider_efforts().get(name, "none") != "none"


@cache
def cost_sources() -> tuple[CostSource, ...]:
    """The cost sources in order of preference: where an earlier one measured a model, a later
    one is not asked (SWE-bench bash-only first: 500 tasks, one agent, a mean cost per task;
    Aider is one run of 225 exercises per model)."""
    return (
        CostSource(SWE_BASH, EPOCH, swe_bash_runs, lambda name: bool(_EFFORT.search(name))),
        CostSource(AIDER_POLYGLOT, AIDER, aider_runs, _aider_reasoning),
    )


@cache
def shipped_catalog() -> Catalog:
    """The price sheets under data/price_sheets, for a caller that has no catalog of its own."""
    return Catalog.load()


# A catalog is read-only once loaded: its factors are kept while it lives.
_FACTORS: weakref.WeakKeyDictionary[Catalog, dict[str, TokenFactor]] = weakref.WeakKeyDictionary()


def token_factors(catalog: Catalog) -> dict[str, TokenFactor]:
    """Catalog id -> output-token factor, for reasoning models that a cost source shows
    spending more tokens per task than other models, at this catalog's prices.

    Sources are asked in `cost_sources` order; a model one source measured is settled there,
    whether it got a factor or not, so a later source never overrides an earlier verdict.
    """
    found = _FACTORS.get(catalog)
    if found is None:
        settled: set[str] = set()
        out: dict[str, TokenFactor] = {}
        for source in cost_sources():
            verdict = source_factors(source, catalog)
            out.update({m: f for m, f in verdict.factors.items() if m not in settled})
            settled |= verdict.covered
        found = _FACTORS[catalog] = dict(sorted(out.items()))
    return found


def source_factors(source: CostSource, catalog: Catalog) -> SourceFactors:
    """One source's factors (the module docstring has the method): only models on their
    maker's own API (FIRST_PARTY) count; the baseline is the median of those run without
    reasoning; a reasoning run above it gets factor = its tokens / baseline."""
    implied = implied_tokens(source, catalog)
    plain = [mtok for name, _, mtok in implied.values() if not source.reasoning(name)]
    if not plain:
        return SourceFactors(frozenset(), {})
    baseline = statistics.median(plain)
    factors = {
        model: TokenFactor(model, mtok / baseline, name, cost, mtok, baseline, source.name)
        for model, (name, cost, mtok) in sorted(implied.items())
        if source.reasoning(name) and mtok > baseline
    }
    return SourceFactors(frozenset(implied), factors)


def implied_tokens(source: CostSource, catalog: Catalog) -> dict[str, tuple[str, float, float]]:
    """Catalog id -> (source model, USD per task, millions of tokens a task took), for the
    first-party models whose preferred run with a cost has a list price on its run date."""
    runs = source.runs()
    implied: dict[str, tuple[str, float, float]] = {}
    for catalog_id, names in model_map(source.folder).items():
        name = next((n for n in names if n in runs), None)
        if name is None or catalog_id.partition("/")[0] not in FIRST_PARTY:
            continue
        cost, run_date = runs[name]
        try:
            prices = catalog.quote(catalog_id, run_date).prices
        except LookupError:
            continue
        blended = (3 * float(prices.input_per_mtok) + float(prices.output_per_mtok)) / 4
        if blended > 0:
            implied[catalog_id] = (name, cost, cost / blended)
    return implied


def with_token_factor(figure: DefaultFigure, factors: Mapping[str, TokenFactor]) -> DefaultFigure:
    """The figure with its model's factor and a note of where it comes from, in the
    categories the cost sources stand for; unchanged elsewhere."""
    found = factors.get(figure.model) if figure.category in TOKEN_CATEGORIES else None
    if found is None:
        return figure
    note = (
        f"; output tokens x{found.factor:.2f}: {found.source} {found.source_model} cost "
        f"${found.cost_usd:.2f} a task = {found.implied_mtok * 1000:.0f}k tokens at list price, "
        f"against a median of {found.baseline_mtok * 1000:.0f}k for models without reasoning"
    )
    return replace(figure, output_tokens_factor=found.factor, source=figure.source + note)
