"""Benchmark: the cost of malformed rows in a Jira CSV (issue #14: 45 % malformed rows made ingest
quadratic, ~11x a clean file at 20,000 rows and growing with the size).

Generates Jira CSVs of N and 2N rows, clean and with 45 % of the rows cut short (wrong number of
cells), and parses each in this process, best of ``--repeat`` in CPU seconds (steadier than wall
time when other jobs share the machine). Prints, per size, the ratio malformed / clean; linear
ingest keeps the ratio the same at N and 2N (measured 2026-12-02 on a loaded 2-core box: 3.9x at
20k and 4.6-5.4x at 40k rows after, 16x and 36-39x before). The rest of the gap is DuckDB's own
store of rejected rows.
Run: ``python bench/bench_malformed.py [--rows N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.ingest import parse_in_process

HEADER = "Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Custom field (Story Points)\n"


def jira_csv(rows: int, malformed: float) -> bytes:
    """``rows`` issues; a random ``malformed`` share of them cut to two cells."""
    bad = set(random.Random(1).sample(range(1, rows + 1), int(rows * malformed)))
    lines = [
        f"broken {n},ABC-{n}\n"
        if n in bad
        else f"Story {n},ABC-{n},{10000 + n},Story,Done,01/Mar/26 9:00 AM,05/Mar/26 9:00 AM,05/Mar/26 9:00 AM,3\n"
        for n in range(1, rows + 1)
    ]
    return (HEADER + "".join(lines)).encode()


def cpu_seconds(data: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        parse_in_process(data, "bench.csv")
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for rows in (args.rows, 2 * args.rows):
        clean = cpu_seconds(jira_csv(rows, 0.0), args.repeat)
        dirty = cpu_seconds(jira_csv(rows, 0.45), args.repeat)
        print(
            f"{rows:>8,} rows  clean {clean:6.2f} s CPU  45 % malformed {dirty:6.2f} s CPU  ratio {dirty / clean:5.1f}x"
        )


if __name__ == "__main__":
    main()
