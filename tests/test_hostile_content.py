"""Hostile content, built at test time (issue #14, the loaders' reading of what a file holds):
text encodings decided per file with evidence, CSV quirks loaded or reported row by row with
loaded + rejected (+ skipped) = rows in the file, non-finite and out-of-range numbers and dates
refused as problems naming row and column, negative costs and repeated ids warned, and malformed
rows costing linear time. With tests/test_hostile_parsing.py this is the hostile corpus."""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import pandas as pd
import pytest

from loaders import encoding
from loaders.base import Sample
from loaders.ingest import ingest_bytes, parse_in_process
from loaders.tabular import decode, read_delimited
from loaders.values import (
    MAX_DURATION_HOURS,
    date_window,
    parse_date,
    parse_date_column,
    parse_duration,
    parse_iso_duration,
    parse_number,
)
from store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from msproject_files import mspdi, task

JIRA_HEADER = "Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Custom field (Story Points)\n"
MSP_HEADER = "ID,Unique_ID,Name,Outline_Level,Summary,Start_Date,Finish_Date,Percent_Complete,Cost,Duration\n"
FINANCE_HEADER = "project_id;period;cost_category;budget;actual\n"
RISK_HEADER = "Risk ID,Risk title,Likelihood,Severity,Owner,Status,Due date\n"


def jira_row(n: int, summary: str | None = None, created: str = "01/Mar/26 9:00 AM", points: str = "3") -> str:
    summary = f"Story {n}" if summary is None else summary
    return f"{summary},ABC-{n},{10000 + n},Story,Done,{created},05/Mar/26 9:00 AM,05/Mar/26 9:00 AM,{points}\n"


def jira(rows: list[str]) -> bytes:
    return (JIRA_HEADER + "".join(rows)).encode()


def msp_row(
    n: int,
    *,
    uid: int | None = None,
    start="1/5/26 8:00 AM",
    finish="1/8/26 5:00 PM",
    pct="50%",
    cost="$100.00",
    duration="1 day",
    name: str | None = None,
) -> str:
    return f"{n},{n if uid is None else uid},{name or f'Task {n}'},1,No,{start},{finish},{pct},{cost},{duration}\n"


def msp(rows: list[str]) -> bytes:
    return (MSP_HEADER + "".join(rows)).encode()


def parse(data: bytes, name: str):
    return parse_in_process(data, name)


def problems_at(parsed, row=None, column=None, severity=None) -> list:
    return [
        p
        for p in parsed.problems
        if (row is None or p.row_number == row)
        and (column is None or p.column_name == column)
        and (severity is None or p.severity == severity)
    ]


def accounted(parsed, rows_in_file: int) -> bool:
    """loaded + rejected + skipped (blank rows, counted in an info problem) = rows in the file."""
    skipped = int(parsed.meta.get("blank_rows") or 0)
    return parsed.rows_loaded + parsed.rows_rejected + skipped == rows_in_file


# -- malformed rows: linear ----------------------------------------------------------------------


def malformed_jira(rows: int, fraction: float) -> bytes:
    bad = set(random.Random(1).sample(range(1, rows + 1), int(rows * fraction)))
    return jira([f"broken {n},ABC-{n}\n" if n in bad else jira_row(n) for n in range(1, rows + 1)])


def test_malformed_rows_are_each_reported_and_counted():
    """45 % malformed rows of 20,000: every bad row reported with its row number, and loaded +
    rejected = rows. (Their cost against a clean file, once quadratic, is measured in
    bench/bench_malformed.py.)"""
    parsed = parse(malformed_jira(20_000, 0.45), "big.csv")
    assert parsed.rows_loaded == 11_000 and parsed.rows_rejected == 9_000
    assert accounted(parsed, 20_000)
    assert all(p.row_number for p in parsed.problems if p.severity == "error")


def test_rejected_row_numbers_are_exact_with_many_rejects():
    rows = [f"broken {n},ABC-{n}\n" if n % 3 == 0 else jira_row(n) for n in range(1, 301)]
    parsed = parse(jira(rows), "j.csv")
    rejected = sorted(p.row_number for p in parsed.problems if p.severity == "error")
    assert rejected == [n + 1 for n in range(3, 301, 3)]  # header = row 1
    assert accounted(parsed, 300)


