"""The pack as an Excel workbook (xlsxwriter): a Portfolio sheet, What changed, one sheet per red
and amber project with its chart as an image, and the appendix. Text is written as text with the
quote prefix where a spreadsheet would read it as a formula (see :mod:`exports`)."""

from __future__ import annotations

import io

import xlsxwriter

from exports import _sheet_name, is_dangerous
from reports import layout
from reports.content import Pack, ProjectPage
from reports.images import png


class _Sheet:
    """Writes rows top to bottom on one worksheet."""

    def __init__(self, workbook, sheet, formats):
        self.workbook, self.sheet, self.f, self.row = workbook, sheet, formats, 0

    def text(self, value: str, fmt: str | None = None, col: int = 0):
        value = "" if value is None else str(value)
        style = self.f["quoted"] if is_dangerous(value) else (self.f[fmt] if fmt else None)
        self.sheet.write_string(self.row, col, value, style)

    def line(self, *values, fmt: str | None = None):
        for col, value in enumerate(values):
            self.text(value, fmt, col)
        self.row += 1

    def table(self, header, rows):
        self.line(*header, fmt="header")
        for row in rows:
            self.line(*row)
        self.row += 1

    def image(self, chart, rows: int = 18):
        if chart is None:
            return
        data = io.BytesIO(png(chart, width=640, height=300, scale=1.5))
        self.sheet.insert_image(self.row, 0, "chart.png", {"image_data": data, "x_scale": 0.66, "y_scale": 0.66})
        self.row += rows


def _project(s: _Sheet, page: ProjectPage):
    s.line(f"{page.name} ({page.project_id})", fmt="title")
    s.line("Computed health", layout.STATUS_WORDS[page.status], fmt="bold")
    if page.manager:
        s.line("PM", page.manager)
    for reason in page.reasons:
        s.line("Why", reason)
    for label, value in page.kpis:
        s.line(label, value)
    s.row += 1
    for label, text in layout.pm_lines(page):
        s.line(label, text)
    s.row += 1
    if page.chart is not None:
        s.line(page.chart_title, fmt="bold")
        s.image(page.chart)
    if not page.risks.empty:
        s.line("Top risks", fmt="bold")
        s.table(layout.RISK_HEADER, layout.risk_rows(page))
    if not page.milestones.empty:
        s.line("Key milestones", fmt="bold")
        s.table(layout.MILESTONE_HEADER, layout.milestone_rows(page))


def render(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 16}),
        "bold": workbook.add_format({"bold": True}),
        "header": workbook.add_format({"bold": True, "bottom": 1}),
        "quoted": workbook.add_format({"quote_prefix": True}),
    }
    used: set[str] = set()

    def sheet(name: str) -> _Sheet:
        ws = workbook.add_worksheet(_sheet_name(name, used))
        ws.set_column(0, 0, 24)
        ws.set_column(1, 7, 18)
        return _Sheet(workbook, ws, formats)

    s = sheet("Portfolio")
    s.line(pack.title, fmt="title")
    s.line(layout.counts_line(pack))
    for label, value in pack.tiles:
        s.line(label, value)
    s.row += 1
    s.image(pack.portfolio_chart, rows=22)
    if pack.changes is not None:
        c = sheet("What changed")
        c.line(f"What changed since {pack.changes.since:%d %b %Y}", fmt="title")
        c.line(layout.snapshots_line(pack))
        c.row += 1
        rows = [[r.project_id, str(r.name or ""), r.before, r.after] for r in pack.changes.status_changes.itertuples()]
        c.table(["Project", "Name", "Was", "Now"], rows)
        c.table(["Project", "New reason"], [[r.project_id, r.reason] for r in pack.changes.new_reasons.itertuples()])
        c.table(layout.KPI_CHANGE_HEADER, layout.kpi_change_rows(pack))
        c.table(layout.ESCALATED_HEADER, layout.escalated_rows(pack) or [["—", "", "No risk escalated", "", ""]])
        c.table(layout.SLIP_HEADER, layout.slip_rows(pack))
    for page in pack.projects:
        _project(sheet(page.project_id), page)
    a = sheet("Appendix")
    a.table(layout.APPENDIX_HEADER, layout.appendix_rows(pack))
    workbook.close()
    return buffer.getvalue()
