"""The cascade file: cascades and routers declared for task classes, read strictly.

A JSON object with an optional `notes` (what the file was built from), a list `cascades` and
a list `routers`:

    {"notes": "...",
     "cascades": [{"name": "haiku first", "task_class": "Support ticket triage",
                   "models": ["anthropic/claude-haiku-5-5", "anthropic/claude-sonnet-5-5"],
                   "checks": [{"kind": "tests", "cost_per_task_usd": 0.0,
                               "true_accept": 0.95, "false_accept": 0.1,
                               "source": "where the rates were measured"}],
                   "assume_independent": false}],
     "routers": [{"name": "my router", "task_class": "Code review",
                  "overhead_cost_per_task_usd": 0.0001, "source": "router eval of ...",
                  "samples": [{"eval_task": "code_review", "sample_id": "pr-001",
                               "routed_to": "openai/gpt-5-mini", "score": 1}]}]}

Every problem is one InputError naming the file, the cascade or router, and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from foundation.errors import InputError, raise_all
from foundation.inputs import (
    NonEmptyText,
    Note,
    Share,
    StrictRecord,
    Usd,
    parse_record,
    read_regular_file,
)
from foundation.tables import did_you_mean
from planner.cascade import Cascade, Check, CheckKind
from planner.evals.samples import json_of
from planner.router import RoutedSample, Router

MAX_ROUTED_SAMPLES = 100_000
MAX_OPTIONS = 200


class CheckRecord(StrictRecord):
    kind: CheckKind
    cost_per_task_usd: Usd
    true_accept: Share
    false_accept: Share
    source: Note  # where the rates were measured: required, a rate is never assumed

    @model_validator(mode="after")
    def _sourced(self):
        if not self.source:
            raise ValueError("a check's rates need their source (where they were measured)")
        return self


class CascadeRecord(StrictRecord):
    name: NonEmptyText
    task_class: NonEmptyText
    models: Annotated[list[NonEmptyText], Field(min_length=2, max_length=6)]
    checks: list[CheckRecord]
    assume_independent: bool = False

    @model_validator(mode="after")
    def _one_check_between_steps(self):
        if len(self.checks) != len(self.models) - 1:
            raise ValueError(
                f"needs one check between each two models: {len(self.models) - 1} for "
                f"{len(self.models)} models, not {len(self.checks)}"
            )
        return self


class RoutedRecord(StrictRecord):
    eval_task: NonEmptyText
    sample_id: NonEmptyText
    routed_to: NonEmptyText
    score: Share


class RouterRecord(StrictRecord):
    name: NonEmptyText
    task_class: NonEmptyText
    overhead_cost_per_task_usd: Usd
    source: Note
    samples: Annotated[list[RoutedRecord], Field(min_length=1, max_length=MAX_ROUTED_SAMPLES)]


class OptionsFile(StrictRecord):
    notes: Note = ""
    cascades: Annotated[list[dict], Field(default_factory=list, max_length=MAX_OPTIONS)]
    routers: Annotated[list[dict], Field(default_factory=list, max_length=MAX_OPTIONS)]


def load_options(
    path: Path | str, known_models: set[str] | None = None
) -> tuple[tuple[Cascade, ...], tuple[Router, ...]]:
    return parse_options(read_regular_file(path), str(path), known_models)


def parse_options(
    data: bytes | str, source: str, known_models: set[str] | None = None
) -> tuple[tuple[Cascade, ...], tuple[Router, ...]]:
    """(cascades, routers) declared in the file; every model must be in `known_models`."""
    raw = json_of(data, source)
    if not isinstance(raw, dict):
        raise InputError(source, "must be a JSON object with 'cascades' and/or 'routers'")
    top = parse_record(OptionsFile, raw, source, strict=True)
    if not top.cascades and not top.routers:
        raise InputError(source, "declares no cascade and no router", field="cascades")
    cascades, routers, errors = [], [], []
    names: set[str] = set()
    for k, item in enumerate(top.cascades):
        try:
            cascades.append(_cascade(item, source, k, known_models, names))
        except InputError as exc:
            errors.append(exc)
    for k, item in enumerate(top.routers):
        try:
            routers.append(_router(item, source, k, known_models, names))
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return tuple(cascades), tuple(routers)


def _where(kind: str, k: int, item) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    return f"{kind} {k + 1}" + (f" '{name}'" if isinstance(name, str) and name else "")


def _cascade(item, source, k, known, names) -> Cascade:
    where = _where("cascade", k, item)
    if not isinstance(item, dict):
        raise InputError(source, "must be a JSON object", record=where)
    row = parse_record(CascadeRecord, item, source, where, strict=True)
    _unique(row.name, names, source, where)
    for j, model in enumerate(row.models):
        _known(model, known, source, where, f"models.{j}")
    checks = tuple(
        Check(c.kind, c.cost_per_task_usd, c.true_accept, c.false_accept, c.source)
        for c in row.checks
    )
    return Cascade(row.name, row.task_class, tuple(row.models), checks, row.assume_independent)


def _router(item, source, k, known, names) -> Router:
    where = _where("router", k, item)
    if not isinstance(item, dict):
        raise InputError(source, "must be a JSON object", record=where)
    row = parse_record(RouterRecord, item, source, where, strict=True)
    _unique(row.name, names, source, where)
    seen: set[tuple[str, str]] = set()
    for j, s in enumerate(row.samples):
        _known(s.routed_to, known, source, where, f"samples.{j}.routed_to")
        if (s.eval_task, s.sample_id) in seen:
            raise InputError(
                source, f"sample '{s.sample_id}' is listed twice", where, f"samples.{j}"
            )
        seen.add((s.eval_task, s.sample_id))
    samples = tuple(
        RoutedSample(s.eval_task, s.sample_id, s.routed_to, s.score) for s in row.samples
    )
    return Router(row.name, row.task_class, row.overhead_cost_per_task_usd, samples, row.source)


def _unique(name: str, names: set[str], source: str, where: str) -> None:
    if name.casefold() in names:
        raise InputError(source, f"the name '{name}' is used twice", record=where, field="name")
    names.add(name.casefold())


def _known(model: str, known: set[str] | None, source: str, where: str, field: str) -> None:
    if known is not None and model not in known:
        hint = did_you_mean(model, sorted(known))
        raise InputError(source, f"'{model}' is not a catalog model id{hint}", where, field)
