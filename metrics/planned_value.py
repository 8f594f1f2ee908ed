"""Planned value: a plan's baseline as dated segments, their PV at a status moment, and the
project's PV curve per working day (the curve Earned Schedule reads).

* **Segments.** Each amount row's baseline amount (cost, or work in hours — see
  :mod:`metrics.plan_rows`) spreads linearly over the **working hours** of its baseline days in the
  plan's calendar (a 4-hour Friday carries half a Monday; a holiday nothing). Milestones and
  zero-duration tasks are *point* segments that count in full once their day is over. Fixed cost
  (capped at the baseline cost) accrues at the baseline start (accrual ``start``/1), at the
  baseline finish (``end``/2) or linearly (``prorated``/3, the default).
* **Time-phased baseline.** When ``timephased_baseline`` (baseline 0) holds rows for a task, its PV
  is the sum of those rows instead (each linear over its own working hours). A task whose rows
  carry baseline **work but no cost** spreads its baseline cost like its work:
  row amount = baseline cost × row work ÷ Σ row work. Own-amount rows of summary tasks never
  take time-phased rows (a summary's rows roll its subtasks up).
* **Status moment.** A status date is a whole day unless it carries a time of day: then only the
  share of that day's working time before it has elapsed (09:00 on an 8–17 day = 1/8).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from metrics.calendar import (
    STANDARD,
    WorkCalendar,
    to_days,
    working_day_dates,
    working_days_before,
    working_days_through,
    working_hours_through,
)
from metrics.plan_rows import COST, Measure, number


def _col(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column] if column in frame else pd.Series(pd.NA, index=frame.index, dtype="object")


def _accrual(values: pd.Series) -> np.ndarray:
    """Fixed-cost accrual -> 'start' | 'end' | 'prorated' (MS Project: 1 start, 2 end, 3 prorated)."""
    out = np.full(len(values), "prorated", dtype=object)
    if values.isna().all():
        return out
    text = values.astype("string").str.strip().str.lower().fillna("")
    out[text.isin(["1", "start", "1.0"]).to_numpy()] = "start"
    out[text.isin(["2", "end", "2.0"]).to_numpy()] = "end"
    return out


def _phased_part(
    rows: pd.DataFrame, timephased: pd.DataFrame | None, amounts: np.ndarray, measure: Measure, notes: list[str]
) -> tuple[pd.DataFrame | None, set]:
    """Segments from the time-phased baseline rows of the amount rows -> (segments, UIDs covered)."""
    if timephased is None or timephased.empty:
        return None, set()
    own = _col(rows, "own_amount").astype("boolean").fillna(False).to_numpy(dtype=bool)
    uid = np.where(own, np.nan, number(rows, "task_uid"))
    tp = timephased
    if "baseline_number" in tp:
        tp = tp[tp["baseline_number"].fillna(0) == 0]
    tp_uid = pd.to_numeric(tp["task_uid"], errors="coerce")
    tp = tp[tp_uid.isin(uid[~np.isnan(uid)]).to_numpy()]
    if tp.empty:
        return None, set()
    lookup = pd.Series(np.arange(len(rows)), index=uid)
    owner = lookup[~lookup.index.duplicated()].reindex(pd.to_numeric(tp["task_uid"], errors="coerce")).to_numpy()
    value = np.nan_to_num(number(tp, measure.phased))
    if measure is COST:  # work-only periods spread the task's baseline cost like its work
        work = np.nan_to_num(number(tp, "work_hours"))
        by_owner = pd.DataFrame({"owner": owner, "cost": value, "work": work}).groupby("owner").sum()
        work_only = by_owner.index[(by_owner["cost"] == 0) & (by_owner["work"] > 0)]
        if len(work_only):
            share = np.isin(owner, work_only)
            total = by_owner["work"].reindex(owner).to_numpy()
            value = np.where(share, amounts[owner.astype(int)] * work / np.where(total > 0, total, 1), value)
            notes.append(
                f"{len(work_only)} task(s) have a time-phased baseline of work but not of cost: their "
                "baseline cost is spread like their baseline work."
            )
    totals = pd.Series(value).groupby(owner).sum()
    covered = set(uid[totals.index[totals.to_numpy() != 0].astype(int)])
    keep = np.isin(uid[owner.astype(int)], list(covered))
    start = to_days(tp["start"])
    # a row's finish is an instant (e.g. next day 00:00 or 17:00 same day): its last day is finish - 1 µs
    finish = to_days(pd.to_datetime(tp["finish"]) - pd.Timedelta(microseconds=1))
    finish = np.where(finish < start, start, finish)
    segs = pd.DataFrame(
        {"amount": value[keep], "start": start[keep], "end": finish[keep], "point": False, "owner": owner[keep]}
    )
    return segs, covered


def segments(
    rows: pd.DataFrame, timephased: pd.DataFrame | None, measure: Measure = COST, calendar: WorkCalendar = STANDARD
) -> tuple[pd.DataFrame, list[str]]:
    """Every amount row's baseline as segments (``amount, start, end, point, owner``; dates as
    ``datetime64[D]``; ``owner`` = position in ``rows``) and notes (see the module docstring)."""
    notes: list[str] = []
    amount = np.nan_to_num(number(rows, measure.baseline))
    bs, bf = to_days(_col(rows, "baseline_start")), to_days(_col(rows, "baseline_finish"))
    bs, bf = np.where(np.isnat(bs), bf, bs), np.where(np.isnat(bf), bs, bf)
    parts = []
    phased_part, phased_uids = _phased_part(rows, timephased, amount, measure, notes)
    if phased_part is not None:
        parts.append(phased_part)
    uid = number(rows, "task_uid")
    own = _col(rows, "own_amount").astype("boolean").fillna(False).to_numpy(dtype=bool)
    phased = np.isin(uid, list(phased_uids)) & ~own if phased_uids else np.zeros(len(rows), dtype=bool)
    milestone = _col(rows, "is_milestone").astype("boolean").fillna(False).to_numpy(dtype=bool)
    point_task = milestone | (number(rows, "baseline_duration_hours") == 0)
    undated = np.isnat(bs) & (amount != 0)
    if undated.any():
        what = "cost" if measure is COST else "work"
        notes.append(
            f"{int(undated.sum())} task(s) carry a baseline {what} but no baseline dates; their {what} "
            "counts at the project's baseline finish."
        )
        last = bf[~np.isnat(bf)].max() if (~np.isnat(bf)).any() else np.datetime64("NaT")
        bs, bf = np.where(undated, last, bs), np.where(undated, last, bf)
    use = ~phased & ~np.isnat(bs) & (amount != 0)
    fixed = np.zeros(len(rows))
    if measure.fixed:
        fixed = np.clip(np.nan_to_num(number(rows, measure.fixed)), 0, np.abs(amount)) * np.sign(amount)
    accrual = _accrual(_col(rows, "fixed_cost_accrual"))
    early, late = fixed * (accrual == "start"), fixed * (accrual == "end")
    point, linear = use & point_task, use & ~point_task
    position = np.arange(len(rows))

    def part(take, values, start, end, is_point):
        return pd.DataFrame(
            {"amount": values[take], "start": start[take], "end": end[take], "point": is_point, "owner": position[take]}
        )

    parts += [part(point, amount, bf, bf, True), part(linear, amount - early - late, bs, bf, False)]
    parts += [part(linear & (value != 0), value, day, day, True) for value, day in ((early, bs), (late, bf))]
    return _finish_segments([p for p in parts if not p.empty], calendar), notes


def _finish_segments(parts: list[pd.DataFrame], calendar: WorkCalendar) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({"amount": [], "start": [], "end": [], "point": [], "owner": []})
    segs = pd.concat(parts, ignore_index=True)
    segs["start"] = segs["start"].to_numpy().astype("datetime64[D]")
    segs["end"] = segs["end"].to_numpy().astype("datetime64[D]")
    segs["end"] = np.where(segs["end"] < segs["start"], segs["start"], segs["end"]).astype("datetime64[D]")
    # a linear segment with no working time inside it (a weekend-only task) counts at its end
    hours = working_hours_through(segs["start"].to_numpy(), segs["end"].to_numpy(), calendar)
    segs.loc[~segs["point"].to_numpy() & (hours == 0), "point"] = True
    return segs


def status_moment(status: dt.date | dt.datetime, calendar: WorkCalendar = STANDARD) -> tuple[np.datetime64, float]:
    """A status date (or date and time) -> (its day, the share of that day's working time elapsed)."""
    day = status.date() if isinstance(status, dt.datetime) else status
    return np.datetime64(day, "D"), calendar.elapsed_share(status)


def segment_pv(
    segs: pd.DataFrame, status: np.datetime64, share: float = 1.0, calendar: WorkCalendar = STANDARD
) -> np.ndarray:
    """PV of each segment at ``share`` of the status day's working time (1.0 = its end)."""
    if segs.empty:
        return np.zeros(0)
    start = segs["start"].to_numpy().astype("datetime64[D]")
    end = segs["end"].to_numpy().astype("datetime64[D]")
    point = segs["point"].to_numpy(dtype=bool)
    amount = segs["amount"].to_numpy(dtype=float)
    total = working_hours_through(start, end, calendar)
    if share >= 1.0:
        done = working_hours_through(start, np.minimum(end, status), calendar)
        due = end <= status
    else:
        before = working_hours_through(start, np.minimum(end, status - np.timedelta64(1, "D")), calendar)
        today = ((start <= status) & (status <= end)) * calendar.day_hours(np.array([status]))[0] * share
        done, due = before + today, end < status
    frac = np.where(point, due.astype(float), np.divide(done, total, out=np.zeros_like(done), where=total > 0))
    return amount * np.clip(frac, 0.0, 1.0)


def actual_time(origin: dt.date, status: dt.date | dt.datetime, calendar: WorkCalendar = STANDARD) -> float:
    """AT: working days from ``origin`` through the status moment (the status day counted by the
    share of its working time elapsed)."""
    day, share = status_moment(status, calendar)
    before = float(working_days_through(origin, day - np.timedelta64(1, "D"), calendar)[0])
    if day < np.datetime64(origin, "D") or calendar.day_hours(np.array([day]))[0] <= 0:
        return before
    return before + share


class PVCurve:
    """The project's baseline PV per working day: ``values[k]`` = PV at the end of working day k
    (day 1 = ``origin``, the project's baseline start); ``values[0] = 0``. ``pd_days`` = PD, the
    first day on which PV reaches BAC."""

    def __init__(self, origin: dt.date | None, values: np.ndarray, bac: float, calendar: WorkCalendar = STANDARD):
        self.origin = origin
        self.values = values
        self.bac = bac
        self.calendar = calendar
        tol = 1e-9 * max(abs(bac), 1.0)
        reached = np.nonzero(values >= bac - tol)[0] if len(values) else np.array([])
        self.pd_days = int(reached[0]) if len(reached) else (len(values) - 1 if len(values) else 0)

    def dates(self) -> list[dt.date]:
        return working_day_dates(self.origin, len(self.values) - 1, self.calendar) if self.origin else []

    def earned_schedule(self, ev: float) -> float:
        """ES in working days: C = last whole day ≤ PD with P(C) ≤ EV; ES = C + (EV − P(C))/(P(C+1) − P(C)).

        ES = PD once EV ≥ BAC (the flat plateau after PD is never counted) and ES = 0 while EV ≤ 0."""
        if ev <= 0 or self.pd_days == 0:
            return 0.0
        tol = 1e-9 * max(abs(self.bac), 1.0)
        head = self.values[: self.pd_days + 1]
        c = int(np.searchsorted(head, ev + tol, side="right") - 1)
        c = max(c, 0)
        if c >= self.pd_days or ev >= self.bac - tol:
            return float(self.pd_days)
        step = head[c + 1] - head[c]
        return float(c + (ev - head[c]) / step) if step > 0 else float(c)


def pv_curve(segs: pd.DataFrame, origin: dt.date | None, bac: float, calendar: WorkCalendar = STANDARD) -> PVCurve:
    """Cumulative working-day PV curve of the segments from ``origin`` (see :class:`PVCurve`);
    a linear segment's amount lands on its working days in proportion to their working hours."""
    if origin is None or segs.empty:
        return PVCurve(origin, np.zeros(1), bac, calendar)
    start = working_days_before(origin, segs["start"].to_numpy(), calendar)
    after_end = working_days_before(origin, segs["end"].to_numpy() + np.timedelta64(1, "D"), calendar)
    point = segs["point"].to_numpy(dtype=bool)
    amount = segs["amount"].to_numpy(dtype=float)
    # point: lands on the first working day >= its date (0-based index = working days before it)
    at = working_days_before(origin, segs["end"].to_numpy(), calendar)
    s = np.maximum(start, 0).astype(int)
    e = np.maximum(after_end - 1, s).astype(int)
    p = np.maximum(at, 0).astype(int)
    n_days = int(max(e[~point].max() + 1 if (~point).any() else 0, p[point].max() + 1 if point.any() else 0, 1))
    weight = np.ones(n_days)
    if calendar is not STANDARD:  # relative working hours of each working day (1.0 for a full day)
        hours = calendar.day_hours(calendar.working_days_from(origin, n_days))
        weight = hours / hours.max() if len(hours) == n_days and hours.max() > 0 else weight
    cumulative = np.concatenate([[0.0], np.cumsum(weight)])
    diff = np.zeros(n_days + 2)
    lin = ~point
    rate = np.zeros(len(amount))
    width = cumulative[e + 1] - cumulative[s]
    rate[lin] = amount[lin] / width[lin]
    np.add.at(diff, s[lin], rate[lin])
    np.add.at(diff, e[lin] + 1, -rate[lin])
    daily = np.cumsum(diff)[:n_days] * weight
    np.add.at(daily, p[point], amount[point])
    values = np.concatenate([[0.0], np.cumsum(daily)])
    return PVCurve(origin, values, bac, calendar)
