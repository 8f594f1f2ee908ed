"""Cheap checks on an upload's bytes that refuse before any reader runs: the size, what a
workbook's zip declares (member sizes, expansion ratio, each sheet's declared dimension), XML
entity declarations, and the width of a delimited file's first line.

Each check reads at most a few kilobytes per zip member or the first line of text; a file that
passes can still be refused by its loader, and a reader that misbehaves anyway is contained by
:mod:`loaders.sandbox`.
"""

from __future__ import annotations

import io
import re
import zipfile

from loaders.base import MAX_UPLOAD_BYTES, Refused

#: Bytes all members of a workbook may expand to.
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
#: Expansion ratio above which a large zip member is a bomb, not a spreadsheet (real sheets: 5–30×).
MAX_RATIO = 200
#: Cells a sheet may declare (rows × columns of its dimension): 20 million.
MAX_DECLARED_CELLS = 20_000_000
#: Columns a delimited file's header may have.
MAX_COLUMNS = 5_000

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ZIP = b"PK\x03\x04"


def check(data: bytes, file_name: str) -> None:
    """Raise :class:`Refused` (naming the file and what to do) when the bytes cannot be safe to read."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(
            f"{file_name}: the file is {len(data) / 2**20:.0f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MB limit. "
            "Split it (one project or one period per file)."
        )
    if data[:4] == _ZIP:
        check_zip(data, file_name)
    elif _looks_like_xml(data):
        check_xml(data, file_name)
    else:
        check_width(data, file_name)


def check_zip(data: bytes, file_name: str) -> None:
    """Refuse a zip (xlsx) whose members declare more than :data:`MAX_UNZIPPED_BYTES`, expand more
    than :data:`MAX_RATIO` times, or whose sheets declare more than :data:`MAX_DECLARED_CELLS`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            total = sum(info.file_size for info in members)
            if total > MAX_UNZIPPED_BYTES:
                raise Refused(
                    f"{file_name}: the workbook would expand to {total / 2**30:.1f} GB, over the "
                    f"{MAX_UNZIPPED_BYTES / 2**30:.0f} GB limit. Split it or export fewer columns."
                )
            for info in members:
                if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise Refused(
                        f"{file_name}: the part {info.filename} expands {info.file_size / max(info.compress_size, 1):,.0f} "
                        f"times ({info.compress_size:,} bytes to {info.file_size:,}); real workbooks expand "
                        f"under {MAX_RATIO} times. This is not a workbook that can be read safely: save it again from Excel."
                    )
            for info in members:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_dimension(zf, info, file_name)
    except zipfile.BadZipFile as err:
        raise Refused(f"{file_name}: the workbook is damaged ({err}). Save it again and re-upload.") from None


def _check_dimension(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str) -> None:
    with zf.open(info) as member:
        head = member.read(4096)
    found = _DIMENSION.search(head)
    if not found or not found.group(4):
        return
    first_col, first_row, last_col, last_row = found.groups()
    rows = int(last_row) - int(first_row or 1) + 1
    columns = _column_number(last_col) - _column_number(first_col or b"A") + 1
    if rows * columns > MAX_DECLARED_CELLS:
        sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
        raise Refused(
            f"{file_name}: {sheet} declares {rows:,} rows × {columns:,} columns "
            f"({(first_col or b'A').decode()}{int(first_row or 1)}:{last_col.decode()}{int(last_row)}), "
            f"over {MAX_DECLARED_CELLS:,} cells: a cell far outside the data (often a stray format or "
            "value at the sheet's last row or column). In Excel delete the empty rows and columns past "
            "the data (Ctrl+End shows the last cell), save, and upload again."
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML (MSPDI can be)
        head = head[2:].replace(b"\x00", b"")
    return head.startswith(b"<?xml") or head.startswith(b"<Project")


def check_xml(data: bytes, file_name: str) -> None:
    """Refuse XML that declares entities (billion laughs, external entities): exporting tools never do."""
    head = data[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.replace(b"\x00", b"")
    if b"<!DOCTYPE" in head.upper() and _ENTITY.search(head):
        raise Refused(
            f"{file_name}: the XML declares entities (<!ENTITY …>), which MS Project and the other tools "
            "never write; it is not read, for safety. Export the plan again with File › Save As › XML."
        )


def check_width(data: bytes, file_name: str) -> None:
    """Refuse delimited text whose first line has more than :data:`MAX_COLUMNS` fields."""
    first = data[: 4 * 2**20].split(b"\n", 1)[0]
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        first = first.replace(b"\x00", b"")
    widest = max(first.count(sep) for sep in (b",", b";", b"\t", b"|")) + 1
    if widest > MAX_COLUMNS:
        raise Refused(
            f"{file_name}: the first line has {widest:,} columns, over the {MAX_COLUMNS:,} a table can have "
            "here. Export only the columns you need."
        )
