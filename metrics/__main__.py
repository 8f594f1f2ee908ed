"""CLI: python -m metrics {evm,delivery,budget,portfolio,risk,capacity,contracts} [--project ID] [--as-of D] [--db PATH] --json

Each subcommand calls ``report(store, project_id=..., as_of=...) -> dict`` of its module
(metrics.evm, metrics.delivery, metrics.budget, metrics.portfolio, metrics.risk) and prints JSON.
``python -m metrics rebuild-points [--db PATH]`` computes every plan snapshot's stored EVM point
again (:mod:`metrics.evm_points`), after a formula change or on a database stored before them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import sys

from metrics import MetricsError
from store import Store, StoreError, clamp_as_of

COMMANDS = {
    "evm": ("metrics.evm", True, "earned value with Earned Schedule for one project"),
    "delivery": ("metrics.delivery", True, "velocity, throughput, lead time and forecast for one project"),
    "budget": ("metrics.budget", False, "budget variance by project, category and vendor"),
    "portfolio": ("metrics.portfolio", False, "health of every project"),
    "contracts": ("metrics.contracts", False, "contract value, invoiced, remaining, burn and exhaustion date"),
    "capacity": ("metrics.capacity", False, "load, capacity and over-allocation per person and week"),
    "risk": ("metrics.risk", False, "risks and issues: scores, heat map, trends and escalations"),
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def to_jsonable(value):
    """Dates as ISO text, NaN/inf as null, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


def _as_of(store: Store, asked: dt.date | None, today: dt.date) -> dt.date | None:
    """The as-of date to report: never later than today + 31 days (``store.clamp_as_of``), so a
    snapshot dated 9999-12-31 is not the default; None (each report's own default, the latest
    snapshot) when nothing stored is later than that. Says on stderr when it clamped."""
    limit = clamp_as_of(None, today)
    if asked is not None:
        if asked > limit:
            print(f"note: --as-of {asked} is later than today + 31 days; reporting as of {limit}.", file=sys.stderr)
            return limit
        return asked
    latest = store.latest_as_of() or store.latest_as_of(include_register=True)
    if latest is None or latest <= limit:
        return None
    chosen = store.default_as_of(today)
    print(
        f"note: a snapshot is dated {latest} (later than today + 31 days); reporting as of {chosen}.", file=sys.stderr
    )
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="Portfolio metrics as JSON.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, needs_project, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--project", required=needs_project, help="project id")
        p.add_argument("--as-of", type=_date, help="YYYY-MM-DD (default: the latest snapshot)")
        p.add_argument("--db", help="database file (default data/portfolio.duckdb)")
        p.add_argument("--user", help="the signed-in user's e-mail: with PMO_ROLES set, only what their role allows")
        p.add_argument("--json", action="store_true", help="print JSON (the only output format)")
        if name == "capacity":
            p.add_argument("--weeks", type=int, default=12, help="weeks from the as-of week (default 12)")
        if name == "budget":
            p.add_argument(
                "--fy-start-month",
                type=int,
                choices=range(1, 13),
                metavar="1-12",
                default=None,
                help="first month of the fiscal year (default: the stored setting, else 1 = January)",
            )
    rebuild = sub.add_parser("rebuild-points", help="compute every plan snapshot's stored EVM point again")
    rebuild.add_argument("--db", help="database file (default data/portfolio.duckdb)")
    rebuild.add_argument("--user", help="the signed-in user's e-mail (the PMO: a rebuild covers every project)")
    args = parser.parse_args(argv)
    if args.command == "rebuild-points":
        return _rebuild_points(args)
    module_name = COMMANDS[args.command][0]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        print(f"error: the {args.command} metrics are not available in this version.", file=sys.stderr)
        return 2
    try:
        store = Store.for_user(args.db, args.user, create=False)  # a report never creates a database
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    try:
        as_of = _as_of(store, args.as_of, dt.date.today())
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    kwargs = {"as_of": as_of}
    if args.project is not None or COMMANDS[args.command][1]:
        kwargs["project_id"] = args.project
    if args.command == "budget":
        kwargs["fy_start_month"] = args.fy_start_month
    if args.command == "capacity":
        kwargs["weeks"] = args.weeks
    try:
        with store.batch():  # one connection for the whole report
            result = module.report(store, **kwargs)
    except (MetricsError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(to_jsonable(result), indent=2, ensure_ascii=False))
    return 0


def _rebuild_points(args) -> int:
    from metrics import evm_points

    try:
        store = Store.for_user(args.db, args.user, create=False)
        with store.batch():
            count = evm_points.rebuild(store)
    except (MetricsError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{count} EVM points computed (formula version {evm_points.VERSION}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
