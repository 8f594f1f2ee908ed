"""The PM's own word for the week: a status report beside the computed health.

A report has the PM's RAG (green | amber | red), a reason that is required whenever that RAG
differs from the computed health, a summary, accomplishments, next steps and asks (decisions or
help needed). Reports are dated by the week's as-of date; the latest written for a project and
date is the one that counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

RAGS = ("green", "amber", "red")
TEXT_FIELDS = ("summary", "accomplishments", "next_steps", "asks")
MAX_TEXT = 4000


@dataclass(frozen=True)
class StatusReport:
    project_id: str
    as_of: dt.date
    rag: str
    summary: str = ""
    accomplishments: str = ""
    next_steps: str = ""
    asks: str = ""
    rag_reason: str = ""
    author: str | None = None
    computed_status: str | None = None

    def problems(self) -> list[str]:
        """What must be fixed before the report can be stored (empty = fine)."""
        out = []
        if self.rag not in RAGS:
            out.append(f"the RAG must be one of green, amber, red (got {self.rag!r}).")
        differs = self.computed_status in RAGS and self.rag in RAGS and self.rag != self.computed_status
        if differs and not self.rag_reason.strip():
            out.append(
                f"the RAG {self.rag} differs from the computed health {self.computed_status}: say why in the reason."
            )
        if not self.summary.strip():
            out.append("the summary is empty.")
        for name in (*TEXT_FIELDS, "rag_reason"):
            if len(getattr(self, name) or "") > MAX_TEXT:
                out.append(f"{name.replace('_', ' ')} is longer than {MAX_TEXT} characters.")
        return out

    def row(self) -> dict:
        return {
            "project_id": self.project_id,
            "as_of": self.as_of,
            "author": self.author,
            "rag": self.rag,
            "rag_reason": self.rag_reason.strip() or None,
            **{name: (getattr(self, name) or "").strip() or None for name in TEXT_FIELDS},
            "computed_status": self.computed_status,
        }


def latest(reports: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per project, its latest report on or before ``as_of``."""
    if reports.empty:
        return reports
    frame = reports if as_of is None else reports[pd.to_datetime(reports.as_of) <= pd.Timestamp(as_of)]
    return frame.sort_values(["project_id", "as_of"]).groupby("project_id").tail(1).reset_index(drop=True)


def rag_history(reports: pd.DataFrame) -> pd.DataFrame:
    """Both RAGs over time, long form for a chart: as_of, who (PM | Computed), status."""
    if reports.empty:
        return pd.DataFrame(columns=["as_of", "who", "status"])
    pm = reports.assign(who="PM", status=reports.rag)[["as_of", "who", "status"]]
    computed = reports.dropna(subset=["computed_status"])
    computed = computed.assign(who="Computed", status=computed.computed_status)[["as_of", "who", "status"]]
    out = pd.concat([pm, computed], ignore_index=True)
    out["as_of"] = pd.to_datetime(out.as_of)
    return out.sort_values(["as_of", "who"]).reset_index(drop=True)
