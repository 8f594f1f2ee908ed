"""Files that look like project or Jira output but cannot be loaded: refused with what to export instead.

Asked before every other loader (see ``loaders.detect``): legacy MPX text, Visual Reports pivots
(Excel workbooks built on MS Project's OLAP cubes: "Assignment Usage", "Task Usage", "Resource
Usage" pivot tables), Jira's XML (RSS) and Word exports, Word documents, and Primavera P6 exports
(XER text, P6 XML). Native ``.mpp`` files are read by :mod:`loaders.msproject.mpp` (MPXJ).
"""

from __future__ import annotations

import io
import re
import zipfile

from loaders.base import Refused, Sample
from loaders.msproject.sniffing import ole2_kind

SOURCE = "msproject"

EXPORT_INSTEAD = (
    "open it in MS Project and save it as XML (File > Save As > XML) or export an Excel workbook with a "
    '"Selected Data" map, then upload that file instead.'
)
_USAGE_NAMES = ("Assignment Usage", "Task Usage", "Resource Usage", "Baseline Cost", "Earned Value Over Time")
_PIVOT_MARKERS = (
    b"Assignment Usage",
    "Assignment Usage".encode("utf-16-le"),
    b"Task Usage",
    "Task Usage".encode("utf-16-le"),
    b"Resource Usage",
    "Resource Usage".encode("utf-16-le"),
)


_WORD_NS = "urn:schemas-microsoft-com:office:word"
_P6_NS = "http://xmlns.oracle.com/primavera/p6"
_XML_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")


def _text_kind(text: str) -> str | None:
    """Jira XML (RSS), Jira's Word export (HTML in Word's namespace), Primavera P6 XER or P6 XML."""
    if text.startswith("ERMHDR"):
        return "p6_xer"
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text[:65536], flags=re.S).lstrip()
    root = _XML_ROOT.match(body)
    name = root.group(1).lower() if root else ""
    low = body[:4096].lower()
    if name == "rss" and ("jira" in low or "<key" in body[:65536].lower()):
        return "jira_xml"
    if name == "apibusinessobjects" or (name != "project" and _P6_NS in low):
        return "p6_xml"
    if name == "html" and _WORD_NS in low:
        return "word"
    return None


def _kind(sample: Sample) -> str | None:
    data = sample.data
    start = data[:16].lstrip(b"\xef\xbb\xbf")
    if start[:4] in (b"MPX;", b"MPX,", b"MPX\t") or (start[:3] == b"MPX" and b"Microsoft Project" in data[:200]):
        return "mpx"
    if not sample.is_zip and not sample.is_ole2 and sample.text_head:
        found = _text_kind(sample.text_head.lstrip("\ufeff \t\r\n"))
        if found:
            return found
    if sample.is_ole2:
        window = data[: 8 * 1024 * 1024]
        if ole2_kind(data) == "doc":
            return "word"
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
        if "word/document.xml" in names:
            return "word"
        if any(n.startswith(("xl/pivotCache/", "xl/pivotTables/")) for n in names):
            return "pivot" if _is_visual_report(data, names, sample.sheets) else None
    return None


_CUBE_NAMES = ("Assignment Usage", "Task Usage", "Resource Usage")
_CUBE_MARKERS = (b"MSOLAP", b".cub", b"OLAP")


def _is_visual_report(data: bytes, names: list[str], sheets: dict) -> bool:
    """A pivot workbook is a Visual Report when a sheet is named after one of MS Project's OLAP
    cubes (Assignment/Task/Resource Usage), or when its pivots read an OLAP cube (the connection
    names MSOLAP or a .cub file) and a sheet carries a Visual Report name (Baseline Cost ...).
    A finance workbook with an ordinary pivot table or a Power Query connection is not one."""
    if any(s.strip().casefold().startswith(tuple(c.casefold() for c in _CUBE_NAMES)) for s in sheets):
        return True
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        cube = any(any(m in zf.read(n)[:65536] for m in _CUBE_MARKERS) for n in names if n.startswith("xl/connections"))
    return cube and any(any(u.casefold() in s.casefold() for u in _USAGE_NAMES) for s in sheets)


def sniff(sample: Sample) -> bool:
    return _kind(sample) is not None


JIRA_INSTEAD = (
    'in Jira open the issue search, choose Export > "CSV (all fields)" and upload that file unchanged '
    "(for a plan: save it from MS Project as XML)."
)
P6_INSTEAD = (
    "this app reads MS Project plans: in Primavera P6 use File > Export > Microsoft Project (XML), or open the "
    "file in MS Project and save it as XML (File > Save As > XML), then upload that file instead."
)
MESSAGES = {
    "mpx": "this is a legacy MPX file (MS Project 98 and older), which cannot be read;",
    "pivot": "this is an MS Project Visual Reports pivot workbook, which holds summaries rather than the task list;",
    "jira_xml": "this is a Jira XML (RSS) export, whose issues are RSS items this app does not read;",
    "word": "this is a Word document (such as Jira's Word export), which holds formatted text rather than a table;",
    "p6_xer": "this is a Primavera P6 XER export, which this app does not read;",
    "p6_xml": "this is a Primavera P6 XML export, which this app does not read;",
}
INSTEAD = {"jira_xml": JIRA_INSTEAD, "word": JIRA_INSTEAD, "p6_xer": P6_INSTEAD, "p6_xml": P6_INSTEAD}


def parse(data: bytes, file_name: str):
    kind = _kind(Sample(data, file_name)) or "mpx"
    raise Refused(f"{file_name}: {MESSAGES[kind]} {INSTEAD.get(kind, EXPORT_INSTEAD)}")
