"""AppTest of the Uploads & problems page: upload, report, problems, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import store as store_module
import ui
from loaders.ingest import ingest_bytes
from store import Store

REGISTER = b"project_id,name,program,manager\nA,Alpha,P1,Ann\n,Nameless,P1,\n"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    return Store(path)


def test_upload_reports_what_was_read_and_what_was_wrong(db):
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=30).run()
    assert not at.exception
    assert "No uploads yet." in [i.value for i in at.info]
    at.file_uploader(key="files").set_value(("register.csv", REGISTER, "text/csv"))
    at.date_input(key="upload_as_of").set_value(dt.date(2026, 5, 1))
    at.button[0].click().run()
    assert not at.exception
    assert any("1 rows loaded, 1 rejected" in s.value for s in at.success)
    assert len(db.uploads()) == 1
    problems = at.dataframe[-1].value
    assert "the row has no project_id; it was not loaded." in set(problems.message)


def test_refused_file_changes_nothing(db):
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=30).run()
    at.file_uploader(key="files").set_value(("notes.csv", b"hello,world\n1,2\n", "text/csv"))
    at.button[0].click().run()
    assert not at.exception
    assert at.error[0].value.startswith(ui.escape_md("notes.csv: the columns (hello, world, ...)"))
    assert db.uploads().empty


def test_delete_removes_the_upload(db):
    ingest_bytes(db, REGISTER, "register.csv", as_of=dt.date(2026, 5, 1))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=30).run()
    assert not at.exception
    assert at.dataframe[0].value.upload_id.tolist() == [1]
    at.button(key="delete").click().run()
    assert not at.exception
    assert db.uploads().empty
