"""A tabular export's header row mapped to canonical columns, its body as raw frames, and the
conversion of each mapped column through :class:`loaders.msproject.cells.Cells`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem
from loaders.msproject.aliases import BASELINE_FIELD, BASELINE_N, TASK_ALIASES
from loaders.msproject.cells import Cells
from loaders.msproject.fields import (
    ACCRUALS,
    BOOL_FIELDS,
    DATE_FIELDS,
    DURATION_FIELDS,
    EV_METHODS,
    INT_FIELDS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
)
from loaders.values import (
    normalize_header,
)


def header_index(rows: list[list]) -> int:
    for i, row in enumerate(rows[:50]):
        if any(str(c).strip() for c in row):
            return i
    return 0


def map_header(
    header: list[str], aliases: dict[str, str]
) -> tuple[dict[str, int], dict[tuple[int, str], int], list[str]]:
    """-> (canonical -> column index, (baseline n, field) -> index, unmapped header names)."""
    mapped: dict[str, int] = {}
    baselines: dict[tuple[int, str], int] = {}
    unmapped = []
    for i, name in enumerate(header):
        key = normalize_header(name)
        if not key:
            continue
        canon = aliases.get(key)
        if canon is None and aliases is TASK_ALIASES:
            m = BASELINE_N.match(key)
            if m and 0 <= int(m.group(1)) <= 10:
                n, field = int(m.group(1)), BASELINE_FIELD[m.group(2)]
                if n == 0:
                    canon = {
                        "start": "baseline_start",
                        "finish": "baseline_finish",
                        "cost": "baseline_cost",
                        "duration_hours": "baseline_duration_hours",
                        "work_hours": "baseline_work_hours",
                    }.get(field)
                else:
                    baselines[(n, field)] = i
                    continue
        if canon is None:
            unmapped.append(str(name))
        elif canon not in mapped:
            mapped[canon] = i
    return mapped, baselines, unmapped


def raw_frame(
    rows: list[list], start: int, width: int, problems: list[Problem] | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Rows after the header -> frame of raw cells, blank rows dropped, and the row numbers.

    A column whose cells are all text (what MS Project writes) becomes an Arrow string column so
    the cell grammars run vectorised; a column with typed cells (a workbook re-saved by Excel)
    stays ``object`` and is read cell by cell. With ``problems``, a row with fewer cells than the
    header (its last cells left empty) or with filled cells beyond it (ignored) is warned about row
    by row, and the blank rows skipped are counted (loaded + skipped = the rows of the table)."""
    body = rows[start:]
    numbers = pd.Series(np.arange(start + 1, start + 1 + len(body)))
    if not body or not width:
        return pd.DataFrame(columns=range(width)), numbers.iloc[:0]
    if any(len(r) != width for r in body):
        if problems is not None:
            _ragged_rows(body, start, width, problems, sheet)
        body = [list(r[:width]) + [""] * (width - len(r)) for r in body]
    grid = np.empty((len(body), width), dtype=object)
    grid[:] = body
    columns = {}
    maybe_blank = np.ones(len(body), dtype=bool)
    for j in range(width):
        series = pd.Series(grid[:, j], dtype="object")
        if j < 3:
            maybe_blank &= series.isin(["", None]).to_numpy(bool)
        columns[j] = series
    # a row is blank when every cell is empty or spaces: check the rows whose first cells are empty
    blank = np.zeros(len(body), dtype=bool)
    for i in np.flatnonzero(maybe_blank):
        blank[i] = all(c is None or (isinstance(c, str) and not c.strip()) for c in body[i])
    frame = pd.DataFrame(columns)
    keep = ~blank
    if problems is not None and blank.any():
        where = f" in {sheet}" if sheet else ""
        problems.append(Problem(f"{int(blank.sum())} blank row(s){where} were skipped.", "info"))
    return frame[keep].reset_index(drop=True), numbers[keep].reset_index(drop=True)


