"""Budget variance: the hand-computed golden workbook (long and wide give identical results),
fiscal years, thresholds, currencies, the EVM fallback and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from finance_golden import long_workbook, wide_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.ingest import ingest_bytes
from metrics import MetricsError
from metrics import budget as b

AS_OF = dt.date(2026, 4, 30)


def _load(store, data: bytes, name: str = "finance.xlsx"):
    result = ingest_bytes(store, data, name)
    assert result.status == "stored", result.message
    return result


def _by(rows: list[dict], key: str = "project_id") -> dict:
    return {r[key]: r for r in rows}


@pytest.fixture(params=["wide", "long"])
def golden(request, store):
    data = wide_workbook() if request.param == "wide" else long_workbook()
    _load(store, data)
    return store


def test_golden_projects_to_date_and_full_year(golden):
    report = b.report(golden)
    assert report["as_of"] == AS_OF  # the last month holding actuals, as the loader said
    projects = _by(report["projects"])
    p1, p2, p3 = projects["P1"], projects["P2"], projects["P3"]
    assert (p1["budget"], p1["actual"], p1["variance"]) == (5200, 5550, -350)
    assert p1["variance_pct"] == pytest.approx(-350 / 5200)
    assert p1["status"] == "amber"
    assert (p1["full_year_budget"], p1["full_year_forecast"]) == (7200, 7550)
    assert p1["forecast"] == 7550 and p1["committed"] == 500 and p1["currency"] == "EUR"
    assert (p2["budget"], p2["actual"], p2["variance"], p2["status"]) == (8000, 8000, 0, "green")
    assert (p2["full_year_budget"], p2["full_year_forecast"]) == (12000, 12000)
    assert (p3["budget"], p3["actual"], p3["variance"], p3["status"]) == (2000, 2500, -500, "red")
    assert p3["currency"] == "USD"
    # no forecast and no plan, but nothing budgeted after March either: the year ends at its actuals
    assert p3["full_year_forecast"] == 2500 and p3["forecast_source"] == "none"
    assert p1["ytd_budget"] == 5200 and p1["ytd_variance"] == -350  # fiscal year = calendar year


def test_golden_categories_and_vendors(golden):
    report = b.report(golden)
    cats = {(r["project_id"], r["cost_category"]): r for r in report["by_category"]}
    assert cats["P1", "Labour"]["variance"] == -200
    assert cats["P1", "Software"]["variance"] == -150
    assert cats["P2", "Cloud"]["actual"] == 8000
    vendors = {(r["vendor"], r["currency"]): r for r in report["by_vendor"]}
    assert (vendors["Acme", "EUR"]["actual"], vendors["Acme", "EUR"]["budget"]) == (4200, 4000)
    assert (vendors["Globex", "EUR"]["actual"], vendors["Globex", "EUR"]["budget"]) == (1350, 1200)
    assert vendors["(none)", "EUR"]["actual"] == 8000
    assert vendors["Initech", "USD"]["variance"] == -500


def test_long_and_wide_layouts_give_identical_reports(tmp_path):
    from store import Store

    reports = []
    for name, data in (("wide", wide_workbook()), ("long", long_workbook())):
        store = Store(tmp_path / f"{name}.duckdb")
        _load(store, data)
        reports.append(b.report(store))
    assert reports[0] == reports[1]


def test_totals_rows_do_not_change_the_numbers(tmp_path):
    from store import Store

    with_totals, without = Store(tmp_path / "a.duckdb"), Store(tmp_path / "b.duckdb")
    stored = _load(with_totals, wide_workbook(with_totals=True))
    _load(without, wide_workbook(with_totals=False))
    assert b.report(with_totals) == b.report(without)
    # every total row is excluded; the two whose sums disagree with the lines above them are warnings
    assert sum("total row was excluded" in p.message for p in stored.problems) == 5


def test_fiscal_year_starting_in_april(golden):
    report = b.report(golden, fy_start_month=4)
    assert report["fiscal_year"] == {"start": dt.date(2026, 4, 1), "end": dt.date(2027, 3, 31)}
    projects = _by(report["projects"])
    p1, p2, p3 = projects["P1"], projects["P2"], projects["P3"]
    assert (p1["ytd_budget"], p1["ytd_actual"], p1["ytd_variance"]) == (1600, 1550, 50)
    assert (p1["full_year_budget"], p1["full_year_forecast"]) == (3600, 3550)
    assert (p2["ytd_budget"], p2["ytd_actual"], p2["ytd_variance"]) == (2000, 2300, -300)
    assert (p2["full_year_budget"], p2["full_year_forecast"]) == (6000, 6300)
    assert p3["ytd_budget"] == 0 and p3["ytd_variance_pct"] is None  # no budget this year: undefined, not 0
    assert p1["budget"] == 5200  # "to date" does not depend on the fiscal year


def test_fiscal_year_window():
    assert b.fiscal_year(dt.date(2026, 3, 31), 4) == (dt.date(2025, 4, 1), dt.date(2026, 4, 1))
    assert b.fiscal_year(dt.date(2026, 4, 1), 4) == (dt.date(2026, 4, 1), dt.date(2027, 4, 1))
    assert b.fiscal_year(dt.date(2026, 1, 1)) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    with pytest.raises(ValueError):
        b.fiscal_year(dt.date(2026, 1, 1), 13)


def test_view_date_after_the_snapshot_does_not_count_unreported_months(golden):
    # Read on 20 May: the snapshot's actuals stop in April, so May's budget is not "to date".
    report = b.report(golden, as_of=dt.date(2026, 5, 20))
    assert _by(report["projects"])["P1"]["budget"] == 5200


def test_view_date_before_the_snapshot_sees_nothing(golden):
    with pytest.raises(MetricsError, match="no finance workbook"):
        b.report(golden, as_of=dt.date(2026, 3, 31))


def test_project_filter_and_unknown_project(golden):
    report = b.report(golden, project_id="P2")
    assert [p["project_id"] for p in report["projects"]] == ["P2"]
    with pytest.raises(MetricsError):
        b.report(golden, project_id="NOPE")


def test_unknown_projects_are_reported_against_the_register(store):
    register = b"project_id,name,program,currency\nP1,Portal,Digital,EUR\nP2,Cloud move,Infra,EUR\n"
    assert ingest_bytes(store, register, "register.csv").status == "stored"
    _load(store, wide_workbook())
    assert b.report(store)["unknown_projects"] == ["P3"]


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (0.0, "green"),
        (0.05, "green"),
        (-0.05, "green"),
        (0.0501, "amber"),
        (-0.1, "amber"),
        (-0.1001, "red"),
        (0.3, "amber"),
        (-0.3, "red"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_status_thresholds(pct, expected):
    assert b.status(pct) == expected  # an underspend (pct > 0) is at most amber by default


def test_underspend_is_at_most_amber_and_green_below_the_floor():
    # ESG-REPORTING on the demo: 18 % under budget by 7.9k USD is no alarm
    assert b.status(0.18, amount=7_900) == "green"
    assert b.status(0.18, amount=79_000) == "amber"
    assert b.status(-0.18, amount=-7_900) == "red"  # an overspend has no floor
    strict = b.Thresholds(underspend_max="red", underspend_floor=0)
    assert b.status(0.18, strict, amount=7_900) == "red"


def test_thresholds_are_configurable():
    assert b.status(0.07, b.Thresholds(green=0.08, amber=0.2)) == "green"
    assert b.status(-0.15, b.Thresholds(green=0.02, amber=0.1)) == "red"


def test_variance_pct_undefined_when_budget_is_zero():
    assert b.variance(0, 100) == -100
    assert b.variance_pct(0, 100) is None
    assert b.variance_pct(200, 150) == 0.25


def _lines(rows):
    return pd.DataFrame(
        rows, columns=["project_id", "period", "cost_category", "vendor", "budget", "actual", "forecast", "currency"]
    )


def test_mixed_currencies_are_never_summed():
    lines = _lines(
        [
            ("P1", dt.date(2026, 1, 1), "Labour", "A", 100, 90, None, "EUR"),
            ("P1", dt.date(2026, 1, 1), "Labour", "B", 1000, 1200, None, "USD"),
        ]
    )
    prepared = b.prepare(lines, dt.date(2026, 1, 31))
    summary = b.summarise(prepared, ["project_id"])
    assert sorted(zip(summary.currency, summary.actual)) == [("EUR", 90), ("USD", 1200)]
    notes = b.mixed_currency_notes(prepared)
    assert len(notes) == 1 and "never summed" in notes[0] and "EUR, USD" in notes[0]


def test_full_year_falls_back_to_the_evm_estimate():
    lines = _lines(
        [
            ("P1", dt.date(2026, 1, 1), "Labour", "A", 1000, 1200, None, "EUR"),
            ("P1", dt.date(2026, 2, 1), "Labour", "A", 1000, None, None, "EUR"),
            ("P1", dt.date(2026, 3, 1), "Labour", "A", 1000, None, None, "EUR"),
        ]
    )
    prepared = b.prepare(lines, dt.date(2026, 1, 31), eac_ratio={"P1": 1.25})  # CPI 0.8
    row = b.summarise(prepared, ["project_id"]).iloc[0]
    assert row.forecast_source == "evm"
    assert row.full_year_forecast == pytest.approx(1200 + 2000 * 1.25)
    no_evm = b.summarise(b.prepare(lines, dt.date(2026, 1, 31)), ["project_id"]).iloc[0]
    assert pd.isna(no_evm.full_year_forecast) and no_evm.forecast_source == "none"


def test_budgeted_months_the_finance_forecast_leaves_blank_are_never_zero():
    lines = _lines(
        [
            ("P1", dt.date(2026, 1, 1), "Labour", "A", 1000, 1000, None, "EUR"),
            ("P1", dt.date(2026, 2, 1), "Labour", "A", 1000, None, 1100, "EUR"),  # forecast given
            ("P1", dt.date(2026, 3, 1), "Labour", "A", 1000, None, None, "EUR"),  # budgeted, blank forecast
            ("P1", dt.date(2026, 4, 1), "Labour", "A", None, None, None, "EUR"),  # nothing at all: adds 0
        ]
    )
    as_of = dt.date(2026, 1, 31)
    unknown = b.summarise(b.prepare(lines, as_of), ["project_id"]).iloc[0]
    assert unknown.forecast_source == "finance"
    assert pd.isna(unknown.full_year_forecast) and pd.isna(unknown.forecast)  # was 1000 + 1100 + 0
    with_evm = b.prepare(lines, as_of, eac_ratio={"P1": 1.2})
    row = b.summarise(with_evm, ["project_id"]).iloc[0]
    assert row.full_year_forecast == pytest.approx(1000 + 1100 + 1000 * 1.2)
    notes = b.forecast_gap_notes(with_evm, {"P1": 1.2})
    assert len(notes) == 1 and "1 budgeted month(s)" in notes[0] and "1.20" in notes[0]
    assert "unknown" in b.forecast_gap_notes(b.prepare(lines, as_of))[0]


def test_budget_only_workbook_has_no_actual_and_no_status():
    lines = _lines(
        [
            ("P1", dt.date(2026, 1, 1), "Labour", "A", 1000, None, None, "EUR"),
            ("P1", dt.date(2026, 2, 1), "Labour", "A", 1000, None, None, "EUR"),
            ("P2", dt.date(2026, 1, 1), "Labour", "A", 500, 450, None, "EUR"),
            ("P2", dt.date(2026, 2, 1), "Labour", "A", 500, 500, None, "EUR"),
        ]
    )
    prepared = b.prepare(lines, dt.date(2026, 2, 28))
    rows = b.summarise(prepared, ["project_id"]).set_index("project_id")
    for column in ("actual", "variance", "variance_pct", "ytd_actual", "ytd_variance", "full_year_forecast"):
        assert pd.isna(rows.loc["P1", column]), column  # was actual 0, variance +100 %
    assert pd.isna(rows.loc["P1", "status"]) and pd.isna(rows.loc["P1", "ytd_status"])
    assert rows.loc["P1", "budget"] == 2000
    assert rows.loc["P2", "actual"] == 950 and rows.loc["P2", "variance"] == 50
    # a category mixing both projects: variance over the project that has actuals only
    cat = b.summarise(prepared, ["cost_category"]).iloc[0]
    assert cat["actual"] == 950 and cat["variance"] == 50 and cat["variance_pct"] == pytest.approx(0.05)
    assert any("P1" in n and "no actuals yet" in n for n in b.no_actuals_notes(prepared))
    head = b.headline(rows.reset_index())
    assert head["ytd_actual"] == 950 and head["ytd_variance"] == 50 and head["projects_without_actuals"] == 1


def test_monthly_cumulative_series(golden):
    lines, view = b.load(golden)
    prepared = b.prepare(b.filter_lines(lines, project_ids=["P1"]), view)
    monthly = b.monthly(prepared)
    assert monthly["cum_budget"].tolist() == [1600, 2600, 3600, 5200, 6200, 7200]
    assert monthly["cum_actual"].tolist()[:4] == [1700, 2700, 4000, 5550]
    assert monthly["cum_actual"].isna().tolist()[4:] == [True, True]
    assert monthly["cum_outlook"].tolist()[-1] == 7550


def test_top_overruns_lists_only_projects_over_budget(golden):
    lines, view = b.load(golden)
    summary = b.summarise(b.prepare(lines, view), ["project_id"])
    top = b.top_overruns(summary)
    assert top["project_id"].tolist() == ["P3", "P1"]  # most over budget first; P2 is on budget


def test_summary_of_no_lines_has_every_column(golden):
    """Filters that match no line (a project with a vendor it never used) give empty tables, not a KeyError."""
    prepared, _ = b.prepared_lines(golden, AS_OF)
    summary = b.summarise(prepared, ["project_id"])
    assert b.summarise(prepared.head(0), ["project_id"]).columns.tolist() == summary.columns.tolist()
    tables = b.page_tables(b.filter_lines(prepared, ["P1"], None, ["no such vendor"]), "EUR")
    assert all(frame.empty for frame in tables.values())


def test_top_vendors_groups_the_rest():
    vendors = pd.DataFrame(
        {
            "vendor": list("ABCDEF"),
            "ytd_actual": [5.0, None, 50.0, 10.0, 1.0, 2.0],
            "ytd_budget": [4.0, 7.0, None, 12.0, None, 3.0],
        }
    )
    top = b.top_vendors(vendors, n=3)
    assert top["vendor"].tolist() == ["C", "D", "A", "Other vendors (3)"]  # most spend first, unknown spend last
    other = top.iloc[-1]
    assert other["ytd_actual"] == 3.0 and other["ytd_budget"] == 10.0 and other["vendors"] == 3
    assert top["vendors"].tolist()[:3] == [1, 1, 1]
    assert b.top_vendors(vendors.tail(2), n=3)["vendor"].tolist() == ["F", "E"]  # nothing to group
    unknown = b.top_vendors(vendors.assign(ytd_budget=None), n=3)
    assert pd.isna(unknown.iloc[-1]["ytd_budget"])  # no known budget: unknown, not 0
    assert b.top_vendors(vendors.head(0)).empty


def test_over_budget_projects_are_labelled_by_name_or_id(golden):
    """The over-budget list is three columns wide: the project is shown by name, by id without one."""
    prepared, _ = b.prepared_lines(golden, AS_OF)
    eur = b.page_tables(prepared, "EUR", names={"P1": "Portal"})
    assert eur["over_projects"][["project_id", "project"]].values.tolist() == [["P1", "Portal"]]
    usd = b.page_tables(prepared, "USD", names={"P1": "Portal", "P3": ""})
    assert usd["over_projects"]["project"].tolist() == ["P3"]  # blank name: the id
    shown = b.display(eur["over_projects"], ["project", "ytd_variance", "ytd_variance_pct"])
    assert shown.columns.tolist() == ["Project", "YTD variance", "YTD variance %"]


amounts = st.one_of(st.none(), st.integers(-50_000, 500_000).map(float))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Labour", "Cloud", "Travel", None]), st.integers(1, 12), amounts, amounts, amounts),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_category_variances_sum_to_the_project_variance(rows, as_of_month, fy_start):
    lines = _lines([("P1", dt.date(2026, m, 1), c, "V", bud, act, fc, "EUR") for c, m, bud, act, fc in rows])
    as_of = dt.date(2026, as_of_month, 28)
    prepared = b.prepare(lines, as_of, fy_start)
    project = b.summarise(prepared, ["project_id"]).iloc[0]
    categories = b.summarise(prepared, ["project_id", "cost_category"])
    for column in ("variance", "ytd_variance", "full_year_budget", "committed"):
        if pd.isna(project[column]):  # no actuals yet: a category with lines in the window is unknown too
            assert (categories[column].isna() | (categories[column] == 0)).all()
        else:
            assert categories[column].sum() == pytest.approx(project[column], abs=1e-6)
    assert project["variance"] == pytest.approx(project["budget"] - project["actual"], nan_ok=True)
    if prepared["to_date"].any():  # no actual on any month to date: unknown, never 0
        assert pd.isna(project["actual"]) == prepared.loc[prepared["to_date"], "actual"].isna().all()


def test_cli_prints_the_budget_json(golden, capsys):
    from metrics.__main__ import main

    assert main(["budget", "--db", golden.path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-04-30"
    p1 = next(p for p in out["projects"] if p["project_id"] == "P1")
    expected = {
        "budget",
        "actual",
        "forecast",
        "variance",
        "variance_pct",
        "ytd_budget",
        "ytd_actual",
        "ytd_variance",
        "full_year_budget",
        "full_year_forecast",
        "status",
    }
    assert expected <= set(p1)
    assert p1["variance"] == -350 and p1["status"] == "amber"
    assert {"project_id", "cost_category", "budget", "actual", "variance"} <= set(out["by_category"][0])
    assert {"vendor", "actual", "budget"} <= set(out["by_vendor"][0])


def test_cli_without_finance_data_says_so(store, capsys):
    from metrics.__main__ import main

    store.schema_version()  # an empty database: a missing one is an error of its own (issue 14)
    assert main(["budget", "--db", store.path, "--json"]) == 1
    assert "no finance workbook" in capsys.readouterr().err


def _p9_plan(*, scheduled: bool) -> pd.DataFrame:
    """P9's one-task plan: baseline cost 4000 over March to June, 50 % complete, 2500 spent (CPI = 0.8);
    ``scheduled`` gives it its current start and finish too."""
    columns = {
        "task_uid": [1],
        "task_id": [1],
        "name": ["Work"],
        "outline_level": [1],
        "is_summary": [False],
        "is_milestone": [False],
        "baseline_start": [pd.Timestamp("2026-03-02 08:00")],
        "baseline_finish": [pd.Timestamp("2026-06-30 17:00")],
    }
    if scheduled:
        columns.update(start=[pd.Timestamp("2026-03-02 08:00")], finish=[pd.Timestamp("2026-06-30 17:00")])
    columns.update(baseline_cost=[4000.0], percent_complete=[50.0], actual_cost=[2500.0], project_id=["P9"])
    return pd.DataFrame(columns)


def _store_p9_plan(store, sha256: str, **tables: pd.DataFrame) -> None:
    store.write_upload(
        source="msproject",
        fmt="test",
        file_name="p9.xml",
        sha256=sha256,
        project_id="P9",
        as_of=dt.date(2026, 4, 30),
        tables=tables,
        problems=pd.DataFrame(),
        rows_loaded=1,
        rows_rejected=0,
    )


def test_report_uses_the_evm_estimate_when_finance_has_no_forecast(store):
    """P9's workbook has budget for May and June but no forecast; its plan says CPI = 0.8."""
    data = (
        b"project_id,period,cost_category,budget,actual,currency\n"
        b"P9,2026-03,Labour,1000,1250,EUR\nP9,2026-04,Labour,1000,1250,EUR\n"
        b"P9,2026-05,Labour,1000,,EUR\nP9,2026-06,Labour,1000,,EUR\n"
    )
    _load(store, data, "p9.csv")
    _store_p9_plan(store, "p9", tasks=_p9_plan(scheduled=True))
    ratios = b.eac_ratios(store, ["P9"], dt.date(2026, 4, 30))
    assert ratios == {"P9": pytest.approx(2500 / 2000)}  # EAC = BAC / CPI = 4000 / 0.8 = 5000; / BAC
    p9 = b.report(store)["projects"][0]
    assert p9["forecast_source"] == "evm"
    assert p9["full_year_forecast"] == pytest.approx(2500 + 2000 * 1.25)


def test_eac_ratio_uses_the_time_phased_baseline(store, monkeypatch):
    from metrics import evm_points

    phased = pd.DataFrame(
        {
            "project_id": ["P9", "P9"],
            "task_uid": [1, 1],
            "baseline_number": [0, 0],
            "start": pd.to_datetime(["2026-03-02", "2026-04-01"]),
            "finish": pd.to_datetime(["2026-04-01", "2026-07-01"]),
            "cost": [3000.0, 1000.0],
            "work_hours": [0.0, 0.0],
        }
    )
    _store_p9_plan(store, "p9tp", tasks=_p9_plan(scheduled=False), timephased_baseline=phased)
    seen = []
    real = evm_points.evm_at

    def spy(tasks, *args, timephased=None, **kwargs):
        seen.append(timephased)
        return real(tasks, *args, timephased=timephased, **kwargs)

    monkeypatch.setattr(evm_points, "evm_at", spy)
    ratios = b.eac_ratios(store, ["P9"], dt.date(2026, 4, 30))
    assert ratios == {"P9": pytest.approx(2500 / 2000)}
    assert seen and seen[0] is not None and sorted(seen[0]["cost"]) == [1000.0, 3000.0]
