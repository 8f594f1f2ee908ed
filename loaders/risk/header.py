"""Finding a register's header by its content, not its position, and giving each column a role.

The header is the row, among the first 40, whose cells name the most roles (ROLE_ALIASES); it must
name a title or description and, for a risk table, a probability or impact (a RAID sheet named
Issues / Assumptions / Dependencies needs only the title). A second header row is joined to it when
it fills cells that a merged cell above left empty (``Riesgo`` over ``Fuente | Consecuencia``,
``Probability`` over ``VL L M H VH``); level labels under one merged heading make a *mark group*:
the level of an entry is the position of its ``X``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from loaders.risk.aliases import RESIDUAL_WORDS, ROLE_ALIASES
from loaders.risk.scales import WORD_SCALES, fold
from loaders.values import is_empty

SCAN_ROWS = 40
SCALE_ROLES = ("probability", "impact")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PHRASES = {role: {p: len(p) for p in phrases} for role, phrases in ROLE_ALIASES.items()}
_RANK = {role: {p: k for k, p in enumerate(phrases)} for role, phrases in ROLE_ALIASES.items()}
_BY_PHRASE: dict[str, list[tuple[str, int, int]]] = {}  # phrase -> (role, length, rank) of every role it names
for _role, _phrases in _PHRASES.items():
    for _phrase, _size in _phrases.items():
        _BY_PHRASE.setdefault(_phrase, []).append((_role, _size, _RANK[_role][_phrase]))
_LEVEL_LABELS = {key for _, levels in WORD_SCALES for spellings in levels for key in spellings}


def clean(text) -> str:
    """Header text -> comparison key: parentheses dropped, case-folded, punctuation folded."""
    text = _PARENS.sub(" ", str(text)).replace("\n", " ").casefold()
    text = re.sub(r"[^\w#%?*/ ]+", " ", text)
    return re.sub(r"[\s_]+", " ", text).strip(" ?")


# a sniff asks for every cell of a file's first rows, and weekly snapshots repeat them
@functools.lru_cache(maxsize=16384, typed=True)
def role_matches(header: str) -> tuple[tuple[int, int, str, int], ...]:
    """(strength, phrase length, role, phrase rank) for a header, best first: strength 3 = exact,
    2 = starts with a phrase, 1 = ends with one; a longer phrase wins among equals. The rank is
    the phrase's place in its role's alias list (``impact`` before ``severity``). Phrases are
    looked up by the header's word-boundary prefixes and suffixes, not scanned one by one."""
    key = clean(header)
    if not key:
        return ()
    residual = key.split()[0] in RESIDUAL_WORDS
    best: dict[str, tuple[int, int, int]] = {}

    def offer(phrase: str, strength: int) -> None:
        for role, size, rank in _BY_PHRASE.get(phrase, ()):
            if strength < 3 and size <= 2:
                continue
            if (strength, size, -rank) > best.get(role, (0, 0, 0)):
                best[role] = (strength, size, -rank)

    offer(key, 3)
    for at, char in enumerate(key):
        if char == " ":
            offer(key[:at], 2)
            offer(key[at + 1 :], 1)
    out = [
        (strength, size, role, -rank)
        for role, (strength, size, rank) in best.items()
        if not (residual and role in (*SCALE_ROLES, "score"))
    ]
    return tuple(sorted(out, reverse=True))


@dataclass
class Header:
    """Where a table's header is (0-based rows), its column names and each column's role."""

    row: int
    depth: int  # 1 or 2 header rows
    names: list[str]
    roles: dict[str, list[int]]  # role -> candidate columns, best first
    marks: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # role -> [(column, level label)]

    @property
    def first_data_row(self) -> int:
        return self.row + self.depth


def _text(cell) -> str:
    return "" if is_empty(cell) else str(cell).strip()


def _named_roles(cells: list[str]) -> set[str]:
    return {m[0][2] for c in cells if (m := role_matches(c))}


def find_header(rows: list[list], kind_hint: str | None) -> Header | None:
    """The header of the register table in ``rows``, or None when the sheet holds none."""
    best = None
    for i, row in enumerate(rows[:SCAN_ROWS]):
        cells = [_text(c) for c in row]
        if sum(bool(c) for c in cells) < 2:
            continue
        merged = _merged(cells, [_text(c) for c in rows[i + 1]] if i + 1 < len(rows) else [])
        names = merged or cells
        roles = _named_roles(names)
        has_text = bool(roles & {"title", "description", "cause", "event"})
        scaled = bool(roles & {"probability", "impact", "score"}) or _mark_groups(cells, rows, i)
        if not has_text or not (scaled or kind_hint):
            continue
        strength = len(roles)
        if best is None or strength > best[0]:
            best = (strength, i, 2 if merged else 1, names)
    if best is None:
        return None
    _, i, depth, names = best
    top = [_text(c) for c in rows[i]]
    marks = _mark_groups(top, rows, i) if depth == 2 else {}
    return Header(i, depth, names, assign_roles(names, marks), marks)


def _merged(top: list[str], below: list[str]) -> list[str] | None:
    """Names of a two-row header (top forward-filled across merged cells + the cell below), or
    None when ``below`` is not a second header row: it must fill a cell a merge left empty and
    hold no numbers."""
    width = max(len(top), len(below))
    top = top + [""] * (width - len(top))
    below = below + [""] * (width - len(below))
    if any(re.fullmatch(r"[-+]?\d+([.,]\d+)?", c) for c in below if c):
        return None
    under_merge = any(not top[j] and below[j] and any(top[:j]) for j in range(width))
    if not under_merge:
        return None
    names, current = [], ""
    for j in range(width):
        if top[j]:
            current = top[j]
        head = top[j] or (current if below[j] else "")
        if below[j] and clean(below[j]) != clean(head):
            names.append(f"{head} {below[j]}".strip())
        else:
            names.append(head)
    return names


def _mark_groups(top: list[str], rows: list[list], i: int) -> dict[str, list[tuple[int, str]]]:
    """Scale roles whose merged heading spans columns of level labels (VL L M H VH) in the row below."""
    if i + 1 >= len(rows):
        return {}
    below = [_text(c) for c in rows[i + 1]]
    groups: dict[str, list[tuple[int, str]]] = {}
    current = None
    for j in range(min(len(top), len(below))):
        if top[j]:
            matches = role_matches(top[j])
            current = matches[0][2] if matches and matches[0][2] in SCALE_ROLES else None
        if current and below[j] and fold(below[j]) in _LEVEL_LABELS:
            groups.setdefault(current, []).append((j, below[j]))
    return {role: cols for role, cols in groups.items() if len(cols) >= 3}


def assign_roles(names: list[str], marks: dict) -> dict[str, list[int]]:
    """role -> candidate columns, strongest match first (then leftmost). Each column plays the
    one role its header names best (``Risk owner`` is an owner, not a risk title)."""
    marked = {j for cols in marks.values() for j, _ in cols}
    candidates: dict[str, list[tuple[int, int, int]]] = {}
    for j, name in enumerate(names):
        matches = role_matches(name)
        if j in marked or not matches:
            continue
        strength, _, role, rank = matches[0]
        candidates.setdefault(role, []).append((-strength, rank, j))
    return {role: [j for *_, j in sorted(found)] for role, found in candidates.items()}
