"""Earned value management with Earned Schedule, over MS Project task snapshots (DESIGN.md §6).

Every function here is pure: it takes the task rows (the store's ``tasks`` table) and a status
date, never reads a clock, and returns plain numbers (money in currency units — or hours of work
when the baseline has no cost, ``unit = "hours"`` —, days in working days of the plan's calendar)
or frames. Undefined values are ``None`` with the reason in ``reasons``.

Policies shared by all functions:

* **Amount rows** (:mod:`metrics.plan_rows`): leaf tasks, plus each summary task's **own share**
  (its value − Σ its direct subtasks') when it shows resources or a fixed cost of its own — MS
  Project rolls a summary up from exactly those. A summary's rolled-up EV columns never count
  twice; the project summary row (outline level 0 / UID 0) is MS Project's own total, kept for the
  cross-check (``ms_project``).
* **Calendar** (:mod:`metrics.calendar`): the file's working weekdays, working times and
  exceptions (Mon–Fri 8 h when the file has none). A status date is a whole working day unless it
  carries a time of day (09:00 on an 8-hour day = 1/8 of the day elapsed).
* **PV(d)** (:mod:`metrics.planned_value`) per amount row = baseline × working hours elapsed in
  ``[baseline start, d]`` ÷ working hours in ``[baseline start, baseline finish]``. Milestones and
  zero-duration tasks count in full once d ≥ baseline finish. Fixed cost (capped at the baseline
  cost) accrues at the baseline start (accrual ``start``/1), at the baseline finish (``end``/2) or
  linearly (``prorated``/3, the default). When the time-phased baseline (``timephased_baseline``,
  baseline 0) holds rows for a task, its PV is the sum of those rows instead (each row linear over
  its own working days); work-only rows spread the task's baseline cost like its work.
* **EV** per amount row = baseline × % complete ÷ 100, or × physical % complete where the task's
  earned value method says ``physical`` (``1`` in MSPDI). **AC** = Σ actual cost (actual work in hours).
* **Earned Schedule** on the project's working-day PV curve P(0)=0, P(k) = PV at the end of the
  k-th working day from the project's baseline start: C = last whole day ≤ PD with P(C) ≤ EV,
  ES = C + (EV − P(C)) / (P(C+1) − P(C)); ES = PD once EV reaches BAC, and ES = 0 while EV = 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics import MetricsError
from metrics.calendar import STANDARD, WorkCalendar, nth_working_day, to_days
from metrics.plan_rows import (
    COST,
    HOURS,
    Measure,
    amount_rows,
    choose_measure,
    number,
    ordered,
    project_rows,
    summary_flags,
    top_level_totals,
)
from metrics.planned_value import PVCurve, actual_time, pv_curve, segment_pv, segments, status_moment

#: The keys of ``python -m metrics evm --json`` (DESIGN.md §4), in order.
KEYS = (
    "project_id",
    "status_date",
    "bac",
    "pv",
    "ev",
    "ac",
    "sv",
    "cv",
    "spi",
    "cpi",
    "sv_pct",
    "cv_pct",
    "eac_cpi",
    "eac_atypical",
    "eac_cpi_spi",
    "etc",
    "vac",
    "tcpi_bac",
    "tcpi_eac",
    "planned_finish",
    "es_days",
    "at_days",
    "sv_t_days",
    "spi_t",
    "ieac_t_days",
    "tspi",
    "forecast_finish",
)

#: One-line definitions shown beside each number (pages use them as ``help=``).
DEFINITIONS = {
    "bac": "Budget at completion = Σ baseline cost of leaf tasks (summary rows excluded).",
    "pv": "Planned value = Σ baseline cost × share of each task's baseline working days elapsed through the "
    "status date (inclusive); milestones count in full at their baseline finish; time-phased baseline when stored.",
    "ev": "Earned value = Σ baseline cost × % complete (physical % complete where the task's EV method says so).",
    "ac": "Actual cost = Σ actual cost of leaf tasks.",
    "sv": "Schedule variance = EV − PV (money; negative = behind plan).",
    "cv": "Cost variance = EV − AC (money; negative = over cost).",
    "spi": "Schedule performance index = EV ÷ PV (< 1 = behind). Tends to 1.0 at the end even when late: see SPI(t).",
    "cpi": "Cost performance index = EV ÷ AC (< 1 = over cost).",
    "sv_pct": "SV% = SV ÷ PV.",
    "cv_pct": "CV% = CV ÷ EV.",
    "eac_cpi": "Estimate at completion (typical) = BAC ÷ CPI.",
    "eac_atypical": "Estimate at completion (atypical) = AC + (BAC − EV).",
    "eac_cpi_spi": "Estimate at completion (cost and schedule) = AC + (BAC − EV) ÷ (CPI × SPI).",
    "etc": "Estimate to complete = EAC(CPI) − AC.",
    "vac": "Variance at completion = BAC − EAC(CPI) (negative = expected overrun).",
    "tcpi_bac": "To-complete performance index for BAC = (BAC − EV) ÷ (BAC − AC).",
    "tcpi_eac": "To-complete performance index for EAC = (BAC − EV) ÷ (EAC(CPI) − AC).",
    "planned_finish": "Working day on which the baseline PV first reaches BAC (PD days after the baseline start).",
    "es_days": "Earned schedule: the working day at which the baseline plan had earned today's EV, interpolated.",
    "at_days": "Actual time: working days from the project's baseline start through the status date, inclusive.",
    "sv_t_days": "Schedule variance in time = ES − AT (working days; negative = late).",
    "spi_t": "Time-based schedule performance index = ES ÷ AT (< 1 = late; unlike SPI it stays < 1 for a late finish).",
    "ieac_t_days": "Independent estimate of duration = PD ÷ SPI(t) (working days).",
    "tspi": "To-complete schedule performance index = (PD − ES) ÷ (PD − AT) (> 1.1: planned finish unlikely).",
    "forecast_finish": "Baseline start + IEAC(t) working days (the baseline start is day 1).",
}

#: Columns an MS Project export needs for earned value, as the "Selected Data" map names them.
BASELINE_COLUMNS = ("Baseline_Start", "Baseline_Finish", "Baseline_Cost", "Percent_Complete", "Actual_Cost")

_MONEY = ("bac", "pv", "ev", "ac", "sv", "cv", "eac_cpi", "eac_atypical", "eac_cpi_spi", "etc", "vac")


# ---------------------------------------------------------------------------------------------
# task rows


def leaf_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """Leaf task rows: not summary, not the project summary (outline level 0), not blank.

    ``is_summary`` missing on every row -> inferred from row order: a row is a summary when the
    next row has a deeper outline level (the "Project Excel Template" rule)."""
    if tasks.empty:
        return tasks
    frame = _ordered(tasks)
    keep = ~summary_flags(frame) & ~project_rows(frame)
    return frame[keep]


def _ordered(tasks: pd.DataFrame) -> pd.DataFrame:
    return ordered(tasks)


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return number(frame, column)


def _col(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column] if column in frame else pd.Series(pd.NA, index=frame.index, dtype="object")


def _physical(methods: pd.Series) -> np.ndarray:
    if methods.isna().all():
        return np.zeros(len(methods), dtype=bool)
    text = methods.astype("string").str.strip().str.lower().fillna("")
    return (text.str.contains("phys", regex=False) | (text == "1") | (text == "1.0")).to_numpy(dtype=bool)


def _has_baseline(rows: pd.DataFrame) -> bool:
    """True when some amount row (leaf, or a summary's own share) has a baseline cost, work or dates."""
    if rows.empty:
        return False
    dates = _col(rows, "baseline_start").notna() | _col(rows, "baseline_finish").notna()
    amounts = (np.nan_to_num(_num(rows, "baseline_cost")) != 0) | (
        np.nan_to_num(_num(rows, "baseline_work_hours")) != 0
    )
    return bool(dates.any() or amounts.any())


def missing_baseline_columns(tasks: pd.DataFrame) -> list[str]:
    """The export columns (MS Project "Selected Data" map names) that are empty on every leaf task."""
    leaves = leaf_tasks(tasks)
    names = {
        "Baseline_Start": "baseline_start",
        "Baseline_Finish": "baseline_finish",
        "Baseline_Cost": "baseline_cost",
        "Percent_Complete": "percent_complete",
        "Actual_Cost": "actual_cost",
    }
    return [label for label, column in names.items() if leaves.empty or _col(leaves, column).isna().all()]


# ---------------------------------------------------------------------------------------------
# the numbers


def _div(a, b):
    if a is None or b is None or b == 0 or (isinstance(b, float) and math.isnan(b)):
        return None
    return a / b


def indices_from_totals(bac, pv, ev, ac, reasons: dict | None = None) -> dict:
    """The ratios and forecasts of DESIGN.md §6 from the four sums (money in currency units, or
    hours when the plan's EVM runs in hours).

    SV = EV − PV; CV = EV − AC; SPI = EV/PV; CPI = EV/AC; SV% = SV/PV; CV% = CV/EV;
    EAC_cpi = BAC/CPI; EAC_atypical = AC + (BAC − EV); EAC_cpi_spi = AC + (BAC − EV)/(CPI × SPI);
    ETC = EAC_cpi − AC; VAC = BAC − EAC_cpi; TCPI_bac = (BAC − EV)/(BAC − AC);
    TCPI_eac = (BAC − EV)/(EAC_cpi − AC). A division by zero (or an input that is None) gives None,
    never 0 or ∞, and ``reasons`` says why. TCPI is None when AC ≥ BAC (the budget is already spent)
    or BAC is 0.
    """
    reasons = {} if reasons is None else reasons
    out: dict = {"bac": bac, "pv": pv, "ev": ev, "ac": ac}

    def why(key, text):
        if out.get(key) is None:
            reasons.setdefault(key, text)

    out["sv"] = None if ev is None or pv is None else ev - pv
    out["cv"] = None if ev is None or ac is None else ev - ac
    out["spi"] = _div(ev, pv)
    why("spi", _pv_reason(bac, pv))
    out["cpi"] = _div(ev, ac)
    why("cpi", "AC is 0 (no actual cost recorded yet)" if ac == 0 else "no actual cost or baseline")
    out["sv_pct"] = _div(out["sv"], pv)
    why("sv_pct", reasons.get("spi", "PV is 0"))
    out["cv_pct"] = _div(out["cv"], ev)
    why("cv_pct", "EV is 0 (nothing earned yet)" if ev == 0 else "no baseline")
    cpi, spi = out["cpi"], out["spi"]
    out["eac_cpi"] = _div(bac, cpi)
    why("eac_cpi", "CPI is 0 (cost spent, nothing earned)" if cpi == 0 else f"CPI undefined: {reasons.get('cpi')}")
    out["eac_atypical"] = None if None in (ac, bac, ev) else ac + (bac - ev)
    why("eac_atypical", "no baseline")
    sci = None if cpi is None or spi is None else cpi * spi
    out["eac_cpi_spi"] = None if None in (ac, bac, ev) or not sci else ac + (bac - ev) / sci
    why("eac_cpi_spi", "CPI × SPI is undefined or 0")
    eac = out["eac_cpi"]
    out["etc"] = None if eac is None or ac is None else eac - ac
    why("etc", reasons.get("eac_cpi", "EAC undefined"))
    out["vac"] = None if eac is None or bac is None else bac - eac
    why("vac", reasons.get("eac_cpi", "EAC undefined"))
    if None in (bac, ev, ac) or bac - ac <= 0:
        out["tcpi_bac"] = None
        why("tcpi_bac", _tcpi_reason(bac, ac))
    else:
        out["tcpi_bac"] = (bac - ev) / (bac - ac)
    if eac is None or ac is None or eac - ac <= 0:
        out["tcpi_eac"] = None
        why("tcpi_eac", reasons.get("eac_cpi", "EAC − AC is 0"))
    else:
        out["tcpi_eac"] = (bac - ev) / (eac - ac)
    return out


def _pv_reason(bac, pv) -> str:
    if pv is None:
        return "no baseline"
    if bac == 0:
        return "BAC is 0 (nothing was baselined)"
    return "PV is 0 (the status date is before any baselined work)"


def _tcpi_reason(bac, ac) -> str:
    if bac is None:
        return "no baseline"
    if ac is None:
        return "no actual cost"
    if bac == 0:
        return "BAC is 0 (nothing was baselined)"
    return "AC has reached BAC: the budget is already spent"


def _schedule(curve: PVCurve, ev, status: dt.date | dt.datetime, reasons: dict, why_none: str = "") -> dict:
    """Earned Schedule metrics (working days of the plan's calendar). See the module docstring for
    ES; AT = working days from the baseline start through the status moment (the status day
    counted by the share of its working time elapsed); SV(t) = ES − AT; SPI(t) = ES/AT;
    PD = first day PV reaches BAC; IEAC(t) = PD/SPI(t); TSPI = (PD − ES)/(PD − AT);
    forecast finish = the ceil(IEAC(t))-th working day counting the baseline start as day 1."""
    out = dict.fromkeys(
        ("planned_finish", "es_days", "at_days", "sv_t_days", "spi_t", "ieac_t_days", "tspi", "forecast_finish")
    )
    if curve.origin is None:
        for key in out:
            reasons.setdefault(key, why_none or "no baseline dates")
        return out
    cal = curve.calendar
    pd_days = curve.pd_days
    out["planned_finish"] = nth_working_day(curve.origin, pd_days, cal)
    at = actual_time(curve.origin, status, cal)
    if ev is None:  # AT and the planned finish need no EV; the rest does
        out["at_days"] = at
        for key in ("es_days", "sv_t_days", "spi_t", "ieac_t_days", "tspi", "forecast_finish"):
            reasons.setdefault(key, "EV is undefined")
        return out
    es = curve.earned_schedule(ev)
    out["es_days"], out["at_days"] = es, at
    out["sv_t_days"] = es - at
    if at <= 0:
        for key in ("spi_t", "ieac_t_days", "tspi", "forecast_finish"):
            reasons.setdefault(key, "the status date is before the project's baseline start (AT = 0)")
        out["tspi"] = (pd_days - es) / pd_days if pd_days else None
        return out
    spi_t = es / at
    out["spi_t"] = spi_t
    if spi_t > 0:
        out["ieac_t_days"] = pd_days / spi_t
        out["forecast_finish"] = nth_working_day(curve.origin, math.ceil(out["ieac_t_days"] - 1e-9), cal)
    else:
        reasons.setdefault("ieac_t_days", "SPI(t) is 0 (nothing earned yet)")
        reasons.setdefault("forecast_finish", "SPI(t) is 0 (nothing earned yet)")
    if pd_days - at > 0:
        out["tspi"] = (pd_days - es) / (pd_days - at)
    else:
        reasons.setdefault("tspi", "the planned finish has passed (PD − AT ≤ 0)")
    return out


@dataclass(frozen=True)
class Plan:
    """One snapshot's amount rows with everything EVM needs about them."""

    rows: pd.DataFrame
    measure: Measure
    segments: pd.DataFrame
    notes: tuple
    origin: dt.date | None
    calendar: WorkCalendar

    @property
    def planned_total(self) -> float:
        return float(self.segments["amount"].sum()) if not self.segments.empty else 0.0

    def curve(self) -> PVCurve:
        return pv_curve(self.segments, self.origin, self.planned_total, self.calendar)


def prepare(tasks: pd.DataFrame, timephased: pd.DataFrame | None = None, calendar: WorkCalendar | None = None) -> Plan:
    """Amount rows (leaves + summaries' own shares), their measure, segments and baseline start."""
    calendar = calendar or STANDARD
    rows, notes = amount_rows(tasks)
    measure = choose_measure(rows)
    segs, seg_notes = segments(rows, timephased, measure, calendar)
    origin_days = to_days(_col(rows, "baseline_start"))
    origin_days = origin_days[~np.isnat(origin_days)]
    if len(origin_days) == 0 and not segs.empty:
        origin_days = segs["start"].to_numpy().astype("datetime64[D]")
    origin = pd.Timestamp(origin_days.min()).date() if len(origin_days) else None
    if measure is HOURS:
        notes = [HOURS_NOTE, *notes]
    return Plan(rows, measure, segs, tuple(notes + seg_notes), origin, calendar)


def plan_curve(
    tasks: pd.DataFrame, *, timephased: pd.DataFrame | None = None, calendar: WorkCalendar | None = None
) -> PVCurve:
    """The plan's working-day baseline PV curve (amount rows, from the project's baseline start)."""
    return prepare(tasks, timephased, calendar).curve()


#: Why EV (and everything derived from it) is None when no leaf task carries a % complete.
NO_PERCENT_COMPLETE = "the export has no % Complete column: add % Complete (or Physical % Complete) to the export map"

#: The note of a plan whose EVM runs in hours.
HOURS_NOTE = (
    "the baseline has no cost: earned value is computed in hours of work (BAC = baseline work, "
    "EV = baseline work × % complete, AC = actual work)."
)

#: The results that depend on EV (None with :data:`NO_PERCENT_COMPLETE` when EV is None).
EV_DERIVED = (
    "ev",
    "sv",
    "cv",
    "spi",
    "cpi",
    "sv_pct",
    "cv_pct",
    "eac_cpi",
    "eac_atypical",
    "eac_cpi_spi",
    "etc",
    "vac",
    "tcpi_bac",
    "tcpi_eac",
    "es_days",
    "sv_t_days",
    "spi_t",
    "ieac_t_days",
    "tspi",
    "forecast_finish",
)


def _earned_parts(rows: pd.DataFrame, measure: Measure = COST) -> tuple[np.ndarray, np.ndarray]:
    """(EV per amount row with NaN where its % complete is missing, mask of those missing).

    The % used is physical % complete where the task's EV method says ``physical``, else % complete."""
    amount = np.nan_to_num(_num(rows, measure.baseline))
    pct = _num(rows, "percent_complete")
    phys = _num(rows, "physical_percent_complete")
    use_phys = _physical(_col(rows, "earned_value_method"))
    pct = np.where(use_phys, phys, pct)
    missing = np.isnan(pct)
    return amount * np.clip(pct, 0, 100) / 100.0, missing


def _earned(rows: pd.DataFrame, measure: Measure = COST) -> np.ndarray:
    """EV per amount row; a missing % complete counts as 0 (callers note how many were missing)."""
    return np.nan_to_num(_earned_parts(rows, measure)[0])


def _missing_pct_note(count: int) -> str:
    return (
        f"{count} leaf task(s) have no % complete (or physical % complete where their EV method needs it); "
        "they count as 0 % earned."
    )


def _actual(plan: Plan, reasons: dict) -> float | None:
    values = _num(plan.rows, plan.measure.actual)
    if len(plan.rows) and not np.isnan(values).all():
        return float(np.nansum(values))
    reasons["ac"] = (
        "the export has no Actual_Cost values"
        if plan.measure is COST
        else "the file has no Actual Work values (add Actual Work to the export)"
    )
    return None


def _baseline_totals(plan: Plan, tasks: pd.DataFrame, status, reasons: dict, notes: list) -> tuple:
    """(BAC, PV, EV) at the status moment; all None with reasons when there is no baseline."""
    if not _has_baseline(plan.rows):
        why = "no baseline in the export (" + ", ".join(missing_baseline_columns(tasks) or ["baseline"]) + " empty)"
        for key in ("bac", "pv", "ev", "sv", "cv", "spi", "sv_pct", "cv_pct", "eac_cpi", "eac_atypical", "eac_cpi_spi"):
            reasons[key] = why
        return None, None, None
    bac = float(np.nansum(_num(plan.rows, plan.measure.baseline)))
    day, share = status_moment(status, plan.calendar)
    pv = float(segment_pv(plan.segments, day, share, plan.calendar).sum())
    earned, missing_pct = _earned_parts(plan.rows, plan.measure)
    ev = None
    if len(plan.rows) and missing_pct.all():
        for key in EV_DERIVED:
            reasons[key] = NO_PERCENT_COMPLETE
    else:
        ev = float(np.nansum(earned))
        if missing_pct.any():
            notes.append(_missing_pct_note(int(missing_pct.sum())))
    if bac == 0:
        notes.append(
            "every baseline cost and baseline work is 0: set the baseline again once resources or costs "
            "are entered (Project > Set Baseline), or add Baseline_Cost / Baseline_Work to the export."
        )
    return bac, pv, ev


def evm_at(
    tasks: pd.DataFrame,
    status_date: dt.date | dt.datetime,
    *,
    timephased: pd.DataFrame | None = None,
    calendar: WorkCalendar | None = None,
    project_summary: dict | None = None,
) -> dict:
    """EVM and Earned Schedule of one plan at ``status_date`` (DESIGN.md §4 ``metrics evm`` keys).

    ``tasks``: rows of the ``tasks`` table for one project (summary tasks count by their own share,
    see :mod:`metrics.plan_rows`); ``timephased``: its ``timephased_baseline`` rows, if any;
    ``calendar``: the plan's working calendar (Mon–Fri 8 h when None); ``status_date``: a date (a
    whole day) or a date and time (that share of the day's working time); ``project_summary``: MS
    Project's project summary task totals (``uploads.meta``), for the cross-check. Money in
    currency units — or hours when ``unit`` is ``"hours"`` (the baseline has work but no cost) —,
    days in working days of the calendar, dates as ``datetime.date``. Extra keys: ``unit``,
    ``reasons`` (metric -> why it is None), ``notes`` (data caveats), ``ms_project`` (MS Project's
    own BCWS/BCWP/ACWP beside ours, with ``differs`` flags), ``leaf_tasks``,
    ``baseline_start``, ``calendar``.

    Edge cases: no baseline -> BAC/PV/EV and everything derived None; no % complete (physical % complete
    where the EV method needs it) on any leaf task -> EV and everything derived from it (:data:`EV_DERIVED`)
    None with :data:`NO_PERCENT_COMPLETE` as the reason; on some leaf tasks only -> those count as 0 %
    and a note says how many; AC = 0 -> CPI and the EACs None;
    status date before the baseline start -> PV = 0, SPI and SPI(t) None; after the baseline finish
    -> PV = BAC, TSPI None.
    """
    reasons: dict[str, str] = {}
    plan = prepare(tasks, timephased, calendar)
    notes = list(plan.notes)
    ac = _actual(plan, reasons)
    bac, pv, ev = _baseline_totals(plan, tasks, status_date, reasons, notes)
    day = status_date.date() if isinstance(status_date, dt.datetime) else status_date
    out = {"status_date": day, "unit": plan.measure.unit}
    out.update(indices_from_totals(bac, pv, ev, ac, reasons))
    if bac == 0 and ev is not None:
        for key in ("spi", "cpi", "eac_cpi"):
            if out[key] is None:
                reasons[key] = "BAC is 0 (nothing was baselined)"
    if bac:
        out.update(_schedule(plan.curve(), ev, status_date, reasons))
    else:
        why = "BAC is 0 (nothing was baselined)" if bac == 0 else None
        out.update(_schedule(PVCurve(None, np.zeros(1), 0.0), None, day, reasons, why or reasons.get("bac", "")))
    if out.get("spi_t") is None and "spi_t" not in reasons:
        reasons["spi_t"] = "no baseline"
    out["leaf_tasks"] = int((~_col(plan.rows, "own_amount").astype("boolean").fillna(False)).sum())
    out["baseline_start"] = plan.origin
    out["calendar"] = plan.calendar.describe()
    out["ms_project"] = _ms_project(tasks, out, project_summary) if plan.measure is COST else None
    out["notes"] = notes
    out["reasons"] = {k: v for k, v in reasons.items() if out.get(k) is None}
    return out


def _ms_project(tasks: pd.DataFrame, ours: dict, project_summary: dict | None) -> dict | None:
    """MS Project's own BCWS/BCWP/ACWP beside our PV/EV/AC: from the project
    summary task (UID 0) when the file has one, else Σ over the top-level tasks (their values roll
    the plan up); ``differs`` when they are more than 1 currency unit and 0.5 % apart. None when the
    export has none of these values."""
    pairs = {"bcws": "pv", "bcwp": "ev", "acwp": "ac"}
    if project_summary and any(project_summary.get(c) is not None for c in ("bcws", "bcwp", "acwp")):
        theirs = {col: project_summary.get(col) for col in pairs}
        source = "the project summary task (UID 0)"
    else:
        theirs = top_level_totals(tasks, pairs)
        source = "the top-level tasks"
    if all(v is None for v in theirs.values()):
        return None
    differs = {}
    for col, key in pairs.items():
        a, b = ours.get(key), theirs[col]
        differs[col] = None if a is None or b is None else bool(abs(a - b) > max(1.0, 0.005 * max(abs(a), abs(b))))
    return {**theirs, "differs": differs, "source": source}


def rollup(rows: Iterable[dict] | pd.DataFrame) -> dict:
    """Program/portfolio roll-up: Σ BAC, PV, EV, AC over the projects, then the indices from the
    sums (never an average of indices). Earned Schedule is per project and not rolled up.

    Each ratio is computed over the projects that have both of its terms, so a project without
    actual cost never inflates CPI with its EV:

    * ``bac``, ``pv``, ``ev``, SV, SPI, SV% — over the projects with BAC, PV and EV
      (``spi_projects`` of them; the others are counted in ``excluded``);
    * ``ac``, CV, CPI, CV%, EAC(CPI), EAC(atypical), ETC, VAC, TCPI — over the projects with BAC, EV
      and AC (``cpi_projects``); ``cost_bac``/``cost_ev`` are the BAC and EV of those projects;
    * EAC(CPI × SPI) — over the projects with all four (``eac_cpi_spi_projects``).

    ``notes`` says when a ratio covers fewer projects than the roll-up holds."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)

    def ok(v):
        return v is not None and not (isinstance(v, float) and math.isnan(v))

    def total(group, key):
        return float(sum(r[key] for r in group)) if group else None

    schedule = [r for r in records if all(ok(r.get(k)) for k in ("bac", "pv", "ev"))]
    cost = [r for r in records if all(ok(r.get(k)) for k in ("bac", "ev", "ac"))]
    both = [r for r in schedule if ok(r.get("ac"))]
    reasons: dict[str, str] = {}
    sched = indices_from_totals(total(schedule, "bac"), total(schedule, "pv"), total(schedule, "ev"), None, {})
    money = indices_from_totals(total(cost, "bac"), None, total(cost, "ev"), total(cost, "ac"), {})
    full = indices_from_totals(
        total(both, "bac"), total(both, "pv"), total(both, "ev"), total(both, "ac"), reasons
    )  # reasons from the four-term set, overridden below where a term set is empty
    out = dict(full)
    out.update({k: sched[k] for k in ("bac", "pv", "ev", "sv", "spi", "sv_pct")})
    cost_keys = ("cv", "cpi", "cv_pct", "eac_cpi", "eac_atypical", "etc", "vac", "tcpi_bac", "tcpi_eac")
    out.update({k: money[k] for k in ("ac", *cost_keys)})
    out["cost_bac"], out["cost_ev"] = money["bac"], money["ev"]
    if not schedule:
        for key in ("bac", "pv", "ev", "sv", "spi", "sv_pct"):
            reasons[key] = "no project has a baseline with PV and EV"
    if not cost:
        for key in ("ac", *cost_keys):
            reasons[key] = "no project has both EV and actual cost"
    out["projects"] = len(records)
    out["excluded"] = len(records) - len(schedule)
    out["spi_projects"] = len(schedule)
    out["cpi_projects"] = len(cost)
    out["eac_cpi_spi_projects"] = len(both)
    notes = []
    if schedule and len(cost) < len(schedule):
        notes.append(
            f"CPI and the cost forecasts cover {len(cost)} of {len(schedule)} projects (those with actual cost)."
        )
    out["notes"] = notes
    out["reasons"] = {k: v for k, v in reasons.items() if out.get(k) is None}
    return out


# ---------------------------------------------------------------------------------------------
# history, trends and tables


def _by_snapshot(frame: pd.DataFrame | None) -> dict:
    if frame is None or frame.empty or "snapshot_as_of" not in frame:
        return {}
    return {pd.Timestamp(k).date(): g for k, g in frame.groupby("snapshot_as_of", sort=True)}


def plan_context(meta: dict | None, as_of: dt.date) -> dict:
    """Keyword arguments of :func:`evm_at` from a plan upload's ``meta`` (see ``Store.plan_meta``):
    the file's calendar, the status moment (the file's status time when it falls on ``as_of``),
    MS Project's project summary task totals."""
    meta = meta or {}
    status: dt.date | dt.datetime = as_of
    stamp = pd.to_datetime(meta.get("status_datetime"), errors="coerce") if meta.get("status_datetime") else None
    if stamp is not None and not pd.isna(stamp) and stamp.date() == as_of:
        status = stamp.to_pydatetime()
    return {
        "status_date": status,
        "calendar": WorkCalendar.from_meta(meta.get("calendar")),
        "project_summary": meta.get("project_summary"),
    }


