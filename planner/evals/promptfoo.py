"""promptfoo result JSON (`promptfoo eval -o results.json`), per its documented output:
`results.timestamp` and `results.results[]`, each with `provider.id` (or `provider` as a
string), `testIdx`, `promptIdx` and `success`; the task is the config's `description`
(else the file name). A sample passes when `success` is true (promptfoo's pass/fail over
all its assertions); `score`, the assertions' mean, is not used as accuracy.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from foundation.errors import InputError
from foundation.inputs import parse_record
from planner.evals.samples import (
    EvalRun,
    EvalSample,
    ToolRecord,
    check_count,
    date_of,
    json_of,
)


class _Provider(ToolRecord):
    id: str


class _Result(ToolRecord):
    provider: _Provider | str
    testIdx: int
    promptIdx: int = 0
    success: bool


class _Results(ToolRecord):
    timestamp: str | int | float | None = None
    results: list[dict[str, Any]]


class _Config(ToolRecord):
    description: str | None = None


class _Output(ToolRecord):
    results: _Results
    config: _Config = _Config()
    createdAt: str | int | float | None = None


def parse_promptfoo(data: bytes | str, source: str) -> EvalRun:
    document = json_of(data, source)
    if not isinstance(document, dict):
        raise InputError(source, "is not a promptfoo result (expected a JSON object)")
    output = parse_record(_Output, document, source, "file")
    when = output.results.timestamp or output.createdAt
    if when is None:
        raise InputError(source, "has no results.timestamp", "file", "results.timestamp")
    run_date = date_of(when, source, "file", "results.timestamp")
    task = (output.config.description or "").strip() or PurePath(source).stem
    samples = []
    for i, raw in enumerate(output.results.results, 1):
        where = f"results.results item {i}"
        result = parse_record(_Result, raw, source, where)
        name = result.provider if isinstance(result.provider, str) else result.provider.id
        parts = name.split(":")  # openai:chat:gpt-4o -> gpt-4o at openai
        hint, model = (parts[0], parts[-1]) if len(parts) > 1 else ("", name)
        sample_id = str(result.testIdx)
        if result.promptIdx:
            sample_id += f"#prompt{result.promptIdx}"
        score = 1.0 if result.success else 0.0
        samples.append(EvalSample("promptfoo", task, model, sample_id, score, run_date, hint))
    check_count(samples, source)
    return EvalRun(source, "promptfoo", tuple(samples))
