"""The spike detector on seeded generated series: a 3x day at 20 % noise is found, a clean
series raises at most one alert in 90 days, dense or mostly zero, and the noise estimate is
calibrated (the constant in usage/spike_band.py is what the simulation gives)."""

from __future__ import annotations

import numpy as np
import pytest

from usage import spike_band

WEEK = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 0.5, 0.45])
HISTORY = spike_band.SEASONS * 7
DAYS = HISTORY + 90


def dense(seed: int, noise: float = 0.20, days: int = DAYS) -> np.ndarray:
    """$300 a day, +1 % a month... up to +30 %, the weekly pattern, log-normal noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    growth = 1 + rng.uniform(0.0, 0.0085)
    return 300 * growth**t * WEEK[t % 7] * rng.lognormal(0, noise, days)


def mostly_zero(seed: int, noise: float = 0.20, active: float = 0.25) -> np.ndarray:
    """$300 on a quarter of the days (zero on the others), log-normal noise."""
    rng = np.random.default_rng(seed)
    return 300 * rng.lognormal(0, noise, DAYS) * (rng.random(DAYS) < active)


def alerts(values: np.ndarray) -> np.ndarray:
    values = np.atleast_2d(values)
    return spike_band.flagged(values, spike_band.usual_range(values))[:, HISTORY:]


@pytest.mark.parametrize("seed", range(5))
def test_a_tripled_day_at_twenty_percent_noise_is_found(seed):
    values = dense(seed)
    values[HISTORY + 40] *= 3
    assert alerts(values)[0, 40]


@pytest.mark.parametrize("seed", range(5))
def test_a_tripled_active_day_of_a_mostly_zero_series_is_found(seed):
    values = mostly_zero(seed)
    day = HISTORY + np.flatnonzero(values[HISTORY:] > 0)[5]
    values[day] *= 3
    assert alerts(values)[0, day - HISTORY]


@pytest.mark.parametrize("generate", [dense, mostly_zero])
def test_a_clean_series_raises_none_in_ninety_days(generate):
    assert not alerts(generate(0)).any()


@pytest.mark.parametrize("generate", [dense, mostly_zero])
def test_clean_series_raise_well_under_one_alert_per_ninety_days(generate):
    found = alerts(np.vstack([generate(seed) for seed in range(40)])).sum(axis=1)
    assert found.mean() <= 0.5  # the target is 1 per series per 90 days
    assert (found == 0).mean() >= 0.75


def test_the_noise_estimate_is_calibrated_on_normal_noise():
    # The band's half-width is K sigma; on pure normal noise in log, the prediction error in
    # sigma units has sd 1 (within 5 %), which is what CLIPPED_MEAN_TO_SIGMA was set from.
    rng = np.random.default_rng(1)
    values = 100 * np.exp(rng.normal(0, 0.2, (400, HISTORY + 60)))
    band = spike_band.usual_range(values)
    centre = np.log1p(band.expected)
    sigma = (np.log1p(band.upper) - centre) / spike_band.BAND
    error = ((np.log1p(values) - centre) / sigma)[:, HISTORY:]
    assert np.std(error) == pytest.approx(1.0, abs=0.05)


def test_a_sparser_history_gets_a_narrower_band_for_the_same_false_alerts_a_month():
    assert spike_band._width(spike_band.BAND, np.array([1.0]))[0] == pytest.approx(spike_band.BAND)
    quarter = spike_band._width(spike_band.BAND, np.array([0.25]))[0]
    assert 2.0 < quarter < spike_band.BAND


def test_a_past_spike_does_not_widen_the_band_much():
    values = dense(3, noise=0.1)
    before = spike_band.usual_range(values).upper[0, HISTORY + 20]
    values[HISTORY + 10] *= 10
    after = spike_band.usual_range(values).upper[0, HISTORY + 20]
    assert after == pytest.approx(before, rel=0.1)


def test_no_verdict_before_four_weeks():
    band = spike_band.usual_range(dense(0, days=40))
    assert np.isnan(band.upper[0, :28]).all() and np.isfinite(band.upper[0, 28:]).all()


def test_on_too_few_active_days_the_usual_range_is_up_to_the_most_spent():
    rare = np.zeros(DAYS)
    rare[:HISTORY:20] = [50.0, 20.0, 30.0]  # three active days in the history
    band = spike_band.usual_range(rare)
    assert band.lower[0, HISTORY] == 0.0
    assert band.upper[0, HISTORY] == pytest.approx(50.0, rel=1e-6)
    rare[HISTORY], rare[HISTORY + 1] = 49.0, 60.0
    hits = spike_band.flagged(rare[None, :], spike_band.usual_range(rare))[0]
    assert not hits[HISTORY] and hits[HISTORY + 1]
