"""What to tell people: project health transitions and escalated risks between two as-of dates.

A transition is judged between the state the channel was last told about (the health at the
previous run's as-of date, or at the snapshot date before this one on a first run) and the health
now. ``turned_red``: not red before, red now. ``left_red``: red before, not red now. A risk event is
one row of :func:`metrics.risk.escalations`. Every event has a stable ``key`` (project, kind, as-of)
so that it is sent once per channel, however often the command runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

STATUS_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "unknown": "Unknown"}


@dataclass(frozen=True)
class Event:
    """One thing that must be said once: ``kind`` in turned_red | left_red | risk_escalated."""

    kind: str
    project_id: str
    project_name: str
    as_of: dt.date
    status: str
    previous_status: str | None
    reasons: tuple[str, ...] = ()
    manager: str | None = None
    program: str | None = None
    portfolio: str | None = None
    risk_id: str | None = None
    risk_title: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The event's identity in the ``notifications`` table's ``event`` column."""
        return self.kind if self.risk_id is None else f"{self.kind}:{self.risk_id}"

    @property
    def headline(self) -> str:
        name = self.project_name or self.project_id
        if self.kind == "turned_red":
            before = STATUS_WORDS.get(self.previous_status or "unknown", "Unknown")
            return f"{name} turned Red (was {before})"
        if self.kind == "left_red":
            return f"{name} is no longer Red (now {STATUS_WORDS.get(self.status, self.status)})"
        return f"{name}: risk {self.risk_id} escalated"

    def to_json(self) -> dict:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["reasons"] = list(self.reasons)
        return out

    @classmethod
    def from_json(cls, data: dict) -> Event:
        data = dict(data)
        data["as_of"] = dt.date.fromisoformat(data["as_of"])
        data["reasons"] = tuple(data.get("reasons") or ())
        return cls(**data)


def payload_sha256(payload: dict) -> str:
    """The fingerprint of a message as posted (canonical JSON)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def health_transitions(
    before: list[dict], after: list[dict], as_of: dt.date, projects: dict[str, dict] | None = None
) -> list[Event]:
    """Events for projects whose health crossed the red line between ``before`` and ``after``
    (rows of ``metrics portfolio``: project_id, name, program, status, reasons). A project absent
    before counts as not red. ``projects`` adds the register's manager and portfolio."""
    projects = projects or {}
    was = {row["project_id"]: row.get("status") for row in before}
    events = []
    for row in after:
        pid = row["project_id"]
        now, then = row.get("status"), was.get(pid)
        if (now == "red") == (then == "red"):
            continue
        info = projects.get(pid, {})
        events.append(
            Event(
                kind="turned_red" if now == "red" else "left_red",
                project_id=pid,
                project_name=str(row.get("name") or pid),
                as_of=as_of,
                status=now or "unknown",
                previous_status=then,
                reasons=tuple(row.get("reasons") or ()),
                manager=_text(info.get("manager")),
                program=_text(row.get("program") or info.get("program")),
                portfolio=_text(info.get("portfolio")),
            )
        )
    return sorted(events, key=lambda e: (e.kind != "turned_red", e.project_id))


def risk_events(
    escalations: list[dict], as_of: dt.date, health: dict[str, dict], projects: dict[str, dict]
) -> list[Event]:
    """One event per escalated risk (rows of ``metrics.risk.escalations``: project_id, risk_id,
    title, score, owner, why)."""
    events = []
    for row in escalations:
        pid = row["project_id"]
        info, state = projects.get(pid, {}), health.get(pid, {})
        score = row.get("score")
        events.append(
            Event(
                kind="risk_escalated",
                project_id=pid,
                project_name=str(state.get("name") or info.get("name") or pid),
                as_of=as_of,
                status=state.get("status") or "unknown",
                previous_status=None,
                reasons=(str(row.get("why") or "escalated"),),
                manager=_text(info.get("manager")),
                program=_text(state.get("program") or info.get("program")),
                portfolio=_text(info.get("portfolio")),
                risk_id=str(row["risk_id"]),
                risk_title=_text(row.get("title")),
                extra={"score": None if score is None else float(score), "owner": _text(row.get("owner"))},
            )
        )
    return events


def in_scope(event: Event, programs: tuple[str, ...], portfolios: tuple[str, ...]) -> bool:
    """A channel configured for some programs or portfolios hears only about their projects."""
    if programs and event.program not in programs:
        return False
    return not portfolios or event.portfolio in portfolios


def _text(value) -> str | None:
    if value is None or value != value:  # None or NaN
        return None
    text = str(value).strip()
    return text or None
