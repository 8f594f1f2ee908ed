"""Parsers for the text cells exporting tools write, shared by every loader.

Each parser takes one cell and returns the value or ``None`` for an empty cell, and raises
``ValueError`` with a short reason when the text is not a value of that kind. Loaders turn
those errors into :class:`loaders.base.Problem` rows.
"""

from __future__ import annotations

import re
import unicodedata

EMPTY = {"", "na", "n/a", "nan", "none", "null", "-", "—"}

_NOT_NUMERIC = re.compile(r"[^\d.,+\-]")  # currency symbols and codes, units, percent signs
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or str(cell).strip().lower() in EMPTY


def normalize_header(name: str) -> str:
    """Header text -> comparison key: case-folded, accents kept, ``_``/``-``/spaces folded to
    one space, BOM and surrounding quotes removed. ``Start_Date`` -> ``start date``."""
    text = unicodedata.normalize("NFC", str(name)).replace("\ufeff", "").strip().strip('"').casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def parse_number(cell, *, decimal: str | None = None) -> float | None:
    """A number as people and tools write it -> float.

    Accepts currency symbols and codes anywhere (``$1,100.00``, ``1.100,00 €``, ``EUR 12``,
    ``$1.100,00/h`` -> 1100.0), grouping by ``,`` ``.`` space or apostrophe, a decimal point or
    comma, a leading or trailing minus, ``(1,234)`` accounting negatives and a trailing ``%``.
    With ``decimal=None`` the decimal mark is inferred: the last of ``.``/``,`` when both occur;
    a lone separator followed by exactly three digits is grouping (``1,234`` -> 1234), otherwise
    it is the decimal mark (``2,8`` -> 2.8).
    """
    if isinstance(cell, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(cell, int | float):
        return None if cell != cell else float(cell)
    if is_empty(cell):
        return None
    text = str(cell).strip()
    text = text.split("/")[0]  # rates: "$12.50/h"
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _SPACES.sub("", text)
    if not _SCIENTIFIC.fullmatch(text):
        text = _NOT_NUMERIC.sub("", text)
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = text.lstrip("+")
    if not text or not re.fullmatch(r"[\d.,]*\d[\d.,]*|[\d.]+[eE][+-]?\d+", text, re.IGNORECASE):
        raise ValueError(f"not a number: {cell!r}")
    if "e" not in text.lower():
        text = _normalize_separators(text, decimal)
    value = float(text)
    return -value if negative else value


def _normalize_separators(text: str, decimal: str | None) -> str:
    dots, commas = text.count("."), text.count(",")
    if decimal is None:
        if dots and commas:
            decimal = "." if text.rfind(".") > text.rfind(",") else ","
        elif dots + commas == 0:
            return text
        else:
            mark = "." if dots else ","
            tail = text.rsplit(mark, 1)[1]
            decimal = mark if (dots or commas) == 1 and len(tail) != 3 else ""
    group = {".": ",", ",": ".", "": ".,"}[decimal]
    for g in group:
        text = text.replace(g, "")
    if decimal == ",":
        text = text.replace(",", ".")
    if text.count(".") > 1:
        raise ValueError(f"not a number: {text!r}")
    return text


def parse_percent(cell) -> float | None:
    """``45%``, ``45 %``, ``45,5%`` or ``45`` -> 45.0 (0–100 scale). A bare fraction written by
    Excel for a percent-formatted cell (0 < x < 1 with no ``%`` sign and float type) is scaled."""
    if isinstance(cell, float) and 0 < cell < 1:
        return cell * 100
    value = parse_number(cell)
    if value is not None and not 0 <= value <= 100:
        raise ValueError(f"a percentage must be between 0 and 100, got {cell!r}")
    return value


YES = {"yes", "y", "true", "1", "ja", "sí", "si", "oui", "sim", "tak", "có", "co", "x"}
NO = {"no", "n", "false", "0", "nein", "non", "não", "nao", "nie", "không", "khong"}


def parse_bool(cell) -> bool | None:
    """``Yes``/``No`` in several languages, ``true``/``false``, ``1``/``0``."""
    if isinstance(cell, bool):
        return cell
    if is_empty(cell):
        return None
    text = str(cell).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"not yes or no: {cell!r}")
