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
from foundation.errors import raise_all
from foundation.inputs import Day, NonEmptyText, Share, StrictRecord, parse_rows
from foundation.paths import data_dir
from foundation.tables import Columns, read_file, records_of
from planner.evals.figures import KeptSample

STORE_COLUMNS = (
    "tool", "eval_task", "eval_model", "task_class", "model", "sample_id", "score", "run_date",
)  # fmt: skip


KEEP_EVALS = "keep eval results for everyone"  # the audit trail's action for a kept import


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


class KeptRecord(StrictRecord):
    tool: NonEmptyText
    eval_task: NonEmptyText
    eval_model: NonEmptyText
    task_class: NonEmptyText
    model: NonEmptyText
    sample_id: NonEmptyText
    score: Share
    run_date: Day


_KEPT = Columns(STORE_COLUMNS, STORE_COLUMNS)


def read_kept(folder: Path | None = None) -> list[KeptSample]:
    """Every kept sample under the folder (all imports, oldest file first); a bad row is an
    InputError naming the file, the row and the field."""
    folder = evals_dir() if folder is None else folder
    out: list[KeptSample] = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        records = records_of(read_file(path), str(path), "csv", _KEPT, "samples")
        rows, errors = parse_rows(KeptRecord, ((r.where, r.cells) for r in records), str(path))
        raise_all(errors)
        out += [KeptSample(**row.model_dump()) for row in rows]
    return out


def kept_stamp(folder: Path | None = None) -> str:
    """The kept files' names, sizes and times: a cache key that changes with every import."""
    folder = evals_dir() if folder is None else folder
    paths = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    return "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths)
