"""The raw Jira cells -> ``issues`` and ``issue_sprints``, in named steps: scan the raw table, choose
the story-point columns, read the date grammar, type the cells (a view), reject duplicate keys,
resolve parents and epics, select the issue rows with flag bits for the cells that could not be
read, then turn the flags and the file's facts into problems and metadata."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from loaders.base import Parsed, Problem, Refused
from loaders.encoding import describe as describe_encoding
from loaders.jira import story_points
from loaders.jira.cells import cell, cell_problems, multi, single, sql_str
from loaders.jira.containers import Raw
from loaders.jira.dates import DATE_FIELDS, read_grammar
from loaders.jira.headers import HEADER_ALIASES, MULTI_FIELDS, fields_first, language
from loaders.jira.links import EPIC_KEY_SQL, ISSUE_KIND_SQL, Family, create_base
from loaders.jira.statuses import category_join, defaults, status_problems
from loaders.jira.vocabulary import UNASSIGNED, UNRESOLVED
from loaders.values import DATE_WINDOW_ENV, MAX_DURATION_HOURS, date_window

SOURCE = "jira"
#: Story points above this (or below 0) are a typo, not an estimate: refused as a problem, left empty.
MAX_STORY_POINTS = 1000
TRUNCATION_ROWS = 1000

#: an issue counts as resolved with a Resolved date or a resolution that is not "Unresolved"
RESOLVED_SQL = "(resolved_ts IS NOT NULL OR (resolution IS NOT NULL AND NOT unresolved_word))"


@dataclass(frozen=True)
class Scan:
    """Step 1: what one pass over the raw cells tells."""

    total_rows: int  # raw rows, blank ones included
    n_rows: int  # non-blank rows
    blanks: int  # blank rows plus the empty lines the CSV reader skipped
    blank_sql: str  # a raw row is blank
    parent_ids: int  # rows whose parent is given only as an Issue id
    sp_filled: list[int]  # filled cells per story-point candidate column
    distinct: list[tuple]  # the distinct (status, lower(category), issue type) values
    duplicate_keys: int


def build(
    con, raw: Raw, groups: dict[str, list[int]], fmt: str | None, meta: dict, file_name: str, *, small_rows: int
) -> Parsed:
    """The named steps, in order; ``small_rows``: below this many rows ``typed`` is a table."""
    header = raw.header
    problems: list[Problem] = list(raw.rejected) + raw.warnings
    if raw.decoded is not None and (said := describe_encoding(raw.decoded, file_name)):
        problems.append(Problem(said[1], said[0]))
    meta["encoding_checked"] = True  # the whole file's bytes were read by this loader's own reader
    scan = _scan(con, raw, groups, file_name, problems)
    sp = story_points.choose(header, groups.get("story_points", []), scan.sp_filled, meta)
    dayfirst = read_grammar(con, raw, groups, problems, meta)
    typed_kind = _create_typed(con, groups, sp.expr, dayfirst, scan, small_rows)
    checks = _cell_checks(groups, sp)
    has_category = "status_category" in groups
    meta["status_category_source"] = "file" if has_category else "status names (defaults)"
    by_status = defaults()
    dups, keep_sql = _reject_duplicates(con, header, groups, scan.duplicate_keys, problems)
    if len(sp.used) > 1:
        meta["story_points_column"] = story_points.sources(con, problems, header, sp.used, keep_sql)
    issue_types = [r[2] for r in scan.distinct if r[2] is not None]
    family = create_base(con, header, groups, issue_types, scan.parent_ids, keep_sql)
    status_join, category_sql = category_join({(r[0], r[1]) for r in scan.distinct}, by_status)
    table, summary = _select_issues(con, family, status_join, category_sql, checks)
    _cell_flag_problems(con, problems, header, groups, sp, keep_sql, checks, family, summary)
    sprints = _sprint_rows(con, len(groups.get("sprint", [])), keep_sql)
    _release(con, raw, typed_kind)  # the raw cells are no longer needed: free them before the frames are built
    issues = table.drop_columns(["_category", "_project_name", "_flags"]).to_pandas(self_destruct=True)
    del table
    column = {f: header[idxs[0]] for f, idxs in groups.items()}
    problems += status_problems(summary, has_category, by_status, column.get("status"), column.get("status_category"))
    problems += _word_problems(summary)
    n_rows = scan.n_rows - len(dups)
    truncated = n_rows + len(raw.rejected) + len(dups) == TRUNCATION_ROWS  # issues in the file, loaded or not
    problems += _file_warnings(groups, bool(sp.used), truncated)
    key_counts = _project_keys(summary)
    latest = max((r[8] for r in summary if r[8] is not None), default=None)
    meta.update(_file_meta(raw, groups, key_counts, truncated, scan.blanks))
    return Parsed(
        source=SOURCE,
        format=fmt or _csv_format(header, raw.excel_resave),
        tables={"issues": issues, "issue_sprints": sprints},
        problems=problems,
        as_of=latest.date() if latest is not None else None,
        project_id=key_counts[0][0] if key_counts else None,
        project_name=key_counts[0][2] if key_counts else None,
        rows_rejected=len(raw.rejected) + len(dups),
        meta=meta,
    )


def _scan(con, raw: Raw, groups: dict, file_name: str, problems: list[Problem]) -> Scan:
    """Rows, blank rows, parents given as ids, story-point candidates and the distinct statuses,
    categories and issue types; refuses a file with headers and no issue rows."""
    sp_idxs = groups.get("story_points", [])
    mapped = sorted({i for idxs in groups.values() for i in idxs})
    blank_raw = " AND ".join(f"{cell(i)} IS NULL" for i in mapped) or "true"
    parent_ids_sql = (
        f"count(*) FILTER ({single(groups, 'parent_ref')} IS NOT NULL AND NOT coalesce(regexp_full_match("
        f"{single(groups, 'parent_key')}, '^[A-Za-z][A-Za-z0-9_]*-\\d+$'), false))"
    )
    # grouped by the (few) distinct statuses, categories and issue types, classified in Python later;
    # no DISTINCT aggregate here: DuckDB would materialise the whole scan for it
    groups_facts = con.execute(
        f"SELECT {single(groups, 'status')}, lower({single(groups, 'status_category')}), "
        f"{single(groups, 'issue_type')}, count(*), "
        + parent_ids_sql
        + "".join(f", count({cell(i)})" for i in sp_idxs)
        + " FROM raw GROUP BY 1, 2, 3"
    ).fetchall()
    total_rows, parent_ids = (sum(r[k] for r in groups_facts) for k in (3, 4))
    sp_filled = [sum(r[5 + k] for r in groups_facts) for k in range(len(sp_idxs))]
    # blank rows: a WHERE (a filter in the scan, which skips the other columns where the first is filled)
    blanks = con.execute(f"SELECT count(*) FROM raw WHERE {blank_raw}").fetchall()[0][0]
    # the blank rows are all in the all-empty group: leave it out when they are all it holds
    distinct = [r[:3] for r in groups_facts if r[:3] != (None, None, None) or r[3] > blanks]
    duplicate_keys = 0
    if "issue_key" in groups:
        duplicate_keys = con.execute(
            f"SELECT count(k) - count(DISTINCT k) FROM (SELECT {single(groups, 'issue_key')} AS k FROM raw)"
        ).fetchall()[0][0]
    n_rows = total_rows - blanks
    blanks += raw.blank_lines
    if n_rows == 0 and not raw.rejected:
        raise Refused(
            f"{file_name}: this Jira export has its column headers but no issue rows, so there is nothing to store. "
            "Check the search used for the export and export it again."
        )
    if blanks:
        problems.append(
            Problem(f"{blanks} blank rows (no value in any column this loader reads) were skipped.", "info")
        )
    return Scan(total_rows, n_rows, blanks, blank_raw, parent_ids, sp_filled, distinct, duplicate_keys)


def _create_typed(con, groups: dict, sp_expr: str, dayfirst: bool, scan: Scan, small_rows: int) -> str:
    """``typed``: the cells as values (a fast English date path first, the full grammar for the
    rest). Small files get a table (later queries then bind a table, not this long view, which costs
    more than computing it), large ones a view computed in the final query's pipeline. Returns which."""
    singles = [f for f in HEADER_ALIASES if f not in MULTI_FIELDS]
    where_blank = f"WHERE NOT ({scan.blank_sql})" if scan.blanks else ""
    # CASE, not IN (…) or list_contains: those become mark joins that every scan of the view runs
    unresolved_words, unassigned_words = (
        " ".join(f"WHEN {sql_str(w)} THEN true" for w in ws) for ws in (UNRESOLVED, UNASSIGNED)
    )
    df_sql = "true" if dayfirst else "false"
    typed_kind = "TABLE" if scan.total_rows < small_rows else "VIEW"
    dates = ", ".join(
        f"coalesce({f}_fast, jira_from_parts({f}_p, {df_sql}), jira_other_ts({f}_o)) AS {f}_any" for f in DATE_FIELDS
    )
    # a date outside the plausible window (loaders.values.date_window) is left empty and flagged
    windowed = ", ".join(
        f"CASE WHEN {f}_any BETWEEN jira_lo() AND jira_hi() THEN {f}_any END AS {f}_ts, "
        f"coalesce(NOT ({f}_any BETWEEN jira_lo() AND jira_hi()), false) AS {f}_out"
        for f in DATE_FIELDS
    )
    date_parts = ", ".join(
        f"CASE WHEN {f}_fast IS NULL AND {f} IS NOT NULL THEN jira_parts(trim({f})) END AS {f}_p, "
        f"CASE WHEN {f}_fast IS NULL THEN trim({f}) END AS {f}_o"
        for f in DATE_FIELDS
    )
    con.execute(f"""
        CREATE TEMP {typed_kind} typed AS
        SELECT * EXCLUDE ({", ".join(f"{f}_any" for f in DATE_FIELDS)}), {windowed} FROM (
        SELECT s.* EXCLUDE ({", ".join(f"{f}_fast, {f}_p, {f}_o" for f in DATE_FIELDS)}),
               {dates},
               jira_in_range(jira_num(sp_text), 0, {MAX_STORY_POINTS}) AS sp_value,
               jira_in_range(jira_num(original_estimate) / 3600.0, -{MAX_DURATION_HOURS}, {MAX_DURATION_HOURS}) AS oe_h,
               jira_in_range(jira_num(remaining_estimate) / 3600.0, -{MAX_DURATION_HOURS}, {MAX_DURATION_HOURS}) AS re_h,
               jira_in_range(jira_num(time_spent) / 3600.0, -{MAX_DURATION_HOURS}, {MAX_DURATION_HOURS}) AS ts_h,
               coalesce(project_key, regexp_extract(issue_key, '^([A-Za-z][A-Za-z0-9_]*)-\\d+$', 1)) AS pkey,
               CASE lower(resolution) {unresolved_words} ELSE false END AS unresolved_word,
               CASE lower(assignee) {unassigned_words} ELSE false END AS unassigned_word
        FROM (SELECT *, {date_parts}
              FROM (SELECT *, {", ".join(f"try_strptime({f}, '%d/%b/%y %I:%M %p') AS {f}_fast" for f in DATE_FIELDS)}
                    FROM (SELECT rn, {", ".join(f"{single(groups, f)} AS {f}" for f in singles)},
                                 {", ".join(multi(groups, f) for f in MULTI_FIELDS)},
                                 {sp_expr} AS sp_text
                          FROM raw {where_blank}))) s)
    """)
    return typed_kind


