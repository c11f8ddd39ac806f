"""Sign-in in the app (AppTest with a faked `st.user`): off by default and said so; with
`[auth]` configured nothing but a sign-in page until a valid identity is signed in; the role
checked on the server in every scenario action and upload; the audit trail for admins."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from planner.scenario_store import ScenarioStore, database_url, record_command

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a test secret, not a real one",
    "client_id": "planner",
    "client_secret": "planner-secret",
    "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
}
ROLE_MAP = """
default_role = "viewer"
[[grant]]
group = "planners"
role = "planner"
[[grant]]
group = "finance"
role = "finops"
[[grant]]
group = "admins"
role = "admin"
"""


@pytest.fixture(autouse=True)
def own_store_and_map(tmp_path, monkeypatch):
    """Each test: its own scenario database and role map."""
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    (tmp_path / "access.toml").write_text(ROLE_MAP)
    monkeypatch.setenv("PLANNER_ACCESS_FILE", str(tmp_path / "access.toml"))


def person(name: str, email: str, groups: list[str], exp: float | None = None) -> dict:
    return {
        "is_logged_in": True, "name": name, "email": email, "groups": groups,
        "exp": int(exp if exp is not None else time.time() + 3600), "sub": email,
    }  # fmt: skip


def app(user: dict | None = None, *, configured: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    if configured:
        at.secrets["auth"] = AUTH
        at.user = user if user is not None else {"is_logged_in": False}
    return at.run()


def store() -> ScenarioStore:
    return ScenarioStore(database_url())


def sidebar_text(at: AppTest) -> str:
    return "\n".join([c.value for c in at.sidebar.caption] + [m.value for m in at.sidebar.markdown])


def errors(at: AppTest) -> str:
    """The sidebar's error lines as read (markdown escapes dropped)."""
    return "\n".join(e.value.replace("\\", "") for e in at.sidebar.error)


def save(at: AppTest, name: str) -> AppTest:
    at.text_input(key=S.SHARED_NAME).set_value(name)
    return at.button(key=S.SHARED_SAVE).click().run()


def test_without_configuration_the_app_is_the_single_user_one_and_says_sign_in_is_off():
    at = app(configured=False)
    assert not at.exception
    assert "Sign-in is off" in sidebar_text(at)
    assert [s.value for s in at.sidebar.subheader] == ["Plan settings"]
    at.text_input(key=S.SHARED_AUTHOR).set_value("Ana")
    at = save(at, "Local plan")
    saved = store().entries()
    assert [(e.name, e.saved_by, e.owner, e.shared) for e in saved] == [
        ("Local plan", "Ana", "", True)
    ]
    assert store().audit_trail()[0].action == "scenario saved"


