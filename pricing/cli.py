"""Command line for the price catalog: list, price, diff, validate and refresh."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from foundation.cli import EXIT_BAD_INPUT, EXIT_OK, add_command, new_parser, print_json, run_command
from foundation.cli import options as opt
from foundation.errors import InputError
from foundation.formatting import per_mtok
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog, LoadedSheet, Quote
from pricing.sheets import load_sheet


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv, "pricing.cli")


def build_parser():
    parser, sub = new_parser("python -m pricing", __doc__)
    p = add_command(sub, "list", "Every model in force on a date, with its list prices.", _list)
    _common(p)
    p = add_command(sub, "price", "The prices of one model in force on a date.", _price)
    p.add_argument("model", type=opt.identifier, metavar="PROVIDER/MODEL", help="such as openai/o3")
    _common(p)
    p = add_command(sub, "diff", "What changed in a provider's sheet between two dates.", _diff)
    p.add_argument("provider", type=opt.identifier, help="such as openai")
    p.add_argument(
        "--from",
        dest="from_date",
        type=opt.day,
        required=True,
        metavar="DATE",
        help="the earlier day",
    )
    p.add_argument(
        "--to", dest="to_date", type=opt.day, required=True, metavar="DATE", help="the later day"
    )
    _common(p, on=False)
    p = add_command(
        sub, "validate", "Check sheet files; exit 0 when all are valid, 2 if not.", _validate
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=opt.input_path,
        metavar="PATH",
        help="sheet files or folders of them (default: the shipped sheets)",
    )
    p = add_command(
        sub, "refresh", "Rewrite the sheets from the pinned genai-prices package.", _refresh
    )
    p.add_argument(
        "--out",
        type=opt.output_dir,
        default=DEFAULT_PRICE_DIR,
        metavar="DIR",
        help="folder to write the sheets under (default: the shipped sheets)",
    )
    p.add_argument(
        "--checked-on",
        type=opt.day,
        default=date.today(),
        metavar="DATE",
        help="the date the prices were checked (default: today)",
    )
    return parser


_parser = build_parser  # the name tests/test_docs.py reads


def _common(p, on: bool = True) -> None:
    if on:
        p.add_argument(
            "--on",
            type=opt.day,
            default=date.today(),
            metavar="DATE",
            help="the date the prices are in force (default: today)",
        )
    add_prices_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def add_prices_arg(p) -> None:
    """--prices DIR, the price-sheet folder: every command that prices anything takes it."""
    p.add_argument(
        "--prices",
        type=opt.input_dir,
        default=DEFAULT_PRICE_DIR,
        metavar="DIR",
        help="price-sheet folder (default: the shipped sheets)",
    )


def load_catalog(args) -> Catalog:
    """The price sheets under --prices; each refused sheet is named on stderr."""
    catalog = Catalog.load(args.prices)
    for error in catalog.errors:
        print(f"warning: price sheet refused: {error}", file=sys.stderr)
    return catalog


def _list(args) -> int:
    quotes = sorted(load_catalog(args).quotes(args.on), key=lambda q: q.model_id)
    if args.json:
        print_json([_quote_json(q) for q in quotes])
        return EXIT_OK
    print(f"{'model':<52} {'tier':<11} {'input':>8} {'output':>8} {'cached':>8}  in force from")
    for q in quotes:
        p = q.prices
        print(
            f"{q.model_id:<52} {q.tier:<11} {per_mtok(p.input_per_mtok):>8} "
            f"{per_mtok(p.output_per_mtok):>8} {per_mtok(p.cached_input_per_mtok):>8}  "
            f"{q.effective_from}"
        )
    print(f"\n{len(quotes)} models on {args.on}; USD per million tokens.")
    return EXIT_OK


def _price(args) -> int:
    quote = load_catalog(args).quote(args.model, args.on)
    if args.json:
        print_json(_quote_json(quote))
        return EXIT_OK
    p = quote.prices
    print(f"{quote.model_id} on {args.on} (sheet {quote.version}, {quote.tier} tier)")
    print(f"  input   {per_mtok(p.input_per_mtok)} USD per million tokens")
    print(f"  output  {per_mtok(p.output_per_mtok)}")
    print(f"  cached  {per_mtok(p.cached_input_per_mtok)}")
    apart = {
        "audio in": p.audio_input_per_mtok,
        "audio out": p.audio_output_per_mtok,
        "1-hour cache writes": p.cache_write_1h_per_mtok,
    }
    for label, rate in apart.items():
        if rate is not None:
            print(f"  {label}  {per_mtok(rate)}")
    if p.per_thousand_requests is not None:
        print(f"  request fee  {per_mtok(p.per_thousand_requests)} USD per thousand requests")
    if p.batch:
        print(f"  batch   {per_mtok(p.batch.input_per_mtok)} / {per_mtok(p.batch.output_per_mtok)}")
    for tier in p.long_context:
        print(
            f"  prompts above {tier.above_input_tokens:,} tokens: "
            f"{per_mtok(tier.input_per_mtok)} / {per_mtok(tier.output_per_mtok)}"
        )
    for w in p.time_windows:
        print(
            f"  {w.from_utc:%H:%M}-{w.to_utc:%H:%M} UTC: "
            f"{per_mtok(w.input_per_mtok)} / {per_mtok(w.output_per_mtok)}"
        )
    if p.alias_of:
        print(f"  alias of {quote.provider}/{p.alias_of}")
    if p.deprecated or p.deprecation_date:
        state = "deprecated (left out of plans)" if p.deprecated else "to be retired"
        print(f"  {state}{f' on {p.deprecation_date}' if p.deprecation_date else ''}")
    checked = ""
    if p.prices_checked_on:
        checked = f"; the package checked the price on {p.prices_checked_on}"
    print(f"  source: {quote.source}, imported {quote.checked_on}{checked}")
    return EXIT_OK


def _diff(args) -> int:
    diff = load_catalog(args).diff(args.provider, args.from_date, args.to_date)
    if args.json:
        print_json(
            {
                "provider": diff.provider,
                "from_version": diff.from_version,
                "to_version": diff.to_version,
                "added": diff.added,
                "removed": diff.removed,
                "alias_moves": [m.__dict__ for m in diff.alias_moves],
                "changed": [{**c.__dict__, "pct_change": c.pct_change} for c in diff.changed],
            }
        )
        return EXIT_OK
    print(f"{diff.provider}: sheet {diff.from_version} -> {diff.to_version}")
    if diff.is_empty:
        print("  no changes")
    for model in diff.added:
        print(f"  + {model}")
    for model in diff.removed:
        print(f"  - {model}")
    for move in diff.alias_moves:
        print(f"  ~ {move.model} now points at {move.new_target} (was {move.old_target})")
    for change in diff.changed:
        pct = "" if change.pct_change is None else f" ({change.pct_change:+.1f}%)"
        print(
            f"  * {change.model} {change.field}: "
            f"{per_mtok(change.old)} -> {per_mtok(change.new)}{pct}"
        )
    return EXIT_OK


def _validate(args) -> int:
    files = _sheet_files(args.paths or [DEFAULT_PRICE_DIR])
    sheets, errors = [], []
    for path in files:
        try:
            sheets.append(LoadedSheet(str(path), load_sheet(path)))
        except InputError as exc:
            errors.append(exc)
    errors += Catalog(sheets).errors  # cross-file checks: duplicate effective dates
    for error in errors:
        print(f"invalid: {error}", file=sys.stderr)
    print(f"{len(files) - len(errors)} of {len(files)} sheets valid")
    return EXIT_BAD_INPUT if errors or not files else EXIT_OK


def _sheet_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.json"))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(str(path), "no such file or folder")
    return files


def _refresh(args) -> int:
    from pricing.importer import refresh

    try:
        written = refresh(args.out, args.checked_on)
    except OSError as exc:  # a full disk, no permission: said as the option at fault
        raise InputError(
            "--out", f"cannot write under '{args.out}': {exc.strerror or exc}"
        ) from None
    print(f"wrote {len(written)} files (sheets and the cross-check report) under {args.out}")
    return EXIT_OK


def _quote_json(q: Quote) -> dict:
    p = q.prices
    return {
        "model": q.model_id,
        "provider": q.provider,
        "tier": q.tier,
        "input_per_mtok": _num(p.input_per_mtok),
        "output_per_mtok": _num(p.output_per_mtok),
        "cached_input_per_mtok": _num(p.cached_input_per_mtok),
        "cache_write_per_mtok": _num(p.cache_write_per_mtok),
        "audio_input_per_mtok": _num(p.audio_input_per_mtok),
        "audio_output_per_mtok": _num(p.audio_output_per_mtok),
        "cache_write_1h_per_mtok": _num(p.cache_write_1h_per_mtok),
        "per_thousand_requests": _num(p.per_thousand_requests),
        "batch": None
        if p.batch is None
        else {
            "input_per_mtok": _num(p.batch.input_per_mtok),
            "output_per_mtok": _num(p.batch.output_per_mtok),
        },
        "long_context": [
            {
                "above_input_tokens": t.above_input_tokens,
                "input_per_mtok": _num(t.input_per_mtok),
                "output_per_mtok": _num(t.output_per_mtok),
            }
            for t in p.long_context
        ],
        "context_window_tokens": p.context_window_tokens,
        "alias_of": p.alias_of,
        "deprecated": p.deprecated,
        "deprecation_date": p.deprecation_date.isoformat() if p.deprecation_date else None,
        "time_windows": [
            {
                "from_utc": w.from_utc.isoformat(),
                "to_utc": w.to_utc.isoformat(),
                "input_per_mtok": _num(w.input_per_mtok),
                "output_per_mtok": _num(w.output_per_mtok),
            }
            for w in p.time_windows
        ],
        "effective_from": q.effective_from.isoformat(),
        "version": q.version,
        "source": q.source,
        "checked_on": q.checked_on.isoformat(),
        "prices_checked_on": p.prices_checked_on.isoformat() if p.prices_checked_on else None,
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
