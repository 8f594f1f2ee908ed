"""The layouts finance teams keep, read row by row into *postings* (one amount of one measure).

* **wide grid** — one column per month (``Jan-26`` ... or ``January`` without a year), the measure
  from a Measure column, a two-row header (month over Budget | Actual), the sheet's or the file's
  name (``Budget``, ``actuals.csv``) or the mapping;
* **long** — a period, posting date or fiscal year per row: a *ledger* (one posting per row with an
  Amount column, its measure from a Measure column or the sheet/file name, else read as actual)
  or *periodic* (the measure is the column name: Budget, Actual ...);
* **register** — one row per project or line with budget / actual / EAC / remaining columns and no
  period (the start date's month when there is one);
* **hierarchical** — any of these with a WBS code column (``1``, ``1.1``, ``1.1.1``): roll-up rows
  are excluded and cross-checked, only the leaves are summed.

Quantities × rates (days × day rate) become money when no money column gives that measure.
Each posting carries ``income`` (income lines are kept apart from costs by the caller).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from loaders.base import Problem
from loaders.finance.amounts import AmountReader, column_decimal, loose
from loaders.finance.columns import MEASURES, is_computed, measure_in_name, measure_word
from loaders.finance.periods import fiscal_year_start, month_without_year, parse_fiscal_year, parse_month, parse_period
from loaders.finance.tables import Grid, Header, text
from loaders.finance.totals import AGGREGATE_HEADER, DERIVED_WORDS, Totals, is_expense_label, is_income_label
from loaders.tabular import named_width

EXAMPLE_PROJECT = "EXAMPLE"
POSTING_COLUMNS = [
    "row_number",
    "project_id",
    "period",
    "cost_category",
    "vendor",
    "currency",
    "measure",
    "value",
    "income",
    "quantity",
]
KEY_ROLES = ("project_id", "department", "project_name", "cost_category", "vendor", "measure")


@dataclass
class Context:
    """What the whole upload knows: file name, mapping, fiscal-year start, the given project,
    income categories learned from any sheet, and the year for months written without one."""

    file_name: str
    mapping: dict
    fy_start: int = 1
    project: str | None = None
    income_categories: set[str] = field(default_factory=set)
    year: int | None = None
    year_reason: str = ""


@dataclass
class TableRead:
    """One table's postings and what was noticed while reading it."""

    sheet: str | None
    layout: str
    postings: pd.DataFrame
    problems: list[Problem]
    rejected: int
    measures: set[str]
    has_period: bool
    roles: int
    meta: dict = field(default_factory=dict)

    @property
    def weight(self) -> tuple:
        """Which of two tables holding the same measures to believe: dated, then non-zero, then richer."""
        nonzero = int((self.postings["value"].fillna(0) != 0).sum())
        return (self.has_period, nonzero > 0, self.roles, nonzero)


def positions_of(header: Header, mapping: dict) -> tuple[dict[str, int], list[Problem]]:
    """Role -> column index: the mapping's choices first, then the first column of each role."""
    positions: dict[str, int] = {}
    problems = []
    names = {c.casefold(): i for i, c in enumerate(header.cells) if c}
    for role, column in mapping.items():
        if isinstance(column, str) and column.casefold() in names and role not in ("sheet", "layout"):
            positions[role] = names[column.casefold()]
    taken = set(positions.values())
    for index, role in enumerate(header.roles):
        if role is None or index in taken:
            continue
        if role in positions:
            problems.append(
                Problem(
                    f"a second {role} column ({header.cells[index]}) was ignored.",
                    "info",
                    header.last + 1,
                    header.cells[index],
                )
            )
            continue
        positions[role] = index
    return positions, problems


def layout_of(header: Header, positions: dict[str, int], mapping: dict) -> str | None:
    if mapping.get("layout") in ("wide", "long", "register"):
        return mapping["layout"]
    money = {"budget", "actual", "forecast", "eac", "committed", "amount"} & set(positions)
    quantities = {r for r in positions if r.startswith("quantity_")}
    if len(header.months) >= 2:
        return "wide"
    if {"period", "posting_date", "fiscal_year"} & set(positions) and (money or quantities):
        return "long"
    if money or quantities:
        return "register"
    return None