# -- encodings -----------------------------------------------------------------------------------


def test_utf8_file_with_one_bad_byte_stays_utf8_and_names_the_line():
    rows = [jira_row(n, "Café façade" if n % 3 == 0 else None) for n in range(1, 300)]
    data = jira(rows)
    at = data.index(b"Story 200,")
    data = data[:at] + b"Story \xe9200," + data[at + len(b"Story 200,") :]
    parsed = parse(data, "j.csv")
    summaries = parsed.tables["issues"].set_index("issue_key").summary
    assert summaries["ABC-3"] == "Café façade"  # no mojibake ("CafÃ©")
    assert summaries["ABC-200"] == "Story \ufffd200"
    (warning,) = [p for p in parsed.problems if "not; they were replaced" in p.message]
    assert warning.severity == "warning" and "line(s) 201" in warning.message
    assert parsed.rows_loaded == 299


def test_utf8_bad_byte_after_the_first_64_kib_is_not_read_as_cp1252():
    rows = [jira_row(n, "Zürich" if n % 2 else None) for n in range(1, 3000)]
    data = jira(rows) + jira_row(3000, "bad \x00").encode().replace(b"\x00", b"\x9d")
    parsed = parse(data, "j.csv")
    summaries = parsed.tables["issues"].set_index("issue_key").summary
    assert summaries["ABC-1"] == "Zürich" and summaries["ABC-3000"] == "bad \ufffd"
    assert any("3001" in p.message and p.severity == "warning" for p in parsed.problems)


@pytest.mark.parametrize(
    "name, make",
    [
        ("jira.csv", lambda: jira([jira_row(n, "Café" if n == 2 else None) for n in range(1, 5)])),
        ("plan.csv", lambda: msp([msp_row(n, name="Café" if n == 2 else None) for n in range(1, 5)])),
        ("f.csv", lambda: (FINANCE_HEADER + "P1;2026-01;Labour;10;5\nP1;2026-02;Café;10;5\n").encode()),
    ],
)
def test_cp1252_file_is_read_as_cp1252_with_a_note(name, make):
    data = make().decode().encode("cp1252")
    parsed = parse(data, name)
    notes = [p for p in parsed.problems if "Windows-1252" in p.message]
    assert len(notes) == 1 and notes[0].severity == "info" and "line 3" in notes[0].message
    text = parsed.tables[{"jira": "issues", "msproject": "tasks", "finance": "budget_lines"}[parsed.source]]
    assert "Café" in text.astype(str).to_string()
    assert "Ã" not in text.astype(str).to_string()


@pytest.mark.parametrize("name", ["plan.csv", "f.csv"])
def test_utf8_bad_byte_warning_for_every_delimited_loader(name):
    body = (
        msp([msp_row(1, name="Zoë"), msp_row(2, name="Bad\x01"), msp_row(3)])
        if name == "plan.csv"
        else (FINANCE_HEADER + "P1;2026-01;Zoë;10;5\nP1;2026-02;Bad\x01;10;5\n").encode()
    )
    data = body.replace(b"\x01", b"\xff")
    parsed = parse(data, name)
    (warning,) = [p for p in parsed.problems if "replaced" in p.message]
    assert warning.severity == "warning" and "line(s) 3" in warning.message
    assert "Zoë" in parsed.tables[{"msproject": "tasks", "finance": "budget_lines"}[parsed.source]].to_string()


def test_decide_prefers_utf8_when_valid_characters_outnumber_bad_bytes():
    data = "naïve café über".encode() + b" \xe9"
    decided = encoding.decide(data)
    assert decided.encoding == "utf-8" and decided.bad_bytes == 1 and decided.text.startswith("naïve")


def test_decide_reads_cp1252_when_bad_bytes_outnumber_utf8_characters():
    data = "é".encode() + "ñ à è ì ò ù".encode("cp1252")
    decided = encoding.decide(data)
    assert decided.encoding == "cp1252" and "more than" in decided.reason


def test_cp1252_unassigned_bytes_become_latin1_not_replacement_characters():
    decided = encoding.decide(b"a\x81b\x9dc")
    assert decided.encoding == "cp1252" and decided.text == "a\x81b\x9dc"


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_and_without_byte_order_mark(codec, bom):
    text = "Name,Start\nÉtape,2026-01-05\n"
    for data in (bom + text.encode(codec), text.encode(codec)):
        decided = encoding.decide(data)
        assert decided.text.lstrip("\ufeff") == text and decided.encoding.startswith("utf-16")


