"""The price catalog: every sheet version of every provider, looked up by date.

A provider's sheets are versions; the one in force on a date is the latest whose
`effective_from` is on or before it. A sheet that fails validation is refused with an
InputError (kept in `Catalog.errors`) and the others still load.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from foundation.errors import InputError, UnknownIdError
from pricing.retirements import RETIREMENTS_FILE, load_retirements, retirement_dates
from pricing.scenario import PRICE_FIELDS, PriceScenario
from pricing.schema import ModelPrices, PriceSheet, model_prices_of
from pricing.sheets import load_sheet

DEFAULT_PRICE_DIR = Path(__file__).resolve().parent.parent / "data" / "price_sheets"


@dataclass(frozen=True)
class LoadedSheet:
    """A validated sheet and the file it came from."""

    path: str
    sheet: PriceSheet
    retirements: dict[str, date] = field(default_factory=dict)  # reviewed dates, by model

    def __hash__(self) -> int:
        return hash((self.path, self.sheet.provider, self.sheet.version))

    @property
    def provider(self) -> str:
        return self.sheet.provider

    @property
    def effective_from(self) -> date:
        return self.sheet.effective_from

    @cached_property
    def models(self) -> dict[str, ModelPrices]:
        """The sheet's models, each with its reviewed retirement date where the list has one."""
        out = {}
        for m in model_prices_of(self.sheet):
            reviewed = self.retirements.get(m.id)
            out[m.id] = (
                m if reviewed is None else m.model_copy(update={"deprecation_date": reviewed})
            )
        return out


@dataclass(frozen=True)
class Quote:
    """A model's prices in force on a date, and where they came from."""

    provider: str
    model: str
    prices: ModelPrices
    effective_from: date
    version: str
    source: str
    checked_on: date
    sheet_path: str
    kind: str
    illustrative: bool = False  # from a sheet of assumptions, not a published price list

    @property
    def model_id(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def tier(self) -> str:
        return self.prices.tier

    def with_prices(self, prices: ModelPrices) -> Quote:
        return Quote(**{**self.__dict__, "prices": prices})


@dataclass(frozen=True)
class PriceChange:
    model: str
    field: str
    old: Decimal | None
    new: Decimal | None

    @property
    def pct_change(self) -> float | None:
        if self.old in (None, 0) or self.new is None:
            return None
        return float((self.new - self.old) / self.old * 100)


@dataclass(frozen=True)
class AliasMove:
    """An alias (e.g. `mistral-medium-latest`) that now points at another model."""

    model: str
    old_target: str | None
    new_target: str | None


@dataclass(frozen=True)
class SheetDiff:
    provider: str
    from_version: str
    to_version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[PriceChange] = field(default_factory=list)
    alias_moves: list[AliasMove] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.alias_moves)


