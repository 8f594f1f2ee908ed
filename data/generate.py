"""Deterministic demo portfolio: export files in the formats the tools really write.

``generate(out_dir)`` writes, for a fictional bank's change portfolio of 12 projects in 3 programs
and 2 portfolios:

* ``portfolio_register.xlsx`` — sheet ``Register`` (project_id, name, program, portfolio, manager,
  sponsor, currency, budget, jira_keys, stage + ``Strategic theme``, ``Business unit``, ``Target go-live``);
* MS Project plans every 2 weeks (status dates on Fridays) for 9 projects: 7 as "Selected Data"
  workbooks (sheet ``Task_Table1``, underscored field names, every cell text as Project writes it)
  and 2 as MSPDI XML (money in hundredths, ISO-8601 durations, ``StatusDate``, ``Baseline`` 0);
* Jira Cloud "all fields" CSV exports every week for 6 agile teams (one Kanban team without a
  Sprint column): repeated ``Sprint``/``Labels``/``Comment`` columns, ``dd/MMM/yy h:mm AM`` dates,
  epics, sub-tasks, carry-over and scope added mid-sprint;
* finance "Budget vs Actual" workbooks in the wide monthly layout, one per month-end, with
  subtotal rows per project and a grand total.

Projects are varied on purpose: CORE-LEDGER and DC-MIGRATION are late (SPI about 0.8),
CRM-UPGRADE and CORE-LEDGER run over budget (CPI about 0.85), IAM-ROLLOUT is healthy, and
PORTAL-V2 carries messy data (unreadable plan dates, blank CSV rows, unestimated stories).

Everything derives from ``seed`` and ``anchor`` (the latest status date): no wall clock, fixed
workbook metadata, so the same arguments give byte-identical files. ``generate`` returns
:class:`DemoFile` records in ingest order (register first, then snapshots by date).

Command line: ``python -m data.generate OUT_DIR [--samples DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import math
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from data.contracts import write_contract_register
from data.people import people_files
from data.risks import write_risk_registers

DEFAULT_SEED = 20261127
DEFAULT_ANCHOR = date(2026, 11, 20)
WINDOW_WEEKS = 24  # snapshots cover about 6 months ending at the anchor
FINANCE_MONTHS = 6  # month-end workbooks before the anchor
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
MON = tuple(m[:3] for m in MONTHS)


@dataclass(frozen=True)
class DemoFile:
    """One generated file: where it is, which loader reads it, and for which project and date."""

    path: Path
    source: str  # msproject | jira | finance | register
    project_id: str | None
    as_of: date | None


# ------------------------------------------------------------------------------------------------
# The portfolio


@dataclass(frozen=True)
class Spec:
    project_id: str
    name: str
    program: str
    portfolio: str
    manager: str
    sponsor: str
    theme: str
    unit: str
    stage: str
    kind: str | None = None  # plan template
    plan: str | None = None  # xlsx | mspdi
    start_weeks: int = 0  # plan start, weeks before the anchor
    months: float = 0  # baseline duration in months
    bac: float = 0  # baseline cost at completion
    slip: float = 1.0  # real duration / baseline duration
    overrun: float = 1.0  # actual cost / earned cost
    jira_key: str | None = None
    jira_mode: str | None = None  # scrum | kanban
    jira_weeks: int = 0  # team started this many weeks before the anchor
    velocity: float = 0
    done_rate: tuple[float, float] = (0.85, 0.85)  # share of sprint items finished, first -> last sprint
    points_field: str = "Custom field (Story point estimate)"
    run_rate: float = 0  # monthly spend of a team without a plan
    messy: bool = False
    shares: tuple[tuple[str, str, float], ...] = ()  # finance lines: (cost category, vendor, share)
    overcommit: float = 1.0  # sprint plan / velocity (> 1: the team plans more than it finishes)
    added_scope: tuple[int, ...] = (0, 1, 1, 2, 3)  # items added after a sprint starts (drawn per sprint)


SPECS: tuple[Spec, ...] = (
    Spec("CRM-UPGRADE", "CRM Platform Upgrade", "Customer Experience", "Digital Growth", "Hannah Okafor",
         "Laura Mendes", "Customer 360", "Retail Banking", "Execution", "crm", "xlsx", 38, 13, 2_400_000,
         1.04, 1.18, "CRM", "scrum", 20, 28, (0.86, 0.8), added_scope=(2, 3, 3, 4),
         shares=(("Internal labour", "Internal", 0.32), ("Contractors", "Accenture", 0.41),
                 ("Software licences", "Salesforce", 0.2), ("Cloud hosting", "AWS", 0.07))),
    Spec("PORTAL-V2", "Customer Portal v2", "Customer Experience", "Digital Growth", "Marco Rossi",
         "Laura Mendes", "Customer 360", "Retail Banking", "Execution", "portal", "xlsx", 29, 9, 1_300_000,
         1.03, 1.04, "POR", "scrum", 28, 24, (0.82, 0.78), messy=True,
         shares=(("Internal labour", "Internal", 0.55), ("Contractors", "Thoughtworks", 0.3),
                 ("Cloud hosting", "Azure", 0.1), ("Software licences", "Contentful", 0.05))),
    Spec("MOBILE-APP", "Mobile Banking App Refresh", "Customer Experience", "Digital Growth", "Aisha Khan",
         "Laura Mendes", "Customer 360", "Retail Banking", "Execution", jira_key="MOB", jira_mode="scrum",
         jira_weeks=30, velocity=38, done_rate=(0.92, 0.62), run_rate=96_000, overcommit=1.2,
         shares=(("Internal labour", "Internal", 0.6), ("Contractors", "EPAM", 0.3),
                 ("Software licences", "Apple / Google", 0.03), ("Cloud hosting", "AWS", 0.07))),
    Spec("LOYALTY", "Loyalty Programme Relaunch", "Customer Experience", "Digital Growth", "Tom Becker",
         "Rachel Adams", "Growth", "Cards", "Execution", "loyalty", "xlsx", 19, 7, 900_000, 1.0, 1.02,
         shares=(("Internal labour", "Internal", 0.45), ("Contractors", "Capgemini", 0.35),
                 ("Software licences", "Comarch", 0.15), ("Cloud hosting", "Azure", 0.05))),
    Spec("PAY-GATEWAY", "Payment Gateway Consolidation", "Payments Modernisation", "Digital Growth",
         "Priya Nair", "David Chen", "Modern core", "Payments", "Execution", "payments", "xlsx", 45, 12,
         3_100_000, 1.06, 1.03, "PAY", "scrum", 32, 34, (0.84, 0.8), points_field="Custom field (Story Points)",
         shares=(("Internal labour", "Internal", 0.4), ("Contractors", "Infosys", 0.35),
                 ("Software licences", "ACI Worldwide", 0.18), ("Cloud hosting", "AWS", 0.07))),
    Spec("CORE-LEDGER", "Core Ledger Replacement", "Payments Modernisation", "Digital Growth", "Samuel Osei",
         "David Chen", "Modern core", "Finance", "Execution", "ledger", "mspdi", 42, 15, 6_800_000, 1.22,
         1.17, shares=(("Internal labour", "Internal", 0.3), ("Contractors", "Deloitte", 0.45),
                       ("Software licences", "Thought Machine", 0.2), ("Cloud hosting", "Google Cloud", 0.05))),
    Spec("OPEN-BANKING", "Open Banking APIs (PSD3)", "Payments Modernisation", "Digital Growth", "Elena Petrova",
         "David Chen", "Regulatory", "Payments", "Execution", "openbanking", "xlsx", 25, 8, 1_600_000, 0.99,
         0.99, "OBK", "scrum", 18, 30, (0.92, 0.93), added_scope=(0, 0, 1),
         shares=(("Internal labour", "Internal", 0.6), ("Contractors", "Luxoft", 0.25),
                 ("Software licences", "Axway", 0.1), ("Cloud hosting", "AWS", 0.05))),
    Spec("FRAUD-ML", "Real-time Fraud Scoring", "Payments Modernisation", "Digital Growth", "Kenji Watanabe",
         "David Chen", "Risk & control", "Payments", "Execution", jira_key="FRD", jira_mode="kanban",
         jira_weeks=30, run_rate=72_000,
         shares=(("Internal labour", "Internal", 0.7), ("Cloud hosting", "Databricks", 0.2),
                 ("Software licences", "Feedzai", 0.1))),
    Spec("DC-MIGRATION", "Data Centre Exit to Azure", "Infrastructure & Security", "Operations & Resilience",
         "Grace Liu", "Mark Fitzgerald", "Resilience", "Technology", "Execution", "dcexit", "xlsx", 46, 12,
         4_200_000, 1.3, 1.03,
         shares=(("Internal labour", "Internal", 0.25), ("Contractors", "Kyndryl", 0.4),
                 ("Cloud hosting", "Microsoft Azure", 0.25), ("Hardware", "Dell", 0.1))),
    Spec("IAM-ROLLOUT", "Identity & Access Management Rollout", "Infrastructure & Security",
         "Operations & Resilience", "Oliver Grant", "Mark Fitzgerald", "Risk & control", "Technology",
         "Execution", "iam", "xlsx", 33, 8.5, 1_100_000, 0.97, 0.96,
         shares=(("Internal labour", "Internal", 0.5), ("Contractors", "Optiv", 0.25),
                 ("Software licences", "Okta", 0.25))),
    Spec("NETWORK-REFRESH", "Branch Network Refresh (SD-WAN)", "Infrastructure & Security",
         "Operations & Resilience", "Fatima Zahra", "Mark Fitzgerald", "Resilience", "Technology", "Execution",
         "network", "mspdi", 37, 11, 2_700_000, 1.01, 0.99,
         shares=(("Internal labour", "Internal", 0.3), ("Contractors", "NTT Data", 0.3),
                 ("Hardware", "Cisco", 0.32), ("Software licences", "Cisco", 0.08))),
    Spec("ESG-REPORTING", "ESG Regulatory Reporting", "Infrastructure & Security", "Operations & Resilience",
         "Nina Larsen", "Mark Fitzgerald", "Regulatory", "Finance", "Initiation", run_rate=22_000,
         shares=(("Internal labour", "Internal", 0.7), ("Contractors", "PwC", 0.3))),
)  # fmt: skip


# ------------------------------------------------------------------------------------------------
# Working days (Monday to Friday, no holidays) as integer indexes

BASE_MONDAY = date(2020, 1, 6)


def wd_index(day: date) -> int:
    """Working-day index of ``day`` (a Saturday or Sunday maps to the next Monday)."""
    weeks, rest = divmod((day - BASE_MONDAY).days, 7)
    return weeks * 5 + min(rest, 5)


def wd_date(index: int) -> date:
    weeks, rest = divmod(index, 5)
    return BASE_MONDAY + timedelta(days=7 * weeks + rest)


def last_friday(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# ------------------------------------------------------------------------------------------------
# MS Project plans

# kind -> phases: (phase name, children, closing milestone); a child is a task name or
# (sub-phase name, [task names]).
TEMPLATES: dict[str, list] = {
    "crm": [
        ("Initiation", ["Project charter and business case", "Stakeholder analysis", "Vendor statement of work"], "Project kick-off"),
        ("Discovery & Requirements", ["Current-state process mapping", "Sales process workshops", "Service process workshops",
            "Marketing requirements", "Data model gap analysis", "Integration inventory", "Requirements sign-off pack"], "Requirements signed off"),
        ("Solution Design", ["Target architecture", "Data migration strategy", "Security and sharing model",
            "Integration design (ERP, billing)", "Reporting and dashboard design"], "Design authority approval"),
        ("Build", [("Sales Cloud", ["Configure opportunity management", "Quote and pricing rules", "Territory model"]),
                   ("Service Cloud", ["Case management configuration", "Omni-channel routing", "Knowledge base migration"]),
                   ("Integrations", ["ERP customer sync (MuleSoft)", "Billing events interface", "Single sign-on"]),
                   ("Data Migration", ["Extract legacy accounts", "Cleanse and de-duplicate", "Trial migration 1", "Trial migration 2"])],
         "Build complete"),
        ("Testing", ["System integration testing", "Performance testing", "User acceptance testing", "Defect fix cycle"], "UAT sign-off"),
        ("Deployment", ["Training: sales teams", "Training: contact centre", "Cutover rehearsal", "Production cutover"], "Go-live"),
        ("Hypercare & Closure", ["Hypercare support", "Legacy CRM decommission", "Lessons learned"], "Project closed"),
    ],
    "portal": [
        ("Mobilisation", ["Team onboarding", "Discovery interviews", "UX research plan"], "Discovery complete"),
        ("Experience Design", ["Customer journey maps", "Wireframes", "Design system update", "Accessibility review"], "Designs approved"),
        ("Platform", ["Headless CMS setup", "API gateway routes", "Identity integration (OIDC)", "CI/CD pipelines"], "Platform ready"),
        ("Features", [("Release 1", ["Account overview", "Statements and documents", "Secure messaging"]),
                      ("Release 2", ["Payments and transfers", "Card controls", "Notification centre"])], "Feature complete"),
        ("Quality", ["Penetration test", "Accessibility audit (WCAG 2.2)", "Beta with 500 customers", "Performance tuning"], "Beta sign-off"),
        ("Launch", ["Marketing launch pack", "Phased rollout 10% / 50% / 100%", "Legacy portal redirect"], "Portal v2 live"),
    ],
    "loyalty": [
        ("Proposition", ["Market benchmarking", "Rewards catalogue design", "Points economics model"], "Proposition approved"),
        ("Platform Setup", ["Loyalty engine configuration", "Card transaction feed", "Partner offers API", "Customer data consent model"], "Platform configured"),
        ("Channels", [("Mobile app", ["Rewards hub screen", "Points balance widget"]),
                      ("Web", ["Rewards page", "Offer activation"]), ("Branch", ["Staff tooling"])], "Channels ready"),
        ("Testing", ["End-to-end test", "Points accrual reconciliation", "Friendly-user pilot"], "Pilot complete"),
        ("Launch", ["Member migration", "Launch campaign", "Post-launch review"], "Relaunch live"),
    ],
    "payments": [
        ("Initiation", ["Business case refresh", "Vendor selection", "Contract signature"], "Mobilised"),
        ("Analysis", ["Payment flows inventory", "Scheme rules analysis (SEPA, Faster Payments)", "Non-functional requirements",
            "Fraud and sanctions screening requirements"], "Analysis complete"),
        ("Design", ["Gateway architecture", "Routing and orchestration design", "Message mapping ISO 20022", "Resilience design"], "Design approved"),
        ("Build", [("Core gateway", ["Gateway platform", "Routing rules", "Reconciliation service"]),
                   ("Channel adapters", ["Online banking adapter", "Corporate host-to-host adapter", "Mobile wallet adapter"]),
                   ("Scheme connectivity", ["SEPA Instant connector", "Faster Payments connector", "SWIFT gpi connector"])],
         "Build complete"),
        ("Testing", ["Scheme certification", "System integration testing", "Non-functional testing", "Operational acceptance"], "Ready for service"),
        ("Migration", ["Migrate online banking traffic", "Migrate corporate traffic", "Migrate mobile wallet traffic"], "All traffic migrated"),
        ("Closure", ["Decommission legacy switches", "Benefits tracking handover"], "Project closed"),
    ],
    "ledger": [
        ("Mobilisation", ["Programme governance set-up", "Vendor onboarding", "Environment provisioning"], "Mobilisation complete"),
        ("Finance Design", ["Chart of accounts redesign", "Posting rules catalogue", "Sub-ledger mapping", "Regulatory reporting requirements",
            "Period-end close design"], "Finance design signed off"),
        ("Build", [("Ledger core", ["Product configuration", "Posting engine rules", "Multi-currency revaluation"]),
                   ("Interfaces", ["Loans sub-ledger feed", "Deposits sub-ledger feed", "Payments feed", "Treasury feed"]),
                   ("Reporting", ["Management reporting cubes", "Regulatory returns (FINREP)", "Reconciliation dashboards"])],
         "Build complete"),
        ("Data Migration", ["Balance extraction", "Mapping and transformation", "Mock load 1", "Mock load 2", "Dress rehearsal"], "Migration rehearsed"),
        ("Testing", ["System testing", "End-to-end integration testing", "User acceptance testing", "Performance testing"], "Test exit"),
        ("Parallel Run", ["Parallel run month 1", "Parallel run month 2", "Reconciliation sign-off"], "Parallel run passed"),
        ("Go-live", ["Cutover weekend", "Post go-live support", "Legacy ledger archive"], "Ledger live"),
    ],
    "openbanking": [
        ("Regulatory Analysis", ["PSD3 gap analysis", "API scope definition", "Consent model"], "Scope agreed"),
        ("API Platform", ["API management platform", "Developer portal", "TPP onboarding workflow", "Certificate management (eIDAS)"], "Platform ready"),
        ("APIs", [("Account information", ["Accounts API", "Balances API", "Transactions API"]),
                  ("Payment initiation", ["Domestic payments API", "Standing orders API", "Variable recurring payments API"])],
         "APIs built"),
        ("Conformance", ["Conformance test suite", "Security testing", "Regulator sandbox testing"], "Conformance passed"),
        ("Go-live", ["Production launch", "TPP communications", "Service monitoring handover"], "APIs live"),
    ],
    "dcexit": [
        ("Discovery", ["Application inventory", "Dependency mapping", "Landing zone requirements", "Licensing review"], "Discovery complete"),
        ("Landing Zone", ["Azure landing zone build", "Network connectivity (ExpressRoute)", "Identity and policies", "Backup and DR design"], "Landing zone ready"),
        ("Migration Waves", [("Wave 1 - Non-production", ["Dev/test servers", "Build agents"]),
                             ("Wave 2 - Internal apps", ["HR and intranet", "Reporting servers", "File shares"]),
                             ("Wave 3 - Customer apps", ["Web tier", "Customer databases"]),
                             ("Wave 4 - Core systems", ["Mainframe integration", "Batch scheduling"])],
         "All workloads migrated"),
        ("Decommission", ["Data wipe and certificates", "Hardware removal", "Exit colocation contract"], "Data centre exited"),
    ],
    "iam": [
        ("Planning", ["Identity strategy", "Joiner-mover-leaver process design", "Okta tenant design"], "Plan approved"),
        ("Directory Integration", ["Active Directory sync", "HR system integration (Workday)", "Attribute mapping"], "Directory integrated"),
        ("SSO Onboarding", [("Wave A", ["20 SaaS apps", "Intranet"]),
                            ("Wave B", ["35 internal apps", "Legacy apps via gateway"])], "SSO onboarding complete"),
        ("MFA & PAM", ["MFA rollout - head office", "MFA rollout - branches", "Privileged access vaulting"], "MFA enforced"),
        ("Closure", ["Access certification campaign", "Runbook handover", "Closure report"], "Project closed"),
    ],
    "network": [
        ("Design", ["Site surveys", "SD-WAN architecture", "Security policy design", "Pilot site selection"], "Design approved"),
        ("Procurement", ["Hardware order", "Carrier circuits order", "Staging and configuration"], "Kit delivered"),
        ("Pilot", ["Pilot installs (5 branches)", "Pilot monitoring", "Pilot lessons learned"], "Pilot signed off"),
        ("Rollout", [("North region", ["Batch 1 (12 branches)", "Batch 2 (15 branches)"]),
                     ("South region", ["Batch 3 (14 branches)", "Batch 4 (18 branches)"]),
                     ("Head office & DCs", ["Head office", "Data centre edge"])], "Rollout complete"),
        ("Closure", ["MPLS circuit termination", "Operations handover", "Closure report"], "Project closed"),
    ],
}  # fmt: skip

STEPS = {  # a component in a sub-phase is planned as these steps
    "default": ("design", "build", "test"),
    "dcexit": ("runbook", "migration", "validation"),
    "network": ("site preparation", "installation", "acceptance"),
    "iam": ("configuration", "testing", "cutover"),
}
ROLE_RATES = {  # daily rates
    "Project Manager": 1100, "Business Analyst": 850, "Solution Architect": 1300, "Developer": 900,
    "Test Lead": 850, "Engineer": 950, "Data Engineer": 950, "Change Manager": 800, "Vendor Consultant": 1500,
}  # fmt: skip
PEOPLE = ("Ana Silva", "Ben Carter", "Chloe Martin", "Daniel Kim", "Eva Novak", "Farid Haddad", "Giulia Conti",
          "Hugo Laurent", "Isabel Torres", "Jakub Nowak", "Keira Walsh", "Liam O'Brien", "Maya Patel",
          "Nathan Brooks", "Olga Ivanova", "Pedro Alves", "Rosa Jimenez", "Sven Eriksson", "Tariq Aziz",
          "Uma Reddy", "Victor Dubois", "Wen Li", "Yusuf Demir", "Zoe Fischer")  # fmt: skip


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
            pos = add(name, level, parent, preds=preds, resources=resources, fixed=fixed,
                      bdur=rng.choice((3, 5, 5, 8, 10, 10, 15, 20)))  # fmt: skip
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
            out[i] = TaskState(finish, finish, 0, r.bstart, r.bstart, 0, 100 if done else 0, finish if done else None,
                               finish if done else None, 0, 0, 0, 0, 0, 0, 0)  # fmt: skip
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
        out[i] = TaskState(start, finish, dur, r.bstart, bfinish, r.bdur, pct, astart, afinish, round(acost + rcost, 2),
                           r.bcost, acost, rcost, round(bcws, 2), round(earned, 2), acost)  # fmt: skip
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
            start, finish, finish - start + 1, bstart, bfinish, bfinish - bstart + 1, pct,
            min(started) if started else None,
            finish if all(k.afinish is not None for k in kids) else None,
            *(round(sum(getattr(k, f) for k in kids), 2) for f in ("cost", "bcost", "acost", "rcost", "bcws", "bcwp", "acwp")),
        )  # fmt: skip
    return out  # type: ignore[return-value]


def _ms_date(index: int, end: bool) -> str:
    d = wd_date(index)
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year} {'5:00 PM' if end else '8:00 AM'}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


SELECTED_DATA_COLUMNS = (
    "ID", "Unique_ID", "Name", "Outline_Level", "Summary", "Milestone", "Duration", "Start_Date", "Finish_Date",
    "Baseline_Start", "Baseline_Finish", "Actual_Start", "Actual_Finish", "Percent_Complete",
    "Physical_Percent_Complete", "Cost", "Baseline_Cost", "Actual_Cost", "Remaining_Cost", "BCWS", "BCWP", "ACWP",
    "Resource_Names", "Predecessors", "WBS",
)  # fmt: skip


def selected_data_rows(plan: Plan, status: date) -> list[list[str]]:
    """The Task_Table1 rows (header first) exactly as MS Project's export map writes them."""
    state = plan_state(plan, status)
    rows = [list(SELECTED_DATA_COLUMNS)]
    ids = {i: i + 1 for i in range(len(plan.rows))}
    for i, (r, t) in enumerate(zip(plan.rows, state)):
        is_ms = r.milestone
        start_text = _ms_date(t.start, is_ms)
        rows.append([
            str(ids[i]), str(r.uid), r.name, str(r.level), "Yes" if r.summary else "No", "Yes" if is_ms else "No",
            _days(t.dur), start_text, _ms_date(t.finish, True),
            _ms_date(t.bstart, is_ms), _ms_date(t.bfinish, True),
            "NA" if t.astart is None else _ms_date(t.astart, is_ms),
            "NA" if t.afinish is None else _ms_date(t.afinish, True),
            f"{t.pct}%", "0%", _money(t.cost), _money(t.bcost), _money(t.acost), _money(t.rcost),
            _money(t.bcws), _money(t.bcwp), _money(t.acwp),
            ",".join(n if u == 1 else f"{n}[{int(u * 100)}%]" for n, u in r.resources),
            ",".join(str(ids[p]) for p in r.preds), r.wbs,
        ])  # fmt: skip
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
        ("SaveVersion", "14"), ("BuildNumber", "16.0.10730.20102"), ("Name", path.name), ("Title", spec.name),
        ("Manager", spec.manager), ("CreationDate", _iso(plan.start, False)), ("LastSaved", saved),
        ("ScheduleFromStart", "1"), ("StartDate", _iso(plan.start, False)), ("FinishDate", _iso(finish, True)),
        ("FYStartDate", "1"), ("CriticalSlackLimit", "0"), ("CurrencyDigits", "2"), ("CurrencySymbol", "$"),
        ("CurrencyCode", "USD"), ("CurrencySymbolPosition", "0"), ("CalendarUID", "1"),
        ("DefaultStartTime", "08:00:00"), ("DefaultFinishTime", "17:00:00"), ("MinutesPerDay", "480"),
        ("MinutesPerWeek", "2400"), ("DaysPerMonth", "20"), ("DefaultTaskType", "0"), ("DefaultFixedCostAccrual", "3"),
        ("DefaultStandardRate", "0"), ("DefaultOvertimeRate", "0"), ("DurationFormat", "7"), ("WorkFormat", "2"),
        ("EditableActualCosts", "0"), ("HonorConstraints", "0"), ("StatusDate", f"{status.isoformat()}T17:00:00"),
        ("CurrentDate", f"{status.isoformat()}T08:00:00"), ("BaselineForEarnedValue", "0"),
        ("DefaultTaskEVMethod", "0"), ("WeekStartDay", "1"),
    ]  # fmt: skip
    for tag, value in header:
        w(f"\t<{tag}>{_xml(value)}</{tag}>\n")
    w("\t<Calendars>\n\t\t<Calendar>\n\t\t\t<UID>1</UID>\n\t\t\t<Name>Standard</Name>\n\t\t\t<IsBaseCalendar>1</IsBaseCalendar>\n"
      "\t\t\t<BaseCalendarUID>-1</BaseCalendarUID>\n\t\t\t<WeekDays>\n")  # fmt: skip
    for day in range(1, 8):
        if day in (1, 7):
            w(
                f"\t\t\t\t<WeekDay>\n\t\t\t\t\t<DayType>{day}</DayType>\n\t\t\t\t\t<DayWorking>0</DayWorking>\n\t\t\t\t</WeekDay>\n"
            )
        else:
            w(f"\t\t\t\t<WeekDay>\n\t\t\t\t\t<DayType>{day}</DayType>\n\t\t\t\t\t<DayWorking>1</DayWorking>\n"
              "\t\t\t\t\t<WorkingTimes>\n\t\t\t\t\t\t<WorkingTime>\n\t\t\t\t\t\t\t<FromTime>08:00:00</FromTime>\n"
              "\t\t\t\t\t\t\t<ToTime>12:00:00</ToTime>\n\t\t\t\t\t\t</WorkingTime>\n\t\t\t\t\t\t<WorkingTime>\n"
              "\t\t\t\t\t\t\t<FromTime>13:00:00</FromTime>\n\t\t\t\t\t\t\t<ToTime>17:00:00</ToTime>\n"
              "\t\t\t\t\t\t</WorkingTime>\n\t\t\t\t\t</WorkingTimes>\n\t\t\t\t</WeekDay>\n")  # fmt: skip
    w("\t\t\t</WeekDays>\n\t\t</Calendar>\n\t</Calendars>\n\t<Tasks>\n")
    summary = TaskState(plan.start, finish, finish - plan.start + 1, min(t.bstart for t in leaf),
                        max(t.bfinish for t in leaf), 0, project_pct,
                        min((t.astart for t in leaf if t.astart is not None), default=None), None,
                        *(totals[f] for f in ("cost", "bcost", "acost", "rcost", "bcws", "bcwp", "acwp")))  # fmt: skip
    summary.bdur = summary.bfinish - summary.bstart + 1
    root = Row(uid=0, name=spec.name, level=0, summary=True)
    tasks = [(0, root, summary, "0")] + [(i + 1, r, t, r.wbs) for i, (r, t) in enumerate(zip(plan.rows, state))]
    for task_id, r, t, number in tasks:
        work_h = t.dur * 8 * (sum(u for _, u in r.resources) or (1 if not r.summary else 0))
        fields = [
            ("UID", r.uid), ("ID", task_id), ("Name", r.name), ("Type", 1 if r.summary else 0), ("IsNull", 0),
            ("CreateDate", _iso(plan.start, False)), ("WBS", number), ("OutlineNumber", number),
            ("OutlineLevel", r.level), ("Priority", 500), ("Start", _iso(t.start, r.milestone)),
            ("Finish", _iso(t.finish, True)), ("Duration", f"PT{t.dur * 8}H0M0S"), ("DurationFormat", 7 if not r.summary else 53),
            ("Work", f"PT{round(work_h)}H0M0S"), ("Estimated", 0), ("Milestone", int(r.milestone)),
            ("Summary", int(r.summary)), ("Critical", 0), ("FixedCost", _hundredths(r.fixed * t.pct / 100 if r.fixed else 0)),
            ("FixedCostAccrual", 3), ("PercentComplete", t.pct), ("PercentWorkComplete", t.pct),
            ("Cost", _hundredths(t.cost)),
        ]  # fmt: skip
        if t.astart is not None:
            fields.append(("ActualStart", _iso(t.astart, r.milestone)))
        if t.afinish is not None:
            fields.append(("ActualFinish", _iso(t.afinish, True)))
        done_days = round(t.dur * t.pct / 100)
        fields += [
            ("ActualDuration", f"PT{done_days * 8}H0M0S"), ("ActualCost", _hundredths(t.acost)),
            ("RemainingDuration", f"PT{(t.dur - done_days) * 8}H0M0S"), ("RemainingCost", _hundredths(t.rcost)),
            ("ACWP", f"{t.acwp * 100:.2f}"), ("CV", f"{(t.bcwp - t.acwp) * 100:.2f}"),
            ("BCWS", f"{t.bcws * 100:.2f}"), ("BCWP", f"{t.bcwp * 100:.2f}"),
            ("PhysicalPercentComplete", 0), ("EarnedValueMethod", 0),
        ]  # fmt: skip
        w("\t\t<Task>\n")
        for tag, value in fields:
            w(f"\t\t\t<{tag}>{_xml(str(value))}</{tag}>\n")
        for p in r.preds:
            w(f"\t\t\t<PredecessorLink>\n\t\t\t\t<PredecessorUID>{plan.rows[p].uid}</PredecessorUID>\n"
              "\t\t\t\t<Type>1</Type>\n\t\t\t\t<CrossProject>0</CrossProject>\n\t\t\t\t<LinkLag>0</LinkLag>\n"
              "\t\t\t\t<LagFormat>7</LagFormat>\n\t\t\t</PredecessorLink>\n")  # fmt: skip
        bwork = t.bdur * 8 * (sum(u for _, u in r.resources) or (1 if not r.summary else 0))
        w(f"\t\t\t<Baseline>\n\t\t\t\t<Number>0</Number>\n\t\t\t\t<Interim>0</Interim>\n"
          f"\t\t\t\t<Start>{_iso(t.bstart, r.milestone)}</Start>\n\t\t\t\t<Finish>{_iso(t.bfinish, True)}</Finish>\n"
          f"\t\t\t\t<Duration>PT{t.bdur * 8}H0M0S</Duration>\n\t\t\t\t<DurationFormat>7</DurationFormat>\n"
          f"\t\t\t\t<EstimatedDuration>0</EstimatedDuration>\n\t\t\t\t<Work>PT{round(bwork)}H0M0S</Work>\n"
          f"\t\t\t\t<Cost>{_hundredths(t.bcost)}</Cost>\n\t\t\t\t<BCWS>{t.bcws * 100:.2f}</BCWS>\n"
          f"\t\t\t\t<BCWP>{t.bcwp * 100:.2f}</BCWP>\n\t\t\t</Baseline>\n")  # fmt: skip
        w("\t\t</Task>\n")
    w("\t</Tasks>\n\t<Resources>\n")
    people = sorted({n for r in plan.rows for n, _ in r.resources})
    res_uid = {n: k + 1 for k, n in enumerate(people)}
    for n in people:
        w(f"\t\t<Resource>\n\t\t\t<UID>{res_uid[n]}</UID>\n\t\t\t<ID>{res_uid[n]}</ID>\n\t\t\t<Name>{_xml(n)}</Name>\n"
          "\t\t\t<Type>1</Type>\n\t\t\t<IsNull>0</IsNull>\n\t\t\t<MaxUnits>1.00</MaxUnits>\n\t\t</Resource>\n")  # fmt: skip
    w("\t</Resources>\n\t<Assignments>\n")
    uid = 0
    for r, t in zip(plan.rows, state):
        if r.summary or r.milestone:
            continue
        share = sum(u for _, u in r.resources) or 1
        for n, u in r.resources:
            uid += 1
            w(f"\t\t<Assignment>\n\t\t\t<UID>{uid}</UID>\n\t\t\t<TaskUID>{r.uid}</TaskUID>\n"
              f"\t\t\t<ResourceUID>{res_uid[n]}</ResourceUID>\n\t\t\t<PercentWorkComplete>{t.pct}</PercentWorkComplete>\n"
              f"\t\t\t<ActualCost>{_hundredths(t.acost * u / share)}</ActualCost>\n"
              f"\t\t\t<Cost>{_hundredths(t.cost * u / share)}</Cost>\n\t\t\t<Units>{u:.2f}</Units>\n"
              f"\t\t\t<Work>PT{round(t.dur * 8 * u)}H0M0S</Work>\n\t\t</Assignment>\n")  # fmt: skip
    w("\t</Assignments>\n</Project>\n")
    path.write_bytes(out.getvalue().encode("utf-8"))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------------------------------
