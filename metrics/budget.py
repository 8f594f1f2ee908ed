"""Budget variance (DESIGN.md §6): budget vs actual vs forecast by project, month, category, vendor.

Input: ``budget_lines`` rows (``project_id, period, cost_category, vendor, budget, actual,
forecast, committed, currency`` and, from the store, ``snapshot_as_of``). Money is in the
currency of the line; **amounts in different currencies are never added**: every aggregate is
grouped by ``currency`` as well, so a project with lines in two currencies gives two rows.

Windows, for a view date ``as_of``:

* **to date** — months whose first day is on or before the line's *cutoff*, where cutoff =
  min(``as_of``, the line's ``snapshot_as_of``): a finance snapshot of 28 Feb read on 20 Mar
  counts January and February, not March's budget against March's missing actuals.
* **year to date (YTD)** — the to-date months inside the fiscal year that contains ``as_of``
  (``fy_start_month``, default 1 = January; 4 = April–March).
* **full year** — every month of that fiscal year: full-year budget = Σ budget; full-year forecast
  = YTD actual + the estimate for the fiscal year's remaining months.
* **outlook** (``forecast`` in the project rows) — the same over every month in the workbook:
  actual to date + estimate for the months after the cutoff.

Estimate for months after the cutoff, per project: the finance forecast where the workbook gives
any forecast for those months; a budgeted month the forecast leaves blank (and every month of a
project with no finance forecast) falls back to the EVM view, budget × EAC_cpi / BAC (= budget /
CPI) when an ``eac_ratio`` is known for the project (see :func:`eac_ratios`), otherwise it is
unknown (``None``) — never silently 0 (a month with neither budget nor forecast adds 0).
``forecast_source`` says which; :func:`forecast_gap_notes` names the blank months.

Variance = budget − actual (positive = under budget); variance % = variance / budget (a ratio,
0.05 = 5 %), ``None`` when budget is 0. Status from |variance %| with :class:`Thresholds`
(≤ 0.05 green, ≤ 0.10 amber, else red; ``None`` when variance % is undefined).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics import MetricsError

AMOUNTS = ("budget", "actual", "forecast", "committed")
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Thresholds:
    """|variance %| limits (ratios): ≤ ``green`` → green, ≤ ``amber`` → amber, else red. An
    underspend (variance > 0) is at worst ``underspend_max`` and green when the amount under
    budget is below ``underspend_floor`` (currency units)."""

    green: float = 0.05
    amber: float = 0.10
    underspend_max: str = "amber"
    underspend_floor: float = 10_000.0

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        """The thresholds of a :class:`metrics.settings.Settings`."""
        return cls(
            settings.budget_green, settings.budget_amber, settings.underspend_max_status, settings.underspend_floor
        )


DEFAULT_THRESHOLDS = Thresholds()
_RANK = {"green": 0, "amber": 1, "red": 2}


def variance(budget: float | None, actual: float | None) -> float | None:
    """Budget − actual in currency units (positive = under budget); None when either is missing."""
    if budget is None or actual is None or budget != budget or actual != actual:
        return None
    return float(budget) - float(actual)


def variance_pct(budget: float | None, actual: float | None) -> float | None:
    """(budget − actual) / budget as a ratio (0.05 = 5 % under budget); None when budget is 0 or missing."""
    v = variance(budget, actual)
    if v is None or budget == 0:
        return None
    return v / float(budget)


def status(pct: float | None, thresholds: Thresholds = DEFAULT_THRESHOLDS, amount: float | None = None) -> str | None:
    """``green | amber | red`` from |variance %| (ratio); None when the ratio is undefined. An
    underspend (``pct`` > 0) is capped at ``thresholds.underspend_max`` and is green when its
    ``amount`` (budget − actual, if given) is below ``thresholds.underspend_floor``."""
    if pct is None or pct != pct:
        return None
    magnitude = abs(pct)
    if magnitude <= thresholds.green + 1e-12:
        found = "green"
    elif magnitude <= thresholds.amber + 1e-12:
        found = "amber"
    else:
        found = "red"
    if pct > 0:
        if amount is not None and amount == amount and amount < thresholds.underspend_floor:
            return "green"
        return min(found, thresholds.underspend_max, key=_RANK.get)
    return found


def fiscal_year(as_of: dt.date, fy_start_month: int = 1) -> tuple[dt.date, dt.date]:
    """[first month, first month of the next year) of the fiscal year containing ``as_of``."""
    if not 1 <= fy_start_month <= 12:
        raise ValueError("the fiscal year's first month must be 1-12")
    year = as_of.year if as_of.month >= fy_start_month else as_of.year - 1
    if year + 1 > dt.MAXYEAR:  # the fiscal year of 9999-12-31: it ends with the calendar
        return dt.date(year, fy_start_month, 1), dt.date.max
    return dt.date(year, fy_start_month, 1), dt.date(year + 1, fy_start_month, 1)


def prepare(
    lines: pd.DataFrame, as_of: dt.date, fy_start_month: int = 1, eac_ratio: dict | None = None
) -> pd.DataFrame:
    """Normalise lines and flag each one's windows (pure).

    Adds: ``period`` as Timestamp; blank category/vendor as ``(none)``; ``currency`` '' when
    unknown; ``cutoff``; booleans ``to_date``, ``in_fy``, ``ytd``, ``rest_fy`` (in the fiscal
    year, after the cutoff), ``after`` (after the cutoff); ``estimate`` = the money expected for a
    month after the cutoff (finance forecast, else budget × EAC ratio, else NaN — see module doc);
    ``forecast_source`` per project (``finance | evm | none``).
    """
    frame = lines.copy()
    for amount in AMOUNTS:
        if amount not in frame.columns:
            frame[amount] = np.nan
        frame[amount] = pd.to_numeric(frame[amount], errors="coerce").astype("float64")
    frame["period"] = pd.to_datetime(frame["period"]).dt.to_period("M").dt.to_timestamp()
    for column in ("cost_category", "vendor"):
        values = frame[column] if column in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        frame[column] = values.astype(object).where(values.notna() & (values.astype(str).str.strip() != ""), NONE_LABEL)
    currency = frame["currency"] if "currency" in frame.columns else pd.Series(None, index=frame.index, dtype=object)
    frame["currency"] = currency.astype(object).where(currency.notna(), "").astype(str)
    view = pd.Timestamp(as_of)
    if "snapshot_as_of" in frame.columns:
        snap = pd.to_datetime(frame["snapshot_as_of"])
        frame["cutoff"] = snap.where(snap < view, view)
    else:
        frame["cutoff"] = view
    fy_first, fy_next = (pd.Timestamp(d) for d in fiscal_year(as_of, fy_start_month))
    frame["to_date"] = frame["period"] <= frame["cutoff"]
    frame["after"] = ~frame["to_date"]
    frame["in_fy"] = (frame["period"] >= fy_first) & (frame["period"] < fy_next)
    frame["ytd"] = frame["in_fy"] & frame["to_date"]
    frame["rest_fy"] = frame["in_fy"] & frame["after"]
    has_forecast = frame["after"] & frame["forecast"].notna()
    finance_projects = set(frame.loc[has_forecast, "project_id"])
    ratios = {k: v for k, v in (eac_ratio or {}).items() if v is not None and v == v}
    source = {
        p: "finance" if p in finance_projects else "evm" if p in ratios else "none"
        for p in frame["project_id"].unique()
    }
    frame["forecast_source"] = frame["project_id"].map(source)
    ratio = frame["project_id"].map(ratios).astype("float64")
    budgeted = frame["budget"].fillna(0.0) != 0
    # a month with no finance forecast: budget × EAC/BAC when known, else unknown (NaN) — never 0
    fallback = np.where(budgeted, frame["budget"].fillna(0.0) * ratio, 0.0)
    estimate = np.where(
        frame["forecast_source"] == "finance",
        np.where(frame["forecast"].notna(), frame["forecast"], fallback),
        fallback,
    )
    frame["estimate"] = np.where(frame["after"], estimate, 0.0)
    # budgeted months after the cutoff that a finance-forecast project's forecast leaves blank
    frame["forecast_gap"] = (
        frame["after"] & (frame["forecast_source"] == "finance") & frame["forecast"].isna() & budgeted
    )
    # projects whose months to date carry no actual at all: actual is unknown ("no actuals yet"), not 0
    td_actual = frame["actual"].where(frame["to_date"])
    has_td = frame["to_date"].groupby(frame["project_id"]).transform("any")
    any_actual = td_actual.notna().groupby(frame["project_id"]).transform("any")
    frame["no_actuals"] = has_td & ~any_actual
    return frame


def _sum(frame: pd.DataFrame, keys: list[str], value: str, mask: str | None = None, strict: bool = False) -> pd.Series:
    """Σ ``value`` per group over rows where ``mask``; ``strict``: NaN when any counted value is NaN."""
    values = frame[value] if mask is None else frame[value].where(frame[mask], 0.0)
    if strict:
        return (
            values.groupby([frame[k] for k in keys], dropna=False)
            .sum(min_count=1)
            .where(values.isna().groupby([frame[k] for k in keys], dropna=False).sum() == 0)
        )
    return values.fillna(0.0).groupby([frame[k] for k in keys], dropna=False).sum()


SUMMARY_COLUMNS = [
    "budget",
    "actual",
    "ytd_budget",
    "ytd_actual",
    "full_year_budget",
    "total_budget",
    "committed",
    "forecast_source",
    "variance",
    "variance_pct",
    "status",
    "ytd_variance",
    "ytd_variance_pct",
    "ytd_status",
    "full_year_forecast",
    "full_year_variance",
    "forecast",
]


def summarise(prepared: pd.DataFrame, keys: list[str], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """Aggregate prepared lines (from :func:`prepare`) by ``keys`` + ``currency``.

    Columns: ``budget, actual`` (to date), ``variance, variance_pct, status``; ``ytd_budget,
    ytd_actual, ytd_variance, ytd_variance_pct, ytd_status``; ``full_year_budget,
    full_year_forecast, full_year_variance`` (budget − forecast); ``total_budget`` (every month),
    ``forecast`` (outlook: actual to date + estimate after the cutoff), ``committed`` (every
    month); ``forecast_source``. Money in the group's currency; blank amounts count 0 except in
    the forecasts, which are None when an estimate is unknown.
    """
    group = [*keys, "currency"]
    if prepared.empty:
        return pd.DataFrame(columns=[*group, *SUMMARY_COLUMNS])  # same columns as a non-empty summary
    prepared = prepared.assign(
        _td_known=prepared["to_date"] & ~prepared["no_actuals"],
        _td_unknown=prepared["to_date"] & prepared["no_actuals"],
        _ytd_known=prepared["ytd"] & ~prepared["no_actuals"],
        _ytd_unknown=prepared["ytd"] & prepared["no_actuals"],
    )
    out = pd.DataFrame(
        {
            "budget": _sum(prepared, group, "budget", "to_date"),
            "actual": _sum(prepared, group, "actual", "_td_known"),
            "covered_budget": _sum(prepared, group, "budget", "_td_known"),
            "known": _sum(prepared, group, "_td_known"),
            "unknown": _sum(prepared, group, "_td_unknown"),
            "ytd_budget": _sum(prepared, group, "budget", "ytd"),
            "ytd_actual": _sum(prepared, group, "actual", "_ytd_known"),
            "ytd_covered_budget": _sum(prepared, group, "budget", "_ytd_known"),
            "ytd_known": _sum(prepared, group, "_ytd_known"),
            "ytd_unknown": _sum(prepared, group, "_ytd_unknown"),
            "full_year_budget": _sum(prepared, group, "budget", "in_fy"),
            "rest_fy_estimate": _sum(prepared, group, "estimate", "rest_fy", strict=True),
            "total_budget": _sum(prepared, group, "budget"),
            "rest_estimate": _sum(prepared, group, "estimate", "after", strict=True),
            "committed": _sum(prepared, group, "committed"),
        }
    )
    sources = prepared.groupby([prepared[k] for k in group], dropna=False)["forecast_source"].agg(
        lambda s: "/".join(sorted(set(s)))
    )
    out["forecast_source"] = sources
    out = out.reset_index()
    # "no actuals yet": a group whose to-date lines all belong to projects without any actual
    out["actual"] = out["actual"].where(~((out["known"] == 0) & (out["unknown"] > 0)))
    out["ytd_actual"] = out["ytd_actual"].where(~((out["ytd_known"] == 0) & (out["ytd_unknown"] > 0)))
    # variance over the lines whose project has actuals (= budget − actual when every project has them)
    out["variance"] = out["covered_budget"] - out["actual"]
    out["variance_pct"] = _ratio(out["variance"], out["covered_budget"])
    out["status"] = [status(p, thresholds, v) for p, v in zip(out["variance_pct"], out["variance"], strict=True)]
    out["ytd_variance"] = out["ytd_covered_budget"] - out["ytd_actual"]
    out["ytd_variance_pct"] = _ratio(out["ytd_variance"], out["ytd_covered_budget"])
    out["ytd_status"] = [
        status(p, thresholds, v) for p, v in zip(out["ytd_variance_pct"], out["ytd_variance"], strict=True)
    ]
    # a forecast built on an unknown actual is unknown
    out["full_year_forecast"] = (out["ytd_actual"] + out["rest_fy_estimate"]).where(out["ytd_unknown"] == 0)
    out["full_year_variance"] = out["full_year_budget"] - out["full_year_forecast"]
    out["forecast"] = (out["actual"] + out["rest_estimate"]).where(out["unknown"] == 0)
    helpers = [
        "rest_fy_estimate",
        "rest_estimate",
        "covered_budget",
        "known",
        "unknown",
        "ytd_covered_budget",
        "ytd_known",
        "ytd_unknown",
    ]
    return out.drop(columns=helpers)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator with None (NaN) where the denominator is 0."""
    return (numerator / denominator.where(denominator != 0)).astype("float64")


