"""Finance loader grammar on synthetic files: headers, separators, numbers, periods, totals, mappings."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from loaders.__main__ import main as cli
from loaders.base import NeedsMapping
from loaders.finance import ledger_sql, parse
from loaders.finance.periods import parse_period


def _xlsx(rows, title="Sheet1", merges=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _lines(parsed):
    return parsed.tables["budget_lines"]


def test_title_rows_and_a_two_row_header_with_merged_months():
    data = _xlsx(
        [
            ["Budget review 2026", None, None, None, None],
            ["Prepared by: Finance", None, None, None, None],
            ["Project", "Jan-26", None, "Feb-26", None],
            [None, "Budget", "Actual", "Budget", "Actual"],
            ["P1", 100, 90, 100, 120],
            ["P2", 50, None, 50, 40],
        ],
        merges=["B3:C3", "D3:E3"],
    )
    lines = _lines(parse(data, "review.xlsx")).sort_values(["project_id", "period"])
    assert lines["budget"].tolist() == [100, 100, 50, 50]
    assert lines["actual"].tolist()[:2] == [90, 120] and lines["actual"].isna().tolist()[2]
    assert lines["period"].tolist()[:2] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


def test_a_project_merged_down_its_block_names_every_row():
    data = _xlsx(
        [["Project", "Category", "Month", "Actual"], ["P1", "Labour", "2026-01", 10], [None, "Cloud", "2026-01", 5]],
        merges=["A2:A3"],
    )
    lines = _lines(parse(data, "m.xlsx"))
    assert lines["project_id"].tolist() == ["P1", "P1"] and lines["actual"].sum() == 15


@pytest.mark.parametrize("sep", [";", "\t"])
def test_separators_decimal_commas_accounting_negatives_dashes_and_currency_cells(sep):
    rows = [
        ["Projekt", "Periode", "Kostenart", "Plan", "Ist", "Währung"],
        ["P1", "2026-01", "Personal", "1.234,50", "(1.000,25)", "EUR"],
        ["P1", "2026-02", "Personal", "€ 2.000,00", "-", ""],
    ]
    data = "\n".join(sep.join(r) for r in rows).encode("cp1252")
    lines = _lines(parse(data, "plan.csv")).sort_values("period")
    assert lines["budget"].tolist() == [1234.5, 2000.0]
    assert lines["actual"].tolist() == [-1000.25, 0.0]  # "-" is zero, not empty
    assert lines["currency"].tolist() == ["EUR", "EUR"]


def test_cp1252_headers_and_labels():
    data = "Projet;Période;Catégorie;Réel\nÉté;2026-03;Matériel;12,5\n".encode("cp1252")
    lines = _lines(parse(data, "suivi.csv"))
    assert lines["project_id"].tolist() == ["Été"] and lines["cost_category"].tolist() == ["Matériel"]
    assert lines["actual"].tolist() == [12.5]


@pytest.mark.parametrize(
    ("cell", "fy_start", "year", "expected", "grain"),
    [
        ("P01", 1, 2024, dt.date(2024, 1, 1), "month"),
        ("P03", 4, 2024, dt.date(2023, 6, 1), "month"),  # FY2024 from April 2023
        ("001/2024", 1, None, dt.date(2024, 1, 1), "month"),
        ("2024/012", 1, None, dt.date(2024, 12, 1), "month"),
        ("P14 2024", 1, None, dt.date(2024, 12, 1), "month"),  # SAP special period folds into 12
        ("FY24 Q1", 1, None, dt.date(2024, 1, 1), "quarter"),
        ("FY24 Q1", 10, None, dt.date(2023, 10, 1), "quarter"),
        ("Q3 2024", 1, None, dt.date(2024, 7, 1), "quarter"),
        ("FY2025", 4, None, dt.date(2024, 4, 1), "year"),
        ("Oct-25", 1, None, dt.date(2025, 10, 1), "month"),
    ],
)
def test_fiscal_periods(cell, fy_start, year, expected, grain):
    assert parse_period(cell, fy_start=fy_start, fiscal_year=year) == (expected, grain)


def test_a_bare_fiscal_period_takes_the_rows_fiscal_year_and_the_fiscal_year_setting():
    data = b"WBS Element,Fiscal Year,Period,Actual\nP-1,2024,P01,10\nP-1,2024,P12,5\nP-1,,P02,1\n"
    parsed = parse(data, "sap.csv", {"fy_start_month": 4})
    assert _lines(parsed)["period"].tolist() == [dt.date(2023, 4, 1), dt.date(2024, 3, 1)]
    errors = [p for p in parsed.problems if p.severity == "error"]
    assert [p.row_number for p in errors] == [4] and "no fiscal year" in errors[0].message


def test_sap_star_total_rows_are_excluded_and_cross_checked():
    data = _xlsx(
        [
            ["Project actual cost line items"],
            [],
            ["Objekt", "Kostenart", "Periode", "Wert/BWähr"],
            ["P-1", "400000", "001/2024", 100],
            ["P-1", "400000", "002/2024", 50],
            ["*", None, None, 150],
            ["P-2", "410000", "001/2024", 30],
            ["**", None, None, 999],
        ]
    )
    parsed = parse(data, "cji3.xlsx")
    assert _lines(parsed)["actual"].sum() == 180
    totals = [p for p in parsed.problems if "total row was excluded" in p.message]
    assert [(p.row_number, p.severity) for p in totals] == [(6, "info"), (8, "warning")]
    assert "999.00" in totals[1].message and "180.00" in totals[1].message


def test_totals_in_other_languages_and_an_income_section():
    data = _xlsx(
        [
            ["Concepto", "Enero 2026", "Febrero 2026"],
            ["Ingresos:", None, None],
            ["Ventas producto", 1000, 1000],
            ["Total ingresos", 1000, 1000],
            ["Gastos:", None, None],
            ["Personal", 400, 400],
            ["Alquiler", 100, 100],
            ["Subtotal", 500, 500],
            ["Ahorro", 500, 500],
        ],
        title="Presupuesto",
    )
    parsed = parse(data, "p.xlsx")
    lines = _lines(parsed)
    assert set(lines["cost_category"]) == {"Personal", "Alquiler"} and lines["budget"].sum() == 1000
    assert parsed.meta["income"][""]["budget"] == 2000
    assert sum("total row was excluded" in p.message and p.severity == "info" for p in parsed.problems) == 2
    assert any("Ahorro is computed" in p.message for p in parsed.problems)


def test_hierarchy_sums_leaves_only_and_reports_a_rollup_that_disagrees():
    data = _xlsx(
        [
            ["Code", "Task", "Resource", "Budget"],
            ["1", "Project", None, 350],
            ["1.1", "Design", None, 100],
            [None, None, "Anna", 60],
            [None, None, "Ben", 40],
            ["1.2", "Build", None, 200],
            ["1.2.1", "Code", None, 250],
        ]
    )
    parsed = parse(data, "wbs.xlsx", {"project_id": "P9"})
    assert _lines(parsed)["budget"].sum() == 350  # Anna + Ben + Code (the leaf 1.2.1)
    warnings = [p for p in parsed.problems if p.severity == "warning" and "roll-up" in p.message]
    assert [p.value for p in warnings] == ["1.2"]  # 200 against a leaf of 250; 1 (350) matches


def test_undecidable_grid_is_refused_naming_the_map_options():
    data = b"Team,Jan,Feb,Mar\nA,100,200,300\n"
    with pytest.raises(NeedsMapping) as caught:
        parse(data, "q1.csv")
    err = caught.value
    assert "--map measure=budget" in str(err) and "Team, Jan, Feb, Mar" in str(err) and "q1.csv" in str(err)
    assert err.columns == ["Team", "Jan", "Feb", "Mar"] and err.suggested == {"measure": "budget"}
    assert err.shape.startswith("finance:") and err.preview[0] == ["Team", "Jan", "Feb", "Mar"]
    lines = _lines(parse(data, "q1.csv", {"measure": "actual", "year": 2025, "project_id": "P1"}))
    assert lines["actual"].sum() == 600 and lines["period"].min() == dt.date(2025, 1, 1)


def test_a_mapping_names_the_columns_the_aliases_do_not_know():
    data = b"Kst,Monat,Betrag X\nK1,2026-01,10\nK1,2026-02,20\n"
    with pytest.raises(NeedsMapping, match="--map") as caught:
        parse(data, "x.csv")
    assert caught.value.suggested == {"period": "Monat"}  # what the aliases know, for the mapping form
    parsed = parse(data, "x.csv", {"project_id": "Kst", "period": "Monat", "budget": "Betrag X"})
    assert _lines(parsed)["budget"].tolist() == [10, 20] and _lines(parsed)["actual"].isna().all()
    with pytest.raises(NeedsMapping, match="no such column"):
        parse(data, "x.csv", {"budget": "Nope"})


def test_the_duckdb_ledger_path_gives_the_same_lines(monkeypatch):
    rows = ["Posting Date;WBS Element;Cost Element;Vendor;Amount;Currency"]
    for i in range(300):
        amount = ["1.234,50", "(10,00)", "-", "7"][i % 4]
        rows.append(
            f"2026-{i % 12 + 1:02d}-{i % 27 + 1:02d};P-{i % 3};CE{i % 5};V{i % 7};{amount};{'EUR' if i % 9 else 'USD'}"
        )
    rows.append("**;;;;999;")
    data = "\n".join(rows).encode()
    python = parse(data, "ledger.csv")
    monkeypatch.setattr(ledger_sql, "SQL_MIN_BYTES", 1)
    sql = parse(data, "ledger.csv")
    keys = ["project_id", "period", "cost_category", "vendor", "currency"]
    a = _lines(python).drop(columns="row_number").sort_values(keys).reset_index(drop=True)
    b = _lines(sql).drop(columns="row_number").sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b) > 100
    assert a[keys].equals(b[keys])
    assert (a["actual"] - b["actual"]).abs().max() < 1e-9 and b["budget"].isna().all()
    assert any("total rows were excluded" in p.message for p in sql.problems)


def test_cli_map_loads_and_the_saved_mapping_is_reused(tmp_path, capsys):
    db = tmp_path / "f.duckdb"
    first, second = tmp_path / "q1.csv", tmp_path / "q2.csv"
    first.write_bytes(b"Team,Jan-26,Feb-26\nA,1000,2000.5\n")
    second.write_bytes(b"Team,Jan-26,Feb-26\nA,5000,6000\n")
    assert cli(["ingest", str(first), "--db", str(db)]) == 1
    assert "--map" in capsys.readouterr().out
    assert cli(["ingest", str(first), "--db", str(db), "--map", "measure=actual", "--project", "P1"]) == 0
    assert cli(["ingest", str(second), "--db", str(db), "--project", "P1"]) == 0  # same shape: mapping reused
    out = capsys.readouterr().out
    assert out.count("STORED") == 2
    from store import Store

    lines = Store(db).query("SELECT sum(actual) AS a, count(DISTINCT project_id) AS n FROM budget_lines")
    assert lines.a[0] == 3000.5 + 11000 and lines.n[0] == 1
    with pytest.raises(SystemExit):
        cli(["ingest", str(first), "--db", str(db), "--map", "nonsense"])
    assert "is not ROLE=COLUMN" in capsys.readouterr().err


def test_an_unrecognised_table_is_refused_with_the_finance_mapping_hint(store):
    from loaders.ingest import ingest_bytes

    report = ingest_bytes(store, b"Kst,Monat,Betrag X\nK1,2026-01,10\n", "x.csv")
    assert report.status == "refused" and "--source finance --map ROLE=COLUMN" in report.message
    forced = ingest_bytes(store, b"Kst,Monat,Betrag X\nK1,2026-01,10\n", "x.csv", source="finance")
    assert forced.status == "refused" and "--map period=Monat --map actual=COLUMN" in forced.message


def test_a_mapped_file_gets_the_checks_every_parse_ends_with(store):
    """A finance file parsed with a mapping (``parse_mapped``) is checked as any other parse: a
    legacy Windows-1252 file is said to be one (``loaders.ingest.checked``)."""
    from loaders.finance.mapping import parse_mapped

    data = "Kst,Monat,Betrag X\nK1,2026-01,10\nCafé,2026-02,20\n".encode("cp1252")
    parsed = parse_mapped(store, data, "x.csv", {"project_id": "Kst", "period": "Monat", "budget": "Betrag X"})
    assert _lines(parsed)["budget"].tolist() == [10, 20]
    assert _lines(parsed)["project_id"].tolist() == ["K1", "Café"]
    assert any("read as Windows-1252" in p.message and p.severity == "info" for p in parsed.problems)
