"""Altair charts to PNG with vl-convert: the pack's charts are the pages' chart specs."""

from __future__ import annotations

import altair as alt
import vl_convert as vlc

VL_VERSION = "6.4"  # the Vega-Lite version Altair 6.3 writes and vl-convert 1.9 ships
WIDTH, HEIGHT = 640, 300


def png(chart: alt.TopLevelMixin, *, width: int = WIDTH, height: int = HEIGHT, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes. Charts sized to their page container get a fixed size here."""
    spec = chart.to_dict()
    if spec.get("width") in (None, "container"):
        spec["width"] = width
    if spec.get("height") in (None, "container"):
        spec["height"] = height
    spec.setdefault("background", "white")
    return vlc.vegalite_to_png(spec, scale=scale, vl_version=VL_VERSION)