def _cell_checks(groups: dict, sp: story_points.StoryPoints) -> list[tuple[str, str, str, str]]:
    """Cells that may not load as written, checked on the output rows as flag bits:
    (field, condition on ``typed``, the column holding the cell, reason)."""
    date_cols = [f for f in DATE_FIELDS if f in groups]
    lo, hi = date_window()
    checks = [
        (f, f"{f} IS NOT NULL AND {f}_ts IS NULL AND NOT {f}_out", f, "not a date this loader reads; left empty")
        for f in date_cols
    ]
    checks += [
        (
            f,
            f"{f}_out",
            f,
            f"outside the plausible dates {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (a typo or a placeholder?); "
            f"left empty. Correct it in Jira, or set {DATE_WINDOW_ENV}=FROM..TO to widen the window",
        )
        for f in date_cols
    ]
    if sp.used:
        reason = f"story points are not a number from 0 to {MAX_STORY_POINTS}; left empty"
        checks.append(("story_points", "sp_text IS NOT NULL AND sp_value IS NULL", "sp_text", reason))
    for f, col in (("original_estimate", "oe_h"), ("remaining_estimate", "re_h"), ("time_spent", "ts_h")):
        if f in groups:
            checks.append(
                (
                    f,
                    f"{f} IS NOT NULL AND {col} IS NULL",
                    f,
                    f"not a number of seconds (at most {MAX_DURATION_HOURS // 8760} years); left empty",
                )
            )
    return checks


