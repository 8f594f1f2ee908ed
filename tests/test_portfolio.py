"""Portfolio health: declarative rules, milestone slip, roll-ups that sum before dividing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metrics.portfolio import RULES, Rule, judge, milestone_slip_days, project_health, totals


def test_every_fired_rule_says_why_with_its_numbers():
    status, reasons = judge({"cpi": 0.86, "spi": 0.93, "spi_t": 1.02, "data_age_days": 3})
    assert status == "red"
    assert reasons == [
        "CPI 0.86 is below the red threshold 0.90.",
        "SPI 0.93 is below the amber threshold 0.95.",
    ]


def test_green_when_every_rule_with_data_passes_and_unknown_without_data():
    assert judge({"cpi": 1.01, "spi": 0.99}) == ("green", [])
    status, reasons = judge({})
    assert status == "unknown" and reasons


@pytest.mark.parametrize(
    ("value", "expected"), [(0.96, "green"), (0.95, "green"), (0.949, "amber"), (0.90, "amber"), (0.899, "red")]
)
def test_index_thresholds_are_inclusive_on_the_good_side(value, expected):
    assert Rule("cpi", "CPI", 0.95, 0.90, "below").status(value) == expected


def test_budget_rule_reads_percent_and_units():
    rule = next(r for r in RULES if r.metric == "budget_overrun_pct")
    assert rule.status(12.5) == "red"
    assert rule.sentence(12.5, "red") == "Over budget (YTD) 12 % is above the red threshold 10 %."


def test_rounded_numbers_never_contradict_the_threshold():
    rule = next(r for r in RULES if r.metric == "budget_overrun_pct")
    assert rule.sentence(5.25, "amber") == "Over budget (YTD) 5.2 % is above the amber threshold 5 %."
    cpi = next(r for r in RULES if r.metric == "cpi")
    assert cpi.sentence(0.949, "amber") == "CPI 0.949 is below the amber threshold 0.95."


def test_underspend_is_amber_at_most_and_ignored_under_the_floor():
    from metrics.portfolio import rules
    from metrics.settings import Settings

    under = next(r for r in RULES if r.metric == "budget_underspend_pct")
    assert under.status(40) == "amber"
    strict = next(r for r in rules(Settings(underspend_max_status="red")) if r.metric == "budget_underspend_pct")
    assert strict.status(40) == "red"
    assert "budget_underspend_pct" not in {r.metric for r in rules(Settings(underspend_max_status="green"))}


def test_fresh_data_alone_never_makes_a_project_green():
    assert judge({"data_age_days": 3})[0] == "unknown"
    status, reasons = judge({"data_age_days": 40})
    assert status == "unknown" and "Newest data 40 days old" in reasons[-1]


def test_milestone_slip_counts_working_days_and_ignores_summaries():
    tasks = pd.DataFrame(
        {
            "is_milestone": [True, True, True, False],
            "is_summary": [False, False, True, False],
            "baseline_finish": pd.to_datetime(["2026-03-06", "2026-03-06", "2026-01-01", "2026-01-01"]),
            "finish": pd.to_datetime(["2026-03-13", "2026-03-05", "2026-12-31", "2026-12-31"]),
        }
    )
    assert milestone_slip_days(tasks) == 5  # Fri 6 Mar -> Fri 13 Mar
    assert milestone_slip_days(tasks.iloc[1:2]) == -1
    assert milestone_slip_days(tasks.iloc[2:]) is None


def test_totals_use_the_same_projects_on_both_sides_of_a_ratio():
    frame = pd.DataFrame(
        {
            "status": ["green", "green"],
            "currency": "EUR",
            "bac": [100.0, 1000.0],
            "pv": [100.0, 10.0],
            "ev": [100.0, 100.0],
            "ac": [100.0, None],
            "eac": [100.0, None],
        }
    )
    result = totals(frame)
    assert result["cpi"] == 1.0  # not (100 + 100) / 100
    assert (result["cpi_projects"], result["spi_projects"]) == (1, 2)
    assert (result["bac"], result["eac"]) == (100.0, 100.0)


def test_totals_never_add_money_across_currencies():
    frame = pd.DataFrame(
        {
            "status": "green",
            "currency": ["EUR", "EUR", "USD"],
            "bac": [1.0, 2.0, 50.0],
            "pv": 1.0,
            "ev": 1.0,
            "ac": 1.0,
            "eac": [1.0, 2.0, 50.0],
        }
    )
    result = totals(frame)
    assert (result["currency"], result["other_currencies"], result["bac"]) == ("EUR", ["USD"], 3.0)


def test_totals_sum_then_divide_never_average_indices():
    frame = pd.DataFrame(
        {
            "status": ["red", "green"],
            "bac": [100.0, 900.0],
            "pv": [50.0, 450.0],
            "ev": [25.0, 450.0],
            "ac": [50.0, 450.0],
            "eac": [200.0, 900.0],
        }
    )
    result = totals(frame)
    assert result["cpi"] == pytest.approx(475 / 500)  # not (0.5 + 1.0) / 2
    assert result["spi"] == pytest.approx(475 / 500)
    assert (result["red"], result["green"], result["amber"]) == (1, 1, 0)


def test_project_health_combines_sources_and_reports_data_age():
    projects = pd.DataFrame(
        {
            "project_id": ["A", "B", "C"],
            "name": ["Alpha", "Beta", "Gamma"],
            "program": "P",
            "portfolio": "X",
            "manager": "m",
        }
    )
    evm = pd.DataFrame({"project_id": ["A"], "spi": [0.93], "cpi": [1.0], "spi_t": [0.97]})
    budget = pd.DataFrame({"project_id": ["B"], "ytd_variance_pct": [-0.12], "ytd_variance": [-12_000.0]})
    slips = pd.DataFrame({"project_id": ["A"], "milestone_slip_days": [2.0]})
    snapshots = pd.DataFrame(
        {
            "project_id": ["A", "B"],
            "source": ["msproject", "finance"],
            "as_of": pd.to_datetime(["2026-03-27", "2026-01-31"]),
        }
    )
    frame = project_health(projects, evm, budget, slips, snapshots, dt.date(2026, 3, 31)).set_index("project_id")
    assert list(frame.index) == ["B", "A", "C"]  # worst first
    assert frame.loc["A", "status"] == "amber" and frame.loc["A", "data_age_days"] == 4
    assert frame.loc["B", "status"] == "red"
    assert frame.loc["B", "reasons"][0].startswith("Over budget (YTD) 12 %")
    assert "Newest data 59 days old" in " ".join(frame.loc["B", "reasons"])
    assert frame.loc["C", "status"] == "unknown"
    assert frame.loc["C", "reasons"][0] == (
        "Health unknown on or before the as-of date: no plan yet, no finance workbook yet."
    )
    under = project_health(
        projects,
        evm,
        budget.assign(ytd_variance_pct=0.2, ytd_variance=20_000.0),
        slips,
        snapshots,
        dt.date(2026, 3, 31),
    ).set_index("project_id")
    # underspend alone is never red by default (B is red for its 59-day-old data)
    assert "Under budget (YTD) 20 % is above the amber threshold 5 %." in under.loc["B", "reasons"]
    small = project_health(
        projects, evm, budget.assign(ytd_variance_pct=0.2, ytd_variance=900.0), slips, snapshots, dt.date(2026, 3, 31)
    ).set_index("project_id")
    assert not any("budget" in r for r in small.loc["B", "reasons"])  # under the absolute floor
    assert frame.loc["A", "plan_as_of"] == dt.date(2026, 3, 27)


def test_index_trend_uses_each_projects_latest_snapshot_on_or_before_each_date():
    from metrics.portfolio import index_trend

    histories = pd.DataFrame(
        {
            "project_id": ["A", "A", "B"],
            "snapshot_as_of": pd.to_datetime(["2026-01-02", "2026-01-16", "2026-01-09"]),
            "bac": 100.0,
            "pv": [10.0, 30.0, 20.0],
            "ev": [10.0, 20.0, 20.0],
            "ac": [10.0, 40.0, 10.0],
        }
    )
    trend = index_trend(histories, histories.snapshot_as_of.unique()).set_index(["snapshot_as_of", "index"])
    assert trend.loc[(pd.Timestamp("2026-01-02"), "CPI"), "value"] == 1.0
    assert trend.loc[(pd.Timestamp("2026-01-09"), "CPI"), "value"] == pytest.approx(30 / 20)  # A@01-02 + B@01-09
    assert trend.loc[(pd.Timestamp("2026-01-16"), "SPI"), "value"] == pytest.approx(40 / 50)  # A@01-16 + B@01-09
    assert trend.loc[(pd.Timestamp("2026-01-16"), "CPI"), "projects"] == 2


def test_every_source_mix_gives_every_column_and_every_project():
    """Only Jira, only finance, only a register: no KeyError, unknown where nothing judges."""
    empty = pd.DataFrame()
    snapshots = pd.DataFrame({"project_id": ["J"], "source": ["jira"], "as_of": pd.to_datetime(["2026-03-30"])})
    frame = project_health(
        pd.DataFrame({"project_id": ["R"], "name": ["Reg"]}), empty, empty, empty, snapshots, dt.date(2026, 3, 31)
    ).set_index("project_id")
    assert sorted(frame.index) == ["J", "R"]
    assert set(frame.status) == {"unknown"}
    assert "(a Jira export gives delivery metrics, not health)" in frame.loc["J", "reasons"][0]
    assert frame.loc["R", "sources"] == "register only"
    assert {"spi", "cpi", "budget_variance_pct", "plan_as_of"} <= set(frame.columns)
    assert totals(frame.reset_index())["unknown"] == 2


def test_plan_actual_cost_far_from_the_ledger_is_a_confidence_problem():
    from metrics.portfolio import reconcile
    from metrics.settings import Settings

    gap, notes = reconcile({"ac": 120.0, "ledger_actual": 100.0}, Settings())
    assert gap == pytest.approx(0.2) and "20 % gap" in notes[0]
    assert reconcile({"ac": 105.0, "ledger_actual": 100.0}, Settings()) == (pytest.approx(0.05), [])
    assert reconcile({"ac": None, "ledger_actual": 100.0}, Settings()) == (None, [])


def test_portfolio_trend_reads_every_plan_history_in_one_query_with_the_same_numbers(tmp_path, monkeypatch):
    """The trend equals the per-project computation the project page makes (evm_history of each
    project's history, with its time-phased baseline and file metas), and the points of all
    projects come from one read (here none is stored: written without ingest, they are computed)."""
    from metrics.evm import evm_history
    from metrics.portfolio import index_trend, portfolio_trend
    from store import Store

    store = Store(tmp_path / "t.duckdb")
    for pid, days, cost in (("A", (9, 16, 23), 100.0), ("B", (16, 30), 250.0)):
        for n, day in enumerate(days):
            frame = pd.DataFrame(
                {
                    "project_id": pid,
                    "task_uid": [1, 2],
                    "name": ["x", "y"],
                    "baseline_start": pd.Timestamp("2026-01-05 08:00"),
                    "baseline_finish": pd.Timestamp("2026-02-27 17:00"),
                    "baseline_cost": cost,
                    "percent_complete": 10.0 * (n + 1),
                    "actual_cost": cost * 0.12 * (n + 1),
                }
            )
            store.write_upload(
                source="msproject",
                fmt="test",
                file_name=f"{pid}{day}.xml",
                sha256=f"{pid}{day}",
                project_id=pid,
                as_of=dt.date(2026, 1, day),
                tables={"tasks": frame},
                problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
                rows_loaded=2,
                rows_rejected=0,
            )
    until = dt.date(2026, 1, 27)
    expected_parts = []
    for pid in ("A", "B"):
        h = evm_history(
            store.history("tasks", pid, until),
            store.history("timephased_baseline", pid, until),
            store.plan_meta(pid, until),
        )
        expected_parts.append(h.assign(project_id=pid)[["project_id", "snapshot_as_of", "bac", "pv", "ev", "ac"]])
    parts = pd.concat(expected_parts, ignore_index=True)
    parts["snapshot_as_of"] = pd.to_datetime(parts.snapshot_as_of)
    expected = index_trend(parts, parts.snapshot_as_of.unique())
    monkeypatch.setattr(Store, "history", lambda *a, **k: pytest.fail("one query for all projects, not one each"))
    got = portfolio_trend(store, until, ["A", "B", "NO-PLAN"])
    pd.testing.assert_frame_equal(got, expected)
    assert sorted(got.snapshot_as_of.dt.day.unique()) == [9, 16, 23]  # B's 30th is after the as-of date


def test_rows_kept_per_project_give_exactly_the_portfolio_frame_after_every_kind_of_change(
    demo_build, tmp_path, monkeypatch
):
    """``refreshed`` judges again only the projects whose row's reads changed (``row_versions``);
    after each change (a new snapshot, a new project, a later-dated upload, a project known only
    from a later upload, deletions, a register rename) the table it gives equals ``portfolio_frame``
    computed from scratch, index and dtypes included."""
    from builders import copy_db, write_rows

    from metrics import portfolio
    from metrics.settings import load as load_settings
    from store import Store

    store = Store(copy_db(demo_build.db, tmp_path / "demo.duckdb"))
    day = store.latest_as_of()
    settings = load_settings(store)
    judged = []
    real = portfolio.portfolio_rows
    monkeypatch.setattr(portfolio, "portfolio_rows", lambda s, d, c, ids=None: judged.append(ids) or real(s, d, c, ids))

    def check(kept, *expected_judged):
        judged.clear()
        kept = portfolio.refreshed(store, day, settings, portfolio.row_versions(store, day), kept)
        assert judged == list(expected_judged)
        full = portfolio.health_frame(real(store, day, settings), day)  # what portfolio_frame gives
        pd.testing.assert_frame_equal(portfolio.health_frame(kept.rows, day), full)
        assert portfolio.health_frame(kept.rows, day).attrs == full.attrs
        return kept

    kept = check(None, None)  # nothing kept: every project in one pass
    projects = sorted(kept.rows)
    first, second = projects[0], projects[1]
    plan = [{"task_uid": 1, "name": "Build", "is_milestone": False, "is_summary": False}]
    replaced = write_rows(store, "msproject", "tasks", plan, project_id=first, as_of=day, sha="replan")
    kept = check(kept, [first])
    write_rows(store, "jira", "issues", [{"issue_key": "NEW-1"}], project_id="NEW", as_of=day, sha="new")
    kept = check(kept, ["NEW"])
    later = day + dt.timedelta(days=30)
    late = write_rows(store, "msproject", "tasks", plan, project_id=second, as_of=later, sha="later")
    kept = check(kept)  # a later snapshot: nothing it reads at ``day`` changed
    write_rows(store, "jira", "issues", [{"issue_key": "LATE-1"}], project_id="LATE", as_of=later, sha="late")
    kept = check(kept, ["LATE"])  # a project known only from a later upload is listed (unknown health)
    store.delete_upload(late.upload_id)
    kept = check(kept)
    store.delete_upload(replaced.upload_id)
    kept = check(kept, [first])
    write_rows(store, "register", "projects", [{"name": "Renamed"}], project_id=second, as_of=day, sha="register")
    kept = check(kept, [second])
    assert portfolio.health_frame(kept.rows, day).set_index("project_id").loc[second, "name"] == "Renamed"
    assert check(kept).rows == kept.rows  # nothing changed: nothing judged again
    pd.testing.assert_frame_equal(
        portfolio.portfolio_frame(store, day, settings), portfolio.health_frame(kept.rows, day)
    )


def test_an_open_risk_at_the_escalation_threshold_turns_the_stored_project_amber(store):
    """The risk rule reads the stored registers: a plan on time is green until its register holds
    an open risk scored at the threshold (5 × 4 = 20); the row carries the score and the count;
    a closed one, or a threshold raised past it, leaves the project green."""
    from builders import write_rows

    from loaders.ingest import ingest_bytes
    from metrics.portfolio import portfolio_frame

    day = dt.date(2026, 11, 20)
    on_time = {"is_milestone": True, "is_summary": False, "baseline_finish": dt.date(2026, 12, 1)}
    plan = [{"task_uid": 1, "name": "Go-live", "finish": dt.date(2026, 12, 1), **on_time}]
    write_rows(store, "msproject", "tasks", plan, project_id="APOLLO", as_of=day, sha="plan")
    row = portfolio_frame(store, day).set_index("project_id").loc["APOLLO"]
    assert row.status == "green" and row.max_open_risk_score is None

    register = b"Risk ID,Title,Likelihood,Impact,Owner,Status\nR1,Vendor late,5,4,Ana,Open\nR2,Outage,5,5,Ben,Closed\n"
    assert ingest_bytes(store, register, "raid.csv", project_id="APOLLO", as_of=day).status == "stored"
    row = portfolio_frame(store, day).set_index("project_id").loc["APOLLO"]
    assert row.status == "amber"
    assert row.reasons == ["Highest open risk score 20 points is at or above the amber threshold 20 points."]
    assert (row.max_open_risk_score, row.open_risks_at_threshold) == (20.0, 1)

    assert ingest_bytes(store, register, "raid.csv", project_id="HERMES", as_of=day).status == "stored"
    alone = portfolio_frame(store, day).set_index("project_id").loc["HERMES"]  # a register, nothing to judge by
    assert alone.status == "unknown" and alone.reasons[1].startswith("Highest open risk score 20 points")

    store.save_settings({"risk_escalation_threshold": 21})
    assert portfolio_frame(store, day).set_index("project_id").loc["APOLLO", "status"] == "green"
