"""Issue 13, loader side: the file's calendar, its own dates as as-of, the project summary task,
actual work and consistency warnings — on MSPDI files built in the real format."""

import datetime as dt

import pandas as pd
import pytest
from msproject_files import DAY, baseline, calendar, mspdi, task, xls, xlsx

from loaders import msproject


def _parse(data: bytes, name="plan.xml"):
    return msproject.parse(data, name)


def _messages(parsed, severity=None):
    return [p.message for p in parsed.problems if severity is None or p.severity == severity]


def test_calendar_weekdays_exceptions_and_working_times():
    short_friday = {1: (), 2: DAY, 3: DAY, 4: DAY, 5: DAY, 6: [("08:00:00", "12:00:00")], 7: ()}
    cals = [
        calendar(
            1,
            "Standard",
            week=short_friday,
            exceptions=[("2018-05-28", "2018-05-28", ())],
            legacy_exceptions=[("2018-07-04", "2018-07-05", ())],
        )
    ]
    parsed = _parse(mspdi([task(1, "A", 1)], calendars=cals, StatusDate="2018-05-30T17:00:00"))
    cal = parsed.meta["calendar"]
    assert cal["name"] == "Standard"
    assert cal["weekdays"][0] == [[480, 720], [780, 1020]]  # Monday 8 h
    assert cal["weekdays"][4] == [[480, 720]]  # Friday 4 h
    assert cal["weekdays"][5] == cal["weekdays"][6] == []
    assert {"from": "2018-05-28", "to": "2018-05-28", "times": []} in cal["exceptions"]
    assert {"from": "2018-07-04", "to": "2018-07-05", "times": []} in cal["exceptions"]


def test_derived_project_calendar_inherits_its_base():
    cals = [
        calendar(1, "Standard", exceptions=[("2018-12-25", "2018-12-25", ())]),
        calendar(2, "Night shift", week={2: [("22:00:00", "00:00:00")]}, base=1),
    ]
    cal = _parse(mspdi([task(1, "A", 1)], calendars=cals, calendar_uid=2)).meta["calendar"]
    assert cal["name"] == "Night shift"
    assert cal["weekdays"][0] == [[1320, 1440]]  # ToTime 00:00 = midnight
    assert cal["weekdays"][1] == [[480, 720], [780, 1020]]  # Tuesday from the base calendar
    assert cal["exceptions"] == [{"from": "2018-12-25", "to": "2018-12-25", "times": []}]


@pytest.mark.parametrize(
    ("fields", "as_of", "used"),
    [
        ({"StatusDate": "2018-08-10T09:00:00", "CurrentDate": "2018-08-20T08:00:00"}, dt.date(2018, 8, 10), None),
        (
            {"CurrentDate": "2018-05-14T08:00:00", "LastSaved": "2018-05-15T10:00:00"},
            dt.date(2018, 5, 14),
            "CurrentDate",
        ),
        ({"LastSaved": "2018-08-02T16:12:00"}, dt.date(2018, 8, 2), "LastSaved"),
    ],
)
def test_as_of_from_the_files_own_dates(fields, as_of, used):
    parsed = _parse(mspdi([task(1, "A", 1)], **fields))
    assert parsed.as_of == as_of
    infos = [m for m in _messages(parsed, "info") if "has no status date" in m]
    if used is None:
        assert infos == [] and parsed.meta["status_datetime"] == "2018-08-10T09:00:00"
    else:
        assert len(infos) == 1 and used in infos[0]
        assert parsed.meta["as_of_from"] == used and parsed.meta["status_date"] is None


def test_two_saves_without_status_date_keep_their_own_days():
    may = _parse(mspdi([task(1, "A", 1)], CurrentDate="2018-05-14T08:00:00"))
    august = _parse(mspdi([task(1, "A", 1)], CurrentDate="2018-08-20T08:00:00"))
    assert (may.as_of, august.as_of) == (dt.date(2018, 5, 14), dt.date(2018, 8, 20))


def test_project_summary_task_values_and_actual_work_kept():
    tasks = [
        task(
            0,
            "Golden plan",
            0,
            summary=True,
            Cost=1500,
            ActualCost=700,
            BCWS=900,
            BCWP=800,
            ACWP=700,
            baselines=[baseline(0, "2018-05-07T08:00:00", "2018-05-18T17:00:00", 80, 1400)],
        ),
        task(1, "Leaf", 1, Cost=1000, ActualCost=500, ActualWork="PT12H30M0S"),
    ]
    parsed = _parse(mspdi(tasks, StatusDate="2018-05-11T17:00:00"))
    summary = parsed.meta["project_summary"]
    assert summary["bcws"] == 900 and summary["bcwp"] == 800 and summary["acwp"] == 700
    assert summary["baseline_cost"] == 1400 and summary["baseline_work_hours"] == 80
    out = parsed.tables["tasks"]
    assert list(out["task_uid"]) == [1]  # the project summary row is not a task
    assert out["actual_work_hours"].iloc[0] == 12.5


