"""Keys and rule patterns computed once in Python, so every engine reads the same values.

No engine's own hash function: DuckDB's, ClickHouse's `cityHash64` and Spark's all
differ, and their unsigned or 128-bit results have no type in the others. So:

- a row's **natural key** is text, 32 hexadecimal digits (128 bits of BLAKE2b): the key its
  format gives (`usage.rows.natural_key`, already 128 bits of BLAKE2b), or for a row without
  one (the generic CSV) the hash of its format and first nineteen values numbered by
  occurrence (two identical rows in one file are two uses; importing the file again gives
  them the same two keys). 128 bits: at 10^11 stored rows the chance that two share a key
  is about n^2 / 2^129 = 1.5e-17; a 63-bit key would collide a few times at 10^10.
- an **attribute id** is a signed 64-bit BIGINT in [0, 2^63): the first 8 bytes of BLAKE2b of
  the attribute columns, shifted right by one. There are few combinations (thousands), so
  the chance of a collision is about n^2 / 2^64, nil at that size.
- a **glob rule** (`*`, `?`, `[ab]`, `[!ab]`; `_` and `%` literal) becomes an anchored
  regular expression in the syntax RE2 (DuckDB, ClickHouse, BigQuery), Java (Spark) and
  PostgreSQL share; the SQL matches it with `regexp_matches`, which SQLGlot spells per engine.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from usage.queries.costing import ATTRIBUTE_COLUMNS
from usage.rows import KEYLESS_KEY_COLUMNS

REGEX_SPECIAL = set("\\.^$|?*+()[]{}")


def _canonical(values: Sequence[Any]) -> bytes:
    """One byte string per tuple of values: JSON keeps NULL apart from '' and 1.0 apart
    from '1'; a moment is written in ISO form (timestamps are naive UTC in the store)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return int(value)  # 3.0 and 3 are one amount, whatever type a column had
        return value

    return json.dumps([plain(v) for v in values], ensure_ascii=False,
                      separators=(",", ":")).encode()  # fmt: skip


def attr_id(values: Sequence[Any]) -> int:
    """The attribute id of one combination of ATTRIBUTE_COLUMNS: 63 bits, a signed BIGINT."""
    digest = hashlib.blake2b(_canonical(values), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def keyless_key(source_format: str, values: Sequence[Any], occurrence: int) -> str:
    """The natural key of the `occurrence`-th row (from 1) with these values in one file."""
    data = _canonical([source_format, occurrence, *values])
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Keyer:
    """Gives the rows of one import their keys, batch after batch (occurrences of identical
    keyless rows are counted across the whole file)."""

    def __init__(self, source_format: str):
        self.source_format = source_format
        self.seen: Counter[bytes] = Counter()  # keyless rows only: digest -> rows so far
        self.attrs: dict[tuple, int] = {}

    def keys(self, table: pa.Table) -> tuple[pa.Array, pa.Array]:
        """(final_key, attr_id) for every row of a parsed batch (`usage.rows.COLUMNS`)."""
        given = table.column("natural_key").to_pylist()
        keyless = [i for i, k in enumerate(given) if k is None]
        final = list(given)
        if keyless:
            columns = [table.column(c).to_pylist() for c in KEYLESS_KEY_COLUMNS]
            for i in keyless:
                values = [column[i] for column in columns]
                digest = hashlib.blake2b(_canonical(values), digest_size=16).digest()
                self.seen[digest] += 1
                final[i] = keyless_key(self.source_format, values, self.seen[digest])
        attributes = zip(*(table.column(c).to_pylist() for c in ATTRIBUTE_COLUMNS), strict=True)
        ids = [self.attrs[a] if a in self.attrs else self.attrs.setdefault(a, attr_id(a))
               for a in attributes]  # fmt: skip
        return pa.array(final, pa.string()), pa.array(ids, pa.int64())


def is_glob(pattern: str) -> bool:
    return any(char in pattern for char in "*?[")


def rule_regex(field: str, pattern: str, glob: bool) -> str | None:
    """The regular expression a rule is matched by (None: an exact rule, compared)."""
    if field == "tag":
        return tag_regex(pattern, glob)
    return glob_regex(pattern) if glob else None


def glob_regex(pattern: str, within: str = "") -> str:
    """An anchored regular expression matching what the glob `pattern` matches.

    `*` any run of characters, `?` one character, `[ab]` / `[a-c]` one of a set, `[!ab]` one
    not in it; everything else (`_`, `%`, `.`, ...) stands for itself. `within`: characters
    a wildcard may not match (',' for one tag of a tag list). `(?s)`: a wildcard matches a
    line break too, as DuckDB's glob operator did.
    """
    any_char = f"[^{within}]" if within else "."
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(f"{any_char}*")
        elif char == "?":
            out.append(any_char)
        elif char == "[" and (end := _class_end(pattern, i)) is not None:
            out.append(_char_class(pattern[i + 1 : end]))
            i = end
        else:
            out.append(_literal(char))
        i += 1
    return "(?s)^" + "".join(out) + "$"


def tag_regex(pattern: str, glob: bool) -> str:
    """A tag list is stored ',a,b,' : a rule matches one whole tag of it."""
    tag = glob_regex(pattern, within=",")[5:-1] if glob else "".join(map(_literal, pattern))
    return f"(?s)^.*,{tag},.*$"


def _literal(char: str) -> str:
    return "\\" + char if char in REGEX_SPECIAL else char


def _class_end(pattern: str, start: int) -> int | None:
    """Where the class opened at `start` closes (a ']' first in it is a member), or None:
    an unclosed '[' stands for itself."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "!":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    end = pattern.find("]", i)
    return None if end < 0 else end


def _char_class(body: str) -> str:
    negate = body.startswith("!")
    members = body[1:] if negate else body
    # inside a class only '\', '^', '[' and ']' are special; '-' keeps its range meaning
    escaped = "".join("\\" + c if c in "\\^[]" else c for c in members)
    return ("[^" if negate else "[") + escaped + "]"
