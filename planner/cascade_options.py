"""Cascades and routers as plan options: one more column for their class, like a model.

Each declared cascade or router becomes a column of the planning problem for its class only,
with its cost per task c and accuracy a (planner.cascade, planner.router), so the LP, its
duals, break-evens and re-solves treat it exactly as a model. Its step models are priced on
the class as the plan prices them (the problem's own column where the model has one, else
through the catalog at the plan's date, scenario and the class's tokens); every step model's
provider must be allowed for the class. A column spanning providers is named by them all
("anthropic+openai"); a vendor cap or commitment on one of them is refused, since its spend
would have to be split between providers.

With `confidence` (0.8, 0.9, 0.95), a figure from n samples enters at the one-sided Wilson
lower bound, like every measured figure (planner.evals.evidence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from foundation.errors import InputError, raise_all
from planner.cascade import Cascade, CascadeFigures, cascade_figures, evidence_words
from planner.cascade import cost_per_task as cascade_cost
from planner.cascade_file import parse_options
from planner.evals.evidence import Z_ONE_SIDED
from planner.evals.figures import KeptSample, wilson
from planner.problem import (
    STATUS_QUO,
    PlanningProblem,
    context_reason,
    cost_per_task,
    plannable,
)
from planner.router import Router, RouterFigures, router_figures
from pricing.catalog import Catalog

CASCADE_TIER = "cascade"
ROUTER_TIER = "router"


class LeftOut(InputError):
    """An option the plan cannot have on its date; it is left out, not an error."""


@dataclass(frozen=True)
class OptionColumn:
    """A cascade or router priced and rated on its class, ready to be a plan column."""

    kind: str  # "cascade" or "router"
    name: str
    task: int  # the class's row in the problem
    label: str  # its column name: the steps in order
    models: tuple[str, ...]
    provider: str
    cost_per_task_usd: float
    accuracy: float  # as the plan uses it (at the confidence setting, if any)
    input_tokens: float  # expected tokens per task over its steps
    output_tokens: float
    evidence: str  # where the accuracy comes from, in words
    figures: CascadeFigures | RouterFigures


def option_columns(
    problem: PlanningProblem,
    catalog: Catalog,
    cascades: tuple[Cascade, ...],
    routers: tuple[Router, ...],
    samples: list[KeptSample],
    source: str = "cascades",
    confidence: float | None = None,
) -> tuple[list[OptionColumn], list[InputError]]:
    """(every declared option priced and rated on its class, the options left out).

    An option is left out, with the reason, where the plan cannot have it on its date (a step
    model retired, unpriced or illustrative then; its class not planned), as a model is; any
    other problem is a located error."""
    out, errors, left_out = [], [], []
    makers = [(_cascade_column, c) for c in cascades] + [(_router_column, r) for r in routers]
    for make, declared in makers:
        try:
            out.append(make(problem, catalog, declared, samples, source, confidence))
        except LeftOut as exc:
            left_out.append(exc)
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    _check_limits(problem, out, source)
    return out, left_out


def with_options(problem: PlanningProblem, columns: list[OptionColumn]) -> PlanningProblem:
    """The problem with one column per option, before the status-quo column (kept last)."""
    if not columns:
        return problem
    T, M = problem.cost.shape
    keeps_sq = problem.options[-1] == STATUS_QUO
    at = M - 1 if keeps_sq else M
    k = len(columns)
    new = {name: np.full((T, k), np.nan) for name in ("cost", "accuracy")}
    tokens = {name: np.zeros((T, k)) for name in ("input_tokens", "output_tokens")}
    sources = {key: text for key, text in problem.sources.items() if key[1] < at}
    for j, col in enumerate(columns):
        new["cost"][col.task, j] = col.cost_per_task_usd
        new["accuracy"][col.task, j] = col.accuracy
        tokens["input_tokens"][col.task, j] = col.input_tokens
        tokens["output_tokens"][col.task, j] = col.output_tokens
        sources[(col.task, at + j)] = f"{col.kind} '{col.name}': {col.evidence}"
    for (t, m), text in problem.sources.items():
        if m >= at:
            sources[(t, m + k)] = text

    def spliced(array: np.ndarray, extra: np.ndarray) -> np.ndarray:
        return np.hstack([array[:, :at], extra, array[:, at:]])

    def names(existing: tuple[str, ...], added: list[str]) -> tuple[str, ...]:
        return (*existing[:at], *added, *existing[at:])

    tiers = [CASCADE_TIER if c.kind == "cascade" else ROUTER_TIER for c in columns]
    return replace(
        problem,
        options=names(problem.options, [c.label for c in columns]),
        providers=names(problem.providers, [c.provider for c in columns]),
        tiers=names(problem.tiers, tiers),
        cost=spliced(problem.cost, new["cost"]),
        accuracy=spliced(problem.accuracy, new["accuracy"]),
        accuracy_any=spliced(problem.accuracy_any, new["accuracy"]),
        input_tokens=spliced(problem.input_tokens, tokens["input_tokens"]),
        output_tokens=spliced(problem.output_tokens, tokens["output_tokens"]),
        sources=sources,
    )


def without(problem: PlanningProblem, label: str) -> PlanningProblem:
    """The problem with one option's column left out (its pairs made ineligible)."""
    m = problem.options.index(label)
    cost = np.array(problem.cost)
    cost[:, m] = np.nan
    return replace(problem, cost=cost)