def monthly(prepared: pd.DataFrame) -> pd.DataFrame:
    """Per currency and month: ``budget, actual`` (months to date only), ``outlook`` (actual to
    date, then the estimate) and their running totals ``cum_budget, cum_actual, cum_outlook``
    (``cum_actual`` NaN after the last month to date). Money in the currency of the row."""
    if prepared.empty:
        return pd.DataFrame(
            columns=["currency", "period", "budget", "actual", "outlook", "cum_budget", "cum_actual", "cum_outlook"]
        )
    unknown = prepared["no_actuals"]  # projects with no actuals yet: their actual is unknown, not 0
    frame = prepared.assign(
        actual_td=prepared["actual"].where(prepared["to_date"], 0.0).fillna(0.0).where(~unknown),
        outlook=np.where(prepared["to_date"], prepared["actual"].fillna(0.0).where(~unknown), prepared["estimate"]),
        budget0=prepared["budget"].fillna(0.0),
        no_actuals_all=unknown | ~prepared["to_date"],
    )
    by = frame.groupby(["currency", "period"])
    out = pd.DataFrame(
        {
            "budget": by["budget0"].sum(),
            "actual": by["actual_td"].sum(min_count=1).fillna(0.0).where(~by["no_actuals_all"].all()),
            "outlook": by["outlook"].sum(min_count=1),
            "any_to_date": by["to_date"].any(),
        }
    ).reset_index()
    out = out.sort_values(["currency", "period"]).reset_index(drop=True)
    cum = out.groupby("currency")
    out["cum_budget"] = cum["budget"].cumsum()
    out["cum_actual"] = cum["actual"].cumsum().where(out["any_to_date"])
    out["cum_outlook"] = cum["outlook"].cumsum()
    out.loc[~out["any_to_date"], "actual"] = np.nan
    return out.drop(columns="any_to_date")


