"""Reading and writing price-sheet files, with errors that name the file, model and field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from pricing.schema import ApiPriceSheet, PriceSheet, SelfHostedSheet

SHEET_KINDS = {"api": ApiPriceSheet, "self_hosted": SelfHostedSheet}
MAX_SHEET_BYTES = 5_000_000
MAX_EXPONENT = 15  # no figure in a sheet reaches 10^16 (prices, token counts, GPU costs)


def load_sheet(path: Path) -> PriceSheet:
    """Parse and validate one sheet file; raise InputError naming what is wrong."""
    raw = _read_json(path)
    return parse_sheet(raw, str(path))


def parse_sheet(raw: Any, source: str) -> PriceSheet:
    """Validate already-parsed JSON as a price sheet."""
    if not isinstance(raw, dict):
        raise InputError(source, f"a price sheet is a JSON object, not {type(raw).__name__}")
    kind = raw.get("kind", "api")
    if not isinstance(kind, str) or kind not in SHEET_KINDS:
        known = ", ".join(SHEET_KINDS)
        raise InputError(source, f"unknown sheet kind {kind!r} (known: {known})", field="kind")
    try:
        return SHEET_KINDS[kind].model_validate(raw)
    except ValidationError as exc:
        raise _located(exc, raw, source) from None


def dump_sheet(sheet: PriceSheet) -> str:
    """The file text for a sheet: stable key order, no empty fields, numbers as numbers."""
    data = sheet.model_dump(mode="python", exclude_none=True, exclude_defaults=False)
    _drop_empty(data)
    data["models"] = [_id_first(model) for model in data["models"]]
    return json.dumps(data, indent=2, default=_json_default, ensure_ascii=False) + "\n"


def _read_json(path: Path) -> Any:
    """A sheet's JSON: a regular file of at most 5 MB, numbers bounded before they are built."""
    data = read_regular_file(path, MAX_SHEET_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    try:
        return json.loads(
            text,
            parse_float=_bounded_decimal,
            parse_int=_bounded_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except _TooLarge as exc:
        raise InputError(str(path), str(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(str(path), f"not valid JSON: {exc}") from None


class _TooLarge(ValueError):
    pass


def _bounded_decimal(text: str) -> Decimal:
    """A JSON number as a Decimal, refused when it is absurdly large: 1e9999999 would
    otherwise take seconds to turn into an integer and slip through as a price."""
    value = Decimal(text)
    if value.is_finite() and value != 0 and value.adjusted() > MAX_EXPONENT:
        raise _TooLarge(f"the number {text[:20]} is too large (at most 1e{MAX_EXPONENT})")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_EXPONENT + 1:
        raise _TooLarge(f"the number {text[:20]}... is too large (at most 1e{MAX_EXPONENT})")
    return int(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a price")


def _located(exc: ValidationError, raw: dict, source: str) -> InputError:
    errors = exc.errors()
    first = errors[0]
    loc = list(first["loc"])
    record, rest = _record_of(loc, raw)
    field = ".".join(str(part) for part in rest)
    message = _plain(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InputError(source, message, record=record, field=field)


def _record_of(loc: list, raw: dict) -> tuple[str, list]:
    """Split a pydantic location into the model it points at and the field path inside it."""
    if len(loc) >= 2 and loc[0] == "models" and isinstance(loc[1], int):
        models = raw.get("models")
        entry = models[loc[1]] if isinstance(models, list) and loc[1] < len(models) else None
        model_id = entry.get("id") if isinstance(entry, dict) else None
        name = f"model '{model_id}'" if isinstance(model_id, str) else f"model #{loc[1] + 1}"
        return name, loc[2:]
    return "", loc


def _plain(error: dict) -> str:
    if error["type"] == "missing":
        return "is missing"
    if error["type"] == "extra_forbidden":
        return "is not a known field (check the spelling)"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _id_first(model: dict) -> dict:
    """Write a model's id, name and tier before its prices, so a reviewer reads it first."""
    head = {key: model[key] for key in ("id", "name", "tier") if key in model}
    return {**head, **{k: v for k, v in model.items() if k not in head}}


def _drop_empty(data: Any) -> None:
    if isinstance(data, dict):
        for key in [k for k, v in data.items() if v in ([], {}) or (k == "deprecated" and not v)]:
            del data[key]
        for value in data.values():
            _drop_empty(value)
    elif isinstance(data, list):
        for item in data:
            _drop_empty(item)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # The shortest float repr of a price with up to 15 significant digits reads back
        # as the same Decimal (json.loads with parse_float=Decimal), so nothing drifts.
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"price {value} has more digits than a sheet can hold")
        return as_float
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__}")
