"""Every class priced on every model at once, as arrays (planner.problem.build_problem).

The quality row that applies to a class depends only on its category and on whether the
class has rows of its own, so classes are grouped by that key and each group's rows are read
once. Each model is then costed on every class in one pass of numpy, with the same formula,
in the same order of operations, as `planner.problem.cost_per_task`:

    c = (1 - b) r_std + b r_batch,   r = (in (1 - s) p_in + in s p_cached + out p_out) / 10^6

where the prompt size picks the long-context tier (its rates looked up once per model and
tier), s is the cached share and b the batch share. A row's measured cost per task, when
given, replaces c (times the scenario's factor for the model).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from planner.quality import QualityRow, QualityTable
from planner.workload import TaskClass
from pricing.catalog import Quote
from pricing.costing import rates_for
from pricing.scenario import PriceScenario


@dataclass(frozen=True)
class Grid:
    """The priced pairs: T x M arrays (M options, the status-quo column not included)."""

    cost: np.ndarray
    accuracy: np.ndarray
    accuracy_any: np.ndarray
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    sources: PairSources
    too_long: dict[tuple[int, int], tuple[int, int]]


class PairSources(Mapping):
    """(t, m) -> where the accuracy figure of a usable pair came from, read from each class
    group's rows on demand (a dict of every pair of a 20,000-class workload would hold
    millions of entries), plus any pairs added by `extra`."""

    def __init__(self, group_of: np.ndarray, texts: list[dict[int, str]], usable: np.ndarray,
                 extra: dict[tuple[int, int], str]):  # fmt: skip
        self._group_of, self._texts, self._usable, self._extra = group_of, texts, usable, extra

    def add(self, key: tuple[int, int], text: str) -> None:
        """A pair outside the grid (today's process)."""
        self._extra[key] = text

    def __getitem__(self, key: tuple[int, int]) -> str:
        if key in self._extra:
            return self._extra[key]
        if self._in_grid(key):
            return self._texts[self._group_of[key[0]]][key[1]]
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for t, m in zip(*np.nonzero(self._usable), strict=True):
            if (int(t), int(m)) not in self._extra:
                yield int(t), int(m)
        yield from self._extra

    def __len__(self) -> int:
        return int(self._usable.sum()) + sum(1 for k in self._extra if not self._in_grid(k))

    def _in_grid(self, key: tuple[int, int]) -> bool:
        t, m = key
        shape = self._usable.shape
        return 0 <= t < shape[0] and 0 <= m < shape[1] and bool(self._usable[t, m])


def class_groups(classes: tuple[TaskClass, ...], quality: QualityTable):
    """Per class, the index of its group, and each group's rows (model id -> row)."""
    keys: dict[object, int] = {}
    rows: list[dict[str, QualityRow]] = []
    group_of = np.empty(len(classes), dtype=np.int64)
    for t, task in enumerate(classes):
        key = quality.rows_key(task)
        if key not in keys:
            keys[key] = len(rows)
            rows.append(quality.for_class(task))
        group_of[t] = keys[key]
    return group_of, rows


def price_grid(classes, group_of, group_rows, options: list[Quote],
               scenario: PriceScenario) -> Grid:  # fmt: skip
    """Cost, accuracy and tokens of every usable pair; NaN where a pair may not be used."""
    n_t, n_m = len(classes), len(options)
    nan = np.full((n_t, n_m), np.nan)
    cost, acc, acc_any = nan.copy(), nan.copy(), nan.copy()
    tokens_in, tokens_out = np.zeros((n_t, n_m)), np.zeros((n_t, n_m))
    usable = np.zeros((n_t, n_m), dtype=bool)
    task = _class_arrays(classes)
    allowed = _allowed(classes, [q.provider for q in options])
    too_long: dict[tuple[int, int], tuple[int, int]] = {}
    texts: list[dict[int, str]] = [{} for _ in group_rows]
    for m, quote in enumerate(options):
        row = _row_arrays(group_rows, quote.model_id, texts, m)
        has = row["has"][group_of]
        acc_any[has, m] = row["accuracy"][group_of][has]
        over_in, over_out = row["input"][group_of], row["output"][group_of]
        tin = np.where(np.isnan(over_in), task["input"], over_in)
        tout = np.where(np.isnan(over_out), task["output"], over_out)
        factor = row["factor"][group_of]
        scaled = np.isnan(over_out) & ~np.isnan(factor)
        tout = np.where(scaled, tout * np.where(scaled, factor, 1.0), tout)
        need = np.ceil(tin + tout)
        window = quote.prices.context_window_tokens
        fits = np.ones(n_t, dtype=bool) if window is None else need <= window
        candidate = has & allowed[:, m]
        for t in np.flatnonzero(candidate & ~fits):
            too_long[(int(t), m)] = (int(window), int(need[t]))
        ok = candidate & fits
        usable[:, m] = ok
        tokens_in[ok, m], tokens_out[ok, m] = tin[ok], tout[ok]
        measured = row["cost"][group_of]
        by_tokens = ok & np.isnan(measured)
        per_task = np.full(n_t, np.nan)
        per_task[by_tokens] = _token_cost(quote, task, tin, tout, by_tokens)
        scen = float(scenario.factor(quote.provider, quote.model))
        per_task = np.where(ok & ~by_tokens, measured * scen, per_task)
        cost[ok, m] = per_task[ok]
        acc[ok, m] = row["accuracy"][group_of][ok]
    sources = PairSources(group_of, texts, usable, {})
    return Grid(cost, acc, acc_any, tokens_in, tokens_out, sources, too_long)


def _class_arrays(classes) -> dict[str, np.ndarray]:
    return {
        "input": np.array([c.input_tokens for c in classes], dtype=float),
        "output": np.array([c.output_tokens for c in classes], dtype=float),
        "cached": np.array([c.cached_input_share for c in classes], dtype=float),
        "batch": np.array([c.batch_share for c in classes], dtype=float),
    }


def _allowed(classes, providers: list[str]) -> np.ndarray:
    """T x M: may class t use a model of option m's provider?"""
    out = np.ones((len(classes), len(providers)), dtype=bool)
    names = np.array(providers, dtype=object)
    by_set: dict[frozenset[str], list[int]] = {}
    for t, task in enumerate(classes):
        if task.allowed_providers is not None:
            by_set.setdefault(task.allowed_providers, []).append(t)
    for allowed, members in by_set.items():
        out[members] = np.isin(names, list(allowed))[None, :]
    return out


def _row_arrays(group_rows, model_id: str, texts, m: int) -> dict[str, np.ndarray]:
    """Per class group: the model's row there (has, accuracy, measured overrides, NaN for
    none), and its source text recorded in `texts[group][m]`."""
    n = len(group_rows)
    out = {k: np.full(n, np.nan) for k in ("accuracy", "input", "output", "factor", "cost")}
    out["has"] = np.zeros(n, dtype=bool)
    for g, rows in enumerate(group_rows):
        row = rows.get(model_id)
        if row is None:
            continue
        out["has"][g] = True
        out["accuracy"][g] = row.accuracy
        for key, value in (("input", row.input_tokens), ("output", row.output_tokens),
                           ("factor", row.output_tokens_factor),
                           ("cost", row.cost_per_task_usd)):  # fmt: skip
            if value is not None:
                out[key][g] = value
        texts[g][m] = row.source
    return out


def _token_cost(quote: Quote, task, tin, tout, where: np.ndarray) -> np.ndarray:
    """`cost_per_task` for the classes in `where`, with each long-context tier's rates looked
    up once (from the first class in it, as the per-pair function's cache does)."""
    tin, tout = tin[where], tout[where]
    s, b = task["cached"][where], task["batch"][where]
    prompt = np.floor(tin)  # int(input_tokens): the prompt size that picks the tier
    thresholds = [int(t.above_input_tokens) for t in quote.prices.long_context]
    tier = np.zeros(len(tin), dtype=np.int64)
    for k, above in enumerate(thresholds):
        tier |= (prompt > above).astype(np.int64) << k
    rates = np.zeros((len(tin), 2, 3))
    for key in np.unique(tier):
        members = tier == key
        first = int(prompt[np.argmax(members)])
        for batch in (0, 1):
            r = rates_for(quote.prices, first, bool(batch))
            values = (r.input_per_mtok, r.cached_input_per_mtok, r.output_per_mtok)
            rates[members, batch] = [float(v) for v in values]

    def at(batch: int) -> np.ndarray:
        p_in, p_cached, p_out = rates[:, batch, 0], rates[:, batch, 1], rates[:, batch, 2]
        return (tin * (1 - s) * p_in + tin * s * p_cached + tout * p_out) / 1_000_000

    return (1 - b) * at(0) + np.where(b != 0, b * at(1), 0.0)
