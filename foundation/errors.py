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


class InputErrors(InputError):
    """Every bad row of one input, each located; reads as the first when there is one.

    A file with two bad rows gets both named at once, so a person fixes the file in one pass.
    `errors` holds each row's InputError; the attributes of the first are this error's own.
    """

    SHOWN = 20  # rows named in the message; the rest are counted

    def __init__(self, errors: list[InputError]):
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        first = errors[0]
        super().__init__(first.file, first.message, first.record, first.field)
        self.errors = list(errors)

    def __str__(self) -> str:
        if len(self.errors) == 1:
            return super().__str__()
        lines = [str(error) for error in self.errors[: self.SHOWN]]
        more = len(self.errors) - self.SHOWN
        tail = [f"... and {more} more"] if more > 0 else []
        return f"{len(self.errors)} problems:\n" + "\n".join(["- " + x for x in lines] + tail)


def raise_all(errors: list[InputError]) -> None:
    """Raise every collected error at once (one InputError when there is one); no-op if none."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


class UnknownIdError(LookupError):
    """A provider or model id that the catalog does not hold, with the nearest ids."""

    def __init__(self, kind: str, wanted: str, suggestions: list[str]):
        self.kind = kind
        self.wanted = wanted
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {kind} '{wanted}'.{hint}")


class StoreError(RuntimeError):
    """A store (usage or scenarios) that cannot be opened or used as it is.

    `where` names the store (its file, or its URL without a password); `remedy` is the way
    out a person can take (restore the backup beside it, start a new store, upgrade the app).
    Shown as one plain line on a page and on the command line, never as a traceback.
    """

    def __init__(self, where: str, message: str, remedy: str = ""):
        super().__init__(where, message, remedy)
        self.where = where
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        tail = f" {self.remedy}" if self.remedy else ""
        return f"{self.where}: {self.message}.{tail}"