class Catalog:
    """All price sheets, indexed by provider and effective date."""

    def __init__(self, sheets: list[LoadedSheet], errors: list[InputError] | None = None):
        self.errors: list[InputError] = list(errors or [])
        self._by_provider: dict[str, list[LoadedSheet]] = {}
        for loaded in sorted(sheets, key=lambda s: (s.provider, s.effective_from, s.path)):
            self._add(loaded)

    @classmethod
    def load(cls, root: Path | str = DEFAULT_PRICE_DIR) -> Catalog:
        """Load every `*.json` sheet under `root`; refuse bad ones, keep the rest.

        The reviewed retirements beside the folder (`../retirements.csv`, when there is one)
        are laid over the sheets' dates; a bad entry there is an InputError."""
        root = Path(root)
        if not root.is_dir():
            raise InputError(str(root), "price-sheet folder does not exist")
        reviewed_file = root.parent / RETIREMENTS_FILE
        reviewed = load_retirements(reviewed_file) if reviewed_file.is_file() else {}
        sheets, errors = [], []
        for path in sorted(root.rglob("*.json")):
            try:
                sheet = load_sheet(path)
            except InputError as exc:
                errors.append(exc)
                continue
            sheets.append(LoadedSheet(str(path), sheet, retirement_dates(reviewed, sheet.provider)))
        return cls(sheets, errors)

    def _add(self, loaded: LoadedSheet) -> None:
        versions = self._by_provider.setdefault(loaded.provider, [])
        clash = next((v for v in versions if v.effective_from == loaded.effective_from), None)
        if clash is not None:
            self.errors.append(
                InputError(
                    loaded.path,
                    f"another version of '{loaded.provider}' ({clash.path}) has the same "
                    f"effective date {loaded.effective_from}; this sheet was not loaded",
                    field="effective_from",
                )
            )
            return
        versions.append(loaded)

    # -- lookups ---------------------------------------------------------------------------

    def providers(self) -> list[str]:
        return sorted(self._by_provider)

    def versions(self, provider: str) -> list[LoadedSheet]:
        """A provider's sheets, oldest first."""
        if provider not in self._by_provider:
            raise UnknownIdError("provider", provider, _nearest(provider, self.providers()))
        return list(self._by_provider[provider])

    def sheet_on(self, provider: str, on: date) -> LoadedSheet:
        """The version of a provider's sheet in force on a date."""
        versions = self.versions(provider)
        in_force = [v for v in versions if v.effective_from <= on]
        if not in_force:
            raise LookupError(
                f"No '{provider}' price sheet is in force on {on}; "
                f"the first takes effect on {versions[0].effective_from}."
            )
        return in_force[-1]

    def quote(self, model_id: str, on: date, scenario: PriceScenario | None = None) -> Quote:
        """A model's prices on a date (`provider/model`), with a scenario applied if given."""
        provider, _, model = model_id.partition("/")
        if provider not in self._by_provider:
            raise UnknownIdError("provider", provider, _nearest(provider, self.providers()))
        sheet_date = scenario.date_for(provider, on) if scenario else on
        loaded = self.sheet_on(provider, sheet_date)
        if model not in loaded.models:
            raise UnknownIdError("model", model_id, _nearest(model_id, self.model_ids()))
        quote = _quote_of(loaded, loaded.models[model])
        return scenario.apply(quote) if scenario else quote

    def quotes(
        self, on: date, scenario: PriceScenario | None = None, only: Collection[str] | None = None
    ) -> list[Quote]:
        """Every model in force on a date, across providers (only the ids in `only`, if given:
        the planner prices just the models that have an accuracy, out of a catalog of 1,000+)."""
        wanted = None if only is None else set(only)
        providers = self.providers()
        if wanted is not None:
            named = {m.partition("/")[0] for m in wanted}
            providers = [p for p in providers if p in named]
        out = []
        for provider in providers:
            sheet_date = scenario.date_for(provider, on) if scenario else on
            try:
                loaded = self.sheet_on(provider, sheet_date)
            except LookupError:
                continue
            for model, prices in loaded.models.items():
                if wanted is not None and f"{provider}/{model}" not in wanted:
                    continue
                quote = _quote_of(loaded, prices)
                out.append(scenario.apply(quote) if scenario else quote)
        return out

    def illustrative_providers(self, on: date) -> list[str]:
        """Providers whose sheet in force on `on` is marked illustrative (assumptions).

        Read from the sheets in force, not from a quote per model: the page asks on every
        rerun, and the catalog has over a thousand models."""
        out = []
        for provider in self.providers():
            try:
                loaded = self.sheet_on(provider, on)
            except LookupError:
                continue
            if getattr(loaded.sheet, "illustrative", False) and loaded.models:
                out.append(provider)
        return out

    def model_ids(self) -> list[str]:
        """Every model id that any version lists."""
        return sorted(
            {
                f"{p}/{m}"
                for p, versions in self._by_provider.items()
                for v in versions
                for m in v.models
            }
        )

    def history(self, model_id: str) -> list[Quote]:
        """The model's prices in each version of its provider's sheet that lists it."""
        provider, _, model = model_id.partition("/")
        if provider not in self._by_provider or model_id not in self.model_ids():
            raise UnknownIdError("model", model_id, _nearest(model_id, self.model_ids()))
        return [
            _quote_of(v, v.models[model]) for v in self._by_provider[provider] if model in v.models
        ]

    def change_dates(self, provider: str) -> list[date]:
        return [v.effective_from for v in self.versions(provider)]

    # -- comparison --------------------------------------------------------------------------

    def diff(self, provider: str, from_date: date, to_date: date) -> SheetDiff:
        """What changed between the sheets in force on two dates."""
        old, new = self.sheet_on(provider, from_date), self.sheet_on(provider, to_date)
        result = SheetDiff(provider, old.sheet.version, new.sheet.version)
        result.added.extend(sorted(set(new.models) - set(old.models)))
        result.removed.extend(sorted(set(old.models) - set(new.models)))
        for model in sorted(set(old.models) & set(new.models)):
            before, after = old.models[model], new.models[model]
            if before.alias_of != after.alias_of:
                result.alias_moves.append(AliasMove(model, before.alias_of, after.alias_of))
                continue
            result.changed.extend(_price_changes(model, before, after))
        return result


def _quote_of(loaded: LoadedSheet, prices: ModelPrices) -> Quote:
    sheet = loaded.sheet
    return Quote(
        provider=sheet.provider,
        model=prices.id,
        prices=prices,
        effective_from=sheet.effective_from,
        version=sheet.version,
        source=sheet.source,
        checked_on=sheet.checked_on,
        sheet_path=loaded.path,
        kind=sheet.kind,
        illustrative=getattr(sheet, "illustrative", False),
    )


def _price_changes(model: str, before: ModelPrices, after: ModelPrices) -> list[PriceChange]:
    """Every price that differs, standard first, then batch and service tiers by field."""
    changes = _field_changes(model, "", before, after)
    changes += _field_changes(model, "batch.", before.batch, after.batch)
    for name in sorted(set(before.service_tiers) | set(after.service_tiers)):
        old, new = before.service_tiers.get(name), after.service_tiers.get(name)
        changes += _field_changes(model, f"{name}.", old, new)
    if before.long_context != after.long_context:
        changes.append(PriceChange(model, "long_context", None, None))
    return changes


def _field_changes(model: str, prefix: str, old, new) -> list[PriceChange]:
    out = []
    for name in PRICE_FIELDS:
        a = None if old is None else getattr(old, name)
        b = None if new is None else getattr(new, name)
        if a != b:
            out.append(PriceChange(model, prefix + name, a, b))
    return out


def _nearest(wanted: str, known: list[str]) -> list[str]:
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.5)
    if close:
        return close
    tail = wanted.rpartition("/")[2]
    return [k for k in known if tail and tail in k][:3]
