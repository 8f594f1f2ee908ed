"""Amount cells -> floats, one column at a time (the decimal mark decided per column).

Reuses :func:`loaders.values.parse_number` (thousands separators, currency symbols and codes,
``(1,234)`` negatives, trailing minus). Finance additions: ``-`` / ``–`` alone is zero (the
accounting format), and a column whose cells show a decimal comma (``3,2``, ``1.234,50``) reads
every cell with the comma as its decimal mark (``1,500`` -> 1.5), as the file was written.
"""

from __future__ import annotations

import re

from loaders.finance.columns import SYMBOLS, currency_code
from loaders.values import is_empty, parse_number

ZERO_DASHES = {"-", "–", "—", "- ", "−"}
_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?!\d)|\.\d{3},\d|^\s*,\d")
_DOT_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)|,\d{3}\.\d")
_CODES = re.compile(r"\b[A-Z]{3}\b")


def column_decimal(cells) -> str | None:
    """``,`` when the column's texts show a decimal comma, ``.`` for a decimal point, else None."""
    comma = dot = 0
    for cell in set(c for c in cells if isinstance(c, str)):
        comma += bool(_COMMA_DECIMAL.search(cell))
        dot += bool(_DOT_DECIMAL.search(cell))
    if comma > dot:
        return ","
    return "." if dot else None


class AmountReader:
    """Parses the cells of one column, each distinct text once."""

    def __init__(self, decimal: str | None = None):
        self.decimal = decimal
        self.cache: dict[str, tuple[float | None, str | None] | str] = {}

    def read(self, cell) -> tuple[float | None, str | None]:
        """(value or None, currency seen in the cell); raises ValueError for a non-amount."""
        if isinstance(cell, bool):
            raise ValueError("a yes/no value is not an amount")
        if isinstance(cell, int | float):
            return (None if cell != cell else float(cell)), None
        if cell is None:
            return None, None
        key = str(cell)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._parse(key)
        if isinstance(hit, str):
            raise ValueError(hit)
        return hit

    def _parse(self, text: str):
        stripped = text.strip()
        if stripped in ZERO_DASHES:
            return 0.0, None
        if is_empty(stripped):
            return None, None
        currency = currency_code(stripped) or next((c for s, c in SYMBOLS.items() if s in stripped), None)
        try:
            value = parse_number(_CODES.sub("", stripped) if currency else stripped, decimal=self.decimal)
        except ValueError as err:
            return str(err)
        return value, currency


def loose(cells: list) -> list[float | None]:
    """Amount cells as floats for total checks (None when empty or not an amount)."""
    reader = AmountReader()
    out = []
    for cell in cells:
        try:
            out.append(reader.read(cell)[0])
        except ValueError:
            out.append(None)
    return out
