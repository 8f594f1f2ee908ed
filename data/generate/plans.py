"""MS Project plans of the demo: the schedule model, Selected Data workbooks and MSPDI XML."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from data.generate.common import MONTHS, Spec, _workbook, monday_of, wd_date, wd_index

# ------------------------------------------------------------------------------------------------
# MS Project plans

# kind -> phases: (phase name, children, closing milestone); a child is a task name or
# (sub-phase name, [task names]).
TEMPLATES: dict[str, list] = {
    "crm": [
        (
            "Initiation",
            ["Project charter and business case", "Stakeholder analysis", "Vendor statement of work"],
            "Project kick-off",
        ),
        (
            "Discovery & Requirements",
            [
                "Current-state process mapping",
                "Sales process workshops",
                "Service process workshops",
                "Marketing requirements",
                "Data model gap analysis",
                "Integration inventory",
                "Requirements sign-off pack",
            ],
            "Requirements signed off",
        ),
        (
            "Solution Design",
            [
                "Target architecture",
                "Data migration strategy",
                "Security and sharing model",
                "Integration design (ERP, billing)",
                "Reporting and dashboard design",
            ],
            "Design authority approval",
        ),
        (
            "Build",
            [
                ("Sales Cloud", ["Configure opportunity management", "Quote and pricing rules", "Territory model"]),
                (
                    "Service Cloud",
                    ["Case management configuration", "Omni-channel routing", "Knowledge base migration"],
                ),
                ("Integrations", ["ERP customer sync (MuleSoft)", "Billing events interface", "Single sign-on"]),
                (
                    "Data Migration",
                    ["Extract legacy accounts", "Cleanse and de-duplicate", "Trial migration 1", "Trial migration 2"],
                ),
            ],
            "Build complete",
        ),
        (
            "Testing",
            ["System integration testing", "Performance testing", "User acceptance testing", "Defect fix cycle"],
            "UAT sign-off",
        ),
        (
            "Deployment",
            ["Training: sales teams", "Training: contact centre", "Cutover rehearsal", "Production cutover"],
            "Go-live",
        ),
        ("Hypercare & Closure", ["Hypercare support", "Legacy CRM decommission", "Lessons learned"], "Project closed"),
    ],
    "portal": [
        ("Mobilisation", ["Team onboarding", "Discovery interviews", "UX research plan"], "Discovery complete"),
        (
            "Experience Design",
            ["Customer journey maps", "Wireframes", "Design system update", "Accessibility review"],
            "Designs approved",
        ),
        (
            "Platform",
            ["Headless CMS setup", "API gateway routes", "Identity integration (OIDC)", "CI/CD pipelines"],
            "Platform ready",
        ),
        (
            "Features",
            [
                ("Release 1", ["Account overview", "Statements and documents", "Secure messaging"]),
                ("Release 2", ["Payments and transfers", "Card controls", "Notification centre"]),
            ],
            "Feature complete",
        ),
        (
            "Quality",
            ["Penetration test", "Accessibility audit (WCAG 2.2)", "Beta with 500 customers", "Performance tuning"],
            "Beta sign-off",
        ),
        (
            "Launch",
            ["Marketing launch pack", "Phased rollout 10% / 50% / 100%", "Legacy portal redirect"],
            "Portal v2 live",
        ),
    ],
    "loyalty": [
        (
            "Proposition",
            ["Market benchmarking", "Rewards catalogue design", "Points economics model"],
            "Proposition approved",
        ),
        (
            "Platform Setup",
            [
                "Loyalty engine configuration",
                "Card transaction feed",
                "Partner offers API",
                "Customer data consent model",
            ],
            "Platform configured",
        ),
        (
            "Channels",
            [
                ("Mobile app", ["Rewards hub screen", "Points balance widget"]),
                ("Web", ["Rewards page", "Offer activation"]),
                ("Branch", ["Staff tooling"]),
            ],
            "Channels ready",
        ),
        ("Testing", ["End-to-end test", "Points accrual reconciliation", "Friendly-user pilot"], "Pilot complete"),
        ("Launch", ["Member migration", "Launch campaign", "Post-launch review"], "Relaunch live"),
    ],
    "payments": [
        ("Initiation", ["Business case refresh", "Vendor selection", "Contract signature"], "Mobilised"),
        (
            "Analysis",
            [
                "Payment flows inventory",
                "Scheme rules analysis (SEPA, Faster Payments)",
                "Non-functional requirements",
                "Fraud and sanctions screening requirements",
            ],
            "Analysis complete",
        ),
        (
            "Design",
            [
                "Gateway architecture",
                "Routing and orchestration design",
                "Message mapping ISO 20022",
                "Resilience design",
            ],
            "Design approved",
        ),
        (
            "Build",
            [
                ("Core gateway", ["Gateway platform", "Routing rules", "Reconciliation service"]),
                (
                    "Channel adapters",
                    ["Online banking adapter", "Corporate host-to-host adapter", "Mobile wallet adapter"],
                ),
                ("Scheme connectivity", ["SEPA Instant connector", "Faster Payments connector", "SWIFT gpi connector"]),
            ],
            "Build complete",
        ),
        (
            "Testing",
            ["Scheme certification", "System integration testing", "Non-functional testing", "Operational acceptance"],
            "Ready for service",
        ),
        (
            "Migration",
            ["Migrate online banking traffic", "Migrate corporate traffic", "Migrate mobile wallet traffic"],
            "All traffic migrated",
        ),
        ("Closure", ["Decommission legacy switches", "Benefits tracking handover"], "Project closed"),
    ],
    "ledger": [
        (
            "Mobilisation",
            ["Programme governance set-up", "Vendor onboarding", "Environment provisioning"],
            "Mobilisation complete",
        ),
        (
            "Finance Design",
            [
                "Chart of accounts redesign",
                "Posting rules catalogue",
                "Sub-ledger mapping",
                "Regulatory reporting requirements",
                "Period-end close design",
            ],
            "Finance design signed off",
        ),
        (
            "Build",
            [
                ("Ledger core", ["Product configuration", "Posting engine rules", "Multi-currency revaluation"]),
                ("Interfaces", ["Loans sub-ledger feed", "Deposits sub-ledger feed", "Payments feed", "Treasury feed"]),
                (
                    "Reporting",
                    ["Management reporting cubes", "Regulatory returns (FINREP)", "Reconciliation dashboards"],
                ),
            ],
            "Build complete",
        ),
        (
            "Data Migration",
            ["Balance extraction", "Mapping and transformation", "Mock load 1", "Mock load 2", "Dress rehearsal"],
            "Migration rehearsed",
        ),
        (
            "Testing",
            ["System testing", "End-to-end integration testing", "User acceptance testing", "Performance testing"],
            "Test exit",
        ),
        (
            "Parallel Run",
            ["Parallel run month 1", "Parallel run month 2", "Reconciliation sign-off"],
            "Parallel run passed",
        ),
        ("Go-live", ["Cutover weekend", "Post go-live support", "Legacy ledger archive"], "Ledger live"),
    ],
    "openbanking": [
        ("Regulatory Analysis", ["PSD3 gap analysis", "API scope definition", "Consent model"], "Scope agreed"),
        (
            "API Platform",
            [
                "API management platform",
                "Developer portal",
                "TPP onboarding workflow",
                "Certificate management (eIDAS)",
            ],
            "Platform ready",
        ),
        (
            "APIs",
            [
                ("Account information", ["Accounts API", "Balances API", "Transactions API"]),
                (
                    "Payment initiation",
                    ["Domestic payments API", "Standing orders API", "Variable recurring payments API"],
                ),
            ],
            "APIs built",
        ),
        (
            "Conformance",
            ["Conformance test suite", "Security testing", "Regulator sandbox testing"],
            "Conformance passed",
        ),
        ("Go-live", ["Production launch", "TPP communications", "Service monitoring handover"], "APIs live"),
    ],
    "dcexit": [
        (
            "Discovery",
            ["Application inventory", "Dependency mapping", "Landing zone requirements", "Licensing review"],
            "Discovery complete",
        ),
        (
            "Landing Zone",
            [
                "Azure landing zone build",
                "Network connectivity (ExpressRoute)",
                "Identity and policies",
                "Backup and DR design",
            ],
            "Landing zone ready",
        ),
        (
            "Migration Waves",
            [
                ("Wave 1 - Non-production", ["Dev/test servers", "Build agents"]),
                ("Wave 2 - Internal apps", ["HR and intranet", "Reporting servers", "File shares"]),
                ("Wave 3 - Customer apps", ["Web tier", "Customer databases"]),
                ("Wave 4 - Core systems", ["Mainframe integration", "Batch scheduling"]),
            ],
            "All workloads migrated",
        ),
        (
            "Decommission",
            ["Data wipe and certificates", "Hardware removal", "Exit colocation contract"],
            "Data centre exited",
        ),
    ],
    "iam": [
        (
            "Planning",
            ["Identity strategy", "Joiner-mover-leaver process design", "Okta tenant design"],
            "Plan approved",
        ),
        (
            "Directory Integration",
            ["Active Directory sync", "HR system integration (Workday)", "Attribute mapping"],
            "Directory integrated",
        ),
        (
            "SSO Onboarding",
            [("Wave A", ["20 SaaS apps", "Intranet"]), ("Wave B", ["35 internal apps", "Legacy apps via gateway"])],
            "SSO onboarding complete",
        ),
        (
            "MFA & PAM",
            ["MFA rollout - head office", "MFA rollout - branches", "Privileged access vaulting"],
            "MFA enforced",
        ),
        ("Closure", ["Access certification campaign", "Runbook handover", "Closure report"], "Project closed"),
    ],
    "network": [
        (
            "Design",
            ["Site surveys", "SD-WAN architecture", "Security policy design", "Pilot site selection"],
            "Design approved",
        ),
        ("Procurement", ["Hardware order", "Carrier circuits order", "Staging and configuration"], "Kit delivered"),
        ("Pilot", ["Pilot installs (5 branches)", "Pilot monitoring", "Pilot lessons learned"], "Pilot signed off"),
        (
            "Rollout",
            [
                ("North region", ["Batch 1 (12 branches)", "Batch 2 (15 branches)"]),
                ("South region", ["Batch 3 (14 branches)", "Batch 4 (18 branches)"]),
                ("Head office & DCs", ["Head office", "Data centre edge"]),
            ],
            "Rollout complete",
        ),
        ("Closure", ["MPLS circuit termination", "Operations handover", "Closure report"], "Project closed"),
    ],
}

STEPS = {  # a component in a sub-phase is planned as these steps
    "default": ("design", "build", "test"),
    "dcexit": ("runbook", "migration", "validation"),
    "network": ("site preparation", "installation", "acceptance"),
    "iam": ("configuration", "testing", "cutover"),
}
ROLE_RATES = {  # daily rates
    "Project Manager": 1100,
    "Business Analyst": 850,
    "Solution Architect": 1300,
    "Developer": 900,
    "Test Lead": 850,
    "Engineer": 950,
    "Data Engineer": 950,
    "Change Manager": 800,
    "Vendor Consultant": 1500,
}
PEOPLE = (
    "Ana Silva",
    "Ben Carter",
    "Chloe Martin",
    "Daniel Kim",
    "Eva Novak",
    "Farid Haddad",
    "Giulia Conti",
    "Hugo Laurent",
    "Isabel Torres",
    "Jakub Nowak",
    "Keira Walsh",
    "Liam O'Brien",
    "Maya Patel",
    "Nathan Brooks",
    "Olga Ivanova",
    "Pedro Alves",
    "Rosa Jimenez",
    "Sven Eriksson",
    "Tariq Aziz",
    "Uma Reddy",
    "Victor Dubois",
    "Wen Li",
    "Yusuf Demir",
    "Zoe Fischer",
)


@dataclass
class Row:
    """One plan row (summary, task or milestone)."""

    uid: int
    name: str
    level: int
    summary: bool = False
    milestone: bool = False
    parent: int | None = None  # row position of the parent summary
    children: list[int] = field(default_factory=list)
    preds: list[int] = field(default_factory=list)  # row positions
    resources: list[tuple[str, float]] = field(default_factory=list)  # (name, units)
    fixed: float = 0.0
    bdur: int = 0  # baseline working days
    bstart: int = 0  # baseline start index
    bcost: float = 0.0
    tdur: int = 0  # real duration
    tstart: int = 0
    factor: float = 1.0  # real cost / earned cost
    wbs: str = ""


@dataclass
class Plan:
    spec: Spec
    rows: list[Row]
    start: int


def _rng(seed: int, *parts) -> random.Random:
    return random.Random(f"{seed}|" + "|".join(str(p) for p in parts))


def build_plan(spec: Spec, seed: int, anchor: date) -> Plan:
    """The baseline and the real course of one project's plan (fixed; snapshots are views of it)."""
    rng = _rng(seed, "plan", spec.project_id)
    people = rng.sample(PEOPLE, 8)
    roles = list(ROLE_RATES)
    crew = {role: people[i % len(people)] for i, role in enumerate(roles)}
    rows: list[Row] = []

    def add(name, level, parent, **kw) -> int:
        rows.append(Row(uid=len(rows) + 1, name=name, level=level, parent=parent, **kw))
        if parent is not None:
            rows[parent].children.append(len(rows) - 1)
        return len(rows) - 1

    last = None  # the row the next task follows
    for p_num, (phase, children, milestone) in enumerate(TEMPLATES[spec.kind], 1):
        ph = add(phase, 1, None, summary=True)
        items = []
        for child in children:
            if isinstance(child, tuple):
                sub = add(child[0], 2, ph, summary=True)
                steps = STEPS.get(spec.kind, STEPS["default"])
                items.extend((f"{name}: {step}", 3, sub) for name in child[1] for step in steps)
            else:
                items.append((child, 2, ph))
        prev_in_phase: list[int] = []
        for name, level, parent in items:
            preds = []
            if prev_in_phase:
                # mostly a chain; sometimes two tasks run in parallel off the same predecessor
                back = 2 if len(prev_in_phase) >= 2 and rng.random() < 0.3 else 1
                preds = [prev_in_phase[-back]]
            elif last is not None:
                preds = [last]
            n_res = rng.choice((1, 2, 2, 3))
            chosen = rng.sample(roles, n_res)
            resources = [(crew[r], rng.choice((1.0, 1.0, 0.5))) for r in chosen]
            fixed = 0.0
            lowered = name.lower()
            if any(w in lowered for w in ("hardware", "licen", "platform", "install", "order", "vendor", "contract")):
                fixed = rng.choice((40_000, 75_000, 120_000))
            pos = add(
                name,
                level,
                parent,
                preds=preds,
                resources=resources,
                fixed=fixed,
                bdur=rng.choice((3, 5, 5, 8, 10, 10, 15, 20)),
            )
            prev_in_phase.append(pos)
        ends = prev_in_phase[-2:] if len(prev_in_phase) > 1 else prev_in_phase
        last = add(milestone, 2, ph, milestone=True, preds=sorted(set(ends)))
        del p_num
    # baseline schedule, scaled to the planned length
    start = wd_index(monday_of(anchor - timedelta(weeks=spec.start_weeks)))
    target = round(spec.months * 21.7)
    for _ in range(2):
        _forward(rows, start, "b")
        length = max(r.bstart + r.bdur for r in rows if not r.summary) - start
        scale = target / max(length, 1)
        for r in rows:
            if not r.summary and not r.milestone:
                r.bdur = max(1, round(r.bdur * scale))
    _forward(rows, start, "b")
    # baseline cost: labour at day rates plus fixed costs, scaled to the project's BAC
    raw = {}
    for i, r in enumerate(rows):
        if r.summary or r.milestone:
            continue
        rate = sum(ROLE_RATES[_role_of(crew, n)] * u for n, u in r.resources)
        raw[i] = r.bdur * rate + r.fixed
    total = sum(raw.values())
    for i, value in raw.items():
        rows[i].bcost = round(value * spec.bac / total / 10) * 10
    # the real course: durations stretched by the project's slip, costs by its overrun
    for r in rows:
        if r.summary or r.milestone:
            continue
        stretch = spec.slip * math.exp(rng.gauss(0, 0.1))
        r.tdur = max(1, round(r.bdur * stretch))
        r.factor = spec.overrun * math.exp(rng.gauss(0, 0.06))
    _forward(rows, start, "t", lag=(lambda: rng.choice((0, 0, 0, 1, 2, 3)) if spec.slip > 1.1 else 0))
    for i, r in enumerate(rows):
        r.wbs = _wbs(rows, i)
    return Plan(spec, rows, start)


