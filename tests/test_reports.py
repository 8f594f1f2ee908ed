"""The executive pack (PowerPoint, Excel, PDF) and 'what changed', on the sample exports."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from builders import copy_db
from pptx import Presentation

from metrics.changes import milestone_slips, new_reasons, status_changes
from metrics.portfolio import portfolio_frame, totals
from metrics.status import StatusReport
from reports import __main__ as cli
from reports import deck, document, workbook
from reports.content import build
from store import Store


@pytest.fixture(scope="module", autouse=True)
def each_chart_converted_once():
    """A chart is converted to PNG (vl-convert, the slow part of every render) once per module:
    the deck, workbook and PDF of the same pack are rendered by several tests here, and the
    conversion of one spec at one size is always the same bytes."""
    from reports import images

    real, converted = images.png, {}

    def png(chart, **size):
        key = (json.dumps(chart.to_dict(), sort_keys=True, default=str), tuple(sorted(size.items())))
        if key not in converted:
            converted[key] = real(chart, **size)
        return converted[key]

    with pytest.MonkeyPatch.context() as patch:
        for module in (deck, document, workbook):
            patch.setattr(module, "png", png)
        yield


@pytest.fixture(scope="module")
def samples(tmp_path_factory, samples_db) -> Store:
    store = Store(copy_db(samples_db, tmp_path_factory.mktemp("pack") / "pack.duckdb"))
    as_of = store.latest_as_of()
    store.save_status_reports(
        [
            StatusReport(
                "CORE-LEDGER",
                as_of,
                "amber",
                summary="Ledger cut-over moved a sprint",
                asks="=1+1 Approve 2 contractors",
                rag_reason="Recovery plan agreed with the vendor",
                computed_status="red",
            ).row()
        ]
    )
    return store


@pytest.fixture(scope="module")
def pack(samples):
    as_of = samples.latest_as_of()
    return build(samples, as_of, as_of - dt.timedelta(days=7))


def _slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) + "\n".join(
        cell.text for s in slide.shapes if s.has_table for row in s.table.rows for cell in row.cells
    )


def test_the_pack_has_a_page_per_red_and_amber_project_with_the_pages_numbers(samples, pack):
    frame = portfolio_frame(samples, samples.latest_as_of())
    flagged = frame[frame.status.isin(["red", "amber"])]
    assert [p.project_id for p in pack.projects if p.status == "red"] == sorted(
        flagged[flagged.status == "red"].project_id
    )
    assert len(pack.projects) == len(flagged)
    t = totals(frame)
    assert pack.counts == {s: t[s] for s in ("red", "amber", "green", "unknown")}
    assert dict(pack.tiles)["Portfolio CPI"] == f"{t['cpi']:.2f}"
    core = next(p for p in pack.projects if p.project_id == "CORE-LEDGER")
    assert core.chart is not None and core.chart_title == "Earned value S-curve"
    assert core.reasons == tuple(frame.set_index("project_id").reasons["CORE-LEDGER"])
    assert core.pm_status["summary"] == "Ledger cut-over moved a sprint"


def test_deck_opens_with_title_portfolio_changes_project_slides_and_appendix(pack):
    prs = Presentation(io.BytesIO(deck.render(pack)))
    slides = list(prs.slides)
    assert len(slides) == 3 + len(pack.projects) + 1
    assert pack.title in _slide_text(slides[0])
    assert any(s.shape_type == 13 for s in slides[1].shapes), "the SPI × CPI chart as a picture"
    assert "What changed since" in _slide_text(slides[2])
    core = next(s for s in slides[3:] if "CORE-LEDGER" in _slide_text(s))
    text = _slide_text(core)
    assert "Why it is red" in text and "CPI 0.86 is below the red threshold 0.90." in text
    assert "Recovery plan agreed with the vendor" in text and "Approve 2 contractors" in text
    assert any(s.shape_type == 13 for s in core.shapes), "the S-curve as a picture"
    assert "Appendix" in _slide_text(slides[-1])


def test_every_red_project_slide_carries_a_chart(pack):
    prs = Presentation(io.BytesIO(deck.render(pack)))
    for page, slide in zip(pack.projects, list(prs.slides)[3:], strict=False):
        if page.status == "red" and page.chart is not None:
            assert any(s.shape_type == 13 for s in slide.shapes), page.project_id


def test_workbook_has_a_sheet_per_project_with_its_chart_and_escapes_formulas(pack):
    book = openpyxl.load_workbook(io.BytesIO(workbook.render(pack)))
    assert book.sheetnames[:2] == ["Portfolio", "What changed"]
    assert {p.project_id for p in pack.projects} <= set(book.sheetnames)
    assert book["CORE-LEDGER"]._images, "the S-curve image"
    assert book["Appendix"].max_row == len(pack.appendix) + 1
    asks = next(c for row in book["CORE-LEDGER"].iter_rows() for c in row if "Approve 2" in str(c.value))
    assert asks.data_type == "s" and asks.value == "=1+1 Approve 2 contractors" and asks.quotePrefix


def test_pdf_is_a_pdf_with_a_page_per_project(pack):
    data = document.render(pack)
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2 + len(pack.projects)


def test_cli_writes_each_format_and_refuses_what_it_cannot(samples, tmp_path, capsys, monkeypatch):
    from reports import content

    real_build, built = content.build, {}

    def build_once(store, as_of, compare_with):  # the same pack for each format: built by the first run
        key = (store.path, as_of, compare_with)
        if key not in built:
            built[key] = real_build(store, as_of, compare_with)
        return built[key]

    monkeypatch.setattr(content, "build", build_once)
    for suffix in ("pptx", "xlsx", "pdf"):
        out = tmp_path / f"pack.{suffix}"
        assert cli.main(["pack", "--db", samples.path, "--out", str(out)]) == 0
        assert out.stat().st_size > 10_000
    assert cli.main(["pack", "--db", samples.path, "--out", str(tmp_path / "pack.docx")]) == 2
    Store(tmp_path / "empty.duckdb").schema_version()  # an empty database (a missing one is an error, issue 14)
    assert cli.main(["pack", "--db", str(tmp_path / "empty.duckdb"), "--out", str(tmp_path / "e.pptx")]) == 2
    assert "nothing to report" in capsys.readouterr().err
    assert len(built) == 1  # one pack, written in the three formats (the empty database has none)


def _frame(rows):
    return pd.DataFrame(rows, columns=["project_id", "name", "status", "reasons"])


def test_status_changes_and_new_reasons_compare_like_with_like():
    before = _frame(
        [
            ["A", "A", "amber", ["CPI 0.93 is below the amber threshold 0.95."]],
            ["B", "B", "red", []],
            ["D", "D", "green", []],
        ]
    )
    after = _frame(
        [
            [
                "A",
                "A",
                "red",
                ["CPI 0.89 is below the red threshold 0.90.", "SPI 0.80 is below the red threshold 0.90."],
            ],
            ["B", "B", "green", []],
            ["C", "C", "amber", ["SPI 0.94 is below the amber threshold 0.95."]],
            ["D", "D", "unknown", ["Health unknown on or before the as-of date: no plan yet."]],
            ["E", "E", "green", []],
        ]
    )
    changed = status_changes(before, after)
    assert changed[["project_id", "before", "after", "direction"]].values.tolist() == [
        ["A", "amber", "red", "worse"],
        ["C", "unknown", "amber", "worse"],
        ["B", "red", "green", "better"],
        ["E", "unknown", "green", "first judged"],  # nothing to compare with: neither better nor worse
        ["D", "green", "unknown", "no longer judged"],  # its data is gone: never an improvement
    ]
    reasons = new_reasons(before, after)
    assert reasons[["project_id", "reason"]].values.tolist() == [
        ["A", "CPI 0.89 is below the red threshold 0.90."],
        ["A", "SPI 0.80 is below the red threshold 0.90."],
        ["C", "SPI 0.94 is below the amber threshold 0.95."],
    ]


def test_milestone_slips_count_working_days_later_only():
    def plan(finish):
        return pd.DataFrame(
            {
                "project_id": ["P"] * 2,
                "task_uid": [1, 2],
                "name": ["Go-live", "Design"],
                "is_milestone": [True, True],
                "is_summary": [False, False],
                "finish": pd.to_datetime([finish, "2026-03-02"]),
            }
        )

    slips = milestone_slips(plan("2026-03-06"), plan("2026-03-13"))  # Friday -> next Friday
    assert slips[["name", "slip_days"]].values.tolist() == [["Go-live", 5]]
    assert milestone_slips(plan("2026-03-13"), plan("2026-03-06")).empty


RISKS = b"Risk ID,Title,Likelihood,Impact,Owner,Status,Due date\n"


@pytest.fixture(scope="module")
def escalating(tmp_path_factory, samples_db) -> Store:
    """The samples plus CORE-LEDGER's RAID log a week apart: R1 rises to 25, R3 is new and overdue."""
    from loaders.ingest import ingest_bytes

    store = Store(copy_db(samples_db, tmp_path_factory.mktemp("escalating") / "pack.duckdb"))
    as_of = store.latest_as_of()
    then = RISKS + b"R1,Ledger vendor late,Medium,High,Ana,Open,2026-12-31\n"
    now = then.replace(b"Medium,High", b"High,High") + b"R3,SAP interface not ready,Medium,Medium,Cy,Open,2026-11-01\n"
    for data, day in ((then, as_of - dt.timedelta(days=7)), (now, as_of)):
        assert ingest_bytes(store, data, "raid.csv", project_id="CORE-LEDGER", as_of=day).status == "stored"
    return store


