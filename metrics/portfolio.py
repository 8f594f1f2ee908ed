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
from metrics.risk import health_inputs_at
from metrics.settings import Settings
from metrics.settings import load as load_settings

LATEST_COLUMNS = {"msproject": "plan_as_of", "jira": "jira_as_of", "finance": "finance_as_of"}
STATUS_ORDER = {"unknown": 0, "green": 1, "amber": 2, "red": 3}


@dataclass(frozen=True)
class Rule:
    """``metric`` turns ``amber`` past ``amber`` and ``red`` past ``red`` (never red when ``red``
    is None); ``worse`` says which direction is bad (``below`` for indices, ``above`` for slips
    and overruns)."""

    metric: str
    label: str
    amber: float
    red: float | None
    worse: str  # "below" | "above"
    unit: str = ""
    help: str = ""
    freshness: bool = False  # can only make a status worse; alone it never makes a project green
    inclusive: bool = False  # the threshold itself is bad (a risk scored exactly 20 of 20 escalates)

    def status(self, value) -> str | None:
        """'red' | 'amber' | 'green', or None when the value is missing."""
        if value is None or value != value:
            return None
        if self.inclusive:
            bad = (lambda v, t: v <= t) if self.worse == "below" else (lambda v, t: v >= t)
        else:
            bad = (lambda v, t: v < t) if self.worse == "below" else (lambda v, t: v > t)
        if self.red is not None and bad(value, self.red):
            return "red"
        return "amber" if bad(value, self.amber) else "green"

    def sentence(self, value, status: str) -> str:
        """'CPI 0.86 is below the red threshold 0.90.' The value gets as many more decimals (up
        to 3) as it takes for its rounding to differ from the threshold's: never '5 % is above 5 %'."""
        limit = self.red if status == "red" else self.amber
        base = 0 if self.unit else 2
        if self.inclusive:
            side = "at or below" if self.worse == "below" else "at or above"
            return f"{self.label} {_number(value, base)}{self.unit} is {side} the {status} threshold {_number(limit, base)}{self.unit}."
        shown = _number(value, base)
        for digits in range(base, base + 4):
            shown = _number(value, digits)
            if float(shown.replace(",", "")) != float(_number(limit, digits).replace(",", "")):
                break
        side = "below" if self.worse == "below" else "above"
        return f"{self.label} {shown}{self.unit} is {side} the {status} threshold {_number(limit, base)}{self.unit}."


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def rules(settings: Settings | None = None) -> tuple[Rule, ...]:
    """The health rules with the thresholds of ``settings`` (defaults when None). Budget rules
    read the fiscal year to date: an overrun is red past ``budget_amber``; an underspend (under
    the absolute floor it counts 0) is amber at worst unless ``underspend_max_status`` says red,
    and not judged at all when it says green."""
    s = settings or Settings()
    under_red = 100 * s.budget_amber if s.underspend_max_status == "red" else None
    budget_rules = [
        Rule(
            "budget_overrun_pct",
            "Over budget (YTD)",
            100 * s.budget_green,
            100 * s.budget_amber,
            "above",
            " %",
            "(actual − budget) / budget over the fiscal year's months to date",
        ),
    ]
    if s.underspend_max_status != "green":
        budget_rules.append(
            Rule(
                "budget_underspend_pct",
                "Under budget (YTD)",
                100 * s.budget_green,
                under_red,
                "above",
                " %",
                f"(budget − actual) / budget, fiscal year to date; 0 when under by less than "
                f"{s.underspend_floor:,.0f}; at most {s.underspend_max_status}",
            )
        )
    return (
        Rule("cpi", "CPI", s.cpi_amber, s.cpi_red, "below", help="Cost performance index = EV / AC"),
        Rule("spi", "SPI", s.spi_amber, s.spi_red, "below", help="Schedule performance index = EV / PV"),
        Rule("spi_t", "SPI(t)", s.spi_amber, s.spi_red, "below", help="Time-based schedule index = ES / AT"),
        *budget_rules,
        Rule(
            "milestone_slip_days",
            "Worst milestone slip",
            s.slip_amber_days,
            s.slip_red_days,
            "above",
            " working days",
            "forecast or actual finish minus baseline finish, in working days",
        ),
        Rule(
            "data_age_days",
            "Newest data",
            s.data_age_amber_days,
            s.data_age_red_days,
            "above",
            " days old",
            "days from the newest snapshot to the as-of date",
            freshness=True,
        ),
        Rule(
            "max_open_risk_score",
            "Highest open risk score",
            s.risk_escalation_threshold,
            None,
            "above",
            " points",
            "an open risk or issue scored at or above the escalation threshold (probability × impact, 1–25; "
            f"setting risk_escalation_threshold, now {s.risk_escalation_threshold:g}) makes the project at least amber; "
            "alone, with no plan or finance to judge the project by, it is listed as a reason of an unknown health",
            freshness=True,
            inclusive=True,
        ),
    )