def _role_of(crew: dict[str, str], person: str) -> str:
    return next(role for role, name in crew.items() if name == person)


def _forward(rows: list[Row], start: int, which: str, lag=lambda: 0) -> None:
    """Forward pass over leaf tasks and milestones in row order (predecessors come first)."""
    for r in rows:
        if r.summary:
            continue
        dur = r.bdur if which == "b" else r.tdur
        if r.preds:
            finish = max(
                getattr(rows[p], which + "start") + (getattr(rows[p], which + "dur") or 1) - 1 for p in r.preds
            )
            begin = finish if r.milestone else finish + 1 + lag()
        else:
            begin = start
        setattr(r, which + "start", begin)
        if r.milestone:
            setattr(r, which + "dur", 0)
        elif which == "t":
            r.tdur = dur


def _wbs(rows: list[Row], i: int) -> str:
    parts = []
    while i is not None:
        r = rows[i]
        siblings = rows[r.parent].children if r.parent is not None else [j for j, x in enumerate(rows) if x.level == 1]
        parts.append(str(siblings.index(i) + 1))
        i = r.parent
    return ".".join(reversed(parts))


@dataclass
class TaskState:
    """A row as the plan shows it at one status date."""

    start: int
    finish: int
    dur: int
    bstart: int
    bfinish: int
    bdur: int
    pct: int
    astart: int | None
    afinish: int | None
    cost: float
    bcost: float
    acost: float
    rcost: float
    bcws: float
    bcwp: float
    acwp: float


