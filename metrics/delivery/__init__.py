"""Agile delivery metrics from Jira exports (DESIGN.md §6 "Delivery", reference/jira-exports.md §2–§3).

Definitions used everywhere in this module:

* **Done** = ``status_category == 'Done'``, or ``status`` in a user-chosen set of done statuses
  (case-insensitive) when one is given. **Completed at** = ``resolved``; a done issue without a
  resolution date falls back to ``updated`` (counted in the notes). Resolved-but-not-done issues
  are not done.
* **Work items.** The kind of an issue is the loader's ``issue_kind`` (Épique, Epos, Épica are epics). Epics are containers: never items, never points. Sub-tasks never double-count
  their parent's points: a sub-task is an item (counted in issue counts) only when its parent is
  not in the export, and its story points count only when its parent is absent or carries no
  points. Everything else is an item with its own story points (missing points = 0, "unestimated").
* **Unit.** ``points`` when at least half of the items carry story points, else ``issues`` (and
  the notes say so). Every table still carries both where it can.
* **Sprints.** ``issue_sprints`` rows are the memberships (file order = time order; the last is
  the latest sprint). Completed per sprint = Σ points of done items whose *last* sprint it is
  (sound). Planned per sprint = Σ points of every item that lists the sprint (approximate:
  includes mid-sprint additions and uses today's estimates; Jira's commitment is not in a CSV).
  Carry-over of an issue = memberships − 1.
* **Time.** ``as_of`` is always a parameter (a date; its whole day counts). Weeks start on Monday.

All functions are pure over frames, except :func:`report`, :func:`load`, :func:`dashboard`,

Modules: :mod:`~metrics.delivery.items` (work items, unit), :mod:`~metrics.delivery.sprints` (order,
velocity, carry-over), :mod:`~metrics.delivery.calendar` (sprint dates), :mod:`~metrics.delivery.flow`
(throughput, lead time, WIP), :mod:`~metrics.delivery.burn` and :mod:`~metrics.delivery.sprint_burn`
(burn-downs, burn-ups), :mod:`~metrics.delivery.forecast` (Monte Carlo), :mod:`~metrics.delivery.dashboard`
(the store-facing :func:`dashboard`, :func:`report`, :func:`export_tables`).
"""

from metrics import MetricsError
from metrics.delivery.burn import burn_approx, burn_exact, scope_mask, scope_options
from metrics.delivery.calendar import calendar_problems, infer_sprint_calendar, mark_user_edits, merge_calendar
from metrics.delivery.dashboard import (
    Delivery,
    calendar_version,
    dashboard,
    export_tables,
    jira_projects,
    load,
    report,
    save_sprint_calendar,
    sprint_calendar,
)
from metrics.delivery.flow import (
    created_vs_resolved,
    lead_time_percentiles,
    lead_times,
    throughput_sample,
    weekly_throughput,
    wip_now,
)
from metrics.delivery.forecast import cone, forecast, forecast_history, remaining_scope
from metrics.delivery.items import choose_unit, natural_key, prepare, status_options, value_of
from metrics.delivery.sprint_burn import burnup, default_sprint, guideline, sprint_burndown, sprint_snapshots
from metrics.delivery.sprints import (
    carry_over,
    date_in_name,
    evidence_dates,
    last_sprints,
    memberships,
    recent_velocity,
    sprint_order,
    velocity,
)

__all__ = [
    "Delivery",
    "MetricsError",
    "burn_approx",
    "burn_exact",
    "burnup",
    "calendar_problems",
    "calendar_version",
    "carry_over",
    "choose_unit",
    "cone",
    "created_vs_resolved",
    "dashboard",
    "date_in_name",
    "default_sprint",
    "evidence_dates",
    "export_tables",
    "forecast",
    "forecast_history",
    "guideline",
    "infer_sprint_calendar",
    "jira_projects",
    "last_sprints",
    "lead_time_percentiles",
    "lead_times",
    "load",
    "mark_user_edits",
    "memberships",
    "merge_calendar",
    "natural_key",
    "prepare",
    "recent_velocity",
    "remaining_scope",
    "report",
    "save_sprint_calendar",
    "scope_mask",
    "scope_options",
    "sprint_burndown",
    "sprint_calendar",
    "sprint_order",
    "sprint_snapshots",
    "status_options",
    "throughput_sample",
    "value_of",
    "velocity",
    "weekly_throughput",
    "wip_now",
]
