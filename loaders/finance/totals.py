"""Total, subtotal, section and derived rows: told apart from real lines and cross-checked.

A row is a **total** when a key cell is exactly a total word in one of the languages below
(``Total``, ``Subtotal``, ``Grand total``, ``Summe``, ``Gesamt``, ``Sous-total``, ``Totale`` ...), a
total word followed by a value seen above (``Total P1``, ``Total Income`` after an ``Income:``
section), or an SAP list marker (a cell of ``*`` / ``**`` / ``=`` only). A label that merely starts
with a total word (``Total Rewards``, ``TOTAL-ERP``) is a real line unless its amounts equal the sum
of the lines above it since the last total (then it is excluded with a warning).

Every excluded total is compared with the lines it closes (the block since the previous total or
section start; a grand total with every line above): a difference is a warning naming both sums.

A **section** row holds a label and no amounts (``Income:``, ``Expenses:``, ``Costos Directos``);
income sections (:data:`INCOME_WORDS`) mark the lines under them as income. A **derived** row is one
the workbook computes from the others (``Savings``, ``Net``, ``Balance``, ``Cumulative ...``): excluded.
"""

from __future__ import annotations

import re

from loaders.values import normalize_header

_TOTAL_WORD = (
    r"(?:sub\s*-?\s*totals?|grand\s*-?\s*totals?|totals?|zwischensumme|gesamtsumme|summe|gesamt|endsumme"
    r"|sous[\s-]*total|total\s+g[ée]n[ée]ral|suma\s+total|suma|subtotaal|totaal|totale|totales|totaux"
    r"|subtotale|somma|soma|montant\s+total|importe\s+total)"
)
TOTAL_EXACT = re.compile(rf"^\s*{_TOTAL_WORD}\s*[:.\-]?\s*$", re.I)
TOTAL_PREFIX = re.compile(rf"^\s*{_TOTAL_WORD}(?![a-z])[\s:.\-]*(?P<rest>.*?)\s*$", re.I)
SAP_MARKER = re.compile(r"^\s*(\*{1,5}|={1,3})\s*$")
AGGREGATE_HEADER = re.compile(
    r"^\s*(total|totals|sum|summe|gesamt|fy\s*\d{2,4}|q[1-4]\b.*|h[12]\b.*|ytd|full year|year)\b", re.I
)

INCOME_WORDS = {
    "income",
    "incomes",
    "revenue",
    "revenues",
    "sales revenue",
    "turnover",
    "receipts",
    "earnings",
    "ingresos",
    "ingreso",
    "ventas",
    "receitas",
    "receita",
    "faturamento",
    "recettes",
    "revenus",
    "produits",
    "chiffre d'affaires",
    "ventes",
    "erlöse",
    "umsatz",
    "umsatzerlöse",
    "einnahmen",
    "erträge",
    "ricavi",
    "entrate",
}
EXPENSE_WORDS = {
    "expenses",
    "expense",
    "costs",
    "cost",
    "expenditure",
    "expenditures",
    "spending",
    "gastos",
    "costos",
    "costes",
    "egresos",
    "despesas",
    "custos",
    "dépenses",
    "charges",
    "coûts",
    "ausgaben",
    "kosten",
    "aufwand",
    "spese",
    "costi",
    "uscite",
}
DERIVED_WORDS = re.compile(
    r"^\s*(savings|net|net income|net result|balance|profit|loss|margin|gross margin|surplus|deficit|cash flow"
    r"|cumulative\b.*|running total|ahorro|ahorros|saldo|resultado|utilidad|beneficio|poupança|lucro|solde"
    r"|résultat|bénéfice|épargne|marge|überschuss|gewinn|ergebnis|saldo|kumuliert\b.*|risparmio|utile|margine"
    r"|acumulado\b.*|cumul\b.*)\s*[:.]?\s*$",
    re.I,
)


