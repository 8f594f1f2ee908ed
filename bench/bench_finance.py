"""Benchmark: the finance loader on a generated 1,000,000-row ledger CSV vs a bare DuckDB read.

Generates (once) ``bench/out/finance_ledger_<rows>.csv``: one posting per row — posting date
(ISO, 24 months), WBS element (200), cost element (30), vendor (500) in 3,000 purchase relations
(so about 70,000 month × project × category × vendor lines), amount (two decimals, some
``(1,234.56)`` credits and ``-`` zeros as accountants write them), currency (EUR/USD/GBP). Then, in
the same run, each measurement in a fresh child process (imports before the clock), interleaved,
best of N:

* baseline: bare DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(path)``;
* ours: ``loaders.finance.parse(path.read_bytes(), name)`` (bytes in, as an upload gives them) -> ``budget_lines`` aggregated to
  month × project × category × vendor × currency (the aggregation runs in DuckDB SQL).

Prints the wall-clock ratio ours / baseline (target <= 2.0) and the same ratio in CPU seconds.
Run: ``python bench/bench_finance.py [--rows N] [--repeat N]``.
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

OUT = ROOT / "bench" / "out"
HEADER = "Posting Date,WBS Element,Cost Element,Vendor,Document,Amount,Currency\n"


def generate(path: Path, rows: int) -> None:
    rng = random.Random(12)
    wbs = [f"P-{1000 + i}.{i % 7}.{i % 3}" for i in range(200)]
    elements = [f"4{i:05d} Cost element {i}" for i in range(30)]
    vendors = [f"Vendor {i} GmbH" for i in range(500)]
    # 3,000 purchase relations (WBS element, cost element, vendor, currency) a ledger keeps posting to
    relations = [
        (rng.choice(wbs), rng.choice(elements), v, "EUR" if i % 10 < 8 else ("USD", "GBP")[i % 2])
        for i, v in enumerate(rng.choice(vendors) for _ in range(3000))
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for n in range(rows):
            day = f"{2024 + (n % 24) // 12}-{(n % 12) + 1:02d}-{rng.randint(1, 28):02d}"
            value = rng.randint(-50000, 500000) / 100
            amount = f'"({-value:,.2f})"' if value < 0 else ("-" if n % 997 == 0 else f"{value:.2f}")
            project, element, vendor, currency = rng.choice(relations)
            fh.write(f'{day},{project},{element},"{vendor}",{n},{amount},{currency}\n')


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, path: Path) -> None:
    """One measurement in a fresh process; imports are done before the clock starts."""
    import duckdb

    from loaders.finance import parse

    if kind == "baseline":
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        start, cpu = time.perf_counter(), cpu_seconds()
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    else:
        start, cpu = time.perf_counter(), cpu_seconds()
        parsed = parse(path.read_bytes(), path.name)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        rows = len(parsed.tables["budget_lines"])
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "rows": rows}))


def run_child(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"finance_ledger_{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for kind in ("baseline", "ours"):
            got = run_child(kind, path)
            if kind not in best or got["seconds"] < best[kind]["seconds"]:
                best[kind] = got
    base, ours = best["baseline"], best["ours"]
    print(
        f"ledger {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MB): bare DuckDB read_csv "
        f"{base['seconds']:.2f} s, finance.parse {ours['seconds']:.2f} s -> {ours['rows']:,} budget lines"
    )
    print(
        f"ratio ours/baseline: wall {ours['seconds'] / base['seconds']:.2f}x (target <= 2.0), "
        f"cpu {ours['cpu'] / base['cpu']:.2f}x"
    )


if __name__ == "__main__":
    main()
