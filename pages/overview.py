"""Overview: every project's health and why, at one as-of date."""

import datetime as dt

import streamlit as st

import ui
from charts.evm import index_trend
from charts.portfolio import health_map
from exports import to_csv, to_excel
from metrics import MetricsError
from metrics.budget import fiscal_year
from metrics.portfolio import (
    STATUS_LABEL,
    export_frame,
    overview_rows,
    portfolio_frame,
    portfolio_trend,
    reconciliation_rows,
    totals,
)


@st.cache_data(show_spinner="Computing portfolio health…")
def load(as_of, version, portfolio_settings):
    with ui.store().batch() as store:  # one connection for the whole computation
        return portfolio_frame(store, as_of, portfolio_settings)


@st.cache_data(show_spinner="Computing the portfolio trend…")
def trend(as_of, version, project_ids):
    with ui.store().batch() as store:
        return portfolio_trend(store, as_of, project_ids)


DAY = "{:%d %b %Y}"
OVERVIEW_FORMATS = {"spi": "{:.2f}", "cpi": "{:.2f}", "spi_t": "{:.2f}", "bac": ui.money, "eac": ui.money,
                    "variance": "{:+.1f} %", "gap": "{:.0f} %", "milestone_slip_days": "{:.0f}",
                    "plan_as_of": DAY, "jira_as_of": DAY, "finance_as_of": DAY}  # fmt: skip

settings = ui.settings()
rules = ui.portfolio_settings()
st.title("Portfolio overview")
try:
    # keyed by the uploads it reads (on or before the date; registers of any date), not every upload
    reads = ui.reads_version(settings.as_of) + ui.reads_version(None, ("register",))
    frame = load(settings.as_of, reads, rules)
except MetricsError as err:
    st.info(f"Nothing to show yet: {err} Use the **Uploads & problems** page.")
    st.stop()

frame = frame[frame.project_id.isin(settings.project_ids)] if settings.project_ids else frame
summary = totals(frame)
currency = summary["currency"] or ""
others = (
    f" Money tiles cover {currency} projects only; also held: {', '.join(summary['other_currencies'])}."
    if summary["other_currencies"]
    else ""
)
fy_first, fy_next = fiscal_year(settings.as_of, rules.fy_start_month)
fy_label = f"{fy_first:%b %Y} – {fy_next - dt.timedelta(days=1):%b %Y}"
st.caption(
    f"As of {settings.as_of:%d %b %Y} · {summary['projects']} projects (red {summary['red']} + amber "
    f"{summary['amber']} + green {summary['green']} + unknown {summary['unknown']}) · each project at its latest "
    f"snapshot on or before that date · budget variance is fiscal year to date ({fy_label}), like the Finance "
    f"page; BAC and EAC are the plans' lifetime money. Indices are portfolio sums (ΣEV/ΣAC over "
    f"{summary['cpi_projects']} projects with actual cost, ΣEV/ΣPV over {summary['spi_projects']}), never "
    f"averages.{others}"
)

cols = st.columns(8)
cols[0].metric("Red", summary["red"], help="Projects where at least one health rule is red")
cols[1].metric("Amber", summary["amber"], help="Projects where the worst rule is amber")
cols[2].metric("Green", summary["green"])
cols[3].metric("Unknown", summary["unknown"], help="Projects without a plan or finance numbers to judge by")
cols[4].metric("Portfolio CPI", ui.ratio(summary["cpi"]), help="ΣEV / ΣAC over projects with a plan and actual cost")
cols[5].metric("Portfolio SPI", ui.ratio(summary["spi"]), help="ΣEV / ΣPV over projects with a plan")
cols[6].metric(
    f"BAC {currency}",
    ui.money(summary["bac"]),
    help="Σ budget at completion (baseline cost) of the same projects as EAC",
)
cols[7].metric(
    f"EAC {currency}",
    ui.money(summary["eac"]),
    delta=ui.money(summary["eac"] - summary["bac"])
    if summary["eac"] is not None and summary["bac"] is not None
    else None,
    delta_color="inverse",
    help="Estimate at completion = ΣBAC / portfolio CPI over the projects with actual cost; the delta is EAC − BAC",
)

