"""Risk registers and RAID logs (.xlsx / .csv) -> the ``risks`` table (DESIGN.md §9).

Each sheet is read as what it holds: the header is found by its content (loaders.risk.header),
columns get their roles from an alias table in six languages (loaders.risk.aliases), every
probability and impact scale is read onto 1–5 and stated once per upload (loaders.risk.scales),
and rows that are not entries are skipped and counted (loaders.risk.rows). A RAID workbook's
Risks / Assumptions / Issues / Dependencies sheets each give their kind; a sheet that scores
likelihood is a risk sheet whatever its name. Opportunities (negative impact or score, or a
threat/opportunity column saying so) keep kind ``opportunity``, their exposure negative.
IDs stay text as written (``0001``; a whole number Excel stored as 1.0 is ``1``).

score = probability × impact (1–25; a score the register writes itself is kept in ``extra``);
exposure = probability % × money impact, only where the register gives money (the impact column
itself, or a cost-impact column beside a 1–5 impact); a probability level counts as its band's
midpoint (scales.LEVEL_PERCENT), an issue as 100 %.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.risk.aliases import CLOSED_WORDS, KIND_WORDS, LEGEND_WORDS, TRUE_WORDS
from loaders.risk.header import Header, clean, find_header
from loaders.risk.rows import REASONS, skip_reason
from loaders.risk.scales import LEVEL_PERCENT, Scale, fold, level_of, recognise, with_shared_vocabulary
from loaders.tabular import named_width, read_delimited, read_workbook
from loaders.values import is_empty, parse_date, parse_date_column, parse_number

SOURCE = "risk"
FORMAT = "risk register"
COLUMNS = (
    "row_number",
    "sheet",
    "risk_id",
    "kind",
    "title",
    "description",
    "category",
    "system",
    "probability_raw",
    "impact_raw",
    "probability",
    "impact",
    "score",
    "exposure",
    "currency",
    "owner",
    "status",
    "is_closed",
    "raised",
    "due",
    "closed",
    "response",
    "escalate",
    "extra",
)
TEXT_ROLES = ("title", "description", "cause", "event")
MARKS = {"x", "✓", "✔", "•", "●", "1", "yes", "si", "sí"}
_SHEET_KINDS = {w: k for k, words in KIND_WORDS.items() for w in words if len(w) > 1}
_PROJECT_CELL = re.compile(r"^(project|project name|proyecto|projeto|progetto|projet|projekt)\s*:\s*(.*)$", re.I)
_STATUS_DATE = re.compile(
    r"^(status date|as of|as at|report date|reporting date|fecha de corte|fecha de reporte|data de referência|"
    r"data di riferimento|date de situation|stichtag|stand)\s*:\s*(.*)$",
    re.I,
)
_CURRENCY = re.compile(r"([$€£¥]|\b(?:EUR|USD|GBP|CHF|BRL|MXN|CLP|COP)\b)")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


def sniff(sample: Sample) -> bool:
    """A table whose header (in the first rows of a sheet) names a probability or impact."""
    try:
        tables = _head_rows(sample)
    except Exception:
        return False
    for rows in tables.values():
        header = find_header(rows, None)
        if header and ({"probability", "impact"} & set(header.roles) or header.marks):
            return True
    return False


def _head_rows(sample: Sample) -> dict[str, list[list]]:
    if sample.is_zip:
        return sample.workbook.heads(42)
    text = sample.text_head
    return {"csv": read_delimited(text[:20000].encode("utf-8"))[0]} if text else {}


def parse(data: bytes, file_name: str) -> Parsed:
    if data[:4] == b"PK\x03\x04":
        sheets = read_workbook(data, file_name)
    else:
        sheets = {Path(file_name).stem: read_delimited(data)[0]}
    problems: list[Problem] = []
    frames, skipped, statements, read_sheets, project_name, as_of = [], Counter(), [], [], None, None
    blank_rows = rejected = 0
    text_file = data[:4] != b"PK\x03\x04"
    headers = {name: find_header(rows, sheet_kind(name)) for name, rows in sheets.items()}
    tables = [name for name, header in headers.items() if header is not None]
    for name in tables:
        rows, header = sheets[name], headers[name]
        sheet = _Sheet(
            name if len(sheets) > 1 else None, rows, header, sheet_kind(name), multi=len(tables) > 1, text=text_file
        )
        frame = sheet.read(problems, skipped)
        blank_rows += sheet.blank_rows
        rejected += len(sheet.rejected)
        if frame.empty:
            continue
        frames.append(frame)
        read_sheets.append(f"{name.strip()} ({len(frame)} {sheet.kind_label})")
        statements.extend(s for s in sheet.statements if s not in statements)
        project_name = project_name or preamble_project(rows[: header.row])
        as_of = as_of or preamble_date(rows[: header.row])
    ignored = [name.strip() for name in sheets if name not in tables]
    if frames and ignored:
        problems.append(Problem(f"Sheets without a register table were not read: {', '.join(ignored)}.", "info"))
    if not frames:
        raise Refused(
            f"{file_name}: no sheet holds a risk register with entries under a header naming a title or "
            "description and a probability or impact. Export the register with its header row."
        )
    risks = pd.concat(frames, ignore_index=True)
    problems[:0] = [Problem(s, "info") for s in statements]
    meta = {
        "sheets": read_sheets,
        "skipped": dict(skipped),
        "kinds": dict(Counter(risks.kind)),
        "blank_rows": blank_rows,
    }
    return Parsed(
        SOURCE,
        FORMAT,
        {"risks": risks},
        problems,
        as_of=as_of,
        project_name=project_name,
        meta=meta,
        rows_rejected=rejected,
    )


def sheet_kind(name: str) -> str | None:
    """The RAID kind a sheet's name gives (``Issues`` -> issue, ``Matriz de Riesgos`` -> risk)."""
    words = clean(name).split()
    for word in words:
        if word in _SHEET_KINDS:
            return _SHEET_KINDS[word]
    return None


