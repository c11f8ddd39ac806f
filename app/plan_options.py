"""The cascade file a plan request carries, as plan options (planner.cascade_options): what
`--cascades` adds on the command line. Apart from app.planning so that module stays short."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from foundation.errors import InputError
from planner.cascade_options import OptionColumn, declared_columns, with_options
from planner.evals.evidence import CONFIDENCES
from planner.evals.store import read_kept
from planner.problem import PlanningProblem
from pricing.catalog import Catalog

CASCADE_FIELDS = ("cascades_json", "cascades_source", "cascades_kept")  # of PlanRequest


def options_of(
    request: Any, catalog: Catalog, problem: PlanningProblem
) -> tuple[list[OptionColumn], list[InputError]]:
    """(the request's cascade file's options priced and rated on `problem`, the request's
    problem without them; those left out on the plan's date). The options are rated on the
    kept per-sample results, at the request's confidence setting. InputError names the file,
    the option and the field."""
    if not request.cascades_json:
        return [], []
    data = request.cascades_json.encode()
    confidence = CONFIDENCES[request.confidence]
    source = request.cascades_source or "cascade file"
    return declared_columns(data, source, problem, catalog, read_kept(), confidence)


def planned_with_options(
    request: Any, catalog: Catalog, problem: PlanningProblem
) -> PlanningProblem:
    """`problem` with one more column per option of the request's file (none: unchanged)."""
    if not request.cascades_json:
        return problem
    return with_options(problem, options_of(request, catalog, problem)[0])


def without_options(request: Any) -> Any:
    """The request without its cascade file."""
    return replace(request, **dict.fromkeys(CASCADE_FIELDS, ""))