def test_a_utf16_csv_without_byte_order_mark_is_sniffed_and_loaded():
    data = msp([msp_row(1, name="Étape"), msp_row(2)]).decode().encode("utf-16-le")
    assert Sample(data, "plan.csv").csv_header[:2] == ["ID", "Unique_ID"]
    parsed = parse(data, "plan.csv")
    assert parsed.tables["tasks"].name.tolist() == ["Étape", "Task 2"]


def test_a_character_cut_at_the_end_of_a_64_kib_sample_is_not_an_error():
    data = ("x" * 65535 + "é").encode()[:65536]
    assert len(data) == 65536
    text, name = decode(data)
    assert name == "utf-8" and text == "x" * 65535


def test_utf8_bom_is_stripped():
    rows, name, _ = read_delimited(b"\xef\xbb\xbfa,b\n1,2\n")
    assert name == "utf-8-sig" and rows == [["a", "b"], ["1", "2"]]


# -- CSV quirks ----------------------------------------------------------------------------------


def test_bare_cr_inside_a_quoted_cell_is_loaded():
    rows = [jira_row(n, '"line one\rline two"' if n == 2 else None) for n in range(1, 5)]
    parsed = parse(jira(rows), "j.csv")
    assert parsed.rows_loaded == 4 and parsed.rows_rejected == 0
    assert parsed.tables["issues"].set_index("issue_key").summary["ABC-2"] == "line one\rline two"


def test_bare_cr_inside_a_quoted_cell_in_a_plan_csv():
    parsed = parse(msp([msp_row(1, name='"Fence\rposts"'), msp_row(2)]), "plan.csv")
    assert parsed.tables["tasks"].name.tolist() == ["Fence\rposts", "Task 2"]


@pytest.mark.parametrize(
    "name, make, table",
    [
        ("j.csv", lambda: jira([jira_row(n, "a\x00b" if n == 2 else None) for n in range(1, 4)]), "issues"),
        ("plan.csv", lambda: msp([msp_row(1), msp_row(2, name="a\x00b"), msp_row(3)]), "tasks"),
        (
            "f.csv",
            lambda: (FINANCE_HEADER + "P1;2026-01;La\x00bour;10;5\nP1;2026-02;Labour;10;5\n").encode(),
            "budget_lines",
        ),
    ],
)
def test_a_nul_byte_does_not_refuse_the_file(name, make, table):
    parsed = parse(make(), name)
    frame = parsed.tables[table]
    assert len(frame) == (3 if name != "f.csv" else 2) and parsed.rows_rejected == 0
    assert not frame.astype(str).apply(lambda c: c.str.contains("\x00")).any().any() or name == "j.csv"


def test_a_nul_byte_is_reported_with_its_line():
    parsed = parse(msp([msp_row(1), msp_row(2, name="a\x00b"), msp_row(3)]), "plan.csv")
    (warning,) = [p for p in parsed.problems if "NUL" in p.message]
    assert warning.severity == "warning" and warning.row_number == 3


@pytest.mark.parametrize("name", ["j.csv", "plan.csv", "f.csv"])
def test_a_cell_over_128_kib_is_loaded(name):
    long = "x" * 200_000
    data = {
        "j.csv": lambda: jira([jira_row(1), jira_row(2, f'"{long}"')]),
        "plan.csv": lambda: msp([msp_row(1), msp_row(2, name=long)]),
        "f.csv": lambda: (FINANCE_HEADER + f"P1;2026-01;{long};10;5\nP1;2026-02;Labour;10;5\n").encode(),
    }[name]()
    parsed = parse(data, name)
    assert parsed.rows_loaded == 2 and parsed.rows_rejected == 0
    assert long in parsed.tables[
        {"jira": "issues", "msproject": "tasks", "finance": "budget_lines"}[parsed.source]
    ].to_string(max_colwidth=None)


