"""The whole scenario as one JSON file: inputs, slider settings and vendor scenarios.

`scenario_json(state)` writes what the session holds; `read_scenario(...)` checks a file and
returns the state it describes (refusing it whole, with the key at fault, if anything is
wrong); `apply_scenario(state, loaded)` puts it in place. A budget or growth of null means
"follow the data" (no binding budget; each class's own growth).
"""

from __future__ import annotations

import json
from collections.abc import Collection, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app import state as S
from app.planning import MAX_SCENARIOS, MIN_SCENARIOS, ScenarioSpec, input_error_text
from planner.quality import parse_quality
from planner.tabular import decode
from planner.workload import parse_workload, workload_to_csv, workload_to_records
from pricing.errors import InputError

FORMAT = "portfolio-planner-scenario"
VERSION = 1
OBJECTIVES = ("max-value", "min-cost")


@dataclass(frozen=True)
class LoadedScenario:
    """A checked scenario file, ready to put into the session."""

    sliders: dict[str, float | None]
    settings: dict[str, Any]
    workload_csv: str
    workload_source: str
    quality_text: str | None
    quality_format: str
    quality_source: str
    vendor_scenarios: list[dict[str, Any]]


def scenario_json(state: MutableMapping[str, Any], defaults: dict[str, float]) -> str:
    """The session's scenario as JSON text; sliders at their data default are saved as null."""
    sliders = {}
    for key in S.URL_KEYS:
        value = state.get(key)
        sliders[key] = None if value is None or value == defaults.get(key) else value
    as_of = state.get(S.AS_OF)
    quality = None
    if state.get(S.QUALITY_CSV):
        quality = {
            "source": state.get(S.QUALITY_SOURCE, ""),
            "format": state.get(S.QUALITY_FORMAT, "csv"),
            "text": state[S.QUALITY_CSV],
        }
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "sliders": sliders,
        "settings": {
            S.AS_OF: as_of.isoformat() if isinstance(as_of, date) else as_of,
            S.OBJECTIVE: state.get(S.OBJECTIVE, "max-value"),
            S.KEEP_STATUS_QUO: bool(state.get(S.KEEP_STATUS_QUO, True)),
            S.SINGLE_MODEL: bool(state.get(S.SINGLE_MODEL, False)),
        },
        "workload": {
            "source": state.get(S.WORKLOAD_SOURCE, ""),
            "csv": state.get(S.WORKLOAD_CSV) or "",
        },
        "quality": quality,
        "vendor_scenarios": list(state.get(S.VENDOR_SCENARIOS) or []),
    }
    return json.dumps(doc, indent=2, sort_keys=False)


def read_scenario(
    data: bytes | str,
    source: str,
    known_providers: Collection[str],
    known_models: Collection[str],
) -> LoadedScenario:
    """Check a scenario file; InputError names the key (and the workload row) at fault."""
    doc = _json_object(decode(data, source), source)
    if doc.get("format") != FORMAT:
        raise InputError(source, f"is not a scenario file (format is not '{FORMAT}')", "", "format")
    if doc.get("version") != VERSION:
        raise InputError(
            source, f"has version {doc.get('version')!r}; expected {VERSION}", "", "version"
        )
    workload = _section(doc, "workload", source)
    csv_text = workload.get("csv")
    if not isinstance(csv_text, str):
        raise InputError(source, "must hold the workload as CSV text", "workload", "csv")
    inner = f"{source} (workload)"
    parsed = parse_workload(csv_text, inner, "csv", known_providers)
    quality = doc.get("quality")
    q_text, q_format, q_source = None, "csv", ""
    if quality is not None:
        if not isinstance(quality, dict) or not isinstance(quality.get("text"), str):
            raise InputError(source, "must be null or hold the table as text", "quality", "text")
        q_format = quality.get("format", "csv")
        if q_format not in ("csv", "json"):
            raise InputError(source, "must be csv or json", "quality", "format")
        parse_quality(quality["text"], f"{source} (quality)", known_models, q_format)
        q_text, q_source = quality["text"], str(quality.get("source", ""))
    return LoadedScenario(
        sliders=_sliders(_section(doc, "sliders", source), source),
        settings=_settings(_section(doc, "settings", source), source),
        workload_csv=workload_to_csv(parsed),
        workload_source=str(workload.get("source") or source),
        quality_text=q_text,
        quality_format=q_format,
        quality_source=q_source,
        vendor_scenarios=_vendor_scenarios(doc.get("vendor_scenarios", []), source),
    )


