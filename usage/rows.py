"""The store's row shape, and the column-wise strict parsing every export goes through.

A parser turns an export into `Parsed`: one list per column of `COLUMNS` (the same row count
in each) and every bad row as a located InputError. Rows are validated by pydantic against a
`StrictRecord`'s fields, one column at a time (`parse_columns`): the same types and messages
as `parse_rows`, ten times faster on a million-row CSV because the loop runs inside
pydantic-core instead of Python.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from foundation.errors import InputError
from foundation.inputs import MAX_TEXT, StrictRecord, describe, read_regular_file

# Text as exported: bounded, and without control or invisible characters (checked by a
# pattern so it runs inside pydantic-core; `foundation.inputs.Text` does the same in Python).
INVISIBLE = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff"
ExportText = Annotated[str, Field(max_length=MAX_TEXT, pattern=rf"^[^{INVISIBLE}]*$")]
TagsText = Annotated[str, Field(max_length=2_000, pattern=rf"^[^{INVISIBLE}]*$")]
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years an export's timestamps may name


class ExportRecord(StrictRecord):
    """A row of a vendor export: strict types, but unknown fields are ignored, because
    vendors add fields and an importer must not fail on them."""

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        allow_inf_nan=False,
        str_strip_whitespace=True,
        str_max_length=2_000,
    )


# (name, arrow type) of every column a parser produces, in the store's order.
COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("natural_key", pa.string()),
    ("ts", pa.timestamp("us")),
    ("raw_model", pa.string()),
    ("provider_hint", pa.string()),
    ("project", pa.string()),
    ("user_id", pa.string()),
    ("api_key", pa.string()),
    ("workspace", pa.string()),
    ("team", pa.string()),
    ("tags", pa.string()),
    ("task_class", pa.string()),
    ("service_tier", pa.string()),
    ("batch", pa.bool_()),
    ("long_context", pa.bool_()),
    ("requests", pa.float64()),
    ("input_tokens", pa.float64()),
    ("cached_input_tokens", pa.float64()),
    ("cache_write_tokens", pa.float64()),
    ("output_tokens", pa.float64()),
    ("billed_cost_usd", pa.float64()),
    # Layout 5: what the vendors' exports say beyond the columns above (all optional).
    ("source_kind", pa.string()),  # cost_line | usage_export | gateway_log | billing
    ("grain", pa.string()),  # the row's bucket: request | hour | day | month
    ("dimensions", pa.string()),  # JSON object of other dimensions the export groups by
    ("audio_input_tokens", pa.float64()),  # the part of input_tokens that is audio
    ("audio_output_tokens", pa.float64()),  # the part of output_tokens that is audio
    ("cache_write_1h_tokens", pa.float64()),  # the part of cache_write_tokens kept 1 hour
    ("failed_requests", pa.float64()),  # requests that failed (not in `requests`)
    ("charge_category", pa.string()),  # FOCUS ChargeCategory (Usage, Purchase, Credit, ...)
    ("focus_list_cost_usd", pa.float64()),  # FOCUS ListCost, where the export has it
    ("pricing_unit", pa.string()),  # FOCUS PricingUnit (Tokens, Requests, Hours, ...)
    ("pricing_quantity", pa.float64()),  # FOCUS PricingQuantity in that unit
    ("commitment_id", pa.string()),  # FOCUS CommitmentDiscountId
    ("repeats_per_tag", pa.bool_()),  # a tag table: the same spend once per tag, never summed
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
# What a row without a natural key of its format is known by: its first nineteen values, as
# layouts 1 to 4 hashed them (so a row stored then is recognised when exported again).
KEYLESS_KEY_COLUMNS = COLUMN_NAMES[1:20]
TEXT_DEFAULTS = {"provider_hint": ""}
NUMBER_COLUMNS = (
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "cache_write_1h_tokens",
    "failed_requests",
)


@dataclass
class Parsed:
    """An export read into store columns, and every bad row found on the way."""

    columns: dict[str, list[Any]] = field(default_factory=lambda: {n: [] for n in COLUMN_NAMES})
    errors: list[InputError] = field(default_factory=list)
    notes: dict[str, list[float]] = field(default_factory=dict)  # label -> [rows, USD]
    table: pa.Table | None = None  # every row already as store columns (read by Arrow)

    def note(self, label: str, usd: float | None) -> None:
        """Count a row that is read but not stored (e.g. a FOCUS commitment purchase)."""
        entry = self.notes.setdefault(label, [0, 0.0])
        entry[0] += 1
        entry[1] += usd or 0.0

    def __len__(self) -> int:
        if self.table is not None:
            return self.table.num_rows
        return len(self.columns["natural_key"])

    def add(self, key: str | None, **values: Any) -> None:
        """One row with its natural key; absent text is NULL, numbers 0, flags false."""
        values["natural_key"] = key
        for name in COLUMN_NAMES:
            self.columns[name].append(values.get(name, _default(name)))

    def extend(self, columns: Mapping[str, Sequence[Any]], count: int) -> None:
        """Many rows given by column; absent columns get their defaults."""
        for name in COLUMN_NAMES:
            if name in columns:
                self.columns[name].extend(columns[name])
            else:
                self.columns[name].extend([_default(name)] * count)

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table; an aware `ts` is converted to UTC, a naive one is
        taken as UTC."""
        if self.table is not None:
            return self.table
        return pa.table({name: pa.array(self.columns[name], type=kind) for name, kind in COLUMNS})


def _default(name: str) -> Any:
    if name in NUMBER_COLUMNS:
        return 0.0
    if name in ("batch", "long_context", "repeats_per_tag"):
        return False
    return TEXT_DEFAULTS.get(name)


