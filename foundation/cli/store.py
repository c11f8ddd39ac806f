"""The one store session of the command line: check the file, open, yield, always close.

A store file that is a folder, a FIFO or a device is refused before the driver sees it (a
FIFO would block the open forever), and whatever the driver raises while opening or using
the store becomes one StoreError that names the file (exit 4), never a traceback.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from foundation.cli.options import MEMORY_STORE
from foundation.errors import StoreError

C = TypeVar("C")


def check_store_file(path: Path) -> None:
    """Refuse a store path that no database can be: a folder, a FIFO, a device, a socket.

    A missing file is fine (the store creates it), and so is `:memory:`.
    """
    if str(path) == MEMORY_STORE:
        return
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise StoreError(str(path), f"cannot be opened ({why})") from None
    if stat.S_ISDIR(mode):
        raise StoreError(str(path), "is a folder, not a store file", "Give the path of a file.")
    if not stat.S_ISREG(mode):
        raise StoreError(str(path), "is a FIFO or a device, not a store file")


@contextmanager
def store_session(
    path: Path,
    connect: Callable[[Path], C],
    *,
    errors: tuple[type[BaseException], ...] = (),
    remedy: str = "",
) -> Iterator[C]:
    """Open the store at `path` with `connect`, yield the connection, always close it.

    `errors` are the driver's exception types: raised by the open they mean the file is
    not a store it can open (corrupt, locked too long, a newer layout); raised while the
    session runs, that the store cannot be used. Either is a StoreError with `remedy`.
    """
    check_store_file(path)
    try:
        con: Any = connect(path)
    except errors as exc:
        raise StoreError(str(path), f"cannot be opened as a store ({said(exc)})", remedy) from exc
    try:
        yield con
    except errors as exc:
        raise StoreError(str(path), f"cannot be used ({said(exc)})", remedy) from exc
    finally:
        con.close()


def said(exc: BaseException) -> str:
    """The driver's first line, without its closing punctuation (StoreError adds a stop)."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return lines[0].rstrip("!. ")
