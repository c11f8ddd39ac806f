"""Who may do what: the four roles, the actions they allow, and the role map that turns an
identity provider's groups (or any claim) into a role and the teams it covers. No Streamlit
here: `may(role, action)` is what every page and every write asks, on the server.

The role map is a TOML file (PLANNER_ACCESS_FILE, default `.streamlit/access.toml`), read by a
strict model: an unknown key, role or team list where none belongs is one located InputError.

    groups_claim = "groups"        # the identity token claim that lists a person's groups
    default_role = "viewer"        # for a signed-in person no grant names; "none" refuses them

    [[grant]]
    group = "finops"               # a group in groups_claim ...
    role = "finops"

    [[grant]]
    email = "ana@example.com"      # ... or one person's email
    role = "planner"
    teams = ["support"]            # viewer and planner grants may cover some teams only

A person's role is the most powerful among the grants that name them (else default_role);
they see every team's spend unless every grant that names them lists teams, in which case
they see those teams'.
"""

from __future__ import annotations

import enum
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from foundation.errors import InputError
from foundation.inputs import StrictRecord
from planner.evals.store import KEEP_EVALS

ACCESS_ENV = "PLANNER_ACCESS_FILE"
DEFAULT_ACCESS_FILE = Path(".streamlit") / "access.toml"


class Role(enum.IntEnum):
    """Each role can do everything the one before it can, and more."""

    VIEWER = 1  # reads plans, shared scenarios and the spend of its teams
    PLANNER = 2  # also saves scenarios, renames and deletes its own, keeps eval results
    FINOPS = 3  # also imports, removes imports, sets rules, mappings, outcomes and budgets
    ADMIN = 4  # also manages others' scenarios and reads the audit trail

    @property
    def label(self) -> str:
        return {"FINOPS": "FinOps"}.get(self.name, self.name.capitalize())


class Action(enum.Enum):
    READ = "read plans and shared scenarios"
    SAVE_SCENARIO = "save a scenario"
    CHANGE_OWN_SCENARIO = "rename or delete your own scenario"
    CHANGE_ANY_SCENARIO = "rename or delete another person's scenario"
    IMPORT_USAGE = "import usage"
    REMOVE_IMPORT = "remove an import"
    SET_RULES = "set attribution rules"
    SET_MAPPINGS = "set model mappings"
    SET_OUTCOMES = "set outcomes"
    SET_BUDGETS = "set budgets"
    SET_COMMITMENTS = "set commitments"
    KEEP_EVALS = KEEP_EVALS  # one name in the trail, whether kept in the app or the CLI
    SEE_PEOPLE = "see user ids and API keys"
    READ_AUDIT = "read the audit trail"


LEAST_ROLE: dict[Action, Role] = {
    Action.READ: Role.VIEWER,
    Action.SAVE_SCENARIO: Role.PLANNER,
    Action.CHANGE_OWN_SCENARIO: Role.PLANNER,
    # Kept per-sample results rate everyone's cascades and routers (Portfolio): shared
    # planning evidence, like a shared scenario, so a planner's.
    Action.KEEP_EVALS: Role.PLANNER,
    Action.CHANGE_ANY_SCENARIO: Role.ADMIN,
    Action.IMPORT_USAGE: Role.FINOPS,
    Action.REMOVE_IMPORT: Role.FINOPS,
    Action.SET_RULES: Role.FINOPS,
    Action.SET_MAPPINGS: Role.FINOPS,
    Action.SET_OUTCOMES: Role.FINOPS,
    Action.SET_BUDGETS: Role.FINOPS,
    Action.SET_COMMITMENTS: Role.FINOPS,
    Action.SEE_PEOPLE: Role.FINOPS,
    Action.READ_AUDIT: Role.ADMIN,
}


def may(role: Role | None, action: Action) -> bool:
    """Whether `role` (None: signed in without a role) may do `action`."""
    return role is not None and role >= LEAST_ROLE[action]


class NotAllowed(InputError):
    """An action refused for the person's role; says what role it needs."""


RoleName = Literal["viewer", "planner", "finops", "admin"]


