"""The containers a Jira export comes in, read into one raw table (``rn, c0..cN``, all text): the
HTML "Excel" export (an HTML table named ``.xls``) and a CSV re-saved by Excel as ``.xlsx``; the
CSV itself is read by :mod:`loaders.jira.csvfile`."""

from __future__ import annotations

import re

import pandas as pd

from loaders.base import Problem, Refused
from loaders.jira.headers import header_fields, looks_like_jira
from loaders.tabular import read_workbook


class Raw:
    """What a container reader hands to the common pipeline."""

    def __init__(self, header: list[str], kind: str, encoding: str | None = None, delimiter: str | None = None):
        self.header = header
        self.kind = kind
        self.encoding = encoding
        self.delimiter = delimiter
        self.rejected: list[Problem] = []
        self.records = 0  # data records seen (loaded + rejected), blank ones included
        self.excel_resave = False
        self.blank_lines = 0  # empty lines in a CSV (skipped by the reader; counted when known)
        self.path: str | None = None
        self.payload: memoryview | bytes = b""
        self.source: tuple[bytes, int] = (b"", 0)
        self.text: str | None = None
        self.raw_is_view = False  # ``raw`` is a view over ``raw0`` (else a table of its own)
        self.decoded = None  # the loaders.encoding decision when the bytes were not plain UTF-8
        self.warnings: list[Problem] = []  # rows loaded after a repair (a stray quote read as a character)


def html_table_head(text: str) -> bool:
    low = text[:65536].lower()
    return "<table" in low and ("issuetable" in low or 'data-id="issuekey"' in low or "jira" in low)


def html_headers_from_text(text: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", text, re.S | re.I)]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def rows_to_raw(con, raw: Raw, rows: list[list[str]], first_row_number: int, keep: list[int]) -> None:
    """Rows of cells (HTML, workbook) -> raw table; rows with a wrong cell count are rejected."""
    n = len(raw.header)
    good, numbers = [], []
    for offset, row in enumerate(rows):
        number = first_row_number + offset
        cells = [str(c) for c in row]
        if len(cells) > n and not any(c.strip() for c in cells[n:]):
            cells = cells[:n]  # empty cells right of the header
        raw.records += 1
        if len(cells) != n and any(c.strip() for c in cells):
            raw.rejected.append(
                Problem(
                    f"row rejected: it has {len(cells)} cells but the header has {n} columns; nothing from this "
                    "row was loaded.",
                    "error",
                    number,
                    None,
                    " | ".join(cells)[:500],
                )
            )
            continue
        cells += [""] * (n - len(cells))
        good.append([cells[i].strip() for i in keep])
        numbers.append(number)
    frame = pd.DataFrame(good, columns=[f"c{i}" for i in keep], dtype=object)
    frame.insert(0, "rn", pd.array(numbers, dtype="int32"))
    if not keep:
        frame["c_none"] = None
    con.register("rows_in", frame)
    cols = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in keep) or "NULL::VARCHAR AS c_none"
    con.execute(f"CREATE TEMP TABLE raw AS SELECT rn::INTEGER AS rn, {cols} FROM rows_in")
    con.unregister("rows_in")


def html_rows(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], int]:
    import lxml.html

    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, encoding="utf-8")
    try:
        doc = lxml.html.document_fromstring(data, parser=parser)
    except Exception:
        raise Refused(f'{file_name}: this HTML file cannot be read as a Jira "Excel" export.') from None
    tables = doc.xpath("//table[@id='issuetable']") or sorted(
        doc.xpath("//table[.//th]"), key=lambda t: len(t.xpath(".//tr")), reverse=True
    )
    if not tables:
        raise Refused(f"{file_name}: no issue table was found in this HTML file. Export CSV (all fields) from Jira.")
    table = tables[0]

    def text_of(cell) -> str:
        for br in cell.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = [" ".join(part.split()) for part in cell.text_content().split("\n")]
        return "\n".join(ln for ln in lines if ln)

    header_cells = table.xpath(".//tr[th][1]/th")
    header = [text_of(th) for th in header_cells]
    body = [tr for tr in table.xpath(".//tr[td]")]
    rows = [[text_of(td) for td in tr.xpath("./td")] for tr in body]
    return header, rows, 2


def split_html_multi(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The HTML export writes a multi-value field in one cell (`A, B` or one per line): spread
    Sprint values into repeated columns so that the common path sees the CSV shape."""
    fields = header_fields(header)
    if "sprint" not in fields:
        return header, rows
    i = fields.index("sprint")
    split = [[v.strip() for v in re.split(r"\n|, ", row[i]) if v.strip()] if i < len(row) else [] for row in rows]
    width = max([len(s) for s in split] + [1])
    new_header = header[:i] + [header[i]] * width + header[i + 1 :]
    new_rows = []
    for row, values in zip(rows, split):
        if len(row) != len(header):
            new_rows.append(row)
            continue
        new_rows.append(row[:i] + values + [""] * (width - len(values)) + row[i + 1 :])
    return new_header, new_rows


def workbook_rows(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], int, str]:
    sheets = read_workbook(data, file_name)
    for name, rows in sheets.items():
        for index, row in enumerate(rows[:30]):  # a title or a filter line may sit above the header
            cells = [_cell_text(c).strip() for c in row]
            if not any(cells):
                continue
            if looks_like_jira(cells):
                while cells and not cells[-1]:
                    cells.pop()
                body = [[_cell_text(c) for c in r] for r in rows[index + 1 :]]
                body = [r[: len(cells)] if not any(str(c).strip() for c in r[len(cells) :]) else r for r in body]
                return cells, body, index + 2, name
    raise Refused(
        f"{file_name}: no sheet in this workbook starts with Jira column headers (Issue key, Issue Type, Summary…). "
        "Export CSV (all fields) from Jira and upload it unchanged."
    )


# --------------------------------------------------------------------------------------------------
# The common pipeline