@pytest.mark.parametrize("stray", ['"Story 50 bad', 'Story 50 "bad', 'Story "50" x', '"Story 50" x'])
def test_a_stray_quote_loses_no_row(stray):
    """106 issues with a stray quote on one: all 106 loaded (loaded + rejected = 106), the repaired
    row named in a warning when the quote broke CSV quoting."""
    parsed = parse(jira([jira_row(n, stray if n == 50 else None) for n in range(1, 107)]), "j.csv")
    assert parsed.rows_loaded == 106 and parsed.rows_rejected == 0 and accounted(parsed, 106)
    assert parsed.tables["issues"].set_index("issue_key").summary["ABC-50"] == stray
    if stray.startswith('"'):
        (warning,) = problems_at(parsed, row=51, column="Summary", severity="warning")
        assert "stray quote" in warning.message


def test_an_unrepairable_row_is_rejected_alone():
    rows = [jira_row(n) for n in range(1, 11)]
    rows[4] = '"Story 5,ABC-5,only,three\n'
    parsed = parse(jira(rows), "j.csv")
    assert parsed.rows_rejected >= 1 and accounted(parsed, 10)
    assert parsed.rows_loaded == 10 - parsed.rows_rejected


def test_blank_rows_are_counted_as_skipped():
    parsed = parse(jira([jira_row(1), "\n", jira_row(2), ",,,,,,,,\n", jira_row(3)]), "j.csv")
    assert parsed.rows_loaded == 3 and parsed.meta["blank_rows"] == 2 and accounted(parsed, 5)


def test_rejected_rows_are_counted_in_the_stored_upload(tmp_path):
    data = jira([jira_row(n) if n % 10 else f"broken {n},ABC-{n}\n" for n in range(1, 101)])
    report = ingest_bytes(Store(tmp_path / "acc.duckdb"), data, "acc.csv", project_id="ABC")
    assert report.status == "stored" and report.rows_loaded + report.rows_rejected == 100
    assert report.rows_rejected == 10


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["1e400", "-1e400", "1E+400", float("inf"), float("-inf"), "1e16", 2e15])
def test_parse_number_refuses_non_finite_and_out_of_range(cell):
    with pytest.raises(ValueError, match=r"finite|out of range"):
        parse_number(cell)


def test_parse_number_keeps_large_plausible_amounts_and_scientific_notation():
    assert parse_number("1.5E+03") == 1500.0
    assert parse_number("999,999,999,999.99") == pytest.approx(999_999_999_999.99)


@pytest.mark.parametrize("cell", ["1e400 days", "1300 emo", "PT9000000H", "99999 wks"])
def test_durations_over_100_years_are_refused(cell):
    with pytest.raises(ValueError):
        parse_duration(cell) if not cell.startswith("PT") else parse_iso_duration(cell)
    assert MAX_DURATION_HOURS == 876_000


def test_plan_csv_refuses_1e400_250_percent_and_warns_negative_cost_and_duplicate_uid():
    data = msp([msp_row(1), msp_row(2, pct="250%", cost="1e400"), msp_row(3, cost="-500"), msp_row(4, uid=3)])
    parsed = parse(data, "plan.csv")
    tasks = parsed.tables["tasks"].set_index("task_id")
    assert pd.isna(tasks.cost[2]) and pd.isna(tasks.percent_complete[2])  # never 1400 (the exponent stripped)
    assert tasks.cost[3] == -500
    assert "finite" in problems_at(parsed, row=3, column="Cost")[0].message
    assert "between 0 and 100" in problems_at(parsed, row=3, column="Percent_Complete")[0].message
    assert "negative" in problems_at(parsed, row=4, column="Cost")[0].message
    (dup,) = problems_at(parsed, row=5, column="UID")
    assert "repeats Unique ID 3" in dup.message and "row 4" in dup.message
    assert parsed.rows_loaded == 4 and parsed.rows_rejected == 0