def per_period(prepared: pd.DataFrame) -> pd.DataFrame:
    """Per project, currency and month: Σ ``budget``, Σ ``actual`` (None for months after the
    cutoff), Σ finance ``forecast`` as written, ``outlook`` (actual to date, else the estimate) and
    Σ ``committed``. ``period`` as a date."""
    keys = ["project_id", "currency", "period"]
    if prepared.empty:
        return pd.DataFrame(columns=[*keys, "budget", "actual", "forecast", "outlook", "committed"])
    known = prepared["actual"].fillna(0.0).where(~prepared["no_actuals"])  # no actuals yet: unknown, not 0
    frame = prepared.assign(outlook=np.where(prepared["to_date"], known, prepared["estimate"]), known_actual=known)
    by = frame.groupby(keys)
    out = pd.DataFrame(
        {
            "budget": by["budget"].sum(),
            "actual": by["known_actual"].sum(min_count=1).where(by["to_date"].any()),
            "forecast": by["forecast"].sum(min_count=1),
            "outlook": by["outlook"].sum(min_count=1),
            "committed": by["committed"].sum(),
        }
    ).reset_index()
    out["period"] = out["period"].dt.date
    return out


def filter_lines(lines: pd.DataFrame, project_ids=None, categories=None, vendors=None) -> pd.DataFrame:
    """Lines restricted to the given projects / categories / vendors (None or empty = all)."""
    mask = pd.Series(True, index=lines.index)
    for column, chosen in (("project_id", project_ids), ("cost_category", categories), ("vendor", vendors)):
        if chosen:
            mask &= lines[column].isin(list(chosen))
    return lines[mask]


