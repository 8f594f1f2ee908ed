"""CLI: python -m data demo [--db PATH] [--if-missing]

``demo`` generates the demo export files (:mod:`data.generate`) and loads every one of them through
the real ingest path into a new database (:mod:`data.demo`); it exits 1 when any file was refused.
"""

from __future__ import annotations

import argparse
import sys

from data.demo import build_demo
from store import Store, StoreError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data", description="The demo portfolio.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate the demo export files and build the demo database from them")
    demo.add_argument("--db", help="database file (default data/portfolio.duckdb)")
    demo.add_argument("--if-missing", action="store_true", help="do nothing when the database already exists")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        summary = build_demo(
            Store(args.db),
            progress=lambda done, total, label: print(f"[{done}/{total}] {label}", flush=True),
            only_if_missing=args.if_missing,
        )
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(summary.line())
    return 0 if summary.refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