MAX_RAGGED = 50


def _ragged_rows(body: list[list], start: int, width: int, problems: list[Problem], sheet: str | None) -> None:
    """A warning per row whose cell count differs from the header's (blank rows left out)."""
    told = 0
    for i, row in enumerate(body):
        if len(row) == width or not any(c not in ("", None) for c in row):
            continue
        extra = [c for c in row[width:] if c not in ("", None) and str(c).strip()]
        if len(row) > width and not extra:
            continue  # trailing empty cells (a trailing delimiter): nothing lost
        told += 1
        if told > MAX_RAGGED:
            continue
        where = f"{sheet}: " if sheet else ""
        if len(row) < width:
            message = (
                f"{where}the row has {len(row)} cells but the header has {width}; its last {width - len(row)} "
                "cell(s) were left empty. Check the row (a line break or a quote inside a cell?)."
            )
        else:
            message = (
                f"{where}the row has {len(row)} cells but the header has {width}; the {len(extra)} filled "
                "cell(s) after the last column were ignored. Check the row (a delimiter inside a cell?)."
            )
        problems.append(Problem(message, "warning", start + 1 + i, None, " | ".join(map(str, row))[:500]))
    if told > MAX_RAGGED:
        problems.append(
            Problem(f"{told - MAX_RAGGED} more row(s) have a cell count different from the header's.", "warning")
        )


def convert_columns(
    cells: Cells,
    frame: pd.DataFrame,
    mapped: dict[str, int],
    header: list[str],
    columns,
    *,
    date_fallback: str | None = None,
    estimated: list | None = None,
    date_fallback_reason: str | None = None,
) -> pd.DataFrame:
    out = {}
    for canon in columns:
        if canon not in mapped:
            continue
        raw = frame[mapped[canon]]
        name = str(header[mapped[canon]])
        if canon in DATE_FIELDS:
            out[canon] = cells.date(raw, name, date_fallback, date_fallback_reason)
        elif canon in INT_FIELDS:
            out[canon] = cells.integer(raw, name)
        elif canon in BOOL_FIELDS:
            out[canon] = cells.boolean(raw, name)
        elif canon in PERCENT_FIELDS:
            out[canon] = cells.percent(raw, name, canon in ("max_units", "units"))
        elif canon in DURATION_FIELDS:
            out[canon] = cells.duration(raw, name, estimated if canon == "duration_hours" else None)
        elif canon in MONEY_FIELDS:
            out[canon] = cells.number(raw, name, kind="money amount")
        elif canon == "fixed_cost_accrual":
            text = raw.astype("str").str.strip().str.casefold()
            out[canon] = text.map(ACCRUALS)
        elif canon == "earned_value_method":
            text = raw.astype("str").str.strip().str.casefold()
            out[canon] = text.map(EV_METHODS)
        else:
            out[canon] = clean_text(raw)
    return pd.DataFrame(out, index=frame.index)


def clean_text(raw: pd.Series) -> pd.Series:

    def conv(c):
        if c is None or (isinstance(c, float) and c != c):
            return None
        if isinstance(c, float) and c.is_integer():
            c = int(c)
        text = str(c).strip()
        return text or None

    return pd.Series(
        [(c.strip() or None) if type(c) is str else conv(c) for c in raw.tolist()], index=raw.index, dtype="object"
    )


def report_unmapped(unmapped: list[str], problems: list[Problem], sheet: str | None = None) -> None:
    """One info problem naming the columns that were not read, so a user sees what was ignored."""
    names = [n for n in unmapped if n.strip()]
    if not names:
        return
    shown = ", ".join(names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")
    where = f" of sheet {sheet}" if sheet and sheet != "csv" else ""
    problems.append(
        Problem(
            f"{len(names)} column(s){where} are not MS Project fields this app reads and were ignored: {shown}.",
            "info",
            None,
            None,
            shown,
        )
    )
