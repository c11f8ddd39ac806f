"""What a team sets, kept: every save of the attribution rules, the model mapping, the budgets,
the outcomes or the commitments is a version with who saved it and when; the newest is in
force.

The store keeps them in `settings` (kind, version, saved_by, saved_at, content as text: the
file as uploaded, or the rules and mappings as JSON), shared by every session and the command
line. Saving never deletes an earlier version.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from usage.ledger import WRITE_LOCK
from usage.schema import one, transaction

KINDS = ("attribution_rules", "model_aliases", "budgets", "outcomes", "commitments")


@dataclass(frozen=True)
class SettingVersion:
    kind: str
    version: int
    saved_by: str | None
    saved_at: datetime
    content: str

    def describe(self) -> str:
        """ "version 3, saved by ana on 2026-12-03 14:05" (for a line of text)."""
        who = f" by {self.saved_by}" if self.saved_by else ""
        return f"version {self.version}, saved{who} on {self.saved_at:%Y-%m-%d %H:%M}"


def current_user() -> str | None:
    """Who runs this process (the command line's "who"), when the system says."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def save_setting(con: duckdb.DuckDBPyConnection, kind: str, content: str,
                 saved_by: str | None = None) -> SettingVersion:  # fmt: skip
    """Keep `content` as the newest version of `kind` (in force from now)."""
    if kind not in KINDS:
        raise ValueError(f"unknown setting {kind!r}; choose from {', '.join(KINDS)}")
    with WRITE_LOCK, transaction(con):
        return record(con, kind, content, saved_by)


def record(con: duckdb.DuckDBPyConnection, kind: str, content: str,
           saved_by: str | None) -> SettingVersion:  # fmt: skip
    """`save_setting` inside the caller's transaction (the caller holds WRITE_LOCK)."""
    last = one(con, "SELECT max(version) FROM settings WHERE kind = ?", [kind])[0] or 0
    saved = SettingVersion(kind, last + 1, saved_by, datetime.now().replace(microsecond=0),
                           content)  # fmt: skip
    con.execute("INSERT INTO settings VALUES (?, ?, ?, ?, ?)",
                [kind, saved.version, saved.saved_by, saved.saved_at, content])  # fmt: skip
    return saved


def rows_content(rows) -> str:
    """Rules or mappings (tuples) as the JSON a version keeps."""
    return json.dumps([list(row) for row in rows])


def setting_in_force(con: duckdb.DuckDBPyConnection, kind: str) -> SettingVersion | None:
    """The newest version of `kind`, None when it was never saved."""
    history = setting_history(con, kind, newest_only=True)
    return history[0] if history else None


def setting_history(con: duckdb.DuckDBPyConnection, kind: str, *,
                    newest_only: bool = False) -> list[SettingVersion]:  # fmt: skip
    """Every version of `kind`, newest first."""
    limit = " LIMIT 1" if newest_only else ""
    found = con.execute(
        "SELECT kind, version, saved_by, saved_at, content FROM settings WHERE kind = ? "
        f"ORDER BY version DESC{limit}",
        [kind],
    ).fetchall()
    return [SettingVersion(*row) for row in found]


# -- budgets, outcomes and commitments: a file, kept with its name --------------------------

FILE_KINDS = ("budgets", "outcomes", "commitments")


def save_file(con: duckdb.DuckDBPyConnection, kind: str, name: str, data: bytes,
              saved_by: str | None = None) -> SettingVersion:  # fmt: skip
    """Keep a budgets, outcomes or commitments file (already parsed cleanly by the caller) as
    the newest version of `kind`: its name (which says CSV or JSON) and its text as uploaded."""
    if kind not in FILE_KINDS:
        raise ValueError(f"not a file setting: {kind!r}; choose from {', '.join(FILE_KINDS)}")
    text = data.decode("utf-8")
    return save_setting(con, kind, json.dumps({"file": name, "text": text}), saved_by)


def file_of(saved: SettingVersion) -> tuple[str, bytes]:
    """The (name, bytes) a budgets, outcomes or commitments version keeps."""
    kept = json.loads(saved.content)
    return kept["file"], kept["text"].encode("utf-8")


KeptFile = tuple[tuple[str, bytes] | None, SettingVersion | None]


def file_in_force(con: duckdb.DuckDBPyConnection, kind: str) -> KeptFile:
    """The budgets, outcomes or commitments file in force and its version; (None, None) when
    never saved."""
    saved = setting_in_force(con, kind)
    return (file_of(saved), saved) if saved else (None, None)


def replaced_text(saved: SettingVersion | None) -> str:
    """What a new save replaces, for the audit trail's old value: "none" when nothing was
    saved before, else the version in force with who saved it and when (and, for budgets
    and outcomes, the file's name): "b.csv (version 2, saved by ana on 2026-12-03 14:05)"."""
    if saved is None:
        return "none"
    if saved.kind in FILE_KINDS:
        return f"{file_of(saved)[0]} ({saved.describe()})"
    return saved.describe()
