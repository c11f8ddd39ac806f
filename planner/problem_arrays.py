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
    """The priced pairs: T x (M + 1) arrays, M options and an empty last column for today's
    process (`usable` and the sources cover the options only)."""

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


BLOCK = 4096  # classes priced at once: bounds the memory of the T x M temporaries


def price_grid(classes, group_of, group_rows, options: list[Quote],
               scenario: PriceScenario) -> Grid:  # fmt: skip
    """Cost, accuracy and tokens of every usable pair; NaN where a pair may not be used."""
    n_t, n_m = len(classes), len(options)
    texts: list[dict[int, str]] = [{} for _ in group_rows]
    rows = _group_arrays(group_rows, {q.model_id: m for m, q in enumerate(options)}, texts)
    models = _model_arrays(options, scenario)
    task = _class_arrays(classes)
    allowed = _allowed(classes, [q.provider for q in options])
    # One column more than the options, left empty: the caller's status-quo column.
    out = {k: np.full((n_t, n_m + 1), np.nan) for k in ("cost", "accuracy", "accuracy_any")}
    out |= {k: np.zeros((n_t, n_m + 1)) for k in ("input", "output")}
    usable = np.zeros((n_t, n_m), dtype=bool)
    too_long: dict[tuple[int, int], tuple[int, int]] = {}
    for start in range(0, n_t, BLOCK):
        block = slice(start, min(start + BLOCK, n_t))
        mine = {k: v[group_of[block]] for k, v in rows.items()}  # T x M from the groups
        klass = {k: v[block, None] for k, v in task.items()}
        priced = _price_block(mine, klass, allowed[block], models, options)
        for k in out:
            out[k][block, :n_m] = priced[k]
        usable[block] = priced["usable"]
        for t, m in zip(*np.nonzero(priced["too_long"]), strict=True):
            too_long[(start + int(t), int(m))] = (
                int(models["window"][m]),
                int(priced["need"][t, m]),
            )
    sources = PairSources(group_of, texts, usable, {})
    return Grid(out["cost"], out["accuracy"], out["accuracy_any"], out["input"], out["output"],
                sources, too_long)  # fmt: skip


def _price_block(row, task, allowed, models, options) -> dict[str, np.ndarray]:
    """One block of classes on every option, elementwise (the per-pair arithmetic)."""
    has = row["has"]
    tin = np.where(np.isnan(row["input"]), task["input"], row["input"])
    tout = np.where(np.isnan(row["output"]), task["output"], row["output"])
    scaled = np.isnan(row["output"]) & ~np.isnan(row["factor"])
    tout = np.where(scaled, tout * np.where(scaled, row["factor"], 1.0), tout)
    need = np.ceil(tin + tout)
    candidate = has & allowed
    fits = need <= models["window"][None, :]
    ok = candidate & fits
    by_tokens = ok & np.isnan(row["cost"])
    cost = np.where(ok & ~by_tokens, row["cost"] * models["factor"][None, :], np.nan)
    rates = _rates(options, tin, by_tokens)
    s, b = task["cached"], task["batch"]

    def at(batch: int) -> np.ndarray:
        p_in, p_cached, p_out = rates[batch]
        return (tin * (1 - s) * p_in + tin * s * p_cached + tout * p_out) / 1_000_000

    by_token_cost = (1 - b) * at(0) + np.where(b != 0, b * at(1), 0.0)
    return {
        "cost": np.where(by_tokens, by_token_cost, cost),
        "accuracy": np.where(ok, row["accuracy"], np.nan),
        "accuracy_any": np.where(has, row["accuracy"], np.nan),
        "input": np.where(ok, tin, 0.0),
        "output": np.where(ok, tout, 0.0),
        "usable": ok,
        "too_long": candidate & ~fits,
        "need": need,
    }


def _rates(options: list[Quote], tin: np.ndarray, used: np.ndarray) -> list[list[np.ndarray]]:
    """[standard, batch] x [input, cached input, output] rates per million tokens, T x M:
    each option's rates per long-context tier, looked up once per tier (from the first class
    in it, as the per-pair function's cache does; the tier alone decides them)."""
    flat = np.zeros((2, 3, len(options)))  # options without tiers: one rate for every class
    tiered = []
    for m in np.flatnonzero(used.any(axis=0)).tolist():
        prices = options[m].prices
        if prices.long_context:
            tiered.append(m)
        else:
            flat[:, :, m] = _looked_up(prices, 0)
    rates = [[np.broadcast_to(flat[b, j], tin.shape).copy() for j in range(3)] for b in range(2)]
    prompt = np.floor(tin)  # int(input_tokens): the prompt size that picks the tier
    for m in tiered:
        tiers = [int(t.above_input_tokens) for t in options[m].prices.long_context]
        key = np.zeros(tin.shape[0], dtype=np.int64)
        for k, above in enumerate(tiers):
            key |= (prompt[:, m] > above).astype(np.int64) << k
        for value in np.unique(key[used[:, m]]):
            members = key == value
            first = int(prompt[np.argmax(members & used[:, m]), m])
            looked = _looked_up(options[m].prices, first)
            for b in range(2):
                for j in range(3):
                    rates[b][j][members, m] = looked[b, j]
    return rates


def _looked_up(prices, prompt: int) -> np.ndarray:
    """[standard, batch] x [input, cached input, output] rates for a prompt of this size."""
    out = np.zeros((2, 3))
    for b in (0, 1):
        r = rates_for(prices, prompt, bool(b))
        out[b] = [float(r.input_per_mtok), float(r.cached_input_per_mtok), float(r.output_per_mtok)]
    return out


def _model_arrays(options: list[Quote], scenario: PriceScenario) -> dict[str, np.ndarray]:
    """Per option: its context window (inf when none) and the scenario's price factor."""
    windows = [q.prices.context_window_tokens for q in options]
    return {
        "window": np.array([np.inf if w is None else w for w in windows], dtype=float),
        "factor": np.array([float(scenario.factor(q.provider, q.model)) for q in options]),
    }


def _group_arrays(group_rows, column_of: dict[str, int], texts) -> dict[str, np.ndarray]:
    """Per class group and option (G x M): the row there (has, accuracy, measured overrides,
    NaN for none); each row's source text is recorded in `texts[group][option]`."""
    shape = (len(group_rows), len(column_of))
    out = {k: np.full(shape, np.nan) for k in ("accuracy", "input", "output", "factor", "cost")}
    out["has"] = np.zeros(shape, dtype=bool)
    for g, rows in enumerate(group_rows):
        for model_id, row in rows.items():
            m = column_of.get(model_id)
            if m is None:
                continue
            out["has"][g, m] = True
            out["accuracy"][g, m] = row.accuracy
            for key, value in (("input", row.input_tokens), ("output", row.output_tokens),
                               ("factor", row.output_tokens_factor),
                               ("cost", row.cost_per_task_usd)):  # fmt: skip
                if value is not None:
                    out[key][g, m] = value
            texts[g][m] = row.source
    return out


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
