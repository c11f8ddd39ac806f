"""Errors that name what a person has to fix: the file, the record and the field."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input data, located precisely enough to fix by hand.

    `record` is a model id, a row number ("row 3") or a task class; `field` is the
    column or key. Either may be empty when the whole file is at fault.

    Not a frozen dataclass: Python sets `__traceback__` on every exception it raises, and a
    frozen instance refuses that inside Streamlit's cache (the error then escaped every
    `except InputError`).
    """

    def __init__(self, file: str, message: str, record: str = "", field: str = ""):
        super().__init__(file, message, record, field)
        self.file = file
        self.message = message
        self.record = record
        self.field = field

    def __str__(self) -> str:
        where = self.file
        if self.record:
            where += f", {self.record}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InputError) and self.args == other.args

    def __hash__(self) -> int:
        return hash(self.args)


class UnknownIdError(LookupError):
    """A provider or model id that the catalog does not hold, with the nearest ids."""

    def __init__(self, kind: str, wanted: str, suggestions: list[str]):
        self.kind = kind
        self.wanted = wanted
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {kind} '{wanted}'.{hint}")
