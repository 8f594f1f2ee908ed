"""Every real finance file in the corpus (../shared/fixtures/finance) loads with its README totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from loaders.detect import detect
from loaders.finance import parse
from loaders.ingest import ingest_bytes


def _load(real_exports: Path, name: str, mapping: dict | None = None):
    data = (real_exports / "finance" / name).read_bytes()
    assert detect(data, name).SOURCE == "finance"
    return parse(data, name, mapping)


def _sums(parsed, by=None):
    lines = parsed.tables["budget_lines"]
    if by is None:
        return {m: round(float(lines[m].sum()), 2) for m in ("budget", "actual")}
    return {k: round(float(v), 2) for k, v in lines.groupby(by)["actual"].sum().items()}


def test_wide_budget_sheet_and_long_actual_sheet_with_income_apart(real_exports):
    parsed = _load(real_exports, "03_budget-wide-months_actual-long-transactions.xlsx")
    lines = parsed.tables["budget_lines"]
    assert _sums(parsed) == {"budget": 28044.0, "actual": 11618.0}
    assert parsed.meta["income"] == {"USD": {"budget": 47082.7, "actual": 18833.0}}
    assert set(lines["currency"]) == {"USD"}  # "Figures in USD"
    assert lines["period"].min() == dt.date(2022, 1, 1) and parsed.as_of == dt.date(2022, 5, 31)
    assert lines.loc[lines["actual"].notna(), "period"].max() == dt.date(2022, 5, 1)
    assert any("read as 2022" in p.message and p.severity == "info" for p in parsed.problems)
    assert sum("repeats" in p.message for p in parsed.problems) == 2  # the two dashboards


def test_long_month_category_file_needs_the_project_from_the_upload(real_exports):
    name = "05_long_month-category-budget-actual_bom_mon-yy.csv"
    parsed = _load(real_exports, name, {"project_id": "RETAIL"})
    assert _sums(parsed) == {"budget": 289800.0, "actual": 328900.0}
    income = parsed.meta["income"][""]
    assert income["budget"] + 289800 == 664800 and income["actual"] + 328900 == 714650
    lines = parsed.tables["budget_lines"]
    assert set(lines["project_id"]) == {"RETAIL"}
    assert sorted(lines["period"].unique()) == [dt.date(2025, m, 1) for m in (10, 11, 12)]
    fallback = _load(real_exports, name)
    assert any("from the file name" in p.message and p.severity == "warning" for p in fallback.problems)


def test_sap_cji3_line_items(real_exports):
    parsed = _load(real_exports, "m02_sap-cji3_de_xlsx_wbs-objekt_kostenart_wert-bwaehr.xlsx")
    lines = parsed.tables["budget_lines"]
    assert round(lines["actual"].sum(), 2) == 2450514.89
    assert lines["budget"].isna().all()  # not read: NULL, never 0
    assert lines["project_id"].nunique() == 16 and lines["cost_category"].nunique() == 6
    assert lines["vendor"].nunique() == 7
    assert set(lines["period"]) == {dt.date(2024, 1, 1), dt.date(2025, 1, 1)}  # fiscal year only
    assert any("whole fiscal year" in p.message for p in parsed.problems)


def test_capital_programme_register_by_fiscal_year(real_exports):
    parsed = _load(real_exports, "m04_pittsburgh_capital-projects_budget-register_status_fiscal-year.csv")
    lines = parsed.tables["budget_lines"]
    assert round(lines["budget"].sum(), 2) == 426419782.23
    by_year = lines.groupby(lines["period"].map(lambda d: d.year))["budget"].sum()
    assert [round(by_year[y] / 1e6, 1) for y in (2017, 2018, 2019, 2020)] == [63.6, 114.5, 136.0, 112.3]
    assert parsed.meta["statuses"] == {"Planned": 768, "Completed": 124, "In Progress": 94, "Canceled": 16}
    assert lines["project_id"].nunique() == 104  # 105 names, one of them blank (its 3 rows hold no amount)
    assert any("4 rows have no amount" in p.message for p in parsed.problems)


def test_french_fixed_price_tracker_in_days_times_day_rate(real_exports):
    parsed = _load(real_exports, "m07_fr_24eme_suivi-forfaits_days-budget-vs-consumed_decimal-comma.csv")
    lines = parsed.tables["budget_lines"]
    assert lines["project_id"].nunique() == 29
    assert parsed.meta["quantities"] == {"budget": 382.0, "actual": 241.5, "forecast": 215.0}
    assert _sums(parsed) == {"budget": 206110.0, "actual": 132955.0}


def test_it_budget_long_periodic(real_exports):
    parsed = _load(real_exports, "m10_it-spend_budget_long_mm-dd-yyyy_quoted-thousands.csv")
    lines = parsed.tables["budget_lines"]
    assert lines["budget"].sum() == 257865180
    assert sorted(lines["period"].unique()) == [dt.date(2020, m, 1) for m in range(1, 13)]
    assert lines["project_id"].nunique() == 36 and lines["cost_category"].nunique() == 24
    assert lines["actual"].isna().all() and parsed.rows_rejected == 0


def test_spend_ledger_keeps_currencies_apart(real_exports):
    parsed = _load(real_exports, "m12_uk-epsrc_spend-ledger_gbp-plus-4-currencies_one-row-per-posting.csv")
    assert _sums(parsed, "currency") == {
        "AUD": 3020.14,
        "EUR": 644454.6,
        "GBP": 225658469.54,
        "INR": 13224.63,
        "USD": 1724.64,
    }
    lines = parsed.tables["budget_lines"]
    assert lines["vendor"].nunique() == 244
    assert sorted({d.month for d in lines["period"]}) == [8, 9, 10]


def test_hierarchical_wbs_budget_sums_leaves_and_reports_the_headline(real_exports):
    parsed = _load(real_exports, "m13_es-cl_presupuesto-proyecto_wbs-codes_title-rows_contingencia.xlsx")
    lines = parsed.tables["budget_lines"]
    assert len(lines) <= 9 and lines["budget"].sum() == 100008
    assert any("3 WBS roll-up rows" in p.message for p in parsed.problems)
    headline = [p for p in parsed.problems if "own total" in p.message]
    assert len(headline) == 1 and headline[0].severity == "warning" and "30,000,000" in headline[0].message


def test_budget_only_and_actuals_only_files_give_the_variance_together(real_exports, store):
    folder = real_exports / "finance"
    for name in (
        "m24_wide-jan-jun_budget-only_department-category.csv",
        "m23_wide-jan-jun_actuals-only_department-category.csv",
    ):
        parsed = _load(real_exports, name, {"year": 2026})
        other = "actual" if "budget" in name else "budget"
        assert parsed.tables["budget_lines"][other].isna().all()
        report = ingest_bytes(store, (folder / name).read_bytes(), name, as_of=dt.date(2026, 6, 30))
        assert report.status == "stored", report.message
    lines = store.query("SELECT sum(budget) AS b, sum(actual) AS a, count(DISTINCT project_id) AS n FROM budget_lines")
    assert lines.b[0] == 3665000 and lines.a[0] == 3778200 and lines.n[0] == 4
    assert lines.a[0] - lines.b[0] == 113200


def test_other_kinds_of_files_in_the_corpus_are_not_claimed(real_exports):
    """Contract registers, capacity plans, headcount grids and risk registers carry money or months
    too; the finance sniffer leaves them to their own loaders."""
    from loaders.base import Sample
    from loaders.finance import sniff

    others = [
        p
        for kind in ("contracts", "resources", "risk", "jira", "msproject", "asana")
        for p in sorted((real_exports / kind).glob("*"))
        if p.is_file()
    ]
    assert len(others) > 20
    claimed = [p.name for p in others if sniff(Sample(p.read_bytes(), p.name))]
    assert claimed == []


def test_a_department_or_name_used_as_project_key_is_a_warning(real_exports):
    for name, column in (
        ("m23_wide-jan-jun_actuals-only_department-category.csv", "Department"),
        ("m04_pittsburgh_capital-projects_budget-register_status_fiscal-year.csv", "name"),
    ):
        parsed = _load(real_exports, name)
        notes = [p for p in parsed.problems if "used as the project key" in p.message]
        assert [(n.severity, n.column_name) for n in notes] == [("warning", column)]
        given = _load(real_exports, name, {"project_id": "P1", "year": 2026})
        assert not any("used as the project key" in p.message for p in given.problems)
        assert set(given.tables["budget_lines"]["project_id"]) == {"P1"}
