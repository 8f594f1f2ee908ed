"""The ingest path: project and as-of resolution, size limits, refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders import precheck, sandbox
from loaders.ingest import date_in_name, ingest_bytes, project_in_name, slug
from metrics import evm_points

PLAN = (
    b"ID,Unique_ID,Name,Outline_Level,Start_Date,Finish_Date,Baseline_Start,Baseline_Finish,Baseline_Cost\n"
    b"1,1,Build,1,March 2 2026 8:00 AM,March 20 2026 5:00 PM,March 2 2026 8:00 AM,March 20 2026 5:00 PM,100\n"
)
KNOWN = pd.DataFrame({"project_id": ["CRM", "CRM-UPGRADE", "PAY"]})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CRM-UPGRADE_2026-11-20.xlsx", dt.date(2026, 11, 20)),
        ("plan 20260131.xml", dt.date(2026, 1, 31)),
        ("pay.2026_03_31.csv", dt.date(2026, 3, 31)),
        ("export-2026-02-30.csv", None),
        ("Jira (1).csv", None),
    ],
)
def test_dates_in_file_names(name, expected):
    assert date_in_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CRM-UPGRADE_2026-11-20.xlsx", "CRM-UPGRADE"), ("crm plan.xlsx", "CRM"), ("PAYROLL.xlsx", None), ("x.csv", None)],
)
def test_registered_project_ids_at_the_start_of_file_names(name, expected):
    assert project_in_name(KNOWN, name) == expected


def test_slug():
    assert slug("Customer Portal v2") == "customer-portal-v2"
    assert slug("***") == "project"


def test_oversized_upload_is_refused_before_parsing(store, monkeypatch):
    monkeypatch.setattr(precheck, "MAX_UPLOAD_BYTES", 10)
    report = ingest_bytes(store, b"project_id,name,program\nA,B,C\n", "big.csv")
    assert report.status == "refused" and "over the 0 MB limit" in report.message
    assert store.uploads().empty


def test_a_loader_crash_becomes_one_sentence_and_stores_nothing(store, monkeypatch):
    import loaders.register as register

    def boom(data, file_name):
        raise KeyError("column")

    monkeypatch.setattr(sandbox, "ISOLATED", False)  # the patched loader lives in this process
    monkeypatch.setattr(register, "parse", boom)
    report = ingest_bytes(store, b"project_id,name,program\nA,B,C\n", "reg.csv")
    assert report.status == "refused"
    assert report.message == "reg.csv: the file could not be read as register data (KeyError: 'column')."
    assert store.uploads().empty


def test_plan_without_register_match_keeps_one_project_across_weekly_files(store):
    plan = PLAN
    first = ingest_bytes(store, plan, "Website Revamp 2026-03-06.csv")
    second = ingest_bytes(store, plan.replace(b"100", b"120"), "Website Revamp 2026-03-13.csv")
    assert first.ok and second.ok, first.message + second.message
    assert first.project_id == second.project_id == "website-revamp"
    assert (first.as_of, second.as_of) == (dt.date(2026, 3, 6), dt.date(2026, 3, 13))


def test_storing_a_file_opens_the_database_once_and_its_evm_point_twice(store, monkeypatch):
    """Resolving the project and writing the upload share one connection (each open is a turn in
    the queue, the migration check and DuckDB's start); the plan's EVM point then reads its rows in
    one more and saves in a third, so the file is not held while the point is computed."""
    from store import Store

    ingest_bytes(store, PLAN, "alpha 2026-03-06.csv")  # the file exists and is migrated
    opened = []
    real_open = Store._open
    monkeypatch.setattr(Store, "_open", lambda self, deadline: opened.append(1) or real_open(self, deadline))
    report = ingest_bytes(store, PLAN.replace(b"100", b"120"), "alpha 2026-03-13.csv")
    assert report.status == "stored", report.message
    assert len(opened) == 3
    assert len(store.evm_points(evm_points.VERSION, ["alpha"], None)) == 2  # both points were recorded


def test_deleting_the_first_upload_keeps_the_project_known(store):
    plan = PLAN
    first = ingest_bytes(store, plan, "alpha 2026-03-06.csv")
    ingest_bytes(store, plan.replace(b"100", b"120"), "alpha 2026-03-13.csv")
    store.delete_upload(first.upload_id)
    assert list(store.projects().project_id) == ["alpha"]


def test_finance_lines_for_unregistered_projects_are_reported(store):
    ingest_bytes(store, b"project_id,name,program\nA,Alpha,P\n", "register.csv", as_of=dt.date(2026, 1, 1))
    finance = (
        b"project_id,period,cost_category,vendor,budget,actual,forecast,committed,currency\n"
        b"A,2026-01,Labour,Acme,100,90,,,EUR\nZZ,2026-01,Labour,Acme,50,60,,,EUR\n"
    )
    report = ingest_bytes(store, finance, "finance.csv")
    assert report.status == "stored", report.message
    assert any("project id ZZ is not in the portfolio register" in p.message for p in report.problems)


def test_utf16_text_with_a_byte_order_mark_is_decoded():
    from loaders.tabular import decode, read_delimited

    data = "ID\tName\tStart\r\n1\tDesign\tJanuary 5, 2026 8:00 AM\r\n".encode("utf-16")
    assert decode(data) == ("ID\tName\tStart\r\n1\tDesign\tJanuary 5, 2026 8:00 AM\r\n", "utf-16")
    rows, encoding, delimiter = read_delimited(data)
    assert (rows[1], encoding, delimiter) == (["1", "Design", "January 5, 2026 8:00 AM"], "utf-16", "\t")


def test_refusals_say_what_the_file_looks_like(store):
    no_header = ingest_bytes(store, b"1,1,Project Alpha,2026-01-05\n2,2,Design,2026-01-06\n", "plan.csv")
    assert "no header row" in no_header.message
    xml = ingest_bytes(store, b'<?xml version="1.0"?>\n<Invoice><Line/></Invoice>', "invoice.xml")
    assert "root element <Invoice>" in xml.message
    assert store.uploads().empty
