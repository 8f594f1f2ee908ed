"""CLI: python -m reports pack [--out FILE.pptx|FILE.xlsx|FILE.pdf] [--as-of D] [--compare-with D] [--db PATH]

The format follows the file's extension (default ``pack.pptx``). Exit 0 when written, 2 when there
is nothing to report or the arguments are wrong; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from metrics import MetricsError
from store import Store, StoreError, clamp_as_of

FORMATS = {".pptx": "reports.deck", ".xlsx": "reports.workbook", ".pdf": "reports.document"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def main(argv: list[str] | None = None) -> int:
    import importlib

    parser = argparse.ArgumentParser(prog="python -m reports", description="The executive status pack.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="write the executive pack")
    p.add_argument("--out", default="pack.pptx", help="FILE.pptx, FILE.xlsx or FILE.pdf (default pack.pptx)")
    p.add_argument("--as-of", type=_date, help="YYYY-MM-DD (default: the latest snapshot)")
    p.add_argument("--compare-with", type=_date, help="add 'what changed' since this date (default: a week before)")
    p.add_argument("--db", help="database file (default data/portfolio.duckdb)")
    p.add_argument("--user", help="the signed-in user's e-mail: with PMO_ROLES set, only what their role allows")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"error: {out.name}: the pack is written as .pptx, .xlsx or .pdf.", file=sys.stderr)
        return 2
    from reports.content import build

    try:
        store = Store.for_user(args.db, args.user, create=False)  # a missing database is an error
        as_of = clamp_as_of(args.as_of, dt.date.today()) if args.as_of else store.default_as_of(dt.date.today())
        compare = args.compare_with or (as_of - dt.timedelta(days=7) if as_of else None)
        if compare and as_of and compare >= as_of:
            print(f"error: --compare-with {compare} is not before the as-of date {as_of}.", file=sys.stderr)
            return 2
        pack = build(store, as_of, compare)
    except (MetricsError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = importlib.import_module(FORMATS[out.suffix.lower()]).render(pack)
    try:
        out.write_bytes(data)
    except OSError as err:
        print(f"error: {out}: cannot be written ({err.strerror}).", file=sys.stderr)
        return 2
    print(
        f"{out}: {len(pack.projects)} red and amber project pages, {len(pack.appendix)} projects, as of {pack.as_of}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
