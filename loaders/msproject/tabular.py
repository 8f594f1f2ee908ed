"""Excel workbooks and CSV files from MS Project's Export Wizard -> Parsed."""

from __future__ import annotations

import pandas as pd

from loaders.base import Parsed, Problem, Refused
from loaders.msproject.aliases import ASSIGNMENT_ALIASES, RESOURCE_ALIASES
from loaders.msproject.cells import Cells, currency_symbol
from loaders.msproject.consistency import check_tasks
from loaders.msproject.fields import ASSIGNMENT_COLUMNS, BASELINE_COLUMNS, RESOURCE_COLUMNS, SOURCE
from loaders.msproject.sniffing import task_header_index, task_header_score
from loaders.msproject.table import convert_columns, header_index, map_header, raw_frame, report_unmapped
from loaders.msproject.tabular_tasks import tasks_from_rows
from loaders.msproject.tasks import baseline_notice, finish_tasks, typed_tasks


def side_table(rows: list[list], aliases, columns, problems: list[Problem], sheet: str) -> pd.DataFrame:
    hi = header_index(rows)
    header = [str(c).strip() for c in rows[hi]] if rows else []
    mapped, _, unmapped = map_header(header, aliases)
    report_unmapped(unmapped, problems, sheet)
    frame, numbers = raw_frame(rows, hi + 1, len(header))
    cells = Cells(numbers, problems)
    out = convert_columns(cells, frame, mapped, [f"{sheet}: {h}" for h in header], [*columns, "percent_work_complete"])
    for col in columns:
        if col not in out:
            out[col] = None
    return out


def resource_table(rows, problems) -> pd.DataFrame:
    out = side_table(rows, RESOURCE_ALIASES, RESOURCE_COLUMNS, problems, "Resource_Table")
    out = out[list(RESOURCE_COLUMNS)]
    if out["resource_uid"].isna().all():
        out["resource_uid"] = out["resource_id"]
    return out[out["name"].notna()].reset_index(drop=True)


def assignment_table(rows, problems, tasks: pd.DataFrame) -> pd.DataFrame:
    out = side_table(rows, ASSIGNMENT_ALIASES, ASSIGNMENT_COLUMNS, problems, "Assignment_Table")
    out = out[list(ASSIGNMENT_COLUMNS)]
    if out["task_uid"].isna().all() and out["task_name"].notna().any() and not tasks.empty:
        names = tasks.dropna(subset=["name"]).drop_duplicates("name", keep=False).set_index("name")["task_uid"]
        out["task_uid"] = out["task_name"].map(names).astype("Int64")
    return out[out["task_name"].notna() | out["task_uid"].notna()].reset_index(drop=True)


