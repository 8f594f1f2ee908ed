"""Which rows of a register table are entries, and why the others are not.

Below the header a register holds its entries and, often, rows that are not entries: an
instruction row under the header ("Rate 1 (LOW) to 5 (HIGH)"), numbered rows left empty, a total
row, and legends or dropdown lists under the table. Each such row is skipped with a reason, so the
upload reports how many of which were left out; blank rows are skipped without a word.
"""

from __future__ import annotations

import re

from loaders.risk.aliases import INSTRUCTION_WORDS, LEGEND_WORDS, TOTAL_WORDS
from loaders.risk.header import clean
from loaders.values import is_empty

_LEGEND_CELL = re.compile(r"^\s*(\d+(\.\d+)?|[A-Za-z]{1,3})\s*[:=\-–]\s*\S")
_INSTRUCTION = re.compile(r"\b(" + "|".join(re.escape(w) for w in INSTRUCTION_WORDS) + r")\b|\?\s*$", re.I)

REASONS = {
    "numbered": "an empty numbered row",
    "total": "a total row",
    "instruction": "an instruction row under the header",
    "legend": "a legend or scale key",
    "below": "a legend or dropdown list below the table",
    "untitled": "a row with no title or description",
    "beside": "a dropdown list or note beside the table (no column header above it)",
}


def filled(row: list) -> list[tuple[int, str]]:
    return [(j, str(c).strip()) for j, c in enumerate(row) if not is_empty(c)]


def skip_reason(row: list, *, id_col, text_cols, header_names, after_gap: bool, near_header: bool) -> str | None:
    """Why ``row`` is not an entry (a key of REASONS), '' for a blank row, None for an entry."""
    cells = filled(row)
    if not cells:
        return ""
    texts = [t for _, t in cells]
    if clean(texts[0]) in TOTAL_WORDS or clean(texts[0]).startswith("total "):
        return "total"
    if all(j >= len(header_names) or not str(header_names[j]).strip() for j, _ in cells):
        return "beside"
    if id_col is not None and all(j == id_col for j, _ in cells):
        return "numbered"
    if any(clean(t).rstrip(":") in LEGEND_WORDS for t in texts[:1]) or all(_LEGEND_CELL.match(t) for t in texts):
        return "legend"
    headers = {clean(h) for h in header_names if h}
    if all(clean(t) in headers for t in texts):
        return "legend"
    if near_header and sum(bool(_INSTRUCTION.search(t)) for t in texts) >= max(2, len(texts) // 2):
        return "instruction"
    has_text = any(not is_empty(row[j]) for j in text_cols if j < len(row))
    if not has_text:
        return "below" if after_gap else "untitled"
    return None
