"""The one CSV writer: every CSV the product writes, on the command line and in the app.

Policy, decided here once:
- RFC 4180 line ends ("\\r\\n"): with "\\n" alone, csv leaves a cell holding "\\r" unquoted
  and a reader would split the row there.
- Text cells a spreadsheet would run as a formula get a leading apostrophe
  (`foundation.inputs.safe_cell`, which sees through invisible and fullwidth prefixes).
- Floats carry twelve significant digits (`clean_float`: 1300.0, not 1299.9999999999995).
- A UTF-8 byte-order mark on files a person opens (downloads, `--out` files), so Excel reads
  accented names right; none on standard output, where it would corrupt a pipe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from foundation.formatting import clean_float
from foundation.inputs import safe_cell

BOM = "\ufeff"


def table_to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows (mappings) as CSV text in the given column order; a missing cell is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([written(row.get(column)) for column in columns])
    return out.getvalue()


def tuples_to_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> str:
    """Rows (sequences, one value per column) as CSV text."""
    return table_to_csv((dict(zip(columns, row, strict=True)) for row in rows), columns)


def frame_to_csv(frame) -> str:
    """A pandas DataFrame as CSV text, its columns in order, NaN as an empty cell."""
    columns = [str(c) for c in frame.columns]
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return table_to_csv(({str(k): v for k, v in r.items()} for r in records), columns)


def for_a_person(text: str) -> bytes:
    """CSV text as the bytes of a file a person opens: UTF-8 with a byte-order mark."""
    return (BOM + text).encode("utf-8")


def written(value: Any) -> Any:
    """One cell as written: floats without binary noise, text made spreadsheet-safe."""
    if isinstance(value, float):
        return repr(clean_float(value))
    return safe_cell(value)
