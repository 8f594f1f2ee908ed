"""Jira issues of type Risk or Issue as rows of the ``risks`` table (read time, from stored issues).

Mapping: ``risk_id`` = issue key, ``kind`` = risk | issue (from the issue type, in the user's
language), ``title`` = summary, ``owner`` = assignee, ``raised`` = created, ``closed`` = resolved,
closed when the status category is Done. Jira has no likelihood field of its own: ``impact`` comes
from the priority (Highest 5 … Lowest 1); an Issue has happened (probability 5); a Risk's
probability stays unknown, so it has no score until a register scores it.
"""

from __future__ import annotations

import pandas as pd

JIRA_TYPES = {
    "risk": "risk",
    "riesgo": "risk",
    "risco": "risk",
    "rischio": "risk",
    "risque": "risk",
    "risiko": "risk",
    "issue": "issue",
    "incidencia": "issue",
    "problema": "issue",
    "problème": "issue",
    "problem": "issue",
}
PRIORITY_IMPACT = {
    "highest": 5,
    "blocker": 5,
    "critical": 5,
    "más alta": 5,
    "altíssima": 5,
    "massima": 5,
    "höchste": 5,
    "la plus haute": 5,
    "high": 4,
    "major": 4,
    "alta": 4,
    "hoch": 4,
    "haute": 4,
    "medium": 3,
    "media": 3,
    "média": 3,
    "mittel": 3,
    "moyenne": 3,
    "low": 2,
    "minor": 2,
    "baja": 2,
    "baixa": 2,
    "bassa": 2,
    "niedrig": 2,
    "basse": 2,
    "lowest": 1,
    "trivial": 1,
    "más baja": 1,
    "baixíssima": 1,
    "minima": 1,
    "niedrigste": 1,
    "la plus basse": 1,
}


def risks_from_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Jira Risk/Issue rows (columns of ``Store.issue_history_of_types``) -> risks rows with
    ``source = 'jira'`` (extra columns are kept: ``snapshot_as_of``)."""
    kinds = issues["issue_type"].fillna("").str.strip().str.casefold().map(JIRA_TYPES)
    rows = issues[kinds.notna()]
    kinds = kinds[kinds.notna()]
    impact = rows["priority"].fillna("").str.strip().str.casefold().map(PRIORITY_IMPACT).astype("float")
    probability = pd.Series(5.0, index=rows.index).where(kinds == "issue")
    out = pd.DataFrame(
        {
            "project_id": rows["project_id"],
            "risk_id": rows["issue_key"],
            "kind": kinds,
            "title": rows["summary"],
            "category": None,
            "system": rows["components"],
            "probability_raw": None,
            "impact_raw": rows["priority"],
            "probability": probability,
            "impact": impact,
            "score": probability * impact,
            "exposure": float("nan"),
            "owner": rows["assignee"],
            "status": rows["status"],
            "is_closed": rows["status_category"].eq("Done"),
            "raised": pd.to_datetime(rows["created"]).dt.date,
            "due": pd.to_datetime(rows["due"]).dt.date,
            "closed": pd.to_datetime(rows["resolved"]).dt.date,
            "response": None,
            "escalate": rows["labels"].fillna("").str.contains(r"\bescalat", case=False, regex=True),
            "snapshot_as_of": rows["snapshot_as_of"],
            "source": "jira",
        }
    )
    return out.reset_index(drop=True)