RULES: tuple[Rule, ...] = rules()


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


HEALTH_INPUTS = {
    "evm": ["project_id", "bac", "pv", "ev", "ac", "spi", "cpi", "spi_t", "eac", "status_date"],
    "budget": [
        "project_id",
        "budget_currency",
        "ytd_budget",
        "ytd_actual",
        "ytd_variance",
        "ytd_variance_pct",
        "ledger_actual",
        "budget_status",
    ],
    "slips": ["project_id", "milestone_slip_days"],
    "risks": ["project_id", "max_open_risk_score", "open_risks_at_threshold"],
}


def project_health(
    projects: pd.DataFrame,
    evm: pd.DataFrame,
    budget: pd.DataFrame,
    slips: pd.DataFrame,
    snapshots: pd.DataFrame,
    as_of: dt.date,
    settings: Settings | None = None,
    risks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per project (of ``projects`` and of ``snapshots``) with status, reasons and the
    numbers behind them; every column of ``HEALTH_INPUTS`` is there, None where a source is missing.

    Inputs (one row per project_id each, any of them empty): ``evm`` (spi, cpi, spi_t, bac, pv,
    ev, ac, eac), ``budget`` (:func:`budget_by_project`: fiscal-year-to-date ``ytd_variance_pct``
    and ``ledger_actual`` to date), ``slips`` (milestone_slip_days), ``risks``
    (:func:`metrics.risk.health_inputs`: max_open_risk_score, open_risks_at_threshold), ``snapshots`` (project_id,
    source, as_of: the latest snapshot per source). budget_variance_pct = ytd_variance_pct;
    budget_overrun_pct = −100 × it when over budget (else 0); budget_underspend_pct = 100 × it
    when under budget by at least ``underspend_floor`` (else 0); data_age_days = as_of − newest
    snapshot; the plan-vs-ledger reconciliation is :func:`reconcile`.
    """
    return health_table(judged(projects, evm, budget, slips, snapshots, as_of, settings, risks))


def judged(
    projects, evm, budget, slips, snapshots, as_of: dt.date, settings: Settings | None = None, risks=None
) -> dict:
    """:func:`project_health` before it is a table: project id -> (listed, row), where ``listed``
    says the project is one of ``projects`` (the others come from ``snapshots`` only). A row depends
    on its own project's inputs only, so rows judged apart can be put together (:func:`health_table`)."""
    settings = settings or Settings()
    known = projects.reindex(columns=["project_id", "name", "program", "portfolio", "manager", "currency"])
    extra = sorted(set(snapshots.project_id) - set(known.project_id)) if not snapshots.empty else []
    table = pd.concat([known, pd.DataFrame({"project_id": extra, "name": extra})], ignore_index=True)
    inputs = {"evm": evm, "budget": budget, "slips": slips, "risks": risks if risks is not None else pd.DataFrame()}
    for key, frame in inputs.items():
        table = table.merge(frame.reindex(columns=HEALTH_INPUTS[key]), on="project_id", how="left")
    table = table.astype(object).where(table.notna(), None)
    newest = snapshots.groupby("project_id").as_of.max() if not snapshots.empty else pd.Series(dtype="datetime64[us]")
    sources = snapshots.groupby("project_id").source.agg(set) if not snapshots.empty else pd.Series(dtype=object)
    listed = set(known.project_id)
    return {
        row["project_id"]: (row["project_id"] in listed, _judge_row(row, snapshots, newest, sources, as_of, settings))
        for row in table.to_dict("records")
    }


def health_table(rows: dict) -> pd.DataFrame:
    """Judged rows (:func:`judged`, from one call or several) as :func:`project_health`'s table:
    the listed projects by id, then the others by id, then sorted worst status first."""
    ordered = [row for _, row in sorted(rows.values(), key=lambda r: (not r[0], r[1]["project_id"]))]
    out = pd.DataFrame(ordered, columns=HEALTH_COLUMNS) if ordered else pd.DataFrame(columns=HEALTH_COLUMNS)
    order = out.status.map(STATUS_ORDER)
    return out.assign(_o=order).sort_values(["_o", "project_id"], ascending=[False, True]).drop(columns="_o")


HEALTH_COLUMNS = [
    "project_id",
    "name",
    "program",
    "portfolio",
    "manager",
    "currency",
    "status",
    "reasons",
    "confidence",
    "data_notes",
    "sources",
    "bac",
    "pv",
    "ev",
    "ac",
    "spi",
    "cpi",
    "spi_t",
    "eac",
    "status_date",
    "budget_currency",
    "ytd_budget",
    "ytd_actual",
    "ytd_variance",
    "budget_variance_pct",
    "ledger_actual",
    "ac_gap_pct",
    "budget_status",
    "milestone_slip_days",
    "max_open_risk_score",
    "open_risks_at_threshold",
    "data_age_days",
    "plan_as_of",
    "jira_as_of",
    "finance_as_of",
]


def _judge_row(row: dict, snapshots, newest, sources, as_of: dt.date, settings: Settings) -> dict:
    """One project's row of :func:`project_health`."""
    pid = row["project_id"]
    held = sources.get(pid, set())
    latest = newest.get(pid)
    row["data_age_days"] = None if latest is None or pd.isna(latest) else (as_of - pd.Timestamp(latest).date()).days
    pct = row.get("ytd_variance_pct")
    row["budget_variance_pct"] = pct
    if pct is None:
        row["budget_overrun_pct"] = row["budget_underspend_pct"] = None
    else:
        amount = row.get("ytd_variance") or 0.0
        row["budget_overrun_pct"] = max(-100 * pct, 0.0)
        row["budget_underspend_pct"] = 100 * pct if pct > 0 and amount >= settings.underspend_floor else 0.0
    row["status"], reasons = judge(row, rules(settings))
    if row["status"] == "unknown":
        reasons[0] = missing_sentence(held)
    row["reasons"] = reasons
    row["ac_gap_pct"], notes = reconcile(row, settings)
    row["data_notes"] = notes
    row["currency"] = row.get("currency") or row.get("budget_currency")  # unregistered: the ledger's currency
    row["confidence"] = "low" if notes else confidence(held, row["data_age_days"])
    row["sources"] = ", ".join(sorted(held)) or "register only"
    for source, column in LATEST_COLUMNS.items():
        dates = snapshots[(snapshots.project_id == pid) & (snapshots.source == source)].as_of if held else []
        row[column] = None if len(dates) == 0 else pd.Timestamp(dates.max()).date()
    return row


def missing_sentence(sources: set[str]) -> str:
    """Why a project's health is unknown, naming what is missing."""
    missing = []
    if "msproject" not in sources:
        missing.append("no plan yet")
    if "finance" not in sources:
        missing.append("no finance workbook yet")
    what = ", ".join(missing) if missing else "the plan has no baseline or % complete and finance no budget to date"
    jira = " (a Jira export gives delivery metrics, not health)" if sources == {"jira"} else ""
    return f"Health unknown on or before the as-of date: {what}{jira}."


def reconcile(row: dict, settings: Settings) -> tuple[float | None, list[str]]:
    """Plan AC vs ledger actual: gap = |AC − ledger actual| / ledger actual, with the plan's AC at
    its status date and the ledger's actual to date (every month to the cut-off), in one currency.
    A gap over ``settings.reconciliation_gap`` is a data-confidence problem (one sentence)."""
    ac, ledger = row.get("ac"), row.get("ledger_actual")
    plan_currency, ledger_currency = row.get("currency"), row.get("budget_currency")
    if ac is None or ledger is None or not ledger:
        return None, []
    if plan_currency and ledger_currency and plan_currency != ledger_currency:
        return None, [f"Plan cost is in {plan_currency} and the ledger in {ledger_currency}: not reconciled."]
    gap = abs(ac - ledger) / abs(ledger)
    if gap <= settings.reconciliation_gap:
        return gap, []
    return gap, [
        f"Plan actual cost {ac:,.0f} vs ledger actual {ledger:,.0f} to date: a {100 * gap:.0f} % gap, over the "
        f"{100 * settings.reconciliation_gap:.0f} % reconciliation threshold — check which of the two is current."
    ]


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


REPORT_COLUMNS = [
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
    "ytd_budget",
    "ytd_actual",
    "ledger_actual",
    "ac_gap_pct",
    "milestone_slip_days",
    "data_age_days",
    "confidence",
    "data_notes",
    "sources",
]


def report(store, as_of: dt.date | None = None, project_id: str | None = None) -> dict:
    """``python -m metrics portfolio``: every project's health as of a date (or one project's),
    judged with the stored settings; ``budget_variance_pct`` is fiscal year to date."""
    settings = load_settings(store)
    frame = portfolio_frame(store, as_of, settings)
    if project_id is not None:
        frame = frame[frame.project_id == project_id]
        if frame.empty:
            raise MetricsError(f"no project {project_id!r} in the database.")
    frame = frame.reindex(columns=REPORT_COLUMNS)
    return {
        "as_of": frame.attrs.get("as_of"),
        "fiscal_year_start_month": settings.fy_start_month,
        "projects": frame.to_dict("records"),
    }


def portfolio_frame(store, as_of: dt.date | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Read every project's latest snapshots on or before ``as_of`` and judge its health."""
    as_of = resolved_as_of(store, as_of)
    return health_frame(portfolio_rows(store, as_of, settings), as_of)


def resolved_as_of(store, as_of: dt.date | None) -> dt.date:
    """``as_of``, else the newest snapshot's date (a register's when there is nothing else);
    MetricsError when nothing is stored."""
    latest = store.latest_as_of() or store.latest_as_of(include_register=True)  # a register alone lists projects
    if latest is None:
        raise MetricsError("the database holds no snapshots yet: ingest a plan, a Jira export or a finance workbook.")
    return as_of or latest


def health_frame(rows: dict, as_of: dt.date) -> pd.DataFrame:
    """:func:`portfolio_frame` from its rows (:func:`portfolio_rows`, kept and fresh ones together)."""
    frame = health_table(rows)
    frame.attrs["as_of"] = as_of.isoformat()
    return frame


def row_versions(store, as_of: dt.date) -> dict:
    """Per project, a key of everything its :func:`portfolio_rows` row as of ``as_of`` reads: its
    uploads on or before the date (``Store.project_versions``) and its entry in the store's project
    list (name, program, manager, registered, from the registers of any date or the first upload
    that named it). A later-dated upload leaves the key as it was; so does another project's."""
    versions = store.project_versions(as_of)
    listed = store.projects()
    for row in listed.to_dict("records"):
        entry = "|".join(f"{k}={v}" for k, v in row.items())
        versions[row["project_id"]] = versions.get(row["project_id"], "") + "#" + entry
    return versions


@dataclass(frozen=True)
class HealthRows:
    """The portfolio's judged rows at one date (:func:`portfolio_rows`) and the project versions
    (:func:`row_versions`) they were computed from."""

    versions: dict
    rows: dict


def refreshed(store, as_of: dt.date, settings: Settings, versions: dict, kept: HealthRows | None = None) -> HealthRows:
    """The rows at ``as_of`` for the store's ``versions`` now, from the ``kept`` rows of the same
    date and settings: only projects whose version changed (or that are new) are judged again,
    projects that are gone are dropped. :func:`health_frame` of the result is exactly
    :func:`portfolio_frame`; with nothing kept, or most projects changed, every project is judged
    in one pass."""
    before = kept.versions if kept else {}
    stale = sorted(p for p, version in versions.items() if before.get(p) != version)
    if kept is None or 2 * len(stale) > len(versions):
        return HealthRows(dict(versions), portfolio_rows(store, as_of, settings))
    rows = {p: row for p, row in kept.rows.items() if p in versions and p not in stale}
    if stale:
        rows.update(portfolio_rows(store, as_of, settings, stale))
    return HealthRows(dict(versions), rows)


def portfolio_rows(store, as_of: dt.date, settings: Settings | None = None, project_ids=None) -> dict:
    """:func:`judged` rows of the given projects (every project when None) from their latest snapshots
    on or before ``as_of``. A project's row reads only its own uploads (and the stored settings), so a
    caller that kept the rows of a date recomputes only the projects whose uploads changed
    (:func:`row_versions`) and gets exactly what :func:`portfolio_frame` would."""
    settings = settings or load_settings(store)
    from metrics import evm_points

    ids = None if project_ids is None else sorted(project_ids)
    if ids == []:
        return {}
    tasks = store.snapshot("tasks", as_of, ids)
    evm = evm_by_project(evm_points.read(store, ids, until=as_of, latest=True))
    slips = pd.DataFrame(
        [{"project_id": pid, "milestone_slip_days": milestone_slip_days(t)} for pid, t in tasks.groupby("project_id")],
        columns=["project_id", "milestone_slip_days"],
    )
    budget = budget_by_project(store, as_of, settings, ids)
    risks = health_inputs_at(store, as_of, ids)
    projects, snapshots = store.projects(), store.latest_snapshots(as_of)
    if ids is not None:
        projects, snapshots = projects[projects.project_id.isin(ids)], snapshots[snapshots.project_id.isin(ids)]
    return judged(projects, evm, budget, slips, snapshots, as_of, settings, risks)


def evm_by_project(points: pd.DataFrame) -> pd.DataFrame:
    """The health's EVM inputs from each project's latest plan point (:mod:`metrics.evm_points`:
    EVM at that plan's own status date, with its calendar and time-phased baseline): amounts only
    where the plan runs in money (a plan without baseline cost runs EVM in hours: no money to
    roll up), the unitless indices always."""
    from metrics.evm_points import money_only

    if points.empty:
        return pd.DataFrame(columns=HEALTH_INPUTS["evm"])
    return money_only(points).reindex(columns=HEALTH_INPUTS["evm"]).reset_index(drop=True)


def budget_by_project(store, as_of: dt.date, settings: Settings | None = None, project_ids=None) -> pd.DataFrame:
    """Per project from the finance metrics (fiscal year of ``settings``): YTD budget, actual,
    variance and variance %, the ledger's actual to date (``ledger_actual``, for the
    reconciliation) and its currency. A project budgeted in several currencies has no single
    variance without a rate table: its numbers are None."""
    from metrics.budget import Thresholds, project_summaries

    settings = settings or Settings()
    thresholds = Thresholds.from_settings(settings)
    projects = project_summaries(store, as_of, settings.fy_start_month, thresholds, project_ids)
    frame = pd.DataFrame(projects)
    if frame.empty:
        return pd.DataFrame(columns=HEALTH_INPUTS["budget"])
    frame = frame.rename(
        columns={"ytd_status": "budget_status", "actual": "ledger_actual", "currency": "budget_currency"}
    )
    frame = frame.reindex(columns=HEALTH_INPUTS["budget"])
    mixed = frame.project_id.duplicated(keep=False)
    frame.loc[mixed, HEALTH_INPUTS["budget"][1:]] = None
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
    """:func:`index_trend` over every plan snapshot date up to ``as_of`` of the given projects,
    from their stored EVM points (:mod:`metrics.evm_points`, one read; amounts of plans in hours
    left out of the sums)."""
    from metrics import evm_points

    project_ids = list(project_ids)
    points = evm_points.read(store, project_ids, as_of) if project_ids else pd.DataFrame()
    if points.empty:
        return index_trend(pd.DataFrame(), [])
    histories = evm_points.money_only(points)[["project_id", "snapshot_as_of", "bac", "pv", "ev", "ac"]]
    return index_trend(histories, histories.snapshot_as_of.unique())


STATUS_LABEL = {"red": "Red", "amber": "Amber", "green": "Green", "unknown": "Unknown"}


def overview_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The Overview's table (pure): ``health`` label, ``why`` (reasons, then data-confidence
    notes), ``variance`` and ``gap`` in percent (budget variance YTD, plan-vs-ledger gap)."""
    notes = frame.data_notes.map(lambda n: " ".join(f"Data confidence: {x}" for x in (n or [])))
    why = (frame.reasons.map(" ".join) + " " + notes).str.strip()
    return frame.assign(
        health=frame.status.map(STATUS_LABEL),
        why=why,
        variance=pd.to_numeric(frame.budget_variance_pct, errors="coerce") * 100,
        gap=pd.to_numeric(frame.ac_gap_pct, errors="coerce") * 100,
        **{c: pd.to_numeric(frame[c], errors="coerce") for c in ("spi", "cpi", "spi_t", "bac", "eac")},
        milestone_slip_days=pd.to_numeric(frame.milestone_slip_days, errors="coerce"),
    )


def reconciliation_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Projects with both a plan AC and a ledger actual (pure): project_id, name, ac,
    ledger_actual, gap (percent), flagged (over the threshold) and the note."""
    both = frame[frame.ac.notna() & frame.ledger_actual.notna()]
    return pd.DataFrame(
        {
            "project_id": both.project_id,
            "name": both.name,
            "ac": pd.to_numeric(both.ac),
            "ledger_actual": pd.to_numeric(both.ledger_actual),
            "gap": pd.to_numeric(both.ac_gap_pct) * 100,
            "flagged": both.data_notes.map(bool),
        }
    ).reset_index(drop=True)


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The Overview's export: every health column, reasons and notes as text."""
    return frame.assign(
        reasons=frame.reasons.map(" ".join), data_notes=frame.data_notes.map(lambda n: " ".join(n or []))
    )
