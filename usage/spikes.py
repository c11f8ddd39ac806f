"""Spend spikes: a day (or hour) outside its series' usual range, with what drove it.

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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from statistics import NormalDist

import numpy as np
import pandas as pd

from foundation.formatting import money, pct, signed_money

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
# The SQL of each dimension a series may be split by; a model is named as the catalog names
# it (provider/model), an unresolved one by its exported name.
DIMENSIONS = {
    "team": "team",
    "model": "COALESCE(provider || '/' || model, '(unresolved) ' || raw_model)",
    "provider": "provider",
    "api_key": "api_key",
    "user_id": "user_id",
    "project": "project",
    "task_class": "task_class",
}
DRIVERS = ("model", "api_key", "user_id")
UNATTRIBUTED = "(unattributed)"
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


# -- series from the store ---------------------------------------------------------------------


def series_sql(by: Sequence[str], grain: str) -> str:
    """Spend and tokens per series key and day (or hour)."""
    keys = ", ".join(f"COALESCE({_column(d)}, '{UNATTRIBUTED}') AS {d}" for d in by)
    bucket = "day" if grain == "day" else "date_trunc('hour', ts)"
    return (
        f"SELECT {keys}, {bucket} AS bucket, SUM(cost_usd) AS spend_usd, "
        "SUM(total_tokens) AS tokens FROM costed_usage "
        "WHERE day BETWEEN ? AND ? GROUP BY ALL"
    )


def _column(name: str) -> str:
    """The SQL of a dimension; only the known ones, so no text reaches the SQL unchecked."""
    if name not in DIMENSIONS:
        raise ValueError(f"cannot split spend by {name!r}; choose from {', '.join(DIMENSIONS)}")
    return DIMENSIONS[name]


def has_hours(con) -> bool:
    """Whether any stored row carries a time of day (hourly buckets or requests)."""
    row = con.execute("SELECT bool_or(ts <> date_trunc('day', ts)) FROM costed_usage").fetchone()
    return bool(row and row[0])


def data_span(con) -> tuple[date, date] | None:
    first, last = con.execute("SELECT MIN(day), MAX(day) FROM costed_usage").fetchone()
    return (first, last) if first is not None else None


@dataclass(frozen=True)
class SeriesSet:
    """Dense series: one row per key, one column per bucket (missing buckets are 0)."""

    by: tuple[str, ...]
    keys: pd.DataFrame  # one row per series, columns `by`
    buckets: pd.DatetimeIndex
    spend: np.ndarray  # S x T, USD
    tokens: np.ndarray  # S x T


def load_series(con, by: Sequence[str], start: date, end: date, grain: str = "day") -> SeriesSet:
    """Every series of `by` between two days, dense from start to end."""
    by = tuple(by)
    frame = con.execute(series_sql(by, grain), [start, end]).df()
    freq = "D" if grain == "day" else "h"
    last = pd.Timestamp(end) + (pd.Timedelta(hours=23) if grain == "hour" else pd.Timedelta(0))
    buckets = pd.date_range(pd.Timestamp(start), last, freq=freq)
    if frame.empty:
        empty = np.zeros((0, len(buckets)))
        return SeriesSet(by, pd.DataFrame(columns=list(by)), buckets, empty, empty.copy())
    keys = frame[list(by)].drop_duplicates().sort_values(list(by)).reset_index(drop=True)
    series_of = pd.MultiIndex.from_frame(keys).get_indexer(
        pd.MultiIndex.from_frame(frame[list(by)])
    )
    column = buckets.get_indexer(pd.to_datetime(frame["bucket"]))
    spend = np.zeros((len(keys), len(buckets)))
    tokens = np.zeros_like(spend)
    np.add.at(spend, (series_of, column), frame["spend_usd"].fillna(0).to_numpy())
    np.add.at(tokens, (series_of, column), frame["tokens"].fillna(0).to_numpy())
    return SeriesSet(by, keys, buckets, spend, tokens)


# -- alerts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    """One point above its series' usual range."""

    series: dict[str, str]
    when: datetime
    grain: str
    spend_usd: float
    expected_usd: float
    usual_low_usd: float
    usual_high_usd: float
    excess_usd: float  # dollars above the usual range
    driver: str = ""  # e.g. "model gpt-4o: $412 of the excess"

    @property
    def label(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.series.items())

    def sentence(self) -> str:
        when = self.when.strftime("%Y-%m-%d %H:00" if self.grain == "hour" else "%Y-%m-%d")
        driver = f"; driven by {self.driver}" if self.driver else ""
        return (
            f"{self.label} spent {money(self.spend_usd)} on {when}, {money(self.excess_usd)} "
            f"above the usual {money(self.usual_low_usd)}-{money(self.usual_high_usd)}{driver}"
        )


def find_spikes(
    con,
    by: Sequence[str] = ("team",),
    since: date | None = None,
    grain: str = "day",
    limit: int | None = 20,
    explain: bool = True,
) -> list[Spike]:
    """Spikes on or after `since` (every day with a verdict by default), largest excess first;
    the top `limit` get their driver named."""
    for dimension in by:
        _column(dimension)
    by = tuple(by)
    span = data_span(con)
    if span is None:
        return []
    series = load_series(con, by, span[0], span[1], grain)
    spikes = spikes_in(series, grain, since)
    spikes = spikes[:limit] if limit else spikes
    if explain:
        spikes = with_drivers(con, spikes)
    return spikes


