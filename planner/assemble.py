"""The one place that turns inputs and settings into a planning problem (CLI and app alike).

`assemble` lays the user's accuracy table over the sourced default, shifts the floors, checks
every provider or model id the settings name (vendor caps, commitments, discounts, price
changes, sheet dates) against the catalog, and sets aside the classes no priced model can
serve: a class without a category and without its own accuracy rows is reported by name
with the fix, and the other classes are still planned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from foundation.errors import InputError, UnknownIdError
from foundation.tables import nearest
from planner.evals.evidence import at_confidence
from planner.problem import PlanningProblem, PlanSettings, build_problem
from planner.problem import plannable as available
from planner.quality import QualityTable, default_quality
from planner.workload import TaskClass, Workload
from pricing.catalog import Catalog


@dataclass(frozen=True)
class Assembled:
    """The problem to solve, and the classes left out of it with the reason for each."""

    problem: PlanningProblem
    unplannable: tuple[InputError, ...] = ()


def assemble(
    workload: Workload,
    own_quality: QualityTable | None,
    catalog: Catalog,
    settings: PlanSettings,
    floor_shift_pts: float = 0.0,
    *,
    estimates: bool | None = None,
    confidence: float | None = None,
) -> Assembled:
    """The planning problem for these inputs. `estimates` (None: PLANNER_ESTIMATES) says
    whether estimated accuracy figures fill the default table's gaps; `confidence` (None:
    off; 0.8, 0.9 or 0.95) puts every figure at the low end of its interval
    (planner.evals.evidence.at_confidence).

    Raises UnknownIdError for an id in the settings that the catalog does not hold, and
    InputError when no class at all can be planned.
    """
    check_ids(settings, catalog)
    workload, quality = _prepared(
        workload, own_quality, catalog, floor_shift_pts, estimates, confidence
    )
    plannable, left_out = split_plannable(workload, quality, catalog, settings)
    if not plannable:
        raise _none_plannable(workload, left_out)
    kept = Workload(tuple(plannable), workload.source)
    return Assembled(build_problem(kept, quality, catalog, settings), tuple(left_out))


def unplannable(
    workload: Workload,
    own_quality: QualityTable | None,
    catalog: Catalog,
    settings: PlanSettings,
    floor_shift_pts: float = 0.0,
    *,
    estimates: bool | None = None,
    confidence: float | None = None,
) -> list[InputError]:
    """The classes `assemble` would leave out, with the reason for each, without costing
    anything (cheap enough to ask on every rerun)."""
    workload, quality = _prepared(
        workload, own_quality, catalog, floor_shift_pts, estimates, confidence
    )
    return split_plannable(workload, quality, catalog, settings)[1]


def planning_quality(
    workload: Workload,
    own_quality: QualityTable | None,
    catalog: Catalog,
    floor_shift_pts: float = 0.0,
    *,
    estimates: bool | None = None,
    confidence: float | None = None,
) -> tuple[Workload, QualityTable]:
    """The workload (floors shifted) and the accuracy table `assemble` plans with."""
    return _prepared(workload, own_quality, catalog, floor_shift_pts, estimates, confidence)


def _prepared(
    workload: Workload,
    own_quality: QualityTable | None,
    catalog: Catalog,
    shift_pts: float,
    estimates: bool | None = None,
    confidence: float | None = None,
) -> tuple[Workload, QualityTable]:
    """The workload with its floors shifted, and the accuracy table it is planned with."""
    quality = default_quality(catalog.model_ids(), estimates=estimates, catalog=catalog)
    if own_quality is not None:
        quality = own_quality.overlaid_on(quality)
    quality = at_confidence(quality, confidence)
    if shift_pts:
        workload = workload.with_floor_shift(shift_pts / 100)
    return workload, quality


def check_ids(settings: PlanSettings, catalog: Catalog) -> None:
    """Every provider or model id a setting names must be in the catalog."""
    providers = catalog.providers()
    known = set(providers) | set(catalog.model_ids())
    scenario = settings.scenario
    named: list[tuple[str, Iterable[str]]] = [
        ("vendor cap", settings.vendor_caps),
        ("commitment", settings.commitments_usd),
        ("discount", scenario.discounts_pct),
        ("price change", scenario.multipliers),
        ("price-sheet date", scenario.provider_dates),
    ]
    for what, ids in named:
        for wanted in ids:
            if wanted not in known:
                pool = providers if "/" not in wanted else sorted(known)
                raise UnknownIdError(
                    f"provider or model in a {what}", wanted, nearest(wanted, pool)
                )


def split_plannable(
    workload: Workload, quality: QualityTable, catalog: Catalog, settings: PlanSettings
) -> tuple[list[TaskClass], list[InputError]]:
    """(classes some priced, allowed model is rated for, one error per class that has none).

    A class whose own process may be kept (status-quo figures) is always plannable.
    """
    priced = {
        q.model_id
        for q in catalog.quotes(settings.as_of, settings.scenario)
        if available(q, settings)
    }
    categories = sorted({row.category for row in quality.rows if row.category})
    plannable, left_out = [], []
    rated: dict[tuple, bool] = {}  # classes with the same rows and providers alike
    for task in workload.classes:
        key = (quality.rows_key(task), task.allowed_providers)
        if key not in rated:
            rows = quality.for_class(task)
            rated[key] = any(m in priced and task.allows(m) for m in rows)
        keeps_process = settings.include_status_quo and task.has_status_quo
        if rated[key] or keeps_process:
            plannable.append(task)
        else:
            left_out.append(_unplannable(task, workload.source, categories))
    return plannable, left_out


def _unplannable(task: TaskClass, source: str, categories: list[str]) -> InputError:
    known = ", ".join(categories)
    if not task.category:
        fix = (
            f"it has no category and no accuracy rows of its own; set its category "
            f"(one of: {known}) or add rows for it to your accuracy table"
        )
        field = "category"
    elif task.category not in categories:
        fix = (
            f"no accuracy figures for its category '{task.category}'; use one of: {known}, "
            "or add rows for it to your accuracy table"
        )
        field = "category"
    else:
        fix = (
            "no model with an accuracy figure for it is priced and allowed; allow more "
            "providers or add rows for it to your accuracy table"
        )
        field = "allowed_providers"
    return InputError(
        source,
        f"cannot be planned: {fix}. The other classes are planned without it.",
        record=f"task class '{task.name}'",
        field=field,
    )


def _none_plannable(workload: Workload, left_out: list[InputError]) -> InputError:
    names = ", ".join(error.record.removeprefix("task class ") for error in left_out[:5])
    more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
    return InputError(
        workload.source,
        f"no class can be planned ({names}{more}): {left_out[0].message.split('. ')[0]}",
        record=left_out[0].record,
        field=left_out[0].field,
    )