# Jira

EPICS: dict[str, list[tuple[str, list[str]]]] = {
    "CRM": [
        ("Lead to opportunity", ["Lead conversion rules", "Opportunity stages for SME", "Duplicate lead alerts",
                                 "Lead source attribution", "Opportunity team selling", "Win/loss reasons picklist"]),
        ("Case management", ["Case auto-assignment", "SLA timers on cases", "Email-to-case threading",
                             "Case merge", "Escalation rules", "Customer satisfaction survey"]),
        ("Customer 360 view", ["Household grouping", "Product holdings panel", "Recent interactions timeline",
                               "Consent flags on contact", "Complaints summary card"]),
        ("Data migration", ["Account mapping script", "Contact de-duplication job", "Attachment migration",
                            "Migration reconciliation report", "Historic case import"]),
        ("Integrations", ["ERP account sync", "Billing status callout", "Marketing cloud journey sync",
                          "Telephony screen-pop", "Address validation service"]),
    ],
    "POR": [
        ("Account overview", ["Accounts dashboard", "Balance history chart", "Pending transactions list",
                              "Nickname accounts", "Hide closed accounts"]),
        ("Statements", ["Download PDF statements", "Statement search", "Paperless preference",
                        "Tax certificate download"]),
        ("Messaging", ["Secure inbox", "Attachment upload to messages", "Unread badge", "Message templates for advisers"]),
        ("Payments", ["Pay a new payee", "Confirmation of payee check", "Scheduled payments list",
                      "Payment limits warning", "Transfer between own accounts"]),
        ("Card controls", ["Freeze and unfreeze card", "Online spend toggle", "Replace lost card", "View PIN"]),
    ],
    "MOB": [
        ("Onboarding", ["Biometric login", "Device binding", "Selfie ID verification", "Welcome tour",
                        "Push consent prompt", "Passcode reset flow"]),
        ("Spending insights", ["Categorise transactions", "Monthly spending chart", "Budget alerts",
                               "Merchant logos", "Subscription detection", "Export insights CSV"]),
        ("Payments", ["Split the bill", "Request money link", "QR code payments", "Favourite payees",
                      "Apple Pay provisioning", "Google Pay provisioning"]),
        ("Accessibility", ["Dynamic type support", "Screen reader labels", "High-contrast theme",
                           "Reduce motion setting"]),
        ("Performance", ["Cold start under 2s", "Image caching", "Offline balance view", "Crash-free sessions 99.8%"]),
        ("Savings pots", ["Create a savings pot", "Round-up transfers", "Pot goal tracking", "Close a pot"]),
    ],
    "PAY": [
        ("ISO 20022 messaging", ["pacs.008 mapping", "pacs.002 status handling", "camt.054 notifications",
                                 "Structured address migration", "Message validation service"]),
        ("Routing engine", ["Least-cost routing rules", "Cut-off time management", "Fallback routing",
                            "Routing rules admin UI", "Duplicate payment detection"]),
        ("SEPA Instant", ["SCT Inst connector", "Timeout and recall handling", "Liquidity monitoring",
                          "Instant reachability check"]),
        ("Reconciliation", ["End-of-day reconciliation job", "Exception queue", "Nostro matching",
                            "Reconciliation dashboard"]),
        ("Operational readiness", ["Runbooks", "Alerting thresholds", "Capacity test scripts", "DR failover test"]),
    ],
    "OBK": [
        ("Account information", ["GET /accounts", "GET /balances", "GET /transactions with paging",
                                 "Consent expiry handling", "Account access revocation"]),
        ("Payment initiation", ["Domestic payment consent", "Payment submission", "Payment status webhook",
                                "Standing order consent", "VRP sweeping mandate"]),
        ("TPP management", ["TPP directory sync", "eIDAS certificate validation", "TPP rate limiting",
                            "Dynamic client registration"]),
        ("Developer portal", ["API reference docs", "Sandbox data sets", "Onboarding guide", "Status page"]),
    ],
    "FRD": [
        ("Feature pipeline", ["Velocity features stream", "Device fingerprint features", "Merchant risk features",
                              "Feature store backfill", "Feature drift monitor"]),
        ("Model lifecycle", ["Champion/challenger framework", "Model retraining job", "Explainability report",
                             "Model risk documentation"]),
        ("Real-time scoring", ["Scoring API p99 < 50ms", "Rules + model blending", "Shadow mode scoring",
                               "Case manager integration"]),
    ],
}  # fmt: skip

