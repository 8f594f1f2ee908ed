"""CLI: python -m loaders {ingest,uploads}

    python -m loaders ingest FILE [FILE...] [--db PATH] [--project ID] [--as-of YYYY-MM-DD]
                             [--source msproject|jira|finance|register] [--map ROLE=COLUMN ...]
                             [--jobs N]
    python -m loaders uploads [--db PATH] --json

(the demo database is built by ``python -m data demo``)

``ingest`` prints one line per file and exits 0 when every file was stored (or was already
stored), 1 when any file was refused; a refused file changes nothing. ``--map`` tells the
finance loader which column plays which role (``--map actual="Wert/BWähr" --map measure=budget``,
also ``sheet``, ``header_row``, ``layout``, ``year``); a mapping that loads a file is saved for the
file's shape and reused for the next file of that shape. Files are parsed ``--jobs`` at a time
(default: one per core) and stored in the order given (:mod:`loaders.batch`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from loaders.batch import ingest_files
from store import SOURCES, Store, StoreError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _role(text: str) -> tuple[str, str]:
    role, sep, column = text.partition("=")
    if not sep or not role.strip() or not column.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not ROLE=COLUMN (e.g. actual=Amount)")
    return role.strip(), column.strip()


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of files, 1 or more")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loaders", description="Load export files into the portfolio database."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="store export files as dated snapshots")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--db", help="database file (default data/portfolio.duckdb)")
    ingest.add_argument("--user", help="the signed-in user's e-mail: with PMO_ROLES set, only what their role allows")
    ingest.add_argument("--project", help="the project these files belong to (default: from the file)")
    ingest.add_argument("--as-of", type=_date, help="snapshot date YYYY-MM-DD (default: from the file)")
    ingest.add_argument("--source", choices=SOURCES, help="skip format detection")
    ingest.add_argument("--jobs", "-j", type=_jobs, help="files parsed at once (default: one per core)")
    ingest.add_argument("--verbose", "-v", action="store_true", help="also print every problem found")
    ingest.add_argument(
        "--map",
        action="append",
        type=_role,
        default=[],
        metavar="ROLE=COLUMN",
        help="finance files: the column that plays ROLE (repeatable)",
    )
    uploads = sub.add_parser("uploads", help="list stored uploads")
    uploads.add_argument("--db")
    uploads.add_argument("--user", help="the signed-in user's e-mail: with PMO_ROLES set, only what their role allows")
    uploads.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        store = Store.for_user(args.db, getattr(args, "user", None), create=args.command == "ingest")
        if args.command == "ingest":
            return _ingest(store, args)
        frame = store.uploads().drop(columns=["meta"])
        frame["as_of"] = frame["as_of"].dt.date.astype(str)
        frame["loaded_at"] = frame["loaded_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        print(json.dumps(frame.to_dict(orient="records"), indent=2, default=str))
        return 0
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _ingest(store: Store, args) -> int:
    failed = 0
    reports = ingest_files(
        store, args.files, dict(args.map), project_id=args.project, as_of=args.as_of, source=args.source, jobs=args.jobs
    )
    for report in reports:
        print(report.line())
        if args.verbose:
            for p in report.problems:
                where = ", ".join(
                    part for part in (f"row {p.row_number}" if p.row_number else "", p.column_name or "") if part
                )
                print(f"    {p.severity}: {where + ': ' if where else ''}{p.message}")
        failed += not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
