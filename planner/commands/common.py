"""What the planning commands share: the input options, reading them into one assembled
problem (`planner.assemble`, as the app does), and the answer when there is no plan.

`usage plan-vs-actual` plans through `assembled_problem` too, so both command lines validate
the same way and both plan around a class no model can serve, naming it on stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from foundation.cli import EXIT_INFEASIBLE, print_json
from foundation.cli import options as opt
from foundation.errors import InputError
from foundation.inputs import read_regular_file
from planner.assemble import assemble
from planner.cascade_options import declared_columns, with_options
from planner.evals.evidence import (
    CONFIDENCES,
    DEFAULT_PRECEDENCE,
    PRECEDENCES,
    confidence_words,
    evidence_table,
)
from planner.evals.loaders import import_evals
from planner.evals.mapping import EvalMapping, load_eval_mapping
from planner.evals.store import KEEP_EVALS, keep_samples
from planner.plan import Plan, optimize
from planner.problem import CAP_BASES, DEFAULT_CAP_BASIS, PlanningProblem, PlanSettings
from planner.quality import QualityTable, load_quality
from planner.report import plan_json, plan_text
from planner.retirement import after_retirement, retirement_steps
from planner.scenario_store import record_command
from planner.workload import load_workload
from pricing.catalog import Catalog
from pricing.cli import add_prices_arg, load_catalog
from pricing.scenario import PriceScenario


def exact_discount(text: str) -> Decimal:
    """A discount percent (0 to under 100), kept as the Decimal typed: prices are Decimal."""
    opt.discount(text)
    return Decimal(text.strip())


def add_source_args(
    p: argparse.ArgumentParser, workload: Path | None = None, objective: str = "max-value"
) -> None:
    """The files and settings any plan needs; `workload` is the default file (else required)."""
    p.add_argument(
        "--workload",
        type=opt.input_file,
        required=workload is None,
        default=workload,
        metavar="FILE",
        help="the workload CSV or JSON" + (" (default: the example)" if workload else ""),
    )
    p.add_argument("--quality", type=opt.input_file, metavar="FILE", help="your evals; they win")
    add_prices_arg(p)
    p.add_argument(
        "--as-of",
        type=opt.day,
        default=date.today(),
        metavar="DATE",
        help="the price date (default: today)",
    )
    p.add_argument("--budget", type=opt.money, metavar="USD", help="monthly budget")
    p.add_argument(
        "--objective",
        choices=("max-value", "min-cost"),
        default=objective,
        help=f"what to optimize (default: {objective})",
    )


def add_evidence_args(p: argparse.ArgumentParser) -> None:
    """Imported evals, their precedence, and the confidence setting."""
    p.add_argument(
        "--evals",
        action="append",
        default=[],
        type=opt.input_file,
        metavar="FILE",
        help="an eval result: Inspect AI .eval/.json log, promptfoo JSON, lm-evaluation-harness "
        "results_*.json (its samples_*.jsonl beside it) or a per-sample CSV (repeatable)",
    )
    p.add_argument(
        "--eval-mapping",
        type=opt.input_file,
        metavar="FILE",
        help="CSV kind,name,maps_to: eval task -> task class, eval model -> catalog id",
    )
    p.add_argument(
        "--precedence",
        choices=tuple(PRECEDENCES),
        default=DEFAULT_PRECEDENCE,
        help="which of your figures wins: production-first (measured in production, then your "
        "evals, then public benchmarks and estimates; the default) or evals-first",
    )


def add_input_args(p: argparse.ArgumentParser) -> None:
    """The options every planning command shares: inputs, prices, limits and --json."""
    add_source_args(p)
    add_evidence_args(p)
    p.add_argument(
        "--confidence",
        choices=tuple(CONFIDENCES),
        default="off",
        help="meet each floor with at least this confidence (80, 90 or 95 %%): every accuracy "
        "enters at the low end of its one-sided interval; conservative, costs more",
    )
    p.add_argument("--single-model", action="store_true", help="one model per class")
    p.add_argument(
        "--self-hosted-replicas",
        action="store_true",
        help="price self-hosted models as whole replicas reserved for the month",
    )
    p.add_argument("--no-status-quo", action="store_true", help="never keep today's process")
    p.add_argument(
        "--with-illustrative",
        action="store_true",
        help="plan with illustrative price sheets too (assumptions, such as the example "
        "self-hosted GPU sheet); left out by default",
    )
    p.add_argument(
        "--exclude-retiring",
        type=opt.int_in(0, 120, " months"),
        default=0,
        metavar="MONTHS",
        help="plan only with models still available this many months after --as-of "
        "(default 0: any model not retired on that day)",
    )
    p.add_argument(
        "--vendor-cap",
        action="append",
        default=[],
        metavar="PROVIDER=CAP",
        type=opt.pair(opt.nonnegative, "vendor cap"),
        help="share of tasks or spend (0 to 1), or USD a month (see --cap-basis)",
    )
    p.add_argument(
        "--cap-basis",
        choices=CAP_BASES,
        default=DEFAULT_CAP_BASIS,
        help="what a vendor cap limits: tasks (share of all tasks, the default), usd (USD a "
        "month) or spend (share of model spend, which spending more elsewhere can meet)",
    )
    p.add_argument(
        "--discount",
        action="append",
        default=[],
        metavar="PROVIDER=PCT",
        type=opt.pair(exact_discount, "discount", shape="PCT"),
        help="negotiated discount, 0 to under 100 %%",
    )
    p.add_argument(
        "--commit",
        action="append",
        default=[],
        metavar="PROVIDER=USD",
        type=opt.pair(opt.money, "commitment", shape="USD"),
        help="committed minimum monthly spend with a provider",
    )
    p.add_argument(
        "--cascades",
        type=opt.input_file,
        metavar="FILE",
        help="cascades and routers as options (JSON; see docs/optimization.md), rated on the "
        "per-sample results of --evals (solve says whether each pays, re-solved without it)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def plan_settings(args) -> PlanSettings:
    """The settings the options ask for; a cap that does not fit its basis names --vendor-cap."""
    caps = dict(args.vendor_cap)
    if args.cap_basis != "usd":
        for provider, cap in caps.items():
            if cap > 1:
                why = f"must be a share from 0 to 1 with --cap-basis {args.cap_basis}, not {cap:g}"
                raise InputError("--vendor-cap", f"vendor cap for '{provider}' {why}")
    return PlanSettings(
        objective=args.objective,
        budget_usd=args.budget,
        vendor_caps=caps,
        cap_basis=args.cap_basis,
        commitments_usd=dict(args.commit),
        single_model=args.single_model,
        self_hosted_replicas=args.self_hosted_replicas,
        include_status_quo=not args.no_status_quo,
        as_of=args.as_of,
        scenario=PriceScenario(discounts_pct=dict(args.discount)),
        exclude_retiring_months=args.exclude_retiring,
        with_illustrative=args.with_illustrative,
    )


def retirements_of(args, catalog: Catalog, plan: Plan, months: int):
    """The retirement steps inside `months` of the plan, each re-solved through `assemble`
    on its day with the same options (`planner.retirement.after_retirement`)."""
    settings = plan.problem.settings

    def replan(day: date) -> Plan:
        return optimize(assembled_problem(args, catalog, after_retirement(settings, day)))

    return retirement_steps(plan, catalog, months, replan)


def retirements_json(steps) -> list[dict]:
    return [
        {
            "date": step.on.isoformat(),
            "models": list(step.models),
            "share_of_spend": step.share_of_spend,
            "monthly_cost_before_usd": step.cost_before_usd,
            "monthly_cost_after_usd": step.cost_after_usd,
        }
        for step in steps
    ]


_READ: dict[tuple, object] = {}  # the last workload file read, by path, size and time


def _workload(path, catalog: Catalog):
    """The workload file, read once per process while it is unchanged: a retirement step
    re-plans the same workload on another day (a 20,000-row file takes a second to read)."""
    try:
        stat = Path(path).stat()
    except OSError:  # not there: the reader says so, naming the file
        return load_workload(path, known_providers=catalog.providers())
    key = (str(path), stat.st_size, stat.st_mtime_ns, tuple(sorted(catalog.providers())))
    if key not in _READ:
        _READ.clear()
        _READ[key] = load_workload(path, known_providers=catalog.providers())
    return _READ[key]


def assembled_problem(args, catalog: Catalog, settings: PlanSettings) -> PlanningProblem:
    """--workload and --quality read and assembled into a costed problem; each class that
    cannot be planned is named on stderr, and the others are planned."""
    workload = _workload(args.workload, catalog)
    own = own_evidence(args, catalog)
    confidence = CONFIDENCES[getattr(args, "confidence", "off")]
    assembled = assemble(workload, own, catalog, settings, confidence=confidence)
    for error in assembled.unplannable:
        print(f"warning: {error}", file=sys.stderr)
    if getattr(args, "cascades", None):  # --cascades: one more column per declared option
        columns, left_out = cascade_columns(args, catalog, assembled.problem, confidence)
        for error in left_out:
            print(f"warning: {error}", file=sys.stderr)
        return with_options(assembled.problem, columns)
    return assembled.problem


def cascade_columns(args, catalog: Catalog, problem: PlanningProblem, confidence=None):
    """The options --cascades declares, rated on the per-sample results of --evals."""
    samples = eval_samples(args, catalog)
    data = read_regular_file(args.cascades)
    return declared_columns(data, str(args.cascades), problem, catalog, samples, confidence)


def eval_samples(args, catalog: Catalog) -> list:
    """The per-sample results of --evals, mapped to classes and catalog models."""
    if not getattr(args, "evals", []):
        return []
    mapping = (
        load_eval_mapping(args.eval_mapping, catalog)
        if getattr(args, "eval_mapping", None)
        else EvalMapping()
    )
    return import_evals(args.evals, mapping, catalog)[1]


def evidence_layers(args, catalog: Catalog) -> tuple[list, QualityTable | None]:
    """(eval figures from --evals through --eval-mapping, the --quality table). With
    --keep-samples, the evals' per-sample results are written under the data folder."""
    own = load_quality(args.quality, catalog.model_ids()) if args.quality else None
    paths = getattr(args, "evals", [])
    if not paths:
        return [], own
    mapping = (
        load_eval_mapping(args.eval_mapping, catalog)
        if getattr(args, "eval_mapping", None)
        else EvalMapping()
    )
    figures, samples = import_evals(paths, mapping, catalog)
    if getattr(args, "keep_samples", False) and samples:
        kept = f"kept {len(samples):,} samples in {keep_samples(samples, 'evals')}"
        print(kept, file=sys.stderr)
        # They rate everyone's cascades: the audit trail has it, as the app's kept imports.
        record_command(KEEP_EVALS, ", ".join(str(p) for p in paths), None, kept)
    return figures, own


