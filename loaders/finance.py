"""Finance workbooks: budget, actuals, forecast and commitments by project, month, category, vendor.

Two layouts are read (.xlsx or delimited text), detected from the header row:

* **long** — one row per project/month/category/vendor:
  ``project_id, period, cost_category, vendor, budget, actual, forecast, committed, currency``
  (headers matched through :data:`ALIASES`: ``Project``, ``Month``, ``Cost type``, ``Supplier``,
  ``Actuals``, ``Fcst``, ``Commitments``, ``Ccy`` ...), or with a ``Measure`` and an ``Amount``
  column instead of one column per measure (a ledger extract);
* **wide** — one row per project/category/vendor/measure and one column per month, the layout
  finance teams keep: ``Project ID | Cost Category | Vendor | Measure | Jan-26 | Feb-26 ...``.
  ``Measure`` holds Budget / Actual / Forecast / Committed (aliases in :data:`MEASURES`); a
  workbook may instead keep one measure per sheet (sheets named ``Budget``, ``Actuals`` ...).

Month cells and month headers follow one grammar (:func:`parse_month`): ``Jan-26``, ``Jan 2026``,
``January 2026``, ``2026-01``, ``2026/01``, ``01/2026``, ``202601``, ISO dates, Excel dates and
Excel serial numbers, with English, German, French, Spanish, Portuguese and Dutch month names.
Amounts go through :func:`loaders.values.parse_number` (thousands separators, currency symbols,
``(1,234)`` negatives); an ISO code or symbol in an amount cell gives the row's currency when
the file has no currency column.

Rows that are subtotals or totals (a key cell reading exactly ``Total``, ``Subtotal``, ``Grand total``,
``Summe``, ``Gesamt``..., or ``Total <a project id or value above>``) are excluded and reported as info:
the app computes its own totals. A label that merely starts with a total word (``Total Rewards``,
``TOTAL-ERP``) is a real line, unless its amounts equal the sum of the rows above it (then it is
excluded with a warning). See :class:`_Totals`.
The template's example row (project ``EXAMPLE``) is skipped the same way. A project whose lines
carry more than one currency is kept as written and reported: its amounts are never summed
without a rate table.

Output: ``budget_lines`` with ``project_id, period`` (first day of the month, a ``datetime.date``),
``cost_category, vendor, budget, actual, forecast, committed, currency, row_number``.
``Parsed.as_of`` = the last day of the last month holding actuals; ``Parsed.meta["project_ids"]``
lists the projects the workbook names (the caller checks them against the register).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.tabular import read_delimited, read_workbook
from loaders.values import is_empty, normalize_header, parse_number

SOURCE = "finance"
AMOUNTS = ("budget", "actual", "forecast", "committed")
COLUMNS = ("project_id", "period", "cost_category", "vendor", *AMOUNTS, "currency", "row_number")
EXAMPLE_PROJECT = "EXAMPLE"
HEADER_SEARCH_ROWS = 30

ALIASES: dict[str, str] = {
    **dict.fromkeys(
        [
            "project id",
            "project",
            "project code",
            "project no",
            "project number",
            "projectid",
            "proj id",
            "project ref",
        ],
        "project_id",
    ),
    **dict.fromkeys(["period", "month", "posting period", "fiscal period", "date", "period start"], "period"),
    **dict.fromkeys(
        [
            "cost category",
            "category",
            "cost type",
            "cost element",
            "expense category",
            "expense type",
            "spend category",
            "account category",
        ],
        "cost_category",
    ),
    **dict.fromkeys(["vendor", "supplier", "vendor name", "supplier name", "payee"], "vendor"),
    **dict.fromkeys(["budget", "budget amount", "approved budget", "plan", "planned", "planned cost"], "budget"),
    **dict.fromkeys(["actual", "actuals", "actual cost", "actual spend", "spend"], "actual"),
    **dict.fromkeys(["forecast", "fcst", "outlook", "latest estimate", "projection"], "forecast"),
    **dict.fromkeys(["committed", "commitment", "commitments", "open po", "open pos", "po committed"], "committed"),
    **dict.fromkeys(["currency", "ccy", "currency code", "cur"], "currency"),
    **dict.fromkeys(["amount", "value", "amount lc", "net amount"], "amount"),
    **dict.fromkeys(
        ["measure", "type", "metric", "line type", "scenario", "version", "value type", "data type", "amount type"],
        "measure",
    ),
}

MEASURES: dict[str, str] = {
    **dict.fromkeys(["budget", "budgets", "bud", "plan", "planned", "baseline", "approved budget"], "budget"),
    **dict.fromkeys(["actual", "actuals", "act", "spend", "actual cost", "actual spend"], "actual"),
    **dict.fromkeys(["forecast", "forecasts", "fcst", "fc", "outlook", "estimate", "latest estimate"], "forecast"),
    **dict.fromkeys(["committed", "commitment", "commitments", "open po", "open pos", "po", "pos"], "committed"),
}
COMPUTED_MEASURES = {"variance", "var", "variance %", "variance pct", "remaining", "eac", "etc", "delta"}

_TOTAL_WORD = (
    r"(?:sub\s*-?\s*totals?|grand\s*-?\s*totals?|totals?|zwischensumme|gesamtsumme|summe|gesamt|endsumme"
    r"|sous[\s-]*total|total\s+g[ée]n[ée]ral|suma\s+total|subtotaal|totaal|totale)"
)
#: A label that is only a total word ("Total", "Subtotal", "Grand total", "Summe", "Gesamt", ...).
_TOTAL_EXACT = re.compile(rf"^\s*{_TOTAL_WORD}\s*[:.\-]?\s*$", re.I)
#: A label that starts with a total word: "Total P1" (a subtotal) but also "Total Rewards" or "TOTAL-ERP".
_TOTAL_PREFIX = re.compile(rf"^\s*{_TOTAL_WORD}(?![a-z])[\s:.\-]*(?P<rest>.*?)\s*$", re.I)
_AGGREGATE_HEADER = re.compile(r"^\s*(total|totals|sum|fy\s*\d{2,4}|q[1-4]\b.*|h[12]\b.*|ytd|full year|year)\b", re.I)

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january jän jänner januar janv janvier ene enero janeiro januari",
        "feb february februar fév févr février febrero fev fevereiro februari",
        "mar march märz mär mrz mars marzo março maart mrt",
        "apr april avr avril abr abril",
        "may mai mayo maio mei",
        "jun june juni juin junio junho",
        "jul july juli juil juillet julio julho",
        "aug august août ago agosto augustus",
        "sep sept september septembre septiembre set setembro",
        "oct october okt oktober octobre octubre out outubro",
        "nov november novembre noviembre novembro",
        "dec december dez dezember déc décembre dic diciembre dezembro",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_YEAR_NUM = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YYYYMM = re.compile(r"^(\d{4})(\d{2})$")
_NAME_YEAR = re.compile(r"^([^\W\d_]+)\.?[\s\-./']*(\d{4}|\d{2})$")
_YEAR_NAME = re.compile(r"^(\d{4})[\s\-./]*([^\W\d_]+)\.?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_month(cell) -> dt.date | None:
    """A month as finance people write it -> the first day of that month (``None`` when empty).

    Grammar: ``datetime``/``date`` values (Excel dates); Excel serial numbers 20000–80000;
    ``2026-01``, ``2026/1``, ``2026-01-15`` (time part allowed), ``01/2026``, ``202601``;
    ``Jan-26``, ``Jan 2026``, ``January 2026``, ``Sept. 26``, ``2026 Jan`` with month names in
    English, German, French, Spanish, Portuguese and Dutch (two-digit years are 20xx);
    ``dd/mm/yyyy`` or ``mm/dd/yyyy`` when one part is 1 (a period is written as its first day) or
    above 12. Anything else raises ``ValueError``.
    """
    if isinstance(cell, dt.datetime | pd.Timestamp):
        return dt.date(cell.year, cell.month, 1)
    if isinstance(cell, dt.date):
        return cell.replace(day=1)
    if isinstance(cell, bool):
        raise ValueError(f"not a month: {cell!r}")
    if isinstance(cell, int | float):
        if cell != cell:
            return None
        if 20000 <= cell <= 80000:
            day = EXCEL_EPOCH + dt.timedelta(days=int(cell))
            return day.replace(day=1)
        if float(cell).is_integer() and 190001 <= cell <= 210012 and 1 <= int(cell) % 100 <= 12:
            return dt.date(int(cell) // 100, int(cell) % 100, 1)
        raise ValueError(f"not a month: {cell!r}")
    if is_empty(cell):
        return None
    text = str(cell).strip()
    year = month = None
    if m := _ISO_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := _MONTH_YEAR_NUM.match(text):
        month, year = int(m[1]), int(m[2])
    elif m := _YYYYMM.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := _NAME_YEAR.match(text):
        month, year = _month_name(m[1]), int(m[2])
    elif m := _YEAR_NAME.match(text):
        year, month = int(m[1]), _month_name(m[2])
    elif m := _DMY.match(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if a == 1 or a > 12:
            month = b
        elif b == 1 or b > 12:
            month = a
        else:
            raise ValueError(f"ambiguous date {text!r}: write the month as 2026-03 or Mar-26")
    if month is None or year is None:
        raise ValueError(f"not a month: {text!r}")
    if year < 100:
        year += 2000
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(f"not a month: {text!r}")
    return dt.date(year, month, 1)


def _month_name(text: str) -> int | None:
    key = text.casefold().rstrip(".")
    return MONTHS.get(key) or (MONTHS.get(key[:3]) if len(key) > 3 else None)


def _is_month(cell) -> bool:
    if isinstance(cell, str) and cell.strip().isdigit() and len(cell.strip()) != 6:
        return False  # a bare number in a text header is not a month (but "202601" is)
    try:
        return parse_month(cell) is not None
    except ValueError:
        return False


# -- header recognition ------------------------------------------------------------------------


def _canonical(header: list) -> list[str | None]:
    return [ALIASES.get(normalize_header(h)) if isinstance(h, str) else None for h in header]


def _layout(header: list, sheet_name: str | None = None) -> str | None:
    """``long``, ``wide`` or None for a header row (a sheet name may carry the wide measure)."""
    canon = set(_canonical(header))
    if "project_id" not in canon:
        return None
    if "period" in canon and (canon & set(AMOUNTS) or {"measure", "amount"} <= canon):
        return "long"
    months = sum(_is_month(h) for h in header)
    if months and ("measure" in canon or _sheet_measure(sheet_name)):
        return "wide"
    if months >= 2 and canon & {"cost_category", "vendor"}:
        return "wide"  # recognised; parse() asks for a Measure column
    return None


def _sheet_measure(sheet_name: str | None) -> str | None:
    return MEASURES.get(normalize_header(sheet_name)) if sheet_name else None


def _find_header(rows: list[list], sheet_name: str | None = None) -> tuple[int, str] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        layout = _layout(row, sheet_name)
        if layout:
            return index, layout
    return None


def _workbook_heads(data: bytes) -> dict[str, list[list]]:
    """Sheet name -> its first HEADER_SEARCH_ROWS rows (a title may sit above the header)."""
    import io
    from itertools import islice

    from python_calamine import CalamineWorkbook

    from loaders.tabular import check_zip

    check_zip(data, "workbook")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: list(islice(wb.get_sheet_by_name(name).iter_rows(), HEADER_SEARCH_ROWS)) for name in wb.sheet_names}


def sniff(sample: Sample) -> bool:
    if sample.is_zip:
        if any(_layout(row, name) for name, row in sample.sheets.items()):
            return True
        try:
            heads = _workbook_heads(sample.data)
        except Exception:
            return False
        return any(_find_header(rows, name) for name, rows in heads.items())
    text = sample.text_head
    if not text:
        return False
    try:
        rows = read_delimited(text[:20000].encode("utf-8"))[0]
    except Exception:
        return False
    return _find_header(rows) is not None


# -- parsing -----------------------------------------------------------------------------------


def parse(data: bytes, file_name: str) -> Parsed:
    """Read a finance workbook or CSV (long or wide layout) into ``budget_lines``."""
    sheets = _sheets(data, file_name)
    problems: list[Problem] = []
    frames: list[pd.DataFrame] = []
    layouts: list[str] = []
    rejected = 0
    found = [(name, rows, _find_header(rows, name)) for name, rows in sheets.items()]
    found = [(name, rows, hit) for name, rows, hit in found if hit]
    if not found:
        raise Refused(
            f"{file_name}: no sheet has finance columns (project_id and period with budget/actual, or "
            "project_id, Measure and month columns such as Jan-26). Download the finance template and copy the data into it."
        )
    several = len(found) > 1
    for name, rows, (start, layout) in found:
        where = f"sheet {name}: " if several and name else ""
        reader = _parse_long if layout == "long" else _parse_wide
        frame, sheet_problems, sheet_rejected = reader(rows, start, name, file_name)
        problems += [_prefixed(p, where) for p in sheet_problems]
        rejected += sheet_rejected
        frames.append(frame)
        layouts.append(layout)
    lines = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1 and set(layouts) == {"wide"}:
        lines = _merge_measures(lines)
    lines = _fill_currency(lines, problems)
    if lines.empty:
        raise Refused(
            f"{file_name}: the finance workbook has no budget lines (every row was empty, a total or rejected)."
        )
    actual_months = lines.loc[lines["actual"].fillna(0).ne(0), "period"]
    as_of = None
    if not actual_months.empty:
        last = max(actual_months)
        as_of = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    kind = "wide monthly" if set(layouts) == {"wide"} else "long" if set(layouts) == {"long"} else "mixed"
    meta = {
        "layout": kind,
        "project_ids": sorted(lines["project_id"].unique().tolist()),
        "currencies": sorted(c for c in lines["currency"].dropna().unique().tolist()),
    }
    return Parsed(SOURCE, f"Finance workbook ({kind})", {"budget_lines": lines}, problems, as_of=as_of,
                  rows_rejected=rejected, meta=meta)  # fmt: skip


def _prefixed(problem: Problem, where: str) -> Problem:
    if not where:
        return problem
    return Problem(where + problem.message, problem.severity, problem.row_number, problem.column_name, problem.value)


def _sheets(data: bytes, file_name: str) -> dict[str | None, list[list]]:
    if data[:4] == b"PK\x03\x04":
        return read_workbook(data, file_name)
    if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        raise Refused(f"{file_name}: this is an old binary .xls workbook. Save it as .xlsx or .csv and upload again.")
    return {None: read_delimited(data)[0]}


def _text(cell) -> str | None:
    if is_empty(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).strip()


class _Totals:
    """Tells subtotal/total rows from real lines, one sheet at a time.

    A row is a total when a key cell (project, category, vendor, period or measure) is exactly a
    total word (``Total``, ``Subtotal``, ``Grand total``, ``Summe``, ``Gesamt``, ``Sous-total`` ...), or a
    total word followed by a value seen above in the same column or as a project id (``Total P1``,
    ``Subtotal Labour``). A label that only *starts* with a total word (``Total Rewards``,
    ``TOTAL-ERP``, ``Total Solutions Ltd``) is a real line unless its amounts equal the sum of the
    (two or more) lines above it since the last total with the same period and measure; then it is
    excluded with a warning (ambiguous)."""

    def __init__(self):
        self.seen: dict[str, set[str]] = {}
        self.block: list[tuple[dict, list[float | None]]] = []
        self.kept_labels: set[str] = set()

    def kind(self, keys: dict[str, str | None]) -> tuple[str | None, str | None]:
        """('exact' | 'named' | 'prefix' | None, the label)."""
        candidate = None
        projects = self.seen.get("project_id", set())
        for name, value in keys.items():
            if not value:
                continue
            if _TOTAL_EXACT.match(value):
                return "exact", value
            match = _TOTAL_PREFIX.match(value)
            if match:
                rest = match["rest"].casefold()
                if rest and (rest in projects or rest in self.seen.get(name, set())):
                    return "named", value
                candidate = candidate or value
        return ("prefix", candidate) if candidate else (None, None)

    def sums_rows_above(self, keys: dict, amounts: list[float | None]) -> bool:
        same = [
            a
            for k, a in self.block
            if k.get("period") == keys.get("period") and k.get("measure") == keys.get("measure")
        ]
        if len(same) < 2 or all(v is None for v in amounts):
            return False
        for i, value in enumerate(amounts):
            total = sum(row[i] or 0.0 for row in same if i < len(row))
            if abs((value or 0.0) - total) > 0.005 * max(1.0, abs(total)):
                return False
        return True

    def add(self, keys: dict, amounts: list[float | None]) -> None:
        for name, value in keys.items():
            if value:
                self.seen.setdefault(name, set()).add(value.casefold())
        self.block.append((keys, amounts))


def _loose_amounts(cells: list) -> list[float | None]:
    """Amount cells as floats for the subtotal check (None when empty or not an amount)."""
    out: list[float | None] = []
    for cell in cells:
        if isinstance(cell, bool) or is_empty(cell):
            out.append(None)
        elif isinstance(cell, int | float):
            out.append(float(cell) if cell == cell else None)
        else:
            try:
                out.append(parse_number(str(cell)))
            except ValueError:
                out.append(None)
    return out


_CODE = re.compile(r"\b([A-Z]{3})\b")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₫": "VND", "zł": "PLN", "₩": "KRW"}
_NOT_CODES = {"USE", "THE", "AND", "PER"}


def _currency_in(text: str) -> str | None:
    for code in _CODE.findall(text):
        if code not in _NOT_CODES:
            return code
    for symbol, code in _SYMBOLS.items():
        if symbol in text:
            return code
    return None


def _amounts(cells: list, row_numbers: list[int], column: str, problems: list[Problem]):
    """Cells -> (floats or None, currency seen in the text or None), vectorised over unique texts."""
    values: list[float | None] = [None] * len(cells)
    currencies: list[str | None] = [None] * len(cells)
    parsed: dict[str, tuple[float | None, str | None] | ValueError] = {}
    for i, cell in enumerate(cells):
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            if is_empty(cell):
                continue
            text = str(cell)
            if text not in parsed:
                try:
                    parsed[text] = (parse_number(text), _currency_in(text))
                except ValueError as err:
                    parsed[text] = err
            result = parsed[text]
            if isinstance(result, ValueError):
                problems.append(
                    Problem(f"{column} is not an amount; left empty.", "warning", row_numbers[i], column, text)
                )
                continue
            values[i], currencies[i] = result
        elif cell == cell:
            values[i] = float(cell)
    return values, currencies


def _key_columns(header: list, canonical: list[str | None]) -> tuple[dict[str, int], list[Problem]]:
    positions: dict[str, int] = {}
    problems = []
    for index, canon in enumerate(canonical):
        if canon is None:
            continue
        if canon in positions:
            problems.append(Problem(f"a second {canon} column ({header[index]}) was ignored.", "warning", None,
                                    str(header[index])))  # fmt: skip
            continue
        positions[canon] = index
    return positions, problems


def _cell(row: list, index: int | None):
    return row[index] if index is not None and index < len(row) else None


def _row_keys(row: list, positions: dict[str, int], names: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _text(_cell(row, positions.get(name))) for name in names}


def _skip_row(row, keys, row_number, problems, totals: _Totals, amount_cells: list) -> bool:
    """Empty rows, total rows (see :class:`_Totals`) and the template's example row are skipped
    (the last two noted: a total as info, a label that only looks like one and sums the rows above
    as a warning)."""
    if all(is_empty(c) for c in row):
        return True
    kind, label = totals.kind(keys)
    amounts = _loose_amounts(amount_cells) if kind else []
    if kind in ("exact", "named"):
        problems.append(Problem("a subtotal/total row was excluded (totals are computed from the lines).", "info",
                                row_number, None, label))  # fmt: skip
        totals.block.clear()
        return True
    if kind == "prefix" and totals.sums_rows_above(keys, amounts):
        problems.append(Problem(
            f"{label} looks like a subtotal (its amounts equal the sum of the rows above) and was excluded; if it is "
            "a real line, give it a name that does not start with a total word.", "warning", row_number, None,
            label))  # fmt: skip
        totals.block.clear()
        return True
    if kind == "prefix" and label not in totals.kept_labels:
        totals.kept_labels.add(label)
        problems.append(Problem(f"{label} starts with a total word but is not a subtotal; it was loaded as a line.",
                                "info", row_number, None, label))  # fmt: skip
    if keys.get("project_id") and keys["project_id"].upper() == EXAMPLE_PROJECT:
        problems.append(Problem("the template's example row was skipped.", "info", row_number, "project_id"))
        return True
    totals.add(keys, amounts or _loose_amounts(amount_cells))
    return False


def _parse_long(rows: list[list], start: int, sheet: str | None, file_name: str):
    header = rows[start]
    positions, problems = _key_columns(header, _canonical(header))
    rejected = 0
    records, numbers, amount_cells = [], [], {a: [] for a in AMOUNTS}
    totals = _Totals()
    amount_at = [positions.get(a) for a in (*AMOUNTS, "amount")]
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        keys = _row_keys(row, positions, ("project_id", "cost_category", "vendor", "period", "measure"))
        if _skip_row(row, keys, offset, problems, totals, [_cell(row, i) for i in amount_at]):
            continue
        if not keys["project_id"]:
            problems.append(Problem("the row has no project_id; it was not loaded.", "error", offset, "project_id"))
            rejected += 1
            continue
        raw_period = _cell(row, positions["period"])
        try:
            period = parse_month(raw_period)
        except ValueError as err:
            period, reason = None, str(err)
        else:
            reason = "the period is empty"
        if period is None:
            problems.append(Problem(f"{reason}; the row was not loaded (write the month as 2026-03 or Mar-26).",
                                    "error", offset, "period", _text(raw_period)))  # fmt: skip
            rejected += 1
            continue
        cells = {amount: _cell(row, positions.get(amount)) for amount in AMOUNTS}
        if "amount" in positions and "measure" in positions:  # long with a Measure and an Amount column
            raw_measure = _text(_cell(row, positions["measure"]))
            measure = MEASURES.get(normalize_header(raw_measure)) if raw_measure else None
            if measure is None:
                computed = raw_measure and normalize_header(raw_measure) in COMPUTED_MEASURES
                problems.append(Problem(
                    f"{raw_measure} rows are computed by the app; the row was skipped." if computed else
                    "the measure is not Budget, Actual, Forecast or Committed; the row was not loaded.",
                    "info" if computed else "error", offset, "measure", raw_measure))  # fmt: skip
                rejected += 0 if computed else 1
                continue
            cells[measure] = _cell(row, positions["amount"])
        records.append({"project_id": keys["project_id"], "period": period, "cost_category": keys["cost_category"],
                        "vendor": keys["vendor"], "currency": _text(_cell(row, positions.get("currency")))})  # fmt: skip
        numbers.append(offset)
        for amount in AMOUNTS:
            amount_cells[amount].append(cells[amount])
    frame = pd.DataFrame(records, columns=["project_id", "period", "cost_category", "vendor", "currency"])
    seen_currency: list[str | None] = [None] * len(frame)
    for amount in AMOUNTS:
        values, currencies = _amounts(amount_cells[amount], numbers, amount, problems)
        frame[amount] = pd.array(values, dtype="Float64").astype("float64")
        seen_currency = [a or b for a, b in zip(seen_currency, currencies)]
    frame["currency"] = [c.upper() if isinstance(c, str) and c else s for c, s in zip(frame["currency"], seen_currency)]
    frame["row_number"] = numbers
    return frame[list(COLUMNS)], problems, rejected


def _parse_wide(rows: list[list], start: int, sheet: str | None, file_name: str):
    header = rows[start]
    canonical = _canonical(header)
    positions, problems = _key_columns(header, canonical)
    sheet_measure = _sheet_measure(sheet)
    if "measure" not in positions and not sheet_measure:
        raise Refused(
            f"{file_name}: the sheet{' ' + sheet if sheet else ''} has month columns but no Measure column saying "
            "which rows are Budget, Actual, Forecast or Committed. Add that column (or download the template)."
        )
    months: dict[int, dt.date] = {}
    seen: dict[dt.date, str] = {}
    for index, cell in enumerate(header):
        if canonical[index] is not None or is_empty(cell):
            continue
        if _is_month(cell):
            month = parse_month(cell)
            if month in seen:
                problems.append(Problem(f"the month {month:%b-%y} appears twice ({seen[month]} and {_text(cell)}); "
                                        "the second column was ignored.", "warning", start + 1, _text(cell)))  # fmt: skip
                continue
            seen[month] = _text(cell)
            months[index] = month
        else:
            kind = "a total/subtotal column" if _AGGREGATE_HEADER.match(str(cell)) else "not a month or a known column"
            problems.append(Problem(f"the column {_text(cell)} is {kind}; it was ignored.", "info", start + 1,
                                    _text(cell)))  # fmt: skip
    rejected = 0
    keys_out, measures, numbers, cells = [], [], [], []
    totals = _Totals()
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        keys = _row_keys(row, positions, ("project_id", "cost_category", "vendor", "measure"))
        if _skip_row(row, keys, offset, problems, totals, [_cell(row, i) for i in months]):
            continue
        if not keys["project_id"]:
            problems.append(Problem("the row has no project_id; it was not loaded.", "error", offset, "project_id"))
            rejected += 1
            continue
        raw_measure = keys.get("measure")
        measure = MEASURES.get(normalize_header(raw_measure)) if raw_measure else sheet_measure
        if measure is None:
            if raw_measure and normalize_header(raw_measure) in COMPUTED_MEASURES:
                problems.append(Problem(f"{raw_measure} rows are computed by the app; the row was skipped.", "info",
                                        offset, "measure", raw_measure))  # fmt: skip
            else:
                problems.append(Problem("the measure is not Budget, Actual, Forecast or Committed; the row was not loaded.",
                                        "error", offset, "measure", raw_measure))  # fmt: skip
                rejected += 1
            continue
        keys_out.append((keys["project_id"], keys["cost_category"], keys["vendor"],
                         _text(_cell(row, positions.get("currency")))))  # fmt: skip
        measures.append(measure)
        numbers.append(offset)
        cells.append([_cell(row, i) for i in months])
    # Melt the month cells (all rows at once) and pivot the measures into columns.
    month_list = list(months.values())
    flat_cells = [c for row_cells in cells for c in row_cells]
    flat_numbers = [n for n in numbers for _ in month_list]
    values, currencies = _amounts(flat_cells, flat_numbers, "amount", problems)
    n = len(month_list)
    long = pd.DataFrame(
        {
            "row_number": flat_numbers,
            "project_id": [k[0] for k in keys_out for _ in range(n)],
            "cost_category": [k[1] for k in keys_out for _ in range(n)],
            "vendor": [k[2] for k in keys_out for _ in range(n)],
            "currency": [(k[3].upper() if k[3] else None) for k in keys_out for _ in range(n)],
            "seen_currency": currencies,
            "measure": [m for m in measures for _ in range(n)],
            "period": month_list * len(measures),
            "value": pd.array(values, dtype="Float64").astype("float64"),
        }
    )
    line_keys = ["project_id", "cost_category", "vendor", "currency"]
    seen = long.groupby(line_keys, dropna=False)["seen_currency"].transform("first")
    long["currency"] = long["currency"].fillna(seen)
    long = long[long["value"].notna()].drop(columns="seen_currency")
    keys = ["project_id", "period", "cost_category", "vendor", "currency"]
    if long.empty:
        return pd.DataFrame(columns=list(COLUMNS)), problems, rejected
    wide = long.pivot_table(index=keys, columns="measure", values="value", aggfunc="sum", dropna=False,
                            observed=True)  # fmt: skip
    first_row = long.groupby(keys, dropna=False)["row_number"].min()
    wide = wide.dropna(how="all").join(first_row).reset_index()
    wide.columns.name = None
    for amount in AMOUNTS:
        if amount not in wide.columns:
            wide[amount] = float("nan")
    frame = wide.sort_values(["row_number", "period"], kind="stable").reset_index(drop=True)
    frame["row_number"] = frame["row_number"].astype("int64")
    return frame[list(COLUMNS)], problems, rejected


def _merge_measures(lines: pd.DataFrame) -> pd.DataFrame:
    """Wide sheets holding one measure each (Budget, Actuals ...) -> one line per key and month."""
    keys = ["project_id", "period", "cost_category", "vendor", "currency"]
    grouped = lines.groupby(keys, dropna=False, sort=False)
    merged = grouped[list(AMOUNTS)].sum(min_count=1).join(grouped["row_number"].min()).reset_index()
    return merged[list(COLUMNS)]


def _fill_currency(lines: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """A project with one currency gets it on its lines left blank; a project with several is
    reported (its amounts are never summed across currencies without a rate table)."""
    if lines.empty:
        return lines.reset_index(drop=True)
    lines = lines.reset_index(drop=True)
    lines["currency"] = lines["currency"].astype(object).where(lines["currency"].notna(), None)
    known = lines.dropna(subset=["currency"]).groupby("project_id")["currency"].unique()
    for project_id, currencies in known.items():
        if len(currencies) == 1:
            blank = (lines["project_id"] == project_id) & lines["currency"].isna()
            lines.loc[blank, "currency"] = currencies[0]
        else:
            names = ", ".join(sorted(currencies))
            problems.append(Problem(
                f"project {project_id} has lines in {len(currencies)} currencies ({names}); they are kept apart and "
                "never summed without a rate table.", "warning", None, "currency", names))  # fmt: skip
    return lines
