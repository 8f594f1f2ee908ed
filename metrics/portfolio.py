"""Portfolio health: declarative RAG rules over each project's latest numbers.

A project's status is the worst status any rule gives it; every rule that fires adds a sentence
with the numbers behind it. ``unknown`` means no rule had data to judge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics import MetricsError

LATEST_COLUMNS = {"msproject": "plan_as_of", "jira": "jira_as_of", "finance": "finance_as_of"}
STATUS_ORDER = {"unknown": 0, "green": 1, "amber": 2, "red": 3}


@dataclass(frozen=True)
class Rule:
    """``metric`` turns ``amber`` past ``amber`` and ``red`` past ``red``; ``worse`` says which
    direction is bad (``below`` for indices, ``above`` for slips and overruns)."""

    metric: str
    label: str
    amber: float
    red: float
    worse: str  # "below" | "above"
    unit: str = ""
    help: str = ""
    freshness: bool = False  # can only make a status worse; alone it never makes a project green

    def status(self, value) -> str | None:
        """'red' | 'amber' | 'green', or None when the value is missing."""
        if value is None or value != value:
            return None
        bad = (lambda v, t: v < t) if self.worse == "below" else (lambda v, t: v > t)
        return "red" if bad(value, self.red) else "amber" if bad(value, self.amber) else "green"

    def sentence(self, value, status: str) -> str:
        limit = self.red if status == "red" else self.amber
        shown = f"{value:.2f}" if not self.unit else f"{value:,.0f}{self.unit}"
        bound = f"{limit:.2f}" if not self.unit else f"{limit:,.0f}{self.unit}"
        side = "below" if self.worse == "below" else "above"
        return f"{self.label} {shown} is {side} the {status} threshold {bound}."


RULES: tuple[Rule, ...] = (
    Rule("cpi", "CPI", 0.95, 0.90, "below", help="Cost performance index = EV / AC"),
    Rule("spi", "SPI", 0.95, 0.90, "below", help="Schedule performance index = EV / PV"),
    Rule("spi_t", "SPI(t)", 0.95, 0.90, "below", help="Time-based schedule index = ES / AT"),
    Rule(
        "budget_deviation_pct",
        "Budget variance",
        5,
        10,
        "above",
        " %",
        "|budget − actual| / budget to date, over or under (DESIGN.md §6 thresholds)",
    ),
    Rule(
        "milestone_slip_days",
        "Worst milestone slip",
        5,
        10,
        "above",
        " working days",
        "forecast or actual finish minus baseline finish, in working days",
    ),
    Rule(
        "data_age_days",
        "Newest data",
        14,
        30,
        "above",
        " days old",
        "days from the newest snapshot to the as-of date",
        freshness=True,
    ),
)


def judge(values: dict, rules: tuple[Rule, ...] = RULES) -> tuple[str, list[str]]:
    """(status, reasons): status = worst of the rules' statuses; reasons = one sentence per
    amber or red rule, worst first. ``unknown`` when no rule had a value."""
    fired = []
    judged = False
    for rule in rules:
        status = rule.status(values.get(rule.metric))
        if status is None:
            continue
        judged = judged or not rule.freshness
        if status != "green":
            fired.append((STATUS_ORDER[status], rule.sentence(values[rule.metric], status)))
    if not judged:
        return "unknown", [
            "No earned value, budget or milestone numbers on or before the as-of date "
            "(a plan with baseline and % complete, or a finance workbook, gives them).",
            *(text for _, text in fired),
        ]
    if not fired:
        return "green", []
    fired.sort(key=lambda item: -item[0])
    worst = max(level for level, _ in fired)
    return next(k for k, v in STATUS_ORDER.items() if v == worst), [text for _, text in fired]


def milestone_slip_days(tasks: pd.DataFrame) -> float | None:
    """Worst slip of a milestone = working days (Mon–Fri) from its baseline finish to its
    current (forecast or actual) finish; positive = late. None without baselined milestones."""
    if tasks.empty:
        return None
    m = tasks[tasks.is_milestone.fillna(False) & ~tasks.is_summary.fillna(False)]
    m = m.dropna(subset=["baseline_finish", "finish"])
    if m.empty:
        return None
    base = m.baseline_finish.values.astype("datetime64[D]")
    now = m.finish.values.astype("datetime64[D]")
    late = np.busday_count(base, now)
    return float(late.max())


def confidence(sources: set[str], data_age_days: float | None) -> str:
    """How much to trust a status: high = a plan and finance data no older than 14 days;
    medium = at least one source no older than 30 days; low otherwise."""
    if data_age_days is None:
        return "low"
    if {"msproject", "finance"} <= sources and data_age_days <= 14:
        return "high"
    return "medium" if data_age_days <= 30 else "low"


def project_health(
    projects: pd.DataFrame,
    evm: pd.DataFrame,
    budget: pd.DataFrame,
    slips: pd.DataFrame,
    snapshots: pd.DataFrame,
    as_of: dt.date,
    rules: tuple[Rule, ...] = RULES,
) -> pd.DataFrame:
    """One row per project with status, reasons and the numbers behind them.

    Inputs (one row per project_id each): ``evm`` (spi, cpi, spi_t, bac, pv, ev, ac, eac_cpi),
    ``budget`` (budget, actual, variance_pct), ``slips`` (milestone_slip_days), ``snapshots``
    (project_id, source, as_of: the latest snapshot per source). budget_deviation_pct =
    |variance_pct| × 100 (over or under budget); data_age_days = as_of − newest snapshot.
    """
    table = projects.reindex(columns=["project_id", "name", "program", "portfolio", "manager", "currency"])
    for frame in (evm, budget, slips):
        if not frame.empty:
            table = table.merge(frame, on="project_id", how="left")
    newest = snapshots.groupby("project_id").as_of.max() if not snapshots.empty else pd.Series(dtype="datetime64[us]")
    sources = snapshots.groupby("project_id").source.agg(set) if not snapshots.empty else pd.Series(dtype=object)
    rows = []
    for row in table.to_dict("records"):
        pid = row["project_id"]
        latest = newest.get(pid)
        row["data_age_days"] = None if latest is None or pd.isna(latest) else (as_of - pd.Timestamp(latest).date()).days
        variance_pct = row.get("variance_pct")
        missing = variance_pct is None or pd.isna(variance_pct)
        row["budget_variance_pct"] = None if missing else variance_pct
        row["budget_deviation_pct"] = None if missing else abs(100 * variance_pct)
        row["status"], reasons = judge(row, rules)
        side = "over" if not missing and variance_pct < 0 else "under"
        row["reasons"] = [r.replace("Budget variance", f"Budget variance ({side} budget)", 1) for r in reasons]
        row["confidence"] = confidence(sources.get(pid, set()), row["data_age_days"])
        row["sources"] = ", ".join(sorted(sources.get(pid, set())))
        for source, column in LATEST_COLUMNS.items():
            dates = snapshots[(snapshots.project_id == pid) & (snapshots.source == source)].as_of
            row[column] = None if dates.empty else pd.Timestamp(dates.max()).date()
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=[*table.columns, "status", "reasons", "confidence", "sources"])
    out = pd.DataFrame(rows)
    order = out.status.map(STATUS_ORDER)
    return out.assign(_o=order).sort_values(["_o", "project_id"], ascending=[False, True]).drop(columns="_o")


def totals(frame: pd.DataFrame) -> dict:
    """Portfolio roll-up of the projects in ``frame`` (see :func:`metrics.evm.rollup`): sums
    first, then divide — never an average of indices. CPI = ΣEV / ΣAC over the projects with EV
    and AC; SPI = ΣEV / ΣPV over those with EV and PV; ``bac`` and ``eac`` = ΣBAC and ΣBAC / CPI
    over the same projects as CPI, so EAC − BAC compares like with like. Money is rolled up only
    within one currency: ``currency`` (the one most projects use); ``other_currencies`` lists the
    rest. Plus the count of projects per status."""
    from metrics.evm import rollup

    counts = frame.status.value_counts().to_dict() if not frame.empty else {}
    currencies = frame.currency.fillna("").value_counts() if "currency" in frame and not frame.empty else pd.Series()
    currency = currencies.index[0] if len(currencies) else ""
    same = frame[frame.currency.fillna("") == currency] if "currency" in frame else frame
    rolled = rollup(same.reindex(columns=["bac", "pv", "ev", "ac"]))
    return {
        "projects": len(frame),
        **{s: int(counts.get(s, 0)) for s in STATUS_ORDER},
        "cpi": rolled["cpi"],
        "spi": rolled["spi"],
        "cpi_projects": rolled["cpi_projects"],
        "spi_projects": rolled["spi_projects"],
        "bac": rolled["cost_bac"],
        "eac": rolled["eac_cpi"],
        "currency": currency or None,
        "other_currencies": [c for c in currencies.index[1:] if c],
        "trend_projects": sorted(same.dropna(subset=["ev"]).project_id) if {"ev", "project_id"} <= set(same) else [],
    }


def report(store, as_of: dt.date | None = None, project_id: str | None = None) -> dict:
    """``python -m metrics portfolio``: every project's health as of a date (or one project's)."""
    frame = portfolio_frame(store, as_of)
    if project_id is not None:
        frame = frame[frame.project_id == project_id]
        if frame.empty:
            raise MetricsError(f"no project {project_id!r} in the database.")
    columns = [
        "project_id",
        "name",
        "program",
        "currency",
        "status",
        "reasons",
        "spi",
        "cpi",
        "spi_t",
        "bac",
        "ev",
        "ac",
        "eac",
        "budget_variance_pct",
        "milestone_slip_days",
        "data_age_days",
        "confidence",
        "sources",
    ]
    frame = frame.reindex(columns=columns)
    return {"as_of": frame.attrs.get("as_of"), "projects": frame.to_dict("records")}


def portfolio_frame(store, as_of: dt.date | None = None) -> pd.DataFrame:
    """Read every project's latest snapshots on or before ``as_of`` and judge its health."""
    latest = store.latest_as_of()
    as_of = as_of or latest
    if latest is None:
        raise MetricsError("the database holds no snapshots yet: ingest a plan, a Jira export or a finance workbook.")
    projects = store.projects()
    tasks = store.snapshot("tasks", as_of)
    evm = evm_by_project(tasks, store.snapshot("timephased_baseline", as_of))
    slips = pd.DataFrame(
        [{"project_id": pid, "milestone_slip_days": milestone_slip_days(t)} for pid, t in tasks.groupby("project_id")],
        columns=["project_id", "milestone_slip_days"],
    )
    budget = budget_by_project(store, as_of)
    frame = project_health(projects, evm, budget, slips, store.latest_snapshots(as_of), as_of)
    frame.attrs["as_of"] = as_of.isoformat()
    return frame