def spikes_in(series: SeriesSet, grain: str = "day", since: date | None = None) -> list[Spike]:
    """Every flagged point of a SeriesSet, ranked by dollars above the usual range."""
    band = usual_range(series.spend, PERIOD[grain])
    hits = flagged(series.spend, band)
    if since is not None:
        hits[:, series.buckets < pd.Timestamp(since)] = False
    out = []
    for s, t in zip(*np.nonzero(hits), strict=True):
        key = {d: str(series.keys.iloc[s][d]) for d in series.by}
        out.append(
            Spike(
                series=key,
                when=series.buckets[t].to_pydatetime(),
                grain=grain,
                spend_usd=float(series.spend[s, t]),
                expected_usd=float(band.expected[s, t]),
                usual_low_usd=float(band.lower[s, t]),
                usual_high_usd=float(band.upper[s, t]),
                excess_usd=float(series.spend[s, t] - band.upper[s, t]),
            )
        )
    return sorted(out, key=lambda spike: -spike.excess_usd)


def with_drivers(con, found: Sequence[Spike]) -> list[Spike]:
    """Each spike with the model, key or user that carries most of its excess over the same
    point of the previous seasons (their median), among the rows of its series.

    One query per candidate dimension serves every spike, so naming the drivers of twenty
    alerts costs three scans of the days involved, not sixty."""
    if not found:
        return []
    by = tuple(found[0].series)
    best: list[tuple[float, str, str] | None] = [None] * len(found)
    for dimension in DRIVERS:
        if dimension in by:
            continue
        frame = _driver_frame(con, found, by, dimension)
        for index, spike in enumerate(found):
            for value, excess in _excess(frame, spike, by):
                if best[index] is None or excess > best[index][0]:
                    best[index] = (excess, dimension, value)
    return [_named(spike, pick) for spike, pick in zip(found, best, strict=True)]


def _seasons_back(spike: Spike) -> list[pd.Timestamp]:
    """The spike's point and the same point in each of the SEASONS seasons before it."""
    when = pd.Timestamp(spike.when)
    return [when - pd.Timedelta(days=7) * k for k in range(SEASONS + 1)]


def _driver_frame(con, found: Sequence[Spike], by: tuple[str, ...], dimension: str):
    days = sorted({p.date() for spike in found for p in _seasons_back(spike)})
    bucket = "CAST(day AS TIMESTAMP)" if found[0].grain == "day" else "date_trunc('hour', ts)"
    keys = ", ".join(f"COALESCE({_column(k)}, '{UNATTRIBUTED}') AS {k}" for k in by)
    sql = (
        f"SELECT {keys}, COALESCE({_column(dimension)}, '{UNATTRIBUTED}') AS v, {bucket} AS b, "
        f"SUM(cost_usd) AS usd FROM costed_usage WHERE day IN "
        f"({', '.join('?' for _ in days)}) GROUP BY ALL"
    )
    frame = con.execute(sql, days).df()
    frame["b"] = pd.to_datetime(frame["b"])
    return frame[frame["v"] != UNATTRIBUTED]  # "no user" is not a user that drove a spike


def _excess(frame: pd.DataFrame, spike: Spike, by: tuple[str, ...]) -> list[tuple[str, float]]:
    """(value, spend at the spike less the median of the same point in earlier seasons)."""
    mine = np.logical_and.reduce([frame[k] == spike.series[k] for k in by])
    points = _seasons_back(spike)
    rows = frame[mine & frame["b"].isin(points)]
    if rows.empty:
        return []
    table = rows.pivot_table(index="v", columns="b", values="usd", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=points, fill_value=0.0)
    excess = table[points[0]] - table[points[1:]].median(axis=1)
    return [(str(v), float(x)) for v, x in excess.items()]


def _named(spike: Spike, pick: tuple[float, str, str] | None) -> Spike:
    if pick is None or pick[0] <= 0:
        return spike
    excess, dimension, value = pick
    rise = spike.spend_usd - spike.expected_usd
    share = min(excess / rise, 1.0) if rise > 0 else 1.0
    driver = f"{dimension} {value} ({signed_money(excess)}, {pct(share)} of the rise)"
    return replace(spike, driver=driver)


def spikes_frame(found: Sequence[Spike]) -> pd.DataFrame:
    """One row per spike: when, the series, spend, usual range, excess, driver, sentence."""
    rows = [
        {
            "day": pd.Timestamp(s.when),
            "series": s.label,
            **s.series,
            "spend_usd": s.spend_usd,
            "usual_low_usd": s.usual_low_usd,
            "usual_high_usd": s.usual_high_usd,
            "excess_usd": s.excess_usd,
            "driver": s.driver,
            "label": s.sentence(),
        }
        for s in found
    ]
    columns = ["day", "series", "spend_usd", "usual_low_usd", "usual_high_usd", "excess_usd",
               "driver", "label"]  # fmt: skip
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
