"""Portfolio register loader (.csv and .xlsx) and the ingest CLI around it."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest
from builders import cli
from conftest import ROOT

from loaders.__main__ import main as loaders_main
from loaders.base import Refused
from loaders.detect import detect
from loaders.ingest import ingest_bytes
from loaders.register import parse, parse_budget

CSV = (
    "Project ID;Name;Program;Portfolio;Manager;Sponsor;Currency;Budget;Jira keys;Stage;Strategic theme\n"
    "CRM;CRM upgrade;Customer;Growth;Ana Ruiz;CFO;EUR;1.250.000,00 €;CRM;Execution;Retention\n"
    ";;;;;;;;;;\n"
    "PAY;Payments;Platform;Run;Bo Li;CTO;EUR;abc;PAY, PAYX;Planning;\n"
    ";No id;Platform;Run;;;;;;;\n"
    "CRM;Duplicate;Customer;Growth;;;;;;;\n"
).encode("cp1252")


def register_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(
        ["project_id", "name", "program", "portfolio", "manager", "sponsor", "currency", "budget", "jira_keys", "stage"]
    )
    ws.append(["ERP", "ERP rollout", "Operations", "Run", "Cy", "COO", "USD", 2500000, "ERP", "Execution"])
    ws.append([101, "Numeric id", "Operations", "Run", "Di", "COO", "USD", 1000.5, None, "Closing"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_register_with_aliases_locale_numbers_and_extra_columns():
    parsed = parse(CSV, "register.csv")
    projects = parsed.tables["projects"].set_index("project_id")
    assert list(projects.index) == ["CRM", "PAY"]
    assert projects.loc["CRM", "budget"] == 1_250_000
    assert json.loads(projects.loc["CRM", "extra"]) == {"Strategic theme": "Retention"}
    assert projects.loc["PAY", "jira_keys"] == "PAY, PAYX"
    messages = {(p.row_number, p.severity): p.message for p in parsed.problems}
    assert "not a number" in messages[(4, "warning")]
    assert "no project_id" in messages[(5, "error")]
    assert "already appears on row 2" in messages[(6, "error")]
    assert parsed.rows_rejected == 2


def test_xlsx_register_is_detected_and_numeric_ids_are_text():
    data = register_xlsx()
    assert detect(data, "anything.bin").SOURCE == "register"
    projects = parse(data, "register.xlsx").tables["projects"]
    assert list(projects.project_id) == ["ERP", "101"]
    assert list(projects.budget) == [2_500_000, 1000.5]


def test_a_file_without_project_rows_is_refused():
    with pytest.raises(Refused, match="no project rows"):
        parse(b"project_id,name,program\n", "empty.csv")


def test_unknown_format_is_refused_with_what_was_seen(store):
    report = ingest_bytes(store, b"foo,bar\n1,2\n", "mystery.csv")
    assert report.status == "refused"
    assert report.message.startswith("mystery.csv: the columns (foo, bar, ...) do not match")
    assert store.uploads().empty


def test_cli_stores_an_xlsx_register_then_says_it_is_already_stored(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(register_xlsx())
    db = tmp_path / "p.duckdb"
    args = ["ingest", path, "--db", db, "--as-of", "2026-11-01"]
    first, again = cli(loaders_main, *args), cli(loaders_main, *args)  # in-process; the next test runs the module
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.startswith("STORED") and "2 rows loaded" in first.stdout
    assert "already stored as upload 1" in again.stdout


def test_cli_refusal_exits_non_zero_without_traceback(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello world\n")
    missing = tmp_path / "missing.csv"
    db = tmp_path / "p.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "ingest", str(bad), str(missing), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("REFUSED  notes.txt:")
    assert lines[1].startswith("REFUSED  missing.csv: cannot be read")


def test_ingest_uses_given_date_else_upload_day(store):
    report = ingest_bytes(store, CSV, "register.csv", today=dt.date(2026, 3, 2))
    assert report.as_of == dt.date(2026, 3, 2)
    assert any("upload day" in p.message for p in report.problems)


def test_a_second_column_meaning_the_same_field_is_kept_as_extra_with_a_warning():
    parsed = parse(b"Project ID,Name,Program,Project,ID\nA1,Alpha,P,Legacy name,7\n", "register.csv")
    row = parsed.tables["projects"].iloc[0]
    assert row.project_id == "A1"
    assert json.loads(row.extra) == {"Project": "Legacy name", "ID": "7"}
    assert [p.column_name for p in parsed.problems] == ["Project"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("€ 2.5m", (2_500_000, "EUR")),
        ("750k", (750_000, None)),
        ("USD 1,200,000", (1_200_000, "USD")),
        ("2,5 Mio", (2_500_000, None)),
        (3000, (3000, None)),
        ("£1.2bn", (1_200_000_000, "GBP")),
    ],
)
def test_budget_cells_with_scale_suffixes_and_currency_symbols(cell, expected):
    assert parse_budget(cell) == expected


def test_currency_comes_from_the_budget_cell_or_header():
    parsed = parse(
        "Project ID,Project Name,Programme,Budget (USD)\nA,Alpha,P,1.2m\nB,Beta,P,€ 900k\n".encode(), "r.csv"
    )
    projects = parsed.tables["projects"].set_index("project_id")
    assert (projects.loc["A", "budget"], projects.loc["A", "currency"]) == (1_200_000, "USD")
    assert (projects.loc["B", "budget"], projects.loc["B", "currency"]) == (900_000, "EUR")