def _label_column(header: Header, grid: Grid, positions: dict[str, int]) -> int | None:
    """For a grid or register with no category column: the first unnamed column left of the
    amounts whose cells are words (not numbers or dates)."""
    first_amount = min([*header.months, *[positions[r] for r in MEASURES if r in positions], 10**6])
    for col in range(min(first_amount, len(header.cells))):
        if header.roles[col] or col in positions.values():
            continue
        values = [row[col] for row in grid.rows[header.last + 1 : header.last + 60] if col < len(row)]
        texts = [v for v in values if isinstance(v, str) and v.strip() and not _numeric_or_date(v)]
        if len(texts) >= 2 and len(texts) * 2 >= len([v for v in values if not _blank(v)]):
            return col
    return None


class _Reader:
    """Reads one table of one grid (see the module docstring)."""

    def __init__(self, grid: Grid, header: Header, ctx: Context, layout: str, positions: dict[str, int]):
        self.grid, self.header, self.ctx, self.layout, self.pos = grid, header, ctx, layout, positions
        self.problems: list[Problem] = []
        self.rejected = 0
        self.totals = Totals()
        self.out: list[tuple] = []
        self.section_income: bool | None = None
        self.quantities: dict[str, float] = {}
        self.no_rate = 0
        self.empty_rows = 0
        self.short_rows: list[int] = []
        self.named_width = named_width(header.cells)
        self.meta: dict = {}
        self.data_rows = grid.rows[header.last + 1 :]
        self.first_row = header.last + 2  # the row number users see for data_rows[0]
        self.readers: dict[int, AmountReader] = {}

    # -- setup ------------------------------------------------------------------------------

    def _reader(self, col: int) -> AmountReader:
        if col not in self.readers:
            cells = [r[col] for r in self.data_rows[:2000] if col < len(r)]
            self.readers[col] = AmountReader(column_decimal(cells))
        return self.readers[col]

    def default_measure(self) -> tuple[str | None, str]:
        """The measure of an Amount column or a month grid without a Measure column, and why."""
        if self.ctx.mapping.get("measure") in MEASURES:
            return self.ctx.mapping["measure"], "the mapping says so"
        if (m := measure_in_name(self.grid.sheet)) is not None:
            return m, f"the sheet is named {self.grid.sheet}"
        if (m := measure_in_name(self.ctx.file_name)) is not None:
            return m, f"the file is named {self.ctx.file_name}"
        return None, ""

    def amount_columns(self) -> list[tuple[int, str | None, str]]:
        """(column, measure or None = from the row's Measure cell, kind money|quantity)."""
        out = []
        if self.layout == "wide":
            return [(col, self.header.measures.get(col), "money") for col in self.header.months]
        for role in ("budget", "actual", "forecast", "committed", "eac", "amount"):
            if role in self.pos:
                out.append((self.pos[role], None if role == "amount" else role, "money"))
        for measure in ("budget", "actual", "forecast"):
            if f"quantity_{measure}" in self.pos:
                out.append((self.pos[f"quantity_{measure}"], measure, "quantity"))
        return out

    # -- rows -------------------------------------------------------------------------------

    def cell(self, row: list, role: str):
        col = self.pos.get(role)
        return row[col] if col is not None and col < len(row) else None

    def run(self, label_col: int | None) -> None:
        columns = self.amount_columns()
        measure_col = self.pos.get("measure")
        fallback, why = self.default_measure()
        if any(m is None for _, m, _ in columns) and measure_col is None:
            if fallback is None and self.layout != "wide":
                fallback, why = "actual", "a ledger's postings are actual costs unless a name or mapping says otherwise"
                self.problems.append(
                    Problem(
                        f"the Amount column was read as actual cost ({why}); map it with "
                        "--map measure=budget if it holds budget.",
                        "warning",
                    )
                )
            elif fallback is not None:
                self.problems.append(Problem(f"the amounts were read as {fallback} because {why}.", "info"))
        self.fallback = fallback
        rollups = self._rollups()
        for offset, row in enumerate(self.data_rows):
            self.row(row, self.first_row + offset, columns, label_col, rollups)
        self._finish_notes()

    def keys(self, row: list, label_col: int | None) -> dict[str, str | None]:
        keys = {role: text(self.cell(row, role)) for role in KEY_ROLES if role in self.pos}
        if label_col is not None:
            keys["cost_category"] = text(row[label_col]) if label_col < len(row) else None
        return keys

    def row(self, row: list, number: int, columns, label_col, rollups: dict[int, float | None]) -> None:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            return
        if self.grid.delimiter is not None and not self._fits_header(row, number):
            return
        keys = self.keys(row, label_col)
        cells = [row[c] if c < len(row) else None for c, _, _ in columns]
        amounts = loose(cells)
        label = next((v for v in keys.values() if v), None)
        filled = [c for c in row if not _blank(c)]
        if len(filled) == 1 and label and self.layout != "long" and self._section(label):
            return
        if "status" in self.pos and (status := text(self.cell(row, "status"))):
            statuses = self.meta.setdefault("statuses", {})
            statuses[status] = statuses.get(status, 0) + 1
        if label and DERIVED_WORDS.match(label):
            self.problems.append(
                Problem(
                    f"{label} is computed by the workbook from the other lines; it was not loaded.",
                    "info",
                    number,
                    None,
                    label,
                )
            )
            return
        group = (measure_word(keys.get("measure")) or keys.get("measure"), text(self.cell(row, "period")))
        if self._total(keys, amounts, number, group):
            return
        if number in rollups:
            return
        measure_raw = keys.get("measure")
        if measure_raw and (is_computed(measure_raw) or measure_raw.casefold() in ("variance", "var")):
            self.problems.append(
                Problem(
                    f"{measure_raw} rows are computed by the app; the row was skipped.",
                    "info",
                    number,
                    "measure",
                    measure_raw,
                )
            )
            return
        project = self.project(keys)
        if project and project.upper() == EXAMPLE_PROJECT:
            self.problems.append(Problem("the template's example row was skipped.", "info", number, "project_id"))
            return
        self.totals.add(keys, amounts, group)
        if all(v is None for v in amounts) and self.layout != "wide":
            self.empty_rows += 1
            return
        if project is None and self.has_project_column():
            self.problems.append(
                Problem("the row has no project_id; it was not loaded.", "error", number, "project_id")
            )
            self.rejected += 1
            return
        self.emit(row, number, keys, project, columns)

    def _fits_header(self, row: list, number: int) -> bool:
        """A text file's row with filled cells after the header's last named column most likely had
        a delimiter inside an unquoted cell, moving every cell after it right, so its amounts would be
        read from the wrong columns (or it holds a note beside the table). It is rejected (an error
        naming the row), never stored shifted. A row shorter than the named columns has its missing
        last cells read as empty, with one warning listing the rows (``_finish_notes``)."""
        width = self.named_width
        extra = [c for c in row[width:] if not _blank(c)]
        if extra:
            self.problems.append(
                Problem(
                    f"the row has {len(row)} cells but the header names {width}: probably a "
                    f"{self.grid.delimiter!r} inside an unquoted cell moved the cells after it (or a note was "
                    "typed beside the table), so its amounts would be read from the wrong columns; it was not "
                    "loaded. Quote that cell, or move the note, and upload again.",
                    "error",
                    number,
                    None,
                    " | ".join(str(c) for c in row)[:500],
                )
            )
            self.rejected += 1
            return False
        if len(row) < width:
            self.short_rows.append(number)
        return True

    def _section(self, label: str) -> bool:
        """A label-only row: an income/expense section header or a group label; not a line."""
        if is_income_label(label):
            self.section_income = True
        elif is_expense_label(label):
            self.section_income = False
        self.totals.section(label)
        return True

    def _total(self, keys: dict, amounts: list, number: int, group: tuple) -> bool:
        kind, label = self.totals.kind({**keys, "period": group[1]})
        if kind in ("exact", "named"):
            mismatch = self.totals.check(amounts, label, group)
            if mismatch:
                own, since, every = mismatch
                self.problems.append(
                    Problem(
                        f"a subtotal/total row was excluded, but it says {own:,.2f} while the lines since the previous "
                        f"total add up to {since:,.2f} (all lines above: {every:,.2f}): check the file (the lines were "
                        "loaded).",
                        "warning",
                        number,
                        None,
                        label,
                    )
                )
            else:
                self.problems.append(
                    Problem(
                        "a subtotal/total row was excluded (totals are computed from the lines).",
                        "info",
                        number,
                        None,
                        label,
                    )
                )
            self.totals.block = []
            return True
        if kind == "prefix" and self.totals.sums_block(amounts, group):
            self.problems.append(
                Problem(
                    f"{label} looks like a subtotal (its amounts equal the sum of the rows above) and was excluded; if it "
                    "is a real line, give it a name that does not start with a total word.",
                    "warning",
                    number,
                    None,
                    label,
                )
            )
            self.totals.block = []
            return True
        if kind == "prefix" and label not in self.totals.kept_labels:
            self.totals.kept_labels.add(label)
            self.problems.append(
                Problem(
                    f"{label} starts with a total word but is not a subtotal; it was loaded as a line.",
                    "info",
                    number,
                    None,
                    label,
                )
            )
        return False

    def has_project_column(self) -> bool:
        return bool({"project_id", "department", "project_name"} & set(self.pos)) and not self.ctx.project

    def project(self, keys: dict) -> str | None:
        """The row's project: its project/WBS cell, else the given project, else its department or
        cost-centre cell, else its project-name cell."""
        if "project_id" in self.pos and keys.get("project_id"):
            return keys["project_id"]
        if self.ctx.project:
            return self.ctx.project
        for role in ("project_id", "department", "project_name"):
            if role in self.pos:
                return keys.get(role)
        return None

    def period(self, row: list, number: int) -> tuple[bool, dt.date | None]:
        """(ok, month) for a long or register row; a bad or missing period rejects a long row."""
        fy_cell = self.cell(row, "fiscal_year")
        try:
            fiscal_year = parse_fiscal_year(fy_cell)
        except ValueError:
            fiscal_year = None
        for role in ("posting_date", "period"):
            if role not in self.pos:
                continue
            raw = self.cell(row, role)
            if (month := month_without_year(raw)) and (fiscal_year or self.ctx.year):
                self._year_note()
                return True, dt.date(fiscal_year or self.ctx.year, month, 1)
            try:
                value, grain = parse_period(raw, fy_start=self.ctx.fy_start, fiscal_year=fiscal_year)
            except ValueError as err:
                reason = str(err)
            else:
                if value is not None:
                    if grain != "month":
                        self.meta.setdefault("granularity", grain)
                    return True, value
                if fiscal_year is None:
                    reason = "the period is empty"
                else:
                    return True, fiscal_year_start(fiscal_year, self.ctx.fy_start)
            self.problems.append(
                Problem(
                    f"{reason}; the row was not loaded (write the month as 2026-03 or Mar-26).",
                    "error",
                    number,
                    self.header.cells[self.pos[role]],
                    text(raw),
                )
            )
            self.rejected += 1
            return False, None
        if fiscal_year is not None:
            self.meta["granularity"] = "year"
            return True, fiscal_year_start(fiscal_year, self.ctx.fy_start)
        if "fiscal_year" in self.pos and not _blank(fy_cell):
            self.problems.append(
                Problem(
                    "the fiscal year is not a year; the row was not loaded.",
                    "error",
                    number,
                    self.header.cells[self.pos["fiscal_year"]],
                    text(fy_cell),
                )
            )
            self.rejected += 1
            return False, None
        start = self.cell(row, "start_date")
        try:
            return True, parse_month(start) if not _blank(start) else None
        except ValueError:
            return True, None

    def _year_note(self) -> None:
        self.meta["year_from"] = self.ctx.year_reason

    def emit(self, row: list, number: int, keys: dict, project: str, columns) -> None:
        base = None
        if self.layout != "wide":
            ok, base = self.period(row, number)
            if not ok:
                return
        currency = (text(self.cell(row, "currency")) or "").upper() or None
        category = keys.get("cost_category")
        income = (
            self.section_income is True
            or is_income_label(category)
            or (bool(category) and category.casefold() in self.ctx.income_categories)
        )
        if self.section_income is True and category:
            self.ctx.income_categories.add(category.casefold())
        rate = self._rate(row, number)
        row_measure = measure_word(keys.get("measure")) if keys.get("measure") else None
        if keys.get("measure") and row_measure is None and not self.ctx.mapping.get("measure"):
            self.problems.append(
                Problem(
                    "the measure is not Budget, Actual, Forecast or Committed; the row was not loaded.",
                    "error",
                    number,
                    "measure",
                    keys["measure"],
                )
            )
            self.rejected += 1
            return
        money_measures = {m for _, m, k in columns if k == "money" and m}
        values = [
            (
                col,
                measure or row_measure or self.fallback,
                kind,
                *self._amount(col, row[col] if col < len(row) else None, number),
            )
            for col, measure, kind in columns
        ]
        currency = currency or next((seen for *_, seen in values if seen), None)
        for col, measure, kind, value, _seen in values:
            if value is None or measure is None:
                continue
            period = base if self.layout != "wide" else self._month(col)
            quantity = None
            if kind == "quantity":
                self.quantities[measure] = self.quantities.get(measure, 0.0) + value
                if measure in money_measures:
                    continue
                quantity, value = value, (value * rate if rate is not None else None)
                if value is None:
                    self.no_rate += 1
            if measure == "forecast" and self.header.roles[col] == "eac" and value is not None:
                value -= next((v for c, m, _, v, _ in values if m == "actual" and v is not None), 0.0)
            self.out.append(
                (number, project, period, category, keys.get("vendor"), currency, measure, value, income, quantity)
            )

    def _month(self, col: int) -> dt.date | None:
        month_date, month = self.header.months[col]
        if month_date is None:
            self._year_note()
            return dt.date(self.ctx.year, month, 1) if self.ctx.year else None
        return month_date

    def _amount(self, col: int, cell, number: int) -> tuple[float | None, str | None]:
        try:
            return self._reader(col).read(cell)
        except ValueError:
            name = self.header.cells[col] if col < len(self.header.cells) else str(col)
            self.problems.append(Problem(f"{name} is not an amount; left empty.", "warning", number, name, text(cell)))
            return None, None

    def _rate(self, row: list, number: int) -> float | None:
        if "rate" not in self.pos:
            return None
        return self._amount(self.pos["rate"], self.cell(row, "rate"), number)[0]

    def _rollups(self) -> dict[int, float | None]:
        """Row number -> amount of each WBS roll-up row (a code with children or detail lines under it);
        a roll-up whose amount differs from its leaves' sum is a warning."""
        col = self.pos.get("wbs_code")
        if col is None:
            return {}
        rows = [(self.first_row + i, r) for i, r in enumerate(self.data_rows) if any(not _blank(c) for c in r)]
        codes = [_code(r[col]) if col < len(r) else None for _, r in rows]
        if not any(c and "." in c for c in codes):
            return {}
        columns = [c for c, _, k in self.amount_columns() if k == "money"]
        values = [sum(v or 0.0 for v in loose([r[c] if c < len(r) else None for c in columns])) for _, r in rows]
        rollups: dict[int, float | None] = {}
        for i, code in enumerate(codes):
            if not code:
                continue
            children = []
            for j in range(i + 1, len(rows)):
                if codes[j] is not None and not codes[j].startswith(code + "."):
                    break
                children.append(j)
            if children:
                rollups[rows[i][0]] = values[i]
        self._check_rollups(rows, codes, values, rollups)
        if rollups:
            self.meta["hierarchical"] = True
            self.problems.append(
                Problem(
                    f"{len(rollups)} WBS roll-up rows (codes with lines under them) were not "
                    "loaded: only the leaves are summed.",
                    "info",
                )
            )
        return rollups

    def _check_rollups(self, rows, codes, values, rollups) -> None:
        for i, code in enumerate(codes):
            if not code or rows[i][0] not in rollups:
                continue
            leaves = 0.0
            for j in range(i + 1, len(rows)):
                if codes[j] is not None and not codes[j].startswith(code + "."):
                    break
                if rows[j][0] not in rollups:
                    leaves += values[j]
            if abs(leaves - values[i]) > 0.005:
                self.problems.append(
                    Problem(
                        f"the WBS roll-up {code} says {values[i]:,.2f} but its leaves add up to "
                        f"{leaves:,.2f}; the leaves were loaded.",
                        "warning",
                        rows[i][0],
                        None,
                        code,
                    )
                )

    def _finish_notes(self) -> None:
        if self.short_rows:
            shown = ", ".join(map(str, self.short_rows[:20])) + (" …" if len(self.short_rows) > 20 else "")
            self.problems.append(
                Problem(
                    f"{len(self.short_rows)} row(s) have fewer cells than the header's {self.named_width} named columns "
                    f"(rows {shown}); their missing last cells were read as empty. Check them for a line break "
                    "or a quote inside a cell.",
                    "warning",
                    self.short_rows[0],
                )
            )
        if self.empty_rows:
            self.problems.append(
                Problem(f"{self.empty_rows} rows have no amount in any amount column; they add nothing.", "info")
            )
        if self.quantities:
            self.meta["quantities"] = {k: round(v, 6) for k, v in self.quantities.items()}
        if self.no_rate:
            self.problems.append(
                Problem(
                    f"{self.no_rate} quantities have no rate, so no money could be computed "
                    "for them (their quantities are kept in the upload's notes).",
                    "warning",
                )
            )

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.out, columns=POSTING_COLUMNS)
        frame["value"] = frame["value"].astype("float64")
        return frame


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or (isinstance(cell, str) and not cell.strip())


