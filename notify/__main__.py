"""CLI: python -m notify {escalations,test} — post what turned red to Microsoft Teams or Slack.

    python -m notify escalations --webhook URL [--format teams|slack] [--dry-run] [--base-url URL]
    python -m notify escalations --config notify.toml      # every configured channel
    python -m notify test --webhook URL [--format teams|slack]

Exit status: 0 when every message was posted (or --dry-run), 1 when a post failed (it is retried
on the next run), 2 for a usage or configuration error. Webhook URLs are never printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from notify import channels as ch
from notify.messages import test_message
from notify.run import escalate
from notify.webhook import post
from store import Store, StoreError, clamp_as_of


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m notify", description="Escalations to Teams or Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("escalations", "post what turned red since the last run"), ("test", "post a test message")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--webhook", help="incoming webhook URL (a secret: prefer --config with webhook_env)")
        p.add_argument("--format", choices=ch.FORMATS, default="teams")
        p.add_argument("--config", help="channels file (default $PMO_NOTIFY_CONFIG)")
        p.add_argument("--base-url", help="the dashboard's address, for links (default $PMO_BASE_URL)")
        if name == "escalations":
            p.add_argument("--db", help="database file (default data/portfolio.duckdb)")
            p.add_argument("--as-of", type=_date, help="YYYY-MM-DD (default: the latest snapshot)")
            p.add_argument("--dry-run", action="store_true", help="print the messages; send and store nothing")
    return parser


def _config(args) -> ch.Config:
    if args.webhook:
        return ch.from_webhook(args.webhook, args.format, args.base_url)
    config = ch.load(args.config)
    if config is None or not config.channels:
        raise ch.ConfigError("no channel: give --webhook URL or --config FILE (or set PMO_NOTIFY_CONFIG).")
    return ch.Config(args.base_url or config.base_url, config.channels)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = _config(args)
    except ch.ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for channel in config.channels:
        if args.command == "test":
            result = post(channel.webhook, test_message(channel.format, config.base_url))
            print(f"{channel.name} ({channel.shown_webhook}): {'sent' if result.ok else 'FAILED'} — {result.detail}")
            failed += not result.ok
            continue
        try:
            store = Store(args.db, create=False)  # escalations read the portfolio: a missing database is an error
            today = dt.date.today()  # never as of a snapshot dated far in the future (9999-12-31)
            as_of = clamp_as_of(args.as_of, today) if args.as_of else store.default_as_of(today)
            outcomes = escalate(store, channel, base_url=config.base_url, as_of=as_of, dry_run=args.dry_run)
        except StoreError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if not outcomes:
            print(f"{channel.name}: nothing new to escalate.")
        for outcome in outcomes:
            print(f"{channel.name}: {outcome.status.upper()} {outcome.event.headline} — {outcome.detail}")
            if args.dry_run:
                print(json.dumps(outcome.payload, indent=2, ensure_ascii=False))
        failed += sum(o.status == "failed" for o in outcomes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