PERSONAS = ("retail customer", "contact centre agent", "relationship manager", "operations analyst",
            "compliance officer", "product owner")  # fmt: skip
BUG_TEMPLATES = ("{x}: error 500 when the session expires", "{x} shows wrong totals after refresh",
                 "{x} does not render on Safari 17", "Timeout in {x} under load", "{x}: validation message missing",
                 "{x} fails for accounts with special characters", "{x}: duplicate records created")  # fmt: skip
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
STATUS_CATEGORY = {"To Do": "To Do", "Backlog": "To Do", "Selected for Development": "To Do",
                   "In Progress": "In Progress", "In Review": "In Progress", "Done": "Done"}  # fmt: skip


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
        issue = Issue(f"{key}-{counter[0]}", id_base + counter[0], kind, summary, _workday_time(created),
                      reporter=rng.choice([lead, *team[:2]]), rank=counter[0], **kw)  # fmt: skip
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
        issue = new(kind, summary, created, points=points, parent=epic, priority=priority,
                    component=epic.summary if key in ("PAY", "CRM") else None)  # fmt: skip
        issue.labels = rng.sample(
            ("backend", "frontend", "api", "security", "ux", "tech-debt", "regulatory"), rng.choice((0, 1, 1, 2, 3))
        )
        persona = rng.choice(PERSONAS)
        if kind == "Bug":
            issue.description = (f"Steps to reproduce:\n1. Log in as a {persona}\n2. Open {stem.lower()}\n"
                                 f"3. Observe the result\n\nExpected: works as specified.\nActual: \"{summary}\".")  # fmt: skip
        else:
            benefit = rng.choice(
                (
                    "I can serve customers without switching systems",
                    "we stop handling this by hand",
                    "we meet the regulator's expectations",
                    "customers get an answer in one visit",
                )
            )
            issue.description = (f"As a {persona}, I need: {stem}, so that {benefit}.\n\n"
                                 f"*Acceptance criteria*\n* Works for personal and business customers\n"
                                 f"* Audit trail written for every change, including \"who\" and \"when\"\n* Covered by automated tests")  # fmt: skip
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
                        sub = new("Sub-task", tmpl.format(x=item.summary), start + timedelta(minutes=rng.randint(5, 90)),
                                  parent=item, priority=item.priority)  # fmt: skip
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
            text = rng.choice(("Picked this up, will update by end of day.", "Blocked on the test environment; raised INC with infra.",
                               "Demoed to the product owner, minor copy changes requested.", "PR merged; deploying to staging.",
                               "Can we split this? It is bigger than we thought.\nProposing two stories."))  # fmt: skip
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
    header = (["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name", "Project type",
               "Project lead", "Project lead id", "Project description", "Priority", "Resolution", "Assignee",
               "Assignee Id", "Reporter", "Reporter Id", "Creator", "Creator Id", "Created", "Updated", "Last Viewed",
               "Resolved", "Fix versions", "Components", "Due date", "Votes"] + ["Labels"] * label_n
              + ["Description", "Environment"] + ["Watchers"] * watcher_n + ["Watchers Id"] * watcher_n
              + ["Original estimate", "Remaining Estimate", "Time Spent", "Work Ratio", "Σ Original Estimate",
                 "Σ Remaining Estimate", "Σ Time Spent", "Security Level", "Inward issue link (Blocks)",
                 "Outward issue link (Blocks)", "Custom field (Development)", "Custom field (Flagged)",
                 "Custom field (Issue color)", "Custom field (Rank)"]
              + ([] if kanban else ["Sprint"] * sprint_n)
              + ["Custom field (Start date)", "Custom field (Story Points)", "Custom field (Story point estimate)",
                 "Custom field (Target end)", "Custom field (Target start)", "Custom field (Team)",
                 "Custom field ([CHART] Date of First Response)"] + ["Comment"] * comment_n
              + ["Parent", "Parent key", "Parent summary", "Status Category", "Status Category Changed"])  # fmt: skip
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
        row = ([issue.summary, issue.key, str(issue.id), issue.type, status, spec.jira_key, spec.name, "software",
                project.lead, account_id(project.lead), description, issue.priority, "Done" if done else "",
                issue.assignee or "", account_id(issue.assignee) if issue.assignee else "", issue.reporter,
                account_id(issue.reporter), issue.reporter, account_id(issue.reporter), jira_date(issue.created),
                jira_date(updated), "", jira_date(issue.resolved) if done else "", fix, issue.component or "", "", "0"]
               + _pad(issue.labels, label_n) + [issue.description, ""] + _pad(watchers, watcher_n)
               + _pad([account_id(w) for w in watchers], watcher_n)
               + [est, "" if not est else ("0" if done else est), spent, "", est, "" if not est else ("0" if done else est),
                  spent, "", "", "", "{}" if issue.type != "Epic" else "", "", "", f"0|i{issue.rank * 37:05x}:"]
               + ([] if kanban else _pad(sprints, sprint_n))
               + ["", points if spec.points_field == "Custom field (Story Points)" else "",
                  points if spec.points_field != "Custom field (Story Points)" else "", "", "", "", ""]
               + _pad(comments, comment_n)
               + ([str(parent.id), parent.key, parent.summary] if parent else ["", "", ""])
               + [STATUS_CATEGORY[status], jira_date(changed)])  # fmt: skip
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


