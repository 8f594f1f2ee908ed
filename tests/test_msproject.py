"""MS Project loader: Selected Data CSV/xlsx, Excel template, MSPDI XML, and the real corpus."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from loaders import msproject
from loaders.base import Refused, Sample
from loaders.ingest import ingest_bytes

FENCE_CSV = """ID,Unique_ID,Name,Outline_Level,Summary,Start_Date,Finish_Date,Baseline_Start,Baseline_Finish,Baseline_Cost,Percent_Complete,Actual_Cost,Cost,Milestone
0,0,Fence project,0,Yes,"January 5, 2026 8:00 AM","January 8, 2026 5:00 PM","January 5, 2026 8:00 AM","January 8, 2026 5:00 PM","$4,000.00",62%,"$2,800.00","$4,000.00",No
1,1,Fence,1,Yes,1/5/26 8:00 AM,1/8/26 5:00 PM,1/5/26 8:00 AM,1/8/26 5:00 PM,"$4,000.00",62%,"$2,800.00","$4,000.00",No
2,2,Side 1,2,No,1/5/26 8:00 AM,1/5/26 5:00 PM,1/5/26 8:00 AM,1/5/26 5:00 PM,"$1,000.00",100%,"$1,000.00","$1,000.00",No
3,3,Side 2,2,No,1/6/26 8:00 AM,1/6/26 5:00 PM,1/6/26 8:00 AM,1/6/26 5:00 PM,"$1,000.00",100%,"$1,200.00","$1,000.00",No
4,4,Side 3,2,No,1/7/26 8:00 AM,1/7/26 5:00 PM,1/7/26 8:00 AM,1/7/26 5:00 PM,"$1,000.00",50%,$600.00,"$1,000.00",No
5,5,Side 4,2,No,1/8/26 8:00 AM,1/8/26 5:00 PM,1/8/26 8:00 AM,1/8/26 5:00 PM,"$1,000.00",0%,$0.00,"$1,000.00",No
6,6,Done,2,No,1/8/26 5:00 PM,1/8/26 5:00 PM,NA,NA,$0.00,0%,$0.00,$0.00,Yes
"""


def mspdi(tasks: str, header: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>fence.xml</Name><Title>Fence</Title>{header}
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Fence summary</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>
    {tasks}
  </Tasks>
</Project>""".encode()


FENCE_XML = mspdi(
    "".join(
        f"""<Task><UID>{i}</UID><ID>{i}</ID><Name>Side {i}</Name><WBS>{i}</WBS><OutlineLevel>1</OutlineLevel>
        <Summary>0</Summary><Milestone>0</Milestone>
        <Start>2026-01-0{4 + i}T08:00:00</Start><Finish>2026-01-0{4 + i}T17:00:00</Finish>
        <Duration>PT8H0M0S</Duration><PercentComplete>{pc}</PercentComplete><Cost>100000</Cost>
        <ActualCost>{ac}</ActualCost><FixedCostAccrual>3</FixedCostAccrual>
        <Baseline><Number>0</Number><Start>2026-01-0{4 + i}T08:00:00</Start><Finish>2026-01-0{4 + i}T17:00:00</Finish>
        <Duration>PT8H0M0S</Duration><Cost>100000</Cost></Baseline>
        <Baseline><Number>1</Number><Start>2026-01-0{5 + i}T08:00:00</Start><Finish>2026-01-0{5 + i}T17:00:00</Finish>
        <Cost>90000</Cost></Baseline></Task>"""
        for i, pc, ac in ((1, 100, 100000), (2, 100, 120000), (3, 50, 60000), (4, 0, 0))
    ),
    "<StatusDate>2026-01-07T17:00:00</StatusDate><MinutesPerDay>480</MinutesPerDay>"
    "<BaselineForEarnedValue>0</BaselineForEarnedValue><DefaultTaskEVMethod>0</DefaultTaskEVMethod>"
    "<CurrencySymbol>$</CurrencySymbol>",
)


