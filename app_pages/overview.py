"""Overview: every project's health and why, at one as-of date."""

import datetime as dt

import streamlit as st

import ui
from charts.evm import has_trend, index_trend
from charts.portfolio import can_map, health_map
from exports import to_csv, to_excel
from metrics import MetricsError
from metrics.budget import fiscal_year
from metrics.changes import changes_since
from metrics.portfolio import (
    STATUS_LABEL,
    export_frame,
    overview_rows,
    portfolio_trend,
    reconciliation_rows,
    totals,
)
from views import changes as changes_view


@st.cache_data(show_spinner="Comparing with the earlier date…")
def what_changed(since, as_of, since_reads, reads, portfolio_settings, project_ids):
    before = ui.portfolio_health(since, portfolio_settings)  # the Overview at that date (kept)
    after = ui.portfolio_health(as_of, portfolio_settings)
    with ui.store().batch() as store:
        return changes_since(store, since, as_of, project_ids or None, before=before, after=after)


@st.cache_resource(show_spinner=False, max_entries=4)
def pack_content(as_of, since, reads, portfolio_settings, project_ids, _store, _frame, _changes):
    """The executive pack's content for this view (``reads`` and the settings key whose view of
    which data it is; the frame and changes are the page's own), built once for the three formats."""
    from reports.content import build

    return build(_store, as_of, since, project_ids or None, frame=_frame, changes=_changes)


@st.cache_data(show_spinner=False, max_entries=6)
def pack_file(kind, as_of, since, reads, portfolio_settings, project_ids, _store, _frame, _changes) -> bytes:
    """The pack as bytes (``kind`` = pptx | xlsx | pdf), built when its download button is clicked."""
    import importlib

    pack = pack_content(as_of, since, reads, portfolio_settings, project_ids, _store, _frame, _changes)
    return importlib.import_module(PACK_RENDERERS[kind]).render(pack)


@st.cache_data(show_spinner="Computing the portfolio trend…")
def trend(as_of, version, project_ids):
    with ui.store().batch() as store:
        return portfolio_trend(store, as_of, project_ids)


