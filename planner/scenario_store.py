"""Named scenarios in a database that a team shares (no Streamlit here).

A scenario is the whole view as the JSON the app exports (workload, accuracy table, sliders,
settings, vendor scenarios), stored with a name, who saved it and when, its owner (the
signed-in identity's key; empty when sign-in is off) and whether it is shared or private.
Beside it, the audit trail: one appended row per change (who, when, what, old and new
value, from the app or the command line). Tables written through SQLAlchemy Core, so the
same code runs on SQLite and PostgreSQL:

- by default SQLite in a file outside the repository's data/ folder:
  `$XDG_DATA_HOME/ai-spend-planner/scenarios.db` (default `~/.local/share/...`), or the path
  in `PLANNER_SCENARIO_DB`;
- PostgreSQL (or any SQLAlchemy URL) when `PLANNER_DATABASE_URL` is set, e.g.
  `postgresql://user:pass@host:5432/planner` (the psycopg 3 driver is used).

Ids are random (12 URL-safe characters), so a link `?scenario=<id>` can be shared but not
guessed from another one. Every row has a `version`, 1 when saved and one more at each
rename: a rename or delete names the version its caller read, and is refused with
`ChangedElsewhere` when the row has changed since (one conditional UPDATE or DELETE, atomic
on SQLite and PostgreSQL alike), so two people's changes are never silently lost. Names and
authors are checked like every other input: text, not empty where required, bounded in
length; a bad one is an InputError naming the field.

The layout is versioned: `planner_schema_version` holds its number (a database from before
that table is layout 1), and opening a store runs the numbered, forward-only steps in
MIGRATIONS up to LAYOUT in one transaction (on SQLite too: see `_transactional_sqlite`). A
database of a newer layout is refused untouched with a StoreError.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from foundation.errors import InputError, StoreError
from foundation.paths import data_dir, user_file
from planner.audit_trail import (
    MAX_WHO,
    VIA_APP,
    VIA_COMMAND,
    AuditEntry,
    append,
    audit,
    read_trail,
)

LOG = logging.getLogger("planner.audit")
URL_ENV = "PLANNER_DATABASE_URL"
PATH_ENV = "PLANNER_SCENARIO_DB"
SOURCE = "shared scenarios"
MAX_NAME = 120
MAX_AUTHOR = 80
MAX_BODY = 5_000_000  # characters of JSON: the upload limit's order of size
ID_BYTES = 9  # 12 URL-safe characters

CHANGED_ELSEWHERE = "changed by someone else since you opened it; reload"
GONE = "deleted by someone else since you opened it; reload"


metadata = sa.MetaData()
scenarios = sa.Table(  # the layout as the last migration leaves it
    "planner_scenarios",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("saved_by", sa.String(MAX_AUTHOR), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("owner", sa.String(MAX_WHO), nullable=False, server_default=""),
    sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.true()),
)
LAYOUT = 3  # raise, and add a step to MIGRATIONS, whenever a table's columns change
versions = sa.Table(
    "planner_schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # one row, id 1
    sa.Column("version", sa.Integer, nullable=False),
)


def _add_row_versions(conn: sa.Connection) -> None:
    """Layout 1 -> 2: a version per row, for renames and deletes that refuse a concurrent
    change; rows stored before start at 1 (a store a pre-release build gave it keeps it)."""
    if "version" not in {c["name"] for c in sa.inspect(conn).get_columns("planner_scenarios")}:
        conn.execute(
            sa.text("ALTER TABLE planner_scenarios ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        )


def _add_owners_and_audit(conn: sa.Connection) -> None:
    """Layout 2 -> 3: an owner and shared/private per scenario (rows stored before have no
    owner and stay shared), and the audit trail table."""
    owner = f"owner VARCHAR({MAX_WHO}) NOT NULL DEFAULT ''"
    conn.execute(sa.text(f"ALTER TABLE planner_scenarios ADD COLUMN {owner}"))
    conn.execute(
        sa.text("ALTER TABLE planner_scenarios ADD COLUMN shared BOOLEAN NOT NULL DEFAULT TRUE")
    )
    audit.create(conn)


# Layout N -> N + 1, each a function of the open connection with a docstring saying what it
# changes. Layout 1 is the planner_scenarios table without `version`. Append, never edit.
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {
    1: _add_row_versions,
    2: _add_owners_and_audit,
}


class ChangedElsewhere(InputError):
    """A rename or delete of a scenario changed or deleted since its caller read it."""


@dataclass(frozen=True)
class ScenarioEntry:
    """One stored scenario without its body: what the list shows."""

    id: str
    name: str
    saved_by: str
    saved_at: datetime
    updated_at: datetime
    version: int  # 1 when saved, one more at each rename: what a rename or delete names
    owner: str  # the signed-in identity's key; "" when saved with sign-in off
    shared: bool  # False: listed and opened only for its owner and admins


@dataclass(frozen=True)
class StoredScenario(ScenarioEntry):
    body: str  # the scenario JSON, as app.scenario_file writes it


def database_url(env: Mapping[str, str] | None = None) -> str:
    """The configured URL: PLANNER_DATABASE_URL, else SQLite at PLANNER_SCENARIO_DB or the
    default path. A bare postgres:// or postgresql:// URL is given the psycopg 3 driver."""
    env = os.environ if env is None else env
    url = env.get(URL_ENV, "").strip()
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    path = user_file(PATH_ENV, data_dir(env) / "scenarios.db", env)
    return f"sqlite:///{path}"