def test_selected_data_csv_fence_plan():
    data = FENCE_CSV.encode()
    assert msproject.sniff(Sample(data, "fence.csv"))
    parsed = msproject.parse(data, "fence.csv")
    assert parsed.format == "MS Project Selected Data (csv)"
    assert parsed.project_name == "Fence project"
    tasks = parsed.tables["tasks"]
    assert list(tasks.name) == ["Fence", "Side 1", "Side 2", "Side 3", "Side 4", "Done"]
    leaf = tasks[~tasks.is_summary]
    assert leaf.baseline_cost.sum() == 4000.0
    assert leaf.actual_cost.sum() == 2800.0
    assert (leaf.percent_complete * leaf.baseline_cost / 100).sum() == 2500.0
    assert tasks.loc[tasks.name == "Side 2", "baseline_start"].iloc[0] == pd.Timestamp("2026-01-06 08:00")
    assert tasks.loc[tasks.name == "Side 2", "finish"].iloc[0] == pd.Timestamp("2026-01-06 17:00")
    done = tasks[tasks.name == "Done"].iloc[0]
    assert done.is_milestone and pd.isna(done.baseline_start)
    assert parsed.meta["date_orders"]["Start_Date"] == "MDY"
    assert not [p for p in parsed.problems if p.severity != "info"]
    assert parsed.as_of is None and parsed.project_id is None
    assert "project_id" not in tasks.columns


def test_mspdi_fence_plan_status_date_and_baselines():
    parsed = msproject.parse(FENCE_XML, "fence.xml")
    assert parsed.format == "MSPDI XML"
    assert parsed.as_of == pd.Timestamp("2026-01-07").date()
    assert parsed.project_name == "Fence"
    tasks = parsed.tables["tasks"]
    assert len(tasks) == 4
    assert tasks.baseline_cost.tolist() == [1000.0] * 4
    assert tasks.actual_cost.sum() == 2800.0
    assert tasks.percent_complete.tolist() == [100, 100, 50, 0]
    assert tasks.baseline_start.iloc[0] == pd.Timestamp("2026-01-05 08:00")
    assert tasks.baseline_duration_hours.iloc[0] == 8.0
    assert tasks.fixed_cost_accrual.iloc[0] == "prorated"
    assert tasks.earned_value_method.iloc[0] == "percent_complete"
    baselines = parsed.tables["task_baselines"]
    assert sorted(baselines.baseline_number.unique()) == [0, 1]
    assert baselines[baselines.baseline_number == 1].cost.sum() == 3600.0
    assert parsed.meta["baseline_for_earned_value"] == 0
    assert parsed.meta["status_date"] == "2026-01-07"


def test_mspdi_without_namespace_reads_like_the_namespaced_file():
    plain = FENCE_XML.replace(b' xmlns="http://schemas.microsoft.com/project"', b"")
    assert b"xmlns" not in plain
    assert msproject.sniff(Sample(plain, "fence.xml"))
    parsed = msproject.parse(plain, "fence.xml")
    expected = msproject.parse(FENCE_XML, "fence.xml")
    pd.testing.assert_frame_equal(parsed.tables["tasks"], expected.tables["tasks"])
    pd.testing.assert_frame_equal(parsed.tables["task_baselines"], expected.tables["task_baselines"])
    assert parsed.tables["tasks"].task_uid.tolist() == [1, 2, 3, 4]
    assert parsed.as_of == expected.as_of


def test_mspdi_saved_as_utf16_reads_like_utf8():
    utf16 = FENCE_XML.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert utf16[:2] == b"\xff\xfe"
    parsed = msproject.parse(utf16, "fence.xml")
    assert parsed.format == "MSPDI XML"
    pd.testing.assert_frame_equal(parsed.tables["tasks"], msproject.parse(FENCE_XML, "fence.xml").tables["tasks"])


def test_ingest_stores_both_fence_plans(store):
    for name, data in (("fence.csv", FENCE_CSV.encode()), ("fence.xml", FENCE_XML)):
        report = ingest_bytes(store, data, name, project_id="fence", as_of=pd.Timestamp("2026-01-07").date())
        assert report.status == "stored", report.message
        assert report.rows_loaded in (6, 4)
    stored = store.query(
        "SELECT file_name, sum(baseline_cost) bac, sum(actual_cost) ac FROM tasks t "
        "JOIN uploads u USING (upload_id) WHERE NOT is_summary GROUP BY 1 ORDER BY 1"
    )
    assert stored.bac.tolist() == [4000.0, 4000.0]
    assert stored.ac.tolist() == [2800.0, 2800.0]


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                ws.write_string(r, c, cell)
    wb.close()
    return buf.getvalue()


