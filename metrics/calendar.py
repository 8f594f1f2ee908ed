"""Working-day arithmetic (Monday–Friday, no holidays), vectorised with numpy's busday functions.

Conventions used by every EVM function:

* a *day* is a calendar date; a timestamp counts on its date (8:00 AM and 5:00 PM are the same day);
* ``working_days_through(start, end)`` counts working days ``start <= day <= end`` (both inclusive),
  so a task from Monday to Friday lasts 5 working days and a status date counts as a whole day;
* NaT (missing) dates give NaN counts instead of raising.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

WEEKMASK = "1111100"


def to_days(values) -> np.ndarray:
    """Dates, timestamps, a Series or an array -> ``datetime64[D]`` (NaT kept)."""
    if isinstance(values, pd.Series | pd.Index):
        return pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    if isinstance(values, dt.datetime):
        return np.datetime64(values.date(), "D")
    if isinstance(values, dt.date):
        return np.datetime64(values, "D")
    return np.asarray(pd.to_datetime(values)).astype("datetime64[D]")


def working_days_before(origin, days) -> np.ndarray:
    """Number of working days ``origin <= day < days`` (negative when ``days`` < origin); NaN for NaT."""
    origin = to_days(origin)
    days = np.atleast_1d(to_days(days))
    ok = ~np.isnat(days)
    out = np.full(days.shape, np.nan)
    if ok.any():
        out[ok] = np.busday_count(origin, days[ok], weekmask=WEEKMASK)
    return out


def working_days_through(start, end) -> np.ndarray:
    """Working days ``start <= day <= end`` (both inclusive); 0 when end < start; NaN for NaT."""
    start = np.atleast_1d(to_days(start))
    end = np.atleast_1d(to_days(end))
    start, end = np.broadcast_arrays(start, end)
    ok = ~(np.isnat(start) | np.isnat(end))
    out = np.full(start.shape, np.nan)
    if ok.any():
        count = np.busday_count(start[ok], end[ok] + np.timedelta64(1, "D"), weekmask=WEEKMASK)
        out[ok] = np.maximum(count, 0)
    return out


def nth_working_day(origin, n: int) -> dt.date:
    """The ``n``-th working day counting ``origin`` (rolled forward to a working day) as day 1."""
    first = np.busday_offset(to_days(origin), 0, roll="forward", weekmask=WEEKMASK)
    day = np.busday_offset(first, max(int(n), 1) - 1, roll="forward", weekmask=WEEKMASK)
    return pd.Timestamp(day).date()


def working_day_dates(origin, count: int) -> list[dt.date]:
    """The first ``count`` working days from ``origin`` (rolled forward), as dates."""
    first = np.busday_offset(to_days(origin), 0, roll="forward", weekmask=WEEKMASK)
    days = np.busday_offset(first, np.arange(max(count, 0)), roll="forward", weekmask=WEEKMASK)
    return [pd.Timestamp(d).date() for d in days]