def plan_state(plan: Plan, status: date) -> list[TaskState]:
    """Every row of ``plan`` as of the end of ``status``: progress, forecasts and earned value."""
    s = wd_index(status)
    rows = plan.rows
    out: list[TaskState | None] = [None] * len(rows)
    for i, r in enumerate(rows):
        if r.summary:
            continue
        bfinish = r.bstart + max(r.bdur, 1) - 1
        if r.milestone:
            finish = max(out[p].finish for p in r.preds)
            done = all(out[p].pct == 100 for p in r.preds) and finish <= s
            out[i] = TaskState(
                finish,
                finish,
                0,
                r.bstart,
                r.bstart,
                0,
                100 if done else 0,
                finish if done else None,
                finish if done else None,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
            )
            continue
        tfinish = r.tstart + r.tdur - 1
        if r.tstart <= s:
            start, finish, dur = r.tstart, tfinish, r.tdur
            pct = 100 if tfinish <= s else min(95, 100 * (s - r.tstart + 1) // r.tdur)
            astart, afinish = r.tstart, (tfinish if tfinish <= s else None)
        else:
            ready = max((out[p].finish + 1 for p in r.preds), default=plan.start)
            start = max(ready, s + 1, r.bstart)
            dur = r.bdur
            finish = start + dur - 1
            pct, astart, afinish = 0, None, None
        earned = r.bcost * pct / 100
        acost = round(earned * r.factor, 2)
        rcost = round(r.bcost * (1 - pct / 100) * (1 + (r.factor - 1) * 0.4 if pct else 1), 2)
        bcws = r.bcost * min(max((s - r.bstart + 1) / r.bdur, 0), 1)
        out[i] = TaskState(
            start,
            finish,
            dur,
            r.bstart,
            bfinish,
            r.bdur,
            pct,
            astart,
            afinish,
            round(acost + rcost, 2),
            r.bcost,
            acost,
            rcost,
            round(bcws, 2),
            round(earned, 2),
            acost,
        )
    for i in range(len(rows) - 1, -1, -1):  # summaries, deepest first (children follow their parent)
        r = rows[i]
        if not r.summary:
            continue
        kids = [out[c] for c in r.children]
        leaves = [k for k in kids if k.dur or k.bdur]
        weight = sum(k.dur for k in leaves) or 1
        pct = round(sum(k.pct * k.dur for k in leaves) / weight)
        started = [k.astart for k in kids if k.astart is not None]
        start, finish = min(k.start for k in kids), max(k.finish for k in kids)
        bstart, bfinish = min(k.bstart for k in kids), max(k.bfinish for k in kids)
        out[i] = TaskState(
            start,
            finish,
            finish - start + 1,
            bstart,
            bfinish,
            bfinish - bstart + 1,
            pct,
            min(started) if started else None,
            finish if all(k.afinish is not None for k in kids) else None,
            *(
                round(sum(getattr(k, f) for k in kids), 2)
                for f in ("cost", "bcost", "acost", "rcost", "bcws", "bcwp", "acwp")
            ),
        )
    return out  # type: ignore[return-value]


def _ms_date(index: int, end: bool) -> str:
    d = wd_date(index)
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year} {'5:00 PM' if end else '8:00 AM'}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


