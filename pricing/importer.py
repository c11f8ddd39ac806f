"""`python -m pricing refresh`: write reviewed sheet files from the pinned genai-prices package,
and a report of where a second public source (LiteLLM's model price map) disagrees.

Only this module reads genai-prices and LiteLLM's map; the app and the tests read the committed
files. For every provider of the package (less EXCLUDED_PROVIDERS) it takes every model priced
per input and output token, finds every date on which one of their prices changes, evaluates
all of them on each of those dates with the package's own price resolution, and writes one
sheet per date (a provider version). Rules, written down once:

- The first version of each provider is dated HISTORY_START. genai-prices records when prices
  change, not when models launched, so that version means "prices before the first recorded
  change"; being listed in it does not mean a model was on sale on that date. Price starts on
  or before HISTORY_START fold into it.
- Time-of-day prices (DeepSeek's peak and off-peak hours): the list price is the one in force
  for the most hours of the UTC day; the other prices are written as `time_windows`.
- `prices_checked_on`: the date the package's comment on the model (else on the provider)
  says the price was checked; none where it does not say.
- Deprecated: flagged by the package, or retired by LiteLLM's `deprecation_date` on or before
  the import day (the date is kept either way), or in RETIRED with its reason.
- Batch prices come from the package's `processing=batch` variants; other service tiers
  (flex, priority, ...) from its `service_tier` variants. Where the package has none, none is
  written: nothing is inferred from a provider's general discount.
- Aliases (`mistral-medium-latest`) get `alias_of`: the model of the same family whose prices
  they match on that date, so that moving an alias is told apart from a price change.
- Tiers follow schema.TIER_RULE.
- CROSSCHECK.csv lists every price more than 1 % apart from LiteLLM's, with both values.

Where the work is done: pricing.genai_sheets builds each provider's versions (the rules'
constants live there), pricing.genai_read reads one model's prices out of the package, and
pricing.second_source reads LiteLLM's map and writes the cross-check; this module writes files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pricing.genai_sheets import EXCLUDED_PROVIDERS, provider_sheets
from pricing.second_source import CROSSCHECK_FILE, crosscheck_csv, second_source
from pricing.sheets import dump_sheet


def refresh(out_dir: Path, checked_on: date) -> list[Path]:
    """Write every provider's sheet versions and the cross-check report; return the paths.

    A provider's folder is emptied of its old sheets first, so a version the package no
    longer has does not linger.
    """
    from genai_prices.data import providers  # only the importer needs the package

    second = second_source()
    written = []
    for provider in sorted(providers, key=lambda p: p.id):
        if provider.id in EXCLUDED_PROVIDERS:
            continue
        sheets = provider_sheets(provider, checked_on, second)
        if not sheets:
            continue
        folder = out_dir / provider.id
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for sheet in sheets:
            path = folder / f"{sheet.effective_from.isoformat()}.json"
            path.write_text(dump_sheet(sheet), encoding="utf-8")
            written.append(path)
    report = out_dir / CROSSCHECK_FILE
    # Bytes, so the writer's line ends reach the file unchanged on every platform.
    report.write_bytes(crosscheck_csv(out_dir, second).encode("utf-8"))
    written.append(report)
    return written
