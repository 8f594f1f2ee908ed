"""Builders of MS Project files in their real formats, for golden tests: MSPDI XML as MS Project
2019 writes it (namespace, hundredths for money, ISO-8601 durations, Baseline and TimephasedData
blocks, a project calendar), and Selected Data workbooks (.xlsx / BIFF8 .xls cells)."""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = "http://schemas.microsoft.com/project"
DAY = [("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")]


def _leaf(name: str, value) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def weekday(day_type: int, times=DAY) -> str:
    """DayType 1 = Sunday .. 7 = Saturday; ``times`` empty = non-working."""
    if not times:
        return f"<WeekDay><DayType>{day_type}</DayType><DayWorking>0</DayWorking></WeekDay>"
    wt = "".join(f"<WorkingTime><FromTime>{a}</FromTime><ToTime>{b}</ToTime></WorkingTime>" for a, b in times)
    return (
        f"<WeekDay><DayType>{day_type}</DayType><DayWorking>1</DayWorking><WorkingTimes>{wt}</WorkingTimes></WeekDay>"
    )


def calendar(uid=1, name="Standard", week=None, exceptions=(), legacy_exceptions=(), base=-1) -> str:
    """A ``<Calendar>``: ``week`` = {DayType: times}; ``exceptions`` = (from, to, times) Project 2007+
    ``<Exception>`` blocks; ``legacy_exceptions`` = the same as Project 2003 ``DayType 0`` weekdays."""
    week = {1: (), 2: DAY, 3: DAY, 4: DAY, 5: DAY, 6: DAY, 7: ()} if week is None else week
    days = "".join(weekday(d, t) for d, t in sorted(week.items()))
    for first, last, times in legacy_exceptions:
        working = "1" if times else "0"
        wt = "".join(f"<WorkingTime><FromTime>{a}</FromTime><ToTime>{b}</ToTime></WorkingTime>" for a, b in times)
        days += (
            f"<WeekDay><DayType>0</DayType><DayWorking>{working}</DayWorking><TimePeriod><FromDate>{first}T00:00:00"
            f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod>"
            + (f"<WorkingTimes>{wt}</WorkingTimes>" if times else "")
            + "</WeekDay>"
        )
    exc = ""
    for first, last, times in exceptions:
        working = "1" if times else "0"
        wt = "".join(f"<WorkingTime><FromTime>{a}</FromTime><ToTime>{b}</ToTime></WorkingTime>" for a, b in times)
        exc += (
            f"<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod><FromDate>{first}T00:00:00"
            f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod><Occurrences>1</Occurrences><Name>Holiday</Name>"
            f"<Type>1</Type><DayWorking>{working}</DayWorking>"
            + (f"<WorkingTimes>{wt}</WorkingTimes>" if times else "")
            + "</Exception>"
        )
    return (
        f"<Calendar><UID>{uid}</UID><Name>{name}</Name><IsBaseCalendar>{1 if base == -1 else 0}</IsBaseCalendar>"
        f"<BaseCalendarUID>{base}</BaseCalendarUID><WeekDays>{days}</WeekDays>"
        + (f"<Exceptions>{exc}</Exceptions>" if exc else "")
        + "</Calendar>"
    )


def baseline(number=0, start=None, finish=None, work_h=None, cost=None, duration_h=None, timephased=()) -> str:
    """A task ``<Baseline>``; money in currency units (written in hundredths)."""
    parts = [_leaf("Number", number)]
    if start:
        parts.append(_leaf("Start", start))
    if finish:
        parts.append(_leaf("Finish", finish))
    if duration_h is not None:
        parts.append(_leaf("Duration", f"PT{duration_h:g}H0M0S"))
    if work_h is not None:
        parts.append(_leaf("Work", f"PT{work_h:g}H0M0S"))
    if cost is not None:
        parts.append(_leaf("Cost", round(cost * 100)))
    return "<Baseline>" + "".join(parts) + "".join(timephased) + "</Baseline>"


def timephased(type_code: int, uid: int, start: str, finish: str, value: str) -> str:
    return (
        f"<TimephasedData><Type>{type_code}</Type><UID>{uid}</UID><Start>{start}</Start><Finish>{finish}</Finish>"
        f"<Unit>2</Unit><Value>{value}</Value></TimephasedData>"
    )


MONEY = {"Cost", "ActualCost", "FixedCost", "BCWS", "BCWP", "ACWP", "RemainingCost"}


def task(uid: int, name: str, level: int, *, summary=False, baselines=(), tp=(), **fields) -> str:
    """A ``<Task>``; money fields (Cost, ActualCost, BCWS…) in currency units, written in hundredths."""
    parts = [
        _leaf("UID", uid),
        _leaf("ID", fields.pop("ID", uid)),
        _leaf("Name", name),
        _leaf("OutlineLevel", level),
        _leaf("Summary", int(summary)),
    ]
    for key, value in fields.items():
        parts.append(_leaf(key, round(value * 100) if key in MONEY else value))
    return "<Task>" + "".join(parts) + "".join(tp) + "".join(baselines) + "</Task>"


def resource(uid: int, name: str, rate: float = 0.0) -> str:
    return f"<Resource><UID>{uid}</UID><ID>{uid}</ID><Name>{escape(name)}</Name><Type>1</Type><StandardRate>{rate:g}</StandardRate></Resource>"


def assignment(uid: int, task_uid: int, resource_uid: int, cost: float = 0.0, actual_cost: float = 0.0) -> str:
    return (
        f"<Assignment><UID>{uid}</UID><TaskUID>{task_uid}</TaskUID><ResourceUID>{resource_uid}</ResourceUID>"
        f"<Cost>{round(cost * 100)}</Cost><ActualCost>{round(actual_cost * 100)}</ActualCost></Assignment>"
    )


def mspdi(
    tasks: list[str], *, calendars: list[str] | None = None, calendar_uid=1, resources=(), assignments=(), **project
) -> bytes:
    """A whole MSPDI file (root ``<Project xmlns=...>``); ``project`` = Project leaves (StatusDate…)."""
    head = {
        "SaveVersion": 14,
        "Name": "plan.xml",
        "Title": "Golden plan",
        "MinutesPerDay": 480,
        "MinutesPerWeek": 2400,
        "DaysPerMonth": 20,
        "CalendarUID": calendar_uid,
        **project,
    }
    cals = "".join(calendars if calendars is not None else [calendar()])
    body = "".join(_leaf(k, v) for k, v in head.items() if v is not None)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="{NS}">{body}'
        f"<Calendars>{cals}</Calendars><Tasks>{''.join(tasks)}</Tasks>"
        f"<Resources>{''.join(resources)}</Resources><Assignments>{''.join(assignments)}</Assignments>"
        "</Project>"
    ).encode()


def xls(sheets: dict[str, list[list]]) -> bytes:
    """An Excel 97–2003 workbook (BIFF8, as MS Project 2003/2007 "Save As Excel" writes): text cells."""
    import io

    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx workbook with the given rows (every cell as written: text stays text)."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()
