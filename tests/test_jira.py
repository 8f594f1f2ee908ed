"""Jira loader: the real export corpus, one handwritten file per quirk, the store path and invariants."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from builders import cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import jira
from loaders.base import Refused, Sample
from loaders.detect import detect
from loaders.ingest import ingest_bytes
from loaders.jira.headers import header_fields

# --------------------------------------------------------------------------------------------------
# helpers

ALL_FIELDS = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Resolution",
    "Assignee",
    "Reporter",
    "Created",
    "Updated",
    "Resolved",
    "Labels",
    "Labels",
    "Original estimate",
    "Time Spent",
    "Sprint",
    "Sprint",
    "Sprint",
    "Custom field (Story Points)",
    "Custom field (Story point estimate)",
    "Parent",
    "Status Category",
]


def csv_bytes(header: list[str], rows: list[list[str]], *, newline="\n", encoding="utf-8", delimiter=",") -> bytes:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(c) for c in row) for row in [header, *rows]]
    return (newline.join(lines) + newline).encode(encoding)


def issue_row(
    n: int,
    *,
    status="To Do",
    category="To Do",
    sprints=(),
    points="",
    parent="",
    type_="Story",
    resolved="",
    created="02/Jan/26 9:15 AM",
    updated="05/Jan/26 4:30 PM",
    labels=("a",),
    estimate="",
) -> list[str]:
    sprint_cells = [*sprints, *[""] * (3 - len(sprints))]
    label_cells = [*labels, *[""] * (2 - len(labels))]
    return [
        f"Issue {n}",
        f"DEMO-{n}",
        str(1000 + n),
        type_,
        status,
        "DEMO",
        "Demo project",
        "Medium",
        "Done" if resolved else "",
        "ann",
        "bob",
        created,
        updated,
        resolved,
        *label_cells,
        estimate,
        "",
        *sprint_cells,
        points,
        "",
        parent,
        category,
    ]


def parse_rows(rows, header=ALL_FIELDS, **kwargs):
    return jira.parse(csv_bytes(header, rows, **kwargs), "Jira.csv")


def messages(parsed, severity=None) -> list[str]:
    return [p.message for p in parsed.problems if severity is None or p.severity == severity]


# --------------------------------------------------------------------------------------------------
# the real corpus: every file reproduces its README facts, or is refused as the README says

FIXTURE_FACTS = {
    # file prefix: (issues, story-point cells filled, story-point sum, issues in a sprint, memberships)
    "01_": (58, 14, 41.0, 7, 7),
    "02_": (106, 0, 0.0, 106, 106),
    "04_": (137, 0, 0.0, 74, 246),
    "06_": (324, 0, 0.0, 0, 0),
    "10_": (44, 0, 0.0, 0, 0),
    "12_": (219, 0, 0.0, 0, 0),
    "13_": (51, 17, 28.6, 36, 36),
}


def _fixture(real_exports: Path, prefix: str) -> Path:
    (path,) = [p for p in (real_exports / "jira").iterdir() if p.name.startswith(prefix)]
    return path


@pytest.mark.real_exports
@pytest.mark.parametrize("prefix", sorted(FIXTURE_FACTS))
def test_fixture_facts(real_exports, prefix, store):
    path = _fixture(real_exports, prefix)
    data = path.read_bytes()
    assert detect(data, path.name) is jira
    issues_n, sp_n, sp_sum, in_sprint, memberships = FIXTURE_FACTS[prefix]
    parsed = jira.parse(data, path.name)
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    assert len(issues) == issues_n
    assert issues.story_points.notna().sum() == sp_n
    assert issues.story_points.sum() == pytest.approx(sp_sum)
    assert (issues.sprint_count > 0).sum() == in_sprint
    assert len(sprints) == memberships
    assert parsed.rows_rejected == 0
    assert issues.issue_key.notna().all() and issues.issue_key.is_unique
    # and through the store (a file without any date must be given one: never the upload day)
    report = ingest_bytes(store, data, path.name, as_of=None if parsed.as_of else dt.date(2026, 1, 1))
    assert report.status == "stored", report.message
    assert report.rows_loaded == issues_n
    stored = store.snapshot("issues", project_ids=[report.project_id])
    assert len(stored) == issues_n
    assert store.snapshot("issue_sprints", project_ids=[report.project_id]).shape[0] == memberships


@pytest.mark.real_exports
def test_fixture_01_story_points_column_chosen_by_data(real_exports):
    parsed = jira.parse(_fixture(real_exports, "01_").read_bytes(), "01.csv")
    assert parsed.meta["story_points_column"] == ["Custom field (Story point estimate)"]
    assert parsed.format == "Jira CSV (all fields)"
    issues = parsed.tables["issues"]
    assert issues.status_category.value_counts().to_dict() == {"To Do": 37, "Done": 21}
    assert issues.resolved.notna().sum() == 21
    assert issues.team.eq("Calcs").sum() == 12
    assert parsed.project_id == "IMPS"
    assert parsed.as_of == issues.updated.max().date()


@pytest.mark.real_exports
def test_fixture_02_spanish(real_exports):
    parsed = jira.parse(_fixture(real_exports, "02_").read_bytes(), "02.csv")
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    assert parsed.meta["header_language"] == "es"
    assert sprints.sprint.value_counts().to_dict() == {"Sprint 1": 83, "Sprint 2": 12, "Sprint 3": 11}
    assert issues.status_category.value_counts().to_dict() == {"To Do": 93, "In Progress": 13}
    assert issues.created.notna().all()
    assert issues.created.min() >= pd.Timestamp("2025-01-01")
    assert issues.is_subtask.sum() == 70  # Subtarea
    assert issues.parent_key.notna().sum() == 105
    assert issues.labels.notna().any()
    assert any("story-point" in m for m in messages(parsed, "warning"))


@pytest.mark.real_exports
def test_fixture_04_carry_over_and_legacy_names(real_exports):
    parsed = jira.parse(_fixture(real_exports, "04_").read_bytes(), "04.csv")
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    assert parsed.meta["repeated_columns"]["sprint"] == 8
    # the last Sprint value is the latest sprint, positions are 1..n in file order
    multi = issues[issues.sprint_count > 1].iloc[0]
    mine = sprints[sprints.issue_key == multi.issue_key].sort_values("position")
    assert mine.position.tolist() == list(range(1, multi.sprint_count + 1))
    assert mine.sprint.iloc[-1] == multi.sprint
    assert issues.is_subtask.sum() == 93
    assert issues.components.notna().sum() > 0 and issues.fix_versions.notna().sum() > 0
    assert issues.sprint_count.sum() == 246


@pytest.mark.real_exports
def test_fixture_09_refused_and_nothing_stored(real_exports, store):
    path = _fixture(real_exports, "09_")
    with pytest.raises(Refused) as err:
        jira.parse(path.read_bytes(), path.name)
    text = str(err.value)
    assert path.name in text and "re-saved by Excel with ';' separators" in text
    assert "Export it again from Jira" in text
    report = ingest_bytes(store, path.read_bytes(), path.name)
    assert report.status == "refused"
    assert store.uploads().empty


@pytest.mark.real_exports
def test_fixture_10_excel_resave(real_exports):
    parsed = jira.parse(_fixture(real_exports, "10_").read_bytes(), "10.csv")
    issues = parsed.tables["issues"]
    assert parsed.meta["encoding"] == "cp1252"
    assert parsed.meta["date_format"] == "dd/mm/yyyy HH:MM"
    assert parsed.format.startswith("Jira CSV re-saved by Excel")
    assert issues.created.notna().all()
    assert parsed.as_of == dt.date(2023, 1, 11)
    assert parsed.project_id == "TAX"  # from the issue keys: the file has no Project key column


@pytest.mark.real_exports
def test_fixture_13_html_xls(real_exports):
    parsed = jira.parse(_fixture(real_exports, "13_").read_bytes(), "JIRA.xls")
    issues = parsed.tables["issues"]
    assert parsed.format == "Jira HTML .xls"
    assert parsed.meta["header_language"] == "de"
    assert parsed.project_name == "MuM's Fit"
    assert issues.created.notna().all() and issues.resolved.notna().sum() == 31
    assert issues.original_estimate_hours.iloc[0] == pytest.approx(0.5)  # 1800 s
    # Epic-Verknüpfung holds the epic's name: resolved to the epic's key through Epic-Name
    assert issues.epic_key.notna().sum() == 34
    assert set(issues.epic_key.dropna()) <= set(issues.issue_key)
    assert issues.resolution.isna().sum() == 20  # "Nicht erledigt" = unresolved


# --------------------------------------------------------------------------------------------------
# one handwritten file per quirk


def test_repeated_sprints_left_packed_last_is_latest(store):
    rows = [
        issue_row(1, sprints=("S1", "S2", "S3"), points="5.0"),
        issue_row(2, sprints=("S2",), points="3.0"),
        issue_row(3),
    ]
    parsed = parse_rows(rows)
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    one = issues.set_index("issue_key").loc["DEMO-1"]
    assert (one.sprint, one.sprint_count) == ("S3", 3)
    assert issues.set_index("issue_key").loc["DEMO-3"].sprint_count == 0
    assert sprints.values.tolist() == [
        ["DEMO-1", "S1", 1],
        ["DEMO-1", "S2", 2],
        ["DEMO-1", "S3", 3],
        ["DEMO-2", "S2", 1],
    ]
    assert issues.labels.iloc[0] == "a"


def test_multi_values_joined():
    rows = [issue_row(1, labels=("backend", "urgent"))]
    assert parse_rows(rows).tables["issues"].labels.iloc[0] == "backend, urgent"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/Nov/25 8:22 AM", dt.datetime(2025, 11, 27, 8, 22)),
        ("28/Nov/25 5:03 PM", dt.datetime(2025, 11, 28, 17, 3)),
        ("01/Dec/25 12:00 AM", dt.datetime(2025, 12, 1, 0, 0)),
        ("01/Dec/25 12:30 PM", dt.datetime(2025, 12, 1, 12, 30)),
        ("10/nov/25 4:51 PM", dt.datetime(2025, 11, 10, 16, 51)),  # es
        ("21/abr/26 9:00 AM", dt.datetime(2026, 4, 21, 9, 0)),  # es
        ("05/ene/26 9:00 AM", dt.datetime(2026, 1, 5, 9, 0)),  # es
        ("19/lip/23 3:15 PM", dt.datetime(2023, 7, 19, 15, 15)),  # pl
        ("02/paź/23 3:15 PM", dt.datetime(2023, 10, 2, 15, 15)),  # pl
        ("01/Dez/16 10:58 AM", dt.datetime(2016, 12, 1, 10, 58)),  # de
        ("03/Mär/17 10:58 AM", dt.datetime(2017, 3, 3, 10, 58)),  # de
        ("06/août/15 1:00 PM", dt.datetime(2015, 8, 6, 13, 0)),  # fr
        ("17/sept./15 1:00 PM", dt.datetime(2015, 9, 17, 13, 0)),  # fr, trailing dot
        ("09/févr./15 1:00 PM", dt.datetime(2015, 2, 9, 13, 0)),  # fr
        ("12/out/24 8:00 AM", dt.datetime(2024, 10, 12, 8, 0)),  # pt
        ("03/fev/24 8:00 AM", dt.datetime(2024, 2, 3, 8, 0)),  # pt
        ("25/Jun/20 12:44", dt.datetime(2020, 6, 25, 12, 44)),  # 24-hour
        ("25/Jun/20 03:49", dt.datetime(2020, 6, 25, 3, 49)),
        ("2025-11-28 17:03:00", dt.datetime(2025, 11, 28, 17, 3)),  # ISO (workbook cells)
        ("45000.5", dt.datetime(2023, 3, 15, 12, 0)),  # Excel serial
    ],
)
def test_date_grammar(text, expected):
    parsed = parse_rows([issue_row(1, created=text, updated=text)])
    assert parsed.tables["issues"].created.iloc[0] == pd.Timestamp(expected)
    assert not [p for p in parsed.problems if p.column_name == "Created"]


def test_excel_day_first_dates_and_month_first_detection():
    day_first = parse_rows(
        [issue_row(1, created="11/01/2023 15:22", updated=""), issue_row(2, created="25/01/2023 09:00", updated="")]
    )
    assert day_first.tables["issues"].created.tolist() == [
        pd.Timestamp("2023-01-11 15:22"),
        pd.Timestamp("2023-01-25 09:00"),
    ]
    assert day_first.meta["date_format"] == "dd/mm/yyyy HH:MM"
    month_first = parse_rows([issue_row(1, created="11/01/2023 15:22"), issue_row(2, created="01/25/2023 09:00")])
    assert month_first.tables["issues"].created.tolist() == [
        pd.Timestamp("2023-11-01 15:22"),
        pd.Timestamp("2023-01-25 09:00"),
    ]
    assert month_first.meta["day_first"] is False


def test_unreadable_date_is_a_problem_not_a_guess():
    parsed = parse_rows([issue_row(1, created="sometime soon"), issue_row(2)])
    issues = parsed.tables["issues"]
    assert pd.isna(issues.created.iloc[0]) and issues.created.iloc[1] == pd.Timestamp("2026-01-02 09:15")
    (problem,) = [p for p in parsed.problems if p.column_name == "Created"]
    assert (problem.row_number, problem.value, problem.severity) == (2, "sometime soon", "warning")


def test_cp1252_and_bom_and_crlf():
    rows = [issue_row(1), issue_row(2)]
    rows[0][0] = "Café – déjà vu"
    cp = jira.parse(csv_bytes(ALL_FIELDS, rows, encoding="cp1252", newline="\r\n"), "Jira (1).csv")
    assert cp.meta["encoding"] == "cp1252"
    assert cp.tables["issues"].summary.iloc[0] == "Café – déjà vu"
    bom = jira.parse(b"\xef\xbb\xbf" + csv_bytes(ALL_FIELDS, rows), "Jira.csv")
    assert bom.tables["issues"].summary.iloc[0] == "Café – déjà vu"
    assert bom.meta["encoding"] == "utf-8-sig"
    assert len(bom.tables["issues"]) == 2


def test_cp1252_detected_beyond_the_first_64k():
    rows = [issue_row(n) for n in range(1, 800)]
    rows[-1][0] = "Ångström café"
    data = csv_bytes(ALL_FIELDS, rows, encoding="cp1252")
    assert len(data) > 65536 and data[:65536].decode("utf-8")
    parsed = jira.parse(data, "Jira.csv")
    assert parsed.meta["encoding"] == "cp1252" and parsed.rows_rejected == 0
    assert parsed.tables["issues"].summary.iloc[-1] == "Ångström café"


def test_semicolon_csv_saved_properly_by_excel_is_read():
    parsed = jira.parse(csv_bytes(ALL_FIELDS, [issue_row(1, points="2,5")], delimiter=";"), "Jira.csv")
    assert parsed.meta["delimiter"] == ";"
    assert parsed.tables["issues"].story_points.iloc[0] == 2.5
    assert parsed.format.startswith("Jira CSV re-saved by Excel")


def test_excel_mangled_semicolons_refused():
    header = ",".join(ALL_FIELDS) + ";;;;;;"
    body = "\n".join(["Issue one,DEMO-1,1001,Story", ";;;;;;", "continued text;;;;;;"] * 5)
    with pytest.raises(Refused, match="re-saved by Excel with ';' separators"):
        jira.parse((header + "\n" + body + "\n").encode(), "Jira.csv")


def test_row_with_wrong_cell_count_is_rejected_not_shifted():
    data = csv_bytes(ALL_FIELDS, [issue_row(1), issue_row(2), issue_row(3)])
    lines = data.decode().split("\n")
    lines[2] = lines[2] + ",extra,cells"  # DEMO-2: too many cells
    parsed = jira.parse("\n".join(lines).encode(), "Jira.csv")
    issues = parsed.tables["issues"]
    assert issues.issue_key.tolist() == ["DEMO-1", "DEMO-3"]
    assert issues.row_number.tolist() == [2, 4]
    assert parsed.rows_rejected == 1
    (error,) = [p for p in parsed.problems if p.severity == "error"]
    assert error.row_number == 3 and "cells" in error.message
    # a multi-line cell before the bad row does not confuse the row numbers
    rows = [issue_row(1), issue_row(2), issue_row(3)]
    rows[0][0] = "two\nlines"
    lines = csv_bytes(ALL_FIELDS, rows).decode().split("\n")
    lines[4] = ",".join(lines[4].split(",")[:5])  # DEMO-3 (file line 5, row 4): too few cells
    parsed = jira.parse("\n".join(lines).encode(), "Jira.csv")
    assert parsed.tables["issues"].issue_key.tolist() == ["DEMO-1", "DEMO-2"]
    assert [p.row_number for p in parsed.problems if p.severity == "error"] == [4]


def test_empty_lines_are_counted_and_keep_row_numbers():
    data = csv_bytes(ALL_FIELDS, [issue_row(1), issue_row(2)]).decode().split("\n")
    data.insert(2, "")  # an empty line between the two issues (file row 3)
    parsed = jira.parse("\n".join(data).encode(), "Jira.csv")
    assert parsed.tables["issues"].row_number.tolist() == [2, 4]
    assert parsed.meta["blank_rows"] == 1


def test_header_without_rows_is_refused(store):
    data = csv_bytes(ALL_FIELDS, [[""] * len(ALL_FIELDS)])
    with pytest.raises(Refused, match="no issue rows"):
        jira.parse(data, "Jira.csv")
    assert ingest_bytes(store, data, "Jira.csv").status == "refused"
    assert store.uploads().empty


def test_exactly_1000_rows_warns_truncated():
    rows = [issue_row(n) for n in range(1, 1001)]
    parsed = parse_rows(rows)
    assert parsed.meta["truncated"] is True
    assert any("probably" in m and "truncated" in m for m in messages(parsed, "warning"))
    assert not parse_rows(rows[:999]).meta["truncated"]


def test_current_fields_without_issue_key_resolved_or_points():
    header = ["Issue Type", "Summary", "Assignee", "Status", "Σ Original Estimate", "Updated"]
    rows = [["Task", "Do it", "ann", "In Progress", "3600", "05/Jan/26 4:30 PM"]]
    parsed = jira.parse(csv_bytes(header, rows), "Jira.csv")
    warnings = messages(parsed, "warning")
    assert any("Issue key" in m and "over time" in m for m in warnings)
    assert any("Resolved" in m and "lead time" in m and "throughput" in m for m in warnings)
    assert any("story-point" in m and "velocity" in m and "burn-down" in m for m in warnings)
    assert parsed.format == "Jira CSV (current fields)"
    assert parsed.tables["issues"].status_category.iloc[0] == "In Progress"


def test_blank_rows_skipped_and_counted():
    rows = [issue_row(1), [""] * len(ALL_FIELDS), issue_row(2), [""] * len(ALL_FIELDS)]
    parsed = parse_rows(rows)
    assert parsed.tables["issues"].issue_key.tolist() == ["DEMO-1", "DEMO-2"]
    assert parsed.tables["issues"].row_number.tolist() == [2, 4]
    assert any("2 blank rows" in m for m in messages(parsed, "info"))
    assert parsed.meta["blank_rows"] == 2


def test_story_points_from_the_candidate_that_holds_data():
    header = [*ALL_FIELDS, "Custom field (${field_Story_Points})"]
    rows = [[*issue_row(n), f"{n}.0"] for n in (1, 2, 3)]
    parsed = jira.parse(csv_bytes(header, rows), "Jira.csv")
    assert parsed.meta["story_points_column"] == ["Custom field (${field_Story_Points})"]
    assert parsed.tables["issues"].story_points.tolist() == [1.0, 2.0, 3.0]


SP, SPE = ALL_FIELDS.index("Custom field (Story Points)"), ALL_FIELDS.index("Custom field (Story point estimate)")


def points_row(n: int, points: str, estimate: str) -> list[str]:
    """An issue with its points in the two candidate columns (company- and team-managed projects)."""
    row = issue_row(n)
    row[SP], row[SPE] = points, estimate
    return row


def test_story_points_coalesced_across_candidate_columns():
    # one export spanning a company-managed (Story Points) and a team-managed (Story point estimate) project
    rows = [
        points_row(1, "5.0", ""),
        points_row(2, "", "3.0"),
        points_row(3, "8", ""),
        points_row(4, "", ""),
        points_row(5, "2", "2.0"),
    ]
    parsed = parse_rows(rows)
    assert parsed.tables["issues"].story_points.tolist()[:3] == [5.0, 3.0, 8.0]
    assert pd.isna(parsed.tables["issues"].story_points.iloc[3])
    assert parsed.tables["issues"].story_points.iloc[4] == 2.0
    assert parsed.meta["story_points_column"] == ["Custom field (Story Points)", "Custom field (Story point estimate)"]
    assert not messages(parsed, "warning")  # 2 and 2.0 are the same value
    assert any("Story point estimate" in m and "1 " in m for m in messages(parsed, "info"))


def test_story_points_preferred_column_is_the_most_filled_and_conflicts_warn_once():
    rows = [
        points_row(1, "", "1"),
        points_row(2, "5", "3"),
        points_row(3, "", "2"),
        points_row(4, "8", "13"),
        points_row(5, "4", ""),
    ]
    parsed = parse_rows(rows)
    # 'Story point estimate' holds 4 values, 'Story Points' 3: the estimate wins where both are filled
    assert parsed.tables["issues"].story_points.tolist() == [1.0, 3.0, 2.0, 13.0, 4.0]
    assert parsed.meta["story_points_column"] == ["Custom field (Story point estimate)", "Custom field (Story Points)"]
    (warning,) = [p for p in parsed.problems if p.severity == "warning"]
    assert "2 rows" in warning.message and "rows 3, 5" in warning.message
    assert "Custom field (Story Points)" in warning.message and "Custom field (Story point estimate)" in warning.message


def test_story_points_three_candidates_conflict_names_the_columns_that_disagree():
    header = [
        "Summary",
        "Issue key",
        "Issue Type",
        "Status",
        "Custom field (Story Points)",
        "Custom field (Story point estimate)",
        "Custom field (Story points)",
    ]
    rows = [
        ["a", "Q-1", "Story", "Done", "1", "", ""],
        ["b", "Q-2", "Story", "Done", "2", "", ""],
        ["c", "Q-3", "Story", "Done", "", "3", "4"],
        ["d", "Q-4", "Story", "Done", "", "", "5"],
        ["e", "Q-5", "Story", "Done", "", "", "6"],
    ]
    parsed = jira.parse(csv_bytes(header, rows), "Jira.csv")
    # most filled first: 'Story points' (3), 'Story Points' (2), 'Story point estimate' (1)
    assert parsed.tables["issues"].story_points.tolist() == [1.0, 2.0, 4.0, 5.0, 6.0]
    assert parsed.meta["story_points_column"] == ["Custom field (Story points)", "Custom field (Story Points)"]
    (warning,) = [p for p in parsed.problems if p.severity == "warning" and "different story points" in p.message]
    assert warning.message.startswith("1 row (row 4)")
    assert "'Custom field (Story points)' and 'Custom field (Story point estimate)'" in warning.message
    assert "'Custom field (Story Points)'" not in warning.message


def test_story_points_bad_number_in_the_fallback_column_names_that_column():
    parsed = parse_rows([points_row(1, "5", ""), points_row(2, "3", ""), points_row(3, "", "lots")])
    assert parsed.tables["issues"].story_points.tolist()[:2] == [5.0, 3.0]
    (problem,) = [p for p in parsed.problems if p.row_number == 4]
    assert problem.column_name == "Custom field (Story point estimate)" and problem.value == "lots"


@pytest.mark.parametrize("container", ["csv-fr", "csv-de-cp1252", "xlsx"])
def test_story_points_coalesced_in_every_container_and_language(container):
    prefix = {"csv-fr": "Champ personnalisé", "csv-de-cp1252": "Benutzerdefiniertes Feld", "xlsx": "Custom field"}
    header = [
        "Summary",
        "Issue key",
        "Issue Type",
        "Status",
        "Created",
        f"{prefix[container]} (Story Points)",
        f"{prefix[container]} (Story point estimate)",
    ]
    rows = [
        ["a", "Q-1", "Story", "Done", "06/Jan/26 2:05 PM", "5", ""],
        ["b", "Q-2", "Story", "Done", "06/Jan/26 2:05 PM", "", "3"],
        ["c", "Q-3", "Story", "Done", "06/Jan/26 2:05 PM", "8", ""],
    ]
    if container == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.Workbook()
        wb.active.append(header)
        for row in rows:
            wb.active.append([float(c) if c.isdigit() else (c or None) for c in row])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        data = csv_bytes(header, rows, encoding="cp1252" if container.endswith("cp1252") else "utf-8")
    parsed = jira.parse(data, "Jira." + container[:4].strip("-"))
    assert parsed.tables["issues"].story_points.tolist() == [5.0, 3.0, 8.0]
    assert parsed.meta["story_points_column"] == header[5:]


def test_seconds_to_hours_and_bad_numbers():
    parsed = parse_rows([issue_row(1, estimate="144000"), issue_row(2, estimate="2h", points="lots")])
    issues = parsed.tables["issues"]
    assert issues.original_estimate_hours.iloc[0] == 40.0
    assert pd.isna(issues.original_estimate_hours.iloc[1]) and pd.isna(issues.story_points.iloc[1])
    cols = {p.column_name for p in parsed.problems if p.row_number == 3}
    assert cols == {"Original estimate", "Custom field (Story Points)"}


def test_parent_ids_resolved_to_keys_subtasks_and_epics():
    rows = [
        issue_row(1, type_="Epic"),
        issue_row(2, parent="1001", points="5"),  # story under the epic (Parent = the epic's Issue id)
        issue_row(3, parent="1002", type_="Sub-task", points="2"),  # sub-task of DEMO-2
        issue_row(4, parent="1002", type_="Task"),  # Cloud: a child of a story is a sub-task level issue
        issue_row(5, parent="999999"),  # parent not in this export
    ]
    parsed = parse_rows(rows)
    issues = parsed.tables["issues"].set_index("issue_key")
    assert issues.loc["DEMO-2", "parent_key"] == "DEMO-1" and issues.loc["DEMO-2", "epic_key"] == "DEMO-1"
    assert not issues.loc["DEMO-2", "is_subtask"]
    assert issues.loc["DEMO-3", "parent_key"] == "DEMO-2" and issues.loc["DEMO-3", "is_subtask"]
    assert issues.loc["DEMO-3", "epic_key"] == "DEMO-1"
    assert issues.loc["DEMO-4", "is_subtask"]
    assert pd.isna(issues.loc["DEMO-5", "parent_key"])
    (problem,) = [p for p in parsed.problems if p.column_name == "Parent"]
    assert problem.value == "999999" and problem.row_number == 6


def test_legacy_parent_id_and_epic_link():
    header = [
        "Summary",
        "Issue key",
        "Issue id",
        "Parent id",
        "Issue Type",
        "Status",
        "Created",
        "Resolved",
        "Custom field (Epic Link)",
        "Custom field (Story Points)",
    ]
    rows = [
        ["Epic", "OLD-1", "11", "", "Epic", "Open", "01/Mar/18 9:00 AM", "", "", ""],
        ["Story", "OLD-2", "12", "", "Story", "Closed", "01/Mar/18 9:00 AM", "03/Mar/18 9:00 AM", "OLD-1", "3"],
        ["Sub", "OLD-3", "13", "12", "Sub-task", "In Progress", "01/Mar/18 9:00 AM", "", "", ""],
    ]
    issues = jira.parse(csv_bytes(header, rows), "JIRA.csv").tables["issues"].set_index("issue_key")
    assert issues.loc["OLD-2", "epic_key"] == "OLD-1"
    assert issues.loc["OLD-3", "parent_key"] == "OLD-2" and issues.loc["OLD-3", "is_subtask"]
    assert issues.loc["OLD-3", "epic_key"] == "OLD-1"
    assert issues.status_category.tolist() == ["To Do", "Done", "In Progress"]


def test_status_category_from_file_localized_and_from_defaults():
    header = [
        "Resumen",
        "Clave de incidencia",
        "Tipo de Incidencia",
        "Estado",
        "Creada",
        "Resuelta",
        "Categoría de estado",
    ]
    rows = [
        ["a", "ES-1", "Historia", "Tareas por hacer", "10/nov/25 4:51 PM", "", "Por hacer"],
        ["b", "ES-2", "Historia", "En curso", "10/nov/25 4:51 PM", "", "En curso"],
        ["c", "ES-3", "Subtarea", "Listo", "10/nov/25 4:51 PM", "12/nov/25 9:00 AM", "Listo"],
    ]
    parsed = jira.parse(csv_bytes(header, rows), "Jira.csv")
    issues = parsed.tables["issues"]
    assert issues.status_category.tolist() == ["To Do", "In Progress", "Done"]
    assert issues.is_subtask.tolist() == [False, False, True]
    assert issues.resolved.iloc[2] == pd.Timestamp("2025-11-12 09:00")
    # no category column: status names through the editable defaults; unknown statuses reported
    header = ["Issue key", "Issue Type", "Status", "Resolved"]
    rows = [
        ["X-1", "Bug", "Closed", ""],
        ["X-2", "Bug", "Waiting for QA", ""],
        ["X-3", "Bug", "Shipped", "02/Jan/26 9:00 AM"],
    ]
    parsed = jira.parse(csv_bytes(header, rows), "Jira.csv")
    assert parsed.tables["issues"].status_category.tolist() == ["Done", "In Progress", "Done"]
    infos = messages(parsed, "info")
    assert any("'Waiting for QA'" in m for m in infos) and any("'Shipped'" in m for m in infos)


def test_editable_status_defaults(monkeypatch):
    monkeypatch.setitem(jira.STATUS_CATEGORY_DEFAULTS, "waiting for qa", "To Do")
    header = ["Issue key", "Issue Type", "Status"]
    parsed = jira.parse(csv_bytes(header, [["X-1", "Bug", "Waiting for QA"]]), "Jira.csv")
    assert parsed.tables["issues"].status_category.tolist() == ["To Do"]


def test_duplicate_keys_rejected():
    parsed = parse_rows([issue_row(1), issue_row(2), issue_row(1, status="Done")])
    assert parsed.tables["issues"].issue_key.tolist() == ["DEMO-1", "DEMO-2"]
    assert parsed.rows_rejected == 1
    assert [p.row_number for p in parsed.problems if p.severity == "error"] == [4]


def test_headers_in_german_french_polish_portuguese():
    cases = {
        "de": [
            "Zusammenfassung",
            "Schlüssel",
            "Vorgangstyp",
            "Status",
            "Erstellt",
            "Aktualisiert",
            "Erledigt",
            "Story-Punkte",
        ],
        "fr": [
            "Résumé",
            "Clé de ticket",
            "Type de ticket",
            "État",
            "Création",
            "Mise à jour",
            "Résolue",
            "Custom field (Story Points)",
        ],
        "pl": [
            "Podsumowanie",
            "Klucz zgłoszenia",
            "Typ zgłoszenia",
            "Status",
            "Utworzono",
            "Zaktualizowano",
            "Rozwiązane",
            "Pole niestandardowe (Story Points)",
        ],
        "pt": [
            "Resumo",
            "Chave",
            "Tipo de item",
            "Status",
            "Criado",
            "Atualizado",
            "Resolvido",
            "Campo personalizado (Story Points)",
        ],
    }
    dates = {
        "de": "01/Dez/16 10:58 AM",
        "fr": "17/sept./15 1:00 PM",
        "pl": "19/lip/23 3:15 PM",
        "pt": "12/out/24 8:00 AM",
    }
    for lang, header in cases.items():
        data = csv_bytes(header, [["s", "K-1", "Story", "Done", dates[lang], dates[lang], dates[lang], "3"]])
        assert jira.sniff(Sample(data, "x.csv")), lang
        parsed = jira.parse(data, "x.csv")
        issues = parsed.tables["issues"]
        assert parsed.meta["header_language"] == lang
        assert issues.issue_key.iloc[0] == "K-1" and issues.story_points.iloc[0] == 3.0, lang
        assert issues.created.notna().all() and issues.resolved.notna().all(), lang
        assert parsed.as_of == issues.updated.iloc[0].date()


def test_portuguese_gendered_headers_with_a_o_suffix():
    # pt-BR Jira writes 'Atualizado(a)', 'Criado(a)', 'Resolvido(a)', 'Relator(a)'
    header = [
        "Resumo",
        "Chave do item",
        "Tipo de item",
        "Status",
        "Criado(a)",
        "Atualizado (a)",
        "Resolvido(o)",
        "Relator(a)",
        "Campo personalizado (Story Points)",
    ]
    data = csv_bytes(
        header,
        [["s", "K-1", "Story", "Concluído", "12/out/24 8:00 AM", "03/fev/25 9:30 AM", "01/fev/25 8:00 AM", "ana", "3"]],
    )
    parsed = jira.parse(data, "x.csv")
    issues = parsed.tables["issues"]
    assert issues.updated.tolist() == [pd.Timestamp("2025-02-03 09:30")]
    assert issues.created.notna().all() and issues.resolved.notna().all()
    assert issues.reporter.tolist() == ["ana"]
    assert parsed.as_of == dt.date(2025, 2, 3)
    assert parsed.meta["header_language"] == "pt"
    assert not any("no 'Updated' column" in m for m in messages(parsed))
    # '(s)'/'(en)' plural suffixes are not gender suffixes: those headers keep their own aliases
    assert header_fields(["Komponente(n)", "Composant(s)", "Atualizado(a)"]) == [
        "components",
        "components",
        "updated",
    ]


def test_html_xls_small():
    html = """<html><head><META HTTP-EQUIV="Content-Type" Content="application/vnd.ms-excel; charset=UTF-8"></head>
    <body><table border="1"><tr><td colspan="5">JIRA</td></tr></table>
    <table id="issuetable"><thead><tr class="rowHeader">
      <th data-id="issuekey">Key</th><th>Summary</th><th>Issue Type</th><th>Status</th><th>Created</th><th>Sprint</th>
    </tr></thead><tbody>
      <tr><td>H-1</td><td>First<br/>second line</td><td>Story</td><td>Done</td><td>01/Dec/16 10:58 AM</td><td>Sprint 1, Sprint 2</td></tr>
      <tr><td>H-2</td><td>Other</td><td>Bug</td><td>Open</td><td>02/Dec/16 1:00 PM</td><td></td></tr>
    </tbody></table><div>Generated at Thu Dec 01 10:59:18 CET 2016 using JIRA 7.0.0</div></body></html>"""
    data = html.encode()
    assert jira.sniff(Sample(data, "JIRA.xls"))
    parsed = jira.parse(data, "JIRA.xls")
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    assert parsed.format == "Jira HTML .xls"
    assert issues.summary.iloc[0] == "First\nsecond line"
    assert issues.sprint.tolist()[0] == "Sprint 2" and issues.sprint_count.tolist() == [2, 0]
    assert sprints.values.tolist() == [["H-1", "Sprint 1", 1], ["H-1", "Sprint 2", 2]]
    assert issues.row_number.tolist() == [2, 3]


def test_xlsx_resave_with_serial_dates():
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jira"
    ws.append(
        [
            "Summary",
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Created",
            "Resolved",
            "Sprint",
            "Sprint",
            "Custom field (Story Points)",
        ]
    )
    ws.append(["One", "XL-1", 10001, "Story", "Done", 46147.5, 46150.25, "S1", "S2", 3])
    ws.append(["Two", "XL-2", 10002, "Story", "To Do", 46148.0, None, "S2", None, 2.5])
    ws.append([None] * 10)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert detect(data, "Jira.xlsx") is jira
    parsed = jira.parse(data, "Jira.xlsx")
    issues = parsed.tables["issues"]
    assert parsed.format == "Jira CSV re-saved by Excel (.xlsx)"
    assert issues.issue_id.tolist() == ["10001", "10002"]
    excel_epoch = pd.Timestamp("1899-12-30")
    assert issues.created.tolist() == [excel_epoch + pd.Timedelta(days=46147.5), pd.Timestamp("2026-05-06")]
    assert issues.resolved.iloc[0] == pd.Timestamp("2026-05-08 06:00")
    assert issues.story_points.tolist() == [3.0, 2.5]
    assert issues.sprint.tolist() == ["S2", "S2"] and issues.sprint_count.tolist() == [2, 1]


def test_sniff_is_specific():
    assert not jira.sniff(
        Sample(b"project_id,period,cost_category,vendor,budget,actual\nA,2026-01,Labour,,1,2\n", "f.csv")
    )
    assert not jira.sniff(Sample(b"ID,Name,Start,Finish,% Complete\n1,Task,2026-01-01,2026-01-02,0\n", "p.csv"))
    assert not jira.sniff(Sample(b"project_id,name,program,jira_keys,status\nP1,x,y,ABC,green\n", "r.csv"))
    assert not jira.sniff(Sample(b"project_id,name,Type,Status,Summary\nP1,x,Infra,green,ok\n", "r.csv"))
    assert jira.sniff(Sample(csv_bytes(ALL_FIELDS, [issue_row(1)]), "Jira.csv"))
    assert jira.sniff(Sample(b"Issue Type,Summary,Assignee,Status\nTask,x,y,Done\n", "Jira.csv"))


# --------------------------------------------------------------------------------------------------
# the store path


def test_ingest_maps_project_key_and_as_of(store):
    data = csv_bytes(ALL_FIELDS, [issue_row(1, sprints=("S1",)), issue_row(2, updated="20/Feb/26 1:00 PM")])
    report = ingest_bytes(store, data, "Jira.csv")
    assert report.status == "stored", report.message
    assert report.project_id == "DEMO" and report.as_of == dt.date(2026, 2, 20)
    stored = store.snapshot("issues", project_ids=["DEMO"])
    assert sorted(stored.issue_key) == ["DEMO-1", "DEMO-2"]
    assert store.snapshot("issue_sprints", project_ids=["DEMO"]).sprint.tolist() == ["S1"]
    again = ingest_bytes(store, data, "Jira.csv")
    assert again.status == "duplicate"


def test_cli_ingest(tmp_path, real_exports):
    db = tmp_path / "cli.duckdb"
    good = _fixture(real_exports, "13_")
    bad = _fixture(real_exports, "09_")
    from loaders.__main__ import main

    run = cli(main, "ingest", good, bad, "--db", db)  # in-process: what it prints and its exit code
    assert run.returncode == 1, run.stderr
    assert "STORED" in run.stdout and "51 rows loaded" in run.stdout
    assert "REFUSED" in run.stdout and "re-saved by Excel" in run.stdout
    assert "Traceback" not in run.stderr


# --------------------------------------------------------------------------------------------------
# property: shuffling rows or adding blank rows never changes what is stored

STATUSES = [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done")]
SPRINTS = ["S1", "S2", "S3", "S4"]


@st.composite
def exports(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for k in range(1, n + 1):
        status, category = draw(st.sampled_from(STATUSES))
        count = draw(st.integers(min_value=0, max_value=3))
        start = draw(st.integers(min_value=0, max_value=1))
        points = draw(st.sampled_from(["", "1.0", "2.0", "3.0", "5.0", "0,5"]))
        parent = str(1000 + draw(st.integers(min_value=1, max_value=n))) if k > 1 and draw(st.booleans()) else ""
        day = draw(st.integers(min_value=1, max_value=28))
        rows.append(
            issue_row(
                k,
                status=status,
                category=category,
                sprints=tuple(SPRINTS[start : start + count]),
                points=points,
                parent=parent,
                created=f"{day:02d}/Jan/26 {draw(st.integers(1, 12))}:05 PM",
                resolved=f"{day:02d}/Feb/26 9:00 AM" if status == "Done" else "",
            )
        )
    order = draw(st.permutations(list(range(n))))
    blanks = draw(st.lists(st.integers(min_value=0, max_value=n), max_size=3))
    return rows, order, blanks


def _canonical(parsed) -> tuple[pd.DataFrame, pd.DataFrame]:
    issues = parsed.tables["issues"].drop(columns=["row_number"]).sort_values("issue_key").reset_index(drop=True)
    sprints = parsed.tables["issue_sprints"].sort_values(["issue_key", "position"]).reset_index(drop=True)
    return issues, sprints


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_shuffle_and_blank_rows_do_not_change_what_is_stored(case):
    rows, order, blanks = case
    shuffled = [rows[i] for i in order]
    for at in sorted(blanks, reverse=True):
        shuffled.insert(at, [""] * len(ALL_FIELDS))
    first, second = parse_rows(rows), parse_rows(shuffled)
    a_issues, a_sprints = _canonical(first)
    b_issues, b_sprints = _canonical(second)
    pd.testing.assert_frame_equal(a_issues, b_issues)
    pd.testing.assert_frame_equal(a_sprints, b_sprints)
    assert first.as_of == second.as_of and first.project_id == second.project_id
    assert second.meta["blank_rows"] == len(blanks)


def test_stored_snapshot_unchanged_by_shuffle_and_blank_rows(tmp_path):
    from store import Store

    rows = [
        issue_row(n, sprints=("S1", "S2")[: n % 3], points=f"{n % 5}.0", parent="1001" if n > 1 else "")
        for n in range(1, 30)
    ]
    shuffled = rows[::-1]
    shuffled.insert(7, [""] * len(ALL_FIELDS))
    shuffled.append([""] * len(ALL_FIELDS))
    stored = []
    for k, body in enumerate((rows, shuffled)):
        db = Store(tmp_path / f"s{k}.duckdb")
        report = ingest_bytes(db, csv_bytes(ALL_FIELDS, body), "Jira.csv")
        assert report.status == "stored"
        issues = db.snapshot("issues").drop(columns=["upload_id", "row_number"]).sort_values("issue_key")
        sprints = db.snapshot("issue_sprints").drop(columns=["upload_id"]).sort_values(["issue_key", "position"])
        stored.append((issues.reset_index(drop=True), sprints.reset_index(drop=True)))
    pd.testing.assert_frame_equal(stored[0][0], stored[1][0])
    pd.testing.assert_frame_equal(stored[0][1], stored[1][1])
    assert len(stored[0][0]) == 29


def test_html_row_with_missing_cells_rejected():
    html = """<html><body><table id="issuetable"><tr><th>Key</th><th>Summary</th><th>Issue Type</th><th>Status</th></tr>
      <tr><td>H-1</td><td>a</td><td>Story</td><td>Done</td></tr>
      <tr><td>H-2</td><td>b</td></tr>
      <tr><td>H-3</td><td>c</td><td>Bug</td><td>Open</td></tr></table></body></html>"""
    parsed = jira.parse(html.encode(), "JIRA.xls")
    assert parsed.tables["issues"].issue_key.tolist() == ["H-1", "H-3"]
    assert parsed.rows_rejected == 1
    assert [(p.row_number, p.severity) for p in parsed.problems if p.severity == "error"] == [(3, "error")]


def test_project_key_mapped_through_the_register(store):
    register = (
        b"project_id,name,program,portfolio,manager,sponsor,currency,budget,jira_keys,stage\n"
        b'customer-portal,Customer Portal,Digital,Growth,Ann,Bob,EUR,100000,"DEMO, PORT",Build\n'
    )
    assert ingest_bytes(store, register, "register.csv").status == "stored"
    report = ingest_bytes(store, csv_bytes(ALL_FIELDS, [issue_row(1), issue_row(2)]), "Jira.csv")
    assert report.status == "stored" and report.project_id == "customer-portal"
    assert len(store.snapshot("issues", project_ids=["customer-portal"])) == 2


def _quirky_rows(n: int, summary_len: int = 0) -> list[list[str]]:
    """Rows with every per-cell quirk the pipeline checks: duplicates, bad dates and numbers, parents
    given as ids (known and unknown), sub-tasks, carried-over sprints, unknown statuses, blank rows."""
    rows = []
    for k in range(1, n + 1):
        row = issue_row(
            k,
            status=["To Do", "Done", "Shipped", "In Progress"][k % 4],
            category=["To Do", "Done", "", "In Progress"][k % 4],
            sprints=[f"S{j}" for j in range(k % 4)],
            points=["3", "2,5", "x", ""][k % 4],
            parent=str(1000 + k - 1) if k % 5 == 0 else ("99999" if k % 13 == 0 else ""),
            type_="Sub-task" if k % 5 == 0 else ("Epic" if k % 7 == 0 else "Story"),
            resolved="03/Jan/26 1:00 PM" if k % 4 == 1 else "",
            created="31/Feb/26 9:00 AM" if k % 17 == 0 else "02/Jan/26 9:15 AM",
            estimate="abc" if k % 19 == 0 else "7200",
        )
        if summary_len:
            row[0] = f"Issue {k} " + "x" * summary_len
        rows.append(row)
    rows.insert(10, [""] * len(ALL_FIELDS))  # a blank row
    rows.append(issue_row(3, status="Done"))  # a duplicate key
    return rows


@pytest.mark.parametrize("rows, summary_len", [(300, 0), (40_000, 250)])
def test_large_file_paths_give_the_same_result(monkeypatch, rows, summary_len):
    """Large files take other paths (typed cells as a view, the CSV read as one big buffer, and for the
    40,000-row case, a file bigger than that buffer): forced on a small file they give the same result."""
    data = csv_bytes(ALL_FIELDS, _quirky_rows(rows, summary_len))
    small = jira.parse(data, "Jira.csv")
    monkeypatch.setattr(jira, "SMALL_ROWS", 0)
    monkeypatch.setattr(jira, "BIG_CSV_BYTES", 0)
    monkeypatch.setattr(jira, "MAX_CSV_BUFFER", jira.MAX_LINE_SIZE)
    large = jira.parse(data, "Jira.csv")
    if summary_len:
        assert len(data) > jira.MAX_LINE_SIZE  # more than one buffer
    for name in ("issues", "issue_sprints"):
        order = ["issue_key", "position"] if name == "issue_sprints" else ["row_number"]
        a, b = (p.tables[name].sort_values(order).reset_index(drop=True) for p in (small, large))
        pd.testing.assert_frame_equal(a, b)
    assert small.problems == large.problems
    assert small.rows_rejected == large.rows_rejected == 1
    assert (small.as_of, small.project_id, small.meta) == (large.as_of, large.project_id, large.meta)
    kinds = {p.column_name for p in small.problems if p.severity == "warning"}
    assert {"Created", "Custom field (Story Points)", "Original estimate", "Parent"} <= kinds
