"""AppTest of app_pages/delivery.py against a store built here."""

import datetime as dt

import pytest
from builders import point_app_at, rerun_afresh, run
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from test_delivery import SCRUM, issue, write_jira

from metrics import delivery as dl

D = dt.date


@pytest.fixture
def page_store(store, monkeypatch):
    point_app_at(monkeypatch, store.path)
    return store


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_scrum_project_shows_every_chart_with_exact_or_approximate_captions(page_store):
    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)
    kanban = [issue(f"K-{i}", None, "Done", "2026-01-05", f"2026-01-{5 + 2 * i:02d}") for i in range(10)]
    write_jira(page_store, "KAN", D(2026, 3, 1), [*kanban, issue("K-99", None, "In Progress", "2026-02-20")])
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    assert at.selectbox(key="project").options == ["ALPHA", "KAN"]
    at.selectbox(key="project").set_value("ALPHA")
    run(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 6  # velocity, burn-down, burn-up, throughput, created/resolved, lead time, WIP
    text = captions(at)
    assert "Planned is approximate" in text
    assert "Approximate (only one snapshot exists): sprint window" in text  # sprint burn-down from one snapshot
    assert "Approximate: only one snapshot" in text  # burn-up
    assert "Exact: lead time" in text and "Approximate age" in text
    metrics = {m.label: m.value for m in at.metric}
    expected = dl.report(page_store, "ALPHA")
    assert metrics["Lead time P85 (days)"] == f"{expected['lead_time_days']['p85']:,.1f}"
    assert metrics["P85 finish"] == f"{expected['forecast']['p85']:%d %b %Y}"
    assert metrics["In progress (issues)"] == "1"
    assert "Velocity (points / sprint)" in metrics and "Throughput (pts / week)" in metrics
    assert f"P85 {expected['forecast']['p85']:%d %b %Y}" in captions(at)
    assert at.radio(key="unit_ALPHA").value == "points"
    at.selectbox(key="project").set_value("KAN")  # the next project starts on its own measure
    run(at)
    assert at.radio(key="unit_KAN").value == "issues" and at.radio(key="unit_KAN").options == ["Issue count"]
    assert {m.label: m.value for m in at.metric}["P85 finish"] != "finished"


def test_kanban_project_gets_throughput_and_forecast_not_an_error(page_store):
    rows = [issue(f"K-{i}", None, "Done", "2026-01-05", f"2026-01-{5 + 2 * i:02d}") for i in range(10)]
    write_jira(page_store, "KAN", D(2026, 3, 1), [*rows, issue("K-99", None, "In Progress", "2026-02-20")])
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    assert at.radio(key="unit_KAN").value == "issues"
    info = " ".join(i.value for i in at.info)
    assert "no story points" in info and "no sprints" in info
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["P85 finish"] != "—"
    assert metrics["Velocity (issues / sprint)"] == "—" and "Throughput (issues / week)" in metrics
    assert len(at.get("vega_lite_chart")) >= 3


def test_calendar_editor_saves_and_user_dates_win(page_store):
    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    editor = calendar_editor(at)
    assert list(editor["sprint"]) == ["Sprint 1", "Sprint 2", "Sprint 10"]
    assert set(editor["origin"]) == {"inferred"}
    assert page_store.query("SELECT * FROM sprints").empty
    at.button[0].click()
    run(at)
    stored = page_store.query("SELECT sprint, origin FROM sprints WHERE project_id = 'ALPHA' ORDER BY sprint")
    assert sorted(stored["sprint"]) == ["Sprint 1", "Sprint 10", "Sprint 2"] and set(stored["origin"]) == {"inferred"}
    # a user correction (what the editor hands to metrics.delivery) is shown on the next run
    cal, inferred = dl.sprint_calendar(page_store, "ALPHA", D(2026, 3, 1))
    edited = cal.copy()
    edited.loc[2, "finish"] = D(2026, 2, 20)
    dl.save_sprint_calendar(page_store, "ALPHA", edited, inferred)
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    row = calendar_editor(at).set_index("sprint").loc["Sprint 10"]
    assert row["origin"] == "user" and str(row["finish"])[:10] == "2026-02-20"
    assert "entered by the user" in captions(at)


def test_no_jira_data_says_so(page_store):
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    assert any("No Jira or Asana export" in i.value for i in at.info)


def test_as_of_after_the_snapshot_is_measured_at_the_snapshot(page_store):
    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)
    write_jira(page_store, "OTHER", D(2026, 4, 12), SCRUM)  # the database's latest snapshot is later
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    at.selectbox(key="project").set_value("ALPHA")
    run(at)
    assert "measured at 01 Mar 2026" in captions(at)
    expected = dl.report(page_store, "ALPHA", as_of=D(2026, 3, 1))
    assert {m.label: m.value for m in at.metric}["P85 finish"] == f"{expected['forecast']['p85']:%d %b %Y}"


