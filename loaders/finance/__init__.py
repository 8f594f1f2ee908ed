"""Finance workbooks as finance teams keep them: budget, actuals, forecast and commitments.

``parse(data, file_name, mapping=None)`` finds the table(s) in any sheet (:mod:`.tables`), knows the
columns in six languages (:mod:`.columns`), reads the layout (:mod:`.layouts`: wide month grid,
long ledger or periodic, register, hierarchical), the periods (:mod:`.periods`), excludes and
cross-checks totals (:mod:`.totals`) and aggregates to ``budget_lines``: one row per project ×
month × cost category × vendor × currency with ``budget, actual, forecast, committed``. A
measure the file does not hold stays NULL (never 0), so a budget-only and an actuals-only upload
of the same project each say only what they know. Large delimited ledgers are aggregated in
DuckDB (:mod:`.ledger_sql`).

Project: the mapping's ``project_id`` (the upload's project), else a project / WBS / cost object
column, else a department or cost-centre column, else a project-name column, else the file name
(a warning). Income lines (an ``Income:`` section, categories such as Revenue / Ingresos / Erlöse)
are kept out of ``budget_lines``; their sums are in ``meta["income"]`` and an info problem. Several
currencies stay apart (currency is part of each line's key). When the roles or the layout cannot
be decided the loader raises :class:`loaders.base.NeedsMapping` naming the ``--map`` options.

``mapping`` (all optional): role -> column name (roles in :data:`.mapping.ROLES`), ``sheet``,
``header_row`` (1-based), ``layout`` (wide | long | register), ``measure`` (for an Amount column or a
month grid without one), ``year`` (for months written without a year), ``fy_start_month``, and
``project_id`` (a column name, or else the project every line belongs to).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.finance import ledger_sql
from loaders.finance.columns import MEASURES, header_key, measure_in_name, role_of
from loaders.finance.layouts import (
    EXAMPLE_PROJECT,
    Context,
    TableRead,
    layout_of,
    positions_of,
    project_key_note,
    read_table,
)
from loaders.finance.mapping import ROLES, mapping_for, needs_mapping, shape_key
from loaders.finance.periods import last_day, parse_month
from loaders.finance.tables import HEADER_SEARCH_ROWS, Grid, Header, find_header, read_grids, text, title_totals
from loaders.finance.totals import close
from loaders.tabular import read_delimited
from loaders.values import parse_number

SOURCE = "finance"
ACCEPTS_MAPPING = True
AMOUNTS = MEASURES
COLUMNS = ("project_id", "period", "cost_category", "vendor", *AMOUNTS, "currency", "row_number")
KEYS = ["project_id", "period", "cost_category", "vendor", "currency"]

__all__ = [
    "ACCEPTS_MAPPING",
    "AMOUNTS",
    "COLUMNS",
    "EXAMPLE_PROJECT",
    "ROLES",
    "SOURCE",
    "mapping_for",
    "parse",
    "parse_month",
    "sniff",
]

_REGISTER_WORDS = {"program", "programme", "portfolio", "manager", "sponsor", "jira keys", "jira key", "stage"}
#: Headers of other file kinds that also carry money: a plan's schedule, a contract or risk register.
_OTHER_KIND_WORDS = {
    "duration",
    "finish",
    "finish date",
    "% complete",
    "percent complete",
    "predecessors",
    "outline level",
    "baseline start",
    "baseline finish",
    "resource names",
    "milestone",
    "work",
    "contract",
    "contract id",
    "contract number",
    "po number",
    "purchase order",
    "risk id",
    "likelihood",
    "probability",
    "impact",
    "severity",
    "issue key",
    "issue id",
    "issue type",
    "summary",
    "sprint",
    "story points",
    "assignee",
}


def _names(cells: list) -> set[str]:
    return {str(c).strip().casefold().replace("_", " ") for c in cells if isinstance(c, str)}


def _is_finance_header(cells: list) -> bool:
    roles = {role_of(c) for c in cells} - {None}
    money = roles & {"budget", "actual", "forecast", "eac", "committed", "amount", "quantity_budget", "quantity_actual"}
    dims = roles & {
        "project_id",
        "department",
        "period",
        "posting_date",
        "fiscal_year",
        "cost_category",
        "vendor",
        "wbs_code",
        "measure",
    }
    names = _names(cells)
    if names & _REGISTER_WORDS and not roles & {"period", "posting_date", "fiscal_year", "actual", "measure"}:
        return False  # a portfolio register (project, name, program, manager, budget)
    if len(names & _OTHER_KIND_WORDS) >= 1 and not roles & {"period", "posting_date", "fiscal_year"}:
        return False
    return bool(money and dims)


MONEY_SAMPLE_ROWS = 200  # a month grid's money is judged from the rows under its header
SNIFF_ROWS = HEADER_SEARCH_ROWS + 1 + MONEY_SAMPLE_ROWS  # the header's rows, then that sample


def sniff(sample: Sample) -> bool:
    if sample.is_ole2:
        return False
    try:
        grids = read_grids(sample.data, sample.file_name, sample.workbook, SNIFF_ROWS) if sample.is_zip else None
    except Exception:
        return False
    if grids is None:
        text_head = sample.text_head
        if not text_head:
            return False
        from loaders.tabular import read_delimited

        try:
            grids = [Grid(None, read_delimited(text_head[:20000].encode("utf-8"))[0])]
        except Exception:
            return False
    for grid in grids:
        if any(len(_names(row) & _OTHER_KIND_WORDS) >= 2 for row in grid.rows[:10]):
            continue  # a Jira export, a plan or a risk/contract register that also carries numbers
        header = find_header(grid.rows)
        if header is None or _other_kind(header.cells):
            continue
        if len(header.months) >= 2:
            if _has_key(header) and _money_grid(grid, header, sample.file_name):
                return True
        elif _is_finance_header(header.cells):
            return True
    return False


_OTHER_KIND_TOKENS = {
    "invoiced",
    "amendment",
    "rationale",
    "tender",
    "procurement",
    "contract",
    "contracts",
    "headcount",
    "fte",
    "persons",
    "capacity",
    "likelihood",
}


def _other_kind(cells: list) -> bool:
    """A header of another file kind that also has money or months: a PO/contract register (PO value,
    invoiced, amendment), a headcount or capacity plan."""
    keys = [header_key(c) for c in cells if isinstance(c, str)]
    return any(set(k.split()) & _OTHER_KIND_TOKENS or "po value" in k for k in keys)


def _money_grid(grid: Grid, header: Header, file_name: str) -> bool:
    """A month grid holds money when it says so (a Measure column, Budget | Actual under the months,
    a measure in the sheet's or file's name, a currency in a header) or its cells look like money
    (amounts of 100 or more, or cents), not counts of people."""
    if header.measures or "measure" in header.roles or header.currency:
        return True
    if measure_in_name(grid.sheet) or measure_in_name(file_name):
        return True
    values = [
        c
        for r in grid.rows[header.last + 1 : header.last + MONEY_SAMPLE_ROWS]
        for i, c in enumerate(r)
        if i in header.months and isinstance(c, int | float) and not isinstance(c, bool)
    ]
    texts = [
        c
        for r in grid.rows[header.last + 1 : header.last + MONEY_SAMPLE_ROWS]
        for i, c in enumerate(r)
        if i in header.months and isinstance(c, str) and c.strip()
    ]
    for text_cell in texts:
        try:
            values.append(parse_number(text_cell) or 0.0)
        except ValueError:
            continue
    return any(abs(v) >= 100 or round(v, 2) != round(v) for v in values)


def _has_key(header: Header) -> bool:
    return bool(set(header.roles) & {"project_id", "department", "cost_category", "vendor", "measure"}) or any(
        c and header.roles[i] is None and i not in header.months for i, c in enumerate(header.cells)
    )


# -- parsing -----------------------------------------------------------------------------------


def parse(data: bytes, file_name: str, mapping: dict | None = None) -> Parsed:
    """Read a finance workbook or delimited file into ``budget_lines`` (see the module docstring)."""
    mapping = {k: v for k, v in (mapping or {}).items() if v not in (None, "")}
    if (
        data[:4] != b"PK\x03\x04"
        and len(data) >= ledger_sql.SQL_MIN_BYTES
        and (big := _large(data, file_name, mapping))
    ):
        return big
    grids = read_grids(data, file_name)
    if mapping.get("sheet"):
        grids = [g for g in grids if g.sheet == mapping["sheet"]] or _no_sheet(file_name, mapping["sheet"], grids)
    ctx = Context(file_name, mapping, fy_start=int(mapping.get("fy_start_month", 1) or 1))
    tables = [(grid, _header(grid, mapping)) for grid in grids]
    tables = [(g, h) for g, h in tables if h is not None]
    given = mapping.get("project_id")
    if given and not any(given.casefold() in {c.casefold() for c in h.cells} for _, h in tables):
        ctx.project = str(given)
    if not tables:
        missing = [f"{v} for {k}" for k, v in mapping.items() if k in ROLES and k != "project_id"]
        reason = (
            f"the mapping names the column {missing[0]}, but the file has no such column."
            if missing
            else "no table with finance columns (budget, actual, amount ... with a project, period or category) "
            "was found."
        )
        raise needs_mapping(
            file_name, grids[0] if grids else Grid(None, []), None, reason, {}, [g.sheet for g in grids if g.sheet]
        )
    _check_mapping(mapping, tables, file_name, [g.sheet for g in grids if g.sheet])
    _decide_year(ctx, grids, file_name)
    problems: list[Problem] = []
    reads: list[TableRead] = []
    for grid, header in tables:
        _ask_if_undecided(grid, header, ctx, [g.sheet for g in grids if g.sheet])
        read = read_table(grid, header, ctx)
        if read is not None:
            read.meta["shape"] = shape_key(grid.sheet, header.cells)
            read.meta["headline"] = title_totals(grid.rows, header)
            reads.append(read)
    if not reads:
        grid, header = tables[0]
        raise needs_mapping(
            file_name,
            grid,
            header,
            "the columns do not say which hold amounts.",
            {},
            [g.sheet for g in grids if g.sheet],
        )
    kept = _choose(reads, problems, len(grids) > 1)
    return _assemble(kept, problems, ctx, file_name)


def _check_mapping(mapping: dict, tables: list[tuple[Grid, Header]], file_name: str, sheets: list[str]) -> None:
    """A mapping naming an unknown role or a column the file does not have is refused, not ignored."""
    from loaders.finance.mapping import OPTIONS

    unknown = sorted(set(mapping) - set(ROLES) - set(OPTIONS))
    if unknown:
        raise Refused(f"{file_name}: --map {unknown[0]} is not a role this loader knows (roles: {', '.join(ROLES)}).")
    cells = {c.casefold() for _, h in tables for c in h.cells if c}
    for role, column in mapping.items():
        if role == "measure" and column in MEASURES:
            continue  # the measure every amount holds, not a Measure column
        if role in ROLES and role != "project_id" and str(column).casefold() not in cells:
            grid, header = tables[0]
            raise needs_mapping(
                file_name,
                grid,
                header,
                f"the mapping names the column {column} for {role}, but the file has no such column.",
                {},
                sheets,
            )


def _large(data: bytes, file_name: str, mapping: dict) -> Parsed | None:
    """A large delimited file whose table is a plain long ledger: aggregated in DuckDB."""
    head = data[: 1 << 18]
    head = head[: head.rfind(b"\n") + 1] or head
    rows, _encoding, delimiter = read_delimited(head)
    grid = Grid(None, rows, delimiter)
    header = _header(grid, mapping)
    if header is None:
        return None
    positions, problems = positions_of(header, mapping)
    if not ledger_sql.eligible(header, positions, layout_of(header, positions, mapping) or ""):
        return None
    ctx = Context(file_name, mapping, fy_start=int(mapping.get("fy_start_month", 1) or 1))
    _check_mapping(mapping, [(grid, header)], file_name, [])
    given = mapping.get("project_id")
    if given and given.casefold() not in {c.casefold() for c in header.cells}:
        ctx.project = str(given)
    _decide_year(ctx, [grid], file_name)
    read = ledger_sql.read_large(data, header, positions, ctx, delimiter, rows)
    note = project_key_note(header, positions, ctx)
    read.problems = problems + ([note] if note else []) + read.problems
    read.meta["shape"] = shape_key(None, header.cells)
    kept = _choose([read], [], False)
    return _assemble(kept, list(read.problems), ctx, file_name)


def _no_sheet(file_name: str, sheet: str, grids: list[Grid]):
    names = ", ".join(g.sheet for g in grids if g.sheet)
    raise Refused(f"{file_name}: there is no sheet named {sheet} (sheets: {names}).")


def _header(grid: Grid, mapping: dict) -> Header | None:
    """The header: the mapping's ``header_row``, else the first row holding every column the mapping
    names, else the row the header finder picks."""
    row = mapping.get("header_row")
    named = {str(v).casefold() for k, v in mapping.items() if k in ROLES and isinstance(v, str)}
    if not row and named:
        row = next(
            (
                i + 1
                for i, r in enumerate(grid.rows[:40])
                if named & {str(c).strip().casefold() for c in r if isinstance(c, str)}
            ),
            None,
        )
    if not row:
        return find_header(grid.rows)
    index = int(row) - 1
    if not 0 <= index < len(grid.rows):
        return None
    found = find_header(grid.rows[index:])
    if found is not None and found.first == 0:
        found.first += index
        found.last += index
        return found
    cells = [text(c) or "" for c in grid.rows[index]]
    return Header(index, index, cells, [role_of(c) for c in cells])


def _ask_if_undecided(grid: Grid, header: Header, ctx: Context, sheets: list[str]) -> None:
    """A month grid that does not say its measure (no Measure column, no two-row header, no telling
    sheet or file name, no mapping) cannot be read: ask."""
    if len(header.months) < 2 or header.measures or "measure" in header.roles or "measure" in ctx.mapping:
        return
    if ctx.mapping.get("layout") not in (None, "wide"):
        return
    if measure_in_name(grid.sheet) or measure_in_name(ctx.file_name):
        return
    suggested = {"measure": "budget"}
    raise needs_mapping(
        ctx.file_name,
        grid,
        header,
        "the sheet has month columns but no Measure column, and neither the sheet nor the file "
        "name says whether they hold Budget, Actual, Forecast or Committed.",
        suggested,
        sheets,
    )


_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _decide_year(ctx: Context, grids: list[Grid], file_name: str) -> None:
    """The year for months written without one: the mapping, the dates elsewhere in the file,
    the file's name, else the current year (a warning)."""
    if ctx.mapping.get("year"):
        ctx.year, ctx.year_reason = int(ctx.mapping["year"]), "the mapping gives it"
        return
    years: dict[int, int] = {}
    for grid in grids:
        for row in grid.rows[:5000]:
            for cell in row:
                if isinstance(cell, dt.date):
                    years[cell.year] = years.get(cell.year, 0) + 1
    if years:
        ctx.year = max(years, key=years.get)
        ctx.year_reason = f"the dates elsewhere in the file are in {ctx.year}"
    elif found := _YEAR_IN_NAME.findall(Path(file_name).stem):
        ctx.year, ctx.year_reason = int(found[-1]), "the file's name says so"
    else:
        ctx.year = dt.date.today().year
        ctx.year_reason = "nothing in the file says the year, so the current year was assumed (--map year=YYYY)"


