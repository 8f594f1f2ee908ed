"""The moment an export says it was generated: Jira's HTML "Excel" export (and its Excel re-save)
ends with a footer ``Generated at Thu Dec 01 10:59:18 CET 2016 by … using JIRA 7.0.0`` (German
``Erstellt am … von … mit JIRA``: the date is Java's ``Date.toString()`` in English whatever the UI
language). That is the export's as-of date: the day its issues were read.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    m: i
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)
}
# Java Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy", on a line that names JIRA
_FOOTER = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) "
    r"(\d{2}):(\d{2}):(\d{2}) (?:[A-Za-z][\w+:-]{0,9} )?(\d{4})\b[^\n]{0,400}?\bJIRA\b",
    re.IGNORECASE,
)


def generated_at(text: str) -> dt.datetime | None:
    """The last "generated at … JIRA" moment in ``text`` (local wall-clock time), None when absent."""
    found = None
    for m in _FOOTER.finditer(text):
        month, day, hh, mm, ss, year = m.groups()
        try:
            found = dt.datetime(int(year), _MONTHS[month.title()], int(day), int(hh), int(mm), int(ss))
        except ValueError:
            continue
    return found


def footer_rows(rows: list[list]) -> int:
    """How many trailing rows of a sheet are only Jira's "generated at" footer (or empty)."""
    count = 0
    for row in reversed(rows):
        cells = [str(c).strip() for c in row if str(c).strip()]
        if cells and not (len(cells) == 1 and generated_at(cells[0])):
            break
        count += 1
    return count


def footer_text(data: bytes) -> str:
    """The last bytes of a file as text: where Jira writes its footer."""
    return data[-8192:].decode("utf-8", errors="replace")


def without_footer(rows: list[list]) -> tuple[list[list], dt.datetime | None]:
    """A sheet's rows without Jira's trailing "generated at" footer -> (rows, the moment it names)."""
    n = footer_rows(rows)
    if not n:
        return rows, None
    text = " ".join(str(c) for row in rows[len(rows) - n :] for c in row if str(c).strip())
    return rows[: len(rows) - n], generated_at(text)


def use_generated_as_of(parsed):
    """Make the export's own "generated at" moment (``meta["generated_at"]``) its as-of date, with an
    info problem; unchanged when the export has none."""
    from loaders.base import Problem

    moment = parsed.meta.get("generated_at")
    if moment is None:
        parsed.meta.pop("generated_at", None)
        return parsed
    before = parsed.as_of
    parsed.as_of = moment.date()
    parsed.meta["generated_at"] = moment.isoformat()
    latest = f" (the latest Updated is {before})" if before else ""
    parsed.problems.append(
        Problem(
            f"the export says it was generated at {moment:%Y-%m-%d %H:%M}: that day is its as-of date{latest}.",
            "info",
            None,
            None,
            moment.isoformat(),
        )
    )
    return parsed
