"""Message builders (pure): a Teams Workflows envelope around an Adaptive Card, and a Slack
Block Kit message. Both carry the project, its status, the reasons with their numbers, the PM and a
link to the project's page.

Uploaded text (project names, risk titles) goes into the messages as plain text: Slack's three
control characters are escaped as Slack documents (``& < >``) and markdown link syntax is broken
up in Teams text blocks, so a project called ``[x](https://evil)`` shows as written.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from notify.events import STATUS_WORDS, Event

CARD_VERSION = "1.4"  # what Teams Workflows renders
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
COLOURS = {"red": "Attention", "amber": "Warning", "green": "Good"}
PAGES = {"risk_escalated": "risks"}


def link(event: Event, base_url: str) -> str:
    """The page that explains the event: the project page, or the risks page for a risk."""
    page = PAGES.get(event.kind, "project")
    return f"{base_url.rstrip('/')}/{page}?project={quote(event.project_id, safe='')}"


def facts(event: Event) -> list[tuple[str, str]]:
    rows = [
        (
            "Project",
            f"{event.project_name} ({event.project_id})"
            if event.project_name != event.project_id
            else event.project_id,
        )
    ]
    rows.append(("Status", STATUS_WORDS.get(event.status, event.status)))
    if event.previous_status:
        rows.append(("Was", STATUS_WORDS.get(event.previous_status, event.previous_status)))
    if event.risk_id:
        rows.append(("Risk", f"{event.risk_id} — {event.risk_title}" if event.risk_title else event.risk_id))
        if event.extra.get("score") is not None:
            rows.append(("Score", f"{event.extra['score']:g} of 25"))
        if event.extra.get("owner"):
            rows.append(("Risk owner", event.extra["owner"]))
    rows.append(("PM", event.manager or "—"))
    if event.program:
        rows.append(("Program", event.program))
    rows.append(("As of", event.as_of.isoformat()))
    return rows


def _teams_text(text: str) -> str:
    return str(text).replace("](", "] (").replace("<", "‹").replace(">", "›")


def teams_message(event: Event, base_url: str) -> dict:
    """The Workflows webhook body: ``{"type": "message", "attachments": [{contentType:
    application/vnd.microsoft.card.adaptive, content: <Adaptive Card>}]}``."""
    reasons = list(event.reasons) or ["No rule fired."]
    body = [
        {
            "type": "TextBlock",
            "text": _teams_text(event.headline),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": COLOURS.get(event.status, "Default"),
        },
        {"type": "FactSet", "facts": [{"title": t, "value": _teams_text(v)} for t, v in facts(event)]},
        {
            "type": "TextBlock",
            "text": "Why" if event.kind != "left_red" else "Still open",
            "weight": "Bolder",
            "wrap": True,
        },
        *({"type": "TextBlock", "text": "• " + _teams_text(r), "wrap": True, "spacing": "Small"} for r in reasons),
    ]
    card = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": "Open in PMO Portfolio Analytics", "url": link(event, base_url)}
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _slack_text(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(event: Event, base_url: str) -> dict:
    """A Block Kit message for a Slack incoming webhook (``text`` is the notification fallback)."""
    reasons = list(event.reasons) or ["No rule fired."]
    fields = [{"type": "mrkdwn", "text": f"*{t}*\n{_slack_text(v)}"} for t, v in facts(event)]
    return {
        "text": _slack_text(event.headline),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": event.headline[:150]}},
            {"type": "section", "fields": fields[:10]},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Why*\n" + "\n".join("• " + _slack_text(r) for r in reasons)[:2900],
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in PMO Portfolio Analytics"},
                        "url": link(event, base_url),
                    }
                ],
            },
        ],
    }


def message(event: Event, fmt: str, base_url: str) -> dict:
    return teams_message(event, base_url) if fmt == "teams" else slack_message(event, base_url)


def test_message(fmt: str, base_url: str, when: dt.datetime | None = None) -> dict:
    """A harmless message to check that a channel is wired up."""
    when = when or dt.datetime.now().replace(microsecond=0)
    text = f"Test message from PMO Portfolio Analytics ({when:%Y-%m-%d %H:%M}): this channel will receive escalations."
    if fmt == "teams":
        card = {
            "$schema": CARD_SCHEMA,
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": [{"type": "TextBlock", "text": text, "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": "Open the dashboard", "url": base_url}],
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
            ],
        }
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _slack_text(text)}}]}