def _reject_duplicates(con, header, groups, duplicate_keys: int, problems: list[Problem]) -> tuple[list, str]:
    """Duplicate keys: keep the first row, reject the others. Returns them and the SQL keeping the rest."""
    if not duplicate_keys:
        return [], "true"
    dups = con.execute(
        """SELECT rn, issue_key FROM (
               SELECT rn, issue_key, row_number() OVER (PARTITION BY issue_key ORDER BY rn) AS k
               FROM typed WHERE issue_key IN (SELECT issue_key FROM typed GROUP BY 1 HAVING count(*) > 1))
           WHERE k > 1 ORDER BY rn"""
    ).fetchall()
    for rn, key in dups:
        problems.append(
            Problem(
                f"row rejected: issue {key} appears more than once in this export (pages merged?); the first row was kept.",
                "error",
                rn,
                header[groups["issue_key"][0]],
                key,
            )
        )
    if not dups:
        return [], "true"
    con.execute("CREATE TEMP TABLE dup_rows AS SELECT unnest(?::INTEGER[]) AS rn", [[rn for rn, _ in dups]])
    return dups, "rn NOT IN (SELECT rn FROM dup_rows)"


def _select_issues(con, family: Family, status_join: str, category_sql: str, checks: list):
    """The issue rows as one Arrow table (with ``_flags``: bit 1 unresolved word, 2 unassigned word,
    4 resolved, 8 << k the k-th cell check then link check), and its per-status/project summary."""
    flag_conditions = [c for _, c, _, _ in checks] + [c for _, c, _ in family.checks]
    flag_sql = " + ".join(
        [
            "CASE WHEN unresolved_word THEN 1 ELSE 0 END",
            "CASE WHEN unassigned_word THEN 2 ELSE 0 END",
            f"CASE WHEN {RESOLVED_SQL} THEN 4 ELSE 0 END",
        ]
        + [f"CASE WHEN {c} THEN {8 << k} ELSE 0 END" for k, c in enumerate(flag_conditions)]
    )
    final = f"""
        WITH flagged AS (
            SELECT b.*, {family.columns} FROM base b {family.join}),
        sub AS (
            SELECT *, {family.subtask_sql} AS is_subtask
            FROM flagged)
        SELECT issue_key, issue_id, pkey AS project_key, issue_type, is_subtask, {ISSUE_KIND_SQL} AS issue_kind,
               summary, status,
               coalesce({category_sql},
                        CASE WHEN status IS NULL THEN NULL WHEN {RESOLVED_SQL} THEN 'Done' ELSE 'In Progress' END
                        ) AS status_category,
               CASE WHEN unresolved_word THEN NULL ELSE resolution END AS resolution, priority,
               CASE WHEN unassigned_word THEN NULL ELSE assignee END AS assignee,
               reporter, created_ts AS created, updated_ts AS updated, resolved_ts AS resolved, due_ts AS due,
               sp_value AS story_points, oe_h AS original_estimate_hours, re_h AS remaining_estimate_hours,
               ts_h AS time_spent_hours, parent_key_r AS parent_key,
               {EPIC_KEY_SQL} AS epic_key,
               team, sprint, fix_versions, labels, components, sprint_count, rn::INTEGER AS row_number,
               lower(status_category) AS _category, project_name AS _project_name, ({flag_sql})::INTEGER AS _flags
        FROM sub {status_join}"""
    # rows come in file order for small files; large ones may interleave (row_number tells the order)
    con.execute("SET preserve_insertion_order = false")
    table = con.sql(final).to_arrow_table()
    con.register("out_arrow", table)
    summary = con.execute(
        """SELECT status, _category, project_key, _project_name, count(*), count(*) FILTER (_flags & 4 <> 0),
                  count(*) FILTER (_flags & 1 <> 0), count(*) FILTER (_flags & 2 <> 0), max(updated)"""
        + "".join(f", count(*) FILTER (_flags & {8 << k} <> 0)" for k in range(len(flag_conditions)))
        + " FROM out_arrow GROUP BY ALL"
    ).fetchall()
    con.unregister("out_arrow")
    return table, summary