def own_evidence(args, catalog: Catalog, production=()) -> QualityTable | None:
    """--quality, --evals and any `production` figures as one table, in --precedence order."""
    figures, own = evidence_layers(args, catalog)
    if not figures and not production:
        return own
    precedence = getattr(args, "precedence", DEFAULT_PRECEDENCE)
    return evidence_table(list(production), figures, own, precedence)


def confidence_note(args, catalog: Catalog, plan: Plan) -> str | None:
    """What --confidence costs a month, re-solved with it off; None when it is off."""
    level = CONFIDENCES[getattr(args, "confidence", "off")]
    if level is None or plan.totals is None:
        return None
    base = optimize(assembled_problem(
        argparse.Namespace(**{**vars(args), "confidence": "off"}), catalog, plan_settings(args)
    ))  # fmt: skip
    return confidence_words(level, plan, base)


def load_problem(args, catalog: Catalog | None = None) -> PlanningProblem:
    """The problem the planning options describe (the catalog under --prices if not given)."""
    catalog = catalog or load_catalog(args)
    return assembled_problem(args, catalog, plan_settings(args))


def no_plan(plan: Plan, as_json: bool) -> int:
    """As `solve` does: the plan JSON (or text) on stdout, the diagnosis on stderr, exit 3."""
    if as_json:
        print_json(plan_json(plan))
    else:
        print(plan_text(plan))
    print(f"no feasible plan: {plan.diagnosis.summary}", file=sys.stderr)
    return EXIT_INFEASIBLE


def print_confidence(args, catalog: Catalog, plan: Plan) -> None:
    """The confidence setting's cost, on stderr (stdout stays the plan, text or JSON)."""
    note = confidence_note(args, catalog, plan)
    if note:
        print(note, file=sys.stderr)
