"""The per-sample record every eval loader produces, and the reading rules they share.

A tool's file is parsed into pydantic records that are strict on the fields read here and
ignore the rest (each tool's schema has many more); every problem is one InputError naming
the file, the record and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from foundation.errors import InputError

TOOLS = ("inspect", "promptfoo", "lm-eval", "csv")
# Inspect AI's score words (inspect_ai.scorer: CORRECT, INCORRECT, PARTIAL, NOANSWER).
INSPECT_WORDS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
MAX_SAMPLES = 1_000_000  # per file: beyond this a log is refused, not read into memory


class ToolRecord(BaseModel):
    """A record of another tool's file: the fields read are typed, the others ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)


@dataclass(frozen=True)
class EvalSample:
    """One scored sample: which eval task and model (as the tool names them), its score."""

    tool: str
    task: str
    model: str
    sample_id: str
    score: float  # 0..1: 1 correct, 0 wrong, between for partial credit
    run_date: date
    hint: str = ""  # the provider the tool names beside the model, if any


@dataclass(frozen=True)
class EvalRun:
    """Every sample of one file, and the file."""

    source: str
    tool: str
    samples: tuple[EvalSample, ...]


def score_of(value: Any, source: str, where: str, field: str) -> float:
    """A sample's score in [0, 1]: a number, a boolean, or one of Inspect's words."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str) and value.strip().upper() in INSPECT_WORDS:
        return INSPECT_WORDS[value.strip().upper()]
    if isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1:
        return float(value)
    shown = repr(value)[:40]
    raise InputError(
        source, f"is not a score from 0 to 1, true/false or C/I/P/N: {shown}", where, field
    )


def date_of(value: Any, source: str, where: str, field: str) -> date:
    """A run's date from an ISO timestamp or a Unix time in seconds."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value)).date()
        if isinstance(value, str):
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except (ValueError, OverflowError, OSError):
        pass
    raise InputError(source, f"is not a date or timestamp: {repr(value)[:40]}", where, field)


def json_of(text: bytes | str, source: str, where: str = "") -> Any:
    """Parsed JSON, or one InputError saying the file (or member) is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(source, f"is not valid JSON ({type(exc).__name__})", where) from None


def check_count(samples: list, source: str) -> None:
    if len(samples) > MAX_SAMPLES:
        raise InputError(source, f"has more than {MAX_SAMPLES:,} samples; split it")
    if not samples:
        raise InputError(source, "has no scored samples")