# ------------------------------------------------------------------------------------------------
# Finance


def _monthly(plan: Plan, year: int, which: str) -> list[float]:
    """Cost per calendar month of ``year``: baseline (``b``) or real course with overrun (``t``)."""
    totals = [0.0] * 12
    for r in plan.rows:
        if r.summary or r.milestone:
            continue
        start, dur = (r.bstart, r.bdur) if which == "b" else (r.tstart, r.tdur)
        cost = r.bcost * (1 if which == "b" else r.factor)
        per_day = cost / dur
        for k in range(start, start + dur):
            d = wd_date(k)
            if d.year == year:
                totals[d.month - 1] += per_day
    return totals


def finance_lines(seed: int, anchor: date, plans: dict[str, Plan]) -> dict[str, dict]:
    """project_id -> {currency, lines: [(category, vendor, budget[12], actual[12], forecast[12])]}
    for the fiscal year of the anchor (actuals here are for every month; snapshots cut them)."""
    year = anchor.year
    out = {}
    for spec in SPECS:
        if spec.project_id in plans:
            budget = _monthly(plans[spec.project_id], year, "b")
            real = _monthly(plans[spec.project_id], year, "t")
        else:
            first = 9 if spec.stage == "Initiation" else 1
            budget = [spec.run_rate if m + 1 >= first else 0.0 for m in range(12)]
            drift = 1.03 if spec.jira_key == "MOB" else (0.9 if spec.jira_key == "FRD" else 0.85)
            real = [b * drift for b in budget]
        lines = []
        over = max(spec.overrun - 1, 0)
        for category, vendor, share in spec.shares:
            # overruns land on contractors and hosting, as they do
            bias = 1 + over * (1.8 if category in ("Contractors", "Cloud hosting") else 0.3)
            b_line, a_line = [], []
            for m in range(12):
                rng = _rng(seed, "fin", spec.project_id, category, m)
                b_line.append(round(budget[m] * share / 100) * 100)
                a_line.append(round(real[m] * share * bias / (1 + over) * rng.uniform(0.9, 1.1), 2))
            lines.append((category, vendor, b_line, a_line))
        out[spec.project_id] = {"currency": "USD", "lines": lines}
    return out


