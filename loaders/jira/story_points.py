"""Story points: several candidate columns can each be filled for some issues (one export spanning
company-managed ``Story Points`` and team-managed ``Story point estimate``). Per row the most filled
column wins, else the next one holding a value; rows where the columns disagree are counted."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.base import Problem
from loaders.jira.cells import cell, cell_problems


@dataclass(frozen=True)
class StoryPoints:
    """The candidate columns in use, preferred first (raw column indexes), and the cell expression."""

    used: list[int]
    expr: str


def choose(header: list[str], candidates: list[int], filled: list[int], meta: dict) -> StoryPoints:
    """Order the filled candidate columns by how filled they are (file order on ties)."""
    order = sorted((k for k in range(len(candidates)) if filled[k]), key=lambda k: (-filled[k], k))
    used = [candidates[k] for k in order]
    meta["story_points_column"] = [header[i] for i in used]
    meta["story_point_candidates"] = [{"column": header[i], "filled": int(n)} for i, n in zip(candidates, filled)]
    if len(used) > 1:
        expr = "coalesce(" + ", ".join(cell(i) for i in used) + ")"
    else:
        expr = cell(used[0]) if used else "NULL::VARCHAR"
    return StoryPoints(used, expr)


def _differs(a: str, b: str) -> str:
    """Two story-point cells hold different values (``2`` and ``2.0`` are the same)."""
    return (
        f"CASE WHEN jira_num({a}) IS NOT NULL AND jira_num({b}) IS NOT NULL THEN jira_num({a}) <> jira_num({b}) "
        f"ELSE trim({a}) <> trim({b}) END"
    )


def sources(con, problems, header, used: list[int], keep_sql: str) -> list[str]:
    """Several filled story-point columns (read in ``used`` order, the first holding a value wins): an
    info naming the rows taken from each fallback column, one warning counting the rows where the
    columns disagree. Returns the columns that supplied at least one value, preferred first."""
    cells = [cell(i) for i in used]
    fallback = [
        " AND ".join([*(f"{c} IS NULL" for c in cells[:k]), f"{cells[k]} IS NOT NULL"]) for k in range(1, len(cells))
    ]
    clash = " OR ".join(
        f"({cells[k]} IS NOT NULL AND coalesce({', '.join(cells[:k])}) IS NOT NULL "
        f"AND {_differs(cells[k], 'coalesce(' + ', '.join(cells[:k]) + ')')})"
        for k in range(1, len(cells))
    )
    pairs = [(j, k) for k in range(1, len(cells)) for j in range(k)]  # column j's value kept over column k's
    clash_cols = [
        "count(*) FILTER ("
        + " AND ".join(
            [
                *(f"{c} IS NULL" for c in cells[:j]),
                f"{cells[j]} IS NOT NULL",
                f"{cells[k]} IS NOT NULL",
                _differs(cells[k], cells[j]),
            ]
        )
        + ")"
        for j, k in pairs
    ]
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER ({c})" for c in fallback)
        + f", count(*) FILTER ({clash}), "
        + ", ".join(clash_cols)
        + f" FROM raw WHERE {keep_sql}"
    ).fetchall()[0]
    from_fallback, n_clash, per_col = counts[: len(fallback)], counts[len(fallback)], counts[len(fallback) + 1 :]
    names = [header[i] for i in used]
    taken = [names[0]] + [names[k] for k in range(1, len(names)) if from_fallback[k - 1]]
    if len(taken) > 1:
        rest = ", ".join(
            f"'{names[k]}' ({from_fallback[k - 1]} {'rows' if from_fallback[k - 1] > 1 else 'row'})"
            for k in range(1, len(names))
            if from_fallback[k - 1]
        )
        problems.append(
            Problem(
                f"story points read from '{names[0]}' (the most filled story-point column) and, where it is empty, "
                f"from {rest}.",
                "info",
            )
        )
    if n_clash:
        first = con.execute(f"SELECT rn FROM raw WHERE ({clash}) AND {keep_sql} ORDER BY rn LIMIT 5").fetchall()
        rows = ", ".join(str(r[0]) for r in first) + (", …" if n_clash > len(first) else "")
        involved = [names[i] for i in sorted({i for (j, k), n in zip(pairs, per_col) if n for i in (j, k)})]
        quoted = ", ".join(f"'{n}'" for n in involved[:-1]) + f" and '{involved[-1]}'"
        problems.append(
            Problem(
                f"{n_clash} {'rows' if n_clash > 1 else 'row'} ({'rows' if len(first) > 1 else 'row'} {rows}) hold different story points in the columns "
                f"{quoted}; the value from the most filled of these columns was kept.",
                "warning",
                None,
                involved[0],
            )
        )
    return taken


def cell_problems_by_column(con, problems, header, used: list[int], keep_sql: str, reason: str) -> None:
    """Story points that are not numbers, each named with the candidate column it was read from."""
    cells = [cell(i) for i in used]
    for k, text in enumerate(cells):
        cond = " AND ".join(
            [*(f"{c} IS NULL" for c in cells[:k]), f"{text} IS NOT NULL", f"jira_num({text}) IS NULL", keep_sql]
        )
        total = con.execute(f"SELECT count(*) FROM raw WHERE {cond}").fetchall()[0][0]
        if total:
            cell_problems(con, problems, "raw", cond, text, total, header[used[k]], reason)
