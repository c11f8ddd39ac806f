"""The generic CSV read and checked column-wise by Arrow, for the forms most files use.

`GenericRow` (pydantic) is the one definition of a good generic row. This reader accepts a
file only when every cell is in a form that `GenericRow` accepts and turns into the same
value, and says so with vectorised checks; anything else (a bad cell, or a good cell in a
rarer form: Unix seconds, a time with an offset, `yes` for true, a padded or signed number)
returns None, and the caller validates the file with `GenericRow` as before, which gives
every bad row its located error. So a file is never accepted here that the strict reader
would refuse, and the stored values are the same either way
(tests/usage/test_import_fast.py compares the two on every form).

The forms taken here:
- timestamp: `YYYY-MM-DD`, or `YYYY-MM-DD hh:mm:ss[.ffffff]` (`T` or a space), no offset
  (UTC); or the whole column `YYYY-MM-DDThh:mm:ss[.ffffff]Z`; a real calendar day (Arrow's
  cast refuses 2026-02-30), 2000 <= year <= 2099;
- numbers: unsigned decimals (`12`, `12.5`, `.5`, `1e3`), finite, at most MAX_MAGNITUDE;
- flags: `true`, `false` (any case), `1`, `0`;
- text: no control or invisible character (`usage.rows.INVISIBLE`), no white space at either
  end (pydantic strips it: such a cell goes the strict way), at most the field's length.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from foundation.inputs import MAX_MAGNITUDE, MAX_TEXT
from usage.formats.common import csv_header, read_text_columns, tag_list
from usage.rows import COLUMNS, FIRST_YEAR, LAST_YEAR, skip_comments

# RE2 spellings of usage.rows.INVISIBLE, and of the white space pydantic strips (Unicode
# White_Space outside INVISIBLE) that may not start or end a cell taken here.
INVISIBLE_RE2 = r"\x00-\x1f\x7f-\x9f\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2060}-\x{2064}\x{feff}"
EDGE_SPACE_RE2 = r" \x{a0}\x{1680}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}"
EDGE, INSIDE = f"[^{INVISIBLE_RE2}{EDGE_SPACE_RE2}]", f"[^{INVISIBLE_RE2}]"
TEXT_RE2 = f"^{EDGE}({INSIDE}*{EDGE})?$"
TIME_RE2 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?)?$"
)
ZULU_RE2 = TIME_RE2.replace(")?)?$", ")?Z)$")  # a time is required before the Z
NUMBER_RE2 = r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
FLAGS = {"true": True, "false": False, "1": True, "0": False}
FIRST, END = datetime(FIRST_YEAR, 1, 1), datetime(LAST_YEAR + 1, 1, 1)  # as `usage.rows.Moment`

# GenericRow's columns: (store column, default for an empty cell) per kind.
TEXT = {"provider": ("provider_hint", ""), "team": ("team", None),
        "project": ("project", None), "user": ("user_id", None),
        "api_key": ("api_key", None), "workspace": ("workspace", None),
        "task_class": ("task_class", None)}  # fmt: skip
NUMBERS = {"input_tokens": 0.0, "cached_input_tokens": 0.0, "cache_write_tokens": 0.0,
           "output_tokens": 0.0, "requests": 1.0}  # fmt: skip
STORE_TYPES = dict(COLUMNS)


class NotTaken(Exception):
    """A cell this reader does not take: the file goes the strict way."""


def read_table(data: bytes) -> pa.Table | None:
    """A generic CSV as a table of the store's columns (`usage.rows.COLUMNS`, no natural
    key), or None when any cell is not in a form taken here (see the module)."""
    body, _ = skip_comments(data)
    names = csv_header(body)
    if not names or len(set(names)) != len(names) or not {"timestamp", "model"} <= set(names):
        return None
    try:
        return _store_table(read_text_columns(body, names))
    except (NotTaken, pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None


def _store_table(raw: pa.Table) -> pa.Table:
    n = raw.num_rows
    out: dict[str, pa.Array] = {"ts": _moments(raw.column("timestamp"))}
    out["raw_model"] = _text(raw.column("model"), MAX_TEXT, required=True)
    for name, (column, default) in TEXT.items():
        out[column] = _optional(raw, name, lambda c: _text(c, MAX_TEXT), default, n)
    out["tags"] = _optional(raw, "tags", _tags, None, n)
    for name in ("batch", "long_context"):
        out[name] = _optional(raw, name, _flags, False, n)
    for name, default in NUMBERS.items():
        out[name] = _optional(raw, name, _numbers, default, n)
    out["billed_cost_usd"] = _optional(raw, "billed_cost_usd", _numbers, None, n)
    return pa.table(
        {name: out.get(name, _absent(name, n)) for name, _ in COLUMNS},
        schema=pa.schema(COLUMNS),
    )


def _absent(name: str, n: int) -> pa.Array:
    """A store column the generic CSV does not fill, as `usage.rows.Parsed` fills it."""
    from usage.rows import _default

    return pa.repeat(pa.scalar(_default(name), STORE_TYPES[name]), n)


def _optional(raw: pa.Table, name: str, check, default, n: int):
    """A column checked by `check`, its empty cells the field's default; the default alone
    when the file has no such column."""
    kind = STORE_TYPES.get(TEXT.get(name, (name,))[0], pa.string())
    if name not in raw.column_names:
        return pa.repeat(pa.scalar(default, kind), n)
    checked = check(raw.column(name))
    return checked if default is None else pc.fill_null(checked, pa.scalar(default, kind))


def _all(mask) -> bool:
    """Whether every non-null entry of a boolean column is true."""
    return pc.all(mask).as_py() is not False


def _text(column: pa.ChunkedArray, limit: int, required: bool = False) -> pa.ChunkedArray:
    if required and column.null_count:
        raise NotTaken
    if not (_all(pc.match_substring_regex(column, TEXT_RE2))
            and _all(pc.less_equal(pc.utf8_length(column), limit))):  # fmt: skip
        raise NotTaken
    return column


def _tags(column: pa.ChunkedArray) -> pa.Array:
    """`tag_list` of each distinct cell (few: tags repeat), taken back to the rows."""
    _text(column, 2_000)
    coded = column.combine_chunks().dictionary_encode()
    lists = pa.array([tag_list(t) for t in coded.dictionary.to_pylist()], pa.string())
    return lists.take(coded.indices)


def _flags(column: pa.ChunkedArray) -> pa.ChunkedArray:
    lower = pc.utf8_lower(column)
    if not _all(pc.is_in(lower, pa.array(list(FLAGS)))):
        raise NotTaken
    return pc.or_(pc.equal(lower, "true"), pc.equal(lower, "1"))


def _numbers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not _all(pc.match_substring_regex(column, NUMBER_RE2)):
        raise NotTaken
    values = pc.cast(column, pa.float64())  # "1e999" is inf: refused just below
    if not _all(pc.and_(pc.is_finite(values), pc.less_equal(values, MAX_MAGNITUDE))):
        raise NotTaken
    return values


def _moments(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Naive UTC moments: the whole column without an offset, or the whole column in UTC
    with `Z` (pydantic compares such a time with the bounds at its clock reading, which is
    UTC's)."""
    if column.null_count:
        raise NotTaken
    if _all(pc.match_substring_regex(column, TIME_RE2)):
        moments = pc.cast(column, pa.timestamp("us"))  # ArrowInvalid for a day that is none
    elif _all(pc.match_substring_regex(column, ZULU_RE2)):
        moments = pc.cast(pc.cast(column, pa.timestamp("us", "UTC")), pa.timestamp("us"))
    else:
        raise NotTaken
    first, end = pa.scalar(FIRST, pa.timestamp("us")), pa.scalar(END, pa.timestamp("us"))
    if not _all(pc.and_(pc.greater_equal(moments, first), pc.less(moments, end))):
        raise NotTaken
    return moments
