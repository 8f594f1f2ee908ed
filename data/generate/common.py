"""Shared by every demo generator: the project specs, the file record, the working-day calendar and
reproducible workbooks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

DEFAULT_SEED = 20261127
DEFAULT_ANCHOR = date(2026, 11, 20)
WINDOW_WEEKS = 24  # snapshots cover about 6 months ending at the anchor
FINANCE_MONTHS = 6  # month-end workbooks before the anchor
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
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
    Spec(
        "CRM-UPGRADE",
        "CRM Platform Upgrade",
        "Customer Experience",
        "Digital Growth",
        "Hannah Okafor",
        "Laura Mendes",
        "Customer 360",
        "Retail Banking",
        "Execution",
        "crm",
        "xlsx",
        38,
        13,
        2_400_000,
        1.04,
        1.18,
        "CRM",
        "scrum",
        20,
        28,
        (0.86, 0.8),
        added_scope=(2, 3, 3, 4),
        shares=(
            ("Internal labour", "Internal", 0.32),
            ("Contractors", "Accenture", 0.41),
            ("Software licences", "Salesforce", 0.2),
            ("Cloud hosting", "AWS", 0.07),
        ),
    ),
    Spec(
        "PORTAL-V2",
        "Customer Portal v2",
        "Customer Experience",
        "Digital Growth",
        "Marco Rossi",
        "Laura Mendes",
        "Customer 360",
        "Retail Banking",
        "Execution",
        "portal",
        "xlsx",
        29,
        9,
        1_300_000,
        1.03,
        1.04,
        "POR",
        "scrum",
        28,
        24,
        (0.82, 0.78),
        messy=True,
        shares=(
            ("Internal labour", "Internal", 0.55),
            ("Contractors", "Thoughtworks", 0.3),
            ("Cloud hosting", "Azure", 0.1),
            ("Software licences", "Contentful", 0.05),
        ),
    ),
    Spec(
        "MOBILE-APP",
        "Mobile Banking App Refresh",
        "Customer Experience",
        "Digital Growth",
        "Aisha Khan",
        "Laura Mendes",
        "Customer 360",
        "Retail Banking",
        "Execution",
        jira_key="MOB",
        jira_mode="scrum",
        jira_weeks=30,
        velocity=38,
        done_rate=(0.92, 0.62),
        run_rate=96_000,
        overcommit=1.2,
        shares=(
            ("Internal labour", "Internal", 0.6),
            ("Contractors", "EPAM", 0.3),
            ("Software licences", "Apple / Google", 0.03),
            ("Cloud hosting", "AWS", 0.07),
        ),
    ),
    Spec(
        "LOYALTY",
        "Loyalty Programme Relaunch",
        "Customer Experience",
        "Digital Growth",
        "Tom Becker",
        "Rachel Adams",
        "Growth",
        "Cards",
        "Execution",
        "loyalty",
        "xlsx",
        19,
        7,
        900_000,
        1.0,
        1.02,
        shares=(
            ("Internal labour", "Internal", 0.45),
            ("Contractors", "Capgemini", 0.35),
            ("Software licences", "Comarch", 0.15),
            ("Cloud hosting", "Azure", 0.05),
        ),
    ),
    Spec(
        "PAY-GATEWAY",
        "Payment Gateway Consolidation",
        "Payments Modernisation",
        "Digital Growth",
        "Priya Nair",
        "David Chen",
        "Modern core",
        "Payments",
        "Execution",
        "payments",
        "xlsx",
        45,
        12,
        3_100_000,
        1.06,
        1.03,
        "PAY",
        "scrum",
        32,
        34,
        (0.84, 0.8),
        points_field="Custom field (Story Points)",
        shares=(
            ("Internal labour", "Internal", 0.4),
            ("Contractors", "Infosys", 0.35),
            ("Software licences", "ACI Worldwide", 0.18),
            ("Cloud hosting", "AWS", 0.07),
        ),
    ),
    Spec(
        "CORE-LEDGER",
        "Core Ledger Replacement",
        "Payments Modernisation",
        "Digital Growth",
        "Samuel Osei",
        "David Chen",
        "Modern core",
        "Finance",
        "Execution",
        "ledger",
        "mspdi",
        42,
        15,
        6_800_000,
        1.22,
        1.17,
        shares=(
            ("Internal labour", "Internal", 0.3),
            ("Contractors", "Deloitte", 0.45),
            ("Software licences", "Thought Machine", 0.2),
            ("Cloud hosting", "Google Cloud", 0.05),
        ),
    ),
    Spec(
        "OPEN-BANKING",
        "Open Banking APIs (PSD3)",
        "Payments Modernisation",
        "Digital Growth",
        "Elena Petrova",
        "David Chen",
        "Regulatory",
        "Payments",
        "Execution",
        "openbanking",
        "xlsx",
        25,
        8,
        1_600_000,
        0.99,
        0.99,
        "OBK",
        "scrum",
        18,
        30,
        (0.92, 0.93),
        added_scope=(0, 0, 1),
        shares=(
            ("Internal labour", "Internal", 0.6),
            ("Contractors", "Luxoft", 0.25),
            ("Software licences", "Axway", 0.1),
            ("Cloud hosting", "AWS", 0.05),
        ),
    ),
    Spec(
        "FRAUD-ML",
        "Real-time Fraud Scoring",
        "Payments Modernisation",
        "Digital Growth",
        "Kenji Watanabe",
        "David Chen",
        "Risk & control",
        "Payments",
        "Execution",
        jira_key="FRD",
        jira_mode="kanban",
        jira_weeks=30,
        run_rate=72_000,
        shares=(
            ("Internal labour", "Internal", 0.7),
            ("Cloud hosting", "Databricks", 0.2),
            ("Software licences", "Feedzai", 0.1),
        ),
    ),
    Spec(
        "DC-MIGRATION",
        "Data Centre Exit to Azure",
        "Infrastructure & Security",
        "Operations & Resilience",
        "Grace Liu",
        "Mark Fitzgerald",
        "Resilience",
        "Technology",
        "Execution",
        "dcexit",
        "xlsx",
        46,
        12,
        4_200_000,
        1.3,
        1.03,
        shares=(
            ("Internal labour", "Internal", 0.25),
            ("Contractors", "Kyndryl", 0.4),
            ("Cloud hosting", "Microsoft Azure", 0.25),
            ("Hardware", "Dell", 0.1),
        ),
    ),
    Spec(
        "IAM-ROLLOUT",
        "Identity & Access Management Rollout",
        "Infrastructure & Security",
        "Operations & Resilience",
        "Oliver Grant",
        "Mark Fitzgerald",
        "Risk & control",
        "Technology",
        "Execution",
        "iam",
        "xlsx",
        33,
        8.5,
        1_100_000,
        0.97,
        0.96,
        shares=(
            ("Internal labour", "Internal", 0.5),
            ("Contractors", "Optiv", 0.25),
            ("Software licences", "Okta", 0.25),
        ),
    ),
    Spec(
        "NETWORK-REFRESH",
        "Branch Network Refresh (SD-WAN)",
        "Infrastructure & Security",
        "Operations & Resilience",
        "Fatima Zahra",
        "Mark Fitzgerald",
        "Resilience",
        "Technology",
        "Execution",
        "network",
        "mspdi",
        37,
        11,
        2_700_000,
        1.01,
        0.99,
        shares=(
            ("Internal labour", "Internal", 0.3),
            ("Contractors", "NTT Data", 0.3),
            ("Hardware", "Cisco", 0.32),
            ("Software licences", "Cisco", 0.08),
        ),
    ),
    Spec(
        "ESG-REPORTING",
        "ESG Regulatory Reporting",
        "Infrastructure & Security",
        "Operations & Resilience",
        "Nina Larsen",
        "Mark Fitzgerald",
        "Regulatory",
        "Finance",
        "Initiation",
        run_rate=22_000,
        shares=(("Internal labour", "Internal", 0.7), ("Contractors", "PwC", 0.3)),
    ),
)


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


def _workbook(path: Path, as_of: date) -> xlsxwriter.Workbook:
    """A workbook with fixed metadata (created at 17:00 on ``as_of``), so the bytes are reproducible."""
    wb = xlsxwriter.Workbook(str(path))
    stamp = datetime.combine(as_of, dt.time(17, 0))
    wb.set_properties({"created": stamp, "author": "PMO", "company": "Northwind Bank"})
    return wb
