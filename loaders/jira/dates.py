"""The Jira date grammar as DuckDB macros: localized month names (en/es/de/fr/pl/pt), 24-hour and
AM/PM, Excel day-first or month-first numbers, ISO, Excel serials; numbers with ``.`` or ``,``."""

from __future__ import annotations

import duckdb

from loaders.base import Problem
from loaders.jira.cells import single, sql_list, sql_str
from loaders.values import MONTHS, date_window

_DATE_RE = (
    r"^(\d{1,2})[/.\- ]([^\d/.\- ][^/\- ]*?|\d{1,2})\.?[/.\- ](\d{2}|\d{4})"
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?$"
)
_ISO_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f"]
DATE_FIELDS = ("created", "updated", "resolved", "due")


def setup_macros(con: duckdb.DuckDBPyConnection) -> None:
    # a list lookup, not a MAP literal: binding a 150-entry MAP in each of the four date columns cost
    # more than parsing a small file
    lo, hi = date_window()  # dates outside it are flagged in loaders.jira.build
    month_names, month_numbers = sql_list(MONTHS), ", ".join(str(v) for v in MONTHS.values())
    con.execute(f"""
        CREATE TEMP MACRO jira_parts(s) AS regexp_extract(s, {sql_str(_DATE_RE)}, ['d','mo','y','h','mi','se','ap']);
        CREATE TEMP MACRO jira_month(tok) AS [{month_numbers}][list_position([{month_names}], lower(tok))];
        CREATE TEMP MACRO jira_from_parts(p, dayfirst) AS CASE WHEN p.d <> '' THEN try(make_timestamp(
            CASE WHEN length(p.y) = 2 THEN CASE WHEN p.y::INT < 70 THEN 2000 ELSE 1900 END + p.y::INT ELSE p.y::INT END,
            CASE WHEN regexp_full_match(p.mo, '\\d+') THEN CASE WHEN dayfirst THEN p.mo::INT ELSE p.d::INT END
                 ELSE jira_month(p.mo) END,
            CASE WHEN regexp_full_match(p.mo, '\\d+') AND NOT dayfirst THEN p.mo::INT ELSE p.d::INT END,
            CASE WHEN p.h = '' THEN 0
                 WHEN lower(p.ap) = 'p' AND p.h::INT < 12 THEN p.h::INT + 12
                 WHEN lower(p.ap) = 'a' AND p.h::INT = 12 THEN 0 ELSE p.h::INT END,
            CASE WHEN p.mi = '' THEN 0 ELSE p.mi::INT END,
            CASE WHEN p.se = '' THEN 0 ELSE p.se::DOUBLE END)) END;
        CREATE TEMP MACRO jira_other_ts(s) AS CASE WHEN s IS NULL THEN NULL ELSE coalesce(
            try_strptime(s, [{sql_list(_ISO_FORMATS)}]),
            CASE WHEN regexp_full_match(s, '\\d{{4,5}}(\\.\\d+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 1000 AND 99999
                 THEN TIMESTAMP '1899-12-30' + to_microseconds(round(TRY_CAST(s AS DOUBLE) * 86400000000)::BIGINT) END) END;
        CREATE TEMP MACRO jira_lo() AS TIMESTAMP '{lo:%Y-%m-%d %H:%M:%S}';
        CREATE TEMP MACRO jira_hi() AS TIMESTAMP '{hi:%Y-%m-%d %H:%M:%S}';
        CREATE TEMP MACRO jira_in_range(v, lo, hi) AS CASE WHEN isfinite(v) AND v BETWEEN lo AND hi THEN v END;
        CREATE TEMP MACRO jira_num(s) AS CASE WHEN regexp_full_match(s, '[+-]?(?:\\d+|\\d*[.,]\\d+)')
            THEN TRY_CAST(replace(s, ',', '.') AS DOUBLE) END;
    """)


# --------------------------------------------------------------------------------------------------
# Sniffing


def read_grammar(con, raw, groups: dict[str, list[int]], problems: list[Problem], meta: dict) -> bool:
    """The date grammar in use, from up to 20,000 date cells: named months or numbers, day-first or
    month-first (Excel re-saves). Sets ``meta["date_format"]``/``["day_first"]`` and, for numeric
    dates, ``raw.excel_resave``; returns day-first."""
    date_cols = [f for f in DATE_FIELDS if f in groups]
    dayfirst, date_format = True, None
    if date_cols:
        parts = " UNION ALL ".join(
            f"SELECT jira_parts(trim(v)) AS p FROM (SELECT {single(groups, f)} AS v FROM raw) WHERE v IS NOT NULL"
            for f in date_cols
        )
        named, numeric, day_gt12, month_gt12, h24, ampm = con.execute(
            f"""SELECT count(*) FILTER (p.d <> '' AND NOT regexp_full_match(p.mo, '\\d+')),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+')),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+') AND TRY_CAST(p.d AS INT) > 12),
                       count(*) FILTER (regexp_full_match(p.mo, '\\d+') AND TRY_CAST(p.mo AS INT) > 12),
                       count(*) FILTER (p.h <> '' AND p.ap = ''),
                       count(*) FILTER (p.ap <> '')
                FROM ({parts} LIMIT 20000)"""
        ).fetchall()[0]
        if numeric and month_gt12 and not day_gt12:
            dayfirst = False
        if numeric and month_gt12 and day_gt12:
            problems.append(
                Problem(
                    "dates are written both day-first and month-first in this file; they were read day-first. "
                    "Export the file again from Jira.",
                    "warning",
                )
            )
        if named:
            date_format = "dd/MMM/yy h:mm a" if ampm >= h24 else "dd/MMM/yy HH:mm"
        elif numeric:
            date_format = "dd/mm/yyyy HH:MM" if dayfirst else "mm/dd/yyyy HH:MM"
            raw.excel_resave = True
            if not day_gt12 and not month_gt12:
                problems.append(
                    Problem(
                        "numeric dates such as 01/02/2023 are ambiguous in this file; they were read day-first, "
                        "as Jira writes them.",
                        "info",
                    )
                )
        else:
            date_format = "ISO or Excel serial"
    meta["date_format"] = date_format
    meta["day_first"] = dayfirst
    return dayfirst
