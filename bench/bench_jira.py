"""Benchmark: the Jira loader on a 1,000,000-row "all fields"-shaped CSV.

Generates (once) ``bench/out/jira_1m.csv``: Jira "all fields" column order, Sprint ×4 (left-packed,
carry-over), Labels ×2, quoted multi-line descriptions, ``dd/MMM/yy h:mm a`` dates, seconds
estimates, story points in the second of three candidate columns. Then, in the same run:

* baseline: bare DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(path, all_varchar=true)``;
* ours: ``loaders.jira.parse(bytes, name)`` (bytes -> issues + issue_sprints frames).

Prints the ratio ours / baseline (target <= 1.5) and the peak resident memory (target <= 2 GB).
Run: ``python bench/bench_jira.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import random
import resource
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
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name", "Priority",
    "Resolution", "Assignee", "Reporter", "Created", "Updated", "Resolved", "Due date", "Labels", "Labels",
    "Description", "Original estimate", "Remaining Estimate", "Time Spent", "Sprint", "Sprint", "Sprint", "Sprint",
    "Custom field (Story Points)", "Custom field (Story point estimate)", "Custom field (Story points)",
    "Parent", "Parent key", "Fix versions", "Components", "Status Category",
]  # fmt: skip
STATUSES = [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done"), ("Done", "Done")]


def jira_date(rng: random.Random) -> str:
    hour = rng.randint(1, 12)
    return f"{rng.randint(1, 28):02d}/{rng.choice(MONTHS)}/{rng.randint(23, 25)} {hour}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}"


def generate(path: Path, rows: int) -> None:
    rng = random.Random(42)
    sprints = [f"BIG Sprint {i}" for i in range(1, 60)]
    dates = [jira_date(rng) for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for n in range(1, rows + 1):
            status, category = STATUSES[n % 4]
            first = n % 50
            k = (n % 4) + (0 if n % 7 else -1)
            sprint_cells = [sprints[first + j] for j in range(max(k, 0))] + [""] * (4 - max(k, 0))
            desc = f'"Line one of {n}\nline two, with a comma"' if n % 10 == 0 else ""
            parent = str(n - 1) if n % 9 == 0 else ""
            parent_key = f"BIG-{n - 1}" if parent else ""
            done = status == "Done"
            row = [
                f"Issue number {n}", f"BIG-{n}", str(n), "Sub-task" if parent else "Story", status, "BIG",
                "Big Project", "Medium", "Done" if done else "", f"user{n % 37}", "reporter", dates[n % 5000],
                dates[(n * 7) % 5000], dates[(n * 3) % 5000] if done else "", "", "backend" if n % 3 else "",
                "", desc, "28800" if n % 5 == 0 else "", "", "", *sprint_cells, "",
                f"{(n % 8) + 1}.0" if n % 2 else "", "", parent, parent_key, "1.0" if n % 11 == 0 else "",
                "", category,
            ]  # fmt: skip
            fh.write(",".join(row) + "\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"jira_{args.rows}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path.name}: {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - t0:.1f} s")
    size = path.stat().st_size / 2**20

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar=true)", [str(path)])
    baseline = time.perf_counter() - t0
    base_rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    con.close()
    print(f"baseline: duckdb read_csv(all_varchar) of {size:.0f} MB, {base_rows} rows: {baseline:.2f} s")

    mem_before = peak_mb()
    t0 = time.perf_counter()
    data = path.read_bytes()
    parsed = jira.parse(data, path.name)
    ours = time.perf_counter() - t0
    issues, sprints = parsed.tables["issues"], parsed.tables["issue_sprints"]
    print(
        f"jira.parse (read bytes + parse): {ours:.2f} s -> {len(issues)} issues, {len(sprints)} sprint memberships, "
        f"{len(parsed.problems)} problems"
    )
    ratio = ours / baseline
    peak = peak_mb()
    print(f"RATIO parse / baseline = {ratio:.2f}x (target <= 1.5x) {'OK' if ratio <= 1.5 else 'OVER'}")
    print(f"PEAK memory = {peak:.0f} MB (before parse {mem_before:.0f} MB; target <= 2048 MB) {'OK' if peak <= 2048 else 'OVER'}")


if __name__ == "__main__":
    main()