def evm_by_project(tasks: pd.DataFrame, timephased: pd.DataFrame | None = None) -> pd.DataFrame:
    """EVM of each project's latest plan at that plan's own status date (with MS Project's
    time-phased baseline where the plan carries one)."""
    from metrics.evm import evm_at

    rows = []
    for pid, plan in tasks.groupby("project_id"):
        status_date = pd.Timestamp(plan.snapshot_as_of.iloc[0]).date()
        spread = None
        if timephased is not None and not timephased.empty:
            spread = timephased[timephased.upload_id == plan.upload_id.iloc[0]]
        result = evm_at(plan, status_date, timephased=spread if spread is not None and not spread.empty else None)
        money = result.get("unit") != "hours"  # a plan without baseline cost runs EVM in hours: no money to roll up
        rows.append(
            {
                "project_id": pid,
                **{k: result.get(k) if money else None for k in ("bac", "pv", "ev", "ac")},
                **{k: result.get(k) for k in ("spi", "cpi", "spi_t")},
                "eac": result.get("eac_cpi") if money else None,
                "status_date": status_date,
            }
        )
    return pd.DataFrame(
        rows, columns=["project_id", "bac", "pv", "ev", "ac", "spi", "cpi", "spi_t", "eac", "status_date"]
    )


def budget_by_project(store, as_of: dt.date) -> pd.DataFrame:
    """Budget and actual to date per project from the finance metrics."""
    from metrics.budget import report as budget_report

    try:
        projects = budget_report(store, as_of=as_of)["projects"]
    except MetricsError:
        projects = []
    frame = pd.DataFrame(projects)
    if frame.empty:
        return pd.DataFrame(columns=["project_id", "budget", "actual", "variance_pct", "budget_status"])
    frame = frame.rename(columns={"status": "budget_status"})[
        ["project_id", "budget", "actual", "variance_pct", "budget_status"]
    ]
    # A project budgeted in several currencies has no single variance without a rate table.
    mixed = frame.project_id.duplicated(keep=False)
    frame.loc[mixed, ["budget", "actual", "variance_pct", "budget_status"]] = None
    return frame.drop_duplicates("project_id")