def _choose(reads: list[TableRead], problems: list[Problem], several: bool) -> list[TableRead]:
    """Keep every dated table; an undated table (a summary or register) only when no kept table
    already gives its measures, and of several undated ones holding the same measures the most
    credible (non-zero, more roles)."""
    dated = [r for r in reads if r.has_period]
    covered = set().union(*(r.measures for r in dated)) if dated else set()
    kept = list(dated)
    for read in sorted((r for r in reads if not r.has_period), key=lambda r: r.weight, reverse=True):
        if read.measures and read.measures <= covered:
            where = f"sheet {read.sheet}" if read.sheet else "the table"
            problems.append(
                Problem(
                    f"{where} repeats {', '.join(sorted(read.measures))} that other sheets give by "
                    "period (a summary); it was not loaded.",
                    "info",
                )
            )
            continue
        kept.append(read)
        covered |= read.measures
    for read in kept:
        where = f"sheet {read.sheet}: " if several and read.sheet else ""
        problems += [_prefixed(p, where) for p in read.problems]
    return kept


def _prefixed(problem: Problem, where: str) -> Problem:
    if not where:
        return problem
    return Problem(where + problem.message, problem.severity, problem.row_number, problem.column_name, problem.value)


def _assemble(kept: list[TableRead], problems: list[Problem], ctx: Context, file_name: str) -> Parsed:
    postings = pd.concat([r.postings for r in kept], ignore_index=True)
    named = {r.meta["currency"] for r in kept if r.meta.get("currency")}
    if len(named) == 1:  # "Figures in USD" on one sheet of a workbook names the currency of all of them
        postings["currency"] = postings["currency"].fillna(named.pop())
    fallback = _fallback_project(postings, ctx, file_name, problems)
    if fallback:
        postings["project_id"] = postings["project_id"].fillna(fallback)
    if ctx.income_categories:
        known = postings["cost_category"].fillna("").str.casefold().isin(ctx.income_categories)
        postings["income"] = postings["income"] | known
    income = postings[postings["income"]]
    costs = postings[~postings["income"]]
    meta: dict = {
        "layout": ", ".join(sorted({r.meta.get("kind", r.layout) for r in kept})),
        "shape": kept[0].meta["shape"],
        "sheets": [r.sheet for r in kept if r.sheet],
    }
    _notes(kept, income, costs, ctx, problems, meta)
    _negative_costs(costs, problems)
    lines = aggregate(costs)
    lines = _fill_currency(lines, problems)
    rejected = sum(r.rejected for r in kept)
    if lines.empty and income.empty:
        raise Refused(
            f"{file_name}: the finance workbook has no budget lines (every row was empty, a total or rejected)."
        )
    actual = lines.loc[lines["actual"].fillna(0).ne(0) & lines["period"].notna(), "period"]
    dated = any(r.layout != "register" for r in kept)  # a register's start months say nothing of "to date"
    as_of = last_day(max(actual)) if dated and not actual.empty else None
    meta["project_ids"] = sorted(lines["project_id"].dropna().unique().tolist())
    meta["currencies"] = sorted(lines["currency"].dropna().unique().tolist())
    return Parsed(
        SOURCE,
        f"Finance workbook ({meta['layout']})",
        {"budget_lines": lines},
        problems,
        as_of=as_of,
        rows_rejected=rejected,
        meta=meta,
    )