SELECTED_HEADER = [
    "ID",
    "Unique_ID",
    "Name",
    "Duration",
    "Start_Date",
    "Finish_Date",
    "Predecessors",
    "Outline_Level",
    "Resource_Names",
    "Percent_Complete",
    "Milestone",
    "Summary",
    "Baseline_Start",
    "Baseline_Finish",
    "Baseline_Cost",
    "Actual_Cost",
    "Cost",
    "BCWS",
    "BCWP",
    "ACWP",
]


def test_selected_data_xlsx_all_text_cells():
    rows = [
        SELECTED_HEADER,
        [
            "0",
            "0",
            "Portal v2",
            "20 days",
            "January 5, 2026 8:00 AM",
            "January 30, 2026 5:00 PM",
            "",
            "0",
            "",
            "30%",
            "No",
            "Yes",
            "January 5, 2026 8:00 AM",
            "January 30, 2026 5:00 PM",
            "$10,000.00",
            "$2,500.00",
            "$10,500.00",
            "$3,000.00",
            "$3,000.00",
            "$2,500.00",
        ],
        [
            "1",
            "11",
            "Design",
            "10 days",
            "January 5, 2026 8:00 AM",
            "January 16, 2026 5:00 PM",
            "",
            "1",
            "Ann",
            "45%",
            "No",
            "No",
            "January 5, 2026 8:00 AM",
            "January 16, 2026 5:00 PM",
            "$4,000.00",
            "$2,000.00",
            "$4,200.00",
            "$2,000.00",
            "$1,800.00",
            "$2,000.00",
        ],
        [
            "2",
            "12",
            "Build",
            "2 wks",
            "January 19, 2026 8:00 AM",
            "January 30, 2026 5:00 PM",
            "1FS+2d",
            "1",
            "Bob, Cy",
            "0%",
            "No",
            "No",
            "NA",
            "NA",
            "$6,000.00",
            "$500.00",
            "$6,300.00",
            "$0.00",
            "$0.00",
            "$500.00",
        ],
        [
            "3",
            "13",
            "Go-live",
            "0 days",
            "January 30, 2026 5:00 PM",
            "January 30, 2026 5:00 PM",
            "2",
            "1",
            "",
            "0%",
            "Yes",
            "No",
            "January 30, 2026 5:00 PM",
            "January 30, 2026 5:00 PM",
            "$0.00",
            "$0.00",
            "$0.00",
            "$0.00",
            "$0.00",
            "$0.00",
        ],
    ]
    data = _xlsx({"Task_Table1": rows})
    assert msproject.sniff(Sample(data, "p.xlsx"))
    parsed = msproject.parse(data, "p.xlsx")
    assert parsed.format == "MS Project Selected Data (xlsx)"
    assert parsed.project_name == "Portal v2"
    t = parsed.tables["tasks"].set_index("task_uid")
    assert list(t.index) == [11, 12, 13]
    assert t.loc[11, "percent_complete"] == 45.0
    assert t.loc[12, "duration_hours"] == 80.0
    assert t.loc[12, "predecessors"] == "1FS+2d"
    assert t.loc[12, "resource_names"] == "Bob, Cy"
    assert pd.isna(t.loc[12, "baseline_start"])
    assert t.loc[11, "bcwp"] == 1800.0 and t.loc[11, "acwp"] == 2000.0
    assert t.loc[13, "is_milestone"] and not t.loc[13, "is_summary"]
    assert t.baseline_cost.sum() == 10000.0
    assert not [p for p in parsed.problems if p.severity != "info"]