def apply_scenario(state: MutableMapping[str, Any], loaded: LoadedScenario) -> None:
    """Put a checked scenario into the session (call before the widgets render)."""
    for key, value in loaded.sliders.items():
        # None: the budget and growth follow the data (the sidebar fills them in).
        state[key] = S.DEFAULTS.get(key) if value is None else value
    for key, value in loaded.settings.items():
        state[key] = value
    state[S.WORKLOAD_CSV] = loaded.workload_csv
    state[S.WORKLOAD_SOURCE] = loaded.workload_source
    workload = parse_workload(loaded.workload_csv, loaded.workload_source)
    state[S.WORKLOAD_DRAFT] = workload_to_records(workload)
    state[S.EDITOR_REVISION] = state.get(S.EDITOR_REVISION, 0) + 1
    state[S.WORKLOAD_EDIT_ERROR] = None
    state[S.QUALITY_CSV] = loaded.quality_text
    state[S.QUALITY_FORMAT] = loaded.quality_format
    state[S.QUALITY_SOURCE] = loaded.quality_source
    if loaded.vendor_scenarios:
        state[S.VENDOR_SCENARIOS] = loaded.vendor_scenarios
        state[S.VENDOR_REVISION] = state.get(S.VENDOR_REVISION, 0) + 1
    state[S.SCENARIO_FILE_ERROR] = None


def load_into(
    state: MutableMapping[str, Any],
    data: bytes,
    source: str,
    known_providers: Collection[str],
    known_models: Collection[str],
) -> bool:
    """Read and apply a scenario file; on error keep everything and store the message."""
    try:
        loaded = read_scenario(data, source, known_providers, known_models)
    except (InputError, ValueError) as exc:
        state[S.SCENARIO_FILE_ERROR] = input_error_text(exc)
        state[S.SCENARIO_FILE_NOTE] = None
        return False
    apply_scenario(state, loaded)
    state[S.SCENARIO_FILE_NOTE] = f"Loaded {source}."
    return True


# -- checks ----------------------------------------------------------------------------------


def _json_object(text: str, source: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"is not valid JSON: {exc.msg}", f"line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise InputError(source, "must be a JSON object")
    return doc


def _section(doc: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    section = doc.get(name)
    if not isinstance(section, dict):
        raise InputError(source, "is missing or not an object", "", name)
    return section


def _sliders(raw: dict[str, Any], source: str) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, value in raw.items():
        if key not in S.URL_KEYS:
            raise InputError(
                source, f"unknown slider (known: {', '.join(S.URL_KEYS)})", "sliders", key
            )
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InputError(source, f"must be a number or null, not {value!r}", "sliders", key)
        out[key] = value
    return out


def _settings(raw: dict[str, Any], source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == S.AS_OF:
            try:
                out[key] = date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InputError(
                    source, f"is not a date (YYYY-MM-DD): {value!r}", "settings", key
                ) from None
        elif key == S.OBJECTIVE:
            if value not in OBJECTIVES:
                raise InputError(source, f"must be one of {', '.join(OBJECTIVES)}", "settings", key)
            out[key] = value
        elif key in (S.KEEP_STATUS_QUO, S.SINGLE_MODEL):
            if not isinstance(value, bool):
                raise InputError(source, "must be true or false", "settings", key)
            out[key] = value
        else:
            raise InputError(source, "unknown setting", "settings", key)
    return out


def _vendor_scenarios(raw: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) == 1 or len(raw) > MAX_SCENARIOS:
        raise InputError(
            source,
            f"must be a list of {MIN_SCENARIOS} to {MAX_SCENARIOS} scenarios (or empty)",
            "",
            "vendor_scenarios",
        )
    out = []
    for number, item in enumerate(raw, start=1):
        try:
            out.append(ScenarioSpec.from_dict(item).to_dict())
        except ValueError as exc:
            raise InputError(source, str(exc), f"scenario {number}", "vendor_scenarios") from None
    return out
