"""Parsers for the text cells exporting tools write, shared by every loader.

Each parser takes one cell and returns the value or ``None`` for an empty cell, and raises
``ValueError`` with a short reason when the text is not a value of that kind. Loaders turn
those errors into :class:`loaders.base.Problem` rows.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass

EMPTY = {"", "na", "n/a", "nan", "none", "null", "-", "—"}

_NOT_NUMERIC = re.compile(r"[^\d.,+\-]")  # currency symbols and codes, units, percent signs
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or str(cell).strip().lower() in EMPTY


def normalize_header(name: str) -> str:
    """Header text -> comparison key: case-folded, accents kept, ``_``/``-``/spaces folded to
    one space, BOM and surrounding quotes removed. ``Start_Date`` -> ``start date``."""
    text = unicodedata.normalize("NFC", str(name)).replace("\ufeff", "").strip().strip('"').casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def parse_number(cell, *, decimal: str | None = None) -> float | None:
    """A number as people and tools write it -> float.

    Accepts currency symbols and codes anywhere (``$1,100.00``, ``1.100,00 €``, ``EUR 12``,
    ``$1.100,00/h`` -> 1100.0), grouping by ``,`` ``.`` space or apostrophe, a decimal point or
    comma, a leading or trailing minus, ``(1,234)`` accounting negatives and a trailing ``%``.
    With ``decimal=None`` the decimal mark is inferred: the last of ``.``/``,`` when both occur;
    a lone separator followed by exactly three digits is grouping (``1,234`` -> 1234), otherwise
    it is the decimal mark (``2,8`` -> 2.8).
    """
    if isinstance(cell, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(cell, int | float):
        return None if cell != cell else _in_range(float(cell), cell)
    if is_empty(cell):
        return None
    text = str(cell).strip()
    text = text.split("/")[0]  # rates: "$12.50/h"
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _SPACES.sub("", text)
    if not _SCIENTIFIC.fullmatch(text):
        text = _NOT_NUMERIC.sub("", text)
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = text.lstrip("+")
    if not text or not re.fullmatch(r"[\d.,]*\d[\d.,]*|[\d.]+[eE][+-]?\d+", text, re.IGNORECASE):
        raise ValueError(f"not a number: {cell!r}")
    if "e" not in text.lower():
        text = _normalize_separators(text, decimal)
    value = float(text)
    return _in_range(-value if negative else value, cell)


#: The largest magnitude a number cell may hold (money, hours, points): 10^15, a thousand trillion.
#: Beyond it a value is a typo or a hostile file (``1e400`` would be stored as infinity).
MAX_MAGNITUDE = 1e15


def _in_range(value: float, cell) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{cell!r} is not a finite number (too large to store)")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"{cell!r} is out of range (more than 10^15 in size)")
    return value


def _normalize_separators(text: str, decimal: str | None) -> str:
    dots, commas = text.count("."), text.count(",")
    if decimal is None:
        if dots and commas:
            decimal = "." if text.rfind(".") > text.rfind(",") else ","
        elif dots + commas == 0:
            return text
        else:
            mark = "." if dots else ","
            tail = text.rsplit(mark, 1)[1]
            decimal = mark if (dots or commas) == 1 and len(tail) != 3 else ""
    group = {".": ",", ",": ".", "": ".,"}[decimal]
    for g in group:
        text = text.replace(g, "")
    if decimal == ",":
        text = text.replace(",", ".")
    if text.count(".") > 1:
        raise ValueError(f"not a number: {text!r}")
    return text


# yes/no cells (MS Project flags, loaders.msproject.cells)
YES = {"yes", "y", "true", "1", "ja", "sí", "si", "oui", "sim", "tak", "có", "co", "x"}
NO = {"no", "n", "false", "0", "nein", "non", "não", "nao", "nie", "không", "khong"}


# -- durations -----------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*([-+]?\d[\d.,\s\u00a0]*|[-+]?[.,]\d+)\s*(e?)\s*([^\W\d_]*\.?)\s*(\?)?\s*$", re.IGNORECASE)
# unit spelling (case-folded, trailing dot removed) -> base unit. English UI and MPX tokens plus
# the common German, French, Spanish, Portuguese, Italian and Dutch abbreviations.
_DURATION_UNITS = {
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "phút"], "m"),
    **dict.fromkeys(
        [
            "h",
            "hr",
            "hrs",
            "hour",
            "hours",
            "std",
            "stunde",
            "stunden",
            "heure",
            "heures",
            "hora",
            "horas",
            "ora",
            "ore",
            "u",
            "uur",
            "uren",
            "giờ",
        ],
        "h",
    ),
    **dict.fromkeys(
        [
            "d",
            "dy",
            "day",
            "days",
            "t",
            "tg",
            "tag",
            "tage",
            "j",
            "jour",
            "jours",
            "día",
            "días",
            "dia",
            "dias",
            "g",
            "gg",
            "giorno",
            "giorni",
            "dag",
            "dagen",
            "ngày",
        ],
        "d",
    ),
    **dict.fromkeys(
        [
            "w",
            "wk",
            "wks",
            "week",
            "weeks",
            "wo",
            "woche",
            "wochen",
            "sem",
            "semaine",
            "semaines",
            "semana",
            "semanas",
            "settimana",
            "settimane",
            "weken",
            "tuần",
        ],
        "w",
    ),
    **dict.fromkeys(
        [
            "mo",
            "mon",
            "mons",
            "month",
            "months",
            "mt",
            "monat",
            "monate",
            "mois",
            "mes",
            "meses",
            "mese",
            "mesi",
            "maand",
            "maanden",
            "tháng",
        ],
        "mo",
    ),
    **dict.fromkeys(["y", "yr", "yrs", "year", "years"], "y"),
}
ELAPSED_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0, "mo": 720.0, "y": 8760.0}


@dataclass(frozen=True)
class Duration:
    """A duration as MS Project writes it: ``hours`` in working hours (calendar hours when
    ``elapsed``), ``estimated`` when it carried a ``?``."""

    hours: float
    unit: str
    estimated: bool = False
    elapsed: bool = False


def duration_hours_per_unit(minutes_per_day: float = 480, minutes_per_week: float = 2400, days_per_month: float = 20):
    """Working hours in one m/h/d/w/mo/y for a project's calendar settings."""
    day = minutes_per_day / 60
    return {
        "m": 1 / 60,
        "h": 1.0,
        "d": day,
        "w": minutes_per_week / 60,
        "mo": day * days_per_month,
        "y": day * days_per_month * 12,
    }


