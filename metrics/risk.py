"""Risks and issues (the RAID log): scores, exposure, trends and escalations.

Definitions (DESIGN.md §9), over ``risks`` rows (one snapshot per project and source):

* score = probability × impact, both on 1–5 (so 1–25); open = not closed; a *threat* is a risk or
  an issue (kind), never an opportunity, assumption or dependency.
* threat exposure = Σ exposure of open threats (money: probability % × money impact, where the
  register gives money); opportunities are never added to it. score load = Σ score of open threats.
* overdue = open and due date before the as-of date.
* trend of an entry against the previous snapshot of the same project and source, matched by
  risk_id (by title where the register has no ID column): ``new`` (not there before), ``closed`` (closed now, open before), ``up`` / ``down`` (score
  higher / lower), ``same``.
* escalate when open and any of: score ≥ threshold (default 20); score rose in each of the last two
  snapshots (both for risks and issues only); overdue; marked for escalation in the register (or a Jira label ``escalate``).
* technical: the entry names a system or integration (a ``system`` column, else a system named in
  its title or description), or its category is technical.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

import pandas as pd

from loaders.risk.jira_issues import JIRA_TYPES, risks_from_issues
from metrics import MetricsError

DEFAULT_THRESHOLD = 20.0
SETTING = "risk_escalation_threshold"
THREATS = ("risk", "issue")
_KNOWN_SYSTEMS = re.compile(
    r"\b(SAP|Salesforce|Oracle|Workday|ServiceNow|Dynamics|Mainframe|MySQL|PostgreSQL|Postgres|SQL Server|MongoDB|"
    r"Kafka|Redis|Elasticsearch|LDAP|Active Directory|Okta|Azure|AWS|GCP|Google Cloud|Kubernetes|Jira|Snowflake|"
    r"Databricks|Power BI|Tableau|SharePoint|Flask|Django|React(?:\.js)?|Node(?:\.js)?|LLAMA|MATLAB|GitHub|Git|"
    r"ERP|CRM|core banking|core ledger|payment gateway|data warehouse|API gateway|SWIFT|SEPA)\b",
    re.IGNORECASE,
)
# A name with two capitals or a digit (ISHR, PayPal, S3) before a system word: "ISHR system".
_NAMED_SYSTEM = re.compile(
    r"\b([A-Z][\w.\-]*[A-Z0-9][\w.\-]*) (?:API|APIs|integration|interface|system|database|server|platform|backend)\b"
)
_SYSTEM_WORDS = re.compile(r"\b(API|APIs|integration|interface|backend|database)\b", re.IGNORECASE)
_TECHNICAL = re.compile(r"tech|técnic|tecnic|système|system|sistema|integra|infra|\bit\b|software|hardware|data", re.I)


@dataclass(frozen=True)
class Summary:
    """Open entries of one project (or the portfolio) at a date."""

    project_id: str | None
    open: int
    closed: int
    open_threats: int
    high: int  # open threats scored at or above the threshold
    overdue: int
    escalations: int
    score_load: float
    exposure: float | None
    opportunities: int
    max_open_score: float | None
    currency: str | None = None  # of ``exposure``: the currency most open threats with money use


def prepare(risks: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    """Add ``is_open``, ``is_threat``, ``overdue``, ``cell_probability``/``cell_impact`` (the 5×5
    cell: half steps round up), ``technical`` and a ``system`` named in the text where none was given."""
    out = complete(risks)
    for column in ("is_closed", "escalate"):
        out[column] = out[column].fillna(False).astype(bool)
    out["is_open"] = ~out["is_closed"]
    out["is_threat"] = out["kind"].isin(THREATS)
    due = pd.to_datetime(out["due"], errors="coerce")
    out["overdue"] = out["is_open"] & due.notna() & (due < pd.Timestamp(as_of) if as_of else False)
    for axis in ("probability", "impact"):
        out[f"cell_{axis}"] = (out[axis].astype(float) + 0.5).clip(1, 5).floordiv(1).astype("Int64")
    named = out.apply(lambda r: _system_named(r.get("title"), r.get("description")), axis=1)
    given = out["system"].where(out["system"].notna() & (out["system"].astype(str).str.strip() != ""))
    out["system"] = given.fillna(named) if len(out) else given
    category = out["category"].fillna("").astype(str)
    out["technical"] = out["system"].notna() | category.str.contains(_TECHNICAL)
    return out


OPTIONAL = {
    "kind": "risk",
    "title": None,
    "description": None,
    "category": None,
    "system": None,
    "owner": None,
    "due": None,
    "exposure": float("nan"),
    "currency": None,
    "response": None,
    "is_closed": False,
    "escalate": False,
    "probability": float("nan"),
    "impact": float("nan"),
    "score": float("nan"),
}


def complete(risks: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``risks`` with every column the functions here read (a frame from another
    source may lack some): missing columns get their neutral value (OPTIONAL)."""
    out = risks.copy()
    for column, value in OPTIONAL.items():
        if column not in out:
            out[column] = value
    return out


