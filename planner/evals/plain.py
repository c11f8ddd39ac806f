"""A plain per-sample CSV: task_class, model, sample_id, score (0/1 or from 0 to 1), and an
optional run_date (YYYY-MM-DD; the import date when absent). The task is the class itself."""

from __future__ import annotations

from datetime import date

from foundation.errors import InputError, raise_all
from foundation.inputs import Day, NonEmptyText, Share, StrictRecord, parse_record
from foundation.tables import Columns, records_of
from planner.evals.samples import EvalRun, EvalSample, check_count

PLAIN_COLUMNS = ("task_class", "model", "sample_id", "score", "run_date")
_COLUMNS = Columns(PLAIN_COLUMNS, ("task_class", "model", "sample_id", "score"))


class PlainSample(StrictRecord):
    task_class: NonEmptyText
    model: NonEmptyText
    sample_id: NonEmptyText
    score: Share
    run_date: Day | None = None


def parse_plain(data: bytes | str, source: str, today: date | None = None) -> EvalRun:
    records = records_of(data, source, "csv", _COLUMNS, "samples")
    out, errors = [], []
    for record in records:
        cells = {k: v for k, v in record.cells.items() if v not in ("", None)}
        try:
            row = parse_record(PlainSample, cells, record.source, record.where)
        except InputError as exc:
            errors.append(exc)
            continue
        when = row.run_date or today or date.today()
        out.append(EvalSample("csv", row.task_class, row.model, row.sample_id, row.score, when))
    raise_all(errors)
    check_count(out, source)
    return EvalRun(source, "csv", tuple(out))
