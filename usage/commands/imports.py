"""Filling the store: `import` exports, list or remove `imports`, `reconcile` the sources
of one usage, replace the attribution `rules` and the `models` mapping."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from foundation.cli import EXIT_BAD_INPUT, EXIT_OK, print_json
from foundation.cli import options as opt
from foundation.cli.exits import classify
from foundation.errors import InputError
from foundation.formatting import money_cents
from planner.scenario_store import record_command  # the audit trail, OS user
from pricing.cli import add_prices_arg, load_catalog
from usage import formats, settings, store
from usage.attribution import load_rules
from usage.commands.common import command, emit, open_store, table
from usage.importer import ImportRejected, import_file
from usage.reconcile import PERIODS, reconcile
from usage.resolve import load_model_mapping

MAX_IMPORT_ID = 2**63 - 1


def register(sub) -> None:
    imp = command(sub, "import", "Import usage or cost exports.", run_import, prices=True)
    imp.add_argument(
        "files",
        nargs="+",
        type=opt.input_file,
        metavar="FILE",
        help="exports to import, each all or nothing",
    )
    imp.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    imports = command(sub, "imports", "List imports, or remove one.", run_imports, prices=True)
    imports.add_argument(
        "--remove",
        type=opt.int_in(1, MAX_IMPORT_ID),
        metavar="ID",
        help="take this import out of force (its rows stay as history)",
    )
    imports.add_argument("--all", action="store_true",
                         help="list removed imports too (the history)")  # fmt: skip
    rec = command(sub, "reconcile", "Each source of a usage side by side, and what counts.",
                  run_reconcile, prices=True)  # fmt: skip
    rec.add_argument("--by", choices=PERIODS, default="day", help="per day or per month")
    rec.add_argument("--from", dest="start", type=opt.day, metavar="DATE", help="first day")
    rec.add_argument("--to", dest="end", type=opt.day, metavar="DATE", help="inclusive")
    rec.add_argument("--provider", metavar="NAME", help="only this provider (as shown)")
    kept = command(sub, "settings", "The saved versions of rules, mappings, budgets, outcomes.",
                   run_settings)  # fmt: skip
    kept.add_argument("--history", choices=settings.KINDS, metavar="KIND",
                      help=f"every version of one of: {', '.join(settings.KINDS)}")  # fmt: skip
    rules = command(sub, "rules", "Replace the attribution rules.", run_rules, as_json=False)
    rules.add_argument(
        "file",
        type=opt.input_file,
        metavar="FILE",
        help="attribution rules: field,pattern,team,task_class",
    )
    add_prices_arg(rules)
    models = command(sub, "models", "Replace the model mapping file.", run_models, as_json=False)
    models.add_argument(
        "file",
        type=opt.input_file,
        metavar="FILE",
        help="model mapping: raw_model,model (as provider/model)",
    )
    add_prices_arg(models)


def run_import(args) -> int:
    """Each file on its own (all of its rows or none); a bad file does not stop the next."""
    catalog = load_catalog(args)
    results, failed = [], False
    for path in args.files:
        with open_store(args, job=Path(path).name) as con:
            try:
                results.append(import_file(con, path, catalog, args.format))
                record_command("import usage", str(path), None, _import_line(results[-1]))
            except (ImportRejected, InputError) as exc:
                failed = True
                print(classify(exc)[1], file=sys.stderr)
    if args.json:
        print_json([_import_json(r) for r in results])
    else:
        for result in results:
            print(_import_line(result))
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _import_json(result: store.ImportResult) -> dict[str, Any]:
    return {
        "import_id": result.import_id,
        "file": result.file_name,
        "format": result.source_format,
        "rows_in_file": result.rows_in_file,
        "rows_added": result.rows_added,
        "duplicates": result.duplicates,
        "rows_restated": result.rows_restated,
        "rows_unchanged": result.rows_unchanged,
        "restated_billed_usd": result.restated_billed_usd,
        "restated_tokens": result.restated_tokens,
        "restated_imports": list(result.restated_imports),
        "already_imported": result.already_imported,
        "not_stored": [{"what": w, "rows": n, "usd": usd} for w, n, usd in result.notes],
    }


def _import_line(result: store.ImportResult) -> str:
    if result.already_imported:
        return f"{result.file_name}: already imported as #{result.import_id}; nothing added"
    line = (
        f"{result.file_name}: import #{result.import_id} ({result.source_format}), "
        f"{result.rows_added:,} rows added, {result.rows_unchanged:,} unchanged"
    )
    if result.rows_restated:
        replaced = ", ".join(f"#{i}" for i in result.restated_imports)
        line += (
            f", {result.rows_restated:,} restated (of {replaced}: billed "
            f"{_signed(result.restated_billed_usd)}, {result.restated_tokens:+,.0f} tokens)"
        )
    repeated = result.duplicates - result.rows_unchanged - result.rows_restated
    if repeated:
        line += f", {repeated:,} repeated within the file"
    for what, n, usd in result.notes:
        line += f"; not stored: {n:,} {what} ({money_cents(usd)})"
    return line


def _signed(usd: float) -> str:
    return ("-" if usd < 0 else "+") + money_cents(abs(usd))


def run_imports(args) -> int:
    with open_store(args) as con:
        if args.remove is not None:
            if not store.remove_import(con, args.remove):
                raise InputError("--remove", f"there is no import #{args.remove} in force")
            print(f"removed import #{args.remove}: its rows no longer count (kept as "
                  "history), and what it restated counts again")  # fmt: skip
            record_command("remove an import", f"import #{args.remove}", "imported", None)
            return EXIT_OK
        records = store.list_imports(con, removed=args.all)
    names = [
        "import_id",
        "file_name",
        "source_format",
        "rows_in_file",
        "rows_added",
        "rows_restated",
        "restated_imports",
        "state",
        "imported_at",
        "file_hash",
    ]
    rows = [
        (
            r.import_id,
            r.file_name,
            r.source_format,
            r.rows_in_file,
            r.rows_added,
            r.rows_restated,
            r.restated_imports or "",
            r.state,
            r.imported_at.isoformat(sep=" "),
            r.file_hash[:12],
        )
        for r in records
    ]
    emit(rows, names, args)
    return EXIT_OK


def run_reconcile(args) -> int:
    catalog = load_catalog(args)
    with open_store(args) as con:
        store.ensure_prices(con, catalog)
        found = reconcile(con, args.by, args.start, args.end, args.provider)
    if args.json:
        print_json({"sources": [line.as_dict() for line in found.lines],
                    "totals": [total.as_dict() for total in found.totals]})  # fmt: skip
        return EXIT_OK
    names = ["provider", args.by, "source", "kind", "grain", "counts", "requests", "tokens",
             "cost_usd", "tokens_vs_counted", "cost_vs_counted_usd"]  # fmt: skip
    rows = [(x.provider, x.period, x.source_format, x.source_kind, x.grain, x.role,
             x.requests, x.tokens, x.cost_usd, x.tokens_difference, x.cost_difference_usd)
            for x in found.lines]  # fmt: skip
    print(table(rows, names))
    print()
    names = ["provider", args.by, "tokens", "spend_usd", "billed_usd", "list_of_billed_usd",
             "variance_usd"]  # fmt: skip
    print(table([(t.provider, t.period, t.tokens, t.spend_usd, t.billed_usd,
                  t.billed_list_usd, t.variance_usd) for t in found.totals], names))  # fmt: skip
    return EXIT_OK


def run_settings(args) -> int:
    """The version in force of each setting (or every version of one, newest first)."""
    with open_store(args, reads_only=True) as con:
        if args.history:
            found = settings.setting_history(con, args.history)
        else:
            found = [v for k in settings.KINDS if (v := settings.setting_in_force(con, k))]
    names = ["kind", "version", "saved_by", "saved_at", "content"]
    rows = [(v.kind, v.version, v.saved_by or "", v.saved_at.isoformat(sep=" "), v.content)
            for v in found]  # fmt: skip
    emit(rows, names, args)
    return EXIT_OK


def run_rules(args) -> int:
    rules = load_rules(args.file)
    with open_store(args) as con:
        saved = store.set_attribution_rules(
            con,
            [(r.field, r.pattern, r.team, r.task_class) for r in rules],
            settings.current_user(),
        )
    record_command("set attribution rules", str(args.file), None, f"{len(rules)} rules")
    print(f"{len(rules)} attribution rules in force (first match wins; {saved.describe()})")
    return EXIT_OK


def run_models(args) -> int:
    catalog = load_catalog(args)
    mapping = load_model_mapping(args.file, catalog)
    with open_store(args) as con:
        saved = store.set_model_aliases(con, mapping, catalog, settings.current_user())
    record_command("set model mappings", str(args.file), None, f"{len(mapping)} mappings")
    print(f"{len(mapping)} model mappings in force ({saved.describe()})")
    return EXIT_OK
