"""Finance loader: layouts, month grammar, amounts, totals, currencies, refusals, detection."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from finance_golden import long_workbook, wide_workbook
from openpyxl import Workbook

from loaders.base import Refused, Sample
from loaders.detect import detect
from loaders.finance import parse, parse_month, sniff
from loaders.finance.periods import month_without_year
from loaders.finance_template import CATEGORIES, template_bytes
from loaders.ingest import ingest_bytes


def _xlsx(rows, title="Sheet1", extra_sheets=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for name, more in (extra_sheets or {}).items():
        sheet = wb.create_sheet(name)
        for row in more:
            sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Jan-26", dt.date(2026, 1, 1)),
        ("Jan 2026", dt.date(2026, 1, 1)),
        ("January 2026", dt.date(2026, 1, 1)),
        ("Sept. 26", dt.date(2026, 9, 1)),
        ("2026-01", dt.date(2026, 1, 1)),
        ("2026/3", dt.date(2026, 3, 1)),
        ("2026-03-15", dt.date(2026, 3, 1)),
        ("2026-03-01 00:00:00", dt.date(2026, 3, 1)),
        ("03/2026", dt.date(2026, 3, 1)),
        ("202611", dt.date(2026, 11, 1)),
        ("2026 Dec", dt.date(2026, 12, 1)),
        ("Mär-26", dt.date(2026, 3, 1)),
        ("févr. 2026", dt.date(2026, 2, 1)),
        ("Dez 2026", dt.date(2026, 12, 1)),
        ("gennaio 2026", dt.date(2026, 1, 1)),  # every loader reads one month table (loaders.values.MONTHS)
        ("lis 2026", dt.date(2026, 11, 1)),
        ("Septemb. 2026", dt.date(2026, 9, 1)),  # the start of a month's name
        ("01/03/2026", dt.date(2026, 3, 1)),  # a period written as its first day (dd/mm)
        ("03/01/2026", dt.date(2026, 3, 1)),  # the same in mm/dd
        ("15/04/2026", dt.date(2026, 4, 1)),
        (dt.datetime(2026, 5, 1), dt.date(2026, 5, 1)),
        (dt.date(2026, 5, 17), dt.date(2026, 5, 1)),
        (46023.0, dt.date(2026, 1, 1)),  # Excel serial of 2026-01-01
        ("", None),
        (None, None),
    ],
)
def test_month_grammar(cell, expected):
    assert parse_month(cell) == expected


@pytest.mark.parametrize("cell", ["Total", "Q1 2026", "FY26", "05/06/2026", "2026-13", "Budget", "12", "Foo 26"])
def test_not_months(cell):
    with pytest.raises(ValueError):
        parse_month(cell)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Sept", 9),
        ("Augu", 8),
        ("gennaio", 1),
        ("Marketing", None),
        ("Junior", None),
        ("Decision", None),
        ("Novel", None),
    ],
)
def test_a_month_without_a_year_is_a_month_word_or_the_start_of_one(word, expected):
    """A header that only begins like a month (Marketing, Junior) is not read as a month column."""
    assert month_without_year(word) == expected


def test_demo_generator_layout_wide_sheet():
    """The layout the demo generator writes: Project ID | Cost Category | Vendor | Measure | Jan-26 ..."""
    data = _xlsx(
        [
            ["Project ID", "Cost Category", "Vendor", "Measure", "Jan-26", "Feb-26", "Mar-26"],
            ["PRJ-001", "Labour", "Acme", "Budget", 1000, 1000, 1000],
            ["PRJ-001", "Labour", "Acme", "Actual", 1100, 950, None],
            ["PRJ-001", "Labour", "Acme", "Forecast", None, None, 1050],
            ["PRJ-001", "Labour", "Acme", "Committed", 0, 200, 300],
        ],
        title="Finance",
    )
    assert sniff(Sample(data, "finance.xlsx"))
    parsed = parse(data, "finance.xlsx")
    lines = parsed.tables["budget_lines"]
    assert parsed.source == "finance" and "wide" in parsed.format and parsed.project_id is None
    assert lines["period"].tolist() == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert lines["budget"].tolist() == [1000, 1000, 1000]
    assert lines["actual"].tolist()[:2] == [1100, 950]
    assert lines["forecast"].tolist()[2] == 1050 and lines["committed"].tolist() == [0, 200, 300]
    assert parsed.as_of == dt.date(2026, 2, 28)
    assert parsed.meta["project_ids"] == ["PRJ-001"]


def test_demo_like_csv_is_detected_as_finance():
    data = b"Project ID,Cost Category,Vendor,Measure,Jan-26,Feb-26\nPRJ-001,Labour,Acme,Budget,1000,1000\n"
    assert detect(data, "finance.csv").SOURCE == "finance"


def test_golden_layouts_load_the_same_lines():
    keys = ["project_id", "period", "cost_category", "vendor"]
    wide = parse(wide_workbook(), "w.xlsx").tables["budget_lines"].sort_values(keys).reset_index(drop=True)
    long = parse(long_workbook(), "l.xlsx").tables["budget_lines"].sort_values(keys).reset_index(drop=True)
    columns = [*keys, "budget", "actual", "forecast", "committed", "currency"]
    assert wide[columns].equals(long[columns])
    assert len(wide) == 18


def test_amount_spellings_in_csv():
    data = (
        "project_id;period;cost_category;budget;actual;forecast;committed\n"
        'P1;2026-01;Labour;"1.234,50 €";(1,200);$1,100.00;EUR 12\n'
        "P1;2026-02;Labour;n/a;-;abc;\n"
    ).encode()
    parsed = parse(data, "f.csv")
    lines = parsed.tables["budget_lines"]
    assert lines["budget"].tolist()[0] == 1234.5
    assert lines["actual"].tolist()[0] == -1200
    assert lines["forecast"].tolist()[0] == 1100
    assert lines["committed"].tolist()[0] == 12
    assert lines["currency"].tolist() == ["EUR", "EUR"]  # seen in the amounts, filled for the project
    bad = [p for p in parsed.problems if p.column_name == "forecast"]
    assert len(bad) == 1 and bad[0].severity == "warning" and bad[0].row_number == 3 and bad[0].value == "abc"


def test_totals_rows_and_columns_are_excluded_as_info():
    data = _xlsx(
        [
            ["Project", "Category", "Supplier", "Type", "2026-01", "2026-02", "FY26 Total"],
            ["P1", "Labour", "Total Solutions Ltd", "Budget", 100, 100, 200],
            ["P1", "Subtotal", None, "Budget", 100, 100, 200],
            ["P1", "Labour", "Total", "Budget", 100, 100, 200],
            ["TOTAL", None, None, "Budget", 100, 100, 200],
            ["P1", "Labour", "Total Solutions Ltd", "Variance", 0, 0, 0],
        ]
    )
    parsed = parse(data, "f.xlsx")
    lines = parsed.tables["budget_lines"]
    assert lines["vendor"].unique().tolist() == ["Total Solutions Ltd"]  # a vendor, not a total
    assert lines["budget"].sum() == 200
    info = [p for p in parsed.problems if p.severity == "info"]
    assert sorted(p.row_number for p in info if "total row" in p.message) == [3, 4, 5]
    assert any(p.column_name == "FY26 Total" for p in info)
    assert any("computed by the app" in p.message for p in info)
    assert parsed.rows_rejected == 0


def test_labels_that_only_start_with_a_total_word_are_real_lines():
    data = _xlsx(
        [
            ["Project", "Category", "Supplier", "Type", "2026-01", "2026-02"],
            ["P1", "Labour", "Acme", "Budget", 100, 100],
            ["P1", "Total Rewards", "Acme", "Budget", 40, 40],  # a cost category, not a total
            ["TOTAL-ERP", "Labour", "Acme", "Budget", 70, 70],  # a project id, not a total
            ["Total P1", None, None, "Budget", 140, 140],  # "Total <project above>": a subtotal
            ["Grand Total", None, None, "Budget", 210, 210],
        ]
    )
    parsed = parse(data, "f.xlsx")
    lines = parsed.tables["budget_lines"]
    assert sorted(lines["project_id"].unique()) == ["P1", "TOTAL-ERP"]
    assert "Total Rewards" in set(lines["cost_category"])
    assert lines["budget"].sum() == 420
    excluded = [p for p in parsed.problems if "total row was excluded" in p.message]
    assert sorted((p.row_number, p.severity) for p in excluded) == [(5, "info"), (6, "info")]


def test_a_total_looking_label_that_sums_the_rows_above_is_excluded_with_a_warning():
    data = (
        b"project_id,period,cost_category,budget\n"
        b"P1,2026-01,Labour,100\nP1,2026-01,Cloud,50\nP1,2026-01,Totals Q1,150\nP1,2026-01,Total Rewards,20\n"
    )
    parsed = parse(data, "f.csv")
    lines = parsed.tables["budget_lines"]
    assert sorted(lines["cost_category"]) == ["Cloud", "Labour", "Total Rewards"]
    warn = [p for p in parsed.problems if p.severity == "warning" and "looks like a subtotal" in p.message]
    assert [p.row_number for p in warn] == [4]


def test_rows_without_project_or_with_a_bad_period_are_rejected():
    data = b"project_id,period,budget\nP1,2026-01,10\n,2026-02,10\nP1,someday,10\nP1,,5\n"
    parsed = parse(data, "f.csv")
    assert len(parsed.tables["budget_lines"]) == 1
    assert parsed.rows_rejected == 3
    errors = [(p.row_number, p.column_name) for p in parsed.problems if p.severity == "error"]
    assert errors == [(3, "project_id"), (4, "period"), (5, "period")]


def test_unknown_measure_is_rejected():
    data = b"project_id,measure,Jan-26,Feb-26\nP1,Budget,1,2\nP1,Wishes,3,4\n"
    parsed = parse(data, "f.csv")
    assert parsed.rows_rejected == 1
    assert parsed.tables["budget_lines"]["budget"].tolist() == [1, 2]


def test_one_measure_per_sheet():
    months = ["Project ID", "Cost Category", "Jan-26", "Feb-26"]
    data = _xlsx(
        [months, ["P1", "Labour", 100, 100]],
        title="Budget",
        extra_sheets={"Actuals": [months, ["P1", "Labour", 90, None]], "Notes": [["free text"]]},
    )
    lines = parse(data, "f.xlsx").tables["budget_lines"]
    assert lines["budget"].tolist() == [100, 100]
    assert lines["actual"].tolist()[0] == 90


def test_mixed_currencies_are_kept_and_reported():
    data = b"project_id,period,budget,currency\nP1,2026-01,10,EUR\nP1,2026-02,10,usd\nP2,2026-01,5,\n"
    parsed = parse(data, "f.csv")
    assert parsed.tables["budget_lines"]["currency"].tolist() == ["EUR", "USD", None]
    warning = [p for p in parsed.problems if p.column_name == "currency"]
    assert len(warning) == 1 and "never summed" in warning[0].message and "P1" in warning[0].message


def test_wide_without_measure_is_refused_with_guidance():
    data = b"project_id,cost_category,Jan-26,Feb-26\nP1,Labour,1,2\n"
    with pytest.raises(Refused, match="Measure"):
        parse(data, "f.csv")


def test_not_finance_files_are_not_claimed():
    register = b"project_id,name,program,budget\nP1,Portal,Digital,1000\n"
    assert not sniff(Sample(register, "register.csv"))
    assert not sniff(Sample(b"Summary,Issue key,Status\nx,A-1,Done\n", "jira.csv"))
    assert not sniff(Sample(_xlsx([["a", "b"], [1, 2]]), "x.xlsx"))


def test_template_roundtrip_and_example_row_skipped():
    data = template_bytes(dt.date(2026, 1, 1), months=24)
    assert sniff(Sample(data, "template.xlsx"))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Instructions", "Budget lines", "Lists"]
    ws = wb["Budget lines"]
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert ranges["C2:C2001"] == f"=Lists!$A$2:$A${len(CATEGORIES) + 1}"
    assert ranges["B2:B2001"] == "=Lists!$B$2:$B$25"
    assert wb["Lists"]["B25"].value == "2027-12"
    ws.append(["P9", "2026-02", "Cloud", "AWS", 500, 400, None, None, "EUR"])
    out = io.BytesIO()
    wb.save(out)
    parsed = parse(out.getvalue(), "template.xlsx")
    lines = parsed.tables["budget_lines"]
    assert lines["project_id"].tolist() == ["P9"]
    assert any("example row" in p.message for p in parsed.problems)


def test_ingest_stores_every_project_of_the_workbook(store):
    report = ingest_bytes(store, wide_workbook(), "finance.xlsx")
    assert report.status == "stored" and report.source == "finance" and report.as_of == dt.date(2026, 4, 30)
    lines = store.snapshot("budget_lines")
    assert sorted(lines["project_id"].unique()) == ["P1", "P2", "P3"]
    assert str(lines["period"].iloc[0])[:10] == "2026-01-01"
    assert report.rows_loaded == 18


def test_long_ledger_with_measure_and_amount_columns():
    data = (
        b"Project,Month,Category,Type,Amount,Currency\n"
        b"P1,2026-01,Labour,Budget,1000,EUR\nP1,2026-01,Labour,Actual,1100,EUR\n"
        b"P1,2026-01,Labour,Variance,-100,EUR\nP1,2026-02,Labour,Guess,5,EUR\n"
    )
    assert sniff(Sample(data, "ledger.csv"))
    parsed = parse(data, "ledger.csv")
    lines = parsed.tables["budget_lines"]
    assert lines["budget"].sum() == 1000 and lines["actual"].sum() == 1100
    assert parsed.rows_rejected == 1 and parsed.as_of == dt.date(2026, 1, 31)
    assert any(p.severity == "info" and "computed" in p.message for p in parsed.problems)


def test_a_text_row_shifted_by_a_delimiter_inside_a_cell_is_rejected_never_stored_shifted():
    """'Acme, Inc' unquoted moves row 3's amounts one column right: read as they stand, its budget
    would be empty and its actual the budget. The row is rejected with an error naming it; a row
    shorter than the header keeps its cells and is listed once; loaded + rejected = the rows."""
    data = (
        b"project_id,period,cost_category,vendor,budget,actual,currency\n"
        b"P1,2026-01-01,Software,Microsoft,100.00,90.00,USD\n"
        b"P1,2026-02-01,Software,Acme, Inc,200.00,210.00,USD\n"
        b"P1,2026-03-01,Software,Microsoft,300.00,310.00\n"
        b"P1,2026-04-01,Software,Microsoft,400.00,410.00,USD,\n"  # a trailing delimiter: nothing lost
    )
    parsed = parse(data, "ledger.csv")
    errors = [p for p in parsed.problems if p.severity == "error"]
    assert [(p.row_number, p.message.split(":")[0]) for p in errors] == [
        (3, "the row has 8 cells but the header names 7")
    ]
    assert parsed.rows_rejected == 1
    short = [p for p in parsed.problems if "fewer cells than the header" in p.message]
    assert len(short) == 1 and "(rows 4)" in short[0].message
    lines = parsed.tables["budget_lines"]
    assert sorted(lines.period.astype(str).str[:7].unique()) == ["2026-01", "2026-03", "2026-04"]
    assert lines.actual.sum() == 90 + 310 + 410 and lines.budget.sum() == 100 + 300 + 400

    # a trailing delimiter on the header names no column: a row one cell longer is still shifted
    trailing = (
        b"project_id,period,cost_category,budget,actual,\nP1,2026-02-01,Labour,1,000,500\nP1,2026-03-01,Labour,7,8\n"
    )
    parsed = parse(trailing, "ledger.csv")
    assert parsed.rows_rejected == 1 and not [p for p in parsed.problems if "fewer cells" in p.message]
    assert parsed.tables["budget_lines"].budget.tolist() == [7.0]