def describe(url: str) -> str:
    """The store for a caption: the backend and where, never a password."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}"
    return f"{parsed.get_backend_name()} at {parsed.host}:{parsed.port or ''}/{parsed.database}"


class ScenarioStore:
    """Save, list, load, rename and delete named scenarios in one table."""

    def __init__(self, url: str):
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "sqlite":
            _transactional_sqlite(self.engine)
        migrate(self.engine, describe(url))

    def save(
        self, name: str, saved_by: str, body: str, *, owner: str = "", shared: bool = True,
        who: str | None = None, via: str = VIA_APP,
    ) -> StoredScenario:  # fmt: skip
        """Store a new scenario; its id is new and random. The audit trail gets a row (who:
        `who`, else the author) in the same transaction."""
        now = datetime.now(UTC)
        row = {
            "id": secrets.token_urlsafe(ID_BYTES),
            "name": _text(name, "name", MAX_NAME),
            "saved_by": _text(saved_by, "saved_by", MAX_AUTHOR, required=False) or "anonymous",
            "saved_at": now,
            "updated_at": now,
            "body": _body(body),
            "version": 1,
            "owner": _text(owner, "owner", MAX_WHO, required=False),
            "shared": bool(shared),
        }
        with self.engine.begin() as conn:
            conn.execute(scenarios.insert().values(**row))
            append(conn, who or row["saved_by"], via, "scenario saved",
                    f"{row['name']} ({row['id']})", None,
                    "shared" if row["shared"] else "private", now)  # fmt: skip
        return StoredScenario(**row)

    def entries(self, visible_to: str | None = None) -> list[ScenarioEntry]:
        """The scenarios `visible_to` (an owner key) may open: the shared ones and its own;
        every one when None (sign-in off, or an admin). The most recently changed first."""
        columns = [c for c in scenarios.c if c.name != "body"]
        query = sa.select(*columns).order_by(scenarios.c.updated_at.desc(), scenarios.c.id)
        if visible_to is not None:
            query = query.where(_visible(visible_to))
        with self.engine.connect() as conn:
            return [ScenarioEntry(**_aware(row._mapping)) for row in conn.execute(query)]

    def get(self, scenario_id: str, visible_to: str | None = None) -> StoredScenario | None:
        """The scenario, or None when there is none with this id that `visible_to` may open
        (a private one of someone else's is as absent as a deleted one)."""
        query = sa.select(scenarios).where(scenarios.c.id == str(scenario_id)[:32])
        if visible_to is not None:
            query = query.where(_visible(visible_to))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else StoredScenario(**_aware(row._mapping))

    def rename(
        self, scenario_id: str, name: str, version: int, *, who: str = "anonymous",
        via: str = VIA_APP,
    ) -> int:  # fmt: skip
        """Rename the scenario as read at `version`; returns its new version.

        ChangedElsewhere when it was renamed or deleted since that version was read."""
        now = datetime.now(UTC)
        values = {
            "name": _text(name, "name", MAX_NAME),
            "updated_at": now,
            "version": scenarios.c.version + 1,
        }
        old = self._name_at(scenario_id, version)
        with self.engine.begin() as conn:
            done = conn.execute(
                scenarios.update().where(*self._as_read(scenario_id, version)).values(**values)
            )
            if done.rowcount != 1:
                self._refuse(conn, scenario_id)
            append(conn, who, via, "scenario renamed", str(scenario_id), old,
                    values["name"], now)  # fmt: skip
        return int(version) + 1

    def delete(
        self, scenario_id: str, version: int, *, who: str = "anonymous", via: str = VIA_APP
    ) -> None:
        """Delete the scenario as read at `version`; ChangedElsewhere when it was renamed or
        deleted since."""
        old = self._name_at(scenario_id, version)
        with self.engine.begin() as conn:
            done = conn.execute(scenarios.delete().where(*self._as_read(scenario_id, version)))
            if done.rowcount != 1:
                self._refuse(conn, scenario_id)
            append(conn, who, via, "scenario deleted", str(scenario_id), old, None,
                    datetime.now(UTC))  # fmt: skip

    def record(
        self, who: str, action: str, target: str, old: object = None, new: object = None,
        via: str = VIA_APP,
    ) -> None:  # fmt: skip
        """Append one row to the audit trail (a change made outside this store: an import,
        rules, mappings, outcomes, budgets)."""
        with self.engine.begin() as conn:
            append(conn, who, via, action, target, old, new, datetime.now(UTC))

    def audit_trail(self, limit: int | None = None) -> list[AuditEntry]:
        """The audit trail, the newest first (at most `limit` rows)."""
        with self.engine.connect() as conn:
            return read_trail(conn, limit)

    def _name_at(self, scenario_id: str, version: int) -> str | None:
        """The name as read at `version`, for the audit trail. Read before the change's own
        transaction (a read there would hold SQLite's shared lock and deadlock concurrent
        writers); exact all the same, as a name changes only with the version."""
        query = sa.select(scenarios.c.name).where(*self._as_read(scenario_id, version))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    @staticmethod
    def _as_read(scenario_id: str, version: int) -> tuple:
        return scenarios.c.id == str(scenario_id)[:32], scenarios.c.version == int(version)

    @staticmethod
    def _refuse(conn: sa.Connection, scenario_id: str) -> None:
        """Why nothing changed: the row is gone, or its version moved on."""
        there = conn.execute(
            sa.select(scenarios.c.id).where(scenarios.c.id == str(scenario_id)[:32])
        ).first()
        raise ChangedElsewhere(SOURCE, CHANGED_ELSEWHERE if there else GONE, str(scenario_id))

    def close(self) -> None:
        self.engine.dispose()


def record_command(action: str, target: str, old: object = None, new: object = None) -> bool:
    """A change made on the command line, in the audit trail of the configured store; who
    is the operating-system user. The change is made by then: a store that cannot be
    reached is logged as a warning (stderr), and False returned, not raised."""
    try:
        store = ScenarioStore(database_url())
        try:
            store.record(os_user(), action, target, old, new, via=VIA_COMMAND)
        finally:
            store.close()
    except (sa.exc.SQLAlchemyError, StoreError, OSError) as exc:
        LOG.warning("%s was done but not written to the audit trail: %s", action, exc)
        return False
    return True


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown user"


def migrate(engine: sa.Engine, where: str) -> int:
    """Bring the database to LAYOUT in one transaction; return the layout it had (0: new).

    A new database gets every table; an older one the steps from its layout on; a newer
    one is refused before anything is written.
    """
    with engine.begin() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        if versions.name in tables:
            found = conn.execute(sa.select(versions.c.version)).scalar_one()
        else:
            found = 1 if scenarios.name in tables else 0  # before the version table: 1
        if found > LAYOUT:
            raise StoreError(
                where,
                "this store was written by a newer version of the planner (layout "
                f"v{found}; this version reads up to v{LAYOUT}): upgrade, or open another store",
                "PLANNER_DATABASE_URL or PLANNER_SCENARIO_DB names another store.",
            )
        for version in range(found, LAYOUT) if found else ():  # a new one has none to run
            MIGRATIONS[version](conn)
        metadata.create_all(conn)  # a new database's tables, and the version table
        audit.create(conn, checkfirst=True)
        if found != LAYOUT or versions.name not in tables:
            conn.execute(versions.delete())
            conn.execute(versions.insert().values(id=1, version=LAYOUT))
    return found


def _visible(owner: str):
    return sa.or_(scenarios.c.shared.is_(True), scenarios.c.owner == owner)


def _transactional_sqlite(engine: sa.Engine) -> None:
    """Make BEGIN ... COMMIT cover DDL on SQLite: Python's sqlite3 driver otherwise commits
    before each CREATE or ALTER, and a failed migration would be left half done (the
    recipe of SQLAlchemy's SQLite dialect notes)."""

    @sa.event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def _text(value: object, field: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InputError(SOURCE, "must be text", "", field)
    text = " ".join(value.split())  # one line: no control characters, no runs of spaces
    if required and not text:
        raise InputError(SOURCE, "must not be empty", "", field)
    if len(text) > limit:
        raise InputError(SOURCE, f"must be at most {limit} characters, not {len(text)}", "", field)
    return text


def _body(body: object) -> str:
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise InputError(
            SOURCE, f"must be JSON text of at most {MAX_BODY:,} characters", "", "body"
        )
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        raise InputError(SOURCE, f"is not valid JSON: {exc.msg}", "", "body") from None
    return body


def _aware(row: Mapping) -> dict:
    """SQLite hands datetimes back without a zone; they were written in UTC."""
    out = dict(row)
    for key in ("saved_at", "updated_at"):
        value = out[key]
        if isinstance(value, datetime) and value.tzinfo is None:
            out[key] = value.replace(tzinfo=UTC)
    return out