def test_mspdi_refuses_1e400_and_warns_negative_cost_and_duplicate_uid():
    xml = mspdi(
        [
            task(1, "A", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00", Cost=1),
            task(2, "B", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00", Cost=-5),
            task(2, "C", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00"),
        ]
    ).replace(b"<Cost>100</Cost>", b"<Cost>1e400</Cost>")
    parsed = parse(xml, "plan.xml")
    tasks = parsed.tables["tasks"]
    assert pd.isna(tasks.cost.iloc[0]) and tasks.cost.iloc[1] == -5
    assert "finite" in problems_at(parsed, row=1, column="Cost")[0].message
    assert "negative" in problems_at(parsed, row=2, column="Cost")[0].message
    assert "repeats Unique ID 2" in problems_at(parsed, row=3, column="UID")[0].message


@pytest.mark.parametrize("points", ["1e400", "99999999999999999999", "-3", "5000"])
def test_jira_story_points_out_of_range_are_refused(points):
    parsed = parse(jira([jira_row(1), jira_row(2, points=points)]), "j.csv")
    issues = parsed.tables["issues"].set_index("issue_key")
    assert pd.isna(issues.story_points["ABC-2"]) and issues.story_points["ABC-1"] == 3
    (problem,) = problems_at(parsed, row=3, column="Custom field (Story Points)")
    assert "0 to 1000" in problem.message


def test_jira_duplicate_issue_key_is_rejected_with_its_row():
    parsed = parse(jira([jira_row(1), jira_row(2), jira_row(1)]), "j.csv")
    (dup,) = problems_at(parsed, row=4, severity="error")
    assert "ABC-1 appears more than once" in dup.message
    assert parsed.rows_loaded == 2 and parsed.rows_rejected == 1 and accounted(parsed, 3)


def test_finance_1e400_is_refused_and_never_stored_as_infinity():
    data = (FINANCE_HEADER + "P1;2026-01;Labour;1e400;5\nP1;2026-02;Labour;10;5\n").encode()
    parsed = parse(data, "f.csv")
    lines = parsed.tables["budget_lines"]
    assert not lines[["budget", "actual"]].abs().eq(float("inf")).any().any()
    assert problems_at(parsed, row=2, column="budget")


def test_register_budget_1e400_refused_and_negative_budget_warned():
    data = (
        b"Project ID;Name;Program;Currency;Budget;Stage\nCRM;CRM upgrade;Customer;EUR;1e400;Execution\n"
        b"PAY;Payments;Platform;EUR;-5;Planning\n"
    )
    parsed = parse(data, "register.csv")
    projects = parsed.tables["projects"].set_index("project_id")
    assert pd.isna(projects.budget["CRM"]) and projects.budget["PAY"] == -5
    assert "finite" in problems_at(parsed, row=2, column="Budget")[0].message
    assert "negative" in problems_at(parsed, row=3, column="Budget")[0].message


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["0001-01-01", "9999-12-31", "01/01/0001", "1899-12-31", 1.0])
def test_parse_date_refuses_dates_outside_the_window(cell):
    with pytest.raises(ValueError, match="outside the plausible dates"):
        parse_date(cell)


def test_date_window_default_and_environment(monkeypatch):
    monkeypatch.delenv("PMO_DATE_WINDOW", raising=False)
    lo, hi = date_window(pd.Timestamp("2026-06-01"))
    assert lo == pd.Timestamp("1990-01-01") and hi.date() == pd.Timestamp("2036-06-01").date()
    monkeypatch.setenv("PMO_DATE_WINDOW", "1950..2100-06-30")
    lo, hi = date_window()
    assert lo == pd.Timestamp("1950-01-01") and hi.date() == pd.Timestamp("2100-06-30").date()
    assert parse_date("1960-05-01") == pd.Timestamp("1960-05-01")
    monkeypatch.setenv("PMO_DATE_WINDOW", "nonsense")
    assert date_window()[0] == pd.Timestamp("1990-01-01")


def test_parse_date_column_rejects_only_the_far_cells():
    column = parse_date_column(["0001-01-01", "2026-01-05", "2026-02-05", "9999-12-31"] * 20)
    assert sorted({k % 4 for k in column.errors}) == [0, 3]
    assert column.values[1] == pd.Timestamp("2026-01-05")


def test_plan_csv_far_dates_are_problems_on_their_cells():
    parsed = parse(msp([msp_row(1), msp_row(2, start="0001-01-01"), msp_row(3, finish="9999-12-31")]), "plan.csv")
    tasks = parsed.tables["tasks"].set_index("task_id")
    assert pd.isna(tasks.start[2]) and pd.isna(tasks.finish[3]) and parsed.rows_loaded == 3
    assert "outside the plausible dates" in problems_at(parsed, row=3, column="Start_Date")[0].message
    assert "outside the plausible dates" in problems_at(parsed, row=4, column="Finish_Date")[0].message


def test_mspdi_far_dates_are_problems_on_their_cells():
    xml = mspdi([task(1, "A", 1, Start="0001-01-01T08:00:00", Finish="2026-01-02T17:00:00")])
    parsed = parse(xml, "plan.xml")
    assert pd.isna(parsed.tables["tasks"].start.iloc[0])
    assert "1990-01-01" in problems_at(parsed, row=1, column="Start")[0].message


@pytest.mark.parametrize("created", ["0001-01-01", "9999-12-31 00:00", "01/01/0001 10:00"])
def test_jira_far_dates_are_problems_on_their_cells(created):
    parsed = parse(jira([jira_row(1), jira_row(2, created=created)]), "j.csv")
    issues = parsed.tables["issues"].set_index("issue_key")
    assert pd.isna(issues.created["ABC-2"]) and parsed.rows_loaded == 2
    assert "outside the plausible dates" in problems_at(parsed, row=3, column="Created")[0].message


def test_finance_period_0001_is_not_2001():
    data = (FINANCE_HEADER + "P1;0001-01;Labour;10;5\nP1;2026-02;Labour;10;5\n").encode()
    parsed = parse(data, "f.csv")
    lines = parsed.tables["budget_lines"]
    assert pd.to_datetime(lines.period).dt.year.tolist() == [2026]
    (problem,) = problems_at(parsed, row=2, column="period", severity="error")
    assert "outside the plausible dates" in problem.message
    assert parsed.rows_loaded + parsed.rows_rejected == 2


def test_risk_due_date_far_away_is_a_problem():
    data = RISK_HEADER + "0001,Vendor late,High,High,Ana,Open,0001-01-01\n0002,Old,Low,Low,Ben,Closed,2026-01-01\n"
    parsed = parse(data.encode(), "risks.csv")
    risks = parsed.tables["risks"].set_index("risk_id")
    assert risks.due["0001"] is None or pd.isna(risks.due["0001"])
    assert problems_at(parsed, row=2, column="Due date")


def test_csv_module_field_limit_is_raised():
    assert csv.field_size_limit() >= 200 * 1024 * 1024
    list(csv.reader(io.StringIO("x" * 300_000)))


def test_plan_csv_ragged_and_blank_rows_are_reported_row_by_row():
    """MS Project CSV: loaded + skipped (blank) = rows in the file; a short or long row is named."""
    long = "4,4,Long,1,No,1/5/26 8:00 AM,1/8/26 5:00 PM,50%,$100.00,1 day,extra,more\n"
    trailing = "8,8,Trailing,1,No,1/5/26 8:00 AM,1/8/26 5:00 PM,50%,$100.00,1 day,,\n"
    data = msp([msp_row(1), "2,2,short\n", msp_row(3), long, ",,,,,,,,,\n", "\n", msp_row(7), trailing])
    parsed = parse(data, "plan.csv")
    assert parsed.rows_loaded == 6 and parsed.rows_rejected == 0
    assert "its last 7 cell(s) were left empty" in problems_at(parsed, row=3, severity="warning")[0].message
    assert "2 filled cell(s) after the last column were ignored" in problems_at(parsed, row=5)[0].message
    assert not problems_at(parsed, row=9)  # empty trailing cells lose nothing
    (skipped,) = [p for p in parsed.problems if "blank row(s)" in p.message]
    assert skipped.message.startswith("2 blank row(s)")
    assert parsed.rows_loaded + parsed.rows_rejected + 2 == 8


def _plan_with(bad: str) -> bytes:
    return msp([msp_row(n, name=bad if n == 3 else None) for n in range(1, 9)])


def _finance_with(bad: str) -> bytes:
    months = [f"P1;2026-{m:02d};{bad if m == 2 else 'Labour'};10;5\n" for m in range(1, 6)]
    return (FINANCE_HEADER + "".join(months)).encode()


def _register_with(bad: str) -> bytes:
    rows = [f"P{n};{bad if n == 2 else f'Project {n}'};X;EUR;5;Exec\n" for n in range(1, 6)]
    return ("Project ID;Name;Program;Currency;Budget;Stage\n" + "".join(rows)).encode()


def _risks_with(bad: str) -> bytes:
    rows = [f"{n},{bad if n == 2 else f'Risk {n}'},High,Low,Ana,Open,2026-01-01\n" for n in range(1, 6)]
    return (RISK_HEADER + "".join(rows)).encode()


@pytest.mark.parametrize(
    "name, make, table, total, line",
    [
        ("plan.csv", _plan_with, "tasks", 8, 4),
        ("f.csv", _finance_with, "budget_lines", 5, 3),
        ("register.csv", _register_with, "projects", 5, 3),
        ("risks.csv", _risks_with, "risks", 5, 3),
    ],
)
@pytest.mark.parametrize("bad", ['"Opened never closed', '"Closed" early'])
def test_a_stray_quote_loses_no_row_in_any_tabular_loader(name, make, table, total, line, bad):
    parsed = parse(make(bad), name)
    assert len(parsed.tables[table]) == total and parsed.rows_rejected == 0
    if bad.startswith('"Opened'):  # the quote was kept as text, the row loaded and named
        assert bad in parsed.tables[table].to_string()
        (warning,) = [p for p in parsed.problems if "stray quote" in p.message]
        assert warning.row_number == line and warning.severity == "warning"


def test_a_quote_never_closed_on_a_short_row_does_not_swallow_the_rest():
    rows = [msp_row(1), '2,2,"Broken\n', msp_row(3), msp_row(4), msp_row(5)]
    parsed = parse(msp(rows), "plan.csv")
    assert parsed.tables["tasks"].task_id.tolist() == [1, 2, 3, 4, 5]
    assert any("never closed" in p.message and p.row_number == 3 for p in parsed.problems)
    assert any("cells but the header has" in p.message and p.row_number == 3 for p in parsed.problems)


def test_a_multi_line_cell_is_not_mistaken_for_a_stray_quote():
    rows = [msp_row(1), msp_row(2, name='"Two\nlines"'), msp_row(3)]
    parsed = parse(msp(rows), "plan.csv")
    assert parsed.tables["tasks"].name.tolist() == ["Task 1", "Two\nlines", "Task 3"]
    assert not [p for p in parsed.problems if "quote" in p.message]


def test_mspdi_duration_over_100_years_is_refused():
    xml = mspdi([task(1, "A", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00", Duration="PT9000000H0M0S")])
    parsed = parse(xml, "plan.xml")
    assert pd.isna(parsed.tables["tasks"].duration_hours.iloc[0])
    assert "at most 100 years" in problems_at(parsed, row=1, column="Duration")[0].message


def test_finance_negative_costs_are_kept_and_warned_once_with_their_rows():
    data = (FINANCE_HEADER + "P1;2026-01;Labour;10;-5\nP1;2026-02;Labour;-10;5\nP1;2026-03;Labour;10;5\n").encode()
    parsed = parse(data, "f.csv")
    assert parsed.tables["budget_lines"]["actual"].min() == -5
    (warning,) = [p for p in parsed.problems if "negative" in p.message]
    assert warning.severity == "warning" and "rows 2, 3" in warning.message and warning.row_number == 2


def test_risk_register_accounts_for_every_row():
    data = (
        RISK_HEADER
        + "1,A,High,High,Ana,Open,2026-01-01\n,,,,,,\n2,B,Low,Low,Ben,Closed,\nTotal,,,,,,\n3,C,Low,Low,,Open,\n"
    )
    parsed = parse(data.encode(), "risks.csv")
    skipped = sum(parsed.meta["skipped"].values()) + parsed.meta["blank_rows"]
    assert parsed.rows_loaded == 3 and parsed.rows_loaded + parsed.rows_rejected + skipped == 5


def test_a_hostile_plan_is_stored_without_infinity_or_far_dates_and_its_problems_name_the_cells(tmp_path):
    """Through the whole upload path (pre-checks, sandboxed parse, store): nothing infinite or from the
    year 1 reaches the database, and each refused cell is a stored problem with its row and column."""
    store = Store(tmp_path / "hostile.duckdb")
    data = msp([msp_row(1), msp_row(2, cost="1e400", start="0001-01-01"), msp_row(3, pct="250%")])
    report = ingest_bytes(
        store, data, "hostile-plan.csv", project_id="HOSTILE", as_of=pd.Timestamp("2026-01-09").date()
    )
    assert report.status == "stored" and report.rows_loaded == 3
    tasks = store.query(
        "SELECT task_id, cost, start, percent_complete FROM tasks WHERE upload_id = ?", [report.upload_id]
    )
    assert not tasks.cost.abs().eq(float("inf")).any() and tasks.start.dropna().dt.year.min() >= 1990
    stored = store.problems(report.upload_id)
    cells = set(zip(stored.row_number, stored.column_name, strict=False))
    assert {(3, "Cost"), (3, "Start_Date"), (4, "Percent_Complete")} <= cells


def test_mspdi_far_status_date_is_not_the_as_of_date():
    xml = mspdi(
        [task(1, "A", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00")],
        StatusDate="9999-12-31T00:00:00",
        LastSaved="2026-01-05T10:00:00",
    )
    parsed = parse(xml, "plan.xml")
    assert parsed.as_of is None or str(parsed.as_of).startswith("2026-01-05")
    assert "outside the plausible dates" in problems_at(parsed, column="StatusDate")[0].message


def test_mspdi_far_or_infinite_time_phased_values_are_left_out_with_a_warning():
    from msproject_files import baseline, timephased

    phased = [
        timephased(10, 1, "2026-01-01T08:00:00", "2026-01-01T17:00:00", "5000"),
        timephased(10, 1, "0001-01-02T08:00:00", "0001-01-02T17:00:00", "5000"),
        timephased(10, 1, "2026-01-02T08:00:00", "2026-01-02T17:00:00", "1e400"),
    ]
    xml = mspdi(
        [
            task(
                1,
                "A",
                1,
                Start="2026-01-01T08:00:00",
                Finish="2026-01-02T17:00:00",
                baselines=[baseline(0, "2026-01-01T08:00:00", "2026-01-02T17:00:00", cost=100)],
                tp=phased,
            )
        ]
    )
    parsed = parse(xml, "plan.xml")
    tp = parsed.tables["timephased_baseline"]
    assert len(tp) == 1 and tp.start.iloc[0] == pd.Timestamp("2026-01-01 08:00")
    messages = [p.message for p in parsed.problems if p.column_name == "TimephasedData"]
    assert any("dated outside" in m for m in messages) and any("not finite" in m for m in messages)


def test_the_last_guard_empties_what_a_loader_let_through():
    """ingest.guard_values, the net under every loader: infinity, over 10^15 and far dates (datetime
    and date columns) are left empty with one warning per column naming the first row."""
    import datetime as dt

    from loaders.base import Parsed
    from loaders.ingest import guard_values

    frame = pd.DataFrame(
        {
            "row_number": [2, 3, 4],
            "cost": [1.0, float("inf"), 2e16],
            "start": pd.Series([pd.Timestamp("2026-01-01"), pd.NaT, pd.Timestamp("2200-01-01")]).astype(
                "datetime64[us]"
            ),
            "due": [dt.date(1, 1, 1), None, dt.date(2026, 1, 1)],
        }
    )
    parsed = Parsed("msproject", "test", {"tasks": frame})
    found = {(p.column_name, p.row_number) for p in guard_values(parsed)}
    assert found == {("cost", 3), ("start", 4), ("due", 2)}
    tasks = parsed.tables["tasks"]
    assert tasks.cost.tolist()[0] == 1.0 and tasks.cost.isna().tolist() == [False, True, True]
    assert tasks.start.isna().tolist() == [False, True, True] and tasks.due.tolist()[2] == dt.date(2026, 1, 1)


def test_a_utf16_mspdi_gets_no_text_file_warnings():
    xml = mspdi([task(1, "A", 1, Start="2026-01-01T08:00:00", Finish="2026-01-02T17:00:00")])
    parsed = parse(b"\xff\xfe" + xml.decode().encode("utf-16-le"), "plan.xml")
    assert parsed.rows_loaded == 1 and not [p for p in parsed.problems if p.severity == "warning"]


def test_a_repaired_quote_is_named_by_its_row_not_its_physical_line():
    rows = [
        jira_row(n, '"multi\nline\ncell"' if n == 2 else ('"Story 5 bad' if n == 5 else None)) for n in range(1, 11)
    ]
    parsed = parse(jira(rows), "j.csv")
    issues = parsed.tables["issues"].set_index("issue_key")
    (warning,) = [p for p in parsed.problems if "stray quote" in p.message]
    assert warning.row_number == issues.row_number["ABC-5"] == 6 and parsed.rows_loaded == 10
