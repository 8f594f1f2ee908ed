"""View-model of the project (EVM) page: KPI tiles, the definitions table, MS Project's own figures
beside ours, and the milestones and WBS elements worth showing. Pure: values in, values out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.evm import DEFINITIONS

_TILES = (
    ("bac", "BAC", "money"),
    ("pv", "PV", "money"),
    ("ev", "EV", "money"),
    ("ac", "AC", "money"),
    ("cpi", "CPI", "ratio"),
    ("spi", "SPI", "ratio"),
    ("spi_t", "SPI(t)", "ratio"),
    ("eac_cpi", "EAC (BAC/CPI)", "money"),
    ("vac", "VAC", "money"),
    ("forecast_finish", "Forecast finish", "date"),
)


def kpis(current: dict, previous: dict | None = None) -> list[dict]:
    """The page's KPI tiles: ``key, label, kind (money|hours|ratio|date), value, delta, help``
    (``hours`` instead of ``money`` when the plan's EVM runs in hours of work).

    ``delta`` = change since the previous snapshot (money/ratio: difference; date: working days
    the forecast moved, positive = later), None when either side is undefined. ``help`` = the
    definition, plus why the value is null when it is."""
    tiles = []
    hours = current.get("unit") == "hours"
    for key, label, kind in _TILES:
        kind = "hours" if hours and kind == "money" else kind
        value = current.get(key)
        before = previous.get(key) if previous else None
        if value is None or before is None:
            delta = None
        elif kind == "date":
            delta = int(np.busday_count(np.datetime64(before, "D"), np.datetime64(value, "D")))
        else:
            delta = value - before
        text = DEFINITIONS[key]
        if key == "forecast_finish" and current.get("planned_finish"):
            text += f" Planned finish: {current['planned_finish']}."
        if value is None and key in current.get("reasons", {}):
            text += f" Not available: {current['reasons'][key]}."
        tiles.append({"key": key, "label": label, "kind": kind, "value": value, "delta": delta, "help": text})
    return tiles


def definitions_table() -> pd.DataFrame:
    """Every metric with its definition, for an expander."""
    return pd.DataFrame({"metric": list(DEFINITIONS), "definition": list(DEFINITIONS.values())})


def ms_project_table(result: dict) -> pd.DataFrame:
    """MS Project's own BCWS/BCWP/ACWP beside our PV/EV/AC (empty when the export has none)."""
    ms = result.get("ms_project")
    if not ms:
        return pd.DataFrame(columns=["measure", "ours", "ms_project", "difference", "differs"])
    rows = []
    for col, key, label in (("bcws", "pv", "PV / BCWS"), ("bcwp", "ev", "EV / BCWP"), ("acwp", "ac", "AC / ACWP")):
        ours, theirs = result.get(key), ms.get(col)
        diff = None if ours is None or theirs is None else ours - theirs
        rows.append(
            {
                "measure": label,
                "ours": ours,
                "ms_project": theirs,
                "difference": diff,
                "differs": ms["differs"].get(col),
            }
        )
    return pd.DataFrame(rows)


def top_milestones(trend: pd.DataFrame, limit: int = 8) -> pd.DataFrame:
    """The ``limit`` milestones with the largest slip in their latest snapshot (all snapshots of each)."""
    if trend.empty:
        return trend
    latest = trend.sort_values("snapshot_as_of").drop_duplicates("task_uid", keep="last")
    keep = latest.sort_values("slip_days", ascending=False, na_position="last")["task_uid"].head(limit)
    return trend[trend["task_uid"].isin(keep)].reset_index(drop=True)


def top_wbs(frame: pd.DataFrame, limit: int = 12) -> pd.DataFrame:
    """The ``limit`` WBS elements with the largest |SV| + |CV|, in their plan order."""
    if len(frame) <= limit:
        return frame
    size = frame["sv"].abs() + frame["cv"].abs()
    return frame.loc[size.sort_values(ascending=False, kind="stable").index[:limit].sort_values()]
