"""`python -m planner quality [--json]`: the default accuracy of every catalog model.

For each catalog model and workload category it prints the accuracy on the category's
reference scale, whether it is measured or estimated (and from what, with the held-out
error), its source, or the reason there is none. The fits behind the estimates follow, each
with the number of models it rests on and its leave-one-out error.

With `--evals` (and `--eval-mapping`), your eval figures per class and model, with n, the
Wilson 95 % interval and the date, beside the public figure for the same cell and which one
the plan uses (`--precedence`). With `--next`, what to evaluate next for the workload:
each candidate's break-even accuracy and the money at stake, re-solved (planner.next_eval).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import date

from foundation.cli import EXIT_OK, add_command, print_json
from foundation.cli import options as opt
from foundation.errors import UnknownIdError
from foundation.tables import nearest
from planner.accuracy import (
    MAX_HELD_OUT_PTS,
    NO_PUBLIC_FIGURE,
    Coverage,
    all_fits,
    coverage,
    fitted,
)
from planner.assemble import assemble
from planner.commands.evidence import add_report_args, run_evidence
from planner.problem import PlanSettings, context_reason
from planner.workload import load_workload
from pricing.cli import add_prices_arg, load_catalog


def register(sub) -> None:
    """Add the `quality` command to the planner's command line."""
    cmd = add_command(sub, "quality", "Default accuracy per catalog model and category.", run)
    add_prices_arg(cmd)
    cmd.add_argument("--provider", type=opt.identifier, help="only this provider's models")
    cmd.add_argument(
        "--no-estimates",
        action="store_true",
        help="only figures measured on the reference scale (no estimates from other sources)",
    )
    cmd.add_argument(
        "--as-of", type=opt.day, default=date.today(), metavar="DATE", help="the price date"
    )
    cmd.add_argument("--json", action="store_true", help="print JSON")
    add_report_args(cmd)


def run(args: argparse.Namespace) -> int:
    if args.evals or args.next or args.quality:
        return run_evidence(args)
    catalog = load_catalog(args)
    ids = [m for m in catalog.model_ids() if not args.provider or m.startswith(f"{args.provider}/")]
    if not ids:
        raise UnknownIdError("provider", args.provider, nearest(args.provider, catalog.providers()))
    rows = coverage(ids, estimates=not args.no_estimates)
    report = quality_report(rows, estimates=not args.no_estimates)
    if args.workload:
        report["context_windows"] = context_windows(args, catalog)
    if args.json:
        print_json(report)
    else:
        print(quality_text(report))
    return EXIT_OK


def quality_report(rows: list[Coverage], estimates: bool = True) -> dict:
    """The JSON document: models (with per-category entries), summary counts and fits."""
    by_model: dict[str, list[Coverage]] = defaultdict(list)
    for row in rows:
        by_model[row.model].append(row)
    models = [
        {
            "model": model,
            "has_figure": any(c.accuracy is not None for c in cells),
            "categories": [_cell(c) for c in cells],
        }
        for model, cells in by_model.items()
    ]
    covered = sum(m["has_figure"] for m in models)
    used = fitted() if estimates else {}
    return {
        "summary": {
            "models": len(models),
            "with_a_figure": covered,
            "without_a_public_figure": [m["model"] for m in models if not m["has_figure"]],
            "estimates": estimates,
            "max_held_out_pts": MAX_HELD_OUT_PTS,
        },
        "models": models,
        "fits": [
            {
                "category": fit.category,
                "benchmark": fit.benchmark,
                "models": fit.pairs,
                "held_out_rms_pts": round(fit.held_out_pts, 2),
                "slope": round(fit.slope, 4),
                "intercept": round(fit.intercept, 4),
                "used": (fit.category, fit.benchmark) in used,
            }
            for fit in all_fits()
        ],
    }


def context_windows(args, catalog) -> list[dict]:
    """Per class of the workload, each rated model its window cannot hold, and why."""
    workload = load_workload(args.workload, known_providers=catalog.providers())
    settings = PlanSettings(as_of=args.as_of)
    problem = assemble(workload, None, catalog, settings, estimates=not args.no_estimates).problem
    return [
        {
            "task_class": problem.classes[t].name,
            "model": problem.options[m],
            "context_window_tokens": window,
            "tokens_needed": need,
            "reason": context_reason(window, need),
        }
        for (t, m), (window, need) in sorted(problem.too_long.items())
    ]


def _cell(c: Coverage) -> dict:
    if c.accuracy is None:
        return {"category": c.category, "accuracy": None, "reason": c.reason}
    return {
        "category": c.category,
        "accuracy": round(c.accuracy, 4),
        "estimated": c.estimated,
        "source": c.source,
    }


def quality_text(report: dict) -> str:
    """The same report for a terminal: covered models first, then the ones without figures."""
    summary = report["summary"]
    lines = [
        f"{summary['with_a_figure']} of {summary['models']} catalog models have a default "
        f"accuracy{'' if summary['estimates'] else ' (estimates off)'}.",
        "",
    ]
    for model in report["models"]:
        if not model["has_figure"]:
            continue
        lines.append(model["model"])
        for cell in model["categories"]:
            if cell["accuracy"] is None:
                lines.append(f"  {cell['category']:<15} -      {cell['reason']}")
            else:
                kind = "estimated" if cell["estimated"] else "measured "
                lines.append(
                    f"  {cell['category']:<15} {cell['accuracy']:.3f} {kind} {cell['source']}"
                )
    lines += ["", "Fits (logit reference = a + b logit related), leave-one-out error:"]
    for fit in report["fits"]:
        flag = "used" if fit["used"] else "not used"
        lines.append(
            f"  {fit['category']:<15} from {fit['benchmark']:<36} n={fit['models']} "
            f"±{fit['held_out_rms_pts']:.1f} pts ({flag})"
        )
    missing = summary["without_a_public_figure"]
    lines += ["", f"{len(missing)} models: {NO_PUBLIC_FIGURE}", *(f"  {m}" for m in missing)]
    if "context_windows" in report:
        rows = report["context_windows"]
        lines += ["", f"Not an option for a class ({len(rows)} pairs): the task does not fit"]
        lines += [f"  {r['task_class']}: {r['model']}: {r['reason']}" for r in rows]
    return "\n".join(lines)