def _task_index(problem: PlanningProblem, name: str, source: str, where: str) -> int:
    for t, task in enumerate(problem.classes):
        if task.name.casefold() == name.casefold():
            return t
    known = ", ".join(c.name for c in problem.classes[:8])
    raise LeftOut(
        source, f"'{name}' is not a task class of the plan (the plan has: {known})", where,
        "task_class",
    )  # fmt: skip


def model_cost(
    problem: PlanningProblem, catalog: Catalog, t: int, model: str, source: str, where: str
) -> tuple[float, float, float]:
    """(cost per task, input tokens, output tokens) of `model` on class t, as the plan prices it."""
    task = problem.classes[t]
    if model in problem.options:
        m = problem.options.index(model)
        if not np.isnan(problem.cost[t, m]):
            if any(r.option == m for r in problem.replicas):
                why = "is priced as whole replicas; a step needs a cost per task"
                raise InputError(source, f"{model} {why}", where, "models")
            return (
                float(problem.cost[t, m]),
                float(problem.input_tokens[t, m]),
                float(problem.output_tokens[t, m]),
            )
    settings = problem.settings
    try:
        quote = catalog.quote(model, settings.as_of, settings.scenario)
    except LookupError:
        raise LeftOut(source, f"{model} has no price on {settings.as_of}", where,
                         "models") from None  # fmt: skip
    if not plannable(quote, settings):
        raise LeftOut(source, f"{model} is retired, deprecated or illustrative on "
                      f"{settings.as_of}: left out of this plan", where, "models")  # fmt: skip
    if not task.allows(model):
        raise InputError(source, f"{quote.provider} is not allowed for '{task.name}'", where,
                         "models")  # fmt: skip
    tin, tout = task.input_tokens, task.output_tokens
    window, need = quote.prices.context_window_tokens, math.ceil(tin + tout)
    if window is not None and need > window:  # as the problem leaves such pairs out
        raise InputError(source, f"{model}: {context_reason(window, need)}", where, "models")
    return cost_per_task(quote, task, tin, tout), float(tin), float(tout)


def _lowered(accuracy: float, n: int, confidence: float | None) -> float:
    if confidence is None or n <= 0:
        return accuracy
    return wilson(accuracy * n, n, Z_ONE_SIDED[confidence])[0]