def test_configured_and_not_signed_in_shows_only_the_sign_in_page():
    at = app({"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Sign in to use the planner." in [i.value for i in at.info]
    assert not at.sidebar.slider and not at.metric  # no page ran


def test_an_expired_identity_is_asked_to_sign_in_again():
    at = app(person("Ana", "ana@x.org", ["planners"], exp=time.time() - 60))
    assert [b.label for b in at.button] == ["Sign in"]
    assert any("expired" in i.value for i in at.info)
    assert not at.sidebar.slider


def test_the_signed_in_name_role_and_sign_out_are_in_the_sidebar():
    at = app(person("Ana Planner", "ana@x.org", ["planners"]))
    assert not at.exception
    text = sidebar_text(at)
    # An address from the identity is drawn with dot leaders (U+2024), never as a link.
    assert "Signed in as Ana Planner" in text and "ana@x\u2024org · Planner · every team" in text
    assert "Sign-in is off" not in text
    assert any(b.label == "Sign out" for b in at.sidebar.button)
    assert not [t for t in at.text_input if t.key == S.SHARED_AUTHOR]  # no free-text author


def test_a_viewer_is_refused_a_save_on_the_server():
    at = save(app(person("Vi", "vi@x.org", [])), "Mine")
    assert not at.exception
    assert store().entries() == []
    assert "you may not save a scenario: that needs the Planner role" in errors(at)


def test_a_planner_saves_as_themself_and_cannot_delete_anothers_scenario():
    other = store().save("Bo's plan", "Bo <bo@x.org>", "{}", owner="bo@x.org", who="Bo")
    at = save(app(person("Ana", "ana@x.org", ["planners"])), "Ana's plan")
    mine = [e for e in store().entries() if e.name == "Ana's plan"]
    assert [(e.saved_by, e.owner) for e in mine] == [("Ana <ana@x.org>", "ana@x.org")]
    # pick Bo's scenario and try to delete it
    picker = next(s for s in at.sidebar.selectbox if s.key.startswith(S.SHARED_PICK_WIDGET_PREFIX))
    at = picker.set_value(other.id).run()
    at = at.button(key=S.SHARED_DELETE).click().run()
    assert store().get(other.id) is not None
    assert "may not rename or delete another person's scenario" in errors(at)
    # and deletes their own
    picker = next(s for s in at.sidebar.selectbox if s.key.startswith(S.SHARED_PICK_WIDGET_PREFIX))
    at = picker.set_value(mine[0].id).run()
    at = at.button(key=S.SHARED_DELETE).click().run()
    assert store().get(mine[0].id) is None
    trail = [(r.who, r.action) for r in store().audit_trail()]
    assert trail[:2] == [("Ana <ana@x.org>", "scenario deleted"),
                         ("Ana <ana@x.org>", "scenario saved")]  # fmt: skip


def test_a_private_scenario_is_listed_and_opened_only_for_its_owner_and_admins():
    hidden = store().save("Secret", "Bo", "{}", owner="bo@x.org", shared=False)
    at = app(person("Ana", "ana@x.org", ["planners"]))
    assert not [s for s in at.sidebar.selectbox if s.key.startswith(S.SHARED_PICK_WIDGET_PREFIX)]
    linked = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    linked.secrets["auth"] = AUTH
    linked.user = person("Ana", "ana@x.org", ["planners"])
    linked.query_params[S.SCENARIO_PARAM] = hidden.id
    linked.run()  # the address, typed in
    assert "no scenario has this id" in errors(linked)
    admin = app(person("Root", "root@x.org", ["admins"]))
    picker = [s for s in admin.sidebar.selectbox if s.key.startswith(S.SHARED_PICK_WIDGET_PREFIX)]
    assert picker and picker[0].options == ["Secret (Bo)"]


def test_the_audit_trail_page_is_for_admins_only():
    store().save("Plan", "Bo", "{}", owner="bo@x.org", who="Bo <bo@x.org>")
    admin = app(person("Root", "root@x.org", ["admins"]))
    admin.switch_page("app_pages/audit.py").run()
    assert not admin.exception
    table = admin.dataframe[0].value
    assert list(table["action"]) == ["scenario saved"] and list(table["who"]) == ["Bo <bo@x.org>"]
    finops = app(person("Fi", "fi@x.org", ["finance"]))
    with pytest.raises(ValueError, match="audit"):  # the menu has no such page for FinOps
        finops.switch_page("app_pages/audit.py").run()


def test_sign_in_off_lists_the_audit_trail_and_says_what_who_proves(monkeypatch):
    # The one local person holds every role: the trail of the app and of the command line
    # (its OS user) is theirs to read, and the page says the app's "who" is the server's
    # account, with a typed author nobody checked.
    monkeypatch.setattr("getpass.getuser", lambda: "ana")
    record_command("usage import", "u.csv", None, "Imported u.csv")
    at = app(configured=False)
    at.text_input(key=S.SHARED_AUTHOR).set_value("Bo")
    at = save(at, "Local plan")
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(zip(table["who"], table["via"], table["action"], strict=True)) == [
        ("ana (sign-in off), as typed: Bo", "app", "scenario saved"),
        ("ana", "command line", "usage import"),
    ]
    [said] = [i.value for i in at.info]
    assert "Sign-in is off" in said and "ana (sign-in off)" in said and "as typed" in said


def _upload_script():
    import streamlit as st

    from app import auth

    try:
        done = auth.guarded("usage", lambda name, data: f"Imported {name}")("u.csv", b"x")
        st.success(done)
    except Exception as exc:  # the refusal, shown for the test to read
        st.error(str(exc))


@pytest.mark.parametrize(("groups", "allowed"), [([], False), (["planners"], False),
                                                 (["finance"], True)])  # fmt: skip
def test_an_upload_is_checked_on_the_server_and_recorded(groups, allowed):
    at = AppTest.from_function(_upload_script, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = person("Some One", "one@x.org", groups)
    at.run()
    trail = store().audit_trail()
    if allowed:
        assert [s.value for s in at.success] == ["Imported u.csv"]
        assert [(r.who, r.action, r.target, r.new_value) for r in trail] == [
            ("Some One <one@x.org>", "import usage", "u.csv", "Imported u.csv")
        ]
    else:
        assert "you may not import usage: that needs the FinOps role" in at.error[0].value
        assert trail == []


def _eval_import_script():
    import streamlit as st

    from app import auth

    def importing(keep: bool) -> tuple[str, str]:
        return "figures", f"3 figures.{' The 40 per-sample results are kept in e.csv.' * keep}"

    st.success(auth.import_evals("e.csv", importing)[1])


@pytest.mark.parametrize(("groups", "kept"), [([], False), (["planners"], True)])
def test_eval_results_are_kept_for_everyone_only_by_a_planner_and_recorded(groups, kept):
    # Kept per-sample results rate every person's cascades on Portfolio: a viewer gets the
    # figures for their own session, nothing kept and nothing in the trail.
    at = AppTest.from_function(_eval_import_script, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = person("Some One", "one@x.org", groups)
    [note] = [s.value for s in at.run().success]
    trail = [(r.who, r.action, r.target, r.new_value) for r in store().audit_trail()]
    if kept:
        assert note == "3 figures. The 40 per-sample results are kept in e.csv."
        assert trail == [("Some One <one@x.org>", "keep eval results for everyone", "e.csv", note)]
    else:
        assert note.startswith(
            "3 figures. Not kept for others: you may not keep eval results for everyone: "
            "that needs the Planner role"
        )
        assert trail == []


def test_an_upload_done_while_the_trail_is_unreachable_says_so(monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(ScenarioStore, "record", down)
    at = AppTest.from_function(_upload_script, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = person("Fi", "fi@x.org", ["finance"])
    at.run()
    [done] = [s.value for s in at.success]
    assert done.startswith("Imported u.csv (not written to the audit trail:")
    assert "connection refused" in done
