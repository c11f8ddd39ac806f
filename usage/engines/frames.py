"""Engine results as DuckDB gives them: the one conversion every engine's Arrow result takes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An engine's Arrow result as DuckDB's `df()` gives it: moments naive (the store's are
    UTC), days as datetime64; the names of the DATE columns kept in `attrs["dates"]`, so
    `fetchall` gives a day as a date, as DuckDB does."""
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]  # fmt: skip
    frame = table.cast(pa.schema(fields)).to_pandas(date_as_object=False)
    frame.attrs["dates"] = [f.name for f in fields if pa.types.is_date(f.type)]
    return frame
