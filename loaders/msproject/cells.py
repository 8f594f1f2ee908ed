"""Text cells of tabular exports -> typed columns (numbers, money, percentages, dates, durations),
vectorised in Arrow, with a problem for each cell that cannot be read."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.base import Problem
from loaders.values import (
    EMPTY,
    MAX_MAGNITUDE,
    NO,
    YES,
    is_empty,
    parse_date_column,
    parse_duration_value,
    parse_number,
)

EMPTY_TEXT = sorted(EMPTY)


class Cells:
    """Converts raw columns of a table to typed columns, collecting problems."""

    def __init__(self, rows: pd.Series, problems: list[Problem], calendar: dict | None = None):
        self.rows = rows  # row numbers aligned with the frame
        self.problems = problems
        self.calendar = calendar or {}
        self.date_orders: dict[str, str] = {}
        self.date_reasons: dict[str, str] = {}

    def _warn(self, i: int, column: str, text: str, message: str) -> None:
        """A warning about the cell at position ``i`` of ``column``, whose text is ``text``."""
        self.problems.append(Problem(message, "warning", int(self.rows.iloc[i]), column, text))

    def _bad(self, mask: np.ndarray, raw: pd.Series, column: str, message: str) -> None:
        for i in np.flatnonzero(mask):
            self._warn(i, column, str(raw.iloc[i]), message)

    @staticmethod
    def empty_mask(raw: pd.Series) -> np.ndarray:
        try:  # all text: Arrow
            arr = pc.utf8_lower(pc.utf8_trim_whitespace(pa.array(raw.to_numpy(object), type=pa.string())))
            flags = pc.fill_null(pc.is_in(arr, value_set=pa.array(EMPTY_TEXT)), True)
            return np.array(flags.to_numpy(zero_copy_only=False), dtype=bool)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
            flags = np.array([is_empty(u) for u in uniques] + [True], dtype=bool)
            return flags[np.where(codes < 0, len(uniques), codes)]

    def number(self, raw: pd.Series, column: str, *, kind: str = "number") -> pd.Series:
        """Money and plain numbers: each distinct text read once, vectorised (one decimal mark
        per column), with a per-cell grammar fallback and a problem for each unreadable cell."""
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            return pd.to_numeric(raw, errors="coerce").astype("float64")
        head = raw.iloc[:1000]
        if len(raw) > 2000 and head.nunique() > 0.5 * len(head):  # mostly distinct (money): no factorising
            codes, distinct = np.arange(len(raw)), raw.astype("object").reset_index(drop=True)
        else:
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
            distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="object")
        values, errors = read_numbers(distinct)
        taken = np.append(values, np.nan)[np.where(codes < 0, len(values), codes)]
        if errors:
            for i in np.flatnonzero(np.isin(codes, list(errors))):
                self._warn(i, column, str(raw.iloc[i]), f"not a {kind}: {errors[int(codes[i])]}; left empty.")
        return pd.Series(taken, index=raw.index, dtype="float64")

    def percent(self, raw: pd.Series, column: str, allow_over_100: bool = False) -> pd.Series:
        values = self.number(raw, column, kind="percentage")
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        signs = np.array([isinstance(u, str) and "%" in u for u in uniques] + [False], dtype=bool)
        has_sign = signs[np.where(codes < 0, len(uniques), codes)]
        valid = values.notna().to_numpy()
        if valid.any() and not has_sign[valid].any() and (values[valid] <= 1).all() and (values[valid] % 1 != 0).any():
            # a fraction written without a percent sign (Excel-formatted or MS Project's raw
            # "0.56999999999999995"): the whole column is fractions
            values = values * 100
            self.problems.append(
                Problem(
                    "every value is a fraction of 1 without a % sign; read as fractions (0.45 = 45%).",
                    "info",
                    None,
                    column,
                )
            )
        bad = (values < 0).to_numpy(bool, copy=True)
        if not allow_over_100:
            bad |= (values > 100).to_numpy(bool, copy=True)
        if bad.any():
            self._bad(bad, raw, column, "a percentage must be between 0 and 100; left empty.")
            values[bad] = np.nan
        return values

    def integer(self, raw: pd.Series, column: str) -> pd.Series:
        values = self.number(raw, column)
        frac = (values % 1 != 0).to_numpy() & values.notna().to_numpy()
        if frac.any():
            self._bad(frac, raw, column, "not a whole number; left empty.")
            values[frac] = np.nan
        return values.round().astype("Int64")

    def boolean(self, raw: pd.Series, column: str) -> pd.Series:
        if pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("boolean")
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        keys = [str(u).strip().casefold() for u in uniques]
        at = np.where(codes < 0, len(keys), codes)
        empty = np.array([is_empty(u) for u in uniques] + [True], dtype=bool)[at]
        yes = np.array([k in YES for k in keys] + [False], dtype=bool)[at]
        no = np.array([k in NO for k in keys] + [False], dtype=bool)[at]
        bad = ~empty & ~yes & ~no
        self._bad(bad, raw, column, "not yes or no; left empty.")
        out = pd.Series(pd.array([None] * len(raw), dtype="boolean"), index=raw.index)
        out[yes] = True
        out[no] = False
        return out

    def date(
        self, raw: pd.Series, column: str, fallback: str | None = None, fallback_reason: str | None = None
    ) -> pd.Series:
        result = parse_date_column(raw, fallback=fallback, fallback_reason=fallback_reason)
        if result.order:
            self.date_orders[column] = result.order
            self.date_reasons[column] = result.order_reason
        for i, reason in result.errors.items():
            self._warn(i, column, str(raw.iloc[i]), f"the date could not be read ({reason}); left empty.")
        return pd.Series(result.array, index=raw.index)

    def duration(self, raw: pd.Series, column: str, estimated: list | None = None) -> pd.Series:
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("float64") * self.calendar.get("minutes_per_day", 480) / 60
        cache: dict = {}
        out = np.full(len(raw), np.nan)
        for i, cell in enumerate(raw.tolist()):
            key = cell if isinstance(cell, str) else repr(cell)
            if key in cache:
                value = cache[key]
            else:
                try:
                    value = parse_duration_value(cell, **self.calendar)
                except ValueError as err:
                    value = err
                cache[key] = value
            if isinstance(value, ValueError):
                self._warn(i, column, str(cell), f"the duration could not be read ({value}); left empty.")
            elif value is not None:
                out[i] = value.hours
                if estimated is not None and value.estimated:
                    estimated.append(i)
        return pd.Series(out, index=raw.index)


ARROW_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def read_numbers(distinct: pd.Series) -> tuple[np.ndarray, dict[int, str]]:
    """Cell values (object) -> (floats, position -> reason for the unreadable ones).

    Vectorised in Arrow: one decimal mark for the column (see :func:`decimal_mark`), currency
    symbols, codes, units and grouping stripped, ``(1,234)`` negatives; cells the fast path cannot
    vouch for (``/``, ``:``, digits split by spaces, no digits at all) go through
    :func:`loaders.values.parse_number` one by one."""
    if distinct.empty:
        return np.array([], dtype="float64"), {}
    try:  # plain numbers ("12", "0.5", 3.0) everywhere: pandas' C parser
        return _out_of_range(distinct, pd.to_numeric(distinct).to_numpy("float64", copy=True), {})
    except (ValueError, TypeError):
        pass
    arr = pc.utf8_trim_whitespace(pa.array(distinct.astype(ARROW_STR).array))
    empty = pc.fill_null(pc.is_in(pc.utf8_lower(arr), value_set=pa.array(EMPTY_TEXT)), True)
    empty = np.array(pc.or_(empty, pc.is_null(arr)).to_numpy(zero_copy_only=False), dtype=bool)
    decimal = decimal_mark(pd.Series(arr.to_pandas(types_mapper={pa.string(): ARROW_STR}.get))[~empty])
    cleaned = pc.replace_substring_regex(arr, r"[^0-9.,()\-]", "")
    if decimal == ",":
        cleaned = pc.replace_substring(pc.replace_substring(cleaned, ".", ""), ",", ".")
    elif decimal == ".":
        cleaned = pc.replace_substring(cleaned, ",", "")
    negative = np.array(
        pc.fill_null(pc.match_substring_regex(cleaned, r"^\(.*\)$"), False).to_numpy(zero_copy_only=False), dtype=bool
    )
    cleaned = pc.utf8_trim(cleaned, "()")
    cleaned = pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)
    try:
        values = np.array(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = pd.to_numeric(pd.Series(cleaned.to_pylist(), dtype="object"), errors="coerce").to_numpy(
            "float64", copy=True
        )
    values[negative] = -values[negative]
    suspicious = np.array(  # "1e400": the exponent must not be stripped to "1400"
        pc.fill_null(pc.match_substring_regex(arr, r"[/:]|\d\s+\d|\d[eE][+-]?\d"), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    if decimal is None:
        suspicious |= np.array(
            pc.fill_null(pc.match_substring_regex(cleaned, r"[.,]"), False).to_numpy(zero_copy_only=False), dtype=bool
        )
    values[empty] = np.nan
    errors: dict[int, str] = {}
    for i in np.flatnonzero(~empty & (np.isnan(values) | suspicious)):
        try:
            value = parse_number(distinct.iloc[i], decimal=decimal)
        except ValueError as err:
            errors[int(i)] = str(err)
            value = None
        values[i] = np.nan if value is None else value
    return _out_of_range(distinct, values, errors)


def _out_of_range(distinct: pd.Series, values: np.ndarray, errors: dict[int, str]):
    """Non-finite values and magnitudes over :data:`loaders.values.MAX_MAGNITUDE` -> errors (left empty)."""
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(values) & ~(np.abs(values) <= MAX_MAGNITUDE))
    for i in bad:
        errors[int(i)] = f"{distinct.iloc[i]!r} is not a finite number of at most 10^15 in size"
        values[i] = np.nan
    return values, errors


def decimal_mark(text: pd.Series) -> str | None:
    """The decimal mark a column of numbers uses, from the values that show it unambiguously."""
    if text.empty:
        return None
    sample = text if len(text) <= 5000 else text.sample(5000, random_state=0)
    stripped = sample.str.replace(r"[^\d.,]", "", regex=True)
    dot_last = stripped.str.contains(r",\d*\.\d*$|^\d*\.\d{1,2}$|^\d*\.\d{4,}$|\.\d*\.", regex=True)
    comma_last = stripped.str.contains(r"\.\d*,\d*$|^\d*,\d{1,2}$|^\d*,\d{4,}$|,\d*,", regex=True)
    # a repeated mark is grouping: "1,000,000" says the decimal is "."
    dots = int(dot_last.sum())
    commas = int(comma_last.sum())
    if dots and not commas:
        return "."
    if commas and not dots:
        return ","
    if dots or commas:
        return "." if dots >= commas else ","
    return None


CURRENCY = re.compile(r"[$€£¥₫₹₽₩₺₪฿]|\b(?:USD|EUR|GBP|VND|CHF|JPY|AUD|CAD|zł|kr|R\$)\b")


def currency_symbol(rows: list[list]) -> str | None:
    for row in rows[1:200]:
        for cell in row:
            if isinstance(cell, str) and any(ch.isdigit() for ch in cell):
                m = CURRENCY.search(cell)
                if m:
                    return m.group(0)
    return None