class Grant(StrictRecord):
    group: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, min_length=3, max_length=200)
    role: RoleName
    teams: list[str] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_subject(self) -> Grant:
        if (self.group is None) == (self.email is None):
            raise ValueError("give exactly one of group or email")
        if self.teams is not None and self.role in ("finops", "admin"):
            raise ValueError(f"a {self.role} acts for every team: remove teams")
        return self


class AccessConfig(StrictRecord):
    groups_claim: str = Field(default="groups", min_length=1, max_length=100)
    default_role: Literal["viewer", "planner", "finops", "admin", "none"] = "viewer"
    grant: list[Grant] = Field(default_factory=list)


@dataclass(frozen=True)
class Identity:
    """Who is using the app, and what they may do."""

    name: str
    email: str
    groups: tuple[str, ...]
    role: Role | None  # None: signed in, but no grant and default_role "none"
    teams: tuple[str, ...] | None  # None: every team
    signed_in: bool  # False: sign-in is off (the single-user app)

    @property
    def key(self) -> str:
        """What a scenario's owner column holds: the email, "" with sign-in off."""
        return self.email if self.signed_in else ""

    @property
    def who(self) -> str:
        """For the audit trail and a scenario's author."""
        if not self.signed_in:
            return self.name
        return f"{self.name} <{self.email}>" if self.name != self.email else self.email

    def who_as_typed(self, author: str) -> str:
        """Who a scenario save is in the audit trail. Signed in: `who`. Sign-in off: the
        server's operating-system user like every other row the app writes (the one account
        it knows), then the author typed, which nobody checked: "ana (sign-in off), as
        typed: Bo"."""
        typed = " ".join(str(author).split())
        if self.signed_in or not typed:
            return self.who
        return f"{self.who}, as typed: {typed}"

    def may(self, action: Action) -> bool:
        return may(self.role, action)


def local_identity(os_user: str) -> Identity:
    """Sign-in off: the one person at the keyboard may do everything, as before roles."""
    return Identity(f"{os_user} (sign-in off)", "", (), Role.ADMIN, None, False)


def access_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(ACCESS_ENV, "").strip() or DEFAULT_ACCESS_FILE)


def parse_access(text: str, source: str) -> AccessConfig:
    """The role map from TOML text; one located InputError when it is not valid."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"is not valid TOML: {exc}") from None
    try:
        return AccessConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        record = ""
        if len(loc) >= 2 and loc[0] == "grant" and isinstance(loc[1], int):
            record = f"grant {loc[1] + 1}"  # the [[grant]] table's place in the file
            loc = loc[2:]
        field = ".".join(str(part) for part in loc)
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(source, message, record, field) from None


def load_access(path: Path) -> AccessConfig:
    """The role map in `path`; no file is the default map (everyone a viewer)."""
    if not path.exists():
        return AccessConfig()
    return parse_access(path.read_text(encoding="utf-8"), str(path))


def _groups(claims: Mapping[str, object], claim: str) -> tuple[str, ...]:
    value = claims.get(claim)
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(g) for g in value if str(g).strip())


def identity_of(claims: Mapping[str, object], config: AccessConfig) -> Identity:
    """A signed-in person's identity from the identity token's claims and the role map."""
    email = str(claims.get("email") or claims.get("sub") or "").strip()
    name = str(claims.get("name") or email).strip()
    groups = _groups(claims, config.groups_claim)
    named = [
        g
        for g in config.grant
        if (g.group is not None and g.group in groups)
        or (g.email is not None and g.email.lower() == email.lower())
    ]
    if named:
        role: Role | None = max(Role[g.role.upper()] for g in named)
        scoped = all(g.teams is not None for g in named)
        teams = tuple(sorted({t for g in named for t in g.teams or ()})) if scoped else None
    else:
        role = None if config.default_role == "none" else Role[config.default_role.upper()]
        teams = None
    if role is not None and role >= Role.FINOPS:
        teams = None
    return Identity(name, email, groups, role, teams, True)


def not_allowed(identity: Identity, action: Action) -> NotAllowed:
    """The error a refused action raises: what it needs and what the person has."""
    has = identity.role.label if identity.role else "no role"
    return NotAllowed(
        "access",
        f"you may not {action.value}: that needs the {LEAST_ROLE[action].label} role, "
        f"and {identity.who} has {has}",
    )