def _fallback_project(postings: pd.DataFrame, ctx: Context, file_name: str, problems: list[Problem]) -> str | None:
    if not postings["project_id"].isna().any():
        return None
    from loaders.ingest import slug

    project = slug(Path(file_name).stem)
    problems.append(
        Problem(
            f"the file has no project, WBS or cost-centre column and no project was given, so its "
            f"lines were stored under project {project} (from the file name); give the project "
            "with --project or map a column with --map project_id=COLUMN.",
            "warning",
            value=project,
        )
    )
    return project


def _notes(
    kept: list[TableRead], income: pd.DataFrame, costs: pd.DataFrame, ctx: Context, problems: list[Problem], meta: dict
) -> None:
    """Info and warnings about the whole upload: year assumed, granularity, income, quantities, headline totals."""
    if any("year_from" in r.meta for r in kept):
        severity = "warning" if "assumed" in ctx.year_reason else "info"
        problems.append(Problem(f"months written without a year were read as {ctx.year}: {ctx.year_reason}.", severity))
    grains = {r.meta["granularity"] for r in kept if "granularity" in r.meta}
    for grain in sorted(grains):
        what = "a whole fiscal year" if grain == "year" else "a quarter"
        problems.append(
            Problem(f"some periods give {what}, not a month: the amounts were put in its first month.", "info")
        )
    if not income.empty:
        sums = income.groupby([income["currency"].fillna(""), "measure"])["value"].sum()
        meta["income"] = {
            cur or "": {m: round(float(v), 2) for (c, m), v in sums.items() if c == cur}
            for cur in sums.index.get_level_values(0).unique()
        }
        names = ", ".join(sorted(income["cost_category"].dropna().unique())[:6])
        shown = "; ".join(f"{m} {v:,.2f}" for (c, m), v in sums.items())
        problems.append(
            Problem(
                f"{len(income)} income amounts ({names}) are not costs: they were kept out of budget "
                f"and actual ({shown}).",
                "info",
            )
        )
    quantities = [r.meta["quantities"] for r in kept if "quantities" in r.meta]
    if quantities:
        meta["quantities"] = {k: sum(q.get(k, 0.0) for q in quantities) for k in {k for q in quantities for k in q}}
    statuses = [r.meta["statuses"] for r in kept if "statuses" in r.meta]
    if statuses:
        meta["statuses"] = {k: sum(s.get(k, 0) for s in statuses) for k in {k for s in statuses for k in s}}
    for read in kept:
        _check_headline(read, problems)