def finance_snapshot(lines: dict[str, dict], seed: int, closed: int) -> list[dict]:
    """Long-format rows (project_id, month 1..12, category, vendor, budget, actual, forecast,
    committed) with actuals for months 1..``closed`` and a forecast for the rest."""
    rows = []
    for pid, info in lines.items():
        for category, vendor, b_line, a_line in info["lines"]:
            for m in range(12):
                rng = _rng(seed, "fc", pid, category, m, closed)
                actual = a_line[m] if m < closed else None
                forecast = a_line[m] if m < closed else round(a_line[m] * rng.uniform(0.95, 1.05), -2)
                committed = None
                if vendor != "Internal" and closed <= m < closed + 3 and forecast:
                    committed = round(forecast * rng.uniform(0.4, 0.9), -2)
                rows.append(dict(project_id=pid, month=m + 1, cost_category=category, vendor=vendor,
                                 budget=float(b_line[m]), actual=actual, forecast=forecast, committed=committed,
                                 currency=info["currency"]))  # fmt: skip
    return rows


def write_finance_wide(path: Path, rows: list[dict], year: int, as_of: date) -> None:
    """The wide "Budget vs Actual" sheet: one row per project/category/vendor/measure, a column per
    month, a subtotal block per project and a grand total, amounts as numbers."""
    wb = _workbook(path, as_of)
    ws = wb.add_worksheet("Budget vs Actual")
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0;(#,##0)"})
    total_fmt = wb.add_format({"num_format": "#,##0;(#,##0)", "bold": True, "top": 1})
    months = [f"{MON[m]}-{year % 100:02d}" for m in range(12)]
    header = ["Project", "Project name", "Cost category", "Vendor", "Measure", "Currency", *months]
    ws.write_row(0, 0, header, bold)
    names = {s.project_id: s.name for s in SPECS}
    measures = ("Budget", "Actual", "Forecast", "Committed")
    grouped: dict[tuple, dict[int, dict]] = {}
    for row in rows:
        grouped.setdefault((row["project_id"], row["cost_category"], row["vendor"]), {})[row["month"]] = row
    r = 1
    grand: dict[str, list[float]] = {m: [0.0] * 12 for m in measures}
    for pid in [s.project_id for s in SPECS]:
        keys = [k for k in grouped if k[0] == pid]
        sub = {m: [0.0] * 12 for m in measures}
        first_row = r
        for key in keys:
            by_month = grouped[key]
            for measure in measures:
                ws.write_string(r, 0, pid)
                ws.write_string(r, 1, names[pid])
                ws.write_string(r, 2, key[1])
                ws.write_string(r, 3, key[2])
                ws.write_string(r, 4, measure)
                ws.write_string(r, 5, by_month[1]["currency"])
                for m in range(12):
                    value = by_month[m + 1][measure.lower()]
                    if value is not None:
                        ws.write_number(r, 6 + m, value, money)
                        sub[measure][m] += value
                r += 1
        for measure in measures:
            ws.write_string(r, 0, f"Total {pid}", bold)
            ws.write_string(r, 4, measure, bold)
            for m in range(12):
                col = xlsxwriter.utility.xl_col_to_name(6 + m)
                value = round(sub[measure][m], 2)
                formula = f'=SUMIFS({col}{first_row + 1}:{col}{r},$E{first_row + 1}:$E{r},"{measure}")'
                ws.write_formula(r, 6 + m, formula, total_fmt, value)
                grand[measure][m] += value
            r += 1
    for measure in measures:
        ws.write_string(r, 0, "Grand Total", bold)
        ws.write_string(r, 4, measure, bold)
        for m in range(12):
            ws.write_number(r, 6 + m, round(grand[measure][m], 2), total_fmt)
        r += 1
    ws.freeze_panes(1, 6)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 3, 18)
    ws.set_column(6, 17, 11)
    wb.close()


