"""Keys and rule patterns computed once in Python, so every engine reads the same values.

No engine's own hash function: DuckDB's, ClickHouse's `cityHash64` and Spark's all
differ, and their unsigned or 128-bit results have no type in the others. So:

- a row's **natural key** is text, 32 hexadecimal digits (128 bits of BLAKE2b): the key its
  format gives (`usage.rows.natural_key`, already 128 bits of BLAKE2b), or for a row without
  one (the generic CSV) the hash of its format and first nineteen values, numbered by
  occurrence (two identical rows in one file are two uses; importing the file again gives
  them the same two keys). The values are joined into one string by Arrow, so the Python
  work per row is one hash. 128 bits: at 10^11 stored rows the chance that two share a key
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
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from usage.queries.costing import ATTRIBUTE_COLUMNS
from usage.rows import KEYLESS_KEY_COLUMNS

REGEX_SPECIAL = set("\\.^$|?*+()[]{}")


# Between values, and for NULL: neither can occur in stored text (usage.rows.INVISIBLE).
SEP, NULL = "\x1f", "\x00"


def _joined(table: pa.Table, names: Sequence[str]) -> pa.Array:
    """Each row's values as one string, built by Arrow (no Python loop): every value in
    Arrow's text form (a moment as 'YYYY-MM-DD hh:mm:ss.ffffff', a double in its shortest
    exact form, true/false), NULL as NULL, joined by SEP. A run of columns that are NULL
    on every row is joined once, as one constant (most exports leave many columns empty)."""
    parts: list = []
    for name in names:
        column = table.column(name)
        if column.null_count == len(column) and parts and isinstance(parts[-1], str):
            parts[-1] += SEP + NULL
        elif column.null_count == len(column):
            parts.append(NULL)
        else:
            parts.append(pc.fill_null(pc.cast(column, pa.string()), NULL))
    if all(isinstance(p, str) for p in parts):
        return pa.repeat(pa.scalar(SEP.join(parts), pa.string()), table.num_rows)
    joined = pc.binary_join_element_wise(*parts, SEP)
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def attr_id(values: Sequence[str | None]) -> int:
    """The attribute id of one combination of ATTRIBUTE_COLUMNS (text or NULL): 63 bits,
    a signed BIGINT."""
    text = SEP.join(NULL if v is None else v for v in values)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class Keyer:
    """Gives the rows of one import their keys, batch after batch.

    A keyless row's key is the 16-byte BLAKE2b of its format and first nineteen values
    (`_joined`), as hex, for its first occurrence in the file; for the n-th occurrence it is
    `nth_key(first, n)` (two identical rows are two uses). `keys` gives every keyless row
    its first-occurrence key; the store numbers the repeats across the whole file
    (`usage.ledger`), so no per-row state is held here and memory does not grow with the
    file. `reference_keys` is the same function written row by row, for the tests."""

    def __init__(self, source_format: str):
        self.prefix = (source_format + SEP).encode()

    def keys(self, table: pa.Table) -> tuple[pa.Array, pa.Array]:
        """(final_key, attr_id) for every row of a parsed batch (`usage.rows.COLUMNS`): the
        format's own key where it gives one, else the first-occurrence key."""
        given = table.column("natural_key")
        final = given.combine_chunks() if isinstance(given, pa.ChunkedArray) else given
        if given.null_count:
            first = self._first_keys(_joined(table, KEYLESS_KEY_COLUMNS))
            final = pc.if_else(pc.is_null(final), first, final)
        attrs = _joined(table, ATTRIBUTE_COLUMNS).dictionary_encode()
        ids = pa.array([_attr_of(t) for t in attrs.dictionary.to_pylist()], pa.int64())
        return final, ids.take(attrs.indices)

    def _first_keys(self, values: pa.Array) -> pa.Array:
        """The hex BLAKE2b of the prefix and each value: one hash call a row in Python (no
        engine has BLAKE2b), the hex text built once for the whole batch."""
        blake2b, prefix = hashlib.blake2b, self.prefix
        raw = values.cast(pa.binary()).to_pylist()
        digests = b"".join([blake2b(prefix + v, digest_size=16).digest() for v in raw])
        text = pa.py_buffer(digests.hex().encode())
        offsets = pa.py_buffer(np.arange(0, 32 * len(raw) + 1, 32, dtype=np.int32).tobytes())
        return pa.StringArray.from_buffers(len(raw), offsets, text)


def nth_key(first: str, n: int) -> str:
    """The key of the n-th (n >= 2) occurrence of a keyless row whose first key is `first`."""
    return hashlib.blake2b(bytes.fromhex(first) + str(n).encode(), digest_size=16).hexdigest()


def reference_keys(table: pa.Table, source_format: str) -> list[str]:
    """Every row's final key, computed row by row in Python over the whole file (occurrences
    counted as the import counts them): the reference the vectorised path is tested on."""
    prefix = (source_format + SEP).encode()
    given = table.column("natural_key").to_pylist()
    texts = [pc.cast(table.column(n), pa.string()).to_pylist() for n in KEYLESS_KEY_COLUMNS]
    values = [SEP.join(NULL if v is None else v for v in row) for row in zip(*texts, strict=True)]
    seen: dict[bytes, int] = {}
    out = []
    for key, text in zip(given, values, strict=True):
        if key is not None:
            out.append(key)
            continue
        digest = hashlib.blake2b(prefix + text.encode(), digest_size=16).digest()
        n = seen[digest] = seen.get(digest, 0) + 1
        out.append(digest.hex() if n == 1 else nth_key(digest.hex(), n))
    return out


def _attr_of(text: str) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


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