def _history_results(
    tasks_history: pd.DataFrame, timephased_history: pd.DataFrame | None, metas: dict | None = None
) -> list[dict]:
    phased = _by_snapshot(timephased_history)
    results = []
    for as_of, group in _by_snapshot(tasks_history).items():
        result = evm_at(group, timephased=phased.get(as_of), **plan_context((metas or {}).get(as_of), as_of))
        result["snapshot_as_of"] = as_of
        result["project_id"] = group["project_id"].iloc[0] if "project_id" in group else None
        results.append(result)
    return results


def _history_frame(results: list[dict]) -> pd.DataFrame:
    columns = ["snapshot_as_of", *KEYS]
    return pd.DataFrame([{k: r.get(k) for k in columns} for r in results], columns=columns)


def evm_history(
    tasks_history: pd.DataFrame, timephased_history: pd.DataFrame | None = None, metas: dict | None = None
) -> pd.DataFrame:
    """:func:`evm_at` at every snapshot of one project: one row per ``snapshot_as_of`` (ascending),
    the status date being the snapshot's as-of date (with its file's calendar and status time when
    ``metas`` — ``Store.plan_meta`` — is given). Columns: ``snapshot_as_of`` and the KEYS
    (``project_id`` included when present)."""
    if tasks_history is None or tasks_history.empty:
        return _history_frame([])
    return _history_frame(_history_results(tasks_history, timephased_history, metas))


