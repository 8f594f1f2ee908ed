"""People and capacity loaders (loaders.resources) on the real files and small hand-made ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from loaders.base import Refused, Sample
from loaders.detect import detect
from loaders.ingest import ingest_bytes, parse_file
from loaders.resources import parse, sniff

RESOURCES = "resources"


def _fixture(real_exports, prefix: str) -> tuple[bytes, str]:
    path = next((real_exports / RESOURCES).glob(f"{prefix}*"))
    return path.read_bytes(), path.name


def _xlsx(rows: list[list], sheet: str = "Sheet1") -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out) as wb:
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    return out.getvalue()


@pytest.mark.real_exports
def test_export_wizard_tables_read_as_allocations(real_exports):
    data, name = _fixture(real_exports, "01_")
    assert detect(data, name).SOURCE == "msproject"  # detection leaves a plan to the plan loader
    parsed = parse_file(data, name, source="resources")
    alloc = parsed.tables["allocations"]
    assert len(alloc) == 310
    names = alloc["task_name"].str.replace(r" \(ID \d+\)$", "", regex=True)
    assert names.nunique() == 147  # the README's 147 tasks are 147 task names ...
    # ... two of which name two different tasks each (IDs 107/124 and 178/183), told apart by position
    assert alloc["task_name"].nunique() == 149
    assert alloc["resource"].nunique() == 27
    assert alloc["start"].notna().all() and alloc["finish"].notna().all()
    assert alloc["percent"].value_counts()[100.0] == 286
    assert alloc["percent"].value_counts()[67.0] == 9
    assert alloc["percent"].value_counts()[50.0] == 6
    assert alloc["hours"].max() == 2224.0  # "2,224h"
    first = alloc.iloc[0]
    assert (first["resource"], first["start"], first["hours"]) == ("Sabre OR", dt.date(2011, 2, 1), 8.0)
    cap = parsed.tables["capacity"]
    assert len(cap) == 39 and set(cap["resource_type"]) == {"Work"}  # blank resource 0 not loaded, said so
    assert any("without a resource name" in p.message for p in parsed.problems)


@pytest.mark.real_exports
def test_pasted_resource_sheet_xls(real_exports):
    data, name = _fixture(real_exports, "02_")
    assert detect(data, name).SOURCE == RESOURCES
    parsed = parse(data, name)
    cap = parsed.tables["capacity"]
    assert len(cap) == 18
    assert cap["resource_type"].value_counts().to_dict() == {"Material": 10, "Cost": 5, "Work": 3}
    work = cap[cap["resource_type"] == "Work"]
    assert sorted(work["resource"]) == ["Labour", "Painter", "Spouse"]
    assert (work["max_units"] == 100.0).all()
    assert any("Material 10, Cost 5, Work 3" in p.message for p in parsed.problems)


@pytest.mark.real_exports
def test_headcount_grid_role_by_month(real_exports):
    data, name = _fixture(real_exports, "05_")
    parsed = parse(data, name)
    cap = parsed.tables["capacity"]
    assert cap["role"].nunique() == 6
    totals = cap.groupby("period_start")["headcount"].sum().tolist()
    assert totals == [7, 12, 12, 11, 11, 10, 11, 11, 11, 10, 8, 0]
    assert cap["period_start"].min() == dt.date(2016, 7, 1) and cap["period_start"].max() == dt.date(2017, 6, 1)
    managers_jul = cap[(cap["role"] == "Managers") & (cap["period_start"] == dt.date(2016, 7, 1))].iloc[0]
    assert managers_jul["hours"] == 4 * 21 * 8  # 4 people × 21 working days in July 2016 × 8 h


@pytest.mark.real_exports
def test_sprint_capacity_sheets(real_exports):
    data, name = _fixture(real_exports, "06_")
    parsed = parse(data, name)
    cap = parsed.tables["capacity"]
    zeus = cap[cap["team"] == "ZEUS"]
    assert len(zeus) == 3 and zeus["hours"].sum() == 174.0 and zeus["points"].sum() == 43.5
    assert set(zeus["period_start"]) == {dt.date(2025, 3, 19)} and set(zeus["period_finish"]) == {dt.date(2025, 4, 1)}
    merlin = cap[cap["team"] == "MERLIN"]
    assert sorted(merlin["resource"]) == ["Manas", "Sathish", "Vimala"] and merlin["hours"].sum() == 176.0
    cfa2 = cap[(cap["team"] == "CFA") & (cap["sprint"] == "Sprint-2")]
    assert len(cfa2) == 7 and set(cfa2["period_start"]) == {dt.date(2025, 4, 2)}
    assert len(cap) == 23  # empty sheets said so, total rows checked and not loaded
    # the README counts 9 sheets (4 empty): the workbook lists 8 (sheetId 4 was deleted), 3 of them empty
    assert sum("is empty" in p.message for p in parsed.problems) == 3
    assert any("total row (174 h, 43.5 SP) matches" in p.message for p in parsed.problems)


@pytest.mark.real_exports
def test_raci_matrix_refused_with_what_to_upload(real_exports):
    data, name = _fixture(real_exports, "07_")
    assert sniff(Sample(data, name))
    with pytest.raises(Refused, match=r"RACI\) matrix — 97 work items × 14 roles with codes P, R .*allocation sheet"):
        parse(data, name)


def test_allocation_sheet_header_below_title_fractions_and_unstaffed():
    rows = [
        ["Team allocations Q1"],
        [],
        ["Employee", "E-mail", "Project", "Role", "From", "To", "FTE"],
        ["Ana Silva", "Ana.Silva@Example.com", "P1", "BA", "2026-01-05", "2026-01-30", 0.8],
        ["", "", "P1", "Developer", "2026-01-05", "2026-01-16", 1.0],
        ["Ben", "", "P2", "", "2026-01-30", "2026-01-05", 0.5],
        ["", "", "", "", "", "", ""],
    ]
    parsed = parse(_xlsx(rows), "alloc.xlsx")
    alloc = parsed.tables["allocations"]
    assert alloc["percent"].tolist() == [80.0, 100.0]
    assert alloc["email"].iloc[0] == "ana.silva@example.com"
    assert alloc["resource"].isna().tolist() == [False, True]  # the open Developer role is unstaffed demand
    assert parsed.rows_rejected == 1
    assert any(p.severity == "error" and p.row_number == 6 and "finish" in p.message for p in parsed.problems)
    assert any("fractions" in p.message for p in parsed.problems)


def test_long_capacity_plan_by_week_and_headcount():
    rows = [
        ["Person", "Team", "Week starting", "Available hours", "Headcount"],
        ["Ana Silva", "Data", "2026-01-07", 30, ""],
        ["", "Data", "2026-01-12", "", 2],
    ]
    cap = parse(_xlsx(rows), "cap.xlsx").tables["capacity"]
    assert cap["period_start"].tolist() == [dt.date(2026, 1, 5), dt.date(2026, 1, 12)]  # Mondays
    assert cap["hours"].tolist() == [30.0, 80.0]  # 2 people × 5 working days × 8 h


def test_ingest_stores_allocations_and_capacity(store):
    rows = [["Name", "Project", "Start", "End", "Allocation %"], ["Ana", "P1", "2026-01-05", "2026-01-09", "50%"]]
    report = ingest_bytes(store, _xlsx(rows), "alloc_2026-01-02.xlsx")
    assert report.status == "stored" and report.rows_loaded == 1 and report.source == RESOURCES
    stored = store.snapshot("allocations")
    assert stored["project_id"].tolist() == ["P1"] and stored["percent"].tolist() == [50.0]
    assert "P1" not in set(store.projects()["project_id"])  # a people file does not invent projects


def test_unrelated_workbook_is_not_claimed():
    assert not sniff(Sample(_xlsx([["Fruit", "Price"], ["Apple", 1]]), "x.xlsx"))


@pytest.mark.real_exports
@pytest.mark.parametrize(
    "path",
    [
        "contracts/01_agency-PO-tracker_campaign-POs_monthly-invoices_GBP-EUR_multisheet.xlsx",
        "risk/05_en_money-impact_EV_proximity_dates_sheet-named-Issue-Register.xlsx",
        "msproject/en_student_project1_excel_template.xlsx",
    ],
)
def test_other_kinds_with_dates_in_rows_are_not_claimed(real_exports, path):
    """Date cells in data rows are not month headers, and a plan is the plan loader's."""
    file = real_exports / path
    assert not sniff(Sample(file.read_bytes(), file.name))
