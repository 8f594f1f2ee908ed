"""The demo portfolio generator: deterministic, in the real export formats, varied on purpose,
and (where the loaders exist) readable by the real ingest path."""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from data.generate import (
    DEFAULT_ANCHOR,
    SAMPLE_NAMES,
    SELECTED_DATA_COLUMNS,
    SPECS,
    DemoFile,
    generate,
    sprint_calendar,
    write_samples,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
NS = {"p": "http://schemas.microsoft.com/project"}
MS_DATE = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December) "
    r"\d{1,2}, \d{4} (8:00 AM|5:00 PM)$"
)
JIRA_DATE = re.compile(
    r"^\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{2} (1[0-2]|[1-9]):[0-5]\d (AM|PM)$"
)
MONEY = re.compile(r"^\$\d{1,3}(,\d{3})*\.\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> list[DemoFile]:
    return generate(tmp_path_factory.mktemp("demo"))


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def _latest(demo, source, project_id) -> DemoFile:
    return [f for f in demo if f.source == source and f.project_id == project_id][-1]


def test_same_seed_and_anchor_give_identical_bytes(demo, tmp_path):
    again = generate(tmp_path / "again")
    assert [f.path.name for f in again] == [f.path.name for f in demo]
    assert [(f.source, f.project_id, f.as_of) for f in again] == [(f.source, f.project_id, f.as_of) for f in demo]
    different = [a.path.name for a, b in zip(demo, again) if a.path.read_bytes() != b.path.read_bytes()]
    assert different == []


def test_another_seed_changes_the_data(tmp_path):
    a = generate(tmp_path / "a", seed=1, jira_every_weeks=12, plan_every_weeks=12)
    b = generate(tmp_path / "b", seed=2, jira_every_weeks=12, plan_every_weeks=12)
    jira_a = [f for f in a if f.source == "jira"][-1].path.read_bytes()
    jira_b = [f for f in b if f.source == "jira"][-1].path.read_bytes()
    assert jira_a != jira_b


def test_files_come_in_ingest_order_with_their_metadata(demo):
    assert demo[0].source == "register" and demo[0].path.name == "portfolio_register.xlsx"
    dates = [f.as_of for f in demo]
    assert dates == sorted(dates)
    counts = Counter(f.source for f in demo)
    assert counts["register"] == 1 and counts["finance"] == 6
    assert 90 <= counts["msproject"] <= 130 and 100 <= counts["jira"] <= 160
    assert counts["risk"] == 36 and len(demo) - counts["risk"] <= 270  # a register per project, 3 snapshots
    assert sum(f.path.stat().st_size for f in demo) < 30 * 2**20
    plan_projects = {f.project_id for f in demo if f.source == "msproject"}
    jira_projects = {f.project_id for f in demo if f.source == "jira"}
    assert len(plan_projects) == 9 and len(jira_projects) == 6
    assert plan_projects & jira_projects  # some projects have both a plan and a Jira board
    for f in demo:
        if f.source in ("msproject", "jira"):
            assert f.as_of.weekday() == 4, f  # status dates and exports on Fridays
            assert (f.as_of <= DEFAULT_ANCHOR and f.project_id in f.path.name) or f.source == "jira"
    plan_dates = sorted({f.as_of for f in demo if f.project_id == "CRM-UPGRADE" and f.source == "msproject"})
    assert {b - a for a, b in itertools.pairwise(plan_dates)} == {timedelta(weeks=2)}
    assert plan_dates[-1] - plan_dates[0] >= timedelta(weeks=22)
    jira_dates = sorted({f.as_of for f in demo if f.project_id == "PAY-GATEWAY" and f.source == "jira"})
    assert {b - a for a, b in itertools.pairwise(jira_dates)} == {timedelta(weeks=1)}
    finance = [f.as_of for f in demo if f.source == "finance"]
    assert all((d + timedelta(days=1)).day == 1 for d in finance)  # month-ends


def test_register_has_twelve_projects_in_three_programs(demo):
    rows = _sheet(demo[0].path, "Register")
    header = rows[0]
    assert header[:10] == [
        "project_id",
        "name",
        "program",
        "portfolio",
        "manager",
        "sponsor",
        "currency",
        "budget",
        "jira_keys",
        "stage",
    ]
    assert "Strategic theme" in header
    body = rows[1:]
    assert len(body) == 12
    assert len({r[2] for r in body}) == 3 and len({r[3] for r in body}) == 2
    assert all(isinstance(r[7], float) and r[7] > 0 for r in body)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*", r[0]) for r in body)
    assert {r[8] for r in body if r[8]} == {"CRM", "POR", "MOB", "PAY", "OBK", "FRD"}


def test_selected_data_workbook_is_all_text_as_ms_project_writes_it(demo):
    path = _latest(demo, "msproject", "CRM-UPGRADE").path
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Task_Table1"]
    rows = book.get_sheet_by_name("Task_Table1").to_python()
    assert tuple(rows[0]) == SELECTED_DATA_COLUMNS
    body = rows[1:]
    assert 30 <= len(body) <= 120
    assert all(isinstance(cell, str) for row in body for cell in row)
    col = {name: i for i, name in enumerate(SELECTED_DATA_COLUMNS)}
    for row in body:
        for name in ("Start_Date", "Finish_Date", "Baseline_Start", "Baseline_Finish"):
            assert MS_DATE.match(row[col[name]]), (name, row[col[name]])
        for name in ("Actual_Start", "Actual_Finish"):
            assert row[col[name]] == "NA" or MS_DATE.match(row[col[name]])
        assert re.fullmatch(r"\d+ days?", row[col["Duration"]])
        assert re.fullmatch(r"\d{1,3}%", row[col["Percent_Complete"]])
        assert row[col["Summary"]] in ("Yes", "No") and row[col["Milestone"]] in ("Yes", "No")
        for name in ("Cost", "Baseline_Cost", "Actual_Cost", "Remaining_Cost", "BCWS", "BCWP", "ACWP"):
            assert MONEY.match(row[col[name]]), (name, row[col[name]])
    levels = Counter(row[col["Outline_Level"]] for row in body)
    assert set(levels) == {"1", "2", "3"}
    milestones = [row for row in body if row[col["Milestone"]] == "Yes"]
    assert milestones and all(row[col["Duration"]] == "0 days" for row in milestones)
    assert any(row[col["Actual_Start"]] == "NA" for row in body)  # work still to start
    assert any(row[col["Percent_Complete"]] not in ("0%", "100%") for row in body)  # work in progress


def _evm_from_selected_data(path: Path) -> tuple[float, float, float]:
    rows = _sheet(path, "Task_Table1")
    col = {name: i for i, name in enumerate(rows[0])}
    money = lambda text: float(text.strip("$").replace(",", ""))  # noqa: E731
    leaves = [r for r in rows[1:] if r[col["Summary"]] == "No"]
    pv, ev, ac = (sum(money(r[col[name]]) for r in leaves) for name in ("BCWS", "BCWP", "ACWP"))
    return pv, ev, ac


def test_progress_evolves_between_plan_snapshots(demo):
    snapshots = [f for f in demo if f.source == "msproject" and f.project_id == "CRM-UPGRADE"]
    earned = [_evm_from_selected_data(f.path)[1] for f in snapshots]
    assert earned == sorted(earned) and earned[-1] > earned[0] * 1.3
    first, last = (_sheet(f.path, "Task_Table1") for f in (snapshots[0], snapshots[-1]))
    col = SELECTED_DATA_COLUMNS.index("Finish_Date")
    baseline = SELECTED_DATA_COLUMNS.index("Baseline_Finish")
    assert [r[baseline] for r in first] == [r[baseline] for r in last]  # the baseline holds still
    assert [r[col] for r in first] != [r[col] for r in last]  # forecasts move


def test_projects_are_varied_on_purpose(demo):
    def indices(project_id):
        pv, ev, ac = _evm_from_selected_data(_latest(demo, "msproject", project_id).path)
        return ev / pv, ev / ac

    spi, cpi = indices("DC-MIGRATION")
    assert spi < 0.88  # late
    spi, cpi = indices("CRM-UPGRADE")
    assert cpi < 0.9  # over budget
    spi, cpi = indices("IAM-ROLLOUT")
    assert spi > 0.95 and cpi > 0.95  # healthy
    ledger = etree.parse(str(_latest(demo, "msproject", "CORE-LEDGER").path)).getroot()
    leaves = [t for t in ledger.iterfind("p:Tasks/p:Task", NS) if t.findtext("p:Summary", namespaces=NS) == "0"]
    pv, ev, ac = (sum(float(t.findtext(f"p:{k}", namespaces=NS)) for t in leaves) for k in ("BCWS", "BCWP", "ACWP"))
    assert ev / pv < 0.88 and ev / ac < 0.9  # late and over budget


def test_messy_plan_has_unreadable_dates(demo):
    rows = _sheet(_latest(demo, "msproject", "PORTAL-V2").path, "Task_Table1")
    cells = [c for r in rows[1:] for c in r]
    assert {"TBC", "September 31, 2026 8:00 AM", "end of Q4"} <= set(cells)


def test_mspdi_is_namespaced_xml_with_hundredths_and_iso_durations(demo):
    f = _latest(demo, "msproject", "CORE-LEDGER")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(f.path), parser).getroot()
    assert root.tag == "{http://schemas.microsoft.com/project}Project"
    assert root.findtext("p:StatusDate", namespaces=NS) == f"{f.as_of.isoformat()}T17:00:00"
    assert root.findtext("p:MinutesPerDay", namespaces=NS) == "480"
    assert root.findtext("p:Title", namespaces=NS) == "Core Ledger Replacement"
    tasks = root.findall("p:Tasks/p:Task", NS)
    assert tasks[0].findtext("p:UID", namespaces=NS) == "0" and 30 <= len(tasks) - 1 <= 120
    for task in tasks:
        assert re.fullmatch(r"PT\d+H0M0S", task.findtext("p:Duration", namespaces=NS))
        assert re.fullmatch(r"\d+", task.findtext("p:Cost", namespaces=NS))
        for tag in ("OutlineLevel", "OutlineNumber", "WBS", "PercentComplete", "ActualCost", "Summary", "Milestone"):
            assert task.find(f"p:{tag}", NS) is not None, tag
        baseline = task.find("p:Baseline", NS)
        assert baseline.findtext("p:Number", namespaces=NS) == "0"
        assert {"Start", "Finish", "Cost", "Work"} <= {etree.QName(e).localname for e in baseline}
    # hundredths: the leaf baseline costs add up to about the project's BAC in cents
    leaves = [t for t in tasks if t.findtext("p:Summary", namespaces=NS) == "0"]
    bac = sum(int(t.find("p:Baseline", NS).findtext("p:Cost", namespaces=NS)) for t in leaves) / 100
    assert 6_500_000 < bac < 7_100_000


