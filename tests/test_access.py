"""Who sees what: roles from PMO_ROLES, enforced in the store for pages, exports and the CLI —
and the ways a PM might try to get around it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from builders import copy_db
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import store as store_module
from access import OPEN, Scope, load_roles, scope_for
from loaders import __main__ as loaders_cli
from loaders.ingest import ingest_bytes
from metrics import __main__ as metrics_cli
from metrics.portfolio import portfolio_frame
from reports import __main__ as reports_cli
from store import AccessDenied, Store

SAMPLES = ROOT / "data" / "samples"
ROLES = """
[users."vp@bank.example"]
role = "executive"
[users."pmo@bank.example"]
role = "pmo"
[users."hannah@bank.example"]
role = "pm"
projects = ["CRM-UPGRADE"]
[users."ana@bank.example"]
role = "pm"
[users."fin@bank.example"]
role = "finance"
"""
REGISTER_EXTRA = "project_id,name,program,manager,currency\nSMALL,Small thing,Ops,ana@bank.example,USD\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory, samples_db):
    folder = tmp_path_factory.mktemp("access")
    store = Store(copy_db(samples_db, folder / "access.duckdb"))
    assert ingest_bytes(store, REGISTER_EXTRA.encode(), "register2.csv", as_of=dt.date(2026, 11, 20)).ok
    roles = folder / "roles.toml"
    roles.write_text(ROLES)
    return store, roles


@pytest.fixture
def roles_on(db, monkeypatch):
    store, roles = db
    monkeypatch.setenv("PMO_ROLES", str(roles))
    return store


def as_user(store, email):
    return Store.for_user(store.path, email)


def test_without_a_roles_file_everything_is_open(db, monkeypatch):
    monkeypatch.delenv("PMO_ROLES", raising=False)
    store, _ = db
    assert Store.for_user(store.path, "anyone@x").scope == OPEN


def test_the_same_read_gives_an_executive_all_a_pm_theirs_and_an_unknown_user_nothing(roles_on):
    everyone = set(roles_on.projects().project_id)
    assert set(as_user(roles_on, "vp@bank.example").projects().project_id) == everyone
    hannah = as_user(roles_on, "Hannah@Bank.example")  # e-mails compare case-insensitively
    assert set(hannah.projects().project_id) == {"CRM-UPGRADE"}
    assert set(hannah.snapshot("tasks").project_id) == {"CRM-UPGRADE"}
    assert set(hannah.snapshot("budget_lines").project_id) == {"CRM-UPGRADE"}
    assert hannah.snapshot("tasks", project_ids=["CORE-LEDGER"]).empty  # asking by id does not help
    assert hannah.history("tasks", "CORE-LEDGER").empty
    assert set(hannah.latest_snapshots().project_id) == {"CRM-UPGRADE"}
    stranger = as_user(roles_on, "mallory@evil.example")
    assert stranger.projects().empty and stranger.snapshot("tasks").empty and stranger.uploads().empty
    assert stranger.latest_as_of() is None


def test_a_pm_without_a_project_list_gets_the_projects_the_register_names_them_manager_of(roles_on):
    assert set(as_user(roles_on, "ana@bank.example").projects().project_id) == {"SMALL"}


def test_finance_sees_money_for_all_and_no_work_items(roles_on):
    fin = as_user(roles_on, "fin@bank.example")
    assert set(fin.snapshot("budget_lines").project_id) == set(roles_on.snapshot("budget_lines").project_id)
    assert fin.snapshot("issues").empty and not fin.snapshot("tasks").empty


def test_raw_sql_and_other_peoples_uploads_are_refused(roles_on):
    hannah = as_user(roles_on, "hannah@bank.example")
    with pytest.raises(AccessDenied):
        hannah.query("SELECT * FROM tasks")
    others = roles_on.uploads()
    core = int(others[others.project_id == "CORE-LEDGER"].upload_id.iloc[0])
    assert core not in set(hannah.uploads().upload_id)
    with pytest.raises(AccessDenied):
        hannah.problems(core)
    with pytest.raises(AccessDenied):
        hannah.delete_upload(core)
    assert core in set(roles_on.uploads().upload_id)


def test_a_pm_uploading_for_someone_elses_project_is_refused_and_nothing_is_stored(roles_on):
    hannah = as_user(roles_on, "hannah@bank.example")
    before = len(roles_on.uploads())
    plan = (SAMPLES / "CORE-LEDGER_2026-11-20.xml").read_bytes().replace(b"<StatusDate>", b"<StatusDate>", 1)
    report = ingest_bytes(hannah, plan, "CORE-LEDGER_2026-11-27.xml", as_of=dt.date(2026, 11, 27))
    assert report.status == "refused" and "only for their projects" in report.message
    assert len(roles_on.uploads()) == before
    own = ingest_bytes(
        hannah,
        (SAMPLES / "CRM-UPGRADE_2026-11-20.xlsx").read_bytes(),
        "CRM-UPGRADE_2026-11-27.xlsx",
        as_of=dt.date(2026, 11, 27),
    )
    assert own.status == "stored", own.message
    row = roles_on.uploads().set_index("upload_id").loc[own.upload_id]
    assert row.uploaded_by == "hannah@bank.example"
    assert as_user(roles_on, "pmo@bank.example").delete_upload(own.upload_id)


def test_the_cli_scopes_by_user(roles_on, capsys):
    assert metrics_cli.main(["portfolio", "--db", roles_on.path, "--user", "hannah@bank.example"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [p["project_id"] for p in shown["projects"]] == ["CRM-UPGRADE"]
    assert (
        metrics_cli.main(["evm", "--project", "CORE-LEDGER", "--db", roles_on.path, "--user", "hannah@bank.example"])
        == 1
    )
    assert "CORE-LEDGER" in capsys.readouterr().err
    assert loaders_cli.main(["uploads", "--json", "--db", roles_on.path, "--user", "mallory@evil.example"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_pack_holds_only_what_the_user_may_see(roles_on, tmp_path):
    from pptx import Presentation

    out = tmp_path / "pack.pptx"
    assert reports_cli.main(["pack", "--db", roles_on.path, "--out", str(out), "--user", "hannah@bank.example"]) == 0
    text = " ".join(
        cell.text
        for slide in Presentation(out).slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )
    assert "CRM-UPGRADE" in text and "CORE-LEDGER" not in text


def test_roles_file_errors_are_plain(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[users."a@b.c"]\nrole = "king"\n')
    with pytest.raises(Exception, match="use one of executive, pmo, pm, finance"):
        load_roles(path)
    assert scope_for("x@y", {}, {}) == Scope(user="x@y", role="unknown", projects=frozenset())


@pytest.fixture
def app_as(roles_on, monkeypatch):
    import ui

    monkeypatch.setenv("PMO_DB", roles_on.path)
    monkeypatch.setattr(store_module, "DEFAULT_DB", roles_on.path)

    def sign_in(email):
        monkeypatch.setattr(ui, "current_user", lambda: email)

    return sign_in


def test_the_app_shows_a_pm_only_their_projects_even_when_asked_by_url(roles_on, app_as):
    app_as("hannah@bank.example")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert set(at.dataframe[0].value.project_id) == {"CRM-UPGRADE"}
    page = AppTest.from_file(str(ROOT / "app_pages" / "project.py"), default_timeout=60)
    page.query_params["project"] = "CORE-LEDGER"
    page.run()
    assert not page.exception
    assert page.selectbox(key="project").options == ["CRM Platform Upgrade (CRM-UPGRADE)"]
    assert page.selectbox(key="project").value == "CRM-UPGRADE"


def test_signed_out_sees_the_sign_in_page_and_no_data(roles_on, app_as):
    app_as(None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "PMO Portfolio Analytics" and not at.dataframe
    expected = portfolio_frame(roles_on, roles_on.latest_as_of())
    assert not expected.empty  # there is data; the signed-out user just does not see it


def test_a_narrowed_scope_changes_every_page_cache_key():
    """The pages' cache keys (``ui.data_version``, ``ui.reads_version``, the kept health) name the
    projects a user may see: a roles file that takes a project from a PM changes them even when no
    upload was stored, so nothing computed for the wider scope is shown again."""
    import ui
    from access import Scope

    wide = Scope("pm@x.com", "pm", frozenset({"P1", "P2"}))
    narrow = Scope("pm@x.com", "pm", frozenset({"P1"}))
    assert ui._scope_key(wide) != ui._scope_key(narrow)
    assert ui._scope_key(narrow) == ui._scope_key(Scope("pm@x.com", "pm", frozenset({"P1"})))
    assert ui._scope_key(Scope(None, "open")) != ui._scope_key(Scope(None, "open", frozenset()))
