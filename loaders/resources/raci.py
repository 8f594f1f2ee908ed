"""Responsibility assignment (RACI) matrices: work items × roles with codes (R, A, C, I, P, S…).

They say who does what but hold no hours, dates or percentages, so they cannot give load or
capacity. Decision: recognised and refused with a message saying what it is and what to upload
instead (an allocation sheet or a capacity plan), rather than stored as roles nobody reads.
"""

from __future__ import annotations

import re

from loaders.resources.common import HEADER_SEARCH_ROWS, text

_CODES = re.compile(r"^[RACIPSVOQ](\s*[,/+;]\s*[RACIPSVOQ])*$", re.IGNORECASE)


def matrix_shape(rows: list[list]) -> tuple[int, int, list[str]] | None:
    """(work items, roles, codes seen) when the sheet is a RACI matrix, else None: a header row
    with at least 3 labelled columns and a body where most filled cells are RACI codes."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = [text(c) for c in row[1:]]
        if sum(bool(lb) for lb in labels) < 3:
            continue
        body = [r for r in rows[index + 1 :] if any(text(c) for c in r)]
        cells = [text(c) for r in body for c in r[1:] if text(c)]
        codes = [c for c in cells if _CODES.match(c)]
        if len(codes) >= 10 and len(codes) >= 0.9 * len(cells):
            seen = sorted({part.strip().upper() for c in codes for part in re.split(r"[,/+;]", c)})
            return len(body), sum(bool(lb) for lb in labels), seen
        return None
    return None


def refusal(file_name: str, sheet: str, shape: tuple[int, int, list[str]]) -> str:
    items, roles, codes = shape
    return (
        f"{file_name}: sheet {sheet} is a responsibility (RACI) matrix — {items} work items × {roles} roles with "
        f"codes {', '.join(codes)} — which says who does what but holds no hours, dates or percentages, so it "
        "gives no load or capacity. Upload an allocation sheet (person, project, start, finish, % or hours) or a "
        "capacity plan (person or role, month or dates, hours) instead."
    )
