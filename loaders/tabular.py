"""Reading delimited text and workbooks into rows of cells, safely and fast.

Text: the encoding decided from the bytes (:mod:`loaders.encoding`: byte-order marks, UTF-16,
UTF-8 with a few bad bytes replaced, else cp1252, what Excel writes on Windows). Delimiter sniffed
from the header line among ``,`` ``;`` tab and ``|``. Workbooks are read with calamine after the
zip's declared expansion is checked against ``MAX_UNZIPPED_BYTES``.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import zipfile
from dataclasses import dataclass
from itertools import islice

from loaders.encoding import decide
from loaders.errors import Refused

DELIMITERS = ",;\t|"
# one cell may hold a long description (Python's csv default is 128 KiB); the upload limit bounds it
csv.field_size_limit(256 * 1024 * 1024)
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name), decided by :func:`loaders.encoding.decide`: a UTF-16 or
    UTF-8 byte-order mark, UTF-16 without one, UTF-8 (a few bad bytes replaced), else cp1252.
    ``data`` of exactly 64 KiB is taken as a file's first bytes (a character cut at the end is
    not an error)."""
    decided = decide(data, sample=len(data) == 65536)
    return decided.text, decided.encoding


def sniff_delimiter(first_line: str) -> str:
    """The delimiter used by a header line: the candidate that occurs most outside quotes."""
    outside = []
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def sniff_header(text: str) -> list[str]:
    """The cells of the first non-empty line of delimited text."""
    for line in text.splitlines():
        if line.strip():
            return next(csv.reader([line], delimiter=sniff_delimiter(line)))
    return []


def read_delimited(data: bytes) -> tuple[list[list[str]], str, str]:
    """All rows of a delimited text file as lists of strings -> (rows, encoding, delimiter)."""
    text, encoding = decode(data)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = sniff_delimiter(first)
    rows, _repairs = read_rows(text.replace("\x00", ""), delimiter)
    return rows, encoding, delimiter


@dataclass(frozen=True)
class QuoteRepair:
    """One physical ``line`` (1-based) whose quotes broke CSV quoting: ``kind`` is ``requoted`` (read
    with the quote as a plain character, the line had exactly the header's cells, and was loaded so) or
    ``unquoted`` (an opening quote never closed and swallowed the rows after it: its quotes were dropped
    so the rows after it are read; the row itself keeps its own cell count)."""

    line: int
    kind: str
    text: str


def read_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[QuoteRepair]]:
    """Delimited ``text`` -> (rows, repairs). A record that spans several physical lines and has a
    cell count other than the header's is checked for a stray quote (see :class:`QuoteRepair`); the
    repaired lines are rewritten and the text read again, so no row is lost to one bad quote."""
    rows, spans = _records(text, delimiter)
    width = next((len(r) for r in rows if any(c.strip() for c in r)), 0)
    suspects = [k for k, r in enumerate(rows) if len(r) != width and spans[k][1] > spans[k][0]]
    if not suspects:
        return rows, []
    lines = text.split("\n")
    repairs: list[QuoteRepair] = []
    for k in suspects:
        first = spans[k][0]  # 1-based physical line where the record starts
        line = lines[first - 1].rstrip("\r")
        if '"' not in line:
            continue
        cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
        if len(cells) == width:
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
            fixed, kind = out.getvalue(), "requoted"
        elif (
            spans[k][1] - first >= 2
            and all(  # swallowed at least two lines that are rows on their own
                '"' not in nxt and _fits(nxt.rstrip("\r"), width, delimiter) for nxt in lines[first : first + 2]
            )
        ):
            fixed, kind = line.replace('"', ""), "unquoted"
        else:
            continue
        lines[first - 1] = fixed + ("\r" if lines[first - 1].endswith("\r") else "")
        repairs.append(QuoteRepair(first, kind, line[:500]))
    if not repairs:
        return rows, []
    return _records("\n".join(lines), delimiter)[0], repairs


def _fits(line: str, width: int, delimiter: str) -> bool:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), [])) == width
    except csv.Error:
        return False


def _records(text: str, delimiter: str) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """Rows and, per row, its (first, last) physical line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, spans, prev = [], [], 0
    for row in reader:
        rows.append(row)
        spans.append((prev + 1, reader.line_num))
        prev = reader.line_num
    return rows, spans


def named_width(names) -> int:
    """Columns up to a header's last named one: a text row with filled cells past it has moved
    (a delimiter inside an unquoted cell) or carries a note beside the table. A trailing
    delimiter's empty name counts for nothing."""
    named = [j for j, name in enumerate(names) if str(name or "").strip()]
    return named[-1] + 1 if named else 0