def options(prepared: pd.DataFrame) -> dict[str, list[str]]:
    """Distinct projects, categories, vendors and currencies (sorted) for the page's filters."""
    return {
        c: sorted(prepared[c].dropna().astype(str).unique())
        for c in ("project_id", "cost_category", "vendor", "currency")
    }


def top_overruns(summary: pd.DataFrame, key: str = "ytd_variance", n: int = 10) -> pd.DataFrame:
    """The ``n`` rows most over budget (most negative ``key``), only rows actually over budget."""
    if summary.empty or key not in summary.columns:
        return summary.head(0)
    over = summary[summary[key] < 0]
    return over.sort_values(key, kind="stable").head(n).reset_index(drop=True)


TOP_VENDORS = 15


def top_vendors(
    vendors: pd.DataFrame, n: int = TOP_VENDORS, actual: str = "ytd_actual", budget: str = "ytd_budget"
) -> pd.DataFrame:
    """The ``n`` vendors with the most ``actual`` spend (most first, unknown spend last), then one
    row ``"Other vendors (k)"`` summing the other ``k`` vendors' actual and budget (sums of the
    known amounts; None when none is known). One currency. Columns: vendor, ``actual``, ``budget``,
    ``vendors`` (how many vendors the row stands for: 1, or k for the grouped row). With ``n`` or
    fewer vendors nothing is grouped."""
    ranked = vendors.sort_values(actual, ascending=False, na_position="last", kind="stable")
    top = ranked.head(n)[["vendor", actual, budget]].assign(vendors=1)
    rest = ranked.iloc[n:]
    if rest.empty:
        return top.reset_index(drop=True)
    other = {
        "vendor": f"Other vendors ({len(rest)})",
        actual: rest[actual].sum(min_count=1),
        budget: rest[budget].sum(min_count=1),
        "vendors": len(rest),
    }
    return pd.concat([top, pd.DataFrame([other])], ignore_index=True)


