"""Errors that name what a person has to fix: the file, the record and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputError(ValueError):
    """Bad input data, located precisely enough to fix by hand.

    `record` is a model id, a row number ("row 3") or a task class; `field` is the
    column or key. Either may be empty when the whole file is at fault.
    """

    file: str
    message: str
    record: str = ""
    field: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.record:
            where += f", {self.record}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class UnknownIdError(LookupError):
    """A provider or model id that the catalog does not hold, with the nearest ids."""

    def __init__(self, kind: str, wanted: str, suggestions: list[str]):
        self.kind = kind
        self.wanted = wanted
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {kind} '{wanted}'.{hint}")