def _cell_flag_problems(con, problems, header, groups, sp, keep_sql, checks, family: Family, summary) -> None:
    """One warning per flagged cell (links first, then dates, story points and estimates)."""
    for k, (f, cond, reason) in enumerate(family.checks):
        total = sum(r[9 + len(checks) + k] for r in summary)
        if total:
            cell_problems(con, problems, "base", cond, f, total, header[groups[f][0]], reason)
    for k, (f, cond, value_col, reason) in enumerate(checks):
        total = sum(r[9 + k] for r in summary)
        if total and f == "story_points" and len(sp.used) > 1:
            story_points.cell_problems_by_column(con, problems, header, sp.used, keep_sql, reason)
        elif total:
            column = header[sp.used[0]] if f == "story_points" else header[groups[f][0]]
            cell_problems(con, problems, "typed", cond, value_col, total, column, reason)


def _sprint_rows(con, n_cols: int, keep_sql: str) -> pd.DataFrame:
    """issue_sprints from the repeated Sprint cells of the kept rows of ``typed``: one row per value,
    position 1..n among the issue's non-empty cells in file order (Jira left-packs them)."""
    if not n_cols:
        return pd.DataFrame(
            {
                "issue_key": pd.Series(dtype="str"),
                "sprint": pd.Series(dtype="str"),
                "position": pd.Series(dtype="int32"),
            }
        )
    cells = [f"_sprint_{k}" for k in range(1, n_cols + 1)]
    positions = [" + ".join(f"({c} IS NOT NULL)::INTEGER" for c in cells[:k]) for k in range(1, n_cols + 1)]
    return (
        con.sql(
            f"""SELECT issue_key, sprint, position::INTEGER AS position FROM (
                SELECT issue_key, unnest([{", ".join(cells)}]) AS sprint, unnest([{", ".join(positions)}]) AS position
                FROM typed WHERE sprint_count > 0 AND {keep_sql}) WHERE sprint IS NOT NULL"""
        )
        .to_arrow_table()
        .to_pandas()
    )