def forecast_gap_notes(prepared: pd.DataFrame, eac_ratio: dict | None = None) -> list[str]:
    """One sentence per project whose finance forecast leaves budgeted months after the cutoff
    blank: how many, and whether they were estimated as budget × EAC/BAC or left unknown."""
    if prepared.empty or "forecast_gap" not in prepared.columns:
        return []
    ratios = {k: v for k, v in (eac_ratio or {}).items() if v is not None and v == v}
    gaps = prepared[prepared["forecast_gap"]]
    notes = []
    for project_id, rows in gaps.groupby("project_id", sort=True):
        months = rows["period"].nunique()
        if project_id in ratios:
            how = f"they are estimated as budget × EAC/BAC ({ratios[project_id]:.2f}) from the project's plan"
        else:
            how = "with no EVM estimate for the project, its forecast is unknown rather than counted as 0"
        notes.append(
            f"Project {project_id}: the finance forecast is blank for {months} budgeted month(s) after the "
            f"cut-off; {how}."
        )
    return notes


def no_actuals_notes(prepared: pd.DataFrame) -> list[str]:
    """One sentence per project whose months to date carry no actual at all (a budget-only workbook):
    its actual, variance and status are unknown (None), never 0 / +100 % / red."""
    if prepared.empty or "no_actuals" not in prepared.columns:
        return []
    missing = sorted(prepared.loc[prepared["no_actuals"], "project_id"].astype(str).unique())
    return [
        f"Project {p}: no actuals yet (no month to date carries an actual), so its actual, variance and status "
        "are not shown."
        for p in missing
    ]