def test_jira_export_has_the_all_fields_shape(demo):
    f = _latest(demo, "jira", "PAY-GATEWAY")
    rows = _csv(f.path)
    header = rows[0]
    assert header[:7] == ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name"]
    sprint_cols = [i for i, h in enumerate(header) if h == "Sprint"]
    assert len(sprint_cols) >= 2 and sprint_cols == list(range(sprint_cols[0], sprint_cols[-1] + 1))
    assert header.count("Labels") >= 2 and "Status Category" in header and "Parent summary" in header
    assert "Custom field (Story Points)" in header and "Custom field (Story point estimate)" in header
    col = {h: i for i, h in enumerate(header)}  # last of a repeated name, fine for single columns
    body = [r for r in rows[1:] if any(r)]
    assert all(len(r) == len(header) for r in body)
    carried = 0
    for row in body:
        sprints = [row[i] for i in sprint_cols]
        filled = [s for s in sprints if s]
        assert sprints[: len(filled)] == filled  # left-packed
        assert all(re.fullmatch(r"PAY Sprint \d+", s) for s in filled)
        carried += len(filled) > 1
        for name in ("Created", "Updated", "Resolved", "Status Category Changed"):
            assert row[col[name]] == "" or JIRA_DATE.match(row[col[name]]), (name, row[col[name]])
        assert row[col["Status Category"]] in ("To Do", "In Progress", "Done")
        assert (row[col["Resolved"]] != "") == (row[col["Status Category"]] == "Done")
    assert carried >= 5  # carry-over across sprints
    types = Counter(r[3] for r in body)
    assert types["Epic"] and types["Sub-task"] and types["Story"] and types["Bug"]
    assert any("\n" in r[col["Description"]] for r in body)
    assert any(r[col["Custom field (Story Points)"]] for r in body)
    assert b"\r\n" not in f.path.read_bytes().split(b"\n", 1)[0] + b"\n"


