"""Native .mpp through MPXJ: MPXJ's own sample .mpp files give what their MSPDI twins give; the
in-memory MSPDI conversion keeps costs, baselines and the calendar; no Java -> a refusal saying how
to enable it."""

import importlib.util
import shutil
import sys

import pandas as pd
import pytest
from msproject_files import assignment, baseline, calendar, mspdi, resource, task

from loaders import msproject
from loaders.base import Refused
from loaders.detect import detect
from loaders.msproject import mpp

needs_mpxj = pytest.mark.skipif(
    shutil.which("java") is None or importlib.util.find_spec("mpxj") is None, reason="no Java runtime or no mpxj"
)

TWINS = [
    ("mpp/mpxj_task-costs-project2007-mpp12.mpp", "mpp/mpxj_task-costs-project2007-mspdi.xml"),
    ("mpp/mpxj_task-costs-project2013-mpp14.mpp", "mpp/mpxj_task-costs-project2013-mspdi.xml"),
    ("mpp/mpxj_task-costs-project2019-mpp14.mpp", "mpxj_task-costs-project2019-mspdi.xml"),
]
COMPARED = [
    "task_uid",
    "task_id",
    "name",
    "outline_level",
    "is_summary",
    "is_milestone",
    "start",
    "finish",
    "duration_hours",
    "work_hours",
    "percent_complete",
    "cost",
    "actual_cost",
    "fixed_cost",
    "baseline_start",
    "baseline_finish",
    "baseline_cost",
    "baseline_work_hours",
]


def _same(a: pd.DataFrame, b: pd.DataFrame, columns=COMPARED) -> None:
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(
        a[columns].reset_index(drop=True), b[columns].reset_index(drop=True), check_dtype=False
    )


@needs_mpxj
@pytest.mark.parametrize(("native", "twin"), TWINS)
def test_mpp_samples_match_their_mspdi_twins(real_exports, native, twin):
    data = (real_exports / "msproject" / native).read_bytes()
    assert detect(data, "plan.mpp") is msproject
    from_mpp = msproject.parse(data, "plan.mpp")
    from_xml = msproject.parse((real_exports / "msproject" / twin).read_bytes(), "plan.xml")
    assert from_mpp.format == mpp.FORMAT and len(from_mpp.tables["tasks"]) == 10
    _same(from_mpp.tables["tasks"], from_xml.tables["tasks"])
    assert len(from_mpp.tables["task_baselines"]) == len(from_xml.tables["task_baselines"])
    assert from_mpp.as_of == from_xml.as_of  # the file's own save date, never the reading day
    assert from_mpp.meta["calendar"] == from_xml.meta["calendar"]


def _week_of_work(uid, name, start, finish, *, percent, actual, cost, baseline_cost):
    """A 40-hour task under the phase, with its baseline 0."""
    week = "PT40H0M0S"
    schedule = dict(Start=start, Finish=finish, Duration=week)
    progress = dict(PercentComplete=percent, ActualCost=actual, Cost=cost, Work=week)
    return task(uid, name, 2, **schedule, **progress, baselines=[baseline(0, start, finish, 40, baseline_cost, 40)])


def _costed_plan() -> bytes:
    s1, f1 = "2018-05-07T08:00:00", "2018-05-11T17:00:00"
    s2, f2 = "2018-05-14T08:00:00", "2018-05-18T17:00:00"
    tasks = [
        task(
            1,
            "Phase",
            1,
            summary=True,
            Start=s1,
            Finish=f2,
            Duration="PT80H0M0S",
            PercentComplete=40,
            ActualCost=2300,
            baselines=[baseline(0, s1, f2, 80, 5000, 80), baseline(1, s1, f2, 80, 4800, 80)],
        ),
        _week_of_work(2, "Design", s1, f1, percent=100, actual=2000, cost=2000, baseline_cost=2400),
        _week_of_work(3, "Build", s2, f2, percent=10, actual=300, cost=2600, baseline_cost=2600),
    ]
    cal = calendar(1, "Standard", exceptions=[("2018-05-17", "2018-05-17", ())])
    return mspdi(
        tasks,
        calendars=[cal],
        StatusDate="2018-05-15T17:00:00",
        resources=[resource(1, "Dev", 50)],
        assignments=[assignment(1, 2, 1, 2000, 2000), assignment(2, 3, 1, 2600, 300)],
    )


@needs_mpxj
def test_mpxj_conversion_keeps_costs_baselines_and_calendar():
    data = _costed_plan()
    direct = msproject.parse(data, "plan.xml")
    converted = msproject.parse_mspdi(mpp.to_mspdi(data, "plan.xml"), "plan.xml")
    _same(converted.tables["tasks"], direct.tables["tasks"])
    key = ["task_uid", "baseline_number", "cost", "work_hours"]
    b1 = converted.tables["task_baselines"].sort_values(key[:2])[key].reset_index(drop=True)
    b2 = direct.tables["task_baselines"].sort_values(key[:2])[key].reset_index(drop=True)
    pd.testing.assert_frame_equal(b1, b2, check_dtype=False)
    assert converted.as_of == direct.as_of
    assert converted.meta["calendar"]["exceptions"] == direct.meta["calendar"]["exceptions"]


def test_missing_java_or_mpxj_is_a_refusal_that_says_how_to_enable_it(monkeypatch, real_exports):
    monkeypatch.setattr(mpp, "_failure", None)
    monkeypatch.setitem(sys.modules, "mpxj", None)  # as if the package were not installed
    data = (real_exports / "msproject" / TWINS[0][0]).read_bytes()
    with pytest.raises(Refused) as err:
        msproject.parse(data, "plan.mpp")
    message = str(err.value)
    assert "default-jre-headless" in message and "mpxj" in message and "XML" in message
