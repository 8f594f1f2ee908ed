"""AppTest of the Uploads & problems page: preview, store, report, problems, mapping, settings, delete."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from builders import point_app_at
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import loaders.ingest as ingest
import ui
from loaders.base import NeedsMapping, Parsed
from loaders.ingest import ingest_bytes
from metrics.settings import Settings

REGISTER = b"project_id,name,program,manager\nA,Alpha,P1,Ann\n,Nameless,P1,\n"
PLAN = (
    b"ID,Unique_ID,Name,Outline_Level,Start_Date,Finish_Date,Baseline_Cost\n"
    b"1,1,Build,1,March 2 2026 8:00 AM,March 20 2026 5:00 PM,100\n"
)
PAGE = str(ROOT / "app_pages" / "data.py")


@pytest.fixture
def db(tmp_path, monkeypatch):
    return point_app_at(monkeypatch, tmp_path / "app.duckdb")


def detected(at: AppTest) -> dict:
    table = next(d.value for d in at.dataframe if list(d.value.columns) == ["what", "value", "from"])
    return dict(zip(table["what"], table["value"], strict=True))


def test_preview_shows_what_was_detected_before_anything_is_stored(db):
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert "No uploads yet." in [i.value for i in at.info]
    at.file_uploader(key="files").set_value(("register.csv", REGISTER, "text/csv")).run()
    assert not at.exception
    facts = detected(at)
    assert facts["Source"] == "register" and facts["Rows"] == "1 read, 1 rejected"
    assert db.uploads().empty  # nothing stored yet
    store_button = next(b for b in at.button if b.key.startswith("store_"))
    store_button.click().run()
    assert not at.exception
    assert any("1 rows loaded, 1 rejected" in s.value for s in at.success)
    assert len(db.uploads()) == 1
    problems = at.dataframe[-1].value
    assert "the row has no project_id; it was not loaded." in set(problems.message)


def test_a_file_without_a_date_waits_for_the_user_and_project_can_be_changed(db):
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.file_uploader(key="files").set_value(("plan.csv", PLAN, "text/csv")).run()
    assert not at.exception
    assert detected(at)["As-of date"] == "not found: say it below"
    store_button = next(b for b in at.button if b.key.startswith("store_"))
    assert store_button.disabled  # never silently the upload day
    key = store_button.key.removeprefix("store_")
    at.date_input(key=f"as_of_{key}").set_value(dt.date(2026, 3, 9))
    at.text_input(key=f"project_{key}").set_value("BUILD-1")
    at.run()
    at.button(key=f"store_{key}").click().run()
    assert not at.exception
    uploads = db.uploads()
    assert uploads.project_id.tolist() == ["BUILD-1"] and uploads.as_of.dt.date.tolist() == [dt.date(2026, 3, 9)]
    assert at.button(key=f"open_{key}").label == "Open it"


def test_refused_file_changes_nothing(db):
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.file_uploader(key="files").set_value(("notes.csv", b"hello,world\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith(ui.escape_md("notes.csv: the columns (hello, world, ...)"))
    assert db.uploads().empty


def test_a_file_that_needs_a_mapping_offers_one_and_saves_it(db, monkeypatch):
    seen = []

    def fake_parse(data, file_name, source=None, mapping=None):
        seen.append(mapping)
        if not mapping:
            raise NeedsMapping(
                "which column is the budget?",
                source="finance",
                shape="sheet1:a|b|c",
                columns=["Proj", "Month", "Amount"],
                roles=("project_id", "period", "budget"),
                suggested={"project_id": "Proj"},
                preview=[["Proj", "Month", "Amount"], ["P1", "Jan", "5"]],
            )
        lines = pd.DataFrame({"project_id": ["P1"], "period": [dt.date(2026, 1, 1)], "budget": [5.0]})
        return Parsed("finance", "Finance workbook (mapped)", {"budget_lines": lines}, as_of=dt.date(2026, 1, 31))

    monkeypatch.setattr(ingest, "parse_file", fake_parse)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.file_uploader(key="files").set_value(("odd.xlsx", b"bytes", "application/octet-stream")).run()
    assert not at.exception
    assert "which column is the budget?" in at.warning[0].value
    role = next(s for s in at.selectbox if s.key.endswith("_project_id"))
    assert role.value == "Proj"  # the suggestion is preselected
    key = role.key.removeprefix("role_").removesuffix("_project_id")
    at.selectbox(key=f"role_{key}_period").set_value("Month")
    at.selectbox(key=f"role_{key}_budget").set_value("Amount")
    at.button(key=f"remap_{key}").click().run()
    assert seen[-1] == {"project_id": "Proj", "period": "Month", "budget": "Amount"}
    at.button(key=f"store_{key}").click().run()
    assert not at.exception
    assert len(db.uploads()) == 1
    assert db.column_mapping("sheet1:a|b|c") == {"project_id": "Proj", "period": "Month", "budget": "Amount"}


def test_settings_are_saved_for_every_page(db):
    ingest_bytes(db, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.selectbox[0].set_value("April")
    at.button[0].click().run()  # the settings form's submit button
    assert not at.exception
    assert Settings.from_store(db.settings()).fy_start_month == 4


def test_delete_removes_the_upload(db):
    ingest_bytes(db, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    assert at.dataframe[0].value.upload_id.tolist() == [1]
    at.button(key="delete").click().run()
    assert not at.exception
    assert db.uploads().empty


def test_delete_acts_on_the_upload_the_user_saw_even_after_a_concurrent_ingest(db):
    seen = ingest_bytes(db, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert at.subheader[-1].value.startswith(f"Upload {seen.upload_id}:")
    other = ingest_bytes(db, PLAN, "plan.csv", as_of=dt.date(2026, 3, 9))  # another session, meanwhile: now newest
    at.button(key="delete").click().run()
    assert not at.exception
    assert db.uploads().upload_id.tolist() == [other.upload_id]  # the one the user saw went, the new one stays
    assert f"Upload {seen.upload_id} deleted." in [s.value for s in at.success]


def test_delete_of_an_upload_that_vanished_meanwhile_says_so_and_changes_nothing(db):
    seen = ingest_bytes(db, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    db.delete_upload(seen.upload_id)  # deleted in another session
    other = ingest_bytes(db, PLAN, "plan.csv", as_of=dt.date(2026, 3, 9))
    at.button(key="delete").click().run()
    assert not at.exception
    assert db.uploads().upload_id.tolist() == [other.upload_id]
    assert any(f"Upload {seen.upload_id} was already gone" in w.value for w in at.warning)


def test_the_demo_is_removed_in_one_action_and_own_uploads_stay(db):
    from store import DEMO_USER

    parsed = ingest.parse_file(REGISTER, "register.csv")
    ingest.store_parsed(db, parsed, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1), uploaded_by=DEMO_USER)
    own = ingest_bytes(db, PLAN, "plan.csv", as_of=dt.date(2026, 3, 9))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.button(key="remove_demo").click().run()
    assert not at.exception
    assert db.uploads().upload_id.tolist() == [own.upload_id]
