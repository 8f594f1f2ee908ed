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

Modules: :mod:`~data.generate.common` (specs, calendar, workbooks), :mod:`~data.generate.plans`
(MS Project), :mod:`~data.generate.jira`, :mod:`~data.generate.finance`, :mod:`~data.generate.register`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from data.contracts import write_contract_register
from data.generate.common import (
    DEFAULT_ANCHOR,
    DEFAULT_SEED,
    FINANCE_MONTHS,
    SPECS,
    WINDOW_WEEKS,
    DemoFile,
    Spec,
    last_friday,
    monday_of,
    month_end,
    wd_date,
)
from data.generate.finance import finance_lines, finance_snapshot, write_finance_long, write_finance_wide
from data.generate.jira import simulate_jira, sprint_calendar, write_jira
from data.generate.plans import PEOPLE, SELECTED_DATA_COLUMNS, build_plan, write_mspdi, write_selected_data
from data.generate.register import write_register
from data.people import people_files
from data.risks import write_risk_registers

__all__ = [
    "DEFAULT_ANCHOR",
    "DEFAULT_SEED",
    "SAMPLE_NAMES",
    "SELECTED_DATA_COLUMNS",
    "SPECS",
    "DemoFile",
    "generate",
    "last_friday",
    "main",
    "simulate_jira",
    "sprint_calendar",
    "write_samples",
]


# ------------------------------------------------------------------------------------------------
# Orchestration


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    anchor: date = DEFAULT_ANCHOR,
    plan_every_weeks: int = 2,
    jira_every_weeks: int = 1,
    written: Callable[[DemoFile], object] | None = None,
) -> list[DemoFile]:
    """Write the demo portfolio's export files into ``out_dir`` and return them in ingest order:
    the register first, then every snapshot by as-of date (plans, Jira, finance on the same day in
    that order). Same arguments -> byte-identical files.

    Plans come every ``plan_every_weeks`` and Jira exports every ``jira_every_weeks`` over the 24
    weeks ending at ``anchor`` (moved back to a Friday); finance workbooks at the last 6 month-ends
    before it. With the defaults that is about 260 files and 20 MB; ``jira_every_weeks=2`` halves
    the Jira exports when a faster demo build matters more than weekly history. The register's
    as-of date is the earliest snapshot date, so every time-travel view sees the projects.
    ``written`` is called with each file as soon as it is written (the demo build starts parsing
    it then), in the order of writing, not of ingest.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    anchor = last_friday(anchor)
    window = timedelta(weeks=WINDOW_WEEKS)
    files: list[tuple[tuple, DemoFile]] = []

    def add(key: tuple, demo_file: DemoFile) -> None:
        files.append((key, demo_file))
        if written:
            written(demo_file)

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
            add((status, 1, pid), DemoFile(path, "msproject", pid, status))
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
            add((as_of, 2, spec.project_id), DemoFile(path, "jira", spec.project_id, as_of))
    lines = finance_lines(seed, anchor, plans)
    for month in _finance_months(anchor):
        as_of = month_end(anchor.year, month)
        rows = finance_snapshot(lines, seed, month)
        path = out_dir / f"finance_budget_vs_actual_{as_of.isoformat()}.xlsx"
        write_finance_wide(path, rows, anchor.year, as_of)
        add((as_of, 3, ""), DemoFile(path, "finance", None, as_of))
    path, as_of = write_contract_register(out_dir, lines, anchor, seed)  # data/contracts.py
    add((as_of, 4, ""), DemoFile(path, "contracts", None, as_of))
    for p, d in people_files(out_dir, anchor):
        add((d, 4, ""), DemoFile(p, "resources", None, d))
    for p, pid, d in write_risk_registers(out_dir, SPECS, PEOPLE, seed, anchor):  # data/risks.py
        add((d, 4, pid), DemoFile(p, "risk", pid, d))
    files.sort(key=lambda pair: pair[0])
    register = out_dir / "portfolio_register.xlsx"
    write_register(register, plans, anchor)
    first = DemoFile(register, "register", None, files[0][1].as_of if files else anchor)
    if written:
        written(first)
    return [first] + [f for _, f in files]


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
    print(
        f"{len(files)} files ({size / 2**20:.1f} MB) in {args.out_dir}: "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
    )
    if args.samples:
        for path in write_samples(args.samples, seed=args.seed, anchor=args.anchor):
            print(f"sample: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