PACK_RENDERERS = {"pptx": "reports.deck", "xlsx": "reports.workbook", "pdf": "reports.document"}
PACK_TYPES = {
    "pptx": ("PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("PDF", "application/pdf"),
}
DAY = "{:%d %b %Y}"
OVERVIEW_FORMATS = {
    "spi": "{:.2f}",
    "cpi": "{:.2f}",
    "spi_t": "{:.2f}",
    "bac": ui.money,
    "eac": ui.money,
    "variance": "{:+.1f} %",
    "gap": "{:.0f} %",
    "milestone_slip_days": "{:.0f}",
    "plan_as_of": DAY,
    "jira_as_of": DAY,
    "finance_as_of": DAY,
    "status_date": DAY,
}

settings = ui.settings()
rules = ui.portfolio_settings()
st.title("Portfolio overview")
try:
    frame = ui.portfolio_health(settings.as_of, rules)
    # the key of what changed and of the pack: the uploads on or before the date, registers of any date
    reads = ui.portfolio_reads(settings.as_of)
except MetricsError as err:
    st.info(f"Nothing to show yet: {ui.escape_md(err)} Use the **Uploads & problems** page.")
    st.stop()

since = ui.compare_with(settings.as_of, st.columns([1, 4])[0])
cannot_compare = changes_view.problem(since, settings.as_of)
changes = None
if cannot_compare is None:
    since_reads = ui.portfolio_reads(since)
    changes = what_changed(since, settings.as_of, since_reads, reads, rules, settings.project_ids)
deltas = changes_view.kpi_deltas(changes, ui.money)

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

eac_gap = (
    f" EAC − BAC = {ui.money(summary['eac'] - summary['bac'])}."
    if summary["eac"] is not None and summary["bac"] is not None
    else ""
)
tiles = (
    ("red", "Red", summary["red"], "Projects where at least one health rule is red."),
    ("amber", "Amber", summary["amber"], "Projects where the worst rule is amber."),
    ("green", "Green", summary["green"], "Projects green on every rule with data."),
    ("unknown", "Unknown", summary["unknown"], "Projects without a plan or finance numbers to judge by."),
    ("cpi", "Portfolio CPI", ui.ratio(summary["cpi"]), "ΣEV / ΣAC over projects with a plan and actual cost."),
    ("spi", "Portfolio SPI", ui.ratio(summary["spi"]), "ΣEV / ΣPV over projects with a plan."),
    (
        "bac",
        f"BAC {currency}",
        ui.money(summary["bac"]),
        "Σ budget at completion (baseline cost) of the same projects as EAC.",
    ),
    (
        "eac",
        f"EAC {currency}",
        ui.money(summary["eac"]),
        f"Estimate at completion = ΣBAC / portfolio CPI over the projects with actual cost.{eac_gap}",
    ),
)
for column, (key, label, value, text) in zip(st.columns(len(tiles)), tiles, strict=True):
    delta = deltas.get(key, {})
    column.metric(
        label,
        value,
        delta=delta.get("delta"),
        delta_color=delta.get("delta_color", "normal"),
        delta_arrow=delta.get("delta_arrow", "auto"),
        help=text + (f" The delta is the change since {since:%d %b %Y} (then: {delta['before']})." if delta else ""),
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

st.subheader(f"What changed since {since:%d %b %Y}" if since else "What changed")
if changes is None:
    st.caption(cannot_compare)
else:
    st.caption(changes_view.caption(changes))
    st.markdown(changes_view.headline(changes))
    sections = (
        (
            "Projects whose status changed",
            changes_view.status_table(changes),
            "No project's computed status changed.",
            "changes_status",
            None,
        ),
        (
            "New red and amber reasons",
            changes_view.reasons_table(changes),
            "No red or amber reason is new.",
            "changes_reasons",
            None,
        ),
        (
            "Risks escalated",
            changes_view.risks_table(changes),
            "No risk was escalated (open and escalated now, not then).",
            "changes_risks",
            {"Score": st.column_config.NumberColumn(format="%g"), "Why": st.column_config.TextColumn(width="large")},
        ),
        (
            "Milestones slipped",
            changes_view.slips_table(changes),
            "No milestone's finish moved later between the two plan snapshots.",
            "changes_slips",
            {"Was": st.column_config.DateColumn(), "Now": st.column_config.DateColumn()},
        ),
    )
    for column, (title, table, empty, key, config) in zip(st.columns(2) + st.columns(2), sections, strict=True):
        with column:
            st.markdown(f"**{title}**")
            if table.empty:
                st.caption(empty)
            else:
                st.dataframe(table, hide_index=True, width="stretch", key=key, column_config=config)

left, right = st.columns([3, 2])
with right:
    st.subheader("Why projects are red or amber")
    flagged = frame[frame.status.isin(["red", "amber"])]
    if flagged.empty and frame.status.eq("green").any():
        st.success("No project is red or amber: every project with data passes every rule.")
    elif flagged.empty:
        st.info("No project can be judged yet: none has a plan with a baseline or finance with a budget to date.")
    box = st.container(height=430, border=False) if len(flagged) else st.container()
    for row in flagged.itertuples():
        with box.container(border=True):
            st.markdown(f"**{ui.escape_md(row.name)}** ({ui.escape_md(row.project_id)}) · {STATUS_LABEL[row.status]}")
            st.markdown("\n".join(f"- {ui.escape_md(reason)}" for reason in row.reasons))
with left:
    if can_map(frame):
        event = st.altair_chart(health_map(frame), width="stretch", on_select="rerun", key="health_map")
        picked = event["selection"].get("pick") if event else None
        if picked:  # drill down into the project clicked on the map
            st.session_state["project"] = picked[0]["project_id"]
            st.switch_page("app_pages/project.py")
    else:
        st.markdown("**Schedule and cost performance**")
        st.info(
            "No project has both SPI and CPI on or before this date: a plan with a baseline, % complete "
            "and costs gives them. Each project's health uses what it has (see the table above)."
        )
    history = trend(
        settings.as_of,
        ui.reads_version(settings.as_of, ("msproject",), summary["trend_projects"]),
        tuple(summary["trend_projects"]),
    )
    if has_trend(history):
        st.altair_chart(index_trend(history, title="Portfolio CPI and SPI over time"), width="stretch")
    else:
        st.markdown("**Portfolio CPI and SPI over time**")
        st.info("No plan snapshot with earned value on or before this date: no trend to draw yet.")

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

st.subheader("Executive pack")
store = ui.store()
scope = f"{len(frame)} project(s) in scope" + (f", what changed since {since:%d %b %Y}" if changes else "")
st.caption(
    f"The leadership pack as of {settings.as_of:%d %b %Y} ({scope}): portfolio, what changed, a page per red "
    "and amber project, every project in the appendix — the numbers above, built when you click."
)
ids = tuple(settings.project_ids)
buttons = st.container(horizontal=True)  # each button as wide as its label
for kind, (word, mime) in PACK_TYPES.items():
    buttons.download_button(
        f"Pack ({word})",
        lambda kind=kind, args=(settings.as_of, since if changes else None, reads, rules, ids, store, frame, changes): (
            pack_file(kind, *args)
        ),
        f"portfolio_pack_{settings.as_of:%Y-%m-%d}.{kind}",
        mime,
        on_click="ignore",
        key=f"pack_{kind}",
    )

export = export_frame(frame)
table_buttons = st.container(horizontal=True)
table_buttons.download_button("Download CSV", to_csv(export), "portfolio_health.csv", "text/csv")
table_buttons.download_button(
    "Download Excel",
    to_excel({"Portfolio health": export}, percent_columns={"budget_variance_pct", "ac_gap_pct"}),
    "portfolio_health.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