SELECTED_DATA_COLUMNS = (
    "ID",
    "Unique_ID",
    "Name",
    "Outline_Level",
    "Summary",
    "Milestone",
    "Duration",
    "Start_Date",
    "Finish_Date",
    "Baseline_Start",
    "Baseline_Finish",
    "Actual_Start",
    "Actual_Finish",
    "Percent_Complete",
    "Physical_Percent_Complete",
    "Cost",
    "Baseline_Cost",
    "Actual_Cost",
    "Remaining_Cost",
    "BCWS",
    "BCWP",
    "ACWP",
    "Resource_Names",
    "Predecessors",
    "WBS",
)


def selected_data_rows(plan: Plan, status: date) -> list[list[str]]:
    """The Task_Table1 rows (header first) exactly as MS Project's export map writes them."""
    state = plan_state(plan, status)
    rows = [list(SELECTED_DATA_COLUMNS)]
    ids = {i: i + 1 for i in range(len(plan.rows))}
    for i, (r, t) in enumerate(zip(plan.rows, state)):
        is_ms = r.milestone
        start_text = _ms_date(t.start, is_ms)
        rows.append(
            [
                str(ids[i]),
                str(r.uid),
                r.name,
                str(r.level),
                "Yes" if r.summary else "No",
                "Yes" if is_ms else "No",
                _days(t.dur),
                start_text,
                _ms_date(t.finish, True),
                _ms_date(t.bstart, is_ms),
                _ms_date(t.bfinish, True),
                "NA" if t.astart is None else _ms_date(t.astart, is_ms),
                "NA" if t.afinish is None else _ms_date(t.afinish, True),
                f"{t.pct}%",
                "0%",
                _money(t.cost),
                _money(t.bcost),
                _money(t.acost),
                _money(t.rcost),
                _money(t.bcws),
                _money(t.bcwp),
                _money(t.acwp),
                ",".join(n if u == 1 else f"{n}[{int(u * 100)}%]" for n, u in r.resources),
                ",".join(str(ids[p]) for p in r.preds),
                r.wbs,
            ]
        )
    if plan.spec.messy:  # what a hurried PM leaves behind: hand-typed dates the export writes as-is
        rng = _rng(0, "mess", plan.spec.project_id)
        leaves = [i + 1 for i, r in enumerate(plan.rows) if not r.summary and not r.milestone]
        a, b, c = rng.sample(leaves, 3)
        rows[a][SELECTED_DATA_COLUMNS.index("Baseline_Finish")] = "TBC"
        rows[b][SELECTED_DATA_COLUMNS.index("Start_Date")] = "September 31, 2026 8:00 AM"
        rows[c][SELECTED_DATA_COLUMNS.index("Finish_Date")] = "end of Q4"
    return rows


