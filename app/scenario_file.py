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
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StrictBool, StringConstraints

from app import state as S
from app.planning import MAX_SCENARIOS, MIN_SCENARIOS, ScenarioSpec, input_error_text
from foundation.errors import InputError
from foundation.inputs import MAX_FILE_BYTES, Day, Note, StrictRecord, Usd, parse_record
from foundation.tables import decode, nearest
from planner.cascade_file import parse_options
from planner.problem import CAP_BASES
from planner.quality import parse_quality
from planner.workload import parse_workload, workload_to_csv, workload_to_records

FORMAT = "portfolio-planner-scenario"
VERSION = 1


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
    cascades: tuple[str, bytes] | None = None  # the cascade file (name, bytes) planned with


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
            S.CAP_BASIS: state.get(S.CAP_BASIS, "tasks"),
            S.ESTIMATES: bool(state.get(S.ESTIMATES, True)),
        },
        "workload": {
            "source": state.get(S.WORKLOAD_SOURCE, ""),
            "csv": state.get(S.WORKLOAD_CSV) or "",
        },
        "quality": quality,
        "vendor_scenarios": list(state.get(S.VENDOR_SCENARIOS) or []),
    }
    if cascades := state.get(S.CASCADE_FILE):  # saved with its options: opened, the same plan
        doc["cascades"] = {"source": cascades[0], "text": decode(cascades[1], cascades[0])}
    return json.dumps(doc, indent=2, sort_keys=False)


def read_scenario(
    data: bytes | str,
    source: str,
    known_providers: Collection[str],
    known_models: Collection[str],
) -> LoadedScenario:
    """Check a scenario file; InputError names the key (and the workload row) at fault."""
    raw = _json_object(decode(data, source), source)
    if raw.get("format") != FORMAT:
        raise InputError(source, f"is not a scenario file (format is not '{FORMAT}')", "", "format")
    if raw.get("version") != VERSION:
        raise InputError(
            source, f"has version {_clip(raw.get('version'))}; expected {VERSION}", "", "version"
        )
    doc = _parse(ScenarioDoc, raw, source)
    parsed = parse_workload(doc.workload.csv, f"{source} (workload)", "csv", known_providers)
    quality = doc.quality
    if quality is not None:
        parse_quality(quality.text, f"{source} (quality)", known_models, quality.format)
    cascades = None
    if doc.cascades is not None:
        named = doc.cascades.source or "cascades.json"
        parse_options(doc.cascades.text, f"{source} ({named})", set(known_models))
        cascades = (named, doc.cascades.text.encode())
    return LoadedScenario(
        sliders=doc.sliders.model_dump(),
        settings=doc.settings.model_dump(exclude_unset=True, exclude_none=True),
        workload_csv=workload_to_csv(parsed),
        workload_source=doc.workload.source or source,
        quality_text=None if quality is None else quality.text,
        quality_format="csv" if quality is None else quality.format,
        quality_source="" if quality is None else quality.source,
        vendor_scenarios=_vendor_scenarios(
            doc.vendor_scenarios, source, {*known_providers, *known_models}
        ),
        cascades=cascades,
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
    state[S.CASCADE_FILE] = loaded.cascades  # none saved: the plan without options
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


# -- the file's shape -------------------------------------------------------------------------

SliderPoints = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
# Embedded files keep their text exactly as written (no stripping); their loaders check it.
FileText = Annotated[str, StringConstraints(strip_whitespace=False, max_length=MAX_FILE_BYTES)]


class Sliders(StrictRecord):
    """The four sliders; null (or absent) follows the data."""

    budget: Usd | None = None
    quality: SliderPoints | None = None
    growth: SliderPoints | None = None
    decline: SliderPoints | None = None


class Settings(StrictRecord):
    """The sidebar's further settings; only the keys present are applied."""

    as_of: Day | None = None  # null: today
    objective: Literal["max-value", "min-cost"] = "max-value"
    keep_status_quo: StrictBool = True
    single_model: StrictBool = False
    cap_basis: Literal["tasks", "usd", "spend"] = "tasks"  # planner.problem.CAP_BASES
    estimates: StrictBool = True  # estimated accuracy figures fill the default's gaps


class WorkloadPart(StrictRecord):
    source: Note = ""
    csv: FileText


class QualityPart(StrictRecord):
    source: Note = ""
    format: Literal["csv", "json"] = "csv"
    text: FileText


class CascadePart(StrictRecord):
    source: Note = ""
    text: FileText


class ScenarioDoc(StrictRecord):
    """A whole scenario file, every part bounded: a file that fits is safe to apply."""

    format: Literal["portfolio-planner-scenario"]
    version: Literal[1]
    sliders: Sliders
    settings: Settings
    workload: WorkloadPart
    quality: QualityPart | None = None
    vendor_scenarios: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_SCENARIOS)
    cascades: CascadePart | None = None  # the cascade file (planner.cascade_file) planned with


assert tuple(Sliders.model_fields) == S.URL_KEYS, "slider keys must match app.state"
assert tuple(Settings.model_fields) == S.SETTING_KEYS, "setting keys must match app.state"
assert get_args(Settings.model_fields["cap_basis"].annotation) == CAP_BASES, "cap bases"


def _parse(model: type[ScenarioDoc], raw: dict[str, Any], source: str) -> ScenarioDoc:
    """The file as its model; the error names the section as the record, the key as field."""
    try:
        return parse_record(model, raw, source)
    except InputError as exc:
        section, _, rest = exc.field.partition(".")
        if rest:
            exc = InputError(exc.file, exc.message, section, rest)
        raise exc from None


def _json_object(text: str, source: str) -> dict[str, Any]:
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"is not valid JSON: {exc.msg}", f"line {exc.lineno}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(source, f"is not valid JSON: {_clip(str(exc))}") from None
    if not isinstance(doc, dict):
        raise InputError(source, "must be a JSON object")
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a scenario may hold; write a finite number")


def _clip(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _vendor_scenarios(
    raw: list[dict[str, Any]], source: str, known_ids: set[str]
) -> list[dict[str, Any]]:
    """Two to four vendor scenarios (or none), each with terms for known ids only."""
    if len(raw) == 1:
        raise InputError(
            source,
            f"must be a list of {MIN_SCENARIOS} to {MAX_SCENARIOS} scenarios (or empty)",
            "",
            "vendor_scenarios",
        )
    out = []
    for number, item in enumerate(raw, start=1):
        where = f"scenario {number}"
        try:
            spec = ScenarioSpec.from_dict(item, source)
        except ValueError as exc:
            message = exc.message if isinstance(exc, InputError) else str(exc)
            field = exc.field if isinstance(exc, InputError) and exc.field else "vendor_scenarios"
            raise InputError(source, message, where, field) from None
        _known_ids_only(spec, source, where, known_ids)
        out.append(spec.to_dict())
    return out


def _known_ids_only(spec: ScenarioSpec, source: str, where: str, known_ids: set[str]) -> None:
    terms = spec.to_dict()
    fields = ("provider_dates", "discounts_pct", "price_change_pct", "vendor_caps_pct",
              "commitments_usd", "vendor_caps_usd")  # fmt: skip
    for field in fields:
        for wanted in terms[field]:
            if wanted not in known_ids:
                close = ", ".join(nearest(wanted, sorted(known_ids))) or "none close"
                raise InputError(
                    source,
                    f"unknown provider or model '{wanted}' (nearest: {close})",
                    where,
                    f"{field}.{wanted}",
                )
