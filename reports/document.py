"""The pack as PDF (reportlab: a mature, pure-Python PDF library with no system dependencies,
which embeds the same PNG charts and lays out tables; a landscape A4 page per section)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from charts import STATUS_COLORS
from reports import layout
from reports.content import Pack, ProjectPage
from reports.images import png

STYLES = getSampleStyleSheet()


def _p(text: str, style: str = "BodyText") -> Paragraph:
    """A paragraph of plain text: reportlab reads markup in paragraphs, so user text is escaped."""
    return Paragraph(escape(str(text)), STYLES[style])


def _section(title: str) -> list:
    """A table's heading, moved to the next page with the table when fewer than 3 cm are left (a
    heading never ends a page alone; a long table still splits, its header row repeated)."""
    return [CondPageBreak(3 * cm), _p(title, "Heading3")]


def _table(header, rows, widths=None) -> Table:
    data = [[_p(h, "BodyText") for h in header]] + [[_p(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _chart(chart, width_cm: float = 16) -> Image:
    data = png(chart, width=640, height=300)
    image = Image(io.BytesIO(data))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth, image.drawHeight = width_cm * cm, width_cm * cm * ratio
    return image


def _status(status: str) -> Table:
    cell = Table([[_p(layout.STATUS_WORDS[status], "Heading3")]], colWidths=[4 * cm], hAlign="LEFT")
    cell.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(STATUS_COLORS[status]))]))
    return cell


def _project(page: ProjectPage) -> list:
    flow = [_p(f"{page.name} ({page.project_id})", "Heading1"), _status(page.status)]
    if page.manager:
        flow.append(_p(f"PM: {page.manager}"))
    flow += [_p("• " + r) for r in page.reasons]
    if page.kpis:
        flow.append(_p("   ".join(f"{label} {value}" for label, value in page.kpis)))
    flow += [_p(f"{label}: {text}") for label, text in layout.pm_lines(page)]
    if page.chart is not None:
        flow += [Spacer(1, 0.2 * cm), _chart(page.chart)]
    if not page.risks.empty:
        flow += [*_section("Top risks"), _table(layout.RISK_HEADER, layout.risk_rows(page))]
    if not page.milestones.empty:
        flow += [*_section("Key milestones"), _table(layout.MILESTONE_HEADER, layout.milestone_rows(page))]
    return [*flow, PageBreak()]


def render(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=pack.title,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
    )
    flow = [_p(pack.title, "Title"), _p(layout.counts_line(pack), "Heading2")]
    flow.append(_table([label for label, _ in pack.tiles], [[value for _, value in pack.tiles]]))
    if pack.portfolio_chart is not None:
        flow += [Spacer(1, 0.3 * cm), _chart(pack.portfolio_chart, 18)]
    flow.append(PageBreak())
    if pack.changes is not None:
        rows = [[r.project_id, str(r.name or ""), r.before, r.after] for r in pack.changes.status_changes.itertuples()]
        flow += [
            _p(f"What changed since {pack.changes.since:%d %b %Y}", "Heading1"),
            _p(layout.snapshots_line(pack)),
            Spacer(1, 0.2 * cm),
            _table(layout.KPI_CHANGE_HEADER, layout.kpi_change_rows(pack)),
            Spacer(1, 0.3 * cm),
            _table(["Project", "Name", "Was", "Now"], rows or [["—", "No status changed", "", ""]]),
            Spacer(1, 0.3 * cm),
            _table(
                ["Project", "New reason"],
                [[r.project_id, r.reason] for r in pack.changes.new_reasons.itertuples()] or [["—", "None"]],
            ),
            *_section("Risks escalated"),
            _table(
                layout.ESCALATED_HEADER,
                layout.escalated_rows(pack) or [["—", "", "No risk escalated", "", ""]],
                widths=[3.6 * cm, 2.4 * cm, 6.6 * cm, 1.4 * cm, 12.6 * cm],  # ids unbroken; 26.6 cm of 26.7
            ),
            *_section("Milestones slipped"),
            _table(layout.SLIP_HEADER, layout.slip_rows(pack) or [["—", "No milestone slipped", "", "", ""]]),
            PageBreak(),
        ]
    for page in pack.projects:
        flow += _project(page)
    flow += [_p("Appendix: every project", "Heading1"), _table(layout.APPENDIX_HEADER, layout.appendix_rows(pack))]
    doc.build(flow)
    return buffer.getvalue()
