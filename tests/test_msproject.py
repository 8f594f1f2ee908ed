"""MS Project loader: Selected Data CSV/xlsx, Excel template, MSPDI XML, and the real corpus."""

from __future__ import annotations

import pandas as pd

from loaders import msproject
from loaders.base import Sample
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


def test_ingest_stores_both_fence_plans(store):
    for name, data in (("fence.csv", FENCE_CSV.encode()), ("fence.xml", FENCE_XML)):
        report = ingest_bytes(store, data, name, project_id="fence", as_of=pd.Timestamp("2026-01-07").date())
        assert report.status == "stored", report.message
        assert report.rows_loaded in (6, 4)
    stored = store.query("SELECT file_name, sum(baseline_cost) bac, sum(actual_cost) ac FROM tasks t "
                         "JOIN uploads u USING (upload_id) WHERE NOT is_summary GROUP BY 1 ORDER BY 1")  # fmt: skip
    assert stored.bac.tolist() == [4000.0, 4000.0]
    assert stored.ac.tolist() == [2800.0, 2800.0]
