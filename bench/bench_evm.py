"""Benchmark: EVM with Earned Schedule for a 10,000-task plan with 50 weekly snapshots.

    python bench/bench_evm.py [--tasks 10000] [--snapshots 50]

Prints time per snapshot for ``metrics.evm.evm_at`` and ``evm_history``, the project page's whole
computation (``project_view``, read from DuckDB) and an AppTest rerun of app_pages/project.py, as
ratios against baselines measured in the same run:

* floor  = one vectorised pass Σ baseline cost × % complete over the snapshot (the least any EVM
  must do);
* naive  = a straightforward per-task Python loop computing PV with ``numpy.busday_count``.

Peak memory from ``resource.getrusage``. Generated data goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import evm  # noqa: E402
from store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
START = dt.date(2025, 1, 6)


def make_plan(n_tasks: int, rng: np.random.Generator) -> pd.DataFrame:
    """Summary rows every 50 tasks (outline level 1), leaves at level 2, 5 % milestones."""
    bdays = pd.bdate_range(START, periods=520)
    rows = n_tasks
    level = np.where(np.arange(rows) % 50 == 0, 1, 2)
    start_idx = np.sort(rng.integers(0, 480, rows))
    length = rng.integers(1, 21, rows)
    milestone = (rng.random(rows) < 0.05) & (level == 2)
    length[milestone] = 0
    finish_idx = np.minimum(start_idx + np.maximum(length - 1, 0), 519)
    bs = bdays[start_idx] + pd.Timedelta(hours=8)
    bf = bdays[finish_idx] + pd.Timedelta(hours=17)
    bs = bs.where(~milestone, bf)
    cost = np.where(milestone, 0.0, rng.integers(1, 50, rows) * 500.0)
    return pd.DataFrame(
        {
            "row_number": np.arange(2, rows + 2),
            "task_uid": np.arange(1, rows + 1),
            "task_id": np.arange(1, rows + 1),
            "wbs": [f"{i // 50 + 1}" if lv == 1 else f"{i // 50 + 1}.{i % 50}" for i, lv in enumerate(level)],
            "name": [f"Task {i}" for i in range(rows)],
            "outline_level": level,
            "is_summary": level == 1,
            "is_milestone": milestone,
            "baseline_start": bs,
            "baseline_finish": bf,
            "baseline_duration_hours": length * 8.0,
            "baseline_cost": cost,
        }
    )


def snapshot(plan: pd.DataFrame, week: int, rng: np.random.Generator) -> tuple[dt.date, pd.DataFrame]:
    """Progress at the Friday of ``week``: 85-100 % of plan, actual cost 95-115 % of earned, slips."""
    status = START + dt.timedelta(days=7 * week + 4)
    frame = plan.copy()
    bs = frame["baseline_start"].to_numpy().astype("datetime64[D]")
    bf = frame["baseline_finish"].to_numpy().astype("datetime64[D]")
    total = np.maximum(np.busday_count(bs, bf + np.timedelta64(1, "D")), 1)
    done = np.clip(np.busday_count(bs, np.datetime64(status) + np.timedelta64(1, "D")), 0, None)
    planned = np.clip(done / total, 0, 1)
    factor = 0.85 + 0.15 * rng.random(len(frame))
    pct = np.round(planned * factor * 100)
    frame["percent_complete"] = pct
    frame["actual_cost"] = frame["baseline_cost"] * pct / 100 * (0.95 + 0.2 * rng.random(len(frame)))
    slip = pd.to_timedelta(np.floor(week / 10) * rng.integers(0, 3, len(frame)), unit="D")
    frame["start"] = frame["baseline_start"]
    frame["finish"] = frame["baseline_finish"] + slip
    return status, frame


def naive_pv(tasks: pd.DataFrame, status: dt.date) -> float:
    """The baseline: PV task by task in a Python loop."""
    total = 0.0
    d = np.datetime64(status) + np.timedelta64(1, "D")
    for row in tasks.itertuples():
        if row.is_summary or row.baseline_cost == 0:
            continue
        s = np.datetime64(row.baseline_start.date())
        f = np.datetime64(row.baseline_finish.date()) + np.timedelta64(1, "D")
        n = np.busday_count(s, f)
        k = min(max(np.busday_count(s, d), 0), n)
        total += row.baseline_cost * (k / n if n else float(d > f - np.timedelta64(1, "D")))
    return total


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--snapshots", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    plan = make_plan(args.tasks, rng)
    snaps = [snapshot(plan, week, rng) for week in range(1, args.snapshots + 1)]
    history = pd.concat([f.assign(snapshot_as_of=pd.Timestamp(d), project_id="bench") for d, f in snaps])
    status, tasks = snaps[-1]
    print(f"plan: {args.tasks} tasks ({int((~plan.is_summary).sum())} leaves), {args.snapshots} snapshots")

    floor = timed(lambda: float((tasks.baseline_cost * tasks.percent_complete / 100)[~tasks.is_summary].sum()))
    naive = timed(lambda: naive_pv(tasks, status), repeat=1)
    one = timed(lambda: evm.evm_at(tasks, status))
    hist = timed(lambda: evm.evm_history(history), repeat=1)
    per_snapshot = hist / args.snapshots
    print(f"baseline floor (vectorised Σ cost × %)     {floor * 1000:9.2f} ms")
    print(f"baseline naive per-task PV loop            {naive * 1000:9.2f} ms")
    print(f"evm_at, one snapshot                       {one * 1000:9.2f} ms")
    print(f"evm_history, {args.snapshots} snapshots                  {hist * 1000:9.2f} ms")
    print(f"TIME PER SNAPSHOT = {per_snapshot * 1000:.1f} ms")
    print(f"RATIO evm_at / floor = {one / floor:.1f}x;  evm_at / naive loop = {one / naive:.3f}x")

    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "bench_evm.duckdb"
    db_path.unlink(missing_ok=True)
    db = Store(db_path)
    empty = pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"])
    t0 = time.perf_counter()
    for d, frame in snaps:
        db.write_upload(
            source="msproject",
            fmt="bench",
            file_name=f"bench-{d}.csv",
            sha256=hashlib.sha256(str(d).encode()).hexdigest(),
            project_id="bench",
            as_of=d,
            tables={"tasks": frame.assign(project_id="bench")},
            problems=empty,
            rows_loaded=len(frame),
            rows_rejected=0,
        )
    print(f"(store written in {time.perf_counter() - t0:.1f} s)")
    view = timed(lambda: evm.project_view(db, "bench"), repeat=1)
    print(
        f"project_view from DuckDB (page, uncached)  {view * 1000:9.2f} ms  = {view / args.snapshots * 1000:.1f} ms/snapshot"
    )

    import os

    import store as store_module

    os.environ["PMO_DB"] = str(db_path)
    store_module.DEFAULT_DB = db_path
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app_pages" / "project.py"), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - t0
    assert not at.exception, at.exception
    print(f"page first render (cold cache)             {first * 1000:9.2f} ms")
    print(f"PAGE RERUN (cached) = {rerun * 1000:.0f} ms (target < 1000 ms) {'OK' if rerun < 1 else 'OVER'}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"PEAK memory = {peak:.0f} MB")


if __name__ == "__main__":
    main()