def test_unreadable_cells_become_problems_and_empty_fields():
    rows = [
        ["ID", "Name", "Start_Date", "Finish_Date", "Baseline_Cost", "Percent_Complete", "Duration"],
        ["1", "A", "January 5, 2026 8:00 AM", "someday", "$1,000.00", "40%", "3 days"],
        ["2", "B", "January 6, 2026 8:00 AM", "January 7, 2026 5:00 PM", "lots", "140%", "3 parsecs"],
    ]
    parsed = msproject.parse(_xlsx({"Task_Table1": rows}), "bad.xlsx")
    t = parsed.tables["tasks"]
    assert len(t) == 2
    assert pd.isna(t.finish.iloc[0]) and t.start.iloc[0] == pd.Timestamp("2026-01-05 08:00")
    assert (
        pd.isna(t.baseline_cost.iloc[1]) and pd.isna(t.percent_complete.iloc[1]) and pd.isna(t.duration_hours.iloc[1])
    )
    warnings = {(p.row_number, p.column_name, p.value) for p in parsed.problems if p.severity == "warning"}
    assert warnings == {
        (2, "Finish_Date", "someday"),
        (3, "Baseline_Cost", "lots"),
        (3, "Percent_Complete", "140%"),
        (3, "Duration", "3 parsecs"),
    }


def test_german_day_first_semicolon_csv_with_decimal_commas():
    text = (
        "Nr.;Einmalige Nr.;Name;Dauer;Anfang;Ende;Geplante Kosten;% Abgeschlossen;Gliederungsebene;Vorgänger\n"
        "1;10;Phase;20 Tage;Mo 03.02.2025 08:00;Fr 28.02.2025 17:00;1.234,50 €;50%;1;\n"
        "2;11;Task A;2 Wochen;Mo 03.02.2025 08:00;Fr 14.02.2025 17:00;1.000,25 €;100%;2;\n"
        "3;12;Task B;2,5 Tage;Mo 17.02.2025 08:00;Mi 19.02.2025 12:00;234,25 €;0%;2;11\n"
    )
    data = text.encode("cp1252")
    assert msproject.sniff(Sample(data, "plan.csv"))
    parsed = msproject.parse(data, "plan.csv")
    t = parsed.tables["tasks"]
    assert t.task_uid.tolist() == [10, 11, 12]
    assert t.start.tolist()[1] == pd.Timestamp("2025-02-03 08:00")
    assert t.finish.tolist()[2] == pd.Timestamp("2025-02-19 12:00")
    assert parsed.meta["date_orders"]["Anfang"] == "DMY"
    assert t.baseline_cost.tolist() == [1234.5, 1000.25, 234.25]
    assert t.duration_hours.tolist() == [160.0, 80.0, 20.0]
    assert t.is_summary.tolist() == [True, False, False]
    assert parsed.meta["delimiter"] == ";" and parsed.meta["encoding"] == "cp1252"
    assert not [p for p in parsed.problems if p.severity == "warning"]


def test_french_baseline_and_unique_id_names_and_ignored_columns_listed_once():
    text = (
        "N°;N° unique;Nom de la tâche;Début;Fin;Durée;Coût planifié;Début planifié;Fin planifiée;Priorité;Marge totale\n"
        "1;10;Conception;lun 15/01/24;ven 19/01/24;5 jours;1 100,00 €;lun 15/01/24;ven 19/01/24;500;0 jour\n"
        "2;17;Construction;lun 22/01/24;mar 06/02/24;12 jours;4 000,00 €;mar 23/01/24;mer 07/02/24;500;0 jour\n"
    )
    parsed = msproject.parse(text.encode(), "plan.csv")
    t = parsed.tables["tasks"]
    assert t.task_uid.tolist() == [10, 17]
    assert t.baseline_cost.tolist() == [1100.0, 4000.0]
    assert t.baseline_start.tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-23")]
    assert t.baseline_finish.tolist() == [pd.Timestamp("2024-01-19"), pd.Timestamp("2024-02-07")]
    ignored = [p for p in parsed.problems if "ignored" in p.message]
    assert len(ignored) == 1 and ignored[0].severity == "info"
    assert "Priorité, Marge totale" in ignored[0].message and "N° unique" not in ignored[0].message
    assert parsed.meta["columns_ignored"] == ["Priorité", "Marge totale"]


def test_french_scheduled_start_is_not_read_as_the_baseline():
    text = "N°;Nom;Début prévu;Fin prévue\n1;A;lun 15/01/24;ven 19/01/24\n"
    t = msproject.parse(text.encode(), "plan.csv").tables["tasks"]
    assert t.start.tolist() == [pd.Timestamp("2024-01-15")]
    assert t.baseline_start.isna().all()


