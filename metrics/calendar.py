"""Working-day and working-hour arithmetic over a plan's calendar, vectorised with numpy's busday
functions.

A :class:`WorkCalendar` holds the working intervals of each weekday (Monday..Sunday, minutes from
midnight) and dated exceptions (holidays, or days with their own working times), as MS Project's
project calendar does (``uploads.meta["calendar"]``, see :mod:`loaders.msproject.calendars`).
:data:`STANDARD` is MS Project's default: Monday–Friday 08:00–12:00 and 13:00–17:00, no holidays.

Conventions used by every EVM function:

* a *day* is a calendar date; a task's timestamps count on their dates;
* a *working day* is a day with working time (its weekday's, or its exception's);
* ``working_days_through(start, end)`` counts working days ``start <= day <= end`` (both
  inclusive), so a task from Monday to Friday lasts 5 working days;
* ``working_hours_through`` adds the hours of those days (a 4-hour Friday weighs half a Monday);
* a status date without a time of day is a whole day; with one (09:00), the share of that day's
  working time before it has elapsed (:meth:`WorkCalendar.elapsed_share`: 1/8 at 09:00 on 8–12, 13–17);
* NaT (missing) dates give NaN counts instead of raising.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

WEEKMASK = "1111100"
_DAY = ((480, 720), (780, 1020))
_MAX_EXCEPTION_DAYS = 40_000  # ~100 years of dated exceptions: beyond, a range is cut


@dataclass(frozen=True)
class WorkCalendar:
    """Working intervals per weekday (Monday first) and dated exceptions ``(day, intervals)``."""

    weekdays: tuple = (_DAY,) * 5 + ((), ())
    exceptions: tuple = ()
    name: str = "Standard (Mon–Fri, 8 h)"

    @classmethod
    def from_meta(cls, meta: dict | None) -> WorkCalendar:
        """The calendar stored by the MS Project loader; :data:`STANDARD` when absent or unusable."""
        if not meta or not isinstance(meta.get("weekdays"), list) or len(meta["weekdays"]) != 7:
            return STANDARD
        week = tuple(tuple((int(a), int(b)) for a, b in day or ()) for day in meta["weekdays"])
        days: dict[np.datetime64, tuple] = {}
        for exc in meta.get("exceptions") or []:  # in file order: a later exception wins
            first, last = np.datetime64(exc["from"], "D"), np.datetime64(exc["to"], "D")
            span = np.arange(first, min(last, first + _MAX_EXCEPTION_DAYS) + 1)
            times = tuple((int(a), int(b)) for a, b in exc.get("times") or ())
            days.update(dict.fromkeys(span.tolist(), times))
        if not any(week) and not any(days.values()):
            return STANDARD
        exceptions = tuple(sorted((np.datetime64(d, "D"), t) for d, t in days.items()))
        return cls(week, exceptions, str(meta.get("name") or "the plan's calendar"))

    # -- derived ---------------------------------------------------------------------------
    @cached_property
    def week_hours(self) -> np.ndarray:
        return np.array([sum(b - a for a, b in day) / 60 for day in self.weekdays])

    @cached_property
    def weekmask(self) -> str:
        mask = "".join("1" if h > 0 else "0" for h in self.week_hours)
        return mask if "1" in mask else "0000000"

    @cached_property
    def _special(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(exception days, their hours, cumulative working-day count and hours) for range sums."""
        days = np.array([d for d, _ in self.exceptions], dtype="datetime64[D]")
        hours = np.array([sum(b - a for a, b in t) / 60 for _, t in self.exceptions], dtype=float)
        return days, hours, np.concatenate([[0.0], np.cumsum(hours > 0)]), np.concatenate([[0.0], np.cumsum(hours)])

    def describe(self) -> str:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        week = ", ".join(f"{n} {h:g} h" for n, h in zip(names, self.week_hours, strict=True) if h > 0)
        holidays = sum(1 for _, t in self.exceptions if not t)
        return f"{self.name}: {week or 'no working weekday'}; {holidays} non-working exception day(s)"

    # -- counting ----------------------------------------------------------------------------
    def _busdays(self, start: np.ndarray, end: np.ndarray, weekmask: str) -> np.ndarray:
        if "1" not in weekmask:
            return np.zeros(np.shape(start))
        return np.busday_count(start, end, weekmask=weekmask, holidays=self._special[0])

    def _special_sum(self, start: np.ndarray, end: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
        days = self._special[0]
        if not len(days):
            return np.zeros(np.shape(start))
        return cumulative[np.searchsorted(days, end)] - cumulative[np.searchsorted(days, start)]

    def days_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days ``start <= day < end`` (negative when end < start), ``datetime64[D]`` inputs."""
        forward = end >= start
        a, b = np.where(forward, start, end), np.where(forward, end, start)
        count = self._busdays(a, b, self.weekmask) + self._special_sum(a, b, self._special[2])
        return np.where(forward, count, -count)

    def hours_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working hours of the days ``start <= day < end`` (0 when end <= start)."""
        end = np.maximum(end, start)
        total = self._special_sum(start, end, self._special[3]).astype(float)
        for hours in np.unique(self.week_hours[self.week_hours > 0]):
            mask = "".join("1" if h == hours else "0" for h in self.week_hours)
            total = total + hours * self._busdays(start, end, mask)
        return total

    def day_hours(self, days: np.ndarray) -> np.ndarray:
        """Working hours of each day."""
        days = np.asarray(days, dtype="datetime64[D]")
        hours = self.week_hours[(days.astype("int64") + 3) % 7]
        special, special_hours = self._special[0], self._special[1]
        if len(special):
            at = np.clip(np.searchsorted(special, days), 0, len(special) - 1)
            hit = special[at] == days
            hours = np.where(hit, special_hours[at], hours)
        return hours

    def intervals(self, day: dt.date) -> tuple:
        found = dict(self.exceptions).get(np.datetime64(day, "D")) if self.exceptions else None
        return found if found is not None else self.weekdays[day.weekday()]

    def elapsed_share(self, moment: dt.datetime | dt.date) -> float:
        """Share of ``moment``'s day working time before it: 1.0 for a date (a whole day), for
        midnight, and for a day without working time; 09:00 on 08–12, 13–17 -> 0.125."""
        if not isinstance(moment, dt.datetime) or moment.time() == dt.time(0):
            return 1.0
        intervals = self.intervals(moment.date())
        total = sum(b - a for a, b in intervals)
        if total <= 0:
            return 1.0
        minute = moment.hour * 60 + moment.minute + moment.second / 60
        return float(sum(max(0.0, min(minute, b) - a) for a, b in intervals) / total)

    def working_days_from(self, origin, count: int) -> np.ndarray:
        """The first ``count`` working days on or after ``origin`` (``datetime64[D]``)."""
        origin = to_days(origin)
        if count <= 0:
            return np.array([], dtype="datetime64[D]")
        worked = max(int((self.week_hours > 0).sum()), 1)
        span = int(count * 7 / worked) + 14 + len(self.exceptions)
        while True:
            days = origin + np.arange(span)
            found = days[self.day_hours(days) > 0]
            if len(found) >= count or span > 400_000:
                return found[:count]
            span *= 2


STANDARD = WorkCalendar()


def to_days(values) -> np.ndarray:
    """Dates, timestamps, a Series or an array -> ``datetime64[D]`` (NaT kept)."""
    if isinstance(values, pd.Series | pd.Index):
        return pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    if isinstance(values, dt.datetime):
        return np.datetime64(values.date(), "D")
    if isinstance(values, dt.date):
        return np.datetime64(values, "D")
    return np.asarray(pd.to_datetime(values)).astype("datetime64[D]")


def working_days_before(origin, days, calendar: WorkCalendar = STANDARD) -> np.ndarray:
    """Number of working days ``origin <= day < days`` (negative when ``days`` < origin); NaN for NaT."""
    origin = to_days(origin)
    days = np.atleast_1d(to_days(days))
    ok = ~np.isnat(days)
    out = np.full(days.shape, np.nan)
    if ok.any():
        out[ok] = calendar.days_between(np.broadcast_to(origin, days[ok].shape), days[ok])
    return out


def working_days_through(start, end, calendar: WorkCalendar = STANDARD) -> np.ndarray:
    """Working days ``start <= day <= end`` (both inclusive); 0 when end < start; NaN for NaT."""
    start, end, ok = _pairs(start, end)
    out = np.full(start.shape, np.nan)
    if ok.any():
        count = calendar.days_between(start[ok], end[ok] + np.timedelta64(1, "D"))
        out[ok] = np.maximum(count, 0)
    return out


def working_hours_through(start, end, calendar: WorkCalendar = STANDARD) -> np.ndarray:
    """Working hours of the days ``start <= day <= end`` (both inclusive); 0 when end < start; NaN for NaT."""
    start, end, ok = _pairs(start, end)
    out = np.full(start.shape, np.nan)
    if ok.any():
        out[ok] = calendar.hours_between(start[ok], end[ok] + np.timedelta64(1, "D"))
    return out


def _pairs(start, end):
    start = np.atleast_1d(to_days(start))
    end = np.atleast_1d(to_days(end))
    start, end = np.broadcast_arrays(start, end)
    return start, end, ~(np.isnat(start) | np.isnat(end))


def nth_working_day(origin, n: int, calendar: WorkCalendar = STANDARD) -> dt.date:
    """The ``n``-th working day counting ``origin`` (rolled forward to a working day) as day 1."""
    if calendar is STANDARD:
        first = np.busday_offset(to_days(origin), 0, roll="forward", weekmask=WEEKMASK)
        day = np.busday_offset(first, max(int(n), 1) - 1, roll="forward", weekmask=WEEKMASK)
        return pd.Timestamp(day).date()
    days = calendar.working_days_from(origin, max(int(n), 1))
    return pd.Timestamp(days[-1]).date()


def working_day_dates(origin, count: int, calendar: WorkCalendar = STANDARD) -> list[dt.date]:
    """The first ``count`` working days from ``origin`` (rolled forward), as dates."""
    if calendar is STANDARD:
        first = np.busday_offset(to_days(origin), 0, roll="forward", weekmask=WEEKMASK)
        days = np.busday_offset(first, np.arange(max(count, 0)), roll="forward", weekmask=WEEKMASK)
    else:
        days = calendar.working_days_from(origin, count)
    return [pd.Timestamp(d).date() for d in days]
