"""The one set of option types for the three command lines, with the same bounds everywhere.

Each is an argparse `type=`: it returns the parsed value or raises ArgumentTypeError with
what is wrong, and argparse names the option (`argument --budget: ...`) and exits 2. Paths
are checked with `os.stat`, which never opens the file, so a FIFO given anywhere is refused
before anything could block on it.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import stat
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TypeVar

from foundation.inputs import FIRST_DATE, LAST_DATE, MAX_MAGNITUDE, MAX_TEXT, clean_text

T = TypeVar("T")
Bad = argparse.ArgumentTypeError
STDOUT_NAMES = ("-", "/dev/stdout")  # output paths that mean standard output
MEMORY_STORE = ":memory:"


def _named(name: str, parse: Callable[[str], T]) -> Callable[[str], T]:
    parse.__name__ = name  # argparse says "invalid <name> value" if a check ever slips
    return parse


# -- dates and months --------------------------------------------------------------------------


def day(text: str) -> date:
    """An ISO date (YYYY-MM-DD) from 2000-01-01 to 2099-12-31."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise Bad(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise Bad(f"'{text}' is outside {FIRST_DATE} to {LAST_DATE}")
    return value


MONTH = re.compile(r"(\d{4})-(\d{2})")


def month(text: str) -> str:
    """A calendar month as YYYY-MM, in the years a date may name."""
    match = MONTH.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise Bad(f"'{text}' is not a month (YYYY-MM, such as 2026-10)")
    if not FIRST_DATE.year <= int(match[1]) <= LAST_DATE.year:
        raise Bad(f"'{text}' is outside {FIRST_DATE:%Y-%m} to {LAST_DATE:%Y-%m}")
    return match[0]


# -- numbers -----------------------------------------------------------------------------------


def number(text: str) -> float:
    """A finite number within the magnitude any input may have (not inf, nan or 1e400)."""
    try:
        value = float(text)
    except (ValueError, OverflowError):
        raise Bad(f"'{text}' is not a number") from None
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise Bad(f"'{text}' is not a finite number below {MAX_MAGNITUDE:g}")
    return value


def number_in(
    lo: float, hi: float, *, hi_open: bool = False, lo_open: bool = False, unit: str = ""
) -> Callable[[str], float]:
    """A finite number from lo to hi (either end left out when open), said so when not."""
    left = ("above " if lo_open else "") + f"{lo:g}"
    right = ("under " if hi_open else "") + f"{hi:g}"

    def parse(text: str) -> float:
        value = number(text)
        if value < lo or value > hi or (lo_open and value == lo) or (hi_open and value == hi):
            raise Bad(f"{text.strip()} is outside {left} to {right}{unit}")
        return value

    return _named("number", parse)


def money(text: str) -> float:
    """US dollars: finite, zero or more, at most MAX_MAGNITUDE."""
    value = number(text)
    if value < 0:
        raise Bad(f"'{text}' is negative; give zero or more USD")
    return value


def nonnegative(text: str) -> float:
    """A finite number, zero or more (a standard deviation, a cap)."""
    value = number(text)
    if value < 0:
        raise Bad(f"'{text}' is negative; give zero or more")
    return value


share = _named("share", number_in(0, 1))  # a fraction: 0.25 is a quarter
percent = _named("percent", number_in(0, 100, unit=" %"))  # 25 is a quarter
discount = _named("discount", number_in(0, 100, hi_open=True, unit=" %"))