def _check_headline(read: TableRead, problems: list[Problem]) -> None:
    headline = read.meta.get("headline") or []
    if not headline:
        return
    lines = float(read.postings["value"].sum())
    if any(close(value, lines) for _, value in headline):
        return
    row, value = headline[0]
    others = ", ".join(f"{v:,.2f}" for _, v in headline[1:])
    problems.append(
        Problem(
            f"the file's own total (row {row}) says {value:,.2f}{' (' + others + ')' if others else ''}"
            f" but its lines add up to {lines:,.2f}; the lines were loaded.",
            "warning",
            row,
            None,
            f"{value:,.2f}",
        )
    )
    read.meta["headline_total"] = value


def _negative_costs(costs: pd.DataFrame, problems: list[Problem]) -> None:
    """One warning for the cost postings below zero (credits and reversals are real, a sign typo is
    too): how many, per measure, and the first rows, so they can be checked; they are kept."""
    negative = costs[pd.to_numeric(costs["value"], errors="coerce") < 0]
    if negative.empty:
        return
    measures = ", ".join(f"{n:,} {m}" for m, n in negative["measure"].value_counts().sort_index().items())
    rows = pd.to_numeric(negative["row_number"], errors="coerce").dropna().astype(int).sort_values().unique()
    shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
    first = int(rows[0]) if len(rows) else None
    problems.append(
        Problem(
            f"{len(negative):,} cost amount(s) are negative ({measures}){f', on rows {shown}' if shown else ''}: kept as "
            "written (credits or reversals lower the totals). Check them if your system does not write reversals.",
            "warning",
            first,
            None,
            None,
        )
    )


