"""The audit trail: who changed what, when, from where, with the old and new value of a
setting. One table, `planner_audit`, in the shared scenario database (planner.scenario_store
creates it at layout 3 and writes a scenario's row in the same transaction as the change);
rows are appended, never updated or deleted. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

MAX_WHO = 200  # an identity ("Name <email>"), an owner key, an audit target
MAX_VALUE = 20_000  # characters of an old or new value
VIA_APP = "app"
VIA_COMMAND = "command line"
COLUMNS = ("at", "who", "via", "action", "target", "old_value", "new_value")

audit_metadata = sa.MetaData()
audit = sa.Table(
    "planner_audit",
    audit_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("who", sa.String(MAX_WHO), nullable=False),
    sa.Column("via", sa.String(20), nullable=False),  # VIA_APP or VIA_COMMAND
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(MAX_WHO), nullable=False),
    sa.Column("old_value", sa.Text, nullable=True),
    sa.Column("new_value", sa.Text, nullable=True),
)


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    id: int
    at: datetime
    who: str
    via: str
    action: str
    target: str
    old_value: str | None
    new_value: str | None

    def row(self) -> dict[str, object]:
        """For a table or CSV: the time in UTC to the second, then COLUMNS' order."""
        out: dict[str, object] = {c: getattr(self, c) for c in COLUMNS}
        out["at"] = self.at.strftime("%Y-%m-%d %H:%M:%S")
        return out


def _cut(value: object, limit: int) -> str | None:
    return None if value is None else " ".join(str(value).split())[:limit]


def append(
    conn: sa.Connection, who: str, via: str, action: str, target: str,
    old: object, new: object, at: datetime | None = None,
) -> None:  # fmt: skip
    """One audit row, each text on one line and cut to its column: the trail never refuses
    the change it records."""
    conn.execute(audit.insert().values(
        at=at or datetime.now(UTC), who=_cut(who, MAX_WHO) or "anonymous", via=_cut(via, 20),
        action=_cut(action, 40), target=_cut(target, MAX_WHO) or "",
        old_value=_cut(old, MAX_VALUE), new_value=_cut(new, MAX_VALUE),
    ))  # fmt: skip


def read_trail(conn: sa.Connection, limit: int | None = None) -> list[AuditEntry]:
    """The trail, the newest first (at most `limit` rows); times in UTC."""
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
    found = []
    for row in conn.execute(query):
        values = dict(row._mapping)
        if values["at"].tzinfo is None:  # SQLite drops the zone; it was written in UTC
            values["at"] = values["at"].replace(tzinfo=UTC)
        found.append(AuditEntry(**values))
    return found
