"""MSPDI XML ("Save As XML") -> Parsed: project options, tasks, resources, assignments, baselines
and time-phased baseline data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from loaders.base import Parsed, Problem, Refused
from loaders.msproject.consistency import check_tasks
from loaders.msproject.fields import ACCRUALS, EV_METHODS, MISSING_BASELINE_XML, NS, SOURCE
from loaders.msproject.mspdi_stream import iter_mspdi, text_columns
from loaders.msproject.mspdi_tables import (
    mspdi_assignments,
    mspdi_baselines,
    mspdi_resources,
    mspdi_tasks,
    predecessor_text,
)
from loaders.msproject.sniffing import xml_head
from loaders.msproject.tasks import typed_tasks
from loaders.msproject.timephased import mspdi_timephased
from loaders.values import date_window

TASK_KEYS = (
    "UID",
    "ID",
    "Name",
    "IsNull",
    "WBS",
    "OutlineNumber",
    "OutlineLevel",
    "Summary",
    "Milestone",
    "Start",
    "Finish",
    "ActualStart",
    "ActualFinish",
    "Deadline",
    "Duration",
    "Work",
    "PercentComplete",
    "PhysicalPercentComplete",
    "Cost",
    "ActualCost",
    "RemainingCost",
    "FixedCost",
    "FixedCostAccrual",
    "BCWS",
    "BCWP",
    "ACWP",
    "EarnedValueMethod",
    "Notes",
    "ActualWork",
    "_pos",
)


@dataclass
class Records:
    """An MSPDI file's records as text dicts, in file order (``_pos`` = the task's position,
    ``_uid`` = the owning task's UID for nested blocks)."""

    tasks: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    baselines: list = field(default_factory=list)
    links: list = field(default_factory=list)
    phased: list = field(default_factory=list)
    assignment_phased: list = field(default_factory=list)
    project: dict = field(default_factory=dict)


def read_records(data: bytes, file_name: str) -> Records:
    """Stream the file once and collect its records (see :func:`iter_mspdi`)."""
    rec = Records()
    task_pos = 0
    for kind, fields, b, p, t in iter_mspdi(data, file_name):
        if kind == "Task":
            task_pos += 1
            fields["_pos"] = task_pos
            rec.tasks.append(fields)
            if b or p or t:
                uid = fields.get("UID")
                rec.baselines.extend({**x, "_uid": uid} for x in b)
                rec.links.extend({**x, "_uid": uid} for x in p)
                rec.phased.extend({**x, "_uid": uid} for x in t)
        elif kind == "Resource":
            rec.resources.append(fields)
        elif kind == "Assignment":
            rec.assignments.append(fields)
            tuid = fields.get("TaskUID")
            rec.assignment_phased.extend({**x, "_uid": tuid} for x in t if x.get("Type") in ASSIGNMENT_BASELINE_TYPES)
        else:
            rec.project = fields
    return rec


def _project_number(project: dict, key: str, default: float) -> float:
    try:
        return float(project.get(key)) if project.get(key) not in (None, "") else default
    except ValueError:
        return default


def _file_date(project: dict, key: str) -> pd.Timestamp | None:
    raw = (project.get(key) or "").strip()
    value = pd.to_datetime(raw, errors="coerce") if raw else None
    if value is None or pd.isna(value):
        return None
    return value.tz_localize(None) if value.tzinfo else value


def as_of_from_file(project: dict, problems: list[Problem]) -> tuple[pd.Timestamp | None, str | None]:
    """StatusDate, else CurrentDate (MS Project computes earned value at it when no status date is
    set), else LastSaved, with an info problem naming the one used -> (timestamp, field)."""
    lo, hi = date_window()
    for key in ("StatusDate", "CurrentDate", "LastSaved"):
        value = _file_date(project, key)
        if value is None:
            continue
        if not lo <= value <= hi:
            problems.append(
                Problem(
                    f"the plan's {key} {value:%Y-%m-%d} is outside the plausible dates {lo:%Y-%m-%d} "
                    f"to {hi:%Y-%m-%d}; it was not used as the as-of date.",
                    "warning",
                    None,
                    key,
                    project.get(key),
                )
            )
            continue
        if key != "StatusDate":
            why = {
                "CurrentDate": "the date MS Project computes earned value at when no status date is set",
                "LastSaved": "the day the file was last saved",
            }[key]
            problems.append(
                Problem(
                    f"the plan has no status date; its {key} {value:%Y-%m-%d %H:%M} ({why}) was used "
                    "as its as-of date. Set one in MS Project (Project > Status Date) to choose it.",
                    "info",
                    None,
                    key,
                    project.get(key),
                )
            )
        return value, key
    return None, None