def test_jira_snapshots_show_the_same_issues_evolving(demo):
    snaps = [f for f in demo if f.source == "jira" and f.project_id == "MOBILE-APP"]
    early, late = _csv(snaps[-5].path), _csv(snaps[-1].path)

    def by_key(rows):
        key, status = rows[0].index("Issue key"), rows[0].index("Status")
        return {r[key]: r[status] for r in rows[1:] if any(r)}

    a, b = by_key(early), by_key(late)
    assert set(a) < set(b)  # new issues appear, none vanish
    assert sum(a[k] != b[k] for k in a) >= 5  # statuses move


def test_kanban_export_has_no_sprint_column_and_messy_export_has_blank_rows(demo):
    kanban = _csv(_latest(demo, "jira", "FRAUD-ML").path)
    assert "Sprint" not in kanban[0] and "Status Category" in kanban[0]
    messy = _csv(_latest(demo, "jira", "PORTAL-V2").path)
    assert sum(1 for r in messy if not any(r)) >= 2
    header = messy[0]
    points = header.index("Custom field (Story point estimate)")
    stories = [r for r in messy[1:] if any(r) and r[3] == "Story"]
    assert any(r[points] == "" for r in stories) and any(r[points] for r in stories)


def test_finance_workbook_is_wide_monthly_with_subtotals(demo):
    f = [f for f in demo if f.source == "finance"][-1]
    rows = _sheet(f.path, "Budget vs Actual")
    header = rows[0]
    year = f.as_of.year % 100
    assert header[-12:] == [
        f"{m}-{year}" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    ]
    measure = header.index("Measure")
    assert {r[measure] for r in rows[1:]} == {"Budget", "Actual", "Forecast", "Committed"}
    totals = [r for r in rows[1:] if str(r[0]).startswith("Total ")]
    assert {r[0] for r in totals} == {f"Total {s.project_id}" for s in SPECS}
    closed = f.as_of.month
    for r in rows[1:]:
        if r[measure] == "Actual" and not str(r[0]).startswith(("Total", "Grand")):
            assert all(isinstance(v, float) for v in r[-12:][:closed])
            assert all(v == "" for v in r[-12:][closed:])
    # the subtotal equals the sum of its lines
    lines = [r for r in rows[1:] if r[0] == "CRM-UPGRADE" and r[measure] == "Budget"]
    subtotal = next(r for r in totals if r[0] == "Total CRM-UPGRADE" and r[measure] == "Budget")
    assert sum(r[-12] for r in lines) == pytest.approx(subtotal[-12])