def parse_duration_value(
    cell,
    *,
    minutes_per_day: float = 480,
    minutes_per_week: float = 2400,
    days_per_month: float = 20,
    default_unit: str = "d",
) -> Duration | None:
    """``3 days``, ``2,8 wks``, ``23 days?``, ``5 edays``, ``1 emo``, ``24h``, ``PT40H0M0S`` ->
    :class:`Duration`. A bare number is in ``default_unit``. Working units convert with the
    project's minutes per day/week and days per month (defaults 480, 2400, 20); elapsed units
    (``e`` prefix) are calendar time: 1 ed = 24 h, 1 ew = 168 h, 1 emo = 720 h."""
    if isinstance(cell, bool):
        raise ValueError("a yes/no value is not a duration")
    if isinstance(cell, int | float):
        if cell != cell:
            return None
        cell = f"{cell!r}"
    if is_empty(cell):
        return None
    text = str(cell).strip()
    if (
        text[:2].upper() in ("PT", "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")
        or text[:3].upper() == "-PT"
    ):
        return Duration(parse_iso_duration(text), "h")
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {cell!r}")
    number, elapsed, unit, estimated = match.groups()
    unit_key = unit.casefold().rstrip(".")
    if elapsed and not unit_key:  # "5e" is not a thing; "5 e" neither
        raise ValueError(f"not a duration: {cell!r}")
    if not unit_key:
        base = default_unit
    elif (elapsed and unit_key in _DURATION_UNITS) or unit_key in _DURATION_UNITS:
        base = _DURATION_UNITS[unit_key]
    elif unit_key.startswith("e") and unit_key[1:] in _DURATION_UNITS:  # "edays", "ewks"
        elapsed, base = "e", _DURATION_UNITS[unit_key[1:]]
    else:
        raise ValueError(f"unknown duration unit {unit!r} in {cell!r}")
    value = parse_number(number)
    if value is None:
        raise ValueError(f"not a duration: {cell!r}")
    if elapsed:
        hours = value * ELAPSED_HOURS[base]
    else:
        hours = value * duration_hours_per_unit(minutes_per_day, minutes_per_week, days_per_month)[base]
    if abs(hours) > MAX_DURATION_HOURS:
        raise ValueError(f"{cell!r} is out of range (a duration over {MAX_DURATION_HOURS / 8760:.0f} years)")
    return Duration(hours, base, bool(estimated), bool(elapsed))


