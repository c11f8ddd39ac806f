"""The sidebar's shared scenarios with versions (AppTest): rename then delete works, and a
rename or delete of a scenario someone changed since this session read it is refused with a
message, not lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import shared_scenarios
from app import state as S
from planner.scenario_store import CHANGED_ELSEWHERE

ROOT = Path(__file__).resolve().parents[2]


def session() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    return at.run()


def save(at: AppTest, name: str) -> str:
    at.text_input(key=S.SHARED_NAME).set_value(name).run()
    at.button(key=S.SHARED_SAVE).click().run()
    assert not at.exception and at.session_state[S.SHARED_ERROR] is None
    return at.session_state[S.SHARED_PICK]


def pick(at: AppTest, scenario_id: str) -> None:
    (picker,) = [s for s in at.selectbox if s.label == "Scenario"]
    picker.set_value(scenario_id).run()
    assert at.session_state[S.SHARED_PICK] == scenario_id


def rename(at: AppTest, scenario_id: str, name: str) -> None:
    pick(at, scenario_id)
    at.text_input(key=S.SHARED_RENAME).set_value(name).run()
    at.button(key=S.SHARED_RENAME_BUTTON).click().run()


def test_rename_then_delete_deletes_it():
    at = session()
    other = save(at, "Keep me")
    mine = save(at, "Board view")
    rename(at, mine, "Board view (final)")
    assert at.session_state[S.SHARED_NOTE] == "Renamed." and not at.session_state[S.SHARED_ERROR]
    assert shared_scenarios.store().get(mine).name == "Board view (final)"
    pick(at, mine)
    at.button(key=S.SHARED_DELETE).click().run()
    assert not at.exception
    assert at.session_state[S.SHARED_ERROR] is None, at.session_state[S.SHARED_ERROR]
    assert at.session_state[S.SHARED_NOTE] == "Deleted."
    assert shared_scenarios.store().get(mine) is None
    assert shared_scenarios.store().get(other) is not None
    shared_scenarios.store().delete(other, shared_scenarios.store().get(other).version)


def test_the_picker_is_a_new_widget_when_a_label_changes():
    """The browser sends a selectbox's label: after a rename the old label must not reach
    the Delete callback as if it were an id."""
    before = shared_scenarios.pick_key({"abc": "Board view (Ana)"})
    after = shared_scenarios.pick_key({"abc": "Board view (final) (Ana)"})
    assert before != after
    assert before == shared_scenarios.pick_key({"abc": "Board view (Ana)"})


def test_a_rename_over_someone_elses_is_refused_with_a_message():
    ana, ben = session(), session()
    scenario = save(ana, "Shared plan")
    ben.run()  # Ben's list now holds it, at the version he read
    rename(ana, scenario, "Ana's name")
    assert ana.session_state[S.SHARED_NOTE] == "Renamed."
    ben.text_input(key=S.SHARED_RENAME).set_value("Ben's name").run()
    # Ben renames without reloading; his list is the one he read before Ana's rename.
    ben.session_state[S.SHARED_PICK] = scenario
    ben.button(key=S.SHARED_RENAME_BUTTON).click().run()
    assert not ben.exception
    error = ben.session_state[S.SHARED_ERROR]
    assert error == f"Not renamed: that scenario was {CHANGED_ELSEWHERE}."
    assert any(CHANGED_ELSEWHERE in e.value for e in ben.error)
    assert shared_scenarios.store().get(scenario).name == "Ana's name"  # Ana's not lost
    ben.button(key=S.SHARED_DELETE).click().run()
    assert ben.session_state[S.SHARED_ERROR] is None  # after the refusal, his list was reloaded
    assert shared_scenarios.store().get(scenario) is None