def check_zip(data: bytes, file_name: str) -> None:
    """Refuse a workbook whose members would expand beyond MAX_UNZIPPED_BYTES (zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as err:
        raise Refused(f"{file_name}: the workbook is damaged ({err}). Save it again and re-upload.") from None
    if total > MAX_UNZIPPED_BYTES:
        raise Refused(
            f"{file_name}: the workbook would expand to {total / 2**30:.1f} GiB, over the "
            f"{MAX_UNZIPPED_BYTES / 2**30:.0f} GiB limit. Split it or export fewer columns."
        )


def read_workbook(data: bytes, file_name: str, sheets: list[str] | None = None) -> dict[str, list[list]]:
    """Sheet name -> rows (lists of cell values as calamine gives them: str, float, int, bool,
    date/datetime, or '' for empty). ``sheets`` limits which sheets are read."""
    book = OpenWorkbook.readable(data, file_name)
    names = book.sheet_names if sheets is None else [s for s in book.sheet_names if s in sheets]
    return {name: book.sheet(name).to_python(skip_empty_area=False) for name in names}


_SHARED: contextvars.ContextVar[list | None] = contextvars.ContextVar("shared_workbooks", default=None)


@contextlib.contextmanager
def one_workbook_per_file():
    """Within it, :meth:`OpenWorkbook.of` the same bytes object gives the same opened workbook: the
    sniffers of format detection and then the loader's parse load each sheet once between them."""
    token = _SHARED.set([])
    try:
        yield
    finally:
        _SHARED.reset(token)


class OpenWorkbook:
    """A workbook's bytes opened once with calamine, each sheet loaded on first use and kept.

    Loading a sheet is most of reading it (about 1.3 s for 100,000 rows of 17 columns; turning the
    loaded sheet into rows is a third of that), and format detection asks several sniffers in turn
    before the loader reads the file, so they share one (:meth:`of`, ``Sample.workbook``) instead
    of loading every sheet once each. Raises :class:`Refused` for a zip that would expand too far
    (:func:`check_zip`) and calamine's own error for a damaged file."""

    @classmethod
    def of(cls, data: bytes, file_name: str) -> OpenWorkbook:
        """The workbook of ``data``: the one already opened for this bytes object inside
        :func:`one_workbook_per_file`, else a new one."""
        shared = _SHARED.get()
        if shared is not None:
            for opened, book in shared:
                if opened is data:
                    return book
        book = cls(data, file_name)
        if shared is not None:
            shared.append((data, book))
        return book

    @classmethod
    def readable(cls, data: bytes, file_name: str) -> OpenWorkbook:
        """:meth:`of`, with a damaged file refused in one sentence instead of calamine's own error."""
        try:
            return cls.of(data, file_name)
        except Refused:
            raise
        except Exception as err:  # calamine raises its own error types for damaged files
            raise Refused(f"{file_name}: this workbook cannot be read ({err}). Save it again as .xlsx.") from None

    def __init__(self, data: bytes, file_name: str):
        from python_calamine import CalamineWorkbook

        if data[:8] != bytes.fromhex("d0cf11e0a1b11ae1"):  # .xls (BIFF8) is not a zip; calamine reads it too
            check_zip(data, file_name)
        self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._loaded: dict = {}

    def sheet(self, name: str):
        """The loaded calamine sheet ``name``."""
        if name not in self._loaded:
            self._loaded[name] = self._book.get_sheet_by_name(name)
        return self._loaded[name]

    def heads(self, rows: int) -> dict[str, list[list]]:
        """Sheet name -> its first ``rows`` rows (cell values as calamine gives them)."""
        return {name: [list(row) for row in islice(self.sheet(name).iter_rows(), rows)] for name in self.sheet_names}

    def first_rows(self) -> dict[str, list[str]]:
        """Sheet name -> its first non-empty row as text ([] for an empty sheet), for sniffing."""
        out = {}
        for name in self.sheet_names:
            out[name] = next(
                (cells for row in self.sheet(name).iter_rows() if any(cells := [str(c).strip() for c in row])), []
            )
        return out