def test_ambiguous_dates_follow_the_column_that_proves_the_order():
    text = "ID,Name,Start_Date,Finish_Date\n1,A,03/04/2025,13/04/2025\n2,B,05/04/2025,06/04/2025\n"
    parsed = msproject.parse(text.encode(), "a.csv")
    t = parsed.tables["tasks"]
    assert t.start.tolist() == [pd.Timestamp("2025-04-03"), pd.Timestamp("2025-04-05")]
    assert parsed.meta["date_orders"] == {"Start_Date": "DMY", "Finish_Date": "DMY"}
    assert any(p.column_name == "Start_Date" and "ambiguous" in p.message for p in parsed.problems)


def test_uk_weekday_dates_read_day_first():
    text = (
        "ID,Unique ID,Name,Start,Finish,Duration,Baseline Cost\n"
        "1,1,A,Thu 01/02/24,Fri 02/02/24,2 days,£100.00\n"
        "2,2,B,Mon 04/03/24,Tue 05/03/24,2 days,£100.00\n"
        "3,3,C,Mon 08/01/24,Fri 12/01/24,5 days,£100.00\n"
    )
    parsed = msproject.parse(text.encode(), "uk.csv")
    t = parsed.tables["tasks"]
    assert t.start.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-04"), pd.Timestamp("2024-01-08")]
    assert t.finish.tolist() == [pd.Timestamp("2024-02-02"), pd.Timestamp("2024-03-05"), pd.Timestamp("2024-01-12")]
    assert parsed.meta["date_orders"] == {"Start": "DMY", "Finish": "DMY"}
    assert not [p for p in parsed.problems if "ambiguous" in p.message]


def test_ambiguous_dates_without_weekdays_follow_the_durations():
    text = (
        "ID,Name,Start,Finish,Duration\n"
        "1,A,01/02/24,02/02/24,2 days\n"  # 1-2 Feb (Thu-Fri) = 2 working days; 2 Jan - 2 Feb = 24
        "2,B,05/03/24,08/03/24,4 days\n"
    )
    parsed = msproject.parse(text.encode(), "d.csv")
    t = parsed.tables["tasks"]
    assert t.start.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-05")]
    assert parsed.meta["date_orders"]["Start"] == "DMY"
    assert "Duration" in parsed.meta["date_order_reasons"]["Start"]
    assert not [p for p in parsed.problems if p.severity == "warning"]


@pytest.mark.parametrize(
    ("money", "order", "start"),
    [("£100.00", "DMY", "2024-04-03"), ("€100,00", "DMY", "2024-04-03"), ("100.00", "MDY", "2024-03-04")],
)
def test_undecidable_dates_warn_once_naming_the_columns_and_the_order(money, order, start):
    text = f"ID,Name,Start,Finish,Cost\n1,A,03/04/24,05/06/24,{money}\n2,B,04/04/24,06/06/24,{money}\n"
    parsed = msproject.parse(text.encode(), "u.csv")
    assert parsed.tables["tasks"].start.tolist()[0] == pd.Timestamp(start)
    assert parsed.meta["date_orders"] == {"Start": order, "Finish": order}
    warnings = [p for p in parsed.problems if "ambiguous" in p.message]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    message = warnings[0].message
    assert "Start, Finish" in message and ("day-first" if order == "DMY" else "month-first") in message
    assert "Date format" in message
    assert ("£" in message) == (money.startswith("£"))


def test_undecidable_dates_with_dollars_read_month_first_with_an_info_note():
    text = "ID,Name,Start,Finish,Cost\n1,A,03/04/24,05/06/24,$100.00\n"
    parsed = msproject.parse(text.encode(), "u.csv")
    assert parsed.tables["tasks"].start.tolist() == [pd.Timestamp("2024-03-04")]
    notes = [p for p in parsed.problems if "ambiguous" in p.message]
    assert notes and all(p.severity == "info" and "$" in p.message for p in notes)