#: The longest duration a cell may hold, in hours: 100 calendar years.
MAX_DURATION_HOURS = 100 * 8760


def parse_duration(cell, **calendar) -> float | None:
    """A duration cell -> hours (see :func:`parse_duration_value`), ``None`` when empty."""
    value = parse_duration_value(cell, **calendar)
    return None if value is None else value.hours


_ISO_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_iso_duration(text: str) -> float:
    """ISO-8601 duration as MSPDI writes it -> hours: ``PT40H0M0S`` -> 40.0, ``PT81H8M24S`` ->
    81.14. MSPDI durations are already working time, so H/M/S are taken as written; the rare
    Y/M/W/D parts are calendar time (D = 24 h)."""
    match = _ISO_DURATION.match(str(text).strip().upper())
    if not match or str(text).strip().upper() in ("P", "PT", "-P", "-PT"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    sign, y, mo, w, d, h, mi, s = match.groups()
    f = [float(v) if v else 0.0 for v in (y, mo, w, d, h, mi, s)]
    hours = f[0] * 8760 + f[1] * 720 + f[2] * 168 + f[3] * 24 + f[4] + f[5] / 60 + f[6] / 3600
    if not math.isfinite(hours) or hours > MAX_DURATION_HOURS:
        raise ValueError(f"{text!r} is out of range (a duration over {MAX_DURATION_HOURS / 8760:.0f} years)")
    return -hours if sign else hours


# -- dates ---------------------------------------------------------------------------------------

# Month names and abbreviations (case-folded, without trailing dot) in the languages MS Project
# and Windows locales write: English, German, French, Spanish, Portuguese, Italian, Dutch, Polish,
# Swedish/Danish/Norwegian, Vietnamese ("tháng 9" is handled as a word plus a number). The one table
# every loader reads month words with (finance periods, Jira dates, contract month columns).
_MONTH_NAMES = {
    1: "january jan januar jänner jän janvier janv enero ene janeiro gennaio gen januari styczeń stycznia sty janúar",
    2: "february feb februar février févr fév fevrier fevr febrero fevereiro fev febbraio februari luty lutego lut",
    3: "march mar märz mär mrz maerz mars marzo março marco maart mrt marzec marca",
    4: "april apr avril avr abril abr aprile aprilis kwiecień kwietnia kwi",
    5: "may mai mayo maio maggio mag mei maj maja",
    6: "june jun juni juin junio jun junho giugno giu czerwiec czerwca cze",
    7: "july jul juli juillet juil julio julho luglio lug lipiec lipca lip",
    8: "august aug août aoû aout agosto ago augusti augustus sierpień sierpnia sie",
    9: "september sep sept septembre septiembre setiembre set setembro settembre wrzesień września wrz",
    10: "october oct oktober okt octobre octubre outubro out ottobre ott październik października paź paz",
    11: "november nov novembre noviembre novembro listopad listopada lis",
    12: "december dec dezember dez décembre déc decembre diciembre dic dezembro dicembre grudzień grudnia gru",
}
MONTHS: dict[str, int] = {}
for _n, _names in _MONTH_NAMES.items():
    for _name in _names.split():
        MONTHS.setdefault(_name, _n)
AM_MARKERS = {"am", "a.m.", "a.m", "a", "sa", "s.a.", "vorm", "vorm.", "午前", "上午", "오전", "πμ", "π.μ."}
PM_MARKERS = {"pm", "p.m.", "p.m", "p", "ch", "c.h.", "nachm", "nachm.", "午後", "下午", "오후", "μμ", "μ.μ."}
DATE_ORDERS = ("MDY", "DMY", "YMD")
_MARKERS = AM_MARKERS | PM_MARKERS
_TZ = re.compile(r"[+-]?\d{2}:?\d{2}|utc|gmt|z")

_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,]\d+)?)?")
_TOKENS = re.compile(r"\d+|[^\W\d_]+\.?(?:[^\W\d_]+\.)?", re.UNICODE)