def mixed_currency_notes(prepared: pd.DataFrame) -> list[str]:
    """One sentence per project whose lines carry more than one currency."""
    notes = []
    pairs = prepared[["project_id", "currency"]].drop_duplicates()
    counts = pairs.groupby("project_id")["currency"].agg(lambda s: sorted(s))
    for project_id, currencies in counts.items():
        if len(currencies) > 1:
            shown = ", ".join(c or "unknown" for c in currencies)
            notes.append(
                f"Project {project_id} has lines in {len(currencies)} currencies ({shown}); they are shown "
                "separately because amounts in different currencies are never summed without a rate table."
            )
    return notes


# -- reading from the store --------------------------------------------------------------------


def eac_ratios(store, project_ids, as_of: dt.date) -> dict[str, float]:
    """Per project, EAC / BAC of its latest plan snapshot on or before ``as_of``, where EAC = EAC(CPI)
    = BAC / CPI: the snapshot's EVM point (:mod:`metrics.evm_points`, the project page's numbers for
    that snapshot: the file's calendar, status time and project summary, its time-phased baseline).
    Projects without a plan, a BAC or a defined EAC are left out."""
    from metrics import evm_points

    points = evm_points.read(store, list(project_ids), until=as_of, latest=True)
    ratios: dict[str, float] = {}
    for row in points.itertuples():
        if row.eac == row.eac and row.bac == row.bac and row.bac:
            ratios[str(row.project_id)] = float(row.eac) / float(row.bac)
    return ratios


def load(store, as_of: dt.date | None = None, project_ids=None) -> tuple[pd.DataFrame, dt.date | None]:
    """Budget lines of the latest finance snapshot per project on or before ``as_of``, and the
    view date (``as_of``, else the latest snapshot's as-of date; None when nothing is stored)."""
    lines = store.snapshot("budget_lines", as_of, project_ids)
    if lines.empty:
        return lines, as_of
    if as_of is None:
        as_of = pd.Timestamp(lines["snapshot_as_of"].max()).date()
    return lines, as_of


def registered_projects(store) -> set[str] | None:
    """Project ids of the portfolio register, None when no register was loaded."""
    projects = store.projects()
    if projects.empty or "registered" not in projects.columns or not projects["registered"].any():
        return None
    return set(projects.loc[projects["registered"], "project_id"])


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as dicts for JSON: money rounded to cents (ratios left exact), NaN as None."""
    frame = frame[[c for c in columns if c in frame.columns]].copy()
    for column in frame.columns:
        if column in MONEY_COLUMNS:
            frame[column] = frame[column].astype("float64").round(2)
    rows = frame.astype(object)
    rows = rows.where(rows.notna(), None)
    return rows.to_dict(orient="records")


MONEY_COLUMNS = {
    "budget",
    "actual",
    "forecast",
    "outlook",
    "committed",
    "variance",
    "ytd_budget",
    "ytd_actual",
    "ytd_variance",
    "full_year_budget",
    "full_year_forecast",
    "full_year_variance",
    "total_budget",
}
PROJECT_COLUMNS = [
    "project_id",
    "currency",
    "budget",
    "actual",
    "forecast",
    "variance",
    "variance_pct",
    "ytd_budget",
    "ytd_actual",
    "ytd_variance",
    "ytd_variance_pct",
    "full_year_budget",
    "full_year_forecast",
    "full_year_variance",
    "total_budget",
    "committed",
    "forecast_source",
    "status",
    "ytd_status",
]


def project_summaries(
    store, as_of: dt.date | None, fy_start_month: int, thresholds: Thresholds, project_ids=None
) -> list[dict]:
    """The report's ``projects`` alone, of the given projects (all when None): what the portfolio's
    health reads, without the report's other tables. Empty when no finance workbook is stored."""
    prepared, _ = prepared_lines(store, as_of, project_ids, fy_start_month)
    return [] if prepared.empty else _records(summarise(prepared, ["project_id"], thresholds), PROJECT_COLUMNS)


