"""Excel export: same numbers back, text never becomes a formula."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exports import is_dangerous, to_excel


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_numbers_dates_and_text_round_trip():
    frame = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "variance": [-350.25, 1200.0],
            "pct": [-0.0673, None],
            "period": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
            "loaded": pd.to_datetime(["2026-03-01 10:30", "2026-03-02 00:00"]),
            "ok": [True, False],
        }
    )
    wb = _read(to_excel({"Projects": frame}))
    ws = wb["Projects"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("project_id", "variance", "pct", "period", "loaded", "ok")
    assert rows[1][:2] == ("P1", -350.25) and rows[1][2] == pytest.approx(-0.0673)
    assert rows[2][2] is None  # undefined stays empty, not 0
    assert rows[1][3] == dt.datetime(2026, 1, 1) and rows[1][4] == dt.datetime(2026, 3, 1, 10, 30)
    assert rows[1][5] is True
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", '=HYPERLINK("http://x")', "\t=1", " =1"])
def test_formula_like_text_is_escaped(text):
    data = to_excel({"x": pd.DataFrame({"vendor": [text], text: [1]})})
    ws = _read(data)["x"]
    cell = ws["A2"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    assert ws["B1"].value == text and ws["B1"].quotePrefix  # headers too
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere


def test_plain_text_is_not_flagged():
    ws = _read(to_excel({"x": pd.DataFrame({"a": ["Acme", "a=b", "1-2"]})}))["x"]
    assert [ws[f"A{i}"].quotePrefix for i in (2, 3, 4)] == [False, False, False]


def test_sheet_names_are_cleaned_and_unique():
    frame = pd.DataFrame({"a": [1]})
    wb = _read(to_excel({"By vendor/category?": frame, "By vendor category ": frame, "x" * 40: frame}))
    assert wb.sheetnames == ["By vendor category", "By vendor category (2)", "x" * 31]


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_text_comes_back_unchanged_and_never_as_a_formula(text):
    text = "".join(ch for ch in text if ch.isprintable() or ch == "\t") or "x"
    ws = _read(to_excel({"x": pd.DataFrame({"a": [text]})}))["x"]
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == text or ws["A2"].value == text.strip()  # (openpyxl may trim whitespace-only edges)
    assert ws["A2"].quotePrefix == is_dangerous(text)


def test_ratio_columns_keep_a_percent_format():
    frame = pd.DataFrame({"Variance %": [-0.134, 0.0, None], "Variance": [-1340.5, 0.0, 2.0]})
    ws = _read(to_excel({"x": frame}, percent_columns={"Variance %"}))["x"]
    assert ws["A2"].value == pytest.approx(-0.134) and ws["A2"].number_format == "0.0%"
    assert ws["A3"].number_format == "0.0%"  # a whole number too
    assert ws["B2"].number_format == "#,##0.00"
