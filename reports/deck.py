"""The pack as a PowerPoint deck (python-pptx, 16:9): title, portfolio, what changed, one slide per
red and amber project, appendix."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from charts import STATUS_COLORS
from reports import layout
from reports.content import Pack, ProjectPage
from reports.images import png

INK = RGBColor(0x22, 0x22, 0x22)
MUTED = RGBColor(0x66, 0x66, 0x66)
APPENDIX_ROWS_PER_SLIDE = 16


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text(slide, left, top, width, height, lines, size=14, bold=False, colour=INK):
    """A text box; ``lines`` is a string or a list of strings / (text, size, bold, colour) tuples."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate([lines] if isinstance(lines, str) else lines):
        text, s, b, c = (line, size, bold, colour) if isinstance(line, str) else line
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.bold, run.font.color.rgb = Pt(s), b, c
    return box


def _pill(slide, left, top, width, height, text, status, size=14):
    shape = slide.shapes.add_shape(5, Inches(left), Inches(top), Inches(width), Inches(height))  # rounded rectangle
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(STATUS_COLORS.get(status, STATUS_COLORS["unknown"]))
    shape.line.fill.background()
    run = shape.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), True, RGBColor(0xFF, 0xFF, 0xFF)
    return shape


def _table(slide, left, top, width, header, rows, size=10, widths=None):
    if not rows:
        return None
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width), Inches(0.28 * (len(rows) + 1))
    )
    table = shape.table
    for row in table.rows:
        row.height = Inches(0.26)
    for c, title in enumerate(header):
        table.cell(0, c).text = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for cell in (table.cell(r, c) for r in range(len(rows) + 1) for c in range(len(header))):
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(size)
        cell.margin_top = cell.margin_bottom = Inches(0.02)
    if widths:
        total = sum(widths)
        for c, w in enumerate(widths):
            table.columns[c].width = Emu(int(Inches(width) * w / total))
    return shape


def _picture(slide, chart, left, top, width, height):
    image = png(chart, width=int(width * 96), height=int(height * 72))
    slide.shapes.add_picture(io.BytesIO(image), Inches(left), Inches(top), width=Inches(width))


def _title_slide(prs, pack: Pack):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, 0.8, 2.3, 11.7, 1.2, pack.title, size=36, bold=True)
    _text(slide, 0.8, 3.5, 11.7, 0.6, layout.counts_line(pack), size=18, colour=MUTED)
    _text(slide, 0.8, 6.6, 11.7, 0.4, "PMO Portfolio Analytics · computed from the stored snapshots", 11, colour=MUTED)


