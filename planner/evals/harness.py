"""lm-evaluation-harness output (`lm_eval --output_path DIR --log_samples`), per its documented
files: `results_<timestamp>.json` (`model_name` or `config.model_args` "pretrained=...",
`date` as Unix seconds, `results{task: ...}`) and, beside it, one
`samples_<task>_<timestamp>.jsonl` per task, one JSON object per line with `doc_id` and the
task's metrics. A sample's score is its first metric of exact_match, acc, acc_norm, pass@1.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from foundation.errors import InputError
from foundation.inputs import parse_record, read_regular_file
from planner.evals.samples import (
    MAX_SAMPLES,
    EvalRun,
    EvalSample,
    ToolRecord,
    check_count,
    date_of,
    json_of,
    score_of,
)

METRICS = ("exact_match", "acc", "acc_norm", "pass@1")
MAX_LOG_BYTES = 200_000_000


class _Config(ToolRecord):
    model_args: str | dict[str, Any] | None = None
    model: str | None = None


class _Results(ToolRecord):
    results: dict[str, dict[str, Any]]
    model_name: str | None = None
    config: _Config = _Config()
    date: float | int | str


class _Sample(ToolRecord):
    doc_id: int | str


def load_harness(path: Path | str) -> EvalRun:
    """A results_*.json and the samples_<task>_<same timestamp>.jsonl files beside it."""
    path = Path(path)
    source = str(path)
    results = _results(read_regular_file(path), source)
    stamp = path.stem.removeprefix("results_")
    files = {}
    for task in results.results:
        found = sorted(path.parent.glob(f"samples_{task}_{stamp}.jsonl"))
        if not found:
            raise InputError(
                source,
                f"has no per-sample log samples_{task}_{stamp}.jsonl beside it "
                "(run lm_eval with --log_samples)",
                field=f"results.{task}",
            )
        files[task] = read_regular_file(found[0], MAX_LOG_BYTES)
    return parse_harness(results, files, source)


def _results(data: bytes | str, source: str) -> _Results:
    document = json_of(data, source)
    if not isinstance(document, dict):
        raise InputError(source, "is not an lm-evaluation-harness results file")
    return parse_record(_Results, document, source, "file")


def parse_harness(results: _Results | bytes | str, samples: dict[str, bytes | str],
                  source: str) -> EvalRun:  # fmt: skip
    """The run from a results document and each task's per-sample JSONL text."""
    if not isinstance(results, _Results):
        results = _results(results, source)
    model = results.model_name or _pretrained(results.config)
    if not model:
        raise InputError(source, "names no model", "file", "model_name")
    run_date = date_of(results.date, source, "file", "date")
    hint = (results.config.model or "").split("-")[0]  # anthropic-chat-completions: anthropic
    out: list[EvalSample] = []
    for task, text in samples.items():
        where = f"{source} (samples of {task})"
        out += [replace(s, hint=hint) for s in _task_samples(task, text, model, run_date, where)]
        if len(out) > MAX_SAMPLES:
            raise InputError(source, f"has more than {MAX_SAMPLES:,} samples; split it")
    check_count(out, source)
    return EvalRun(source, "lm-eval", tuple(out))


def _task_samples(task, text, model, run_date, source) -> list[EvalSample]:
    lines = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    out = []
    for number, line in enumerate(lines.splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {number}"
        raw = json_of(line, source, where)
        if not isinstance(raw, dict):
            raise InputError(source, "is not a JSON object", where)
        sample = parse_record(_Sample, raw, source, where)
        metric = next((m for m in METRICS if m in raw), None)
        if metric is None:
            raise InputError(source, f"has none of the metrics {', '.join(METRICS)}", where)
        score = score_of(raw[metric], source, where, metric)
        out.append(EvalSample("lm-eval", task, model, str(sample.doc_id), score, run_date))
    return out


def _pretrained(config: _Config) -> str:
    args = config.model_args
    if isinstance(args, dict):
        return str(args.get("pretrained") or args.get("model") or config.model or "")
    for part in (args or "").split(","):
        key, _, value = part.partition("=")
        if key.strip() in ("pretrained", "model"):
            return value.strip()
    return config.model or ""