def _numeric_or_date(value: str) -> bool:
    if re.fullmatch(r"[\d\s.,:/()+\-%$€£]+", value.strip()):
        return True
    try:
        return parse_month(value) is not None
    except ValueError:
        return False


_CODE = re.compile(r"^\d+(\.\d+)*\.?$")


def _code(cell) -> str | None:
    value = text(cell)
    return value.rstrip(".") if value and _CODE.match(value) else None


def project_key_note(header: Header, positions: dict[str, int], ctx: Context) -> Problem | None:
    """A warning when the project key is a guess: a department / cost-centre or name column."""
    if "project_id" in positions or ctx.project:
        return None
    role = next((r for r in ("department", "project_name") if r in positions), None)
    if role is None:
        return None
    column = header.cells[positions[role]]
    return Problem(
        f"there is no project column, so {column} was used as the project key; give the project with "
        f"--project or map another column with --map project_id=COLUMN.",
        "warning",
        header.last + 1,
        column,
    )


def _kind(layout: str, positions: dict[str, int], reader: _Reader) -> str:
    """The layout as users know it: wide grid, long ledger / periodic, register, hierarchical."""
    if reader.meta.get("hierarchical"):
        return "hierarchical"
    if layout == "long" and "amount" in positions:
        return "long ledger"
    if layout == "long":
        return "long periodic" if {"period", "posting_date"} & set(positions) else "register by fiscal year"
    return "wide grid" if layout == "wide" else layout