def _release(con, raw: Raw, typed_kind: str) -> None:
    con.execute(
        f"DROP VIEW IF EXISTS base; DROP {typed_kind} IF EXISTS typed; DROP {'VIEW' if raw.raw_is_view else 'TABLE'} "
        "IF EXISTS raw; DROP TABLE IF EXISTS raw0"
    )


def _word_problems(summary) -> list[Problem]:
    problems = []
    unresolved_n = sum(r[6] for r in summary)
    unassigned_n = sum(r[7] for r in summary)
    if unresolved_n:
        problems.append(
            Problem(
                f"{unresolved_n} resolutions such as 'Unresolved' mean no resolution and were stored empty.", "info"
            )
        )
    if unassigned_n:
        problems.append(
            Problem(f"{unassigned_n} assignees such as 'Unassigned' mean nobody and were stored empty.", "info")
        )
    return problems


def _project_keys(summary) -> list[tuple[str, int, str]]:
    """(project key, issues, most common project name), most issues first."""
    by_key: dict[str, Counter] = {}
    for r in summary:
        if r[2] is not None:
            by_key.setdefault(r[2], Counter())[r[3]] += r[4]
    return sorted(
        ((k, sum(c.values()), c.most_common(1)[0][0]) for k, c in by_key.items()), key=lambda x: (-x[1], x[0])
    )


def _file_warnings(groups: dict, has_points: bool, truncated: bool) -> list[Problem]:
    """What the export's columns (or its size) mean for the metrics."""
    problems = []
    if "issue_key" not in groups:
        problems.append(
            Problem(
                "the export has no 'Issue key' column, so issues cannot be matched between snapshots over time "
                "(scope change and burn-down history will be limited). Export with the Issue key column.",
                "warning",
            )
        )
    if "resolved" not in groups:
        problems.append(
            Problem(
                "the export has no 'Resolved' column: lead time, throughput and completion dates for velocity and "
                "burn-down cannot be computed from it.",
                "warning",
            )
        )
    if not has_points:
        which = "no story-point column" if not groups.get("story_points") else "story-point columns that are all empty"
        problems.append(
            Problem(
                f"the export has {which}: velocity, burn-down and forecasts will use issue counts instead of points.",
                "warning",
            )
        )
    if "sprint" not in groups:
        problems.append(
            Problem("the export has no 'Sprint' column: per-sprint velocity is not available (Kanban?).", "info")
        )
    if "updated" not in groups:
        problems.append(
            Problem("the export has no 'Updated' column, so the snapshot date cannot be taken from it.", "info")
        )
    if truncated:
        problems.append(
            Problem(
                f"the export has exactly {TRUNCATION_ROWS} issues, Jira's default export limit: it was probably "
                "truncated. Export in pages (or raise the limit) and upload every page.",
                "warning",
            )
        )
    return problems


def _csv_format(header: list[str], excel_resave: bool) -> str:
    shape = "all fields" if fields_first(header) == "summary" else "current fields"
    return f"Jira CSV re-saved by Excel ({shape})" if excel_resave else f"Jira CSV ({shape})"


def _file_meta(raw: Raw, groups: dict, key_counts: list, truncated: bool, blanks: int) -> dict:
    header = raw.header
    return dict(
        project_keys=[k for k, _, _ in key_counts],
        issues_per_project_key={k: int(n) for k, n, _ in key_counts},
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        header_language=language(header),
        columns=len(header),
        repeated_columns={f: len(groups[f]) for f in MULTI_FIELDS if len(groups.get(f, [])) > 1},
        truncated=truncated,
        rows_in_file=raw.records,
        blank_rows=int(blanks),
        has_issue_key="issue_key" in groups,
        has_resolved="resolved" in groups,
        mapped_columns={f: [header[i] for i in idxs] for f, idxs in groups.items()},
        project_key_source="Project key column" if "project_key" in groups else "issue key prefix",
    )