def _finish_days(frame: pd.DataFrame) -> np.ndarray:
    """Forecast or actual finish: ``actual_finish`` when set, else ``finish``."""
    actual = to_days(_col(frame, "actual_finish"))
    finish = to_days(_col(frame, "finish"))
    return np.where(np.isnat(actual), finish, actual)


def _slip(baseline: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Signed working days from baseline to forecast date (0 when on the same working day)."""
    out = np.full(len(baseline), np.nan)
    ok = ~(np.isnat(baseline) | np.isnat(forecast))
    if ok.any():
        out[ok] = np.busday_count(baseline[ok], forecast[ok])
    return out


def milestone_trend(tasks_history: pd.DataFrame) -> pd.DataFrame:
    """Each milestone's forecast (or actual) finish per snapshot against its baseline finish.

    Columns: ``snapshot_as_of, task_uid, milestone, baseline_finish, forecast_finish, done,
    slip_days`` (working days forecast − baseline; positive = later than baseline)."""
    columns = ["snapshot_as_of", "task_uid", "milestone", "baseline_finish", "forecast_finish", "done", "slip_days"]
    if tasks_history is None or tasks_history.empty:
        return pd.DataFrame(columns=columns)
    flag = _col(tasks_history, "is_milestone").astype("boolean").fillna(False).to_numpy(dtype=bool)
    summary = _col(tasks_history, "is_summary").astype("boolean").fillna(False).to_numpy(dtype=bool)
    ms = tasks_history[flag & ~summary]
    if ms.empty:
        return pd.DataFrame(columns=columns)
    baseline = to_days(_col(ms, "baseline_finish"))
    forecast = _finish_days(ms)
    pct = np.nan_to_num(_num(ms, "percent_complete"))
    out = pd.DataFrame(
        {
            "snapshot_as_of": pd.to_datetime(ms["snapshot_as_of"]).dt.date.to_numpy(),
            "task_uid": _num(ms, "task_uid"),
            "milestone": _col(ms, "name").astype("string").fillna("(unnamed)").to_numpy(),
            "baseline_finish": pd.to_datetime(baseline).date if len(baseline) else [],
            "forecast_finish": pd.to_datetime(forecast).date if len(forecast) else [],
            "done": (~np.isnat(to_days(_col(ms, "actual_finish")))) | (pct >= 100),
            "slip_days": _slip(baseline, forecast),
        }
    )
    out["baseline_finish"] = out["baseline_finish"].where(~np.isnat(baseline), None)
    return out.sort_values(["task_uid", "snapshot_as_of"]).reset_index(drop=True)


def late_tasks(tasks: pd.DataFrame, status_date: dt.date, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Leaf tasks that are late or slipping against their baseline at ``status_date``.

    ``late``: baseline finish ≤ status date and not 100 % complete. ``slip_days``: working days
    from baseline finish to the forecast (or actual) finish. ``slip_since_previous``: working days
    the finish moved since the ``previous`` snapshot (same task_uid). Open rows (under 100 %
    complete) with slip > 0, late, or a move later since the previous snapshot, worst slip first:
    a finished task is history, not something to chase."""
    columns = [
        "task_id",
        "wbs",
        "task",
        "baseline_finish",
        "finish",
        "percent_complete",
        "late",
        "slip_days",
        "slip_since_previous",
    ]
    leaves = leaf_tasks(tasks)
    if leaves.empty:
        return pd.DataFrame(columns=columns)
    baseline = to_days(_col(leaves, "baseline_finish"))
    forecast = _finish_days(leaves)
    pct = np.nan_to_num(_num(leaves, "percent_complete"))
    status = np.datetime64(status_date, "D")
    late = ~np.isnat(baseline) & (baseline <= status) & (pct < 100)
    slip = _slip(baseline, forecast)
    moved = np.full(len(leaves), np.nan)
    if previous is not None and not previous.empty and "task_uid" in previous:
        prev = leaf_tasks(previous)
        prev_finish = pd.Series(_finish_days(prev), index=_num(prev, "task_uid"))
        prev_finish = prev_finish[~prev_finish.index.duplicated()]
        before = prev_finish.reindex(_num(leaves, "task_uid")).to_numpy().astype("datetime64[D]")
        moved = _slip(before, forecast)
    out = pd.DataFrame(
        {
            "task_id": _num(leaves, "task_id"),
            "wbs": _col(leaves, "wbs").astype("string").to_numpy(),
            "task": _col(leaves, "name").astype("string").to_numpy(),
            "baseline_finish": pd.to_datetime(baseline),
            "finish": pd.to_datetime(forecast),
            "percent_complete": pct,
            "late": late,
            "slip_days": slip,
            "slip_since_previous": moved,
        }
    )
    keep = (pct < 100) & (late | (np.nan_to_num(slip) > 0) | (np.nan_to_num(moved) > 0))
    out = out[keep].sort_values(["slip_days", "slip_since_previous"], ascending=False, na_position="last")
    return out.reset_index(drop=True)


def top_level_groups(tasks: pd.DataFrame) -> pd.Series:
    """For every task row, the name of its top-level WBS element (outline level 1; by row order),
    indexed like ``tasks``. Rows before any level-1 row belong to ``(project)``."""
    frame = _ordered(tasks)
    level = pd.to_numeric(_col(frame, "outline_level"), errors="coerce")
    top = level[level >= 1].min() if level.notna().any() else None
    if top is None or math.isnan(top):
        return pd.Series("(project)", index=tasks.index)
    names = _col(frame, "name").astype("string").fillna("(unnamed)")
    wbs = _col(frame, "wbs").astype("string")
    label = (wbs.fillna("") + " " + names).str.strip()
    group = label.where(level == top).ffill().fillna("(project)")
    return group.reindex(tasks.index)


def variance_by_wbs(
    tasks: pd.DataFrame,
    status_date: dt.date | dt.datetime,
    *,
    timephased: pd.DataFrame | None = None,
    calendar: WorkCalendar | None = None,
) -> pd.DataFrame:
    """BAC, PV, EV, AC, SV, CV, SPI, CPI per top-level WBS element at ``status_date`` (amount rows
    — leaves and summaries' own shares — summed, then divided; PV as in :func:`evm_at`, in the
    plan's measure: money, or hours when the baseline has no cost). EV, SV, CV, SPI and CPI are NaN
    when no leaf task carries a % complete (see :func:`evm_at`)."""
    columns = ["wbs_group", "bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi"]
    plan = prepare(tasks, timephased, calendar)
    rows = plan.rows
    if rows.empty or not _has_baseline(rows):
        return pd.DataFrame(columns=columns)
    groups = top_level_groups(tasks).reindex(rows.index)
    day, share = status_moment(status_date, plan.calendar)
    pv = np.zeros(len(rows))
    if not plan.segments.empty:
        seg_pv = segment_pv(plan.segments, day, share, plan.calendar)
        pv = np.bincount(plan.segments["owner"].to_numpy(dtype=int), weights=seg_pv, minlength=len(rows))
    frame = pd.DataFrame(
        {
            "wbs_group": groups.to_numpy(),
            "bac": np.nan_to_num(_num(rows, plan.measure.baseline)),
            "pv": pv,
            "ev": _earned(rows, plan.measure),
            "ac": np.nan_to_num(_num(rows, plan.measure.actual)),
        }
    )
    sums = frame.groupby("wbs_group", sort=False, as_index=False).sum()
    if _earned_parts(rows, plan.measure)[1].all():  # no % complete anywhere: EV unknown, not 0
        sums["ev"] = np.nan
    sums["sv"] = sums["ev"] - sums["pv"]
    sums["cv"] = sums["ev"] - sums["ac"]
    sums["spi"] = (sums["ev"] / sums["pv"]).where(sums["pv"] != 0)
    sums["cpi"] = (sums["ev"] / sums["ac"]).where(sums["ac"] != 0)
    return sums[columns]


def s_curve(history: pd.DataFrame, curve: PVCurve, current: dict) -> pd.DataFrame:
    """Long frame for the S-curve: ``date, series, value`` with the baseline PV per working day to
    completion (``PV (baseline)``), ``EV`` and ``AC`` at each snapshot, and the ``EAC projection``
    from today's AC to EAC(CPI) at the forecast (else planned) finish."""
    parts = []
    if curve.origin is not None and len(curve.values) > 1:
        dates = curve.dates()
        parts.append(pd.DataFrame({"date": dates, "series": "PV (baseline)", "value": curve.values[1:]}))
    if history is not None and not history.empty:
        for key, label in (("ev", "EV"), ("ac", "AC")):
            part = history[["snapshot_as_of", key]].dropna()
            parts.append(pd.DataFrame({"date": part["snapshot_as_of"].to_numpy(), "series": label, "value": part[key]}))
    eac, ac = current.get("eac_cpi"), current.get("ac")
    end = current.get("forecast_finish") or current.get("planned_finish")
    if eac is not None and ac is not None and end is not None:
        start = current["status_date"]
        parts.append(pd.DataFrame({"date": [start, max(end, start)], "series": "EAC projection", "value": [ac, eac]}))
    if not parts:
        return pd.DataFrame({"date": [], "series": [], "value": []})
    out = pd.concat(parts, ignore_index=True)
    out["date"] = pd.to_datetime(out["date"])
    out["value"] = out["value"].astype(float)
    return out


def index_trend(history: pd.DataFrame) -> pd.DataFrame:
    """Long frame ``snapshot_as_of, index, value`` of CPI, SPI and SPI(t) per snapshot (None dropped)."""
    if history is None or history.empty:
        return pd.DataFrame({"snapshot_as_of": [], "index": [], "value": []})
    long = history.melt(id_vars=["snapshot_as_of"], value_vars=["cpi", "spi", "spi_t"], var_name="index")
    long["index"] = long["index"].map({"cpi": "CPI", "spi": "SPI", "spi_t": "SPI(t)"})
    long = long.dropna(subset=["value"])
    long["snapshot_as_of"] = pd.to_datetime(long["snapshot_as_of"])
    long["value"] = long["value"].astype(float)
    return long.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# store-facing entry points


def _plan(store, project_id: str, as_of: dt.date | None):
    tasks = store.snapshot("tasks", as_of, [project_id])
    if tasks.empty:
        known = store.snapshot_uploads("msproject", as_of)
        hint = f" Plans are stored for: {', '.join(known.project_id)}." if not known.empty else ""
        when = f" on or before {as_of}" if as_of else ""
        raise MetricsError(f"no MS Project plan is stored for project {project_id!r}{when}.{hint}")
    phased = store.snapshot("timephased_baseline", as_of, [project_id])
    return tasks, phased


def report(store, project_id: str, as_of: dt.date | None = None) -> dict:
    """``python -m metrics evm``: EVM of ``project_id``'s latest plan snapshot on or before
    ``as_of`` (the latest when None). The status date is that snapshot's as-of date. Raises
    :class:`MetricsError` when no plan is stored."""
    if not project_id:
        raise MetricsError("give a project with --project.")
    tasks, phased = _plan(store, project_id, as_of)
    status = pd.Timestamp(tasks["snapshot_as_of"].iloc[0]).date()
    context = plan_context(store.plan_meta(project_id, status).get(status), status)
    result = evm_at(tasks, timephased=phased if not phased.empty else None, **context)
    out = {"project_id": project_id, "status_date": status, "unit": result["unit"]}
    out.update({k: result[k] for k in KEYS if k not in out})
    for key in _MONEY:
        if out[key] is not None:
            out[key] = round(out[key], 6)
    out["as_of"] = as_of
    out["baseline_start"] = result["baseline_start"]
    out["leaf_tasks"] = result["leaf_tasks"]
    out["calendar"] = result["calendar"]
    out["ms_project"] = result["ms_project"]
    out["notes"] = result["notes"]
    out["reasons"] = result["reasons"]
    return out


def project_view(store, project_id: str, as_of: dt.date | None = None) -> dict:
    """Everything the project page shows, computed from the store in one call:

    ``current`` (:func:`evm_at` at the latest snapshot ≤ as_of), ``previous`` (the snapshot before,
    or None), ``history`` (:func:`evm_history`), ``s_curve``, ``index_trend``, ``wbs``
    (:func:`variance_by_wbs`), ``milestones`` (:func:`milestone_trend`), ``late``
    (:func:`late_tasks`), ``missing_columns`` (export columns to add when there is no baseline)."""
    hist = store.history("tasks", project_id, as_of)
    if hist.empty:
        raise MetricsError(f"no MS Project plan is stored for project {project_id!r}.")
    phased_hist = store.history("timephased_baseline", project_id, as_of)
    snaps = _by_snapshot(hist)
    phased = _by_snapshot(phased_hist)
    dates = sorted(snaps)
    last = dates[-1]
    tasks = snaps[last]
    tp = phased.get(last)
    metas = store.plan_meta(project_id, as_of)
    results = _history_results(hist, phased_hist, metas)
    current = results[-1]
    previous = results[-2] if len(results) > 1 else None
    history = _history_frame(results)
    context = plan_context(metas.get(last), last)
    curve = plan_curve(tasks, timephased=tp, calendar=context["calendar"])
    return {
        "project_id": project_id,
        "status_date": last,
        "current": current,
        "previous": previous,
        "history": history,
        "s_curve": s_curve(history, curve, current),
        "index_trend": index_trend(history),
        "wbs": variance_by_wbs(tasks, context["status_date"], timephased=tp, calendar=context["calendar"]),
        "milestones": milestone_trend(hist),
        "late": late_tasks(tasks, last, snaps[dates[-2]] if len(dates) > 1 else None),
        "missing_columns": missing_baseline_columns(tasks) if current["bac"] is None else [],
        "snapshots": len(dates),
    }


def _unit_of(key: str, measure_unit: str) -> str:
    if key in _MONEY:
        return measure_unit
    if key.endswith("_days"):
        return "working days"
    return "date" if key in ("status_date", "planned_finish", "forecast_finish") else ""


def export_tables(view: dict) -> dict[str, pd.DataFrame]:
    """The project page's numbers as sheets for an Excel export: the current metrics (one row per
    key, with its unit — currency, or hours when the plan's EVM runs in hours — and definition), the
    history per snapshot, WBS variance, milestones, late tasks."""
    current = view["current"]
    unit = "hours" if current.get("unit") == "hours" else "currency"
    summary = pd.DataFrame(
        [
            {
                "metric": key,
                "value": current.get(key),
                "unit": _unit_of(key, unit),
                "definition": DEFINITIONS.get(key, ""),
            }
            for key in KEYS
        ]
    )
    summary["value"] = summary["value"].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v).astype(object)
    return {
        "Summary": summary,
        "History": view["history"],
        "WBS variance": view["wbs"],
        "Milestones": view["milestones"],
        "Late tasks": view["late"],
    }


def projects_with_plans(store, as_of: dt.date | None = None) -> list[str]:
    """Project ids that have an MS Project snapshot on or before ``as_of``."""
    found = store.snapshot_uploads("msproject", as_of)
    return [] if found.empty else list(found.project_id)