def write_finance_long(path: Path, rows: list[dict], year: int) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["project_id", "period", "cost_category", "vendor", "budget", "actual", "forecast", "committed", "currency"]
    )
    for row in rows:
        writer.writerow([row["project_id"], f"{year}-{row['month']:02d}-01", row["cost_category"], row["vendor"],
                         *("" if row[k] is None else f"{row[k]:.2f}" for k in ("budget", "actual", "forecast", "committed")),
                         row["currency"]])  # fmt: skip
    path.write_bytes(out.getvalue().encode("utf-8"))


# ------------------------------------------------------------------------------------------------
# Register and workbooks


def _workbook(path: Path, as_of: date) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path))
    stamp = datetime.combine(as_of, dt.time(17, 0))
    wb.set_properties({"created": stamp, "author": "PMO", "company": "Northwind Bank"})
    return wb


def write_register(path: Path, plans: dict[str, Plan], anchor: date) -> None:
    wb = _workbook(path, anchor)
    ws = wb.add_worksheet("Register")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "dd-mmm-yyyy"})
    header = ["project_id", "name", "program", "portfolio", "manager", "sponsor", "currency", "budget", "jira_keys",
              "stage", "Strategic theme", "Business unit", "Target go-live"]  # fmt: skip
    ws.write_row(0, 0, header, bold)
    for r, spec in enumerate(SPECS, 1):
        if spec.project_id in plans:
            plan = plans[spec.project_id]
            budget = round(spec.bac * 1.08, -4)  # BAC plus management reserve
            go_live = wd_date(max(row.bstart + max(row.bdur, 1) - 1 for row in plan.rows if not row.summary))
        else:
            budget = round(spec.run_rate * 18, -4)
            go_live = date(anchor.year + 1, 6, 30)
        values = [spec.project_id, spec.name, spec.program, spec.portfolio, spec.manager, spec.sponsor, "USD"]
        ws.write_row(r, 0, values)
        ws.write_number(r, 7, budget, money)
        ws.write_row(r, 8, [spec.jira_key or "", spec.stage, spec.theme, spec.unit])
        ws.write_datetime(r, 12, datetime.combine(go_live, dt.time()), day)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 5, 24)
    ws.set_column(12, 12, 14)
    ws.autofilter(0, 0, len(SPECS), len(header) - 1)
    wb.close()