def aggregate(postings: pd.DataFrame) -> pd.DataFrame:
    """Postings -> one line per project × month × category × vendor × currency, one column per
    measure (NULL where no posting of that measure exists: never 0)."""
    if postings.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in AMOUNTS else object) for c in COLUMNS})
    columns = {"row_number": pd.to_numeric(postings["row_number"]).astype("float64")}
    for amount in AMOUNTS:
        columns[amount] = postings["value"].where(postings["measure"] == amount)
    frame = postings[KEYS].assign(**columns)
    grouped = frame.groupby(KEYS, dropna=False, sort=False)
    sums = grouped[list(AMOUNTS)].sum()
    lines = sums.where(grouped[list(AMOUNTS)].count() > 0)  # same groups, same order: no join
    lines["row_number"] = grouped["row_number"].min()
    lines = lines.reset_index()
    lines = lines.sort_values(["row_number", "period"], kind="stable", na_position="last").reset_index(drop=True)
    lines["row_number"] = lines["row_number"].astype("Int64")  # NULL for lines aggregated in DuckDB
    return lines[list(COLUMNS)]


def _fill_currency(lines: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """A project with one currency gets it on its lines left blank; a project with several is
    reported (its amounts are never summed across currencies without a rate table)."""
    if lines.empty:
        return lines
    lines["currency"] = lines["currency"].astype(object).where(lines["currency"].notna(), None)
    known = lines.dropna(subset=["currency"]).groupby("project_id")["currency"].unique()
    single = {p: c[0] for p, c in known.items() if len(c) == 1}
    blank = lines["currency"].isna()
    filled = lines.loc[blank, "project_id"].map(single)
    lines.loc[blank, "currency"] = filled.astype(object).where(filled.notna(), None)
    for project_id, currencies in known.items():
        if len(currencies) > 1:
            names = ", ".join(sorted(currencies))
            problems.append(
                Problem(
                    f"project {project_id} has lines in {len(currencies)} currencies ({names}); they are kept apart and "
                    "never summed without a rate table.",
                    "warning",
                    None,
                    "currency",
                    names,
                )
            )
    return lines
