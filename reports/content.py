"""What the executive pack says, gathered from the store with the pages' own metrics.

One slide per red and amber project carries its computed health and the reasons with numbers,
the PM's latest status report, a chart (the S-curve where a plan exists, else the Jira burn-up,
else budget vs actual),
the top risks and the key milestones. The portfolio slide carries the status counts, the KPI
tiles and the SPI × CPI map; the appendix is every project's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from metrics import MetricsError
from metrics.changes import Changes, changes_since
from metrics.portfolio import portfolio_frame, totals
from metrics.status import latest as latest_status

APPENDIX_COLUMNS = ["project_id", "name", "program", "status", "spi", "cpi", "budget_variance_pct", "confidence"]
TOP_RISKS = 4
KEY_MILESTONES = 4


@dataclass(frozen=True)
class ProjectPage:
    project_id: str
    name: str
    program: str | None
    manager: str | None
    status: str
    reasons: tuple[str, ...]
    kpis: tuple[tuple[str, str], ...]  # (label, shown value)
    pm_status: dict | None  # the PM's latest report (rag, rag_reason, summary, ...), or None
    chart: alt.TopLevelMixin | None
    chart_title: str
    risks: pd.DataFrame  # risk_id, title, score, owner, due
    milestones: pd.DataFrame  # name, baseline_finish, finish, slip_days


@dataclass(frozen=True)
class Pack:
    as_of: dt.date
    title: str
    counts: dict[str, int]
    tiles: tuple[tuple[str, str], ...]
    portfolio_chart: alt.TopLevelMixin | None
    appendix: pd.DataFrame
    projects: tuple[ProjectPage, ...]
    changes: Changes | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _money(value, currency: str | None) -> str:
    if value is None or value != value:
        return "—"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{suffix} {currency or ''}".strip()
    return f"{value:,.0f} {currency or ''}".strip()


def _ratio(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def portfolio_tiles(frame: pd.DataFrame) -> tuple[dict[str, int], tuple[tuple[str, str], ...]]:
    """Status counts and the KPI tiles of the Overview (CPI, SPI, BAC, EAC over the same projects)."""
    t = totals(frame)
    counts = {s: t[s] for s in ("red", "amber", "green", "unknown")}
    tiles = (
        ("Projects", str(t["projects"])),
        ("Portfolio CPI", _ratio(t["cpi"])),
        ("Portfolio SPI", _ratio(t["spi"])),
        ("BAC", _money(t["bac"], t["currency"])),
        ("EAC (BAC/CPI)", _money(t["eac"], t["currency"])),
    )
    return counts, tiles


def _evm_page(store, project_id: str, as_of: dt.date, currency: str | None):
    """(kpis, chart, milestones) from the plan, or None without one."""
    from charts.evm import s_curve as s_curve_chart
    from metrics import evm

    try:
        view = evm.project_view(store, project_id, as_of)
    except MetricsError:
        return None
    current = view["current"]
    kpis = (
        ("CPI", _ratio(current.get("cpi"))),
        ("SPI", _ratio(current.get("spi"))),
        ("SPI(t)", _ratio(current.get("spi_t"))),
        ("EAC", _money(current.get("eac_cpi"), currency)),
        ("Finish", f"{current['forecast_finish']:%d %b %Y}" if current.get("forecast_finish") else "—"),
    )
    chart = s_curve_chart(view["s_curve"], currency or "") if not view["s_curve"].empty else None
    milestones = view["milestones"]
    if not milestones.empty:
        latest = milestones.sort_values("snapshot_as_of").drop_duplicates("task_uid", keep="last")
        milestones = latest.sort_values("slip_days", ascending=False, na_position="last").head(KEY_MILESTONES)
        milestones = milestones.rename(columns={"milestone": "name", "forecast_finish": "finish"})
        milestones = milestones.reindex(columns=["name", "baseline_finish", "finish", "slip_days"])
    return kpis, chart, milestones


def _delivery_chart(store, project_id: str, as_of: dt.date):
    """The Jira burn-up with its forecast cone, or None without a Jira export."""
    from charts.delivery import burnup as burnup_chart
    from metrics import delivery

    try:
        d = delivery.dashboard(store, project_id, as_of)
        burn, cone, _, _ = delivery.burnup(d)
    except MetricsError:
        return None
    return None if burn.empty else burnup_chart(burn, cone, d.unit)


def _budget_chart(store, project_id: str, as_of: dt.date, currency: str | None):
    """Budget vs actual, cumulative (the Finance page's chart), or None without finance lines."""
    from charts.budget import cumulative
    from metrics import budget

    try:
        prepared, _ = budget.prepared_lines(store, as_of, [project_id])
    except MetricsError:
        return None
    monthly = budget.monthly(prepared)
    return None if monthly.empty else cumulative(monthly, currency or "")


def _risks(store, project_id: str, as_of: dt.date) -> pd.DataFrame:
    columns = ["risk_id", "title", "score", "owner", "due"]
    risks = store.snapshot("risks", as_of, [project_id])
    if risks.empty:
        return pd.DataFrame(columns=columns)
    from metrics import risk

    return risk.top_risks(risks, TOP_RISKS).reindex(columns=columns)


def project_page(store, row: dict, as_of: dt.date, reports: pd.DataFrame) -> ProjectPage:
    pid = row["project_id"]
    currency = row.get("currency") if isinstance(row.get("currency"), str) else None
    evm_part = _evm_page(store, pid, as_of, currency)
    if evm_part:
        kpis, chart, milestones = evm_part
        chart_title = "Earned value S-curve"
    else:
        kpis, milestones = (), pd.DataFrame(columns=["name", "baseline_finish", "finish", "slip_days"])
        chart, chart_title = _delivery_chart(store, pid, as_of), "Burn-up with forecast"
        if chart is None:
            chart, chart_title = _budget_chart(store, pid, as_of, currency), "Budget vs actual"
    mine = reports[reports.project_id == pid] if not reports.empty else reports
    pm = mine.iloc[-1].to_dict() if not mine.empty else None
    manager = row.get("manager")
    return ProjectPage(
        project_id=pid,
        name=str(row.get("name") or pid),
        program=row.get("program") if isinstance(row.get("program"), str) else None,
        manager=manager if isinstance(manager, str) else None,
        status=row["status"],
        reasons=tuple(row.get("reasons") or ()),
        kpis=kpis,
        pm_status=pm,
        chart=chart,
        chart_title=chart_title if chart is not None else "",
        risks=_risks(store, pid, as_of),
        milestones=milestones,
    )


def build(
    store,
    as_of: dt.date | None = None,
    compare_with: dt.date | None = None,
    project_ids=None,
    *,
    frame: pd.DataFrame | None = None,
    changes: Changes | None = None,
) -> Pack:
    """The pack as of a date (the latest snapshot by default); ``compare_with`` adds what changed;
    ``project_ids`` narrows it to the projects in scope (the Overview's program filter). The
    Overview passes the ``frame`` (``portfolio_frame`` at ``as_of``) and ``changes`` it shows, so the
    pack's numbers are the page's and are not computed again."""
    from charts.portfolio import health_map

    as_of = as_of or store.latest_as_of()
    if as_of is None:
        raise MetricsError("the database holds no snapshots yet: there is nothing to report.")
    frame = portfolio_frame(store, as_of) if frame is None else frame
    if project_ids:
        frame = frame[frame.project_id.isin(list(project_ids))]
    counts, tiles = portfolio_tiles(frame)
    mapped = frame.dropna(subset=["spi", "cpi"]) if {"spi", "cpi"} <= set(frame) else frame.iloc[0:0]
    reports = latest_status(store.status_reports(until=as_of), as_of)
    flagged = frame[frame.status.isin(["red", "amber"])]
    flagged = flagged.assign(_o=flagged.status.map({"red": 0, "amber": 1})).sort_values(["_o", "project_id"])
    pages = tuple(project_page(store, row, as_of, reports) for row in flagged.to_dict("records"))
    ids = list(project_ids) if project_ids else None
    if changes is None and compare_with:
        changes = changes_since(store, compare_with, as_of, ids, after=frame)
    return Pack(
        as_of=as_of,
        title=f"Portfolio status — {as_of:%d %B %Y}",
        counts=counts,
        tiles=tiles,
        portfolio_chart=health_map(frame) if not mapped.empty else None,
        appendix=frame.reindex(columns=APPENDIX_COLUMNS).reset_index(drop=True),
        projects=pages,
        changes=changes,
    )
