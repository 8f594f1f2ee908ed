"""Escalation notifications: what turned red since the last run, posted once to Teams or Slack.

``events`` decides what changed (pure), ``messages`` builds the Teams Adaptive Card envelope and
the Slack Block Kit message (pure), ``webhook`` posts with bounded time-outs and back-off,
``channels`` reads the channel configuration, ``run`` ties them to the store. CLI:
``python -m notify escalations --webhook URL [--format teams|slack] [--dry-run]``.
"""