def index_trend(histories: pd.DataFrame, dates) -> pd.DataFrame:
    """Portfolio CPI and SPI at each date, with as-of semantics: per project its latest snapshot
    on or before the date, then CPI = ΣEV / ΣAC and SPI = ΣEV / ΣPV over those projects
    (:func:`metrics.evm.rollup`). ``histories``: one row per project and snapshot (project_id,
    snapshot_as_of, bac, pv, ev, ac). Returns snapshot_as_of, index, value, projects."""
    from metrics.evm import rollup

    rows = []
    if histories.empty:
        return pd.DataFrame(rows, columns=["snapshot_as_of", "index", "value", "projects"])
    ordered = histories.sort_values("snapshot_as_of")
    for day in sorted(dates):
        latest = ordered[ordered.snapshot_as_of <= pd.Timestamp(day)].groupby("project_id").tail(1)
        if latest.empty:
            continue
        rolled = rollup(latest[["bac", "pv", "ev", "ac"]])
        for index, key, count in (("CPI", "cpi", "cpi_projects"), ("SPI", "spi", "spi_projects")):
            if rolled[key] is not None:
                rows.append(
                    {
                        "snapshot_as_of": pd.Timestamp(day),
                        "index": index,
                        "value": rolled[key],
                        "projects": rolled[count],
                    }
                )
    return pd.DataFrame(rows, columns=["snapshot_as_of", "index", "value", "projects"])


def portfolio_trend(store, as_of: dt.date, project_ids) -> pd.DataFrame:
    """:func:`index_trend` over every plan snapshot date up to ``as_of`` of the given projects."""
    from metrics.evm import evm_history

    frames = []
    for pid in project_ids:
        history = evm_history(store.history("tasks", pid, as_of))
        if not history.empty:
            frames.append(history.assign(project_id=pid)[["project_id", "snapshot_as_of", "bac", "pv", "ev", "ac"]])
    if not frames:
        return index_trend(pd.DataFrame(), [])
    histories = pd.concat(frames, ignore_index=True)
    histories["snapshot_as_of"] = pd.to_datetime(histories.snapshot_as_of)
    return index_trend(histories, histories.snapshot_as_of.unique())
