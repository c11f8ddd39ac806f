"""The one JSON output and the one way to write an output file, for every command line.

`plain` turns what the domain returns (numpy and pandas scalars, Decimal, dates, NaN, frames)
into plain JSON values; `print_json` prints a document of them. `write_text` writes an
`--out` file, or says in one line why it cannot (a full disk, no permission), naming the
option.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from foundation.cli.options import STDOUT_NAMES
from foundation.errors import InputError


def plain(value: Any) -> Any:
    """A JSON-ready value: NaN, NA and NaT as null; dates ISO text; numpy scalars as Python
    numbers; Decimal as float; frames as a list of row objects; anything else as text."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return plain(float(value))
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return records(value)
    if _missing(value):
        return None
    if isinstance(value, datetime | date | time) or hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        return plain(value.item())
    if hasattr(value, "tolist"):  # a numpy array or pandas Series
        return plain(value.tolist())
    return str(value)


def _missing(value: Any) -> bool:
    """pandas' NA and NaT (they are neither None nor a float NaN)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency of every package here
        return False
    return value is pd.NA or value is pd.NaT


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as plain JSON objects (column order kept)."""
    return [plain(row) for row in frame.to_dict(orient="records")]


def print_json(data: Any) -> None:
    """One JSON document on stdout, indented, never NaN (invalid JSON) or a type error."""
    print(json.dumps(plain(data), indent=2, allow_nan=False))


def write_text(path: Path, text: str, option: str) -> None:
    """Write `text` to an output file (`-` is stdout); a failure names the option.

    Opened without blocking: a path that became a FIFO since the option was checked fails
    at once instead of waiting for a reader.
    """
    if str(path) in STDOUT_NAMES:
        sys.stdout.write(text)
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError(option, f"cannot write '{path}': it is not a regular file")
            handle.write(text)
    except OSError as exc:
        raise InputError(option, f"cannot write '{path}': {exc.strerror or exc}") from None
