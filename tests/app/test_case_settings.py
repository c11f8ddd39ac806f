"""The Overview's business-case settings as pure values: the key the case is cached on, and
an uploaded programme-costs file, refused with its location when wrong."""

from __future__ import annotations

import json

from app import overview_view as view
from planner.business_case import CaseSettings


def test_settings_and_programme_travel_in_the_key():
    settings = view.case_settings(24, 7.5, {"cost_avoided": 0.7, "quality": 0.6,
                                            "new_work": 0.5})  # fmt: skip
    assert settings == CaseSettings(24, 0.075, {"cost_avoided": 0.7, "quality": 0.6,
                                                "new_work": 0.5})  # fmt: skip
    text = json.dumps({"run_costs": [{"item": "gateway", "usd_per_month": 900}]})
    back, programme = view.from_case_key(view.case_key(settings, text))
    assert back == settings and programme.run_cost_usd_per_month == 900
    assert view.from_case_key(view.case_key(settings, None))[1] is None


def test_a_bad_upload_is_refused_with_its_location():
    text, error = view.programme_from_upload(b'{"seats": {"usd_per_seat_month": -3, '
                                             b'"seats": 2}}', "costs.json")  # fmt: skip
    assert text is None
    assert error.startswith("costs.json") and "seats.usd_per_seat_month" in error
    good, none = view.programme_from_upload(b'{"ramp_months": 3}', "costs.json")
    assert none is None and json.loads(good) == {"ramp_months": 3}
    assert view.programme_from_upload(b"\xff\xfe", "costs.json")[0] is None
