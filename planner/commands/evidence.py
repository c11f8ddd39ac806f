"""`python -m planner quality --evals ... / --next`: your eval figures beside the public ones,
and what to evaluate next (planner.next_eval)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from foundation.cli import EXIT_OK, print_json
from foundation.cli import options as opt
from foundation.formatting import pct
from planner.commands.common import add_evidence_args, evidence_layers
from planner.evals.evidence import PRECEDENCE_WORDS, evidence_cells, evidence_table
from planner.next_eval import LIMIT_WORDS, next_evals
from planner.problem import PlanSettings
from planner.quality import default_quality
from planner.workload import load_workload
from pricing.cli import load_catalog

EXAMPLE_WORKLOAD = (
    Path(__file__).resolve().parents[2] / "data" / "workloads" / ("example_enterprise.csv")
)


def add_report_args(cmd) -> None:
    """The options of the evidence report (shared by `planner quality` and `usage quality`):
    --evals, --eval-mapping, --precedence, --workload, --quality, --keep-samples, --next,
    --objective, --with-illustrative."""
    add_evidence_args(cmd)
    cmd.add_argument(
        "--workload",
        type=opt.input_file,
        metavar="FILE",
        help="the workload --evals and --next are read against (default: the example); "
        "without them, also list per class the models whose context window cannot hold its "
        "prompt and output (priced on --as-of)",
    )
    cmd.add_argument(
        "--quality", type=opt.input_file, metavar="FILE", help="your hand-typed accuracy table"
    )
    cmd.add_argument(
        "--keep-samples",
        action="store_true",
        help="keep the evals' per-sample results: one CSV per import under the data folder",
    )
    cmd.add_argument(
        "--next",
        action="store_true",
        help="what to evaluate next: each candidate model's break-even accuracy per class and "
        "the money at stake a month, ranked (re-solved)",
    )
    cmd.add_argument(
        "--objective",
        choices=("max-value", "min-cost"),
        default="max-value",
        help="the plan --next re-solves (default: max-value)",
    )
    cmd.add_argument(
        "--with-illustrative",
        action="store_true",
        help="--next plans with illustrative price sheets too (assumptions, such as the "
        "example self-hosted GPU sheet); left out by default, as in every other command",
    )


def run_evidence(args: argparse.Namespace, production: Callable | None = None) -> int:
    """The report; `production(catalog)` gives measured figures (usage's outcomes), if any."""
    catalog = load_catalog(args)
    workload = load_workload(args.workload or EXAMPLE_WORKLOAD, known_providers=catalog.providers())
    measured = list(production(catalog)) if production else []
    figures, table = evidence_layers(args, catalog)
    own = evidence_table(measured, figures, table, args.precedence)
    estimates = not args.no_estimates
    report: dict = {"precedence": PRECEDENCE_WORDS[args.precedence]}
    if own is not None:
        public = default_quality(catalog.model_ids(), estimates=estimates, catalog=catalog)
        report["cells"] = evidence_cells(
            workload, measured, figures, table, public, args.precedence
        )
    if args.next:
        # the price date and sheets every other command plans with (usage quality has no
        # --as-of: today)
        settings = PlanSettings(
            objective=args.objective,
            as_of=getattr(args, "as_of", None) or date.today(),
            with_illustrative=args.with_illustrative,
        )
        found = next_evals(workload, own, catalog, settings, estimates=estimates)
        report["next"] = [e.as_json() | {"sentence": e.sentence()} for e in found]
        report["next_limit"] = LIMIT_WORDS
    if args.json:
        print_json(report)
    else:
        print(_text(report))
    return EXIT_OK


KINDS = (("production", "production"), ("eval", "your eval"), ("table", "your table"))


def _text(report: dict) -> str:
    lines = [f"Precedence: {report['precedence']}.", ""]
    for cell in report.get("cells", []):
        lines.append(f"{cell['task_class']} / {cell['model']} (the plan uses: {cell['plan_uses']})")
        for kind, words in KINDS:
            if cell[kind] is not None:
                lines.append(f"    {words:<12} {pct(cell[kind]):>6}  {cell[kind + '_source']}")
        public = cell["public"]
        lines.append(
            f"    {'public':<12} {pct(public):>6}  {cell['public_source']}"
            if public is not None
            else f"    {'public':<12} {'-':>6}  no public figure for this cell"
        )
    if "next" in report:
        lines += ["", "What to evaluate next (break-even accuracy, re-solved):"]
        lines += [f"  {e['sentence']}" for e in report["next"]] or ["  nothing: no candidate"]
        lines += ["", report["next_limit"]]
    return "\n".join(lines)