def interleaved_assignments(spec, tasks_raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    frame, numbers, mapped, header = spec
    cells = Cells(numbers.reset_index(drop=True), problems)
    frame = frame.reset_index(drop=True)
    conv = convert_columns(
        cells,
        frame,
        mapped,
        header,
        ("name", "work_hours", "cost", "baseline_cost", "actual_cost", "start", "finish", "baseline_work_hours"),
    )
    owners = frame["_owner"].to_numpy()
    out = pd.DataFrame(
        {
            "task_uid": tasks_raw["task_uid"].reindex(owners).to_numpy() if "task_uid" in tasks_raw else None,
            "task_name": tasks_raw["name"].reindex(owners).to_numpy(),
            "resource_uid": None,
            "resource_name": conv.get("name"),
        }
    )
    for col in ASSIGNMENT_COLUMNS:
        if col not in out:
            out[col] = conv.get(col)
    return out[list(ASSIGNMENT_COLUMNS)]


def parse_tables(tables_rows: dict[str, list[list]], file_name: str, fmt: str, task_sheet: str | None) -> Parsed:
    problems: list[Problem] = []
    rows = tables_rows[task_sheet] if task_sheet else next(iter(tables_rows.values()))
    tasks_raw, baselines, interleaved, meta = tasks_from_rows(rows, file_name, problems, task_sheet)
    keep_for_assign = tasks_raw.copy()
    tasks, project_name = finish_tasks(tasks_raw, problems, meta)
    tasks = typed_tasks(tasks)
    check_tasks(tasks, problems)
    had_baseline = any(c in tasks_raw for c in ("baseline_start", "baseline_finish", "baseline_cost"))
    baseline_notice(tasks, problems, had_baseline or not baselines.empty)
    tables = {"tasks": tasks}
    if not baselines.empty:
        uid_source = keep_for_assign["task_uid"] if "task_uid" in keep_for_assign else keep_for_assign.get("task_id")
        baselines["task_uid"] = uid_source.reindex(baselines.pop("_row")).to_numpy() if uid_source is not None else None
        kept = set(tasks["task_uid"].dropna())
        baselines = baselines[baselines["task_uid"].isin(kept)]
        for col in BASELINE_COLUMNS:
            if col not in baselines:
                baselines[col] = None
        tables["task_baselines"] = baselines[list(BASELINE_COLUMNS)].reset_index(drop=True)
    assignments = []
    if interleaved is not None:
        if "task_uid" not in keep_for_assign and "task_id" in keep_for_assign:
            keep_for_assign["task_uid"] = keep_for_assign["task_id"]
        assignments.append(interleaved_assignments(interleaved, keep_for_assign, problems))
    for name, sheet_rows in tables_rows.items():
        base = name.rstrip("0123456789").casefold()
        if base == "resource_table" and sheet_rows:
            tables["resources"] = resource_table(sheet_rows, problems)
        elif base == "assignment_table" and sheet_rows:
            assignments.append(assignment_table(sheet_rows, problems, tasks))
    if assignments:
        tables["assignments"] = pd.concat([a for a in assignments if not a.empty] or assignments, ignore_index=True)
    currency = currency_symbol(rows)
    if currency:
        meta["currency_symbol"] = currency
    meta["task_sheet"] = task_sheet
    meta["status_date"] = None
    # a tabular export carries no calendar or earned-value options: MS Project's defaults
    meta.update(
        minutes_per_day=480,
        minutes_per_week=2400,
        days_per_month=20,
        baseline_for_earned_value=0,
        earned_value_method="percent_complete",
        project_options="MS Project defaults (not in the export)",
    )
    return Parsed(SOURCE, fmt, tables, problems, as_of=None, project_id=None, project_name=project_name, meta=meta)


def parse_workbook(data: bytes, file_name: str) -> Parsed:
    from loaders.tabular import read_workbook

    sheets = read_workbook(data, file_name)
    task_sheet = None
    best = 0
    for name, rows in sheets.items():
        if not rows:
            continue
        header = [str(c) for c in rows[task_header_index(rows)]]
        score = task_header_score(header) + (100 if name.casefold().startswith("task_table") else 0)
        if score > best and task_header_score(header):
            task_sheet, best = name, score
    if task_sheet is None:
        raise Refused(
            f"{file_name}: no sheet has MS Project task columns (Name plus Start/Finish or Duration); "
            'export with the Export Wizard\'s "Selected Data" map or as XML.'
        )
    names = {n.casefold() for n in sheets}
    template = {"task_table", "resource_table", "assignment_table"} <= names and task_sheet == "Task_Table"
    kind = "xls" if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1") else "xlsx"
    fmt = (
        f"MS Project Excel template{' (xls)' if kind == 'xls' else ''}"
        if template
        else f"MS Project Selected Data ({kind})"
    )
    return parse_tables(sheets, file_name, fmt, task_sheet)


def parse_delimited(data: bytes, file_name: str) -> Parsed:
    from loaders.tabular import read_delimited

    rows, encoding, delimiter = read_delimited(data)
    parsed = parse_tables({"csv": rows}, file_name, "MS Project Selected Data (csv)", None)
    parsed.meta.update(encoding=encoding, delimiter=delimiter)
    return parsed