def test_what_changed_in_every_format_lists_the_risks_escalated(escalating):
    as_of = escalating.latest_as_of()
    pack = build(escalating, as_of, as_of - dt.timedelta(days=7))
    assert pack.changes.escalated_risks.risk_id.tolist() == ["R1", "R3"]
    slide = _slide_text(Presentation(io.BytesIO(deck.render(pack))).slides[2])
    assert "Escalated risk" in slide and "Ledger vendor late" in slide and "SAP interface not ready" in slide
    assert "newest" in slide  # which snapshots each side reads
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.render(pack)))["What changed"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Why escalated" in cells and "R1" in cells and any("escalation threshold 20" in c for c in cells)
    assert document.render(pack).startswith(b"%PDF")


def test_the_pack_for_a_scope_holds_only_its_projects(escalating):
    as_of = escalating.latest_as_of()
    pack = build(escalating, as_of, as_of - dt.timedelta(days=7), ["CORE-LEDGER"])
    assert pack.appendix.project_id.tolist() == ["CORE-LEDGER"]
    assert {p.project_id for p in pack.projects} <= {"CORE-LEDGER"}
    assert set(pack.changes.status_changes.project_id) <= {"CORE-LEDGER"}
    assert sum(pack.counts.values()) == 1


def test_kpi_change_rows_never_show_minus_zero(pack):
    from reports import layout

    for label, _then, _now, change in layout.kpi_change_rows(pack):
        assert not change.startswith("-0") or any(ch in "123456789" for ch in change), (label, change)


def test_cli_refuses_a_compare_with_date_not_before_the_as_of_date(samples, tmp_path, capsys):
    as_of = samples.latest_as_of().isoformat()
    out = tmp_path / "p.pptx"
    assert cli.main(["pack", "--db", samples.path, "--out", str(out), "--compare-with", as_of]) == 2
    assert "is not before the as-of date" in capsys.readouterr().err and not out.exists()
