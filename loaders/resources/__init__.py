"""People and capacity files -> ``allocations`` and ``capacity`` rows (DESIGN.md §9).

Read, each sheet as what it is (header found by content in the first 30 rows):

* allocation sheets — person × project × dates × % or hours (:mod:`.allocation_sheet`);
* capacity plans — long (person/role/team × period × hours or headcount) or a role × month
  grid (:mod:`.capacity_plan`);
* sprint capacity sheets — one per team and sprint with *Available (Hrs)* (:mod:`.sprint_capacity`);
* MS Project people tables — the Export Wizard's Task/Resource/Assignment tables (read here when
  ``--source resources`` is given; detection leaves such a workbook to the MS Project loader,
  which stores it as a plan) and a pasted Resource Sheet, also old .xls (:mod:`.msproject_tables`);
  with ``--source resources`` also an MSPDI XML's assignments with their time-phased work
  (:mod:`.mspdi_work`).

A RACI matrix (codes, no hours) is recognised and refused with what to upload instead
(:mod:`.raci`). Rows with no project belong to project ``""``; capacity rows always do.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.base import Problem, Refused, Sample
from loaders.resources import allocation_sheet, capacity_plan, mspdi_work, msproject_tables, raci, sprint_capacity
from loaders.resources.common import HEADER_SEARCH_ROWS, SOURCE, ResourcesParsed, sheets_of
from loaders.tabular import read_delimited

__all__ = ["SOURCE", "parse", "sniff"]


def _heads(sample: Sample) -> dict[str, list[list]]:
    """Sheet name -> its first rows, read cheaply for sniffing."""
    if sample.is_zip or sample.is_ole2:
        return sample.workbook.heads(HEADER_SEARCH_ROWS + 10)
    if not sample.text_head:
        return {}
    return {sample.file_name: read_delimited(sample.text_head[:20000].encode("utf-8"))[0]}


def _kind(rows: list[list]) -> str | None:
    if msproject_tables.locate_resource_sheet(rows):
        return "resource sheet"
    if allocation_sheet.locate(rows):
        return "allocation sheet"
    if capacity_plan.locate_long(rows):
        return "capacity plan"
    if sprint_capacity.locate(rows) is not None:
        return "sprint capacity"
    if capacity_plan.locate_grid(rows):
        return "capacity grid"
    if raci.matrix_shape(rows):
        return "raci"
    return None


def sniff(sample: Sample) -> bool:
    if mspdi_work.is_mspdi(sample.data):
        return False  # a plan: the MS Project loader's; read here only when the source is given
    try:
        heads = _heads(sample)
    except Exception:  # a damaged or foreign file: not ours
        return False
    if msproject_tables.is_export_wizard(heads):
        return False  # a plan: the MS Project loader's; read here only when the source is given
    return any(_kind(rows) for rows in heads.values())


def parse(data: bytes, file_name: str) -> ResourcesParsed:
    problems: list[Problem] = []
    if mspdi_work.is_mspdi(data):
        return _mspdi(data, file_name, problems)
    sheets = sheets_of(data, file_name)
    if msproject_tables.is_export_wizard(sheets):
        return _export_wizard(sheets, file_name, problems)
    allocations, capacity, rejected, kinds, racis = [], [], 0, [], []
    for sheet, rows in sheets.items():
        if not any(any(str(c).strip() for c in r) for r in rows):
            problems.append(Problem(f"sheet {sheet} is empty.", "info"))
            continue
        kind = _kind(rows)
        if kind is None:
            problems.append(Problem(f"sheet {sheet} holds no allocations or capacity this app reads; skipped.", "info"))
            continue
        if kind == "raci":
            racis.append((sheet, raci.matrix_shape(rows)))
            continue
        records, bad = _read_sheet(kind, rows, sheet, problems)
        (allocations if kind == "allocation sheet" else capacity).extend(records)
        rejected += bad
        kinds.append(kind)
    if not allocations and not capacity:
        if racis:
            raise Refused(raci.refusal(file_name, *racis[0]))
        raise Refused(f"{file_name}: no sheet holds allocations or capacity rows that could be loaded.")
    tables = {}
    if allocations:
        tables["allocations"] = allocation_sheet.to_frame(allocations)
    if capacity:
        tables["capacity"] = capacity_plan.to_frame(capacity)
    fmt = " + ".join(dict.fromkeys(kinds))
    return ResourcesParsed(SOURCE, fmt, tables, problems, rows_rejected=rejected, meta=_meta(tables))


def _read_sheet(kind: str, rows: list[list], sheet: str, problems: list[Problem]):
    if kind == "resource sheet":
        return msproject_tables.parse_resource_sheet(
            rows, sheet, *msproject_tables.locate_resource_sheet(rows), problems
        )
    if kind == "sprint capacity":
        return sprint_capacity.parse_sheet(rows, sheet, sprint_capacity.locate(rows), problems)
    if kind == "allocation sheet":
        return allocation_sheet.parse_sheet(rows, sheet, *allocation_sheet.locate(rows), problems)
    if kind == "capacity plan":
        return capacity_plan.parse_long(rows, sheet, *capacity_plan.locate_long(rows), problems)
    return capacity_plan.parse_grid(rows, sheet, capacity_plan.locate_grid(rows), problems)


def _export_wizard(sheets, file_name: str, problems: list[Problem]) -> ResourcesParsed:
    name = msproject_tables.project_name(sheets)
    project_id = msproject_tables.slug(name or Path(file_name).stem)
    records, capacity, rejected = msproject_tables.parse_export_wizard(sheets, project_id, problems)
    if not records:
        raise Refused(f"{file_name}: the Assignment_Table holds no assignment that could be matched to a task.")
    tables = {"allocations": msproject_tables.allocation_frame(records)}
    if capacity:
        tables["capacity"] = msproject_tables.capacity_frame(capacity)
    return ResourcesParsed(
        SOURCE,
        "MS Project Export Wizard tables",
        tables,
        problems,
        project_id=project_id,
        project_name=name,
        rows_rejected=rejected,
        meta=_meta(tables),
    )


def _mspdi(data: bytes, file_name: str, problems: list[Problem]) -> ResourcesParsed:
    project_id, name, allocations, capacity = mspdi_work.parse_work(data, file_name, msproject_tables.slug, problems)
    if allocations.empty:
        raise Refused(f"{file_name}: this MS Project XML has no assignment to a named resource, so it holds no load.")
    tables = {"allocations": allocations, **({"capacity": capacity} if not capacity.empty else {})}
    return ResourcesParsed(
        SOURCE,
        "MS Project XML assignments",
        tables,
        problems,
        project_id=project_id,
        project_name=name,
        meta=_meta(tables),
    )


def _meta(tables: dict[str, pd.DataFrame]) -> dict:
    meta = {"project_ids": sorted({p for f in tables.values() for p in f["project_id"].dropna() if p})}
    for name, frame in tables.items():
        meta[f"{name}_rows"] = len(frame)
    return meta
