"""Every scale a register uses, read onto 1–5.

A column's distinct values decide its scale kind (:func:`recognise`):

* ``words`` / ``letters`` — ordered vocabularies (Low…High, Very low…Very high, Rare…Almost certain,
  Insignificant…Catastrophic, L/M/H, VL…VH, Spanish A/M/B …). Level *i* of an *n*-level scale is
  read as ``1 + (i − 1) × 4 / (n − 1)`` rounded to the nearest whole level (3 levels: 1, 3, 5;
  4 levels: 1, 2, 4, 5). The probability and impact columns of a sheet share one vocabulary, so a
  register that writes "Very high" in one of them is read on the 5-level scale in both.
* ``numeric`` — numbers as written when every one lies within 0–5 (half steps and decimals kept);
  on a 1–*n* scale named in the header (``Rate 1 to 10``, ``(1-3)``) or with values up to 10, a
  whole number is level *i* of *n* as above, a fraction is scaled by 5 / *n*.
  A negative impact (−4) keeps its size and marks an opportunity.
* ``percent`` — percentages, fractions and bands (``75% to 100%`` = its midpoint 87.5 %), read as
  1 below 10 %, 2 below 30 %, 3 below 50 %, 4 below 70 %, else 5.
* ``money`` — an impact in currency units: ``ceil(5 × value / largest value in the register)``
  (fifths of the register's largest impact); the amount is also the basis of money exposure.
* ``marks`` — an ``X`` under one of the level columns of a merged header (VL L M H VH): the level is
  the column's position.

Each scale is stated once per upload as an info problem, e.g. "Probability: 'High' read as 5 of 5,
'Medium' as 3, 'Low' as 1 (scale Low…High)".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from loaders.values import is_empty, parse_number

# Ordered vocabularies, lowest level first; each level lists its spellings (already case-folded).
_VL = (
    "very low",
    "vl",
    "muy bajo",
    "muy baja",
    "mb",
    "muito baixo",
    "muito baixa",
    "molto basso",
    "molto bassa",
    "très faible",
    "tres faible",
    "très bas",
    "sehr gering",
    "sehr niedrig",
    "minimal",
    "trivial",
)
_L = ("low", "l", "lo", "bajo", "baja", "b", "baixo", "baixa", "basso", "bassa", "faible", "bas", "gering", "niedrig")
_M = (
    "medium",
    "med",
    "m",
    "mid",
    "moderate",
    "medio",
    "media",
    "médio",
    "média",
    "moyen",
    "moyenne",
    "modéré",
    "modérée",
    "mittel",
    "moderado",
    "moderada",
    "moderato",
    "moderata",
)
_H = (
    "high",
    "h",
    "hi",
    "alto",
    "alta",
    "a",
    "elevado",
    "elevada",
    "elevato",
    "elevata",
    "élevé",
    "élevée",
    "haut",
    "haute",
    "hoch",
    "fort",
    "forte",
)
_VH = (
    "very high",
    "vh",
    "muy alto",
    "muy alta",
    "ma",
    "muito alto",
    "muito alta",
    "molto alto",
    "molto alta",
    "très élevé",
    "très élevée",
    "tres eleve",
    "très haut",
    "sehr hoch",
    "extreme",
    "extremo",
    "critical",
    "crítico",
    "crítica",
    "critico",
    "critica",
    "critique",
    "kritisch",
)
WORD_SCALES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("Very low…Very high", (_VL, _L, _M, _H, _VH)),
    (
        "Rare…Almost certain",
        (
            ("rare", "raro", "rara", "very unlikely", "remote", "selten", "très rare"),
            (
                "unlikely",
                "improbable",
                "poco probable",
                "improvável",
                "improbabile",
                "unwahrscheinlich",
                "peu probable",
            ),
            ("possible", "posible", "possível", "possibile", "möglich", "occasional"),
            ("likely", "probable", "provável", "probabile", "wahrscheinlich", "frequent"),
            (
                "almost certain",
                "certain",
                "very likely",
                "casi seguro",
                "casi cierto",
                "quase certo",
                "quasi certo",
                "presque certain",
                "fast sicher",
                "sicher",
                "expected",
            ),
        ),
    ),
    (
        "Insignificant…Catastrophic",
        (
            (
                "insignificant",
                "negligible",
                "insignificante",
                "despreciable",
                "trascurabile",
                "négligeable",
                "unbedeutend",
                "unwesentlich",
            ),
            ("minor", "menor", "minore", "mineur", "leve", "lieve", "klein"),
            ("moderate", "moderado", "moderada", "moderato", "moderata", "modéré", "mäßig", "significant"),
            ("major", "mayor", "grave", "maggiore", "majeur", "erheblich", "serious"),
            ("catastrophic", "severe", "catastrófico", "catastrofico", "catastrophique", "katastrophal", "extreme"),
        ),
    ),
)
PERCENT_BANDS = ((10, 1), (30, 2), (50, 3), (70, 4))  # below the bound -> level
LEVEL_PERCENT = {1: 5.0, 2: 20.0, 3: 40.0, 4: 60.0, 5: 85.0}  # a level's band midpoint, for money exposure
_RANGE_IN_HEADER = re.compile(r"(\d+)\s*(?:\([^)]*\)\s*)?(?:-|–|to|a|al|à|bis|a\s+)\s*(\d+)")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_MONEY_HEADER = re.compile(
    r"monetar|money|cost|coste|costo|coût|kosten|amount|importe|valor|value|[$€£¥]|\b(eur|usd|gbp)\b"
)
_TYPO = {"hight": "high", "meduim": "medium", "mediun": "medium", "lw": "low"}


def fold(value) -> str:
    """A cell as a vocabulary key: case-folded, spaces collapsed, trailing dots and risk words gone."""
    text = re.sub(r"\s+", " ", str(value).strip().casefold()).strip(" .")
    text = re.sub(r"\s+(risk|risque|riesgo|rischio|risiko)$", "", text)
    return _TYPO.get(text, text)


def level_of(i: int, n: int) -> int:
    """Level i (1-based) of an n-level ordinal scale on 1–5."""
    return 1 if n <= 1 else math.floor(1 + (i - 1) * 4 / (n - 1) + 0.5)


@dataclass
class Scale:
    """How one column's values read as 1–5. ``levels`` maps a folded raw value to its level."""

    kind: str  # words | letters | numeric | percent | money | marks
    name: str
    levels: dict[str, float] = field(default_factory=dict)
    divisor: float = 1.0  # numeric: value / divisor * 5 when the scale is 1–n
    largest: float | None = None  # money
    shown: dict[str, str] = field(default_factory=dict)  # folded -> as first written
    bare: bool = False  # percent: numbers written without a % sign are percentages (0–100)

    def read(self, cell) -> tuple[float | None, float | None]:
        """(level on 1–5 or None, percent or money amount or None). Raises ValueError when the
        cell is not on this scale. Negative numbers keep their sign (an opportunity)."""
        if is_empty(cell):
            return None, None
        if self.kind in ("words", "letters", "marks"):
            key = fold(cell)
            if key not in self.levels:
                raise ValueError(f"'{cell}' is not on the scale {self.name}")
            return self.levels[key], None
        if self.kind == "percent":
            pct = _bare_percent(cell) if self.bare else percent_of(cell)
            if pct is None:
                raise ValueError(f"'{cell}' is not a percentage" + (" from 0 to 100" if self.bare else ""))
            return percent_level(pct), pct
        value = parse_number(cell)
        if value is None:
            raise ValueError(f"'{cell}' is not a number")
        if self.kind == "money":
            size = abs(value)
            level = max(1, min(5, math.ceil(5 * size / self.largest))) if self.largest else None
            return (level if value >= 0 else -level) if level else None, value
        if abs(value) > self.divisor:  # a typo or a shifted cell: never a level past the scale's top
            raise ValueError(f"{value:g} is above the top of the scale {self.name}")
        if self.divisor == 5:
            return value, None
        if float(value).is_integer() and 1 <= value <= self.divisor:  # level i of a 1–n scale
            return float(level_of(int(value), int(self.divisor))), None
        return value * 5 / self.divisor, None

    def statement(self, label: str) -> str:
        """The one sentence that states this scale for the upload."""
        if self.kind in ("words", "letters", "marks"):
            pairs = sorted(self.shown.items(), key=lambda kv: -self.levels[kv[0]])
            first, *rest = pairs
            text = f"{label}: '{first[1]}' read as {self.levels[first[0]]:g} of 5"
            text += "".join(f", '{shown}' as {self.levels[key]:g}" for key, shown in rest)
            return f"{text} (scale {self.name})."
        if self.kind == "percent":
            bare = "numbers from 0 to 100 without a % sign read as percentages, " if self.bare else ""
            return (
                f"{label}: {bare}percentages read as 1–5 (below 10 % = 1, below 30 % = 2, below 50 % = 3, "
                "below 70 % = 4, 70 % or more = 5; a band such as '50% to 75%' by its midpoint)."
            )
        if self.kind == "money":
            return (
                f"{label}: amounts read as 1–5 in fifths of the largest impact in the register "
                f"({self.largest:,.0f}); money exposure = probability × amount."
            )
        if self.divisor != 5:
            n = f"{self.divisor:g}"
            return (
                f"{label}: numbers on a 1–{n} scale read as 1–5 (whole level i of {n} at its place, fractions × 5/{n})."
            )
        return f"{label}: numbers read as written on 1–5 (decimals and half steps kept)."