def test_interleaved_assignment_rows_go_to_assignments():
    text = (
        "ID,Unique_ID,Name,Start_Date,Finish_Date,Work,Cost\n"
        "1,1,Design,1/5/2026,1/9/2026,40h,$400.00\n"
        ",,Ann,1/5/2026,1/9/2026,24h,$240.00\n"
        ",,Bob,1/5/2026,1/9/2026,16h,$160.00\n"
        "2,2,Build,1/12/2026,1/16/2026,40h,$400.00\n"
    )
    parsed = msproject.parse(text.encode(), "with_assignments.csv")
    assert parsed.tables["tasks"].name.tolist() == ["Design", "Build"]
    a = parsed.tables["assignments"]
    assert a.resource_name.tolist() == ["Ann", "Bob"]
    assert a.task_uid.tolist() == [1, 1]
    assert a.work_hours.tolist() == [24.0, 16.0]
    assert a.cost.tolist() == [240.0, 160.0]


def test_interleaved_assignment_rows_under_a_later_task_keep_their_task():
    text = (
        "ID,Unique_ID,Name,Start_Date,Finish_Date,Work\n"
        "1,1,Design,1/5/2026,1/9/2026,40h\n"
        ",,Ann,1/5/2026,1/9/2026,24h\n"
        ",,Bob,1/5/2026,1/9/2026,16h\n"
        "2,7,Build,1/12/2026,1/16/2026,40h\n"
        ",,Carol,1/12/2026,1/16/2026,40h\n"
        "3,9,Test,1/19/2026,1/23/2026,8h\n"
        ",,Dan,1/19/2026,1/23/2026,8h\n"
    )
    parsed = msproject.parse(text.encode(), "with_assignments.csv")
    a = parsed.tables["assignments"]
    assert a.resource_name.tolist() == ["Ann", "Bob", "Carol", "Dan"]
    assert a.task_uid.tolist() == [1, 1, 7, 9]
    assert a.task_name.tolist() == ["Design", "Design", "Build", "Test"]


def test_csv_without_baseline_columns_says_what_to_add():
    parsed = msproject.parse(
        b"ID,Name,Duration,Start_Date,Finish_Date,Predecessors,Resource_Names\n1,A,1 day,NA,NA,,\n", "x.csv"
    )
    notes = [p.message for p in parsed.problems if p.severity == "info"]
    assert any(
        all(c in m for c in ("Baseline Start", "Baseline Finish", "Baseline Cost", "% Complete", "Actual Cost"))
        for m in notes
    )


def test_mspdi_timephased_baseline_cost_and_predecessors():
    tasks = """
    <Task><UID>1</UID><ID>1</ID><Name>A</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
      <Baseline><Number>0</Number><Start>2026-01-05T08:00:00</Start><Finish>2026-01-06T17:00:00</Finish><Cost>6000</Cost></Baseline>
      <TimephasedData><Type>10</Type><UID>1</UID><Start>2026-01-05T08:00:00</Start><Finish>2026-01-06T08:00:00</Finish><Unit>2</Unit><Value>20</Value></TimephasedData>
      <TimephasedData><Type>10</Type><UID>1</UID><Start>2026-01-06T08:00:00</Start><Finish>2026-01-07T08:00:00</Finish><Unit>2</Unit><Value>40</Value></TimephasedData>
      <TimephasedData><Type>9</Type><UID>1</UID><Start>2026-01-05T08:00:00</Start><Finish>2026-01-06T08:00:00</Finish><Unit>2</Unit><Value>PT8H0M0S</Value></TimephasedData>
    </Task>
    <Task><UID>7</UID><ID>2</ID><Name>B</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>9600</LinkLag><LagFormat>7</LagFormat></PredecessorLink>
    </Task>
    <Task><UID>8</UID><ID>3</ID><IsNull>1</IsNull></Task>"""
    parsed = msproject.parse(mspdi(tasks), "tp.xml")
    t = parsed.tables["tasks"]
    assert t.name.tolist() == ["A", "B"]
    assert t.predecessors.tolist()[1] == "1FS+2d"
    tp = parsed.tables["timephased_baseline"]
    assert tp.cost.dropna().tolist() == [20.0, 40.0]
    assert tp.work_hours.dropna().tolist() == [8.0]
    assert parsed.meta["timephased_cost_scale"] == "currency units"
    assert any("IsNull" in p.message for p in parsed.problems)


