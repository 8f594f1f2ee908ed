"""What every pack format shows, as plain rows and sentences (pure): one wording for the deck,
the workbook and the PDF, so the three never disagree."""

from __future__ import annotations

import pandas as pd

from reports.content import Pack, ProjectPage

STATUS_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "unknown": "Unknown"}
PM_FIELDS = (
    ("summary", "Summary"),
    ("accomplishments", "Accomplishments"),
    ("next_steps", "Next steps"),
    ("asks", "Decisions / help needed"),
)


def counts_line(pack: Pack) -> str:
    c = pack.counts
    total = sum(c.values())
    return f"{total} projects · {c['red']} red · {c['amber']} amber · {c['green']} green · {c['unknown']} unknown"


def pm_lines(page: ProjectPage) -> list[tuple[str, str]]:
    """(label, text) of the PM's latest status report, or a line saying there is none."""
    pm = page.pm_status
    if not pm:
        return [("PM status", "No status report from the PM for this week.")]
    rag = STATUS_WORDS.get(str(pm.get("rag")), str(pm.get("rag")))
    when = pd.Timestamp(pm["as_of"]).strftime("%d %b %Y")
    lines = [("PM's RAG", f"{rag} (reported {when}{', by ' + pm['author'] if _text(pm.get('author')) else ''})")]
    if _text(pm.get("rag_reason")):
        lines.append(("Why the PM differs", pm["rag_reason"]))
    lines += [(label, pm[key]) for key, label in PM_FIELDS if _text(pm.get(key))]
    return lines


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def risk_rows(page: ProjectPage) -> list[list[str]]:
    rows = []
    for r in page.risks.itertuples():
        due = "" if pd.isna(r.due) else pd.Timestamp(r.due).strftime("%d %b %Y")
        score = "" if pd.isna(r.score) else f"{r.score:g}"
        rows.append([str(r.risk_id), str(r.title or ""), score, str(r.owner or ""), due])
    return rows


def milestone_rows(page: ProjectPage) -> list[list[str]]:
    rows = []
    for m in page.milestones.itertuples():
        base = "" if pd.isna(m.baseline_finish) else pd.Timestamp(m.baseline_finish).strftime("%d %b %Y")
        now = "" if pd.isna(m.finish) else pd.Timestamp(m.finish).strftime("%d %b %Y")
        slip = "" if pd.isna(m.slip_days) else f"{m.slip_days:+.0f} d"
        rows.append([str(m.name), base, now, slip])
    return rows


def appendix_rows(pack: Pack) -> list[list[str]]:
    rows = []
    for r in pack.appendix.itertuples():
        pct = "" if pd.isna(r.budget_variance_pct) else f"{100 * r.budget_variance_pct:+.1f} %"
        rows.append(
            [
                str(r.project_id),
                str(r.name or ""),
                str(r.program or "") if isinstance(r.program, str) else "",
                STATUS_WORDS.get(r.status, r.status),
                _num(r.spi),
                _num(r.cpi),
                pct,
                str(r.confidence or ""),
            ]
        )
    return rows


def _num(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.2f}"


APPENDIX_HEADER = ["Project", "Name", "Program", "Status", "SPI", "CPI", "Budget var. (+ = under)", "Confidence"]
RISK_HEADER = ["Risk", "Title", "Score", "Owner", "Due"]
MILESTONE_HEADER = ["Milestone", "Baseline", "Forecast", "Slip"]


def kpi_change_rows(pack: Pack) -> list[list[str]]:
    """The KPI tiles then and now (counts as whole numbers, indices to two decimals, money rounded)."""
    rows = []
    for r in pack.changes.kpis.itertuples():
        fmt = (
            (lambda v: f"{v:,.0f}")
            if r.key in ("bac", "eac")
            else (lambda v: f"{v:.2f}")
            if r.key in ("cpi", "spi")
            else (lambda v: f"{v:g}")
        )
        shown = [("—" if v is None or pd.isna(v) else fmt(v)) for v in (r.before, r.after)]
        delta = "—" if r.delta is None or pd.isna(r.delta) else fmt(r.delta)
        if delta != "—" and any(ch in "123456789" for ch in delta):
            delta = delta if delta.startswith("-") else "+" + delta
        elif delta != "—":
            delta = delta.lstrip("-")  # -0.00 is no change
        rows.append([r.label, *shown, delta])
    return rows


def slip_rows(pack: Pack) -> list[list[str]]:
    return [
        [
            r.project_id,
            str(r.name),
            f"{pd.Timestamp(r.finish_before):%d %b %Y}",
            f"{pd.Timestamp(r.finish_after):%d %b %Y}",
            f"+{r.slip_days:.0f} d",
        ]
        for r in pack.changes.slipped_milestones.itertuples()
    ]


KPI_CHANGE_HEADER = ["KPI", "Then", "Now", "Change"]
SLIP_HEADER = ["Project", "Milestone", "Was", "Now", "Slip"]


def escalated_rows(pack: Pack, limit: int | None = None) -> list[list[str]]:
    """Risks escalated since the compare-with date (present and escalated now, not then): project,
    risk id, title, score, why (the rules that fired now)."""
    frame = pack.changes.escalated_risks
    rows = [
        [
            str(r.project_id),
            str(r.risk_id),
            str(r.title) if isinstance(r.title, str) else "",
            "" if pd.isna(r.score) else f"{r.score:g}",
            str(r.why or ""),
        ]
        for r in (frame if limit is None else frame.head(limit)).itertuples()
    ]
    if limit is not None and len(frame) > limit:
        rows.append(["", "", f"… and {len(frame) - limit} more (every one is in the workbook)", "", ""])
    return rows


def snapshots_line(pack: Pack) -> str:
    """Which snapshots each side of 'what changed' reads."""
    ch = pack.changes
    if ch.since_snapshot is None:
        return f"No snapshot on or before {ch.since:%d %b %Y}: every project counts as new since then."
    until = f"{ch.until_snapshot:%d %b %Y}" if ch.until_snapshot else "—"
    return (
        f"Then: the snapshots on or before {ch.since:%d %b %Y} (newest {ch.since_snapshot:%d %b %Y}) · "
        f"now: on or before {ch.until:%d %b %Y} (newest {until})."
    )


ESCALATED_HEADER = ["Project", "Risk", "Title", "Score", "Why escalated"]
