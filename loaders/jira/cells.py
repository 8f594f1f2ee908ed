"""SQL over the raw Jira cells (``raw``: ``rn, c0..cN``, all text): a field's cell expression,
repeated columns, and the per-cell warnings of values that could not be read."""

from __future__ import annotations

from loaders.base import Problem

MAX_CELL_PROBLEMS = 200  # per column and kind; the rest are summarised in one problem


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_list(values) -> str:
    return ", ".join(sql_str(v) for v in values)


def cell(i: int) -> str:
    return f"nullif(c{i}, '')"


def single(groups, field) -> str:
    idxs = groups.get(field, [])
    if not idxs:
        return "NULL::VARCHAR"
    if len(idxs) == 1:
        return cell(idxs[0])
    return "coalesce(" + ", ".join(cell(i) for i in idxs) + ")"


def multi(groups, field) -> str:
    """Repeated columns: Sprint -> each value (``_sprint_k``), the last one and the count; the
    others -> their values joined with ', ' (empty cells skipped)."""
    idxs = groups.get(field, [])
    if field == "sprint":
        if not idxs:
            return "NULL::VARCHAR AS sprint, 0 AS sprint_count"
        cells = [cell(i) for i in idxs]
        values = ", ".join(f"{c} AS _sprint_{k}" for k, c in enumerate(cells, start=1))
        last = "coalesce(" + ", ".join(reversed(cells)) + ")" if len(cells) > 1 else cells[0]
        count = " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in cells)
        return f"{values}, {last} AS sprint, ({count})::INTEGER AS sprint_count"
    if not idxs:
        return f"NULL::VARCHAR AS {field}"
    return f"nullif(concat_ws(', ', {', '.join(cell(i) for i in idxs)}), '') AS {field}"


def cell_problems(con, problems, table, cond, value_col, total, column, reason, rn="rn") -> None:
    """One warning per cell (up to MAX_CELL_PROBLEMS), then one summarising the rest."""
    rows = con.execute(
        f"SELECT {rn}, {value_col} FROM {table} WHERE {cond} ORDER BY {rn} LIMIT {MAX_CELL_PROBLEMS}"
    ).fetchall()
    problems.extend(Problem(f"{column}: {reason}.", "warning", r, column, v) for r, v in rows)
    if total > len(rows):
        problems.append(
            Problem(f"{column}: {total - len(rows)} more cells like these were left empty.", "warning", None, column)
        )
