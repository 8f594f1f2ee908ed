"""Posting to a webhook: bounded time-outs, back-off on 429 and 5xx, and a URL that is never
logged or shown in full (it is the channel's password)."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_S = 10.0
ATTEMPTS = 4
BACKOFF_S = 1.0
MAX_WAIT_S = 30.0


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None  # the last HTTP status, None when no answer came
    attempts: int
    detail: str  # one sentence, safe to log (never the URL)


def redact(url: str) -> str:
    """``https://host/…abcd``: enough to recognise a webhook, never enough to use it."""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) > 12 else ""
    return f"{parts.scheme}://{parts.hostname or '?'}/…{tail}"


def channel_id(url: str) -> str:
    """A stable name for an unnamed channel, derived from (not containing) the URL."""
    return "webhook-" + hashlib.sha256(url.encode()).hexdigest()[:12]


def post(
    url: str,
    payload: dict,
    *,
    timeout: float = TIMEOUT_S,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_S,
    sleep: Callable[[float], None] = time.sleep,
) -> PostResult:
    """POST ``payload`` as JSON. Retries 429 (honouring Retry-After, capped) and 5xx and network
    errors with exponential back-off; any other status is final. Never raises."""
    if urlsplit(url).scheme not in ("https", "http"):
        return PostResult(False, None, 0, "the webhook is not an http(s) URL.")
    body = json.dumps(payload).encode()
    status, detail = None, ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        wait = backoff * 2 ** (attempt - 1)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return PostResult(True, response.status, attempt, f"HTTP {response.status}")
        except urllib.error.HTTPError as err:
            status, detail = err.code, f"HTTP {err.code} {err.reason}"
            if err.code != 429 and err.code < 500:
                return PostResult(False, status, attempt, detail)
            retry_after = err.headers.get("Retry-After") if err.headers else None
            if retry_after and retry_after.strip().isdigit():
                wait = float(retry_after)
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            status, detail = None, f"no answer ({type(reason).__name__})"
        if attempt < attempts:
            sleep(min(wait, MAX_WAIT_S))
    return PostResult(False, status, attempts, f"{detail} after {attempts} attempts")
