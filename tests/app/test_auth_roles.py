"""The roles and the role map (app.auth_roles): what each role may do, how groups and emails
become a role and teams, and a bad map refused with its place named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.auth_roles import (
    LEAST_ROLE,
    AccessConfig,
    Action,
    Role,
    access_file,
    identity_of,
    load_access,
    local_identity,
    may,
    parse_access,
)
from foundation.errors import InputError

FINOPS_WRITES = [
    Action.IMPORT_USAGE,
    Action.REMOVE_IMPORT,
    Action.SET_RULES,
    Action.SET_MAPPINGS,
    Action.SET_OUTCOMES,
    Action.SET_BUDGETS,
    Action.SET_COMMITMENTS,
]

MAP = """
groups_claim = "groups"
default_role = "none"

[[grant]]
group = "planners"
role = "planner"

[[grant]]
group = "support-leads"
role = "viewer"
teams = ["support"]

[[grant]]
group = "search-leads"
role = "planner"
teams = ["search"]

[[grant]]
group = "finance"
role = "finops"

[[grant]]
email = "Root@Example.com"
role = "admin"
"""


def test_each_role_has_exactly_the_powers_the_issue_lists():
    allowed = {role: {a for a in Action if may(role, a)} for role in Role}
    assert allowed[Role.VIEWER] == {Action.READ}
    assert allowed[Role.PLANNER] == {
        Action.READ, Action.SAVE_SCENARIO, Action.CHANGE_OWN_SCENARIO, Action.KEEP_EVALS,
    }  # fmt: skip
    assert allowed[Role.FINOPS] == allowed[Role.PLANNER] | set(FINOPS_WRITES) | {Action.SEE_PEOPLE}
    assert allowed[Role.ADMIN] == set(Action)
    assert set(LEAST_ROLE) == set(Action)  # every action has a least role


@pytest.mark.parametrize("action", list(Action))
def test_no_role_may_do_nothing(action):
    assert not may(None, action)


def test_groups_and_emails_become_the_most_powerful_role_and_its_teams():
    config = parse_access(MAP, "access.toml")
    viewer = identity_of({"email": "v@x.org", "name": "Vi", "groups": ["support-leads"]}, config)
    assert (viewer.role, viewer.teams, viewer.name) == (Role.VIEWER, ("support",), "Vi")
    both = identity_of({"email": "b@x.org", "groups": ["support-leads", "search-leads"]}, config)
    assert (both.role, both.teams) == (Role.PLANNER, ("search", "support"))
    # one unscoped grant: every team
    wide = identity_of({"email": "w@x.org", "groups": ["support-leads", "planners"]}, config)
    assert (wide.role, wide.teams) == (Role.PLANNER, None)
    finops = identity_of({"email": "f@x.org", "groups": ["finance", "support-leads"]}, config)
    assert (finops.role, finops.teams) == (Role.FINOPS, None)
    admin = identity_of({"email": "root@example.com", "groups": []}, config)
    assert admin.role == Role.ADMIN and admin.may(Action.READ_AUDIT)
    stranger = identity_of({"email": "s@x.org", "groups": ["other"]}, config)
    assert stranger.role is None and not stranger.may(Action.READ)


def test_groups_may_come_as_one_text_and_under_another_claim():
    config = AccessConfig.model_validate(
        {"groups_claim": "roles", "grant": [{"group": "finance", "role": "finops"}]}
    )
    found = identity_of({"email": "f@x.org", "roles": "staff, finance"}, config)
    assert found.groups == ("staff", "finance") and found.role == Role.FINOPS


def test_no_map_makes_every_signed_in_person_a_viewer_of_every_team(tmp_path):
    config = load_access(tmp_path / "absent.toml")
    who = identity_of({"email": "a@x.org"}, config)
    assert (who.role, who.teams, who.signed_in, who.key) == (Role.VIEWER, None, True, "a@x.org")


def test_sign_in_off_is_the_single_user_with_every_power():
    local = local_identity("ana")
    assert all(local.may(a) for a in Action)
    assert local.signed_in is False and local.key == "" and local.teams is None
    assert local.who == "ana (sign-in off)"
    # A save's trail row: the server's account, then the unchecked typed author (if any).
    assert local.who_as_typed(" Bo  Li ") == "ana (sign-in off), as typed: Bo Li"
    assert local.who_as_typed("") == "ana (sign-in off)"
    signed = identity_of({"email": "a@x.org", "name": "A"}, load_access(Path("absent.toml")))
    assert signed.who_as_typed("Bo") == "A <a@x.org>"  # signed in, nothing typed counts


def test_the_map_file_comes_from_the_environment():
    assert str(access_file({"PLANNER_ACCESS_FILE": "/etc/planner/roles.toml"})) == (
        "/etc/planner/roles.toml"
    )
    assert str(access_file({})) == ".streamlit/access.toml"


@pytest.mark.parametrize(
    ("text", "record", "field", "says"),
    [
        ('[[grant]]\ngroup = "a"\nrole = "owner"', "grant 1", "role", "viewer"),
        ('[[grant]]\ngroup = "a"\nemail = "b@c.d"\nrole = "viewer"', "grant 1", "", "exactly one"),
        (
            '[[grant]]\ngroup = "a"\nrole = "viewer"\n[[grant]]\ngroup = "f"\nrole = "finops"\n'
            'teams = ["x"]',
            "grant 2",
            "",
            "every team",
        ),
        ('default_role = "boss"', "", "default_role", "viewer"),
        ('group_claim = "groups"', "", "group_claim", "not permitted"),
        ("[[grant]\n", "", "", "not valid TOML"),
    ],
)
def test_a_bad_map_is_one_located_error(text, record, field, says):
    with pytest.raises(InputError) as caught:
        parse_access(text, "access.toml")
    error = caught.value
    assert (error.file, error.record, error.field) == ("access.toml", record, field)
    assert says in error.message


def test_the_roles_and_the_scope_import_no_streamlit():
    code = (
        "import sys, app.auth_roles, app.auth_scope\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit')[:3])\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