def test_mspdi_refuses_entity_expansion_and_damaged_xml():
    evil = b"""<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Title>&x;</Title><Tasks>
<Task><UID>1</UID><ID>1</ID><Name>A&x;</Name></Task></Tasks></Project>"""
    parsed = msproject.parse(evil, "evil.xml")
    assert "root:" not in (parsed.project_name or "")
    assert "root:" not in str(parsed.tables["tasks"].name.iloc[0])
    with pytest.raises(Refused, match="damaged"):
        msproject.parse(FENCE_XML[:-40], "cut.xml")


def test_entity_bomb_is_refused_for_safety_not_as_damaged():
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    bomb = f"""<?xml version="1.0"?><!DOCTYPE Project [{entities}]>
<Project xmlns="http://schemas.microsoft.com/project"><Title>&i;</Title><Tasks>
<Task><UID>1</UID><ID>1</ID><Name>&i;</Name></Task></Tasks></Project>""".encode()
    assert msproject.sniff(Sample(bomb, "bomb.xml"))
    with pytest.raises(Refused) as err:
        msproject.parse(bomb, "bomb.xml")
    message = str(err.value)
    assert message.startswith("bomb.xml: ") and "DOCTYPE" in message and "safety" in message
    assert "damaged" not in message and "save the plan as XML from MS Project" in message


def test_mspdi_escaped_text_prefixed_namespace_and_notes():
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<p:Project xmlns:p="http://schemas.microsoft.com/project"><p:Title>R&amp;D &lt;core&gt;</p:Title><p:Tasks>
<p:Task><p:UID>1</p:UID><p:ID>1</p:ID><p:Name>Design &amp; build &#233;t&#233;</p:Name><p:Notes><![CDATA[a <b> note]]></p:Notes>
<p:Start>2026-01-05T08:00:00</p:Start><p:Baseline><p:Number>0</p:Number><p:Cost>12345</p:Cost></p:Baseline></p:Task>
</p:Tasks></p:Project>"""
    parsed = msproject.parse(xml, "prefixed.xml")
    t = parsed.tables["tasks"]
    assert parsed.project_name == "R&D <core>"
    assert t.name.tolist() == ["Design & build été"]
    assert t.notes.tolist() == ["a <b> note"]
    assert t.baseline_cost.tolist() == [123.45]
    assert t.start.tolist() == [pd.Timestamp("2026-01-05 08:00")]


@pytest.mark.parametrize(
    "head",
    [
        '<p:Project xmlns:p="http://schemas.microsoft.com/project"><p:SaveVersion>14</p:SaveVersion>',
        '<!-- saved by a tool -->\n<ms:Project\n  xmlns:ms="http://schemas.microsoft.com/project"\n  xmlns:xsi="x">',
        '<Project xmlns:xsi="x" xmlns="http://schemas.microsoft.com/project"><Name>a</Name>',
    ],
)
def test_mspdi_detected_by_root_local_name_and_namespace_with_any_prefix(head):
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'.encode()
    assert msproject.sniff(Sample(xml, "plan.xml"))


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><Project xmlns="urn:other-tool"><Tasks/></Project>',
        b'<?xml version="1.0"?><p:Plan xmlns:p="http://schemas.microsoft.com/project"><p:Project/></p:Plan>',
        b"<html><body><p>Project plan</p></body></html>",
    ],
)
def test_xml_whose_root_is_not_mspdi_project_is_not_claimed(xml):
    assert not msproject.sniff(Sample(xml, "other.xml"))


def test_summary_inferred_from_outline_number_without_level_or_summary_columns():
    text = (
        "Unique ID,Outline Number,Task Name,Start,Finish\n"
        "1,1,Phase,2026-01-05,2026-01-09\n"
        "2,1.1,Step A,2026-01-05,2026-01-06\n"
        "3,1.2,Step B,2026-01-07,2026-01-09\n"
        "4,2,Close,2026-01-12,2026-01-12\n"
    )
    parsed = msproject.parse(text.encode(), "outline.csv")
    t = parsed.tables["tasks"]
    assert t.outline_level.tolist() == [1, 2, 2, 1]
    assert t.is_summary.tolist() == [True, False, False, False]
    assert t.is_milestone.tolist() == [False] * 4