def preamble_project(rows: list[list]) -> str | None:
    """The project a preamble names (``Project: Marketing Data``, ``Proyecto: | Planificación …``)."""
    for row in rows:
        cells = [str(c).strip() for c in row if not is_empty(c)]
        for k, cell in enumerate(cells):
            if match := _PROJECT_CELL.match(cell):
                value = match.group(2).strip() or (cells[k + 1] if k + 1 < len(cells) else "")
                if value:
                    return value
    return None


def preamble_date(rows: list[list]):
    """The status date a preamble states (``Status date: 2026-11-20``, ``Fecha de corte: …``)."""
    for row in rows:
        cells = [c for c in row if not is_empty(c)]
        for k, cell in enumerate(cells):
            match = _STATUS_DATE.match(str(cell).strip())
            if not match:
                continue
            value = match.group(2).strip() or (cells[k + 1] if k + 1 < len(cells) else "")
            try:
                found = parse_date(value, "DMY") if value != "" else None
            except ValueError:
                found = None
            if found is not None:
                return found.date()
    return None


def text_id(cell) -> str | None:
    """An ID as text: ``0001`` stays ``0001``; a whole number stored as 1.0 is ``1``."""
    if is_empty(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class _Sheet:
    """One table of one sheet being read."""

    def __init__(
        self, sheet: str | None, rows: list[list], header: Header, hint: str | None, multi: bool, text: bool = False
    ):
        self.sheet, self.rows, self.header, self.multi, self.text = sheet, rows, header, multi, text
        self.data = rows[header.first_data_row :]
        self.names = header.names
        self.width = named_width(self.names)
        roles = header.roles
        self.kind = "risk" if ("probability" in roles or "probability" in header.marks) else hint or "risk"
        self.kind_label = {"risk": "risks", "opportunity": "opportunities"}.get(self.kind, f"{self.kind} entries")
        if "amount" in roles and "impact" not in roles and "impact" not in header.marks:
            roles = {**roles, "impact": roles["amount"]}  # a cost impact is the impact, read as money
            roles.pop("amount")
        self.roles = roles
        self.cols = {role: cols[0] for role, cols in roles.items() if cols}
        self.scales: dict[str, Scale] = {}
        self.statements: list[str] = []
        self.issues_certain = False
        self._dates: dict = {}
        self.text_cols = [self.cols[r] for r in TEXT_ROLES if r in self.cols]
        self.entries, self.skipped = self._classify()
        self._choose_scales()
        self._choose_text_columns()
        self.kind_col = self._kind_column()

    def column_values(self, j: int) -> list:
        """The cells of column ``j`` in the entry rows."""
        return [r[j] if j < len(r) else "" for _, r in self.entries]

    def _classify(self) -> tuple[list[tuple[int, list]], list[tuple[int, str]]]:
        """(row number, row) of every entry, and (row number, reason) of every skipped row."""
        entries, skipped, gap = [], [], False
        self.rejected: list[tuple[int, list]] = []  # text rows with cells past the header (see read)
        self.blank_rows = 0  # skipped without a word, counted in meta["blank_rows"] (loaded + skipped = rows)
        for k, row in enumerate(self.data):
            row_number = self.header.first_data_row + k + 1
            reason = skip_reason(
                row,
                id_col=self.cols.get("risk_id"),
                text_cols=self.text_cols,
                header_names=self.names,
                after_gap=gap,
                near_header=k < 2 and not entries,
            )
            if reason == "":
                gap = gap or bool(entries)
                self.blank_rows += 1
            elif reason:
                skipped.append((row_number, reason))
            elif self.text and any(not is_empty(c) for c in row[self.width :]):
                self.rejected.append((row_number, row))
            else:
                entries.append((row_number, row))
        return entries, skipped

    def _choose_scales(self) -> None:
        """Per scale role the candidate column most of whose values read on a scale."""
        found = {}
        for role in ("probability", "impact"):
            best = None
            for j in self.roles.get(role, []):
                values = self.column_values(j)
                scale = recognise(values, self.names[j], role)
                if scale is None:
                    continue
                readable = sum(_reads(scale, v) for v in values if not is_empty(v))
                if best is None or readable > best[0]:
                    best = (readable, j, scale)
            if best:
                found[role] = best[1:]
                self.cols[role] = best[1]
            else:
                self.cols.pop(role, None)
        p, i = found.get("probability"), found.get("impact")
        if p and i:
            sp, si = with_shared_vocabulary(p[1], i[1], self.column_values(p[0]), self.column_values(i[0]))
            found["probability"], found["impact"] = (p[0], sp), (i[0], si)
        for role, (j, scale) in found.items():
            self.scales[role] = scale
            label = re.sub(r"\s+", " ", self.names[j]).strip()
            label = f"{self.sheet.strip()} — {label}" if self.sheet and self.multi else label
            self.statements.append(scale.statement(label))
        for role, cols in self.header.marks.items():
            labels = " ".join(f"{label} as {level_of(k, len(cols))}," for k, (_, label) in enumerate(cols, 1))
            self.statements.append(
                f"{role.capitalize()}: an X under a level column read as its position: {labels.rstrip(',')} of 5."
            )

    def _choose_text_columns(self) -> None:
        """The title column must tell entries apart; else the description (or cause, event) is the title."""
        order = self.text_cols
        for j in order:
            values = [text_id(v) for v in self.column_values(j) if not is_empty(v)]
            if values and len(set(values)) > len(values) / 2:
                self.title_col = j
                break
        else:
            self.title_col = order[0] if order else None
        desc = self.cols.get("description")
        self.desc_col = desc if desc != self.title_col else None

    def _kind_column(self) -> int | None:
        """A kind or category column holding only RAID / threat-opportunity words (Risk, Issue,
        Opportunity, T/O) gives each entry its kind; the next category candidate stays the category."""
        for role in ("kind", "category"):
            for j in self.roles.get(role, []):
                values = {fold(v) for v in self.column_values(j) if not is_empty(v)}
                if values and all(_kind_word(v) for v in values):
                    rest = [c for c in self.roles.get("category", []) if c != j]
                    if rest:
                        self.cols["category"] = rest[0]
                    elif self.cols.get("category") == j:
                        self.cols.pop("category")
                    return j
        return None

    def read(self, problems: list[Problem], skipped: Counter) -> pd.DataFrame:
        where = f"sheet {self.sheet.strip()!r}, " if self.sheet else ""
        by_reason: dict[str, list[int]] = {}
        for row_number, reason in self.skipped:
            skipped[reason] += 1
            by_reason.setdefault(reason, []).append(row_number)
        for reason, numbers in by_reason.items():
            rows = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {_ranges(numbers)}"
            count = f" ({len(numbers)} rows)" if len(numbers) > 1 else ""
            problems.append(Problem(f"{where}{rows}: {REASONS[reason]}, skipped{count}.", "info", numbers[0]))
        records = [self._record(row, number, n, problems) for n, (number, row) in enumerate(self.entries, 1)]
        if self.issues_certain:
            self.statements.append("Issues have happened: an issue without a probability is read as 5 of 5.")
        frame = pd.DataFrame(records, columns=list(COLUMNS))
        self._flag_duplicate_ids(frame, problems)
        self._flag_unread_cells(problems, where)
        self._flag_rejected(problems, where)
        return frame

    def _flag_rejected(self, problems: list[Problem], where: str) -> None:
        """A text file's row with filled cells after the header's last column is not loaded: most
        likely a delimiter inside an unquoted cell moved the cells after it (its probability, impact
        and status would be read from the wrong columns), or a note was typed beside the table."""
        for number, row in self.rejected[:MAX_REJECTED_SHOWN]:
            problems.append(
                Problem(
                    f"{where}row {number} has {len(row)} cells but the header names {self.width}: probably a "
                    "delimiter inside an unquoted cell moved the cells after it (or a note beside the table), "
                    "so it was not loaded. Quote that cell, or move the note, and upload again.",
                    "error",
                    number,
                    None,
                    " | ".join(str(c) for c in row)[:500],
                )
            )
        if len(self.rejected) > MAX_REJECTED_SHOWN:
            problems.append(
                Problem(
                    f"{where}{len(self.rejected) - MAX_REJECTED_SHOWN} more row(s) have cells past the header; "
                    "not loaded either.",
                    "error",
                )
            )

    def _flag_unread_cells(self, problems: list[Problem], where: str) -> None:
        """Entry cells nothing reads, said per column: filled cells under no column name (a legend
        beside a workbook's table; a text row with cells past the header is rejected instead, see
        :meth:`_flag_rejected`), and rows of a text file shorter than the named columns (their last
        cells read as empty)."""
        width = self.width
        unnamed: dict[int, list[int]] = {}
        short: list[int] = []
        for number, row in self.entries:
            for j, cell in enumerate(row):
                if not is_empty(cell) and (j >= len(self.names) or not self.names[j].strip()):
                    unnamed.setdefault(j, []).append(number)
            if len(row) < width:
                short.append(number)
        for j, numbers in sorted(unnamed.items()):
            rows = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {_ranges(numbers)}"
            problems.append(
                Problem(
                    f"{where}column {_letter(j)} has no name in the header: its {len(numbers)} filled cell(s) "
                    f"({rows}) were not read. Name the column, or check those rows for a delimiter inside a cell.",
                    "warning",
                    numbers[0],
                    _letter(j),
                )
            )
        if short:
            rows = f"row {short[0]}" if len(short) == 1 else f"rows {_ranges(short)}"
            problems.append(
                Problem(
                    f"{where}{rows}: fewer cells than the header's {width} named columns; the missing cells "
                    "were read as empty. Check those rows (a line break or a quote inside a cell?).",
                    "warning",
                    short[0],
                )
            )

    def _cell(self, row, role):
        j = self.cols.get(role)
        return row[j] if j is not None and j < len(row) and not is_empty(row[j]) else None

    def _record(self, row, row_number: int, n: int, problems: list[Problem]) -> dict:
        rid = text_id(self._cell(row, "risk_id"))
        title = row[self.title_col] if self.title_col is not None and self.title_col < len(row) else None
        if is_empty(title):
            title = next((row[j] for j in self.text_cols if j < len(row) and not is_empty(row[j])), None)
        p, p_raw, pct = self._level(row, "probability", row_number, problems)
        i, i_raw, amount = self._level(row, "impact", row_number, problems)
        if amount is None and "amount" in self.cols:
            amount = self._amount(row, row_number, problems)
        kind = self.kind
        if self.kind_col is not None and self.kind_col < len(row) and not is_empty(row[self.kind_col]):
            kind = _kind_word(fold(row[self.kind_col])) or kind
        if kind == "issue" and p is None:
            p = 5.0
            self.issues_certain = True
        if (i is not None and i < 0) or (amount is not None and amount < 0):
            kind = "opportunity"
        i = abs(i) if i is not None else None
        if kind == "opportunity" and amount is not None:
            amount = -abs(amount)
        score = p * i if p is not None and i is not None else None
        exposure = None
        if amount is not None and p is not None:
            likely = 100.0 if kind == "issue" else LEVEL_PERCENT[max(1, min(5, round(p)))]
            exposure = (pct if pct is not None else likely) / 100 * amount
        status = _text(self._cell(row, "status"))
        used = (
            {j for r, j in self.cols.items() if r != "score"}
            | {self.title_col}
            | {j for c in self.header.marks.values() for j, _ in c}
        )
        return {
            "row_number": row_number,
            "sheet": self.sheet.strip() if self.sheet else None,
            "risk_id": rid or f"#{n}",
            "kind": kind,
            "title": _text(title),
            "description": _text(row[self.desc_col])
            if self.desc_col is not None and self.desc_col < len(row)
            else None,
            "category": _text(self._cell(row, "category")),
            "system": _text(self._cell(row, "system")),
            "probability_raw": p_raw,
            "impact_raw": i_raw,
            "probability": p,
            "impact": i,
            "score": score,
            "exposure": exposure,
            "currency": self._currency() if amount is not None else None,
            "owner": _text(self._cell(row, "owner")),
            "status": status,
            "is_closed": bool(status) and is_closed_status(status),
            "raised": self._date(n, "raised", row_number, problems),
            "due": self._date(n, "due", row_number, problems),
            "closed": self._date(n, "closed", row_number, problems),
            "response": _text(self._cell(row, "response")),
            "escalate": fold(self._cell(row, "escalate") or "") in TRUE_WORDS,
            "extra": self._extra(row, used),
        }

    def _level(self, row, role: str, row_number: int, problems: list[Problem]):
        """(level on 1–5 or None, raw text, percent or money amount)."""
        if role in self.header.marks:
            cols = self.header.marks[role]
            hits = [(k, label) for k, (j, label) in enumerate(cols, 1) if j < len(row) and fold(row[j]) in MARKS]
            if not hits:
                return None, None, None
            k, label = hits[-1]
            if len(hits) > 1:
                problems.append(
                    Problem(
                        f"row {row_number}: {role} is marked under several levels; the highest, {label}, was used.",
                        "warning",
                        row_number,
                        role,
                        ", ".join(h[1] for h in hits),
                    )
                )
            return float(level_of(k, len(cols))), label, None
        cell = self._cell(row, role)
        if cell is None or role not in self.scales:
            return None, _text(cell), None
        raw = text_id(cell) if isinstance(cell, float) else _text(cell)
        try:
            level, extra = self.scales[role].read(cell)
        except ValueError as err:
            problems.append(
                Problem(
                    f"row {row_number}: {err}; {role} left empty, so the entry has no score.",
                    "warning",
                    row_number,
                    self.names[self.cols[role]].strip(),
                    str(cell)[:200],
                )
            )
            return None, raw, None
        return level, raw, extra

    def _amount(self, row, row_number: int, problems: list[Problem]) -> float | None:
        """The money impact of a cost-impact column (beside a 1–5 impact)."""
        cell = self._cell(row, "amount")
        try:
            return None if cell is None else parse_number(cell)
        except ValueError:
            problems.append(
                Problem(
                    f"row {row_number}: '{cell}' is not an amount; the entry has no money exposure.",
                    "warning",
                    row_number,
                    self.names[self.cols["amount"]].strip(),
                    str(cell)[:200],
                )
            )
            return None

    def _date(self, n: int, role: str, row_number: int, problems: list[Problem]):
        """Entry ``n``'s date in ``role``: each date column is read with one day/month order,
        decided from all its values (loaders.values.parse_date_column)."""
        if role not in self.cols:
            return None
        if role not in self._dates:
            self._dates[role] = parse_date_column(self.column_values(self.cols[role]), fallback="DMY")
        column = self._dates[role]
        if n - 1 in column.errors:
            cell = self.column_values(self.cols[role])[n - 1]
            problems.append(
                Problem(
                    f"row {row_number}: '{cell}' is not a date; {role} left empty.",
                    "warning",
                    row_number,
                    self.names[self.cols[role]].strip(),
                    str(cell)[:200],
                )
            )
            return None
        value = column.array[n - 1]
        return None if pd.isna(value) else pd.Timestamp(value).date()

    def _currency(self) -> str | None:
        j = self.cols.get("amount", self.cols.get("impact"))
        found = _CURRENCY.search(self.names[j]) if j is not None else None
        return None if not found else _SYMBOLS.get(found.group(1), found.group(1))

    def _extra(self, row, used: set) -> str | None:
        out = {}
        for j, cell in enumerate(row):
            name = self.names[j].strip() if j < len(self.names) else ""
            if j in used or is_empty(cell) or not name or clean(name) in LEGEND_WORDS:
                continue
            out[name] = text_id(cell) if isinstance(cell, float) else str(cell).strip()
        return json.dumps(out, ensure_ascii=False, default=str) if out else None

    def _flag_duplicate_ids(self, frame: pd.DataFrame, problems: list[Problem]) -> None:
        counts = frame.risk_id.value_counts()
        for rid in counts[counts > 1].index:
            rows = frame.row_number[frame.risk_id == rid].tolist()
            problems.append(
                Problem(
                    f"ID {rid} is used by {len(rows)} entries (rows {', '.join(map(str, rows))}); "
                    "each is kept, but trends match only the first.",
                    "warning",
                    rows[0],
                    "risk_id",
                    rid,
                )
            )


MAX_REJECTED_SHOWN = 50


def _letter(j: int) -> str:
    """0 -> 'A', 26 -> 'AA': a column as a spreadsheet names it."""
    out = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        out = chr(65 + rest) + out
    return out


def _ranges(numbers: list[int]) -> str:
    """[5, 6, 7, 12] -> '5–7, 12'."""
    spans, start = [], numbers[0]
    for prev, cur in zip(numbers, [*numbers[1:], None], strict=True):
        if cur != prev + 1:
            spans.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = cur
    return ", ".join(spans)


def _reads(scale: Scale, value) -> bool:
    try:
        return scale.read(value)[0] is not None
    except ValueError:
        return False


def _kind_word(value: str) -> str | None:
    return next((kind for kind, words in KIND_WORDS.items() if value in words), None)


def _text(cell) -> str | None:
    return None if cell is None or is_empty(cell) else re.sub(r"[ \t]+", " ", str(cell)).strip()


def is_closed_status(status: str) -> bool:
    """A status saying the entry is closed (``Closed``, ``Cerrado``, ``Done``, ``Resolved`` …)."""
    words = clean(status).split()
    return bool(words) and (words[0] in CLOSED_WORDS or clean(status) in CLOSED_WORDS)
