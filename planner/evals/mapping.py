"""The eval mapping: which task class an eval task is, which catalog model an eval model is.

A CSV with columns `kind` (task or model), `name` (as the eval tool writes it) and `maps_to`
(a task class name, or a catalog id provider/model). A model name with no row is resolved
the way the usage side resolves exported names (pricing.resolve: exact id, route prefixes,
dated snapshots); a task with no row is taken as the class of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from foundation.errors import InputError, raise_all
from foundation.inputs import NonEmptyText, StrictRecord, parse_record
from foundation.tables import Columns, did_you_mean, read_file, records_of
from pricing.catalog import Catalog
from pricing.resolve import ModelIndex, resolve_model

MAPPING_COLUMNS = ("kind", "name", "maps_to")
_COLUMNS = Columns(MAPPING_COLUMNS, MAPPING_COLUMNS)


class MappingRecord(StrictRecord):
    kind: Literal["task", "model"]
    name: NonEmptyText
    maps_to: NonEmptyText


@dataclass(frozen=True)
class EvalMapping:
    tasks: dict[str, str] = field(default_factory=dict)  # eval task (lower) -> class
    models: dict[str, str] = field(default_factory=dict)  # eval model (lower) -> catalog id
    source: str = "no mapping file"

    def task_class(self, task: str) -> str:
        return self.tasks.get(task.strip().lower(), task.strip())

    def model_id(self, name: str, index: ModelIndex, hint: str = "") -> str | None:
        """The catalog id, from this file, else the usage side's resolution; None if neither."""
        mapped = self.models.get(name.strip().lower())
        if mapped:
            return mapped
        found = resolve_model(name, hint, index)
        return None if found.model is None else f"{found.provider}/{found.model}"


def load_eval_mapping(path: Path | str, catalog: Catalog) -> EvalMapping:
    return parse_eval_mapping(read_file(path), str(path), catalog)


def parse_eval_mapping(data: bytes | str, source: str, catalog: Catalog) -> EvalMapping:
    known = set(catalog.model_ids())
    tasks: dict[str, str] = {}
    models: dict[str, str] = {}
    errors = []
    for record in records_of(data, source, "csv", _COLUMNS, "mapping"):
        try:
            row = parse_record(MappingRecord, record.cells, source, record.where)
            if row.kind == "model" and row.maps_to not in known:
                hint = did_you_mean(row.maps_to, sorted(known))
                raise record.error("maps_to", f"'{row.maps_to}' is not a catalog model id{hint}")
        except InputError as exc:
            errors.append(exc)
            continue
        (tasks if row.kind == "task" else models)[row.name.lower()] = row.maps_to
    raise_all(errors)
    return EvalMapping(tasks, models, source)
