"""Monte Carlo forecast: seeded, reproducible, monotone in the remaining scope."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.forecast import finish_days, forecast_dates

AS_OF = dt.date(2026, 3, 2)
SAMPLE = [3, 0, 5, 2, 4, 1, 6, 3]


def test_same_seed_same_dates_and_different_seed_differs():
    a = forecast_dates(SAMPLE, 40, AS_OF, seed=7)
    b = forecast_dates(SAMPLE, 40, AS_OF, seed=7)
    assert a == b
    days7 = finish_days(SAMPLE, 40, seed=7)
    days8 = finish_days(SAMPLE, 40, seed=8)
    assert not np.array_equal(days7, days8)


def test_percentiles_are_ordered_and_plausible():
    f = forecast_dates(SAMPLE, 40, AS_OF)
    assert AS_OF < f["p50"] <= f["p85"] <= f["p95"]
    # mean throughput 3/week -> about 13 weeks for 40
    weeks = (f["p50"] - AS_OF).days / 7
    assert 10 <= weeks <= 16


def test_nothing_remaining_gives_the_as_of_date():
    f = forecast_dates(SAMPLE, 0, AS_OF)
    assert f["p50"] == f["p85"] == f["p95"] == AS_OF
    assert forecast_dates([], 0, AS_OF)["p95"] == AS_OF


def test_constant_throughput_is_exact():
    f = forecast_dates([5, 5, 5], 20, AS_OF)
    assert f["p50"] == f["p95"] == AS_OF + dt.timedelta(days=28)
    # half a week's work finishes mid-week
    assert forecast_dates([5], 2.5, AS_OF)["p50"] == AS_OF + dt.timedelta(days=4)  # ceil(3.5)


def test_no_throughput_gives_no_forecast_with_a_reason():
    f = forecast_dates([0, 0, 0], 10, AS_OF)
    assert f["p50"] is None and f["p95"] is None
    assert "no completed work" in f["reason"]
    assert forecast_dates([], 10, AS_OF)["p85"] is None


def test_beyond_horizon_is_none():
    f = forecast_dates([1, 0, 0, 0, 0], 10_000, AS_OF, trials=200)
    assert f["p95"] is None and f["reason"]


@settings(max_examples=40, deadline=None)
@given(
    sample=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=15),
    a=st.floats(min_value=0, max_value=150),
    b=st.floats(min_value=0, max_value=150),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_more_remaining_scope_never_gives_an_earlier_date(sample, a, b, seed):
    lo, hi = sorted((a, b))
    f_lo = forecast_dates(sample, lo, AS_OF, trials=300, seed=seed)
    f_hi = forecast_dates(sample, hi, AS_OF, trials=300, seed=seed)
    for p in ("p50", "p85", "p95"):
        if f_hi[p] is not None and f_lo[p] is not None:
            assert f_lo[p] <= f_hi[p]
        if f_lo[p] is None and sum(sample) > 0:
            assert f_hi[p] is None  # beyond the horizon stays beyond it
        if lo == 0:
            assert f_lo[p] == AS_OF