@dataclass(frozen=True)
class _DateParts:
    numbers: tuple[int, ...]  # numeric date tokens in order
    digits: tuple[int, ...]  # their widths
    month: int | None  # a month written as a word
    hour: int
    minute: int
    second: int


def _split_date(text: str) -> _DateParts:
    """Tokenise one date text into numbers, an optional month word and a time of day."""
    hour = minute = second = 0
    date_text = text
    times = list(_TIME.finditer(text))
    if times:
        tm = times[-1]
        if not (tm.start() == 0 and len(text) > tm.end() and text[tm.end()] in "./-"):
            hour, minute, second = int(tm.group(1)), int(tm.group(2)), int(tm.group(3) or 0)
            before, after = text[: tm.start()], text[tm.end() :]
            marker_words = [w.casefold() for w in after.split()]
            before_words = before.split()
            if before_words and before_words[-1].casefold() in _MARKERS:
                marker_words.append(before_words[-1].casefold())
                before = before[: before.rstrip().rfind(before_words[-1])]
            marker = next((w for w in marker_words if w in _MARKERS), None)
            rest = [w for w in marker_words if w not in _MARKERS]
            if rest and any(ch.isdigit() for w in rest for ch in w):  # "5:00 PM 1/2/2025": the date follows
                before = before + " " + " ".join(rest)
            elif rest and not all(_TZ.fullmatch(w) for w in rest):
                raise ValueError(f"unexpected text after the time in {text!r}")
            if marker is not None:
                if not 1 <= hour <= 12:
                    raise ValueError(f"hour {hour} with an AM/PM marker in {text!r}")
                if marker in PM_MARKERS and hour != 12:
                    hour += 12
                elif marker in AM_MARKERS and hour == 12:
                    hour = 0
            date_text = before
    numbers: list[int] = []
    digits: list[int] = []
    month_words: list[int] = []
    for token in _TOKENS.findall(date_text):
        if token.isdigit():
            numbers.append(int(token))
            digits.append(len(token))
        else:
            key = token.casefold().rstrip(".")
            if key in MONTHS:
                month_words.append(MONTHS[key])
    month = None
    if len(numbers) == 2 and month_words:
        month = month_words[-1] if len(month_words) > 1 and month_words[0] not in month_words[1:] else month_words[0]
        if len(month_words) > 1:  # "mar 15 jan 2025"? a weekday word that is also a month: take the last
            month = month_words[-1]
    elif len(numbers) != 3:
        raise ValueError(f"not a date: {text!r}")
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        raise ValueError(f"not a time of day in {text!r}")
    return _DateParts(tuple(numbers), tuple(digits), month, hour, minute, second)