def natural_key(fmt: str, *parts: Any, extra: Mapping[str, Any] | None = None) -> str:
    """A row's identity within its format: the same bucket and group always gives the same
    key, so re-importing an export (or an overlapping one) adds nothing twice, and a
    re-download with restated figures names the same rows (a key never holds a measured
    value). `extra` holds group-by dimensions added to a format later: only those present
    (not None) join the key, so a row exported without them keeps the key it had before."""
    extras = [f"{k}={v}" for k, v in sorted((extra or {}).items()) if v is not None]
    text = "\x1f".join("" if p is None else str(p) for p in (fmt, *parts, *extras))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def dimensions(**values: Any) -> str | None:
    """The other dimensions a row is grouped by, as JSON object text (None when none)."""
    present = {k: v for k, v in sorted(values.items()) if v is not None and v != ""}
    return json.dumps(present, separators=(",", ":"), ensure_ascii=False) if present else None


def grain_of(seconds: float | None) -> str:
    """The store's grain for a bucket this many seconds wide (1-minute buckets are `hour`:
    the finest grain the store tells apart above a single request)."""
    if seconds is None or seconds <= 3_600:
        return "hour"
    return "day" if seconds <= 86_400 else "month"


def in_years(moment: datetime) -> datetime:
    """A timestamp of the years an export may carry (2000 to 2099); else a ValueError."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be a time between {FIRST_YEAR} and {LAST_YEAR}")
    return moment


# Checked inside pydantic-core (an aware time is compared at its own clock reading).
Moment = Annotated[datetime, Field(ge=datetime(FIRST_YEAR, 1, 1), lt=datetime(LAST_YEAR + 1, 1, 1))]


def utc_naive(moment: datetime) -> datetime:
    """A datetime as naive UTC (naive input is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def timestamp_array(texts: Sequence[str | None], moments: Sequence[datetime]) -> pa.Array:
    """Naive UTC timestamps for a column of ISO 8601 texts, parsed by Arrow when the whole
    column has one form (all with an offset, or all without), else from the datetimes
    pydantic validated (slower, any form it accepts)."""
    column = pa.array(texts, pa.string())
    first = next((t for t in texts if t), "")
    offset = first.endswith(("Z", "z")) or (len(first) > 19 and first[-6] in "+-")
    for zoned in (offset, not offset):  # the likely form first: a failed cast costs a pass
        try:
            parsed = pc.cast(column, pa.timestamp("us", "UTC" if zoned else None))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return parsed.cast(pa.timestamp("us"))
    return pa.array([utc_naive(m) for m in moments], pa.timestamp("us"))


def from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


# -- column-wise validation ------------------------------------------------------------------


@cache
def _column_adapter(model: type[StrictRecord], name: str) -> TypeAdapter:
    info = model.model_fields[name]
    item = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return TypeAdapter(list[item | None])  # type: ignore[valid-type]


def parse_columns(
    model: type[StrictRecord],
    columns: Mapping[str, Sequence[Any]],
    count: int,
    source: str,
    first_row: int = 2,
) -> tuple[dict[str, list[Any]], list[InputError]]:
    """Every field of `model` validated down its column; empty cells become the default.

    Returns the validated columns and one InputError per bad row (its first bad field, in
    the model's field order), each naming the file, the row and the field. A required
    column that is absent is one error for the whole file.
    """
    out: dict[str, list[Any]] = {}
    bad: dict[int, InputError] = {}

    def row_label(index: int) -> str:
        return f"row {index + first_row}"

    for name, info in model.model_fields.items():
        values = columns.get(name)
        if values is None:
            if info.is_required():
                return {}, [InputError(source, "column is missing; it is required", field=name)]
            out[name] = [info.default] * count
            continue
        if "" in values:
            values = [None if v == "" else v for v in values]
        try:
            checked = _column_adapter(model, name).validate_python(values)
        except ValidationError as exc:
            checked = list(values)
            for error, (_, message) in zip(
                exc.errors(include_url=False), describe(exc), strict=True
            ):
                index = error["loc"][0]
                if isinstance(index, int) and index not in bad:
                    bad[index] = InputError(source, message, record=row_label(index), field=name)
        missing = [i for i, v in enumerate(checked) if v is None] if None in checked else []
        if missing and info.is_required():
            for i in missing:
                bad.setdefault(
                    i, InputError(source, "is empty; it is required", row_label(i), name)
                )
        if missing:
            checked = [info.default if v is None else v for v in checked]
        out[name] = checked
    return out, [bad[i] for i in sorted(bad)]


# -- small CSV files (rules, mappings) ---------------------------------------------------


def skip_comments(data: bytes) -> tuple[bytes, int]:
    """The data without leading `#` comment lines (labels such as ILLUSTRATIVE), and how
    many lines were skipped (so row numbers still match the file)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    skipped = 0
    while data.startswith(b"#"):
        end = data.find(b"\n")
        data = b"" if end < 0 else data[end + 1 :]
        skipped += 1
    return data, skipped


def read_csv_records(path: str | Path) -> list[tuple[str, dict[str, str]]]:
    """("row N", cells) for every row of a small CSV file (N as a spreadsheet numbers it)."""
    source = str(path)
    data, skipped = skip_comments(read_regular_file(path))
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
        rows = [(f"row {i}", row) for i, row in enumerate(reader, start=skipped + 2)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(source, f"cannot be read as UTF-8 CSV: {exc}") from None
    out = []
    for where, row in rows:
        if None in row:
            raise InputError(source, "has more cells than the header", record=where)
        out.append((where, {k.strip(): (v or "").strip() for k, v in row.items() if k}))
    return out
