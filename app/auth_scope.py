"""Spend scoped to a person's teams, in the query: for a team-limited role the usage store's
`costed_usage` view (every page's reading of actual spend: daily table, spikes, budgets,
value board, plan against actual, measured workload, and the downloads made from them) is
shadowed, on that connection only, by a temporary view of the same name holding only the
rows of those teams; and for a role that may not see people, with user ids and API keys
blanked. No Streamlit here; app.auth applies it to each connection the app opens.

DuckDB looks a name up in the connection's temporary catalog first, so every existing query
reads the scoped view unchanged; the stored view and every other connection (the command
line's) are untouched, and rows outside the teams never leave the database.
"""

from __future__ import annotations

from collections.abc import Sequence

VIEW = "costed_usage"
PEOPLE_COLUMNS = ("user_id", "api_key")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def scope_sql(database: str, teams: Sequence[str] | None, people: bool) -> str | None:
    """The temporary view for `teams` (None: every team) and `people` (user ids and API keys
    shown); None when nothing is hidden."""
    if teams is None and people:
        return None
    blanked = ", ".join(f"NULL::VARCHAR AS {c}" for c in PEOPLE_COLUMNS)
    columns = "*" if people else f"* REPLACE ({blanked})"
    source = f"{_identifier(database)}.main.{VIEW}"  # the stored view, not this one
    where = ""
    if teams is not None:
        listed = ", ".join(_literal(t) for t in teams)
        where = f" WHERE team IN ({listed})" if teams else " WHERE FALSE"
    return f"CREATE OR REPLACE TEMP VIEW {VIEW} AS SELECT {columns} FROM {source}{where}"


def scope(con, teams: Sequence[str] | None, people: bool) -> None:
    """Scope this DuckDB connection's reading of actual spend."""
    database = con.execute("SELECT current_database()").fetchone()[0]
    sql = scope_sql(database, teams, people)
    if sql is not None:
        con.execute(sql)


def scope_key(teams: Sequence[str] | None, people: bool) -> str:
    """A suffix for the cache key of anything read through `scope`: "" when unscoped."""
    if teams is None and people:
        return ""
    shown = "all" if teams is None else ",".join(teams)
    return f"|teams:{shown}|people:{int(people)}"
