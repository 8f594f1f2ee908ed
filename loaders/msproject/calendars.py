"""MSPDI ``<Calendars>`` -> the project calendar as plain data (stored in ``uploads.meta["calendar"]``).

The project calendar is the ``<Calendar>`` whose UID the project's ``<CalendarUID>`` names (else the
first base calendar). Its shape, read by :class:`metrics.calendar.WorkCalendar`::

    {"name": "Standard", "uid": 1,
     "weekdays": [[[480, 720], [780, 1020]], ...],   # Monday..Sunday: working intervals, minutes
     "exceptions": [{"from": "2018-05-28", "to": "2018-05-28", "times": []}, ...]}

``WeekDay`` DayType 1..7 = Sunday..Saturday; DayType 0 is a Project 2003 exception (``TimePeriod``
FromDate/ToDate); Project 2007+ writes exceptions under ``<Exceptions>``. A derived calendar
(BaseCalendarUID ≠ -1) inherits the weekdays and exceptions its own file does not override. A
``ToTime`` of ``00:00:00`` ends at midnight.
"""

from __future__ import annotations

import datetime as dt

from loaders.msproject.mspdi_stream import local_name

#: MS Project's Standard calendar: Monday–Friday 08:00–12:00 and 13:00–17:00.
STANDARD_WEEK = [[[480, 720], [780, 1020]]] * 5 + [[], []]


def _child(el, name):
    for c in el:
        if isinstance(c.tag, str) and local_name(c.tag) == name:
            return c
    return None


def _children(el, name):
    return [c for c in el if isinstance(c.tag, str) and local_name(c.tag) == name] if el is not None else []


def _text(el, name) -> str | None:
    c = _child(el, name) if el is not None else None
    return c.text.strip() if c is not None and c.text else None


def _minutes(text: str | None) -> int | None:
    if not text:
        return None
    try:
        t = dt.time.fromisoformat(text[-8:] if "T" in text else text)
    except ValueError:
        return None
    return t.hour * 60 + t.minute


def _working_times(el) -> list[list[int]]:
    times = []
    for wt in _children(_child(el, "WorkingTimes"), "WorkingTime"):
        start, end = _minutes(_text(wt, "FromTime")), _minutes(_text(wt, "ToTime"))
        if start is None or end is None:
            continue
        end = 1440 if end == 0 and start > 0 else end
        if end > start:
            times.append([start, end])
    return times


def _period(el) -> tuple[str, str] | None:
    period = _child(el, "TimePeriod")
    start, end = _text(period, "FromDate"), _text(period, "ToDate")
    if not start or not end:
        return None
    try:
        first = dt.datetime.fromisoformat(start).date()
        last = dt.datetime.fromisoformat(end).date()
    except ValueError:
        return None
    return first.isoformat(), max(first, last).isoformat()


def _exception(el, times: list[list[int]]) -> dict | None:
    period = _period(el)
    if period is None:
        return None
    working = _text(el, "DayWorking") == "1"
    return {"from": period[0], "to": period[1], "times": times if working else []}


def _calendar(el) -> dict:
    """One ``<Calendar>`` -> {uid, name, base, weekdays (None = inherited), exceptions}."""
    weekdays: list = [None] * 7
    exceptions = []
    for day in _children(_child(el, "WeekDays"), "WeekDay"):
        kind, working = _text(day, "DayType"), _text(day, "DayWorking")
        if kind == "0":
            found = _exception(day, _working_times(day))
            if found:
                exceptions.append(found)
        elif kind in {"1", "2", "3", "4", "5", "6", "7"} and working in ("0", "1"):
            weekdays[(int(kind) + 5) % 7] = _working_times(day) if working == "1" else []
    for exc in _children(_child(el, "Exceptions"), "Exception"):
        found = _exception(exc, _working_times(exc))
        if found:
            exceptions.append(found)
    return {
        "uid": _text(el, "UID"),
        "name": _text(el, "Name"),
        "base": _text(el, "BaseCalendarUID"),
        "weekdays": weekdays,
        "exceptions": exceptions,
    }


def project_calendar(calendars_el, calendar_uid: str | None) -> dict | None:
    """The project calendar of a ``<Calendars>`` element, base calendars resolved; None when absent."""
    if calendars_el is None:
        return None
    found = {c["uid"]: c for c in map(_calendar, _children(calendars_el, "Calendar"))}
    if not found:
        return None
    chosen = found.get(calendar_uid) or next((c for c in found.values() if c["base"] in (None, "-1")), None)
    if chosen is None:
        return None
    weekdays, exceptions, seen = list(chosen["weekdays"]), list(chosen["exceptions"]), {chosen["uid"]}
    base = found.get(chosen["base"])
    while base is not None and base["uid"] not in seen:  # inherit what the derived calendar leaves open
        seen.add(base["uid"])
        weekdays = [own if own is not None else inherited for own, inherited in zip(weekdays, base["weekdays"])]
        exceptions = base["exceptions"] + exceptions
        base = found.get(base["base"])
    weekdays = [day if day is not None else STANDARD_WEEK[i] for i, day in enumerate(weekdays)]
    unique = []  # MPXJ and Project 2007+ may write an exception twice (DayType 0 and <Exceptions>)
    for exc in exceptions:
        if exc not in unique:
            unique.append(exc)
    return {"name": chosen["name"], "uid": chosen["uid"], "weekdays": weekdays, "exceptions": unique}