def test_sprint_calendar_matches_the_exports(demo):
    calendar = sprint_calendar()
    assert set(calendar) == {"CRM-UPGRADE", "PORTAL-V2", "MOBILE-APP", "PAY-GATEWAY", "OPEN-BANKING"}
    rows = _csv(_latest(demo, "jira", "PAY-GATEWAY").path)
    used = {c for r in rows[1:] for h, c in zip(rows[0], r) if h == "Sprint" and c}
    names = {s["sprint"] for s in calendar["PAY-GATEWAY"]}
    assert used <= names
    for sprint in calendar["PAY-GATEWAY"]:
        assert sprint["start"].weekday() == 0 and sprint["finish"] - sprint["start"] == timedelta(days=11)


def test_committed_samples_are_what_the_generator_writes(tmp_path):
    written = write_samples(tmp_path)
    assert len(written) == len(SAMPLE_NAMES) == 6
    for path in written:
        committed = SAMPLES / path.name
        assert committed.exists(), f"run: python -m data.generate data/generated --samples data/samples ({path.name})"
        assert committed.read_bytes() == path.read_bytes(), path.name
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 5 * 2**20


SAMPLE_SOURCES = {
    "portfolio_register.xlsx": "register",
    "CRM-UPGRADE_2026-11-20.xlsx": "msproject",
    "CORE-LEDGER_2026-11-20.xml": "msproject",
    "PAY_jira_2026-11-20.csv": "jira",
    "finance_budget_vs_actual_2026-10-31.xlsx": "finance",
    "finance_budget_vs_actual_long_2026-10-31.csv": "finance",
}