st.subheader("Health by project")
table = ui.as_text(overview_rows(frame), OVERVIEW_FORMATS)
st.dataframe(
    ui.status_styled(table, "health", frame.status),
    hide_index=True,
    width="stretch",
    height=min(35 * (len(table) + 1) + 8, 640),
    column_order=[
        "health",
        "project_id",
        "name",
        "program",
        "why",
        "spi",
        "cpi",
        "spi_t",
        "bac",
        "eac",
        "variance",
        "gap",
        "milestone_slip_days",
        "plan_as_of",
        "jira_as_of",
        "finance_as_of",
        "confidence",
    ],
    column_config={
        "health": st.column_config.TextColumn("Health", width="small"),
        "project_id": "ID",
        "name": "Project",
        "program": "Program",
        "why": st.column_config.TextColumn("Why", width="large"),
        "spi": st.column_config.TextColumn("SPI", help="EV / PV"),
        "cpi": st.column_config.TextColumn("CPI", help="EV / AC"),
        "spi_t": st.column_config.TextColumn("SPI(t)", help="Earned Schedule / actual time"),
        "bac": st.column_config.TextColumn("BAC"),
        "eac": st.column_config.TextColumn("EAC", help="BAC / CPI"),
        "variance": st.column_config.TextColumn(
            f"Budget var. YTD (FY from {fy_first:%b})",
            help=f"(budget − actual) / budget over the fiscal year's months to date ({fy_label}); "
            "negative = over budget, as on the Finance page",
        ),
        "gap": st.column_config.TextColumn(
            "Plan vs ledger",
            help="|plan actual cost − ledger actual to date| / ledger actual; over "
            f"{100 * rules.reconciliation_gap:.0f} % is a data-confidence problem",
        ),
        "milestone_slip_days": st.column_config.TextColumn("Slip (wd)", help="Worst milestone slip in working days"),
        "plan_as_of": st.column_config.TextColumn("Plan as of"),
        "jira_as_of": st.column_config.TextColumn("Jira as of"),
        "finance_as_of": st.column_config.TextColumn("Finance as of"),
        "confidence": st.column_config.TextColumn(
            "Confidence",
            help="high: plan and finance data ≤ 14 days old; medium: some data ≤ 30 days old; "
            "low: older, or plan and ledger disagree",
        ),
    },
)

left, right = st.columns([3, 2])
with right:
    st.subheader("Why projects are red or amber")
    flagged = frame[frame.status.isin(["red", "amber"])]
    if flagged.empty:
        st.success("Every project is green on every rule with data.")
    box = st.container(height=430, border=False)
    for row in flagged.itertuples():
        with box.container(border=True):
            st.markdown(f"**{ui.escape_md(row.name)}** ({ui.escape_md(row.project_id)}) · {STATUS_LABEL[row.status]}")
            st.markdown("\n".join(f"- {ui.escape_md(reason)}" for reason in row.reasons))
with left:
    event = st.altair_chart(health_map(frame), width="stretch", on_select="rerun", key="health_map")
    picked = event["selection"].get("pick") if event else None
    if picked:  # drill down into the project clicked on the map
        st.session_state["project"] = picked[0]["project_id"]
        st.switch_page("pages/project.py")
    st.altair_chart(
        index_trend(
            trend(
                settings.as_of,
                ui.reads_version(settings.as_of, ("msproject",), summary["trend_projects"]),
                tuple(summary["trend_projects"]),
            ),
            title="Portfolio CPI and SPI over time",
        ),
        width="stretch",
    )

st.subheader("Plan cost vs ledger")
recon = reconciliation_rows(frame)
if recon.empty:
    st.caption("No project has both a plan with actual cost and a finance workbook with actuals: nothing to reconcile.")
else:
    flagged_recon = int(recon.flagged.sum())
    st.caption(
        f"The plan's actual cost (AC, at its status date) against the ledger's actual to date, per project: "
        f"{flagged_recon} of {len(recon)} differ by more than {100 * rules.reconciliation_gap:.0f} % "
        "(their confidence is low until one of the two is brought up to date)."
    )
    st.dataframe(
        recon,
        hide_index=True,
        width="stretch",
        key="reconciliation",
        column_config={
            "project_id": "ID",
            "name": "Project",
            "ac": st.column_config.NumberColumn("Plan AC", format="compact"),
            "ledger_actual": st.column_config.NumberColumn("Ledger actual", format="compact"),
            "gap": st.column_config.NumberColumn("Gap", format="%.0f %%"),
            "flagged": st.column_config.CheckboxColumn("Over threshold"),
        },
    )

with st.expander("How health is judged"):
    st.dataframe(ui.rules_frame(rules), hide_index=True, width="stretch")
    st.caption("Thresholds, fiscal year and underspend rules are set once on the **Uploads & problems** page.")

export = export_frame(frame)
c1, c2 = st.columns([1, 6])
c1.download_button("Download CSV", to_csv(export), "portfolio_health.csv", "text/csv")
c2.download_button(
    "Download Excel",
    to_excel({"Portfolio health": export}, percent_columns={"budget_variance_pct", "ac_gap_pct"}),
    "portfolio_health.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
