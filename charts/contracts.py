"""Contract charts: spend by vendor against contract value; when the money runs out against the end.

Pure builders over the frames of :func:`metrics.contracts.page_tables`, one currency per chart.
Value and invoiced use ``SERIES`` colours; the run-out marks use the status colours (red = the
money runs out before the end or is over value, amber = expiring), which is what they mean.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES, STATUS_COLORS

TOP_VENDORS = 15


def _unit(currency: str) -> str:
    return f" ({currency})" if currency else " (currency not stated)"


def vendor_spend(vendors: pd.DataFrame, currency: str = "", top: int = TOP_VENDORS) -> alt.Chart:
    """Horizontal bars per vendor (largest contract value first, ``top`` of them): contract value
    as a light bar, invoiced to date as a dark bar over it. ``vendors``: vendor, value, invoiced,
    remaining, contracts, at_risk."""
    frame = vendors.nlargest(top, "value")[["vendor", "value", "invoiced", "remaining", "contracts", "at_risk"]]
    order = frame.vendor.tolist()
    long = frame.melt(
        id_vars=["vendor", "remaining", "contracts", "at_risk"],
        value_vars=["value", "invoiced"],
        var_name="measure",
        value_name="amount",
    ).replace({"measure": {"value": "Contract value", "invoiced": "Invoiced to date"}})
    unit = _unit(currency)
    title = f"Spend by vendor against contract value{unit}"
    if len(vendors) > top:
        title += f" — top {top} of {len(vendors)} vendors"
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("vendor:N", sort=order, title="Vendor", axis=alt.Axis(labelLimit=220)),
            x=alt.X("amount:Q", stack=None, title=f"Amount{unit}", axis=alt.Axis(format="~s")),
            color=alt.Color(
                "measure:N",
                title="Measure",
                scale=alt.Scale(domain=["Contract value", "Invoiced to date"], range=[SERIES[1], SERIES[0]]),
                legend=alt.Legend(orient="top"),
            ),
            opacity=alt.condition(alt.datum.measure == "Contract value", alt.value(0.55), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("vendor:N", title="Vendor"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("amount:Q", title=f"Amount{unit}", format=",.0f"),
                alt.Tooltip("remaining:Q", title=f"Remaining{unit}", format=",.0f"),
                alt.Tooltip("contracts:Q", title="Contracts"),
                alt.Tooltip("at_risk:Q", title="At risk"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def run_out(at_risk: pd.DataFrame, as_of, currency: str = "") -> alt.Chart:
    """Per contract at risk: a line from the date its money runs out to its end date, the run-out
    point in its status colour, the end as a grey tick, the as-of date as a rule. ``at_risk``:
    contract_id, vendor, exhaustion_date, end, colour, status_label, remaining, monthly_burn."""
    frame = at_risk.dropna(subset=["exhaustion_date", "end"]).assign(
        label=lambda f: f.contract_id + " · " + f.vendor.fillna("no vendor"),
        runs_out=lambda f: pd.to_datetime(f.exhaustion_date),
        ends=lambda f: pd.to_datetime(f.end),
    )
    unit = _unit(currency)
    y = alt.Y("label:N", title="Contract", sort=alt.EncodingSortField("runs_out"), axis=alt.Axis(labelLimit=240))
    tooltip = [
        alt.Tooltip("contract_id:N", title="Contract"),
        alt.Tooltip("vendor:N", title="Vendor"),
        alt.Tooltip("status_label:N", title="Status"),
        alt.Tooltip("runs_out:T", title="Money runs out", format="%d %b %Y"),
        alt.Tooltip("ends:T", title="Contract ends", format="%d %b %Y"),
        alt.Tooltip("remaining:Q", title=f"Remaining{unit}", format=",.0f"),
        alt.Tooltip("monthly_burn:Q", title=f"Burn per month{unit}", format=",.0f"),
    ]
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    span = base.mark_rule(color=SERIES[2], strokeWidth=2).encode(
        x=alt.X("runs_out:T", title="Date", axis=alt.Axis(format="%b %Y")), x2="ends:T"
    )
    point = base.mark_circle(size=140, opacity=1).encode(
        x="runs_out:T",
        color=alt.Color(
            "colour:N",
            title="Money runs out",
            scale=alt.Scale(domain=["red", "amber"], range=[STATUS_COLORS["red"], STATUS_COLORS["amber"]]),
            legend=alt.Legend(orient="top", labelExpr="datum.label == 'red' ? 'before the end' : 'expiring soon'"),
        ),
    )
    end = base.mark_tick(color=SERIES[2], thickness=3, size=16).encode(x="ends:T")
    today = (
        alt.Chart(pd.DataFrame({"as_of": [pd.Timestamp(as_of)]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="as_of:T", tooltip=[alt.Tooltip("as_of:T", title="As of", format="%d %b %Y")])
    )
    title = "When the money runs out (dot) against the contract's end (tick)"
    return (span + point + end + today).properties(title=title, height=alt.Step(24))
