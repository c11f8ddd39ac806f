"""The one CSV writer: every CSV the product writes, on the command line and in the app.

Policy, decided here once:
- RFC 4180 line ends ("\\r\\n"): with "\\n" alone, csv leaves a cell holding "\\r" unquoted
  and a reader would split the row there.
- Text cells a spreadsheet would run as a formula get a leading apostrophe
  (`foundation.inputs.safe_cell`, which sees through invisible and fullwidth prefixes).
- Floats carry twelve significant digits (`clean_float`: 1300.0, not 1299.9999999999995).
  A file the product reads back as its own input (a workload: the app keeps it as CSV text,
  a shared scenario carries it) is written `exact`: each float as the shortest text that reads
  back to the same float, a whole number as an integer (40000, as people type it), so a plan
  solved from the file is the plan solved from the table it came from.
- A missing figure (None, NaN) is an empty cell, never "nan".
- A row whose first cell starts with "#" is quoted: the product's readers skip lines that
  start with "#" as comments, and would drop a class named "#1 priority".
- A `comment` line ("# ...") may head a file (where a drafted workload came from); the
  product's readers skip it.
- A UTF-8 byte-order mark on files a person opens (downloads, `--out` files), so Excel reads
  accented names right; none on standard output, where it would corrupt a pipe.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from foundation.formatting import clean_float
from foundation.inputs import safe_cell

BOM = "\ufeff"
EOL = "\r\n"
EXACT_INTEGER_BELOW = 1e15  # whole floats below this are written as integers in exact files


def table_to_csv(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    exact: bool = False,
    comment: str | None = None,
) -> str:
    """Rows (mappings) as CSV text in the given column order; a missing cell is empty."""
    out = io.StringIO()
    if comment is not None:
        out.write("# " + " ".join(comment.split()) + EOL)  # one line, whatever it held
    plain = csv.writer(out, lineterminator=EOL)
    quoted = csv.writer(out, lineterminator=EOL, quoting=csv.QUOTE_ALL)
    plain.writerow(columns)
    for row in rows:
        cells = [written(row.get(column), exact) for column in columns]
        commented = bool(cells) and str(cells[0]).startswith("#")
        (quoted if commented else plain).writerow(cells)
    return out.getvalue()


def tuples_to_csv(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], *, exact: bool = False
) -> str:
    """Rows (sequences, one value per column) as CSV text."""
    mappings = (dict(zip(columns, row, strict=True)) for row in rows)
    return table_to_csv(mappings, columns, exact=exact)


def frame_to_csv(frame) -> str:
    """A pandas DataFrame as CSV text, its columns in order, NaN as an empty cell."""
    columns = [str(c) for c in frame.columns]
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return table_to_csv(({str(k): v for k, v in r.items()} for r in records), columns)


def for_a_person(text: str) -> bytes:
    """CSV text as the bytes of a file a person opens: UTF-8 with a byte-order mark."""
    return (BOM + text).encode("utf-8")


def written(value: Any, exact: bool = False) -> Any:
    """One cell as written: floats without binary noise (or exactly), text made
    spreadsheet-safe."""
    if isinstance(value, float):
        value = float(value)  # a numpy float's repr would read "np.float64(...)"
        if math.isnan(value):
            return ""
        if not exact:
            return repr(clean_float(value))
        if value.is_integer() and abs(value) < EXACT_INTEGER_BELOW:
            return str(int(value))
        return repr(value)
    return safe_cell(value)
