"""Exported model names -> catalog models: the resolution itself lives in pricing.resolve
(the eval importers use it too); this module adds the user's mapping file of the usage side.
"""

from __future__ import annotations

from foundation.errors import InputError
from foundation.inputs import NonEmptyText, StrictRecord, parse_rows
from pricing.catalog import Catalog
from pricing.resolve import (  # noqa: F401  (re-exported: the usage side's names)
    BEDROCK,
    FIRST_PARTY,
    PROVIDER_NAMES,
    SNAPSHOT,
    UNRESOLVED,
    VARIANT,
    ModelIndex,
    Resolution,
    provider_of,
    resolve_model,
)
from usage.rows import read_csv_records


class MappingRow(StrictRecord):
    raw_model: NonEmptyText
    model: NonEmptyText


def load_model_mapping(path, catalog: Catalog) -> list[tuple[str, str, str]]:
    """(raw name, provider, model) for every row of a mapping file with the columns
    `raw_model,model` (model as `provider/model`, a catalog id). Every bad row is an error;
    the first one raised names its row and field."""
    source = str(path)
    records = read_csv_records(path)
    rows, errors = parse_rows(MappingRow, records, source)
    known = set(catalog.model_ids())
    for (where, _), row in zip(records, rows, strict=False):
        if not errors and row.model not in known:
            errors.append(InputError(source, f"'{row.model}' is not a catalog model id "
                                     "(provider/model)", where, "model"))  # fmt: skip
    if errors:
        raise errors[0]
    out = []
    for row in rows:
        provider, _, model = row.model.partition("/")
        out.append((row.raw_model, provider, model))
    return out
