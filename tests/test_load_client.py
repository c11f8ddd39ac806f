"""The load test's protocol client builds the messages a browser would send."""

from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Slider_pb2 import Slider

from scripts.load_client import next_value, rerun


def slider(value: float | None, default: float = 0.0, step: float = 100.0,
           top: float = 1_000.0) -> Slider:  # fmt: skip
    found = Slider(id="budget-id", label="Monthly budget", step=step, max=top)
    found.default.append(default)
    if value is not None:
        found.value.append(value)
        found.set_value = True
    return found


def test_a_move_is_one_step_right_of_the_value_shown_and_stops_at_the_end():
    assert next_value(slider(800.0)) == 900.0
    assert next_value(slider(None, default=300.0)) == 400.0  # never set: its default
    assert next_value(slider(950.0)) == 1_000.0  # the arrow key stops at the right end


def test_a_rerun_names_the_page_and_carries_only_the_moved_slider():
    opened = BackMsg()
    opened.ParseFromString(rerun("portfolio", "with_illustrative=1"))
    state = opened.rerun_script
    assert (state.page_name, state.query_string) == ("portfolio", "with_illustrative=1")
    assert not state.widget_states.widgets  # a new session: no widget state yet
    moved = BackMsg()
    moved.ParseFromString(rerun("portfolio", "q=1", slider(800.0), 900.0))
    (widget,) = moved.rerun_script.widget_states.widgets
    assert widget.id == "budget-id"
    assert list(widget.double_array_value.data) == [900.0]
