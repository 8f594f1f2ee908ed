"""Finance snapshots by period: an upload supersedes, per project, only the months it holds."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from loaders.ingest import ingest_bytes, replaced_months
from metrics.settings import Settings

HEADER = "project_id,period,cost_category,vendor,budget,actual,forecast,committed,currency\n"


def workbook(rows: list[tuple]) -> bytes:
    lines = [f"{p},{m},Labour,Internal,{b},{a},{a},,USD" for p, m, b, a in rows]
    return (HEADER + "\n".join(lines) + "\n").encode()


YEAR = [("P1", f"2026-{m:02d}-01", 100_000, 100_000 + m) for m in range(1, 13)] + [
    ("P2", f"2026-{m:02d}-01", 5_000, 5_000) for m in range(1, 13)
]


def actuals(store, as_of=None) -> dict:
    lines = store.snapshot("budget_lines", as_of)
    return {(r.project_id, pd.Timestamp(r.period).month): r.actual for r in lines.itertuples()}


def test_one_month_correction_keeps_the_other_months(store):
    first = ingest_bytes(store, workbook(YEAR), "fy.csv", as_of=dt.date(2026, 10, 31))
    assert first.status == "stored" and first.replaced == ()
    fix = ingest_bytes(store, workbook([("P1", "2026-03-01", 100_000, 90_000)]), "fix.csv", as_of=dt.date(2026, 11, 5))
    assert fix.status == "stored"
    held = actuals(store)
    assert len(held) == 24  # every month of both projects is still there
    assert held[("P1", 3)] == 90_000  # the corrected month
    assert held[("P1", 4)] == 100_004 and held[("P2", 3)] == 5_000  # untouched months
    assert fix.replaced == (f"P1 Mar 2026 (upload {first.upload_id})",)
    assert "It replaces P1 Mar 2026" in fix.message
    # before the correction's date the first workbook alone is read
    assert actuals(store, dt.date(2026, 11, 1))[("P1", 3)] == 100_003


def test_full_year_workbook_replaces_the_year_and_delete_restores(store):
    first = ingest_bytes(store, workbook(YEAR), "fy.csv", as_of=dt.date(2026, 10, 31))
    again = [(p, m, b, a + 1) for p, m, b, a in YEAR if p == "P1"]
    second = ingest_bytes(store, workbook(again), "fy2.csv", as_of=dt.date(2026, 11, 30))
    assert second.replaced == (f"P1 Jan–Dec 2026 (upload {first.upload_id})",)
    assert all(v == 100_001 + m for (p, m), v in actuals(store).items() if p == "P1")
    assert store.delete_upload(second.upload_id)
    assert actuals(store)[("P1", 1)] == 100_001  # the first workbook's months are back


def test_replaced_months_groups_runs_per_project():
    frame = pd.DataFrame(
        {
            "project_id": ["A", "A", "A", "A", "B"],
            "period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-05-01", "2025-12-01"]),
            "replaced_upload_id": [3, 3, 3, 3, 4],
        }
    )
    assert replaced_months(frame) == ["A Jan–Mar 2026, May 2026 (upload 3)", "B Dec 2025 (upload 4)"]


def test_a_file_without_any_date_is_refused_not_dated_today(store):
    plan = (
        b"ID,Unique_ID,Name,Outline_Level,Start_Date,Finish_Date,Baseline_Cost\n"
        b"1,1,Build,1,March 2 2026 8:00 AM,March 20 2026 5:00 PM,100\n"
    )
    report = ingest_bytes(store, plan, "plan.csv")
    assert report.status == "refused" and "--as-of" in report.message
    assert store.uploads().empty
    assert ingest_bytes(store, plan, "plan.csv", as_of=dt.date(2026, 3, 9)).status == "stored"


def test_settings_round_trip_and_ignore_unknown_or_bad_values(store):
    assert Settings.from_store({}) == Settings()
    custom = Settings(fy_start_month=4, underspend_floor=2_500.0, done_statuses=("Closed",))
    store.save_settings(custom.to_store() | {"some_future_key": 1})
    assert Settings.from_store(store.settings()) == custom
    assert Settings.from_store({"fy_start_month": "x", "budget_green": "0.02"}) == Settings(budget_green=0.02)
    assert Settings.from_store({"fy_start_month": 13}) == Settings()


def test_the_cli_reads_the_stored_fiscal_year_and_thresholds(store, capsys):
    import json

    from metrics.__main__ import main

    ingest_bytes(store, workbook(YEAR), "fy.csv", as_of=dt.date(2026, 10, 31))
    store.save_settings(Settings(fy_start_month=4).to_store())
    assert main(["budget", "--db", store.path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fiscal_year"]["start"] == "2026-04-01"
    assert main(["portfolio", "--db", store.path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fiscal_year_start_month"] == 4


def test_a_two_line_correction_keeps_the_year_to_date_budget(store):
    """The issue's case: a small upload for one project no longer replaces its whole history."""
    from metrics import budget

    ingest_bytes(store, workbook(YEAR), "fy.csv", as_of=dt.date(2026, 10, 31))
    before = {p["project_id"]: p for p in budget.report(store, as_of=dt.date(2026, 11, 30))["projects"]}
    fix = [("P1", "2026-09-01", 100_000, 100_009), ("P1", "2026-10-01", 100_000, 100_010)]
    ingest_bytes(store, workbook(fix), "fix.csv", as_of=dt.date(2026, 11, 5))
    after = {p["project_id"]: p for p in budget.report(store, as_of=dt.date(2026, 11, 30))["projects"]}
    assert after["P1"]["ytd_budget"] == before["P1"]["ytd_budget"] == 1_000_000  # Jan–Oct, not 200k
    assert after["P2"] == before["P2"]
