"""One entry point for an eval file: the tool is told by the file's name and first bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from planner.evals.figures import EvalFigure, KeptSample, figures_of, mapped_samples
from planner.evals.harness import MAX_LOG_BYTES, load_harness, parse_harness
from planner.evals.inspect_log import parse_inspect
from planner.evals.mapping import EvalMapping
from planner.evals.plain import parse_plain
from planner.evals.promptfoo import parse_promptfoo
from planner.evals.samples import EvalRun
from pricing.catalog import Catalog


def tool_of(name: str, head: bytes) -> str:
    """inspect, promptfoo, lm-eval or csv, from the file name and its first bytes."""
    lower = Path(name).name.lower()
    if lower.endswith(".eval") or head[:4] == b"PK\x03\x04":
        return "inspect"
    if lower.endswith(".csv"):
        return "csv"
    if lower.startswith("results_") and lower.endswith(".json"):
        return "lm-eval"
    if lower.endswith(".json"):
        text = head[:4000].decode("utf-8", "replace")
        return "inspect" if '"eval"' in text and '"version"' in text else "promptfoo"
    raise InputError(name, "is not an eval file this tool reads (.eval, .json or .csv)")


def load_eval_file(path: Path | str, today: date | None = None) -> EvalRun:
    """Every scored sample of one eval file (lm-eval: with its samples_*.jsonl beside it)."""
    source = str(path)
    data = read_regular_file(path, MAX_LOG_BYTES)
    tool = tool_of(source, data[:4096])
    if tool == "lm-eval":
        return load_harness(path)
    return parse_eval_bytes(data, source, tool, today)


def parse_eval_bytes(data: bytes, source: str, tool: str, today: date | None = None) -> EvalRun:
    """An uploaded file's samples (lm-eval needs its sample files: use load_eval_file)."""
    if tool == "inspect":
        return parse_inspect(data, source)
    if tool == "promptfoo":
        return parse_promptfoo(data, source)
    if tool == "csv":
        return parse_plain(data, source, today)
    raise InputError(source, f"cannot be read from bytes alone as {tool}")


def import_evals(
    paths: list[Path | str], mapping: EvalMapping, catalog: Catalog, today: date | None = None
) -> tuple[list[EvalFigure], list[KeptSample]]:
    """Every file's samples, mapped to classes and catalog models, and the figures they give."""
    runs = [load_eval_file(path, today) for path in paths]
    samples = mapped_samples(runs, mapping, catalog)
    return figures_of(samples), samples


def parse_uploads(files: list[tuple[str, bytes]], today: date | None = None) -> list[EvalRun]:
    """Uploaded files (name, bytes) as runs: an lm-evaluation-harness results_<t>.json takes
    the samples_<task>_<t>.jsonl uploaded with it; a lone samples file is an error."""
    names = {name: data for name, data in files}
    used: set[str] = set()
    runs = []
    for name, data in files:
        if name.endswith(".jsonl"):
            continue
        tool = tool_of(name, data[:4096])
        if tool != "lm-eval":
            runs.append(parse_eval_bytes(data, name, tool, today))
            continue
        stamp = Path(name).stem.removeprefix("results_")
        samples = {
            other.removeprefix("samples_").removesuffix(f"_{stamp}.jsonl"): body
            for other, body in names.items()
            if other.startswith("samples_") and other.endswith(f"_{stamp}.jsonl")
        }
        used |= {f"samples_{task}_{stamp}.jsonl" for task in samples}
        runs.append(parse_harness(data, samples, name))
    for name in names:
        if name.endswith(".jsonl") and name not in used:
            raise InputError(name, "is a per-sample log without its results_*.json; upload both")
    return runs