def _cascade_column(problem, catalog, cascade: Cascade, samples, source, confidence):
    where = f"cascade '{cascade.name}'"
    t = _task_index(problem, cascade.task_class, source, where)
    priced = [model_cost(problem, catalog, t, m, source, where) for m in cascade.models]
    marginals = None
    if cascade.independent:
        marginals = [_marginal(problem, t, m, source, where) for m in cascade.models]
    figures = cascade_figures(cascade, samples, marginals, source)
    reach = figures.reach
    accuracy = figures.accuracy
    if not cascade.independent:  # independence uses figures already at the confidence
        accuracy = _lowered(accuracy, figures.n_joint, confidence)
    return OptionColumn(
        kind="cascade",
        name=cascade.name,
        task=t,
        label=f"{cascade.name}: {cascade.steps_label}",
        models=cascade.models,
        provider=_provider(cascade.models),
        cost_per_task_usd=cascade_cost([p[0] for p in priced], cascade.checks, reach),
        accuracy=accuracy,
        input_tokens=sum(r * p[1] for r, p in zip(reach, priced, strict=True)),
        output_tokens=sum(r * p[2] for r, p in zip(reach, priced, strict=True)),
        evidence=evidence_words(figures),
        figures=figures,
    )


def _router_column(problem, catalog, router: Router, samples, source, confidence):
    where = f"router '{router.name}'"
    t = _task_index(problem, router.task_class, source, where)
    priced = {m: model_cost(problem, catalog, t, m, source, where) for m in router.models}
    figures = router_figures(router, lambda m: priced[m][0], samples)
    ceiling = (
        f"; oracle routing of {figures.oracle_n:,} of the same samples reaches "
        f"{figures.oracle_accuracy:.1%}"
        if figures.oracle_accuracy is not None
        else "; no joint samples of its models for the oracle ceiling"
    )
    return OptionColumn(
        kind="router",
        name=router.name,
        task=t,
        label=f"{router.name}: {router.steps_label}",
        models=router.models,
        provider=_provider(router.models),
        cost_per_task_usd=figures.cost_per_task_usd,
        accuracy=_lowered(figures.accuracy, figures.n, confidence),
        input_tokens=sum(figures.shares[m] * priced[m][1] for m in router.models),
        output_tokens=sum(figures.shares[m] * priced[m][2] for m in router.models),
        evidence=f"its own eval run, n={figures.n:,}" + ceiling,
        figures=figures,
    )


def _marginal(problem: PlanningProblem, t: int, model: str, source: str, where: str) -> float:
    """The model's accuracy on the class as the plan has it (for the independence figure)."""
    if model in problem.options:
        value = problem.accuracy[t, problem.options.index(model)]
        if not np.isnan(value):
            return float(value)
    raise InputError(
        source,
        f"independence needs {model}'s accuracy on '{problem.classes[t].name}', and the plan "
        "has none",
        where,
        "assume_independent",
    )


def _provider(models: tuple[str, ...]) -> str:
    return "+".join(dict.fromkeys(m.split("/", 1)[0] for m in models))


def _check_limits(problem: PlanningProblem, columns: list[OptionColumn], source: str) -> None:
    """A vendor cap or commitment on one provider of a many-provider option is refused."""
    limited = set(problem.settings.vendor_caps) | set(problem.settings.commitments_usd)
    for col in columns:
        parts = col.provider.split("+")
        hit = sorted(limited & set(parts)) if len(parts) > 1 else []
        if hit:
            raise InputError(
                source,
                f"spans providers {', '.join(parts)}; a vendor cap or commitment on {hit[0]} "
                "cannot split its spend: remove the limit or use one provider's models",
                f"{col.kind} '{col.name}'",
                "models",
            )


def declared_columns(
    data: bytes | str,
    source: str,
    problem: PlanningProblem,
    catalog: Catalog,
    samples: list[KeptSample],
    confidence: float | None = None,
) -> tuple[list[OptionColumn], list[InputError]]:
    """The options a cascade file declares, priced and rated on `problem`, and those left
    out (see `option_columns`)."""
    cascades, routers = parse_options(data, source, set(catalog.model_ids()))
    return option_columns(problem, catalog, cascades, routers, samples, source, confidence)
