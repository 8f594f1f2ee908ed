"""EVM points: the earned value of one plan snapshot, computed once when the snapshot is stored.

A point depends only on its own upload: the plan's tasks, its time-phased baseline, the file's
calendar and status time (``Store.plan_meta``), and the upload's as-of date, which is the status
date. So it never changes once computed, and the portfolio's health and trend read the stored
points instead of running :func:`metrics.evm.evm_at` over every snapshot of every project on every
first render (issue 22). The project page computes the same numbers through
:func:`metrics.evm.evm_history`; :func:`point` is that computation for one snapshot, so the two
always agree.

When :func:`metrics.evm.evm_at` or what a point holds changes, bump :data:`VERSION`: points of an
older version are not read, :func:`read` computes the missing ones on the fly (without storing:
a read never writes), and ``python -m metrics rebuild-points`` stores them again.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics.evm import evm_at, plan_context

VERSION = 1

# what a point holds besides its keys (upload_id, project_id, version)
COLUMNS = ["status_date", "unit", "task_rows", "bac", "pv", "ev", "ac", "spi", "cpi", "spi_t", "eac"]
MONEY = ["bac", "pv", "ev", "ac", "eac"]


def point(
    tasks: pd.DataFrame, as_of: dt.date, timephased: pd.DataFrame | None = None, meta: dict | None = None
) -> dict:
    """One plan snapshot's point: :func:`metrics.evm.evm_at` with the status date = ``as_of``
    (the file's status time when it falls on that day), the file's calendar and project summary
    totals (:func:`metrics.evm.plan_context` of ``meta``) and its time-phased baseline. ``eac``
    is EAC(CPI) = BAC / CPI. ``unit`` is "hours" when the plan has no baseline cost and runs EVM in
    hours of work; ``task_rows`` 0 for an upload without task rows (all numbers None)."""
    if tasks.empty:
        return {"status_date": as_of, "unit": None, "task_rows": 0, **dict.fromkeys(COLUMNS[3:])}
    spread = timephased if timephased is not None and not timephased.empty else None
    result = evm_at(tasks, timephased=spread, **plan_context(meta, as_of))
    return {
        "status_date": as_of,
        "unit": result.get("unit"),
        "task_rows": len(tasks),
        **{k: result.get(k) for k in ("bac", "pv", "ev", "ac", "spi", "cpi", "spi_t")},
        "eac": result.get("eac_cpi"),
    }


def compute(store, upload_ids, *, mapper=map) -> pd.DataFrame:
    """The points of the given plan uploads (one row per upload and project, this :data:`VERSION`),
    from three reads however many uploads there are. ``mapper`` runs :func:`point` over the plans
    (``map``; a process pool's ``map`` spreads a bulk load's points over its cores)."""
    ids = sorted({int(i) for i in upload_ids})
    columns = ["upload_id", "project_id", "version", *COLUMNS]
    if not ids:
        return pd.DataFrame(columns=columns)
    with store.batch():  # one connection for the three reads, let go before the computation
        tasks = store.plan_rows("tasks", ids)
        phased = store.plan_rows("timephased_baseline", ids)
        metas = store.upload_meta(ids)
    phased_by = {key: group for key, group in phased.groupby(["upload_id", "project_id"], sort=False)}
    jobs = [
        (int(upload), project, plan.reset_index(drop=True), phased_by.get((upload, project)), metas.get(int(upload)))
        for (upload, project), plan in tasks.groupby(["upload_id", "project_id"], sort=True)
    ]
    return pd.DataFrame(list(mapper(_upload_point, jobs)), columns=columns)


def _upload_point(job: tuple) -> dict:
    """:func:`point` of one (upload id, project id, tasks, time-phased baseline, meta) as a row."""
    upload_id, project_id, plan, spread, meta = job
    as_of = pd.Timestamp(plan.snapshot_as_of.iloc[0]).date()
    return {"upload_id": upload_id, "project_id": project_id, "version": VERSION, **point(plan, as_of, spread, meta)}


def record(store, upload_ids, *, mapper=map) -> int:
    """Compute and store the points of the given uploads (after they were stored); returns how many."""
    return store.save_evm_points(compute(store, upload_ids, mapper=mapper))


def record_missing(store, *, mapper=map) -> int:
    """Store the points of every plan upload that has none of this :data:`VERSION` (a database
    migrated from before points, after a formula change, or a bulk load); returns how many were
    stored."""
    missing = store.plan_uploads_without_points(VERSION)
    return record(store, missing, mapper=mapper) if missing else 0


def rebuild(store) -> int:
    """``python -m metrics rebuild-points``: forget every stored point and compute them all again."""
    everything = store.plan_uploads_without_points(-1)  # no point has version -1: every plan upload
    return store.save_evm_points(compute(store, everything), replace_all=True)


def read(store, project_ids=None, until: dt.date | None = None, *, latest: bool = False) -> pd.DataFrame:
    """The points of the plan snapshots a read sees (``Store.evm_points``): every snapshot of each
    project up to ``until``, or with ``latest`` each project's latest. Points not stored yet are
    computed here and not stored. Columns project_id, upload_id, snapshot_as_of, then
    :data:`COLUMNS`; projects whose snapshot has no task rows are left out."""
    frame = store.evm_points(VERSION, project_ids, until, latest=latest)
    keys = ["project_id", "upload_id", "snapshot_as_of"]
    stored = frame.stored.astype(bool)
    parts = [frame[stored].reindex(columns=[*keys, *COLUMNS])]
    if not stored.all():
        computed = compute(store, frame[~stored].upload_id).drop(columns="version")
        parts.append(frame.loc[~stored, keys].merge(computed, on=["upload_id", "project_id"], how="inner"))
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=[*keys, *COLUMNS])
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out = out[out.task_rows > 0].sort_values(["project_id", "snapshot_as_of"], kind="stable")
    out["snapshot_as_of"] = pd.to_datetime(out.snapshot_as_of).astype("datetime64[s]")  # as dates read into pandas
    out["status_date"] = pd.to_datetime(out.status_date).dt.date
    numbers = [c for c in COLUMNS if c not in ("status_date", "unit")]
    out[numbers] = out[numbers].astype(float)
    return out.reset_index(drop=True)


def money_only(points: pd.DataFrame) -> pd.DataFrame:
    """The points with their amounts empty (NaN) where the plan runs EVM in hours: hours are never
    added to money in a roll-up (the indices, unitless, are kept)."""
    out = points.copy()
    out.loc[out.unit.eq("hours"), MONEY] = float("nan")
    return out
