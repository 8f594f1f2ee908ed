"""Monte Carlo delivery forecasts over sampled weekly throughput (pure, seeded, monotone).

Method (the jira-agile-metrics approach, weekly instead of daily). Each trial draws one past
week's throughput at random (with replacement) for every future week and counts how long the
remaining scope takes: with cumulative draws ``C_k`` and the first week ``k`` where
``C_k >= remaining``, the trial finishes ``7 × (k − 1 + (remaining − C_{k−1}) / draw_k)`` days
after the as-of date (linear inside the finishing week). P50/P85/P95 are order statistics of the
trials' finish days (``inverted_cdf``, i.e. an actual trial, rounded up to whole days).

Reproducible and monotone by construction: the draws for weeks ``52·b … 52·b + 51`` come from a
generator seeded with ``(seed, b)`` only, so the same seed and sample give the same draws whatever
the remaining scope. Per trial the finish time is non-decreasing in the remaining scope, so each
percentile is too: more remaining scope never gives an earlier date, and nothing remaining gives
the as-of date itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

PERCENTILES = (50, 85, 95)
DEFAULT_TRIALS = 2000
DEFAULT_SEED = 20260101
HORIZON_WEEKS = 520  # ten years: a trial not finished by then counts as "beyond the horizon"
_BLOCK = 52


def _block(samples: np.ndarray, trials: int, seed: int, block: int) -> np.ndarray:
    rng = np.random.default_rng([seed, block])
    return samples[rng.integers(0, len(samples), size=(trials, _BLOCK))]


def finish_days(
    samples: Sequence[float],
    remaining: float,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    horizon_weeks: int = HORIZON_WEEKS,
) -> np.ndarray | None:
    """Days from the as-of date until each trial finishes ``remaining`` (shape ``trials``).

    ``samples``: past weekly throughput values (points or issues, ≥ 0). Returns zeros when
    ``remaining`` ≤ 0, ``None`` when there is nothing to sample or every sampled week is zero
    (no throughput → no forecast). Trials that do not finish within ``horizon_weeks`` are ``inf``.
    """
    if remaining is None or remaining <= 0:
        return np.zeros(trials)
    values = np.asarray([float(v) for v in samples if v is not None and math.isfinite(float(v))], dtype=float)
    values = np.clip(values, 0, None)
    if values.size == 0 or not (values > 0).any():
        return None
    days = np.full(trials, np.inf)
    done_before = np.zeros(trials)  # cumulative throughput before the current week
    pending = np.ones(trials, dtype=bool)
    blocks = math.ceil(horizon_weeks / _BLOCK)
    for b in range(blocks):
        draws = _block(values, trials, seed, b)
        cum = done_before[:, None] + np.cumsum(draws, axis=1)
        reached = cum >= remaining
        hit = reached.any(axis=1) & pending
        if hit.any():
            k = reached[hit].argmax(axis=1)  # week index inside the block where the trial finishes
            rows = np.nonzero(hit)[0]
            before = np.where(k > 0, cum[rows, np.maximum(k - 1, 0)], done_before[rows])
            draw = draws[rows, k]
            frac = (remaining - before) / draw
            days[rows] = 7.0 * (b * _BLOCK + k + frac)
            pending[rows] = False
        done_before = cum[:, -1]
        if not pending.any():
            break
    return days


def forecast_dates(
    samples: Sequence[float],
    remaining: float,
    as_of: dt.date,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    percentiles: Sequence[int] = PERCENTILES,
) -> dict:
    """P50/P85/P95 finish dates for ``remaining`` scope, from ``as_of``.

    Returns ``{"p50": date|None, "p85": ..., "p95": ..., "trials": n, "seed": s, "reason": str|None}``.
    A percentile is ``None`` (with ``reason``) when there is no throughput to sample or the
    trials at that percentile do not finish within ten years. Nothing remaining → every
    percentile is ``as_of``.
    """
    out: dict = {"trials": trials, "seed": seed, "reason": None}
    days = finish_days(samples, remaining, trials=trials, seed=seed)
    if days is None:
        out.update({f"p{p}": None for p in percentiles})
        out["reason"] = "no completed work in the sampled weeks, so there is no throughput to forecast from"
        return out
    for p in percentiles:
        value = float(np.percentile(days, p, method="inverted_cdf"))
        out[f"p{p}"] = as_of + dt.timedelta(days=math.ceil(value - 1e-9)) if math.isfinite(value) else None
    if any(out[f"p{p}"] is None for p in percentiles):
        out["reason"] = "some trials do not finish within ten years at the sampled throughput"
    return out
