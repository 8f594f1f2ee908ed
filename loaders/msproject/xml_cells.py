"""MSPDI text columns -> typed columns (numbers in hundredths, ISO-8601 durations, dates, flags)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.base import Problem
from loaders.values import DATE_WINDOW_ENV, MAX_DURATION_HOURS, MAX_MAGNITUDE, date_window, parse_iso_duration


def column_or_empty(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


class XmlCells:
    """Vectorised conversion of MSPDI text columns with a problem per unreadable value."""

    def __init__(
        self,
        frame: pd.DataFrame,
        problems: list[Problem],
        calendar: dict,
        rows: pd.Series | None = None,
        label: str = "Task",
    ):
        self.frame = frame
        self.problems = problems
        self.calendar = calendar
        self.rows = rows
        self.label = label

    def _report(self, raw: pd.Series, bad: np.ndarray, key: str, what: str) -> None:
        for i in np.flatnonzero(bad):
            row = None if self.rows is None else int(self.rows.iloc[i])
            self.problems.append(
                Problem(f"{self.label} {key} is not {what}; left empty.", "warning", row, key, str(raw.iloc[i]))
            )

    def number(self, key: str, scale: float = 1.0) -> pd.Series:
        raw = column_or_empty(self.frame, key)
        values = fast_float(raw)
        bad = (values.isna() & raw.notna()).to_numpy(bool, copy=True)
        if bad.any():
            bad &= (raw.astype("str").str.strip() != "").to_numpy(bool)
            self._report(raw, bad, key, "a number")
        huge = (values.abs() > MAX_MAGNITUDE * scale).to_numpy(bool)  # inf ("1e400") included
        if huge.any():
            self._report(raw, huge, key, "a finite number of at most 10^15 in size")
            values = values.mask(huge)
        return values.astype("float64") / scale

    def integer(self, key: str) -> pd.Series:
        return self.number(key).round().astype("Int64")

    def flag(self, key: str) -> pd.Series:
        raw = column_or_empty(self.frame, key).astype("str").str.strip().str.lower()
        out = raw.map({"1": True, "0": False, "true": True, "false": False})
        return out.astype("boolean")

    def date(self, key: str) -> pd.Series:
        raw = column_or_empty(self.frame, key)
        values = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        bad = (values.isna() & raw.notna() & (raw.astype("str").str.strip() != "")).to_numpy(bool, copy=True)
        if bad.any():
            values = values.astype("object")
            for i in np.flatnonzero(bad):
                try:  # a hand-made file may write other date forms
                    from loaders.values import parse_date

                    values.iloc[i] = parse_date(raw.iloc[i])
                    bad[i] = False
                except ValueError:
                    pass
            values = pd.to_datetime(values, errors="coerce")
        self._report(raw, bad, key, "a date")
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        values = values.astype("datetime64[us]")
        lo, hi = date_window()
        outside = (values.notna() & ((values < lo) | (values > hi))).to_numpy(bool)
        if outside.any():
            self._report(
                raw,
                outside,
                key,
                f"a date from {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (a typo or a placeholder? "
                f"{DATE_WINDOW_ENV}=FROM..TO widens the window)",
            )
            values = values.mask(outside)
        return values

    def duration(self, key: str) -> pd.Series:
        raw = column_or_empty(self.frame, key)
        return iso_hours(raw, self, key)


def fast_float(raw: pd.Series) -> pd.Series:
    """Text numbers -> float64 through one Arrow cast; pandas' parser (NaN for junk) otherwise."""
    try:
        arr = pc.utf8_trim_whitespace(pa.array(raw.to_numpy(object), type=pa.string()))
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw, errors="coerce").astype("float64")


def iso_hours(raw: pd.Series, cells: XmlCells | None, key: str) -> pd.Series:
    """ISO-8601 ``PT40H0M0S`` text -> hours, vectorised (pyarrow RE2); other forms per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if raw.empty:
        return pd.Series([], index=raw.index, dtype="float64")
    arr = pa.array(raw.where(raw.notna(), None).astype("object").tolist(), type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    parts = pc.extract_regex(
        arr, r"^(?P<neg>-?)PT(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?$"
    )

    def field(name):
        values = pc.struct_field(parts, name)
        values = pc.if_else(pc.equal(values, ""), None, values)
        return pd.Series(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), index=raw.index).fillna(0.0)

    matched = pd.Series(pc.is_valid(parts).to_numpy(zero_copy_only=False), index=raw.index)
    hours = field("h") + field("m") / 60 + field("s") / 3600
    negative = pd.Series(
        pc.fill_null(pc.equal(pc.struct_field(parts, "neg"), "-"), False).to_numpy(zero_copy_only=False),
        index=raw.index,
    )
    hours = hours.where(~negative, -hours).where(matched, np.nan).astype("float64")
    huge = (hours.abs() > MAX_DURATION_HOURS).to_numpy(bool)  # over 100 years: a typo or a hostile file
    if huge.any():
        if cells is not None:
            cells._report(raw, huge, key, f"a duration of at most {MAX_DURATION_HOURS // 8760} years")
        hours = hours.mask(huge)
    present = pd.Series(
        pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False), index=raw.index
    )
    for i in np.flatnonzero((present & ~matched).to_numpy(bool, copy=True)):
        try:
            hours.iloc[i] = parse_iso_duration(raw.iloc[i])
        except ValueError:
            try:
                hours.iloc[i] = float(raw.iloc[i]) / 600  # a bare number: tenths of a minute, as LinkLag
            except ValueError:
                if cells is not None:
                    cells._report(raw.iloc[i : i + 1], np.array([True]), key, "an ISO-8601 duration")
    return hours
