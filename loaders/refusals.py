"""Files that look like MS Project output but cannot be loaded: refused with what to export instead.

Asked before every other loader (see ``loaders.detect``): legacy MPX text and Visual Reports pivots
(Excel workbooks built on MS Project's OLAP cubes: "Assignment Usage", "Task Usage", "Resource
Usage" pivot tables). Native ``.mpp`` files are read by :mod:`loaders.msproject.mpp` (MPXJ).
"""

from __future__ import annotations

import io
import zipfile

from loaders.base import Refused, Sample

SOURCE = "msproject"

EXPORT_INSTEAD = (
    "open it in MS Project and save it as XML (File > Save As > XML) or export an Excel workbook with a "
    '"Selected Data" map, then upload that file instead.'
)
_USAGE_NAMES = ("Assignment Usage", "Task Usage", "Resource Usage", "Baseline Cost", "Earned Value Over Time")
_PIVOT_MARKERS = (b"Assignment Usage", "Assignment Usage".encode("utf-16-le"), b"Task Usage", "Task Usage".encode("utf-16-le"),
                  b"Resource Usage", "Resource Usage".encode("utf-16-le"))  # fmt: skip


def _kind(sample: Sample) -> str | None:
    data = sample.data
    start = data[:16].lstrip(b"\xef\xbb\xbf")
    if start[:4] in (b"MPX;", b"MPX,", b"MPX\t") or (start[:3] == b"MPX" and b"Microsoft Project" in data[:200]):
        return "mpx"
    if sample.is_ole2:
        window = data[: 8 * 1024 * 1024]
        if any(m in window for m in _PIVOT_MARKERS) and (
            b"Workbook" in window or "Workbook".encode("utf-16-le") in window
        ):
            return "pivot"
        return None
    if sample.is_zip:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith(("xl/pivotCache/", "xl/pivotTables/")) for n in names):
            sheets = sample.sheets
            if any(any(u.casefold() in s.casefold() for u in _USAGE_NAMES) for s in sheets) or any(
                n.startswith("xl/connections") for n in names
            ):
                return "pivot"
    return None


def sniff(sample: Sample) -> bool:
    return _kind(sample) is not None


MESSAGES = {
    "mpx": "this is a legacy MPX file (MS Project 98 and older), which cannot be read;",
    "pivot": "this is an MS Project Visual Reports pivot workbook, which holds summaries rather than the task list;",
}


def parse(data: bytes, file_name: str):
    kind = _kind(Sample(data, file_name)) or "mpx"
    raise Refused(f"{file_name}: {MESSAGES[kind]} {EXPORT_INSTEAD}")
