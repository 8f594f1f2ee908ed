"""Benchmark: the Jira loader on a 1,000,000-row "all fields"-shaped CSV.

Generates (once) ``bench/out/jira_<rows>.csv`` (346 MB for 1M rows): 68 columns in Jira Cloud's "all
fields" order (Watchers ×4, Attachment ×2, Comment ×2, custom fields), Sprint ×4 left-packed with
carry-over, Labels ×2, quoted multi-line descriptions and comments, ``dd/MMM/yy h:mm a`` dates,
estimates in seconds, story points in the second of three candidate columns, Parent ids. Then, in
the same run, each measurement in a fresh child process (its own peak memory), interleaved, best of N:

* baseline: bare DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(path, all_varchar=true)``;
* ours: ``loaders.jira.parse(path.read_bytes(), name)`` -> issues + issue_sprints frames.

Prints the wall-clock ratio ours / baseline (target <= 1.5), the same ratio in CPU seconds (steadier
when other jobs share the machine) and the parse process's peak resident memory (target <= 2 GB).
Then the small-file case (the demo parses 138 exports of ~1,500 rows): the best parse time of a
generated 1,500-row file, where DuckDB's per-query overhead dominates.
Run: ``python bench/bench_jira.py [--rows N] [--repeat N] [--small-rows N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from loaders import jira  # noqa: E402

OUT = ROOT / "bench" / "out"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Project type",
    "Project lead",
    "Project lead id",
    "Project description",
    "Priority",
    "Resolution",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Creator",
    "Creator Id",
    "Created",
    "Updated",
    "Last Viewed",
    "Resolved",
    "Due date",
    "Votes",
    "Labels",
    "Labels",
    "Description",
    "Environment",
    *["Watchers"] * 4,
    *["Watchers Id"] * 4,
    "Original estimate",
    "Remaining Estimate",
    "Time Spent",
    "Work Ratio",
    "Σ Original Estimate",
    "Σ Remaining Estimate",
    "Σ Time Spent",
    "Security Level",
    "Attachment",
    "Attachment",
    "Custom field (Rank)",
    "Custom field (Start date)",
    "Custom field (Team)",
    "Custom field (Flagged)",
    "Custom field (Development)",
    "Sprint",
    "Sprint",
    "Sprint",
    "Sprint",
    "Custom field (Story Points)",
    "Custom field (Story point estimate)",
    "Custom field (Story points)",
    "Parent",
    "Parent key",
    "Parent summary",
    "Fix versions",
    "Components",
    "Comment",
    "Comment",
    "Status Category",
    "Status Category Changed",
]
STATUSES = [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done"), ("Done", "Done")]


def jira_date(rng: random.Random) -> str:
    hour = rng.randint(1, 12)
    return (
        f"{rng.randint(1, 28):02d}/{rng.choice(MONTHS)}/{rng.randint(23, 25)} {hour}:{rng.randint(0, 59):02d} "
        f"{rng.choice(['AM', 'PM'])}"
    )


def generate(path: Path, rows: int) -> None:
    """Deterministic rows in the column order and cell formats of a Jira Cloud "all fields" export."""
    rng = random.Random(42)
    sprints = [f"BIG Sprint {i}" for i in range(1, 60)]
    dates = [jira_date(rng) for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for n in range(1, rows + 1):
            status, category = STATUSES[n % 4]
            first = n % 50
            k = max((n % 4) + (0 if n % 7 else -1), 0)
            sprint_cells = [sprints[first + j] for j in range(k)] + [""] * (4 - k)
            desc = f'"Line one of {n}\nline two, with a comma"' if n % 10 == 0 else ""
            comment = f'"{dates[n % 5000]};712020:abc;Looks good\nthanks"' if n % 6 == 0 else ""
            parent = str(n - 1) if n % 9 == 0 else ""
            parent_key = f"BIG-{n - 1}" if parent else ""
            done = status == "Done"
            user = f"user{n % 37}"
            row = [
                f"Issue number {n}",
                f"BIG-{n}",
                str(n),
                "Sub-task" if parent else "Story",
                status,
                "BIG",
                "Big Project",
                "software",
                "lead",
                "712020:lead",
                "",
                "Medium",
                "Done" if done else "",
                user,
                f"712020:{n % 37}",
                "reporter",
                "712020:rep",
                "reporter",
                "712020:rep",
                dates[n % 5000],
                dates[(n * 7) % 5000],
                dates[(n * 5) % 5000],
                dates[(n * 3) % 5000] if done else "",
                "",
                "0",
                "backend" if n % 3 else "",
                "",
                desc,
                "",
                user,
                "",
                "",
                "",
                f"712020:{n % 37}",
                "",
                "",
                "",
                "28800" if n % 5 == 0 else "",
                "",
                "",
                "",
                "28800" if n % 5 == 0 else "",
                "",
                "",
                "",
                "",
                "",
                f"0|i{n:06d}:",
                "",
                "",
                "",
                "{}",
                *sprint_cells,
                "",
                f"{(n % 8) + 1}.0" if n % 2 else "",
                "",
                parent,
                parent_key,
                f"Issue number {n - 1}" if parent else "",
                "1.0" if n % 11 == 0 else "",
                "",
                comment,
                "",
                category,
                dates[(n * 11) % 5000],
            ]
            fh.write(",".join(row) + "\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, path: Path) -> None:
    """One measurement in a fresh process, so that each peak-memory figure is its own."""
    if kind == "small":
        data = path.read_bytes()
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            jira.parse(data, path.name)
            times.append(time.perf_counter() - t0)
        times.sort()
        print(json.dumps({"best": times[0], "median": times[len(times) // 2]}))
        return
    if kind == "baseline":
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        t0, c0 = time.perf_counter(), cpu_seconds()
        con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar=true)", [str(path)])
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
        print(json.dumps({"seconds": elapsed, "cpu": cpu, "rows": rows, "peak_mb": peak_mb()}))
        return
    t0, c0 = time.perf_counter(), cpu_seconds()
    parsed = jira.parse(path.read_bytes(), path.name)
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu": cpu,
                "rows": len(issues),
                "memberships": len(sprints),
                "problems": len(parsed.problems),
                "story_points": float(issues.story_points.sum()),
                "as_of": str(parsed.as_of),
                "peak_mb": peak_mb(),
            }
        )
    )


def run_child(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small-rows", type=int, default=1500)
    parser.add_argument("--child", choices=["baseline", "parse", "small"])
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.file))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"jira_{args.rows}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path.name}: {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - t0:.1f} s")
    size = path.stat().st_size / 2**20
    baselines, ours = [], []
    for _ in range(args.repeat):  # interleaved, best of N each: the machine is shared with other jobs
        baselines.append(run_child("baseline", path))
        ours.append(run_child("parse", path))
    base = min(baselines, key=lambda r: r["seconds"])
    mine = min(ours, key=lambda r: r["seconds"])
    print(f"file: {path.name}, {size:.0f} MB, {len(HEADER)} columns, {base['rows']} rows")
    print(
        f"baseline duckdb read_csv(all_varchar) into a table: best {base['seconds']:.2f} s of "
        f"{[round(b['seconds'], 2) for b in baselines]}, peak {base['peak_mb']:.0f} MB"
    )
    print(
        f"jira.parse (read bytes + parse to frames):        best {mine['seconds']:.2f} s of "
        f"{[round(o['seconds'], 2) for o in ours]}"
    )
    print(
        f"  -> {mine['rows']} issues, {mine['memberships']} sprint memberships, {mine['problems']} problems, "
        f"story points {mine['story_points']:.0f}, as of {mine['as_of']}"
    )
    ratio = mine["seconds"] / base["seconds"]
    peak = max(o["peak_mb"] for o in ours)
    cpu_ratio = min(o["cpu"] for o in ours) / min(b["cpu"] for b in baselines)
    print(
        f"RATIO parse / baseline = {ratio:.2f}x wall clock (target <= 1.5x) {'OK' if ratio <= 1.5 else 'OVER'}; "
        f"{cpu_ratio:.2f}x in CPU seconds (less sensitive to other jobs on the machine)"
    )
    print(
        f"PEAK memory of the parse process (max RSS, incl. the file's bytes) = {peak:.0f} MB "
        f"(target <= 2048 MB) {'OK' if peak <= 2048 else 'OVER'}"
    )
    small = OUT / f"jira_{args.small_rows}.csv"
    if not small.exists():
        generate(small, args.small_rows)
    times = run_child("small", small)
    print(
        f"SMALL file {small.name} ({small.stat().st_size / 1024:.0f} KB): jira.parse best {times['best'] * 1000:.0f} ms, "
        f"median {times['median'] * 1000:.0f} ms of 15"
    )


if __name__ == "__main__":
    main()