# ------------------------------------------------------------------------------------------------
# Orchestration


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    anchor: date = DEFAULT_ANCHOR,
    plan_every_weeks: int = 2,
    jira_every_weeks: int = 1,
) -> list[DemoFile]:
    """Write the demo portfolio's export files into ``out_dir`` and return them in ingest order:
    the register first, then every snapshot by as-of date (plans, Jira, finance on the same day in
    that order). Same arguments -> byte-identical files.

    Plans come every ``plan_every_weeks`` and Jira exports every ``jira_every_weeks`` over the 24
    weeks ending at ``anchor`` (moved back to a Friday); finance workbooks at the last 6 month-ends
    before it. With the defaults that is about 260 files and 20 MB; ``jira_every_weeks=2`` halves
    the Jira exports when a faster demo build matters more than weekly history. The register's
    as-of date is the earliest snapshot date, so every time-travel view sees the projects.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    anchor = last_friday(anchor)
    window = timedelta(weeks=WINDOW_WEEKS)
    files: list[tuple[tuple, DemoFile]] = []
    plans = {s.project_id: build_plan(s, seed, anchor) for s in SPECS if s.plan}
    for pid, plan in plans.items():
        first_task = wd_date(plan.start) + timedelta(days=7)
        for status in _dates(anchor, window, plan_every_weeks):
            if status < first_task:
                continue
            if plan.spec.plan == "mspdi":
                path = out_dir / f"{pid}_{status.isoformat()}.xml"
                write_mspdi(path, plan, status)
            else:
                path = out_dir / f"{pid}_{status.isoformat()}.xlsx"
                write_selected_data(path, plan, status)
            files.append(((status, 1, pid), DemoFile(path, "msproject", pid, status)))
    for spec in SPECS:
        if not spec.jira_key:
            continue
        project = simulate_jira(spec, seed, anchor)
        first = monday_of(anchor - timedelta(weeks=spec.jira_weeks)) + timedelta(days=11)
        for as_of in _dates(anchor, window, jira_every_weeks):
            if as_of < first:
                continue
            path = out_dir / f"{spec.jira_key}_jira_{as_of.isoformat()}.csv"
            write_jira(path, project, as_of)
            files.append(((as_of, 2, spec.project_id), DemoFile(path, "jira", spec.project_id, as_of)))
    lines = finance_lines(seed, anchor, plans)
    for month in _finance_months(anchor):
        as_of = month_end(anchor.year, month)
        rows = finance_snapshot(lines, seed, month)
        path = out_dir / f"finance_budget_vs_actual_{as_of.isoformat()}.xlsx"
        write_finance_wide(path, rows, anchor.year, as_of)
        files.append(((as_of, 3, ""), DemoFile(path, "finance", None, as_of)))
    path, as_of = write_contract_register(out_dir, lines, anchor, seed)  # data/contracts.py
    files.append(((as_of, 4, ""), DemoFile(path, "contracts", None, as_of)))
    files += [((d, 4, ""), DemoFile(p, "resources", None, d)) for p, d in people_files(out_dir, anchor)]
    files += [((d, 4, pid), DemoFile(p, "risk", pid, d)) for p, pid, d in write_risk_registers(out_dir, SPECS, PEOPLE, seed, anchor)]  # fmt: skip
    files.sort(key=lambda pair: pair[0])
    register = out_dir / "portfolio_register.xlsx"
    write_register(register, plans, anchor)
    first_date = files[0][1].as_of if files else anchor
    return [DemoFile(register, "register", None, first_date)] + [f for _, f in files]


def _dates(anchor: date, window: timedelta, every_weeks: int) -> list[date]:
    """Snapshot dates ending at ``anchor``, every ``every_weeks`` weeks, oldest first."""
    step = timedelta(weeks=max(1, every_weeks))
    out = []
    day = anchor
    while anchor - day <= window:
        out.append(day)
        day -= step
    return out[::-1]


def _finance_months(anchor: date) -> list[int]:
    """Closed months of the anchor's fiscal year with a month-end before the anchor (last 6)."""
    closed = [m for m in range(1, 13) if month_end(anchor.year, m) < anchor]
    return closed[-FINANCE_MONTHS:]


