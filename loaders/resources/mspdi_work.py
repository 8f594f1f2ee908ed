"""MSPDI XML read as people data (``--source resources``): each assignment's time-phased work
(``TimephasedData`` types 1 = remaining and 2 = actual work) as allocation rows, one per period;
an assignment without time-phased work as one row spreading its ``Work`` from ``Start`` to
``Finish``; work resources' max units as capacity. Detection leaves MSPDI files to the MS Project
loader, which stores the plan; this reader exists for the time-phased contour of the load.
Parsed with lxml ``iterparse``, entities, DTDs and network off.
"""

from __future__ import annotations

import io

from loaders.base import Problem, Refused
from loaders.resources.common import ALLOCATION_COLUMNS, CAPACITY_COLUMNS, frame
from loaders.values import parse_iso_duration

WORK_TYPES = {"1": "remaining", "2": "actual"}
UNASSIGNED = "-65535"


def is_mspdi(data: bytes) -> bool:
    head = data[:4096].decode("utf-8", "replace")
    return head.lstrip("\ufeff \t\r\n").startswith("<") and "schemas.microsoft.com/project" in head


def _text(el, name: str) -> str:
    child = el.find(f"{{*}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _records(data: bytes, file_name: str):
    from lxml import etree

    try:
        context = etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            tag=("{*}Task", "{*}Resource", "{*}Assignment", "{*}Name"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
        )
        for _event, el in context:
            kind = etree.QName(el).localname
            if kind == "Name":
                if etree.QName(el.getparent()).localname == "Project":
                    yield "Project", {"Name": (el.text or "").strip()}, []
                continue
            fields = {
                k: _text(el, k)
                for k in (
                    "UID",
                    "Name",
                    "Type",
                    "MaxUnits",
                    "TaskUID",
                    "ResourceUID",
                    "Units",
                    "Work",
                    "Start",
                    "Finish",
                    "IsNull",
                )
            }
            phased = [
                {k: _text(t, k) for k in ("Type", "Start", "Finish", "Value")} for t in el.findall("{*}TimephasedData")
            ]
            yield kind, fields, phased
            el.clear()
    except etree.XMLSyntaxError as err:
        raise Refused(f"{file_name}: the XML is not well formed ({err}).") from None


def _hours(value: str) -> float | None:
    try:
        return parse_iso_duration(value) if value else None
    except ValueError:
        return None


def _date(value: str):
    return value[:10] or None


def parse_work(data: bytes, file_name: str, project_id_of, problems: list[Problem]):
    """(project id, project name, allocation frame, capacity frame) of an MSPDI file."""
    name, tasks, people, assignments = None, {}, {}, []
    for kind, fields, phased in _records(data, file_name):
        if kind == "Project":
            name = name or fields["Name"]
        elif kind == "Task" and fields["IsNull"] != "1":
            tasks[fields["UID"]] = fields
        elif kind == "Resource" and fields["Name"]:
            people[fields["UID"]] = fields
        elif kind == "Assignment":
            assignments.append((fields, phased))
    project_id = project_id_of(name or file_name)
    rows, unassigned = [], 0
    for fields, phased in assignments:
        if fields["ResourceUID"] in ("", UNASSIGNED) or fields["ResourceUID"] not in people:
            unassigned += 1
            continue
        base = {
            "project_id": project_id,
            "resource": people[fields["ResourceUID"]]["Name"],
            "task_name": tasks.get(fields["TaskUID"], {}).get("Name"),
            "percent": None,
        }
        periods = [p for p in phased if p["Type"] in WORK_TYPES and (_hours(p["Value"]) or 0) > 0]
        for p in periods:
            rows.append(
                {
                    **base,
                    "start": _date(p["Start"]),
                    "finish": _date(p["Finish"]),
                    "hours": _hours(p["Value"]),
                    "origin": "msproject time-phased",
                }
            )
        if not periods:
            units = float(fields["Units"]) * 100 if fields["Units"] else None
            rows.append(
                {
                    **base,
                    "start": _date(fields["Start"]),
                    "finish": _date(fields["Finish"]),
                    "hours": _hours(fields["Work"]),
                    "percent": units,
                    "origin": "msproject xml",
                }
            )
    if unassigned:
        problems.append(
            Problem(
                f"{unassigned} assignment(s) have no resource (MS Project's 'unassigned'); not loaded "
                "as anyone's load.",
                "info",
            )
        )
    for number, row in enumerate(rows, start=1):
        row["row_number"] = number
    capacity = [
        {
            "project_id": "",
            "resource": r["Name"],
            "resource_type": "Work",
            "max_units": float(r["MaxUnits"]) * 100 if r["MaxUnits"] else 100.0,
            "origin": "resource sheet",
        }
        for r in people.values()
        if r["Type"] in ("", "1")
    ]
    return project_id, name, frame(rows, ALLOCATION_COLUMNS), frame(capacity, CAPACITY_COLUMNS)