def is_income_label(text: str | None) -> bool:
    return bool(text) and normalize_header(text).rstrip(":").strip() in INCOME_WORDS


def is_expense_label(text: str | None) -> bool:
    return bool(text) and normalize_header(text).rstrip(":").strip() in EXPENSE_WORDS


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 + 1e-9 * max(abs(a), abs(b))


def _under(line: tuple, total: tuple) -> bool:
    """Does a line (measure, period) add up into a total row (measure, period)? A total that names
    no measure or no period covers them all."""
    return all(t is None or t == v for v, t in zip(line, total))


class Totals:
    """Tracks one table's rows to tell totals from lines and to cross-check the totals."""

    def __init__(self):
        self.seen: dict[str, set[str]] = {}
        self.block: list[tuple[tuple, list[float | None]]] = []
        self.all_rows: list[tuple[tuple, list[float | None]]] = []
        self.keyed: list[tuple[set[str], tuple, list[float | None]]] = []
        self.kept_labels: set[str] = set()

    def kind(self, keys: dict[str, str | None]) -> tuple[str | None, str | None]:
        """('exact' | 'named' | 'prefix' | None, the label) for a row's key cells."""
        candidate = None
        known = set().union(*self.seen.values()) if self.seen else set()
        for value in keys.values():
            if not value:
                continue
            if TOTAL_EXACT.match(value) or SAP_MARKER.match(value):
                return "exact", value
            match = TOTAL_PREFIX.match(value)
            if match:
                rest = match["rest"].casefold().rstrip(":")
                if rest and (rest in known or is_income_label(rest) or is_expense_label(rest)):
                    return "named", value
                candidate = candidate or value
        return ("prefix", candidate) if candidate else (None, None)

    def sums_block(self, amounts: list[float | None], group: tuple = ()) -> bool:
        """True when ``amounts`` equal column by column the sum of the (two or more) block rows of
        the same measure and period."""
        block = [a for g, a in self.block if _under(g, group)]
        if len(block) < 2 or all(v is None for v in amounts):
            return False
        return all(close(v or 0.0, s) for v, s in zip(amounts, self._sums(block)))

    def check(self, amounts: list[float | None], label: str | None = None, group: tuple = ()) -> tuple | None:
        """Cross-check a total row: None when it matches the block, the lines it names (``Total P1``)
        or, for a grand total, every line above; else (its own total, the block's, every line's)."""
        own = sum(v or 0.0 for v in amounts)
        if all(v is None for v in amounts):
            return None
        match = TOTAL_PREFIX.match(label or "")
        rest = match["rest"].casefold().rstrip(":") if match else ""
        named = [a for keys, g, a in self.keyed if rest and rest in keys and _under(g, group)]
        block = [a for g, a in self.block if _under(g, group)]
        every = [a for g, a in self.all_rows if _under(g, group)]
        for rows in (block, named, every):
            if rows and all(close(v or 0.0, s) for v, s in zip(amounts, self._sums(rows))):
                return None
        since = sum(self._sums(block)) if block else 0.0
        return own, since, sum(self._sums(every)) if every else 0.0

    @staticmethod
    def _sums(rows: list[list[float | None]]) -> list[float]:
        width = max(len(r) for r in rows)
        return [sum((r[i] or 0.0) for r in rows if i < len(r)) for i in range(width)]

    def add(self, keys: dict[str, str | None], amounts: list[float | None], group: tuple = ()) -> None:
        """Record a line; ``group`` (its measure and period) limits which totals it adds up to."""
        for name, value in keys.items():
            if value:
                self.seen.setdefault(name, set()).add(value.casefold().rstrip(":"))
        self.block.append((group, amounts))
        self.all_rows.append((group, amounts))
        self.keyed.append(({v.casefold() for v in keys.values() if v}, group, amounts))

    def section(self, label: str) -> None:
        self.seen.setdefault("section", set()).add(label.casefold().rstrip(": "))
        self.block = []
