"""One escalation run for one channel: find what changed since the channel was last checked, post
each message once, and remember what was sent.

Exactly-once per transition: an event is posted only when the ``notifications`` table holds no
``sent`` row for the same project, event and channel at that as-of date (risks: the same risk and
reason); a post that fails is stored as ``failed`` with the event, and the next run posts it again.
A run records a ``checked`` row at its as-of date, so the next run compares against it: the same
data run twice posts once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from metrics import MetricsError
from notify import events as ev
from notify.channels import Channel
from notify.messages import message
from notify.webhook import PostResult, post

CHECKED = "checked"


@dataclass(frozen=True)
class Outcome:
    event: ev.Event
    payload: dict
    status: str  # sent | failed | dry-run
    detail: str


def health_at(store, as_of: dt.date | None) -> list[dict]:
    """``metrics portfolio`` rows at a date ([] before the first snapshot)."""
    if as_of is None:
        return []
    from metrics.portfolio import report

    try:
        return report(store, as_of=as_of)["projects"]
    except MetricsError:
        return []


def risk_escalations(store, as_of: dt.date, previous: dt.date | None) -> list[dict]:
    """Escalated risks at ``as_of`` (``metrics.risk.escalations`` over the risk snapshots)."""
    current = store.snapshot("risks", as_of)
    if current.empty:
        return []
    from metrics import risk

    before = store.snapshot("risks", previous) if previous else None
    return risk.escalations(current, before, as_of=as_of).to_dict("records")


def find_events(store, channel: Channel, as_of: dt.date) -> list[ev.Event]:
    """Transitions between the channel's last check (or the snapshot date before ``as_of`` on a
    first run) and ``as_of``, plus failed posts to retry, minus what was already sent."""
    log = store.notification_log(channel.name)
    checks = log[log.status == CHECKED]
    previous = checks.as_of.max() if not checks.empty else store.previous_as_of(as_of)
    previous = None if previous is None or pd.isna(previous) else pd.Timestamp(previous).date()
    found: list[ev.Event] = []
    if previous is None or previous < as_of:
        projects = {row["project_id"]: row for row in store.projects().to_dict("records")}
        now = health_at(store, as_of)
        found += ev.health_transitions(health_at(store, previous), now, as_of, projects)
        health = {row["project_id"]: row for row in now}
        found += ev.risk_events(risk_escalations(store, as_of, previous), as_of, health, projects)
    failed = log[log.status == "failed"]
    found += [ev.Event.from_json(json.loads(detail)) for detail in failed.detail.dropna()]
    sent = log[log.status == "sent"]
    done = {(r.project_id, r.event, pd.Timestamp(r.as_of).date()) for r in sent.itertuples()}
    unique: dict[tuple, ev.Event] = {}
    for event in found:
        key = (event.project_id, event_key(event), event.as_of)
        if key not in done and ev.in_scope(event, channel.programs, channel.portfolios):
            unique.setdefault(key, event)
    return list(unique.values())


def event_key(event: ev.Event) -> str:
    """Health events are keyed by kind; a risk by its id and reason, so a risk that escalates for a
    new reason (a higher score) is said again, and an unchanged one is not."""
    if event.risk_id is None:
        return event.key
    return f"{event.key}:{ev.payload_sha256({'why': event.reasons})[:8]}"


def escalate(
    store,
    channel: Channel,
    *,
    base_url: str,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    poster: Callable[[str, dict], PostResult] = post,
) -> list[Outcome]:
    """Post every pending event to ``channel``; with ``dry_run`` build them and change nothing."""
    as_of = as_of or store.latest_as_of()
    if as_of is None:
        return []
    outcomes = []
    for event in find_events(store, channel, as_of):
        payload = message(event, channel.format, base_url)
        if dry_run:
            outcomes.append(Outcome(event, payload, "dry-run", "not sent (--dry-run)"))
            continue
        result = poster(channel.webhook, payload)
        status = "sent" if result.ok else "failed"
        store.record_notification(
            project_id=event.project_id,
            event=event_key(event),
            as_of=event.as_of,
            channel=channel.name,
            payload_sha256=ev.payload_sha256(payload),
            status=status,
            detail=None if result.ok else json.dumps(event.to_json()),
        )
        outcomes.append(Outcome(event, payload, status, result.detail))
    if not dry_run:
        store.record_notification(
            project_id=None,
            event="run",
            as_of=as_of,
            channel=channel.name,
            payload_sha256="",
            status=CHECKED,
            detail=None,
        )
    return outcomes


def history(store) -> pd.DataFrame:
    """What was posted (or failed), newest first, for the Notifications page: the run marks left out."""
    log = store.notification_log()
    log = log[log.status != CHECKED]
    columns = ["sent_at", "channel", "project_id", "event", "as_of", "status"]
    return log.reindex(columns=columns).sort_values("sent_at", ascending=False).reset_index(drop=True)


def preview(store, channel: Channel, *, base_url: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """The messages a run would post now (a dry run): project, event, headline, reasons."""
    outcomes = escalate(store, channel, base_url=base_url, as_of=as_of, dry_run=True)
    rows = [
        {
            "project_id": o.event.project_id,
            "event": o.event.kind.replace("_", " "),
            "message": o.event.headline,
            "why": " ".join(o.event.reasons),
        }
        for o in outcomes
    ]
    return pd.DataFrame(rows, columns=["project_id", "event", "message", "why"])
