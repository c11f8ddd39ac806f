"""`python -m planner quality --evals ... / --next`: your eval figures beside the public ones,
and what to evaluate next (planner.next_eval)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from foundation.cli import EXIT_OK, print_json
from foundation.formatting import pct
from planner.commands.common import own_evidence
from planner.evals.evidence import PRECEDENCE_WORDS
from planner.next_eval import LIMIT_WORDS, next_evals
from planner.problem import PlanSettings
from planner.quality import default_quality
from planner.workload import load_workload
from pricing.cli import load_catalog

EXAMPLE_WORKLOAD = (
    Path(__file__).resolve().parents[2] / "data" / "workloads" / ("example_enterprise.csv")
)


def run_evidence(args: argparse.Namespace) -> int:
    catalog = load_catalog(args)
    workload = load_workload(args.workload, known_providers=catalog.providers())
    own = own_evidence(args, catalog)
    estimates = not args.no_estimates
    report: dict = {"precedence": PRECEDENCE_WORDS[args.precedence]}
    if args.evals or args.quality:
        report["cells"] = _cells(workload, own, catalog, estimates)
    if args.next:
        settings = PlanSettings(objective=args.objective, as_of=date.today())
        found = next_evals(workload, own, catalog, settings, estimates=estimates)
        report["next"] = [e.as_json() | {"sentence": e.sentence()} for e in found]
        report["next_limit"] = LIMIT_WORDS
    if args.json:
        print_json(report)
    else:
        print(_text(report))
    return EXIT_OK


def _cells(workload, own, catalog, estimates) -> list[dict]:
    """Per class and model with a figure of your own: yours and the public one, and which
    the plan uses."""
    public = default_quality(catalog.model_ids(), estimates=estimates, catalog=catalog)
    merged = own.overlaid_on(public) if own is not None else public
    out = []
    for task in workload.classes:
        mine = own.for_class(task) if own is not None else {}
        theirs = public.for_class(task)
        used = merged.for_class(task)
        for model, row in sorted(mine.items()):
            other = theirs.get(model)
            out.append({
                "task_class": task.name,
                "model": model,
                "yours": round(row.accuracy, 4),
                "yours_kind": row.evidence,
                "n": row.n,
                "yours_source": row.source,
                "public": None if other is None else round(other.accuracy, 4),
                "public_source": None if other is None else other.source,
                "used": used[model].evidence,
            })  # fmt: skip
    return out


def _text(report: dict) -> str:
    lines = [f"Precedence: {report['precedence']}.", ""]
    for cell in report.get("cells", []):
        public = "no public figure" if cell["public"] is None else f"public {pct(cell['public'])}"
        lines.append(
            f"{cell['task_class']} / {cell['model']}: {cell['yours_kind']} "
            f"{pct(cell['yours'])} ({public}; the plan uses the {cell['used']} figure)"
        )
        lines.append(f"    {cell['yours_source']}")
    if "next" in report:
        lines += ["", "What to evaluate next (break-even accuracy, re-solved):"]
        lines += [f"  {e['sentence']}" for e in report["next"]] or ["  nothing: no candidate"]
        lines += ["", report["next_limit"]]
    return "\n".join(lines)
