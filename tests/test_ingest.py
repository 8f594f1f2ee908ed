"""The ingest path: project and as-of resolution, size limits, refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import loaders.ingest as ingest
from loaders.ingest import date_in_name, ingest_bytes, project_in_name, slug

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
    monkeypatch.setattr(ingest, "MAX_UPLOAD_BYTES", 10)
    report = ingest_bytes(store, b"project_id,name,program\nA,B,C\n", "big.csv")
    assert report.status == "refused" and "over the 0 MB limit" in report.message
    assert store.uploads().empty


def test_a_loader_crash_becomes_one_sentence_and_stores_nothing(store, monkeypatch):
    import loaders.register as register

    def boom(data, file_name):
        raise KeyError("column")

    monkeypatch.setattr(register, "parse", boom)
    report = ingest_bytes(store, b"project_id,name,program\nA,B,C\n", "reg.csv")
    assert report.status == "refused"
    assert report.message == "reg.csv: the file could not be read as register data (KeyError: 'column')."
    assert store.uploads().empty
