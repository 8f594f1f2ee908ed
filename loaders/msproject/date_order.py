"""Deciding month-first or day-first for numeric dates that do not show it themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.msproject.cells import Cells, currency_symbol
from loaders.values import (
    parse_date_column,
)

ORDER_WORDS = {"MDY": "month-first", "DMY": "day-first"}


_DAY_FIRST_MONEY = {"£", "€", "GBP", "EUR"}


def guess_date_order(
    frame: pd.DataFrame, mapped: dict[str, int], rows: list[list]
) -> tuple[str | None, str | None, bool]:
    """When no date in the file proves the order: -> (order, reason, weak).

    Durations first: the order under which Finish − Start (working days, Mon–Fri) agrees with the
    Duration column in more rows wins (strong). Else the money's currency: £/€ make day-first more
    likely than $ (weak, reported as a warning). Else ``(None, None, True)``: month-first."""
    by_duration = _order_from_durations(frame, mapped)
    if by_duration:
        order, agree = by_duration
        return order, f"Finish − Start matches the Duration column in {agree} row(s) only when read that way", False
    currency = currency_symbol(rows)
    if currency in _DAY_FIRST_MONEY:
        return "DMY", f"assumed from the {currency} currency, where day-first dates are usual", True
    if currency in ("$", "USD"):  # the en-US default and the money agree: reported as info
        return "MDY", f"MS Project's en-US default, consistent with the {currency} currency", False
    return None, None, True


def _order_from_durations(frame: pd.DataFrame, mapped: dict[str, int]) -> tuple[str, int] | None:
    if not {"start", "finish", "duration_hours"} <= mapped.keys() or frame.empty:
        return None
    head = frame.iloc[:500].reset_index(drop=True)
    hours = Cells(pd.Series(np.arange(len(head))), []).duration(head[mapped["duration_hours"]], "duration")
    days = hours.to_numpy("float64") / 8
    errors = {}
    for order in ("MDY", "DMY"):
        start = parse_date_column(head[mapped["start"]], order=order).array.astype("datetime64[D]")
        finish = parse_date_column(head[mapped["finish"]], order=order).array.astype("datetime64[D]")
        err = np.full(len(head), np.inf)
        ok = ~np.isnat(start) & ~np.isnat(finish) & ~np.isnan(days)
        ok[ok] &= finish[ok] >= start[ok]
        if ok.any():
            worked = np.busday_count(start[ok], finish[ok] + np.timedelta64(1, "D"))
            err[ok] = np.abs(worked - days[ok])
        errors[order] = err
    dmy = int((errors["DMY"] + 0.5 < errors["MDY"]).sum())
    mdy = int((errors["MDY"] + 0.5 < errors["DMY"]).sum())
    if dmy == mdy:
        return None
    return ("DMY", dmy) if dmy > mdy else ("MDY", mdy)


def file_date_order(cells_by_column: dict[str, str]) -> str | None:
    proven = [o for o in cells_by_column.values() if o in ("MDY", "DMY")]
    return max(set(proven), key=proven.count) if proven else None
