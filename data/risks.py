"""Demo risk registers: one per project, a snapshot every 4 weeks for the last 8 weeks.

Each register is a workbook as a PMO keeps it (a preamble naming the project and its status
date, then one table: ID, Type, Title, Description, Category, System, Probability, Impact, Cost
impact, Owner, Status, Raised, Due date, Mitigation, Escalate?). The Payments programme scores in
words (Rare…Almost certain × Insignificant…Catastrophic), the others on 1–5; the Infrastructure
programme keeps its register as CSV. Entries evolve between snapshots: scores rise or fall,
risks close, new ones appear, and the late, over-budget projects carry the risks that must be
escalated (score 20+, rising twice, overdue or marked). Deterministic from ``seed`` and ``anchor``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

SNAPSHOT_WEEKS = (8, 4, 0)  # weeks before the anchor
LIKELIHOOD = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
CONSEQUENCE = ("Insignificant", "Minor", "Moderate", "Major", "Catastrophic")
HEADER = (
    "ID",
    "Type",
    "Title",
    "Description",
    "Category",
    "System",
    "Probability",
    "Impact",
    "Cost impact (USD)",
    "Owner",
    "Status",
    "Raised",
    "Due date",
    "Mitigation",
    "Escalate?",
)
STRESS = {
    "CORE-LEDGER": 2,
    "DC-MIGRATION": 2,
    "CRM-UPGRADE": 1,
    "MOBILE-APP": 1,
    "PORTAL-V2": 1,
    "IAM-ROLLOUT": -1,
    "OPEN-BANKING": -1,
}
# (kind, title, category, response, cost at impact 5); {system} = a product the project buys, {vendor} its integrator
CATALOGUE = (
    (
        "Risk",
        "{system} integration interface not ready for end-to-end testing",
        "Technical",
        "Stub the interface; daily defect triage with {vendor}",
        400_000,
    ),
    (
        "Risk",
        "Data migration from the legacy system has quality gaps",
        "Technical",
        "Profile and cleanse in three dress rehearsals",
        300_000,
    ),
    (
        "Risk",
        "{system} performance under peak load is unproven",
        "Technical",
        "Load test at 2× peak before cut-over",
        250_000,
    ),
    (
        "Risk",
        "Security review of the {system} API may block go-live",
        "Security",
        "Book the penetration test early; fix criticals within the sprint",
        200_000,
    ),
    (
        "Risk",
        "Key architect may leave before go-live",
        "People",
        "Pair a second architect; document decisions",
        150_000,
    ),
    (
        "Risk",
        "{vendor} staffing below the contracted level",
        "Vendor",
        "Weekly staffing review; service credits",
        180_000,
    ),
    (
        "Risk",
        "Business change requests keep growing the scope",
        "Scope",
        "Change board; freeze scope for release 1",
        220_000,
    ),
    (
        "Risk",
        "Regulator may bring the deadline forward",
        "Regulatory",
        "Keep a minimum compliant release ready",
        350_000,
    ),
    ("Issue", "Test environment unavailable two days a week", "Technical", "Second environment ordered", 90_000),
    ("Issue", "Defect backlog above the exit criteria", "Quality", "Defect burn-down with the vendor", 120_000),
    (
        "Opportunity",
        "Group licence for {system} could replace the project licence",
        "Commercial",
        "Ask procurement to confirm the group terms",
        150_000,
    ),
)
PATTERNS = ("steady", "falling", "closing", "new_late", "new_mid", "steady", "falling")  # "rising": see below


@dataclass
class Entry:
    rid: str
    kind: str
    title: str
    category: str
    response: str
    cost: float
    path: list  # per snapshot: (probability, impact, status) or None when not in the register
    owner: str
    raised: date
    due: date
    escalate: bool = False


def write_risk_registers(out_dir: Path, specs, people, seed: int, anchor: date) -> list[tuple[Path, str, date]]:
    """Write every project's register snapshots; return (path, project_id, as_of) of each."""
    written = []
    for spec in specs:
        entries = project_entries(spec, people, seed, anchor)
        for k, weeks in enumerate(SNAPSHOT_WEEKS):
            as_of = anchor - timedelta(weeks=weeks)
            rows = [_row(e, k, spec) for e in entries if e.path[k] is not None]
            if spec.program.startswith("Infrastructure"):
                path = out_dir / f"{spec.project_id}_risks_{as_of.isoformat()}.csv"
                _write_csv(path, spec, as_of, rows)
            else:
                path = out_dir / f"{spec.project_id}_risk_register_{as_of.isoformat()}.xlsx"
                _write_xlsx(path, spec, as_of, rows)
            written.append((path, spec.project_id, as_of))
    return written