def _portfolio_slide(prs, pack: Pack):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, 0.5, 0.3, 12, 0.6, "Portfolio health", size=26, bold=True)
    for i, status in enumerate(("red", "amber", "green", "unknown")):
        _pill(slide, 0.5 + (i % 2) * 1.85, 1.0 + (i // 2) * 0.65, 1.7, 0.55, f"{pack.counts[status]} {status}", status)
    for i, (label, value) in enumerate(pack.tiles):
        _text(slide, 0.5, 2.45 + i * 0.85, 3.6, 0.8, [(label, 11, False, MUTED), (value, 20, True, INK)])
    if pack.portfolio_chart is not None:
        _picture(slide, pack.portfolio_chart, 4.4, 1.0, 8.4, 5.9)
    else:
        _text(slide, 4.4, 3.0, 8, 1, "No project has earned value yet: no SPI × CPI map.", 14, colour=MUTED)


def _capped(rows: list[list[str]], limit: int, empty: list[str]) -> list[list[str]]:
    """At most ``limit`` rows, then one saying how many more (in the column ``empty`` words its
    message in); ``empty`` when there are none."""
    if not rows:
        return [empty]
    if len(rows) <= limit:
        return rows
    more = [""] * len(empty)
    more[next(i for i, cell in enumerate(empty) if cell not in ("", "—"))] = (
        f"… and {len(rows) - limit} more (see the workbook)"
    )
    return [*rows[:limit], more]


def _height(header, rows, width, size, widths=None) -> float:
    """The table's height in inches once PowerPoint wraps its cells (about 0.55 em per character)."""
    widths = widths or [1] * len(header)
    columns = [width * w / sum(widths) - 0.1 for w in widths]
    line = size * 1.2 / 72
    total = 0.0
    for row in [header, *rows]:
        lines = max(max(1, -(-len(str(cell)) * size * 0.55 / 72 // max(col, 0.1))) for cell, col in zip(row, columns))
        total += max(0.26, lines * line + 0.06)
    return total


def _column(slide, left, top, width, tables, size=9):
    """Tables one under the other from ``top``: (header, rows, widths) each."""
    for header, rows, widths in tables:
        _table(slide, left, top, width, header, rows, size, widths=widths)
        top += _height(header, rows, width, size, widths) + 0.2


def _changes_slide(prs, pack: Pack):
    """Left: KPIs then/now, status changes, milestone slips; right: new reasons, risks escalated."""
    ch = pack.changes
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, 0.5, 0.25, 12.3, 0.6, f"What changed since {ch.since:%d %b %Y}", size=26, bold=True)
    _text(slide, 0.5, 0.8, 12.3, 0.3, layout.snapshots_line(pack), 10, colour=MUTED)
    status = [[r.project_id, str(r.name or ""), r.before, r.after] for r in ch.status_changes.itertuples()]
    reasons = [[r.project_id, r.reason] for r in ch.new_reasons.itertuples()]
    risks = [[p, r, t, sc] for p, r, t, sc, _ in layout.escalated_rows(pack)]
    _column(
        slide,
        0.5,
        1.2,
        6.0,
        [
            (layout.KPI_CHANGE_HEADER, layout.kpi_change_rows(pack), [2, 1.3, 1.3, 1.2]),
            (
                ["Project", "Name", "Was", "Now"],
                _capped(status, 6, ["—", "No status changed", "", ""]),
                [1.4, 2.6, 1, 1],
            ),
            (
                layout.SLIP_HEADER,
                _capped(layout.slip_rows(pack), 4, ["—", "No milestone slipped", "", "", ""]),
                [1.3, 3, 1.2, 1.2, 0.8],
            ),
        ],
    )
    _column(
        slide,
        6.8,
        1.2,
        6.0,
        [
            (["Project", "New reason"], _capped(reasons, 5, ["—", "No new red or amber reason"]), [1.3, 4]),
            (
                ["Project", "Risk", "Escalated risk", "Score"],
                _capped(risks, 7, ["—", "", "No risk escalated", ""]),
                [1.3, 0.9, 3.6, 0.6],
            ),
        ],
    )


def _project_slide(prs, page: ProjectPage):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, 0.5, 0.25, 10.2, 0.6, f"{page.name} ({page.project_id})", size=24, bold=True)
    _pill(slide, 10.9, 0.3, 1.9, 0.5, layout.STATUS_WORDS[page.status], page.status, 16)
    sub = " · ".join(x for x in (page.program, f"PM {page.manager}" if page.manager else None) if x)
    _text(slide, 0.5, 0.85, 12, 0.4, sub or " ", 12, colour=MUTED)
    why = [("Why it is " + page.status, 13, True, INK)] + [("• " + r, 11, False, INK) for r in page.reasons]
    _text(slide, 0.5, 1.3, 5.6, 2.0, why)
    pm = [(f"{label}: {text}", 11, label == "PM's RAG", INK) for label, text in layout.pm_lines(page)]
    _text(slide, 0.5, 3.3, 5.6, 2.0, [("The PM's word", 13, True, INK), *pm])
    if page.kpis:
        kpi = "   ".join(f"{label} {value}" for label, value in page.kpis)
        _text(slide, 6.4, 1.25, 6.5, 0.4, kpi, 11, bold=True)
    if page.chart is not None:
        _picture(slide, page.chart, 6.4, 1.7, 6.5, 3.3)
    bottom = 5.25
    risks = layout.risk_rows(page)
    if risks:
        _table(slide, 0.5, bottom, 6.0, layout.RISK_HEADER, risks, 9, widths=[1, 4, 0.8, 1.6, 1.3])
    milestones = layout.milestone_rows(page)
    if milestones:
        _table(slide, 6.8, bottom, 6.0, layout.MILESTONE_HEADER, milestones, 9, widths=[4, 1.5, 1.5, 1])


def _appendix(prs, pack: Pack):
    rows = layout.appendix_rows(pack)
    for start in range(0, max(len(rows), 1), APPENDIX_ROWS_PER_SLIDE):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        _text(slide, 0.5, 0.3, 12, 0.6, "Appendix: every project", size=24, bold=True)
        chunk = rows[start : start + APPENDIX_ROWS_PER_SLIDE] or [["—"] + [""] * 7]
        _table(slide, 0.5, 1.0, 12.3, layout.APPENDIX_HEADER, chunk, 10, widths=[1.6, 3, 1.6, 1, 0.7, 0.7, 1.6, 1.1])


def render(pack: Pack) -> bytes:
    """The deck as .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    _title_slide(prs, pack)
    _portfolio_slide(prs, pack)
    if pack.changes is not None:
        _changes_slide(prs, pack)
    for page in pack.projects:
        _project_slide(prs, page)
    _appendix(prs, pack)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