def _year(value: int, width: int) -> int:
    if width <= 2:
        return 2000 + value if value < 70 else 1900 + value
    return value


def _numeric_candidates(parts: _DateParts) -> set[str]:
    """Which of MDY/DMY/YMD could read a three-number date."""
    if parts.month is not None:
        return set(DATE_ORDERS)
    a, b, _c = parts.numbers
    if parts.digits[0] >= 3:
        return {"YMD"}
    out = set()
    if 1 <= a <= 12 and 1 <= b <= 31:
        out.add("MDY")
    if 1 <= b <= 12 and 1 <= a <= 31:
        out.add("DMY")
    return out


def _assemble(parts: _DateParts, order: str | None, text: str):
    import datetime as _dt

    import pandas as pd

    if parts.month is not None:
        n, w = parts.numbers, parts.digits
        if w[0] >= 3 or n[0] > 31:
            year, day = _year(n[0], w[0]), n[1]
        else:
            day, year = n[0], _year(n[1], w[1])
        month = parts.month
    else:
        a, b, c = parts.numbers
        if parts.digits[0] >= 3:
            year, month, day = _year(a, parts.digits[0]), b, c
        else:
            candidates = _numeric_candidates(parts)
            if not candidates:
                raise ValueError(f"not a date: {text!r}")
            use = order if order in candidates else ("MDY" if "MDY" in candidates else "DMY")
            if order in ("MDY", "DMY") and order not in candidates:
                raise ValueError(f"{text!r} does not fit the column's {_ORDER_WORDS[order]} order")
            month, day = (a, b) if use == "MDY" else (b, a)
            year = _year(c, parts.digits[2])
    try:
        return pd.Timestamp(_dt.datetime(year, month, day, parts.hour, parts.minute, parts.second))
    except (ValueError, OverflowError):
        raise ValueError(f"not a calendar date: {text!r}") from None


_ORDER_WORDS = {"MDY": "month-first", "DMY": "day-first", "YMD": "year-first"}


# "not available" as localised MS Project writes it in an empty date cell (spaces removed,
# case-folded): German NV (nicht verfügbar, MPXJ LocaleData_de), French ND (non disponible) and NC
# (MPXJ LocaleData_fr), Italian/Portuguese ND, plus the dotted forms. Dates only: "ND" may be text.
DATE_EMPTY = {"nv", "n.v.", "n.v", "nd", "n.d.", "n.d", "nc", "n.c.", "n.c"}


def is_empty_date(cell) -> bool:
    """An empty date cell: :func:`is_empty` or a localised "not available" (``NV``, ``ND``, ``n. v.``)."""
    return is_empty(cell) or (isinstance(cell, str) and re.sub(r"\s+", "", cell).casefold() in DATE_EMPTY)


DATE_WINDOW_ENV = "PMO_DATE_WINDOW"


def date_window(today=None):
    """(earliest, latest) plausible date as naive Timestamps: the environment variable
    ``PMO_DATE_WINDOW`` as ``FROM..TO`` (each a year ``1990`` or a date ``1990-01-01``; either may be
    left empty for the default), else 1 January 1990 to today + 10 years. A date outside it in a
    file is a typo or a placeholder (``0001-01-01``, ``9999-12-31``), never a real plan date."""
    import datetime as _dt

    import pandas as pd

    today = pd.Timestamp(today or _dt.date.today()).normalize()
    lo, hi = pd.Timestamp(1990, 1, 1), today + pd.DateOffset(years=10) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    spec = os.environ.get(DATE_WINDOW_ENV, "").strip()
    if spec:
        start, _, end = spec.partition("..")
        try:
            if start.strip():
                lo = pd.Timestamp(int(start), 1, 1) if start.strip().isdigit() else pd.Timestamp(start.strip())
            if end.strip():
                hi = (
                    pd.Timestamp(int(end), 12, 31, 23, 59, 59)
                    if end.strip().isdigit()
                    else pd.Timestamp(end.strip()) + pd.Timedelta(hours=23, minutes=59, seconds=59)
                )
        except (ValueError, TypeError):
            pass  # an unreadable setting keeps the default window
    return lo, hi


