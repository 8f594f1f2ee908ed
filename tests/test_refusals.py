"""Legacy and binary MS Project files are refused with one sentence naming the format and what to export."""

from __future__ import annotations

import io
import zipfile

import xlsxwriter

from loaders import refusals
from loaders.base import Sample
from loaders.detect import detect
from loaders.ingest import ingest_bytes

OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")


def _refusal(data: bytes, name: str, store) -> str:
    report = ingest_bytes(store, data, name)
    assert report.status == "refused"
    assert store.query("SELECT count(*) AS n FROM uploads").n.iloc[0] == 0
    assert "Traceback" not in report.message
    return report.message


def _workbook(sheets: dict[str, list[list[str]]], extra_members: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    if not extra_members:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, data in extra_members.items():
            dst.writestr(name, data)
    return out.getvalue()


def test_legacy_mpx_fixture_is_refused(real_exports, store):
    data = (real_exports / "msproject" / "mpxj_sample.de.mpx").read_bytes()
    assert detect(data, "mpxj_sample.de.mpx") is refusals
    message = _refusal(data, "mpxj_sample.de.mpx", store)
    assert message.startswith("mpxj_sample.de.mpx: ")
    assert "MPX" in message and "XML" in message and "Selected Data" in message
    assert message.count(". ") == 0  # one sentence


def test_damaged_mpp_binary_is_refused(store):
    # .mpp files are read through MPXJ (loaders.msproject.mpp); one MPXJ cannot read is refused
    data = OLE2 + b"\x00" * 504 + b"MSProject.Project.9" + b"\x00" * 100 + "   114".encode("utf-16-le")
    assert not refusals.sniff(Sample(data, "plan.mpp"))
    assert detect(data, "plan.mpp").SOURCE == "msproject"
    message = _refusal(data, "plan.mpp", store)
    assert ".mpp" in message and "XML" in message


def test_visual_reports_pivot_xls_is_refused(store):
    data = OLE2 + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 64 + b"Assignment Usage" + b"\x00" * 64
    assert refusals.sniff(Sample(data, "report.xls"))
    message = _refusal(data, "report.xls", store)
    assert "Visual Reports" in message


def test_visual_reports_pivot_xlsx_is_refused(store):
    data = _workbook(
        {"Assignment Usage": [["Year", "Cost"]], "Chart1": [[]]},
        {"xl/pivotCache/pivotCacheDefinition1.xml": b"<pivotCacheDefinition/>"},
    )
    assert refusals.sniff(Sample(data, "usage.xlsx"))
    assert "Visual Reports" in _refusal(data, "usage.xlsx", store)


def test_ordinary_files_are_not_refusals():
    plain_ole = OLE2 + b"\x00" * 2048
    assert not refusals.sniff(Sample(plain_ole, "old.xls"))
    book = _workbook({"Task_Table1": [["ID", "Name", "Start_Date", "Finish_Date"]]})
    assert not refusals.sniff(Sample(book, "plan.xlsx"))
    assert not refusals.sniff(Sample(b"ID,Name,Start_Date\n1,A,NA\n", "plan.csv"))
    assert not refusals.sniff(
        Sample(b"<?xml version='1.0'?><Project xmlns='http://schemas.microsoft.com/project'/>", "p.xml")
    )