def report(
    store,
    project_id: str | None = None,
    as_of: dt.date | None = None,
    fy_start_month: int | None = None,
    thresholds: Thresholds | None = None,
) -> dict:
    """The ``metrics budget`` JSON (DESIGN.md §4): projects, by_category, by_vendor, plus by_period,
    unknown_projects (not in the register) and notes (mixed currencies). The fiscal year and
    thresholds default to the stored settings (:mod:`metrics.settings`)."""
    if fy_start_month is None or thresholds is None:
        from metrics.settings import load

        stored = load(store)
        fy_start_month = fy_start_month or stored.fy_start_month
        thresholds = thresholds or Thresholds.from_settings(stored)
    prepared, view = prepared_lines(store, as_of, [project_id] if project_id else None, fy_start_month)
    if prepared.empty:
        where = f" for project {project_id}" if project_id else ""
        when = f" on or before {as_of}" if as_of else ""
        raise MetricsError(f"no finance workbook is stored{where}{when}; upload one first.")
    projects = sorted(prepared["project_id"].unique())
    by_project = summarise(prepared, ["project_id"], thresholds)
    by_category = summarise(prepared, ["project_id", "cost_category"], thresholds)
    by_vendor = summarise(prepared, ["vendor"], thresholds)
    by_period = per_period(prepared)
    registered = registered_projects(store)
    fy_first, fy_next = fiscal_year(view, fy_start_month)
    return {
        "as_of": view,
        "fiscal_year": {"start": fy_first, "end": fy_next - dt.timedelta(days=1)},
        "thresholds": {"green": thresholds.green, "amber": thresholds.amber},
        "projects": _records(by_project, PROJECT_COLUMNS),
        "by_category": _records(
            by_category,
            [
                "project_id",
                "cost_category",
                "currency",
                "budget",
                "actual",
                "variance",
                "variance_pct",
                "ytd_budget",
                "ytd_actual",
                "ytd_variance",
                "committed",
                "status",
            ],
        ),
        "by_vendor": _records(
            by_vendor,
            [
                "vendor",
                "currency",
                "actual",
                "budget",
                "variance",
                "variance_pct",
                "ytd_actual",
                "ytd_budget",
                "ytd_variance",
                "committed",
                "status",
            ],
        ),
        "by_period": _records(
            by_period, ["project_id", "period", "currency", "budget", "actual", "forecast", "outlook", "committed"]
        ),
        "unknown_projects": sorted(set(projects) - registered) if registered is not None else [],
        "notes": mixed_currency_notes(prepared)
        + no_actuals_notes(prepared)
        + forecast_gap_notes(prepared, prepared.attrs.get("eac_ratio")),
    }


def prepared_lines(store, as_of: dt.date | None = None, project_ids=None, fy_start_month: int = 1):
    """Load the finance snapshot (see :func:`load`), fetch the EVM estimate for projects without a
    finance forecast and :func:`prepare` the lines. Returns (prepared lines, view date)."""
    lines, view = load(store, as_of, project_ids)
    if lines.empty:
        return lines, view
    needs_evm = _projects_needing_estimate(lines, view)
    ratios = eac_ratios(store, needs_evm, view) if needs_evm else {}
    prepared = prepare(lines, view, fy_start_month, ratios)
    prepared.attrs["eac_ratio"] = ratios
    return prepared, view


#: A summary's fiscal year to date, in the order the finance tables show it.
YTD_COLUMNS = ["ytd_budget", "ytd_actual", "ytd_variance", "ytd_variance_pct", "ytd_status"]
TABLE_COLUMNS = {
    "project_id": "Project",
    "project": "Project",  # the name, or the id when the register has no name (over-budget list)
    "name": "Name",
    "program": "Program",
    "cost_category": "Cost category",
    "vendor": "Vendor",
    "currency": "Currency",
    "ytd_budget": "YTD budget",
    "ytd_actual": "YTD actual",
    "ytd_variance": "YTD variance",
    "ytd_variance_pct": "YTD variance %",
    "ytd_status": "YTD status",
    "full_year_budget": "Full-year budget",
    "full_year_forecast": "Full-year forecast",
    "full_year_variance": "Full-year variance",
    "budget": "Budget to date",
    "actual": "Actual to date",
    "variance": "Variance to date",
    "variance_pct": "Variance % to date",
    "status": "Status to date",
    "committed": "Committed",
    "forecast_source": "Forecast from",
}


