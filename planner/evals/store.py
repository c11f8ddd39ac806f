"""The per-sample results kept: one CSV file per import under the data folder.

CSV, not a database table: an import is written once and never changed, a person can open
it, the planner needs no store of its own (the DuckDB usage store belongs to usage/, which
the planner may not import), and pricing cascades later reads every file back as one frame.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from foundation.csvfile import tuples_to_csv
from foundation.paths import data_dir
from planner.evals.figures import KeptSample

STORE_COLUMNS = (
    "tool", "eval_task", "eval_model", "task_class", "model", "sample_id", "score", "run_date",
)  # fmt: skip


def evals_dir() -> Path:
    return data_dir() / "evals"


def keep_samples(samples: list[KeptSample], name: str, folder: Path | None = None,
                 now: datetime | None = None) -> Path:  # fmt: skip
    """Write one import's samples to `<folder>/<time>-<name>.csv` and return the path."""
    folder = evals_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem)[:60] or "import"
    path = folder / f"{stamp}-{safe}.csv"
    rows = [
        (s.tool, s.eval_task, s.eval_model, s.task_class, s.model, s.sample_id, s.score,
         s.run_date.isoformat())
        for s in samples
    ]  # fmt: skip
    path.write_text(tuples_to_csv(rows, STORE_COLUMNS, exact=True), encoding="utf-8")
    return path