def _system_named(*texts) -> str | None:
    """The system or integration a text names: a known product, an acronym before a system word
    (``ISHR system``), else the word itself (``integration``, ``API``)."""
    texts = [t for t in texts if isinstance(t, str)]
    for pattern in (_KNOWN_SYSTEMS, _NAMED_SYSTEM, _SYSTEM_WORDS):
        for text in texts:
            if found := pattern.search(text):
                return found.group(1) if pattern is not _SYSTEM_WORDS else found.group(1).lower()
    return None


def trend(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    """Per row of ``current``: new | up | down | same | closed against ``previous`` (same project
    and risk_id; a missing previous snapshot makes every entry new)."""
    if previous is None or previous.empty:
        return pd.Series("new", index=current.index, dtype=object)
    keyed = _keyed(previous).drop_duplicates("match_key")
    before = dict(zip(keyed["match_key"], zip(keyed["score"], keyed["is_closed"], strict=True), strict=True))
    out = []
    for row in _keyed(current)[["match_key", "score", "is_closed"]].itertuples(index=False):
        if row.match_key not in before:
            out.append("new")
            continue
        old_score, old_closed = before[row.match_key]
        if bool(row.is_closed) and not bool(old_closed):
            out.append("closed")
        elif pd.notna(row.score) and pd.notna(old_score) and row.score != old_score:
            out.append("up" if row.score > old_score else "down")
        else:
            out.append("same")
    return pd.Series(out, index=current.index, dtype=object)


def escalations(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    as_of: dt.date,
    threshold: float = DEFAULT_THRESHOLD,
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Open entries to escalate and why: columns project_id, risk_id, title, score, owner, why.

    Rules (any): score ≥ threshold (threats); score rose against ``previous`` and ``previous``
    rose against ``before`` (rising twice); due date before ``as_of``; marked for escalation.
    ``why`` holds one sentence per rule that fired, with its numbers. Sorted by score, highest first."""
    columns = ["project_id", "risk_id", "title", "score", "owner", "why"]
    if current.empty:
        return pd.DataFrame(columns=columns)
    rows = prepare(current, as_of)
    prev = _scores(previous)
    older = _scores(before)
    out = []
    for row in _keyed(rows)[rows.is_open].to_dict("records"):
        why = []
        score, key = row["score"], row["match_key"]
        if row["is_threat"] and pd.notna(score) and score >= threshold:
            why.append(
                f"Score {score:g} (probability {row['probability']:g} × impact {row['impact']:g}) is at or above "
                f"the escalation threshold {threshold:g}."
            )
        if row["is_threat"] and key in prev and key in older and pd.notna(score) and score > prev[key] > older[key]:
            why.append(f"Score rose twice in a row: {older[key]:g} → {prev[key]:g} → {score:g}.")
        if row["overdue"]:
            due = pd.Timestamp(row["due"]).date()
            why.append(f"Due {due.isoformat()}, {(as_of - due).days} days ago, and still open.")
        if row["escalate"]:
            why.append("Marked for escalation in the register.")
        if why:
            out.append({**{c: row.get(c) for c in columns[:-1]}, "why": " ".join(why)})
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values(["score", "project_id", "risk_id"], ascending=[False, True, True], na_position="last")


def _scores(frame: pd.DataFrame | None) -> dict:
    if frame is None or frame.empty:
        return {}
    known = _keyed(frame.dropna(subset=["score"])).drop_duplicates("match_key")
    return dict(zip(known["match_key"], known.score, strict=True))


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """``match_key`` = (project, risk id); for an ID the loader made up (``#3``: the register has no ID
    column) the title instead, so an inserted row does not shift every match."""
    made_up = frame["risk_id"].astype(str).str.startswith("#")
    ident = frame["risk_id"].astype(str).where(~made_up, "title:" + frame["title"].fillna("").str.casefold())
    return frame.assign(match_key=list(zip(frame["project_id"], ident, strict=True)))


def top_risks(risks: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` open threats with the highest score (then money exposure, then the nearest due
    date): project_id, risk_id, kind, title, score, exposure, currency, owner, response, due."""
    columns = ["project_id", "risk_id", "kind", "title", "score", "exposure", "currency", "owner", "response", "due"]
    if risks.empty:
        return pd.DataFrame(columns=columns)
    risks = complete(risks)
    closed = risks["is_closed"].fillna(False).astype(bool)
    open_threats = risks[~closed & risks["kind"].isin(THREATS) & risks["score"].notna()]
    ranked = open_threats.assign(_due=pd.to_datetime(open_threats["due"], errors="coerce")).sort_values(
        ["score", "exposure", "_due"], ascending=[False, False, True], na_position="last"
    )
    return ranked.reindex(columns=columns).head(n).reset_index(drop=True)


def heatmap(risks: pd.DataFrame) -> pd.DataFrame:
    """Count of open threats per 5×5 cell (every cell present): probability, impact, count."""
    grid = pd.MultiIndex.from_product([range(1, 6), range(1, 6)], names=["probability", "impact"])
    if risks.empty:
        return pd.DataFrame(index=grid).assign(count=0).reset_index()
    rows = prepare(risks, None) if "cell_probability" not in risks else risks
    scored = rows[rows.is_open & rows.is_threat & rows.cell_probability.notna() & rows.cell_impact.notna()]
    counts = scored.groupby(["cell_probability", "cell_impact"]).size()
    counts.index.names = ["probability", "impact"]
    return counts.reindex(grid, fill_value=0).rename("count").reset_index()


def health_inputs(risks: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Per project: ``max_open_risk_score`` (highest score of an open threat) and
    ``open_risks_at_threshold`` (open threats scored ≥ threshold), for the health rules."""
    columns = ["project_id", "max_open_risk_score", "open_risks_at_threshold"]
    if risks.empty:
        return pd.DataFrame(columns=columns)
    risks = complete(risks)
    closed = risks["is_closed"].fillna(False).astype(bool)
    threats = risks[~closed & risks["kind"].isin(THREATS)]
    grouped = threats.groupby("project_id")["score"]
    return pd.DataFrame(
        {
            "max_open_risk_score": grouped.max(),
            "open_risks_at_threshold": grouped.agg(lambda s: int((s >= threshold).sum())),
        }
    ).reset_index()


def summary(risks: pd.DataFrame, escalated: pd.DataFrame, project_id: str | None = None) -> Summary:
    """Counts and totals of one project's prepared rows (or the whole frame: the portfolio)."""
    rows = risks if project_id is None else risks[risks.project_id == project_id]
    threats = rows[rows.is_open & rows.is_threat]
    esc = escalated if project_id is None else escalated[escalated.project_id == project_id]
    with_money = threats.dropna(subset=["exposure"])
    currencies = with_money["currency"].fillna("").value_counts()
    currency = currencies.index[0] if len(currencies) else None
    money = with_money.loc[with_money["currency"].fillna("") == currency, "exposure"] if currency is not None else []
    return Summary(
        project_id=project_id,
        open=int(rows.is_open.sum()),
        closed=int((~rows.is_open).sum()),
        open_threats=len(threats),
        high=int((threats.score >= _threshold_of(risks)).sum()),
        overdue=int(rows.overdue.sum()),
        escalations=len(esc),
        score_load=float(threats.score.sum()),
        exposure=float(money.sum()) if len(money) else None,
        opportunities=int((rows.is_open & (rows.kind == "opportunity")).sum()),
        max_open_score=float(threats.score.max()) if threats.score.notna().any() else None,
        currency=currency or None,
    )


def by_project(current: pd.DataFrame, escalated: pd.DataFrame) -> pd.DataFrame:
    """One :class:`Summary` row per project of the prepared ``current`` rows, most escalations first."""
    rows = [asdict(summary(current, escalated, pid)) for pid in sorted(current["project_id"].unique())]
    frame = pd.DataFrame(rows, columns=list(Summary.__dataclass_fields__))
    return frame.sort_values(["escalations", "high", "score_load"], ascending=False, kind="stable")


def _threshold_of(risks: pd.DataFrame) -> float:
    return risks.attrs.get("threshold", DEFAULT_THRESHOLD)


def snapshots(history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split a history (rows with ``snapshot_as_of`` and ``source``) into, per project and source,
    the latest snapshot, the one before it and the one before that."""
    if history.empty:
        return history, history, history
    dates = history[["project_id", "source", "snapshot_as_of"]].drop_duplicates()
    dates = dates.assign(rank=dates.groupby(["project_id", "source"]).snapshot_as_of.rank(ascending=False))
    ranked = history.merge(dates, on=["project_id", "source", "snapshot_as_of"])
    return tuple(ranked[ranked["rank"] == k].drop(columns="rank").reset_index(drop=True) for k in (1, 2, 3))


def exposure_over_time(history: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Per project and snapshot date: open threats, those ≥ threshold, score load (Σ score of open
    threats) and money exposure (Σ exposure of open threats; null where the register gives none)."""
    columns = ["project_id", "snapshot_as_of", "open_threats", "high", "score_load", "exposure"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    closed = history["is_closed"].fillna(False).astype(bool)
    threats = history[~closed & history["kind"].isin(THREATS)]
    grouped = threats.groupby(["project_id", "snapshot_as_of"])
    out = pd.DataFrame(
        {
            "open_threats": grouped.size(),
            "high": grouped["score"].agg(lambda s: int((s >= threshold).sum())),
            "score_load": grouped["score"].sum(),
            "exposure": grouped["exposure"].sum(min_count=1),
        }
    ).reset_index()
    return out.reindex(columns=columns)


def history(store, as_of: dt.date | None, project_ids=None) -> pd.DataFrame:
    """Every risk-register snapshot and every Jira snapshot's Risk/Issue items up to ``as_of``,
    as risks rows with ``source`` (risk | jira) and ``snapshot_as_of``."""
    registers = store.risk_history(as_of, project_ids).assign(source="risk")
    issues = store.issue_history_of_types(sorted(JIRA_TYPES), as_of, project_ids)
    frames = [f for f in (registers, risks_from_issues(issues) if not issues.empty else None) if f is not None]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return registers
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out["snapshot_as_of"] = pd.to_datetime(out["snapshot_as_of"]).dt.date
    return out


def threshold_setting(store) -> float:
    """The escalation threshold from the stored settings (default 20)."""
    return float(store.settings().get(SETTING, DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class RiskView:
    """Everything the page and the CLI show at one date."""

    as_of: dt.date | None
    current: pd.DataFrame  # prepared rows of the latest snapshots, with ``trend``
    escalations: pd.DataFrame
    over_time: pd.DataFrame
    threshold: float


def view(store, as_of: dt.date | None, project_ids=None, threshold: float | None = None) -> RiskView:
    """Read and compute the risks view at ``as_of`` (the latest snapshot date when None)."""
    as_of = as_of or store.latest_as_of()
    threshold = threshold_setting(store) if threshold is None else threshold
    past = history(store, as_of, project_ids)
    current, previous, before = snapshots(past)
    if not current.empty:
        current = prepare(current, as_of)
        current["trend"] = pd.concat(
            [trend(group, previous[previous.source == source]) for source, group in current.groupby("source")]
        ).reindex(current.index)
    current.attrs["threshold"] = threshold
    escalated = escalations(current, previous, as_of=as_of, threshold=threshold, before=before)
    return RiskView(as_of, current, escalated, exposure_over_time(past, threshold), threshold)


#: Which risk a row is and how it scores: the first columns of the CLI's risks and the page's register.
SCORED_COLUMNS = ["project_id", "risk_id", "kind", "title", "category", "system", "probability", "impact", "score"]
CLI_COLUMNS = [*SCORED_COLUMNS, "exposure", "currency", "owner", "status", "due", "trend"]


def report(store, as_of: dt.date | None = None, project_id: str | None = None) -> dict:
    """``python -m metrics risk``: {as_of, threshold, risks, heatmap, escalations} (DESIGN.md §9),
    plus ``projects`` and ``portfolio``: open, closed, open threats, at/above threshold, overdue,
    escalations, score load, money exposure (one currency) and the highest open score."""
    if project_id is not None and project_id not in set(store.projects().project_id):
        raise MetricsError(f"no project {project_id!r} in the database.")
    result = view(store, as_of, [project_id] if project_id else None)
    risks = result.current.reindex(columns=CLI_COLUMNS)
    return {
        "as_of": result.as_of,
        "threshold": result.threshold,
        "risks": risks.astype(object).where(risks.notna(), None).to_dict("records"),
        "heatmap": heatmap(result.current).to_dict("records"),
        "escalations": result.escalations.astype(object).where(result.escalations.notna(), None).to_dict("records"),
        "projects": _records(by_project(result.current, result.escalations)) if not result.current.empty else [],
        "portfolio": asdict(summary(result.current, result.escalations)) if not result.current.empty else None,
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def narrow(frame: pd.DataFrame, *, projects=(), categories=(), kinds=()) -> pd.DataFrame:
    """Rows of ``frame`` in the chosen projects, categories and kinds (an empty choice keeps all)."""
    keep = pd.Series(True, index=frame.index)
    for column, chosen in (("project_id", projects), ("category", categories), ("kind", kinds)):
        if chosen and column in frame:
            keep &= frame[column].isin(list(chosen))
    return frame[keep]


def options(current: pd.DataFrame) -> dict[str, list[str]]:
    """The values a filter can offer: project_id, category, kind."""
    return {
        c: sorted(current[c].dropna().astype(str).unique()) if c in current else []
        for c in ("project_id", "category", "kind")
    }


def in_cell(current: pd.DataFrame, probability: int, impact: int) -> pd.DataFrame:
    """The open threats drawn in one heat-map cell, highest score first."""
    rows = current if "cell_probability" in current else prepare(current, None)
    hit = rows[rows.is_open & rows.is_threat & (rows.cell_probability == probability) & (rows.cell_impact == impact)]
    return hit.sort_values(["score", "project_id", "risk_id"], ascending=[False, True, True])


def escalations_in(escalated: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """The escalations whose entry is among the (filtered) ``current`` rows."""
    keys = set(zip(current["project_id"], current["risk_id"], strict=True))
    keep = [(p, r) in keys for p, r in zip(escalated["project_id"], escalated["risk_id"], strict=True)]
    return escalated[keep]


def health_inputs_at(store, as_of: dt.date, project_ids=None) -> pd.DataFrame:
    """For the portfolio health: per project (of ``project_ids``, all when None)
    ``max_open_risk_score`` / ``open_risks_at_threshold`` (:func:`health_inputs` over the latest
    registers and Jira Risk/Issue items at ``as_of``, with the stored escalation threshold). The
    health rule itself is ``metrics.portfolio.rules``."""
    current, _, _ = snapshots(history(store, as_of, project_ids))
    return health_inputs(current, threshold_setting(store))
