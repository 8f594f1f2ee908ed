"""Jira Cloud CSV exports of the demo: simulated agile teams (sprints, carry-over, scope change)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from data.generate.common import DEFAULT_ANCHOR, DEFAULT_SEED, MON, SPECS, Spec, last_friday, monday_of
from data.generate.plans import PEOPLE, _rng

# ------------------------------------------------------------------------------------------------
# Jira

EPICS: dict[str, list[tuple[str, list[str]]]] = {
    "CRM": [
        (
            "Lead to opportunity",
            [
                "Lead conversion rules",
                "Opportunity stages for SME",
                "Duplicate lead alerts",
                "Lead source attribution",
                "Opportunity team selling",
                "Win/loss reasons picklist",
            ],
        ),
        (
            "Case management",
            [
                "Case auto-assignment",
                "SLA timers on cases",
                "Email-to-case threading",
                "Case merge",
                "Escalation rules",
                "Customer satisfaction survey",
            ],
        ),
        (
            "Customer 360 view",
            [
                "Household grouping",
                "Product holdings panel",
                "Recent interactions timeline",
                "Consent flags on contact",
                "Complaints summary card",
            ],
        ),
        (
            "Data migration",
            [
                "Account mapping script",
                "Contact de-duplication job",
                "Attachment migration",
                "Migration reconciliation report",
                "Historic case import",
            ],
        ),
        (
            "Integrations",
            [
                "ERP account sync",
                "Billing status callout",
                "Marketing cloud journey sync",
                "Telephony screen-pop",
                "Address validation service",
            ],
        ),
    ],
    "POR": [
        (
            "Account overview",
            [
                "Accounts dashboard",
                "Balance history chart",
                "Pending transactions list",
                "Nickname accounts",
                "Hide closed accounts",
            ],
        ),
        (
            "Statements",
            ["Download PDF statements", "Statement search", "Paperless preference", "Tax certificate download"],
        ),
        (
            "Messaging",
            ["Secure inbox", "Attachment upload to messages", "Unread badge", "Message templates for advisers"],
        ),
        (
            "Payments",
            [
                "Pay a new payee",
                "Confirmation of payee check",
                "Scheduled payments list",
                "Payment limits warning",
                "Transfer between own accounts",
            ],
        ),
        ("Card controls", ["Freeze and unfreeze card", "Online spend toggle", "Replace lost card", "View PIN"]),
    ],
    "MOB": [
        (
            "Onboarding",
            [
                "Biometric login",
                "Device binding",
                "Selfie ID verification",
                "Welcome tour",
                "Push consent prompt",
                "Passcode reset flow",
            ],
        ),
        (
            "Spending insights",
            [
                "Categorise transactions",
                "Monthly spending chart",
                "Budget alerts",
                "Merchant logos",
                "Subscription detection",
                "Export insights CSV",
            ],
        ),
        (
            "Payments",
            [
                "Split the bill",
                "Request money link",
                "QR code payments",
                "Favourite payees",
                "Apple Pay provisioning",
                "Google Pay provisioning",
            ],
        ),
        (
            "Accessibility",
            ["Dynamic type support", "Screen reader labels", "High-contrast theme", "Reduce motion setting"],
        ),
        ("Performance", ["Cold start under 2s", "Image caching", "Offline balance view", "Crash-free sessions 99.8%"]),
        ("Savings pots", ["Create a savings pot", "Round-up transfers", "Pot goal tracking", "Close a pot"]),
    ],
    "PAY": [
        (
            "ISO 20022 messaging",
            [
                "pacs.008 mapping",
                "pacs.002 status handling",
                "camt.054 notifications",
                "Structured address migration",
                "Message validation service",
            ],
        ),
        (
            "Routing engine",
            [
                "Least-cost routing rules",
                "Cut-off time management",
                "Fallback routing",
                "Routing rules admin UI",
                "Duplicate payment detection",
            ],
        ),
        (
            "SEPA Instant",
            ["SCT Inst connector", "Timeout and recall handling", "Liquidity monitoring", "Instant reachability check"],
        ),
        (
            "Reconciliation",
            ["End-of-day reconciliation job", "Exception queue", "Nostro matching", "Reconciliation dashboard"],
        ),
        ("Operational readiness", ["Runbooks", "Alerting thresholds", "Capacity test scripts", "DR failover test"]),
    ],
    "OBK": [
        (
            "Account information",
            [
                "GET /accounts",
                "GET /balances",
                "GET /transactions with paging",
                "Consent expiry handling",
                "Account access revocation",
            ],
        ),
        (
            "Payment initiation",
            [
                "Domestic payment consent",
                "Payment submission",
                "Payment status webhook",
                "Standing order consent",
                "VRP sweeping mandate",
            ],
        ),
        (
            "TPP management",
            ["TPP directory sync", "eIDAS certificate validation", "TPP rate limiting", "Dynamic client registration"],
        ),
        ("Developer portal", ["API reference docs", "Sandbox data sets", "Onboarding guide", "Status page"]),
    ],
    "FRD": [
        (
            "Feature pipeline",
            [
                "Velocity features stream",
                "Device fingerprint features",
                "Merchant risk features",
                "Feature store backfill",
                "Feature drift monitor",
            ],
        ),
        (
            "Model lifecycle",
            [
                "Champion/challenger framework",
                "Model retraining job",
                "Explainability report",
                "Model risk documentation",
            ],
        ),
        (
            "Real-time scoring",
            ["Scoring API p99 < 50ms", "Rules + model blending", "Shadow mode scoring", "Case manager integration"],
        ),
    ],
}

PERSONAS = (
    "retail customer",
    "contact centre agent",
    "relationship manager",
    "operations analyst",
    "compliance officer",
    "product owner",
)
BUG_TEMPLATES = (
    "{x}: error 500 when the session expires",
    "{x} shows wrong totals after refresh",
    "{x} does not render on Safari 17",
    "Timeout in {x} under load",
    "{x}: validation message missing",
    "{x} fails for accounts with special characters",
    "{x}: duplicate records created",
)
STORY_VARIANTS = (
    "",
    " - API",
    " - UI",
    " - error handling",
    " - audit logging",
    " for business customers",
    " - reporting",
    " - performance",
    " - accessibility",
    " - monitoring",
    " - data retention",
)
SUBTASKS = ("Backend: {x}", "Frontend: {x}", "Tests: {x}", "Docs: {x}")
STATUS_CATEGORY = {
    "To Do": "To Do",
    "Backlog": "To Do",
    "Selected for Development": "To Do",
    "In Progress": "In Progress",
    "In Review": "In Progress",
    "Done": "Done",
}


def account_id(name: str) -> str:
    h = hashlib.md5(name.encode()).hexdigest()
    return f"712020:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass
class Issue:
    key: str
    id: int
    type: str
    summary: str
    created: datetime
    reporter: str
    assignee: str | None = None
    priority: str = "Medium"
    points: float | None = None
    parent: Issue | None = None
    labels: list[str] = field(default_factory=list)
    component: str | None = None
    description: str = ""
    sprints: list[tuple[str, datetime]] = field(default_factory=list)
    selected: datetime | None = None  # kanban: pulled into "Selected for Development"
    started: datetime | None = None
    review: datetime | None = None
    resolved: datetime | None = None
    comments: list[tuple[datetime, str, str]] = field(default_factory=list)
    children: list[Issue] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)  # epics: stories still to be written
    rank: int = 0


@dataclass
class JiraProject:
    spec: Spec
    issues: list[Issue]
    team: list[str]
    lead: str
    sprints: list[tuple[str, date, date]]  # name, start, finish


def _at(day: date, hour: float) -> datetime:
    return datetime.combine(day, dt.time()) + timedelta(hours=hour)


def _workday_time(moment: datetime) -> datetime:
    """Move a moment on a weekend or out of hours into Monday-Friday 8:00-18:00."""
    if moment.hour < 8:
        moment = moment.replace(hour=8 + moment.minute % 3)
    elif moment.hour >= 18:
        moment = moment.replace(hour=17)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def simulate_jira(spec: Spec, seed: int, anchor: date) -> JiraProject:
    """The history of one Jira project up to the anchor: every issue with its dated events."""
    rng = _rng(seed, "jira", spec.project_id)
    key = spec.jira_key
    team = rng.sample(PEOPLE, 6)
    lead = spec.manager
    until = _at(anchor, 18)
    begin = monday_of(anchor - timedelta(weeks=spec.jira_weeks))
    issues: list[Issue] = []
    counter = [0]
    id_base = 10_000 + sum(ord(c) for c in key) * 97

    def new(kind, summary, created, **kw) -> Issue:
        counter[0] += 1
        issue = Issue(
            f"{key}-{counter[0]}",
            id_base + counter[0],
            kind,
            summary,
            _workday_time(created),
            reporter=rng.choice([lead, *team[:2]]),
            rank=counter[0],
            **kw,
        )
        issues.append(issue)
        return issue

    if spec.jira_mode == "scrum":  # stories the backlog needs until the anchor, with some left over
        needed = spec.velocity / 4.6 * (spec.jira_weeks / 2 + 1) * 1.6
    else:
        needed = spec.jira_weeks * 5 * 0.9 * 0.75 * 1.3
    epics = []
    for n, (name, stems) in enumerate(EPICS[key]):
        epic = new("Epic", name, _at(begin - timedelta(days=10 - n), 10 + n), priority="High")
        size = round(needed / len(EPICS[key]) * rng.uniform(0.75, 1.25))
        epic.pool = [stem + variant for variant in STORY_VARIANTS for stem in stems][:size]
        epic.description = f"Epic for {name.lower()}.\n\nOutcome: {spec.name} delivers {name.lower()} to customers."
        epics.append(epic)

    def story(created: datetime, kind: str = "Story") -> Issue | None:
        open_epics = [e for e in epics if e.pool]
        if not open_epics:
            return None
        epic = open_epics[min(len(open_epics) - 1, int(rng.random() ** 2 * len(open_epics)))]
        stem = epic.pool.pop(0)
        if kind == "Bug":
            summary = rng.choice(BUG_TEMPLATES).format(x=stem)
            points = rng.choice((1.0, 2.0, 3.0, None, None))
            priority = rng.choice(("High", "Medium", "Highest", "Medium"))
            epic.pool.insert(0, stem)  # a bug does not consume the epic's backlog
        else:
            summary = stem
            points = float(rng.choices((1, 2, 3, 5, 8, 13), (8, 18, 26, 26, 16, 6))[0])
            priority = rng.choice(("Medium", "Medium", "High", "Low"))
        if spec.messy and kind == "Story" and rng.random() < 0.08:
            points = None
        issue = new(
            kind,
            summary,
            created,
            points=points,
            parent=epic,
            priority=priority,
            component=epic.summary if key in ("PAY", "CRM") else None,
        )
        issue.labels = rng.sample(
            ("backend", "frontend", "api", "security", "ux", "tech-debt", "regulatory"), rng.choice((0, 1, 1, 2, 3))
        )
        persona = rng.choice(PERSONAS)
        if kind == "Bug":
            issue.description = (
                f"Steps to reproduce:\n1. Log in as a {persona}\n2. Open {stem.lower()}\n"
                f'3. Observe the result\n\nExpected: works as specified.\nActual: "{summary}".'
            )
        else:
            benefit = rng.choice(
                (
                    "I can serve customers without switching systems",
                    "we stop handling this by hand",
                    "we meet the regulator's expectations",
                    "customers get an answer in one visit",
                )
            )
            issue.description = (
                f"As a {persona}, I need: {stem}, so that {benefit}.\n\n"
                f"*Acceptance criteria*\n* Works for personal and business customers\n"
                f'* Audit trail written for every change, including "who" and "when"\n* Covered by automated tests'
            )
        epic.children.append(issue)
        return issue

    sprints: list[tuple[str, date, date]] = []
    if spec.jira_mode == "scrum":
        number0 = 1 + (rng.randint(3, 9) if key in ("MOB", "PAY") else 0)
        backlog: list[Issue] = []
        carry: list[Issue] = []
        k = 0
        while True:
            s0 = begin + timedelta(days=14 * k)
            if s0 > anchor:
                break
            s_end = s0 + timedelta(days=11)
            name = f"{key} Sprint {number0 + k}"
            sprints.append((name, s0, s_end))
            progress = k / max(spec.jira_weeks / 2 - 1, 1)
            done_rate = spec.done_rate[0] + (spec.done_rate[1] - spec.done_rate[0]) * min(progress, 1)
            while sum(i.points or 3 for i in backlog) < 2.2 * spec.velocity:
                created = _at(s0 - timedelta(days=rng.randint(4, 14)), rng.uniform(9, 17.5))
                item = story(created)
                if item is None:
                    break
                backlog.append(item)
            capacity = spec.velocity * spec.overcommit * rng.uniform(0.95, 1.12) * (1.1 if done_rate < 0.75 else 1.0)
            plan = list(carry)
            load = sum(i.points or 3 for i in plan)
            while backlog and load < capacity:
                item = backlog.pop(0)
                plan.append(item)
                load += item.points or 3
            start = _at(s0, 9.5)
            # sprint planning on the previous Friday afternoon: the sprint holds its scope (carry-over
            # included) before it starts, so the Friday snapshot is the sprint's baseline
            planned_at = _at(s0 - timedelta(days=3), 15.5)
            for item in plan:
                item.sprints.append((name, max(planned_at, item.created + timedelta(minutes=5))))
                if item.type == "Story" and not item.children and rng.random() < 0.25:
                    for tmpl in rng.sample(SUBTASKS, rng.choice((2, 3))):
                        sub = new(
                            "Sub-task",
                            tmpl.format(x=item.summary),
                            start + timedelta(minutes=rng.randint(5, 90)),
                            parent=item,
                            priority=item.priority,
                        )
                        item.children.append(sub)
            for _ in range(rng.choice(spec.added_scope)):  # scope added after the sprint started
                kind = rng.choice(("Bug", "Bug", "Story"))
                item = story(_at(s0 + timedelta(days=rng.randint(1, 9)), rng.uniform(9, 17)), kind)
                if item is not None:
                    item.sprints.append((name, item.created + timedelta(minutes=rng.randint(10, 240))))
                    plan.append(item)
            # which items get done, then their completions spread steadily over the sprint's working days
            finish_line = _at(s_end, 17.0)
            span = (finish_line - start).total_seconds()
            done_items, carry = [], []
            for item in plan:
                item.assignee = item.assignee or rng.choice(team)
                big = (item.points or 3) >= 8
                (done_items if rng.random() < done_rate * (0.8 if big else 1.0) else carry).append(item)
            rng.shuffle(done_items)
            done_items.sort(key=lambda i: (i.points or 3) + rng.uniform(0, 6))  # small work tends to land first
            for n, item in enumerate(done_items):
                floor = max(start, item.sprints[-1][1])
                target = start + timedelta(seconds=span * (n + rng.uniform(0.35, 1.0)) / len(done_items))
                target = min(max(target, floor + timedelta(hours=rng.uniform(3, 20))), finish_line)
                item.resolved = _workday_time(target)
                if item.resolved > finish_line:
                    item.resolved = finish_line
                work = timedelta(days=rng.uniform(0.4, 0.9) * (1 + (item.points or 3) / 4))
                item.started = item.started or max(floor, item.resolved - work)
                item.review = item.started + (item.resolved - item.started) * 0.7
            for item in carry:
                if item.started is None and rng.random() < 0.6:
                    item.started = _workday_time(start + timedelta(days=rng.uniform(1, 9)))
            for item in plan:
                for sub in item.children:
                    sub.sprints = list(item.sprints)
                    sub.assignee = sub.assignee or rng.choice(team)
                    if sub.resolved is None and (item.resolved or rng.random() < 0.5) and item.started:
                        sub.started = max(item.started, sub.created)
                        end = max(item.resolved or _at(s_end, 16), sub.started)
                        sub.resolved = _workday_time(sub.started + (end - sub.started) * rng.uniform(0.3, 0.95))
            k += 1
    else:  # kanban: continuous flow
        day = begin
        while day <= anchor:
            if day.weekday() < 5:
                for _ in range(rng.choice((0, 1, 1, 1, 2))):
                    kind = rng.choice(("Story", "Story", "Task", "Bug"))
                    item = story(_at(day, rng.uniform(9, 17.5)), "Bug" if kind == "Bug" else "Story")
                    if item is None:
                        break
                    if kind == "Task":
                        item.type = "Task"
                    if rng.random() < 0.35:
                        item.points = None
                    item.selected = _workday_time(item.created + timedelta(days=rng.expovariate(1 / 5)))
                    item.started = _workday_time(item.selected + timedelta(days=rng.expovariate(1 / 3)))
                    cycle = rng.lognormvariate(math.log(4 + (item.points or 3) / 2), 0.5)
                    item.resolved = _workday_time(item.started + timedelta(days=cycle))
                    item.assignee = rng.choice(team)
            day += timedelta(days=1)
    for epic in epics:
        kids = [c for c in epic.children]
        starts = [c.started for c in kids if c.started]
        epic.started = min(starts) if starts else None
        if not epic.pool and kids and all(c.resolved for c in kids):
            epic.resolved = _workday_time(max(c.resolved for c in kids) + timedelta(days=1))
        epic.assignee = lead
    for issue in issues:  # a few comments along the way
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            end = issue.resolved or until
            when = issue.created + (end - issue.created) * rng.uniform(0.1, 0.95)
            author = rng.choice([*team, lead])
            text = rng.choice(
                (
                    "Picked this up, will update by end of day.",
                    "Blocked on the test environment; raised INC with infra.",
                    "Demoed to the product owner, minor copy changes requested.",
                    "PR merged; deploying to staging.",
                    "Can we split this? It is bigger than we thought.\nProposing two stories.",
                )
            )
            issue.comments.append((_workday_time(when), author, text))
        issue.comments.sort()
    return JiraProject(spec, issues, team, lead, sprints)


def jira_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    hour = moment.hour % 12 or 12
    return f"{moment.day:02d}/{MON[moment.month - 1]}/{moment.year % 100:02d} {hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def _status(issue: Issue, at: datetime, kanban: bool) -> tuple[str, datetime]:
    """Status and the time its category last changed, as of ``at``."""
    if issue.resolved and issue.resolved <= at:
        return "Done", issue.resolved
    if issue.review and issue.review <= at:
        return "In Review", issue.started or issue.created
    if issue.started and issue.started <= at:
        return "In Progress", issue.started
    if kanban:
        if issue.selected and issue.selected <= at:
            return "Selected for Development", issue.created
        return "Backlog", issue.created
    return "To Do", issue.created


def jira_rows(project: JiraProject, as_of: date) -> list[list[str]]:
    """The "all fields" CSV rows (header first) of an export made at the end of ``as_of``."""
    spec = project.spec
    at = _at(as_of, 17.75)
    kanban = spec.jira_mode == "kanban"
    visible = [i for i in project.issues if i.created <= at]
    visible.sort(key=lambda i: i.id, reverse=True)  # Jira's default order: created, newest first
    sprint_lists = {i.key: [n for n, t in i.sprints if t <= at] for i in visible}
    label_n = max([len(i.labels) for i in visible] + [1])
    comment_lists = {i.key: [c for c in i.comments if c[0] <= at] for i in visible}
    comment_n = max([len(c) for c in comment_lists.values()] + [1])
    sprint_n = max([len(s) for s in sprint_lists.values()] + [1])
    watcher_n = 3
    header = (
        [
            "Summary",
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Project key",
            "Project name",
            "Project type",
            "Project lead",
            "Project lead id",
            "Project description",
            "Priority",
            "Resolution",
            "Assignee",
            "Assignee Id",
            "Reporter",
            "Reporter Id",
            "Creator",
            "Creator Id",
            "Created",
            "Updated",
            "Last Viewed",
            "Resolved",
            "Fix versions",
            "Components",
            "Due date",
            "Votes",
        ]
        + ["Labels"] * label_n
        + ["Description", "Environment"]
        + ["Watchers"] * watcher_n
        + ["Watchers Id"] * watcher_n
        + [
            "Original estimate",
            "Remaining Estimate",
            "Time Spent",
            "Work Ratio",
            "Σ Original Estimate",
            "Σ Remaining Estimate",
            "Σ Time Spent",
            "Security Level",
            "Inward issue link (Blocks)",
            "Outward issue link (Blocks)",
            "Custom field (Development)",
            "Custom field (Flagged)",
            "Custom field (Issue color)",
            "Custom field (Rank)",
        ]
        + ([] if kanban else ["Sprint"] * sprint_n)
        + [
            "Custom field (Start date)",
            "Custom field (Story Points)",
            "Custom field (Story point estimate)",
            "Custom field (Target end)",
            "Custom field (Target start)",
            "Custom field (Team)",
            "Custom field ([CHART] Date of First Response)",
        ]
        + ["Comment"] * comment_n
        + ["Parent", "Parent key", "Parent summary", "Status Category", "Status Category Changed"]
    )
    rows = [header]
    description = f"{spec.name}: delivery team backlog ({spec.program})."
    for issue in visible:
        status, changed = _status(issue, at, kanban)
        events = (
            [issue.created, changed]
            + [t for _, t in issue.sprints if t <= at]
            + [c[0] for c in comment_lists[issue.key]]
        )
        events += [t for t in (issue.started, issue.review, issue.resolved) if t and t <= at]
        updated = max(events)
        done = status == "Done"
        sprints = sprint_lists[issue.key]
        fix = ""
        if done and sprints:
            number = int(sprints[-1].rsplit(" ", 1)[1])
            fix = f"{spec.jira_key} {1 + number // 6}.{number % 6}"
        points = "" if issue.points is None else f"{issue.points:.1f}"
        watchers = sorted({issue.reporter, *([issue.assignee] if issue.assignee else [])})[:watcher_n]
        est = spent = ""
        if issue.type == "Sub-task":
            est = str(rng_hours(issue) * 3600)
            spent = est if done else (str(rng_hours(issue) * 1800) if status != "To Do" else "")
        comments = [f"{jira_date(t)};{account_id(a)};{text}" for t, a, text in comment_lists[issue.key]]
        parent = issue.parent
        row = (
            [
                issue.summary,
                issue.key,
                str(issue.id),
                issue.type,
                status,
                spec.jira_key,
                spec.name,
                "software",
                project.lead,
                account_id(project.lead),
                description,
                issue.priority,
                "Done" if done else "",
                issue.assignee or "",
                account_id(issue.assignee) if issue.assignee else "",
                issue.reporter,
                account_id(issue.reporter),
                issue.reporter,
                account_id(issue.reporter),
                jira_date(issue.created),
                jira_date(updated),
                "",
                jira_date(issue.resolved) if done else "",
                fix,
                issue.component or "",
                "",
                "0",
            ]
            + _pad(issue.labels, label_n)
            + [issue.description, ""]
            + _pad(watchers, watcher_n)
            + _pad([account_id(w) for w in watchers], watcher_n)
            + [
                est,
                "" if not est else ("0" if done else est),
                spent,
                "",
                est,
                "" if not est else ("0" if done else est),
                spent,
                "",
                "",
                "",
                "{}" if issue.type != "Epic" else "",
                "",
                "",
                f"0|i{issue.rank * 37:05x}:",
            ]
            + ([] if kanban else _pad(sprints, sprint_n))
            + [
                "",
                points if spec.points_field == "Custom field (Story Points)" else "",
                points if spec.points_field != "Custom field (Story Points)" else "",
                "",
                "",
                "",
                "",
            ]
            + _pad(comments, comment_n)
            + ([str(parent.id), parent.key, parent.summary] if parent else ["", "", ""])
            + [STATUS_CATEGORY[status], jira_date(changed)]
        )
        rows.append(row)
    return rows


def rng_hours(issue: Issue) -> int:
    return 2 + issue.id % 7


def _pad(values: list[str], n: int) -> list[str]:
    return list(values[:n]) + [""] * (n - len(values[:n]))


def write_jira(path: Path, project: JiraProject, as_of: date) -> None:
    rows = jira_rows(project, as_of)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    if project.spec.messy:  # blank rows in the middle and at the end, as after a hand edit
        width = len(rows[0])
        middle = len(rows) // 2
        rows = [*rows[:middle], [""] * width, *rows[middle:], [""] * width, [""] * width]
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))


def sprint_calendar(seed: int = DEFAULT_SEED, anchor: date = DEFAULT_ANCHOR) -> dict[str, list[dict]]:
    """project_id -> the sprint calendar the demo teams followed (sprint, start, finish, goal, origin),
    for ``store.save_sprints`` (the Jira CSV itself carries no sprint dates)."""
    anchor = last_friday(anchor)
    out = {}
    for spec in SPECS:
        if spec.jira_mode != "scrum":
            continue
        project = simulate_jira(spec, seed, anchor)
        out[spec.project_id] = [
            {"sprint": name, "start": start, "finish": finish, "goal": f"{spec.name}: sprint goal", "origin": "demo"}
            for name, start, finish in project.sprints
        ]
    return out