def _bare_percent(cell) -> float | None:
    """A percentage written with or without its sign ('40', 40, '40 %') -> 40.0; None off 0–100."""
    if "%" in str(cell):
        return percent_of(cell)
    value = _number(cell)
    return float(value) if value is not None and 0 <= value <= 100 else None


def percent_of(cell) -> float | None:
    """'75% to 100%' -> 87.5, '40%' -> 40.0, 0.4 -> 40.0, '0.4' -> 40.0; None when not a percentage."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell) * 100 if 0 <= cell <= 1 else float(cell) if 1 < cell <= 100 else None
    text = str(cell)
    numbers = [float(n.replace(",", ".")) for n in _NUMBER.findall(text)]
    if not numbers or len(numbers) > 2:
        return None
    mid = sum(numbers) / len(numbers)
    if "%" in text:
        return mid
    return mid * 100 if 0 <= mid <= 1 else None


def percent_level(pct: float) -> int:
    return next((level for bound, level in PERCENT_BANDS if pct < bound), 5)


def word_scale(values: list[str]) -> Scale | None:
    """The ordered vocabulary covering every value (folded), or None."""
    keys = {fold(v) for v in values}
    for name, levels in WORD_SCALES:
        found = {}
        for i, spellings in enumerate(levels, 1):
            for key in keys & set(spellings):
                found[key] = i
        if len(found) == len(keys):
            used = sorted(set(found.values()))
            short = name == "Very low…Very high" and used[0] >= 2 and used[-1] <= 4
            n, offset = (3, 1) if short else (5, 0)
            letters = all(len(k) <= 2 for k in keys)
            shown = {}
            for text, _ in Counter(str(v).strip() for v in values).most_common():  # the commonest spelling shows
                shown.setdefault(fold(text), text)
            levels_1_5 = {k: float(level_of(i - offset, n)) for k, i in found.items()}
            ordered = sorted(shown, key=lambda k: found[k])
            label = f"{shown[ordered[0]]}…{shown[ordered[-1]]}"
            return Scale("letters" if letters else "words", label, levels_1_5, shown=shown)
    return None


def recognise(values: list, header: str, role: str) -> Scale | None:
    """The scale of one column from its non-empty values and its header text, or None when most
    values are on no scale (prose)."""
    filled = [v for v in values if not is_empty(v)]
    if not filled:
        return None
    words = [v for v in filled if isinstance(v, str) and _number(v) is None and "%" not in v]
    if len(words) > len(filled) / 2:
        readable = [v for v in words if word_scale([v])]
        scale = word_scale(readable) if readable else None
        return scale if scale and len(readable) >= len(words) / 2 else None
    if role == "probability" and (any("%" in str(v) for v in filled) or _all_fractions(filled)):
        return Scale("percent", "percent bands")
    numbers = [n for n in (_number(v) for v in filled) if n is not None]
    if not numbers:
        return None
    top = max(abs(n) for n in numbers)
    if role == "impact" and _MONEY_HEADER.search(header.casefold()):
        return Scale("money", "money", largest=top)
    named = _RANGE_IN_HEADER.search(header)
    if named and int(named.group(1)) <= 1 and int(named.group(2)) > 1:
        return Scale("numeric", f"1–{named.group(2)}", divisor=float(named.group(2)))
    if top > 10:  # past any level scale: a few typos on one (flagged when read), else money or percentages
        share = lambda test: sum(map(test, numbers)) >= 0.8 * len(numbers)  # noqa: E731
        if share(lambda n: abs(n) <= 5):
            return Scale("numeric", "1–5", divisor=5.0)
        if share(lambda n: abs(n) <= 10):
            return Scale("numeric", "1–10", divisor=10.0)
        if role == "impact":
            return Scale("money", "money", largest=top)
        if role == "probability" and share(lambda n: 0 <= n <= 100):
            return Scale("percent", "percent bands", bare=True)  # a chance in percent, written without its sign
    return Scale("numeric", "1–5" if top <= 5 else "1–10", divisor=5.0 if top <= 5 else 10.0)


def with_shared_vocabulary(a: Scale | None, b: Scale | None, a_values, b_values) -> tuple:
    """Probability and impact written in one vocabulary share its number of levels."""
    if a and b and a.kind == b.kind and a.kind in ("words", "letters"):
        both = [v for v in [*a_values, *b_values] if not is_empty(v)]
        union = word_scale([v for v in both if word_scale([v])])
        if union:
            a = Scale(a.kind, union.name, union.levels, shown={k: s for k, s in union.shown.items() if k in a.levels})
            b = Scale(b.kind, union.name, union.levels, shown={k: s for k, s in union.shown.items() if k in b.levels})
    return a, b


def _all_fractions(values) -> bool:
    numbers = [_number(v) for v in values]
    return all(n is not None and 0 < n < 1 for n in numbers)


def _number(v):
    try:
        return parse_number(v)
    except ValueError:
        return None