def page_tables(
    prepared: pd.DataFrame,
    currency: str,
    names: dict | None = None,
    programs: dict | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, pd.DataFrame]:
    """Everything the finance page shows for one currency (pure): ``projects``, ``categories``,
    ``vendors``, ``vendor_spend`` (:func:`top_vendors`), ``monthly`` (fiscal year's months), ``over_projects`` and ``over_vendors`` (over budget this fiscal year,
    most over first). Summary frames carry :func:`summarise` columns plus ``name``/``program``;
    ``over_projects`` also has ``project``: the name, or the id when the register has none."""
    lines = prepared[prepared["currency"] == currency]
    projects = summarise(lines, ["project_id"], thresholds)
    projects.insert(1, "name", projects["project_id"].map(names or {}))
    projects.insert(2, "program", projects["project_id"].map(programs or {}))
    projects = projects.sort_values("ytd_variance", kind="stable").reset_index(drop=True)
    categories = summarise(lines, ["cost_category"], thresholds).sort_values("ytd_variance", kind="stable")
    vendors = summarise(lines, ["vendor"], thresholds).sort_values("ytd_actual", ascending=False, kind="stable")
    return {
        "projects": projects,
        "categories": categories.reset_index(drop=True),
        "vendors": vendors.reset_index(drop=True),
        "vendor_spend": top_vendors(vendors),
        "monthly": monthly(lines[lines["in_fy"]]),  # running totals over the fiscal year, like the YTD figures
        "over_projects": _with_project_label(top_overruns(projects)),
        "over_vendors": top_overruns(vendors),
    }


def _with_project_label(projects: pd.DataFrame) -> pd.DataFrame:
    """``projects`` with a ``project`` column after ``project_id``: the name, else the id."""
    name = projects["name"]
    out = projects.copy()
    out.insert(1, "project", name.where(name.notna() & (name.astype(str) != ""), projects["project_id"]))
    return out


def headline(projects: pd.DataFrame) -> dict:
    """Totals of a one-currency project summary: YTD budget/actual/variance (and %), full-year
    budget/forecast (None when any project's forecast is unknown), count and sum of YTD overruns.
    Projects with no actuals yet are left out of YTD actual and variance (``projects_without_actuals``
    counts them); YTD actual is None when no project has actuals."""
    ytd_budget = float(projects["ytd_budget"].sum())
    known = projects[projects["ytd_actual"].notna()]  # projects with no actuals yet are left out of the variance
    ytd_actual = float(known["ytd_actual"].sum()) if not known.empty else None
    covered = float((known["ytd_actual"] + known["ytd_variance"]).sum()) if not known.empty else None
    over = projects[projects["ytd_variance"] < 0]
    forecast = projects["full_year_forecast"]
    return {
        "ytd_budget": ytd_budget,
        "ytd_actual": ytd_actual,
        "ytd_variance": variance(covered, ytd_actual),
        "ytd_variance_pct": variance_pct(covered, ytd_actual),
        "projects_without_actuals": int(projects["ytd_actual"].isna().sum()),
        "full_year_budget": float(projects["full_year_budget"].sum()),
        "full_year_forecast": None if forecast.isna().any() else float(forecast.sum()),
        "projects_over": len(over),
        "overrun": float(-over["ytd_variance"].sum()),
        "committed": float(projects["committed"].sum()),
    }


def display(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns renamed for people (``TABLE_COLUMNS``); used for tables and the export."""
    present = [c for c in columns if c in frame.columns]
    return frame[present].rename(columns=TABLE_COLUMNS).reset_index(drop=True)


def _projects_needing_estimate(lines: pd.DataFrame, view: dt.date) -> list[str]:
    """Projects with a budgeted month after their cutoff that has no finance forecast (they need
    the EVM estimate for those months)."""
    prepared = prepare(lines, view)
    gap = prepared["after"] & prepared["forecast"].isna() & (prepared["budget"].fillna(0.0) != 0)
    return sorted(set(prepared.loc[gap, "project_id"]))