def check_date_window(value, text, window=None):
    """``value`` (a Timestamp) when inside :func:`date_window`, else ``ValueError`` naming the window."""
    lo, hi = window or date_window()
    if value is not None and not lo <= value <= hi:
        raise ValueError(
            f"{text!r} is outside the plausible dates {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (a typo or a placeholder?); "
            f"set {DATE_WINDOW_ENV}=FROM..TO to widen the window"
        )
    return value


def parse_date(cell, order: str | None = None):
    """One date cell -> naive ``pandas.Timestamp`` (``None`` when empty, incl. ``NA``).

    Grammar: ISO ``2025-01-15[T08:00[:00]]``; numeric ``1/15/24``, ``15.01.2024``,
    ``2025/01/15`` in the given ``order`` (``MDY`` or ``DMY``; without one an ambiguous date
    is read month-first, as MS Project's en-US default); month words in several languages
    (``January 15, 2026``, ``01 September 2025``, ``15-Jan-26``, ``15. Januar 2025``, ``15 de
    enero de 2025``); an optional weekday prefix (``Mon 1/15/24``) and an optional time with
    ``AM``/``PM`` or locale markers (``SA``/``CH`` in Vietnamese, ``午前``/``午後``, ``vorm.``/``nachm.``).
    Datetime objects and Excel serial numbers are accepted as they are. A date outside
    :func:`date_window` raises ``ValueError``.
    """
    value = _parse_date_any(cell, order)
    return None if value is None else check_date_window(value, cell)


def _parse_date_any(cell, order: str | None):
    import datetime as _dt

    import pandas as pd

    if isinstance(cell, pd.Timestamp):
        return None if pd.isna(cell) else cell.tz_localize(None) if cell.tzinfo else cell
    if isinstance(cell, _dt.datetime):
        return pd.Timestamp(cell.replace(tzinfo=None))
    if isinstance(cell, _dt.date):
        return pd.Timestamp(cell)
    if isinstance(cell, bool):
        raise ValueError("a yes/no value is not a date")
    if isinstance(cell, int | float):
        if cell != cell:
            return None
        if not 1 <= cell < 2958466:
            raise ValueError(f"not a date: {cell!r}")
        return pd.Timestamp("1899-12-30") + pd.to_timedelta(round(float(cell) * 86400), unit="s")
    if is_empty_date(cell):
        return None
    return _parse_date_text(str(cell).strip(), order)


