"""When the loader cannot decide: the question it asks (:class:`NeedsMapping`) and saved answers.

A workbook's *shape* is its sheet name plus its normalised header cells, so the mapping a user
gave once for "this export" is found again for next month's file of the same shape
(:meth:`store.Store.column_mapping`). :func:`mapping_for` is what an ingest path calls before
parsing: the saved mapping for the file's shape, overlaid with whatever the caller gives.
"""

from __future__ import annotations

import hashlib

from loaders import sandbox
from loaders.base import NeedsMapping
from loaders.finance.columns import header_key, role_of
from loaders.finance.tables import Grid, Header, find_header, read_grids, text

SOURCE = "finance"
ROLES = (
    "project_id",
    "period",
    "fiscal_year",
    "cost_category",
    "vendor",
    "budget",
    "actual",
    "forecast",
    "committed",
    "amount",
    "measure",
    "currency",
    "quantity_budget",
    "quantity_actual",
    "rate",
)
OPTIONS = ("sheet", "header_row", "layout", "measure", "year", "fy_start_month", "project_id")


def shape_key(sheet: str | None, cells: list[str]) -> str:
    """A stable key for a table's layout: sheet name + normalised non-empty header cells."""
    canon = "|".join([header_key(sheet or ""), *[header_key(c) for c in cells if c]])
    return "finance:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:20]


def preview(grid: Grid, first: int, rows: int = 8) -> list[list[str]]:
    return [[text(c) or "" for c in row] for row in grid.rows[first : first + rows]]


def needs_mapping(
    file_name: str, grid: Grid, header: Header | None, reason: str, suggested: dict[str, str], sheets: list[str]
) -> NeedsMapping:
    """The refusal that names the columns found and the ``--map`` options that would load the file."""
    if header is None:
        index = next((i for i, r in enumerate(grid.rows[:40]) if sum(bool(text(c)) for c in r) >= 2), 0)
        cells = [text(c) or "" for c in (grid.rows[index] if grid.rows else [])]
        first = index
    else:
        cells, first = header.cells, header.first
    columns = [c for c in cells if c]
    if not suggested:  # what the alias table recognises, to pre-fill a mapping form
        suggested = {}
        for cell in columns:
            role = role_of(cell)
            if role in ROLES and role not in suggested:
                suggested[role] = cell
    where = f" (sheet {grid.sheet})" if grid.sheet else ""
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    example = " ".join(f"--map {role}={_quote(col)}" for role, col in suggested.items())
    if not set(suggested) & {"budget", "actual", "forecast", "committed", "amount", "measure"}:
        example = f"{example} --map actual=COLUMN".strip()
    message = (
        f"{file_name}{where}: {reason} Columns found: {shown}. Say which column plays which role with "
        f"--map ROLE=COLUMN (roles: {', '.join(ROLES)}; also --map measure=budget|actual, --map layout=wide|long|"
        f"register, --map header_row=N, --map sheet=NAME, --map year=YYYY), e.g. {example}."
    )
    return NeedsMapping(
        message,
        source=SOURCE,
        shape=shape_key(grid.sheet, cells),
        columns=columns,
        roles=ROLES,
        suggested=suggested,
        sheets=sheets,
        sheet=grid.sheet,
        header_row=first + 1,
        preview=preview(grid, first),
    )


def _quote(column: str) -> str:
    return f'"{column}"' if " " in column else column


def shape_of(data: bytes, file_name: str) -> str | None:
    """The shape of the first table the loader finds in the file (None when it finds none)."""
    for grid in read_grids(data, file_name):
        header = find_header(grid.rows)
        if header is not None:
            return shape_key(grid.sheet, header.cells)
    return None


def mapping_for(store, data: bytes, file_name: str, given: dict | None = None) -> dict:
    """The mapping to parse this file with: the one saved for its shape (if any), overlaid with ``given``."""
    saved = {}
    try:
        shape = sandbox.run(shape_of, data, file_name, file_name=file_name)
    except Exception:  # an unreadable file: the parser itself will say why
        shape = None
    if shape:
        saved = store.column_mapping(shape) or {}
    return {**saved, **(given or {})}


def parse_mapped(store, data: bytes, file_name: str, given: dict | None = None):
    """Parse with the mapping saved for the file's shape overlaid with ``given``; when the loader
    still asks (:class:`NeedsMapping`), retry once with the mapping saved for the shape it names.
    A mapping the caller gave that loads the file is saved for its shape (reused next time)."""
    given = dict(given or {})
    mapping = mapping_for(store, data, file_name, given)
    try:
        parsed = sandbox.run(_parse_checked, data, file_name, mapping, file_name=file_name)
    except NeedsMapping as err:
        saved = store.column_mapping(err.shape)
        if not saved or all(mapping.get(k) == v for k, v in saved.items()):
            raise
        parsed = sandbox.run(_parse_checked, data, file_name, {**saved, **given}, file_name=file_name)
    columns = {k: v for k, v in given.items() if k != "project_id"}
    if columns and parsed.meta.get("shape"):
        store.save_column_mapping(parsed.meta["shape"], SOURCE, columns)
    return parsed


def _parse_checked(data: bytes, file_name: str, mapping: dict):
    """``finance.parse`` with the checks every parse ends with (:func:`loaders.ingest.checked`), as
    a file parsed without a mapping gets them."""
    from loaders import finance
    from loaders.ingest import checked

    return checked(finance.parse(data, file_name, mapping), data, file_name)
