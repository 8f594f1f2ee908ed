"""Cell grammars shared by the loaders: numbers, headers, durations, dates."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.values import (
    MAX_DURATION_HOURS,
    decide_date_order,
    normalize_header,
    parse_date,
    parse_date_column,
    parse_duration,
    parse_duration_value,
    parse_iso_duration,
    parse_number,
)

TS = pd.Timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,100.00", 1100.0),
        ("$1.100,00/h", 1100.0),
        ("0,00 ₫/h", 0.0),
        ("$42,00/h", 42.0),
        ("1.100,00 €", 1100.0),
        ("EUR 12", 12.0),
        ("(1,234.50)", -1234.5),
        ("1 234,5", 1234.5),
        ("CHF 1'234.50", 1234.5),
        ("-$5.00", -5.0),
        ("0", 0.0),
        ("", None),
        ("NA", None),
    ],
)
def test_parse_number_money(text, expected):
    assert parse_number(text) == expected


def test_parse_number_rejects_text():
    with pytest.raises(ValueError):
        parse_number("lots")


def test_normalize_header():
    assert normalize_header("Start_Date") == "start date" == normalize_header(" start  date ")


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("1 day", 8),
        ("3 days", 24),
        ("0 days", 0),
        ("2 wks", 80),
        ("2,8 wks", 112),
        ("15,5 days", 124),
        ("23 days?", 184),
        ("24h", 24),
        ("1 hr", 1),
        ("30 mins", 0.5),
        ("90 m", 1.5),
        ("1 mo", 160),
        ("2 mons", 320),
        ("1 w", 40),
        ("5 edays", 120),
        ("1 ed", 24),
        ("1 ew", 168),
        ("1 emo", 720),
        ("3 eh", 3),
        ("1.5d", 12),
        ("PT40H0M0S", 40),
        ("PT81H8M24S", 81.14),
        ("3 Tage", 24),
        ("2 jours", 16),
        ("1 semana", 40),
    ],
)
def test_parse_duration_units(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


def test_duration_flags_and_calendar():
    d = parse_duration_value("23 days?")
    assert d.estimated and not d.elapsed and d.unit == "d"
    assert parse_duration_value("5 edays").elapsed
    assert parse_duration("1 day", minutes_per_day=450) == 7.5
    assert parse_duration("1 wk", minutes_per_week=2250) == 37.5
    assert parse_duration("1 mo", minutes_per_day=450, days_per_month=22) == 7.5 * 22
    assert parse_duration("NA") is None
    for bad in ("3 parsecs", "days", "x", "5e"):
        with pytest.raises(ValueError):
            parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("September 1, 2025 8:00 AM", TS("2025-09-01 08:00")),
        ("January 15, 2026 12:00 PM", TS("2026-01-15 12:00")),
        ("January 15, 2026 12:30 AM", TS("2026-01-15 00:30")),
        ("01 September 2025 8:00 SA", TS("2025-09-01 08:00")),
        ("27 October 2025 5:00 CH", TS("2025-10-27 17:00")),
        ("Mon 1/15/24", TS("2024-01-15")),
        ("Thu 3/4/25 5:00 PM", TS("2025-03-04 17:00")),
        ("2025-01-15T08:00:00", TS("2025-01-15 08:00")),
        ("2025-01-15", TS("2025-01-15")),
        ("15-Jan-26", TS("2026-01-15")),
        ("15. Januar 2025 08:00", TS("2025-01-15 08:00")),
        ("15 de enero de 2025", TS("2025-01-15")),
        ("lun. 15 janv. 2024 14:00", TS("2024-01-15 14:00")),
        ("15 settembre 2025", TS("2025-09-15")),
        ("2025/01/15 下午 5:00", TS("2025-01-15 17:00")),
        ("15.01.2024 14:30", TS("2024-01-15 14:30")),
        ("NA", None),
        ("", None),
    ],
)
def test_parse_date_grammar(text, expected):
    assert parse_date(text) == expected


def test_parse_date_orders_and_errors():
    assert parse_date("03/04/2025", "DMY") == TS("2025-04-03")
    assert parse_date("03/04/2025", "MDY") == TS("2025-03-04")
    assert parse_date(45000.5) == TS("2023-03-15 12:00")
    with pytest.raises(ValueError):
        parse_date("13/13/2025")
    with pytest.raises(ValueError):
        parse_date("February 30, 2025")
    with pytest.raises(ValueError):
        parse_date("13/04/2025", "MDY")
    with pytest.raises(ValueError):
        parse_date("someday")
    with pytest.raises(ValueError):
        parse_date("13:00 PM 1/1/2025")


def test_column_order_decided_from_unambiguous_values():
    assert decide_date_order(["03/04/2025", "13/04/2025"])[0] == "DMY"
    assert decide_date_order(["03/04/2025", "04/13/2025"])[0] == "MDY"
    order, reason = decide_date_order(["03/04/2025", "05/06/2025"])
    assert order == "MDY" and "ambiguous" in reason
    assert decide_date_order(["03/04/2025"], fallback="DMY")[0] == "DMY"
    assert decide_date_order(["January 5, 2025"])[0] is None
    col = parse_date_column(["03/04/2025", "13/04/2025", "14/04/2025", "04/13/2025", "NA"])
    assert col.order == "DMY"
    assert col.values[:2] == [TS("2025-04-03"), TS("2025-04-13")]
    assert list(col.errors) == [3] and col.values[4] is None


@pytest.mark.parametrize("text", ["NV", "nv", "n. v.", "N.V.", "ND", "nd", "n.d.", "NC", " ND "])
def test_localised_not_available_dates_are_empty(text):
    assert parse_date(text) is None
    col = parse_date_column(["lun 15/01/24", text, "mar 16/01/24", text])
    assert col.errors == {}
    assert col.values == [TS("2024-01-15"), None, TS("2024-01-16"), None]


def test_weekday_names_decide_the_order_of_ambiguous_dates():
    order, reason = decide_date_order(["Thu 01/02/24", "Mon 04/03/24", "Mon 08/01/24"])
    assert order == "DMY" and "weekday" in reason and "ambiguous" not in reason
    assert decide_date_order(["Thu 2/1/24", "Mon 3/4/24", "Mon 1/8/24"])[0] == "MDY"
    assert decide_date_order(["lun 08/01/24", "jeu 01/02/24"])[0] == "DMY"
    assert decide_date_order(["Mo 08.01.2024 08:00", "Di 09.01.2024"])[0] == "DMY"
    # the weekday outweighs the en-US default and a fallback
    assert decide_date_order(["Thu 01/02/24"], fallback="MDY")[0] == "DMY"
    col = parse_date_column(["Thu 01/02/24", "Mon 04/03/24"])
    assert col.values == [TS("2024-02-01"), TS("2024-03-04")]


MONEY_SYMBOLS = ["$", "€", "£", "₫", "EUR ", " EUR", " zł", "CHF ", ""]


def _format_money(value: float, decimal: str, group: str, symbol: str, prefix: bool) -> str:
    whole, frac = f"{abs(value):.2f}".split(".")
    grouped = ""
    while len(whole) > 3:
        grouped = group + whole[-3:] + grouped
        whole = whole[:-3]
    body = whole + grouped + decimal + frac
    text = f"{symbol}{body}" if prefix else f"{body}{symbol}"
    return ("-" + text) if value < 0 else text


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([(".", ","), (",", "."), (",", " "), (".", "'"), (",", "\u00a0")]),
    st.sampled_from(MONEY_SYMBOLS),
    st.booleans(),
)
def test_money_round_trips_in_every_locale(value, marks, symbol, prefix):
    decimal, group = marks
    text = _format_money(float(value), decimal, group, symbol, prefix)
    assert parse_number(text, decimal=decimal) == pytest.approx(float(value), abs=1e-6)
    if len(text.rsplit(decimal, 1)[-1].strip(symbol.strip() + " ")) == 2:  # two decimals: inferable without a hint
        assert parse_number(text) == pytest.approx(float(value), abs=1e-6)


UNITS = {"m": 1 / 60, "mins": 1 / 60, "h": 1, "hrs": 1, "d": 8, "days": 8, "w": 40, "wks": 40, "mo": 160, "mons": 160}
ELAPSED = {"ed": 24, "edays": 24, "ew": 168, "ewks": 168, "emo": 720, "eh": 1, "em": 1 / 60}


@given(
    st.decimals(min_value=0, max_value=10000, places=1, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(UNITS | ELAPSED)),
    st.sampled_from([".", ","]),
    st.sampled_from(["", " "]),
    st.booleans(),
)
def test_duration_round_trips(value, unit, decimal, space, estimated):
    number = f"{value:.1f}".replace(".", decimal)
    text = f"{number}{space}{unit}{'?' if estimated else ''}"
    hours = float(value) * (UNITS | ELAPSED)[unit]
    if hours > MAX_DURATION_HOURS:  # over 100 years: refused as out of range
        with pytest.raises(ValueError, match="out of range"):
            parse_duration_value(text)
        return
    parsed = parse_duration_value(text)
    assert parsed.hours == pytest.approx(hours)
    assert parsed.estimated is estimated
    assert parsed.elapsed is (unit in ELAPSED)


@given(st.integers(0, 10000), st.integers(0, 59), st.integers(0, 59))
def test_iso_duration_round_trips(h, m, s):
    assert parse_iso_duration(f"PT{h}H{m}M{s}S") == pytest.approx(h + m / 60 + s / 3600)


def test_column_fast_path_agrees_with_the_grammar():
    days = pd.date_range("2025-01-01 08:00", periods=120, freq="37h")
    texts = [f"{d:%B} {d.day}, {d.year} {(d.hour % 12) or 12}:{d:%M} {'AM' if d.hour < 12 else 'PM'}" for d in days]
    texts += ["2025-03-04T05:06:07", "NA", "Mon 1/15/24", "February 30, 2025 8:00 AM"]
    col = parse_date_column(texts)
    for i, text in enumerate(texts[:-1]):
        assert col.values[i] == parse_date(text), text
    assert list(col.errors) == [len(texts) - 1]