def project_entries(spec, people, seed: int, anchor: date) -> list[Entry]:
    """The entries of one project's register over the snapshots (deterministic)."""
    rng = random.Random(f"{seed}|risk|{spec.project_id}")
    stress = STRESS.get(spec.project_id, 0)
    systems = [v for c, v, _ in spec.shares if c in ("Software licences", "Cloud hosting")] or ["the core platform"]
    vendors = [v for c, v, _ in spec.shares if c == "Contractors"] or ["the integrator"]
    picks = [0, *rng.sample(range(1, len(CATALOGUE)), 6 + (stress > 0))]
    entries = []
    for n, index in enumerate(picks, 1):
        kind, title, category, response, cost = CATALOGUE[index]
        names = {"system": rng.choice(systems), "vendor": rng.choice(vendors)}
        pattern = "rising" if (n == 1 and stress > 0) or (n == 4 and stress > 1) else rng.choice(PATTERNS)
        base = (min(4, max(1, 2 + stress + rng.randint(-1, 1))), min(5, max(1, 3 + rng.randint(-1, 1 + (stress > 1)))))
        raised = anchor - timedelta(weeks=10 + rng.randint(0, 12))
        due = anchor + timedelta(days=rng.randint(14, 90))
        if stress > 0 and n == 2:
            due = anchor - timedelta(days=rng.randint(5, 25))  # overdue
        entries.append(
            Entry(
                f"{spec.project_id.split('-')[0][:4]}-R{n:02d}",
                kind,
                title.format(**names),
                category,
                response.format(**names),
                cost,
                _path(pattern, base, kind),
                rng.choice(people),
                raised,
                due,
                escalate=stress > 1 and n == 3,
            )
        )
    return entries


def _path(pattern: str, base: tuple[int, int], kind: str) -> list:
    p, i = base
    if pattern == "rising":
        steps = [(p, i), (min(5, p + 1), i), (min(5, p + 1), min(5, i + 1))]
        if steps[1] == steps[2]:
            steps = [(max(1, p - 1), i), (p, i), (min(5, p + 1), i)]
    elif pattern == "falling":
        steps = [(p, i), (max(1, p - 1), i), (max(1, p - 1), max(1, i - 1))]
    else:
        steps = [(p, i)] * 3
    status = ["Open", "In progress", "Closed" if pattern == "closing" else "In progress"]
    if kind == "Issue":
        steps = [(5, i)] * 3
    path = [(*step, s) for step, s in zip(steps, status, strict=True)]
    if pattern == "new_late":
        path[:2] = [None, None]
    elif pattern == "new_mid":
        path[0] = None
    return path


def _row(e: Entry, k: int, spec) -> list:
    p, i, status = e.path[k]
    words = spec.program.startswith("Payments")
    cost = round(e.cost * i / 5, -3) * (-1 if e.kind == "Opportunity" else 1)
    return [
        e.rid,
        e.kind,
        e.title,
        f"{e.title} ({spec.name})",
        e.category,
        "",
        LIKELIHOOD[p - 1] if words else p,
        CONSEQUENCE[i - 1] if words else i,
        cost,
        e.owner,
        status,
        e.raised,
        e.due,
        e.response,
        "Yes" if e.escalate else "",
    ]


def _write_xlsx(path: Path, spec, as_of: date, rows: list[list]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties(
        {"created": dt.datetime.combine(as_of, dt.time(17, 0)), "author": "PMO", "company": "Northwind Bank"}
    )
    ws = wb.add_worksheet("Risk Register")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    day = wb.add_format({"num_format": "dd-mmm-yyyy"})
    money = wb.add_format({"num_format": "#,##0"})
    ws.write(0, 0, f"Project: {spec.name}")
    ws.write(1, 0, f"Status date: {as_of.isoformat()}")
    ws.write_row(3, 0, HEADER, bold)
    for r, row in enumerate(rows, 4):
        ws.write_row(r, 0, row[:8])
        ws.write_number(r, 8, row[8], money)
        ws.write_row(r, 9, row[9:11])
        ws.write_datetime(r, 11, dt.datetime.combine(row[11], dt.time()), day)
        ws.write_datetime(r, 12, dt.datetime.combine(row[12], dt.time()), day)
        ws.write_row(r, 13, row[13:])
    ws.set_column(2, 3, 48)
    ws.set_column(9, 13, 16)
    wb.close()


def _write_csv(path: Path, spec, as_of: date, rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([f"Project: {spec.name}"])
        out.writerow([f"Status date: {as_of.isoformat()}"])
        out.writerow(HEADER)
        for row in rows:
            out.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
