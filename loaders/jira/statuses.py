"""Status categories: from the file's ``Status Category`` column (any language) or, without one, from
the editable status-name defaults; statuses in neither are Done when resolved, else In Progress."""

from __future__ import annotations

from collections import Counter

from loaders.base import Problem
from loaders.jira.cells import sql_str
from loaders.jira.vocabulary import CATEGORY_VALUES, STATUS_CATEGORY_DEFAULTS


def defaults() -> dict[str, str]:
    """The status -> category defaults, casefolded (read at each parse: they are editable)."""
    return {k.casefold(): v for k, v in STATUS_CATEGORY_DEFAULTS.items()}


def category_join(pairs: set[tuple], by_status: dict[str, str]) -> tuple[str, str]:
    """(join, category expression) mapping each distinct (status, category cell) pair of ``sub``."""
    categories = {(st, cat): CATEGORY_VALUES.get(cat) or by_status.get((st or "").casefold()) for st, cat in pairs}
    categories = {k: v for k, v in categories.items() if v}
    if not categories:
        return "", "NULL::VARCHAR"
    values = ", ".join(
        f"({'NULL' if st is None else sql_str(st)}, {'NULL' if c is None else sql_str(c)}, {sql_str(v)})"
        for (st, c), v in categories.items()
    )
    join = (
        f"LEFT JOIN (VALUES {values}) sc(st, cat, category) ON sc.st IS NOT DISTINCT FROM sub.status "
        "AND sc.cat IS NOT DISTINCT FROM lower(sub.status_category)"
    )
    return join, "sc.category"


def status_problems(summary, has_category: bool, by_status: dict, status_column, category_column) -> list[Problem]:
    """Category values this loader does not know, and statuses whose category was inferred."""
    problems = []
    unknown_cat: Counter = Counter()
    inferred: dict[str, list[int]] = {}
    for status, cat, _, _, n, n_resolved, *_ in summary:
        if has_category and cat is not None and cat not in CATEGORY_VALUES:
            unknown_cat[cat] += n
        if status is not None and (cat is None or cat not in CATEGORY_VALUES) and status.casefold() not in by_status:
            counts = inferred.setdefault(status, [0, 0])
            counts[0] += n
            counts[1] += n_resolved
    for value, count in sorted(unknown_cat.items()):
        problems.append(
            Problem(
                f"status category '{value}' is not one this loader knows ({count} issues); the category was taken "
                "from the status name instead.",
                "warning",
                None,
                category_column,
                value,
            )
        )
    for status, (count, done) in sorted(inferred.items()):
        problems.append(
            Problem(
                f"status '{status}' ({count} issues) is not in the status-category defaults: {done} with a "
                f"resolution counted as Done, {count - done} as In Progress. Add it to the defaults to change this.",
                "info",
                None,
                status_column,
                status,
            )
        )
    return problems