def test_page_only_lays_out_velocity_and_statuses():
    source = (ROOT / "app_pages" / "delivery.py").read_text()
    assert ".mean(" not in source and ".unique(" not in source and ".tail(" not in source


EVIL = "[click](https://evil.example)"


def markdown_texts(at) -> list[str]:
    """Every element whose text Streamlit renders as markdown."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def test_user_text_never_reaches_markdown(page_store, monkeypatch):
    rows = [
        issue("E-1", 3, "Done", "2026-01-02", "2026-01-14", [EVIL]),
        issue("E-2", 5, "In Progress", "2026-01-02", None, [EVIL, "Sprint 2"]),
        issue("E-3", 2, "Done", "2026-01-03", "2026-02-10", ["Sprint 2"], fix_versions=EVIL, status=EVIL),
    ]
    write_jira(page_store, "EVIL", D(2026, 3, 1), rows)
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    at.selectbox(key="sprint").set_value(EVIL)
    at.selectbox(key="scope_kind").set_value("version")
    run(at)
    at.selectbox(key="scope_value").set_value(EVIL)
    run(at)
    assert not [t for t in markdown_texts(at) if "evil.example" in t]
    # a calendar row the user cannot save names its sprint: shown as data, not markdown
    monkeypatch.setattr(dl, "calendar_problems", lambda edited: [f"{EVIL}: the finish is before the start."])
    at.button[0].click()
    run(at)
    assert not [t for t in markdown_texts(at) if "evil.example" in t]
    assert at.error, "the problem is still reported"
    shown = [str(t.value) for t in at.text] + [v for df in at.dataframe for v in df.value.values.ravel()]
    assert any(EVIL in str(v) for v in shown)
    assert page_store.query("SELECT * FROM sprints").empty


def test_metrics_error_text_is_not_markdown(page_store, monkeypatch):
    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)

    def fail(*args, **kwargs):
        raise dl.MetricsError(f"project {EVIL} has no Jira export.")

    monkeypatch.setattr(dl, "dashboard", fail)
    at = run(AppTest.from_file(str(ROOT / "app_pages" / "delivery.py")))
    assert not [t for t in markdown_texts(at) if "evil.example" in t]
    assert any(EVIL in str(t.value) for t in at.text)


def test_delivery_export_holds_the_page_tables(page_store):
    import io

    import openpyxl

    from exports import to_excel

    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)
    d = dl.dashboard(page_store, "ALPHA", D(2026, 3, 1))
    book = openpyxl.load_workbook(io.BytesIO(to_excel(dl.export_tables(d))))
    assert book.sheetnames[:3] == ["Velocity", "Throughput", "Lead time"]
    assert book["Velocity"].max_row == len(d.velocity) + 1
    forecast = {r[0]: r[1] for r in book["Forecast"].iter_rows(min_row=2, values_only=True)}
    assert forecast["p85"] == d.forecast["p85"].isoformat()


def calendar_editor(at):
    """The sprint calendar editor's frame (the data editor with sprint origins)."""
    return next(df.value for df in reversed(at.dataframe) if "origin" in df.value.columns)


def test_an_upload_for_another_project_does_not_recompute_this_projects_delivery(page_store, monkeypatch):
    """The page's cache is keyed by the uploads it reads (this project's Jira snapshots up to the
    date), not by every upload: a weekly ingest of other projects leaves it cached."""
    write_jira(page_store, "ALPHA", D(2026, 3, 1), SCRUM)
    write_jira(page_store, "KAN", D(2026, 3, 1), [issue("K-1", None, "Done", "2026-01-05", "2026-01-09")])
    calls = []
    real = dl.dashboard
    monkeypatch.setattr(dl, "dashboard", lambda store, pid, *a, **k: calls.append(pid) or real(store, pid, *a, **k))
    at = AppTest.from_file(str(ROOT / "app_pages" / "delivery.py"))
    at.session_state["project"] = "ALPHA"
    run(at)
    first = len(calls)
    assert first >= 1 and set(calls) == {"ALPHA"}
    write_jira(page_store, "KAN", D(2026, 3, 1), [issue("K-2", None, "Done", "2026-01-05", "2026-01-12")])
    rerun_afresh(at)  # as app.py runs it: the sidebar's versions read afresh
    assert len(calls) == first  # KAN's new export: ALPHA's views stayed cached
    write_jira(page_store, "ALPHA", D(2026, 3, 1), [*SCRUM, issue("A-99", None, "To Do", "2026-02-20")])
    rerun_afresh(at)
    assert len(calls) > first  # ALPHA's own new export: recomputed