def _parse_date_text(text: str, order: str | None):
    import pandas as pd

    iso = _ISO_DATE.match(text)
    if iso:
        y, m, d, hh, mm, ss = iso.groups()
        try:
            return pd.Timestamp(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            raise ValueError(f"not a calendar date: {text!r}") from None
    return _assemble(_split_date(text), order, text)


_FAST_FORMATS = ("%B %d, %Y %I:%M %p", "%B %d, %Y", "ISO8601")
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


# Weekday names and abbreviations (case-folded, no trailing dot) -> weekday (Monday = 0) in
# English, German, French, Spanish, Italian, Portuguese and Dutch. Two-letter forms that mean
# different days in two languages (Spanish "ma"/"do" vs Dutch/German) are left out.
_WEEKDAY_NAMES = {
    0: "mon monday mo montag lun lundi lunes lunedì lunedi seg segunda maandag",
    1: "tue tues tuesday di dienstag mar mardi martes martedì martedi ter terça terca dinsdag",
    2: "wed wednesday mi mittwoch mer mercredi mié mie miércoles miercoles mercoledì mercoledi qua quarta wo woensdag",
    3: "thu thur thurs thursday do donnerstag jeu jeudi jue jueves gio giovedì giovedi qui quinta donderdag",
    4: "fri friday fr freitag ven vendredi vie viernes venerdì venerdi sex sexta vr vrijdag",
    5: "sat saturday sa samstag sam samedi sáb sab sábado sabado sabato za zaterdag",
    6: "sun sunday so sonntag dim dimanche dom domingo domenica zo zondag",
}
WEEKDAYS: dict[str, int] = {name: day for day, names in _WEEKDAY_NAMES.items() for name in names.split()}
_LEADING_WORD = re.compile(r"^\s*([^\W\d_]+)\.?,?\s")


def _weekday_orders(text: str, parts: _DateParts) -> set[str] | None:
    """The numeric orders (MDY/DMY) under which a leading weekday name matches the date, or
    ``None`` when the text starts with no weekday name."""
    word = _LEADING_WORD.match(text)
    if not word or word.group(1).casefold() not in WEEKDAYS:
        return None
    import datetime as _dt

    weekday = WEEKDAYS[word.group(1).casefold()]
    a, b, c = parts.numbers
    year = _year(c, parts.digits[2])
    out = set()
    for order, (month, day) in (("MDY", (a, b)), ("DMY", (b, a))):
        try:
            if _dt.date(year, month, day).weekday() == weekday:
                out.add(order)
        except ValueError:
            pass
    return out


@dataclass
class DateColumn:
    """The result of reading one column of dates: ``array`` (``datetime64[us]``, NaT for empty
    or unreadable cells) aligned with the input, ``errors`` position -> reason, and the ``order``
    used for numeric dates (``MDY``/``DMY``/``YMD``/``None`` when no numeric date needed one)
    with ``order_reason`` saying how it was decided. ``values`` gives Timestamps/``None``."""

    array: object
    errors: dict[int, str]
    order: str | None
    order_reason: str

    @property
    def values(self) -> list:
        import pandas as pd

        return [None if v is None else pd.Timestamp(v) for v in self.array.tolist()]


def decide_date_order(cells, fallback: str | None = None, fallback_reason: str | None = None) -> tuple[str | None, str]:
    """Decide MDY vs DMY for a whole column from the cells that can only be read one way.

    Returns ``(order, reason)``. Weekday names decide first: ``Thu 01/02/24`` is 1 February 2024
    (a Thursday), not 2 January (a Tuesday); the order under which the weekdays match wins. Else a
    day above 12 in the first position proves day-first, in the second position month-first; when
    both occur the majority wins. When no cell decides, ``fallback`` (e.g. the order another column
    of the same file proved; ``fallback_reason`` says why) is used, else month-first, and the reason
    then contains "ambiguous".
    """
    votes = {"MDY": 0, "DMY": 0}
    weekday_votes = {"MDY": 0, "DMY": 0}
    numeric = 0
    seen: set[str] = set()
    for cell in cells:
        if not isinstance(cell, str) or cell in seen or is_empty(cell):
            continue
        seen.add(cell)
        text = cell.strip()
        if not _NUMERIC_DATE.search(text) or _ISO_DATE.match(text):
            continue
        try:
            parts = _split_date(text)
        except ValueError:
            continue
        if parts.month is not None:
            continue
        numeric += 1
        candidates = _numeric_candidates(parts)
        if parts.digits[0] < 3:
            matching = _weekday_orders(text, parts)
            if matching is not None and len(matching) == 1:
                weekday_votes[next(iter(matching))] += 1
        if candidates == {"MDY"}:
            votes["MDY"] += 1
        elif candidates == {"DMY"}:
            votes["DMY"] += 1
        elif candidates == {"YMD"}:
            votes.setdefault("YMD", 0)
            votes["YMD"] += 1
    if not numeric:
        return None, "no numeric dates"
    if weekday_votes["MDY"] != weekday_votes["DMY"]:
        order = "DMY" if weekday_votes["DMY"] > weekday_votes["MDY"] else "MDY"
        other = "MDY" if order == "DMY" else "DMY"
        reason = (
            f"{_ORDER_WORDS[order]}: the weekday names of {weekday_votes[order]} distinct value(s) match "
            f"the date only when read {_ORDER_WORDS[order]}"
        )
        if weekday_votes[other]:
            reason += f" ({weekday_votes[other]} match only {_ORDER_WORDS[other]})"
        return order, reason
    if votes["MDY"] or votes["DMY"]:
        order = "DMY" if votes["DMY"] > votes["MDY"] else "MDY"
        other = "MDY" if order == "DMY" else "DMY"
        reason = f"{_ORDER_WORDS[order]}: {votes[order]} distinct value(s) can only be read that way"
        if votes[other]:
            reason += f" ({votes[other]} other value(s) can only be read {_ORDER_WORDS[other]} and were rejected)"
        return order, reason
    if votes.get("YMD") == numeric:
        return "YMD", "year-first: every numeric date starts with a four-digit year"
    if fallback in ("MDY", "DMY"):
        why = fallback_reason or "used the order another column of the file proved"
        return fallback, f"{_ORDER_WORDS[fallback]}: every value is ambiguous; {why}"
    return (
        "MDY",
        "month-first: every value is ambiguous (day and month both 12 or less); MS Project's en-US default was used",
    )


def parse_date_column(
    cells, order: str | None = None, fallback: str | None = None, fallback_reason: str | None = None
) -> DateColumn:
    """Parse a column of date cells with one order for the whole column (see
    :func:`decide_date_order`). Each distinct value is parsed once (vectorised by factorising)."""
    import numpy as np
    import pandas as pd

    series = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype="object")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    distinct = list(uniques)
    if order is None:
        order, reason = decide_date_order(distinct, fallback, fallback_reason)
    else:
        reason = f"{_ORDER_WORDS.get(order, order)}: given"
    parsed = np.full(len(distinct) + 1, np.datetime64("NaT"), dtype="datetime64[us]")  # last slot: empty
    todo = np.ones(len(distinct), dtype=bool)
    if len(distinct) > 50 and all(type(u) is str for u in distinct):
        # fast path for the long English form MS Project writes ("January 15, 2026 8:00 AM") and
        # ISO: pandas' C strptime on the distinct texts; the rest goes through the grammar below
        texts = pd.Series(distinct, dtype="object").str.strip()
        for fmt in _FAST_FORMATS:
            got = pd.to_datetime(texts[todo], format=fmt, errors="coerce").to_numpy("datetime64[us]")
            hit = ~np.isnat(got)
            idx = np.flatnonzero(todo)[hit]
            parsed[idx] = got[hit]
            todo[idx] = False
            if not todo.any():
                break
    bad: dict[int, str] = {}
    for k in np.flatnonzero(todo):
        cell = distinct[k]
        try:
            value = parse_date(cell, order)
        except ValueError as err:
            bad[k] = str(err)
            continue
        if value is not None:
            parsed[k] = np.datetime64(value.to_datetime64(), "us")
    lo, hi = date_window()
    outside = ~np.isnat(parsed[:-1]) & (
        (parsed[:-1] < np.datetime64(lo, "us")) | (parsed[:-1] > np.datetime64(hi, "us"))
    )
    for k in np.flatnonzero(outside):
        try:
            check_date_window(pd.Timestamp(parsed[k]), distinct[k], (lo, hi))
        except ValueError as err:
            bad[int(k)] = str(err)
        parsed[k] = np.datetime64("NaT")
    array = parsed[np.where(codes < 0, len(distinct), codes)]
    errors: dict[int, str] = {}
    if bad:
        for i in np.flatnonzero(np.isin(codes, list(bad))):
            errors[int(i)] = bad[int(codes[i])]
    return DateColumn(array, errors, order, reason)
