"""View-model of the delivery page: the KPI tiles and the captions above the tabs. Pure: a
:class:`metrics.delivery.Delivery` in, labels and formatted values out."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.delivery import Delivery, recent_velocity

UNIT_NAMES = {"points": "Story points", "issues": "Issue count"}


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    help: str


def fmt_date(value) -> str:
    return "—" if value is None or value != value else f"{value:%d %b %Y}"


def fmt_num(value, digits: int = 1) -> str:
    return "—" if value is None or value != value else f"{value:,.{digits}f}"


def summary_caption(d: Delivery) -> str:
    """The line under the title: which snapshot, when measured, how many items, in which unit."""
    return (
        f"Work-item snapshot of {fmt_date(d.snapshot_as_of)} (the latest on or before {fmt_date(d.as_of)}) · "
        f"measured at {fmt_date(d.measured_as_of)} · "
        f"{d.snapshots} snapshot(s) · {int(d.items['is_item'].sum())} work items · measured in "
        f"{UNIT_NAMES[d.unit].lower()} · sub-tasks never double-count their parent's points; epics are containers."
    )


def tiles(d: Delivery) -> list[Tile]:
    """Velocity (the velocity chart's rolling mean), throughput, lead time P85 and work in progress."""
    fc, unit_label = d.forecast, UNIT_NAMES[d.unit].lower()
    return [
        Tile(
            f"Velocity ({'points' if d.unit == 'points' else 'issues'} / sprint)",
            fmt_num(recent_velocity(d.velocity, d.unit)),
            f"Mean {unit_label} completed per sprint over the last 3 closed sprints, by each issue's last sprint.",
        ),
        Tile(
            f"Throughput ({'pts' if d.unit == 'points' else 'issues'} / week)",
            fmt_num(fc["sample_mean"]),
            f"Mean {unit_label} completed per week over the last {fc['sample_weeks']} complete weeks.",
        ),
        Tile(
            "Lead time P85 (days)",
            fmt_num(d.lead_percentiles["p85"]),
            "Days, Created → Resolved, completed items.",
        ),
        Tile("In progress (issues)", str(len(d.wip)), "Work items whose status category is In Progress now."),
    ]


def forecast_caption(d: Delivery) -> str:
    fc = d.forecast
    return (
        f"Whole-project forecast (Monte Carlo, {fc['trials']} trials, seed {fc['seed']}): P50 {fmt_date(fc['p50'])} · "
        f"**P85 {fmt_date(fc['p85'])}** · P95 {fmt_date(fc['p95'])}" + (f" — {fc['reason']}." if fc["reason"] else ".")
    )