def int_in(lo: int, hi: int, unit: str = "") -> Callable[[str], int]:
    """A whole number from lo to hi (a count of points, paths, rows; an id)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise Bad(f"'{text}' is not a whole number") from None
        if not lo <= value <= hi:
            raise Bad(f"{value} is outside {lo:,} to {hi:,}{unit}")
        return value

    return _named("whole number", parse)


# -- ids, pairs and lists ----------------------------------------------------------------------


def identifier(text: str) -> str:
    """A name or id (a provider, a model, a team): the text rules of every input."""
    try:
        value = clean_text(text)
    except ValueError as exc:
        raise Bad(f"{text!r} {exc}") from None
    if not value:
        raise Bad("is empty; give a name")
    if len(value) > MAX_TEXT:
        raise Bad(f"is longer than {MAX_TEXT} characters")
    return value


def pair(
    value_type: Callable[[str], T], what: str, key: str = "PROVIDER", shape: str = "NUMBER"
) -> Callable[[str], tuple[str, T]]:
    """KEY=VALUE (a provider or model and a figure for it), each half checked."""

    def parse(text: str) -> tuple[str, T]:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise Bad(f"expects {key}={shape}, got '{text}'")
        name = identifier(name)
        try:
            return name, value_type(value)
        except Bad as exc:
            raise Bad(f"{what} for '{name}': {exc}") from None

    return _named(f"{key}={shape}", parse)


def choice_list(known: Iterable[str], verb: str) -> Callable[[str], list[str]]:
    """A comma list of known names (`team,model`), at least one."""
    choices = list(known)

    def parse(text: str) -> list[str]:
        names = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [name for name in names if name not in choices]
        if unknown or not names:
            bad = unknown[0] if unknown else text
            raise Bad(f"cannot {verb} {bad!r}; choose from {', '.join(choices)}")
        return names

    return _named("list", parse)


# -- paths -------------------------------------------------------------------------------------


def _mode(text: str, doing: str) -> int | None:
    """The file type bits of a path (None when nothing is there), without opening it."""
    if not text.strip():
        raise Bad("is empty; give a path")
    try:
        return os.stat(text).st_mode
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a NUL in the name, too long, no permission
        raise Bad(f"cannot {doing} '{text}': {getattr(exc, 'strerror', None) or exc}") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a device or socket" if not stat.S_ISREG(mode) else "a file"


def input_file(text: str) -> Path:
    """A file to read: it exists and is a regular file (never a FIFO, which would block)."""
    mode = _mode(text, "read")
    if mode is None:
        raise Bad(f"cannot read '{text}': no such file")
    if not stat.S_ISREG(mode):
        raise Bad(f"cannot read '{text}': it is {_kind(mode)}, not a regular file")
    return Path(text)


def input_dir(text: str) -> Path:
    """A folder to read (price sheets)."""
    mode = _mode(text, "read")
    if mode is None:
        raise Bad(f"cannot read '{text}': no such folder")
    if not stat.S_ISDIR(mode):
        raise Bad(f"cannot read '{text}': it is {_kind(mode)}, not a folder")
    return Path(text)


def input_path(text: str) -> Path:
    """A file or a folder of files to read."""
    mode = _mode(text, "read")
    if mode is None:
        raise Bad(f"cannot read '{text}': no such file or folder")
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise Bad(f"cannot read '{text}': it is {_kind(mode)}")
    return Path(text)


def _parent_folder(text: str, doing: str) -> None:
    parent = os.path.dirname(os.path.abspath(text))
    mode = _mode(parent, doing)
    if mode is None or not stat.S_ISDIR(mode):
        raise Bad(f"cannot {doing} '{text}': the folder '{parent}' does not exist")


def output_file(text: str) -> Path:
    """A file to write: a new or regular file in a folder that exists, or `-` for stdout.

    Checked before any work, so a typo does not cost a solve; a FIFO or a device other than
    standard output is refused (writing to one could block, or fail after the work is done).
    """
    if text in STDOUT_NAMES:
        return Path(text)
    mode = _mode(text, "write to")
    if mode is not None and not stat.S_ISREG(mode):
        hint = "; give a file name" if stat.S_ISDIR(mode) else ", not a regular file"
        raise Bad(f"cannot write to '{text}': it is {_kind(mode)}{hint}")
    _parent_folder(text, "write to")
    return Path(text)


def output_dir(text: str) -> Path:
    """A folder to write files under: an existing folder, or a new one in a folder that exists."""
    mode = _mode(text, "write under")
    if mode is not None and not stat.S_ISDIR(mode):
        raise Bad(f"cannot write under '{text}': it is {_kind(mode)}, not a folder")
    if mode is None:
        _parent_folder(text, "write under")
    return Path(text)


def store_path(text: str) -> Path:
    """A store file (`--db`): new or existing, in a folder that exists; `:memory:` for none.

    A FIFO or device is refused here; a folder, or a file that is not a store, is refused
    when the store is opened (exit 4, `foundation.cli.store`).
    """
    if text == MEMORY_STORE:
        return Path(text)
    mode = _mode(text, "open")
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise Bad(f"cannot open '{text}' as a store: it is {_kind(mode)}")
    _parent_folder(text, "open")
    return Path(text)