def test_consistency_warnings_for_third_party_files():
    tasks = [
        task(1, "Milestone backwards", 1, Start="2018-05-10T17:00:00", Finish="2018-05-10T08:00:00"),
        task(2, "Not flagged as summary", 1, Start="2018-05-07T08:00:00", Finish="2018-05-08T17:00:00"),
        task(3, "Child", 2, PercentComplete=140),
        task(3, "Same UID", 2),
    ]
    parsed = _parse(mspdi(tasks, StatusDate="2018-05-11T17:00:00"))
    warnings = [p for p in parsed.problems if p.severity == "warning"]
    text = " ".join(p.message for p in warnings)
    assert "finish is before its start" in text
    assert "not marked as a summary task" in text
    assert "repeats Unique ID 3, already used by row 3" in text  # row by row, naming the first row
    assert "% Complete must be between 0 and 100" in text
    backwards = next(p for p in warnings if "before its start" in p.message)
    assert backwards.row_number == 1 and backwards.column_name == "Finish"
    assert parsed.tables["tasks"]["percent_complete"].isna().iloc[2]  # 140 % left empty


HEADER = [
    "ID",
    "Name",
    "WBS",
    "Start_Date",
    "Finish_Date",
    "Baseline_Start",
    "Baseline_Finish",
    "Baseline_Cost",
    "Percent_Complete",
    "Actual_Cost",
]


def _rows(names, wbs):
    out = [HEADER]
    for k, (name, code) in enumerate(zip(names, wbs, strict=True), start=1):
        day = f"May {6 + k}, 2018"
        out.append(
            [
                str(k),
                name,
                code,
                f"{day} 8:00 AM",
                f"{day} 5:00 PM",
                f"{day} 8:00 AM",
                f"{day} 5:00 PM",
                "$0.00" if code.count(".") == 0 else "$1,000.00",
                "50%",
                "$400.00",
            ]
        )
    return out


def test_old_binary_xls_selected_data_export_is_read():
    data = xls({"Task_Table1": _rows(["Phase", "Design", "Build"], ["1", "1.1", "1.2"])})
    parsed = msproject.parse(data, "plan.xls")
    assert parsed.format == "MS Project Selected Data (xls)"
    tasks = parsed.tables["tasks"]
    assert list(tasks["name"]) == ["Phase", "Design", "Build"]
    assert tasks["baseline_cost"].tolist() == [0, 1000, 1000]
    assert tasks["start"].iloc[1] == pd.Timestamp("2018-05-08 08:00")


def test_xls_is_detected_as_ms_project_not_refused():
    from loaders.detect import detect

    data = xls({"Task_Table1": _rows(["Design"], ["1"])})
    assert detect(data, "plan.xls") is msproject


def test_hierarchy_from_the_wbs_code_when_there_is_no_outline_level():
    data = xlsx({"Task_Table1": _rows(["Phase", "Design", "Build", "Close"], ["1", "1.1", "1.2", "2"])})
    parsed = msproject.parse(data, "plan.xlsx")
    tasks = parsed.tables["tasks"]
    assert tasks["outline_level"].tolist() == [1, 2, 2, 1]
    assert tasks["is_summary"].tolist() == [True, False, False, False]
    assert parsed.meta["outline_level_from"].startswith("the WBS code")
    assert any("read from the WBS code" in m for m in _messages(parsed, "info"))


def test_hierarchy_from_name_indentation():
    rows = _rows(["Phase", "   Design", "      Sketch", "   Build"], ["A", "B", "C", "D"])
    parsed = msproject.parse(xlsx({"Task_Table1": rows}), "plan.xlsx")
    tasks = parsed.tables["tasks"]
    assert tasks["outline_level"].tolist() == [1, 2, 3, 2]
    assert tasks["name"].tolist() == ["Phase", "Design", "Sketch", "Build"]
    assert tasks["is_summary"].tolist() == [True, True, False, False]
    assert "indentation" in parsed.meta["outline_level_from"]


def test_no_hierarchy_is_said():
    parsed = msproject.parse(xlsx({"Task_Table1": _rows(["A", "B"], ["X", "Y"])}), "plan.xlsx")
    assert any("every task counts as a leaf" in m for m in _messages(parsed, "info"))


def test_header_found_below_a_title_row():
    rows = [["Golden plan — exported 8 May 2018"], [], *_rows(["Design"], ["1"])]
    parsed = msproject.parse(xlsx({"Task_Table1": rows}), "plan.xlsx")
    assert parsed.tables["tasks"]["name"].tolist() == ["Design"]
    assert parsed.tables["tasks"]["row_number"].tolist() == [4]
    assert any("above the header row 3" in m for m in _messages(parsed, "info"))
