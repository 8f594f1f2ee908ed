"""Large delimited ledgers aggregated in DuckDB (an in-memory engine, not the app's database).

A ledger of a million postings is read once by DuckDB's ``read_csv`` and grouped by the key
columns as written (project, period text, category, vendor, currency, measure) with the amounts
summed in SQL; only the groups (thousands, not millions) come back to Python, where the same
grammar as the row-by-row reader applies: periods through :func:`~.periods.parse_period`, total
and example rows excluded, income flagged. Amount texts DuckDB cannot cast (``1.234,50``,
``(1,234)``, ``€12``, ``-``) are parsed once per distinct text by :class:`~.amounts.AmountReader`
and joined back; a decimal-comma column is normalised in SQL first.

Used by :func:`loaders.finance.parse` for text files of at least :data:`SQL_MIN_BYTES` whose table
is a plain long layout (one header row, no WBS hierarchy).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile

import duckdb
import numpy as np
import pandas as pd

from loaders.base import Problem, Refused
from loaders.encoding import decide
from loaders.finance.amounts import AmountReader, column_decimal
from loaders.finance.columns import is_computed, measure_in_name, measure_word
from loaders.finance.layouts import EXAMPLE_PROJECT, POSTING_COLUMNS, Context, TableRead
from loaders.finance.periods import (
    fiscal_year_start,
    month_without_year,
    parse_fiscal_year,
    parse_month,
    parse_period,
)
from loaders.finance.tables import Header
from loaders.finance.totals import SAP_MARKER, TOTAL_EXACT, is_income_label
from loaders.tabular import decode

SQL_MIN_BYTES = 8 << 20
KEY_SOURCES = {
    "project": ("project_id", "department", "project_name"),
    "period": ("posting_date", "period"),
    "fiscal_year": ("fiscal_year",),
    "category": ("cost_category",),
    "vendor": ("vendor",),
    "currency": ("currency",),
    "measure": ("measure",),
}
MONEY = ("budget", "actual", "forecast", "committed", "amount")


def eligible(header: Header, positions: dict[str, int], layout: str) -> bool:
    return layout == "long" and header.first == header.last and "wbs_code" not in positions and not header.months


def _scratch_dir(size: int) -> str | None:
    try:
        stats = os.statvfs("/dev/shm")
    except (OSError, AttributeError):
        return None
    return "/dev/shm" if stats.f_bavail * stats.f_frsize > 3 * size + (256 << 20) else None


def read_large(
    data: bytes, header: Header, positions: dict[str, int], ctx: Context, delimiter: str, head_rows: list[list]
) -> TableRead:
    """Read the whole ledger in DuckDB and return its postings (one per group and measure)."""
    encoding = decode(data[:65536])[1]
    payload = decide(data).text.encode("utf-8") if encoding not in ("utf-8", "utf-8-sig") else data
    with tempfile.TemporaryDirectory(prefix="finance-", dir=_scratch_dir(len(payload))) as tmpdir:
        path = os.path.join(tmpdir, "ledger.csv")
        with open(path, "wb") as fh:
            fh.write(payload)
        con = duckdb.connect(config={"temp_directory": tmpdir})
        try:
            con.execute("SET enable_progress_bar = false")
            return _read(con, path, header, positions, ctx, delimiter, head_rows[header.last + 1 :])
        finally:
            con.close()


def _read(
    con, path: str, header: Header, positions: dict[str, int], ctx: Context, delimiter: str, sample: list[list]
) -> TableRead:
    """One scan of the file: group by the keys (and by any amount text SQL cannot cast), sum the rest."""
    width = len(header.cells)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    source = (
        f"read_csv('{path}', header=false, skip={header.last + 1}, auto_detect=false, columns={columns}, "
        f"delim='{delimiter}', quote='\"', escape='\"', null_padding=true, ignore_errors=true, "
        "store_rejects=true)"
    )
    keys = {name: next((positions[r] for r in roles if r in positions), None) for name, roles in KEY_SOURCES.items()}
    money = [(positions[r], r) for r in MONEY if r in positions]
    decimals = {c: column_decimal([r[c] for r in sample if c < len(r)]) for c, _ in money}
    raw, inner, outer = [], [], []
    for name, col in keys.items():
        inner.append(_key_sql(name, col))
        outer += ["k_month"] if name == "period" else []
        outer.append(f"nullif(trim(k_{name}), '') AS k_{name}")
    raw += [f"c{c}" for c in sorted({c for c in keys.values() if c is not None})]
    if keys["period"] is not None:
        raw.append(f"TRY_CAST(c{keys['period']} AS DATE) AS d{keys['period']}")
    for col, _ in money:
        plain = f"TRY_CAST(c{col} AS DOUBLE)"
        raw.append(f"c{col} AS t{col}, coalesce({plain}, TRY_CAST({_cast(col, decimals[col])} AS DOUBLE)) AS v{col}")
        inner += [
            f"CASE WHEN v{col} IS NULL THEN nullif(trim(t{col}), '') END AS odd{col}",
            f"sum(v{col}) AS s{col}",
            f"count(v{col}) AS n{col}",
        ]
        outer += [f"odd{col}", f"s{col}", f"n{col}"]
    sql = (
        f"SELECT {', '.join(outer)}, rows FROM (SELECT {', '.join(inner)}, count(*) AS rows FROM "
        f"(SELECT {', '.join(raw)} FROM {source}) GROUP BY ALL)"
    )
    try:
        groups = con.execute(sql).df()
        rejects = con.execute("SELECT line, error_message FROM reject_errors ORDER BY line LIMIT 20").fetchall()
    except duckdb.Error as err:
        raise Refused(f"{ctx.file_name}: the file cannot be read as a ledger ({str(err).splitlines()[0]}).") from None
    problems = _resolve_odd(groups, money, decimals, header)
    problems += [
        Problem(
            f"the line cannot be read ({msg.splitlines()[0]}); it was not loaded.", "error", int(line) + header.last + 1
        )
        for line, msg in rejects
    ]
    reader = _Groups(ctx, header, positions)
    postings = reader.postings(groups, money)
    return TableRead(
        None,
        "long",
        postings,
        problems + reader.problems,
        reader.rejected + len(rejects),
        set(postings["measure"].unique()),
        True,
        len(positions),
        dict(reader.meta, layout="long", kind="long ledger" if "amount" in positions else "long periodic"),
    )


def _key_sql(name: str, col: int | None) -> str:
    """A key column as grouped (text, stripped later); a posting date DuckDB reads as a date becomes
    its month (``k_month``) so that a daily ledger groups by month in SQL, other period texts stay."""
    if col is None:
        return f"NULL AS k_{name}" + (", NULL::DATE AS k_month" if name == "period" else "")
    if name == "period":
        return (
            f"date_trunc('month', d{col}) AS k_month, CASE WHEN d{col} IS NULL THEN nullif(c{col}, '') END AS k_{name}"
        )
    return f"nullif(c{col}, '') AS k_{name}"


def _cast(col: int, decimal: str | None) -> str:
    """SQL text -> number text for the common spellings: ``1,234.56``, ``(1,234.56)``, ``-12`` (and
    with a decimal comma ``1.234,56``); anything else is left to the Python grammar."""
    group, mark = (".", ",") if decimal == "," else (",", ".")
    g, m = ("\\" + group, "\\" + mark)
    pattern = f"^\\(?[+-]?[0-9]{{1,3}}({g}[0-9]{{3}})*({m}[0-9]+)?\\)?$"
    plain = f"replace(replace(replace(trim(c{col}), '{group}', ''), '(', '-'), ')', '')"
    if mark == ",":
        plain = f"replace({plain}, ',', '.')"
    return f"CASE WHEN regexp_matches(trim(c{col}), '{pattern}') THEN {plain} ELSE c{col} END"


def _resolve_odd(groups: pd.DataFrame, money: list[tuple[int, str]], decimals: dict, header: Header) -> list[Problem]:
    """Amount texts SQL could not cast (each a group of its own): parsed once per distinct text by
    the Python grammar and counted in (value × rows); the ones that are no amount are reported."""
    problems = []
    for col, _ in money:
        odd = groups[f"odd{col}"]
        if odd.isna().all():
            continue
        reader, bad = AmountReader(decimals[col]), []
        values = {}
        for text in odd.dropna().unique():
            try:
                values[text] = reader.read(text)[0]
            except ValueError:
                bad.append(text)
        parsed = odd.map(values).astype("float64")
        hit = parsed.notna()
        groups.loc[hit, f"s{col}"] = parsed[hit] * groups.loc[hit, "rows"]
        groups.loc[hit, f"n{col}"] = groups.loc[hit, "rows"]
        if bad:
            name = header.cells[col]
            shown = ", ".join(repr(b) for b in bad[:5])
            problems.append(
                Problem(
                    f"{len(bad)} distinct value(s) of {name} are not amounts ({shown}); those cells were left empty.",
                    "warning",
                    None,
                    name,
                    bad[0],
                )
            )
    return problems


class _Groups:
    """The grouped rows -> postings (vectorised over the groups), with the row-by-row reader's rules:
    totals and the template's example row excluded, periods through the shared grammar, the
    upload's project for lines without one, income flagged by category."""

    def __init__(self, ctx: Context, header: Header, positions: dict[str, int]):
        self.ctx, self.header, self.pos = ctx, header, positions
        self.problems: list[Problem] = []
        self.rejected = 0
        self.meta: dict = {}

    def postings(self, groups: pd.DataFrame, money: list[tuple[int, str]]) -> pd.DataFrame:
        counts = groups[[f"n{c}" for c, _ in money]].sum(axis=1)
        self._note(
            int(groups.loc[counts == 0, "rows"].sum()), "rows have no amount in any amount column; they add nothing."
        )
        groups = groups[counts > 0]
        labels = groups[["k_project", "k_category", "k_vendor", "k_measure", "k_period"]]
        total = labels.apply(lambda col: _map_unique(col, _is_total_label, False).astype(bool)).any(axis=1)
        self._note(
            int(groups.loc[total, "rows"].sum()),
            "subtotal/total rows were excluded (totals are computed from the lines).",
        )
        groups = groups[~total]
        project = groups["k_project"].fillna(self.ctx.project) if self.ctx.project else groups["k_project"]
        groups = groups.assign(project=project)
        groups = groups[groups["project"].fillna("").str.upper() != EXAMPLE_PROJECT]
        if self._has_project_column():
            missing = groups["project"].isna()
            if missing.any():
                self._reject(
                    int(groups.loc[missing, "rows"].sum()),
                    "the row has no project_id; it was not loaded.",
                    "project_id",
                )
                groups = groups[~missing]
        groups = groups.assign(period=self._periods(groups))
        groups = groups[groups["period"].map(lambda v: v is not False)]
        return self._melt(groups, money)

    def _melt(self, groups: pd.DataFrame, money: list[tuple[int, str]]) -> pd.DataFrame:
        groups = groups[~_map_unique(groups["k_measure"], is_computed, False).astype(bool)]
        row_measure = _map_unique(groups["k_measure"], measure_word, None)
        frames = []
        for col, role in money:
            if role == "amount":
                measure = row_measure.where(groups["k_measure"].notna(), self._fallback() if len(groups) else None)
            else:
                measure = pd.Series(role, index=groups.index)
            part = pd.DataFrame(
                {
                    "row_number": None,
                    "project_id": groups["project"],
                    "period": groups["period"],
                    "cost_category": groups["k_category"],
                    "vendor": groups["k_vendor"],
                    "currency": groups["k_currency"].str.upper(),
                    "measure": measure,
                    "value": groups[f"s{col}"].astype("float64"),
                    "income": False,
                    "quantity": None,
                }
            )
            frames.append(part[(groups[f"n{col}"] > 0) & measure.notna()])
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POSTING_COLUMNS)
        out["income"] = _map_unique(out["cost_category"], is_income_label, False).astype(bool)
        return out[POSTING_COLUMNS]

    def _note(self, rows: int, message: str) -> None:
        if rows:
            self.problems.append(Problem(f"{rows} {message}", "info"))

    def _fallback(self) -> str:
        if "fallback" not in self.meta:
            named = self.ctx.mapping.get("measure") or measure_in_name(self.ctx.file_name)
            self.meta["fallback"] = named or "actual"
            if named:
                self.problems.append(
                    Problem(f"the amounts were read as {named} because the mapping or the file's name says so.", "info")
                )
            else:
                self.problems.append(
                    Problem(
                        "the Amount column was read as actual cost (a ledger's postings are "
                        "actual costs unless a name or mapping says otherwise); map it with "
                        "--map measure=budget if it holds budget.",
                        "warning",
                    )
                )
        return self.meta["fallback"]

    def _has_project_column(self) -> bool:
        return bool({"project_id", "department", "project_name"} & set(self.pos)) and not self.ctx.project

    def _reject(self, rows: int, message: str, column: str, value: str | None = None) -> None:
        self.problems.append(Problem(f"{rows} row(s): {message}", "error", None, column, value))
        self.rejected += rows

    def _periods(self, groups: pd.DataFrame) -> pd.Series:
        """Each group's month (False when its period cannot be read: those rows are rejected); each
        distinct (month, period text, fiscal year) is read once."""
        keys = pd.MultiIndex.from_arrays([groups["k_month"], groups["k_period"], groups["k_fiscal_year"]])
        codes, uniques = keys.factorize()
        found = []
        for month, raw, fiscal in uniques:
            value = self._period(month.date() if isinstance(month, pd.Timestamp) else raw, fiscal)
            if isinstance(value, ValueError):
                rows = int(groups["rows"].to_numpy()[codes == len(found)].sum())
                self._reject(
                    rows,
                    f"{value}; not loaded (write the month as 2026-03 or Mar-26).",
                    "period",
                    None if raw is None or raw != raw else str(raw),
                )
                value = False
            found.append(value)
        return pd.Series(np.array(found, dtype=object)[codes], index=groups.index, dtype=object)

    def _period(self, raw, fiscal):
        if isinstance(raw, dt.date):
            try:
                return parse_month(raw)  # the plausible-date window (a posting dated 0001-01-01 is refused)
            except ValueError as err:
                return err
        if isinstance(raw, str) and (month := month_without_year(raw)) and self.ctx.year:
            self.meta["year_from"] = self.ctx.year_reason
            return parse_period(f"{self.ctx.year}-{month:02d}")[0]
        try:
            year = parse_fiscal_year(fiscal) if isinstance(fiscal, str) else None
            value, grain = parse_period(raw, fy_start=self.ctx.fy_start, fiscal_year=year) if raw else (None, "")
            if value is None and year:
                value, grain = fiscal_year_start(year, self.ctx.fy_start), "year"
            if grain and grain != "month":
                self.meta["granularity"] = grain
            return value if value is not None else ValueError("the period is empty")
        except ValueError as err:
            return err


def _map_unique(series: pd.Series, fn, empty) -> pd.Series:
    """``fn`` over a column's distinct values only (a group column repeats few values many times)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.array([fn(v) for v in uniques] + [empty], dtype=object)
    return pd.Series(values[codes], index=series.index, dtype=object)


def _is_total_label(value: str) -> bool:
    return bool(TOTAL_EXACT.match(value) or SAP_MARKER.match(value))
