"""Every file in ../shared/fixtures/msproject behaves as its README says, through the ingest path."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders import msproject
from loaders.ingest import ingest_bytes

# file -> (tasks, summary, leaf, milestones or None, leaf cost or None)
FACTS = {
    "en_student_project1_excel_template.xlsx": (17, 5, 12, None, None),
    "vn_student_buoi2_excel_template.xlsx": (11, 3, 8, 1, None),
    "vn_student_project1_excel_template.xlsx": (21, 6, 15, None, None),
    "mpxj_mspdiduration.xml": (10, None, None, None, None),
    "mpxj_baselines.xml": (1, None, None, None, None),
    "mpxj_legacy_sample1.xml": (22, 4, 18, 1, 4171.25),
    "mpxj_task-costs-project2019-mspdi.xml": (10, None, None, None, None),
}


@pytest.mark.real_exports
@pytest.mark.parametrize("name", sorted(FACTS))
def test_fixture_counts_through_ingest(real_exports, store, name):
    data = (real_exports / "msproject" / name).read_bytes()
    report = ingest_bytes(store, data, name, as_of=dt.date(2026, 1, 5))  # most carry no status date
    assert report.status == "stored", report.message
    tasks = store.query("SELECT * FROM tasks WHERE upload_id = ?", [report.upload_id])
    total, summary, leaf, milestones, leaf_cost = FACTS[name]
    assert len(tasks) == total
    if summary is not None:
        assert int(tasks.is_summary.sum()) == summary
        assert int((~tasks.is_summary).sum()) == leaf
    if milestones is not None:
        assert int(tasks.is_milestone.sum()) == milestones
    if leaf_cost is not None:
        assert tasks.loc[~tasks.is_summary, "cost"].sum() == pytest.approx(leaf_cost)
    assert not tasks.name.isna().any()
    assert not (tasks.task_uid == 0).any()
    assert tasks.task_uid.is_unique


@pytest.mark.real_exports
def test_excel_template_locale_cells(real_exports):
    parsed = msproject.parse(
        (real_exports / "msproject" / "vn_student_buoi2_excel_template.xlsx").read_bytes(), "b.xlsx"
    )
    assert parsed.format == "MS Project Excel template"
    tasks = parsed.tables["tasks"].set_index("task_id")
    assert tasks.loc[4, "duration_hours"] == pytest.approx(2.8 * 40)  # "2,8 wks"
    assert str(tasks.loc[1, "start"]) == "2025-09-08 08:00:00"  # "08 September 2025 8:00 SA"
    assert str(tasks.loc[1, "finish"]) == "2025-10-27 17:00:00"  # "... 5:00 CH"
    assert tasks.loc[5, "is_milestone"]  # "0 days"
    assert tasks.loc[4, "predecessors"] == "3"
    resources = parsed.tables["resources"].set_index("name")
    assert resources.loc["Dương Văn Lăng", "standard_rate"] == 1100.0  # "$1.100,00/h"
    assert resources.loc["Nguyễn Văn Hiếu", "standard_rate"] == 42.0  # "$42,00/h"
    assert resources.loc["Dương Văn Lăng", "max_units"] == 50.0
    assert any("no baseline columns" in p.message and "Baseline Cost" in p.message for p in parsed.problems)
    assert not [p for p in parsed.problems if p.severity == "warning"]


@pytest.mark.real_exports
def test_excel_template_assignments_join_tasks_by_name(real_exports):
    parsed = msproject.parse(
        (real_exports / "msproject" / "en_student_project1_excel_template.xlsx").read_bytes(), "e.xlsx"
    )
    assignments = parsed.tables["assignments"]
    assert len(assignments) == 15
    assert assignments.task_uid.notna().all()
    assert assignments.work_hours.iloc[0] == 24.0
    assert assignments.units.iloc[0] == 100.0
    assert str(parsed.tables["tasks"].start.iloc[0]) == "2025-09-01 08:00:00"


@pytest.mark.real_exports
def test_mspdi_durations_per_unit(real_exports):
    parsed = msproject.parse((real_exports / "msproject" / "mpxj_mspdiduration.xml").read_bytes(), "d.xml")
    hours = parsed.tables["tasks"].duration_hours.round(4).tolist()
    expected = [1 / 60, 1 / 60, 1, 1, 8, 24, 40, 168, 160, 720]  # m, em, h, eh, d, ed, w, ew, mo, emo
    assert sorted(hours) == sorted(round(h, 4) for h in expected)


@pytest.mark.real_exports
def test_mspdi_baselines_one_to_ten(real_exports):
    parsed = msproject.parse((real_exports / "msproject" / "mpxj_baselines.xml").read_bytes(), "b.xml")
    baselines = parsed.tables["task_baselines"]
    assert sorted(baselines.baseline_number) == list(range(1, 11))
    assert baselines.set_index("baseline_number").loc[3, "cost"] == 3.0  # <Cost>300</Cost> hundredths
    assert baselines.set_index("baseline_number").loc[2, "duration_hours"] == 15.0
    assert parsed.project_name == "project1"
    assert parsed.meta["minutes_per_day"] == 450


@pytest.mark.real_exports
def test_mspdi_project2019_costs(real_exports):
    parsed = msproject.parse(
        (real_exports / "msproject" / "mpxj_task-costs-project2019-mspdi.xml").read_bytes(), "c.xml"
    )
    assert parsed.meta["default_fixed_cost_accrual"] == "prorated"
    tasks = parsed.tables["tasks"]
    assert tasks.acwp.notna().all()
    assert set(tasks.fixed_cost_accrual.dropna()) <= {"start", "end", "prorated"}
