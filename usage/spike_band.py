"""The usual range of a spend series, point by point (the detector behind usage.spikes).

The detector works on z = log(1 + x) of the active points (x > 0; a day without spend is
missing, not low: a mostly-zero series is judged on the days it spends), so that noise and
growth are multiplicative, as spend's are. For the point z_t of one series (spend per team,
model, provider, key, ...), over the history of the last W = 8 seasons before it (a season is
7 days, or 168 hours; fewer when the series is younger, at least 4):

    levels    M_k = median of season k's points less their profile (k = 0 oldest .. W-1)
    profile   p_j = median over seasons of (z_kj - median of season k), per point j of the
              season (weekday), where the history is dense (>= 80 % of its points active)
              and the weekday has >= 3 points; else 0 (too few points to tell weekdays apart)
    trend     the least-squares line through the levels M_k, its slope clipped to +-log 1.5
              a season; the level expected in season W (t's) is that line at k = W
    expected  e = line(W) + p_0 (t is point 0 of its season)
    noise     sigma = MAD_TO_SIGMA * median |z_kj - line(k) - p_j| over the history, and
              at least NOISE_FLOOR (5 %), so a perfectly regular series does not alert on cents
    usual     exp of [e - K' sigma, e + K' sigma] less 1: K' = BAND (K) for a dense history;
              for one active on a share s of its points, the normal quantile whose tail is
              K's divided by s, so a series judged on fewer days gets no more false alerts
              a month (s = 25 %: K' = 2.5)
    few       with fewer than MIN_POINTS active points in the history, the usual range is
              none to the most the series spent in it (so a first spend after weeks of
              none alerts, and a rare one alerts only above anything seen)
    alert     x_t above the usual range by at least MIN_EXCESS_USD

Medians make a spike or an outage in the history harmless to the next days' verdicts, and the
eight seasons estimate the weekday and the level from 56 points where four gave 28: at 20 %
day-to-day noise the expected value is off by about 0.07 in log where it was 0.17, so K can
sit lower for the same false alerts. K and the history were chosen on generated series,
dense and mostly-zero (scripts/bench_governance.py, which prints the detector's curve: recall
against false alerts as K moves; docs/performance.md). A series needs 4 seasons of history
(28 days) before any of its points gets a verdict. Only rises
alert: a fall in spend is not a risk to a budget. Alerts are ranked by dollars above the
usual range.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

SEASONS = 8  # W: seasons of history, at most
MIN_SEASONS = 4  # seasons of history before a first verdict
BAND = 3.0  # K: noise units above expected
NOISE_FLOOR = 0.05  # sigma of log spend is at least 0.05 (5 %)
LOG_MAX_GROWTH = float(np.log(1.5))  # growth per season is clipped to x1.5 either way
DENSE_SHARE = 0.8  # a history this active or more has its weekday profile estimated
MIN_PER_WEEKDAY = 3  # points of one weekday needed to estimate its profile
MIN_POINTS = 6  # active points of history needed for a verdict
CLIP = 3.0  # residuals beyond this many robust sigmas count as this many
# The mean of |residual| clipped at 3 sigma is sigma / 1.2533 for normal noise; the residuals
# of a fitted line and profile also understate the error of a prediction (the line
# extrapolated, the profile a median of 8), together by this factor (simulated, normal noise,
# 8 seasons of 7 days; tests/usage/test_spikes.py checks it).
CLIPPED_MEAN_TO_SIGMA = 1.2533 * 1.23
MIN_EXCESS_USD = 1.0
PERIOD = {"day": 7, "hour": 168}
_CHUNK_ELEMENTS = 20_000_000  # bounds the memory of one batch of sliding windows


def min_history(grain: str = "day") -> int:
    """Points of history a series needs before its first verdict (28 days, or 672 hours)."""
    return MIN_SEASONS * PERIOD[grain]


@dataclass(frozen=True)
class Band:
    """Per point of every series: expected value and the usual range (NaN without history)."""

    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def usual_range(values: np.ndarray, period: int = 7, k: float = BAND) -> Band:
    """The band for every point of an (S series x T points) array, series by series, K = k
    noise units either side of the expected value."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    centre = np.full(values.shape, np.nan)
    sigma = np.full(values.shape, np.nan)  # K sigma: the band's half-width, in log
    top = np.full(values.shape, np.nan)  # the most spent, where too few points to judge
    window, first = SEASONS * period, MIN_SEASONS * period
    # Inactive points are missing; so is the time before the series starts (the padding).
    logs = np.where(values > 0, np.log1p(np.maximum(values, 0.0)), np.nan)
    # float32: the sorts behind the medians move half the bytes; logs need no more digits.
    padded = np.concatenate([np.full((values.shape[0], window), np.nan), logs], axis=1)
    padded = padded.astype(np.float32)
    if values.shape[1] > first:
        per_chunk = max(1, _CHUNK_ELEMENTS // (values.shape[1] * window))
        for start in range(0, values.shape[0], per_chunk):
            rows = slice(start, start + per_chunk)
            expected, noise, share, ceiling = _band(padded[rows], period, first)
            centre[rows, first:] = expected
            sigma[rows, first:] = noise * _width(k, share)
            top[rows, first:] = ceiling
    # Too few active points to know a range: the usual range is none to the most spent.
    few = np.isfinite(top)
    return Band(
        np.where(few, np.expm1(top), np.expm1(centre)),
        np.where(few, 0.0, np.maximum(np.expm1(centre - sigma), 0.0)),
        np.where(few, np.expm1(top), np.expm1(centre + sigma)),
    )


def _width(k: float, share: np.ndarray) -> np.ndarray:
    """The band's width in noise units for a history with this share of active points: K
    for a dense one; for a sparser one the normal quantile whose tail is K's divided by the
    share, so that a series judged on fewer days gets no more false alerts per month."""
    normal = NormalDist()
    tail = 1.0 - normal.cdf(k)
    grid = np.linspace(0.05, 1.0, 96)
    widths = [normal.inv_cdf(1.0 - tail / s) for s in grid]
    return np.interp(np.nan_to_num(share, nan=1.0), grid, widths)


def _band(padded: np.ndarray, period: int, first: int) -> tuple[np.ndarray, ...]:
    """For points first.. of each (left-padded) series: the expected log1p value, its noise
    and the share of active points in the history; where the history has fewer than
    MIN_POINTS active points, instead the most it spent (log1p; 0 if nothing)."""
    window = SEASONS * period
    views = np.lib.stride_tricks.sliding_window_view(padded, window, axis=1)[:, first:-1]
    seasons = views.reshape(*views.shape[:2], SEASONS, period)  # oldest season first
    valid = ~np.isnan(seasons)
    # Points per season, per weekday and in all: counted once for every median below.
    counts = (valid.sum(axis=-1, keepdims=True), valid.sum(axis=-2, keepdims=True))
    total = counts[0].sum(axis=-2)  # (..., 1)
    share = total[..., 0] / np.maximum((counts[0][..., 0] > 0).sum(axis=-1) * period, 1)
    profile = _profile(seasons, counts, share)
    levels = _nanmedian(seasons - profile[..., None, :], -1, counts[0])  # M_k
    line = _trend(levels)  # the line at k = 0 .. W: W is t's season
    expected = line[..., -1] + profile[..., 0]
    fitted = line[..., :-1, None] + profile[..., None, :]
    spread = np.abs(seasons - fitted).reshape(*views.shape[:2], -1)
    noise = np.maximum(_scale(spread, total), NOISE_FLOOR)
    judged = (total[..., 0] >= MIN_POINTS) & np.isfinite(expected)
    nan = np.nan
    most = np.max(np.where(valid, seasons, 0.0), axis=(-2, -1))  # 0: never spent
    return (np.where(judged, expected, nan), np.where(judged, noise, nan), share,
            np.where(judged, nan, most))  # fmt: skip


def _scale(spread: np.ndarray, total: np.ndarray) -> np.ndarray:
    """sigma from the absolute residuals of each history (`total` of them): their mean once
    each is clipped at CLIP robust sigmas (1.4826 MAD), so a past spike counts as no more than
    CLIP sigmas. On few points (a mostly-zero series) the mean is a much steadier estimate
    than the median (normal noise: relative error 0.76 / sqrt(n) against 1.17 / sqrt(n))."""
    robust = 1.4826 * _nanmedian(spread, -1, total)
    clipped = np.minimum(np.nan_to_num(spread, nan=0.0), CLIP * robust[..., None])
    with np.errstate(invalid="ignore", divide="ignore"):
        return CLIPPED_MEAN_TO_SIGMA * clipped.sum(axis=-1) / total[..., 0]


def _profile(seasons: np.ndarray, counts, share: np.ndarray) -> np.ndarray:
    """p_j: each point of the season against its season's median, the median over seasons;
    0 where the history is sparse or the weekday has too few points."""
    per_season, per_weekday = counts
    deviation = seasons - _nanmedian(seasons, -1, per_season)[..., None]
    profile = _nanmedian(deviation, -2, per_weekday)
    keep = (share >= DENSE_SHARE)[..., None] & (per_weekday[..., 0, :] >= MIN_PER_WEEKDAY)
    return np.where(keep & np.isfinite(profile), profile, 0.0)


def _trend(levels: np.ndarray) -> np.ndarray:
    """The least-squares line through the season levels that exist, at k = 0 .. W, slope
    clipped to +-LOG_MAX_GROWTH; flat through their mean when fewer than two exist."""
    k = np.arange(SEASONS + 1, dtype=float)
    seen = np.isfinite(levels)
    n = seen.sum(axis=-1)
    k_mean = (seen * k[:-1]).sum(axis=-1) / np.maximum(n, 1)
    mean = np.where(n > 0, np.where(seen, levels, 0.0).sum(axis=-1) / np.maximum(n, 1), np.nan)
    dk = np.where(seen, k[:-1] - k_mean[..., None], 0.0)
    sxx = (dk * dk).sum(axis=-1)
    sxy = (dk * np.where(seen, levels - mean[..., None], 0.0)).sum(axis=-1)
    slope = np.clip(sxy / np.where(sxx > 0, sxx, np.inf), -LOG_MAX_GROWTH, LOG_MAX_GROWTH)
    return mean[..., None] + slope[..., None] * (k - k_mean[..., None])


def _nanmedian(a: np.ndarray, axis: int, n: np.ndarray) -> np.ndarray:
    """Median along one axis ignoring NaN, given the count `n` of numbers along it (kept
    dims; NaN where there are none): one sort, NaN sorted last; much faster than
    np.nanmedian on these small strided windows."""
    ordered = np.sort(a, axis=axis)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0), axis=axis)
    high = np.take_along_axis(ordered, np.maximum(n // 2 - (n == 0), 0), axis=axis)
    out = np.squeeze((low + high) / 2, axis=axis)
    return np.where(np.squeeze(n, axis=axis) > 0, out, np.nan)


def flagged(values: np.ndarray, band: Band, min_excess: float = MIN_EXCESS_USD) -> np.ndarray:
    """True where a point is above its usual range by at least `min_excess`."""
    with np.errstate(invalid="ignore"):
        return (values - band.upper) >= min_excess