def read_table(grid: Grid, header: Header, ctx: Context) -> TableRead | None:
    """Read one table (None when its columns make no finance layout)."""
    positions, problems = positions_of(header, ctx.mapping)
    layout = layout_of(header, positions, ctx.mapping)
    if layout is None:
        return None
    if note := project_key_note(header, positions, ctx):
        problems.append(note)
    label_col = None
    if "cost_category" not in positions and layout != "long":
        label_col = _label_column(header, grid, positions)
        if label_col is not None:
            problems.append(
                Problem(
                    f"the column {header.cells[label_col] or '(no name)'} was read as the cost category.",
                    "info",
                    header.last + 1,
                    header.cells[label_col],
                )
            )
    for col, name in enumerate(header.cells):
        if name and col not in positions.values() and col not in header.months and col != label_col:
            kind = "a total/subtotal column" if AGGREGATE_HEADER.match(name) else "not a month or a known column"
            problems.append(Problem(f"the column {name} is {kind}; it was ignored.", "info", header.last + 1, name))
    reader = _Reader(grid, header, ctx, layout, positions)
    reader.run(label_col)
    postings = reader.frame()
    if header.currency and postings["currency"].isna().any():
        postings["currency"] = postings["currency"].fillna(header.currency)
    measures = set(postings["measure"].unique())
    meta = dict(reader.meta, layout=layout, currency=header.currency, kind=_kind(layout, positions, reader))
    has_period = layout != "register" or postings["period"].notna().any()
    return TableRead(
        grid.sheet,
        layout,
        postings,
        problems + reader.problems,
        reader.rejected,
        measures,
        has_period,
        len(positions),
        meta,
    )
