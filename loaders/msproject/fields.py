"""Canonical MS Project columns, field kinds and MS Project codes (accrual, EV method)."""

from __future__ import annotations

SOURCE = "msproject"


NS = "http://schemas.microsoft.com/project"


TASK_COLUMNS = (
    "row_number",
    "task_uid",
    "task_id",
    "wbs",
    "outline_number",
    "name",
    "outline_level",
    "is_summary",
    "is_milestone",
    "start",
    "finish",
    "actual_start",
    "actual_finish",
    "baseline_start",
    "baseline_finish",
    "deadline",
    "duration_hours",
    "baseline_duration_hours",
    "work_hours",
    "baseline_work_hours",
    "percent_complete",
    "physical_percent_complete",
    "cost",
    "baseline_cost",
    "actual_cost",
    "remaining_cost",
    "fixed_cost",
    "fixed_cost_accrual",
    "bcws",
    "bcwp",
    "acwp",
    "earned_value_method",
    "resource_names",
    "predecessors",
    "notes",
    "actual_work_hours",
)


BASELINE_COLUMNS = (
    "task_uid",
    "baseline_number",
    "start",
    "finish",
    "duration_hours",
    "work_hours",
    "cost",
    "bcws",
    "bcwp",
)


TIMEPHASED_COLUMNS = ("task_uid", "baseline_number", "start", "finish", "cost", "work_hours")


RESOURCE_COLUMNS = (
    "resource_uid",
    "resource_id",
    "name",
    "type",
    "initials",
    "group",
    "max_units",
    "standard_rate",
    "overtime_rate",
    "cost_per_use",
    "cost",
    "baseline_cost",
    "actual_cost",
    "work_hours",
)


ASSIGNMENT_COLUMNS = (
    "task_uid",
    "task_name",
    "resource_uid",
    "resource_name",
    "units",
    "work_hours",
    "baseline_work_hours",
    "actual_work_hours",
    "cost",
    "baseline_cost",
    "actual_cost",
    "start",
    "finish",
)


DATE_FIELDS = {"start", "finish", "actual_start", "actual_finish", "baseline_start", "baseline_finish", "deadline"}


MONEY_FIELDS = {
    "cost",
    "baseline_cost",
    "actual_cost",
    "remaining_cost",
    "fixed_cost",
    "bcws",
    "bcwp",
    "acwp",
    "standard_rate",
    "overtime_rate",
    "cost_per_use",
}


PERCENT_FIELDS = {"percent_complete", "physical_percent_complete", "max_units", "units"}


DURATION_FIELDS = {
    "duration_hours",
    "baseline_duration_hours",
    "work_hours",
    "baseline_work_hours",
    "actual_work_hours",
}


INT_FIELDS = {"task_uid", "task_id", "outline_level", "resource_uid", "resource_id"}


BOOL_FIELDS = {"is_summary", "is_milestone"}


ACCRUALS = {"1": "start", "2": "end", "3": "prorated", "start": "start", "end": "end", "prorated": "prorated"}


EV_METHODS = {
    "0": "percent_complete",
    "1": "physical_percent_complete",
    "% complete": "percent_complete",
    "physical % complete": "physical_percent_complete",
}


MISSING_BASELINE_XML = (
    "the plan has no saved baseline, so earned value cannot be computed; set one in MS Project "
    "(Project > Set Baseline) and save as XML again."
)


MISSING_BASELINE = (
    "the file has no baseline columns, so earned value cannot be computed; add Baseline Start, "
    "Baseline Finish, Baseline Cost, % Complete and Actual Cost to the export map."
)
