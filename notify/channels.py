"""Where escalations go: channels from a small TOML file, or one ``--webhook`` on the command line.

::

    base_url = "https://pmo.example.com"      # links in messages point here

    [[channels]]
    name = "pmo-leadership"
    format = "teams"                          # teams | slack
    webhook_env = "PMO_TEAMS_WEBHOOK"         # the URL is a secret: keep it in the environment
    programs = ["Digital"]                    # optional: only these programs' projects
    portfolios = []                           # optional: only these portfolios' projects

``webhook = "https://…"`` works too but puts the secret in the file. The file is named by
``--config`` or ``PMO_NOTIFY_CONFIG``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from notify.webhook import channel_id, redact

FORMATS = ("teams", "slack")
DEFAULT_BASE_URL = "http://localhost:8501"


class ConfigError(Exception):
    """The channel configuration cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Channel:
    name: str
    format: str
    webhook: str
    programs: tuple[str, ...] = ()
    portfolios: tuple[str, ...] = ()

    def __repr__(self) -> str:  # a Channel printed or logged never shows its secret
        return f"Channel(name={self.name!r}, format={self.format!r}, webhook={redact(self.webhook)!r})"

    @property
    def shown_webhook(self) -> str:
        return redact(self.webhook)


@dataclass(frozen=True)
class Config:
    base_url: str
    channels: tuple[Channel, ...]


def from_webhook(url: str, fmt: str = "teams", base_url: str | None = None) -> Config:
    if fmt not in FORMATS:
        raise ConfigError(f"format {fmt!r} is not one of {', '.join(FORMATS)}.")
    base = base_url or os.environ.get("PMO_BASE_URL") or DEFAULT_BASE_URL
    return Config(base, (Channel(channel_id(url), fmt, url),))


def load(path: str | os.PathLike | None = None, environ: dict | None = None) -> Config | None:
    """The configured channels, or None when no file is configured."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("PMO_NOTIFY_CONFIG")
    if not path:
        return None
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read ({err.strerror}).") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err}).") from None
    channels = []
    for number, entry in enumerate(data.get("channels", []), start=1):
        fmt = entry.get("format", "teams")
        if fmt not in FORMATS:
            raise ConfigError(f"{path}: channel {number} has format {fmt!r}; use teams or slack.")
        url = entry.get("webhook") or environ.get(entry.get("webhook_env", ""), "")
        if not url:
            where = f"the environment variable {entry['webhook_env']}" if entry.get("webhook_env") else "webhook ="
            raise ConfigError(f"{path}: channel {number} has no webhook URL (set {where}).")
        channels.append(
            Channel(
                name=str(entry.get("name") or channel_id(url)),
                format=fmt,
                webhook=url,
                programs=tuple(entry.get("programs", ())),
                portfolios=tuple(entry.get("portfolios", ())),
            )
        )
    base = data.get("base_url") or environ.get("PMO_BASE_URL") or DEFAULT_BASE_URL
    return Config(base, tuple(channels))
