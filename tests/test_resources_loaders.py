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


MSPDI = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Contoured plan</Name>
<Tasks><Task><UID>1</UID><Name>Design</Name><Start>2026-03-02T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish></Task>
<Task><UID>2</UID><Name>Review</Name><Start>2026-03-09T08:00:00</Start><Finish>2026-03-10T17:00:00</Finish></Task></Tasks>
<Resources><Resource><UID>1</UID><Name>Ana Silva</Name><Type>1</Type><MaxUnits>0.50</MaxUnits></Resource>
<Resource><UID>2</UID><Name>Cement</Name><Type>0</Type></Resource></Resources>
<Assignments>
<Assignment><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units><Work>PT40H0M0S</Work>
<Start>2026-03-02T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish>
<TimephasedData><Type>2</Type><Start>2026-03-02T08:00:00</Start><Finish>2026-03-03T17:00:00</Finish><Value>PT16H0M0S</Value></TimephasedData>
<TimephasedData><Type>1</Type><Start>2026-03-09T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish><Value>PT24H0M0S</Value></TimephasedData>
<TimephasedData><Type>4</Type><Start>2026-03-02T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish><Value>PT80H0M0S</Value></TimephasedData>
</Assignment>
<Assignment><TaskUID>2</TaskUID><ResourceUID>1</ResourceUID><Units>0.5</Units><Work>PT8H0M0S</Work>
<Start>2026-03-09T08:00:00</Start><Finish>2026-03-10T17:00:00</Finish></Assignment>
<Assignment><TaskUID>2</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units><Work>PT8H0M0S</Work></Assignment>
</Assignments></Project>"""


def test_mspdi_time_phased_work_read_as_people_data(store):
    data = MSPDI.encode()
    assert detect(data, "plan.xml").SOURCE == "msproject"  # the plan stays the plan loader's
    parsed = parse_file(data, "plan.xml", source="resources")
    alloc = parsed.tables["allocations"]
    # actual (type 2) and remaining (type 1) periods kept; baseline (type 4) not load; no contour -> one row
    assert alloc[["task_name", "start", "finish", "hours", "origin"]].values.tolist() == [
        ["Design", dt.date(2026, 3, 2), dt.date(2026, 3, 3), 16.0, "msproject time-phased"],
        ["Design", dt.date(2026, 3, 9), dt.date(2026, 3, 13), 24.0, "msproject time-phased"],
        ["Review", dt.date(2026, 3, 9), dt.date(2026, 3, 10), 8.0, "msproject xml"],
    ]
    assert set(alloc["project_id"]) == {"contoured-plan"}
    cap = parsed.tables["capacity"]
    assert cap[["resource", "max_units"]].values.tolist() == [["Ana Silva", 50.0]]  # the material is not a person
    assert any("1 assignment(s) have no resource" in p.message for p in parsed.problems)

    from metrics.capacity import report

    assert ingest_bytes(store, data, "plan.xml", as_of=dt.date(2026, 3, 1), source="resources").status == "stored"
    weeks = report(store, as_of=dt.date(2026, 3, 2), weeks=2)["people"]
    # week 1: the 16 h actually worked; week 2: 24 h remaining + 8 h review, against 50 % × 40 h
    assert [(w["load_hours"], w["capacity_hours"], w["overallocated"]) for w in weeks] == [
        (16.0, 20.0, False),
        (32.0, 20.0, True),
    ]


@pytest.mark.real_exports
def test_mspdi_without_named_assignments_is_refused(real_exports):
    file = real_exports / "msproject" / "mpxj_mspdiduration.xml"
    with pytest.raises(Refused, match="no assignment to a named resource"):
        parse_file(file.read_bytes(), file.name, source="resources")