def project_options(project: dict, problems: list[Problem]) -> tuple[dict, dict, str, object]:
    """The ``<Project>`` leaves -> (duration units, meta, default EV method, as-of date or None)."""
    calendar = {
        "minutes_per_day": _project_number(project, "MinutesPerDay", 480),
        "minutes_per_week": _project_number(project, "MinutesPerWeek", 2400),
        "days_per_month": _project_number(project, "DaysPerMonth", 20),
    }
    status, status_from = as_of_from_file(project, problems)
    ev_default = EV_METHODS.get(
        str(project.get("DefaultTaskEVMethod", project.get("EarnedValueMethod", "0"))), "percent_complete"
    )
    meta = {
        "status_date": status.date().isoformat() if status_from == "StatusDate" else None,
        "status_datetime": status.isoformat() if status is not None else None,
        "as_of_from": status_from,
        "current_date": project.get("CurrentDate"),
        "last_saved": project.get("LastSaved"),
        **calendar,
        "calendar": project.get("_calendar"),
        "baseline_for_earned_value": int(_project_number(project, "BaselineForEarnedValue", 0)),
        "earned_value_method": ev_default,
        "default_fixed_cost_accrual": ACCRUALS.get(str(project.get("DefaultFixedCostAccrual"))),
        "currency_symbol": project.get("CurrencySymbol"),
        "currency_code": project.get("CurrencyCode"),
        "save_version": project.get("SaveVersion"),
        "date_orders": {},
    }
    return calendar, meta, ev_default, status.date() if status is not None else None


def _project_name(project: dict, summary_name: str | None) -> str | None:
    """Title, else Name unless it is just the file name, else the project summary task's name."""
    title = (project.get("Title") or "").strip() or None
    name = (project.get("Name") or "").strip() or None
    if name and re.search(r"\.(xml|mpp)$", name, re.I):
        name = None
    return title or name or summary_name


def _with_summary_baseline(summary: dict | None, baselines: list[dict], calendar: dict) -> dict | None:
    """The project summary task's values plus its baseline 0 cost and work (from its Baseline block)."""
    if summary is None:
        return None
    own = [b for b in baselines if b.get("_uid") == "0" and (b.get("Number") or "0").strip() == "0"]
    frame = mspdi_baselines(text_columns(own), calendar, [], {0})
    first = frame.iloc[0] if len(frame) else None
    for src, dst in (("cost", "baseline_cost"), ("work_hours", "baseline_work_hours")):
        summary[dst] = None if first is None or pd.isna(first[src]) else float(first[src])
    return summary


def _fill_baseline_zero(out: pd.DataFrame, tb: pd.DataFrame) -> None:
    """Baseline 0 -> the task's own baseline columns."""
    base0 = tb[tb["baseline_number"] == 0].drop_duplicates("task_uid").set_index("task_uid")
    for src, dst in (
        ("start", "baseline_start"),
        ("finish", "baseline_finish"),
        ("duration_hours", "baseline_duration_hours"),
        ("work_hours", "baseline_work_hours"),
        ("cost", "baseline_cost"),
    ):
        out[dst] = out["task_uid"].map(base0[src]) if not base0.empty else out[dst]


def _resource_tables(rec: Records, out: pd.DataFrame, calendar: dict, problems: list[Problem]) -> dict:
    """Resources and assignments; the tasks' resource names from the assignments when absent."""
    res = mspdi_resources(text_columns(rec.resources), calendar, problems)
    asg = mspdi_assignments(text_columns(rec.assignments), calendar, problems, res)
    if not asg.empty and out["resource_names"].isna().all():
        names = asg.dropna(subset=["resource_name"]).groupby("task_uid")["resource_name"].agg(", ".join)
        out["resource_names"] = out["task_uid"].map(names)
    return {"resources": res, "assignments": asg}


def parse_mspdi(data: bytes, file_name: str) -> Parsed:
    """MSPDI XML -> Parsed (see the package docstring)."""
    head = xml_head(data)[:4096]
    if NS not in head and "<Project" not in head:
        raise Refused(f"{file_name}: this XML is not an MS Project (MSPDI) file; save the plan from MS Project as XML.")
    problems: list[Problem] = []
    rec = read_records(data, file_name)
    calendar, meta, ev_default, as_of = project_options(rec.project, problems)
    frame = text_columns(rec.tasks, TASK_KEYS)
    rec.tasks = []
    out, summary_name, summary = mspdi_tasks(frame, calendar, problems, ev_default)
    project_name = _project_name(rec.project, summary_name)
    if rec.links:
        id_of = dict(zip(frame.get("UID", []), frame.get("ID", []), strict=False)) if not frame.empty else {}
        out["predecessors"] = out["task_uid"].map(predecessor_text(rec.links, id_of, calendar))
    tables = {"tasks": out, **_resource_tables(rec, out, calendar, problems)}
    kept = set(out["task_uid"].dropna().astype(int))
    meta["project_summary"] = _with_summary_baseline(summary, rec.baselines, calendar)
    tb = mspdi_baselines(text_columns(rec.baselines), calendar, problems, kept)
    tables["task_baselines"] = tb
    _fill_baseline_zero(out, tb)
    tp = mspdi_timephased(text_columns(rec.phased), text_columns(rec.assignment_phased), kept, tb, meta, problems)
    if not tp.empty:
        tables["timephased_baseline"] = tp
    if tb.empty:
        problems.append(Problem(MISSING_BASELINE_XML, "info"))
    tables["tasks"] = typed_tasks(out)
    check_tasks(tables["tasks"], problems)
    meta["baselines"] = sorted(int(n) for n in tb["baseline_number"].dropna().unique()) if not tb.empty else []
    return Parsed(
        SOURCE, "MSPDI XML", tables, problems, as_of=as_of, project_id=None, project_name=project_name, meta=meta
    )


ASSIGNMENT_BASELINE_TYPES = {"4", "5", *(str(16 + 6 * (n - 1) + k) for n in range(1, 11) for k in (0, 1))}