SAMPLE_NAMES = {
    "register": "portfolio_register.xlsx",
    "selected_data": "CRM-UPGRADE_{d}.xlsx",
    "mspdi": "CORE-LEDGER_{d}.xml",
    "jira": "PAY_jira_{d}.csv",
    "finance_wide": "finance_budget_vs_actual_{m}.xlsx",
    "finance_long": "finance_budget_vs_actual_long_{m}.csv",
}


def write_samples(dest: Path, *, seed: int = DEFAULT_SEED, anchor: date = DEFAULT_ANCHOR) -> list[Path]:
    """One small file per format for a user to try an upload (the latest snapshot of each)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    anchor = last_friday(anchor)
    month_end_day = month_end(anchor.year, _finance_months(anchor)[-1])
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plans = {s.project_id: build_plan(s, seed, anchor) for s in SPECS if s.plan}
        jobs = {
            "register": lambda p: write_register(p, plans, anchor),
            "selected_data": lambda p: write_selected_data(p, plans["CRM-UPGRADE"], anchor),
            "mspdi": lambda p: write_mspdi(p, plans["CORE-LEDGER"], anchor),
            "jira": lambda p: write_jira(p, simulate_jira(_spec("PAY-GATEWAY"), seed, anchor), anchor),
        }
        lines = finance_lines(seed, anchor, plans)
        rows = finance_snapshot(lines, seed, month_end_day.month)
        jobs["finance_wide"] = lambda p: write_finance_wide(p, rows, anchor.year, month_end_day)
        jobs["finance_long"] = lambda p: write_finance_long(p, rows, anchor.year)
        for kind, job in jobs.items():
            name = SAMPLE_NAMES[kind].format(d=anchor.isoformat(), m=month_end_day.isoformat())
            job(tmp / name)
            shutil.copyfile(tmp / name, dest / name)
            written.append(dest / name)
    return written


def _spec(project_id: str) -> Spec:
    return next(s for s in SPECS if s.project_id == project_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder for the generated export files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--anchor", type=date.fromisoformat, default=DEFAULT_ANCHOR, help="latest status date")
    parser.add_argument("--samples", type=Path, help="also write one sample file per format into this folder")
    args = parser.parse_args(argv)
    files = generate(args.out_dir, seed=args.seed, anchor=args.anchor)
    size = sum(f.path.stat().st_size for f in files)
    counts = {}
    for f in files:
        counts[f.source] = counts.get(f.source, 0) + 1
    print(f"{len(files)} files ({size / 2**20:.1f} MB) in {args.out_dir}: "
          + ", ".join(f"{n} {s}" for s, n in counts.items()))  # fmt: skip
    if args.samples:
        for path in write_samples(args.samples, seed=args.seed, anchor=args.anchor):
            print(f"sample: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