@pytest.mark.parametrize("name", sorted(SAMPLE_SOURCES))
def test_each_sample_is_stored_by_the_real_loaders(store, name):
    source = SAMPLE_SOURCES[name]
    if importlib.util.find_spec(f"loaders.{source}") is None:
        pytest.skip(f"loaders.{source} does not exist yet")
    from loaders.ingest import ingest_bytes

    if source in ("msproject", "jira"):  # projects resolve through the register, as in the app
        register = SAMPLES / "portfolio_register.xlsx"
        ingest_bytes(store, register.read_bytes(), register.name, as_of=date(2026, 5, 31))
    path = SAMPLES / name
    report = ingest_bytes(store, path.read_bytes(), name)
    assert report.status == "stored", report.message
    assert report.source == source
    errors = [p for p in report.problems if p.severity == "error"]
    assert errors == [], errors
    assert report.rows_loaded > 0 and report.rows_rejected == 0
    if source == "jira":
        assert report.project_id == "PAY-GATEWAY"
    if name.startswith("CORE-LEDGER"):
        assert report.as_of == date(2026, 11, 20)  # the StatusDate


def test_cli_writes_files_and_samples(tmp_path, capsys):
    from data.generate import main

    assert main([str(tmp_path / "out"), "--samples", str(tmp_path / "samples"), "--anchor", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "files" in out and len(list((tmp_path / "samples").iterdir())) == 6


def test_every_demo_file_is_read_by_the_real_loaders(demo, demo_build):
    """Every generated file through the real ingest path, as the app's first start loads them (the
    session's demo build): nothing refused, no error rows; the only warnings are the ones planted in
    the messy project's plans."""
    if any(importlib.util.find_spec(f"loaders.{s}") is None for s in ("msproject", "jira", "finance", "register")):
        pytest.skip("not every loader exists yet")
    from store import Store

    summary = demo_build.summary
    assert (summary.stored, summary.duplicates, summary.refused) == (len(demo), 0, 0), summary.messages
    assert sorted(p.name for p in demo_build.files.iterdir()) == sorted(f.path.name for f in demo)
    problems = Store(demo_build.db).query(
        "SELECT u.file_name, u.project_id, p.severity, p.message FROM problems p JOIN uploads u USING (upload_id)"
    )
    errors = problems[problems.severity == "error"]
    assert errors.empty, errors.head(3).to_dict("records")
    warnings = problems[problems.severity == "warning"]
    assert set(warnings.project_id) == {"PORTAL-V2"}  # every other project loads clean
    latest_plan = _latest(demo, "msproject", "PORTAL-V2").path.name
    assert (warnings.file_name == latest_plan).sum() >= 3  # the planted unreadable plan dates are reported


def test_sprints_burn_steadily_and_teams_differ():
    """Work is done through each sprint (the current one too), the sprint is planned on the Friday
    before it starts (so that Friday's snapshot is its baseline), and the teams differ on purpose."""
    from data.generate import DEFAULT_ANCHOR, DEFAULT_SEED, SPECS, last_friday, simulate_jira

    anchor = last_friday(DEFAULT_ANCHOR)
    stats = {}
    for spec in (s for s in SPECS if s.jira_mode == "scrum"):
        project = simulate_jira(spec, DEFAULT_SEED, anchor)
        planned = done = added = 0.0
        for name, start, _finish in project.sprints:
            items = [i for i in project.issues if i.type != "Sub-task" and any(n == name for n, _ in i.sprints)]
            joined = {i.key: min(t for n, t in i.sprints if n == name) for i in items}
            assert any(t.date() < start for t in joined.values())  # planned before the start
            added += sum(1 for t in joined.values() if t.date() >= start)
            planned += sum(i.points or 0 for i in items)
            done += sum(i.points or 0 for i in items if i.resolved and i.sprints[-1][0] == name)
            first_week = [i for i in items if i.resolved and i.resolved.date() <= start + timedelta(days=4)]
            if spec.project_id in ("CRM-UPGRADE", "OPEN-BANKING") and name == project.sprints[-1][0]:
                assert first_week  # the current sprint burns in its first week
        stats[spec.project_id] = (done / planned, added / len(project.sprints))
    assert stats["OPEN-BANKING"][0] > 0.8  # healthy
    assert stats["MOBILE-APP"][0] < stats["OPEN-BANKING"][0] - 0.08  # over-commits, carries over
    assert stats["CRM-UPGRADE"][1] > 2 * stats["OPEN-BANKING"][1]  # scope added mid-sprint