def write_selected_data(path: Path, plan: Plan, status: date) -> None:
    wb = _workbook(path, status)
    ws = wb.add_worksheet("Task_Table1")
    for r, values in enumerate(selected_data_rows(plan, status)):
        for c, value in enumerate(values):
            ws.write_string(r, c, value)
    ws.set_column(2, 2, 42)
    wb.close()


def _iso(index: int, end: bool) -> str:
    return f"{wd_date(index).isoformat()}T{'17:00:00' if end else '08:00:00'}"


def _hundredths(value: float) -> str:
    return str(round(value * 100))


def write_mspdi(path: Path, plan: Plan, status: date) -> None:
    """An MSPDI file as MS Project 2019 saves it (the elements the loaders and EVM need)."""
    state = plan_state(plan, status)
    spec = plan.spec
    finish = max(t.finish for t in state)
    leaf = [t for r, t in zip(plan.rows, state) if not r.summary]
    totals = {
        f: round(sum(getattr(t, f) for t in leaf), 2)
        for f in ("cost", "bcost", "acost", "rcost", "bcws", "bcwp", "acwp")
    }
    project_pct = round(sum(t.pct * t.dur for t in leaf) / (sum(t.dur for t in leaf) or 1))
    saved = f"{status.isoformat()}T17:30:00"
    out = io.StringIO()
    w = out.write
    w(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="http://schemas.microsoft.com/project">\n'
    )
    header = [
        ("SaveVersion", "14"),
        ("BuildNumber", "16.0.10730.20102"),
        ("Name", path.name),
        ("Title", spec.name),
        ("Manager", spec.manager),
        ("CreationDate", _iso(plan.start, False)),
        ("LastSaved", saved),
        ("ScheduleFromStart", "1"),
        ("StartDate", _iso(plan.start, False)),
        ("FinishDate", _iso(finish, True)),
        ("FYStartDate", "1"),
        ("CriticalSlackLimit", "0"),
        ("CurrencyDigits", "2"),
        ("CurrencySymbol", "$"),
        ("CurrencyCode", "USD"),
        ("CurrencySymbolPosition", "0"),
        ("CalendarUID", "1"),
        ("DefaultStartTime", "08:00:00"),
        ("DefaultFinishTime", "17:00:00"),
        ("MinutesPerDay", "480"),
        ("MinutesPerWeek", "2400"),
        ("DaysPerMonth", "20"),
        ("DefaultTaskType", "0"),
        ("DefaultFixedCostAccrual", "3"),
        ("DefaultStandardRate", "0"),
        ("DefaultOvertimeRate", "0"),
        ("DurationFormat", "7"),
        ("WorkFormat", "2"),
        ("EditableActualCosts", "0"),
        ("HonorConstraints", "0"),
        ("StatusDate", f"{status.isoformat()}T17:00:00"),
        ("CurrentDate", f"{status.isoformat()}T08:00:00"),
        ("BaselineForEarnedValue", "0"),
        ("DefaultTaskEVMethod", "0"),
        ("WeekStartDay", "1"),
    ]
    for tag, value in header:
        w(f"\t<{tag}>{_xml(value)}</{tag}>\n")
    w(
        "\t<Calendars>\n\t\t<Calendar>\n\t\t\t<UID>1</UID>\n\t\t\t<Name>Standard</Name>\n\t\t\t<IsBaseCalendar>1</IsBaseCalendar>\n"
        "\t\t\t<BaseCalendarUID>-1</BaseCalendarUID>\n\t\t\t<WeekDays>\n"
    )
    for day in range(1, 8):
        if day in (1, 7):
            w(
                f"\t\t\t\t<WeekDay>\n\t\t\t\t\t<DayType>{day}</DayType>\n\t\t\t\t\t<DayWorking>0</DayWorking>\n\t\t\t\t</WeekDay>\n"
            )
        else:
            w(
                f"\t\t\t\t<WeekDay>\n\t\t\t\t\t<DayType>{day}</DayType>\n\t\t\t\t\t<DayWorking>1</DayWorking>\n"
                "\t\t\t\t\t<WorkingTimes>\n\t\t\t\t\t\t<WorkingTime>\n\t\t\t\t\t\t\t<FromTime>08:00:00</FromTime>\n"
                "\t\t\t\t\t\t\t<ToTime>12:00:00</ToTime>\n\t\t\t\t\t\t</WorkingTime>\n\t\t\t\t\t\t<WorkingTime>\n"
                "\t\t\t\t\t\t\t<FromTime>13:00:00</FromTime>\n\t\t\t\t\t\t\t<ToTime>17:00:00</ToTime>\n"
                "\t\t\t\t\t\t</WorkingTime>\n\t\t\t\t\t</WorkingTimes>\n\t\t\t\t</WeekDay>\n"
            )
    w("\t\t\t</WeekDays>\n\t\t</Calendar>\n\t</Calendars>\n\t<Tasks>\n")
    summary = TaskState(
        plan.start,
        finish,
        finish - plan.start + 1,
        min(t.bstart for t in leaf),
        max(t.bfinish for t in leaf),
        0,
        project_pct,
        min((t.astart for t in leaf if t.astart is not None), default=None),
        None,
        *(totals[f] for f in ("cost", "bcost", "acost", "rcost", "bcws", "bcwp", "acwp")),
    )
    summary.bdur = summary.bfinish - summary.bstart + 1
    root = Row(uid=0, name=spec.name, level=0, summary=True)
    tasks = [(0, root, summary, "0")] + [(i + 1, r, t, r.wbs) for i, (r, t) in enumerate(zip(plan.rows, state))]
    for task_id, r, t, number in tasks:
        work_h = t.dur * 8 * (sum(u for _, u in r.resources) or (1 if not r.summary else 0))
        fields = [
            ("UID", r.uid),
            ("ID", task_id),
            ("Name", r.name),
            ("Type", 1 if r.summary else 0),
            ("IsNull", 0),
            ("CreateDate", _iso(plan.start, False)),
            ("WBS", number),
            ("OutlineNumber", number),
            ("OutlineLevel", r.level),
            ("Priority", 500),
            ("Start", _iso(t.start, r.milestone)),
            ("Finish", _iso(t.finish, True)),
            ("Duration", f"PT{t.dur * 8}H0M0S"),
            ("DurationFormat", 7 if not r.summary else 53),
            ("Work", f"PT{round(work_h)}H0M0S"),
            ("Estimated", 0),
            ("Milestone", int(r.milestone)),
            ("Summary", int(r.summary)),
            ("Critical", 0),
            ("FixedCost", _hundredths(r.fixed * t.pct / 100 if r.fixed else 0)),
            ("FixedCostAccrual", 3),
            ("PercentComplete", t.pct),
            ("PercentWorkComplete", t.pct),
            ("Cost", _hundredths(t.cost)),
        ]
        if t.astart is not None:
            fields.append(("ActualStart", _iso(t.astart, r.milestone)))
        if t.afinish is not None:
            fields.append(("ActualFinish", _iso(t.afinish, True)))
        done_days = round(t.dur * t.pct / 100)
        fields += [
            ("ActualDuration", f"PT{done_days * 8}H0M0S"),
            ("ActualCost", _hundredths(t.acost)),
            ("RemainingDuration", f"PT{(t.dur - done_days) * 8}H0M0S"),
            ("RemainingCost", _hundredths(t.rcost)),
            ("ACWP", f"{t.acwp * 100:.2f}"),
            ("CV", f"{(t.bcwp - t.acwp) * 100:.2f}"),
            ("BCWS", f"{t.bcws * 100:.2f}"),
            ("BCWP", f"{t.bcwp * 100:.2f}"),
            ("PhysicalPercentComplete", 0),
            ("EarnedValueMethod", 0),
        ]
        w("\t\t<Task>\n")
        for tag, value in fields:
            w(f"\t\t\t<{tag}>{_xml(str(value))}</{tag}>\n")
        for p in r.preds:
            w(
                f"\t\t\t<PredecessorLink>\n\t\t\t\t<PredecessorUID>{plan.rows[p].uid}</PredecessorUID>\n"
                "\t\t\t\t<Type>1</Type>\n\t\t\t\t<CrossProject>0</CrossProject>\n\t\t\t\t<LinkLag>0</LinkLag>\n"
                "\t\t\t\t<LagFormat>7</LagFormat>\n\t\t\t</PredecessorLink>\n"
            )
        bwork = t.bdur * 8 * (sum(u for _, u in r.resources) or (1 if not r.summary else 0))
        w(
            f"\t\t\t<Baseline>\n\t\t\t\t<Number>0</Number>\n\t\t\t\t<Interim>0</Interim>\n"
            f"\t\t\t\t<Start>{_iso(t.bstart, r.milestone)}</Start>\n\t\t\t\t<Finish>{_iso(t.bfinish, True)}</Finish>\n"
            f"\t\t\t\t<Duration>PT{t.bdur * 8}H0M0S</Duration>\n\t\t\t\t<DurationFormat>7</DurationFormat>\n"
            f"\t\t\t\t<EstimatedDuration>0</EstimatedDuration>\n\t\t\t\t<Work>PT{round(bwork)}H0M0S</Work>\n"
            f"\t\t\t\t<Cost>{_hundredths(t.bcost)}</Cost>\n\t\t\t\t<BCWS>{t.bcws * 100:.2f}</BCWS>\n"
            f"\t\t\t\t<BCWP>{t.bcwp * 100:.2f}</BCWP>\n\t\t\t</Baseline>\n"
        )
        w("\t\t</Task>\n")
    w("\t</Tasks>\n\t<Resources>\n")
    people = sorted({n for r in plan.rows for n, _ in r.resources})
    res_uid = {n: k + 1 for k, n in enumerate(people)}
    for n in people:
        w(
            f"\t\t<Resource>\n\t\t\t<UID>{res_uid[n]}</UID>\n\t\t\t<ID>{res_uid[n]}</ID>\n\t\t\t<Name>{_xml(n)}</Name>\n"
            "\t\t\t<Type>1</Type>\n\t\t\t<IsNull>0</IsNull>\n\t\t\t<MaxUnits>1.00</MaxUnits>\n\t\t</Resource>\n"
        )
    w("\t</Resources>\n\t<Assignments>\n")
    uid = 0
    for r, t in zip(plan.rows, state):
        if r.summary or r.milestone:
            continue
        share = sum(u for _, u in r.resources) or 1
        for n, u in r.resources:
            uid += 1
            w(
                f"\t\t<Assignment>\n\t\t\t<UID>{uid}</UID>\n\t\t\t<TaskUID>{r.uid}</TaskUID>\n"
                f"\t\t\t<ResourceUID>{res_uid[n]}</ResourceUID>\n\t\t\t<PercentWorkComplete>{t.pct}</PercentWorkComplete>\n"
                f"\t\t\t<ActualCost>{_hundredths(t.acost * u / share)}</ActualCost>\n"
                f"\t\t\t<Cost>{_hundredths(t.cost * u / share)}</Cost>\n\t\t\t<Units>{u:.2f}</Units>\n"
                f"\t\t\t<Work>PT{round(t.dur * 8 * u)}H0M0S</Work>\n\t\t</Assignment>\n"
            )
    w("\t</Assignments>\n</Project>\n")
    path.write_bytes(out.getvalue().encode("utf-8"))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
