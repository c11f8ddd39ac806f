"""Spend spikes: a day (or hour) outside its series' usual range (usage.spike_band, which
states the detector's math), with what drove it: the series from the store, the spikes found
in them, and the model, key or user that spent the excess."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from foundation.formatting import money, pct, signed_money
from usage.spike_band import (
    PERIOD,
    SEASONS,
    flagged,
    usual_range,
)

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

# -- series from the store ---------------------------------------------------------------------


def series_sql(by: Sequence[str], grain: str) -> str:
    """Spend and tokens per series key and day (or hour)."""
    keys = ", ".join(f"COALESCE({_column(d)}, '{UNATTRIBUTED}') AS {d}" for d in by)
    bucket = "day" if grain == "day" else "date_trunc('hour', ts)"
    return (
        f"SELECT {keys}, {bucket} AS bucket, SUM(cost_usd) AS spend_usd, "
        "SUM(total_tokens) AS tokens FROM costed_usage "
        f"WHERE day BETWEEN ? AND ? GROUP BY {_positions(len(by) + 1)}"
    )


def _positions(n: int) -> str:
    """GROUP BY the first n columns of the projection, by position (portable; no GROUP BY
    ALL, which PostgreSQL and Spark lack)."""
    return ", ".join(str(i) for i in range(1, n + 1))


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
        f"({', '.join('?' for _ in days)}) GROUP BY {_positions(len(by) + 2)}"
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
